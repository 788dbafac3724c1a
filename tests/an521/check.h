/* check.h - assertions for the programs of the QEMU tests. A failed check prints where and
 * what (and duet's last error) on the core's UART and ends the emulator with status 1. */
#ifndef AN521_CHECK_H
#define AN521_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fails the test unless cond holds; what is the condition's text. */
void check_that(bool cond, const char *file, int line, const char *what);

/* Fails the test unless got == want (both printed on failure). */
void check_equal(long long got, long long want, const char *file, int line, const char *what);

/* The test passed: says so on the UART and ends the emulator with status 0 (the M7). */
void check_pass(void) __attribute__((noreturn));

#define CHECK(cond) check_that((cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ(got, want) check_equal((long long)(got), (long long)(want), __FILE__, __LINE__, #got " == " #want)

/* A scenario a program plays: its name and its part. */
typedef struct scenario {
    const char *name;
    void (*run)(void);
} scenario;

/* Runs the part of the scenario both images of a test were built for (the AN521_SCENARIO
 * definition) from table; false if the table has none of that name. */
bool scenario_run(const scenario *table, size_t count);

/* Whether the images were built for the scenario name. */
bool scenario_is(const char *name);

/* Bytes of a test pattern: byte i of the stream seeded with seed. */
uint8_t pattern_byte(uint32_t seed, uint32_t i);

#endif

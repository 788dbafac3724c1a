/* check.h - the Armv7-M test's checks: each compares a value with the one the test expects
 * (written in the test, not computed by the code under test), counts it, and prints a line
 * "FAIL what: got ..., expected ..." for each one that differs. */
#ifndef DUET_TEST_ARMV7M_CHECK_H
#define DUET_TEST_ARMV7M_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes text to the console (semihosting), as it stands. */
void say(const char *text);

void check_true(bool ok, const char *what);
void check_int(int64_t got, int64_t want, const char *what);
void check_uint(uint64_t got, uint64_t want, const char *what);
/* A double or float by its IEEE 754 bits (so -0.0, NaNs and subnormals are told apart). */
void check_double(double got, uint64_t want_bits, const char *what);
void check_float(float got, uint32_t want_bits, const char *what);
/* A NaN, whatever its payload. */
void check_double_nan(double got, const char *what);
void check_float_nan(float got, const char *what);
void check_str(const char *got, const char *want, const char *what);
void check_bytes(const void *got, size_t got_len, const void *want, size_t want_len, const char *what);

/* The groups of checks: armv7m.c (numbers, text), stdio_checks.c (C's printf family) and
 * rpc_checks.c (the two engines). */
void check_numbers(void);
void check_format(void);
void check_stdio(void);
void check_rpc(void);

#endif

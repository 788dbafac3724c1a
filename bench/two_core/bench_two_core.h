/* bench_two_core.h - what the two-core benchmark's M7 side (main.c, which also runs the bare
 * shared-memory baselines, baseline.c) and its M4 program (m4.c) share: CPUs, sizes, the
 * clock, pinning and the stream's data pattern. */
#ifndef DUET_BENCH_TWO_CORE_H
#define DUET_BENCH_TWO_CORE_H

#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

/* Where each side runs: the M7 (and the baselines' first process) on CPU 0, the M4 (and the
 * baselines' second process) on CPU 1. */
#define BT_CPU_M7 0
#define BT_CPU_M4 1

/* Set (to "1") by the M7 in its environment, which the board passes on: the M4 pins itself
 * to BT_CPU_M4. Unset in `check` runs on machines with a single CPU. */
#define BT_PIN_ENV "DUET_BENCH_PIN"

/* The stream's unit: what the M4 hands to one duet_write, and what the M7 checks at once. */
#define BT_CHUNK 4096u

/* The bare ring's size: the same 64 KiB as SRAM4, the whole shared region of the board. */
#define BT_RING 65536u

/* The pieces baseline's slots: RPMsg's buffer on the GIGA's layout, 512 bytes, whose first 16
 * are the message header and the other 496 the payload. */
#define BT_SLOT 512u
#define BT_HEADER 16u
#define BT_PIECE (BT_SLOT - BT_HEADER)

static inline uint64_t bt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Pins the calling process to one CPU. 0, or -1 (errno set). */
static inline int bt_pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

/* The stream's bytes, as 64-bit words: word k of the stream is bt_word(k). Every word differs
 * from every other one (the multiplier is odd), so a lost, repeated or reordered chunk shows. */
static inline uint64_t bt_word(uint64_t k)
{
    return (k + 1) * 0x9e3779b97f4a7c15ull;
}

/* Fills n bytes (a multiple of 8) that start at stream offset off (a multiple of 8). */
static inline void bt_fill(uint8_t *p, uint64_t off, size_t n)
{
    uint64_t k = off / 8;
    for (size_t i = 0; i < n / 8; i++) {
        uint64_t w = bt_word(k + i);
        memcpy(p + 8 * i, &w, 8);
    }
}

/* Checks n bytes as bt_fill made them; returns how many words differ. */
static inline size_t bt_check(const uint8_t *p, uint64_t off, size_t n)
{
    uint64_t k = off / 8;
    size_t bad = 0;
    for (size_t i = 0; i < n / 8; i++) {
        uint64_t w;
        memcpy(&w, p + 8 * i, 8);
        bad += w != bt_word(k + i);
    }
    return bad;
}

#endif

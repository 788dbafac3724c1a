/* two_core.h - what the two-process tests (test_two_core.c, the M7) and their M4 programs
 * (m4_program.c, m4_hostile.c) share: scenario names, sizes, data patterns and checks.
 *
 * Every scenario runs on a fresh emulated board (ports/posix): the test forks a child that
 * plays the M7 (one static duet instance per process), which boots the M4 program uploaded
 * at 0x08100000. The board passes the M7's environment to the M4, so the M4 learns its
 * scenario from TC_SCENARIO_ENV (and TC_VARIANT_ENV), set by the M7 child before booting.
 * Each side counts failed checks; the M4 reports its count by RPC (m4_done) and its exit
 * status, which the M7 collects with duet_posix_port_m4_join().
 */
#ifndef DUET_TEST_TWO_CORE_H
#define DUET_TEST_TWO_CORE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "duet/duet.h"

/* Slower under the sanitizers: deadlines scale with this. */
#if defined(__SANITIZE_THREAD__)
#define TC_SLOW 4
#elif defined(__SANITIZE_ADDRESS__)
#define TC_SLOW 2
#else
#define TC_SLOW 1
#endif

#define TC_SCENARIO_ENV "DUET_TWO_CORE_SCENARIO"
#define TC_VARIANT_ENV "DUET_TWO_CORE_VARIANT"
/* File in the board directory where an M4 leaves a line for the M7 (duet_begin's verdict). */
#define TC_REPORT_FILE "m4_report"

/* The stream scenario: bytes from the M4 to the slow M7 reader, then a burst in drop mode. */
#define TC_STREAM_BYTES (10u * 1024u * 1024u)
#define TC_BURST_BYTES 100000u
#define TC_AFTER_BURST_BYTES 1000u
/* The M7's stream receive ring (DUET_STREAM_RX_SIZE's default). */
#define TC_STREAM_RX 2048u

/* One RPMsg buffer's payload on the GIGA layout, and duet's largest message by default. */
#define TC_PAYLOAD 496u
#define TC_MAX_MESSAGE 1024u
/* The large message between two processes that use duet_rpmsg_* directly. */
#define TC_HUGE_BYTES 65536u
#define TC_HUGE_CAP (65536u + 512u)

/* Nested calls: f(v) = g(v + 1) - 7, g(v) = h(2 v) + 5, h(v) = 3 v, so f(v) = 6 v + 4. */
#define TC_NESTED(v) (6 * (v) + 4)
/* Nested calls made by both sides at once, each. */
#define TC_RACE_CALLS 20

/* The threads scenario: so many threads on each core call the other core, each so often,
 * while the core's main thread serves in delay(). */
#define TC_THREADS 3
#define TC_THREAD_CALLS 200

/* A byte pattern that depends on the position (and a seed per use), not periodic in any
 * buffer or ring size: a lost, repeated or reordered byte shows. */
static inline uint8_t tc_pattern(uint32_t seed, uint32_t i)
{
    uint32_t h = i * 0x9e3779b1u + seed * 0x85ebca77u;
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return (uint8_t)(h ^ (h >> 24));
}

static inline void tc_fill(uint8_t *p, size_t n, uint32_t seed, uint32_t first)
{
    for (size_t i = 0; i < n; i++)
        p[i] = tc_pattern(seed, first + (uint32_t)i);
}

/* FNV-1a, what the sum_bin handlers return for the bytes they received. */
static inline uint32_t tc_fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static inline uint32_t tc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static inline void tc_sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Checks that count failures and go on (no cmocka in the processes that play a core); the
 * threads of the threads scenario check too, so the count grows atomically. */
extern int tc_fails;
extern const char *tc_who;

/* Counts one failed check. */
static inline void tc_fail(void)
{
    __atomic_add_fetch(&tc_fails, 1, __ATOMIC_RELAXED);
}

#define TC_CHECK(cond)                                                                        \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s %s:%d: check failed: %s\n", tc_who, __FILE__, __LINE__, #cond); \
            tc_fail();                                                                        \
        }                                                                                     \
    } while (0)

#define TC_CHECK_EQ(a, b)                                                                     \
    do {                                                                                      \
        long long tc_a_ = (long long)(a), tc_b_ = (long long)(b);                             \
        if (tc_a_ != tc_b_) {                                                                 \
            fprintf(stderr, "%s %s:%d: check failed: %s == %s (%lld != %lld)\n", tc_who,      \
                    __FILE__, __LINE__, #a, #b, tc_a_, tc_b_);                                \
            tc_fail();                                                                        \
        }                                                                                     \
    } while (0)

#define TC_CHECK_STR(hay, needle)                                                             \
    do {                                                                                      \
        const char *tc_h_ = (hay);                                                            \
        if (!tc_h_ || !strstr(tc_h_, (needle))) {                                             \
            fprintf(stderr, "%s %s:%d: check failed: \"%s\" does not contain \"%s\"\n",       \
                    tc_who, __FILE__, __LINE__, tc_h_ ? tc_h_ : "(null)", (needle));          \
            tc_fail();                                                                        \
        }                                                                                     \
    } while (0)

/*
 * Calls method with one bin argument of pattern bytes (seed), sized so that the whole request
 * is exactly total bytes (over 260, so a bin 16 header). The raw result goes to res.
 * @retval what duet_rpc_end or duet_future_wait_raw returned; *n is the bin's length.
 */
static inline int tc_call_exact(duet_rpc *rpc, const char *method, size_t total, uint32_t seed, const uint8_t **data,
                                size_t *n, uint8_t *res, size_t cap, size_t *len)
{
    static uint8_t buf[2 * TC_MAX_MESSAGE];
    duet_future fut;
    duet_msgpack_writer *w = duet_rpc_begin_call(rpc, &fut, method);
    if (!w)
        return DUET_ERR_STATE;
    duet_msgpack_write_array(w, 1);
    *n = total - duet_msgpack_writer_size(w) - 3;
    tc_fill(buf, *n, seed, 0);
    *data = buf;
    duet_msgpack_write_bin(w, buf, *n);
    if (!duet_msgpack_writer_error(w) && duet_msgpack_writer_size(w) != total)
        return DUET_ERR_ARG; /* the arithmetic above is wrong: no test */
    int err = duet_rpc_end(rpc, w);
    if (err)
        return err;
    return duet_future_wait_raw(rpc, &fut, 3000, res, cap, len);
}

/* An echo request of exactly total bytes: 1 if the bytes came back whole, -1 if they came
 * back changed, else the call's error. */
static inline int tc_echo_exact(duet_rpc *rpc, size_t total, uint32_t seed)
{
    uint8_t res[2 * TC_MAX_MESSAGE];
    const uint8_t *data, *p = NULL;
    size_t n = 0, len = 0;
    uint32_t plen = 0;
    int err = tc_call_exact(rpc, "echo", total, seed, &data, &n, res, sizeof res, &len);
    if (err)
        return err;
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, res, len);
    return duet_msgpack_read_bin(&r, &p, &plen) && plen == n && memcmp(p, data, n) == 0 ? 1 : -1;
}

#endif

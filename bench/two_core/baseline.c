/*
 * baseline.c - the bare limits the two-core figures are compared with: two processes (this
 * one on CPU 0, a forked child on CPU 1, as the M7 and the M4) and one MAP_SHARED mapping,
 * nothing else.
 *
 * Ping-pong. Two 32-bit words on their own cache lines, ping (first -> second) and pong
 * (second -> first), each counting the signals sent on it. A round trip: the first process
 * signals ping and waits until pong has moved; the second waits for ping and signals pong.
 *   futex  the same doorbell protocol as the posix board (ports/posix/board.c), minus
 *          everything else: bit 31 of a word says its waiter sleeps; a waiter sets it with a
 *          compare-and-swap (only if the count is still the one it waits past) and sleeps in
 *          FUTEX_WAIT; a signal adds one and clears the bit in one compare-and-swap and makes
 *          the FUTEX_WAKE only if the bit was set. A waiter sleeps at once, as DUET_WAIT=block.
 *   spin   a signal is one atomic store; a waiter spins on the word (with pause).
 *
 * Copy. An SPSC ring of BT_RING bytes with a head (bytes written, by the second process) and
 * a tail (bytes read, by the first) on cache lines of their own. The second process fills a
 * BT_CHUNK buffer with the pattern, waits (spinning) for room and copies it in; the first
 * waits (spinning) for a whole chunk, copies it out, frees it and checks the pattern: the
 * same work at both ends as the duet stream benchmark, over the bare shared memory.
 *
 * Copy in pieces. The same ring and the same chunks, cut as RPMsg cuts a stream: the ring is
 * BT_SLOT-byte slots, the byte stream goes in pieces of BT_PIECE bytes (a piece may span two
 * chunks), each after a BT_HEADER header that says its length; head and tail count slots,
 * each published once per chunk (the tail once per slot was ~2% slower). What RPMsg's buffer
 * layout costs by itself, with no protocol: the most any stream over it can do here.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_two_core.h"
#include "bench_two_core_m7.h"

#define SLEEPING 0x80000000u
#define COUNT 0x7fffffffu

/* Spins before a spinning waiter gives its CPU away once: never reached when each process
 * has its own CPU (a round trip is far shorter), but keeps a `check` run on a single CPU
 * from crawling. */
#define SPIN_BEFORE_YIELD (1u << 12)

typedef struct shared {
    _Alignas(64) uint32_t ping;
    _Alignas(64) uint32_t pong;
    _Alignas(64) uint64_t head;   /* copy: bytes written into the ring */
    _Alignas(64) uint64_t tail;   /* copy: bytes taken out of it */
    _Alignas(64) uint32_t ready;  /* the second process is pinned and running */
    _Alignas(64) uint32_t failed; /* the second process saw something wrong */
    _Alignas(64) uint8_t ring[BT_RING];
} shared;

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

static long futex(uint32_t *word, int op, uint32_t val)
{
    return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* ------------------------------------------------------------ signalling */

static void signal_futex(uint32_t *w)
{
    uint32_t old = __atomic_load_n(w, __ATOMIC_RELAXED), next;
    do
        next = (old + 1) & COUNT;
    while (!__atomic_compare_exchange_n(w, &old, next, true, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    if (old & SLEEPING)
        futex(w, FUTEX_WAKE, INT_MAX);
}

/* Waits until the count of *w is no longer seen; returns the new count. */
static uint32_t wait_futex(uint32_t *w, uint32_t seen)
{
    for (;;) {
        uint32_t now = __atomic_load_n(w, __ATOMIC_ACQUIRE) & COUNT;
        if (now != seen)
            return now;
        uint32_t expected = seen;
        if (!__atomic_compare_exchange_n(w, &expected, seen | SLEEPING, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) &&
            expected != (seen | SLEEPING))
            continue; /* it was signalled meanwhile */
        futex(w, FUTEX_WAIT, seen | SLEEPING);
    }
}

static void signal_spin(uint32_t *w)
{
    __atomic_store_n(w, (__atomic_load_n(w, __ATOMIC_RELAXED) + 1) & COUNT, __ATOMIC_RELEASE);
}

static uint32_t wait_spin(uint32_t *w, uint32_t seen)
{
    for (unsigned i = 1;; i++) {
        uint32_t now = __atomic_load_n(w, __ATOMIC_ACQUIRE);
        if (now != seen)
            return now;
        relax();
        if (i % SPIN_BEFORE_YIELD == 0)
            sched_yield();
    }
}

/* Spins until *v >= want (acquire); the same yield as wait_spin. */
static void wait_at_least(const uint64_t *v, uint64_t want)
{
    for (unsigned i = 1; __atomic_load_n(v, __ATOMIC_ACQUIRE) < want; i++) {
        relax();
        if (i % SPIN_BEFORE_YIELD == 0)
            sched_yield();
    }
}

/* ------------------------------------------------------------ the two processes */

static shared *map_shared(void)
{
    void *p = mmap(NULL, sizeof(shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    memset(p, 0, sizeof(shared));
    return p;
}

/* Forks the second process: it pins itself (if asked), says it is ready, runs fn and exits
 * with 0 (or 1 if it set failed). The first waits for ready. */
static pid_t start_second(shared *s, bool pin, void (*fn)(shared *s, uint64_t n), uint64_t n)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (pin && bt_pin(BT_CPU_M4) != 0) {
            perror("second process: sched_setaffinity(CPU 1)");
            _exit(3);
        }
        __atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
        fn(s, n);
        _exit(__atomic_load_n(&s->failed, __ATOMIC_RELAXED) ? 1 : 0);
    }
    while (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE)) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "second process ended before it started (status 0x%x)\n", status);
            exit(2);
        }
        sched_yield();
    }
    return pid;
}

/* Waits for the second process; true if it exited with 0. */
static bool join_second(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            perror("waitpid");
            return false;
        }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "second process failed (status 0x%x)\n", status);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ ping-pong */

static bool pp_spin; /* which protocol: set before the fork, so both processes agree */

/* The second process: answers n round trips. */
static void pong_side(shared *s, uint64_t n)
{
    uint32_t seen = 0;
    for (uint64_t i = 0; i < n; i++) {
        seen = pp_spin ? wait_spin(&s->ping, seen) : wait_futex(&s->ping, seen);
        if (seen != ((uint32_t)(i + 1) & COUNT)) {
            __atomic_store_n(&s->failed, 1, __ATOMIC_RELAXED);
            fprintf(stderr, "pong: ping count %u, expected %u\n", (unsigned)seen, (unsigned)((i + 1) & COUNT));
        }
        pp_spin ? signal_spin(&s->pong) : signal_futex(&s->pong);
    }
}

bool bt_pingpong(bool spin, bool pin, unsigned warm, unsigned n, double *samples_us)
{
    shared *s = map_shared();
    pp_spin = spin;
    pid_t pid = start_second(s, pin, pong_side, (uint64_t)warm + n);
    uint32_t seen = 0;
    bool ok = true;
    uint64_t t = bt_now_ns();
    for (unsigned i = 0; i < warm + n; i++) {
        spin ? signal_spin(&s->ping) : signal_futex(&s->ping);
        seen = spin ? wait_spin(&s->pong, seen) : wait_futex(&s->pong, seen);
        uint64_t t1 = bt_now_ns();
        if (seen != ((i + 1) & COUNT) && ok) {
            fprintf(stderr, "ping: pong count %u, expected %u\n", (unsigned)seen, (i + 1) & COUNT);
            ok = false;
        }
        if (i >= warm)
            samples_us[i - warm] = (double)(t1 - t) / 1e3;
        t = t1;
    }
    ok = join_second(pid) && ok;
    munmap(s, sizeof *s);
    return ok;
}

/* ------------------------------------------------------------ copy through a ring */

static void producer_side(shared *s, uint64_t bytes)
{
    static uint8_t buf[BT_CHUNK] __attribute__((aligned(64)));
    for (uint64_t off = 0; off < bytes; off += BT_CHUNK) {
        bt_fill(buf, off, BT_CHUNK);
        wait_at_least(&s->tail, off + BT_CHUNK > BT_RING ? off + BT_CHUNK - BT_RING : 0);
        memcpy(s->ring + off % BT_RING, buf, BT_CHUNK);
        __atomic_store_n(&s->head, off + BT_CHUNK, __ATOMIC_RELEASE);
    }
}

bool bt_copy(bool pin, uint64_t warm_bytes, uint64_t bytes, double *seconds)
{
    static uint8_t buf[BT_CHUNK] __attribute__((aligned(64)));
    shared *s = map_shared();
    pid_t pid = start_second(s, pin, producer_side, warm_bytes + bytes);
    uint64_t bad = 0, t0 = 0;
    for (uint64_t off = 0; off < warm_bytes + bytes; off += BT_CHUNK) {
        if (off == warm_bytes)
            t0 = bt_now_ns();
        wait_at_least(&s->head, off + BT_CHUNK);
        memcpy(buf, s->ring + off % BT_RING, BT_CHUNK);
        __atomic_store_n(&s->tail, off + BT_CHUNK, __ATOMIC_RELEASE);
        bad += bt_check(buf, off, BT_CHUNK);
    }
    *seconds = (double)(bt_now_ns() - t0) / 1e9;
    bool ok = join_second(pid);
    if (bad) {
        fprintf(stderr, "copy: %llu words differ from the pattern\n", (unsigned long long)bad);
        ok = false;
    }
    munmap(s, sizeof *s);
    return ok;
}

/* ------------------------------------------------------------ copy in pieces */

#define SLOTS (BT_RING / BT_SLOT)

/* Copies slots [first, end) of the producer's staging copy of the ring into the ring, in one
 * piece (two where they wrap around its end). */
static void copy_slots(shared *s, const uint8_t *stage, uint64_t first, uint64_t end)
{
    while (first < end) {
        uint64_t at = first % SLOTS, n = end - first < SLOTS - at ? end - first : SLOTS - at;
        memcpy(s->ring + at * BT_SLOT, stage + at * BT_SLOT, n * BT_SLOT);
        first += n;
    }
}

/*
 * The slots are written as duet's remote writes a run of adjacent buffers on a PC: headers
 * and payloads into a staging copy of the ring, then the chunk's slots into the ring in one
 * copy, which moves cache lines to the other core far faster than a copy per slot
 * (src/transport/internal.h, DUET_RPMSG_STAGED_RUNS). A slot left part-filled at a chunk's
 * end is copied again with the next chunk, before it is published.
 */
static void piece_producer_side(shared *s, uint64_t bytes)
{
    static uint8_t buf[BT_CHUNK] __attribute__((aligned(64)));
    static uint8_t stage[BT_RING] __attribute__((aligned(64)));
    uint64_t slot = 0;  /* the slot being filled */
    uint32_t in = 0;    /* bytes in it so far */
    for (uint64_t off = 0; off < bytes; off += BT_CHUNK) {
        bt_fill(buf, off, BT_CHUNK);
        uint64_t first = slot;
        for (uint32_t done = 0; done < BT_CHUNK;) {
            uint8_t *p = stage + (slot % SLOTS) * BT_SLOT;
            if (in == 0)
                wait_at_least(&s->tail, slot + 1 > SLOTS ? slot + 1 - SLOTS : 0);
            uint32_t n = BT_CHUNK - done < BT_PIECE - in ? BT_CHUNK - done : BT_PIECE - in;
            memcpy(p + BT_HEADER + in, buf + done, n);
            done += n;
            in += n;
            if (in == BT_PIECE || off + done == bytes) {
                uint32_t header[4] = {1024, 1024, 0, in};
                memcpy(p, header, sizeof header);
                slot++;
                in = 0;
            }
        }
        copy_slots(s, stage, first, slot + (in ? 1 : 0));
        __atomic_store_n(&s->head, slot, __ATOMIC_RELEASE);
    }
}

bool bt_copy_pieces(bool pin, uint64_t warm_bytes, uint64_t bytes, double *seconds)
{
    static uint8_t buf[BT_CHUNK] __attribute__((aligned(64)));
    shared *s = map_shared();
    pid_t pid = start_second(s, pin, piece_producer_side, warm_bytes + bytes);
    uint64_t bad = 0, t0 = 0, slot = 0;
    uint32_t used = 0; /* bytes of the current slot already copied out */
    bool ok = true;
    for (uint64_t off = 0; off < warm_bytes + bytes && ok; off += BT_CHUNK) {
        if (off == warm_bytes)
            t0 = bt_now_ns();
        for (uint32_t got = 0; got < BT_CHUNK;) {
            wait_at_least(&s->head, slot + 1);
            const uint8_t *p = s->ring + (slot % SLOTS) * BT_SLOT;
            uint32_t header[4];
            memcpy(header, p, sizeof header);
            if (header[3] == 0 || header[3] > BT_PIECE || used >= header[3]) {
                fprintf(stderr, "copy pieces: slot %llu says %u bytes\n", (unsigned long long)slot, header[3]);
                ok = false;
                break;
            }
            uint32_t n = header[3] - used < BT_CHUNK - got ? header[3] - used : BT_CHUNK - got;
            memcpy(buf + got, p + BT_HEADER + used, n);
            got += n;
            used += n;
            if (used == header[3]) {
                ++slot;
                used = 0;
            }
        }
        __atomic_store_n(&s->tail, slot, __ATOMIC_RELEASE);
        bad += bt_check(buf, off, BT_CHUNK);
    }
    *seconds = (double)(bt_now_ns() - t0) / 1e9;
    if (!ok)
        kill(pid, SIGKILL);
    ok = join_second(pid) && ok;
    if (bad) {
        fprintf(stderr, "copy pieces: %llu words differ from the pattern\n", (unsigned long long)bad);
        ok = false;
    }
    munmap(s, sizeof *s);
    return ok;
}

/*
 * main.c - the two-core benchmark: duet between two processes on the emulated board
 * (ports/posix), each on a CPU of its own, next to the bare shared-memory limits of the same
 * machine (baseline.c). This program is the M7 (pinned to CPU 0); duet_begin boots the M4
 * program (m4.c, pinned to CPU 1) from a board made for the run in $TMPDIR. Each case is one
 * process: duet keeps one static instance per process, and the M4 boots once per board.
 *
 *   bench_two_core pingpong futex|spin [N]   bare ping-pong of a flag between two processes:
 *                                            N round trips (after a warm-up), futex wake-ups
 *                                            or spinning
 *   bench_two_core rtt block|adaptive [N]    N duet_call("add", "ii:i", 1, 2) from the M7 to
 *                                            the M4 (after a warm-up), DUET_WAIT=block|adaptive
 *                                            on both cores
 *   bench_two_core copy [MIB]                MIB MiB through a bare 64 KiB SPSC ring, spinning
 *   bench_two_core pieces [MIB]              the same, the ring cut as RPMsg cuts a stream: 512-byte
 *                                            slots of a 16-byte header and up to 496 bytes,
 *                                            a chunk's slots staged and copied at once
 *   bench_two_core stream block|adaptive [MIB]
 *                                            MIB MiB M4 -> M7 over the duet stream: duet_write
 *                                            of 4 KiB chunks on the M4, duet_stream_read_bytes
 *                                            on the M7, DUET_WAIT=block|adaptive
 *   bench_two_core check                     every case briefly (a forked process each), with
 *                                            all checks; pins only if the machine has CPU 1
 *
 * Output, one `key value` per line: the latency cases print median_us, p99_us (and mean_us,
 * min_us, p90_us, max_us: microseconds per round trip); the throughput cases mb_per_s
 * (MB = 10^6 bytes, of the measured bytes only). The duet cases also print, on stderr, what
 * each side's doorbell and RPMsg layer did (the M4 at quit), for "where does the time go".
 *
 * Timing: CLOCK_MONOTONIC. A round trip is the time between two consecutive clock readings
 * of the loop (one reading per round trip), so the loop's own cost is in every sample, the
 * same for the baseline and for duet. A throughput starts when the warm-up bytes have been
 * read and checked, and ends when the last byte has.
 *
 * Keeping it honest: every add(1, 2) result must be 3 (the arguments come from volatile
 * variables); every stream byte is checked against a pattern that depends on its position
 * (bench_two_core.h), on the reading side, after it came through; the baseline ping-pong
 * checks the counts both ways; the M4 must exit with status 0. Any failure: exit status 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_two_core.h"
#include "bench_two_core_m7.h"
#include "duet/duet.h"
#include "duet/posix/board.h"

#ifndef BT_M4_PROGRAM
#error "BT_M4_PROGRAM must name the M4 program (m4.c)"
#endif

#define DEFAULT_ROUND_TRIPS 20000u
#define WARM_ROUND_TRIPS 2000u
#define DEFAULT_MIB 64u
#define WARM_MIB 8u
/* A duet case that takes longer than this has failed. */
#define DEADLINE_NS (120ull * 1000000000ull)

static bool pin = true;

_Noreturn static void die(const char *what)
{
    fprintf(stderr, "bench_two_core: %s\n", what);
    exit(1);
}

/* ------------------------------------------------------------ statistics */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The p-th percentile (0 < p <= 100) of n sorted samples: the nearest-rank definition. */
static double percentile(const double *sorted, unsigned n, unsigned p)
{
    uint64_t rank = ((uint64_t)p * n + 99) / 100;
    return sorted[rank ? rank - 1 : 0];
}

static void print_latency(double *samples, unsigned n)
{
    qsort(samples, n, sizeof *samples, cmp_double);
    double sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += samples[i];
    double median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
    printf("round_trips %u\n", n);
    printf("median_us %.3f\n", median);
    printf("p99_us %.3f\n", percentile(samples, n, 99));
    printf("mean_us %.3f\n", sum / n);
    printf("min_us %.3f\n", samples[0]);
    printf("p90_us %.3f\n", percentile(samples, n, 90));
    printf("max_us %.3f\n", samples[n - 1]);
}

static double *alloc_samples(unsigned n)
{
    double *s = calloc(n, sizeof *s);
    if (!s)
        die("out of memory");
    return s;
}

/* ------------------------------------------------------------ the board */

static char tmp_dir[512];
static char board_dir[600];

static int remove_one(const char *path, const struct stat *s, int flag, struct FTW *ftw)
{
    (void)s;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Stops an M4 left running and removes the board (atexit). */
static void remove_board(void)
{
    if (!tmp_dir[0])
        return;
    duet_posix_board_reset(board_dir);
    nftw(tmp_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    tmp_dir[0] = '\0';
}

/* A fresh board with the M4 program at 0x08100000, and this process's environment set up as
 * the M7's (which the board passes on to the M4). */
static void make_board(const char *wait_mode)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/duet_bench_two_core_XXXXXX", t && t[0] ? t : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        tmp_dir[0] = '\0';
        die("cannot make a temporary directory");
    }
    atexit(remove_board);
    snprintf(board_dir, sizeof board_dir, "%s/board", tmp_dir);
    if (duet_posix_board_create(board_dir) != DUET_OK ||
        duet_posix_board_upload(board_dir, DUET_POSIX_BOOT_1MB, BT_M4_PROGRAM) != DUET_OK) {
        fprintf(stderr, "bench_two_core: board: %s\n", duet_posix_board_error_text());
        exit(1);
    }
    setenv("DUET_BOARD", board_dir, 1);
    setenv("DUET_CORE", "m7", 1);
    setenv("DUET_WAIT", wait_mode, 1);
    unsetenv("DUET_BOOT_ADDRESS");
    if (pin)
        setenv(BT_PIN_ENV, "1", 1);
    else
        unsetenv(BT_PIN_ENV);
}

/* Boots the M4 and waits for the handshake. */
static duet_port *begin_m7(const char *wait_mode)
{
    if (pin && bt_pin(BT_CPU_M7) != 0) {
        perror("bench_two_core: sched_setaffinity(CPU 0)");
        exit(1);
    }
    make_board(wait_mode);
    if (!duet_begin()) {
        fprintf(stderr, "bench_two_core: duet_begin: %s\n", duet_error_text());
        exit(1);
    }
    return duet_port_default();
}

/* Tells the M4 to quit and collects its exit status; true if it is 0. */
static bool end_m7(duet_port *port)
{
    bool ok = true;
    if (duet_call("quit", ":") != DUET_OK) {
        fprintf(stderr, "bench_two_core: quit: %s\n", duet_error_text());
        ok = false;
    }
    int status = duet_posix_port_m4_join(port, 5000);
    if (status != 0) {
        fprintf(stderr, "bench_two_core: the M4 ended with %d\n", status);
        ok = false;
    }
    duet_end();
    remove_board();
    return ok;
}

static void mark(void)
{
    if (duet_call("mark", ":") != DUET_OK) {
        fprintf(stderr, "bench_two_core: mark: %s\n", duet_error_text());
        exit(1);
    }
}

/* What this side's doorbell and RPMsg layer did between two snapshots, per unit (a round
 * trip or a received message) when units > 0. */
static void report_m7(const duet_posix_port_stats *p0, const duet_posix_port_stats *p1, const duet_rpmsg_stats *r0,
                      const duet_rpmsg_stats *r1, const char *unit, uint32_t units)
{
    double u = units ? units : 1;
    fprintf(stderr,
            "M7 per %s: doorbell rings %.2f (futex wakes %.2f), waits %.2f (pending %.2f, spun %.2f, slept %.2f, "
            "timeouts %.2f); rpmsg rx %.2f, tx %.2f, buffer waits %.2f, held %.2f\n",
            unit, (p1->rings - p0->rings) / u, (p1->wakes - p0->wakes) / u, (p1->waits - p0->waits) / u,
            (p1->pending - p0->pending) / u, (p1->spun - p0->spun) / u, (p1->slept - p0->slept) / u,
            (p1->timeouts - p0->timeouts) / u, (r1->rx_msgs - r0->rx_msgs) / u, (r1->tx_msgs - r0->tx_msgs) / u,
            (r1->buffer_waits - r0->buffer_waits) / u, (r1->held - r0->held) / u);
}

/* ------------------------------------------------------------ cases */

static bool wait_mode_ok(const char *mode)
{
    return strcmp(mode, "block") == 0 || strcmp(mode, "adaptive") == 0;
}

static int run_pingpong(const char *kind, unsigned n)
{
    bool spin = strcmp(kind, "spin") == 0;
    if (!spin && strcmp(kind, "futex") != 0)
        die("pingpong: futex or spin");
    if (pin && bt_pin(BT_CPU_M7) != 0) {
        perror("bench_two_core: sched_setaffinity(CPU 0)");
        return 1;
    }
    double *samples = alloc_samples(n);
    bool ok = bt_pingpong(spin, pin, n < WARM_ROUND_TRIPS ? n : WARM_ROUND_TRIPS, n, samples);
    if (ok)
        print_latency(samples, n);
    free(samples);
    return ok ? 0 : 1;
}

/* The arguments of add: volatile, so the compiler cannot know them. */
static volatile int32_t add_a = 1, add_b = 2;

/* One add(1, 2) round trip; false (with a message) if it failed or did not give 3. */
static bool call_add(void)
{
    int32_t sum = -1;
    int err = duet_call("add", "ii:i", add_a, add_b, &sum);
    if (err != DUET_OK || sum != 3) {
        fprintf(stderr, "bench_two_core: add(1, 2): %s, %" PRId32 "\n", err ? duet_error_text() : "ok", sum);
        return false;
    }
    return true;
}

static int run_rtt(const char *mode, unsigned n)
{
    if (!wait_mode_ok(mode))
        die("rtt: block or adaptive");
    duet_port *port = begin_m7(mode);
    double *samples = alloc_samples(n);
    bool ok = true;
    unsigned warm = n < WARM_ROUND_TRIPS ? n : WARM_ROUND_TRIPS;
    for (unsigned i = 0; i < warm && ok; i++)
        ok = call_add();
    mark();
    duet_posix_port_stats p0 = duet_posix_port_get_stats(port);
    duet_rpmsg_stats r0 = duet_rpmsg_get_stats(duet_rpmsg_instance());
    uint64_t t = bt_now_ns();
    for (unsigned i = 0; i < n && ok; i++) {
        ok = call_add();
        uint64_t t1 = bt_now_ns();
        samples[i] = (double)(t1 - t) / 1e3;
        t = t1;
    }
    duet_posix_port_stats p1 = duet_posix_port_get_stats(port);
    duet_rpmsg_stats r1 = duet_rpmsg_get_stats(duet_rpmsg_instance());
    report_m7(&p0, &p1, &r0, &r1, "round trip", n);
    fflush(stderr);
    ok = end_m7(port) && ok;
    if (ok)
        print_latency(samples, n);
    free(samples);
    return ok ? 0 : 1;
}

static void print_rate(uint64_t bytes, double seconds)
{
    printf("bytes %" PRIu64 "\n", bytes);
    printf("seconds %.6f\n", seconds);
    printf("mb_per_s %.1f\n", (double)bytes / seconds / 1e6);
}

/* copy (pieces false) or pieces (true): MIB MiB through the bare ring. */
static int run_copy(bool pieces, unsigned mib)
{
    if (pin && bt_pin(BT_CPU_M7) != 0) {
        perror("bench_two_core: sched_setaffinity(CPU 0)");
        return 1;
    }
    uint64_t bytes = (uint64_t)mib << 20, warm = (uint64_t)(mib < WARM_MIB ? mib : WARM_MIB) << 20;
    double seconds;
    if (!(pieces ? bt_copy_pieces : bt_copy)(pin, warm, bytes, &seconds))
        return 1;
    print_rate(bytes, seconds);
    return 0;
}

static int run_stream(const char *mode, unsigned mib)
{
    if (!wait_mode_ok(mode))
        die("stream: block or adaptive");
    uint64_t bytes = (uint64_t)mib << 20, warm = (uint64_t)(mib < WARM_MIB ? mib : WARM_MIB) << 20;
    uint64_t total = warm + bytes;
    if (total > UINT32_MAX)
        die("stream: too many bytes");
    duet_port *port = begin_m7(mode);
    duet_stream *s = duet_stream_instance();
    static uint8_t buf[BT_CHUNK] __attribute__((aligned(64)));
    mark();
    duet_posix_port_stats p0 = duet_posix_port_get_stats(port);
    duet_rpmsg_stats r0 = duet_rpmsg_get_stats(duet_rpmsg_instance());
    if (duet_call("stream", "u:", (uint32_t)total) != DUET_OK) {
        fprintf(stderr, "bench_two_core: stream: %s\n", duet_error_text());
        exit(1);
    }
    uint64_t got = 0, bad = 0, start = bt_now_ns(), t0 = start;
    size_t fill = 0;
    bool ok = true;
    while (got < total) {
        size_t k = duet_stream_read_bytes(s, buf + fill, BT_CHUNK - fill);
        if (k == 0) {
            /* read_bytes polled and found nothing: sleep (or spin) until the doorbell rings. */
            port->wait(port, 100);
            if (bt_now_ns() - start > DEADLINE_NS) {
                fprintf(stderr, "bench_two_core: stream: %" PRIu64 " of %" PRIu64 " bytes after %llu s (%s)\n", got,
                        total, DEADLINE_NS / 1000000000ull, duet_poll() < 0 ? duet_error_text() : "link up");
                ok = false;
                break;
            }
            continue;
        }
        fill += k;
        if (fill == BT_CHUNK) {
            bad += bt_check(buf, got, BT_CHUNK);
            got += BT_CHUNK;
            fill = 0;
            if (got == warm)
                t0 = bt_now_ns();
        }
    }
    double seconds = (double)(bt_now_ns() - t0) / 1e9;
    duet_posix_port_stats p1 = duet_posix_port_get_stats(port);
    duet_rpmsg_stats r1 = duet_rpmsg_get_stats(duet_rpmsg_instance());
    report_m7(&p0, &p1, &r0, &r1, "received message", r1.rx_msgs - r0.rx_msgs);
    fflush(stderr);
    if (bad) {
        fprintf(stderr, "bench_two_core: stream: %" PRIu64 " words differ from the pattern\n", bad);
        ok = false;
    }
    if (duet_stream_dropped(s)) {
        fprintf(stderr, "bench_two_core: stream: %" PRIu32 " bytes dropped\n", duet_stream_dropped(s));
        ok = false;
    }
    ok = end_m7(port) && ok;
    if (ok)
        print_rate(bytes, seconds);
    return ok ? 0 : 1;
}

/* ------------------------------------------------------------ check */

typedef int (*case_fn)(const char *arg, unsigned n);

static int case_pingpong(const char *arg, unsigned n) { return run_pingpong(arg, n); }
static int case_rtt(const char *arg, unsigned n) { return run_rtt(arg, n); }
static int case_copy(const char *arg, unsigned n) { return run_copy(strcmp(arg, "pieces") == 0, n); }
static int case_stream(const char *arg, unsigned n) { return run_stream(arg, n); }

/* Runs one case in a forked process (a fresh duet instance); true if it exited with 0. */
static bool check_case(const char *name, case_fn fn, const char *arg, unsigned n)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(1);
        exit(fn(arg, n));
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("check %s %s: %s\n", name, arg, ok ? "ok" : "FAILED");
    return ok;
}

static int run_check(void)
{
    cpu_set_t set;
    pin = sched_getaffinity(0, sizeof set, &set) == 0 && CPU_ISSET(BT_CPU_M7, &set) && CPU_ISSET(BT_CPU_M4, &set);
    bool ok = true;
    ok &= check_case("pingpong", case_pingpong, "futex", 300);
    ok &= check_case("pingpong", case_pingpong, "spin", 300);
    ok &= check_case("rtt", case_rtt, "block", 300);
    ok &= check_case("rtt", case_rtt, "adaptive", 300);
    ok &= check_case("copy", case_copy, "-", 2);
    ok &= check_case("copy", case_copy, "pieces", 2);
    ok &= check_case("stream", case_stream, "block", 2);
    ok &= check_case("stream", case_stream, "adaptive", 2);
    return ok ? 0 : 1;
}

/* ------------------------------------------------------------ main */

static unsigned count_arg(int argc, char **argv, int i, unsigned dflt)
{
    if (argc <= i)
        return dflt;
    char *end;
    errno = 0;
    unsigned long v = strtoul(argv[i], &end, 10);
    if (errno || *end || v == 0 || v > 100000000ul)
        die("counts must be positive integers");
    return (unsigned)v;
}

int main(int argc, char **argv)
{
    const char *usage = "usage: bench_two_core pingpong futex|spin [N] | rtt block|adaptive [N] | copy [MIB] | pieces [MIB] | "
                        "stream block|adaptive [MIB] | check";
    if (argc < 2)
        die(usage);
    const char *c = argv[1];
    if (strcmp(c, "pingpong") == 0 && argc >= 3)
        return run_pingpong(argv[2], count_arg(argc, argv, 3, DEFAULT_ROUND_TRIPS));
    if (strcmp(c, "rtt") == 0 && argc >= 3)
        return run_rtt(argv[2], count_arg(argc, argv, 3, DEFAULT_ROUND_TRIPS));
    if (strcmp(c, "copy") == 0)
        return run_copy(false, count_arg(argc, argv, 2, DEFAULT_MIB));
    if (strcmp(c, "pieces") == 0)
        return run_copy(true, count_arg(argc, argv, 2, DEFAULT_MIB));
    if (strcmp(c, "stream") == 0 && argc >= 3)
        return run_stream(argv[2], count_arg(argc, argv, 3, DEFAULT_MIB));
    if (strcmp(c, "check") == 0)
        return run_check();
    die(usage);
}

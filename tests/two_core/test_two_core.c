/* test_two_core.c - duet between two processes on the emulated board (ports/posix): this
 * program plays the M7, the M4 programs (m4_program.c, m4_hostile.c) are uploaded to the
 * board's flash and booted by duet_begin.
 *
 * duet.c keeps one static instance per process, so every scenario runs in a forked child that
 * plays the M7 on a fresh board (a temporary directory, removed afterwards): it sets
 * DUET_BOARD, DUET_CORE=m7 and the scenario's name in its environment (which the board passes
 * to the M4), runs the scenario with counting checks (TC_CHECK: no cmocka in the child), joins
 * the M4 and exits with 0 only if every check on both sides passed. The cmocka test in the
 * parent asserts that status, within a deadline.
 *
 *   boot      duet_begin on both sides, cpu ids 3 and 1, the M4's first line on the stream
 *   calls     calls both ways, 8 async calls in flight (a 9th refused), notifications counted
 *   nested    M4 -> M7.f -> M4.g -> M7.h, and M7 -> M4.f2 -> M7.g2 -> M4.h2
 *   stream    10 MiB M4 -> slow M7 reader, every byte in order, none dropped; drop mode
 *   kill      the M4 killed (SIGKILL) inside a call: the call times out, the M7 goes on
 *   sizes     496/497 bytes against an M4 without fragments; 1024/1025 and a 900-byte bin
 *             between two duet cores; 64 KiB with duet_rpmsg_* directly
 *   hostile   an M4 that writes garbage into the rings, an M7 that writes bad tables
 *   threads   three threads on each core call the other core at once while each core's
 *             main thread serves in delay() (under ThreadSanitizer: test_two_core_tsan)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "duet/board.h"
#include "duet/duet.h"
#include "duet/posix/board.h"
#include "two_core.h"

#ifndef TC_M4_PROGRAM
#error "TC_M4_PROGRAM must name the M4 program (m4_program.c)"
#endif
#ifndef TC_HOSTILE_M4_PROGRAM
#error "TC_HOSTILE_M4_PROGRAM must name the hostile M4 program (m4_hostile.c)"
#endif

int tc_fails;
const char *tc_who = "M7";

/* ------------------------------------------------------------ fixture (parent) */

typedef struct fixture {
    char tmp[256];
    char board[300];
} fixture;

static int board_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *t = getenv("TMPDIR");
    snprintf(f->tmp, sizeof f->tmp, "%s/duet_two_core_XXXXXX", t && t[0] ? t : "/tmp");
    if (!mkdtemp(f->tmp)) {
        free(f);
        return -1;
    }
    snprintf(f->board, sizeof f->board, "%s/board", f->tmp);
    if (duet_posix_board_create(f->board) != DUET_OK) {
        fprintf(stderr, "board_create: %s\n", duet_posix_board_error_text());
        rmdir(f->tmp);
        free(f);
        return -1;
    }
    setenv("DUET_WAIT", "block", 1);
    unsetenv("DUET_BOOT_ADDRESS");
    *state = f;
    return 0;
}

static int remove_one(const char *path, const struct stat *s, int flag, struct FTW *ftw)
{
    (void)s;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int board_teardown(void **state)
{
    fixture *f = *state;
    duet_posix_board_reset(f->board); /* stops an M4 that a failed scenario left running */
    nftw(f->tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static void upload(const fixture *f, const char *program)
{
    int err = duet_posix_board_upload(f->board, DUET_POSIX_BOOT_1MB, program);
    if (err)
        fprintf(stderr, "upload: %s\n", duet_posix_board_error_text());
    assert_int_equal(err, DUET_OK);
}

/* A scenario: runs in the child that plays the M7; counts failures in tc_fails. */
typedef void (*m7_scenario)(const fixture *f, const char *variant);

/*
 * Forks the M7: it runs fn with the scenario (and variant) in its environment and exits with
 * 0 if no check failed. Returns its exit status, 128 + n if signal n ended it, or -1 if it
 * outlived timeout_s (it is killed then).
 */
static int run_m7(const fixture *f, const char *scenario, const char *variant, m7_scenario fn, unsigned timeout_s)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -2;
    if (pid == 0) {
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        setenv("DUET_BOARD", f->board, 1);
        setenv("DUET_CORE", "m7", 1);
        setenv(TC_SCENARIO_ENV, scenario, 1);
        if (variant)
            setenv(TC_VARIANT_ENV, variant, 1);
        else
            unsetenv(TC_VARIANT_ENV);
        tc_fails = 0;
        fn(f, variant);
        if (tc_fails)
            fprintf(stderr, "M7 %s%s%s: %d check(s) failed\n", scenario, variant ? "/" : "", variant ? variant : "",
                    tc_fails);
        fflush(NULL);
        exit(tc_fails ? 1 : 0);
    }
    uint32_t start = tc_now_ms();
    for (;;) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (r < 0 && errno != EINTR)
            return -2;
        if (tc_now_ms() - start > timeout_s * 1000u * TC_SLOW) {
            fprintf(stderr, "M7 %s: still running after %u s: killed\n", scenario, timeout_s * TC_SLOW);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        tc_sleep_ms(5);
    }
}

/* ------------------------------------------------------------ helpers of the M7 (child) */

static duet_port *m7_port(void)
{
    return duet_port_default();
}

/* Polls (serving the M4) until *flag is set; false on a link error or after ms. */
static bool poll_for(volatile int *flag, uint32_t ms)
{
    uint32_t start = tc_now_ms();
    while (!*flag) {
        int n = duet_poll();
        if (n < 0) {
            fprintf(stderr, "M7: duet_poll: %s\n", duet_error_text());
            return false;
        }
        if (tc_now_ms() - start >= ms)
            return false;
        if (n == 0)
            m7_port()->wait(m7_port(), 20);
    }
    return true;
}

static volatile int m4_done_flag;
static int m4_done_fails = -1;

/* Whichever thread of the M7 polls runs it (the threads scenario): the flag is set
 * atomically, after the count. */
static int on_m4_done(duet_req *c)
{
    __atomic_store_n(&m4_done_fails, duet_arg_int(c, 0), __ATOMIC_RELAXED);
    __atomic_store_n(&m4_done_flag, 1, __ATOMIC_RELEASE);
    return DUET_OK;
}

/* Binds m4_done and starts duet; false (reported) if duet_begin fails. */
static bool begin_m7(void)
{
    TC_CHECK_EQ(duet_bind("m4_done", "i:", on_m4_done), DUET_OK);
    if (duet_begin() != 1) {
        fprintf(stderr, "M7: duet_begin: %s\n", duet_error_text());
        tc_fail();
        return false;
    }
    return true;
}

/* Waits for the M4's own verdict (m4_done), which must be 0 failures. */
static void wait_m4_done(void)
{
    TC_CHECK(poll_for(&m4_done_flag, 20000 * TC_SLOW));
    TC_CHECK_EQ(m4_done_fails, 0);
}

/* Joins the M4 (it must end with status want) */
static void join_m4(int want)
{
    int status = duet_posix_port_m4_join(m7_port(), 10000 * TC_SLOW);
    if (status < 0)
        fprintf(stderr, "M7: m4_join: %s\n", duet_posix_board_error_text());
    TC_CHECK_EQ(status, want);
}

/* Ends a scenario: the M4 is told to quit and must end with status 0. */
static void finish_m7(void)
{
    int err = duet_call("quit", ":");
    if (err)
        fprintf(stderr, "M7: quit: %s\n", duet_error_text());
    TC_CHECK_EQ(err, DUET_OK);
    join_m4(0);
}

/* Reads the stream up to and with a '\n' (or ms pass). */
static bool read_line(char *buf, size_t cap, uint32_t ms)
{
    size_t n = 0;
    uint32_t start = tc_now_ms();
    buf[0] = '\0';
    while (tc_now_ms() - start < ms) {
        int p = duet_poll();
        if (p < 0)
            return false;
        int c;
        while (n + 1 < cap && (c = duet_read()) >= 0) {
            buf[n++] = (char)c;
            buf[n] = '\0';
            if (c == '\n')
                return true;
        }
        if (p == 0)
            m7_port()->wait(m7_port(), 20);
    }
    return false;
}

/* Reads exactly n bytes of the stream into buf (or fewer if ms pass); returns how many. */
static size_t read_exact(uint8_t *buf, size_t n, uint32_t ms)
{
    size_t got = 0;
    uint32_t start = tc_now_ms();
    while (got < n && tc_now_ms() - start < ms) {
        size_t k = duet_stream_read_bytes(duet_stream_instance(), buf + got, n - got);
        got += k;
        if (k == 0) {
            if (duet_poll() < 0)
                break;
            m7_port()->wait(m7_port(), 10);
        }
    }
    return got;
}

/* ------------------------------------------------------------ 1. boot + handshake */

static volatile int hello_seen;
static int hello_begun = -1, hello_cpu = -1;

static int on_hello(duet_req *c)
{
    hello_begun = duet_arg_int(c, 0);
    hello_cpu = duet_arg_int(c, 1);
    hello_seen = 1;
    return duet_return_int(c, duet_cpu_id());
}

static void m7_boot(const fixture *f, const char *variant)
{
    (void)variant;
    TC_CHECK_EQ(duet_cpu_id(), DUET_CPU_M7); /* from the default port, before begin */
    TC_CHECK_EQ(duet_poll(), DUET_ERR_STATE);
    TC_CHECK_EQ(duet_bind("hello", "ii:i", on_hello), DUET_OK);
    TC_CHECK_EQ(duet_posix_board_m4_pid(f->board), 0);
    if (!begin_m7())
        return;
    TC_CHECK_EQ(duet_cpu_id(), DUET_CPU_M7);
    TC_CHECK(duet_posix_board_m4_pid(f->board) > 0);
    duet_posix_control *ctl = duet_posix_port_control(m7_port());
    TC_CHECK(ctl != NULL && ctl->m4_address == DUET_POSIX_BOOT_1MB && ctl->m7_pid == getpid());
    TC_CHECK_EQ(duet_begin(), 1); /* once begun, begin again is a no-op */

    TC_CHECK(poll_for(&hello_seen, 10000 * TC_SLOW));
    TC_CHECK_EQ(hello_begun, 1);
    TC_CHECK_EQ(hello_cpu, DUET_CPU_M4);
    char line[64];
    TC_CHECK(read_line(line, sizeof line, 10000 * TC_SLOW));
    TC_CHECK(strcmp(line, "M4 cpu 1\r\n") == 0);
    finish_m7();
}

/* ------------------------------------------------------------ 2. calls both ways */

static int tick_count, tick_sum;

static int on_add(duet_req *c)
{
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

static int on_tick(duet_req *c)
{
    TC_CHECK(duet_req_is_notification(c));
    tick_count++;
    tick_sum += duet_arg_int(c, 0);
    return DUET_OK;
}

static int on_ticks(duet_req *c) { return duet_return_int(c, tick_count); }
static int on_tick_sum(duet_req *c) { return duet_return_int(c, tick_sum); }

static void m7_calls(const fixture *f, const char *variant)
{
    (void)f;
    (void)variant;
    TC_CHECK_EQ(duet_bind("add", "ii:i", on_add), DUET_OK);
    TC_CHECK_EQ(duet_bind("tick", "i:", on_tick), DUET_OK);
    TC_CHECK_EQ(duet_bind("ticks", ":i", on_ticks), DUET_OK);
    TC_CHECK_EQ(duet_bind("tick_sum", ":i", on_tick_sum), DUET_OK);
    if (!begin_m7())
        return;
    duet_rpc *rpc = duet_rpc_instance();

    /* The M4 calls add meanwhile: both engines serve while they wait. */
    for (int32_t i = -20; i <= 20; i++) {
        int32_t p = 0;
        TC_CHECK_EQ(duet_call("mul", "ii:i", i, -3, &p), DUET_OK);
        TC_CHECK_EQ(p, -3 * i);
    }

    /* Eight in flight, a ninth refused; waited for in reverse order. */
    duet_future fut[DUET_RPC_MAX_INFLIGHT], extra;
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        TC_CHECK_EQ(duet_call_async(&fut[i], "mul", "ii:i", i + 1, 100), DUET_OK);
    TC_CHECK_EQ(duet_call_async(&extra, "mul", "ii:i", 1, 1), DUET_ERR_FULL);
    for (int i = DUET_RPC_MAX_INFLIGHT - 1; i >= 0; i--) {
        int32_t p = -1;
        TC_CHECK_EQ(duet_future_wait(rpc, &fut[i], 3000 * TC_SLOW, &p), DUET_OK);
        TC_CHECK_EQ(p, (i + 1) * 100);
    }
    /* Again, polled until all eight are there, then taken. */
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        TC_CHECK_EQ(duet_call_async(&fut[i], "mul", "ii:i", i, i), DUET_OK);
    uint32_t start = tc_now_ms();
    for (int ready = 0; ready < DUET_RPC_MAX_INFLIGHT && tc_now_ms() - start < 5000u * TC_SLOW;) {
        ready = 0;
        for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
            ready += duet_future_poll(rpc, &fut[i]) == DUET_OK;
        if (ready < DUET_RPC_MAX_INFLIGHT)
            m7_port()->wait(m7_port(), 10);
    }
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++) {
        TC_CHECK_EQ(duet_future_poll(rpc, &fut[i]), DUET_OK);
        int32_t p = -1;
        TC_CHECK_EQ(duet_future_wait(rpc, &fut[i], 0, &p), DUET_OK);
        TC_CHECK_EQ(p, i * i);
    }

    /* Notifications, counted by the M4's handler, read back by a later call. */
    for (int i = 0; i < 50; i++)
        TC_CHECK_EQ(duet_notify("tock", "i:", i), DUET_OK);
    int32_t n = 0, s = 0;
    TC_CHECK_EQ(duet_call("tocks", ":i", &n), DUET_OK);
    TC_CHECK_EQ(n, 50);
    TC_CHECK_EQ(duet_call("tock_sum", ":i", &s), DUET_OK);
    TC_CHECK_EQ(s, 49 * 50 / 2);

    /* The M4 checks arguments against the signature it bound. */
    int32_t p = 0;
    TC_CHECK_EQ(duet_call("mul", "si:i", "six", 7, &p), DUET_ERR_REMOTE);
    TC_CHECK_STR(duet_error_text(), "mul");
    TC_CHECK_EQ(duet_call("mul", "i:i", 6, &p), DUET_ERR_REMOTE);

    wait_m4_done();
    TC_CHECK_EQ(tick_count, 100);
    TC_CHECK_EQ(tick_sum, 5050);
    TC_CHECK_EQ(duet_rpc_get_stats(rpc).malformed, 0);
    TC_CHECK_EQ(duet_rpc_get_stats(rpc).late_responses, 0);
    finish_m7();
}

/* ------------------------------------------------------------ 3. nested calls */

static int h_calls;

/* f(v) = g(v + 1) - 7, g on the M4 (which calls h here). */
static int on_f(duet_req *c)
{
    int32_t r = 0;
    int err = duet_call("g", "i:i", duet_arg_int(c, 0) + 1, &r);
    if (err)
        return duet_req_fail(c, err, "f: the call of g failed");
    return duet_return_int(c, r - 7);
}

static int on_h(duet_req *c)
{
    h_calls++;
    return duet_return_int(c, 3 * duet_arg_int(c, 0));
}

/* g2(v) = h2(2 v) + 5, h2 on the M4. */
static int on_g2(duet_req *c)
{
    int32_t r = 0;
    int err = duet_call("h2", "i:i", 2 * duet_arg_int(c, 0), &r);
    if (err)
        return duet_req_fail(c, err, "g2: the call of h2 failed");
    return duet_return_int(c, r + 5);
}

static void m7_nested(const fixture *f, const char *variant)
{
    (void)f;
    (void)variant;
    TC_CHECK_EQ(duet_bind("f", "i:i", on_f), DUET_OK);
    TC_CHECK_EQ(duet_bind("h", "i:i", on_h), DUET_OK);
    TC_CHECK_EQ(duet_bind("g2", "i:i", on_g2), DUET_OK);
    if (!begin_m7())
        return;
    /* The M4 calls f for four values and checks 6 v + 4. */
    wait_m4_done();
    TC_CHECK_EQ(h_calls, 4);
    static const int32_t vs[] = {10, -4, 1000, 0, 7};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        int32_t r = 0;
        TC_CHECK_EQ(duet_call("f2", "i:i", vs[i], &r), DUET_OK);
        TC_CHECK_EQ(r, TC_NESTED(vs[i]));
    }
    int32_t n = 0;
    TC_CHECK_EQ(duet_call("h2_calls", ":i", &n), DUET_OK);
    TC_CHECK_EQ(n, 5);

    /* Both at once: the M4 calls f (-> g -> h) while this side calls f2 (-> g2 -> h2), so
     * each side serves the other's nested calls while its own wait. */
    m4_done_flag = 0;
    m4_done_fails = -1;
    TC_CHECK_EQ(duet_notify("race", ":"), DUET_OK);
    for (int32_t v = 0; v < TC_RACE_CALLS; v++) {
        int32_t r = 0;
        int err = duet_call("f2", "i:i", 100 + v, &r);
        if (err)
            fprintf(stderr, "M7 nested race: f2(%d): %s\n", (int)(100 + v), duet_error_text());
        TC_CHECK_EQ(err, DUET_OK);
        TC_CHECK_EQ(r, TC_NESTED(100 + v));
    }
    wait_m4_done();
    TC_CHECK_EQ(h_calls, 4 + TC_RACE_CALLS);
    TC_CHECK_EQ(duet_call("h2_calls", ":i", &n), DUET_OK);
    TC_CHECK_EQ(n, 5 + TC_RACE_CALLS);
    finish_m7();
}

/* ------------------------------------------------------------ 4. the stream */

static volatile int stream_done;
static uint32_t stream_done_bytes, stream_done_waits;
static int stream_done_err = 1;

static int on_stream_done(duet_req *c)
{
    stream_done_bytes = duet_arg_uint(c, 0);
    stream_done_err = duet_arg_int(c, 1);
    stream_done_waits = duet_arg_uint(c, 2);
    stream_done = 1;
    return DUET_OK;
}

static void m7_stream(const fixture *f, const char *variant)
{
    (void)f;
    (void)variant;
    TC_CHECK_EQ(duet_bind("stream_done", "uiu:", on_stream_done), DUET_OK);
    if (!begin_m7())
        return;
    duet_stream *s = duet_stream_instance();

    /* 10 MiB through a slow reader: small reads, a nap every 64 KiB. */
    static uint8_t buf[256];
    uint32_t got = 0, bad = 0, first_bad = 0, naps = 0;
    uint32_t start = tc_now_ms();
    while (got < TC_STREAM_BYTES && tc_now_ms() - start < 40000u * TC_SLOW) {
        size_t n = duet_stream_read_bytes(s, buf, sizeof buf);
        if (n == 0) {
            if (duet_poll() < 0)
                break;
            m7_port()->wait(m7_port(), 10);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            if (buf[i] != tc_pattern(1, got + (uint32_t)i) && bad++ == 0)
                first_bad = got + (uint32_t)i;
        if ((got + n) / 65536u != got / 65536u) {
            usleep(1000);
            naps++;
        }
        got += (uint32_t)n;
    }
    fprintf(stderr, "M7 stream: %u bytes in %u ms (%u naps), %u bad\n", got, tc_now_ms() - start, naps, bad);
    TC_CHECK_EQ(got, TC_STREAM_BYTES);
    TC_CHECK_EQ(bad, 0);
    if (bad)
        fprintf(stderr, "M7 stream: first wrong byte at %u\n", first_bad);
    TC_CHECK_EQ(naps, TC_STREAM_BYTES / 65536u);
    TC_CHECK_EQ(duet_stream_dropped(s), 0);
    TC_CHECK(poll_for(&stream_done, 10000 * TC_SLOW));
    TC_CHECK_EQ(stream_done_bytes, TC_STREAM_BYTES);
    TC_CHECK_EQ(stream_done_err, DUET_OK);
    TC_CHECK_EQ(duet_available(), 0);
    /* The reader was slow: what it had not read waited with the link (in the ring, or held
     * after a read took part of it), and the M4 waited for buffers. */
    uint32_t held = duet_rpmsg_get_stats(duet_rpmsg_instance()).held;
    fprintf(stderr, "M7 stream: %u messages held, the M4 waited for buffers %u times\n", held, stream_done_waits);
    TC_CHECK(stream_done_waits > 0);

    /* Drop mode: the M4 writes a burst while the M7 only polls (inside the call), then the
     * M7 reads what was kept. Kept + dropped is the burst, exactly. */
    duet_stream_set_drop_mode(s, true);
    uint32_t wrote = 0;
    TC_CHECK_EQ(duet_rpc_call_timeout(duet_rpc_instance(), 20000 * TC_SLOW, "burst", "uu:u", TC_BURST_BYTES, 2, &wrote),
                DUET_OK);
    TC_CHECK_EQ(wrote, TC_BURST_BYTES);
    for (int i = 0; i < 5; i++) /* nothing should be left in flight: the reply came after the bytes */
        TC_CHECK(duet_poll() >= 0);
    uint32_t kept = 0, prefix_bad = 0;
    for (size_t n; (n = duet_stream_read_bytes(s, buf, sizeof buf)) > 0; kept += (uint32_t)n)
        for (size_t i = 0; i < n; i++)
            prefix_bad += buf[i] != tc_pattern(2, kept + (uint32_t)i);
    uint32_t dropped = duet_stream_dropped(s);
    fprintf(stderr, "M7 stream: drop mode kept %u, dropped %u of %u\n", kept, dropped, TC_BURST_BYTES);
    TC_CHECK_EQ((uint64_t)kept + dropped, TC_BURST_BYTES);
    TC_CHECK(dropped > 0);
    TC_CHECK_EQ(kept, TC_STREAM_RX); /* the ring was empty: it filled, the rest was dropped */
    TC_CHECK_EQ(prefix_bad, 0);      /* and what it kept is the burst's beginning */

    /* Back to holding the sender: nothing more is dropped. */
    duet_stream_set_drop_mode(s, false);
    TC_CHECK_EQ(duet_call("burst", "uu:u", TC_AFTER_BURST_BYTES, 3, &wrote), DUET_OK);
    TC_CHECK_EQ(wrote, TC_AFTER_BURST_BYTES);
    static uint8_t after[TC_AFTER_BURST_BYTES];
    TC_CHECK_EQ(read_exact(after, sizeof after, 5000 * TC_SLOW), sizeof after);
    for (uint32_t i = 0; i < sizeof after; i++)
        if (after[i] != tc_pattern(3, i)) {
            TC_CHECK_EQ(after[i], tc_pattern(3, i));
            break;
        }
    TC_CHECK_EQ(duet_stream_dropped(s), dropped);
    finish_m7();
}

/* ------------------------------------------------------------ 5. the M4 killed in a call */

static const char *kill_board;
static volatile int napping;
static int nap_pid, kill_rc = -1;

static int on_napping(duet_req *c)
{
    nap_pid = duet_arg_int(c, 0);
    pid_t pid = duet_posix_board_m4_pid(kill_board);
    TC_CHECK_EQ(pid, nap_pid);
    if (pid > 0)
        kill_rc = kill(pid, SIGKILL);
    napping = 1;
    return DUET_OK;
}

static int on_local(duet_req *c) { return duet_return_int(c, 5); }

static void m7_kill(const fixture *f, const char *variant)
{
    (void)variant;
    kill_board = f->board;
    TC_CHECK_EQ(duet_bind("napping", "i:", on_napping), DUET_OK);
    if (!begin_m7())
        return;
    duet_rpc *rpc = duet_rpc_instance();
    TC_CHECK(duet_posix_board_m4_pid(f->board) > 0);

    /* The M4's handler tells us it naps; our handler of that (run inside the waiting call)
     * kills it. The call must end within its timeout. */
    uint32_t t0 = tc_now_ms();
    int err = duet_rpc_call_timeout(rpc, 500, "nap", ":");
    uint32_t took = tc_now_ms() - t0;
    fprintf(stderr, "M7 kill: the call returned %d (%s) after %u ms\n", err, duet_strerror(err), took);
    TC_CHECK(napping);
    TC_CHECK_EQ(kill_rc, 0);
    TC_CHECK(err == DUET_ERR_TIMEOUT || err == DUET_ERR_LINK_DOWN);
    if (err == DUET_ERR_TIMEOUT)
        TC_CHECK(took >= 490);
    TC_CHECK(took < 1500u * TC_SLOW);
    TC_CHECK_EQ(duet_posix_port_m4_join(m7_port(), 3000), 128 + SIGKILL);
    TC_CHECK_EQ(duet_posix_board_m4_pid(f->board), 0);

    /* The M7 goes on: polls, local work, more calls that fail in time. */
    for (int i = 0; i < 20; i++) {
        int n = duet_poll();
        TC_CHECK(n >= 0 || n == DUET_ERR_LINK_DOWN);
    }
    TC_CHECK_EQ(duet_cpu_id(), DUET_CPU_M7);
    TC_CHECK_EQ(duet_bind("local", ":i", on_local), DUET_OK);
    TC_CHECK_EQ(duet_rpc_unbind(rpc, "local"), DUET_OK);
    TC_CHECK_EQ(duet_write("after\n", 6), 6);
    t0 = tc_now_ms();
    err = duet_rpc_call_timeout(rpc, 200, "nap", ":");
    took = tc_now_ms() - t0;
    TC_CHECK(err == DUET_ERR_TIMEOUT || err == DUET_ERR_LINK_DOWN);
    TC_CHECK(took < 1000u * TC_SLOW);
    duet_future fut;
    err = duet_call_async(&fut, "nap", ":");
    TC_CHECK(err == DUET_OK || err == DUET_ERR_LINK_DOWN);
    if (err == DUET_OK) {
        TC_CHECK_EQ(duet_future_wait(rpc, &fut, 100), DUET_ERR_TIMEOUT);
        duet_future_drop(rpc, &fut);
    }
    TC_CHECK(duet_poll() >= 0 || duet_error() == DUET_ERR_LINK_DOWN);

    /* The M4 returns no buffer any more: once they are all gone, stream text waits in the
     * gather buffer. duet_poll "never blocks" (duet.h), and a negative result is an error
     * that duet_error() and duet_error_text() explain. */
    int lines = 0;
    t0 = tc_now_ms();
    while (lines < 100 && duet_stream_error(duet_stream_instance()) == DUET_OK) {
        duet_println("a line the dead M4 never reads");
        lines++;
    }
    fprintf(stderr, "M7 kill: %d lines to the dead M4 until a send failed (%s) after %u ms\n", lines,
            duet_strerror(duet_stream_error(duet_stream_instance())), tc_now_ms() - t0);
    /* The board tells the M7 at once that the M4 is gone: the link is down, with why. */
    TC_CHECK_EQ(duet_stream_error(duet_stream_instance()), DUET_ERR_LINK_DOWN);
    t0 = tc_now_ms();
    int n = duet_poll();
    took = tc_now_ms() - t0;
    fprintf(stderr, "M7 kill: duet_poll %d in %u ms, duet_error %d \"%s\"\n", n, took, duet_error(),
            duet_error_text());
    TC_CHECK(took < 200u * TC_SLOW);
    if (n < 0) {
        TC_CHECK_EQ(duet_error(), n);
        TC_CHECK(strcmp(duet_error_text(), duet_strerror(DUET_OK)) != 0);
    }
}

/* ------------------------------------------------------------ 6. sizes */

static int on_echo(duet_req *c)
{
    uint32_t len = 0;
    const uint8_t *p = duet_arg_bin(c, 0, &len);
    duet_msgpack_write_bin(duet_req_result(c), p, len);
    return DUET_OK;
}

static int on_sum_bin(duet_req *c)
{
    uint32_t len = 0;
    const uint8_t *p = duet_arg_bin(c, 0, &len);
    duet_msgpack_writer *w = duet_req_result(c);
    duet_msgpack_write_array(w, 2);
    duet_msgpack_write_uint(w, len);
    duet_msgpack_write_uint(w, tc_fnv(p, len));
    return duet_msgpack_writer_error(w);
}

/* Against an M4 without fragments (duet_rpmsg_* + the RPC engine, set_fragments(false)). */
static void m7_nofrag(const fixture *f, const char *variant)
{
    (void)f;
    (void)variant;
    TC_CHECK_EQ(duet_bind("echo", "y:y", on_echo), DUET_OK);
    if (!begin_m7())
        return;
    duet_rpc *rpc = duet_rpc_instance();
    TC_CHECK_EQ(rpc->cfg.max_message, TC_PAYLOAD);

    /* The M4 sent 496 bytes on "raw" in one message (and had 497 refused). */
    static uint8_t raw[TC_PAYLOAD + 1];
    TC_CHECK_EQ(read_exact(raw, TC_PAYLOAD, 5000 * TC_SLOW), TC_PAYLOAD);
    for (uint32_t i = 0; i < TC_PAYLOAD; i++)
        if (raw[i] != tc_pattern(3, i)) {
            TC_CHECK_EQ(raw[i], tc_pattern(3, i));
            break;
        }

    /* A request of exactly 496 bytes passes and comes back whole; 497 is refused unsent. */
    TC_CHECK_EQ(tc_echo_exact(rpc, TC_PAYLOAD, 8), 1);
    duet_rpc_stats before = duet_rpc_get_stats(rpc);
    TC_CHECK_EQ(tc_echo_exact(rpc, TC_PAYLOAD + 1, 8), DUET_ERR_TOO_LARGE);
    TC_CHECK_EQ(duet_rpc_get_stats(rpc).msgs_out, before.msgs_out);
    static uint8_t big[600], back[700];
    size_t len = 0;
    TC_CHECK_EQ(duet_call("echo", "y:y", big, sizeof big, back, sizeof back, &len), DUET_ERR_TOO_LARGE);

    wait_m4_done();
    /* Nothing more came on the stream: the 497 bytes were refused whole, not cut. */
    for (int i = 0; i < 5; i++)
        duet_poll();
    TC_CHECK_EQ(duet_available(), 0);
    TC_CHECK_EQ(duet_rpmsg_get_stats(duet_rpmsg_instance()).bad_messages, 0);
    finish_m7();
}

/* Checks a [len, fnv] result against the bytes sent. */
static void check_sum(const uint8_t *res, size_t len, const uint8_t *data, size_t n)
{
    duet_msgpack_reader r;
    uint32_t count = 0, got_len = 0, got_sum = 0;
    duet_msgpack_reader_init(&r, res, len);
    TC_CHECK(duet_msgpack_read_array(&r, &count) && count == 2);
    TC_CHECK(duet_msgpack_read_u32(&r, &got_len) && duet_msgpack_read_u32(&r, &got_sum));
    TC_CHECK_EQ(got_len, n);
    TC_CHECK_EQ(got_sum, tc_fnv(data, n));
}

/* Two duet cores: messages of several buffers, up to DUET_MAX_MESSAGE. */
static void m7_big(const fixture *f, const char *variant)
{
    (void)f;
    (void)variant;
    TC_CHECK_EQ(duet_bind("sum_bin", "y:v", on_sum_bin), DUET_OK);
    TC_CHECK_EQ(duet_bind("echo", "y:y", on_echo), DUET_OK);
    if (!begin_m7())
        return;
    duet_rpc *rpc = duet_rpc_instance();
    TC_CHECK_EQ(rpc->cfg.max_message, TC_MAX_MESSAGE);

    static uint8_t data[TC_MAX_MESSAGE], back[2 * TC_MAX_MESSAGE];
    uint8_t res[32];
    size_t len = 0;
    /* A 900-byte bin arrives whole (two buffers). */
    tc_fill(data, 900, 9, 0);
    TC_CHECK_EQ(duet_call("sum_bin", "y:v", data, (size_t)900, res, sizeof res, &len), DUET_OK);
    check_sum(res, len, data, 900);
    /* A request of exactly DUET_MAX_MESSAGE bytes passes, one byte more is refused. */
    const uint8_t *sent = NULL;
    size_t n = 0;
    TC_CHECK_EQ(tc_call_exact(rpc, "sum_bin", TC_MAX_MESSAGE, 10, &sent, &n, res, sizeof res, &len), DUET_OK);
    check_sum(res, len, sent, n);
    TC_CHECK_EQ(tc_call_exact(rpc, "sum_bin", TC_MAX_MESSAGE + 1, 10, &sent, &n, res, sizeof res, &len),
                DUET_ERR_TOO_LARGE);
    /* Echoes: what fits a result slot (DUET_RESULT_SIZE) comes back whole. */
    tc_fill(data, 500, 12, 0);
    TC_CHECK_EQ(duet_call("echo", "y:y", data, (size_t)500, back, sizeof back, &len), DUET_OK);
    TC_CHECK(len == 500 && memcmp(back, data, 500) == 0);
    /* The echo of a 900-byte bin: the request (904 bytes) and the response (906) both fit
     * DUET_MAX_MESSAGE, so it must come back whole. */
    tc_fill(data, 900, 13, 0);
    memset(back, 0, sizeof back);
    len = 0;
    int err = duet_call("echo", "y:y", data, (size_t)900, back, sizeof back, &len);
    if (err)
        fprintf(stderr, "M7 big: echo of 900 bytes: %s\n", duet_error_text());
    TC_CHECK_EQ(err, DUET_OK);
    TC_CHECK(len == 900 && memcmp(back, data, 900) == 0);

    wait_m4_done(); /* the M4 sent 900 and 1000 bytes to sum_bin here */
    duet_rpmsg_stats st = duet_rpmsg_get_stats(duet_rpmsg_instance());
    TC_CHECK_EQ(st.dropped_large, 0);
    TC_CHECK_EQ(st.bad_messages, 0);
    finish_m7();
}

/* 64 KiB between two processes with duet_rpmsg_* directly (64 KiB+ reassembly buffers). */
static duet_rpmsg hg_dev;
static duet_rpmsg_endpoint hg_ep;
static uint8_t hg_reasm[TC_HUGE_CAP], hg_got[TC_HUGE_BYTES], hg_out[TC_HUGE_CAP + 1];
static size_t hg_len;
static volatile int hg_count, hg_verdict;

static bool hg_deliver(void *up, const uint8_t *data, size_t len)
{
    (void)up;
    if (len == 1) {
        hg_verdict = data[0];
        return true;
    }
    hg_len = len;
    if (len <= sizeof hg_got)
        memcpy(hg_got, data, len);
    hg_count++;
    return true;
}

/* Polls the device until *flag is set (or ms). */
static bool rpmsg_poll_for(duet_rpmsg *dev, volatile int *flag, uint32_t ms)
{
    uint32_t start = tc_now_ms();
    while (!*flag && tc_now_ms() - start < ms) {
        int n = duet_rpmsg_poll(dev);
        if (n < 0)
            return false;
        if (n == 0)
            m7_port()->wait(m7_port(), 20);
    }
    return *flag != 0;
}

static void m7_huge(const fixture *f, const char *variant)
{
    (void)f;
    (void)variant;
    duet_port *port = m7_port();
    if (!port) {
        tc_fail();
        return;
    }
    duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
    TC_CHECK_EQ(duet_rpmsg_init_host(&hg_dev, port, &lay), DUET_OK);
    TC_CHECK_EQ(duet_rpmsg_endpoint_create(&hg_dev, &hg_ep, "huge", hg_reasm, sizeof hg_reasm), DUET_OK);
    duet_link_attach(&hg_ep.link, hg_deliver, NULL);
    TC_CHECK_EQ(port->boot(port, DUET_POSIX_BOOT_1MB), DUET_OK);
    int err = duet_rpmsg_wait_ready(&hg_dev, 5000 * TC_SLOW);
    TC_CHECK_EQ(err, DUET_OK);
    if (err)
        return;
    TC_CHECK_EQ(duet_rpmsg_endpoint_max_message(&hg_ep), TC_HUGE_CAP);

    TC_CHECK(rpmsg_poll_for(&hg_dev, &hg_count, 20000 * TC_SLOW));
    TC_CHECK_EQ(hg_count, 1);
    TC_CHECK_EQ(hg_len, TC_HUGE_BYTES);
    tc_fill(hg_out, TC_HUGE_BYTES, 11, 0);
    TC_CHECK(hg_len == TC_HUGE_BYTES && memcmp(hg_got, hg_out, TC_HUGE_BYTES) == 0);

    /* Back: over the M4's capacity is refused, 64 KiB passes. */
    tc_fill(hg_out, sizeof hg_out, 12, 0);
    uint32_t sent = duet_rpmsg_get_stats(&hg_dev).tx_msgs;
    TC_CHECK_EQ(duet_rpmsg_send(&hg_ep, hg_out, TC_HUGE_CAP + 1), DUET_ERR_TOO_LARGE);
    TC_CHECK_EQ(duet_rpmsg_get_stats(&hg_dev).tx_msgs, sent);
    TC_CHECK_EQ(duet_rpmsg_send(&hg_ep, hg_out, TC_HUGE_BYTES), DUET_OK);
    TC_CHECK(rpmsg_poll_for(&hg_dev, &hg_verdict, 20000 * TC_SLOW));
    TC_CHECK_EQ(hg_verdict, 'K');
    duet_rpmsg_stats st = duet_rpmsg_get_stats(&hg_dev);
    TC_CHECK_EQ(st.dropped_large, 0);
    TC_CHECK_EQ(st.corrupt, 0);
    TC_CHECK_EQ(st.bad_messages, 0);
    join_m4(0);
}

/* ------------------------------------------------------------ 7. hostile cores */

/* What the M7 must say for each way the hostile M4 breaks the rings. */
typedef struct hostile_case {
    const char *variant;
    const char *expect; /* in duet_error_text() */
} hostile_case;

static const hostile_case hostile_m4_cases[] = {
    {"used_id", "receive ring names a buffer not its to give"},
    {"used_len", "receive ring names a buffer not its to give"},
    {"idx_jump", "ring index jumped past the ring"},
    {"msg_len", "message longer than its buffer"},
    {"tx_used", "used ring returned a buffer never sent"},
};

static const char *hostile_expect(const char *variant)
{
    for (size_t i = 0; i < sizeof hostile_m4_cases / sizeof hostile_m4_cases[0]; i++)
        if (strcmp(hostile_m4_cases[i].variant, variant) == 0)
            return hostile_m4_cases[i].expect;
    return NULL;
}

static int on_ping(duet_req *c) { return duet_return_int(c, duet_arg_int(c, 0) + 1); }

/* After the handshake the M4 breaks one rule: the link goes down with that rule's sentence. */
static void m7_hostile_fatal(const fixture *f, const char *variant)
{
    (void)f;
    const char *expect = hostile_expect(variant);
    TC_CHECK_EQ(duet_bind("ping", "i:i", on_ping), DUET_OK);
    if (!expect || !begin_m7()) {
        tc_fail();
        return;
    }
    int r = 0;
    uint32_t start = tc_now_ms();
    while (tc_now_ms() - start < 5000u * TC_SLOW) {
        r = duet_poll();
        if (r < 0)
            break;
        if (r == 0)
            m7_port()->wait(m7_port(), 20);
    }
    fprintf(stderr, "M7 hostile %s: duet_poll %d, \"%s\"\n", variant, r, duet_error_text());
    TC_CHECK_EQ(r, DUET_ERR_CORRUPT);
    TC_CHECK_EQ(duet_error(), DUET_ERR_CORRUPT);
    TC_CHECK_STR(duet_error_text(), expect);
    TC_CHECK_STR(duet_error_text(), "link: ");
    TC_CHECK(duet_rpmsg_get_stats(duet_rpmsg_instance()).corrupt >= 1);
    /* Down for good, and says so at once: a call fails with the rule it broke. */
    TC_CHECK_EQ(duet_poll(), DUET_ERR_CORRUPT);
    uint32_t t0 = tc_now_ms();
    TC_CHECK_EQ(duet_call_timeout("anything", 300, ":"), DUET_ERR_CORRUPT);
    TC_CHECK(tc_now_ms() - t0 < 1000u * TC_SLOW);
    TC_CHECK_STR(duet_error_text(), "anything: ");
    TC_CHECK_STR(duet_error_text(), expect);
    TC_CHECK(duet_write("x\n", 2) <= 2);
    join_m4(0);
}

/* Before any handshake: duet_begin fails with the reason. */
static void m7_hostile_before(const fixture *f, const char *variant)
{
    (void)f;
    (void)variant;
    TC_CHECK_EQ(duet_begin(), 0);
    fprintf(stderr, "M7 hostile before: \"%s\"\n", duet_error_text());
    TC_CHECK_EQ(duet_error(), DUET_ERR_CORRUPT);
    TC_CHECK_STR(duet_error_text(), "handshake");
    TC_CHECK_STR(duet_error_text(), "receive ring names a buffer not its");
    TC_CHECK(duet_poll() < 0);
    join_m4(0);
}

/* Bad messages that break no rule of shared memory: counted, the link stays up. */
static void m7_hostile_nonfatal(const fixture *f, const char *variant)
{
    (void)f;
    (void)variant;
    TC_CHECK_EQ(duet_bind("ping", "i:i", on_ping), DUET_OK);
    if (!begin_m7())
        return;
    wait_m4_done();
    duet_rpmsg_stats st = duet_rpmsg_get_stats(duet_rpmsg_instance());
    duet_rpc_stats rs = duet_rpc_get_stats(duet_rpc_instance());
    fprintf(stderr, "M7 hostile nonfatal: bad_messages %u, corrupt %u, rpc malformed %u\n", st.bad_messages,
            st.corrupt, rs.malformed);
    TC_CHECK_EQ(st.corrupt, 0);
    TC_CHECK_EQ(st.bad_messages, 4); /* NS without NUL, NS too short, NS reserved address, unknown endpoint */
    TC_CHECK(rs.malformed >= 3);
    TC_CHECK(duet_poll() >= 0);
    finish_m7();
}

/* Random bytes over the rings while the M7 runs: whatever it makes of them, it reports and
 * does not crash (ASan watches in the asan variant). */
static void m7_hostile_chaos(const fixture *f, const char *variant)
{
    (void)f;
    (void)variant;
    /* The hostile M4 does the handshake and a call, then scribbles while the M7 polls, writes
     * and calls. */
    TC_CHECK_EQ(duet_bind("ping", "i:i", on_ping), DUET_OK);
    int ok = duet_begin();
    int r = ok ? 0 : duet_error();
    uint32_t polls = 0, handled = 0, calls = 0, other_errors = 0;
    if (ok) {
        uint32_t start = tc_now_ms();
        while (tc_now_ms() - start < 1500u * TC_SLOW) {
            r = duet_poll();
            if (r == DUET_ERR_CORRUPT || r == DUET_ERR_LINK_DOWN)
                break;
            polls++;
            if (r < 0) {
                other_errors++; /* a send of stream text failed: the link is up */
                r = 0;
            }
            handled += (uint32_t)r;
            while (duet_read() >= 0) {
            }
            if (polls % 16 == 0) {
                duet_printf("chaos %u\n", (unsigned)polls);
                duet_rpc_call_timeout(duet_rpc_instance(), 5, "anything", ":");
                calls++;
            }
            if (r == 0)
                m7_port()->wait(m7_port(), 5);
        }
    }
    duet_rpmsg_stats st = duet_rpmsg_get_stats(duet_rpmsg_instance());
    duet_rpc_stats rs = duet_rpc_get_stats(duet_rpc_instance());
    fprintf(stderr,
            "M7 hostile %s: begin %d, %u polls (%u messages, %u other errors), %u calls, result %d, corrupt %u, "
            "bad %u, dropped_large %u, rpc malformed %u, late %u: \"%s\"\n",
            variant, ok, polls, handled, other_errors, calls, r, st.corrupt, st.bad_messages, st.dropped_large,
            rs.malformed, rs.late_responses, duet_error_text());
    TC_CHECK_EQ(ok, 1);
    if (r == DUET_ERR_CORRUPT) {
        TC_CHECK(st.corrupt >= 1);
        TC_CHECK_EQ(duet_error(), DUET_ERR_CORRUPT);
        TC_CHECK_STR(duet_error_text(), "link: ");
    } else {
        TC_CHECK_EQ(st.corrupt, 0);
    }
    /* Variants 1..3 of plausible break no ring rule: the link must stay up. */
    if (strncmp(variant, "plausible", 9) == 0 && atoi(variant + 9) <= 3)
        TC_CHECK(r != DUET_ERR_CORRUPT &&
                 (r != DUET_ERR_LINK_DOWN || strstr(duet_error_text(), "the M4 program returned")));
    join_m4(0);
}

static void test_hostile_m4(void **state)
{
    fixture *f = *state;
    upload(f, TC_HOSTILE_M4_PROGRAM);
    int failed = 0;
    struct {
        const char *variant;
        m7_scenario fn;
    } runs[] = {
        {"before", m7_hostile_before},
        {"nonfatal", m7_hostile_nonfatal},
        {"used_id", m7_hostile_fatal},
        {"used_len", m7_hostile_fatal},
        {"idx_jump", m7_hostile_fatal},
        {"msg_len", m7_hostile_fatal},
        {"tx_used", m7_hostile_fatal},
        {"chaos1", m7_hostile_chaos},
        {"chaos2", m7_hostile_chaos},
        {"chaos3", m7_hostile_chaos},
        {"chaos4", m7_hostile_chaos},
        {"plausible1", m7_hostile_chaos},
        {"plausible2", m7_hostile_chaos},
        {"plausible3", m7_hostile_chaos},
        {"plausible4", m7_hostile_chaos},
        {"plausible5", m7_hostile_chaos},
        {"plausible6", m7_hostile_chaos},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        assert_int_equal(duet_posix_board_reset(f->board), DUET_OK);
        int status = run_m7(f, "hostile", runs[i].variant, runs[i].fn, 20);
        if (status != 0) {
            fprintf(stderr, "hostile M4 %s: the M7 ended with %d\n", runs[i].variant, status);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* The mirror: an M7 that writes a bad resource table, then boots a duet M4. */
typedef struct bad_table {
    const char *variant;
    const char *expect; /* in the M4's duet_error_text() */
    uint32_t version, count, off0, type, id, nvrings;
    uint32_t da0, da1, align0, align1, num0, num1;
} bad_table;

/* The vrings must be where the M4's own layout has them (the GIGA's): any other place, size
 * or alignment is refused with one sentence. */
static const bad_table bad_tables[] = {
    {"count_zero", "table version or entry count invalid", 1, 0, 20, 3, 7, 2, 0x38001400u, 0x38000400u, 32, 32, 64, 64},
    {"count_huge", "table version or entry count invalid", 1, 1000, 20, 3, 7, 2, 0x38001400u, 0x38000400u, 32, 32, 64, 64},
    {"offset_low", "table entry outside the table", 1, 1, 16, 3, 7, 2, 0x38001400u, 0x38000400u, 32, 32, 64, 64},
    {"offset_past", "table entry outside the table", 1, 1, 992, 3, 7, 2, 0x38001400u, 0x38000400u, 32, 32, 64, 64},
    {"no_vdev", "table has no RPMsg vdev with two vrings", 1, 1, 20, 9, 7, 2, 0x38001400u, 0x38000400u, 32, 32, 64, 64},
    {"not_rpmsg", "table has no RPMsg vdev with two vrings", 1, 1, 20, 3, 5, 2, 0x38001400u, 0x38000400u, 32, 32, 64, 64},
    {"one_vring", "table has no RPMsg vdev with two vrings", 1, 1, 20, 3, 7, 1, 0x38001400u, 0x38000400u, 32, 32, 64, 64},
    {"vring_misaligned", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x38001404u, 0x38000400u, 32, 32, 64, 64},
    {"vring_odd", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x38001400u, 0x38000401u, 32, 32, 64, 64},
    {"align_not_pow2", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x38001400u, 0x38000400u, 24, 24, 64, 64},
    {"ring_not_pow2", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x38001400u, 0x38000400u, 32, 32, 48, 48},
    {"ring_too_big", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x38001400u, 0x38000400u, 32, 32, 128, 128},
    {"rings_differ", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x38001400u, 0x38000400u, 32, 32, 64, 32},
    {"vring_outside", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x3800fc00u, 0x38000400u, 32, 32, 64, 64},
    {"vring_below", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x20000000u, 0x38000400u, 32, 32, 64, 64},
    {"vrings_overlap", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x38001400u, 0x38001400u, 32, 32, 64, 64},
    {"vring_in_pool", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x38002400u, 0x38000400u, 32, 32, 64, 64},
    {"vring_in_table", "vrings not where this core's layout has them", 1, 1, 20, 3, 7, 2, 0x38000000u, 0x38000400u, 32, 32, 64, 64},
    /* Never valid (the version): the M4 says why once its 5 s are up. */
    {"version", "table version or entry count invalid", 2, 1, 20, 3, 7, 2, 0x38001400u, 0x38000400u, 32, 32, 64, 64},
};

static void put32(uint8_t *t, size_t size, uint32_t off, uint32_t v)
{
    if (off <= size - 4)
        memcpy(t + off, &v, 4);
}

static void m7_bad_table(const fixture *f, const char *variant)
{
    const bad_table *b = NULL;
    for (size_t i = 0; i < sizeof bad_tables / sizeof bad_tables[0]; i++)
        if (strcmp(bad_tables[i].variant, variant) == 0)
            b = &bad_tables[i];
    duet_port *port = m7_port();
    if (!b || !port) {
        tc_fail();
        return;
    }
    /* As duet_rpmsg_init_host writes it (one vdev entry, two vrings), with b's values. */
    duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
    uint8_t t[0x400];
    memset(t, 0, sizeof t);
    put32(t, sizeof t, 0, b->version);
    put32(t, sizeof t, 4, b->count);
    put32(t, sizeof t, 16, b->off0);
    uint32_t vdev = b->off0 >= 20 ? b->off0 : 20;
    put32(t, sizeof t, vdev + 0, b->type);
    put32(t, sizeof t, vdev + 4, b->id);
    put32(t, sizeof t, vdev + 12, 1);
    put32(t, sizeof t, vdev + 16, 1);
    if (vdev + 25 < sizeof t)
        t[vdev + 25] = (uint8_t)b->nvrings;
    const uint32_t da[2] = {b->da0, b->da1}, align[2] = {b->align0, b->align1}, num[2] = {b->num0, b->num1};
    for (uint32_t i = 0; i < 2; i++) {
        uint32_t v = vdev + 28 + 20 * i;
        put32(t, sizeof t, v + 0, da[i]);
        put32(t, sizeof t, v + 4, align[i]);
        put32(t, sizeof t, v + 8, num[i]);
        put32(t, sizeof t, v + 12, i);
    }
    /* DRIVER_OK where the remote looks for it: at the first offset's status byte. */
    if (b->off0 + 24 < sizeof t)
        t[b->off0 + 24] |= 7;
    if (vdev + 24 < sizeof t)
        t[vdev + 24] |= 7;
    volatile uint8_t *shm = duet_port_map(port, lay.rsc_da, sizeof t);
    for (size_t i = 0; i < sizeof t; i++)
        shm[i] = t[i];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    port->ring(port);

    TC_CHECK_EQ(port->boot(port, DUET_POSIX_BOOT_1MB), DUET_OK);
    int status = duet_posix_port_m4_join(port, 15000 * TC_SLOW);
    TC_CHECK_EQ(status, -DUET_ERR_CORRUPT);
    char path[512], report[512] = "";
    snprintf(path, sizeof path, "%s/%s", f->board, TC_REPORT_FILE);
    FILE *in = fopen(path, "r");
    TC_CHECK(in != NULL);
    if (in) {
        if (!fgets(report, sizeof report, in))
            report[0] = '\0';
        fclose(in);
    }
    fprintf(stderr, "M7 bad table %s: M4 status %d, \"%.*s\"\n", variant, status, (int)strcspn(report, "\n"), report);
    TC_CHECK(strncmp(report, "0 -18 ", 6) == 0);
    TC_CHECK_STR(report, "waiting for the M7");
    TC_CHECK_STR(report, b->expect);
}

static void test_hostile_m7(void **state)
{
    fixture *f = *state;
    upload(f, TC_M4_PROGRAM);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->board, TC_REPORT_FILE);
    int failed = 0;
    for (size_t i = 0; i < sizeof bad_tables / sizeof bad_tables[0]; i++) {
        assert_int_equal(duet_posix_board_reset(f->board), DUET_OK);
        unlink(path);
        int status = run_m7(f, "report_begin", bad_tables[i].variant, m7_bad_table, 20);
        if (status != 0) {
            fprintf(stderr, "bad table %s: the M7 ended with %d\n", bad_tables[i].variant, status);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* ------------------------------------------------------------ 8. threads */

static int m7_callers_done;

/* A thread of the M7: TC_THREAD_CALLS calls of the M4's mul, each checked. The M4's threads
 * call the M7's add meanwhile, and each core's main thread serves in delay(). */
static void m7_caller(void *arg)
{
    int32_t id = (int32_t)(intptr_t)arg;
    for (int32_t i = 0; i < TC_THREAD_CALLS; i++) {
        int32_t product = 0;
        TC_CHECK_EQ(duet_call("mul", "ii:i", id, i, &product), DUET_OK);
        TC_CHECK_EQ(product, id * i);
    }
    __atomic_add_fetch(&m7_callers_done, 1, __ATOMIC_RELEASE);
}

/* Takes one line of the M4's threads ("M4 thread <id>: <calls> calls"): true if it is a
 * thread's first, with every call made. */
static bool thread_line(const char *line, bool seen[TC_THREADS + 1])
{
    int id = 0, calls = 0;
    if (sscanf(line, "M4 thread %d: %d calls", &id, &calls) != 2 || id < 1 || id > TC_THREADS || seen[id] ||
        calls != TC_THREAD_CALLS) {
        fprintf(stderr, "M7: unexpected line from the M4: %s", line);
        return false;
    }
    seen[id] = true;
    return true;
}

static void m7_threads(const fixture *f, const char *variant)
{
    (void)f;
    (void)variant;
    TC_CHECK_EQ(duet_bind("add", "ii:i", on_add), DUET_OK);
    if (!begin_m7())
        return;
    unsigned ids[TC_THREADS];
    for (int i = 0; i < TC_THREADS; i++)
        TC_CHECK_EQ(duet_thread_create(m7_caller, (void *)(intptr_t)(i + 1), &ids[i]), DUET_OK);
    /* The main thread serves in delay() and reads the lines of the M4's threads until every
     * thread of both cores is done. */
    char line[128];
    size_t len = 0;
    int lines = 0;
    bool seen[TC_THREADS + 1] = {false};
    uint32_t start = tc_now_ms();
    while ((!__atomic_load_n(&m4_done_flag, __ATOMIC_ACQUIRE) ||
            __atomic_load_n(&m7_callers_done, __ATOMIC_ACQUIRE) < TC_THREADS || lines < TC_THREADS) &&
           tc_now_ms() - start < 30000 * TC_SLOW) {
        delay(1);
        if (duet_poll() < 0) { /* the M4 stopped (under ThreadSanitizer: a race it found) */
            fprintf(stderr, "M7: %s\n", duet_error_text());
            tc_fail();
            break;
        }
        int c;
        while ((c = duet_read()) >= 0) {
            if (len + 1 < sizeof line)
                line[len++] = (char)c;
            if (c != '\n')
                continue;
            line[len] = '\0';
            len = 0;
            if (thread_line(line, seen))
                lines++;
            else
                tc_fail();
        }
    }
    TC_CHECK_EQ(lines, TC_THREADS);
    TC_CHECK_EQ(__atomic_load_n(&m7_callers_done, __ATOMIC_ACQUIRE), TC_THREADS);
    TC_CHECK_EQ(__atomic_load_n(&m4_done_flag, __ATOMIC_ACQUIRE), 1);
    TC_CHECK_EQ(m4_done_fails, 0);
    for (int i = 0; i < TC_THREADS; i++)
        TC_CHECK_EQ(duet_thread_join(ids[i]), DUET_OK);
    finish_m7();
}

/* ------------------------------------------------------------ the tests */

#define SCENARIO_TEST(name, program, seconds)                             \
    static void test_##name(void **state)                                 \
    {                                                                     \
        fixture *f = *state;                                              \
        upload(f, program);                                               \
        assert_int_equal(run_m7(f, #name, NULL, m7_##name, seconds), 0); \
    }

SCENARIO_TEST(boot, TC_M4_PROGRAM, 20)
SCENARIO_TEST(calls, TC_M4_PROGRAM, 30)
SCENARIO_TEST(nested, TC_M4_PROGRAM, 20)
SCENARIO_TEST(stream, TC_M4_PROGRAM, 50)
SCENARIO_TEST(kill, TC_M4_PROGRAM, 20)
SCENARIO_TEST(nofrag, TC_M4_PROGRAM, 20)
SCENARIO_TEST(big, TC_M4_PROGRAM, 20)
SCENARIO_TEST(huge, TC_M4_PROGRAM, 30)
SCENARIO_TEST(threads, TC_M4_PROGRAM, 40)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boot, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(test_calls, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(test_nested, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(test_stream, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(test_kill, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(test_nofrag, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(test_big, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(test_huge, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_m4, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_m7, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(test_threads, board_setup, board_teardown),
    };
#ifdef TC_ONLY_THREADS
    cmocka_set_test_filter("test_threads"); /* the ThreadSanitizer build: the threads alone */
#endif
    return cmocka_run_group_tests(tests, NULL, NULL);
}

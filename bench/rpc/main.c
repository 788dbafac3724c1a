/*
 * main.c - the rpc engine benchmark: engines A and B joined by the in-memory link pair
 * (duet/link_mem.h) in one thread, B serving add(a, b) bound as "ii:i", A calling it.
 *
 *   bench_rpc roundtrip [N]   N synchronous add(1, 2) calls, for callgrind to count
 *   bench_rpc empty [N]       the same loop with an empty call: the baseline
 *   bench_rpc sync [SECONDS]  synchronous calls per second, wall clock (default 1 s)
 *   bench_rpc async [SECONDS] pipelined calls per second, wall clock (default 1 s)
 *   bench_rpc check           every case briefly, natively, with all its checks
 *
 * One round trip, as duet_rpc_call runs it on A: A encodes the request and sends it (it lands
 * in B's queue); A polls its own link (nothing yet) and waits; the link's wait() calls the
 * idle hook, duet_rpc_poll(B), in which B decodes the request, checks the arguments against
 * "ii:i", runs add, encodes the response and sends it; back in A's wait loop A polls again,
 * decodes the response into the waiting slot and takes the int32 result. Both sides' work is
 * in the figure; nothing else is.
 *
 * roundtrip and empty run the measured loop between two CALLGRIND_TOGGLE_COLLECT requests;
 * under `valgrind --tool=callgrind --collect-atstart=no` the instructions collected are N round
 * trips plus the loop's own cost, which scripts/bench.sh removes by subtracting the empty run.
 *
 * Keeping the work honest:
 *  - the call is a noinline function in its own file (call.c), reached through a volatile
 *    function pointer; method name, signature and arguments come from volatile variables;
 *  - before each call the result variable is set to a sentinel, after it the return code and
 *    the result (a + b) are checked: abort on any difference;
 *  - around the measured loop the engines' counters must show exactly N requests sent by A,
 *    received and answered by B, and N responses received by A, with no errors, no late or
 *    malformed messages and no send failures; A's virtual clock must have advanced by exactly
 *    N (one wait per round trip), both queues must be empty and no call left waiting;
 *  - one-off work (lazy symbol binding, the first messages) is done by an unmeasured warm-up,
 *    which also takes A's msgids past 65535: from there on every msgid is a 5-byte uint32 on
 *    the wire, as in any long-running program, so the per-call figure does not depend on N.
 *
 * The throughput cases run natively (CLOCK_MONOTONIC) with the same checks on every call.
 * async issues DUET_RPC_MAX_INFLIGHT duet_rpc_call_async, then polls B once (which must serve
 * them all), then waits every future (whose responses are there: no wait() may happen).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <valgrind/callgrind.h>

#include "bench_rpc.h"

/* A value no add(1, 2) returns: a call that does not store its result is caught. */
#define SENTINEL ((int32_t)0x5a5a5a5a)
/* Warm-up calls: past this many, A's msgids are uint32 on the wire. */
#define WARM_CALLS 65600ul
/* Timeout of the futures in the async case (virtual milliseconds; none may elapse). */
#define FUTURE_TIMEOUT_MS 1000u

static bench_side A, B;
static bench_ctx ctx;
static int (*volatile call_fn)(bench_ctx *);

static void fail(const char *name, const char *what)
{
    fprintf(stderr, "bench_rpc: %s: %s\n", name, what);
    abort();
}

static void fail_rc(const char *name, const char *what, int err)
{
    fprintf(stderr, "bench_rpc: %s: %s: %d (%s): %s\n", name, what, err, duet_strerror(err),
            duet_rpc_error_text(&A.rpc));
    abort();
}

/* B's function. */
static int h_add(duet_req *r)
{
    return duet_return_int(r, (int64_t)duet_arg_int(r, 0) + duet_arg_int(r, 1));
}

/* A's idle hook: while A waits, B serves what has arrived. */
static void idle_poll_b(void *arg)
{
    (void)duet_rpc_poll((duet_rpc *)arg);
}

static void side_init(bench_side *s)
{
    duet_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buffer = s->tx;
    cfg.tx_size = sizeof s->tx;
    cfg.result_buffer = s->result;
    cfg.result_size = sizeof s->result;
    int err = duet_rpc_init(&s->rpc, &s->link.link, &cfg);
    if (err)
        fail_rc("setup", "duet_rpc_init", err);
}

static void setup(void)
{
    static volatile int v_a = 1, v_b = 2;
    static const char *volatile v_method = "add";
    static const char *volatile v_signature = "ii:i";

    duet_link_mem_pair(&A.link, A.queue, sizeof A.queue, &B.link, B.queue, sizeof B.queue, BENCH_MAX_MESSAGE);
    side_init(&A);
    side_init(&B);
    int err = duet_rpc_bind(&B.rpc, "add", "ii:i", h_add, NULL);
    if (err)
        fail_rc("setup", "duet_rpc_bind", err);
    /* B never waits here (it only serves), so only A gets an idle hook. */
    duet_link_mem_set_idle(&A.link, idle_poll_b, &B.rpc);

    ctx.rpc = &A.rpc;
    ctx.method = v_method;
    ctx.signature = v_signature;
    ctx.a = v_a;
    ctx.b = v_b;
    ctx.expect = (int32_t)(ctx.a + ctx.b);
    ctx.sum = SENTINEL;
}

/* ------------------------------------------------------------ exact accounting */

typedef struct snapshot {
    duet_rpc_stats a, b;
    uint32_t clock_ms;
} snapshot;

static snapshot take_snapshot(void)
{
    snapshot s = {duet_rpc_get_stats(&A.rpc), duet_rpc_get_stats(&B.rpc), A.link.clock_ms};
    return s;
}

/* Checks that exactly `calls` round trips (and `waits` waits of A) happened since `before`,
 * and that nothing is left over in the links or the engines. */
static void check_exact(const char *name, const snapshot *before, uint32_t calls, uint32_t waits)
{
    snapshot now = take_snapshot();
    if (now.a.msgs_out - before->a.msgs_out != calls || now.b.msgs_in - before->b.msgs_in != calls)
        fail(name, "B did not receive exactly one request per call");
    if (now.b.msgs_out - before->b.msgs_out != calls || now.a.msgs_in - before->a.msgs_in != calls)
        fail(name, "A did not receive exactly one response per call");
    if (now.a.malformed != before->a.malformed || now.b.malformed != before->b.malformed ||
        now.a.late_responses != before->a.late_responses || now.b.late_responses != before->b.late_responses ||
        now.a.errors_sent != before->a.errors_sent || now.b.errors_sent != before->b.errors_sent ||
        now.a.send_failures != before->a.send_failures || now.b.send_failures != before->b.send_failures)
        fail(name, "an error, malformed or late message, or send failure was counted");
    if (now.clock_ms - before->clock_ms != waits)
        fail(name, "A's link waited another number of times than expected");
    if (A.link.head != A.link.tail || B.link.head != B.link.tail)
        fail(name, "a message was left in a link queue");
    if (A.rpc.tx_used || B.rpc.tx_used || A.rpc.depth || B.rpc.depth)
        fail(name, "a tx frame or handler was left open");
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        if (A.rpc.slots[i].state != 0 || B.rpc.slots[i].state != 0)
            fail(name, "a call was left waiting");
}

/* ------------------------------------------------------------ calls */

static void checked_call(const char *name)
{
    ctx.sum = SENTINEL;
    int err = call_add(&ctx);
    if (err)
        fail_rc(name, "duet_rpc_call failed", err);
    if (ctx.sum != ctx.expect)
        fail(name, "wrong result");
}

/* Unmeasured calls: one-off work, and A's msgids into the uint32 range. */
static void warm_up(const char *name, unsigned long calls)
{
    snapshot before = take_snapshot();
    for (unsigned long i = 0; i < calls; i++)
        checked_call(name);
    check_exact(name, &before, (uint32_t)calls, (uint32_t)calls);
}

static double now_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        fail("clock", "clock_gettime(CLOCK_MONOTONIC) failed");
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------ callgrind cases */

/* The measured loop: only what runs between the two toggles is counted. */
static BENCH_NOINLINE void measure(unsigned long n)
{
    CALLGRIND_TOGGLE_COLLECT;
    for (unsigned long i = 0; i < n; i++) {
        ctx.sum = SENTINEL;
        if (call_fn(&ctx) != DUET_OK || ctx.sum != ctx.expect)
            abort();
    }
    CALLGRIND_TOGGLE_COLLECT;
}

static void run_counted(const char *name, int (*fn)(bench_ctx *), unsigned long n)
{
    bool real = fn == call_add;
    if (real)
        warm_up(name, WARM_CALLS);
    if (real && A.rpc.next_msgid < 65536u)
        fail(name, "the warm-up did not take the msgids past 65535");
    call_fn = fn;
    snapshot before = take_snapshot();
    measure(n);
    check_exact(name, &before, real ? (uint32_t)n : 0, real ? (uint32_t)n : 0);
}

/* ------------------------------------------------------------ wall-clock cases */

/* Synchronous calls for `seconds` after the warm-up; returns calls per second. */
static double run_sync(double seconds, unsigned long warm)
{
    enum { BATCH = 1024 };
    warm_up("sync", warm);
    snapshot before = take_snapshot();
    unsigned long calls = 0;
    double t0 = now_s(), t;
    do {
        for (int i = 0; i < BATCH; i++)
            checked_call("sync");
        calls += BATCH;
        t = now_s();
    } while (t - t0 < seconds);
    check_exact("sync", &before, (uint32_t)calls, (uint32_t)calls);
    return (double)calls / (t - t0);
}

/* One pipeline: DUET_RPC_MAX_INFLIGHT requests out, B serves them in one poll, all waited. */
static void pipeline(void)
{
    duet_future f[DUET_RPC_MAX_INFLIGHT];
    for (int k = 0; k < DUET_RPC_MAX_INFLIGHT; k++) {
        int err = duet_rpc_call_async(ctx.rpc, &f[k], ctx.method, ctx.signature, ctx.a, ctx.b);
        if (err)
            fail_rc("async", "duet_rpc_call_async failed", err);
    }
    int served = duet_rpc_poll(&B.rpc);
    if (served != DUET_RPC_MAX_INFLIGHT)
        fail("async", "B did not serve every request in one poll");
    for (int k = 0; k < DUET_RPC_MAX_INFLIGHT; k++) {
        int32_t sum = SENTINEL;
        int err = duet_future_wait(ctx.rpc, &f[k], FUTURE_TIMEOUT_MS, &sum);
        if (err)
            fail_rc("async", "duet_future_wait failed", err);
        if (sum != ctx.expect)
            fail("async", "wrong result");
    }
}

/* Pipelined calls for `seconds` after the warm-up; returns calls per second. */
static double run_async(double seconds, unsigned long warm)
{
    enum { BATCH = 128 }; /* pipelines between clock reads */
    warm_up("async", warm);
    for (int i = 0; i < BATCH; i++)
        pipeline();
    snapshot before = take_snapshot();
    unsigned long calls = 0;
    double t0 = now_s(), t;
    do {
        for (int i = 0; i < BATCH; i++)
            pipeline();
        calls += BATCH * DUET_RPC_MAX_INFLIGHT;
        t = now_s();
    } while (t - t0 < seconds);
    check_exact("async", &before, (uint32_t)calls, 0);
    return (double)calls / (t - t0);
}

/* ------------------------------------------------------------ main */

static int usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s roundtrip|empty [N]    (callgrind: N calls, default 10000)\n"
            "       %s sync|async [SECONDS]   (wall clock, default 1)\n"
            "       %s check\n",
            prog, prog, prog);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return usage(argv[0]);
    const char *mode = argv[1];
    const char *arg = argc == 3 ? argv[2] : NULL;
    char *end;
    setup();

    if (strcmp(mode, "roundtrip") == 0 || strcmp(mode, "empty") == 0) {
        unsigned long n = 10000;
        if (arg) {
            n = strtoul(arg, &end, 10);
            if (*arg == '\0' || *end != '\0' || n == 0 || n > 1000000000ul) {
                fprintf(stderr, "bench_rpc: N must be an integer from 1 to 1000000000\n");
                return 2;
            }
        }
        run_counted(mode, mode[0] == 'r' ? call_add : call_empty, n);
    } else if (strcmp(mode, "sync") == 0 || strcmp(mode, "async") == 0) {
        double seconds = 1.0;
        if (arg) {
            seconds = strtod(arg, &end);
            if (*arg == '\0' || *end != '\0' || !(seconds > 0) || seconds > 3600) {
                fprintf(stderr, "bench_rpc: SECONDS must be a number above 0 (at most 3600)\n");
                return 2;
            }
        }
        /* Warm-up: the msgids past 65535, and about a fifth of the measured time. */
        double t0 = now_s();
        warm_up(mode, WARM_CALLS);
        while (now_s() - t0 < seconds / 5)
            warm_up(mode, 1024);
        double rate = mode[0] == 's' ? run_sync(seconds, 0) : run_async(seconds, 0);
        printf("calls_per_s %.0f\n", rate);
    } else if (strcmp(mode, "check") == 0) {
        run_counted("empty", call_empty, 100);
        run_counted("roundtrip", call_add, 100);
        double s = run_sync(0.02, 0);
        double a = run_async(0.02, 0);
        printf("bench_rpc: every case checked (%.0f sync, %.0f async calls/s in 0.02 s runs)\n", s, a);
    } else {
        return usage(argv[0]);
    }
    return 0;
}

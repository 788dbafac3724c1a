/* m4_program.c - the M4 image of the two-process tests. It reads its scenario from
 * $DUET_TWO_CORE_SCENARIO (the board passes the M7's environment on), plays its part, serves
 * the M7 until it calls quit, and exits with the number of failed checks (0: all passed).
 *
 * Most scenarios use duet.h (duet_begin & co); "nofrag" and "huge" use duet_rpmsg_* (and
 * for "nofrag" the RPC engine) directly, as a program that is not duet.c would.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duet/board.h"
#include "duet/duet.h"
#include "duet/posix/board.h"
#include "two_core.h"

int tc_fails;
const char *tc_who = "M4";

static duet_port *port;
static volatile int quit;

static int on_quit(duet_req *c)
{
    (void)c;
    quit = 1;
    return DUET_OK;
}

/* Serves the M7 through duet until it calls quit (or ms pass, a failure). */
static void serve_until_quit(uint32_t ms)
{
    uint32_t start = tc_now_ms();
    while (!quit) {
        int n = duet_poll();
        if (n < 0) {
            fprintf(stderr, "M4: duet_poll: %s\n", duet_error_text());
            tc_fail();
            return;
        }
        if (tc_now_ms() - start > ms) {
            fprintf(stderr, "M4: the M7 never called quit\n");
            tc_fail();
            return;
        }
        if (n == 0)
            port->wait(port, 20);
    }
}

/* Tells the M7 how the M4's own checks went (so far). */
static void report(void)
{
    int err = duet_call("m4_done", "i:", tc_fails);
    if (err) {
        fprintf(stderr, "M4: m4_done: %s\n", duet_error_text());
        tc_fail();
    }
}

/* Reports, then serves until quit. */
static void done(void)
{
    report();
    serve_until_quit(30000);
}

/* ------------------------------------------------------------ 1. boot */

static void scenario_boot(int begun)
{
    int32_t m7_cpu = 0;
    TC_CHECK_EQ(duet_call("hello", "ii:i", begun, duet_cpu_id(), &m7_cpu), DUET_OK);
    TC_CHECK_EQ(m7_cpu, DUET_CPU_M7);
    char line[32];
    snprintf(line, sizeof line, "M4 cpu %d", duet_cpu_id());
    TC_CHECK_EQ(duet_println(line), strlen(line) + 2);
    serve_until_quit(30000);
}

/* ------------------------------------------------------------ 2. calls both ways */

static int tock_count, tock_sum;

static int on_mul(duet_req *c)
{
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) * duet_arg_int(c, 1));
}

static int on_tock(duet_req *c)
{
    tock_count++;
    tock_sum += duet_arg_int(c, 0);
    return DUET_OK;
}

static int on_tocks(duet_req *c) { return duet_return_int(c, tock_count); }
static int on_tock_sum(duet_req *c) { return duet_return_int(c, tock_sum); }

static void scenario_calls(void)
{
    for (int32_t i = -50; i <= 50; i++) {
        int32_t sum = 0;
        TC_CHECK_EQ(duet_call("add", "ii:i", i, 1000 * i, &sum), DUET_OK);
        TC_CHECK_EQ(sum, 1001 * i);
    }
    int32_t sum = 0;
    TC_CHECK_EQ(duet_call("add", "ii:i", INT32_MAX - 5, 5, &sum), DUET_OK);
    TC_CHECK_EQ(sum, INT32_MAX);
    TC_CHECK_EQ(duet_call("add", "ii:i", INT32_MIN + 5, -5, &sum), DUET_OK);
    TC_CHECK_EQ(sum, INT32_MIN);

    /* Eight calls in flight at once (DUET_RPC_MAX_INFLIGHT), a ninth refused. */
    duet_future f[DUET_RPC_MAX_INFLIGHT], extra;
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        TC_CHECK_EQ(duet_call_async(&f[i], "add", "ii:i", i, 7 * i), DUET_OK);
    TC_CHECK_EQ(duet_call_async(&extra, "add", "ii:i", 1, 1), DUET_ERR_FULL);
    for (int i = DUET_RPC_MAX_INFLIGHT - 1; i >= 0; i--) {
        int32_t r = -1;
        TC_CHECK_EQ(duet_future_wait(duet_rpc_instance(), &f[i], 3000, &r), DUET_OK);
        TC_CHECK_EQ(r, 8 * i);
    }

    /* Notifications: the M7 counts them; a later call reads the count. */
    for (int i = 1; i <= 100; i++)
        TC_CHECK_EQ(duet_notify("tick", "i:", i), DUET_OK);
    int32_t n = 0, s = 0;
    TC_CHECK_EQ(duet_call("ticks", ":i", &n), DUET_OK);
    TC_CHECK_EQ(n, 100);
    TC_CHECK_EQ(duet_call("tick_sum", ":i", &s), DUET_OK);
    TC_CHECK_EQ(s, 5050);

    /* What is not bound on the M7 is an error there, not here. */
    TC_CHECK_EQ(duet_call("no_such_method", ":"), DUET_ERR_REMOTE);
    TC_CHECK_STR(duet_error_text(), "no_such_method");
    done();
}

/* ------------------------------------------------------------ 3. nested */

/* g(v) = h(2 v) + 5, h on the M7. */
static int on_g(duet_req *c)
{
    int32_t r = 0;
    int err = duet_call("h", "i:i", 2 * duet_arg_int(c, 0), &r);
    if (err)
        return duet_req_fail(c, err, "g: the call of h failed");
    return duet_return_int(c, r + 5);
}

/* f2(v) = g2(v + 1) - 7, g2 on the M7 (which calls h2 here). */
static int on_f2(duet_req *c)
{
    int32_t r = 0;
    int err = duet_call("g2", "i:i", duet_arg_int(c, 0) + 1, &r);
    if (err)
        return duet_req_fail(c, err, "f2: the call of g2 failed");
    return duet_return_int(c, r - 7);
}

static int h2_calls;

static int on_h2(duet_req *c)
{
    h2_calls++;
    return duet_return_int(c, 3 * duet_arg_int(c, 0));
}

static int on_h2_calls(duet_req *c) { return duet_return_int(c, h2_calls); }

static volatile int race;

static int on_race(duet_req *c)
{
    (void)c;
    race = 1;
    return DUET_OK;
}

static void scenario_nested(void)
{
    static const int32_t vs[] = {10, -4, 1000, 0};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        int32_t r = 0;
        TC_CHECK_EQ(duet_call("f", "i:i", vs[i], &r), DUET_OK);
        TC_CHECK_EQ(r, TC_NESTED(vs[i]));
    }
    report();
    /* Then both at once: this side calls f while the M7 calls f2. */
    uint32_t start = tc_now_ms();
    while (!race && tc_now_ms() - start < 20000)
        if (duet_poll() == 0)
            port->wait(port, 20);
    TC_CHECK(race);
    for (int32_t v = 0; v < TC_RACE_CALLS; v++) {
        int32_t r = 0;
        TC_CHECK_EQ(duet_call("f", "i:i", v, &r), DUET_OK);
        TC_CHECK_EQ(r, TC_NESTED(v));
    }
    done();
}

/* ------------------------------------------------------------ 4. stream */

/* Writes n pattern bytes (seed) through the stream in uneven pieces; returns how many it took. */
static uint32_t write_pattern(uint32_t seed, uint32_t n)
{
    static uint8_t buf[4096];
    uint32_t off = 0;
    while (off < n) {
        uint32_t k = 1 + (off * 7u + 13u) % (uint32_t)sizeof buf;
        if (k > n - off)
            k = n - off;
        tc_fill(buf, k, seed, off);
        size_t w = duet_write(buf, k);
        off += (uint32_t)w;
        if (w != k) {
            fprintf(stderr, "M4: duet_write took %zu of %u at %u: %s\n", w, k, off,
                    duet_strerror(duet_stream_error(duet_stream_instance())));
            tc_fail();
            break;
        }
    }
    int err = duet_stream_flush(duet_stream_instance());
    if (err) {
        fprintf(stderr, "M4: flush: %s\n", duet_strerror(err));
        tc_fail();
    }
    return off;
}

static int on_burst(duet_req *c)
{
    return duet_return_uint(c, write_pattern(duet_arg_uint(c, 1), duet_arg_uint(c, 0)));
}

static void scenario_stream(void)
{
    uint32_t n = write_pattern(1, TC_STREAM_BYTES);
    TC_CHECK_EQ(n, TC_STREAM_BYTES);
    /* Also how often a send had to wait for the slow reader (backpressure). */
    TC_CHECK_EQ(duet_call("stream_done", "uiu:", n, duet_stream_error(duet_stream_instance()),
                          duet_rpmsg_get_stats(duet_rpmsg_instance()).buffer_waits),
                DUET_OK);
    serve_until_quit(60000);
}

/* ------------------------------------------------------------ 5. killed in a call */

static int on_nap(duet_req *c)
{
    (void)c;
    /* Tell the M7 we are inside the handler; it kills this process meanwhile. */
    if (duet_notify("napping", "i:", (int)getpid()) != DUET_OK)
        tc_fail();
    for (int i = 0; i < 300; i++)
        tc_sleep_ms(100);
    return DUET_OK;
}

/* ------------------------------------------------------------ 6. sizes */

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

static int on_echo(duet_req *c)
{
    uint32_t len = 0;
    const uint8_t *p = duet_arg_bin(c, 0, &len);
    duet_msgpack_write_bin(duet_req_result(c), p, len);
    return DUET_OK;
}

/* Calls the M7's sum_bin on n pattern bytes and checks what it saw. */
static void check_sum_bin(duet_rpc *rpc, uint32_t seed, size_t n)
{
    static uint8_t data[TC_MAX_MESSAGE];
    uint8_t res[32];
    size_t len = 0;
    tc_fill(data, n, seed, 0);
    int err = duet_rpc_call(rpc, "sum_bin", "y:v", data, n, res, sizeof res, &len);
    TC_CHECK_EQ(err, DUET_OK);
    if (err)
        return;
    duet_msgpack_reader r;
    uint32_t count = 0, got_len = 0, got_sum = 0;
    duet_msgpack_reader_init(&r, res, len);
    TC_CHECK(duet_msgpack_read_array(&r, &count) && count == 2);
    TC_CHECK(duet_msgpack_read_u32(&r, &got_len) && duet_msgpack_read_u32(&r, &got_sum));
    TC_CHECK_EQ(got_len, n);
    TC_CHECK_EQ(got_sum, tc_fnv(data, n));
}

/* Two duet cores: messages over one buffer up to DUET_MAX_MESSAGE. */
static void scenario_big(void)
{
    TC_CHECK_EQ(duet_rpc_instance()->cfg.max_message, TC_MAX_MESSAGE);
    check_sum_bin(duet_rpc_instance(), 5, 900);
    check_sum_bin(duet_rpc_instance(), 6, 1000);
    done();
}

/* An M4 that offers no fragments (as Arduino's or MicroPython's): duet_rpmsg_* and the RPC
 * engine directly, duet_rpmsg_set_fragments(false). */
static duet_rpmsg nf_dev;
static duet_rpmsg_endpoint nf_raw, nf_rpc;
static duet_rpc nf_engine;
static uint8_t nf_tx[2 * TC_MAX_MESSAGE], nf_results[DUET_RPC_MAX_INFLIGHT * 512], nf_reasm[TC_MAX_MESSAGE];

static int scenario_nofrag(void)
{
    duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
    int err = duet_rpmsg_init_remote(&nf_dev, port, &lay, 5000);
    if (err) {
        fprintf(stderr, "M4: init_remote: %s\n", duet_rpmsg_error_text(&nf_dev));
        return 2;
    }
    duet_rpmsg_set_fragments(&nf_dev, false);
    TC_CHECK_EQ(duet_rpmsg_endpoint_create(&nf_dev, &nf_raw, "raw", NULL, 0), DUET_OK);
    /* A reassembly buffer, but fragments off: nothing over one buffer either way. */
    TC_CHECK_EQ(duet_rpmsg_endpoint_create(&nf_dev, &nf_rpc, "rpc", nf_reasm, sizeof nf_reasm), DUET_OK);
    duet_rpc_config cfg = {.tx_buffer = nf_tx, .tx_size = sizeof nf_tx,
                           .result_buffer = nf_results, .result_size = sizeof nf_results};
    TC_CHECK_EQ(duet_rpc_init(&nf_engine, &nf_rpc.link, &cfg), DUET_OK);
    TC_CHECK_EQ(duet_rpc_bind(&nf_engine, "echo", "y:y", on_echo, NULL), DUET_OK);
    TC_CHECK_EQ(duet_rpc_bind(&nf_engine, "quit", ":", on_quit, NULL), DUET_OK);
    err = duet_rpmsg_wait_ready(&nf_dev, 5000);
    if (err) {
        fprintf(stderr, "M4: wait_ready: %s\n", duet_strerror(err));
        return 2;
    }
    TC_CHECK_EQ(duet_rpmsg_endpoint_max_message(&nf_raw), TC_PAYLOAD);
    TC_CHECK_EQ(duet_rpmsg_endpoint_max_message(&nf_rpc), TC_PAYLOAD);
    duet_rpc_set_link(&nf_engine, &nf_rpc.link);
    TC_CHECK_EQ(nf_engine.cfg.max_message, TC_PAYLOAD);

    /* rpmsg level: one buffer's payload passes, one byte more is refused whole. */
    static uint8_t raw[TC_PAYLOAD + 1];
    tc_fill(raw, sizeof raw, 3, 0);
    TC_CHECK_EQ(duet_rpmsg_send(&nf_raw, raw, TC_PAYLOAD), DUET_OK);
    uint32_t sent = duet_rpmsg_get_stats(&nf_dev).tx_msgs;
    TC_CHECK_EQ(duet_rpmsg_send(&nf_raw, raw, TC_PAYLOAD + 1), DUET_ERR_TOO_LARGE);
    TC_CHECK_EQ(duet_rpmsg_get_stats(&nf_dev).tx_msgs, sent);

    /* RPC level: a request of 496 bytes to the duet M7 comes back whole; 497 is refused. */
    TC_CHECK_EQ(tc_echo_exact(&nf_engine, TC_PAYLOAD, 7), 1);
    TC_CHECK_EQ(tc_echo_exact(&nf_engine, TC_PAYLOAD + 1, 7), DUET_ERR_TOO_LARGE);

    err = duet_rpc_call(&nf_engine, "m4_done", "i:", tc_fails);
    TC_CHECK_EQ(err, DUET_OK);
    uint32_t start = tc_now_ms();
    while (!quit && tc_now_ms() - start < 30000) {
        int n = duet_rpc_poll(&nf_engine);
        if (n < 0) {
            fprintf(stderr, "M4: poll: %s\n", duet_strerror(n));
            tc_fail();
            break;
        }
        if (n == 0)
            port->wait(port, 20);
    }
    TC_CHECK(quit);
    return tc_fails ? 1 : 0;
}

/* Two processes with duet_rpmsg_* directly and 64 KiB+ reassembly buffers. */
static duet_rpmsg hg_dev;
static duet_rpmsg_endpoint hg_ep;
static uint8_t hg_reasm[TC_HUGE_CAP], hg_got[TC_HUGE_BYTES], hg_send[TC_HUGE_BYTES + 1];
static size_t hg_len;
static int hg_count;

static bool hg_deliver(void *up, const uint8_t *data, size_t len)
{
    (void)up;
    hg_count++;
    hg_len = len;
    if (len <= sizeof hg_got)
        memcpy(hg_got, data, len);
    return true;
}

static int scenario_huge(void)
{
    duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
    int err = duet_rpmsg_init_remote(&hg_dev, port, &lay, 5000);
    if (!err)
        err = duet_rpmsg_endpoint_create(&hg_dev, &hg_ep, "huge", hg_reasm, sizeof hg_reasm);
    if (!err) {
        duet_link_attach(&hg_ep.link, hg_deliver, NULL);
        err = duet_rpmsg_wait_ready(&hg_dev, 5000);
    }
    if (err) {
        fprintf(stderr, "M4: huge set-up: %s (%s)\n", duet_strerror(err), duet_rpmsg_error_text(&hg_dev));
        return 2;
    }
    TC_CHECK_EQ(duet_rpmsg_endpoint_max_message(&hg_ep), TC_HUGE_CAP);
    tc_fill(hg_send, sizeof hg_send, 11, 0);
    TC_CHECK_EQ(duet_rpmsg_send(&hg_ep, hg_send, TC_HUGE_BYTES), DUET_OK);
    /* The M7 answers with 64 KiB of its own. */
    uint32_t start = tc_now_ms();
    while (hg_count == 0 && tc_now_ms() - start < 20000) {
        int n = duet_rpmsg_poll(&hg_dev);
        if (n < 0)
            break;
        if (n == 0)
            port->wait(port, 20);
    }
    TC_CHECK_EQ(hg_count, 1);
    TC_CHECK_EQ(hg_len, TC_HUGE_BYTES);
    tc_fill(hg_send, TC_HUGE_BYTES, 12, 0);
    TC_CHECK(hg_len == TC_HUGE_BYTES && memcmp(hg_got, hg_send, TC_HUGE_BYTES) == 0);
    TC_CHECK_EQ(duet_rpmsg_get_stats(&hg_dev).dropped_large, 0);
    TC_CHECK_EQ(duet_rpmsg_get_stats(&hg_dev).corrupt, 0);
    /* The verdict, as one byte: the M7 waits for it. */
    uint8_t verdict = tc_fails ? 'F' : 'K';
    TC_CHECK_EQ(duet_rpmsg_send(&hg_ep, &verdict, 1), DUET_OK);
    /* Stay until the M7 has its buffers back. */
    start = tc_now_ms();
    while (tc_now_ms() - start < 200) {
        if (duet_rpmsg_poll(&hg_dev) == 0)
            port->wait(port, 20);
    }
    return tc_fails ? 1 : 0;
}

/* ------------------------------------------------------------ 8. threads */

/* A thread of the M4: TC_THREAD_CALLS calls of the M7's add, each checked, then a line on
 * the stream. The threads and the main thread (in delay()) share duet through the port's
 * lock; under ThreadSanitizer (test_two_core_tsan) a race among them fails the test. */
static int m4_callers_done;

static void m4_caller(void *arg)
{
    int32_t id = (int32_t)(intptr_t)arg;
    for (int32_t i = 0; i < TC_THREAD_CALLS; i++) {
        int32_t sum = 0;
        TC_CHECK_EQ(duet_call("add", "ii:i", 1000 * id, i, &sum), DUET_OK);
        TC_CHECK_EQ(sum, 1000 * id + i);
    }
    TC_CHECK(duet_printf("M4 thread %d: %d calls\n", (int)id, TC_THREAD_CALLS) > 0);
    __atomic_add_fetch(&m4_callers_done, 1, __ATOMIC_RELEASE);
}

static void scenario_threads(void)
{
    unsigned ids[TC_THREADS];
    for (int i = 0; i < TC_THREADS; i++)
        TC_CHECK_EQ(duet_thread_create(m4_caller, (void *)(intptr_t)(i + 1), &ids[i]), DUET_OK);
    /* The main thread serves the M7's threads' calls meanwhile (delay() polls). */
    uint32_t start = tc_now_ms();
    while (__atomic_load_n(&m4_callers_done, __ATOMIC_ACQUIRE) < TC_THREADS && tc_now_ms() - start < 20000 * TC_SLOW)
        delay(1);
    for (int i = 0; i < TC_THREADS; i++)
        TC_CHECK_EQ(duet_thread_join(ids[i]), DUET_OK);
    done();
}

/* ------------------------------------------------------------ 7. a hostile M7 */

/* duet_begin against whatever the M7 wrote; the verdict goes to the board's report file,
 * the exit status is duet_error() negated (18: DUET_ERR_CORRUPT). */
static int scenario_report_begin(void)
{
    int ok = duet_begin();
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", duet_posix_port_dir(port), TC_REPORT_FILE);
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%d %d %s\n", ok, duet_error(), duet_error_text());
        fclose(f);
    }
    return ok ? 100 : -duet_error();
}

/* ------------------------------------------------------------ main */

int main(void)
{
    const char *scenario = getenv(TC_SCENARIO_ENV);
    port = duet_port_default();
    if (!port || !scenario) {
        fprintf(stderr, "M4: no port or no %s\n", TC_SCENARIO_ENV);
        return 2;
    }
    if (strcmp(scenario, "nofrag") == 0)
        return scenario_nofrag();
    if (strcmp(scenario, "huge") == 0)
        return scenario_huge();
    if (strcmp(scenario, "report_begin") == 0)
        return scenario_report_begin();

    duet_bind("quit", ":", on_quit);
    duet_bind("mul", "ii:i", on_mul);
    duet_bind("tock", "i:", on_tock);
    duet_bind("tocks", ":i", on_tocks);
    duet_bind("tock_sum", ":i", on_tock_sum);
    duet_bind("g", "i:i", on_g);
    duet_bind("f2", "i:i", on_f2);
    duet_bind("h2", "i:i", on_h2);
    duet_bind("h2_calls", ":i", on_h2_calls);
    duet_bind("race", ":", on_race);
    duet_bind("burst", "uu:u", on_burst);
    duet_bind("nap", ":", on_nap);
    duet_bind("sum_bin", "y:v", on_sum_bin);
    duet_bind("echo", "y:y", on_echo);
    if (duet_error()) {
        fprintf(stderr, "M4: bind: %s\n", duet_error_text());
        return 2;
    }
    int begun = duet_begin();
    if (!begun) {
        fprintf(stderr, "M4: duet_begin: %s\n", duet_error_text());
        return 3;
    }
    if (strcmp(scenario, "boot") == 0)
        scenario_boot(begun);
    else if (strcmp(scenario, "calls") == 0)
        scenario_calls();
    else if (strcmp(scenario, "nested") == 0)
        scenario_nested();
    else if (strcmp(scenario, "stream") == 0)
        scenario_stream();
    else if (strcmp(scenario, "big") == 0)
        scenario_big();
    else if (strcmp(scenario, "kill") == 0)
        serve_until_quit(30000);
    else if (strcmp(scenario, "threads") == 0)
        scenario_threads();
    else {
        fprintf(stderr, "M4: unknown scenario %s\n", scenario);
        return 2;
    }
    duet_end();
    return tc_fails ? 1 : 0;
}

/* m4.c - CPU1's program in the QEMU tests (the M4). It plays its part of the scenario it was
 * built for (AN521_SCENARIO), then serves the M7. A failed check ends the emulator with
 * status 1 (check.c), so the M7 never waits for a dead partner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "duet/board.h"
#include "duet/duet.h"
#include "scenario.h"
#include "scribble.h"

static void serve_forever(void)
{
    duet_port *port = duet_port_default();
    for (;;) {
        int n = duet_poll();
        CHECK(n >= 0);
        if (n == 0)
            port->wait(port, 100);
    }
}

static void report_done(void)
{
    CHECK_EQ(duet_call("m4_done", ":"), DUET_OK);
}

static int on_mul(duet_req *c)
{
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) * duet_arg_int(c, 1));
}

static int on_half(duet_req *c)
{
    return duet_return_double(c, duet_arg_double(c, 0) / 2);
}

static int on_g(duet_req *c)
{
    int32_t r = 0;
    int err = duet_call("h", "i:i", 2 * duet_arg_int(c, 0), &r);
    if (err)
        return duet_req_fail(c, err, "g: the call of h failed");
    return duet_return_int(c, r + 5);
}

static int tocks;
static int on_tock(duet_req *c)
{
    tocks += duet_arg_int(c, 0);
    return DUET_OK;
}

static int on_tocks(duet_req *c)
{
    return duet_return_int(c, tocks);
}

static int on_echo(duet_req *c)
{
    uint32_t len = 0;
    const uint8_t *p = duet_arg_bin(c, 0, &len);
    duet_msgpack_write_bin(duet_req_result(c), p, len);
    return DUET_OK;
}

static void boot(void)
{
    int32_t m7_cpu = 0;
    CHECK_EQ(duet_call("hello", "i:i", duet_cpu_id(), &m7_cpu), DUET_OK);
    CHECK_EQ(m7_cpu, DUET_CPU_M7);
    CHECK_EQ(duet_println("M4 says hello"), strlen("M4 says hello") + 2);
    report_done();
}

static void calls(void)
{
    for (int32_t i = -50; i <= 50; i++) {
        int32_t sum = 0;
        CHECK_EQ(duet_call("add", "ii:i", i, 1000 * i, &sum), DUET_OK);
        CHECK_EQ(sum, 1001 * i);
    }
    int32_t sum = 0;
    CHECK_EQ(duet_call("add", "ii:i", INT32_MAX - 5, 5, &sum), DUET_OK);
    CHECK_EQ(sum, INT32_MAX);
    CHECK_EQ(duet_call("no_such_method", ":"), DUET_ERR_REMOTE);
    CHECK(strstr(duet_error_text(), "no_such_method") != NULL);
    report_done();
}

static void nested(void)
{
    static const int32_t vs[] = {10, -4, 1000, 0};
    for (unsigned i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        int32_t r = 0;
        CHECK_EQ(duet_call("f", "i:i", vs[i], &r), DUET_OK);
        CHECK_EQ(r, F(vs[i]));
    }
    report_done();
}

static void notify(void)
{
    for (int i = 1; i <= NOTIFICATIONS; i++)
        CHECK_EQ(duet_notify("tick", "i:", i), DUET_OK);
    int32_t n = 0, s = 0;
    CHECK_EQ(duet_call("ticks", ":i", &n), DUET_OK);
    CHECK_EQ(duet_call("tick_sum", ":i", &s), DUET_OK);
    CHECK_EQ(n, NOTIFICATIONS);
    CHECK_EQ(s, NOTIFICATIONS * (NOTIFICATIONS + 1) / 2);
    report_done();
}

static void stream(void)
{
    static uint8_t buf[1500];
    uint32_t off = 0;
    while (off < STREAM_BYTES) {
        uint32_t k = 1 + (off * 7u + 13u) % (uint32_t)sizeof buf;
        if (k > STREAM_BYTES - off)
            k = STREAM_BYTES - off;
        for (uint32_t i = 0; i < k; i++)
            buf[i] = pattern_byte(STREAM_SEED, off + i);
        CHECK_EQ(duet_write(buf, k), k);
        off += k;
    }
    CHECK_EQ(duet_stream_flush(duet_stream_instance()), DUET_OK);
    report_done();
}

static void sizes(void)
{
    /* On the stream: one buffer's payload goes in one message, one byte more in two. */
    static uint8_t buf[ONE_BUFFER + 1];
    for (uint32_t i = 0; i < sizeof buf; i++)
        buf[i] = pattern_byte(1, i);
    uint32_t before = duet_rpmsg_get_stats(duet_rpmsg_instance()).tx_msgs;
    CHECK_EQ(duet_write(buf, ONE_BUFFER), ONE_BUFFER);
    CHECK_EQ(duet_stream_flush(duet_stream_instance()), DUET_OK);
    CHECK_EQ(duet_rpmsg_get_stats(duet_rpmsg_instance()).tx_msgs - before, 1);
    CHECK_EQ(duet_write(buf, ONE_BUFFER + 1), ONE_BUFFER + 1);
    CHECK_EQ(duet_stream_flush(duet_stream_instance()), DUET_OK);
    CHECK_EQ(duet_rpmsg_get_stats(duet_rpmsg_instance()).tx_msgs - before, 3);
    report_done();
}

static int on_read_pin(duet_req *c)
{
    return duet_return_int(c, digitalRead(duet_arg_int(c, 0)));
}

static void board(void)
{
    CHECK_EQ(duet_serial_begin(115200), DUET_ERR_NOT_SUPPORTED);
    CHECK(strstr(duet_board_error_text(), "duet_print") != NULL);
    CHECK_EQ(duet_serial_print("lost"), 0);
    pinMode(6, INPUT_PULLUP);
    report_done();
}

static void silent(void)
{
    CHECK_EQ(duet_notify("bye", ":"), DUET_OK);
    /* Stop answering: the M4's program ends (its core halts, as on the board). */
    exit(0);
}

/* The M7 scribbles over the ring the M4 reads: the M4's link goes down with the reason, and
 * its calls fail at once. Then the M4 scribbles over the ring the M7 reads and waits for
 * the M7 to end the test. */
static void garbage(void)
{
    report_done(); /* the link works, and its answer is taken */
    pinMode(GARBAGE_PIN, OUTPUT);
    digitalWrite(GARBAGE_PIN, HIGH);
    duet_port *port = duet_port_default();
    scribble_expect_down(port, "add");
    scribble_ring_index(port, SCRIBBLE_REMOTE_USED, GARBAGE_JUMP);
    for (;;)
        port->wait(port, 1000);
}

int main(void)
{
    CHECK_EQ(duet_bind("mul", "ii:i", on_mul), DUET_OK);
    CHECK_EQ(duet_bind("g", "i:i", on_g), DUET_OK);
    CHECK_EQ(duet_bind("half", "d:d", on_half), DUET_OK);
    CHECK_EQ(duet_bind("tock", "i:", on_tock), DUET_OK);
    CHECK_EQ(duet_bind("tocks", ":i", on_tocks), DUET_OK);
    CHECK_EQ(duet_bind("echo", "y:y", on_echo), DUET_OK);
    CHECK_EQ(duet_bind("read_pin", "i:i", on_read_pin), DUET_OK);
    CHECK(duet_begin());
    CHECK_EQ(duet_cpu_id(), DUET_CPU_M4);
    /* The M4 has a part in these; in the others it only serves. */
    static const scenario parts[] = {
        {"boot", boot}, {"calls", calls}, {"nested", nested}, {"notify", notify},
        {"stream", stream}, {"sizes", sizes}, {"board", board}, {"silent", silent},
        {"garbage", garbage},
    };
    scenario_run(parts, sizeof parts / sizeof parts[0]);
    serve_forever();
}

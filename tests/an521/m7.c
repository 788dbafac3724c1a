/* m7.c - CPU0's program in the QEMU tests (the M7): boots the M4, plays the scenario it was
 * built for (AN521_SCENARIO), and ends the emulator with the result (check.c). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "duet/board.h"
#include "duet/duet.h"
#include "scenario.h"
#include "scribble.h"

static volatile bool m4_done, m4_bye;
static int32_t m4_cpu, ticks, tick_sum;

static int on_hello(duet_req *c)
{
    m4_cpu = duet_arg_int(c, 0);
    return duet_return_int(c, duet_cpu_id());
}

static int on_add(duet_req *c)
{
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

static int on_m4_done(duet_req *c)
{
    (void)c;
    m4_done = true;
    return DUET_OK;
}

static int on_bye(duet_req *c)
{
    (void)c;
    m4_bye = true;
    return DUET_OK;
}

static int on_h(duet_req *c)
{
    return duet_return_int(c, H(duet_arg_int(c, 0)));
}

static int on_f(duet_req *c)
{
    int32_t r = 0;
    int err = duet_call("g", "i:i", duet_arg_int(c, 0) + 1, &r);
    if (err)
        return duet_req_fail(c, err, "f: the call of g failed");
    return duet_return_int(c, r - 7);
}

static int on_tick(duet_req *c)
{
    ticks++;
    tick_sum += duet_arg_int(c, 0);
    return DUET_OK;
}

static int on_ticks(duet_req *c)
{
    return duet_return_int(c, ticks);
}

static int on_tick_sum(duet_req *c)
{
    return duet_return_int(c, tick_sum);
}

/* Polls until *flag is set, sleeping between polls; fails after ms milliseconds. */
static void poll_until(volatile bool *flag, uint32_t ms)
{
    duet_port *port = duet_port_default();
    uint32_t start = port->now_ms(port);
    while (!*flag) {
        int n = duet_poll();
        CHECK(n >= 0);
        CHECK(port->now_ms(port) - start < ms);
        if (n == 0)
            port->wait(port, 10);
    }
}

/* Reads n stream bytes into buf (NULL: checks them against pattern seed from offset off),
 * polling and sleeping while none is there; fails after ms milliseconds. */
static void read_stream(uint8_t *buf, uint32_t n, uint32_t seed, uint32_t off, uint32_t ms)
{
    duet_port *port = duet_port_default();
    uint32_t start = port->now_ms(port);
    for (uint32_t got = 0; got < n;) {
        if (duet_available()) {
            int b = duet_read();
            CHECK(b >= 0);
            if (buf)
                buf[got] = (uint8_t)b;
            else
                CHECK_EQ(b, pattern_byte(seed, off + got));
            got++;
            continue;
        }
        CHECK(port->now_ms(port) - start < ms);
        if (duet_poll() == 0 && !duet_available())
            port->wait(port, 10);
    }
}

static void boot(void)
{
    poll_until(&m4_done, 2000);
    CHECK_EQ(m4_cpu, DUET_CPU_M4);
    static uint8_t line[16];
    read_stream(line, 15, 0, 0, 2000);
    CHECK(memcmp(line, "M4 says hello\r\n", 15) == 0);
}

static void calls(void)
{
    for (int32_t i = -20; i <= 20; i++) {
        int32_t r = 0;
        CHECK_EQ(duet_call("mul", "ii:i", i, 3 * i, &r), DUET_OK);
        CHECK_EQ(r, 3 * i * i);
    }
    /* Floating point on cores without a double-precision FPU (the M33's is single). */
    double d = 0;
    float f = 0;
    CHECK_EQ(duet_call("half", "d:d", 3.0, &d), DUET_OK);
    CHECK(d == 1.5);
    CHECK_EQ(duet_call("half", "d:f", -1e30, &f), DUET_OK);
    CHECK(f == -5e29f);
    CHECK_EQ(duet_call("half", "l:d", (int64_t)-9007199254740993, &d), DUET_OK);
    CHECK(d == -4503599627370496.0); /* -2^53 - 1 rounds to -2^53 on the way */
    CHECK_EQ(duet_call("nope", "i:", 1), DUET_ERR_REMOTE);
    CHECK(strstr(duet_error_text(), "nope") != NULL);
    poll_until(&m4_done, 5000);
}

static void nested(void)
{
    /* The M4 calls f here, which calls g there, which calls h here. */
    poll_until(&m4_done, 5000);
}

static void async(void)
{
    duet_future f[DUET_RPC_MAX_INFLIGHT], extra;
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        CHECK_EQ(duet_call_async(&f[i], "mul", "ii:i", i, 7), DUET_OK);
    CHECK_EQ(duet_call_async(&extra, "mul", "ii:i", 1, 1), DUET_ERR_FULL);
    for (int i = DUET_RPC_MAX_INFLIGHT - 1; i >= 0; i--) {
        int32_t r = -1;
        CHECK_EQ(duet_future_wait(duet_rpc_instance(), &f[i], 2000, &r), DUET_OK);
        CHECK_EQ(r, 7 * i);
    }
}

static void notify(void)
{
    for (int i = 1; i <= 50; i++)
        CHECK_EQ(duet_notify("tock", "i:", i), DUET_OK);
    int32_t n = 0;
    CHECK_EQ(duet_call("tocks", ":i", &n), DUET_OK);
    CHECK_EQ(n, 50 * 51 / 2);
    poll_until(&m4_done, 5000); /* the M4 checked our count of its notifications */
}

static void stream(void)
{
    read_stream(NULL, STREAM_BYTES, STREAM_SEED, 0, 20000);
    poll_until(&m4_done, 5000);
    CHECK_EQ(duet_available(), 0);
}

/* Calls the M4's echo with n pattern bytes: the request is n + ECHO_OVERHEAD bytes long. */
static int echo(uint32_t n, uint32_t *fragments)
{
    static uint8_t out[MAX_MESSAGE], back[MAX_MESSAGE];
    for (uint32_t i = 0; i < n; i++)
        out[i] = pattern_byte(n, i);
    size_t len = 0;
    uint32_t before = duet_rpmsg_get_stats(duet_rpmsg_instance()).tx_msgs;
    int err = duet_call("echo", "y:y", out, (size_t)n, back, sizeof back, &len);
    *fragments = duet_rpmsg_get_stats(duet_rpmsg_instance()).tx_msgs - before;
    if (err == DUET_OK) {
        CHECK_EQ(len, n);
        CHECK(memcmp(out, back, n) == 0);
    }
    return err;
}

static void sizes(void)
{
    /* The M4 writes its stream first: once it is done, only echo's messages go out here. */
    poll_until(&m4_done, 5000);
    uint32_t fragments = 0;
    CHECK_EQ(echo(ONE_BUFFER - ECHO_OVERHEAD, &fragments), DUET_OK);
    CHECK_EQ(fragments, 1);
#if DUET_RPMSG_FRAGMENTS
    CHECK_EQ(echo(ONE_BUFFER + 1 - ECHO_OVERHEAD, &fragments), DUET_OK);
    CHECK_EQ(fragments, 2);
    CHECK_EQ(echo(MAX_MESSAGE - ECHO_OVERHEAD, &fragments), DUET_OK);
#endif
    /* The largest message and one byte more: 1025 bytes, or 497 where messages are one
     * buffer (the small configuration). Refused whole, nothing sent. */
    CHECK_EQ(echo(MAX_MESSAGE + 1 - ECHO_OVERHEAD, &fragments), DUET_ERR_TOO_LARGE);
    CHECK_EQ(fragments, 0);
    /* The M4's stream: 496 bytes and then 497, in order and whole. */
    read_stream(NULL, ONE_BUFFER, 1, 0, 5000);
    read_stream(NULL, ONE_BUFFER + 1, 1, 0, 5000);
}

static void silent(void)
{
    poll_until(&m4_bye, 5000);
    duet_port *port = duet_port_default();
    for (int i = 0; i < 2; i++) {
        uint32_t start = port->now_ms(port);
        int32_t r = 0;
        CHECK_EQ(duet_rpc_call_timeout(duet_rpc_instance(), SILENT_TIMEOUT_MS, "mul", "ii:i", 2, 3, &r),
                 DUET_ERR_TIMEOUT);
        uint32_t took = port->now_ms(port) - start;
        CHECK(took >= SILENT_TIMEOUT_MS && took < 4 * SILENT_TIMEOUT_MS);
    }
    CHECK(duet_poll() >= 0); /* the M7 itself goes on */
}

/* Each core scribbles over the index of a ring the other reads (the M7 first, once the M4
 * has nothing left to read): the core that reads it takes its link down with the reason,
 * its calls fail at once with it, and the core goes on. */
static void garbage(void)
{
    poll_until(&m4_done, 5000);
    duet_port *port = duet_port_default();
    uint32_t start = port->now_ms(port);
    while (digitalRead(GARBAGE_PIN) != HIGH) {
        CHECK(duet_poll() >= 0);
        CHECK(port->now_ms(port) - start < 5000);
        port->wait(port, 1);
    }
    scribble_ring_index(port, SCRIBBLE_HOST_AVAIL, GARBAGE_JUMP);
    /* The M4 checks what it saw, then scribbles over the ring the M7 reads. */
    scribble_expect_down(port, "mul");
    /* The M7 goes on: its clock, its Serial, a delay (which polls the link, down). */
    unsigned long t0 = millis();
    delay(5);
    CHECK(millis() - t0 >= 5);
    CHECK_EQ(duet_serial_begin(115200), DUET_OK);
    CHECK_EQ(duet_serial_println("M7 goes on"), 12);
}

/* duet/board.h on the AN521: time, pins shared by both cores, the Serial, and clear
 * errors for the parts the board lacks. */
static void board(void)
{
    unsigned long t0 = millis(), u0 = micros();
    delay(20);
    unsigned long waited = millis() - t0;
    CHECK(waited >= 20 && waited < 40);
    CHECK(micros() - u0 >= 20000);

    CHECK_EQ(duet_serial_begin(115200), DUET_OK);
    CHECK_EQ(duet_serial_println("Serial works"), 14);

    int32_t level = -1;
    pinMode(5, OUTPUT);
    digitalWrite(5, HIGH);
    CHECK_EQ(digitalRead(5), HIGH);
    CHECK_EQ(duet_call("read_pin", "i:i", 5, &level), DUET_OK);
    CHECK_EQ(level, HIGH);
    digitalWrite(5, LOW);
    CHECK_EQ(duet_call("read_pin", "i:i", 5, &level), DUET_OK);
    CHECK_EQ(level, LOW);
    poll_until(&m4_done, 5000);
    CHECK_EQ(digitalRead(6), HIGH); /* the M4's pull-up */
    CHECK_EQ(digitalRead(7), LOW);

    digitalWrite(200, HIGH);
    CHECK(strstr(duet_board_error_text(), "pin 200 does not exist") != NULL);
    CHECK_EQ(analogRead(A0), 0);
    CHECK(strstr(duet_board_error_text(), "no analog inputs") != NULL);
    analogReadResolution(12); /* accepted, as on the GIGA R1: A0 still reads 0 */
    CHECK_EQ(analogRead(A0), 0);
    analogReadResolution(17);
    CHECK(strstr(duet_board_error_text(), "analogReadResolution: 17 bits is not 1..16") != NULL);
    analogWriteResolution(0);
    CHECK(strstr(duet_board_error_text(), "analogWriteResolution: 0 bits is not 1..31") != NULL);
    duet_servo servo;
    CHECK_EQ(duet_servo_attach(&servo, 9), DUET_ERR_NOT_SUPPORTED);
    CHECK_EQ(duet_servo_read(&servo), -1);
    CHECK_EQ(duet_thread_start(NULL, NULL), DUET_ERR_ARG);

    CHECK(duet_rtc_get() >= 946684800); /* counts from 2000-01-01 until set */
    CHECK_EQ(duet_rtc_set(1700000000), DUET_OK);
    int64_t now = duet_rtc_get();
    CHECK(now >= 1700000000 && now <= 1700000002);
    CHECK_EQ(duet_rtc_set(-1), DUET_ERR_ARG);
}

/* The FPGA's 100 Hz counter (hw/misc/mps2-fpgaio.c, at 0x40302000 + 0x14 in
 * hw/arm/mps2-tz.c): QEMU's own clock, which the test's clock is held against. */
#define FPGA_CLK100HZ (*(volatile uint32_t *)0x40302014u)

/* The clock counts what passed, through a thousand sleeps of a millisecond and ten of a
 * hundred: within 20 ms and 2% of QEMU's clock, in virtual time (-icount) and in the host's
 * (an521_clock_realtime, as duet-board run runs QEMU). No M4 is needed. */
static void clock_check(void)
{
    uint32_t c0 = FPGA_CLK100HZ;
    unsigned long m0 = millis();
    for (int i = 0; i < 1000; i++)
        delay(1);
    for (int i = 0; i < 10; i++)
        delay(100);
    uint32_t passed = (FPGA_CLK100HZ - c0) * 10u;
    uint32_t counted = (uint32_t)(millis() - m0);
    printf("clock: %u ms counted, %u ms passed\n", (unsigned)counted, (unsigned)passed);
    CHECK(counted >= 2000);
    CHECK(counted + 20 >= passed);
    CHECK(counted <= passed + 20 + passed / 50);
}

/* delay() ends at the tick it was asked for (ports/cortex_m/board_time.c): a thousand delay(1)
 * take a second by both clocks, not the two they took when a delay slept to the next
 * millisecond but one, and each is at least 1000 us by micros(). Under -icount only: in the
 * host's time a busy host makes each sleep late. No M4 is needed. */
static void delay_check(void)
{
    uint32_t c0 = FPGA_CLK100HZ;
    unsigned long m0 = millis(), shortest = ~0ul, longest = 0;
    for (int i = 0; i < 1000; i++) {
        unsigned long t = micros();
        delay(1);
        unsigned long took = micros() - t;
        shortest = took < shortest ? took : shortest;
        longest = took > longest ? took : longest;
    }
    uint32_t counted = (uint32_t)(millis() - m0), passed = (FPGA_CLK100HZ - c0) * 10u;
    printf("delay: 1000 delay(1) in %u ms counted, %u ms passed; each %lu to %lu us\n", (unsigned)counted,
           (unsigned)passed, shortest, longest);
    CHECK(shortest >= 1000);
    CHECK(longest < 1100);
    CHECK(counted >= 1000 && counted <= 1060);
    CHECK(passed <= 1080); /* the FPGA's counter counts in 10 ms */

    /* delayMicroseconds sleeps to its tick too: never shorter, late by the shortest alarm
     * (256 ticks at 20 MHz: 13 us) and a wake-up's instructions at most. */
    m0 = millis();
    shortest = ~0ul;
    longest = 0;
    for (int i = 0; i < 1000; i++) {
        unsigned long t = micros();
        delayMicroseconds(300);
        unsigned long took = micros() - t;
        shortest = took < shortest ? took : shortest;
        longest = took > longest ? took : longest;
    }
    counted = (uint32_t)(millis() - m0);
    printf("delay: 1000 delayMicroseconds(300) in %u ms; each %lu to %lu us\n", (unsigned)counted, shortest,
           longest);
    CHECK(shortest >= 300);
    CHECK(longest < 360);
    CHECK(counted >= 300 && counted <= 340);
}

/* No image for the M4: duet_begin says so instead of waiting. */
static void noimage(void)
{
    CHECK(!duet_begin());
    CHECK_EQ(duet_error(), DUET_ERR_BOOT);
    CHECK(strstr(duet_error_text(), "no program") != NULL);
}

int main(void)
{
    CHECK_EQ(duet_bind("hello", "i:i", on_hello), DUET_OK);
    CHECK_EQ(duet_bind("add", "ii:i", on_add), DUET_OK);
    CHECK_EQ(duet_bind("m4_done", ":", on_m4_done), DUET_OK);
    CHECK_EQ(duet_bind("bye", ":", on_bye), DUET_OK);
    CHECK_EQ(duet_bind("h", "i:i", on_h), DUET_OK);
    CHECK_EQ(duet_bind("f", "i:i", on_f), DUET_OK);
    CHECK_EQ(duet_bind("tick", "i:", on_tick), DUET_OK);
    CHECK_EQ(duet_bind("ticks", ":i", on_ticks), DUET_OK);
    CHECK_EQ(duet_bind("tick_sum", ":i", on_tick_sum), DUET_OK);
    if (scenario_is("noimage")) {
        noimage();
        check_pass();
    }
    if (scenario_is("clock")) {
        clock_check();
        check_pass();
    }
    if (scenario_is("delay")) {
        delay_check();
        check_pass();
    }
    CHECK(duet_begin());
    CHECK_EQ(duet_cpu_id(), DUET_CPU_M7);
    static const scenario parts[] = {
        {"boot", boot}, {"calls", calls}, {"nested", nested}, {"async", async}, {"notify", notify},
        {"stream", stream}, {"sizes", sizes}, {"board", board}, {"silent", silent},
        {"garbage", garbage},
    };
    CHECK(scenario_run(parts, sizeof parts / sizeof parts[0]));
    check_pass();
}

/* test_trace.c - duet-board's --trace (tools/board/trace.c) on events fed to it directly:
 * a call and its answer on one line, in either order of arrival (each core's events reach
 * the board on their own, so an answer can come before the call it answers), a call never
 * answered, an answer to no call, a notification, and bytes that are no RPC message; and the
 * RPMsg buffers that --trace decodes into those messages (tools/board/rpmsg_decode.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "duet/msgpack.h"
#include "feed.h"
#include "rpmsg_decode.h"
#include "trace.h"

typedef struct fixture {
    board_feed feed;
    board_trace trace;
    char *text;
    size_t len;
    FILE *out;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->out = open_memstream(&f->text, &f->len);
    assert_non_null(f->out);
    board_feed_init(&f->feed);
    assert_int_equal(board_trace_attach(&f->trace, f->out, &f->feed), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fclose(f->out);
    free(f->text);
    free(f);
    return 0;
}

/* The trace's text so far. */
static const char *traced(fixture *f)
{
    fflush(f->out);
    return f->text ? f->text : "";
}

/* Publishes one RPC message a core sent at time_us. */
static void send(fixture *f, int core, uint64_t time_us, const uint8_t *msg, size_t len)
{
    board_event ev = {.time_us = time_us, .kind = BOARD_EV_RPC, .core = core, .pin = -1, .data = msg, .len = len};
    board_feed_publish(&f->feed, &ev);
}

/* [0, msgid, "add", [a, b]] from core at time_us. */
static void call_add(fixture *f, int core, uint64_t time_us, uint8_t msgid, uint8_t a, uint8_t b)
{
    const uint8_t msg[] = {0x94, 0x00, msgid, 0xa3, 'a', 'd', 'd', 0x92, a, b};
    send(f, core, time_us, msg, sizeof msg);
}

/* [1, msgid, nil, result] from core at time_us. */
static void answer(fixture *f, int core, uint64_t time_us, uint8_t msgid, uint8_t result)
{
    const uint8_t msg[] = {0x94, 0x01, msgid, 0xc0, result};
    send(f, core, time_us, msg, sizeof msg);
}

static void test_call_then_answer(void **state)
{
    fixture *f = *state;
    call_add(f, BOARD_CORE_M4, 1000, 3, 1, 2);
    assert_string_equal(traced(f), "");
    answer(f, BOARD_CORE_M7, 1041, 3, 3);
    assert_non_null(strstr(traced(f), "trace M4->M7 call #3 add(1, 2) -> 3 in 41 us\n"));
}

/* The answer's event reaches the board first: the trace waits for the call, then prints
 * both on one line, with the time between them. */
static void test_answer_before_its_call(void **state)
{
    fixture *f = *state;
    answer(f, BOARD_CORE_M7, 2050, 9, 7);
    assert_string_equal(traced(f), "");
    call_add(f, BOARD_CORE_M4, 2000, 9, 3, 4);
    const char *t = traced(f);
    assert_non_null(strstr(t, "trace M4->M7 call #9 add(3, 4) -> 7 in 50 us\n"));
    assert_null(strstr(t, "no such call"));
    board_feed_close(&f->feed);
    assert_null(strstr(traced(f), "no answer"));
}

/* An answer the M7 sent waits for a call from the M4, not for one the M7 itself made. */
static void test_early_answer_pairs_with_the_other_core(void **state)
{
    fixture *f = *state;
    answer(f, BOARD_CORE_M7, 3000, 5, 1);
    call_add(f, BOARD_CORE_M7, 3001, 5, 1, 1);
    assert_string_equal(traced(f), "");
    board_feed_close(&f->feed);
    const char *t = traced(f);
    assert_non_null(strstr(t, "trace M7->M4 answer to #5 (no such call seen) -> 1\n"));
    assert_non_null(strstr(t, "trace M7->M4 call #5 add(1, 1) -> no answer\n"));
}

static void test_notification_and_garbage(void **state)
{
    fixture *f = *state;
    const uint8_t note[] = {0x93, 0x02, 0xa4, 'b', 'e', 'e', 'p', 0x91, 0x05};
    send(f, BOARD_CORE_M4, 10, note, sizeof note);
    assert_non_null(strstr(traced(f), "trace M4->M7 notify beep(5)\n"));
    const uint8_t junk[] = {0xc1, 0xc1, 0x94, 0x00};
    send(f, BOARD_CORE_M7, 20, junk, sizeof junk);
    assert_non_null(strstr(traced(f), "trace M7->M4 4 bytes that are no msgpack-RPC message\n"));
}

/* One RPMsg buffer (header and payload) a core sent, decoded into the trace. */
static void buffer(fixture *f, rpmsg_decoder *d, int core, uint64_t time_us, uint32_t src, uint32_t dst,
                   uint16_t flags, const void *payload, uint16_t n)
{
    uint8_t b[16 + 64];
    uint32_t zero = 0;
    assert_true(n <= 64);
    memcpy(b, &src, 4);
    memcpy(b + 4, &dst, 4);
    memcpy(b + 8, &zero, 4);
    memcpy(b + 12, &n, 2);
    memcpy(b + 14, &flags, 2);
    memcpy(b + 16, payload, n);
    rpmsg_decode(d, &f->feed, core, time_us, b, 16u + n);
}

/* A large message whose sender gave up part-way (a fragment found no buffer in time) left
 * fragments out; the first buffer of the next message is flagged 0x4000 (docs/wire.md) and
 * the receiver drops them. The trace did not: it joined them to that message, and showed
 * the two as bytes that are no message. */
static void test_decoded_message_after_a_cut_one(void **state)
{
    fixture *f = *state;
    static rpmsg_decoder d;
    rpmsg_decoder_init(&d);
    uint8_t ns[40] = "rpc";
    uint32_t addr = 1024, create = 0;
    memcpy(ns + 32, &addr, 4);
    memcpy(ns + 36, &create, 4);
    buffer(f, &d, BOARD_CORE_M4, 1, 1024, 0x35, 0, ns, sizeof ns);
    buffer(f, &d, BOARD_CORE_M7, 2, 1024, 1024, 0, "", 1); /* the handshake */
    const uint8_t cut[] = {0x94, 0x00, 0x07, 0xa3, 's', 'u', 'b'};
    buffer(f, &d, BOARD_CORE_M4, 10, 1024, 1024, 0x8000, cut, sizeof cut);
    const uint8_t call[] = {0x94, 0x00, 0x03, 0xa3, 'a', 'd', 'd', 0x92, 0x01, 0x02};
    buffer(f, &d, BOARD_CORE_M4, 20, 1024, 1024, 0x4000, call, sizeof call);
    const uint8_t cut2[] = {0x94, 0x01};
    buffer(f, &d, BOARD_CORE_M7, 30, 1024, 1024, 0x8000, cut2, sizeof cut2);
    const uint8_t part1[] = {0x94, 0x01, 0x03}, part2[] = {0xc0, 0x03};
    buffer(f, &d, BOARD_CORE_M7, 41, 1024, 1024, 0x8000 | 0x4000, part1, sizeof part1);
    buffer(f, &d, BOARD_CORE_M7, 42, 1024, 1024, 0, part2, sizeof part2);
    const char *t = traced(f);
    assert_non_null(strstr(t, "trace M4->M7 call #3 add(1, 2) -> 3 in 22 us\n"));
    assert_null(strstr(t, "no msgpack-RPC message"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_call_then_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_before_its_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_early_answer_pairs_with_the_other_core, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notification_and_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decoded_message_after_a_cut_one, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

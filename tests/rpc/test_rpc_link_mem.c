/* tests/rpc/test_rpc_link_mem.c - the in-memory link pair the rpc tests stand on: order,
 * refusal (backpressure), a full queue, sizes, down, wait/idle/clock, polls nested in deliver. */
#include "fixture.h"

static fx_capture cap;

static duet_link *la(void) { return &FA.link.link; }
static duet_link *lb(void) { return &FB.link.link; }

static int setup(void **state)
{
    (void)state;
    fx_pair(0, 64, 32); /* B's queue: 64 bytes; messages of at most 32 */
    fx_capture_attach(lb(), &cap);
    return 0;
}

static void test_order_and_boundaries(void **state)
{
    (void)state;
    assert_int_equal(la()->send(la(), (const uint8_t *)"one", 3), DUET_OK);
    assert_int_equal(la()->send(la(), (const uint8_t *)"", 0), DUET_OK);
    assert_int_equal(la()->send(la(), (const uint8_t *)"three", 5), DUET_OK);
    assert_int_equal(cap.n, 0);
    assert_int_equal(lb()->poll(lb()), 3);
    assert_int_equal(cap.n, 3);
    assert_int_equal(cap.len[0], 3);
    assert_memory_equal(cap.msg[0], "one", 3);
    assert_int_equal(cap.len[1], 0);
    assert_int_equal(cap.len[2], 5);
    assert_memory_equal(cap.msg[2], "three", 5);
    assert_int_equal(lb()->poll(lb()), 0);
    /* Nothing went the other way. */
    fx_capture other;
    fx_capture_attach(la(), &other);
    assert_int_equal(la()->poll(la()), 0);
}

static void test_refusal_keeps_the_message(void **state)
{
    (void)state;
    assert_int_equal(la()->send(la(), (const uint8_t *)"a", 1), DUET_OK);
    assert_int_equal(la()->send(la(), (const uint8_t *)"b", 1), DUET_OK);
    cap.refuse = 2;
    assert_int_equal(lb()->poll(lb()), 0);
    assert_int_equal(cap.offered, 1); /* nothing after the refused one */
    assert_int_equal(lb()->poll(lb()), 0);
    assert_int_equal(cap.offered, 2);
    assert_int_equal(lb()->poll(lb()), 2);
    assert_int_equal(cap.n, 2);
    assert_memory_equal(cap.msg[0], "a", 1);
    assert_memory_equal(cap.msg[1], "b", 1);
    /* Nothing attached: kept as well. */
    duet_link_attach(lb(), NULL, NULL);
    assert_int_equal(la()->send(la(), (const uint8_t *)"c", 1), DUET_OK);
    assert_int_equal(lb()->poll(lb()), 0);
    duet_link_attach(lb(), fx_capture_deliver, &cap);
    assert_int_equal(lb()->poll(lb()), 1);
    assert_memory_equal(cap.msg[2], "c", 1);
}

static void test_full_queue_and_sizes(void **state)
{
    (void)state;
    uint8_t m[32];
    memset(m, 'm', sizeof m);
    assert_int_equal(la()->send(la(), m, 33), DUET_ERR_TOO_LARGE); /* over max_message */
    assert_int_equal(la()->send(la(), m, 28), DUET_OK);            /* 32 bytes of queue */
    assert_int_equal(la()->send(la(), m, 28), DUET_OK);            /* 64: full */
    assert_int_equal(la()->send(la(), m, 0), DUET_ERR_TIMEOUT);
    cap.refuse = 1;
    assert_int_equal(lb()->poll(lb()), 0);
    assert_int_equal(la()->send(la(), m, 0), DUET_ERR_TIMEOUT);    /* a refused message holds its room */
    assert_int_equal(lb()->poll(lb()), 2);
    assert_int_equal(la()->send(la(), m, 28), DUET_OK);
    assert_int_equal(la()->send(la(), m, 28), DUET_OK);
    assert_int_equal(lb()->poll(lb()), 2);
    assert_int_equal(cap.n, 4);
    /* Larger than the whole queue can ever hold (no max_message on this pair). */
    fx_pair(0, 16, 0);
    fx_capture_attach(lb(), &cap);
    assert_int_equal(la()->send(la(), m, 13), DUET_ERR_TOO_LARGE);
    assert_int_equal(la()->send(la(), m, 12), DUET_OK);
}

static void test_down(void **state)
{
    (void)state;
    assert_int_equal(la()->send(la(), (const uint8_t *)"x", 1), DUET_OK);
    duet_link_mem_set_down(&FB.link, true);
    assert_int_equal(la()->send(la(), (const uint8_t *)"y", 1), DUET_ERR_LINK_DOWN);
    assert_int_equal(lb()->send(lb(), (const uint8_t *)"y", 1), DUET_ERR_LINK_DOWN);
    assert_int_equal(la()->poll(la()), DUET_ERR_LINK_DOWN);
    assert_int_equal(lb()->poll(lb()), DUET_ERR_LINK_DOWN);
    duet_link_mem_set_down(&FA.link, false);
    assert_int_equal(lb()->poll(lb()), 1); /* queued before: still there */
    assert_memory_equal(cap.msg[0], "x", 1);
}

static unsigned idle_runs;

static void idle_count(void *arg)
{
    assert_ptr_equal(arg, &idle_runs);
    idle_runs++;
}

static void test_wait_idle_clock(void **state)
{
    (void)state;
    idle_runs = 0;
    assert_int_equal(la()->now_ms(la()), 0);
    la()->wait(la(), 1000);
    assert_int_equal(la()->now_ms(la()), 1); /* one virtual millisecond per wait */
    assert_int_equal(lb()->now_ms(lb()), 1);
    duet_link_mem_set_idle(&FA.link, idle_count, &idle_runs);
    la()->wait(la(), 5);
    la()->wait(la(), 5);
    assert_int_equal(idle_runs, 2);
    assert_int_equal(la()->now_ms(la()), 3);
    lb()->wait(lb(), 5);
    assert_int_equal(idle_runs, 2);
    assert_int_equal(la()->now_ms(la()), 4);
}

/* A deliver() that polls its own link again, as a nested rpc call does. */
static unsigned nested_seen;
static char nested_order[8];

static bool deliver_and_poll(void *up, const uint8_t *data, size_t len)
{
    (void)up;
    assert_int_equal(len, 1);
    nested_order[nested_seen++] = (char)data[0];
    if (data[0] == '1') {
        /* Room is made while the message is being handled: send one more to ourselves. */
        assert_int_equal(la()->send(la(), (const uint8_t *)"4", 1), DUET_OK);
        assert_true(lb()->poll(lb()) >= 0);
    }
    return true;
}

static void test_poll_nested_in_deliver(void **state)
{
    (void)state;
    nested_seen = 0;
    memset(nested_order, 0, sizeof nested_order);
    duet_link_attach(lb(), deliver_and_poll, NULL);
    assert_int_equal(la()->send(la(), (const uint8_t *)"1", 1), DUET_OK);
    assert_int_equal(la()->send(la(), (const uint8_t *)"2", 1), DUET_OK);
    assert_int_equal(la()->send(la(), (const uint8_t *)"3", 1), DUET_OK);
    assert_true(lb()->poll(lb()) >= 1);
    assert_int_equal(nested_seen, 4);
    assert_string_equal(nested_order, "1234");
    assert_int_equal(lb()->poll(lb()), 0);
    assert_int_equal(FB.link.head, 0); /* compacted once nothing was being delivered */
    assert_int_equal(FB.link.tail, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_order_and_boundaries, setup),
        cmocka_unit_test_setup(test_refusal_keeps_the_message, setup),
        cmocka_unit_test_setup(test_full_queue_and_sizes, setup),
        cmocka_unit_test_setup(test_down, setup),
        cmocka_unit_test_setup(test_wait_idle_clock, setup),
        cmocka_unit_test_setup(test_poll_nested_in_deliver, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* tests/rpc/test_rpc_async.c - futures, the in-flight limit, notifications, nested calls,
 * the low-level begin/end API, and the counters. */
#include "fixture.h"

/* ------------------------------------------------------------ handlers */

static unsigned add_calls;

static int h_add(duet_req *c)
{
    add_calls++;
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

static int h_fail(duet_req *c) { return duet_req_fail(c, DUET_ERR_STATE, "not now"); }

static int h_echo_v(duet_req *c)
{
    uint32_t len;
    const uint8_t *v = duet_arg_value(c, 0, &len);
    duet_msgpack_write_raw(duet_req_result(c), v, len);
    return duet_msgpack_writer_error(duet_req_result(c));
}

/* Notification target: adds its argument to *user and notes how it was called. */
typedef struct counter {
    int64_t sum;
    unsigned calls;
    unsigned as_notification;
} counter;

static int h_count(duet_req *c)
{
    counter *k = (counter *)duet_req_user(c);
    k->sum += duet_arg_int(c, 0);
    k->calls++;
    if (duet_req_is_notification(c))
        k->as_notification++;
    return DUET_OK;
}

static int h_count_fail(duet_req *c)
{
    counter *k = (counter *)duet_req_user(c);
    k->calls++;
    return duet_req_fail(c, DUET_ERR_ARG, "refused");
}

/* A notification target that writes a result anyway. */
static int h_count_with_result(duet_req *c)
{
    counter *k = (counter *)duet_req_user(c);
    k->calls++;
    return duet_return_int(c, 5);
}

/* Raw handler: one map of str -> int, returns the sum of the values. */
static int h_sum_map(duet_req *c)
{
    duet_msgpack_reader *r = duet_req_params(c);
    uint32_t n;
    if (duet_arg_count(c) != 1 || !duet_msgpack_read_map(r, &n))
        return duet_req_fail(c, DUET_ERR_ARG_TYPE, "expected one map");
    int64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        uint32_t klen;
        int64_t v;
        if (!duet_msgpack_read_str(r, &k, &klen) || !duet_msgpack_read_i64(r, &v))
            return duet_req_fail(c, DUET_ERR_ARG_TYPE, "expected str keys and int values");
        sum += v;
    }
    return duet_return_int(c, sum);
}

static counter count_b, count_a;

static int setup(void **state)
{
    fx_setup(state);
    add_calls = 0;
    memset(&count_a, 0, sizeof count_a);
    memset(&count_b, 0, sizeof count_b);
    assert_int_equal(duet_rpc_bind(RB, "add", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "fail", "", h_fail, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_v", "v:v", h_echo_v, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "count", "i:", h_count, &count_b), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "count_fail", "i:", h_count_fail, &count_b), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "count_result", "i:", h_count_with_result, &count_b), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "sum_map", NULL, h_sum_map, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RA, "ping", "i:", h_count, &count_a), DUET_OK);
    return 0;
}

/* ------------------------------------------------------------ futures */

static void test_future_poll_then_wait(void **state)
{
    (void)state;
    duet_future f;
    int32_t r = 0;
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 2, 3), DUET_OK);
    /* B has not run: nothing there yet, however often A looks. */
    assert_int_equal(duet_future_poll(RA, &f), DUET_ERR_AGAIN);
    assert_int_equal(duet_future_poll(RA, &f), DUET_ERR_AGAIN);
    assert_int_equal(add_calls, 0);
    assert_int_equal(duet_rpc_poll(RB), 1);
    assert_int_equal(add_calls, 1);
    assert_int_equal(duet_future_poll(RA, &f), DUET_OK);
    assert_int_equal(duet_future_poll(RA, &f), DUET_OK); /* polling does not take the result */
    uint32_t t0 = fx_now();
    assert_int_equal(duet_future_wait(RA, &f, 0, &r), DUET_OK); /* already there: no wait at all */
    assert_int_equal(fx_now(), t0);
    assert_int_equal(r, 5);
    /* The future is used up. */
    assert_int_equal(duet_future_poll(RA, &f), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RA), "future: not a waiting call (already taken or dropped)");
    assert_int_equal(duet_future_wait(RA, &f, 10, &r), DUET_ERR_ARG);
    size_t len;
    assert_int_equal(duet_future_wait_raw(RA, &f, 10, &r, sizeof r, &len), DUET_ERR_ARG);
    assert_stats(RA, 1, 1, 0, 0, 0, 0);
}

static void test_future_wait(void **state)
{
    (void)state;
    duet_future f1, f2;
    int32_t r1 = 0, r2 = 0;
    assert_int_equal(duet_rpc_call_async(RA, &f1, "add", "ii:i", 10, 1), DUET_OK);
    assert_int_equal(duet_rpc_call_async(RA, &f2, "add", "ii:i", 20, 2), DUET_OK);
    assert_int_not_equal(f1.msgid, f2.msgid);
    /* Waited in the other order than sent. */
    assert_int_equal(duet_future_wait(RA, &f2, 100, &r2), DUET_OK);
    assert_int_equal(r2, 22);
    assert_int_equal(duet_future_wait(RA, &f1, 100, &r1), DUET_OK);
    assert_int_equal(r1, 11);
    /* Result letters given to call_async decide what wait stores. */
    int64_t l = 0;
    assert_int_equal(duet_rpc_call_async(RA, &f1, "add", "ii:l", -10, 1), DUET_OK);
    assert_int_equal(duet_future_wait(RA, &f1, 100, &l), DUET_OK);
    assert_int_equal(l, -9);
    char s[8];
    assert_int_equal(duet_rpc_call_async(RA, &f1, "echo_v", "s:s", "abc"), DUET_OK);
    assert_int_equal(duet_future_wait(RA, &f1, 100, s, sizeof s), DUET_OK);
    assert_string_equal(s, "abc");
    assert_int_equal(duet_rpc_call_async(RA, &f1, "echo_v", "s:i", "abc"), DUET_OK);
    assert_int_equal(duet_future_wait(RA, &f1, 100, &r1), DUET_ERR_TYPE);
    assert_string_equal(duet_rpc_error_text(RA), "future: result: expected int32, got str");
    assert_int_equal(duet_future_wait(RA, &f1, 100, &r1), DUET_ERR_ARG); /* freed all the same */
    assert_int_equal(duet_rpc_call_async(RA, &f1, "echo_v", "s:s", "abcdef"), DUET_OK);
    assert_int_equal(duet_future_wait(RA, &f1, 100, s, (size_t)3), DUET_ERR_NOSPACE);
    assert_string_equal(duet_rpc_error_text(RA), "future: result of 6 bytes does not fit the buffer");
    /* A remote error. */
    assert_int_equal(duet_rpc_call_async(RA, &f1, "fail", ""), DUET_OK);
    assert_int_equal(duet_rpc_poll(RB), 1);
    assert_int_equal(duet_future_poll(RA, &f1), DUET_ERR_REMOTE); /* done, and failed */
    assert_int_equal(duet_future_wait(RA, &f1, 100), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "fail: not now");
    assert_int_equal(duet_rpc_call_async(RA, &f1, "nope", "i", 1), DUET_OK);
    assert_int_equal(duet_future_wait(RA, &f1, 100), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "rpclib: server could not find function 'nope' with argument count 1.");
}

static void test_future_wait_timeout_then_again(void **state)
{
    (void)state;
    duet_future f;
    int32_t r = 99;
    duet_link_mem_set_idle(&FA.link, NULL, NULL);
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 4, 5), DUET_OK);
    uint32_t t0 = fx_now();
    assert_int_equal(duet_future_wait(RA, &f, 10, &r), DUET_ERR_TIMEOUT);
    assert_int_equal(fx_now() - t0, 10);
    assert_string_equal(duet_rpc_error_text(RA), "future: timed out");
    assert_int_equal(r, 99);
    assert_int_equal(duet_future_poll(RA, &f), DUET_ERR_AGAIN); /* still valid */
    assert_int_equal(duet_future_wait(RA, &f, 7, &r), DUET_ERR_TIMEOUT);
    assert_int_equal(fx_now() - t0, 17);
    /* B runs: the next wait gets the answer. */
    duet_link_mem_set_idle(&FA.link, fx_idle_poll, RB);
    assert_int_equal(duet_future_wait(RA, &f, 10, &r), DUET_OK);
    assert_int_equal(r, 9);
    assert_int_equal(duet_rpc_get_stats(RA).late_responses, 0);
    /* The raw wait too. */
    duet_link_mem_set_idle(&FA.link, NULL, NULL);
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 100, 100), DUET_OK);
    uint8_t raw[4];
    size_t len = 0;
    assert_int_equal(duet_future_wait_raw(RA, &f, 5, raw, sizeof raw, &len), DUET_ERR_TIMEOUT);
    assert_string_equal(duet_rpc_error_text(RA), "future: timed out");
    duet_link_mem_set_idle(&FA.link, fx_idle_poll, RB);
    assert_int_equal(duet_future_wait_raw(RA, &f, 5, raw, sizeof raw, &len), DUET_OK);
    assert_int_equal(len, 2);
    assert_int_equal(raw[0], 0xcc);
    assert_int_equal(raw[1], 200);
}

/* A wait that timed out with a result kind of its own (raw, or typed by its pointer) leaves
 * the future as the call made it: a later duet_future_wait reads the result pointers the
 * call's signature names, and stores what they hold. */
static void test_future_wait_after_timed_out_wait_of_another_kind(void **state)
{
    (void)state;
    duet_future f;
    struct {
        int32_t r;
        int32_t guard; /* right after r: a 64-bit store into r would reach it */
    } x = {0, 0x55555555};
    uint8_t raw[4];
    size_t len = 0;
    duet_link_mem_set_idle(&FA.link, NULL, NULL);
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 3, 4), DUET_OK);
    assert_int_equal(duet_future_wait_raw(RA, &f, 1, raw, sizeof raw, &len), DUET_ERR_TIMEOUT);
    duet_link_mem_set_idle(&FA.link, fx_idle_poll, RB);
    assert_int_equal(duet_future_wait(RA, &f, 10, &x.r), DUET_OK);
    assert_int_equal(x.r, 7);
    /* The same after a typed wait for an int64. */
    duet_link_mem_set_idle(&FA.link, NULL, NULL);
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 5, 6), DUET_OK);
    int64_t wide = 0;
    assert_int_equal(DUET_FUTURE_WAIT(RA, &f, 1, &wide), DUET_ERR_TIMEOUT);
    duet_link_mem_set_idle(&FA.link, fx_idle_poll, RB);
    assert_int_equal(duet_future_wait(RA, &f, 10, &x.r), DUET_OK);
    assert_int_equal(x.r, 11);
    assert_int_equal(x.guard, 0x55555555);
}

static void test_future_drop(void **state)
{
    (void)state;
    duet_future f, g;
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 1, 1), DUET_OK);
    duet_future_drop(RA, &f);
    assert_int_equal(duet_future_poll(RA, &f), DUET_ERR_ARG);
    duet_future_drop(RA, &f); /* twice: nothing */
    /* The slot is free again: a new call may take it, and must not get the old answer. */
    assert_int_equal(duet_rpc_call_async(RA, &g, "add", "ii:i", 2, 2), DUET_OK);
    assert_int_equal(g.slot, f.slot);
    assert_int_not_equal(g.msgid, f.msgid);
    assert_int_equal(duet_rpc_poll(RB), 2);
    assert_int_equal(duet_rpc_poll(RA), 2);
    assert_stats(RA, 2, 2, 0, 1, 0, 0);
    int32_t r = 0;
    assert_int_equal(duet_future_wait(RA, &g, 0, &r), DUET_OK);
    assert_int_equal(r, 4);
    /* Dropping a future whose answer is already there. */
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 3, 3), DUET_OK);
    assert_int_equal(duet_rpc_poll(RB), 1);
    assert_int_equal(duet_future_poll(RA, &f), DUET_OK);
    duet_future_drop(RA, &f);
    assert_int_equal(duet_future_wait(RA, &f, 0, &r), DUET_ERR_ARG);
    assert_stats(RA, 3, 3, 0, 1, 0, 0);
    /* Futures that name no call. */
    duet_future bad = {.msgid = 0, .slot = 0xff};
    assert_int_equal(duet_future_poll(RA, &bad), DUET_ERR_ARG);
    duet_future_drop(RA, &bad);
    duet_future_drop(RA, NULL);
    assert_int_equal(duet_future_poll(RA, NULL), DUET_ERR_ARG);
    bad.slot = 3; /* a free slot */
    assert_int_equal(duet_future_wait(RA, &bad, 0), DUET_ERR_ARG);
}

/* An asynchronous call without a future is refused, sending nothing: there would be no way
 * to wait for it or drop it, and each such call would keep a slot of the in-flight table. */
static void test_call_async_without_future(void **state)
{
    (void)state;
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT + 1; i++) {
        assert_int_equal(duet_rpc_call_async(RA, NULL, "add", "ii:i", 1, 2), DUET_ERR_ARG);
        assert_string_equal(duet_rpc_error_text(RA),
                            "add: no future (NULL) to wait with: for no answer send a notification");
        assert_int_equal(DUET_RPC_CALL_ASYNC(RA, NULL, "add", 1, 2), DUET_ERR_ARG);
    }
    assert_stats(RA, 0, 0, 0, 0, 0, 0);
    int32_t r = 0;
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 1, 2, &r), DUET_OK);
    assert_int_equal(r, 3);
    assert_int_equal(add_calls, 1);
}

static void test_inflight_limit(void **state)
{
    (void)state;
    duet_future f[DUET_RPC_MAX_INFLIGHT + 1];
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        assert_int_equal(duet_rpc_call_async(RA, &f[i], "add", "ii:i", i, 1000), DUET_OK);
    assert_int_equal(duet_rpc_call_async(RA, &f[DUET_RPC_MAX_INFLIGHT], "add", "ii:i", 1, 1), DUET_ERR_FULL);
    assert_string_equal(duet_rpc_error_text(RA), "add: too many calls in flight (DUET_RPC_MAX_INFLIGHT)");
    assert_int_equal(f[DUET_RPC_MAX_INFLIGHT].slot, 0xff);
    assert_int_equal(duet_future_poll(RA, &f[DUET_RPC_MAX_INFLIGHT]), DUET_ERR_ARG);
    int32_t r = 99;
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 1, 1, &r), DUET_ERR_FULL); /* sync calls count too */
    assert_string_equal(duet_rpc_error_text(RA), "add: too many calls in flight (DUET_RPC_MAX_INFLIGHT)");
    assert_int_equal(r, 99);
    duet_future lf;
    assert_null(duet_rpc_begin_call(RA, &lf, "add"));
    assert_string_equal(duet_rpc_error_text(RA), "add: too many calls in flight (DUET_RPC_MAX_INFLIGHT)");
    /* Notifications need no slot. */
    assert_int_equal(duet_rpc_notify(RA, "count", "i:", 1), DUET_OK);
    assert_stats(RA, 0, DUET_RPC_MAX_INFLIGHT + 1, 0, 0, 0, 0);
    /* One answered and taken: room for one more. */
    assert_int_equal(duet_future_wait(RA, &f[3], 100, &r), DUET_OK);
    assert_int_equal(r, 1003);
    assert_int_equal(duet_rpc_call_async(RA, &f[3], "add", "ii:i", 3, 2000), DUET_OK);
    assert_int_equal(duet_rpc_call_async(RA, &f[DUET_RPC_MAX_INFLIGHT], "add", "ii:i", 1, 1), DUET_ERR_FULL);
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++) {
        assert_int_equal(duet_future_wait(RA, &f[i], 100, &r), DUET_OK);
        assert_int_equal(r, i + (i == 3 ? 2000 : 1000));
    }
    /* A timed-out future keeps its slot; a dropped one frees it. */
    duet_link_mem_set_idle(&FA.link, NULL, NULL);
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        assert_int_equal(duet_rpc_call_async(RA, &f[i], "add", "ii:i", i, 0), DUET_OK);
    assert_int_equal(duet_future_wait(RA, &f[0], 3, &r), DUET_ERR_TIMEOUT);
    assert_int_equal(duet_rpc_call_async(RA, &f[DUET_RPC_MAX_INFLIGHT], "add", "ii:i", 1, 1), DUET_ERR_FULL);
    duet_future_drop(RA, &f[0]);
    assert_int_equal(duet_rpc_call_async(RA, &f[0], "add", "ii:i", 50, 0), DUET_OK);
    duet_link_mem_set_idle(&FA.link, fx_idle_poll, RB);
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++) {
        assert_int_equal(duet_future_wait(RA, &f[i], 100, &r), DUET_OK);
        assert_int_equal(r, i == 0 ? 50 : i);
    }
    assert_int_equal(duet_rpc_get_stats(RA).late_responses, 1);
}

static void test_ten_thousand_async(void **state)
{
    (void)state;
    enum { N = 10000 };
    duet_future f[DUET_RPC_MAX_INFLIGHT];
    int sent = 0;
    uint32_t first_id = FA.rpc.next_msgid;
    while (sent < N) {
        int batch = N - sent < DUET_RPC_MAX_INFLIGHT ? N - sent : DUET_RPC_MAX_INFLIGHT;
        for (int i = 0; i < batch; i++) {
            int v = sent + i;
            assert_int_equal(duet_rpc_call_async(RA, &f[i], "add", "ii:i", v, -3 * v), DUET_OK);
            assert_int_equal(f[i].msgid, first_id + (uint32_t)v);
        }
        /* Every other batch waits newest first, and polls before waiting. */
        for (int j = 0; j < batch; j++) {
            int i = (sent / DUET_RPC_MAX_INFLIGHT) % 2 ? batch - 1 - j : j;
            int32_t r = 0;
            if (j == 0 && i == 0)
                assert_int_equal(duet_future_poll(RA, &f[i]), DUET_ERR_AGAIN);
            assert_int_equal(duet_future_wait(RA, &f[i], 100, &r), DUET_OK);
            assert_int_equal(r, -2 * (sent + i));
        }
        sent += batch;
    }
    assert_int_equal(add_calls, N);
    assert_stats(RA, N, N, 0, 0, 0, 0);
    assert_stats(RB, N, N, 0, 0, 0, 0);
}

/* ------------------------------------------------------------ notifications */

static void test_notify(void **state)
{
    (void)state;
    assert_int_equal(duet_rpc_notify(RA, "count", "i:", 5), DUET_OK);
    assert_int_equal(duet_rpc_notify(RA, "count", "i", 6), DUET_OK);
    assert_int_equal(count_b.calls, 0);
    assert_int_equal(duet_rpc_poll(RB), 2);
    assert_int_equal(count_b.calls, 2);
    assert_int_equal(count_b.as_notification, 2);
    assert_int_equal(count_b.sum, 11);
    assert_stats(RA, 0, 2, 0, 0, 0, 0);
    assert_stats(RB, 2, 0, 0, 0, 0, 0); /* no response */
    /* The same handler called: not a notification, and answered. */
    assert_int_equal(duet_rpc_call(RA, "count", "i:", 1), DUET_OK);
    assert_int_equal(count_b.calls, 3);
    assert_int_equal(count_b.as_notification, 2);
    assert_stats(RB, 3, 1, 0, 0, 0, 0);
}

static void test_notify_errors_send_nothing(void **state)
{
    (void)state;
    assert_int_equal(duet_rpc_notify(RA, "nope", "i", 1), DUET_OK);          /* unknown */
    assert_int_equal(duet_rpc_notify(RA, "count", "ii", 1, 2), DUET_OK);     /* argument count */
    assert_int_equal(duet_rpc_notify(RA, "count", "s", "x"), DUET_OK);       /* argument type */
    assert_int_equal(duet_rpc_notify(RA, "count", "k", UINT64_MAX), DUET_OK); /* range */
    assert_int_equal(duet_rpc_notify(RA, "count_fail", "i", 1), DUET_OK);    /* handler fails */
    assert_int_equal(duet_rpc_notify(RA, "count_result", "i", 1), DUET_OK);  /* result where nil is due */
    assert_int_equal(duet_rpc_poll(RB), 6);
    assert_int_equal(count_b.calls, 2); /* count_fail and count_result ran */
    assert_int_equal(count_b.sum, 0);
    assert_stats(RB, 6, 0, 0, 0, 0, 0);
    assert_int_equal(duet_rpc_poll(RA), 0);
    assert_stats(RA, 0, 6, 0, 0, 0, 0);
}

/* A handler that notifies the caller before it answers: the caller runs the notification
 * while it waits. */

static int h_notify_back(duet_req *c)
{
    int err = duet_rpc_notify(duet_req_rpc(c), "ping", "i:", duet_arg_int(c, 0));
    if (err)
        return err;
    return duet_return_int(c, 1);
}

static void test_notify_from_handler(void **state)
{
    (void)state;
    assert_int_equal(duet_rpc_bind(RB, "notify_back", "i:i", h_notify_back, NULL), DUET_OK);
    int32_t r = 0;
    assert_int_equal(duet_rpc_call(RA, "notify_back", "i:i", 33, &r), DUET_OK);
    assert_int_equal(r, 1);
    assert_int_equal(count_a.calls, 1);
    assert_int_equal(count_a.as_notification, 1);
    assert_int_equal(count_a.sum, 33);
    assert_stats(RA, 2, 1, 0, 0, 0, 0);
    assert_stats(RB, 1, 2, 0, 0, 0, 0);
}

/* ------------------------------------------------------------ nested calls */

static int h_f(duet_req *c) /* on B: f(x) = A.g(x + 1) + 100 */
{
    int32_t r = 0;
    assert_int_equal(FB.rpc.depth, 1);
    int err = duet_rpc_call(duet_req_rpc(c), "g", "i:i", duet_arg_int(c, 0) + 1, &r);
    if (err)
        return duet_req_fail(c, err, duet_rpc_error_text(duet_req_rpc(c)));
    return duet_return_int(c, (int64_t)r + 100);
}

static int h_g(duet_req *c) /* on A: g(y) = B.h(2 * y) + 1000 */
{
    int32_t r = 0;
    assert_int_equal(FA.rpc.depth, 1);
    int err = duet_rpc_call(duet_req_rpc(c), "h", "i:i", duet_arg_int(c, 0) * 2, &r);
    if (err)
        return duet_req_fail(c, err, duet_rpc_error_text(duet_req_rpc(c)));
    return duet_return_int(c, (int64_t)r + 1000);
}

static int h_h(duet_req *c) /* on B: h(z) = z + 5 */
{
    assert_int_equal(FB.rpc.depth, 2); /* inside f */
    assert_int_equal(FA.rpc.depth, 1); /* inside g */
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + 5);
}

static void test_nested_three_levels(void **state)
{
    (void)state;
    assert_int_equal(duet_rpc_bind(RB, "f", "i:i", h_f, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RA, "g", "i:i", h_g, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "h", "i:i", h_h, NULL), DUET_OK);
    int32_t r = 0;
    assert_int_equal(duet_rpc_call(RA, "f", "i:i", 1, &r), DUET_OK);
    assert_int_equal(r, 1109); /* h(4) = 9, g(2) = 1009, f(1) = 1109 */
    assert_stats(RA, 3, 3, 0, 0, 0, 0); /* in: g, h's answer, f's answer; out: f, h, g's answer */
    assert_stats(RB, 3, 3, 0, 0, 0, 0); /* in: f, g's answer, h; out: g, h's answer, f's answer */
    assert_int_equal(duet_rpc_call(RA, "f", "i:i", -10, &r), DUET_OK);
    assert_int_equal(r, -18 + 5 + 1000 + 100);
    /* The inner call fails: the error travels out through both handlers. */
    assert_int_equal(duet_rpc_unbind(RB, "h"), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "f", "i:i", 1, &r), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA),
                        "f: g: rpclib: server could not find function 'h' with argument count 1. Did you mean: f?");
}

static void test_nested_without_tx_room(void **state)
{
    (void)state;
    /* B's tx buffer holds one frame: the response it is building while f runs. */
    duet_rpc_config cfg = fx_config(&FB);
    cfg.tx_size = FX_MAX_MESSAGE;
    fx_init(&FB, &cfg);
    assert_int_equal(duet_rpc_bind(RB, "f", "i:i", h_f, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RA, "g", "i:i", h_g, NULL), DUET_OK);
    int32_t r = 0;
    assert_int_equal(duet_rpc_call(RA, "f", "i:i", 1, &r), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "f: g: no room left in the tx buffer (calls nested too deep)");
    assert_stats(RB, 1, 1, 0, 0, 1, 0);
    assert_stats(RA, 1, 1, 0, 0, 0, 0);
}

/* ------------------------------------------------------------ low-level API */

static void test_low_level_call_map(void **state)
{
    (void)state;
    duet_future f;
    duet_msgpack_writer *w = duet_rpc_begin_call(RA, &f, "sum_map");
    assert_non_null(w);
    duet_msgpack_write_array(w, 1);
    duet_msgpack_write_map(w, 3);
    duet_msgpack_write_cstr(w, "a");
    duet_msgpack_write_int(w, 1);
    duet_msgpack_write_cstr(w, "b");
    duet_msgpack_write_int(w, 20);
    duet_msgpack_write_cstr(w, "c");
    duet_msgpack_write_int(w, 300);
    assert_int_equal(duet_rpc_end(RA, w), DUET_OK);
    uint8_t raw[16];
    size_t len = 0;
    assert_int_equal(duet_future_wait_raw(RA, &f, 100, raw, sizeof raw, &len), DUET_OK);
    static const uint8_t want[] = {0xcd, 0x01, 0x41}; /* 321 */
    assert_int_equal(len, sizeof want);
    assert_memory_equal(raw, want, sizeof want);
    /* The future is used up. */
    assert_int_equal(duet_future_wait_raw(RA, &f, 100, raw, sizeof raw, &len), DUET_ERR_ARG);

    /* A typed wait on a low-level call: the result is any value. */
    w = duet_rpc_begin_call(RA, &f, "sum_map");
    assert_non_null(w);
    duet_msgpack_write_array(w, 1);
    duet_msgpack_write_map(w, 0);
    assert_int_equal(duet_rpc_end(RA, w), DUET_OK);
    assert_int_equal(duet_future_wait(RA, &f, 100, raw, sizeof raw, &len), DUET_OK);
    assert_int_equal(len, 1);
    assert_int_equal(raw[0], 0x00);

    /* The handler rejects what it reads. */
    w = duet_rpc_begin_call(RA, &f, "sum_map");
    duet_msgpack_write_array(w, 1);
    duet_msgpack_write_map(w, 1);
    duet_msgpack_write_int(w, 1);
    duet_msgpack_write_int(w, 1);
    assert_int_equal(duet_rpc_end(RA, w), DUET_OK);
    assert_int_equal(duet_future_wait_raw(RA, &f, 100, raw, sizeof raw, &len), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "sum_map: expected str keys and int values");
}

static void test_low_level_call_nested_array(void **state)
{
    (void)state;
    /* [[1, [2, [3, []]]], {"k": [nil, true]}] as the one 'v' parameter: echoed byte for byte. */
    duet_future f;
    duet_msgpack_writer *w = duet_rpc_begin_call(RA, &f, "echo_v");
    assert_non_null(w);
    size_t params_at = duet_msgpack_writer_size(w);
    duet_msgpack_write_array(w, 1);
    size_t value_at = duet_msgpack_writer_size(w);
    duet_msgpack_write_array(w, 2);
    duet_msgpack_write_array(w, 2);
    duet_msgpack_write_int(w, 1);
    duet_msgpack_write_array(w, 2);
    duet_msgpack_write_int(w, 2);
    duet_msgpack_write_array(w, 2);
    duet_msgpack_write_int(w, 3);
    duet_msgpack_write_array(w, 0);
    duet_msgpack_write_map(w, 1);
    duet_msgpack_write_cstr(w, "k");
    duet_msgpack_write_array(w, 2);
    duet_msgpack_write_nil(w);
    duet_msgpack_write_bool(w, true);
    assert_int_equal(duet_msgpack_writer_error(w), DUET_OK);
    uint8_t sent[64];
    size_t sent_len = duet_msgpack_writer_size(w) - value_at;
    assert_true(params_at < value_at);
    memcpy(sent, w->buf + value_at, sent_len);
    assert_int_equal(duet_rpc_end(RA, w), DUET_OK);
    uint8_t raw[64];
    size_t len = 0;
    assert_int_equal(duet_future_wait_raw(RA, &f, 100, raw, sizeof raw, &len), DUET_OK);
    assert_int_equal(len, sent_len);
    assert_memory_equal(raw, sent, sent_len);
    /* Too small a buffer: DUET_ERR_NOSPACE, and the future is freed. */
    w = duet_rpc_begin_call(RA, &f, "echo_v");
    duet_msgpack_write_array(w, 1);
    duet_msgpack_write_raw(w, sent, sent_len);
    assert_int_equal(duet_rpc_end(RA, w), DUET_OK);
    assert_int_equal(duet_future_wait_raw(RA, &f, 100, raw, sent_len - 1, &len), DUET_ERR_NOSPACE);
    assert_string_equal(duet_rpc_error_text(RA), "future: result of 14 bytes does not fit the buffer");
    assert_int_equal(duet_future_poll(RA, &f), DUET_ERR_ARG);
    /* A typed call's future waited raw. */
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 1, -2), DUET_OK);
    assert_int_equal(duet_future_wait_raw(RA, &f, 100, raw, sizeof raw, NULL), DUET_OK);
    assert_int_equal(raw[0], 0xff);
}

static void test_low_level_notify(void **state)
{
    (void)state;
    duet_msgpack_writer *w = duet_rpc_begin_notify(RA, "count");
    assert_non_null(w);
    duet_msgpack_write_array(w, 1);
    duet_msgpack_write_int(w, -77);
    assert_int_equal(duet_rpc_end(RA, w), DUET_OK);
    assert_int_equal(duet_rpc_poll(RB), 1);
    assert_int_equal(count_b.sum, -77);
    assert_int_equal(count_b.as_notification, 1);
    assert_stats(RB, 1, 0, 0, 0, 0, 0);
    assert_stats(RA, 0, 1, 0, 0, 0, 0);
}

static void test_low_level_state_errors(void **state)
{
    (void)state;
    duet_future f, g;
    assert_int_equal(duet_rpc_end(RA, &FA.rpc.open_writer), DUET_ERR_STATE);
    assert_string_equal(duet_rpc_error_text(RA), "duet_rpc_end: no low-level message is open");
    assert_null(duet_rpc_begin_call(RA, &f, NULL));
    assert_string_equal(duet_rpc_error_text(RA), "duet_rpc_begin_call: no method name (NULL)");
    assert_null(duet_rpc_begin_notify(RA, NULL));
    assert_string_equal(duet_rpc_error_text(RA), "duet_rpc_begin_notify: no method name (NULL)");
    /* A call without a future is refused: it is no notification. */
    assert_null(duet_rpc_begin_call(RA, NULL, "count"));
    assert_string_equal(duet_rpc_error_text(RA),
                        "duet_rpc_begin_call: no future (NULL) to wait with: for no answer use duet_rpc_begin_notify");

    duet_msgpack_writer *w = duet_rpc_begin_call(RA, &f, "add");
    assert_non_null(w);
    assert_null(duet_rpc_begin_call(RA, &g, "add"));
    assert_string_equal(duet_rpc_error_text(RA),
                        "duet_rpc_begin_call: another low-level message is open: finish it with duet_rpc_end() first");
    assert_int_equal(g.slot, 0xff);
    assert_null(duet_rpc_begin_notify(RA, "count"));
    duet_msgpack_writer other;
    assert_int_equal(duet_rpc_end(RA, &other), DUET_ERR_STATE);
    duet_msgpack_write_array(w, 2);
    duet_msgpack_write_int(w, 20);
    duet_msgpack_write_int(w, 22);
    assert_int_equal(duet_rpc_end(RA, w), DUET_OK);
    assert_int_equal(duet_rpc_end(RA, w), DUET_ERR_STATE); /* once only */
    int32_t r = 0;
    assert_int_equal(duet_future_wait(RA, &f, 100, &r, sizeof r, NULL), DUET_OK);

    /* A message that overflows: not sent, and the future is void. */
    w = duet_rpc_begin_call(RA, &f, "echo_v");
    assert_non_null(w);
    static char big[300];
    memset(big, 'z', sizeof big);
    duet_msgpack_write_array(w, 1);
    duet_msgpack_write_str(w, big, sizeof big);
    assert_int_equal(duet_rpc_end(RA, w), DUET_ERR_TOO_LARGE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_v: message too large");
    assert_int_equal(duet_future_poll(RA, &f), DUET_ERR_ARG);
    w = duet_rpc_begin_notify(RA, "count");
    duet_msgpack_write_array(w, 1);
    duet_msgpack_write_str(w, big, sizeof big);
    assert_int_equal(duet_rpc_end(RA, w), DUET_ERR_TOO_LARGE);
    assert_stats(RA, 1, 1, 0, 0, 0, 2);
    /* Every slot is still free. */
    duet_future fs[DUET_RPC_MAX_INFLIGHT];
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        assert_int_equal(duet_rpc_call_async(RA, &fs[i], "add", "ii:i", i, i), DUET_OK);
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++) {
        assert_int_equal(duet_future_wait(RA, &fs[i], 100, &r), DUET_OK);
        assert_int_equal(r, 2 * i);
    }
}

/* A low-level call kept open while another call is sent: each must get its own answer. */
static void test_low_level_open_while_calling(void **state)
{
    (void)state;
    duet_future f1, f2;
    duet_msgpack_writer *w = duet_rpc_begin_call(RA, &f1, "echo_v");
    assert_non_null(w);
    duet_msgpack_write_array(w, 1);
    duet_msgpack_write_int(w, 1);
    /* The tx buffer has room for another frame (2048 bytes, frames of 256). */
    assert_int_equal(duet_rpc_call_async(RA, &f2, "echo_v", "i:i", 2), DUET_OK);
    assert_int_equal(duet_rpc_end(RA, w), DUET_OK);
    uint8_t raw[8];
    size_t len = 0;
    int32_t r2 = 0;
    int e1 = duet_future_wait_raw(RA, &f1, 100, raw, sizeof raw, &len);
    int e2 = duet_future_wait(RA, &f2, 100, &r2);
    assert_int_equal(e1, DUET_OK);
    assert_int_equal(len, 1);
    assert_int_equal(raw[0], 1);
    assert_int_equal(e2, DUET_OK);
    assert_int_equal(r2, 2);
}

/* ------------------------------------------------------------ va_list forms */

static int my_call(duet_rpc *rpc, const char *method, const char *sig, ...)
{
    va_list ap;
    va_start(ap, sig);
    int err = duet_rpc_vcall(rpc, 50, method, sig, ap);
    va_end(ap);
    return err;
}

static int my_call_async(duet_rpc *rpc, duet_future *f, const char *method, const char *sig, ...)
{
    va_list ap;
    va_start(ap, sig);
    int err = duet_rpc_vcall_async(rpc, f, method, sig, ap);
    va_end(ap);
    return err;
}

static int my_notify(duet_rpc *rpc, const char *method, const char *sig, ...)
{
    va_list ap;
    va_start(ap, sig);
    int err = duet_rpc_vnotify(rpc, method, sig, ap);
    va_end(ap);
    return err;
}

static void test_va_list_forms(void **state)
{
    (void)state;
    int32_t r = 0;
    assert_int_equal(my_call(RA, "add", "ii:i", 30, 12, &r), DUET_OK);
    assert_int_equal(r, 42);
    duet_future f;
    assert_int_equal(my_call_async(RA, &f, "add", "ii:i", 1, 2), DUET_OK);
    assert_int_equal(duet_future_wait(RA, &f, 100, &r), DUET_OK);
    assert_int_equal(r, 3);
    assert_int_equal(my_notify(RA, "count", "i", 9), DUET_OK);
    assert_int_equal(duet_rpc_poll(RB), 1);
    assert_int_equal(count_b.sum, 9);
    assert_int_equal(my_call_async(RA, &f, "add", "ii:q", 1, 2), DUET_ERR_ARG);
    assert_int_equal(f.slot, 0xff);
    /* vcall's timeout is its own. */
    duet_link_mem_set_idle(&FA.link, NULL, NULL);
    uint32_t t0 = fx_now();
    assert_int_equal(my_call(RA, "add", "ii:i", 30, 12, &r), DUET_ERR_TIMEOUT);
    assert_int_equal(fx_now() - t0, 50);
}

/* ------------------------------------------------------------ counters */

static void test_stats(void **state)
{
    (void)state;
    int32_t r;
    assert_stats(RA, 0, 0, 0, 0, 0, 0);
    assert_stats(RB, 0, 0, 0, 0, 0, 0);
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 1, 2, &r), DUET_OK);
    assert_stats(RA, 1, 1, 0, 0, 0, 0);
    assert_stats(RB, 1, 1, 0, 0, 0, 0);
    assert_int_equal(duet_rpc_call(RA, "nope", "", &r), DUET_ERR_REMOTE);
    assert_stats(RA, 2, 2, 0, 0, 0, 0);
    assert_stats(RB, 2, 2, 0, 0, 1, 0);
    assert_int_equal(duet_rpc_notify(RA, "count", "i", 1), DUET_OK);
    assert_int_equal(duet_rpc_notify(RA, "nope", "i", 1), DUET_OK);
    assert_int_equal(duet_rpc_poll(RB), 2);
    assert_stats(RA, 2, 4, 0, 0, 0, 0);
    assert_stats(RB, 4, 2, 0, 0, 1, 0);
    static const uint8_t junk[] = {0xc1};
    duet_rpc_receive(RB, junk, sizeof junk);
    assert_stats(RB, 4, 2, 1, 0, 1, 0);
    duet_link_mem_set_idle(&FA.link, NULL, NULL);
    assert_int_equal(duet_rpc_call_timeout(RA, 2, "add", "ii:i", 1, 2, &r), DUET_ERR_TIMEOUT);
    assert_int_equal(duet_rpc_poll(RB), 1);
    assert_int_equal(duet_rpc_poll(RA), 1);
    assert_stats(RA, 3, 5, 0, 1, 0, 0);
    assert_stats(RB, 5, 3, 1, 0, 1, 0);
    duet_link_mem_set_down(&FA.link, true);
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 1, 2, &r), DUET_ERR_LINK_DOWN);
    assert_stats(RA, 3, 5, 0, 1, 0, 1);
    /* Counters are a copy. */
    duet_rpc_stats st = duet_rpc_get_stats(RA);
    st.msgs_in = 1000;
    assert_int_equal(st.msgs_in, 1000);
    assert_int_equal(duet_rpc_get_stats(RA).msgs_in, 3);
}

/* msgids run through 2^32 and wrap. */
static void test_msgid_wraps(void **state)
{
    (void)state;
    FA.rpc.next_msgid = UINT32_MAX;
    duet_future f1, f2;
    assert_int_equal(duet_rpc_call_async(RA, &f1, "add", "ii:i", 1, 1), DUET_OK);
    assert_int_equal(duet_rpc_call_async(RA, &f2, "add", "ii:i", 2, 2), DUET_OK);
    assert_int_equal(f1.msgid, UINT32_MAX);
    assert_int_equal(f2.msgid, 0);
    int32_t r1 = 0, r2 = 0;
    assert_int_equal(duet_future_wait(RA, &f2, 100, &r2), DUET_OK);
    assert_int_equal(duet_future_wait(RA, &f1, 100, &r1), DUET_OK);
    assert_int_equal(r1, 2);
    assert_int_equal(r2, 4);
    assert_stats(RA, 2, 2, 0, 0, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_future_poll_then_wait, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_future_wait, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_future_wait_timeout_then_again, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_future_wait_after_timed_out_wait_of_another_kind, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_future_drop, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_call_async_without_future, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_inflight_limit, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_ten_thousand_async, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_notify, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_notify_errors_send_nothing, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_notify_from_handler, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_nested_three_levels, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_nested_without_tx_room, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_low_level_call_map, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_low_level_call_nested_array, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_low_level_notify, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_low_level_state_errors, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_low_level_open_while_calling, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_va_list_forms, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_stats, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_msgid_wraps, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

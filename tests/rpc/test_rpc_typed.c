/* tests/rpc/test_rpc_typed.c - DUET_RPC_CALL (and its async, notify and wait forms): signatures derived from C types by _Generic,
 * checked by the callee like any call. */
#include "fixture.h"

static int h_add(duet_req *c)
{
    return duet_return_int(c, duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

static int h_mix(duet_req *c)
{
    /* "lkbfds:d": every scalar letter and a string, summed into a double. */
    uint32_t len;
    const char *s = duet_arg_str(c, 5, &len);
    double sum = (double)duet_arg_int64(c, 0) + (double)duet_arg_uint64(c, 1) + (duet_arg_bool(c, 2) ? 1 : 0) +
                 duet_arg_float(c, 3) + duet_arg_double(c, 4) + (double)len;
    return s ? duet_return_double(c, sum) : DUET_ERR_ARG;
}

static int h_greet(duet_req *c)
{
    uint32_t len;
    const char *name = duet_arg_str(c, 0, &len);
    duet_msgpack_writer *w = duet_req_result(c);
    duet_msgpack_write_str_header(w, 6 + len);
    duet_msgpack_write_raw(w, "hello ", 6);
    duet_msgpack_write_raw(w, name, len);
    return duet_msgpack_writer_error(w);
}

static int h_count(duet_req *c)
{
    uint32_t len;
    duet_arg_bin(c, 0, &len);
    return duet_return_uint(c, len);
}

static int h_flag(duet_req *c)
{
    return duet_return_bool(c, duet_arg_uint(c, 0) > 2);
}

static int h_tick(duet_req *c)
{
    (void)c;
    return DUET_OK;
}

static int setup(void **state)
{
    fx_setup(state);
    assert_int_equal(duet_rpc_bind(RB, "add", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "mix", "lkbfds:d", h_mix, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "greet", "s:s", h_greet, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "count", "y:u", h_count, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "flag", "u:b", h_flag, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "tick", ":", h_tick, NULL), DUET_OK);
    return 0;
}

static void test_typed_ints(void **state)
{
    (void)state;
    int32_t sum = 0;
    assert_int_equal(DUET_RPC_CALL(RA, "add", &sum, 1, 2), DUET_OK);
    assert_int_equal(sum, 3);
    short a = -7;
    char b = 2;
    assert_int_equal(DUET_RPC_CALL(RA, "add", &sum, a, b), DUET_OK);
    assert_int_equal(sum, -5);
}

static void test_typed_every_scalar(void **state)
{
    (void)state;
    double r = 0;
    int64_t big = -((int64_t)1 << 40);
    uint64_t ubig = (uint64_t)1 << 41;
    bool yes = true; /* true itself is an int in C: a bool goes as a bool variable or (bool)x */
    assert_int_equal(DUET_RPC_CALL(RA, "mix", &r, big, ubig, yes, 0.5f, 0.25, "abc"), DUET_OK);
    assert_true(r == (double)big + (double)ubig + 1 + 0.5 + 0.25 + 3);
    const char *name = "xyz";
    assert_int_equal(DUET_RPC_CALL(RA, "mix", &r, 1LL, 2ULL, (bool)false, 1.0f, 2.0, name), DUET_OK);
    assert_true(r == 1 + 2 + 0 + 1.0 + 2.0 + 3);
}

static void test_typed_str_bin_bool_none(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(DUET_RPC_CALL(RA, "greet", DUET_STR_OUT(out), "duet"), DUET_OK);
    assert_string_equal(out, "hello duet");
    char small[4];
    assert_int_equal(DUET_RPC_CALL(RA, "greet", DUET_STR_OUT(small), "duet"), DUET_ERR_NOSPACE);
    assert_string_equal(duet_rpc_error_text(RA), "greet: result of 10 bytes does not fit the buffer");
    uint32_t n = 0;
    const uint8_t bytes[5] = {1, 2, 3, 4, 5};
    assert_int_equal(DUET_RPC_CALL(RA, "count", &n, DUET_BIN(bytes, sizeof bytes)), DUET_OK);
    assert_int_equal(n, 5);
    bool flag = false;
    assert_int_equal(DUET_RPC_CALL(RA, "flag", &flag, 3u), DUET_OK);
    assert_true(flag);
    assert_int_equal(DUET_RPC_CALL(RA, "tick", NULL), DUET_OK);
    /* A result not kept: NULL takes whatever comes. */
    assert_int_equal(DUET_RPC_CALL(RA, "add", NULL, 1, 2), DUET_OK);
}

static void test_typed_mismatch_is_the_callees_error(void **state)
{
    (void)state;
    /* The types are the caller's own: a double where the callee wants an int is refused
     * there, with a sentence, and nothing is stored. */
    int32_t sum = 99;
    assert_int_equal(DUET_RPC_CALL(RA, "add", &sum, 1.5, 2), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "add: argument 1: expected int32, got float64");
    assert_int_equal(sum, 99);
    /* The result pointer's type is checked against what comes back. */
    double d;
    assert_int_equal(DUET_RPC_CALL(RA, "flag", &d, 1u), DUET_ERR_TYPE);
    assert_string_equal(duet_rpc_error_text(RA), "flag: result: expected double, got bool");
    assert_int_equal(DUET_RPC_CALL(RA, NULL, &sum, 1, 2), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RA), "call: no method name (NULL)");
}

static int ticks;
static int h_count_tick(duet_req *c)
{
    ticks += duet_arg_int(c, 0);
    return DUET_OK;
}

static void test_typed_async_notify_wait(void **state)
{
    (void)state;
    /* DUET_RPC_CALL_ASYNC sends typed values; DUET_FUTURE_WAIT takes the result as its
     * pointer's type says. */
    duet_future f, g;
    assert_int_equal(DUET_RPC_CALL_ASYNC(RA, &f, "add", 20, 22), DUET_OK);
    assert_int_equal(DUET_RPC_CALL_ASYNC(RA, &g, "greet", "duet"), DUET_OK);
    int32_t sum = 0;
    char out[16];
    assert_int_equal(DUET_FUTURE_WAIT(RA, &g, 1000, DUET_STR_OUT(out)), DUET_OK);
    assert_string_equal(out, "hello duet");
    assert_int_equal(DUET_FUTURE_WAIT(RA, &f, 1000, &sum), DUET_OK);
    assert_int_equal(sum, 42);
    /* The result is checked against the pointer's type when it is taken. */
    double d = 0;
    assert_int_equal(DUET_RPC_CALL_ASYNC(RA, &f, "flag", 1u), DUET_OK);
    assert_int_equal(DUET_FUTURE_WAIT(RA, &f, 1000, &d), DUET_ERR_TYPE);
    assert_string_equal(duet_rpc_error_text(RA), "future: result: expected double, got bool");
    /* NULL: the result is not kept. A call without arguments needs none. */
    assert_int_equal(DUET_RPC_CALL_ASYNC(RA, &f, "tick"), DUET_OK);
    assert_int_equal(DUET_FUTURE_WAIT(RA, &f, 1000, NULL), DUET_OK);
    /* A typed notification runs the function and gets no answer. */
    assert_int_equal(duet_rpc_bind(RB, "count_tick", "i:", h_count_tick, NULL), DUET_OK);
    ticks = 0;
    assert_int_equal(DUET_RPC_NOTIFY(RA, "count_tick", 5), DUET_OK);
    assert_int_equal(DUET_RPC_NOTIFY(RA, "count_tick", (short)2), DUET_OK);
    assert_int_equal(duet_rpc_poll(RB), 2);
    assert_int_equal(ticks, 7);
    /* Their errors are those of the signature forms. */
    assert_int_equal(DUET_RPC_CALL_ASYNC(RA, &f, NULL, 1), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RA), "call: no method name (NULL)");
    assert_int_equal(f.slot, 0xff);
    assert_int_equal(DUET_RPC_NOTIFY(RA, NULL), DUET_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_typed_ints, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_typed_every_scalar, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_typed_str_bin_bool_none, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_typed_mismatch_is_the_callees_error, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_typed_async_notify_wait, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

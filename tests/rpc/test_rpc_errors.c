/* tests/rpc/test_rpc_errors.c - what a caller gets when things go wrong: unknown method,
 * argument count and type, failing handlers, bad results, sizes, timeouts, link down. */
#include <stdio.h>

#include "fixture.h"

/* ------------------------------------------------------------ handlers */

static int add_calls;

static int h_add(duet_req *c)
{
    add_calls++;
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

static int h_neg(duet_req *c) { return duet_return_int(c, -(int64_t)duet_arg_int(c, 0)); }
static int h_nop(duet_req *c) { (void)c; return DUET_OK; }

static int h_fail_text(duet_req *c)
{
    assert_int_equal(duet_req_fail(c, DUET_ERR_ARG, "no such pin"), DUET_ERR_ARG);
    return DUET_ERR_ARG;
}

static int h_fail_default_text(duet_req *c) { return duet_req_fail(c, DUET_ERR_BOOT, NULL); }

static int h_fail_positive(duet_req *c)
{
    int rc = duet_req_fail(c, 5, "positive code");
    assert_int_equal(rc, DUET_ERR_REMOTE);
    return rc;
}

static int h_fail_code(duet_req *c) { (void)c; return DUET_ERR_NOT_FOUND; }

static int h_fail_after_result(duet_req *c)
{
    duet_return_int(c, 1234);
    return duet_req_fail(c, DUET_ERR_STATE, "changed my mind");
}

static int h_wrong_type(duet_req *c) { return duet_return_str(c, "not an int"); }
static int h_returns_int(duet_req *c) { return duet_return_int(c, 7); }
static int h_returns_big_int(duet_req *c) { return duet_return_int(c, (int64_t)1 << 40); }

static int h_two_values(duet_req *c)
{
    duet_return_int(c, 1);
    return duet_return_int(c, 2);
}

/* Writes one str larger than a whole message. */
static int h_big_str(duet_req *c)
{
    static char big[300];
    memset(big, 'b', sizeof big);
    duet_msgpack_write_str(duet_req_result(c), big, sizeof big);
    return DUET_OK; /* ignores the writer's error on purpose */
}

/* The natural way to return a too long string: duet_return_str passes the writer's error on. */
static int h_big_str_rc(duet_req *c)
{
    static char big[301];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    return duet_return_str(c, big);
}

/* Writes an array of 200 ints, filling the message bit by bit until it overflows; returns
 * DUET_OK (the engine finds the overflow) or the writer's error, as user says. */
static int h_big_array(duet_req *c)
{
    duet_msgpack_writer *w = duet_req_result(c);
    duet_msgpack_write_array(w, 200);
    for (int i = 0; i < 200; i++)
        duet_msgpack_write_uint(w, 1000);
    return duet_req_user(c) ? duet_msgpack_writer_error(w) : DUET_OK;
}

static int setup(void **state)
{
    fx_setup(state);
    add_calls = 0;
    assert_int_equal(duet_rpc_bind(RB, "add", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "neg", "i:i", h_neg, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "fail_text", "", h_fail_text, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "fail_default", "", h_fail_default_text, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "fail_positive", "", h_fail_positive, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "fail_code", "", h_fail_code, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "fail_after", ":i", h_fail_after_result, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "wrong_type", ":i", h_wrong_type, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "wrong_nil", ":", h_returns_int, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "missing", ":i", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "too_big_int", ":i", h_returns_big_int, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "big_int", ":l", h_returns_big_int, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "two", NULL, h_two_values, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "two_sig", ":i", h_two_values, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "big_str", ":s", h_big_str, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "big_str_rc", ":s", h_big_str_rc, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "big_array", NULL, h_big_array, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "big_array_rc", NULL, h_big_array, (void *)1), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "t_u", "u:", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "t_l", "l:", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "t_k", "k:", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "t_b", "b:", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "t_f", "f:", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "t_d", "d:", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "t_s", "s:", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "t_y", "y:", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "t_n", "n:", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "t_v", "v:", h_nop, NULL), DUET_OK);
    return 0;
}

/* Calls method on B and asserts DUET_ERR_REMOTE with exactly text. */
#define assert_remote(text, ...)                                                \
    do {                                                                        \
        assert_int_equal(duet_rpc_call(RA, __VA_ARGS__), DUET_ERR_REMOTE);     \
        assert_string_equal(duet_rpc_error_text(RA), (text));                   \
    } while (0)

/* ------------------------------------------------------------ unknown method */

static void test_unknown_method(void **state)
{
    (void)state;
    int32_t r = 99;
    assert_remote("rpclib: server could not find function 'nope' with argument count 2.", "nope", "ii:i", 1, 2, &r);
    assert_int_equal(r, 99);
    assert_remote("rpclib: server could not find function 'nope' with argument count 0.", "nope", "");
    assert_remote("rpclib: server could not find function 'nope' with argument count 8.", "nope", "iiiiiiii", 1, 2, 3,
                  4, 5, 6, 7, 8);
    /* Close names are suggested. */
    assert_remote("rpclib: server could not find function 'ad' with argument count 2. Did you mean: add?", "ad",
                  "ii:i", 1, 2, &r);
    assert_remote("rpclib: server could not find function 'ngg' with argument count 1. Did you mean: neg?", "ngg",
                  "i:i", 1, &r);
    assert_remote("rpclib: server could not find function 'fail_tex' with argument count 0. Did you mean: fail_text, "
                  "fail_after?",
                  "fail_tex", "");
    assert_remote("rpclib: server could not find function 't_q' with argument count 0. Did you mean: two, t_u, t_l, "
                  "t_k, t_b, t_f, t_d, t_s, t_y, t_n, t_v?",
                  "t_q", "");
    assert_int_equal(duet_rpc_bind(RB, "add2", "ii:i", h_add, NULL), DUET_OK);
    assert_remote("rpclib: server could not find function 'add3' with argument count 1. Did you mean: add, add2?",
                  "add3", "i:i", 1, &r);
    /* Names are case-sensitive. */
    assert_remote("rpclib: server could not find function 'ADD' with argument count 2.", "ADD", "ii:i", 1, 2, &r);
    assert_int_equal(add_calls, 0);
    assert_stats(RB, 9, 9, 0, 0, 9, 0);
    assert_stats(RA, 9, 9, 0, 0, 0, 0);
}

/* A long method name does not crowd the reason out of an error text: at most 48 bytes of it
 * are quoted, then "...". */
static void test_long_names_keep_the_reason(void **state)
{
    (void)state;
    char name[201], shown[64];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(shown, sizeof shown, "%.48s...", name);
    /* The other side's answer for a name it does not know. */
    char want[512];
    snprintf(want, sizeof want, "rpclib: server could not find function '%s' with argument count 1.", shown);
    assert_remote(want, name, "i", 1);
    /* This side's own error: the call does not fit a message. */
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(duet_rpc_call(RA, name, "s", big), DUET_ERR_TOO_LARGE);
    snprintf(want, sizeof want, "%s: message too large", shown);
    assert_string_equal(duet_rpc_error_text(RA), want);
    /* A name of 48 bytes is quoted whole. */
    name[48] = '\0';
    snprintf(want, sizeof want, "rpclib: server could not find function '%s' with argument count 0.", name);
    assert_remote(want, name, "");
}

/* ------------------------------------------------------------ arguments */

static void test_wrong_arg_count(void **state)
{
    (void)state;
    int32_t r = 99;
    assert_remote("add: expected 2 arguments, got 1", "add", "i:i", 1, &r);
    assert_remote("add: expected 2 arguments, got 3", "add", "iii:i", 1, 2, 3, &r);
    assert_remote("add: expected 2 arguments, got 0", "add", ":i", &r);
    assert_remote("neg: expected 1 argument, got 0", "neg", ":i", &r);
    assert_remote("neg: expected 1 argument, got 2", "neg", "ii:i", 1, 2, &r);
    assert_remote("t_n: expected 1 argument, got 0", "t_n", "");
    assert_remote("fail_text: expected 0 arguments, got 1", "fail_text", "i", 1);
    assert_int_equal(r, 99);
    assert_int_equal(add_calls, 0);
    assert_stats(RB, 7, 7, 0, 0, 7, 0);
}

/* More arguments than any signature takes (DUET_RPC_MAX_ARGS), to a function whose last
 * parameter is 'v': a count error, read within the engine's per-argument tables (it read
 * one entry past them, which UBSan's bounds check in the _asan build shows). */
static void test_more_arguments_than_any_signature_takes(void **state)
{
    (void)state;
    assert_int_equal(duet_rpc_bind(RB, "v8", "iiiiiiiv", h_nop, NULL), DUET_OK);
    for (unsigned n = DUET_RPC_MAX_ARGS + 1; n <= DUET_RPC_MAX_ARGS + 3; n++) {
        duet_future f;
        duet_msgpack_writer *w = duet_rpc_begin_call(RA, &f, "v8");
        assert_non_null(w);
        duet_msgpack_write_array(w, n);
        for (unsigned i = 0; i < n; i++)
            duet_msgpack_write_int(w, (int64_t)i);
        assert_int_equal(duet_rpc_end(RA, w), DUET_OK);
        uint8_t raw[16];
        size_t len = 0;
        assert_int_equal(duet_future_wait_raw(RA, &f, 100, raw, sizeof raw, &len), DUET_ERR_REMOTE);
        char want[64];
        snprintf(want, sizeof want, "v8: expected 8 arguments, got %u", n);
        assert_string_equal(duet_rpc_error_text(RA), want);
    }
}

static void test_wrong_arg_type(void **state)
{
    (void)state;
    int32_t r = 99;
    assert_remote("add: argument 2: expected int32, got str", "add", "is:i", 1, "x", &r);
    assert_remote("add: argument 1: expected int32, got float64", "add", "di:i", 1.0, 2, &r);
    assert_remote("add: argument 1: expected int32, got float32", "add", "fi:i", 1.0, 2, &r);
    assert_remote("add: argument 1: expected int32, got bool", "add", "bi:i", 1, 2, &r);
    assert_remote("add: argument 2: expected int32, got nil", "add", "in:i", 1, &r);
    assert_remote("add: argument 2: expected int32, got bin", "add", "iy:i", 1, "ab", (size_t)2, &r);
    assert_remote("add: argument 2: expected int32, got map", "add", "iv:i", 1, (const void *)"\x80", (size_t)1, &r);
    assert_remote("add: argument 2: expected int32, got array", "add", "iv:i", 1, (const void *)"\x90", (size_t)1, &r);
    assert_remote("add: argument 2: expected int32, got ext", "add", "iv:i", 1, (const void *)"\xd4\x01\x02",
                  (size_t)3, &r);
    /* The first bad argument is named. */
    assert_remote("add: argument 1: expected int32, got str", "add", "ss:i", "a", "b", &r);
    assert_remote("t_u: argument 1: expected uint32, got str", "t_u", "s", "1");
    assert_remote("t_l: argument 1: expected int64, got float64", "t_l", "d", 1.0);
    assert_remote("t_k: argument 1: expected uint64, got bool", "t_k", "b", 0);
    assert_remote("t_b: argument 1: expected bool, got int", "t_b", "i", 1);
    assert_remote("t_f: argument 1: expected float, got str", "t_f", "s", "1.0");
    assert_remote("t_d: argument 1: expected double, got nil", "t_d", "n");
    assert_remote("t_s: argument 1: expected str, got bin", "t_s", "y", "ab", (size_t)2);
    assert_remote("t_y: argument 1: expected bin, got str", "t_y", "s", "ab");
    assert_remote("t_n: argument 1: expected nil, got int", "t_n", "i", 0);
    assert_int_equal(r, 99);
    assert_int_equal(add_calls, 0);
    /* Anything goes for v. */
    assert_int_equal(duet_rpc_call(RA, "t_v", "s", "x"), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "t_v", "n"), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "t_v", "v", (const void *)"\x81\x01\x02", (size_t)3), DUET_OK);
    assert_stats(RB, 22, 22, 0, 0, 19, 0);
}

static void test_arg_out_of_range(void **state)
{
    (void)state;
    int32_t r = 99;
    const char *const range_i = "neg: argument 1: expected int32, got an integer out of its range";
    assert_remote(range_i, "neg", "l:i", (int64_t)INT32_MAX + 1, &r);
    assert_remote(range_i, "neg", "l:i", (int64_t)INT32_MIN - 1, &r);
    assert_remote(range_i, "neg", "k:i", UINT64_MAX, &r);
    assert_remote(range_i, "neg", "u:i", 0x80000000u, &r);
    assert_int_equal(duet_rpc_call(RA, "neg", "l:i", (int64_t)INT32_MAX, &r), DUET_OK);
    assert_int_equal(r, -INT32_MAX);
    assert_int_equal(duet_rpc_call(RA, "add", "li:i", (int64_t)INT32_MIN, 0, &r), DUET_OK);
    assert_int_equal(r, INT32_MIN);

    assert_remote("t_u: argument 1: expected uint32, got an integer out of its range", "t_u", "i", -1);
    assert_remote("t_u: argument 1: expected uint32, got an integer out of its range", "t_u", "k",
                  (uint64_t)UINT32_MAX + 1);
    assert_int_equal(duet_rpc_call(RA, "t_u", "k", (uint64_t)UINT32_MAX), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "t_u", "i", 0), DUET_OK);
    assert_remote("t_l: argument 1: expected int64, got an integer out of its range", "t_l", "k",
                  (uint64_t)INT64_MAX + 1);
    assert_int_equal(duet_rpc_call(RA, "t_l", "k", (uint64_t)INT64_MAX), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "t_l", "l", INT64_MIN), DUET_OK);
    assert_remote("t_k: argument 1: expected uint64, got an integer out of its range", "t_k", "i", -1);
    assert_remote("t_k: argument 1: expected uint64, got an integer out of its range", "t_k", "l", INT64_MIN);
    assert_int_equal(duet_rpc_call(RA, "t_k", "k", UINT64_MAX), DUET_OK);
}

/* ------------------------------------------------------------ handler failures */

static void test_handler_fails(void **state)
{
    (void)state;
    int32_t r = 99;
    assert_remote("fail_text: no such pin", "fail_text", "");
    assert_remote("fail_default: could not start the other core", "fail_default", "");
    assert_remote("fail_positive: positive code", "fail_positive", "");
    /* A bare error code: duet_strerror's text. */
    assert_remote("fail_code: not found", "fail_code", "");
    /* An error after a result was written: the error wins, the result is not delivered. */
    assert_remote("fail_after: changed my mind", "fail_after", ":i", &r);
    assert_int_equal(r, 99);
    assert_stats(RB, 5, 5, 0, 0, 5, 0);
    /* The next call is fine again. */
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 1, 2, &r), DUET_OK);
    assert_int_equal(r, 3);
}

static void test_handler_bad_result(void **state)
{
    (void)state;
    int32_t r = 99;
    int64_t l = 0;
    assert_remote("wrong_type: the handler returned str, its signature says int32", "wrong_type", ":i", &r);
    assert_remote("wrong_nil: the handler returned int, its signature says nil", "wrong_nil", "");
    assert_remote("missing: the handler returned nil, its signature says int32", "missing", ":i", &r);
    assert_remote("too_big_int: the handler returned int, its signature says int32", "too_big_int", ":i", &r);
    assert_remote("two: the handler wrote more than one result value", "two", ":i", &r);
    assert_remote("two_sig: the handler wrote more than one result value", "two_sig", ":i", &r);
    assert_int_equal(r, 99);
    assert_int_equal(duet_rpc_call(RA, "big_int", ":l", &l), DUET_OK);
    assert_true(l == (int64_t)1 << 40);
    /* The same value taken as int32 by the caller: DUET_ERR_RANGE, locally. */
    assert_int_equal(duet_rpc_call(RA, "big_int", ":i", &r), DUET_ERR_RANGE);
    assert_string_equal(duet_rpc_error_text(RA), "big_int: result: expected int32, got an integer out of its range");
    assert_stats(RB, 8, 8, 0, 0, 6, 0);
}

/* The handler's result overflows the response message (B's frame is FX_MAX_MESSAGE bytes). */
static void test_result_too_large_for_message_stepwise(void **state)
{
    (void)state;
    assert_remote("big_array: result too large for one message", "big_array", ":v", NULL, (size_t)0, NULL);
    /* A handler that passes the writer's error on: that error's text. */
    assert_remote("big_array_rc: output buffer too small", "big_array_rc", ":v", NULL, (size_t)0, NULL);
    assert_stats(RB, 2, 2, 0, 0, 2, 0);
    int32_t r = 0;
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 1, 2, &r), DUET_OK);
    assert_int_equal(r, 3);
}

static void test_result_too_large_for_message_one_value(void **state)
{
    (void)state;
    char s[400];
    int err = duet_rpc_call_timeout(RA, 100, "big_str", ":s", s, sizeof s);
    assert_int_equal(err, DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "big_str: result too large for one message");
    assert_stats(RB, 1, 1, 0, 0, 1, 0);
}

static void test_result_too_large_return_str(void **state)
{
    (void)state;
    char s[400];
    int err = duet_rpc_call_timeout(RA, 100, "big_str_rc", ":s", s, sizeof s);
    assert_int_equal(err, DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "big_str_rc: output buffer too small");
    assert_stats(RB, 1, 1, 0, 0, 1, 0);
}

/* A handler's failure with a text of 300 bytes. */
static int h_fail_long(duet_req *c)
{
    char text[301];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    return duet_req_fail(c, DUET_ERR_ARG, text);
}

/* Error texts longer than DUET_RPC_ERROR_TEXT are cut and end in "...". */
static void test_long_error_text(void **state)
{
    (void)state;
    assert_int_equal(duet_rpc_bind(RB, "fail_long", "", h_fail_long, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "fail_long", ""), DUET_ERR_REMOTE);
    const char *text = duet_rpc_error_text(RA);
    assert_int_equal(strlen(text), DUET_RPC_ERROR_TEXT - 1);
    assert_memory_equal(text, "fail_long: xxx", 14);
    assert_string_equal(text + DUET_RPC_ERROR_TEXT - 4, "...");
}

/* A response larger than the caller's result slot (result_size / DUET_RPC_MAX_INFLIGHT). */
static int h_make_str(duet_req *c)
{
    static char xs[256];
    memset(xs, 'x', sizeof xs);
    duet_msgpack_write_str(duet_req_result(c), xs, duet_arg_uint(c, 0));
    return duet_msgpack_writer_error(duet_req_result(c));
}

static void test_result_too_large_for_slot(void **state)
{
    (void)state;
    duet_rpc_config cfg = fx_config(&FA);
    cfg.result_size = DUET_RPC_MAX_INFLIGHT * 128;
    fx_init(&FA, &cfg);
    assert_int_equal(duet_rpc_bind(RB, "make_str", "u:s", h_make_str, NULL), DUET_OK);
    char s[200];
    /* str8: 2 bytes of header, so 126 characters fill the slot exactly. */
    assert_int_equal(duet_rpc_call(RA, "make_str", "u:s", 126u, s, sizeof s), DUET_OK);
    assert_int_equal(strlen(s), 126);
    assert_int_equal(duet_rpc_call(RA, "make_str", "u:s", 127u, s, sizeof s), DUET_ERR_TOO_LARGE);
    assert_string_equal(duet_rpc_error_text(RA), "result of 129 bytes does not fit the result slot");
    duet_future f;
    assert_int_equal(duet_rpc_call_async(RA, &f, "make_str", "u:v", 200u), DUET_OK);
    uint8_t raw[256];
    size_t len = 0;
    assert_int_equal(duet_future_wait_raw(RA, &f, 100, raw, sizeof raw, &len), DUET_ERR_TOO_LARGE);
    assert_string_equal(duet_rpc_error_text(RA), "result of 202 bytes does not fit the result slot");
    assert_stats(RA, 3, 3, 0, 0, 0, 0);
    assert_int_equal(duet_rpc_call(RA, "make_str", "u:s", 3u, s, sizeof s), DUET_OK);
    assert_string_equal(s, "xxx");
}

/* ------------------------------------------------------------ sending */

static void test_request_too_large(void **state)
{
    (void)state;
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    /* Larger than the engine's max_message (the link's 256): not sent at all. */
    assert_int_equal(duet_rpc_call(RA, "t_s", "s", big), DUET_ERR_TOO_LARGE);
    assert_string_equal(duet_rpc_error_text(RA), "t_s: message too large");
    duet_future f;
    assert_int_equal(duet_rpc_call_async(RA, &f, "t_s", "s", big), DUET_ERR_TOO_LARGE);
    assert_int_equal(duet_rpc_notify(RA, "t_s", "s", big), DUET_ERR_TOO_LARGE);
    duet_rpc_stats st = duet_rpc_get_stats(RA);
    assert_int_equal(st.msgs_out, 0);
    assert_int_equal(st.send_failures, 3);
    assert_int_equal(duet_rpc_get_stats(RB).msgs_in, 0);
    /* No slot was kept: DUET_RPC_MAX_INFLIGHT calls still fit. */
    duet_future fs[DUET_RPC_MAX_INFLIGHT];
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        assert_int_equal(duet_rpc_call_async(RA, &fs[i], "neg", "i:i", i), DUET_OK);
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++) {
        int32_t r = 99;
        assert_int_equal(duet_future_wait(RA, &fs[i], 100, &r), DUET_OK);
        assert_int_equal(r, -i);
    }
}

static void test_link_refuses_large(void **state)
{
    (void)state;
    /* The engine may encode 1024 bytes, the link carries 256: the link refuses. */
    duet_rpc_config cfg = fx_config(&FA);
    cfg.max_message = 1024;
    fx_init(&FA, &cfg);
    char big[300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(duet_rpc_call(RA, "t_s", "s", big), DUET_ERR_TOO_LARGE);
    assert_string_equal(duet_rpc_error_text(RA), "t_s: message too large");
    assert_stats(RA, 0, 0, 0, 0, 0, 1);
    assert_int_equal(duet_rpc_call(RA, "t_s", "s", "small"), DUET_OK);
}

static void test_send_queue_full(void **state)
{
    (void)state;
    /* B's queue holds 100 bytes and B is never polled: the link has no room, DUET_ERR_TIMEOUT. */
    fx_pair(0, 100, FX_MAX_MESSAGE);
    fx_init(&FA, NULL);
    fx_init(&FB, NULL);
    assert_int_equal(duet_rpc_bind(RB, "neg", "i:i", h_neg, NULL), DUET_OK);
    duet_future f[DUET_RPC_MAX_INFLIGHT];
    int sent = 0, err = DUET_OK;
    while (sent < DUET_RPC_MAX_INFLIGHT && (err = duet_rpc_call_async(RA, &f[sent], "neg", "i:i", sent)) == DUET_OK)
        sent++;
    assert_int_equal(err, DUET_ERR_TIMEOUT);
    assert_string_equal(duet_rpc_error_text(RA), "neg: timed out");
    assert_int_equal(sent, 100 / 13); /* each request: 4 bytes of queue overhead + 9 bytes */
    assert_stats(RA, 0, (unsigned)sent, 0, 0, 0, 1);
    /* Once B reads, everything sent is answered. */
    duet_link_mem_set_idle(&FA.link, fx_idle_poll, RB);
    for (int i = 0; i < sent; i++) {
        int32_t r = 99;
        assert_int_equal(duet_future_wait(RA, &f[i], 100, &r), DUET_OK);
        assert_int_equal(r, -i);
    }
}

/* ------------------------------------------------------------ timeouts */

static void test_call_timeout(void **state)
{
    (void)state;
    duet_link_mem_set_idle(&FA.link, NULL, NULL); /* B never runs while A waits */
    int32_t r = 99;
    uint32_t t0 = fx_now();
    assert_int_equal(duet_rpc_call_timeout(RA, 50, "add", "ii:i", 2, 3, &r), DUET_ERR_TIMEOUT);
    assert_int_equal(fx_now() - t0, 50);
    assert_string_equal(duet_rpc_error_text(RA), "add: timed out");
    assert_int_equal(r, 99);
    assert_int_equal(add_calls, 0);
    assert_stats(RA, 0, 1, 0, 0, 0, 0);

    /* B runs now and answers; the answer is late, counted, and dropped. */
    assert_int_equal(duet_rpc_poll(RB), 1);
    assert_int_equal(add_calls, 1);
    assert_int_equal(duet_rpc_poll(RA), 1);
    assert_stats(RA, 1, 1, 0, 1, 0, 0);
    assert_int_equal(r, 99);

    /* Nothing broke: every slot is free and calls work. */
    duet_link_mem_set_idle(&FA.link, fx_idle_poll, RB);
    duet_future f[DUET_RPC_MAX_INFLIGHT];
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        assert_int_equal(duet_rpc_call_async(RA, &f[i], "add", "ii:i", i, 1), DUET_OK);
    for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++) {
        assert_int_equal(duet_future_wait(RA, &f[i], 100, &r), DUET_OK);
        assert_int_equal(r, i + 1);
    }
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 2, 3, &r), DUET_OK);
    assert_int_equal(r, 5);
    assert_int_equal(duet_rpc_get_stats(RA).late_responses, 1);
}

static void test_timeout_zero_and_default(void **state)
{
    (void)state;
    duet_link_mem_set_idle(&FA.link, NULL, NULL);
    uint32_t t0 = fx_now();
    assert_int_equal(duet_rpc_call_timeout(RA, 0, "add", "ii:i", 2, 3, NULL), DUET_ERR_TIMEOUT);
    assert_int_equal(fx_now() - t0, 0);
    t0 = fx_now();
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 2, 3, NULL), DUET_ERR_TIMEOUT);
    assert_int_equal(fx_now() - t0, DUET_RPC_DEFAULT_TIMEOUT_MS);
    /* A configured default. */
    duet_rpc_config cfg = fx_config(&FA);
    cfg.timeout_ms = 30;
    fx_init(&FA, &cfg);
    t0 = fx_now();
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 2, 3, NULL), DUET_ERR_TIMEOUT);
    assert_int_equal(fx_now() - t0, 30);
    assert_int_equal(duet_rpc_poll(RB), 3);
    assert_int_equal(duet_rpc_poll(RA), 3);
    /* All three answers are late: the two from before the re-init, and the one after
     * (the re-initialised engine numbers its calls from 0 again). */
    assert_int_equal(duet_rpc_get_stats(RA).late_responses, 3);
}

static void test_timeout_clock_wraps(void **state)
{
    (void)state;
    duet_link_mem_set_idle(&FA.link, NULL, NULL);
    FA.link.clock_ms = FB.link.clock_ms = UINT32_MAX - 9;
    assert_int_equal(duet_rpc_call_timeout(RA, 25, "add", "ii:i", 2, 3, NULL), DUET_ERR_TIMEOUT);
    assert_int_equal(fx_now(), 15); /* wrapped: exactly 25 ms later */
    duet_link_mem_set_idle(&FA.link, fx_idle_poll, RB);
    FA.link.clock_ms = FB.link.clock_ms = UINT32_MAX;
    int32_t r = 0;
    assert_int_equal(duet_rpc_call_timeout(RA, 25, "add", "ii:i", 2, 3, &r), DUET_OK);
    assert_int_equal(r, 5);
}

/* ------------------------------------------------------------ link down */

static void test_link_down(void **state)
{
    (void)state;
    int32_t r = 99;
    duet_link_mem_set_down(&FA.link, true);
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 2, 3, &r), DUET_ERR_LINK_DOWN);
    assert_string_equal(duet_rpc_error_text(RA), "add: link down");
    assert_int_equal(r, 99);
    duet_future f;
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 2, 3), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_rpc_notify(RA, "add", "ii", 2, 3), DUET_ERR_LINK_DOWN);
    assert_null(duet_rpc_begin_call(RA, &f, "add"));
    assert_string_equal(duet_rpc_error_text(RA), "add: link down");
    assert_null(duet_rpc_begin_notify(RA, "add"));
    assert_int_equal(duet_rpc_poll(RA), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_rpc_poll(RB), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_rpc_get_stats(RA).msgs_out, 0);
    assert_int_equal(duet_rpc_get_stats(RA).send_failures, 1);
    assert_int_equal(duet_rpc_get_stats(RB).msgs_in, 0);
}

static int idle_calls;

/* Lets B run twice, then cuts the link. */
static void idle_then_cut(void *arg)
{
    (void)arg;
    if (++idle_calls == 3)
        duet_link_mem_set_down(&FA.link, true);
}

static void test_link_down_while_waiting(void **state)
{
    (void)state;
    idle_calls = 0;
    duet_link_mem_set_idle(&FA.link, idle_then_cut, NULL);
    uint32_t t0 = fx_now();
    assert_int_equal(duet_rpc_call_timeout(RA, 1000, "add", "ii:i", 2, 3, NULL), DUET_ERR_LINK_DOWN);
    assert_int_equal(fx_now() - t0, 3);
    assert_string_equal(duet_rpc_error_text(RA), "add: link down");
    /* An async call in flight when the link goes: poll and wait report it. */
    fx_setup(state);
    assert_int_equal(duet_rpc_bind(RB, "add", "ii:i", h_add, NULL), DUET_OK);
    duet_future f;
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 2, 3), DUET_OK);
    duet_link_mem_set_down(&FB.link, true);
    assert_int_equal(duet_future_poll(RA, &f), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_future_wait(RA, &f, 100, NULL), DUET_ERR_LINK_DOWN);
    assert_string_equal(duet_rpc_error_text(RA), "future: link down");
    /* The future is over. */
    assert_int_equal(duet_future_wait(RA, &f, 100, NULL), DUET_ERR_ARG);
}

/* duet_rpc_set_link: a new (or restored) link clears the link error and fails the calls
 * that were waiting on the old one. */
static void test_set_link(void **state)
{
    (void)state;
    int32_t r = 99;
    duet_link_mem_set_down(&FA.link, true);
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 2, 3, &r), DUET_ERR_LINK_DOWN);
    duet_link_mem_set_down(&FA.link, false);
    /* The engine remembers that its link went down until it is given a link again. */
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 2, 3, &r), DUET_ERR_LINK_DOWN);
    duet_rpc_set_link(RA, &FA.link.link);
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 2, 3, &r), DUET_OK);
    assert_int_equal(r, 5);

    /* A call in flight when the link is replaced ends with DUET_ERR_LINK_DOWN. */
    duet_future f;
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 4, 4), DUET_OK);
    duet_rpc_set_link(RA, &FA.link.link);
    assert_int_equal(duet_future_poll(RA, &f), DUET_ERR_LINK_DOWN);
    r = 99;
    assert_int_equal(duet_future_wait(RA, &f, 100, &r), DUET_ERR_LINK_DOWN);
    assert_int_equal(r, 99);
    assert_int_equal(duet_future_wait(RA, &f, 100, &r), DUET_ERR_ARG);
    /* Its answer, when B sends it, is late. */
    assert_int_equal(duet_rpc_poll(RB), 1);
    assert_int_equal(duet_rpc_poll(RA), 1);
    assert_int_equal(duet_rpc_get_stats(RA).late_responses, 1);
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 2, 3, &r), DUET_OK);
    assert_int_equal(r, 5);

    /* The error text of a call failed by set_link. */
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 4, 4), DUET_OK);
    duet_rpc_set_link(RA, &FA.link.link);
    assert_int_equal(duet_future_wait(RA, &f, 100, &r), DUET_ERR_LINK_DOWN);
    assert_string_equal(duet_rpc_error_text(RA), "link changed while the call waited");
}

/* ------------------------------------------------------------ failed notifications */

/* What B's report hook was told last, and how often. */
static char reported[DUET_RPC_ERROR_TEXT + 64];
static unsigned reports;

static void on_report(void *arg, const char *text)
{
    assert_ptr_equal(arg, &reports);
    snprintf(reported, sizeof reported, "%s", text);
    reports++;
}

/* B's handler "outer" holds B's only frame (its response) while A notifies "note" and B
 * polls: B has no frame left to serve it in. */
static int h_outer(duet_req *c)
{
    assert_int_equal(duet_rpc_notify(RA, "note", "i", 1), DUET_OK);
    assert_int_equal(duet_rpc_poll(RB), 1);
    return duet_return_int(c, 1);
}

static void test_failed_notifications_reported(void **state)
{
    (void)state;
    duet_rpc_config cfg = fx_config(&FB);
    cfg.tx_size = FX_MAX_MESSAGE; /* one frame */
    cfg.report = on_report;
    cfg.report_arg = &reports;
    fx_init(&FB, &cfg);
    reports = 0;
    /* Nothing bound on B: rpclib's sentence. */
    assert_int_equal(duet_rpc_notify(RA, "nope", ""), DUET_OK);
    assert_int_equal(duet_rpc_poll(RB), 1);
    assert_int_equal(reports, 1);
    assert_string_equal(reported,
                        "notification nope failed: rpclib: server could not find function 'nope' with argument count 0.");
    /* A handler that fails, and one that finds no frame for its response. */
    assert_int_equal(duet_rpc_bind(RB, "note", "i", h_fail_text, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "outer", ":i", h_outer, NULL), DUET_OK);
    assert_int_equal(duet_rpc_notify(RA, "note", "i", 1), DUET_OK);
    assert_int_equal(duet_rpc_poll(RB), 1);
    assert_int_equal(reports, 2);
    assert_string_equal(reported, "notification note failed: note: no such pin");
    int32_t r = 0;
    assert_int_equal(duet_rpc_call(RA, "outer", ":i", &r), DUET_OK);
    assert_int_equal(r, 1);
    assert_int_equal(reports, 3);
    assert_string_equal(reported,
                        "notification note failed: note: no room left in the tx buffer (calls nested too deep)");
    assert_int_equal(duet_rpc_get_stats(RB).errors_sent, 0); /* a notification gets no answer */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_method, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_long_names_keep_the_reason, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_arg_count, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_more_arguments_than_any_signature_takes, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_arg_type, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_arg_out_of_range, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_handler_fails, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_handler_bad_result, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_result_too_large_for_message_stepwise, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_result_too_large_for_message_one_value, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_result_too_large_return_str, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_long_error_text, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_result_too_large_for_slot, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_request_too_large, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_link_refuses_large, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_send_queue_full, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_call_timeout, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_timeout_zero_and_default, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_timeout_clock_wraps, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_link_down, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_link_down_while_waiting, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_set_link, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_failed_notifications_reported, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

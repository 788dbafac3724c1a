/* tests/rpc/test_rpc_types.c - every signature letter as parameter and as result, integer
 * boundaries, result buffers (copies, NOSPACE, NULL pointers), caller-side TYPE and RANGE. */
#include <float.h>

#include "fixture.h"

/* ------------------------------------------------------------ echo handlers, one per letter */

static int echo_i(duet_req *c) { return duet_return_int(c, duet_arg_int(c, 0)); }
static int echo_u(duet_req *c) { return duet_return_uint(c, duet_arg_uint(c, 0)); }
static int echo_l(duet_req *c) { return duet_return_int(c, duet_arg_int64(c, 0)); }
static int echo_k(duet_req *c) { return duet_return_uint(c, duet_arg_uint64(c, 0)); }
static int echo_b(duet_req *c) { return duet_return_bool(c, duet_arg_bool(c, 0)); }
static int echo_d(duet_req *c) { return duet_return_double(c, duet_arg_double(c, 0)); }

static int echo_f(duet_req *c)
{
    duet_msgpack_write_float(duet_req_result(c), duet_arg_float(c, 0));
    return duet_msgpack_writer_error(duet_req_result(c));
}

static int echo_s(duet_req *c)
{
    uint32_t len = 99;
    const char *s = duet_arg_str(c, 0, &len);
    assert_non_null(s);
    duet_msgpack_write_str(duet_req_result(c), s, len);
    return duet_msgpack_writer_error(duet_req_result(c));
}

static int echo_y(duet_req *c)
{
    uint32_t len = 99;
    const uint8_t *p = duet_arg_bin(c, 0, &len);
    assert_non_null(p);
    duet_msgpack_write_bin(duet_req_result(c), p, len);
    return duet_msgpack_writer_error(duet_req_result(c));
}

static int echo_n_calls;

static int echo_n(duet_req *c)
{
    echo_n_calls++;
    assert_int_equal(duet_arg_count(c), 1);
    return DUET_OK; /* no value written: the result is nil */
}

static int echo_v(duet_req *c)
{
    uint32_t len = 0;
    const uint8_t *p = duet_arg_value(c, 0, &len);
    assert_non_null(p);
    assert_true(len > 0);
    duet_msgpack_write_raw(duet_req_result(c), p, len);
    return duet_msgpack_writer_error(duet_req_result(c));
}

/* Returns a str of n 'x' (n from its uint argument). */
static int make_str(duet_req *c)
{
    static char xs[1024];
    uint32_t n = duet_arg_uint(c, 0);
    memset(xs, 'x', sizeof xs);
    duet_msgpack_write_str(duet_req_result(c), xs, n);
    return duet_msgpack_writer_error(duet_req_result(c));
}

static void bind_echoes(void)
{
    assert_int_equal(duet_rpc_bind(RB, "echo_i", "i:i", echo_i, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_u", "u:u", echo_u, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_l", "l:l", echo_l, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_k", "k:k", echo_k, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_b", "b:b", echo_b, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_f", "f:f", echo_f, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_d", "d:d", echo_d, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_s", "s:s", echo_s, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_y", "y:y", echo_y, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_n", "n:n", echo_n, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "echo_v", "v:v", echo_v, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "make_str", "u:s", make_str, NULL), DUET_OK);
}

static int setup(void **state)
{
    fx_setup(state);
    bind_echoes();
    echo_n_calls = 0;
    return 0;
}

/* ------------------------------------------------------------ integers */

static void test_int32(void **state)
{
    (void)state;
    static const int32_t values[] = {0, 1, -1, 31, -32, -33, 127, 128, -128, -129, 255, 256, 32767, -32768,
                                     65535, 65536, -32769, INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        int32_t r = 12345;
        assert_int_equal(duet_rpc_call(RA, "echo_i", "i:i", (int)values[i], &r), DUET_OK);
        assert_int_equal(r, values[i]);
        int64_t r64 = 12345;
        assert_int_equal(duet_rpc_call(RA, "echo_i", "i:l", (int)values[i], &r64), DUET_OK);
        assert_int_equal(r64, values[i]);
    }
}

static void test_uint32(void **state)
{
    (void)state;
    static const uint32_t values[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 0x7fffffffu, 0x80000000u, UINT32_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint32_t r = 12345;
        assert_int_equal(duet_rpc_call(RA, "echo_u", "u:u", (unsigned)values[i], &r), DUET_OK);
        assert_int_equal(r, values[i]);
        uint64_t r64 = 12345;
        assert_int_equal(duet_rpc_call(RA, "echo_u", "u:k", (unsigned)values[i], &r64), DUET_OK);
        assert_int_equal(r64, values[i]);
    }
}

static void test_int64(void **state)
{
    (void)state;
    static const int64_t values[] = {0, -1, INT64_MIN, INT64_MAX, (int64_t)INT32_MIN - 1, (int64_t)INT32_MAX + 1,
                                     (int64_t)UINT32_MAX, -(int64_t)UINT32_MAX, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        int64_t r = 12345;
        assert_int_equal(duet_rpc_call(RA, "echo_l", "l:l", values[i], &r), DUET_OK);
        assert_true(r == values[i]);
    }
}

static void test_uint64(void **state)
{
    (void)state;
    static const uint64_t values[] = {0, 1, UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63, ((uint64_t)1 << 63) - 1,
                                      (uint64_t)UINT32_MAX + 1};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        uint64_t r = 12345;
        assert_int_equal(duet_rpc_call(RA, "echo_k", "k:k", values[i], &r), DUET_OK);
        assert_true(r == values[i]);
    }
}

/* An integer of one letter's type is accepted by another letter when the value fits. */
static void test_int_cross_letters(void **state)
{
    (void)state;
    int32_t i = 0;
    uint32_t u = 0;
    int64_t l = 0;
    uint64_t k = 0;
    assert_int_equal(duet_rpc_call(RA, "echo_i", "u:i", 2147483647u, &i), DUET_OK);
    assert_int_equal(i, INT32_MAX);
    assert_int_equal(duet_rpc_call(RA, "echo_i", "l:u", (int64_t)5, &u), DUET_OK);
    assert_int_equal(u, 5);
    assert_int_equal(duet_rpc_call(RA, "echo_u", "k:i", (uint64_t)UINT32_MAX, &i), DUET_ERR_RANGE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_u: result: expected int32, got an integer out of its range");
    assert_int_equal(duet_rpc_call(RA, "echo_u", "k:l", (uint64_t)UINT32_MAX, &l), DUET_OK);
    assert_int_equal(l, UINT32_MAX);
    assert_int_equal(duet_rpc_call(RA, "echo_l", "i:k", 77, &k), DUET_OK);
    assert_int_equal(k, 77);
    assert_int_equal(duet_rpc_call(RA, "echo_k", "l:l", INT64_MAX, &l), DUET_OK);
    assert_true(l == INT64_MAX);
    /* Integers are accepted where a float or double is expected, both ways. */
    double d = 0;
    float f = 0;
    assert_int_equal(duet_rpc_call(RA, "echo_d", "i:d", -7, &d), DUET_OK);
    assert_true(d == -7.0);
    assert_int_equal(duet_rpc_call(RA, "echo_f", "k:f", (uint64_t)1 << 40, &f), DUET_OK);
    assert_true(f == 1099511627776.0f);
    assert_int_equal(duet_rpc_call(RA, "echo_i", "i:d", 42, &d), DUET_OK);
    assert_true(d == 42.0);
    assert_int_equal(duet_rpc_call(RA, "echo_l", "l:f", (int64_t)-3, &f), DUET_OK);
    assert_true(f == -3.0f);
    /* A float and a double stand for each other too. */
    assert_int_equal(duet_rpc_call(RA, "echo_d", "f:f", 0.5, &f), DUET_OK);
    assert_true(f == 0.5f);
    assert_int_equal(duet_rpc_call(RA, "echo_f", "d:d", 0.25, &d), DUET_OK);
    assert_true(d == 0.25);
}

/* The caller's result letter checks the range of what came back. */
static void test_result_range(void **state)
{
    (void)state;
    int32_t i = 99;
    uint32_t u = 99;
    int64_t l = 99;
    uint64_t k = 99;
    assert_int_equal(duet_rpc_call(RA, "echo_l", "l:i", (int64_t)INT32_MAX + 1, &i), DUET_ERR_RANGE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_l: result: expected int32, got an integer out of its range");
    assert_int_equal(i, 99); /* untouched */
    assert_int_equal(duet_rpc_call(RA, "echo_l", "l:i", (int64_t)INT32_MIN - 1, &i), DUET_ERR_RANGE);
    assert_int_equal(duet_rpc_call(RA, "echo_l", "l:i", (int64_t)INT32_MIN, &i), DUET_OK);
    assert_int_equal(i, INT32_MIN);
    assert_int_equal(duet_rpc_call(RA, "echo_l", "l:u", (int64_t)-1, &u), DUET_ERR_RANGE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_l: result: expected uint32, got an integer out of its range");
    assert_int_equal(duet_rpc_call(RA, "echo_l", "l:u", (int64_t)UINT32_MAX + 1, &u), DUET_ERR_RANGE);
    assert_int_equal(u, 99);
    assert_int_equal(duet_rpc_call(RA, "echo_k", "k:l", UINT64_MAX, &l), DUET_ERR_RANGE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_k: result: expected int64, got an integer out of its range");
    assert_int_equal(duet_rpc_call(RA, "echo_k", "k:l", (uint64_t)INT64_MAX + 1, &l), DUET_ERR_RANGE);
    assert_int_equal(l, 99);
    assert_int_equal(duet_rpc_call(RA, "echo_l", "l:k", INT64_MIN, &k), DUET_ERR_RANGE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_l: result: expected uint64, got an integer out of its range");
    assert_int_equal(k, 99);
    /* Also with a NULL result pointer: the value is still checked. */
    assert_int_equal(duet_rpc_call(RA, "echo_l", "l:i", (int64_t)INT32_MAX + 1, NULL), DUET_ERR_RANGE);
}

/* ------------------------------------------------------------ other letters */

static void test_bool(void **state)
{
    (void)state;
    bool r = true;
    assert_int_equal(duet_rpc_call(RA, "echo_b", "b:b", 0, &r), DUET_OK);
    assert_false(r);
    assert_int_equal(duet_rpc_call(RA, "echo_b", "b:b", 1, &r), DUET_OK);
    assert_true(r);
    r = false;
    assert_int_equal(duet_rpc_call(RA, "echo_b", "b:b", 42, &r), DUET_OK); /* any non-zero int is true */
    assert_true(r);
}

static void test_float(void **state)
{
    (void)state;
    static const float values[] = {0.0f, -0.0f, 1.5f, -0.25f, 3.14159274f, FLT_MAX, -FLT_MAX, FLT_MIN, 1e-45f};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        float r = 12345.0f;
        assert_int_equal(duet_rpc_call(RA, "echo_f", "f:f", (double)values[i], &r), DUET_OK);
        assert_memory_equal(&r, &values[i], sizeof r); /* bit-exact, -0.0 included */
    }
}

static void test_double(void **state)
{
    (void)state;
    static const double values[] = {0.0, -0.0, 0.1, -2.5, 1e300, -1e-300, DBL_MAX, DBL_MIN, 4.9e-324};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        double r = 12345.0;
        assert_int_equal(duet_rpc_call(RA, "echo_d", "d:d", values[i], &r), DUET_OK);
        assert_memory_equal(&r, &values[i], sizeof r);
    }
}

static void test_str(void **state)
{
    (void)state;
    char big[201];
    memset(big, 'q', 200);
    big[200] = '\0';
    const char *values[] = {"", "a", "hello", "0123456789012345678901234567890" /* 31 */,
                            "01234567890123456789012345678901" /* 32 */, "gr\xc3\xbc\xc3\x9f dich", big};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char r[256];
        memset(r, '#', sizeof r);
        assert_int_equal(duet_rpc_call(RA, "echo_s", "s:s", values[i], r, sizeof r), DUET_OK);
        assert_string_equal(r, values[i]);
    }
}

static void test_bin(void **state)
{
    (void)state;
    uint8_t data[200];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 37 + 11);
    data[0] = 0x00;
    data[1] = 0xff;
    data[2] = 0xc1;
    static const size_t lens[] = {0, 1, 3, 31, 32, 200};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint8_t r[256];
        size_t len = 9999;
        memset(r, 0xee, sizeof r);
        assert_int_equal(duet_rpc_call(RA, "echo_y", "y:y", data, lens[i], r, sizeof r, &len), DUET_OK);
        assert_int_equal(len, lens[i]);
        if (lens[i])
            assert_memory_equal(r, data, lens[i]);
        assert_int_equal(r[lens[i]], 0xee); /* nothing written past the value */
    }
}

static void test_nil(void **state)
{
    (void)state;
    assert_int_equal(duet_rpc_call(RA, "echo_n", "n:n"), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "echo_n", "n:"), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "echo_n", "n"), DUET_OK);
    assert_int_equal(echo_n_calls, 3);
    /* The nil result taken as any value. */
    uint8_t raw[4];
    size_t len = 0;
    assert_int_equal(duet_rpc_call(RA, "echo_n", "n:v", raw, sizeof raw, &len), DUET_OK);
    assert_int_equal(len, 1);
    assert_int_equal(raw[0], 0xc0);
}

static void test_any_value(void **state)
{
    (void)state;
    /* {"a": [1, 2.5, nil], "b": true} */
    static const uint8_t map[] = {0x82, 0xa1, 'a', 0x93, 0x01, 0xcb, 0x40, 0x04, 0, 0, 0, 0, 0, 0, 0xc0,
                                  0xa1, 'b', 0xc3};
    uint8_t r[64];
    size_t len = 0;
    assert_int_equal(duet_rpc_call(RA, "echo_v", "v:v", map, sizeof map, r, sizeof r, &len), DUET_OK);
    assert_int_equal(len, sizeof map);
    assert_memory_equal(r, map, sizeof map);
    /* Scalars are values too. */
    static const uint8_t neg[] = {0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(duet_rpc_call(RA, "echo_v", "v:v", neg, sizeof neg, r, sizeof r, &len), DUET_OK);
    assert_int_equal(len, sizeof neg);
    assert_memory_equal(r, neg, sizeof neg);
    int64_t l = 0;
    assert_int_equal(duet_rpc_call(RA, "echo_v", "v:l", neg, sizeof neg, &l), DUET_OK);
    assert_true(l == INT64_MIN);
    /* An ext and a nested empty array. */
    static const uint8_t ext[] = {0xd6, 0xff, 0x00, 0x00, 0x00, 0x01};
    assert_int_equal(duet_rpc_call(RA, "echo_v", "v:v", ext, sizeof ext, r, sizeof r, &len), DUET_OK);
    assert_int_equal(len, sizeof ext);
    assert_memory_equal(r, ext, sizeof ext);
    static const uint8_t nested[] = {0x91, 0x91, 0x90};
    assert_int_equal(duet_rpc_call(RA, "echo_v", "v:v", nested, sizeof nested, r, sizeof r, &len), DUET_OK);
    assert_int_equal(len, sizeof nested);
    assert_memory_equal(r, nested, sizeof nested);
    /* A typed value is accepted where the handler takes any value. */
    char s[8];
    assert_int_equal(duet_rpc_call(RA, "echo_v", "s:s", "abc", s, sizeof s), DUET_OK);
    assert_string_equal(s, "abc");
}

/* ------------------------------------------------------------ many parameters at once */

static int h_mix(duet_req *c)
{
    uint32_t len;
    assert_int_equal(duet_arg_count(c), 8);
    assert_int_equal(duet_arg_int(c, 0), INT32_MIN);
    assert_int_equal(duet_arg_uint(c, 1), UINT32_MAX);
    assert_true(duet_arg_int64(c, 2) == INT64_MIN);
    assert_true(duet_arg_uint64(c, 3) == UINT64_MAX);
    assert_true(duet_arg_bool(c, 4));
    assert_true(duet_arg_float(c, 5) == 0.75f);
    const char *s = duet_arg_str(c, 6, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(s, "abc", 3);
    const uint8_t *y = duet_arg_bin(c, 7, &len);
    assert_int_equal(len, 2);
    assert_int_equal(y[0], 0xde);
    assert_int_equal(y[1], 0xad);
    /* Wrong-kind accessors give nothing. */
    assert_null(duet_arg_str(c, 7, &len));
    assert_int_equal(len, 0);
    assert_null(duet_arg_bin(c, 6, NULL));
    assert_null(duet_arg_str(c, 8, &len)); /* no such argument */
    assert_int_equal(duet_arg_int(c, 8), 0);
    assert_false(duet_req_is_notification(c));
    assert_ptr_equal(duet_req_rpc(c), RB);
    return duet_return_str(c, "ok");
}

static int h_vn(duet_req *c)
{
    uint32_t len;
    const uint8_t *v = duet_arg_value(c, 0, &len);
    assert_int_equal(duet_arg_count(c), 2);
    /* The second parameter is nil; the first one's raw bytes are returned. */
    duet_msgpack_write_raw(duet_req_result(c), v, len);
    return duet_msgpack_writer_error(duet_req_result(c));
}

static void test_many_params(void **state)
{
    (void)state;
    char r[8];
    static const uint8_t bin[] = {0xde, 0xad};
    assert_int_equal(duet_rpc_bind(RB, "mix", "iulkbfsy:s", h_mix, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "mix", "iulkbfsy:s", INT32_MIN, UINT32_MAX, INT64_MIN, UINT64_MAX, 1, 0.75,
                                   "abc", bin, sizeof bin, r, sizeof r),
                     DUET_OK);
    assert_string_equal(r, "ok");
    static const uint8_t arr[] = {0x92, 0x01, 0xa1, 'z'};
    uint8_t out[8];
    size_t len;
    assert_int_equal(duet_rpc_bind(RB, "vn", "vn:v", h_vn, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "vn", "vn:v", arr, sizeof arr, out, sizeof out, &len), DUET_OK);
    assert_int_equal(len, sizeof arr);
    assert_memory_equal(out, arr, sizeof arr);
}

/* ------------------------------------------------------------ result buffers */

static void test_str_result_buffer(void **state)
{
    (void)state;
    char r[8];
    memset(r, '#', sizeof r);
    /* "hello" needs 6 bytes with its NUL. */
    assert_int_equal(duet_rpc_call(RA, "echo_s", "s:s", "hello", r, (size_t)6), DUET_OK);
    assert_string_equal(r, "hello");
    assert_int_equal(r[6], '#');
    memset(r, '#', sizeof r);
    assert_int_equal(duet_rpc_call(RA, "echo_s", "s:s", "hello", r, (size_t)5), DUET_ERR_NOSPACE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_s: result of 5 bytes does not fit the buffer");
    for (size_t i = 0; i < sizeof r; i++)
        assert_int_equal(r[i], '#'); /* untouched */
    assert_int_equal(duet_rpc_call(RA, "echo_s", "s:s", "", r, (size_t)1), DUET_OK);
    assert_string_equal(r, "");
    assert_int_equal(duet_rpc_call(RA, "echo_s", "s:s", "x", r, (size_t)0), DUET_ERR_NOSPACE);
    /* NULL buffer: the value is checked and dropped. */
    assert_int_equal(duet_rpc_call(RA, "echo_s", "s:s", "hello", NULL, (size_t)0), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "echo_i", "i:s", 5, NULL, (size_t)0), DUET_ERR_TYPE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_i: result: expected str, got int");
    /* A long result, made remotely. */
    char big[200];
    assert_int_equal(duet_rpc_call(RA, "make_str", "u:s", 199u, big, sizeof big), DUET_OK);
    assert_int_equal(strlen(big), 199);
    assert_int_equal(big[0], 'x');
    assert_int_equal(duet_rpc_call(RA, "make_str", "u:s", 200u, big, sizeof big), DUET_ERR_NOSPACE);
    assert_string_equal(duet_rpc_error_text(RA), "make_str: result of 200 bytes does not fit the buffer");
}

static void test_bin_and_value_result_buffer(void **state)
{
    (void)state;
    static const uint8_t data[4] = {1, 2, 3, 4};
    uint8_t r[8];
    size_t len = 77;
    memset(r, 0xee, sizeof r);
    assert_int_equal(duet_rpc_call(RA, "echo_y", "y:y", data, sizeof data, r, (size_t)4, &len), DUET_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(r, data, 4);
    assert_int_equal(r[4], 0xee);
    len = 77;
    memset(r, 0xee, sizeof r);
    assert_int_equal(duet_rpc_call(RA, "echo_y", "y:y", data, sizeof data, r, (size_t)3, &len), DUET_ERR_NOSPACE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_y: result of 4 bytes does not fit the buffer");
    assert_int_equal(r[0], 0xee);
    assert_int_equal(len, 77);
    /* NULL buffer with a length pointer: the length is still reported. */
    len = 77;
    assert_int_equal(duet_rpc_call(RA, "echo_y", "y:y", data, sizeof data, NULL, (size_t)0, &len), DUET_OK);
    assert_int_equal(len, 4);
    assert_int_equal(duet_rpc_call(RA, "echo_y", "y:y", data, sizeof data, NULL, (size_t)0, NULL), DUET_OK);
    /* A value: the whole encoding (here bin8 header + 4 bytes). */
    len = 77;
    assert_int_equal(duet_rpc_call(RA, "echo_y", "y:v", data, sizeof data, r, sizeof r, &len), DUET_OK);
    assert_int_equal(len, 6);
    static const uint8_t enc[] = {0xc4, 4, 1, 2, 3, 4};
    assert_memory_equal(r, enc, sizeof enc);
    assert_int_equal(duet_rpc_call(RA, "echo_y", "y:v", data, sizeof data, r, (size_t)5, &len), DUET_ERR_NOSPACE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_y: result of 6 bytes does not fit the buffer");
    assert_int_equal(duet_rpc_call(RA, "echo_y", "y:v", data, sizeof data, NULL, (size_t)0, NULL), DUET_OK);
}

static void test_null_result_pointers(void **state)
{
    (void)state;
    assert_int_equal(duet_rpc_call(RA, "echo_i", "i:i", 5, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "echo_u", "u:u", 5u, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "echo_l", "l:l", (int64_t)5, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "echo_k", "k:k", (uint64_t)5, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "echo_b", "b:b", 1, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "echo_f", "f:f", 1.0, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "echo_d", "d:d", 1.0, NULL), DUET_OK);
    /* Still type-checked. */
    assert_int_equal(duet_rpc_call(RA, "echo_s", "s:i", "x", NULL), DUET_ERR_TYPE);
    assert_int_equal(duet_rpc_call(RA, "echo_s", "s:b", "x", NULL), DUET_ERR_TYPE);
    assert_int_equal(duet_rpc_call(RA, "echo_i", "i:d", 1, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "echo_i", "i:y", 1, NULL, (size_t)0, NULL), DUET_ERR_TYPE);
}

/* Results whose type is not the caller's result letter: DUET_ERR_TYPE, with what was found. */
static void test_result_type_mismatch(void **state)
{
    (void)state;
    int32_t i = 99;
    bool b = false;
    double d = 0;
    char s[8] = "keep";
    uint8_t y[8];
    size_t len = 0;
    static const struct {
        const char *method, *sig, *text;
    } cases[] = {
        {"echo_s", "s:i", "echo_s: result: expected int32, got str"},
        {"echo_d", "d:i", "echo_d: result: expected int32, got float64"},
        {"echo_f", "f:u", "echo_f: result: expected uint32, got float32"},
        {"echo_b", "b:l", "echo_b: result: expected int64, got bool"},
        {"echo_n", "n:k", "echo_n: result: expected uint64, got nil"},
        {"echo_y", "y:i", "echo_y: result: expected int32, got bin"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int err;
        if (strcmp(cases[k].method, "echo_s") == 0)
            err = duet_rpc_call(RA, cases[k].method, cases[k].sig, "x", &i);
        else if (strcmp(cases[k].method, "echo_d") == 0 || strcmp(cases[k].method, "echo_f") == 0)
            err = duet_rpc_call(RA, cases[k].method, cases[k].sig, 1.0, &i);
        else if (strcmp(cases[k].method, "echo_b") == 0)
            err = duet_rpc_call(RA, cases[k].method, cases[k].sig, 1, &i);
        else if (strcmp(cases[k].method, "echo_n") == 0)
            err = duet_rpc_call(RA, cases[k].method, cases[k].sig, &i);
        else
            err = duet_rpc_call(RA, cases[k].method, cases[k].sig, "ab", (size_t)2, &i);
        assert_int_equal(err, DUET_ERR_TYPE);
        assert_string_equal(duet_rpc_error_text(RA), cases[k].text);
        assert_int_equal(i, 99);
    }
    assert_int_equal(duet_rpc_call(RA, "echo_i", "i:b", 1, &b), DUET_ERR_TYPE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_i: result: expected bool, got int");
    assert_false(b);
    assert_int_equal(duet_rpc_call(RA, "echo_s", "s:d", "1.5", &d), DUET_ERR_TYPE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_s: result: expected double, got str");
    assert_int_equal(duet_rpc_call(RA, "echo_y", "y:s", "ab", (size_t)2, s, sizeof s), DUET_ERR_TYPE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_y: result: expected str, got bin");
    assert_string_equal(s, "keep");
    assert_int_equal(duet_rpc_call(RA, "echo_s", "s:y", "ab", y, sizeof y, &len), DUET_ERR_TYPE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_s: result: expected bin, got str");
    assert_int_equal(duet_rpc_call(RA, "echo_v", "v:f", (const void *)"\x90", (size_t)1, NULL), DUET_ERR_TYPE);
    assert_string_equal(duet_rpc_error_text(RA), "echo_v: result: expected float, got array");
    /* None of these failures reached B as an error: B answered every call. */
    assert_int_equal(duet_rpc_get_stats(RB).errors_sent, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_int32, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_uint32, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_int64, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_uint64, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_int_cross_letters, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_result_range, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bool, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_float, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_double, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_str, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bin, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_nil, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_any_value, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_many_params, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_str_result_buffer, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bin_and_value_result_buffer, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_null_result_pointers, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_result_type_mismatch, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

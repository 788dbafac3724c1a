/* tests/rpc/test_rpc_wire.c - the engine against raw bytes from its peer: invalid and
 * truncated MessagePack, messages that are no msgpack-RPC, msgids of every integer
 * encoding echoed byte for byte, several messages in one buffer, crafted responses. */
#include "fixture.h"

static fx_capture cap; /* what arrives at the raw end */
static unsigned add_calls;
static int64_t count_sum;

static int h_add(duet_req *c)
{
    add_calls++;
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

static int h_count(duet_req *c)
{
    count_sum += duet_arg_int(c, 0);
    return DUET_OK;
}

/* B serves; A's link end is raw (the capture), so the test speaks bytes to B. */
static int setup_raw_a(void **state)
{
    fx_setup(state);
    add_calls = 0;
    count_sum = 0;
    assert_int_equal(duet_rpc_bind(RB, "add", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "count", "i:", h_count, NULL), DUET_OK);
    fx_capture_attach(&FA.link.link, &cap);
    return 0;
}

/* A calls; B's link end is raw, so the test answers A with bytes of its choosing. */
static int setup_raw_b(void **state)
{
    fx_setup(state);
    fx_capture_attach(&FB.link.link, &cap);
    return 0;
}

/* Sends bytes to B as one link message, lets B handle them, collects B's answers. */
static void to_b(const uint8_t *data, size_t len)
{
    fx_send_raw(&FA, data, len);
    assert_true(duet_rpc_poll(RB) >= 0);
    assert_true(fx_poll_raw(&FA) >= 0);
}

/* Feeds bytes straight into B's engine, then collects B's answers. */
static void feed_b(const uint8_t *data, size_t len)
{
    (void)duet_rpc_receive(RB, data, len);
    assert_true(fx_poll_raw(&FA) >= 0);
}

#define TO_B(...)                                        \
    do {                                                 \
        static const uint8_t m_[] = {__VA_ARGS__};       \
        to_b(m_, sizeof m_);                             \
    } while (0)

/* add(2, 3) with msgid 7. */
static const uint8_t add_req[] = {0x94, 0x00, 0x07, 0xa3, 'a', 'd', 'd', 0x92, 0x02, 0x03};
static const uint8_t add_resp[] = {0x94, 0x01, 0x07, 0xc0, 0x05};

static void assert_captured(unsigned i, const uint8_t *want, size_t len)
{
    assert_true(i < cap.n);
    assert_int_equal(cap.len[i], len);
    assert_memory_equal(cap.msg[i], want, len);
}

/* ------------------------------------------------------------ sanity */

static void test_raw_request(void **state)
{
    (void)state;
    to_b(add_req, sizeof add_req);
    assert_int_equal(cap.n, 1);
    assert_captured(0, add_resp, sizeof add_resp);
    assert_stats(RB, 1, 1, 0, 0, 0, 0);
    feed_b(add_req, sizeof add_req);
    assert_int_equal(cap.n, 2);
    assert_captured(1, add_resp, sizeof add_resp);
    assert_stats(RB, 2, 2, 0, 0, 0, 0);
    /* Nothing at all. */
    feed_b(add_req, 0);
    assert_int_equal(cap.n, 2);
    assert_stats(RB, 2, 2, 0, 0, 0, 0);
    /* Encodings that are valid but not the smallest: array32, str8, array16, int64. */
    TO_B(0xdd, 0, 0, 0, 4, 0xd0, 0x00, 0xcf, 0, 0, 0, 0, 0, 0, 0, 7, 0xd9, 3, 'a', 'd', 'd', 0xdc, 0, 2, 0xd3, 0, 0,
         0, 0, 0, 0, 0, 2, 0xcc, 3);
    assert_int_equal(cap.n, 3);
    static const uint8_t want[] = {0x94, 0x01, 0xcf, 0, 0, 0, 0, 0, 0, 0, 7, 0xc0, 0x05};
    assert_captured(2, want, sizeof want);
    assert_stats(RB, 3, 3, 0, 0, 0, 0);
    assert_int_equal(add_calls, 3);
}

/* ------------------------------------------------------------ bytes that are no MessagePack */

static void test_invalid_msgpack(void **state)
{
    (void)state;
    TO_B(0xc1);
    assert_stats(RB, 0, 0, 1, 0, 0, 0);
    /* A request whose head (type and msgid) is readable gets an error answer. */
    TO_B(0x94, 0x00, 0x07, 0xc1, 0x90);
    assert_stats(RB, 0, 1, 2, 0, 1, 0);
    assert_int_equal(cap.n, 1);
    /* Nesting deeper than DUET_MSGPACK_MAX_DEPTH, not a request: only counted. */
    uint8_t deep[DUET_MSGPACK_MAX_DEPTH + 2];
    memset(deep, 0x91, sizeof deep);
    deep[sizeof deep - 1] = 0x00;
    to_b(deep, sizeof deep);
    assert_stats(RB, 0, 1, 3, 0, 1, 0);
    assert_int_equal(cap.n, 1);
    assert_int_equal(add_calls, 0);
    /* B is fine afterwards. */
    to_b(add_req, sizeof add_req);
    assert_int_equal(cap.n, 2);
    assert_captured(1, add_resp, sizeof add_resp);
}

static void test_truncated(void **state)
{
    (void)state;
    for (size_t cut = 1; cut < sizeof add_req; cut++) {
        to_b(add_req, cut);
        /* From 3 bytes on the msgid is there, and the caller hears of its broken request. */
        unsigned answered = cut >= 3 ? (unsigned)cut - 2 : 0;
        assert_stats(RB, 0, answered, (unsigned)cut, 0, answered, 0);
    }
    /* A long str whose body is cut. */
    TO_B(0x94, 0x00, 0x07, 0xd9, 200, 'a', 'd', 'd');
    unsigned answered = sizeof add_req - 2; /* cuts 3..9, and this one */
    assert_stats(RB, 0, answered, sizeof add_req, 0, answered, 0);
    assert_int_equal(cap.n, answered);
    assert_int_equal(add_calls, 0);
}

/* The error answer of a request that is not one whole value says which way it is broken:
 * cut short, or nested too deep to be read. */
static void test_broken_request_texts(void **state)
{
    (void)state;
    fx_response resp;
    to_b(add_req, sizeof add_req - 1); /* the last argument cut off */
    assert_int_equal(cap.n, 1);
    fx_parse_response(cap.msg[0], cap.len[0], &resp);
    assert_int_equal(resp.id[0], 0x07);
    fx_assert_error(&resp, "malformed request: not a whole MessagePack value");
    uint8_t deep[7 + DUET_MSGPACK_MAX_DEPTH + 1];
    memcpy(deep, add_req, 7); /* [0, 7, "add", then params nested past the limit */
    memset(deep + 7, 0x91, DUET_MSGPACK_MAX_DEPTH);
    deep[sizeof deep - 1] = 0x00;
    to_b(deep, sizeof deep);
    assert_int_equal(cap.n, 2);
    fx_parse_response(cap.msg[1], cap.len[1], &resp);
    fx_assert_error(&resp, "malformed request: nested deeper than DUET_MSGPACK_MAX_DEPTH");
    assert_int_equal(add_calls, 0);
}

/* ------------------------------------------------------------ several messages at once */

static void test_several_in_one_buffer(void **state)
{
    (void)state;
    static const uint8_t buf[] = {
        0x94, 0x00, 0x01, 0xa3, 'a', 'd', 'd', 0x92, 0x01, 0x01,  /* add(1, 1), id 1 */
        0x93, 0x02, 0xa5, 'c', 'o', 'u', 'n', 't', 0x91, 0x05,    /* notify count(5) */
        0x94, 0x00, 0x02, 0xa3, 'a', 'd', 'd', 0x92, 0x02, 0x02,  /* add(2, 2), id 2 */
        0x94, 0x00, 0x03, 0xa4, 'n', 'o', 'p', 'e', 0x90,         /* nope(), id 3 */
        0x94, 0x00, 0x04, 0xa3, 'a', 'd', 'd', 0x92, 0x03, 0x03,  /* add(3, 3), id 4 */
    };
    to_b(buf, sizeof buf);
    assert_int_equal(cap.n, 4);
    static const uint8_t r1[] = {0x94, 0x01, 0x01, 0xc0, 0x02};
    static const uint8_t r2[] = {0x94, 0x01, 0x02, 0xc0, 0x04};
    static const uint8_t r4[] = {0x94, 0x01, 0x04, 0xc0, 0x06};
    assert_captured(0, r1, sizeof r1);
    assert_captured(1, r2, sizeof r2);
    fx_response resp;
    fx_parse_response(cap.msg[2], cap.len[2], &resp);
    assert_int_equal(resp.id_len, 1);
    assert_int_equal(resp.id[0], 0x03);
    fx_assert_error(&resp, "rpclib: server could not find function 'nope' with argument count 0.");
    assert_captured(3, r4, sizeof r4);
    assert_int_equal(count_sum, 5);
    assert_stats(RB, 5, 4, 0, 0, 1, 0);
    /* The same bytes fed directly. */
    feed_b(buf, sizeof buf);
    assert_int_equal(cap.n, 8);
    assert_captured(7, r4, sizeof r4);
    assert_int_equal(count_sum, 10);
    assert_stats(RB, 10, 8, 0, 0, 2, 0);
}

static void test_garbage_after_message(void **state)
{
    (void)state;
    /* Handled up to the bad byte; there is no telling where a message starts after it. */
    uint8_t buf[2 * sizeof add_req + 1];
    memcpy(buf, add_req, sizeof add_req);
    buf[sizeof add_req] = 0xc1;
    memcpy(buf + sizeof add_req + 1, add_req, sizeof add_req);
    to_b(buf, sizeof buf);
    assert_int_equal(cap.n, 1);
    assert_captured(0, add_resp, sizeof add_resp);
    assert_stats(RB, 1, 1, 1, 0, 0, 0);
    /* A message truncated at the end of the buffer. */
    memcpy(buf + sizeof add_req, add_req, sizeof add_req);
    to_b(buf, sizeof add_req + 4);
    assert_int_equal(cap.n, 3); /* the truncated request is answered with an error */
    assert_stats(RB, 2, 3, 2, 0, 1, 0);
}

/* ------------------------------------------------------------ well-formed MessagePack, not msgpack-RPC */

static void test_not_rpc_messages(void **state)
{
    (void)state;
    static const struct {
        uint8_t bytes[16];
        size_t len;
    } bad[] = {
        {{0x05}, 1},                                                   /* an int */
        {{0xc0}, 1},                                                   /* nil */
        {{0xa3, 'a', 'd', 'd'}, 4},                                    /* a str */
        {{0x81, 0x00, 0x01}, 3},                                       /* a map */
        {{0x90}, 1},                                                   /* [] */
        {{0x91, 0x00}, 2},                                             /* [0] */
        {{0x92, 0x00, 0x01}, 3},                                       /* [0, 1] */
        {{0x93, 0x00, 0x01, 0xa1, 'x'}, 5},                            /* request of 3 */
        {{0x95, 0x00, 0x01, 0xa1, 'x', 0x90, 0xc0}, 7},                /* request of 5 */
        {{0x94, 0x02, 0xa1, 'x', 0x90, 0xc0}, 6},                      /* notification of 4 */
        {{0x92, 0x02, 0xa1, 'x'}, 4},                                  /* notification of 2 */
        {{0x93, 0x01, 0x01, 0xc0}, 4},                                 /* response of 3 */
        {{0x95, 0x01, 0x01, 0xc0, 0xc0, 0xc0}, 6},                     /* response of 5 */
        {{0x94, 0x03, 0x01, 0xa1, 'x', 0x90}, 6},                      /* type 3 */
        {{0x94, 0xff, 0x01, 0xa1, 'x', 0x90}, 6},                      /* type -1 */
        {{0x94, 0xcd, 0x01, 0x00, 0x01, 0xa1, 'x', 0x90}, 8},          /* type 256 */
        {{0x94, 0xa1, '0', 0x01, 0xa1, 'x', 0x90}, 7},                 /* type "0" */
        {{0x94, 0xc0, 0x01, 0xa1, 'x', 0x90}, 6},                      /* type nil */
        {{0x94, 0xca, 0, 0, 0, 0, 0x01, 0xa1, 'x', 0x90}, 10},         /* type 0.0f */
        {{0x94, 0x00, 0xa1, 'x', 0xa3, 'a', 'd', 'd', 0x90}, 9},       /* request, id "x" */
        {{0x94, 0x00, 0xc0, 0xa3, 'a', 'd', 'd', 0x90}, 8},            /* request, id nil */
        {{0x94, 0x00, 0xca, 0x3f, 0x80, 0, 0, 0xa3, 'a', 'd', 'd', 0x90}, 12}, /* request, id 1.0f */
        {{0x94, 0x00, 0x91, 0x01, 0xa3, 'a', 'd', 'd', 0x90}, 9},      /* request, id [1] */
        {{0x93, 0x02, 0x05, 0x90}, 4},                                 /* notification, method 5 */
        {{0x93, 0x02, 0xa3, 'a', 'd', 'd', 0x05}, 7},                  /* notification, params 5 */
        {{0x93, 0x02, 0xa5, 'c', 'o', 'u', 'n', 't', 0x81, 0x05, 0x05}, 11}, /* notification, params a map */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        to_b(bad[i].bytes, bad[i].len);
        duet_rpc_stats st = duet_rpc_get_stats(RB);
        if (st.malformed != i + 1 || st.msgs_in != 0 || st.msgs_out != 0)
            fail_msg("case %zu: malformed %u msgs_in %u msgs_out %u", i, st.malformed, st.msgs_in, st.msgs_out);
    }
    assert_int_equal(cap.n, 0);
    assert_int_equal(add_calls, 0);
    assert_int_equal(count_sum, 0);
    assert_stats(RB, 0, 0, sizeof bad / sizeof bad[0], 0, 0, 0);
}

/* Requests with a usable msgid but a bad method or params get an error response. */
static void test_malformed_request_answered(void **state)
{
    (void)state;
    fx_response r;
    TO_B(0x94, 0x00, 0x07, 0xa3, 'a', 'd', 'd', 0x05); /* params 5 */
    assert_int_equal(cap.n, 1);
    fx_parse_response(cap.msg[0], cap.len[0], &r);
    assert_int_equal(r.id_len, 1);
    assert_int_equal(r.id[0], 0x07);
    fx_assert_error(&r, "malformed request: params must be an array");
    assert_stats(RB, 0, 1, 1, 0, 1, 0);

    TO_B(0x94, 0x00, 0x08, 0xa3, 'a', 'd', 'd', 0x82, 0x01, 0x02, 0x03, 0x04); /* params a map */
    fx_parse_response(cap.msg[1], cap.len[1], &r);
    assert_int_equal(r.id[0], 0x08);
    fx_assert_error(&r, "malformed request: params must be an array");

    TO_B(0x94, 0x00, 0x09, 0x05, 0x90); /* method 5 */
    fx_parse_response(cap.msg[2], cap.len[2], &r);
    assert_int_equal(r.id[0], 0x09);
    fx_assert_error(&r, "malformed request: the method name must be a string");

    TO_B(0x94, 0x00, 0x0a, 0xc4, 0x03, 0xff, 'd', 'd', 0x92, 0x01, 0x02); /* method as bin, not UTF-8 */
    fx_parse_response(cap.msg[3], cap.len[3], &r);
    assert_int_equal(r.id[0], 0x0a);
    fx_assert_error(&r, "malformed request: the method name is bin but not UTF-8; send it as a string");

    TO_B(0x94, 0x00, 0x0b, 0xc0, 0xc0); /* method nil, params nil */
    fx_parse_response(cap.msg[4], cap.len[4], &r);
    fx_assert_error(&r, "malformed request: the method name must be a string");

    TO_B(0x94, 0x00, 0xd2, 0x80, 0x00, 0x00, 0x00, 0xa3, 'a', 'd', 'd', 0xc3); /* negative id, params true */
    fx_parse_response(cap.msg[5], cap.len[5], &r);
    static const uint8_t id[] = {0xd2, 0x80, 0x00, 0x00, 0x00};
    assert_int_equal(r.id_len, sizeof id);
    assert_memory_equal(r.id, id, sizeof id);
    fx_assert_error(&r, "malformed request: params must be an array");

    assert_int_equal(cap.n, 6);
    assert_int_equal(add_calls, 0);
    assert_stats(RB, 0, 6, 6, 0, 6, 0);
}

/* ------------------------------------------------------------ msgids */

static void test_msgid_echoed(void **state)
{
    (void)state;
    static const struct {
        uint8_t id[9];
        size_t len;
    } ids[] = {
        {{0x00}, 1},
        {{0x7f}, 1},
        {{0xcc, 0xff}, 2},
        {{0xcc, 0x05}, 2},                                             /* uint8, not the smallest form */
        {{0xcd, 0x12, 0x34}, 3},
        {{0xce, 0xde, 0xad, 0xbe, 0xef}, 5},
        {{0xce, 0xff, 0xff, 0xff, 0xff}, 5},
        {{0xcf, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}, 9},
        {{0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 9},   /* UINT64_MAX */
        {{0xff}, 1},                                                   /* -1 */
        {{0xe0}, 1},                                                   /* -32 */
        {{0xd0, 0x80}, 2},                                             /* -128 */
        {{0xd0, 0x05}, 2},                                             /* int8 holding 5 */
        {{0xd1, 0x80, 0x00}, 3},                                       /* -32768 */
        {{0xd2, 0x80, 0x00, 0x00, 0x00}, 5},                           /* INT32_MIN */
        {{0xd2, 0xff, 0xff, 0xcf, 0xc7}, 5},                           /* -12345: a thread id cast to int32 */
        {{0xd2, 0x7f, 0xff, 0xff, 0xff}, 5},                           /* INT32_MAX as int32 */
        {{0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, 9},   /* INT64_MIN */
    };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        uint8_t req[32], want[32];
        size_t n = 0, w = 0;
        req[n++] = 0x94;
        req[n++] = 0x00;
        memcpy(req + n, ids[i].id, ids[i].len);
        n += ids[i].len;
        static const uint8_t rest[] = {0xa3, 'a', 'd', 'd', 0x92, 0x02, 0x03};
        memcpy(req + n, rest, sizeof rest);
        n += sizeof rest;
        want[w++] = 0x94;
        want[w++] = 0x01;
        memcpy(want + w, ids[i].id, ids[i].len);
        w += ids[i].len;
        want[w++] = 0xc0;
        want[w++] = 0x05;
        to_b(req, n);
        assert_int_equal(cap.n, i + 1);
        assert_captured((unsigned)i, want, w);
    }
    /* Error responses echo it too. */
    static const uint8_t unknown[] = {0x94, 0x00, 0xd2, 0xff, 0xff, 0xcf, 0xc7, 0xa1, 'x', 0x90};
    to_b(unknown, sizeof unknown);
    fx_response r;
    fx_parse_response(cap.msg[cap.n - 1], cap.len[cap.n - 1], &r);
    assert_int_equal(r.id_len, 5);
    assert_memory_equal(r.id, unknown + 2, 5);
    fx_assert_error(&r, "rpclib: server could not find function 'x' with argument count 0.");
    static const uint8_t wrong_args[] = {0x94, 0x00, 0xd0, 0x85, 0xa3, 'a', 'd', 'd', 0x91, 0xa1, 's'};
    to_b(wrong_args, sizeof wrong_args);
    fx_parse_response(cap.msg[cap.n - 1], cap.len[cap.n - 1], &r);
    assert_int_equal(r.id_len, 2);
    assert_memory_equal(r.id, wrong_args + 2, 2);
    fx_assert_error(&r, "add: expected 2 arguments, got 1");
    unsigned n = sizeof ids / sizeof ids[0];
    assert_stats(RB, n + 2, n + 2, 0, 0, 2, 0);
}

/* ------------------------------------------------------------ responses nobody waits for */

static void test_unknown_response_ids(void **state)
{
    (void)state;
    TO_B(0x94, 0x01, 0xcd, 0x03, 0xe7, 0xc0, 0x05); /* id 999 */
    assert_stats(RB, 1, 0, 0, 1, 0, 0);
    TO_B(0x94, 0x01, 0x00, 0xa3, 'e', 'r', 'r', 0xc0); /* an error for id 0 */
    assert_stats(RB, 2, 0, 0, 2, 0, 0);
    TO_B(0x94, 0x01, 0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x05); /* id 2^32 */
    assert_stats(RB, 3, 0, 0, 3, 0, 0);
    assert_int_equal(cap.n, 0); /* never answered */
}

static void test_response_with_bad_id(void **state)
{
    (void)state;
    TO_B(0x94, 0x01, 0xa1, 'x', 0xc0, 0x05); /* id "x" */
    TO_B(0x94, 0x01, 0xc0, 0xc0, 0x05);      /* id nil */
    TO_B(0x94, 0x01, 0xff, 0xc0, 0x05);      /* id -1: msgids are unsigned */
    assert_int_equal(cap.n, 0);
    duet_rpc_stats st = duet_rpc_get_stats(RB);
    assert_int_equal(st.malformed, 3);
    assert_int_equal(st.late_responses, 0);
    assert_stats(RB, 0, 0, 3, 0, 0, 0);
}

/* ------------------------------------------------------------ crafted responses to A's calls */

/* Answers A's pending call f with raw bytes [1, <id as given>, <rest>]. */
static void answer_a(const uint8_t *id, size_t id_len, const uint8_t *rest, size_t rest_len)
{
    uint8_t msg[64];
    size_t n = 0;
    msg[n++] = 0x94;
    msg[n++] = 0x01;
    memcpy(msg + n, id, id_len);
    n += id_len;
    memcpy(msg + n, rest, rest_len);
    n += rest_len;
    fx_send_raw(&FB, msg, n);
}

static void test_crafted_responses(void **state)
{
    (void)state;
    duet_future f;
    int32_t r = 0;
    /* What A sent is a well-formed request. */
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 2, 3), DUET_OK);
    assert_int_equal(fx_poll_raw(&FB), 1);
    assert_int_equal(cap.n, 1);
    static const uint8_t sent[] = {0x94, 0x00, 0x00, 0xa3, 'a', 'd', 'd', 0x92, 0x02, 0x03};
    assert_captured(0, sent, sizeof sent);
    /* Its id in the uint64 form. */
    static const uint8_t id0_u64[] = {0xcf, 0, 0, 0, 0, 0, 0, 0, 0};
    answer_a(id0_u64, sizeof id0_u64, (const uint8_t *)"\xc0\x2a", 2);
    assert_int_equal(duet_future_wait(RA, &f, 10, &r), DUET_OK);
    assert_int_equal(r, 42);

    /* Its id as int8; and a second answer to the same call, which is late. */
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 2, 3), DUET_OK);
    assert_int_equal(f.msgid, 1);
    answer_a((const uint8_t *)"\xd0\x01", 2, (const uint8_t *)"\xc0\x07", 2);
    answer_a((const uint8_t *)"\x01", 1, (const uint8_t *)"\xc0\x08", 2);
    assert_int_equal(duet_future_wait(RA, &f, 10, &r), DUET_OK);
    assert_int_equal(r, 7);
    assert_int_equal(duet_rpc_get_stats(RA).late_responses, 1);

    /* Errors that are no str. */
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 2, 3), DUET_OK);
    answer_a((const uint8_t *)"\x02", 1, (const uint8_t *)"\x2a\xc0", 2);
    assert_int_equal(duet_future_wait(RA, &f, 10, &r), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "the remote sent an error value of type int");
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 2, 3), DUET_OK);
    answer_a((const uint8_t *)"\x03", 1, (const uint8_t *)"\x92\xa1x\x01\xc0", 5); /* ["x", 1] (msgpack-rpc style) */
    assert_int_equal(duet_future_wait(RA, &f, 10, &r), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "the remote sent an error value of type array");
    /* An error str, and an error with a (non-nil) result as well: the error wins. */
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 2, 3), DUET_OK);
    answer_a((const uint8_t *)"\x04", 1, (const uint8_t *)"\xa4oops\x05", 6);
    assert_int_equal(duet_future_wait(RA, &f, 10, &r), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "oops");
    /* An empty error str is an error all the same. */
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:i", 2, 3), DUET_OK);
    answer_a((const uint8_t *)"\x05", 1, (const uint8_t *)"\xa0\xc0", 2);
    assert_int_equal(duet_future_wait(RA, &f, 10, &r), DUET_ERR_REMOTE);
    /* The result as an ext, taken as any value. */
    assert_int_equal(duet_rpc_call_async(RA, &f, "add", "ii:v", 1, 2), DUET_OK);
    answer_a((const uint8_t *)"\x06", 1, (const uint8_t *)"\xc0\xd4\x07\x09", 4);
    uint8_t raw[8];
    size_t len = 0;
    assert_int_equal(duet_future_wait(RA, &f, 10, raw, sizeof raw, &len), DUET_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(raw, "\xd4\x07\x09", 3);
    assert_stats(RA, 8, 7, 0, 1, 0, 0);
}

/* Method names as A writes them: a fixstr up to 31 bytes, a str8 from 32 on (the engine
 * copies short names itself and hands longer ones to the codec). */
static void test_method_name_lengths(void **state)
{
    (void)state;
    static const size_t lengths[] = {0, 1, 30, 31, 32, 40};
    char name[41];
    for (unsigned k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        size_t n = lengths[k];
        memset(name, 'm', n);
        name[n] = '\0';
        assert_int_equal(duet_rpc_notify(RA, name, "i", 5), DUET_OK);
        assert_int_equal(fx_poll_raw(&FB), 1);
        uint8_t want[48];
        size_t at = 0;
        want[at++] = 0x93;
        want[at++] = 0x02;
        if (n < 32) {
            want[at++] = (uint8_t)(0xa0 | n);
        } else {
            want[at++] = 0xd9;
            want[at++] = (uint8_t)n;
        }
        memcpy(want + at, name, n);
        at += n;
        want[at++] = 0x91;
        want[at++] = 0x05;
        assert_captured(k, want, at);
    }
}

/* A request from the raw end with an Arduino-style msgid (a thread id cast to int32). */
static int h_twice(duet_req *c) { return duet_return_int(c, 2 * (int64_t)duet_arg_int(c, 0)); }

static void test_request_to_a_negative_id(void **state)
{
    (void)state;
    assert_int_equal(duet_rpc_bind(RA, "twice", "i:i", h_twice, NULL), DUET_OK);
    static const uint8_t req[] = {0x94, 0x00, 0xd2, 0x9a, 0xbc, 0xde, 0xf0, 0xa5, 't', 'w', 'i', 'c', 'e', 0x91, 0x15};
    fx_send_raw(&FB, req, sizeof req);
    assert_int_equal(duet_rpc_poll(RA), 1);
    assert_int_equal(fx_poll_raw(&FB), 1);
    static const uint8_t want[] = {0x94, 0x01, 0xd2, 0x9a, 0xbc, 0xde, 0xf0, 0xc0, 0x2a};
    assert_captured(0, want, sizeof want);
    assert_stats(RA, 1, 1, 0, 0, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_raw_request, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_msgpack, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_broken_request_texts, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_several_in_one_buffer, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_garbage_after_message, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_not_rpc_messages, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_request_answered, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_msgid_echoed, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_response_ids, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_response_with_bad_id, setup_raw_a, fx_teardown),
        cmocka_unit_test_setup_teardown(test_crafted_responses, setup_raw_b, fx_teardown),
        cmocka_unit_test_setup_teardown(test_request_to_a_negative_id, setup_raw_b, fx_teardown),
        cmocka_unit_test_setup_teardown(test_method_name_lengths, setup_raw_b, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

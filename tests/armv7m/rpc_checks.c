/* rpc_checks.c - two RPC engines in one program over duet's in-memory link: B binds
 * functions, A calls them with every argument and result type of the C API (the variadic
 * calls with signatures and the typed DUET_RPC_CALL), and B calls back into A from inside a
 * handler. Each engine's link polls the other engine while it waits (duet/link_mem.h). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "duet/format.h"
#include "duet/link_mem.h"
#include "duet/rpc.h"

#define QUEUE 8192
#define TX 2048
#define RESULT (DUET_RPC_MAX_INFLIGHT * 256)

typedef struct side {
    duet_link_mem link;
    uint8_t queue[QUEUE];
    uint8_t tx[TX];
    uint8_t result[RESULT];
    duet_rpc rpc;
} side;

static side A, B;
#define RA (&A.rpc)
#define RB (&B.rpc)

/* ------------------------------------------------------------ B's functions */

static int h_int(duet_req *c) { return duet_return_int(c, duet_arg_int(c, 0)); }
static int h_uint(duet_req *c) { return duet_return_uint(c, duet_arg_uint(c, 0)); }
static int h_int64(duet_req *c) { return duet_return_int(c, duet_arg_int64(c, 0)); }
static int h_uint64(duet_req *c) { return duet_return_uint(c, duet_arg_uint64(c, 0)); }
static int h_bool(duet_req *c) { return duet_return_bool(c, duet_arg_bool(c, 0)); }
static int h_double(duet_req *c) { return duet_return_double(c, duet_arg_double(c, 0)); }
static int h_nil(duet_req *c) { (void)c; return DUET_OK; }

/* A float result written as a float32. */
static int h_float(duet_req *c)
{
    duet_msgpack_write_float(duet_req_result(c), duet_arg_float(c, 0));
    return duet_msgpack_writer_error(duet_req_result(c));
}

static int h_str(duet_req *c)
{
    uint32_t len;
    const char *s = duet_arg_str(c, 0, &len);
    duet_msgpack_write_str(duet_req_result(c), s, len);
    return duet_msgpack_writer_error(duet_req_result(c));
}

static int h_bin(duet_req *c)
{
    uint32_t len;
    const uint8_t *b = duet_arg_bin(c, 0, &len);
    duet_msgpack_write_bin(duet_req_result(c), b, len);
    return duet_msgpack_writer_error(duet_req_result(c));
}

static int h_value(duet_req *c)
{
    uint32_t len;
    const uint8_t *v = duet_arg_value(c, 0, &len);
    duet_msgpack_write_raw(duet_req_result(c), v, len);
    return duet_msgpack_writer_error(duet_req_result(c));
}

/* Eight arguments of mixed types, written back as one text. */
static int h_mix(duet_req *c)
{
    char text[128];
    uint32_t len;
    const char *s = duet_arg_str(c, 7, &len);
    duet_format_text(text, sizeof text, "%ld|%lld|%.3f|%.2f|%d|%llu|%lu|%.*s", (long)duet_arg_int(c, 0),
                     (long long)duet_arg_int64(c, 1), duet_arg_double(c, 2), (double)duet_arg_float(c, 3),
                     duet_arg_bool(c, 4), (unsigned long long)duet_arg_uint64(c, 5), (unsigned long)duet_arg_uint(c, 6),
                     (int)len, s);
    return duet_return_str(c, text);
}

/* Eight doubles (or floats) as the digits of one number: the first is the units. */
static int h_digits(duet_req *c)
{
    double sum = 0, scale = 1;
    for (unsigned i = 0; i < 8; i++, scale *= 10)
        sum += duet_arg_double(c, i) * scale;
    return duet_return_double(c, sum);
}

/* A raw handler: one map of str -> float, the sum of its values. */
static int h_sum_map(duet_req *c)
{
    duet_msgpack_reader *r = duet_req_params(c);
    uint32_t n;
    if (duet_arg_count(c) != 1 || !duet_msgpack_read_map(r, &n))
        return duet_req_fail(c, DUET_ERR_ARG_TYPE, "expected one map");
    double sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        uint32_t klen;
        double v;
        if (!duet_msgpack_read_str(r, &k, &klen) || !duet_msgpack_read_double(r, &v))
            return duet_req_fail(c, DUET_ERR_ARG_TYPE, "expected str keys and number values");
        sum += v;
    }
    return duet_return_double(c, sum);
}

/* A nested call: asks A for twice its argument, and adds one. */
static int h_nest(duet_req *c)
{
    int32_t twice = 0;
    int rc = DUET_RPC_CALL(duet_req_rpc(c), "twice", &twice, duet_arg_int(c, 0));
    if (rc != DUET_OK)
        return duet_req_fail(c, rc, "the nested call failed");
    return duet_return_int(c, (int64_t)twice + 1);
}

/* A's function for it. */
static int h_twice(duet_req *c) { return duet_return_int(c, 2 * (int64_t)duet_arg_int(c, 0)); }

/* Where notifications land. */
static struct {
    unsigned calls;
    float f;
    double d;
    bool notification;
} note;

static int h_note(duet_req *c)
{
    note.calls++;
    note.f = duet_arg_float(c, 0);
    note.d = duet_arg_double(c, 1);
    note.notification = duet_req_is_notification(c);
    return DUET_OK;
}

static const duet_rpc_method b_methods[] = {
    {"e_i", "i:i", h_int, NULL},       {"e_u", "u:u", h_uint, NULL},     {"e_l", "l:l", h_int64, NULL},
    {"e_k", "k:k", h_uint64, NULL},    {"e_b", "b:b", h_bool, NULL},     {"e_f", "f:f", h_float, NULL},
    {"e_d", "d:d", h_double, NULL},    {"f2d", "f:d", h_double, NULL},   {"d2f", "d:f", h_float, NULL},
    {"e_s", "s:s", h_str, NULL},       {"e_y", "y:y", h_bin, NULL},      {"e_n", "n:n", h_nil, NULL},
    {"e_v", "v:v", h_value, NULL},     {"mix", "ildfbkus:s", h_mix, NULL},
    {"digits_d", "dddddddd:d", h_digits, NULL}, {"digits_f", "ffffffff:d", h_digits, NULL},
    {"sum_map", NULL, h_sum_map, NULL}, {"nest", "i:i", h_nest, NULL}, {"note", "fd:", h_note, NULL},
};

static void idle_poll(void *rpc) { (void)duet_rpc_poll((duet_rpc *)rpc); }

static void start(side *s)
{
    duet_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buffer = s->tx;
    cfg.tx_size = sizeof s->tx;
    cfg.result_buffer = s->result;
    cfg.result_size = sizeof s->result;
    check_int(duet_rpc_init(&s->rpc, &s->link.link, &cfg), DUET_OK, "duet_rpc_init");
}

static void setup(void)
{
    duet_link_mem_pair(&A.link, A.queue, sizeof A.queue, &B.link, B.queue, sizeof B.queue, 512);
    start(&A);
    start(&B);
    duet_link_mem_set_idle(&A.link, idle_poll, RB);
    duet_link_mem_set_idle(&B.link, idle_poll, RA);
    for (size_t i = 0; i < sizeof b_methods / sizeof b_methods[0]; i++) {
        const duet_rpc_method *m = &b_methods[i];
        check_int(duet_rpc_bind(RB, m->name, m->signature, m->fn, m->user), DUET_OK, m->name);
    }
    check_int(duet_rpc_bind(RA, "twice", "i:i", h_twice, NULL), DUET_OK, "bind twice");
}

/* ------------------------------------------------------------ A's calls */

/* Integers and bools, through the calls with signatures. */
static void check_integers(void)
{
    int32_t i = 0;
    uint32_t u = 0;
    int64_t l = 0;
    uint64_t k = 0;
    bool b = false;
    check_int(duet_rpc_call(RA, "e_i", "i:i", INT32_MIN, &i), DUET_OK, "e_i INT32_MIN rc");
    check_int(i, INT32_MIN, "e_i INT32_MIN");
    check_int(duet_rpc_call(RA, "e_i", "i:i", INT32_MAX, &i), DUET_OK, "e_i INT32_MAX rc");
    check_int(i, INT32_MAX, "e_i INT32_MAX");
    check_int(duet_rpc_call(RA, "e_u", "u:u", UINT32_MAX, &u), DUET_OK, "e_u rc");
    check_uint(u, UINT32_MAX, "e_u UINT32_MAX");
    check_int(duet_rpc_call(RA, "e_l", "l:l", INT64_MIN, &l), DUET_OK, "e_l rc");
    check_int(l, INT64_MIN, "e_l INT64_MIN");
    check_int(duet_rpc_call(RA, "e_l", "l:l", (int64_t)-4294967297, &l), DUET_OK, "e_l -2^32-1 rc");
    check_int(l, -4294967297, "e_l -2^32-1");
    check_int(duet_rpc_call(RA, "e_k", "k:k", UINT64_MAX, &k), DUET_OK, "e_k rc");
    check_uint(k, UINT64_MAX, "e_k UINT64_MAX");
    check_int(duet_rpc_call(RA, "e_b", "b:b", 1, &b), DUET_OK, "e_b rc");
    check_true(b, "e_b true");
    check_int(duet_rpc_call(RA, "e_b", "b:b", 0, &b), DUET_OK, "e_b false rc");
    check_true(!b, "e_b false");
    /* An int32 result taken as int64, a uint32 one as uint64 (the caller's signature). */
    check_int(duet_rpc_call(RA, "e_i", "i:l", -5, &l), DUET_OK, "e_i as int64 rc");
    check_int(l, -5, "e_i as int64");
    check_int(duet_rpc_call(RA, "e_u", "u:k", 4000000000u, &k), DUET_OK, "e_u as uint64 rc");
    check_uint(k, 4000000000u, "e_u as uint64");
}

/* Every C type DUET_RPC_CALL takes (duet/call.h). */
static void check_typed_calls(void)
{
    int32_t i = 0;
    uint32_t u = 0;
    int64_t l = 0;
    uint64_t k = 0;
    bool b = false;
    check_int(DUET_RPC_CALL(RA, "e_i", &i, (signed char)-128), DUET_OK, "typed signed char rc");
    check_int(i, -128, "typed signed char");
    check_int(DUET_RPC_CALL(RA, "e_i", &i, (char)'A'), DUET_OK, "typed char rc");
    check_int(i, 65, "typed char");
    check_int(DUET_RPC_CALL(RA, "e_i", &i, (short)-32768), DUET_OK, "typed short rc");
    check_int(i, -32768, "typed short");
    check_int(DUET_RPC_CALL(RA, "e_i", &i, (long)-2000000000L), DUET_OK, "typed long rc");
    check_int(i, -2000000000, "typed long");
    check_int(DUET_RPC_CALL(RA, "e_u", &u, (unsigned char)255), DUET_OK, "typed unsigned char rc");
    check_uint(u, 255, "typed unsigned char");
    check_int(DUET_RPC_CALL(RA, "e_u", &u, (unsigned short)65535), DUET_OK, "typed unsigned short rc");
    check_uint(u, 65535, "typed unsigned short");
    check_int(DUET_RPC_CALL(RA, "e_u", &u, 4000000000u), DUET_OK, "typed unsigned rc");
    check_uint(u, 4000000000u, "typed unsigned");
    check_int(DUET_RPC_CALL(RA, "e_u", &u, (unsigned long)3000000000UL), DUET_OK, "typed unsigned long rc");
    check_uint(u, 3000000000u, "typed unsigned long");
    check_int(DUET_RPC_CALL(RA, "e_l", &l, (long long)INT64_MIN), DUET_OK, "typed long long rc");
    check_int(l, INT64_MIN, "typed long long");
    check_int(DUET_RPC_CALL(RA, "e_k", &k, (unsigned long long)UINT64_MAX), DUET_OK, "typed unsigned long long rc");
    check_uint(k, UINT64_MAX, "typed unsigned long long");
    check_int(DUET_RPC_CALL(RA, "e_b", &b, (bool)true), DUET_OK, "typed bool rc");
    check_true(b, "typed bool");
    check_int(DUET_RPC_CALL(RA, "e_n", NULL), DUET_ERR_REMOTE, "typed e_n without its argument");
}

/* Floats and doubles both ways, exactly; the conversions between them the signatures ask. */
static void check_floats(void)
{
    float f = 0;
    double d = 0;
    check_int(duet_rpc_call(RA, "e_f", "f:f", 0.1, &f), DUET_OK, "e_f 0.1 rc"); /* sent as a float */
    check_float(f, 0x3dcccccdu, "e_f 0.1");
    check_int(duet_rpc_call(RA, "e_f", "f:f", -0.0, &f), DUET_OK, "e_f -0 rc");
    check_float(f, 0x80000000u, "e_f -0");
    check_int(duet_rpc_call(RA, "e_f", "f:f", 0x1p-149, &f), DUET_OK, "e_f subnormal rc");
    check_float(f, 0x00000001u, "e_f smallest subnormal");
    check_int(duet_rpc_call(RA, "e_f", "f:f", -(double)INFINITY, &f), DUET_OK, "e_f -inf rc");
    check_float(f, 0xff800000u, "e_f -inf");
    check_int(duet_rpc_call(RA, "e_f", "f:f", (double)NAN, &f), DUET_OK, "e_f NaN rc");
    check_float_nan(f, "e_f NaN");
    check_int(duet_rpc_call(RA, "e_f", "i:f", 16777217, &f), DUET_OK, "e_f int 2^24+1 rc");
    check_float(f, 0x4b800000u, "e_f int 2^24+1 rounds to even");
    check_int(DUET_RPC_CALL(RA, "e_f", &f, 3.40282347e38f), DUET_OK, "typed e_f FLT_MAX rc");
    check_float(f, 0x7f7fffffu, "typed e_f FLT_MAX");

    check_int(duet_rpc_call(RA, "e_d", "d:d", 1e300, &d), DUET_OK, "e_d 1e300 rc");
    check_double(d, 0x7e37e43c8800759cu, "e_d 1e300");
    check_int(duet_rpc_call(RA, "e_d", "d:d", 1e-310, &d), DUET_OK, "e_d 1e-310 rc");
    check_double(d, 0x000012688b70e62bu, "e_d 1e-310 (subnormal)");
    check_int(duet_rpc_call(RA, "e_d", "d:d", -0.0, &d), DUET_OK, "e_d -0 rc");
    check_double(d, 0x8000000000000000u, "e_d -0");
    check_int(DUET_RPC_CALL(RA, "e_d", &d, 0x0.0000000000001p-1022), DUET_OK, "typed e_d 5e-324 rc");
    check_double(d, 0x0000000000000001u, "typed e_d 5e-324");
    check_int(DUET_RPC_CALL(RA, "e_d", &d, (double)INFINITY), DUET_OK, "typed e_d inf rc");
    check_double(d, 0x7ff0000000000000u, "typed e_d inf");
    check_int(DUET_RPC_CALL(RA, "e_d", &d, (double)NAN), DUET_OK, "typed e_d NaN rc");
    check_double_nan(d, "typed e_d NaN");

    /* float -> double on either side, double -> float on either side. */
    check_int(duet_rpc_call(RA, "f2d", "f:d", 0.1, &d), DUET_OK, "f2d 0.1 rc");
    check_double(d, 0x3fb99999a0000000u, "f2d 0.1f widened by the handler");
    check_int(duet_rpc_call(RA, "e_f", "f:d", 0x1p-149, &d), DUET_OK, "e_f as double rc");
    check_double(d, 0x36a0000000000000u, "float result widened by the caller");
    check_int(duet_rpc_call(RA, "d2f", "d:f", 1e300, &f), DUET_OK, "d2f 1e300 rc");
    check_float(f, 0x7f800000u, "d2f 1e300 to inf");
    check_int(duet_rpc_call(RA, "d2f", "d:f", 1e-46, &f), DUET_OK, "d2f 1e-46 rc");
    check_float(f, 0x00000000u, "d2f 1e-46 to 0");
    check_int(duet_rpc_call(RA, "e_d", "d:f", -1e300, &f), DUET_OK, "e_d as float rc");
    check_float(f, 0xff800000u, "double result narrowed by the caller");
    check_int(duet_rpc_call(RA, "e_d", "d:f", 0.1, &f), DUET_OK, "e_d 0.1 as float rc");
    check_float(f, 0x3dcccccdu, "0.1 narrowed by the caller");
    /* Integers where doubles are expected (number.c's conversions). */
    check_int(duet_rpc_call(RA, "e_d", "k:d", UINT64_MAX, &d), DUET_OK, "e_d uint64 rc");
    check_double(d, 0x43f0000000000000u, "e_d UINT64_MAX");
    check_int(duet_rpc_call(RA, "e_d", "l:d", INT64_MIN, &d), DUET_OK, "e_d int64 rc");
    check_double(d, 0xc3e0000000000000u, "e_d INT64_MIN");
    check_int(duet_rpc_call(RA, "e_d", "l:d", (int64_t)(1ull << 53) + 1, &d), DUET_OK, "e_d 2^53+1 rc");
    check_double(d, 0x4340000000000000u, "e_d 2^53+1 rounds to even");
    check_int(duet_rpc_call(RA, "e_l", "l:d", (int64_t)-(1ll << 53) - 3, &d), DUET_OK, "e_l as double rc");
    check_double(d, 0xc340000000000002u, "int64 result -(2^53+3) as double");
}

/* The values on the wire: what A sends, as B's 'v' argument receives it. */
static void check_wire(void)
{
    uint8_t v[32];
    size_t len = 0;
    check_int(duet_rpc_call(RA, "e_v", "f:v", 1.5, v, sizeof v, &len), DUET_OK, "wire float rc");
    check_bytes(v, len, "\xca\x3f\xc0\x00\x00", 5, "wire float 1.5");
    check_int(duet_rpc_call(RA, "e_v", "f:v", -0.0, v, sizeof v, &len), DUET_OK, "wire -0.0f rc");
    check_bytes(v, len, "\xca\x80\x00\x00\x00", 5, "wire float -0");
    check_int(duet_rpc_call(RA, "e_v", "d:v", 0.1, v, sizeof v, &len), DUET_OK, "wire double rc");
    check_bytes(v, len, "\xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a", 9, "wire double 0.1");
    check_int(duet_rpc_call(RA, "e_v", "k:v", UINT64_MAX, v, sizeof v, &len), DUET_OK, "wire uint64 rc");
    check_bytes(v, len, "\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9, "wire UINT64_MAX");
    check_int(duet_rpc_call(RA, "e_v", "l:v", (int64_t)-129, v, sizeof v, &len), DUET_OK, "wire int rc");
    check_bytes(v, len, "\xd1\xff\x7f", 3, "wire -129");
    /* An array and a map, raw. */
    static const uint8_t array[] = {0x97, 0x01, 0xff, 0xca, 0x3f, 0xc0, 0x00, 0x00, 0xa1, 0x78, 0xc0, 0xc3, 0x81,
                                    0xa1, 0x6b, 0x02};
    check_int(duet_rpc_call(RA, "e_v", "v:v", array, sizeof array, v, sizeof v, &len), DUET_OK, "e_v array rc");
    check_bytes(v, len, array, sizeof array, "e_v [1, -1, 1.5f, \"x\", nil, true, {\"k\": 2}]");
    static const uint8_t map[] = {0x83, 0xa1, 0x61, 0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0, 0xa1, 0x62, 0xca, 0x3e,
                                  0x80, 0, 0, 0xa1, 0x63, 0xca, 0x40, 0, 0, 0};
    double d = 0;
    check_int(duet_rpc_call(RA, "sum_map", "v:d", map, sizeof map, &d), DUET_OK, "sum_map rc");
    check_double(d, 0x4006000000000000u, "sum_map {a: 0.5, b: 0.25f, c: 2.0f} = 2.75");
}

/* Strings, bytes, nil; eight arguments of mixed types. */
static void check_bytes_and_mixed(void)
{
    char s[128];
    uint8_t y[16];
    size_t len = 0;
    check_int(duet_rpc_call(RA, "e_s", "s:s", "h\xc3\xa9llo", s, sizeof s), DUET_OK, "e_s rc");
    check_str(s, "h\xc3\xa9llo", "e_s utf-8");
    check_int(duet_rpc_call(RA, "e_s", "s:s", "", s, sizeof s), DUET_OK, "e_s empty rc");
    check_str(s, "", "e_s empty");
    check_int(DUET_RPC_CALL(RA, "e_s", DUET_STR_OUT(s), (const char *)"typed"), DUET_OK, "typed e_s rc");
    check_str(s, "typed", "typed e_s");
    check_int(duet_rpc_call(RA, "e_y", "y:y", "\x00\xff\x80\x01", (size_t)4, y, sizeof y, &len), DUET_OK, "e_y rc");
    check_bytes(y, len, "\x00\xff\x80\x01", 4, "e_y");
    int32_t r = 7;
    check_int(DUET_RPC_CALL(RA, "e_s", DUET_STR_OUT(s), DUET_BIN("ab", 2)), DUET_ERR_REMOTE, "typed bin to e_s rc");
    check_str(duet_rpc_error_text(RA), "e_s: argument 1: expected str, got bin", "typed bin to e_s");
    check_int(duet_rpc_call(RA, "e_y", "y:v", "ab", (size_t)2, y, sizeof y, &len), DUET_OK, "typed bin rc");
    check_bytes(y, len, "\xc4\x02" "ab", 4, "bin on the wire");
    check_int(duet_rpc_call(RA, "e_n", "n:n"), DUET_OK, "e_n rc");
    check_int(duet_rpc_call(RA, "e_n", "n:i", &r), DUET_ERR_TYPE, "e_n result as int rc");
    check_str(duet_rpc_error_text(RA), "e_n: result: expected int32, got nil", "e_n result as int");

    check_int(duet_rpc_call(RA, "mix", "ildfbkus:s", -7, (int64_t)-9000000000, 3.14159265, -0.5, 1, UINT64_MAX,
                            4000000000u, "end", s, sizeof s),
              DUET_OK, "mix rc");
    check_str(s, "-7|-9000000000|3.142|-0.50|1|18446744073709551615|4000000000|end", "mix");
    check_int(DUET_RPC_CALL(RA, "mix", DUET_STR_OUT(s), -7, -9000000000LL, 3.14159265, -0.5f, (bool)true, UINT64_MAX,
                            4000000000u, "end"),
              DUET_OK, "typed mix rc");
    check_str(s, "-7|-9000000000|3.142|-0.50|1|18446744073709551615|4000000000|end", "typed mix");

    double d = 0;
    check_int(duet_rpc_call(RA, "digits_d", "dddddddd:d", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, &d), DUET_OK,
              "digits_d rc");
    check_double(d, 0x4194e5fec4000000u, "digits_d 87654321");
    check_int(DUET_RPC_CALL(RA, "digits_f", &d, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f), DUET_OK,
              "typed digits_f rc");
    check_double(d, 0x4194e5fec4000000u, "typed digits_f 87654321");
    check_int(DUET_RPC_CALL(RA, "digits_d", &d, 8.0, 7.0f, 6, 5u, 4LL, 3ULL, (short)2, (unsigned char)1), DUET_OK,
              "typed digits_d of mixed types rc");
    check_double(d, 0x41678c29c0000000u, "typed digits_d 12345678");
}

/* Error answers: their texts. */
static void check_errors(void)
{
    int32_t r = 99;
    float f = 0;
    check_int(duet_rpc_call(RA, "no_such_method", "ii:i", 1, 2, &r), DUET_ERR_REMOTE, "unknown rc");
    check_str(duet_rpc_error_text(RA), "rpclib: server could not find function 'no_such_method' with argument count 2.",
              "unknown method");
    check_int(duet_rpc_call(RA, "nestt", "i:i", 1, &r), DUET_ERR_REMOTE, "misspelt rc");
    check_str(duet_rpc_error_text(RA), "rpclib: server could not find function 'nestt' with argument count 1. Did you mean: nest?",
              "misspelt method");
    check_int(duet_rpc_call(RA, "e_i", "s:i", "x", &r), DUET_ERR_REMOTE, "wrong type rc");
    check_str(duet_rpc_error_text(RA), "e_i: argument 1: expected int32, got str", "wrong type");
    check_int(duet_rpc_call(RA, "e_f", "b:f", 1, &f), DUET_ERR_REMOTE, "bool for float rc");
    check_str(duet_rpc_error_text(RA), "e_f: argument 1: expected float, got bool", "bool for float");
    check_int(DUET_RPC_CALL(RA, "e_i", &r, 1.5), DUET_ERR_REMOTE, "double for int rc");
    check_str(duet_rpc_error_text(RA), "e_i: argument 1: expected int32, got float64", "double for int");
    check_int(DUET_RPC_CALL(RA, "e_i", &r, 1.5f), DUET_ERR_REMOTE, "float for int rc");
    check_str(duet_rpc_error_text(RA), "e_i: argument 1: expected int32, got float32", "float for int");
    check_int(duet_rpc_call(RA, "e_i", "l:i", (int64_t)INT32_MAX + 1, &r), DUET_ERR_REMOTE, "out of range rc");
    check_str(duet_rpc_error_text(RA), "e_i: argument 1: expected int32, got an integer out of its range",
              "out of range");
    check_int(duet_rpc_call(RA, "e_i", "ii:i", 1, 2, &r), DUET_ERR_REMOTE, "two for one rc");
    check_str(duet_rpc_error_text(RA), "e_i: expected 1 argument, got 2", "two for one");
    check_int(duet_rpc_call(RA, "digits_d", "d:d", 1.0, (double *)NULL), DUET_ERR_REMOTE, "one for eight rc");
    check_str(duet_rpc_error_text(RA), "digits_d: expected 8 arguments, got 1", "one for eight");
    check_int(duet_rpc_call(RA, "e_s", "s:d", "x", (double *)NULL), DUET_ERR_TYPE, "str result as double rc");
    check_str(duet_rpc_error_text(RA), "e_s: result: expected double, got str", "str result as double");
    check_int(r, 99, "no result stored on an error");
    check_int(duet_rpc_call(RA, "e_i", "i:i", 5, &r), DUET_OK, "a call after the errors rc");
    check_int(r, 5, "a call after the errors");
}

/* A call whose handler calls back; calls left waiting and joined later; notifications. */
static void check_nested_async_notify(void)
{
    int32_t r = 0;
    check_int(duet_rpc_call(RA, "nest", "i:i", 20, &r), DUET_OK, "nest rc");
    check_int(r, 41, "nest 20 -> twice 40 + 1");

    duet_future f1, f2, f3;
    double d = 0;
    char s[32];
    check_int(duet_rpc_call_async(RA, &f1, "e_d", "d:d", 1e300), DUET_OK, "async 1 rc");
    check_int(duet_rpc_call_async(RA, &f2, "e_s", "s:s", "later"), DUET_OK, "async 2 rc");
    check_int(DUET_RPC_CALL_ASYNC(RA, &f3, "f2d", 0.1f), DUET_OK, "typed async 3 rc");
    check_int(duet_future_poll(RA, &f1), DUET_ERR_AGAIN, "async 1 still waiting");
    check_int(DUET_FUTURE_WAIT(RA, &f3, 100, &d), DUET_OK, "typed wait 3 rc");
    check_double(d, 0x3fb99999a0000000u, "typed wait 3");
    check_int(duet_future_wait(RA, &f2, 100, s, sizeof s), DUET_OK, "wait 2 rc");
    check_str(s, "later", "wait 2");
    check_int(duet_future_wait(RA, &f1, 100, &d), DUET_OK, "wait 1 rc");
    check_double(d, 0x7e37e43c8800759cu, "wait 1");

    check_int(DUET_RPC_NOTIFY(RA, "note", -2.5f, 1e-310), DUET_OK, "typed notify rc");
    check_int(note.calls, 0, "a notification runs when B polls");
    check_int(duet_rpc_poll(RB), 1, "B polls the notification");
    check_int(note.calls, 1, "notification arrived");
    check_true(note.notification, "it is a notification");
    check_float(note.f, 0xc0200000u, "notification float -2.5");
    check_double(note.d, 0x000012688b70e62bu, "notification double 1e-310");
    check_int(duet_rpc_notify(RA, "note", "fd", 0x1p-149, -0.0), DUET_OK, "notify rc");
    check_int(duet_rpc_poll(RB), 1, "B polls the second notification");
    check_float(note.f, 0x00000001u, "notification float subnormal");
    check_double(note.d, 0x8000000000000000u, "notification double -0");
    duet_rpc_stats st = duet_rpc_get_stats(RB);
    check_int(st.malformed, 0, "B received nothing malformed");
    check_int(st.send_failures, 0, "B's sends all went");
}

void check_rpc(void)
{
    setup();
    check_integers();
    check_typed_calls();
    check_floats();
    check_wire();
    check_bytes_and_mixed();
    check_errors();
    check_nested_async_notify();
}

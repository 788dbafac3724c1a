/*
 * test_interop_msgpack_c.c - duet's MessagePack codec against msgpack-c, on random values.
 *
 * A seeded PRNG builds thousands of random nested values (every integer encoding boundary,
 * float32/float64 incl. NaN and denormals, str/bin/ext around every length boundary, fixext,
 * timestamps, arrays and maps nested up to depth 6). Each value is
 *   - encoded by duet's writer and by msgpack-c's packer: the bytes must be identical;
 *   - encoded again into a buffer one byte too small: DUET_ERR_NOSPACE and a prefix;
 *   - decoded from duet's bytes by msgpack_unpack_next and compared with the tree;
 *   - decoded from msgpack-c's bytes by duet's read_token and compared with the tree;
 *   - decoded from msgpack-c's bytes by duet's typed getters (chosen at random), with
 *     wrong-type, out-of-range and too-small-buffer reads tried on copies of the reader;
 *   - skipped whole by duet_msgpack_skip, and a random strict prefix must be reported
 *     truncated by both duet and msgpack-c.
 *
 * The seed is printed; DUET_INTEROP_SEED and DUET_INTEROP_COUNT override seed and count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <msgpack/timestamp.h>

#include "duet/msgpack.h"

/* ------------------------------------------------------------------ PRNG */

static uint64_t g_seed = 0x6475657431303231ull; /* "duet1021" */
static int g_count = 5000;

typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t rnd(rng_t *g)
{
    /* splitmix64 */
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t below(rng_t *g, uint32_t n)
{
    return n ? (uint32_t)(rnd(g) % n) : 0;
}

static bool chance(rng_t *g, unsigned percent)
{
    return below(g, 100) < percent;
}

#define PICK(g, arr) ((arr)[below((g), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])

/* --------------------------------------------------------------- values */

enum kind { K_NIL, K_BOOL, K_UINT, K_INT, K_F32, K_F64, K_STR, K_BIN, K_EXT, K_TS, K_ARRAY, K_MAP };

static const char *const kind_names[] = {"nil", "bool", "uint", "int", "float32", "float64",
                                         "str", "bin", "ext", "timestamp", "array", "map"};

typedef struct val {
    enum kind kind;
    unsigned style; /* which writer / packer entry point encodes it */
    bool b;
    uint64_t u;
    int64_t i;
    float f;
    double d;
    int8_t ext_type;
    int64_t sec;
    uint32_t nsec;
    uint8_t *bytes; /* str/bin/ext body, len + 1 bytes allocated, NUL-terminated */
    uint32_t len;
    struct val *items; /* array: count items; map: 2 * count items, key then value */
    uint32_t count;
} val;

static void val_free(val *v)
{
    free(v->bytes);
    if (v->items) {
        uint32_t n = v->kind == K_MAP ? 2 * v->count : v->count;
        for (uint32_t k = 0; k < n; k++)
            val_free(&v->items[k]);
        free(v->items);
    }
    memset(v, 0, sizeof *v);
}

static const uint64_t u_bounds[] = {
    0, 1, 0x7e, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x100, 0x101, 0x7fff, 0x8000, 0xfffe, 0xffff,
    0x10000, 0x10001, 0x7fffffff, 0x80000000u, 0xfffffffeu, 0xffffffffu, 0x100000000ull,
    0x100000001ull, 0x3ffffffffull, 0x400000000ull, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0xfffffffffffffffeull, 0xffffffffffffffffull};

static const int64_t i_bounds[] = {
    0, -1, -2, -31, -32, -33, -127, -128, -129, -255, -256, -32767, -32768, -32769, -65535,
    -65536, INT32_MIN + 1, INT32_MIN, (int64_t)INT32_MIN - 1, -4294967296ll, INT64_MIN + 1,
    INT64_MIN, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, INT32_MAX, (int64_t)INT32_MAX + 1,
    4294967295ll, 4294967296ll, INT64_MAX - 1, INT64_MAX};

static uint64_t gen_u64(rng_t *g)
{
    uint32_t r = below(g, 100);
    if (r < 40)
        return PICK(g, u_bounds) + (uint64_t)(int64_t)((int)below(g, 5) - 2); /* wraps at 0 / max */
    if (r < 75)
        return rnd(g) >> below(g, 64);
    return below(g, 200);
}

static int64_t gen_i64(rng_t *g)
{
    uint32_t r = below(g, 100);
    if (r < 45)
        return (int64_t)((uint64_t)PICK(g, i_bounds) + (uint64_t)(int64_t)((int)below(g, 5) - 2));
    if (r < 80) {
        /* sign-extended random width */
        unsigned shift = below(g, 64);
        return (int64_t)(rnd(g) << shift) >> shift;
    }
    return (int64_t)below(g, 100) - 64;
}

static float bits_f32(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static double bits_f64(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint32_t f32_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static uint64_t f64_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static const uint32_t f32_specials[] = {
    0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u, 0x7fc12345u,
    0x7f800001u, 0x7fbfffffu, 0x00000001u, 0x007fffffu, 0x00800000u, 0x7f7fffffu, 0xff7fffffu,
    0x3f800000u, 0xbfc00000u, 0x4b800000u};

static const uint64_t f64_specials[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff8000000012345ull, 0x7ff0000000000001ull,
    0x7ff7ffffffffffffull, 0x0000000000000001ull, 0x000fffffffffffffull, 0x0010000000000000ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x3ff0000000000000ull, 0xbff8000000000000ull,
    0x4340000000000000ull, 0x47efffffe0000000ull, 0x3810000000000000ull};

static float gen_f32(rng_t *g)
{
    uint32_t r = below(g, 100);
    if (r < 25)
        return bits_f32(PICK(g, f32_specials));
    if (r < 75)
        return bits_f32((uint32_t)rnd(g));
    return (float)((int)below(g, 4000) - 2000) / 8.0f;
}

static double gen_f64(rng_t *g)
{
    uint32_t r = below(g, 100);
    if (r < 25)
        return bits_f64(PICK(g, f64_specials));
    if (r < 75)
        return bits_f64(rnd(g));
    return (double)((int)below(g, 4000) - 2000) / 1024.0;
}

static uint32_t gen_len(rng_t *g)
{
    static const uint32_t near[] = {0, 1, 2, 15, 16, 30, 31, 32, 33, 100, 254, 255, 256, 257};
    static const uint32_t mid[] = {1000, 4095, 4096, 8191};
    static const uint32_t big[] = {65534, 65535, 65536, 65537, 70000};
    uint32_t r = below(g, 1000);
    if (r < 800)
        return below(g, 20);
    if (r < 930)
        return PICK(g, near);
    if (r < 985)
        return PICK(g, mid);
    return PICK(g, big);
}

static uint8_t *gen_bytes(rng_t *g, uint32_t len, bool text)
{
    uint8_t *p = malloc((size_t)len + 1);
    assert_non_null(p);
    for (uint32_t k = 0; k < len; k++)
        p[k] = text ? (uint8_t)(0x20 + below(g, 95)) : (uint8_t)rnd(g);
    if (!text && len && chance(g, 20))
        p[below(g, len)] = 0; /* an embedded NUL */
    p[len] = 0;
    return p;
}

static void gen_ts(rng_t *g, int64_t *sec, uint32_t *nsec)
{
    static const int64_t secs[] = {0, 1, 0xffffffffll, 0x100000000ll, (1ll << 34) - 1, 1ll << 34,
                                   -1, -2, INT64_MIN, INT64_MAX, 1700000000ll};
    static const uint32_t nsecs[] = {0, 1, 999999999u, 500000000u};
    uint32_t r = below(g, 100);
    if (r < 50)
        *sec = PICK(g, secs);
    else if (r < 80)
        *sec = (int64_t)(rnd(g) >> (30 + below(g, 34)));
    else
        *sec = (int64_t)rnd(g);
    *nsec = chance(g, 50) ? PICK(g, nsecs) : below(g, 1000000000u);
}

#define MAX_DEPTH 6

static void gen_val(rng_t *g, val *v, int depth, int *budget);

/* A cheap scalar, for the elements of very long arrays and maps. */
static void gen_small(rng_t *g, val *v)
{
    memset(v, 0, sizeof *v);
    switch (below(g, 3)) {
    case 0: v->kind = K_NIL; break;
    case 1: v->kind = K_UINT; v->u = below(g, 300); break;
    default: v->kind = K_INT; v->i = (int64_t)below(g, 64) - 40; break;
    }
}

static void gen_container(rng_t *g, val *v, int depth, int *budget)
{
    static const uint32_t edge[] = {14, 15, 16, 17, 31, 32};
    static const uint32_t huge[] = {65535, 65536};
    uint32_t r = below(g, 1000);
    bool long_form = false;
    if (r < 700)
        v->count = below(g, 6);
    else if (r < 900)
        v->count = PICK(g, edge);
    else if (r < 997 || depth > 1)
        v->count = below(g, 40);
    else {
        v->count = PICK(g, huge);
        long_form = true;
    }
    uint32_t n = v->kind == K_MAP ? 2 * v->count : v->count;
    v->items = calloc(n ? n : 1, sizeof *v->items);
    assert_non_null(v->items);
    for (uint32_t k = 0; k < n; k++) {
        if (long_form)
            gen_small(g, &v->items[k]);
        else
            gen_val(g, &v->items[k], depth + 1, budget);
    }
}

static void gen_val(rng_t *g, val *v, int depth, int *budget)
{
    memset(v, 0, sizeof *v);
    v->style = below(g, 8);
    --*budget;
    if (depth < MAX_DEPTH && *budget > 0 && chance(g, depth == 0 ? 45 : 22)) {
        v->kind = chance(g, 50) ? K_ARRAY : K_MAP;
        gen_container(g, v, depth, budget);
        return;
    }
    v->kind = (enum kind)below(g, K_TS + 1);
    switch (v->kind) {
    case K_NIL: break;
    case K_BOOL: v->b = chance(g, 50); break;
    case K_UINT: v->u = gen_u64(g); break;
    case K_INT: v->i = gen_i64(g); break;
    case K_F32: v->f = gen_f32(g); break;
    case K_F64: v->d = gen_f64(g); break;
    case K_STR:
        v->len = gen_len(g);
        v->bytes = gen_bytes(g, v->len, chance(g, 50));
        break;
    case K_BIN:
        v->len = gen_len(g);
        v->bytes = gen_bytes(g, v->len, false);
        break;
    case K_EXT: {
        static const uint32_t ext_lens[] = {0, 1, 2, 3, 4, 5, 8, 12, 15, 16, 17};
        static const int8_t ext_types[] = {-128, -2, -1, 0, 1, 42, 127};
        v->len = chance(g, 60) ? PICK(g, ext_lens) : gen_len(g);
        v->ext_type = chance(g, 30) ? PICK(g, ext_types) : (int8_t)(uint8_t)rnd(g);
        if (v->ext_type == -1 && (v->len == 4 || v->len == 8 || v->len == 12))
            v->ext_type = -2; /* ext -1 of those sizes is a timestamp: K_TS tests it */
        v->bytes = gen_bytes(g, v->len, false);
        break;
    }
    case K_TS: gen_ts(g, &v->sec, &v->nsec); break;
    default: break;
    }
}

/* An upper bound on the encoded size. */
static size_t enc_bound(const val *v)
{
    switch (v->kind) {
    case K_STR: case K_BIN: case K_EXT: return 6 + (size_t)v->len;
    case K_TS: return 15;
    case K_ARRAY: case K_MAP: {
        size_t n = 5;
        uint32_t items = v->kind == K_MAP ? 2 * v->count : v->count;
        for (uint32_t k = 0; k < items; k++)
            n += enc_bound(&v->items[k]);
        return n;
    }
    default: return 9;
    }
}

/* ------------------------------------------------------------- encoders */

static void duet_put(duet_msgpack_writer *w, const val *v)
{
    switch (v->kind) {
    case K_NIL: duet_msgpack_write_nil(w); break;
    case K_BOOL: duet_msgpack_write_bool(w, v->b); break;
    case K_UINT:
        if (v->style % 2 && v->u <= (uint64_t)INT64_MAX)
            duet_msgpack_write_int(w, (int64_t)v->u);
        else
            duet_msgpack_write_uint(w, v->u);
        break;
    case K_INT:
        if (v->style % 2 && v->i >= 0)
            duet_msgpack_write_uint(w, (uint64_t)v->i);
        else
            duet_msgpack_write_int(w, v->i);
        break;
    case K_F32: duet_msgpack_write_float(w, v->f); break;
    case K_F64: duet_msgpack_write_double(w, v->d); break;
    case K_STR:
        switch (v->style % 4) {
        case 0: duet_msgpack_write_str(w, (const char *)v->bytes, v->len); break;
        case 1:
            duet_msgpack_write_str_header(w, v->len);
            duet_msgpack_write_raw(w, v->bytes, v->len);
            break;
        case 2:
            if (!memchr(v->bytes, 0, v->len)) {
                duet_msgpack_write_cstr(w, (const char *)v->bytes);
                break;
            }
            duet_msgpack_write_str(w, (const char *)v->bytes, v->len);
            break;
        default:
            if (v->len >= 32)
                duet_msgpack_write_str_long(w, (const char *)v->bytes, v->len);
            else
                duet_msgpack_write_str(w, (const char *)v->bytes, v->len);
            break;
        }
        break;
    case K_BIN:
        if (v->style % 2) {
            duet_msgpack_write_bin_header(w, v->len);
            duet_msgpack_write_raw(w, v->bytes, v->len);
        } else {
            duet_msgpack_write_bin(w, v->bytes, v->len);
        }
        break;
    case K_EXT:
        if (v->style % 2) {
            duet_msgpack_write_ext_header(w, v->ext_type, v->len);
            duet_msgpack_write_raw(w, v->bytes, v->len);
        } else {
            duet_msgpack_write_ext(w, v->ext_type, v->bytes, v->len);
        }
        break;
    case K_TS: duet_msgpack_write_timestamp(w, v->sec, v->nsec); break;
    case K_ARRAY:
        duet_msgpack_write_array(w, v->count);
        for (uint32_t k = 0; k < v->count; k++)
            duet_put(w, &v->items[k]);
        break;
    case K_MAP:
        duet_msgpack_write_map(w, v->count);
        for (uint32_t k = 0; k < 2 * v->count; k++)
            duet_put(w, &v->items[k]);
        break;
    }
}

static void mpc_put(msgpack_packer *pk, const val *v)
{
    switch (v->kind) {
    case K_NIL: msgpack_pack_nil(pk); break;
    case K_BOOL:
        if (v->b)
            msgpack_pack_true(pk);
        else
            msgpack_pack_false(pk);
        break;
    case K_UINT:
        if (v->style % 4 == 1 && v->u <= UINT8_MAX)
            msgpack_pack_uint8(pk, (uint8_t)v->u);
        else if (v->style % 4 == 2 && v->u <= UINT16_MAX)
            msgpack_pack_uint16(pk, (uint16_t)v->u);
        else if (v->style % 4 == 3 && v->u <= UINT32_MAX)
            msgpack_pack_uint32(pk, (uint32_t)v->u);
        else
            msgpack_pack_uint64(pk, v->u);
        break;
    case K_INT:
        if (v->style % 4 == 1 && v->i >= INT8_MIN && v->i <= INT8_MAX)
            msgpack_pack_int8(pk, (int8_t)v->i);
        else if (v->style % 4 == 2 && v->i >= INT16_MIN && v->i <= INT16_MAX)
            msgpack_pack_int16(pk, (int16_t)v->i);
        else if (v->style % 4 == 3 && v->i >= INT32_MIN && v->i <= INT32_MAX)
            msgpack_pack_int32(pk, (int32_t)v->i);
        else
            msgpack_pack_int64(pk, v->i);
        break;
    case K_F32: msgpack_pack_float(pk, v->f); break;
    case K_F64: msgpack_pack_double(pk, v->d); break;
    case K_STR:
        if (v->style / 4) {
            msgpack_pack_str(pk, v->len);
            msgpack_pack_str_body(pk, v->bytes, v->len);
        } else {
            msgpack_pack_str_with_body(pk, v->bytes, v->len);
        }
        break;
    case K_BIN:
        if (v->style / 4) {
            msgpack_pack_bin(pk, v->len);
            msgpack_pack_bin_body(pk, v->bytes, v->len);
        } else {
            msgpack_pack_bin_with_body(pk, v->bytes, v->len);
        }
        break;
    case K_EXT:
        if (v->style / 4) {
            msgpack_pack_ext(pk, v->len, v->ext_type);
            msgpack_pack_ext_body(pk, v->bytes, v->len);
        } else {
            msgpack_pack_ext_with_body(pk, v->bytes, v->len, v->ext_type);
        }
        break;
    case K_TS: {
        msgpack_timestamp ts = {v->sec, v->nsec};
        msgpack_pack_timestamp(pk, &ts);
        break;
    }
    case K_ARRAY:
        msgpack_pack_array(pk, v->count);
        for (uint32_t k = 0; k < v->count; k++)
            mpc_put(pk, &v->items[k]);
        break;
    case K_MAP:
        msgpack_pack_map(pk, v->count);
        for (uint32_t k = 0; k < 2 * v->count; k++)
            mpc_put(pk, &v->items[k]);
        break;
    }
}

/* ------------------------------------------------------------ checking */

static char g_err[1024];

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            int n_ = snprintf(g_err, sizeof g_err, "%s:%d: ", __FILE__, __LINE__);        \
            if (n_ > 0 && (size_t)n_ < sizeof g_err)                                      \
                snprintf(g_err + n_, sizeof g_err - (size_t)n_, __VA_ARGS__);             \
            return false;                                                                 \
        }                                                                                 \
    } while (0)

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
    size_t shown = n < 96 ? n : 96;
    fprintf(stderr, "%s (%zu bytes):", what, n);
    for (size_t k = 0; k < shown; k++)
        fprintf(stderr, " %02x", p[k]);
    fprintf(stderr, "%s\n", shown < n ? " ..." : "");
}

/* Fails the cmocka test with the seed, the value's index and the message in g_err. */
#define FAIL_AT(index, what, bytes, size)                                                  \
    do {                                                                                   \
        hexdump("bytes", (bytes), (size));                                                 \
        fail_msg("seed=0x%016" PRIx64 " value #%d: %s: %s", g_seed, (int)(index), (what), g_err); \
    } while (0)

/* memcmp that allows NULL for empty spans (msgpack-c returns NULL for an empty str). */
static bool same_bytes(const void *a, const void *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

static bool same_f32(float a, float b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return f32_bits(a) == f32_bits(b);
}

static bool same_f64(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return f64_bits(a) == f64_bits(b);
}

/* The token type duet's reader must report for v in a canonical encoding. */
static duet_msgpack_type token_type_of(const val *v)
{
    switch (v->kind) {
    case K_NIL: return DUET_MSGPACK_NIL;
    case K_BOOL: return DUET_MSGPACK_BOOL;
    case K_UINT: return DUET_MSGPACK_UINT;
    case K_INT: return v->i >= 0 ? DUET_MSGPACK_UINT : DUET_MSGPACK_INT;
    case K_F32: return DUET_MSGPACK_FLOAT32;
    case K_F64: return DUET_MSGPACK_FLOAT64;
    case K_STR: return DUET_MSGPACK_STR;
    case K_BIN: return DUET_MSGPACK_BIN;
    case K_EXT: case K_TS: return DUET_MSGPACK_EXT;
    case K_ARRAY: return DUET_MSGPACK_ARRAY;
    case K_MAP: return DUET_MSGPACK_MAP;
    }
    return DUET_MSGPACK_NONE;
}

/* The timestamp's body in its smallest form (the MessagePack spec's rules). */
static uint32_t ts_body(int64_t sec, uint32_t nsec, uint8_t out[12])
{
    if (sec >= 0 && sec <= 0xffffffffll && nsec == 0) {
        duet_msgpack_store32(out, (uint32_t)sec);
        return 4;
    }
    if (sec >= 0 && sec < (1ll << 34)) {
        duet_msgpack_store64(out, ((uint64_t)nsec << 34) | (uint64_t)sec);
        return 8;
    }
    duet_msgpack_store32(out, nsec);
    duet_msgpack_store64(out + 4, (uint64_t)sec);
    return 12;
}

/* msgpack-c's object against the tree. */
static bool cmp_obj(const val *v, const msgpack_object *o)
{
    const char *k = kind_names[v->kind];
    switch (v->kind) {
    case K_NIL: CHECK(o->type == MSGPACK_OBJECT_NIL, "%s: msgpack-c type %d", k, o->type); break;
    case K_BOOL:
        CHECK(o->type == MSGPACK_OBJECT_BOOLEAN && o->via.boolean == v->b, "%s: msgpack-c type %d", k, o->type);
        break;
    case K_UINT:
        CHECK(o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 == v->u,
              "uint %" PRIu64 ": msgpack-c type %d value %" PRIu64, v->u, o->type, o->via.u64);
        break;
    case K_INT:
        if (v->i >= 0)
            CHECK(o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 == (uint64_t)v->i,
                  "int %" PRId64 ": msgpack-c type %d value %" PRIu64, v->i, o->type, o->via.u64);
        else
            CHECK(o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && o->via.i64 == v->i,
                  "int %" PRId64 ": msgpack-c type %d value %" PRId64, v->i, o->type, o->via.i64);
        break;
    case K_F32:
        CHECK(o->type == MSGPACK_OBJECT_FLOAT32, "float32: msgpack-c type %d", o->type);
        CHECK(same_f64(o->via.f64, (double)v->f), "float32 %08" PRIx32 ": msgpack-c %016" PRIx64,
              f32_bits(v->f), f64_bits(o->via.f64));
        break;
    case K_F64:
        CHECK(o->type == MSGPACK_OBJECT_FLOAT64, "float64: msgpack-c type %d", o->type);
        CHECK(f64_bits(o->via.f64) == f64_bits(v->d), "float64 %016" PRIx64 ": msgpack-c %016" PRIx64,
              f64_bits(v->d), f64_bits(o->via.f64));
        break;
    case K_STR:
        CHECK(o->type == MSGPACK_OBJECT_STR, "str: msgpack-c type %d", o->type);
        CHECK(o->via.str.size == v->len && same_bytes(o->via.str.ptr, v->bytes, v->len),
              "str of %" PRIu32 ": msgpack-c size %" PRIu32 " or bytes differ", v->len, o->via.str.size);
        break;
    case K_BIN:
        CHECK(o->type == MSGPACK_OBJECT_BIN, "bin: msgpack-c type %d", o->type);
        CHECK(o->via.bin.size == v->len && same_bytes(o->via.bin.ptr, v->bytes, v->len),
              "bin of %" PRIu32 ": msgpack-c size %" PRIu32 " or bytes differ", v->len, o->via.bin.size);
        break;
    case K_EXT:
        CHECK(o->type == MSGPACK_OBJECT_EXT, "ext: msgpack-c type %d", o->type);
        CHECK(o->via.ext.type == v->ext_type && o->via.ext.size == v->len &&
                  same_bytes(o->via.ext.ptr, v->bytes, v->len),
              "ext %d of %" PRIu32 ": msgpack-c ext %d size %" PRIu32, v->ext_type, v->len, o->via.ext.type,
              o->via.ext.size);
        break;
    case K_TS: {
        msgpack_timestamp ts;
        CHECK(msgpack_object_to_timestamp(o, &ts), "timestamp: msgpack-c type %d not a timestamp", o->type);
        CHECK(ts.tv_sec == v->sec && ts.tv_nsec == v->nsec,
              "timestamp %" PRId64 ".%09" PRIu32 ": msgpack-c %" PRId64 ".%09" PRIu32, v->sec, v->nsec,
              ts.tv_sec, ts.tv_nsec);
        break;
    }
    case K_ARRAY:
        CHECK(o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size == v->count,
              "array of %" PRIu32 ": msgpack-c type %d", v->count, o->type);
        for (uint32_t n = 0; n < v->count; n++)
            if (!cmp_obj(&v->items[n], &o->via.array.ptr[n]))
                return false;
        break;
    case K_MAP:
        CHECK(o->type == MSGPACK_OBJECT_MAP && o->via.map.size == v->count,
              "map of %" PRIu32 ": msgpack-c type %d", v->count, o->type);
        for (uint32_t n = 0; n < v->count; n++)
            if (!cmp_obj(&v->items[2 * n], &o->via.map.ptr[n].key) ||
                !cmp_obj(&v->items[2 * n + 1], &o->via.map.ptr[n].val))
                return false;
        break;
    }
    return true;
}

/* The input span that returned pointers must lie in. */
static const uint8_t *g_lo, *g_hi;

static bool in_input(const void *p, size_t len)
{
    const uint8_t *q = p;
    return q && q >= g_lo && q <= g_hi && len <= (size_t)(g_hi - q);
}

/* Reads v with duet_msgpack_read_token, recursively. */
static bool token_walk(duet_msgpack_reader *r, const val *v)
{
    size_t off = duet_msgpack_reader_offset(r);
    duet_msgpack_token t;
    duet_msgpack_type want = token_type_of(v);
    duet_msgpack_type peeked = duet_msgpack_peek_type(r);
    CHECK(duet_msgpack_read_token(r, &t), "%s at offset %zu: read_token failed, error %d", kind_names[v->kind],
          off, duet_msgpack_reader_error(r));
    CHECK(peeked == want, "%s at offset %zu: peek_type %s", kind_names[v->kind], off,
          duet_msgpack_type_name(peeked));
    CHECK(t.type == want, "%s at offset %zu: token type %s", kind_names[v->kind], off,
          duet_msgpack_type_name(t.type));
    CHECK(duet_msgpack_reader_offset(r) > off, "offset %zu did not advance", off);
    switch (v->kind) {
    case K_NIL: break;
    case K_BOOL: CHECK(t.v.b == v->b, "bool at %zu: %d", off, t.v.b); break;
    case K_UINT: CHECK(t.v.u == v->u, "uint %" PRIu64 " at %zu: %" PRIu64, v->u, off, t.v.u); break;
    case K_INT:
        if (v->i >= 0)
            CHECK(t.v.u == (uint64_t)v->i, "int %" PRId64 " at %zu: uint %" PRIu64, v->i, off, t.v.u);
        else
            CHECK(t.v.i == v->i, "int %" PRId64 " at %zu: %" PRId64, v->i, off, t.v.i);
        break;
    case K_F32:
        CHECK(f32_bits(t.v.f) == f32_bits(v->f), "float32 %08" PRIx32 " at %zu: %08" PRIx32, f32_bits(v->f), off,
              f32_bits(t.v.f));
        break;
    case K_F64:
        CHECK(f64_bits(t.v.d) == f64_bits(v->d), "float64 %016" PRIx64 " at %zu: %016" PRIx64, f64_bits(v->d),
              off, f64_bits(t.v.d));
        break;
    case K_STR: case K_BIN: case K_EXT:
        CHECK(t.v.bytes.len == v->len, "%s of %" PRIu32 " at %zu: len %" PRIu32, kind_names[v->kind], v->len, off,
              t.v.bytes.len);
        CHECK(in_input(t.v.bytes.ptr, t.v.bytes.len), "%s at %zu: pointer outside the input", kind_names[v->kind],
              off);
        CHECK(t.v.bytes.ptr + t.v.bytes.len == g_lo + duet_msgpack_reader_offset(r),
              "%s at %zu: body does not end where the reader stands", kind_names[v->kind], off);
        CHECK(memcmp(t.v.bytes.ptr, v->bytes, v->len) == 0, "%s at %zu: bytes differ", kind_names[v->kind], off);
        if (v->kind == K_EXT)
            CHECK(t.v.bytes.ext_type == v->ext_type, "ext at %zu: type %d, want %d", off, t.v.bytes.ext_type,
                  v->ext_type);
        break;
    case K_TS: {
        uint8_t body[12];
        uint32_t n = ts_body(v->sec, v->nsec, body);
        CHECK(t.v.bytes.ext_type == DUET_MSGPACK_EXT_TIMESTAMP && t.v.bytes.len == n &&
                  in_input(t.v.bytes.ptr, n) && memcmp(t.v.bytes.ptr, body, n) == 0,
              "timestamp at %zu: ext %d of %" PRIu32, off, t.v.bytes.ext_type, t.v.bytes.len);
        break;
    }
    case K_ARRAY:
        CHECK(t.v.count == v->count, "array of %" PRIu32 " at %zu: count %" PRIu32, v->count, off, t.v.count);
        for (uint32_t k = 0; k < v->count; k++)
            if (!token_walk(r, &v->items[k]))
                return false;
        break;
    case K_MAP:
        CHECK(t.v.count == v->count, "map of %" PRIu32 " at %zu: count %" PRIu32, v->count, off, t.v.count);
        for (uint32_t k = 0; k < 2 * v->count; k++)
            if (!token_walk(r, &v->items[k]))
                return false;
        break;
    }
    return true;
}

/* The typed getters, for probes. */
enum getter {
    G_NIL, G_BOOL, G_I64, G_U64, G_I32, G_U32, G_FLOAT, G_DOUBLE, G_STR, G_CSTR, G_BIN,
    G_ARRAY, G_MAP, G_EXT, G_TS, G_COUNT
};

static const char *const getter_names[] = {"nil", "bool", "i64", "u64", "i32", "u32", "float", "double",
                                           "str", "cstr", "bin", "array", "map", "ext", "timestamp"};

static bool getter_accepts(enum getter gt, duet_msgpack_type t)
{
    switch (gt) {
    case G_NIL: return t == DUET_MSGPACK_NIL;
    case G_BOOL: return t == DUET_MSGPACK_BOOL;
    case G_I64: case G_U64: case G_I32: case G_U32: return t == DUET_MSGPACK_UINT || t == DUET_MSGPACK_INT;
    case G_FLOAT: case G_DOUBLE: return t == DUET_MSGPACK_FLOAT32 || t == DUET_MSGPACK_FLOAT64;
    case G_STR: case G_CSTR: return t == DUET_MSGPACK_STR;
    case G_BIN: return t == DUET_MSGPACK_BIN;
    case G_ARRAY: return t == DUET_MSGPACK_ARRAY;
    case G_MAP: return t == DUET_MSGPACK_MAP;
    case G_EXT: case G_TS: return t == DUET_MSGPACK_EXT;
    default: return false;
    }
}

/* The integer value of v as (negative?, magnitude or value). */
static void int_of(const val *v, bool *neg, int64_t *i, uint64_t *u)
{
    if (v->kind == K_UINT) {
        *neg = false;
        *u = v->u;
    } else {
        *neg = v->i < 0;
        *i = v->i;
        *u = (uint64_t)v->i;
    }
}

/*
 * Runs getter gt on r (which the caller may have copied) with v next, and checks the
 * outcome the header promises: the value, or the error with outputs zeroed, the offset
 * left at the value, and every later read failing. cstr_cap is the buffer size for G_CSTR.
 */
static bool run_getter(duet_msgpack_reader *r, const val *v, enum getter gt, size_t cstr_cap)
{
    size_t off = duet_msgpack_reader_offset(r);
    duet_msgpack_type have = token_type_of(v);
    const char *gn = getter_names[gt];
    const char *kn = kind_names[v->kind];
    int want_err = DUET_OK;

    if (!getter_accepts(gt, have)) {
        want_err = DUET_ERR_TYPE;
    } else if (gt >= G_I64 && gt <= G_U32) {
        bool neg = false;
        int64_t i = 0;
        uint64_t u = 0;
        int_of(v, &neg, &i, &u);
        bool fits;
        switch (gt) {
        case G_I64: fits = neg || u <= (uint64_t)INT64_MAX; break;
        case G_U64: fits = !neg; break;
        case G_I32: fits = neg ? i >= INT32_MIN : u <= (uint64_t)INT32_MAX; break;
        default: fits = !neg && u <= UINT32_MAX; break;
        }
        if (!fits)
            want_err = DUET_ERR_RANGE;
    } else if (gt == G_TS) {
        if (v->kind != K_TS)
            want_err = v->ext_type == DUET_MSGPACK_EXT_TIMESTAMP ? DUET_ERR_INVALID : DUET_ERR_TYPE;
    } else if (gt == G_CSTR) {
        if (cstr_cap <= v->len)
            want_err = DUET_ERR_NOSPACE;
    }

    bool ok = false;
    bool zeroed = true; /* outputs after a failure */
    char cbuf[80];
    char *cb = NULL;
    switch (gt) {
    case G_NIL: ok = duet_msgpack_read_nil(r); break;
    case G_BOOL: {
        bool b = true;
        ok = duet_msgpack_read_bool(r, &b);
        if (ok)
            CHECK(b == v->b, "read_bool: %d", b);
        zeroed = !b;
        break;
    }
    case G_I64: case G_U64: case G_I32: case G_U32: {
        bool neg = false;
        int64_t i = 0;
        uint64_t u = 0;
        if (v->kind == K_UINT || v->kind == K_INT)
            int_of(v, &neg, &i, &u);
        if (gt == G_I64) {
            int64_t o = 1;
            ok = duet_msgpack_read_i64(r, &o);
            if (ok)
                CHECK((uint64_t)o == u, "read_i64 of %s: %" PRId64, kn, o);
            zeroed = o == 0;
        } else if (gt == G_U64) {
            uint64_t o = 1;
            ok = duet_msgpack_read_u64(r, &o);
            if (ok)
                CHECK(o == u, "read_u64 of %s %" PRIu64 ": %" PRIu64, kn, u, o);
            zeroed = o == 0;
        } else if (gt == G_I32) {
            int32_t o = 1;
            ok = duet_msgpack_read_i32(r, &o);
            if (ok)
                CHECK((int64_t)o == (int64_t)u, "read_i32 of %s: %" PRId32, kn, o);
            zeroed = o == 0;
        } else {
            uint32_t o = 1;
            ok = duet_msgpack_read_u32(r, &o);
            if (ok)
                CHECK((uint64_t)o == u, "read_u32 of %s %" PRIu64 ": %" PRIu32, kn, u, o);
            zeroed = o == 0;
        }
        break;
    }
    case G_FLOAT: {
        float f = 1;
        ok = duet_msgpack_read_float(r, &f);
        if (ok) {
            float want = v->kind == K_F32 ? v->f : (float)v->d;
            CHECK(v->kind == K_F32 ? f32_bits(f) == f32_bits(want) : same_f32(f, want),
                  "read_float of %s: %08" PRIx32 ", want %08" PRIx32, kn, f32_bits(f), f32_bits(want));
        }
        zeroed = f32_bits(f) == 0;
        break;
    }
    case G_DOUBLE: {
        double d = 1;
        ok = duet_msgpack_read_double(r, &d);
        if (ok) {
            double want = v->kind == K_F64 ? v->d : (double)v->f;
            CHECK(v->kind == K_F64 ? f64_bits(d) == f64_bits(want) : same_f64(d, want),
                  "read_double of %s: %016" PRIx64 ", want %016" PRIx64, kn, f64_bits(d), f64_bits(want));
        }
        zeroed = f64_bits(d) == 0;
        break;
    }
    case G_STR: {
        const char *s = "x";
        uint32_t n = 1;
        ok = duet_msgpack_read_str(r, &s, &n);
        if (ok)
            CHECK(n == v->len && in_input(s, n) && memcmp(s, v->bytes, n) == 0,
                  "read_str of %" PRIu32 ": len %" PRIu32, v->len, n);
        zeroed = s == NULL && n == 0;
        break;
    }
    case G_CSTR: {
        if (cstr_cap <= sizeof cbuf) {
            cb = cbuf;
        } else {
            cb = malloc(cstr_cap);
            assert_non_null(cb);
        }
        memset(cb, 'x', cstr_cap);
        ok = duet_msgpack_read_cstr(r, cb, cstr_cap);
        if (ok) {
            bool good = memcmp(cb, v->bytes, v->len) == 0 && cb[v->len] == '\0';
            if (cb != cbuf)
                free(cb);
            CHECK(good, "read_cstr of %" PRIu32 " into %zu: wrong copy", v->len, cstr_cap);
        } else {
            zeroed = cstr_cap == 0 || cb[0] == '\0';
            if (cb != cbuf)
                free(cb);
        }
        break;
    }
    case G_BIN: {
        const uint8_t *p = (const uint8_t *)"x";
        uint32_t n = 1;
        ok = duet_msgpack_read_bin(r, &p, &n);
        if (ok)
            CHECK(n == v->len && in_input(p, n) && memcmp(p, v->bytes, n) == 0,
                  "read_bin of %" PRIu32 ": len %" PRIu32, v->len, n);
        zeroed = p == NULL && n == 0;
        break;
    }
    case G_ARRAY: case G_MAP: {
        uint32_t n = 1;
        ok = gt == G_ARRAY ? duet_msgpack_read_array(r, &n) : duet_msgpack_read_map(r, &n);
        if (ok)
            CHECK(n == v->count, "read_%s of %" PRIu32 ": %" PRIu32, gn, v->count, n);
        zeroed = n == 0;
        break;
    }
    case G_EXT: {
        int8_t et = 1;
        const uint8_t *p = (const uint8_t *)"x";
        uint32_t n = 1;
        ok = duet_msgpack_read_ext(r, &et, &p, &n);
        if (ok) {
            if (v->kind == K_TS) {
                uint8_t body[12];
                uint32_t bn = ts_body(v->sec, v->nsec, body);
                CHECK(et == -1 && n == bn && in_input(p, n) && memcmp(p, body, n) == 0, "read_ext of a timestamp");
            } else {
                CHECK(et == v->ext_type && n == v->len && in_input(p, n) && memcmp(p, v->bytes, n) == 0,
                      "read_ext %d of %" PRIu32 ": %d of %" PRIu32, v->ext_type, v->len, et, n);
            }
        }
        zeroed = et == 0 && p == NULL && n == 0;
        break;
    }
    case G_TS: {
        int64_t sec = 1;
        uint32_t nsec = 1;
        ok = duet_msgpack_read_timestamp(r, &sec, &nsec);
        if (ok)
            CHECK(sec == v->sec && nsec == v->nsec,
                  "read_timestamp %" PRId64 ".%09" PRIu32 ": %" PRId64 ".%09" PRIu32, v->sec, v->nsec, sec, nsec);
        zeroed = sec == 0 && nsec == 0;
        break;
    }
    default: break;
    }

    if (want_err == DUET_OK) {
        CHECK(ok, "read_%s of %s at %zu failed with %d", gn, kn, off, duet_msgpack_reader_error(r));
        CHECK(duet_msgpack_reader_error(r) == DUET_OK, "read_%s ok but error %d", gn, duet_msgpack_reader_error(r));
        CHECK(duet_msgpack_reader_offset(r) > off, "read_%s of %s at %zu: offset did not advance", gn, kn, off);
        return true;
    }
    CHECK(!ok, "read_%s of %s at %zu succeeded, want error %d", gn, kn, off, want_err);
    CHECK(duet_msgpack_reader_error(r) == want_err, "read_%s of %s at %zu: error %d, want %d", gn, kn, off,
          duet_msgpack_reader_error(r), want_err);
    CHECK(zeroed, "read_%s of %s at %zu failed but left its outputs set", gn, kn, off);
    CHECK(duet_msgpack_reader_offset(r) == off, "read_%s of %s at %zu failed at offset %zu", gn, kn, off,
          duet_msgpack_reader_offset(r));
    CHECK(duet_msgpack_reader_remaining(r) == 0, "read_%s failed but %zu bytes remain", gn,
          duet_msgpack_reader_remaining(r));
    if (want_err == DUET_ERR_TYPE)
        CHECK(duet_msgpack_reader_found(r) == have, "read_%s of %s: found %s", gn, kn,
              duet_msgpack_type_name(duet_msgpack_reader_found(r)));
    /* Sticky: every later read fails and keeps the first error. */
    duet_msgpack_token t;
    CHECK(duet_msgpack_peek_type(r) == DUET_MSGPACK_NONE, "peek_type after an error");
    CHECK(!duet_msgpack_read_token(r, &t) && t.type == DUET_MSGPACK_NONE, "read_token after an error");
    CHECK(!duet_msgpack_skip(r), "skip after an error");
    CHECK(duet_msgpack_reader_error(r) == want_err, "the first error was replaced by %d",
          duet_msgpack_reader_error(r));
    return true;
}

static enum getter accepting_getter(rng_t *g, const val *v)
{
    duet_msgpack_type t = token_type_of(v);
    for (;;) {
        enum getter gt = (enum getter)below(g, G_COUNT);
        if (!getter_accepts(gt, t))
            continue;
        if (gt == G_TS && v->kind != K_TS)
            continue;
        if (gt >= G_I64 && gt <= G_U32) {
            bool neg = false;
            int64_t i = 0;
            uint64_t u = 0;
            int_of(v, &neg, &i, &u);
            if ((gt == G_I64 && !neg && u > (uint64_t)INT64_MAX) || (gt == G_U64 && neg) ||
                (gt == G_I32 && (neg ? i < INT32_MIN : u > (uint64_t)INT32_MAX)) ||
                (gt == G_U32 && (neg || u > UINT32_MAX)))
                continue;
        }
        return gt;
    }
}

/* Set while walking a truncated input: no probes (they would fail for the truncation). */
static bool g_no_probes;

/* Reads v with the typed getters, probing wrong reads on copies of the reader. */
static bool typed_walk(duet_msgpack_reader *r, const val *v, rng_t *g)
{
    if (!g_no_probes && chance(g, 12)) {
        /* Any getter on a copy: the right value or the right error. */
        duet_msgpack_reader c = *r;
        enum getter gt = (enum getter)below(g, G_COUNT);
        size_t cap = v->kind == K_STR && chance(g, 50) ? (size_t)v->len + below(g, 2) : below(g, 64);
        if (!run_getter(&c, v, gt, cap))
            return false;
    }
    if (chance(g, 6)) {
        size_t off = duet_msgpack_reader_offset(r);
        CHECK(duet_msgpack_skip(r), "skip of %s at %zu failed with %d", kind_names[v->kind], off,
              duet_msgpack_reader_error(r));
        return true;
    }
    enum getter gt = accepting_getter(g, v);
    if (!run_getter(r, v, gt, (size_t)v->len + 1 + below(g, 3)))
        return false;
    if (v->kind == K_ARRAY || v->kind == K_MAP) {
        uint32_t n = v->kind == K_MAP ? 2 * v->count : v->count;
        for (uint32_t k = 0; k < n; k++)
            if (!typed_walk(r, &v->items[k], g))
                return false;
    }
    return true;
}

/* ---------------------------------------------------------- the checks */

typedef struct encoded {
    uint8_t *duet;
    size_t duet_len;
    msgpack_sbuffer mpc;
} encoded;

static void encode_both(const val *v, encoded *e)
{
    size_t cap = enc_bound(v);
    e->duet = malloc(cap);
    assert_non_null(e->duet);
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, e->duet, cap);
    duet_put(&w, v);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_OK);
    e->duet_len = duet_msgpack_writer_size(&w);

    msgpack_sbuffer_init(&e->mpc);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &e->mpc, msgpack_sbuffer_write);
    mpc_put(&pk, v);
}

static void encoded_free(encoded *e)
{
    free(e->duet);
    msgpack_sbuffer_destroy(&e->mpc);
}

/* Every check on one value; fails the test with the seed and index. */
static void check_value(const val *v, int index, rng_t *g)
{
    encoded e;
    encode_both(v, &e);
    const uint8_t *mb = (const uint8_t *)e.mpc.data;
    size_t mlen = e.mpc.size;

    /* 1. Same bytes as msgpack-c. */
    if (e.duet_len != mlen || memcmp(e.duet, mb, mlen) != 0) {
        size_t k = 0;
        while (k < mlen && k < e.duet_len && e.duet[k] == mb[k])
            k++;
        snprintf(g_err, sizeof g_err, "duet wrote %zu bytes, msgpack-c %zu; first difference at offset %zu",
                 e.duet_len, mlen, k);
        hexdump("duet", e.duet, e.duet_len);
        FAIL_AT(index, "encoding differs from msgpack-c", mb, mlen);
    }

    /* 2. One byte too little room: DUET_ERR_NOSPACE, and what was written is a prefix. */
    if (mlen > 0) {
        uint8_t *small = malloc(mlen);
        assert_non_null(small);
        duet_msgpack_writer w;
        size_t cap = chance(g, 50) ? mlen - 1 : below(g, (uint32_t)mlen);
        duet_msgpack_writer_init(&w, small, cap);
        duet_put(&w, v);
        bool good = duet_msgpack_writer_error(&w) == DUET_ERR_NOSPACE && duet_msgpack_writer_size(&w) <= cap &&
                    memcmp(small, mb, duet_msgpack_writer_size(&w)) == 0;
        snprintf(g_err, sizeof g_err, "cap %zu of %zu: error %d, size %zu", cap, mlen, duet_msgpack_writer_error(&w),
                 duet_msgpack_writer_size(&w));
        free(small);
        if (!good)
            FAIL_AT(index, "writer with too little room", mb, mlen);
    }

    /* 3. msgpack-c decodes duet's bytes to the tree. */
    {
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        size_t off = 0;
        msgpack_unpack_return ret = msgpack_unpack_next(&up, (const char *)e.duet, e.duet_len, &off);
        bool good = ret == MSGPACK_UNPACK_SUCCESS && off == e.duet_len;
        snprintf(g_err, sizeof g_err, "msgpack_unpack_next returned %d at offset %zu of %zu", (int)ret, off,
                 e.duet_len);
        if (good)
            good = cmp_obj(v, &up.data);
        msgpack_unpacked_destroy(&up);
        if (!good)
            FAIL_AT(index, "msgpack-c reading duet's bytes", e.duet, e.duet_len);
    }

    g_lo = mb;
    g_hi = mb + mlen;

    /* 4. duet's read_token decodes msgpack-c's bytes to the tree. */
    {
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, mb, mlen);
        bool good = token_walk(&r, v);
        if (good && (duet_msgpack_reader_offset(&r) != mlen || duet_msgpack_reader_error(&r) != DUET_OK ||
                     duet_msgpack_peek_type(&r) != DUET_MSGPACK_NONE)) {
            snprintf(g_err, sizeof g_err, "after the value: offset %zu of %zu, error %d",
                     duet_msgpack_reader_offset(&r), mlen, duet_msgpack_reader_error(&r));
            good = false;
        }
        if (!good)
            FAIL_AT(index, "duet read_token on msgpack-c's bytes", mb, mlen);
    }

    /* 5. duet's typed getters, with probes. */
    {
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, mb, mlen);
        bool good = typed_walk(&r, v, g);
        if (good && (duet_msgpack_reader_offset(&r) != mlen || duet_msgpack_reader_error(&r) != DUET_OK)) {
            snprintf(g_err, sizeof g_err, "after the value: offset %zu of %zu, error %d",
                     duet_msgpack_reader_offset(&r), mlen, duet_msgpack_reader_error(&r));
            good = false;
        }
        if (!good)
            FAIL_AT(index, "duet typed reads on msgpack-c's bytes", mb, mlen);
    }

    /* 6. skip consumes the whole value. */
    {
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, mb, mlen);
        bool ok = duet_msgpack_skip(&r);
        snprintf(g_err, sizeof g_err, "skip returned %d, error %d, offset %zu of %zu", ok,
                 duet_msgpack_reader_error(&r), duet_msgpack_reader_offset(&r), mlen);
        if (!ok || duet_msgpack_reader_offset(&r) != mlen || duet_msgpack_reader_remaining(&r) != 0)
            FAIL_AT(index, "duet skip on msgpack-c's bytes", mb, mlen);
    }

    /* 7. A strict prefix is truncated, for duet and for msgpack-c alike. */
    {
        size_t cut = below(g, (uint32_t)mlen);
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, mb, cut);
        bool ok = duet_msgpack_skip(&r);
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        size_t off = 0;
        msgpack_unpack_return ret = msgpack_unpack_next(&up, (const char *)mb, cut, &off);
        msgpack_unpacked_destroy(&up);
        snprintf(g_err, sizeof g_err, "prefix of %zu of %zu: skip %d error %d offset %zu; msgpack-c %d", cut, mlen,
                 ok, duet_msgpack_reader_error(&r), duet_msgpack_reader_offset(&r), (int)ret);
        if (ok || duet_msgpack_reader_error(&r) != DUET_ERR_TRUNCATED || duet_msgpack_reader_offset(&r) > cut ||
            duet_msgpack_reader_remaining(&r) != 0 || ret != MSGPACK_UNPACK_CONTINUE)
            FAIL_AT(index, "truncated input", mb, cut);

        duet_msgpack_reader_init(&r, mb, cut);
        g_hi = mb + cut;
        if (token_walk(&r, v)) {
            snprintf(g_err, sizeof g_err, "read_token walk over a prefix of %zu of %zu succeeded", cut, mlen);
            FAIL_AT(index, "truncated input", mb, cut);
        }
        if (duet_msgpack_reader_error(&r) != DUET_ERR_TRUNCATED) {
            snprintf(g_err, sizeof g_err, "read_token walk over a prefix of %zu of %zu: error %d", cut, mlen,
                     duet_msgpack_reader_error(&r));
            FAIL_AT(index, "truncated input", mb, cut);
        }

        /* The typed getters on the prefix, alone in its own allocation (for ASan). */
        uint8_t *pre = malloc(cut ? cut : 1);
        assert_non_null(pre);
        memcpy(pre, mb, cut);
        g_lo = pre;
        g_hi = pre + cut;
        g_no_probes = true;
        duet_msgpack_reader_init(&r, pre, cut);
        bool walked = typed_walk(&r, v, g);
        g_no_probes = false;
        snprintf(g_err, sizeof g_err, "typed walk over a prefix of %zu of %zu: %s, error %d, offset %zu",
                 cut, mlen, walked ? "succeeded" : "failed", duet_msgpack_reader_error(&r),
                 duet_msgpack_reader_offset(&r));
        if (walked || duet_msgpack_reader_error(&r) != DUET_ERR_TRUNCATED || duet_msgpack_reader_offset(&r) > cut)
            FAIL_AT(index, "truncated input", pre, cut);
        free(pre);
    }

    encoded_free(&e);
}

static void test_random_values(void **state)
{
    (void)state;
    rng_t g = {g_seed};
    for (int index = 0; index < g_count; index++) {
        val v;
        int budget = 600;
        gen_val(&g, &v, 0, &budget);
        check_value(&v, index, &g);
        val_free(&v);
    }
}

/* Many values back to back in one buffer, read in sequence by both decoders. */
static void test_stream(void **state)
{
    (void)state;
    enum { N = 400 };
    rng_t g = {g_seed ^ 0x73747265616dull};
    val *vs = calloc(N, sizeof *vs);
    assert_non_null(vs);
    size_t cap = 0;
    for (int k = 0; k < N; k++) {
        int budget = 60;
        gen_val(&g, &vs[k], 2, &budget);
        cap += enc_bound(&vs[k]);
    }
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, cap);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    for (int k = 0; k < N; k++) {
        duet_put(&w, &vs[k]);
        mpc_put(&pk, &vs[k]);
    }
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_OK);
    assert_int_equal(duet_msgpack_writer_size(&w), sb.size);
    assert_memory_equal(buf, sb.data, sb.size);

    g_lo = (const uint8_t *)sb.data;
    g_hi = g_lo + sb.size;
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, sb.data, sb.size);
    size_t off = 0;
    for (int k = 0; k < N; k++) {
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        size_t before = off;
        msgpack_unpack_return ret = msgpack_unpack_next(&up, (const char *)buf, w.len, &off);
        bool good = ret == MSGPACK_UNPACK_SUCCESS && cmp_obj(&vs[k], &up.data);
        msgpack_unpacked_destroy(&up);
        if (!good)
            FAIL_AT(k, "msgpack-c reading duet's stream", buf + before, w.len - before);
        if (!token_walk(&r, &vs[k]))
            FAIL_AT(k, "duet reading msgpack-c's stream", g_lo + before, sb.size - before);
        assert_int_equal(duet_msgpack_reader_offset(&r), off);
    }
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    assert_int_equal(duet_msgpack_peek_type(&r), DUET_MSGPACK_NONE);

    /* skip, value by value, stops at the same offsets. */
    duet_msgpack_reader_init(&r, sb.data, sb.size);
    for (int k = 0; k < N; k++)
        assert_true(duet_msgpack_skip(&r));
    assert_int_equal(duet_msgpack_reader_offset(&r), sb.size);

    msgpack_sbuffer_destroy(&sb);
    free(buf);
    for (int k = 0; k < N; k++)
        val_free(&vs[k]);
    free(vs);
}

/* Every integer boundary +-2, through every integer getter and both encoders. */
static void test_integer_boundaries(void **state)
{
    (void)state;
    rng_t g = {g_seed ^ 0x696e74ull};
    int index = 0;
    for (size_t b = 0; b < sizeof u_bounds / sizeof u_bounds[0]; b++) {
        for (int d = -2; d <= 2; d++) {
            val v;
            memset(&v, 0, sizeof v);
            v.kind = K_UINT;
            v.u = u_bounds[b] + (uint64_t)(int64_t)d;
            check_value(&v, index, &g);
            for (enum getter gt = G_I64; gt <= G_U32; gt++) {
                duet_msgpack_writer w;
                uint8_t buf[9];
                duet_msgpack_writer_init(&w, buf, sizeof buf);
                duet_msgpack_write_uint(&w, v.u);
                duet_msgpack_reader r;
                duet_msgpack_reader_init(&r, buf, w.len);
                g_lo = buf;
                g_hi = buf + w.len;
                if (!run_getter(&r, &v, gt, 0))
                    FAIL_AT(index, "integer getter", buf, w.len);
            }
            index++;
        }
    }
    for (size_t b = 0; b < sizeof i_bounds / sizeof i_bounds[0]; b++) {
        for (int d = -2; d <= 2; d++) {
            val v;
            memset(&v, 0, sizeof v);
            v.kind = K_INT;
            v.i = (int64_t)((uint64_t)i_bounds[b] + (uint64_t)(int64_t)d);
            check_value(&v, index, &g);
            for (enum getter gt = G_I64; gt <= G_U32; gt++) {
                duet_msgpack_writer w;
                uint8_t buf[9];
                duet_msgpack_writer_init(&w, buf, sizeof buf);
                duet_msgpack_write_int(&w, v.i);
                duet_msgpack_reader r;
                duet_msgpack_reader_init(&r, buf, w.len);
                g_lo = buf;
                g_hi = buf + w.len;
                if (!run_getter(&r, &v, gt, 0))
                    FAIL_AT(index, "integer getter", buf, w.len);
            }
            index++;
        }
    }
}

/*
 * msgpack-c's msgpack_pack_fix_* write non-canonical, fixed-width integers (0xd3 for 5):
 * duet must read them as the same numbers, through read_token and every getter.
 */
static void test_fixed_width_integers(void **state)
{
    (void)state;
    rng_t g = {g_seed ^ 0x666978ull};
    for (int index = 0; index < 4000; index++) {
        msgpack_sbuffer sb;
        msgpack_sbuffer_init(&sb);
        msgpack_packer pk;
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        val v;
        memset(&v, 0, sizeof v);
        unsigned form = below(&g, 8);
        uint64_t raw = chance(&g, 50) ? gen_u64(&g) : (uint64_t)gen_i64(&g);
        bool is_signed = form >= 4;
        switch (form) {
        case 0: msgpack_pack_fix_uint8(&pk, (uint8_t)raw); v.u = (uint8_t)raw; break;
        case 1: msgpack_pack_fix_uint16(&pk, (uint16_t)raw); v.u = (uint16_t)raw; break;
        case 2: msgpack_pack_fix_uint32(&pk, (uint32_t)raw); v.u = (uint32_t)raw; break;
        case 3: msgpack_pack_fix_uint64(&pk, raw); v.u = raw; break;
        case 4: msgpack_pack_fix_int8(&pk, (int8_t)raw); v.i = (int8_t)raw; break;
        case 5: msgpack_pack_fix_int16(&pk, (int16_t)raw); v.i = (int16_t)raw; break;
        case 6: msgpack_pack_fix_int32(&pk, (int32_t)raw); v.i = (int32_t)raw; break;
        default: msgpack_pack_fix_int64(&pk, (int64_t)raw); v.i = (int64_t)raw; break;
        }
        v.kind = is_signed ? K_INT : K_UINT;
        const uint8_t *mb = (const uint8_t *)sb.data;
        g_lo = mb;
        g_hi = mb + sb.size;

        /* read_token: the encoding's own signedness, the same number. */
        duet_msgpack_reader r;
        duet_msgpack_token t;
        duet_msgpack_reader_init(&r, mb, sb.size);
        bool good = duet_msgpack_read_token(&r, &t) && duet_msgpack_reader_offset(&r) == sb.size;
        if (good && is_signed)
            good = t.type == DUET_MSGPACK_INT && t.v.i == v.i;
        else if (good)
            good = t.type == DUET_MSGPACK_UINT && t.v.u == v.u;
        snprintf(g_err, sizeof g_err, "form %u: token %s", form, duet_msgpack_type_name(t.type));
        if (!good)
            FAIL_AT(index, "read_token of a fixed-width integer", mb, sb.size);

        /* Every getter: the value if it fits, DUET_ERR_RANGE if not. */
        for (enum getter gt = G_I64; gt <= G_U32; gt++) {
            duet_msgpack_reader_init(&r, mb, sb.size);
            if (!run_getter(&r, &v, gt, 0))
                FAIL_AT(index, "integer getter on a fixed-width integer", mb, sb.size);
        }
        /* skip */
        duet_msgpack_reader_init(&r, mb, sb.size);
        if (!duet_msgpack_skip(&r) || duet_msgpack_reader_offset(&r) != sb.size) {
            snprintf(g_err, sizeof g_err, "skip: error %d", duet_msgpack_reader_error(&r));
            FAIL_AT(index, "skip of a fixed-width integer", mb, sb.size);
        }
        msgpack_sbuffer_destroy(&sb);
    }
}

/* Timestamps at every form boundary, both ways. */
static void test_timestamps(void **state)
{
    (void)state;
    static const int64_t secs[] = {0, 1, 0x7fffffffll, 0xffffffffll, 0x100000000ll, (1ll << 34) - 1, 1ll << 34,
                                   (1ll << 34) + 1, -1, -2, INT32_MIN, INT64_MIN, INT64_MIN + 1, INT64_MAX};
    static const uint32_t nsecs[] = {0, 1, 2, 999999998u, 999999999u, 123456789u};
    rng_t g = {g_seed ^ 0x7473ull};
    int index = 0;
    for (size_t a = 0; a < sizeof secs / sizeof secs[0]; a++) {
        for (size_t b = 0; b < sizeof nsecs / sizeof nsecs[0]; b++) {
            val v;
            memset(&v, 0, sizeof v);
            v.kind = K_TS;
            v.sec = secs[a];
            v.nsec = nsecs[b];
            check_value(&v, index++, &g);
        }
    }
    /* nsec >= 1e9: the writer refuses it (DUET_ERR_ARG) and writes nothing. */
    uint8_t buf[16];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_timestamp(&w, 1, 1000000000u);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_ERR_ARG);
    assert_int_equal(duet_msgpack_writer_size(&w), 0);
    /* msgpack-c writes one anyway in the 64-bit form; duet's reader rejects it. */
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_timestamp ts = {5, 1000000000u};
    msgpack_pack_timestamp(&pk, &ts);
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, sb.data, sb.size);
    int64_t sec = 7;
    uint32_t nsec = 7;
    assert_false(duet_msgpack_read_timestamp(&r, &sec, &nsec));
    assert_int_equal(duet_msgpack_reader_error(&r), DUET_ERR_INVALID);
    assert_int_equal(duet_msgpack_reader_offset(&r), 0);
    assert_int_equal(sec, 0);
    assert_int_equal(nsec, 0);
    msgpack_sbuffer_destroy(&sb);
}

int main(void)
{
    const char *s = getenv("DUET_INTEROP_SEED");
    if (s && *s)
        g_seed = strtoull(s, NULL, 0);
    const char *c = getenv("DUET_INTEROP_COUNT");
    if (c && *c)
        g_count = atoi(c);
    printf("test_interop_msgpack_c: seed=0x%016" PRIx64 " count=%d (msgpack-c %s)\n", g_seed, g_count,
           msgpack_version());
    fflush(stdout);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_values),
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_integer_boundaries),
        cmocka_unit_test(test_fixed_width_integers),
        cmocka_unit_test(test_timestamps),
    };
    return cmocka_run_group_tests_name("interop_msgpack_c", tests, NULL, NULL);
}

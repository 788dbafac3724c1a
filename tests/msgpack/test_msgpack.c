/*
 * test_msgpack.c - unit tests of the MessagePack codec (duet/msgpack.h) and of duet_strerror.
 *
 * Every expected byte string comes from the MessagePack specification
 * (https://github.com/msgpack/msgpack/blob/master/spec.md), written out by hand. Inputs
 * given to the reader are copied into heap blocks of exactly their size, so that the
 * ASan build catches any read outside [start, end).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duet/config.h"
#include "duet/error.h"
#include "duet/msgpack.h"

/* ------------------------------------------------------------- helpers */

/* A byte-array literal and its size, as two arguments. */
#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* An assertion that says what it was checking, with printf-style context. */
#define CHECK(cond, ...)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            print_error("%s:%d: check failed: %s\n    ", __FILE__, __LINE__, #cond);  \
            print_error(__VA_ARGS__);                                                 \
            print_error("\n");                                                        \
            fail();                                                                   \
        }                                                                             \
    } while (0)

#define UNUSED(x) (void)(x)

/* A heap copy of exactly n bytes (ASan then catches reads past the end). */
static uint8_t *dup_exact(const void *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    assert_non_null(d);
    if (n)
        memcpy(d, p, n);
    return d;
}

/* h then body, in one heap block. */
static uint8_t *join(const uint8_t *h, size_t hn, const uint8_t *body, size_t bn)
{
    uint8_t *d = malloc(hn + bn ? hn + bn : 1);
    assert_non_null(d);
    memcpy(d, h, hn);
    if (bn)
        memcpy(d + hn, body, bn);
    return d;
}

/* n bytes of a pattern that changes at every position (no NUL bytes). */
static uint8_t *pattern(size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++)
        d[i] = (uint8_t)(1 + (i * 31 + i / 251) % 255);
    return d;
}

static bool same_float(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }
static bool same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* First index where a and b differ, or n. */
static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

static void expect_bytes(const uint8_t *got, const uint8_t *exp, size_t n)
{
    size_t d = first_diff(got, exp, n);
    CHECK(d == n, "byte %zu of %zu: got 0x%02x, expected 0x%02x", d, n, d < n ? got[d] : 0,
          d < n ? exp[d] : 0);
}

/* The reader is in error err, at offset off, with nothing left to read. */
static void expect_failed(const duet_msgpack_reader *r, int err, size_t off)
{
    CHECK(duet_msgpack_reader_error(r) == err, "reader error %d (%s), expected %d (%s)",
          duet_msgpack_reader_error(r), duet_strerror(duet_msgpack_reader_error(r)), err,
          duet_strerror(err));
    CHECK(duet_msgpack_reader_offset(r) == off, "error offset %zu, expected %zu",
          duet_msgpack_reader_offset(r), off);
    CHECK(duet_msgpack_reader_remaining(r) == 0, "remaining %zu after an error",
          duet_msgpack_reader_remaining(r));
    CHECK(duet_msgpack_peek_type(r) == DUET_MSGPACK_NONE, "peek_type %d after an error",
          (int)duet_msgpack_peek_type(r));
}

/* The reader is fine and at offset off. */
static void expect_at(const duet_msgpack_reader *r, size_t off)
{
    CHECK(duet_msgpack_reader_error(r) == DUET_OK, "reader error %d (%s)", duet_msgpack_reader_error(r),
          duet_strerror(duet_msgpack_reader_error(r)));
    CHECK(duet_msgpack_reader_offset(r) == off, "offset %zu, expected %zu", duet_msgpack_reader_offset(r), off);
}

/* ------------------------------------------------------ writer operations */

enum wkind {
    W_NIL, W_BOOL, W_UINT, W_INT, W_FLOAT, W_DOUBLE, W_STR, W_CSTR, W_STR_HDR,
    W_BIN, W_BIN_HDR, W_ARRAY, W_MAP, W_EXT, W_EXT_HDR, W_TS
};

/* One call of a writer function and its arguments. */
typedef struct wop {
    enum wkind kind;
    bool b;
    uint64_t u;
    int64_t i;      /* W_INT value, W_TS seconds */
    float f;
    double d;
    const void *data;
    size_t len;     /* str/bin/ext length, array/map count */
    int8_t type;    /* ext type */
    uint32_t nsec;  /* W_TS */
} wop;

#define OP(...) (&(const wop){__VA_ARGS__})

static void apply(duet_msgpack_writer *w, const wop *op)
{
    switch (op->kind) {
    case W_NIL: duet_msgpack_write_nil(w); break;
    case W_BOOL: duet_msgpack_write_bool(w, op->b); break;
    case W_UINT: duet_msgpack_write_uint(w, op->u); break;
    case W_INT: duet_msgpack_write_int(w, op->i); break;
    case W_FLOAT: duet_msgpack_write_float(w, op->f); break;
    case W_DOUBLE: duet_msgpack_write_double(w, op->d); break;
    case W_STR: duet_msgpack_write_str(w, (const char *)op->data, op->len); break;
    case W_CSTR: duet_msgpack_write_cstr(w, (const char *)op->data); break;
    case W_STR_HDR: duet_msgpack_write_str_header(w, op->len); break;
    case W_BIN: duet_msgpack_write_bin(w, op->data, op->len); break;
    case W_BIN_HDR: duet_msgpack_write_bin_header(w, op->len); break;
    case W_ARRAY: duet_msgpack_write_array(w, (uint32_t)op->len); break;
    case W_MAP: duet_msgpack_write_map(w, (uint32_t)op->len); break;
    case W_EXT: duet_msgpack_write_ext(w, op->type, op->data, op->len); break;
    case W_EXT_HDR: duet_msgpack_write_ext_header(w, op->type, op->len); break;
    case W_TS: duet_msgpack_write_timestamp(w, op->i, op->nsec); break;
    }
}

/* ------------------------------------------------- typed integer reads */

static void expect_u64(const uint8_t *in, size_t n, int err, uint64_t v)
{
    duet_msgpack_reader r;
    uint64_t out = 0x5a5a5a5a5a5a5a5aull;
    duet_msgpack_reader_init(&r, in, n);
    bool ok = duet_msgpack_read_u64(&r, &out);
    if (err == DUET_OK) {
        CHECK(ok && out == v, "read_u64 of %02x..: ok %d, %llu, expected %llu", in[0], ok,
              (unsigned long long)out, (unsigned long long)v);
        expect_at(&r, n);
    } else {
        CHECK(!ok && out == 0, "read_u64 of %02x..: ok %d, out %llu, expected failure and 0", in[0], ok,
              (unsigned long long)out);
        expect_failed(&r, err, 0);
    }
}

static void expect_i64(const uint8_t *in, size_t n, int err, int64_t v)
{
    duet_msgpack_reader r;
    int64_t out = 0x5a5a5a5a5a5a5a5all;
    duet_msgpack_reader_init(&r, in, n);
    bool ok = duet_msgpack_read_i64(&r, &out);
    if (err == DUET_OK) {
        CHECK(ok && out == v, "read_i64 of %02x..: ok %d, %lld, expected %lld", in[0], ok, (long long)out,
              (long long)v);
        expect_at(&r, n);
    } else {
        CHECK(!ok && out == 0, "read_i64 of %02x..: ok %d, out %lld, expected failure and 0", in[0], ok,
              (long long)out);
        expect_failed(&r, err, 0);
    }
}

static void expect_u32(const uint8_t *in, size_t n, int err, uint32_t v)
{
    duet_msgpack_reader r;
    uint32_t out = 0x5a5a5a5au;
    duet_msgpack_reader_init(&r, in, n);
    bool ok = duet_msgpack_read_u32(&r, &out);
    if (err == DUET_OK) {
        CHECK(ok && out == v, "read_u32 of %02x..: ok %d, %lu, expected %lu", in[0], ok, (unsigned long)out,
              (unsigned long)v);
        expect_at(&r, n);
    } else {
        CHECK(!ok && out == 0, "read_u32 of %02x..: ok %d, out %lu, expected failure and 0", in[0], ok,
              (unsigned long)out);
        expect_failed(&r, err, 0);
    }
}

static void expect_i32(const uint8_t *in, size_t n, int err, int32_t v)
{
    duet_msgpack_reader r;
    int32_t out = 0x5a5a5a5a;
    duet_msgpack_reader_init(&r, in, n);
    bool ok = duet_msgpack_read_i32(&r, &out);
    if (err == DUET_OK) {
        CHECK(ok && out == v, "read_i32 of %02x..: ok %d, %ld, expected %ld", in[0], ok, (long)out, (long)v);
        expect_at(&r, n);
    } else {
        CHECK(!ok && out == 0, "read_i32 of %02x..: ok %d, out %ld, expected failure and 0", in[0], ok,
              (long)out);
        expect_failed(&r, err, 0);
    }
}

/* ------------------------------------------- decoding a writer's vector */

/*
 * Reads the encoding exp (n bytes) of op back, with read_token, the typed reads and
 * skip, from an exact-size copy, and checks every value, pointer and offset.
 */
static void check_read_back(const wop *op, const uint8_t *exp, size_t n)
{
    uint8_t *in = dup_exact(exp, n);
    duet_msgpack_reader r;
    duet_msgpack_token t;
    bool whole = true; /* exp is one complete value */

#define REREAD() (duet_msgpack_reader_init(&r, in, n), memset(&t, 0x5a, sizeof t))
    REREAD();

    switch (op->kind) {
    case W_NIL:
        CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_NIL, "peek");
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == DUET_MSGPACK_NIL, "token type %d", (int)t.type);
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_nil(&r), "read_nil");
        expect_at(&r, n);
        break;

    case W_BOOL: {
        bool v = !op->b;
        CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_BOOL, "peek");
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == DUET_MSGPACK_BOOL && t.v.b == op->b, "token");
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_bool(&r, &v) && v == op->b, "read_bool gave %d", v);
        expect_at(&r, n);
        break;
    }

    case W_UINT: {
        uint64_t u = op->u;
        CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_UINT, "peek %d", (int)duet_msgpack_peek_type(&r));
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == DUET_MSGPACK_UINT && t.v.u == u,
              "token type %d u %llu, expected %llu", (int)t.type, (unsigned long long)t.v.u,
              (unsigned long long)u);
        expect_at(&r, n);
        expect_u64(in, n, DUET_OK, u);
        expect_i64(in, n, u <= INT64_MAX ? DUET_OK : DUET_ERR_RANGE, u <= INT64_MAX ? (int64_t)u : 0);
        expect_u32(in, n, u <= UINT32_MAX ? DUET_OK : DUET_ERR_RANGE, u <= UINT32_MAX ? (uint32_t)u : 0);
        expect_i32(in, n, u <= INT32_MAX ? DUET_OK : DUET_ERR_RANGE, u <= INT32_MAX ? (int32_t)u : 0);
        break;
    }

    case W_INT: {
        int64_t i = op->i;
        duet_msgpack_type ty = i >= 0 ? DUET_MSGPACK_UINT : DUET_MSGPACK_INT;
        CHECK(duet_msgpack_peek_type(&r) == ty, "peek %d", (int)duet_msgpack_peek_type(&r));
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == ty, "token type %d, expected %d", (int)t.type, (int)ty);
        if (i >= 0)
            CHECK(t.v.u == (uint64_t)i, "token u %llu", (unsigned long long)t.v.u);
        else
            CHECK(t.v.i == i, "token i %lld, expected %lld", (long long)t.v.i, (long long)i);
        expect_at(&r, n);
        expect_i64(in, n, DUET_OK, i);
        expect_u64(in, n, i >= 0 ? DUET_OK : DUET_ERR_RANGE, i >= 0 ? (uint64_t)i : 0);
        bool fits_i32 = i >= INT32_MIN && i <= INT32_MAX;
        bool fits_u32 = i >= 0 && i <= (int64_t)UINT32_MAX;
        expect_i32(in, n, fits_i32 ? DUET_OK : DUET_ERR_RANGE, fits_i32 ? (int32_t)i : 0);
        expect_u32(in, n, fits_u32 ? DUET_OK : DUET_ERR_RANGE, fits_u32 ? (uint32_t)i : 0);
        break;
    }

    case W_FLOAT: {
        float f = 99.0f;
        double d = 99.0;
        CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_FLOAT32, "peek");
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == DUET_MSGPACK_FLOAT32 && same_float(t.v.f, op->f),
              "token type %d f %g, expected %g", (int)t.type, (double)t.v.f, (double)op->f);
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_float(&r, &f) && same_float(f, op->f), "read_float %g, expected %g", (double)f,
              (double)op->f);
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_double(&r, &d) && same_double(d, (double)op->f),
              "read_double of a float32: %.17g, expected %.17g", d, (double)op->f);
        expect_at(&r, n);
        break;
    }

    case W_DOUBLE: {
        float f = 99.0f;
        double d = 99.0;
        CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_FLOAT64, "peek");
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == DUET_MSGPACK_FLOAT64 && same_double(t.v.d, op->d),
              "token type %d d %.17g, expected %.17g", (int)t.type, t.v.d, op->d);
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_double(&r, &d) && same_double(d, op->d), "read_double %.17g, expected %.17g", d,
              op->d);
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_float(&r, &f) && same_float(f, (float)op->d),
              "read_float of a float64: %.9g, expected %.9g", (double)f, (double)(float)op->d);
        expect_at(&r, n);
        break;
    }

    case W_STR:
    case W_CSTR:
    case W_STR_HDR: {
        size_t len = op->kind == W_CSTR ? strlen((const char *)op->data) : op->len;
        size_t hdr = op->kind == W_STR_HDR ? n : n - len;
        const char *s = "junk";
        uint32_t sl = 12345;
        CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_STR, "peek %d", (int)duet_msgpack_peek_type(&r));
        if (op->kind == W_STR_HDR && len > 0) {
            /* a header alone claims more bytes than there are */
            whole = false;
            CHECK(!duet_msgpack_read_token(&r, &t), "read_token of a str header without its body");
            expect_failed(&r, DUET_ERR_TRUNCATED, 0);
            REREAD();
            CHECK(!duet_msgpack_read_str(&r, &s, &sl) && s == NULL && sl == 0,
                  "read_str of a header alone: s %p len %lu", (const void *)s, (unsigned long)sl);
            expect_failed(&r, DUET_ERR_TRUNCATED, 0);
            break;
        }
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == DUET_MSGPACK_STR && t.v.bytes.len == len,
              "token type %d len %lu, expected %zu", (int)t.type, (unsigned long)t.v.bytes.len, len);
        if (len)
            CHECK(t.v.bytes.ptr == in + hdr, "token ptr is not into the input (offset %td, expected %zu)",
                  t.v.bytes.ptr - in, hdr);
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_str(&r, &s, &sl) && sl == len, "read_str len %lu, expected %zu",
              (unsigned long)sl, len);
        if (len) {
            CHECK(s == (const char *)in + hdr, "read_str pointer is not into the input (offset %td, expected %zu)",
                  (const uint8_t *)s - in, hdr);
            CHECK(memcmp(s, op->data, len) == 0, "read_str bytes");
        }
        expect_at(&r, n);

        /* read_cstr: fits with room for the NUL, and NOSPACE one byte short */
        char *buf = malloc(len + 1 + 8);
        assert_non_null(buf);
        memset(buf, 0x5a, len + 1 + 8);
        REREAD();
        CHECK(duet_msgpack_read_cstr(&r, buf, len + 1), "read_cstr with cap %zu", len + 1);
        CHECK((len == 0 || memcmp(buf, op->data, len) == 0) && buf[len] == '\0', "read_cstr bytes");
        CHECK((uint8_t)buf[len + 1] == 0x5a, "read_cstr wrote past the NUL");
        expect_at(&r, n);
        memset(buf, 0x5a, len + 1 + 8);
        REREAD();
        CHECK(!duet_msgpack_read_cstr(&r, buf, len), "read_cstr of %zu bytes with cap %zu succeeded", len, len);
        expect_failed(&r, DUET_ERR_NOSPACE, 0);
        for (size_t k = len; k < len + 1 + 8; k++)
            CHECK((uint8_t)buf[k] == 0x5a, "read_cstr with cap %zu wrote at %zu", len, k);
        if (len)
            CHECK(buf[0] == '\0', "read_cstr failed but left a non-empty string in its output");
        free(buf);
        break;
    }

    case W_BIN:
    case W_BIN_HDR: {
        size_t len = op->len;
        size_t hdr = op->kind == W_BIN_HDR ? n : n - len;
        const uint8_t *d = in;
        uint32_t dl = 12345;
        CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_BIN, "peek %d", (int)duet_msgpack_peek_type(&r));
        if (op->kind == W_BIN_HDR && len > 0) {
            whole = false;
            CHECK(!duet_msgpack_read_token(&r, &t), "read_token of a bin header without its body");
            expect_failed(&r, DUET_ERR_TRUNCATED, 0);
            REREAD();
            CHECK(!duet_msgpack_read_bin(&r, &d, &dl) && d == NULL && dl == 0, "read_bin of a header alone");
            expect_failed(&r, DUET_ERR_TRUNCATED, 0);
            break;
        }
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == DUET_MSGPACK_BIN && t.v.bytes.len == len,
              "token type %d len %lu, expected %zu", (int)t.type, (unsigned long)t.v.bytes.len, len);
        if (len)
            CHECK(t.v.bytes.ptr == in + hdr, "token ptr not into the input");
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_bin(&r, &d, &dl) && dl == len, "read_bin len %lu, expected %zu",
              (unsigned long)dl, len);
        if (len) {
            CHECK(d == in + hdr, "read_bin pointer is not into the input (offset %td, expected %zu)", d - in, hdr);
            CHECK(memcmp(d, op->data, len) == 0, "read_bin bytes");
        }
        expect_at(&r, n);
        break;
    }

    case W_EXT:
    case W_EXT_HDR: {
        size_t len = op->len;
        size_t hdr = op->kind == W_EXT_HDR ? n : n - len;
        const uint8_t *d = in;
        uint32_t dl = 12345;
        int8_t ty = 99;
        CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_EXT, "peek %d", (int)duet_msgpack_peek_type(&r));
        if (op->kind == W_EXT_HDR && len > 0) {
            whole = false;
            CHECK(!duet_msgpack_read_token(&r, &t), "read_token of an ext header without its body");
            expect_failed(&r, DUET_ERR_TRUNCATED, 0);
            REREAD();
            CHECK(!duet_msgpack_read_ext(&r, &ty, &d, &dl) && ty == 0 && d == NULL && dl == 0,
                  "read_ext of a header alone");
            expect_failed(&r, DUET_ERR_TRUNCATED, 0);
            break;
        }
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == DUET_MSGPACK_EXT && t.v.bytes.len == len &&
                  t.v.bytes.ext_type == op->type,
              "token type %d len %lu ext %d, expected len %zu ext %d", (int)t.type, (unsigned long)t.v.bytes.len,
              t.v.bytes.ext_type, len, op->type);
        if (len)
            CHECK(t.v.bytes.ptr == in + hdr, "token ptr not into the input");
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_ext(&r, &ty, &d, &dl) && ty == op->type && dl == len,
              "read_ext type %d len %lu, expected %d %zu", ty, (unsigned long)dl, op->type, len);
        if (len) {
            CHECK(d == in + hdr, "read_ext pointer is not into the input (offset %td, expected %zu)", d - in, hdr);
            CHECK(memcmp(d, op->data, len) == 0, "read_ext bytes");
        }
        expect_at(&r, n);
        break;
    }

    case W_ARRAY:
    case W_MAP: {
        bool arr = op->kind == W_ARRAY;
        duet_msgpack_type ty = arr ? DUET_MSGPACK_ARRAY : DUET_MSGPACK_MAP;
        uint32_t cnt = 12345;
        CHECK(duet_msgpack_peek_type(&r) == ty, "peek %d", (int)duet_msgpack_peek_type(&r));
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == ty && t.v.count == op->len,
              "token type %d count %lu, expected %zu", (int)t.type, (unsigned long)t.v.count, op->len);
        expect_at(&r, n);
        REREAD();
        bool ok = arr ? duet_msgpack_read_array(&r, &cnt) : duet_msgpack_read_map(&r, &cnt);
        CHECK(ok && cnt == op->len, "read_%s count %lu, expected %zu", arr ? "array" : "map", (unsigned long)cnt,
              op->len);
        expect_at(&r, n);
        whole = op->len == 0;
        break;
    }

    case W_TS: {
        int64_t sec = 99;
        uint32_t ns = 99;
        const uint8_t *d = NULL;
        uint32_t dl = 0;
        int8_t ty = 0;
        size_t body = n == 6 ? 4 : n == 10 ? 8 : 12;
        CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_EXT, "peek");
        CHECK(duet_msgpack_read_timestamp(&r, &sec, &ns) && sec == op->i && ns == op->nsec,
              "read_timestamp %lld.%09lu, expected %lld.%09lu", (long long)sec, (unsigned long)ns, (long long)op->i,
              (unsigned long)op->nsec);
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_ext(&r, &ty, &d, &dl) && ty == DUET_MSGPACK_EXT_TIMESTAMP && dl == body &&
                  d == in + n - body,
              "read_ext of a timestamp: type %d len %lu", ty, (unsigned long)dl);
        expect_at(&r, n);
        REREAD();
        CHECK(duet_msgpack_read_token(&r, &t) && t.type == DUET_MSGPACK_EXT &&
                  t.v.bytes.ext_type == DUET_MSGPACK_EXT_TIMESTAMP && t.v.bytes.len == body,
              "token of a timestamp");
        expect_at(&r, n);
        break;
    }
    }

    /* skip: a whole value is passed over exactly; a header alone is truncated */
    REREAD();
    if (whole) {
        CHECK(duet_msgpack_skip(&r), "skip failed with %d", duet_msgpack_reader_error(&r));
        expect_at(&r, n);
        CHECK(duet_msgpack_reader_remaining(&r) == 0, "remaining after skip");
        CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_NONE, "peek at the end");
    } else {
        CHECK(!duet_msgpack_skip(&r), "skip of an incomplete value succeeded");
        CHECK(duet_msgpack_reader_error(&r) == DUET_ERR_TRUNCATED, "skip error %d", duet_msgpack_reader_error(&r));
    }
#undef REREAD
    free(in);
}

/* ------------------------------------------------- writing a vector */

/*
 * Writes op and checks, in turn: the exact bytes exp (n) into a buffer of exactly n bytes;
 * after a nil, every too-small room (NOSPACE, nothing written, sticky) and the exact
 * room; a NULL buffer; and reading exp back.
 */
static void check_write(const wop *op, const uint8_t *exp, size_t n)
{
    duet_msgpack_writer w;

    /* exactly n bytes of room */
    uint8_t *buf = malloc(n ? n : 1);
    assert_non_null(buf);
    duet_msgpack_writer_init(&w, buf, n);
    apply(&w, op);
    CHECK(duet_msgpack_writer_error(&w) == DUET_OK, "kind %d: writer error %d (%s)", op->kind,
          duet_msgpack_writer_error(&w), duet_strerror(duet_msgpack_writer_error(&w)));
    CHECK(duet_msgpack_writer_size(&w) == n, "kind %d: wrote %zu bytes, expected %zu", op->kind,
          duet_msgpack_writer_size(&w), n);
    expect_bytes(buf, exp, n);
    free(buf);

    /* after a nil, room for k bytes: k < n fails whole, k == n fits */
    for (size_t k = 0; k <= n; k++) {
        if (k >= 48 && k + 48 < n)
            continue; /* long values: the first and last 48 cut points */
        size_t cap = 1 + k;
        uint8_t *g = malloc(cap + 16);
        assert_non_null(g);
        memset(g, 0xaa, cap + 16);
        duet_msgpack_writer_init(&w, g, cap);
        duet_msgpack_write_nil(&w);
        apply(&w, op);
        if (k == n) {
            CHECK(duet_msgpack_writer_error(&w) == DUET_OK, "kind %d, exact room: error %d", op->kind,
                  duet_msgpack_writer_error(&w));
            CHECK(duet_msgpack_writer_size(&w) == 1 + n, "kind %d: size %zu", op->kind, duet_msgpack_writer_size(&w));
            CHECK(g[0] == 0xc0, "the nil before");
            expect_bytes(g + 1, exp, n);
            for (size_t j = cap; j < cap + 16; j++)
                CHECK(g[j] == 0xaa, "kind %d wrote past its room at %zu", op->kind, j);
        } else {
            CHECK(duet_msgpack_writer_error(&w) == DUET_ERR_NOSPACE, "kind %d, %zu of %zu bytes of room: error %d",
                  op->kind, k, n, duet_msgpack_writer_error(&w));
            CHECK(duet_msgpack_writer_size(&w) == 1, "kind %d, %zu of %zu bytes of room: size %zu", op->kind, k, n,
                  duet_msgpack_writer_size(&w));
            CHECK(w.cap == w.len, "cap %zu not set to len %zu at the error", w.cap, w.len);
            CHECK(g[0] == 0xc0, "the nil before");
            for (size_t j = 1; j < cap + 16; j++)
                CHECK(g[j] == 0xaa, "kind %d with %zu of %zu bytes of room wrote byte %zu (0x%02x)", op->kind, k, n,
                      j, g[j]);
            /* sticky: a later one-byte write fails although k bytes were free */
            duet_msgpack_write_nil(&w);
            duet_msgpack_write_bool(&w, true);
            duet_msgpack_write_uint(&w, 1);
            CHECK(duet_msgpack_writer_error(&w) == DUET_ERR_NOSPACE, "error changed to %d",
                  duet_msgpack_writer_error(&w));
            CHECK(duet_msgpack_writer_size(&w) == 1, "size grew to %zu after the error", duet_msgpack_writer_size(&w));
            for (size_t j = 1; j < cap + 16; j++)
                CHECK(g[j] == 0xaa, "a write after the error wrote byte %zu", j);
        }
        free(g);
    }

    /* a NULL buffer has no room, whatever cap says */
    duet_msgpack_writer_init(&w, NULL, 1 << 20);
    apply(&w, op);
    CHECK(duet_msgpack_writer_error(&w) == DUET_ERR_NOSPACE, "NULL buffer: error %d", duet_msgpack_writer_error(&w));
    CHECK(duet_msgpack_writer_size(&w) == 0, "NULL buffer: size %zu", duet_msgpack_writer_size(&w));

    check_read_back(op, exp, n);
}

/* ============================================================= writer */

static void test_write_nil_bool(void **state)
{
    UNUSED(state);
    check_write(OP(.kind = W_NIL), B(0xc0));
    check_write(OP(.kind = W_BOOL, .b = false), B(0xc2));
    check_write(OP(.kind = W_BOOL, .b = true), B(0xc3));
}

static void test_write_uint(void **state)
{
    UNUSED(state);
    check_write(OP(.kind = W_UINT, .u = 0), B(0x00));
    check_write(OP(.kind = W_UINT, .u = 1), B(0x01));
    check_write(OP(.kind = W_UINT, .u = 127), B(0x7f));
    check_write(OP(.kind = W_UINT, .u = 128), B(0xcc, 0x80));
    check_write(OP(.kind = W_UINT, .u = 255), B(0xcc, 0xff));
    check_write(OP(.kind = W_UINT, .u = 256), B(0xcd, 0x01, 0x00));
    check_write(OP(.kind = W_UINT, .u = 65535), B(0xcd, 0xff, 0xff));
    check_write(OP(.kind = W_UINT, .u = 65536), B(0xce, 0x00, 0x01, 0x00, 0x00));
    check_write(OP(.kind = W_UINT, .u = 0x7fffffffu), B(0xce, 0x7f, 0xff, 0xff, 0xff));
    check_write(OP(.kind = W_UINT, .u = 0x80000000u), B(0xce, 0x80, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_UINT, .u = 0xffffffffu), B(0xce, 0xff, 0xff, 0xff, 0xff));
    check_write(OP(.kind = W_UINT, .u = 0x100000000ull), B(0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_UINT, .u = 0x0102030405060708ull),
                B(0xcf, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08));
    check_write(OP(.kind = W_UINT, .u = (uint64_t)INT64_MAX),
                B(0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    check_write(OP(.kind = W_UINT, .u = 0x8000000000000000ull),
                B(0xcf, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_UINT, .u = UINT64_MAX), B(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
}

static void test_write_int(void **state)
{
    UNUSED(state);
    /* non-negative values take the unsigned encodings, like msgpack-c */
    check_write(OP(.kind = W_INT, .i = 0), B(0x00));
    check_write(OP(.kind = W_INT, .i = 1), B(0x01));
    check_write(OP(.kind = W_INT, .i = 127), B(0x7f));
    check_write(OP(.kind = W_INT, .i = 128), B(0xcc, 0x80));
    check_write(OP(.kind = W_INT, .i = 255), B(0xcc, 0xff));
    check_write(OP(.kind = W_INT, .i = 256), B(0xcd, 0x01, 0x00));
    check_write(OP(.kind = W_INT, .i = 32767), B(0xcd, 0x7f, 0xff));
    check_write(OP(.kind = W_INT, .i = 65535), B(0xcd, 0xff, 0xff));
    check_write(OP(.kind = W_INT, .i = 65536), B(0xce, 0x00, 0x01, 0x00, 0x00));
    check_write(OP(.kind = W_INT, .i = INT32_MAX), B(0xce, 0x7f, 0xff, 0xff, 0xff));
    check_write(OP(.kind = W_INT, .i = (int64_t)INT32_MAX + 1), B(0xce, 0x80, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_INT, .i = (int64_t)UINT32_MAX), B(0xce, 0xff, 0xff, 0xff, 0xff));
    check_write(OP(.kind = W_INT, .i = (int64_t)UINT32_MAX + 1),
                B(0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_INT, .i = INT64_MAX), B(0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    /* negative values */
    check_write(OP(.kind = W_INT, .i = -1), B(0xff));
    check_write(OP(.kind = W_INT, .i = -5), B(0xfb));
    check_write(OP(.kind = W_INT, .i = -32), B(0xe0));
    check_write(OP(.kind = W_INT, .i = -33), B(0xd0, 0xdf));
    check_write(OP(.kind = W_INT, .i = -100), B(0xd0, 0x9c));
    check_write(OP(.kind = W_INT, .i = -128), B(0xd0, 0x80));
    check_write(OP(.kind = W_INT, .i = -129), B(0xd1, 0xff, 0x7f));
    check_write(OP(.kind = W_INT, .i = -256), B(0xd1, 0xff, 0x00));
    check_write(OP(.kind = W_INT, .i = -32768), B(0xd1, 0x80, 0x00));
    check_write(OP(.kind = W_INT, .i = -32769), B(0xd2, 0xff, 0xff, 0x7f, 0xff));
    check_write(OP(.kind = W_INT, .i = -65536), B(0xd2, 0xff, 0xff, 0x00, 0x00));
    check_write(OP(.kind = W_INT, .i = INT32_MIN), B(0xd2, 0x80, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_INT, .i = (int64_t)INT32_MIN - 1),
                B(0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff));
    check_write(OP(.kind = W_INT, .i = -0x100000000ll), B(0xd3, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_INT, .i = INT64_MIN + 1), B(0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01));
    check_write(OP(.kind = W_INT, .i = INT64_MIN), B(0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
}

static void test_write_float(void **state)
{
    UNUSED(state);
    check_write(OP(.kind = W_FLOAT, .f = 1.5f), B(0xca, 0x3f, 0xc0, 0x00, 0x00));
    check_write(OP(.kind = W_FLOAT, .f = 0.0f), B(0xca, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_FLOAT, .f = -0.0f), B(0xca, 0x80, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_FLOAT, .f = 0.1f), B(0xca, 0x3d, 0xcc, 0xcc, 0xcd));
    check_write(OP(.kind = W_FLOAT, .f = -2.0f), B(0xca, 0xc0, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_FLOAT, .f = INFINITY), B(0xca, 0x7f, 0x80, 0x00, 0x00));
    check_write(OP(.kind = W_FLOAT, .f = -INFINITY), B(0xca, 0xff, 0x80, 0x00, 0x00));
    check_write(OP(.kind = W_FLOAT, .f = 1e-45f), B(0xca, 0x00, 0x00, 0x00, 0x01)); /* smallest subnormal */

    /* a float is never widened to float64 */
    uint8_t buf[16];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_float(&w, 3.0f);
    assert_int_equal(duet_msgpack_writer_size(&w), 5);
    assert_int_equal(buf[0], 0xca);
}

static void test_write_double(void **state)
{
    UNUSED(state);
    check_write(OP(.kind = W_DOUBLE, .d = 1.5), B(0xcb, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_DOUBLE, .d = 0.0), B(0xcb, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_DOUBLE, .d = -0.0), B(0xcb, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_DOUBLE, .d = 0.1), B(0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a));
    check_write(OP(.kind = W_DOUBLE, .d = 3.141592653589793),
                B(0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18));
    check_write(OP(.kind = W_DOUBLE, .d = -INFINITY), B(0xcb, 0xff, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
    /* 1.0 fits a float32 exactly but write_double keeps float64 */
    check_write(OP(.kind = W_DOUBLE, .d = 1.0), B(0xcb, 0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
}

/* The str, bin and ext headers of every length boundary, with and without their body. */
typedef struct hdr_case {
    size_t len;
    uint8_t hdr[6];
    size_t hn;
} hdr_case;

static void test_write_str(void **state)
{
    UNUSED(state);
    static const hdr_case cases[] = {
        {0, {0xa0}, 1},
        {1, {0xa1}, 1},
        {5, {0xa5}, 1},
        {31, {0xbf}, 1},
        {32, {0xd9, 0x20}, 2},
        {200, {0xd9, 0xc8}, 2},
        {255, {0xd9, 0xff}, 2},
        {256, {0xda, 0x01, 0x00}, 3},
        {65535, {0xda, 0xff, 0xff}, 3},
        {65536, {0xdb, 0x00, 0x01, 0x00, 0x00}, 5},
        {70000, {0xdb, 0x00, 0x01, 0x11, 0x70}, 5},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const hdr_case *hc = &cases[c];
        uint8_t *body = pattern(hc->len);
        uint8_t *exp = join(hc->hdr, hc->hn, body, hc->len);
        print_message("str of %zu bytes\n", hc->len);
        check_write(OP(.kind = W_STR, .data = body, .len = hc->len), exp, hc->hn + hc->len);
        check_write(OP(.kind = W_STR_HDR, .len = hc->len), hc->hdr, hc->hn);
        free(exp);
        free(body);
    }
    check_write(OP(.kind = W_STR_HDR, .len = UINT32_MAX), B(0xdb, 0xff, 0xff, 0xff, 0xff));
}

static void test_write_cstr(void **state)
{
    UNUSED(state);
    check_write(OP(.kind = W_CSTR, .data = ""), B(0xa0));
    check_write(OP(.kind = W_CSTR, .data = "hello"), B(0xa5, 'h', 'e', 'l', 'l', 'o'));
    check_write(OP(.kind = W_CSTR, .data = "0123456789abcdefghijklmnopqrstu"),
                B(0xbf, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
                  'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u'));
    check_write(OP(.kind = W_CSTR, .data = "0123456789abcdefghijklmnopqrstuv"),
                B(0xd9, 0x20, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f', 'g',
                  'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v'));
    /* UTF-8: the length is in bytes */
    check_write(OP(.kind = W_CSTR, .data = "\xc3\xa9t\xc3\xa9"), B(0xa5, 0xc3, 0xa9, 't', 0xc3, 0xa9));
}

static void test_write_str_header_then_raw(void **state)
{
    UNUSED(state);
    /* a header and write_raw give the same bytes as write_str, for each header size */
    static const size_t lens[] = {0, 3, 31, 32, 255, 256, 65535, 65536};
    for (size_t c = 0; c < sizeof lens / sizeof lens[0]; c++) {
        size_t len = lens[c];
        uint8_t *body = pattern(len);
        uint8_t *a = malloc(len + 8), *b = malloc(len + 8);
        assert_non_null(a);
        assert_non_null(b);
        duet_msgpack_writer wa, wb;
        duet_msgpack_writer_init(&wa, a, len + 8);
        duet_msgpack_writer_init(&wb, b, len + 8);
        duet_msgpack_write_str(&wa, (const char *)body, len);
        duet_msgpack_write_str_header(&wb, len);
        duet_msgpack_write_raw(&wb, body, len);
        assert_int_equal(duet_msgpack_writer_error(&wa), DUET_OK);
        assert_int_equal(duet_msgpack_writer_error(&wb), DUET_OK);
        assert_int_equal(duet_msgpack_writer_size(&wa), duet_msgpack_writer_size(&wb));
        assert_memory_equal(a, b, duet_msgpack_writer_size(&wa));

        /* same for bin */
        duet_msgpack_writer_init(&wa, a, len + 8);
        duet_msgpack_writer_init(&wb, b, len + 8);
        duet_msgpack_write_bin(&wa, body, len);
        duet_msgpack_write_bin_header(&wb, len);
        duet_msgpack_write_raw(&wb, body, len);
        assert_int_equal(duet_msgpack_writer_error(&wa), DUET_OK);
        assert_int_equal(duet_msgpack_writer_error(&wb), DUET_OK);
        assert_int_equal(duet_msgpack_writer_size(&wa), duet_msgpack_writer_size(&wb));
        assert_memory_equal(a, b, duet_msgpack_writer_size(&wa));

        /* and for ext */
        duet_msgpack_writer_init(&wa, a, len + 8);
        duet_msgpack_writer_init(&wb, b, len + 8);
        duet_msgpack_write_ext(&wa, 42, body, len);
        duet_msgpack_write_ext_header(&wb, 42, len);
        duet_msgpack_write_raw(&wb, body, len);
        assert_int_equal(duet_msgpack_writer_error(&wa), DUET_OK);
        assert_int_equal(duet_msgpack_writer_error(&wb), DUET_OK);
        assert_int_equal(duet_msgpack_writer_size(&wa), duet_msgpack_writer_size(&wb));
        assert_memory_equal(a, b, duet_msgpack_writer_size(&wa));
        free(a);
        free(b);
        free(body);
    }
}

static void test_write_bin(void **state)
{
    UNUSED(state);
    static const hdr_case cases[] = {
        {0, {0xc4, 0x00}, 2},
        {1, {0xc4, 0x01}, 2},
        {31, {0xc4, 0x1f}, 2},
        {32, {0xc4, 0x20}, 2},
        {255, {0xc4, 0xff}, 2},
        {256, {0xc5, 0x01, 0x00}, 3},
        {65535, {0xc5, 0xff, 0xff}, 3},
        {65536, {0xc6, 0x00, 0x01, 0x00, 0x00}, 5},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const hdr_case *hc = &cases[c];
        uint8_t *body = pattern(hc->len);
        uint8_t *exp = join(hc->hdr, hc->hn, body, hc->len);
        print_message("bin of %zu bytes\n", hc->len);
        check_write(OP(.kind = W_BIN, .data = body, .len = hc->len), exp, hc->hn + hc->len);
        check_write(OP(.kind = W_BIN_HDR, .len = hc->len), hc->hdr, hc->hn);
        free(exp);
        free(body);
    }
    check_write(OP(.kind = W_BIN_HDR, .len = UINT32_MAX), B(0xc6, 0xff, 0xff, 0xff, 0xff));
    /* bin bytes may hold anything, NUL included */
    check_write(OP(.kind = W_BIN, .data = "\0\xff\0", .len = 3), B(0xc4, 0x03, 0x00, 0xff, 0x00));
}

static void test_write_array_map(void **state)
{
    UNUSED(state);
    check_write(OP(.kind = W_ARRAY, .len = 0), B(0x90));
    check_write(OP(.kind = W_ARRAY, .len = 1), B(0x91));
    check_write(OP(.kind = W_ARRAY, .len = 15), B(0x9f));
    check_write(OP(.kind = W_ARRAY, .len = 16), B(0xdc, 0x00, 0x10));
    check_write(OP(.kind = W_ARRAY, .len = 256), B(0xdc, 0x01, 0x00));
    check_write(OP(.kind = W_ARRAY, .len = 65535), B(0xdc, 0xff, 0xff));
    check_write(OP(.kind = W_ARRAY, .len = 65536), B(0xdd, 0x00, 0x01, 0x00, 0x00));
    check_write(OP(.kind = W_ARRAY, .len = UINT32_MAX), B(0xdd, 0xff, 0xff, 0xff, 0xff));

    check_write(OP(.kind = W_MAP, .len = 0), B(0x80));
    check_write(OP(.kind = W_MAP, .len = 1), B(0x81));
    check_write(OP(.kind = W_MAP, .len = 15), B(0x8f));
    check_write(OP(.kind = W_MAP, .len = 16), B(0xde, 0x00, 0x10));
    check_write(OP(.kind = W_MAP, .len = 65535), B(0xde, 0xff, 0xff));
    check_write(OP(.kind = W_MAP, .len = 65536), B(0xdf, 0x00, 0x01, 0x00, 0x00));
    check_write(OP(.kind = W_MAP, .len = UINT32_MAX), B(0xdf, 0xff, 0xff, 0xff, 0xff));
}

static void test_write_ext(void **state)
{
    UNUSED(state);
    static const hdr_case cases[] = {
        {1, {0xd4, 0x05}, 2},
        {2, {0xd5, 0x05}, 2},
        {4, {0xd6, 0x05}, 2},
        {8, {0xd7, 0x05}, 2},
        {16, {0xd8, 0x05}, 2},
        {0, {0xc7, 0x00, 0x05}, 3},
        {3, {0xc7, 0x03, 0x05}, 3},
        {5, {0xc7, 0x05, 0x05}, 3},
        {7, {0xc7, 0x07, 0x05}, 3},
        {9, {0xc7, 0x09, 0x05}, 3},
        {15, {0xc7, 0x0f, 0x05}, 3},
        {17, {0xc7, 0x11, 0x05}, 3},
        {32, {0xc7, 0x20, 0x05}, 3},
        {255, {0xc7, 0xff, 0x05}, 3},
        {256, {0xc8, 0x01, 0x00, 0x05}, 4},
        {65535, {0xc8, 0xff, 0xff, 0x05}, 4},
        {65536, {0xc9, 0x00, 0x01, 0x00, 0x00, 0x05}, 6},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const hdr_case *hc = &cases[c];
        uint8_t *body = pattern(hc->len);
        uint8_t *exp = join(hc->hdr, hc->hn, body, hc->len);
        print_message("ext of %zu bytes\n", hc->len);
        check_write(OP(.kind = W_EXT, .type = 5, .data = body, .len = hc->len), exp, hc->hn + hc->len);
        check_write(OP(.kind = W_EXT_HDR, .type = 5, .len = hc->len), hc->hdr, hc->hn);
        free(exp);
        free(body);
    }
    /* the type byte is the two's complement of the type */
    check_write(OP(.kind = W_EXT, .type = -128, .data = "\x01", .len = 1), B(0xd4, 0x80, 0x01));
    check_write(OP(.kind = W_EXT, .type = 127, .data = "\x01", .len = 1), B(0xd4, 0x7f, 0x01));
    check_write(OP(.kind = W_EXT, .type = 0, .data = "ab", .len = 2), B(0xd5, 0x00, 'a', 'b'));
    check_write(OP(.kind = W_EXT, .type = -2, .data = "abc", .len = 3), B(0xc7, 0x03, 0xfe, 'a', 'b', 'c'));
    check_write(OP(.kind = W_EXT_HDR, .type = -1, .len = 12), B(0xc7, 0x0c, 0xff));
    check_write(OP(.kind = W_EXT_HDR, .type = 1, .len = UINT32_MAX), B(0xc9, 0xff, 0xff, 0xff, 0xff, 0x01));
}

static void test_write_timestamp(void **state)
{
    UNUSED(state);
    /* timestamp 32: 0 <= sec < 2^32 and nsec == 0 */
    check_write(OP(.kind = W_TS, .i = 0, .nsec = 0), B(0xd6, 0xff, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_TS, .i = 1, .nsec = 0), B(0xd6, 0xff, 0x00, 0x00, 0x00, 0x01));
    check_write(OP(.kind = W_TS, .i = 1700000000, .nsec = 0), B(0xd6, 0xff, 0x65, 0x53, 0xf1, 0x00));
    check_write(OP(.kind = W_TS, .i = 0xffffffffll, .nsec = 0), B(0xd6, 0xff, 0xff, 0xff, 0xff, 0xff));
    /* timestamp 64: 0 <= sec < 2^34, nsec in the upper 30 bits */
    check_write(OP(.kind = W_TS, .i = 0x100000000ll, .nsec = 0),
                B(0xd7, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_TS, .i = 0, .nsec = 1), B(0xd7, 0xff, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_TS, .i = 1, .nsec = 1), B(0xd7, 0xff, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01));
    check_write(OP(.kind = W_TS, .i = 0x100000000ll, .nsec = 500000000),
                B(0xd7, 0xff, 0x77, 0x35, 0x94, 0x01, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_TS, .i = 0x3ffffffffll, .nsec = 0),
                B(0xd7, 0xff, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff, 0xff, 0xff));
    check_write(OP(.kind = W_TS, .i = 0x3ffffffffll, .nsec = 999999999),
                B(0xd7, 0xff, 0xee, 0x6b, 0x27, 0xff, 0xff, 0xff, 0xff, 0xff));
    /* timestamp 96: negative sec or sec >= 2^34 */
    check_write(OP(.kind = W_TS, .i = 0x400000000ll, .nsec = 0),
                B(0xc7, 0x0c, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_TS, .i = 0x400000000ll, .nsec = 1),
                B(0xc7, 0x0c, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_TS, .i = -1, .nsec = 0),
                B(0xc7, 0x0c, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    check_write(OP(.kind = W_TS, .i = -1, .nsec = 999999999),
                B(0xc7, 0x0c, 0xff, 0x3b, 0x9a, 0xc9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    check_write(OP(.kind = W_TS, .i = INT64_MIN, .nsec = 0),
                B(0xc7, 0x0c, 0xff, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
    check_write(OP(.kind = W_TS, .i = INT64_MAX, .nsec = 999999999),
                B(0xc7, 0x0c, 0xff, 0x3b, 0x9a, 0xc9, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
}

static void test_write_timestamp_bad_nsec(void **state)
{
    UNUSED(state);
    static const struct {
        int64_t sec;
        uint32_t nsec;
    } bad[] = {{0, 1000000000u}, {1, 1000000000u}, {0x100000000ll, 1000000001u}, {-1, 1000000000u},
               {0x400000000ll, 1000000000u}, {0, UINT32_MAX}};
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        uint8_t buf[32];
        memset(buf, 0xaa, sizeof buf);
        duet_msgpack_writer w;
        duet_msgpack_writer_init(&w, buf, sizeof buf);
        duet_msgpack_write_timestamp(&w, bad[c].sec, bad[c].nsec);
        CHECK(duet_msgpack_writer_error(&w) == DUET_ERR_ARG, "timestamp %lld.%lu: error %d, expected DUET_ERR_ARG",
              (long long)bad[c].sec, (unsigned long)bad[c].nsec, duet_msgpack_writer_error(&w));
        CHECK(duet_msgpack_writer_size(&w) == 0, "an invalid timestamp wrote %zu bytes", duet_msgpack_writer_size(&w));
        for (size_t j = 0; j < sizeof buf; j++)
            CHECK(buf[j] == 0xaa, "an invalid timestamp wrote byte %zu", j);
        /* sticky, and the first error stays */
        duet_msgpack_write_nil(&w);
        CHECK(duet_msgpack_writer_error(&w) == DUET_ERR_ARG, "error became %d", duet_msgpack_writer_error(&w));
        CHECK(duet_msgpack_writer_size(&w) == 0, "a write after DUET_ERR_ARG wrote");
        assert_int_equal(buf[0], 0xaa);
    }
}

#if SIZE_MAX > UINT32_MAX
static void test_write_header_too_long(void **state)
{
    UNUSED(state);
    /* MessagePack lengths are 32-bit: 2^32 bytes is out of range, and writes nothing */
    size_t big = (size_t)UINT32_MAX + 1;
    for (int kind = 0; kind < 3; kind++) {
        uint8_t buf[16];
        memset(buf, 0xaa, sizeof buf);
        duet_msgpack_writer w;
        duet_msgpack_writer_init(&w, buf, sizeof buf);
        if (kind == 0)
            duet_msgpack_write_str_header(&w, big);
        else if (kind == 1)
            duet_msgpack_write_bin_header(&w, big);
        else
            duet_msgpack_write_ext_header(&w, 1, big);
        CHECK(duet_msgpack_writer_error(&w) == DUET_ERR_RANGE, "%s header of 2^32 bytes: error %d, expected RANGE",
              kind == 0 ? "str" : kind == 1 ? "bin" : "ext", duet_msgpack_writer_error(&w));
        CHECK(duet_msgpack_writer_size(&w) == 0, "wrote %zu bytes", duet_msgpack_writer_size(&w));
        CHECK(buf[0] == 0xaa, "wrote a byte");
        duet_msgpack_write_nil(&w);
        CHECK(duet_msgpack_writer_error(&w) == DUET_ERR_RANGE && duet_msgpack_writer_size(&w) == 0,
              "not sticky after DUET_ERR_RANGE");
    }
}
#endif

static void test_write_sticky(void **state)
{
    UNUSED(state);
    uint8_t buf[64];
    duet_msgpack_writer w;

    /* a 9-byte value into 8 bytes fails; then nothing else fits, not even a nil */
    memset(buf, 0xaa, sizeof buf);
    duet_msgpack_writer_init(&w, buf, 8);
    duet_msgpack_write_uint(&w, UINT64_MAX);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_ERR_NOSPACE);
    assert_int_equal(duet_msgpack_writer_size(&w), 0);
    duet_msgpack_write_nil(&w);
    duet_msgpack_write_uint(&w, 1);
    duet_msgpack_write_cstr(&w, "a");
    duet_msgpack_write_array(&w, 1);
    duet_msgpack_write_raw(&w, "x", 1);
    duet_msgpack_write_bin(&w, "x", 1);
    duet_msgpack_write_ext(&w, 1, "x", 1);
    duet_msgpack_write_float(&w, 1.0f);
    duet_msgpack_write_timestamp(&w, 1, 0);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_ERR_NOSPACE);
    assert_int_equal(duet_msgpack_writer_size(&w), 0);
    for (size_t j = 0; j < sizeof buf; j++)
        CHECK(buf[j] == 0xaa, "byte %zu written after the error", j);

    /* a message part-written: size stops at the last whole value */
    memset(buf, 0xaa, sizeof buf);
    duet_msgpack_writer_init(&w, buf, 10);
    duet_msgpack_write_array(&w, 3);              /* 1 byte */
    duet_msgpack_write_uint(&w, 300);             /* 3 bytes */
    duet_msgpack_write_str(&w, "abcdefgh", 8);    /* 9 bytes: does not fit in 6 */
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_ERR_NOSPACE);
    assert_int_equal(duet_msgpack_writer_size(&w), 4);
    duet_msgpack_write_nil(&w);
    duet_msgpack_write_bool(&w, false);
    assert_int_equal(duet_msgpack_writer_size(&w), 4);
    assert_memory_equal(buf, ((const uint8_t[]){0x93, 0xcd, 0x01, 0x2c}), 4);
    for (size_t j = 4; j < sizeof buf; j++)
        CHECK(buf[j] == 0xaa, "byte %zu written by a str that did not fit", j);

    /* a long str that does not fit writes nothing, not even its header */
    uint8_t *body = pattern(300);
    memset(buf, 0xaa, sizeof buf);
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_str(&w, (const char *)body, 300);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_ERR_NOSPACE);
    assert_int_equal(duet_msgpack_writer_size(&w), 0);
    for (size_t j = 0; j < sizeof buf; j++)
        CHECK(buf[j] == 0xaa, "str of 300 into 64 bytes wrote byte %zu", j);
    duet_msgpack_write_nil(&w);
    assert_int_equal(duet_msgpack_writer_size(&w), 0);
    /* the same for bin and ext */
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_bin(&w, body, 300);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_ERR_NOSPACE);
    assert_int_equal(duet_msgpack_writer_size(&w), 0);
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_ext(&w, 3, body, 300);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_ERR_NOSPACE);
    assert_int_equal(duet_msgpack_writer_size(&w), 0);
    for (size_t j = 0; j < sizeof buf; j++)
        CHECK(buf[j] == 0xaa, "bin/ext of 300 into 64 bytes wrote byte %zu", j);
    free(body);

    /* writer_fail keeps the first error and stops every write */
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_nil(&w);
    duet_msgpack_writer_fail(&w, DUET_ERR_RANGE);
    duet_msgpack_writer_fail(&w, DUET_ERR_ARG);
    duet_msgpack_write_nil(&w);
    duet_msgpack_write_timestamp(&w, 0, 2000000000u);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_ERR_RANGE);
    assert_int_equal(duet_msgpack_writer_size(&w), 1);
}

static void test_write_null_buffer(void **state)
{
    UNUSED(state);
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, NULL, 100);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_OK);
    assert_int_equal(duet_msgpack_writer_size(&w), 0);
    duet_msgpack_write_nil(&w);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_ERR_NOSPACE);
    assert_int_equal(duet_msgpack_writer_size(&w), 0);
    duet_msgpack_write_str(&w, "abc", 3);
    duet_msgpack_write_double(&w, 1.0);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_ERR_NOSPACE);
    assert_int_equal(duet_msgpack_writer_size(&w), 0);
}

/* Bytes at NULL (a str, bin or ext with a length and no data) are an argument error and
 * write nothing; no bytes at NULL are an empty value. */
static void test_write_null_body(void **state)
{
    UNUSED(state);
    uint8_t buf[64];
    for (int kind = 0; kind < 4; kind++) {
        duet_msgpack_writer w;
        duet_msgpack_writer_init(&w, buf, sizeof buf);
        if (kind == 0)
            duet_msgpack_write_str(&w, NULL, 40);
        else if (kind == 3)
            duet_msgpack_write_str(&w, NULL, 3);
        else if (kind == 1)
            duet_msgpack_write_bin(&w, NULL, 3);
        else
            duet_msgpack_write_ext(&w, 5, NULL, 2);
        CHECK(duet_msgpack_writer_error(&w) == DUET_ERR_ARG, "kind %d: error %d, expected DUET_ERR_ARG", kind,
              duet_msgpack_writer_error(&w));
        CHECK(duet_msgpack_writer_size(&w) == 0, "kind %d: wrote %zu bytes", kind, duet_msgpack_writer_size(&w));
    }
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_str(&w, NULL, 0);
    duet_msgpack_write_bin(&w, NULL, 0);
    duet_msgpack_write_ext(&w, 5, NULL, 0);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_OK);
    assert_int_equal(duet_msgpack_writer_size(&w), 6);
    assert_memory_equal(buf, "\xa0\xc4\x00\xc7\x00\x05", 6);
}

static void test_write_message(void **state)
{
    UNUSED(state);
    /* a msgpack-RPC request [0, 7, "add", [1, -2]] */
    uint8_t buf[32];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 0);
    duet_msgpack_write_uint(&w, 7);
    duet_msgpack_write_cstr(&w, "add");
    duet_msgpack_write_array(&w, 2);
    duet_msgpack_write_int(&w, 1);
    duet_msgpack_write_int(&w, -2);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_OK);
    static const uint8_t exp[] = {0x94, 0x00, 0x07, 0xa3, 'a', 'd', 'd', 0x92, 0x01, 0xfe};
    assert_int_equal(duet_msgpack_writer_size(&w), sizeof exp);
    assert_memory_equal(buf, exp, sizeof exp);

    /* and read back in one pass, checking the error once */
    duet_msgpack_reader r;
    uint32_t n = 0, type = 9, msgid = 9, argc = 0;
    int32_t a = 0, b = 0;
    char name[8];
    duet_msgpack_reader_init(&r, buf, duet_msgpack_writer_size(&w));
    bool ok = duet_msgpack_read_array(&r, &n);
    ok = duet_msgpack_read_u32(&r, &type) && ok;
    ok = duet_msgpack_read_u32(&r, &msgid) && ok;
    ok = duet_msgpack_read_cstr(&r, name, sizeof name) && ok;
    ok = duet_msgpack_read_array(&r, &argc) && ok;
    ok = duet_msgpack_read_i32(&r, &a) && ok;
    ok = duet_msgpack_read_i32(&r, &b) && ok;
    assert_true(ok);
    assert_int_equal(duet_msgpack_reader_error(&r), DUET_OK);
    assert_int_equal(n, 4);
    assert_int_equal(type, 0);
    assert_int_equal(msgid, 7);
    assert_string_equal(name, "add");
    assert_int_equal(argc, 2);
    assert_int_equal(a, 1);
    assert_int_equal(b, -2);
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    assert_int_equal(duet_msgpack_peek_type(&r), DUET_MSGPACK_NONE);
}

/* ============================================================= reader */

static void test_read_integer_getters(void **state)
{
    UNUSED(state);
    /* read_u32: any encoding whose value fits */
    expect_u32(B(0x00), DUET_OK, 0);
    expect_u32(B(0x7f), DUET_OK, 127);
    expect_u32(B(0xcc, 0xff), DUET_OK, 255);
    expect_u32(B(0xcd, 0xff, 0xff), DUET_OK, 65535);
    expect_u32(B(0xce, 0xff, 0xff, 0xff, 0xff), DUET_OK, UINT32_MAX);
    expect_u32(B(0xcf, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff), DUET_OK, UINT32_MAX);
    expect_u32(B(0xd0, 0x05), DUET_OK, 5);
    expect_u32(B(0xd0, 0x7f), DUET_OK, 127);
    expect_u32(B(0xd1, 0x00, 0x05), DUET_OK, 5);
    expect_u32(B(0xd2, 0x7f, 0xff, 0xff, 0xff), DUET_OK, INT32_MAX);
    expect_u32(B(0xd3, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff), DUET_OK, UINT32_MAX);
    expect_u32(B(0xff), DUET_ERR_RANGE, 0);
    expect_u32(B(0xe0), DUET_ERR_RANGE, 0);
    expect_u32(B(0xd0, 0xff), DUET_ERR_RANGE, 0);
    expect_u32(B(0xd0, 0x80), DUET_ERR_RANGE, 0);
    expect_u32(B(0xd2, 0x80, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);
    expect_u32(B(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_ERR_RANGE, 0);
    expect_u32(B(0xd3, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);
    expect_u32(B(0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);
    expect_u32(B(0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);
    expect_u32(B(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_ERR_RANGE, 0);
    expect_u32(B(0xcf, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01), DUET_ERR_RANGE, 0);

    /* read_i32 */
    expect_i32(B(0x00), DUET_OK, 0);
    expect_i32(B(0x7f), DUET_OK, 127);
    expect_i32(B(0xcc, 0xff), DUET_OK, 255);
    expect_i32(B(0xcd, 0xff, 0xff), DUET_OK, 65535);
    expect_i32(B(0xce, 0x7f, 0xff, 0xff, 0xff), DUET_OK, INT32_MAX);
    expect_i32(B(0xcf, 0x00, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff), DUET_OK, INT32_MAX);
    expect_i32(B(0xe0), DUET_OK, -32);
    expect_i32(B(0xff), DUET_OK, -1);
    expect_i32(B(0xd0, 0x05), DUET_OK, 5);
    expect_i32(B(0xd0, 0x80), DUET_OK, -128);
    expect_i32(B(0xd1, 0x80, 0x00), DUET_OK, -32768);
    expect_i32(B(0xd2, 0x80, 0x00, 0x00, 0x00), DUET_OK, INT32_MIN);
    expect_i32(B(0xd2, 0x7f, 0xff, 0xff, 0xff), DUET_OK, INT32_MAX);
    expect_i32(B(0xd3, 0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00), DUET_OK, INT32_MIN);
    expect_i32(B(0xd3, 0x00, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff), DUET_OK, INT32_MAX);
    expect_i32(B(0xce, 0x80, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);
    expect_i32(B(0xce, 0xff, 0xff, 0xff, 0xff), DUET_ERR_RANGE, 0);
    expect_i32(B(0xcf, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);
    expect_i32(B(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_ERR_RANGE, 0);
    expect_i32(B(0xd3, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);
    expect_i32(B(0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff), DUET_ERR_RANGE, 0);
    expect_i32(B(0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);
    expect_i32(B(0xd3, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);

    /* read_u64 */
    expect_u64(B(0x00), DUET_OK, 0);
    expect_u64(B(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_OK, UINT64_MAX);
    expect_u64(B(0xcf, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), DUET_OK, 0x8000000000000000ull);
    expect_u64(B(0xd3, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_OK, (uint64_t)INT64_MAX);
    expect_u64(B(0xd0, 0x05), DUET_OK, 5);
    expect_u64(B(0xd2, 0x00, 0x01, 0x00, 0x00), DUET_OK, 65536);
    expect_u64(B(0xff), DUET_ERR_RANGE, 0);
    expect_u64(B(0xe0), DUET_ERR_RANGE, 0);
    expect_u64(B(0xd0, 0xff), DUET_ERR_RANGE, 0);
    expect_u64(B(0xd1, 0x80, 0x00), DUET_ERR_RANGE, 0);
    expect_u64(B(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_ERR_RANGE, 0);
    expect_u64(B(0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);

    /* read_i64 */
    expect_i64(B(0x00), DUET_OK, 0);
    expect_i64(B(0xff), DUET_OK, -1);
    expect_i64(B(0xcc, 0xff), DUET_OK, 255);
    expect_i64(B(0xce, 0xff, 0xff, 0xff, 0xff), DUET_OK, (int64_t)UINT32_MAX);
    expect_i64(B(0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00), DUET_OK, 0x100000000ll);
    expect_i64(B(0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_OK, INT64_MAX);
    expect_i64(B(0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), DUET_OK, INT64_MIN);
    expect_i64(B(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_OK, -1);
    expect_i64(B(0xd1, 0xff, 0x7f), DUET_OK, -129);
    expect_i64(B(0xcf, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), DUET_ERR_RANGE, 0);
    expect_i64(B(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_ERR_RANGE, 0);

    /* read_token reports the encoding's family; a signed encoding may hold a value >= 0 */
    duet_msgpack_reader r;
    duet_msgpack_token t;
    duet_msgpack_reader_init(&r, B(0xd0, 0x05));
    assert_true(duet_msgpack_read_token(&r, &t));
    assert_int_equal(t.type, DUET_MSGPACK_INT);
    assert_int_equal(t.v.i, 5);
    duet_msgpack_reader_init(&r, B(0xcd, 0x00, 0x01));
    assert_true(duet_msgpack_read_token(&r, &t));
    assert_int_equal(t.type, DUET_MSGPACK_UINT);
    assert_int_equal(t.v.u, 1);
    duet_msgpack_reader_init(&r, B(0xd1, 0xfe, 0xff));
    assert_true(duet_msgpack_read_token(&r, &t));
    assert_int_equal(t.type, DUET_MSGPACK_INT);
    assert_true(t.v.i == -257);
}

/* ------------------------------------------------ every typed read vs every type */

enum rkind { R_NIL, R_BOOL, R_I64, R_U64, R_I32, R_U32, R_FLOAT, R_DOUBLE, R_STR, R_CSTR, R_BIN, R_ARRAY, R_MAP,
             R_EXT, R_TS, R_COUNT };

static const char *const rkind_name[R_COUNT] = {"nil", "bool", "i64", "u64", "i32", "u32", "float", "double",
                                                "str", "cstr", "bin", "array", "map", "ext", "timestamp"};

/* Does read k; *zero tells whether its outputs are all zero (they are garbage before). */
static bool typed_read(duet_msgpack_reader *r, int k, bool *zero)
{
    bool ok = false;
    switch (k) {
    case R_NIL: ok = duet_msgpack_read_nil(r); *zero = true; break;
    case R_BOOL: { bool v = true; ok = duet_msgpack_read_bool(r, &v); *zero = !v; break; }
    case R_I64: { int64_t v = 77; ok = duet_msgpack_read_i64(r, &v); *zero = v == 0; break; }
    case R_U64: { uint64_t v = 77; ok = duet_msgpack_read_u64(r, &v); *zero = v == 0; break; }
    case R_I32: { int32_t v = 77; ok = duet_msgpack_read_i32(r, &v); *zero = v == 0; break; }
    case R_U32: { uint32_t v = 77; ok = duet_msgpack_read_u32(r, &v); *zero = v == 0; break; }
    case R_FLOAT: { float v = 77.0f; ok = duet_msgpack_read_float(r, &v); *zero = v == 0.0f; break; }
    case R_DOUBLE: { double v = 77.0; ok = duet_msgpack_read_double(r, &v); *zero = v == 0.0; break; }
    case R_STR: {
        const char *s = "junk";
        uint32_t len = 77;
        ok = duet_msgpack_read_str(r, &s, &len);
        *zero = s == NULL && len == 0;
        break;
    }
    case R_CSTR: {
        char buf[8] = "junkjun";
        ok = duet_msgpack_read_cstr(r, buf, sizeof buf);
        *zero = buf[0] == '\0';
        break;
    }
    case R_BIN: {
        const uint8_t *d = (const uint8_t *)"junk";
        uint32_t len = 77;
        ok = duet_msgpack_read_bin(r, &d, &len);
        *zero = d == NULL && len == 0;
        break;
    }
    case R_ARRAY: { uint32_t n = 77; ok = duet_msgpack_read_array(r, &n); *zero = n == 0; break; }
    case R_MAP: { uint32_t n = 77; ok = duet_msgpack_read_map(r, &n); *zero = n == 0; break; }
    case R_EXT: {
        int8_t ty = 77;
        const uint8_t *d = (const uint8_t *)"junk";
        uint32_t len = 77;
        ok = duet_msgpack_read_ext(r, &ty, &d, &len);
        *zero = ty == 0 && d == NULL && len == 0;
        break;
    }
    case R_TS: {
        int64_t sec = 77;
        uint32_t nsec = 77;
        ok = duet_msgpack_read_timestamp(r, &sec, &nsec);
        *zero = sec == 0 && nsec == 0;
        break;
    }
    }
    return ok;
}

/* The typed read that takes values of type ty. */
static int rkind_for(duet_msgpack_type ty, int8_t ext_type)
{
    switch (ty) {
    case DUET_MSGPACK_NIL: return R_NIL;
    case DUET_MSGPACK_BOOL: return R_BOOL;
    case DUET_MSGPACK_UINT: return R_U64;
    case DUET_MSGPACK_INT: return R_I64;
    case DUET_MSGPACK_FLOAT32: return R_FLOAT;
    case DUET_MSGPACK_FLOAT64: return R_DOUBLE;
    case DUET_MSGPACK_STR: return R_STR;
    case DUET_MSGPACK_BIN: return R_BIN;
    case DUET_MSGPACK_ARRAY: return R_ARRAY;
    case DUET_MSGPACK_MAP: return R_MAP;
    case DUET_MSGPACK_EXT: return ext_type == DUET_MSGPACK_EXT_TIMESTAMP ? R_TS : R_EXT;
    case DUET_MSGPACK_NONE: break;
    }
    return R_COUNT;
}

static void test_read_type_matrix(void **state)
{
    UNUSED(state);
    static const struct {
        uint8_t b[10];
        size_t n;
        duet_msgpack_type type;
        bool ts;
    } samples[] = {
        {{0xc0}, 1, DUET_MSGPACK_NIL, false},
        {{0xc2}, 1, DUET_MSGPACK_BOOL, false},
        {{0xc3}, 1, DUET_MSGPACK_BOOL, false},
        {{0x05}, 1, DUET_MSGPACK_UINT, false},
        {{0xcc, 0x05}, 2, DUET_MSGPACK_UINT, false},
        {{0xd0, 0x05}, 2, DUET_MSGPACK_INT, false},
        {{0xca, 0x3f, 0xc0, 0x00, 0x00}, 5, DUET_MSGPACK_FLOAT32, false},
        {{0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, 9, DUET_MSGPACK_FLOAT64, false},
        {{0xa2, 'h', 'i'}, 3, DUET_MSGPACK_STR, false},
        {{0xd9, 0x01, 'x'}, 3, DUET_MSGPACK_STR, false},
        {{0xc4, 0x02, 0x01, 0x02}, 4, DUET_MSGPACK_BIN, false},
        {{0x92, 0x01, 0x02}, 3, DUET_MSGPACK_ARRAY, false},
        {{0xdc, 0x00, 0x01, 0x01}, 4, DUET_MSGPACK_ARRAY, false},
        {{0x81, 0x01, 0x02}, 3, DUET_MSGPACK_MAP, false},
        {{0xde, 0x00, 0x01, 0x01, 0x02}, 5, DUET_MSGPACK_MAP, false},
        {{0xd4, 0x05, 0x07}, 3, DUET_MSGPACK_EXT, false},
        {{0xd6, 0x05, 0x00, 0x00, 0x00, 0x01}, 6, DUET_MSGPACK_EXT, false}, /* 4 bytes but not a timestamp */
        {{0xd6, 0xff, 0x00, 0x00, 0x00, 0x01}, 6, DUET_MSGPACK_EXT, true},
    };
    for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++) {
        /* a nil first, so that error offsets are not trivially 0 */
        uint8_t tmp[16];
        tmp[0] = 0xc0;
        memcpy(tmp + 1, samples[s].b, samples[s].n);
        size_t n = 1 + samples[s].n;
        uint8_t *in = dup_exact(tmp, n);
        duet_msgpack_type ty = samples[s].type;
        for (int k = 0; k < R_COUNT; k++) {
            bool accepts;
            switch (k) {
            case R_NIL: accepts = ty == DUET_MSGPACK_NIL; break;
            case R_BOOL: accepts = ty == DUET_MSGPACK_BOOL; break;
            case R_I64: case R_U64: case R_I32: case R_U32:
                accepts = ty == DUET_MSGPACK_UINT || ty == DUET_MSGPACK_INT;
                break;
            case R_FLOAT: case R_DOUBLE:
                accepts = ty == DUET_MSGPACK_FLOAT32 || ty == DUET_MSGPACK_FLOAT64;
                break;
            case R_STR: case R_CSTR: accepts = ty == DUET_MSGPACK_STR; break;
            case R_BIN: accepts = ty == DUET_MSGPACK_BIN; break;
            case R_ARRAY: accepts = ty == DUET_MSGPACK_ARRAY; break;
            case R_MAP: accepts = ty == DUET_MSGPACK_MAP; break;
            case R_EXT: accepts = ty == DUET_MSGPACK_EXT; break;
            default: accepts = samples[s].ts; break;
            }
            duet_msgpack_reader r;
            duet_msgpack_reader_init(&r, in, n);
            assert_true(duet_msgpack_read_nil(&r));
            CHECK(duet_msgpack_peek_type(&r) == ty, "sample %zu: peek %d, expected %d", s,
                  (int)duet_msgpack_peek_type(&r), (int)ty);
            bool zero = false;
            bool ok = typed_read(&r, k, &zero);
            if (accepts) {
                CHECK(ok && duet_msgpack_reader_error(&r) == DUET_OK, "sample %zu (%02x) read as %s failed: %d", s,
                      samples[s].b[0], rkind_name[k], duet_msgpack_reader_error(&r));
            } else {
                CHECK(!ok, "sample %zu (%02x, %s) read as %s succeeded", s, samples[s].b[0],
                      duet_msgpack_type_name(ty), rkind_name[k]);
                CHECK(zero, "sample %zu read as %s: outputs not zeroed on failure", s, rkind_name[k]);
                CHECK(duet_msgpack_reader_error(&r) == DUET_ERR_TYPE, "sample %zu read as %s: error %d, expected TYPE",
                      s, rkind_name[k], duet_msgpack_reader_error(&r));
                CHECK(duet_msgpack_reader_found(&r) == ty, "sample %zu read as %s: found %d (%s), expected %d (%s)", s,
                      rkind_name[k], (int)duet_msgpack_reader_found(&r),
                      duet_msgpack_type_name(duet_msgpack_reader_found(&r)), (int)ty, duet_msgpack_type_name(ty));
                expect_failed(&r, DUET_ERR_TYPE, 1);
                /* sticky: the right read now fails too, and zeroes */
                int right = rkind_for(ty, samples[s].ts ? DUET_MSGPACK_EXT_TIMESTAMP : 0);
                zero = false;
                CHECK(!typed_read(&r, right, &zero) && zero, "sample %zu: read as %s after an error", s,
                      rkind_name[right]);
                expect_failed(&r, DUET_ERR_TYPE, 1);
            }
        }
        free(in);
    }
}

static void test_read_str_bin_ext_pointers(void **state)
{
    UNUSED(state);
    duet_msgpack_reader r;
    const char *s = NULL;
    const uint8_t *d = NULL;
    uint32_t len = 0;
    int8_t ty = 0;

    uint8_t *in = dup_exact(B(0xa3, 'a', 'b', 'c', 0xd9, 0x02, 'x', 'y', 0xc4, 0x01, 0x7e, 0xc5, 0x00, 0x02, 1, 2,
                              0xd5, 0x09, 'p', 'q', 0xc7, 0x01, 0xf0, 'z', 0xa0));
    duet_msgpack_reader_init(&r, in, 25);
    assert_true(duet_msgpack_read_str(&r, &s, &len));
    assert_ptr_equal(s, in + 1);
    assert_int_equal(len, 3);
    assert_true(duet_msgpack_read_str(&r, &s, &len));
    assert_ptr_equal(s, in + 6);
    assert_int_equal(len, 2);
    assert_true(duet_msgpack_read_bin(&r, &d, &len));
    assert_ptr_equal(d, in + 10);
    assert_int_equal(len, 1);
    assert_true(duet_msgpack_read_bin(&r, &d, &len));
    assert_ptr_equal(d, in + 14);
    assert_int_equal(len, 2);
    assert_true(duet_msgpack_read_ext(&r, &ty, &d, &len));
    assert_int_equal(ty, 9);
    assert_ptr_equal(d, in + 18);
    assert_int_equal(len, 2);
    assert_true(duet_msgpack_read_ext(&r, &ty, &d, &len));
    assert_int_equal(ty, -16);
    assert_ptr_equal(d, in + 23);
    assert_int_equal(len, 1);
    assert_true(duet_msgpack_read_str(&r, &s, &len));
    assert_int_equal(len, 0);
    expect_at(&r, 25);
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    free(in);
}

static void test_read_cstr(void **state)
{
    UNUSED(state);
    duet_msgpack_reader r;
    char buf[16];

    uint8_t *in = dup_exact(B(0xa5, 'h', 'e', 'l', 'l', 'o'));
    duet_msgpack_reader_init(&r, in, 6);
    memset(buf, 'x', sizeof buf);
    assert_true(duet_msgpack_read_cstr(&r, buf, 6));
    assert_string_equal(buf, "hello");
    assert_int_equal(buf[6], 'x');
    expect_at(&r, 6);

    /* one byte short: NOSPACE, the reader stays on the str, nothing past cap touched */
    for (size_t cap = 0; cap < 6; cap++) {
        duet_msgpack_reader_init(&r, in, 6);
        memset(buf, 'x', sizeof buf);
        CHECK(!duet_msgpack_read_cstr(&r, buf, cap), "\"hello\" into %zu bytes succeeded", cap);
        expect_failed(&r, DUET_ERR_NOSPACE, 0);
        for (size_t j = cap; j < sizeof buf; j++)
            CHECK(buf[j] == 'x', "cap %zu: byte %zu written", cap, j);
        if (cap)
            CHECK(buf[0] == '\0', "cap %zu: failed read_cstr left a non-empty string", cap);
    }
    free(in);

    /* an empty str needs one byte */
    in = dup_exact(B(0xa0));
    duet_msgpack_reader_init(&r, in, 1);
    buf[0] = 'x';
    assert_true(duet_msgpack_read_cstr(&r, buf, 1));
    assert_int_equal(buf[0], '\0');
    duet_msgpack_reader_init(&r, in, 1);
    assert_false(duet_msgpack_read_cstr(&r, buf, 0));
    expect_failed(&r, DUET_ERR_NOSPACE, 0);
    free(in);

    /* a bin is not a str */
    in = dup_exact(B(0xc4, 0x01, 'a'));
    duet_msgpack_reader_init(&r, in, 3);
    assert_false(duet_msgpack_read_cstr(&r, buf, sizeof buf));
    expect_failed(&r, DUET_ERR_TYPE, 0);
    assert_int_equal(duet_msgpack_reader_found(&r), DUET_MSGPACK_BIN);
    free(in);
}

static void test_read_float_conversions(void **state)
{
    UNUSED(state);
    float f = 1.0f;
    double d = 1.0;
    duet_msgpack_reader r;

    /* read_float rounds a float64 to the nearest float */
    duet_msgpack_reader_init(&r, B(0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a)); /* 0.1 */
    assert_true(duet_msgpack_read_float(&r, &f));
    assert_true(same_float(f, 0.1f));
    duet_msgpack_reader_init(&r, B(0xcb, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00)); /* 1.5 */
    assert_true(duet_msgpack_read_float(&r, &f));
    assert_true(same_float(f, 1.5f));
    duet_msgpack_reader_init(&r, B(0xcb, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00)); /* -0.0 */
    assert_true(duet_msgpack_read_float(&r, &f));
    assert_true(f == 0.0f && signbit(f));
    /* read_double widens a float32 exactly */
    duet_msgpack_reader_init(&r, B(0xca, 0x3d, 0xcc, 0xcc, 0xcd)); /* 0.1f */
    assert_true(duet_msgpack_read_double(&r, &d));
    assert_true(same_double(d, (double)0.1f));
    assert_true(d != 0.1);
    duet_msgpack_reader_init(&r, B(0xca, 0x3f, 0xc0, 0x00, 0x00));
    assert_true(duet_msgpack_read_double(&r, &d));
    assert_true(same_double(d, 1.5));
    duet_msgpack_reader_init(&r, B(0xca, 0xff, 0x80, 0x00, 0x00));
    assert_true(duet_msgpack_read_double(&r, &d));
    assert_true(isinf(d) && d < 0);
    /* NaN stays NaN */
    duet_msgpack_reader_init(&r, B(0xca, 0x7f, 0xc0, 0x00, 0x00));
    assert_true(duet_msgpack_read_double(&r, &d));
    assert_true(isnan(d));
    duet_msgpack_reader_init(&r, B(0xcb, 0x7f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
    assert_true(duet_msgpack_read_float(&r, &f));
    assert_true(isnan(f));

    /* an integer is not a float */
    duet_msgpack_reader_init(&r, B(0x01));
    assert_false(duet_msgpack_read_double(&r, &d));
    assert_true(d == 0.0);
    expect_failed(&r, DUET_ERR_TYPE, 0);
    assert_int_equal(duet_msgpack_reader_found(&r), DUET_MSGPACK_UINT);
    /* nor is a float an integer */
    int32_t i = 9;
    duet_msgpack_reader_init(&r, B(0xca, 0x3f, 0x80, 0x00, 0x00));
    assert_false(duet_msgpack_read_i32(&r, &i));
    assert_int_equal(i, 0);
    expect_failed(&r, DUET_ERR_TYPE, 0);
    assert_int_equal(duet_msgpack_reader_found(&r), DUET_MSGPACK_FLOAT32);
}

static void expect_timestamp(const uint8_t *b, size_t n, int err, int64_t sec, uint32_t nsec)
{
    uint8_t *in = dup_exact(b, n);
    duet_msgpack_reader r;
    int64_t s = 77;
    uint32_t ns = 77;
    duet_msgpack_reader_init(&r, in, n);
    bool ok = duet_msgpack_read_timestamp(&r, &s, &ns);
    if (err == DUET_OK) {
        CHECK(ok && s == sec && ns == nsec, "timestamp %02x.. (%zu bytes): ok %d, %lld.%09lu, expected %lld.%09lu", b[0],
              n, ok, (long long)s, (unsigned long)ns, (long long)sec, (unsigned long)nsec);
        expect_at(&r, n);
    } else {
        CHECK(!ok && s == 0 && ns == 0, "timestamp %02x.. (%zu bytes): ok %d, %lld.%lu, expected failure and zeros", b[0],
              n, ok, (long long)s, (unsigned long)ns);
        expect_failed(&r, err, 0);
    }
    free(in);
}

static void test_read_timestamp(void **state)
{
    UNUSED(state);
    expect_timestamp(B(0xd6, 0xff, 0x00, 0x00, 0x00, 0x00), DUET_OK, 0, 0);
    expect_timestamp(B(0xd6, 0xff, 0x65, 0x53, 0xf1, 0x00), DUET_OK, 1700000000, 0);
    expect_timestamp(B(0xd6, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_OK, 0xffffffffll, 0); /* unsigned: not -1 */
    expect_timestamp(B(0xd7, 0xff, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01), DUET_OK, 1, 1);
    expect_timestamp(B(0xd7, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05), DUET_OK, 5, 0);
    expect_timestamp(B(0xd7, 0xff, 0xee, 0x6b, 0x27, 0xff, 0xff, 0xff, 0xff, 0xff), DUET_OK, 0x3ffffffffll,
                     999999999);
    expect_timestamp(B(0xd7, 0xff, 0x77, 0x35, 0x94, 0x01, 0x00, 0x00, 0x00, 0x00), DUET_OK, 0x100000000ll,
                     500000000);
    expect_timestamp(B(0xc7, 0x0c, 0xff, 0x3b, 0x9a, 0xc9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
                     DUET_OK, -1, 999999999);
    expect_timestamp(B(0xc7, 0x0c, 0xff, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
                     DUET_OK, INT64_MIN, 0);
    expect_timestamp(B(0xc7, 0x0c, 0xff, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00),
                     DUET_OK, 0x400000000ll, 7);
    /* a timestamp 96 may also hold a small positive time */
    expect_timestamp(B(0xc7, 0x0c, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01),
                     DUET_OK, 1, 0);

    /* nanoseconds >= 1e9 */
    expect_timestamp(B(0xd7, 0xff, 0xee, 0x6b, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00), DUET_ERR_INVALID, 0, 0);
    expect_timestamp(B(0xd7, 0xff, 0xff, 0xff, 0xff, 0xfc, 0x00, 0x00, 0x00, 0x01), DUET_ERR_INVALID, 0, 0);
    expect_timestamp(B(0xc7, 0x0c, 0xff, 0x3b, 0x9a, 0xca, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00),
                     DUET_ERR_INVALID, 0, 0);
    expect_timestamp(B(0xc7, 0x0c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
                     DUET_ERR_INVALID, 0, 0);

    /* not a timestamp: another ext type, or another type */
    expect_timestamp(B(0xd6, 0x05, 0x00, 0x00, 0x00, 0x00), DUET_ERR_TYPE, 0, 0);
    expect_timestamp(B(0xc0), DUET_ERR_TYPE, 0, 0);
    expect_timestamp(B(0xce, 0x00, 0x00, 0x00, 0x01), DUET_ERR_TYPE, 0, 0);

    /* ext -1 with a length that is none of 4, 8, 12 is no timestamp either */
    static const struct {
        uint8_t b[20];
        size_t n;
    } odd[] = {
        {{0xd4, 0xff, 0x00}, 3},
        {{0xd5, 0xff, 0x00, 0x00}, 4},
        {{0xd8, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 18},
        {{0xc7, 0x00, 0xff}, 3},
        {{0xc7, 0x05, 0xff, 0, 0, 0, 0, 0}, 8},
    };
    for (size_t c = 0; c < sizeof odd / sizeof odd[0]; c++) {
        uint8_t *in = dup_exact(odd[c].b, odd[c].n);
        duet_msgpack_reader r;
        int64_t s = 77;
        uint32_t ns = 77;
        duet_msgpack_reader_init(&r, in, odd[c].n);
        bool ok = duet_msgpack_read_timestamp(&r, &s, &ns);
        int e = duet_msgpack_reader_error(&r);
        CHECK(!ok && s == 0 && ns == 0, "ext -1 of %zu bytes read as a timestamp", odd[c].n);
        CHECK(e == DUET_ERR_INVALID || e == DUET_ERR_TYPE, "ext -1 of bad length: error %d", e);
        CHECK(duet_msgpack_reader_offset(&r) == 0, "offset %zu", duet_msgpack_reader_offset(&r));
        free(in);
    }
}

/* ------------------------------------------------------ every first byte */

static duet_msgpack_type spec_type(uint8_t b)
{
    if (b <= 0x7f) return DUET_MSGPACK_UINT;
    if (b <= 0x8f) return DUET_MSGPACK_MAP;
    if (b <= 0x9f) return DUET_MSGPACK_ARRAY;
    if (b <= 0xbf) return DUET_MSGPACK_STR;
    if (b >= 0xe0) return DUET_MSGPACK_INT;
    switch (b) {
    case 0xc0: return DUET_MSGPACK_NIL;
    case 0xc2: case 0xc3: return DUET_MSGPACK_BOOL;
    case 0xc4: case 0xc5: case 0xc6: return DUET_MSGPACK_BIN;
    case 0xc7: case 0xc8: case 0xc9: return DUET_MSGPACK_EXT;
    case 0xca: return DUET_MSGPACK_FLOAT32;
    case 0xcb: return DUET_MSGPACK_FLOAT64;
    case 0xcc: case 0xcd: case 0xce: case 0xcf: return DUET_MSGPACK_UINT;
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: return DUET_MSGPACK_INT;
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: return DUET_MSGPACK_EXT;
    case 0xd9: case 0xda: case 0xdb: return DUET_MSGPACK_STR;
    case 0xdc: case 0xdd: return DUET_MSGPACK_ARRAY;
    case 0xde: case 0xdf: return DUET_MSGPACK_MAP;
    default: return DUET_MSGPACK_NONE; /* 0xc1 */
    }
}

/* Bytes read_token consumes for tag b when every byte after it is 0 (lengths 0). */
static size_t spec_token_size(uint8_t b)
{
    if (b <= 0x9f || b >= 0xe0) return 1;
    if (b <= 0xbf) return 1 + (b & 0x1f);
    switch (b) {
    case 0xc0: case 0xc2: case 0xc3: return 1;
    case 0xc4: return 2;
    case 0xc5: return 3;
    case 0xc6: return 5;
    case 0xc7: return 3;
    case 0xc8: return 4;
    case 0xc9: return 6;
    case 0xca: return 5;
    case 0xcb: return 9;
    case 0xcc: case 0xd0: return 2;
    case 0xcd: case 0xd1: return 3;
    case 0xce: case 0xd2: return 5;
    case 0xcf: case 0xd3: return 9;
    case 0xd4: return 3;
    case 0xd5: return 4;
    case 0xd6: return 6;
    case 0xd7: return 10;
    case 0xd8: return 18;
    case 0xd9: return 2;
    case 0xda: return 3;
    case 0xdb: return 5;
    case 0xdc: case 0xde: return 3;
    case 0xdd: case 0xdf: return 5;
    default: return 0;
    }
}

/* Bytes skip consumes: a fixarray/fixmap of n also holds n or 2n one-byte zeros. */
static size_t spec_skip_size(uint8_t b)
{
    if (b >= 0x80 && b <= 0x8f) return 1 + 2 * (size_t)(b & 0x0f);
    if (b >= 0x90 && b <= 0x9f) return 1 + (size_t)(b & 0x0f);
    return spec_token_size(b);
}

static void test_read_every_first_byte(void **state)
{
    UNUSED(state);
    uint8_t tmp[40];
    for (unsigned b = 0; b < 256; b++) {
        memset(tmp, 0, sizeof tmp);
        tmp[0] = (uint8_t)b;
        uint8_t *in = dup_exact(tmp, sizeof tmp);
        duet_msgpack_reader r;
        duet_msgpack_token t;
        duet_msgpack_reader_init(&r, in, sizeof tmp);
        if (b == 0xc1) {
            CHECK(!duet_msgpack_read_token(&r, &t), "0xc1 read as a token");
            expect_failed(&r, DUET_ERR_INVALID, 0);
            duet_msgpack_reader_init(&r, in, sizeof tmp);
            CHECK(!duet_msgpack_skip(&r), "0xc1 skipped");
            expect_failed(&r, DUET_ERR_INVALID, 0);
            free(in);
            continue;
        }
        duet_msgpack_type ty = spec_type((uint8_t)b);
        CHECK(duet_msgpack_peek_type(&r) == ty, "peek of 0x%02x: %d, expected %d", b, (int)duet_msgpack_peek_type(&r),
              (int)ty);
        CHECK(duet_msgpack_reader_offset(&r) == 0, "peek consumed");
        CHECK(duet_msgpack_read_token(&r, &t), "token 0x%02x failed with %d", b, duet_msgpack_reader_error(&r));
        CHECK(t.type == ty, "token 0x%02x: type %d, expected %d", b, (int)t.type, (int)ty);
        CHECK(duet_msgpack_reader_offset(&r) == spec_token_size((uint8_t)b), "token 0x%02x consumed %zu, expected %zu",
              b, duet_msgpack_reader_offset(&r), spec_token_size((uint8_t)b));
        /* the values of the fix forms come from the tag itself */
        if (b <= 0x7f)
            CHECK(t.v.u == b, "positive fixint 0x%02x: %llu", b, (unsigned long long)t.v.u);
        else if (b >= 0xe0)
            CHECK(t.v.i == (int)b - 256, "negative fixint 0x%02x: %lld", b, (long long)t.v.i);
        else if (b <= 0x8f)
            CHECK(t.v.count == (b & 0x0f), "fixmap 0x%02x: %lu", b, (unsigned long)t.v.count);
        else if (b <= 0x9f)
            CHECK(t.v.count == (b & 0x0f), "fixarray 0x%02x: %lu", b, (unsigned long)t.v.count);
        else if (b <= 0xbf)
            CHECK(t.v.bytes.len == (b & 0x1f), "fixstr 0x%02x: %lu", b, (unsigned long)t.v.bytes.len);
        else if (b == 0xc2 || b == 0xc3)
            CHECK(t.v.b == (b == 0xc3), "bool 0x%02x", b);
        duet_msgpack_reader_init(&r, in, sizeof tmp);
        CHECK(duet_msgpack_skip(&r), "skip 0x%02x failed with %d", b, duet_msgpack_reader_error(&r));
        CHECK(duet_msgpack_reader_offset(&r) == spec_skip_size((uint8_t)b), "skip 0x%02x consumed %zu, expected %zu", b,
              duet_msgpack_reader_offset(&r), spec_skip_size((uint8_t)b));
        free(in);
    }
}

static void test_peek_type(void **state)
{
    UNUSED(state);
    duet_msgpack_reader r;
    uint8_t *in = dup_exact(B(0xc0, 0xc3, 0x05, 0xff, 0xca, 0, 0, 0, 0, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0, 0xa1, 'a',
                              0xc4, 0x00, 0x90, 0x80, 0xd4, 0x01, 0x00));
    static const duet_msgpack_type order[] = {DUET_MSGPACK_NIL, DUET_MSGPACK_BOOL, DUET_MSGPACK_UINT,
                                              DUET_MSGPACK_INT, DUET_MSGPACK_FLOAT32, DUET_MSGPACK_FLOAT64,
                                              DUET_MSGPACK_STR, DUET_MSGPACK_BIN, DUET_MSGPACK_ARRAY,
                                              DUET_MSGPACK_MAP, DUET_MSGPACK_EXT};
    duet_msgpack_reader_init(&r, in, 27);
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        size_t off = duet_msgpack_reader_offset(&r);
        CHECK(duet_msgpack_peek_type(&r) == order[k], "value %zu: peek %d, expected %d", k,
              (int)duet_msgpack_peek_type(&r), (int)order[k]);
        CHECK(duet_msgpack_peek_type(&r) == order[k], "second peek differs");
        CHECK(duet_msgpack_reader_offset(&r) == off, "peek moved the reader");
        assert_true(duet_msgpack_skip(&r));
    }
    assert_int_equal(duet_msgpack_reader_offset(&r), 27);
    assert_int_equal(duet_msgpack_peek_type(&r), DUET_MSGPACK_NONE);
    free(in);

    /* an empty input, and a reader in error */
    uint8_t one = 0xc0;
    duet_msgpack_reader_init(&r, &one, 0);
    assert_int_equal(duet_msgpack_peek_type(&r), DUET_MSGPACK_NONE);
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    duet_msgpack_reader_init(&r, &one, 1);
    assert_int_equal(duet_msgpack_peek_type(&r), DUET_MSGPACK_NIL);
    duet_msgpack_reader_fail(&r, DUET_ERR_RANGE);
    assert_int_equal(duet_msgpack_peek_type(&r), DUET_MSGPACK_NONE);
}

/* --------------------------------------------------------------- truncation */

/*
 * For a value v (n bytes) after a nil: cut it at every point and check that read_token,
 * the typed read of its type and skip fail with TRUNCATED at offset 1 (the value's start),
 * and that the whole value reads fine.
 */
static void check_truncation(const uint8_t *v, size_t n)
{
    uint8_t *full = join(B(0xc0), v, n);
    duet_msgpack_reader r;
    duet_msgpack_token t;

    /* the whole value: its type and header size */
    duet_msgpack_reader_init(&r, full, 1 + n);
    assert_true(duet_msgpack_read_nil(&r));
    CHECK(duet_msgpack_read_token(&r, &t), "value %02x: the whole value failed with %d", v[0],
          duet_msgpack_reader_error(&r));
    size_t hdr = duet_msgpack_reader_offset(&r) - 1;
    duet_msgpack_type ty = t.type;
    int rk = rkind_for(ty, ty == DUET_MSGPACK_EXT ? t.v.bytes.ext_type : 0);
    bool container = ty == DUET_MSGPACK_ARRAY || ty == DUET_MSGPACK_MAP;
    CHECK(container ? hdr <= n : hdr == n, "value %02x: token took %zu of %zu bytes", v[0], hdr, n);
    bool zero = false;
    duet_msgpack_reader_init(&r, full, 1 + n);
    assert_true(duet_msgpack_read_nil(&r));
    CHECK(typed_read(&r, rk, &zero), "value %02x: whole value read as %s failed with %d", v[0], rkind_name[rk],
          duet_msgpack_reader_error(&r));
    duet_msgpack_reader_init(&r, full, 1 + n);
    assert_true(duet_msgpack_read_nil(&r));
    CHECK(duet_msgpack_skip(&r), "value %02x: skip of the whole value failed with %d", v[0],
          duet_msgpack_reader_error(&r));
    expect_at(&r, 1 + n);

    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *in = dup_exact(full, 1 + cut);

        duet_msgpack_reader_init(&r, in, 1 + cut);
        assert_true(duet_msgpack_read_nil(&r));
        memset(&t, 0x5a, sizeof t);
        bool ok = duet_msgpack_read_token(&r, &t);
        if (cut < hdr) {
            CHECK(!ok, "value %02x cut at %zu of %zu: read_token succeeded", v[0], cut, n);
            CHECK(t.type == DUET_MSGPACK_NONE, "value %02x cut at %zu: token not zeroed (type %d)", v[0], cut,
                  (int)t.type);
            expect_failed(&r, DUET_ERR_TRUNCATED, 1);
        } else {
            CHECK(ok, "value %02x cut at %zu: header read failed", v[0], cut);
        }

        duet_msgpack_reader_init(&r, in, 1 + cut);
        assert_true(duet_msgpack_read_nil(&r));
        zero = false;
        ok = typed_read(&r, rk, &zero);
        if (cut < hdr) {
            CHECK(!ok, "value %02x cut at %zu: read as %s succeeded", v[0], cut, rkind_name[rk]);
            CHECK(zero, "value %02x cut at %zu: read as %s left outputs set", v[0], cut, rkind_name[rk]);
            expect_failed(&r, DUET_ERR_TRUNCATED, 1);
        }

        duet_msgpack_reader_init(&r, in, 1 + cut);
        assert_true(duet_msgpack_read_nil(&r));
        CHECK(!duet_msgpack_skip(&r), "value %02x cut at %zu of %zu: skip succeeded", v[0], cut, n);
        CHECK(duet_msgpack_reader_error(&r) == DUET_ERR_TRUNCATED, "value %02x cut at %zu: skip error %d", v[0], cut,
              duet_msgpack_reader_error(&r));
        if (container) {
            size_t off = duet_msgpack_reader_offset(&r);
            CHECK(off >= 1 && off <= 1 + cut, "skip error offset %zu outside the input", off);
        } else {
            expect_failed(&r, DUET_ERR_TRUNCATED, 1);
        }
        CHECK(duet_msgpack_reader_remaining(&r) == 0, "remaining after skip error");
        free(in);
    }
    free(full);
}

static void test_read_truncated(void **state)
{
    UNUSED(state);
    check_truncation(B(0xcc, 0xff));
    check_truncation(B(0xcd, 0x01, 0x00));
    check_truncation(B(0xce, 0x01, 0x02, 0x03, 0x04));
    check_truncation(B(0xcf, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08));
    check_truncation(B(0xd0, 0x80));
    check_truncation(B(0xd1, 0xff, 0x7f));
    check_truncation(B(0xd2, 0x80, 0x00, 0x00, 0x00));
    check_truncation(B(0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01));
    check_truncation(B(0xca, 0x3f, 0xc0, 0x00, 0x00));
    check_truncation(B(0xcb, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
    check_truncation(B(0xa3, 'a', 'b', 'c'));
    check_truncation(B(0xd9, 0x03, 'a', 'b', 'c'));
    check_truncation(B(0xda, 0x00, 0x02, 'h', 'i'));
    check_truncation(B(0xdb, 0x00, 0x00, 0x00, 0x01, 'x'));
    check_truncation(B(0xc4, 0x02, 0x01, 0x02));
    check_truncation(B(0xc5, 0x00, 0x01, 0x07));
    check_truncation(B(0xc6, 0x00, 0x00, 0x00, 0x01, 0x07));
    check_truncation(B(0xd4, 0x05, 0x01));
    check_truncation(B(0xd5, 0x05, 0x01, 0x02));
    check_truncation(B(0xd6, 0x05, 0x01, 0x02, 0x03, 0x04));
    check_truncation(B(0xd7, 0x05, 1, 2, 3, 4, 5, 6, 7, 8));
    check_truncation(B(0xd8, 0x05, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16));
    check_truncation(B(0xc7, 0x03, 0x05, 'a', 'b', 'c'));
    check_truncation(B(0xc8, 0x00, 0x01, 0x05, 0x07));
    check_truncation(B(0xc9, 0x00, 0x00, 0x00, 0x01, 0x05, 0x07));
    check_truncation(B(0xd6, 0xff, 0x00, 0x00, 0x00, 0x01));
    check_truncation(B(0xd7, 0xff, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01));
    check_truncation(B(0xc7, 0x0c, 0xff, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    /* containers: the header is truncated for the token, the elements for skip */
    check_truncation(B(0xdc, 0x00, 0x01, 0xc0));
    check_truncation(B(0xdd, 0x00, 0x00, 0x00, 0x01, 0xc0));
    check_truncation(B(0xde, 0x00, 0x01, 0xc0, 0xc0));
    check_truncation(B(0xdf, 0x00, 0x00, 0x00, 0x01, 0xc0, 0xc0));
    check_truncation(B(0x92, 0xcd, 0x01, 0x00, 0xa1, 'a'));
    check_truncation(B(0x82, 0xa1, 'a', 0x92, 0x01, 0x02, 0xa1, 'b', 0xc0));
    check_truncation(B(0x93, 0x91, 0x91, 0xc0, 0xd4, 0x01, 0x02, 0xc4, 0x01, 0xff));
}

static void test_read_lengths_past_end(void **state)
{
    UNUSED(state);
    /* str/bin/ext lengths that claim more bytes than there are, up to 2^32-1 */
    static const struct {
        uint8_t b[12];
        size_t n;
        int rk;
    } cases[] = {
        {{0xa5, 'a', 'b'}, 3, R_STR},
        {{0xbf}, 1, R_STR},
        {{0xd9, 0xff, 'a', 'b', 'c'}, 5, R_STR},
        {{0xda, 0xff, 0xff, 'a'}, 4, R_STR},
        {{0xdb, 0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c'}, 8, R_STR},
        {{0xdb, 0x80, 0x00, 0x00, 0x00}, 5, R_CSTR},
        {{0xc4, 0x02, 0x01}, 3, R_BIN},
        {{0xc6, 0xff, 0xff, 0xff, 0xff, 0x01}, 6, R_BIN},
        {{0xc7, 0x05, 0x01, 'a'}, 4, R_EXT},
        {{0xc9, 0xff, 0xff, 0xff, 0xff, 0x01, 'a'}, 7, R_EXT},
        {{0xd8, 0x01, 'a', 'b', 'c'}, 5, R_EXT},
        {{0xc9, 0x00, 0x00, 0x00, 0x0c, 0xff, 0, 0, 0, 0}, 10, R_TS},
        {{0xd7, 0xff, 0, 0, 0, 0}, 6, R_TS},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint8_t *in = join(B(0x01), cases[c].b, cases[c].n);
        size_t n = 1 + cases[c].n;
        duet_msgpack_reader r;
        duet_msgpack_token t;
        bool zero = false;

        duet_msgpack_reader_init(&r, in, n);
        assert_true(duet_msgpack_skip(&r));
        CHECK(!typed_read(&r, cases[c].rk, &zero) && zero, "case %zu (%02x): read as %s", c, cases[c].b[0],
              rkind_name[cases[c].rk]);
        expect_failed(&r, DUET_ERR_TRUNCATED, 1);

        duet_msgpack_reader_init(&r, in, n);
        assert_true(duet_msgpack_skip(&r));
        CHECK(!duet_msgpack_read_token(&r, &t), "case %zu: read_token", c);
        expect_failed(&r, DUET_ERR_TRUNCATED, 1);

        duet_msgpack_reader_init(&r, in, n);
        assert_true(duet_msgpack_skip(&r));
        CHECK(!duet_msgpack_skip(&r), "case %zu: skip", c);
        expect_failed(&r, DUET_ERR_TRUNCATED, 1);
        free(in);
    }
}

static void test_read_invalid_byte(void **state)
{
    UNUSED(state);
    duet_msgpack_reader r;
    duet_msgpack_token t;
    uint8_t *in = dup_exact(B(0xc0, 0xc1, 0x01));
    uint32_t u = 5;

    duet_msgpack_reader_init(&r, in, 3);
    assert_true(duet_msgpack_read_nil(&r));
    assert_false(duet_msgpack_read_token(&r, &t));
    expect_failed(&r, DUET_ERR_INVALID, 1);

    duet_msgpack_reader_init(&r, in, 3);
    assert_true(duet_msgpack_read_nil(&r));
    assert_false(duet_msgpack_read_u32(&r, &u));
    assert_int_equal(u, 0);
    expect_failed(&r, DUET_ERR_INVALID, 1);

    duet_msgpack_reader_init(&r, in, 3);
    assert_true(duet_msgpack_read_nil(&r));
    assert_false(duet_msgpack_skip(&r));
    expect_failed(&r, DUET_ERR_INVALID, 1);
    free(in);

    /* inside a container, skip finds it */
    in = dup_exact(B(0x93, 0x01, 0x81, 0xa1, 'k', 0xc1, 0x02));
    duet_msgpack_reader_init(&r, in, 7);
    assert_false(duet_msgpack_skip(&r));
    assert_int_equal(duet_msgpack_reader_error(&r), DUET_ERR_INVALID);
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    free(in);
}

static void test_read_sticky(void **state)
{
    UNUSED(state);
    duet_msgpack_reader r;
    duet_msgpack_token t;
    uint8_t *in = dup_exact(B(0xc0, 0x05, 0xc0, 0xa1, 'a'));
    const char *s = "x";
    uint32_t len = 9, u = 9;
    bool b = true;
    double d = 9.0;

    duet_msgpack_reader_init(&r, in, 5);
    assert_true(duet_msgpack_read_nil(&r));
    assert_false(duet_msgpack_read_str(&r, &s, &len)); /* a uint, not a str */
    assert_null(s);
    assert_int_equal(len, 0);
    expect_failed(&r, DUET_ERR_TYPE, 1);
    assert_int_equal(duet_msgpack_reader_found(&r), DUET_MSGPACK_UINT);

    /* the right read fails now, and every later one, with outputs zeroed */
    assert_false(duet_msgpack_read_u32(&r, &u));
    assert_int_equal(u, 0);
    assert_false(duet_msgpack_read_nil(&r));
    assert_false(duet_msgpack_read_bool(&r, &b));
    assert_false(b);
    assert_false(duet_msgpack_read_double(&r, &d));
    assert_true(d == 0.0);
    s = "x";
    len = 9;
    assert_false(duet_msgpack_read_str(&r, &s, &len));
    assert_null(s);
    assert_int_equal(len, 0);
    memset(&t, 0x5a, sizeof t);
    assert_false(duet_msgpack_read_token(&r, &t));
    assert_int_equal(t.type, DUET_MSGPACK_NONE);
    assert_false(duet_msgpack_skip(&r));
    expect_failed(&r, DUET_ERR_TYPE, 1);
    assert_int_equal(duet_msgpack_reader_found(&r), DUET_MSGPACK_UINT);

    /* reader_fail keeps the first error */
    duet_msgpack_reader_fail(&r, DUET_ERR_RANGE);
    expect_failed(&r, DUET_ERR_TYPE, 1);

    /* reader_fail on a good reader stops it where it is */
    duet_msgpack_reader_init(&r, in, 5);
    assert_true(duet_msgpack_read_nil(&r));
    duet_msgpack_reader_fail(&r, DUET_ERR_DEPTH);
    duet_msgpack_reader_fail(&r, DUET_ERR_INVALID);
    u = 9;
    assert_false(duet_msgpack_read_u32(&r, &u));
    assert_int_equal(u, 0);
    expect_failed(&r, DUET_ERR_DEPTH, 1);
    free(in);

    /* a range error is sticky too, and does not consume */
    int32_t i;
    in = dup_exact(B(0xff, 0x01));
    duet_msgpack_reader_init(&r, in, 2);
    u = 9;
    assert_false(duet_msgpack_read_u32(&r, &u));
    assert_int_equal(u, 0);
    expect_failed(&r, DUET_ERR_RANGE, 0);
    i = 9;
    assert_false(duet_msgpack_read_i32(&r, &i)); /* would fit, but the reader is in error */
    assert_int_equal(i, 0);
    expect_failed(&r, DUET_ERR_RANGE, 0);
    free(in);
}

static void test_read_empty(void **state)
{
    UNUSED(state);
    duet_msgpack_reader r;
    duet_msgpack_token t;
    uint8_t *in = dup_exact(B(0xc0));
    uint64_t u = 9;

    duet_msgpack_reader_init(&r, in, 0);
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    assert_int_equal(duet_msgpack_reader_offset(&r), 0);
    assert_int_equal(duet_msgpack_reader_error(&r), DUET_OK);
    assert_false(duet_msgpack_read_nil(&r));
    expect_failed(&r, DUET_ERR_TRUNCATED, 0);

    duet_msgpack_reader_init(&r, in, 0);
    assert_false(duet_msgpack_read_u64(&r, &u));
    assert_int_equal(u, 0);
    expect_failed(&r, DUET_ERR_TRUNCATED, 0);

    duet_msgpack_reader_init(&r, in, 0);
    assert_false(duet_msgpack_read_token(&r, &t));
    expect_failed(&r, DUET_ERR_TRUNCATED, 0);

    duet_msgpack_reader_init(&r, in, 0);
    assert_false(duet_msgpack_skip(&r));
    expect_failed(&r, DUET_ERR_TRUNCATED, 0);

    /* reading past the last value */
    duet_msgpack_reader_init(&r, in, 1);
    assert_int_equal(duet_msgpack_reader_remaining(&r), 1);
    assert_true(duet_msgpack_read_nil(&r));
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    assert_false(duet_msgpack_read_nil(&r));
    expect_failed(&r, DUET_ERR_TRUNCATED, 1);
    free(in);
}

static void test_read_null_input(void **state)
{
    UNUSED(state);
    duet_msgpack_reader r;
    uint32_t u = 9;
    /* no input at all: nothing to read, and no crash */
    duet_msgpack_reader_init(&r, NULL, 0);
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    assert_int_equal(duet_msgpack_peek_type(&r), DUET_MSGPACK_NONE);
    assert_false(duet_msgpack_read_u32(&r, &u));
    assert_int_equal(u, 0);
    assert_int_equal(duet_msgpack_reader_error(&r), DUET_ERR_TRUNCATED);
    /* a NULL pointer with a size is never read from */
    duet_msgpack_reader_init(&r, NULL, 16);
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    assert_int_equal(duet_msgpack_peek_type(&r), DUET_MSGPACK_NONE);
    u = 9;
    assert_false(duet_msgpack_read_u32(&r, &u));
    assert_int_equal(u, 0);
    assert_false(duet_msgpack_skip(&r));
    assert_int_not_equal(duet_msgpack_reader_error(&r), DUET_OK);
}

/* --------------------------------------------------------------------- skip */

static void test_skip_nested(void **state)
{
    UNUSED(state);
    /* [1, [2, {"a": [3, nil], "b": {}}, "xyz"], bin(2), ext(3), {}, [[]], 1.5] then 42 */
    uint8_t buf[128];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_array(&w, 7);
    duet_msgpack_write_uint(&w, 1);
    duet_msgpack_write_array(&w, 3);
    duet_msgpack_write_uint(&w, 2);
    duet_msgpack_write_map(&w, 2);
    duet_msgpack_write_cstr(&w, "a");
    duet_msgpack_write_array(&w, 2);
    duet_msgpack_write_uint(&w, 3);
    duet_msgpack_write_nil(&w);
    duet_msgpack_write_cstr(&w, "b");
    duet_msgpack_write_map(&w, 0);
    duet_msgpack_write_cstr(&w, "xyz");
    duet_msgpack_write_bin(&w, "\x91\x91", 2); /* bytes that look like headers */
    duet_msgpack_write_ext(&w, 7, "\xdd\xff\xff", 3);
    duet_msgpack_write_map(&w, 0);
    duet_msgpack_write_array(&w, 1);
    duet_msgpack_write_array(&w, 0);
    duet_msgpack_write_double(&w, 1.5);
    size_t value_end = duet_msgpack_writer_size(&w);
    duet_msgpack_write_uint(&w, 42);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_OK);
    uint8_t *in = dup_exact(buf, duet_msgpack_writer_size(&w));

    duet_msgpack_reader r;
    uint32_t v = 0;
    duet_msgpack_reader_init(&r, in, duet_msgpack_writer_size(&w));
    assert_true(duet_msgpack_skip(&r));
    expect_at(&r, value_end);
    assert_true(duet_msgpack_read_u32(&r, &v));
    assert_int_equal(v, 42);
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);

    /* skipping one element at a time inside the outer array */
    uint32_t n = 0;
    duet_msgpack_reader_init(&r, in, duet_msgpack_writer_size(&w));
    assert_true(duet_msgpack_read_array(&r, &n));
    assert_int_equal(n, 7);
    for (uint32_t k = 0; k < n; k++)
        CHECK(duet_msgpack_skip(&r), "element %lu", (unsigned long)k);
    expect_at(&r, value_end);

    /* maps with containers as keys */
    free(in);
    in = dup_exact(B(0x82, 0x92, 0x01, 0x02, 0x81, 0xc0, 0xc0, 0x80, 0x90, 0x2a));
    duet_msgpack_reader_init(&r, in, 10);
    assert_true(duet_msgpack_skip(&r));
    expect_at(&r, 9);
    assert_true(duet_msgpack_read_u32(&r, &v));
    assert_int_equal(v, 42);
    free(in);

    /* a large flat array: 65536 nils */
    size_t big = 5 + 65536 + 1;
    uint8_t *arr = malloc(big);
    assert_non_null(arr);
    memcpy(arr, "\xdd\x00\x01\x00\x00", 5);
    memset(arr + 5, 0xc0, 65536);
    arr[big - 1] = 0x07;
    duet_msgpack_reader_init(&r, arr, big);
    assert_true(duet_msgpack_skip(&r));
    expect_at(&r, big - 1);
    assert_true(duet_msgpack_read_u32(&r, &v));
    assert_int_equal(v, 7);
    free(arr);
}

/* levels nested arrays ([[...[nil]...]]) or maps ({nil: {nil: ... nil}}), then 42. */
static uint8_t *nested(unsigned levels, bool map, size_t *n)
{
    size_t per = map ? 2 : 1;
    *n = levels * per + 2;
    uint8_t *p = malloc(*n);
    assert_non_null(p);
    for (unsigned k = 0; k < levels; k++) {
        if (map) {
            p[2 * k] = 0x81;
            p[2 * k + 1] = 0xc0;
        } else {
            p[k] = 0x91;
        }
    }
    p[*n - 2] = 0xc0;
    p[*n - 1] = 0x2a;
    return p;
}

/* skip over levels of nesting with max_depth set (or left alone if depth < 0) */
static void expect_skip_depth(unsigned levels, bool map, int depth, int err)
{
    size_t n;
    uint8_t *in = nested(levels, map, &n);
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, in, n);
    if (depth >= 0)
        duet_msgpack_reader_set_max_depth(&r, (unsigned)depth);
    bool ok = duet_msgpack_skip(&r);
    if (err == DUET_OK) {
        CHECK(ok, "%u levels of %s, max depth %d: skip failed with %d", levels, map ? "maps" : "arrays", depth,
              duet_msgpack_reader_error(&r));
        expect_at(&r, n - 1);
        uint32_t v = 0;
        assert_true(duet_msgpack_read_u32(&r, &v));
        assert_int_equal(v, 42);
    } else {
        CHECK(!ok, "%u levels of %s, max depth %d: skip succeeded", levels, map ? "maps" : "arrays", depth);
        CHECK(duet_msgpack_reader_error(&r) == err, "%u levels, max depth %d: error %d, expected %d", levels, depth,
              duet_msgpack_reader_error(&r), err);
        assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    }
    free(in);
}

static void test_skip_depth(void **state)
{
    UNUSED(state);
    for (int map = 0; map < 2; map++) {
        expect_skip_depth(1, map, -1, DUET_OK);
        expect_skip_depth(DUET_MSGPACK_MAX_DEPTH - 1, map, -1, DUET_OK);
        expect_skip_depth(DUET_MSGPACK_MAX_DEPTH, map, -1, DUET_OK);
        expect_skip_depth(DUET_MSGPACK_MAX_DEPTH + 1, map, -1, DUET_ERR_DEPTH);
        expect_skip_depth(DUET_MSGPACK_MAX_DEPTH + 2, map, -1, DUET_ERR_DEPTH);
        expect_skip_depth(1000, map, -1, DUET_ERR_DEPTH);
    }
    /* a scalar needs no depth at all */
    expect_skip_depth(0, false, -1, DUET_OK);
}

static void test_skip_depth_error_offset(void **state)
{
    UNUSED(state);
    /* "after an error, the offset of the value that failed": the skipped value (0) or the
     * container that went one level too deep (MAX_DEPTH), not a byte inside it */
    for (int map = 0; map < 2; map++) {
        uint8_t in[2 * (DUET_MSGPACK_MAX_DEPTH + 1) + 2];
        size_t n = 0;
        for (unsigned k = 0; k < DUET_MSGPACK_MAX_DEPTH + 1; k++) {
            in[n++] = map ? 0x81 : 0x91;
            if (map)
                in[n++] = 0xc0;
        }
        in[n++] = 0xc0;
        size_t deep = (size_t)DUET_MSGPACK_MAX_DEPTH * (map ? 2 : 1);
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, in, n);
        assert_false(duet_msgpack_skip(&r));
        assert_int_equal(duet_msgpack_reader_error(&r), DUET_ERR_DEPTH);
        size_t off = duet_msgpack_reader_offset(&r);
        CHECK(off == 0 || off == deep, "%s: DEPTH error at offset %zu, expected 0 or %zu", map ? "maps" : "arrays",
              off, deep);
        assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
    }
}

static void test_skip_set_max_depth(void **state)
{
    UNUSED(state);
    for (int map = 0; map < 2; map++) {
        expect_skip_depth(3, map, 3, DUET_OK);
        expect_skip_depth(4, map, 3, DUET_ERR_DEPTH);
        expect_skip_depth(1, map, 1, DUET_OK);
        expect_skip_depth(2, map, 1, DUET_ERR_DEPTH);
        expect_skip_depth(0, map, 1, DUET_OK);
        /* it can only be lowered: larger values mean DUET_MSGPACK_MAX_DEPTH */
        expect_skip_depth(DUET_MSGPACK_MAX_DEPTH, map, DUET_MSGPACK_MAX_DEPTH, DUET_OK);
        expect_skip_depth(DUET_MSGPACK_MAX_DEPTH + 1, map, DUET_MSGPACK_MAX_DEPTH, DUET_ERR_DEPTH);
        expect_skip_depth(DUET_MSGPACK_MAX_DEPTH + 1, map, DUET_MSGPACK_MAX_DEPTH + 1, DUET_ERR_DEPTH);
        expect_skip_depth(DUET_MSGPACK_MAX_DEPTH + 1, map, 1000, DUET_ERR_DEPTH);
        expect_skip_depth(DUET_MSGPACK_MAX_DEPTH, map, 1000, DUET_OK);
        /* 256 + 3 must not wrap to 3 */
        expect_skip_depth(DUET_MSGPACK_MAX_DEPTH, map, 256 + 3, DUET_OK);
    }
}

static void test_skip_depth_is_released(void **state)
{
    UNUSED(state);
    /* an array of 40 elements, each MAX_DEPTH - 1 deep: depth MAX_DEPTH, never more */
    const unsigned inner = DUET_MSGPACK_MAX_DEPTH - 1;
    const unsigned count = 40;
    size_t n = 3 + count * (inner + 1) + 1;
    uint8_t *in = malloc(n);
    assert_non_null(in);
    size_t p = 0;
    in[p++] = 0xdc;
    in[p++] = 0x00;
    in[p++] = (uint8_t)count;
    for (unsigned e = 0; e < count; e++) {
        for (unsigned k = 0; k < inner; k++)
            in[p++] = 0x91;
        in[p++] = 0xc0;
    }
    in[p++] = 0x2a;
    assert_int_equal(p, n);
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, in, n);
    CHECK(duet_msgpack_skip(&r), "wide array at depth %d failed with %d", DUET_MSGPACK_MAX_DEPTH,
          duet_msgpack_reader_error(&r));
    expect_at(&r, n - 1);

    /* the same with the limit one lower fails */
    duet_msgpack_reader_init(&r, in, n);
    duet_msgpack_reader_set_max_depth(&r, DUET_MSGPACK_MAX_DEPTH - 1);
    assert_false(duet_msgpack_skip(&r));
    assert_int_equal(duet_msgpack_reader_error(&r), DUET_ERR_DEPTH);
    free(in);

    /* many skips in a row over deep values do not add up */
    size_t m;
    uint8_t *one = nested(DUET_MSGPACK_MAX_DEPTH, false, &m);
    size_t total = (m - 1) * 10;
    uint8_t *many = malloc(total);
    assert_non_null(many);
    for (int k = 0; k < 10; k++)
        memcpy(many + (size_t)k * (m - 1), one, m - 1);
    duet_msgpack_reader_init(&r, many, total);
    for (int k = 0; k < 10; k++)
        CHECK(duet_msgpack_skip(&r), "skip %d of 10 failed with %d", k, duet_msgpack_reader_error(&r));
    expect_at(&r, total);
    free(many);
    free(one);
}

static void test_read_headers_not_depth_limited(void **state)
{
    UNUSED(state);
    /* the depth limit is skip's: reading headers one by one goes as deep as the data */
    size_t n;
    uint8_t *in = nested(DUET_MSGPACK_MAX_DEPTH + 8, false, &n);
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, in, n);
    for (unsigned k = 0; k < DUET_MSGPACK_MAX_DEPTH + 8; k++) {
        uint32_t c = 0;
        CHECK(duet_msgpack_read_array(&r, &c) && c == 1, "header %u", k);
    }
    assert_true(duet_msgpack_read_nil(&r));
    free(in);
}

static void test_skip_huge_counts(void **state)
{
    UNUSED(state);
    static const struct {
        uint8_t b[12];
        size_t n;
    } cases[] = {
        {{0xdd, 0xff, 0xff, 0xff, 0xff}, 5},
        {{0xdf, 0xff, 0xff, 0xff, 0xff}, 5},
        {{0xdf, 0x80, 0x00, 0x00, 0x00}, 5},             /* 2 * count overflows 32 bits */
        {{0xdf, 0x80, 0x00, 0x00, 0x00, 0xc0, 0xc0}, 7},
        {{0xdf, 0x80, 0x00, 0x00, 0x01, 0xc0, 0xc0}, 7}, /* 2 * count == 2 in 32 bits */
        {{0xdc, 0xff, 0xff}, 3},
        {{0xde, 0xff, 0xff}, 3},
        {{0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0, 0xc0}, 8},
        {{0x91, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x90}, 7},
        {{0xdd, 0xff, 0xff, 0xff, 0xff, 0x90, 0x80, 0x90}, 8},
        {{0xdb, 0xff, 0xff, 0xff, 0xff, 'a'}, 6},
        {{0xc9, 0xff, 0xff, 0xff, 0xff, 0x01}, 6},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint8_t *in = dup_exact(cases[c].b, cases[c].n);
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, in, cases[c].n);
        clock_t t0 = clock();
        bool ok = duet_msgpack_skip(&r);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        CHECK(!ok, "case %zu (%02x %02x %02x..): skip succeeded, offset %zu", c, cases[c].b[0], cases[c].b[1],
              cases[c].b[2], duet_msgpack_reader_offset(&r));
        CHECK(duet_msgpack_reader_error(&r) == DUET_ERR_TRUNCATED, "case %zu: error %d, expected TRUNCATED", c,
              duet_msgpack_reader_error(&r));
        CHECK(secs < 0.5, "case %zu: skip took %.2f s", c, secs);
        free(in);
    }
}

/* ------------------------------------------------------------ names and text */

static void test_strerror(void **state)
{
    UNUSED(state);
    static const int codes[] = {
        DUET_OK, DUET_ERR_NOSPACE, DUET_ERR_TRUNCATED, DUET_ERR_INVALID, DUET_ERR_TYPE, DUET_ERR_RANGE,
        DUET_ERR_DEPTH, DUET_ERR_ARG, DUET_ERR_TIMEOUT, DUET_ERR_LINK_DOWN, DUET_ERR_TOO_LARGE,
        DUET_ERR_NO_METHOD, DUET_ERR_ARG_COUNT, DUET_ERR_REMOTE, DUET_ERR_BAD_MESSAGE, DUET_ERR_FULL,
        DUET_ERR_EXISTS, DUET_ERR_AGAIN, DUET_ERR_CORRUPT, DUET_ERR_STATE, DUET_ERR_NOT_FOUND, DUET_ERR_BOOT,
        DUET_ERR_ARG_TYPE, DUET_ERR_NOT_SUPPORTED,
    };
    const size_t nc = sizeof codes / sizeof codes[0];
    /* the codes are 0, -1, ..., -23 with no gap (values are stable) */
    for (size_t k = 0; k < nc; k++)
        assert_int_equal(codes[k], -(int)k);
    for (size_t k = 0; k < nc; k++) {
        const char *s = duet_strerror(codes[k]);
        CHECK(s != NULL && s[0] != '\0', "code %d: empty text", codes[k]);
        CHECK(strcmp(s, "unknown error") != 0, "code %d is unknown to duet_strerror", codes[k]);
        for (size_t j = 0; j < k; j++)
            CHECK(strcmp(s, duet_strerror(codes[j])) != 0, "codes %d and %d share the text \"%s\"", codes[k],
                  codes[j], s);
    }
    static const int unknown[] = {1, 2, 100, -24, -25, -100, -1000, INT_MIN, INT_MAX, INT_MIN + 1};
    for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
        const char *s = duet_strerror(unknown[k]);
        CHECK(s != NULL && strcmp(s, "unknown error") == 0, "code %d: \"%s\"", unknown[k], s ? s : "(null)");
    }
}

static void test_type_name(void **state)
{
    UNUSED(state);
    static const duet_msgpack_type types[] = {
        DUET_MSGPACK_NONE, DUET_MSGPACK_NIL, DUET_MSGPACK_BOOL, DUET_MSGPACK_UINT, DUET_MSGPACK_INT,
        DUET_MSGPACK_FLOAT32, DUET_MSGPACK_FLOAT64, DUET_MSGPACK_STR, DUET_MSGPACK_BIN, DUET_MSGPACK_ARRAY,
        DUET_MSGPACK_MAP, DUET_MSGPACK_EXT,
    };
    const size_t nt = sizeof types / sizeof types[0];
    for (size_t k = 0; k < nt; k++) {
        const char *s = duet_msgpack_type_name(types[k]);
        CHECK(s != NULL && s[0] != '\0', "type %d: empty name", (int)types[k]);
        for (const char *c = s; *c; c++)
            CHECK((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == ' ', "type %d: name \"%s\"",
                  (int)types[k], s);
        /* distinct, except that both integer families may be called "int" */
        for (size_t j = 0; j < k; j++) {
            if (types[k] == DUET_MSGPACK_INT && types[j] == DUET_MSGPACK_UINT)
                continue;
            CHECK(strcmp(s, duet_msgpack_type_name(types[j])) != 0, "types %d and %d share the name \"%s\"",
                  (int)types[k], (int)types[j], s);
        }
    }
    assert_string_equal(duet_msgpack_type_name(DUET_MSGPACK_NIL), "nil");
    assert_string_equal(duet_msgpack_type_name(DUET_MSGPACK_BOOL), "bool");
    assert_string_equal(duet_msgpack_type_name(DUET_MSGPACK_INT), "int");
    assert_string_equal(duet_msgpack_type_name(DUET_MSGPACK_STR), "str");
    assert_string_equal(duet_msgpack_type_name(DUET_MSGPACK_BIN), "bin");
    assert_string_equal(duet_msgpack_type_name(DUET_MSGPACK_ARRAY), "array");
    assert_string_equal(duet_msgpack_type_name(DUET_MSGPACK_MAP), "map");
    assert_string_equal(duet_msgpack_type_name(DUET_MSGPACK_EXT), "ext");
    const char *u = duet_msgpack_type_name(DUET_MSGPACK_UINT);
    CHECK(strcmp(u, "int") == 0 || strcmp(u, "uint") == 0, "uint name \"%s\"", u);
    CHECK(strstr(duet_msgpack_type_name(DUET_MSGPACK_FLOAT32), "float") != NULL, "float32 name");
    CHECK(strstr(duet_msgpack_type_name(DUET_MSGPACK_FLOAT64), "float") != NULL, "float64 name");
    /* a value outside the enum still gets a name */
    const char *x = duet_msgpack_type_name((duet_msgpack_type)99);
    CHECK(x != NULL && x[0] != '\0', "type 99: no name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_nil_bool),
        cmocka_unit_test(test_write_uint),
        cmocka_unit_test(test_write_int),
        cmocka_unit_test(test_write_float),
        cmocka_unit_test(test_write_double),
        cmocka_unit_test(test_write_str),
        cmocka_unit_test(test_write_cstr),
        cmocka_unit_test(test_write_str_header_then_raw),
        cmocka_unit_test(test_write_bin),
        cmocka_unit_test(test_write_array_map),
        cmocka_unit_test(test_write_ext),
        cmocka_unit_test(test_write_timestamp),
        cmocka_unit_test(test_write_timestamp_bad_nsec),
#if SIZE_MAX > UINT32_MAX
        cmocka_unit_test(test_write_header_too_long),
#endif
        cmocka_unit_test(test_write_sticky),
        cmocka_unit_test(test_write_null_buffer),
        cmocka_unit_test(test_write_null_body),
        cmocka_unit_test(test_write_message),
        cmocka_unit_test(test_read_integer_getters),
        cmocka_unit_test(test_read_type_matrix),
        cmocka_unit_test(test_read_str_bin_ext_pointers),
        cmocka_unit_test(test_read_cstr),
        cmocka_unit_test(test_read_float_conversions),
        cmocka_unit_test(test_read_timestamp),
        cmocka_unit_test(test_read_every_first_byte),
        cmocka_unit_test(test_peek_type),
        cmocka_unit_test(test_read_truncated),
        cmocka_unit_test(test_read_lengths_past_end),
        cmocka_unit_test(test_read_invalid_byte),
        cmocka_unit_test(test_read_sticky),
        cmocka_unit_test(test_read_empty),
        cmocka_unit_test(test_read_null_input),
        cmocka_unit_test(test_skip_nested),
        cmocka_unit_test(test_skip_depth),
        cmocka_unit_test(test_skip_depth_error_offset),
        cmocka_unit_test(test_skip_set_max_depth),
        cmocka_unit_test(test_skip_depth_is_released),
        cmocka_unit_test(test_read_headers_not_depth_limited),
        cmocka_unit_test(test_skip_huge_counts),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_type_name),
    };
    return cmocka_run_group_tests_name("msgpack", tests, NULL, NULL);
}

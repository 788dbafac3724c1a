/* codec/reader.c - the MessagePack reader's typed reads, each over one token (token.c). */
#include "duet/msgpack.h"

#include "base/number.h"
#include "codec/internal.h"

static bool token_fail(duet_msgpack_reader *r, duet_msgpack_token *t, int err)
{
    duet_msgpack_reader_fail(r, err);
    memset(t, 0, sizeof *t);
    return false;
}

/* Reads a token that must have type want (or want2). On a mismatch the reader does not
 * move and keeps the type found; on any failure t is zeroed. */
static bool read_expect(duet_msgpack_reader *r, duet_msgpack_token *t, duet_msgpack_type want, duet_msgpack_type want2)
{
    const uint8_t *start = r->pos;
    if (!duet_msgpack_read_token(r, t))
        return false;
    if (t->type == want || t->type == want2)
        return true;
    r->pos = start;
    r->found = (uint8_t)t->type;
    return token_fail(r, t, DUET_ERR_TYPE);
}

bool duet_msgpack_read_nil(duet_msgpack_reader *r)
{
    duet_msgpack_token t;
    return read_expect(r, &t, DUET_MSGPACK_NIL, DUET_MSGPACK_NIL);
}

bool duet_msgpack_read_bool(duet_msgpack_reader *r, bool *out)
{
    duet_msgpack_token t;
    bool ok = read_expect(r, &t, DUET_MSGPACK_BOOL, DUET_MSGPACK_BOOL);
    *out = t.v.b;
    return ok;
}

/* Reads an integer of any encoding that must lie in the range of a type of 64 - (drop & ~1)
 * bits, signed if drop is odd (drop: 0 uint64, 1 int64, 32 uint32, 33 int32); its 64 bits
 * (two's complement) go to *bits, 0 on failure. Out of range is DUET_ERR_RANGE with the
 * reader at the value. */
static DUET_CODEC_NOINLINE bool read_ranged(duet_msgpack_reader *r, unsigned drop, uint64_t *bits)
{
    const uint8_t *start = r->pos;
    duet_msgpack_token t;
    uint64_t max = UINT64_MAX >> drop;
    bool ok = read_expect(r, &t, DUET_MSGPACK_UINT, DUET_MSGPACK_INT);
    /* a negative value fits down to -max - 1 in a signed type, nothing in an unsigned one */
    if (ok && !(t.type == DUET_MSGPACK_UINT || t.v.i >= 0 ? t.v.u <= max : (drop & 1) && t.v.u >= ~max)) {
        r->pos = start;
        ok = token_fail(r, &t, DUET_ERR_RANGE);
    }
    *bits = t.v.u;
    return ok;
}

/* read_ranged with the commonest integer, a positive fixint, read inline (no stack frame),
 * except in a build for size (DUET_MSGPACK_INLINE 0). */
static inline bool read_integer(duet_msgpack_reader *r, unsigned drop, uint64_t *bits)
{
    if (DUET_MSGPACK_INLINE && r->pos < r->end && *r->pos <= 0x7f) {
        *bits = *r->pos++;
        return true;
    }
    return read_ranged(r, drop, bits);
}

bool duet_msgpack_read_i64(duet_msgpack_reader *r, int64_t *out)
{
    uint64_t bits;
    bool ok = read_integer(r, 1, &bits);
    *out = (int64_t)bits;
    return ok;
}

bool duet_msgpack_read_u64(duet_msgpack_reader *r, uint64_t *out)
{
    return read_integer(r, 0, out);
}

bool duet_msgpack_read_i32(duet_msgpack_reader *r, int32_t *out)
{
    uint64_t bits;
    bool ok = read_integer(r, 33, &bits);
    *out = (int32_t)bits;
    return ok;
}

bool duet_msgpack_read_u32(duet_msgpack_reader *r, uint32_t *out)
{
    uint64_t bits;
    bool ok = read_integer(r, 32, &bits);
    *out = (uint32_t)bits;
    return ok;
}

bool duet_msgpack_read_double(duet_msgpack_reader *r, double *out)
{
    duet_msgpack_token t;
    bool ok = read_expect(r, &t, DUET_MSGPACK_FLOAT64, DUET_MSGPACK_FLOAT32);
    *out = t.type == DUET_MSGPACK_FLOAT32 ? duet_number_widen(t.v.f) : t.v.d; /* zeroed: 0.0 */
    return ok;
}

bool duet_msgpack_read_float(duet_msgpack_reader *r, float *out)
{
    duet_msgpack_token t;
    bool ok = read_expect(r, &t, DUET_MSGPACK_FLOAT32, DUET_MSGPACK_FLOAT64);
    *out = t.type == DUET_MSGPACK_FLOAT64 ? duet_number_narrow(t.v.d) : t.v.f; /* zeroed: 0.0f */
    return ok;
}

/* Reads a str, bin or ext (want) and points *data at its body (NULL and 0 on failure). */
static bool read_bytes(duet_msgpack_reader *r, duet_msgpack_type want, duet_msgpack_token *t, const uint8_t **data,
                       uint32_t *len)
{
    bool ok = read_expect(r, t, want, want);
    *data = t->v.bytes.ptr;
    *len = t->v.bytes.len;
    return ok;
}

static DUET_CODEC_COLD bool read_str_any(duet_msgpack_reader *r, const char **s, uint32_t *len)
{
    duet_msgpack_token t;
    const uint8_t *p;
    bool ok = read_bytes(r, DUET_MSGPACK_STR, &t, &p, len);
    *s = (const char *)p;
    return ok;
}

bool duet_msgpack_read_str(duet_msgpack_reader *r, const char **s, uint32_t *len)
{
    const uint8_t *p = r->pos;
    if (DUET_MSGPACK_INLINE && p < r->end && (*p & 0xe0) == 0xa0) { /* fixstr: the common case */
        uint32_t n = *p & 0x1f;
        if (n < (size_t)(r->end - p)) {
            *s = (const char *)p + 1;
            *len = n;
            r->pos = p + 1 + n;
            return true;
        }
    }
    return read_str_any(r, s, len);
}

bool duet_msgpack_read_cstr(duet_msgpack_reader *r, char *buf, size_t cap)
{
    const uint8_t *start = r->pos;
    const char *s;
    uint32_t len;
    if (cap)
        buf[0] = '\0';
    if (!duet_msgpack_read_str(r, &s, &len))
        return false;
    if ((size_t)len >= cap) {
        r->pos = start;
        duet_msgpack_reader_fail(r, DUET_ERR_NOSPACE);
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    return true;
}

bool duet_msgpack_read_bin(duet_msgpack_reader *r, const uint8_t **data, uint32_t *len)
{
    duet_msgpack_token t;
    return read_bytes(r, DUET_MSGPACK_BIN, &t, data, len);
}

bool duet_msgpack_read_ext(duet_msgpack_reader *r, int8_t *type, const uint8_t **data, uint32_t *len)
{
    duet_msgpack_token t;
    bool ok = read_bytes(r, DUET_MSGPACK_EXT, &t, data, len);
    *type = t.v.bytes.ext_type;
    return ok;
}

bool duet_msgpack_read_timestamp(duet_msgpack_reader *r, int64_t *sec, uint32_t *nsec)
{
    const uint8_t *start = r->pos;
    int8_t type;
    const uint8_t *p;
    uint32_t len;
    *sec = 0;
    *nsec = 0;
    if (!duet_msgpack_read_ext(r, &type, &p, &len))
        return false;
    if (type != DUET_MSGPACK_EXT_TIMESTAMP) {
        r->pos = start;
        r->found = DUET_MSGPACK_EXT;
        duet_msgpack_reader_fail(r, DUET_ERR_TYPE);
        return false;
    }
    /* The three forms: sec32; nsec30 and sec34 in 64 bits; nsec32 then sec64. */
    uint64_t v = len == 8 ? duet_msgpack_load_be(p, 8, false) : 0;
    uint32_t ns = len == 4 ? 0 : len == 8 ? (uint32_t)(v >> 34) : len == 12 ? (uint32_t)duet_msgpack_load_be(p, 4, false)
                                                                            : 1000000000u; /* no valid form */
    if (ns >= 1000000000u) {
        r->pos = start;
        duet_msgpack_reader_fail(r, DUET_ERR_INVALID);
        return false;
    }
    *sec = len == 4 ? (int64_t)duet_msgpack_load_be(p, 4, false)
           : len == 8 ? (int64_t)(v & ((UINT64_C(1) << 34) - 1)) : (int64_t)duet_msgpack_load_be(p + 4, 8, false);
    *nsec = ns;
    return true;
}

/* An array or map header (want) of any encoding: *n elements or pairs. */
static DUET_CODEC_COLD bool read_count(duet_msgpack_reader *r, duet_msgpack_type want, uint32_t *n)
{
    duet_msgpack_token t;
    bool ok = read_expect(r, &t, want, want);
    *n = t.v.count;
    return ok;
}

bool duet_msgpack_read_array(duet_msgpack_reader *r, uint32_t *n)
{
    if (DUET_MSGPACK_INLINE && r->pos < r->end && (*r->pos & 0xf0) == 0x90) { /* fixarray: the common case */
        *n = *r->pos++ & 0x0f;
        return true;
    }
    return read_count(r, DUET_MSGPACK_ARRAY, n);
}

bool duet_msgpack_read_map(duet_msgpack_reader *r, uint32_t *n)
{
    return read_count(r, DUET_MSGPACK_MAP, n);
}

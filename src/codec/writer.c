/* codec/writer.c - the MessagePack writer's out-of-line half: integers of more than one
 * byte, headers of sized values, long writes, floats and timestamps. Every value is a tag,
 * a big-endian number of 0..8 bytes and a body (put_head, write_head). */
#include "duet/msgpack.h"

#include "codec/internal.h"

void duet_msgpack_writer_fail(duet_msgpack_writer *w, int err)
{
    if (w->err == DUET_OK)
        w->err = err;
    w->cap = w->len;
}

void duet_msgpack_write_byte(duet_msgpack_writer *w, uint8_t tag)
{
    if (w->len < w->cap)
        w->buf[w->len++] = tag;
    else
        duet_msgpack_writer_fail(w, DUET_ERR_NOSPACE);
}

/* The smallest k (0..3) whose field of 1 << k bytes holds mag: a length, or a negative
 * value's bits inverted less its sign bit (signed: mag's top bit must stay clear). The 1,
 * 2, 4 and 8-byte forms of a type are its first tag + k. */
static unsigned field_index(uint64_t mag, bool is_signed)
{
    return mag > 0xffffffffu >> is_signed ? 3 : mag > 0xffffu >> is_signed ? 2 : mag > 0xffu >> is_signed ? 1 : 0;
}

/* Stores v big-endian in the n bytes at p (its low n bytes; n = 0..8). Whole words where
 * it can (4 and 8-byte numbers, a msgid or a float: one instruction on most targets). */
static inline void put_be(uint8_t *p, uint64_t v, size_t n)
{
    if (n >= 4) {
        duet_msgpack_store32(p + n - 4, (uint32_t)v);
        v >>= 32;
        n -= 4;
    }
    while (n > 0) {
        p[--n] = (uint8_t)v;
        v >>= 8;
    }
}

/* Claims 1 + n + len bytes, writes tag and v in n bytes there, and returns where the len
 * bytes after go (NULL with the writer failed if they do not fit). */
static inline uint8_t *put_head(duet_msgpack_writer *w, uint8_t tag, uint64_t v, size_t n, size_t len)
{
    uint8_t *p = duet_msgpack_writer_reserve(w, 1 + n + len);
    if (p) {
        p[0] = tag;
        put_be(p + 1, v, n);
        p += 1 + n;
    }
    return p;
}

/* Writes tag, v in n bytes and the len bytes at body (NULL: none), whole or not at all. */
static void write_head(duet_msgpack_writer *w, uint8_t tag, uint64_t v, size_t n, const void *body, size_t len)
{
    if (len > SIZE_MAX - 9) { /* 1 + n + len would overflow */
        duet_msgpack_writer_fail(w, DUET_ERR_NOSPACE);
        return;
    }
    uint8_t *p = put_head(w, tag, v, n, len);
    if (p && len)
        memcpy(p, body, len);
}

void duet_msgpack_write_tagged(duet_msgpack_writer *w, uint8_t tag, uint64_t v, size_t n)
{
    put_head(w, tag, v, n, 0);
}

/* An integer, v its 64 bits and neg its sign: a fixint, or tag 0xcc (unsigned) or 0xd0
 * (signed) + k with v in 1 << k bytes. */
static void write_integer(duet_msgpack_writer *w, uint64_t v, bool neg)
{
    uint64_t mag = neg ? ~v : v; /* of a negative value: its magnitude less one */
    if (mag < (neg ? 32u : 128u)) {
        duet_msgpack_write_tag(w, (uint8_t)v);
        return;
    }
    unsigned k = field_index(mag, neg);
    put_head(w, (uint8_t)((neg ? 0xd0 : 0xcc) + k), v, (size_t)1 << k, 0);
}

void duet_msgpack_write_uint_wide(duet_msgpack_writer *w, uint64_t v)
{
    write_integer(w, v, false);
}

void duet_msgpack_write_int_wide(duet_msgpack_writer *w, int64_t v)
{
    write_integer(w, (uint64_t)v, v < 0);
}

void duet_msgpack_write_count_wide(duet_msgpack_writer *w, uint8_t tag16, uint32_t n)
{
    put_head(w, (uint8_t)(tag16 + (n > 0xffff)), n, n > 0xffff ? 4 : 2, 0);
}

/*
 * A str, bin or ext of len bytes: the one-byte form `fixed` if not 0 (fixstr, fixext), else
 * tag base + k with len in 1 << k bytes (the 8, 16 and 32-bit forms of the type); an ext's
 * type byte (ext >= 0) follows. body NULL writes the header alone.
 */
static void write_sized(duet_msgpack_writer *w, uint8_t fixed, uint8_t base, int ext, size_t len, const void *body)
{
    unsigned k = field_index(len, false);
    if (k > 2) {
        duet_msgpack_writer_fail(w, DUET_ERR_RANGE);
        return;
    }
    size_t n = fixed ? 0 : (size_t)1 << k;
    uint64_t v = fixed ? 0 : len;
    if (ext >= 0) {
        v = v << 8 | (uint64_t)ext;
        n++;
    }
    write_head(w, fixed ? fixed : (uint8_t)(base + k), v, n, body, body ? len : 0);
}

/* The body of a value written whole: data, or "" for no bytes; NULL (the writer failed with
 * DUET_ERR_ARG, so that nothing is written) for bytes at NULL. */
static DUET_CODEC_NOINLINE const void *body_of(duet_msgpack_writer *w, const void *data, size_t len)
{
    if (!data && len)
        duet_msgpack_writer_fail(w, DUET_ERR_ARG);
    return data || len ? data : "";
}

static void write_str(duet_msgpack_writer *w, size_t len, const void *body)
{
    write_sized(w, len < 32 ? (uint8_t)(0xa0 | len) : 0, 0xd9, -1, len, body);
}

static void write_ext(duet_msgpack_writer *w, int8_t type, size_t len, const void *body)
{
    uint8_t fixext = 0; /* fixext 1, 2, 4, 8, 16 where len is one of those */
    for (unsigned k = 0; k <= 4; k++)
        if (len == (size_t)1 << k)
            fixext = (uint8_t)(0xd4 + k);
    write_sized(w, fixext, 0xc7, (uint8_t)type, len, body);
}

void duet_msgpack_write_str_header(duet_msgpack_writer *w, size_t len)
{
    write_str(w, len, NULL);
}

void duet_msgpack_write_str_long(duet_msgpack_writer *w, const char *s, size_t len)
{
    write_str(w, len, body_of(w, s, len));
}

void duet_msgpack_write_bin_header(duet_msgpack_writer *w, size_t len)
{
    write_sized(w, 0, 0xc4, -1, len, NULL);
}

void duet_msgpack_write_bin(duet_msgpack_writer *w, const void *data, size_t len)
{
    write_sized(w, 0, 0xc4, -1, len, body_of(w, data, len));
}

void duet_msgpack_write_ext_header(duet_msgpack_writer *w, int8_t type, size_t len)
{
    write_ext(w, type, len, NULL);
}

void duet_msgpack_write_ext(duet_msgpack_writer *w, int8_t type, const void *data, size_t len)
{
    write_ext(w, type, len, body_of(w, data, len));
}

void duet_msgpack_write_float(duet_msgpack_writer *w, float v)
{
    union { float f; uint32_t bits; } u = {v};
    put_head(w, 0xca, u.bits, 4, 0);
}

void duet_msgpack_write_double(duet_msgpack_writer *w, double v)
{
    union { double d; uint64_t bits; } u = {v};
    put_head(w, 0xcb, u.bits, 8, 0);
}

void duet_msgpack_write_timestamp(duet_msgpack_writer *w, int64_t sec, uint32_t nsec)
{
    if (nsec >= 1000000000u) {
        duet_msgpack_writer_fail(w, DUET_ERR_ARG);
        return;
    }
    /* The smallest of the three forms: sec32; nsec30 and sec34 in 64 bits; nsec32, sec64. */
    size_t len = sec >= 0 && sec <= 0xffffffffll && nsec == 0 ? 4 : sec >= 0 && sec < (1ll << 34) ? 8 : 12;
    uint8_t body[12];
    put_be(body, len == 8 ? (uint64_t)nsec << 34 | (uint64_t)sec : len == 4 ? (uint64_t)sec : nsec,
           len == 8 ? 8 : 4);
    if (len == 12)
        put_be(body + 4, (uint64_t)sec, 8);
    write_ext(w, DUET_MSGPACK_EXT_TIMESTAMP, len, body);
}

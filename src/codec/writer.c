/* codec/writer.c - the MessagePack writer's out-of-line half: integers of more than one
 * byte, headers of sized values, long writes, floats and timestamps. */
#include "duet/msgpack.h"

#include "codec/internal.h"

void duet_msgpack_writer_fail(duet_msgpack_writer *w, int err)
{
    if (w->err == DUET_OK)
        w->err = err;
    w->cap = w->len;
}

/* The smallest k (0..3) whose field of 1 << k bytes holds mag: a length, or a negative
 * value's bits inverted less its sign bit (signed: mag's top bit must stay clear). The 1,
 * 2, 4 and 8-byte forms of a type are its first tag + k. */
static unsigned field_index(uint64_t mag, bool is_signed)
{
    return (unsigned)(mag > 0xffu >> is_signed) + (unsigned)(mag > 0xffffu >> is_signed) +
           (unsigned)(mag > 0xffffffffu >> is_signed);
}

/* Stores v big-endian in the n bytes at p (its low n bytes). */
static void put_be(uint8_t *p, uint64_t v, size_t n)
{
    while (n > 0) {
        p[--n] = (uint8_t)v;
        v >>= 8;
    }
}

void duet_msgpack_write_uint_wide(duet_msgpack_writer *w, uint64_t v)
{
    /* Each size with its own call: the compiler stores each in one instruction where it can. */
    if (v < 0x80)
        duet_msgpack_write_tagged(w, (uint8_t)v, 0, 0);
    else if (v <= 0xff)
        duet_msgpack_write_tagged(w, 0xcc, v, 1);
    else if (v <= 0xffff)
        duet_msgpack_write_tagged(w, 0xcd, v, 2);
    else if (v <= 0xffffffffu)
        duet_msgpack_write_tagged(w, 0xce, v, 4);
    else
        duet_msgpack_write_tagged(w, 0xcf, v, 8);
}

void duet_msgpack_write_int_wide(duet_msgpack_writer *w, int64_t v)
{
    uint64_t inverted = ~(uint64_t)v; /* of a negative value: its magnitude less one */
    unsigned k = field_index(inverted, true);
    if (v >= 0)
        duet_msgpack_write_uint_wide(w, (uint64_t)v);
    else if (inverted < 32) /* a negative fixint, -32..-1 */
        duet_msgpack_write_tagged(w, (uint8_t)v, 0, 0);
    else
        duet_msgpack_write_tagged(w, (uint8_t)(0xd0 + k), (uint64_t)v, (size_t)1 << k);
}

/*
 * Builds the header of a str, bin or ext of len bytes into hdr and returns its size, or 0
 * when len does not fit in 32 bits: the one-byte form `fixed` if not 0 (fixstr, fixext),
 * else tag base + k with len in 1 << k bytes (the 8, 16 and 32-bit forms of the type).
 */
static size_t sized_header(uint8_t hdr[6], uint8_t fixed, uint8_t base, size_t len)
{
    if (fixed) {
        hdr[0] = fixed;
        return 1;
    }
#if SIZE_MAX > 0xffffffffu
    if (len > 0xffffffffu)
        return 0;
#endif
    unsigned k = field_index(len, false);
    hdr[0] = (uint8_t)(base + k);
    put_be(hdr + 1, len, (size_t)1 << k);
    return 1 + ((size_t)1 << k);
}

static size_t str_header(uint8_t hdr[6], size_t len)
{
    return sized_header(hdr, len < 32 ? (uint8_t)(0xa0 | len) : 0, 0xd9, len);
}

static size_t ext_header(uint8_t hdr[6], int8_t type, size_t len)
{
    uint8_t fixext = 0; /* fixext 1, 2, 4, 8, 16 where len is one of those */
    for (unsigned k = 0; k <= 4; k++)
        if (len == (size_t)1 << k)
            fixext = (uint8_t)(0xd4 + k);
    size_t n = sized_header(hdr, fixext, 0xc7, len);
    if (n)
        hdr[n++] = (uint8_t)type;
    return n;
}

/* Writes a header of hlen bytes (0: too long) and len bytes of body (NULL: header only). */
static void write_sized(duet_msgpack_writer *w, const uint8_t *hdr, size_t hlen, const void *body, size_t len)
{
    if (hlen == 0) {
        duet_msgpack_writer_fail(w, DUET_ERR_RANGE);
        return;
    }
    size_t total = body ? hlen + len : hlen;
    if (total < hlen) { /* size_t overflow on a 32-bit target */
        duet_msgpack_writer_fail(w, DUET_ERR_NOSPACE);
        return;
    }
    uint8_t *p = duet_msgpack_writer_reserve(w, total);
    if (!p)
        return;
    memcpy(p, hdr, hlen);
    if (body && len)
        memcpy(p + hlen, body, len);
}

void duet_msgpack_write_str_header(duet_msgpack_writer *w, size_t len)
{
    uint8_t hdr[6];
    write_sized(w, hdr, str_header(hdr, len), NULL, 0);
}

void duet_msgpack_write_str_long(duet_msgpack_writer *w, const char *s, size_t len)
{
    uint8_t hdr[6];
    write_sized(w, hdr, str_header(hdr, len), s ? (const void *)s : (const void *)"", len);
}

void duet_msgpack_write_bin_header(duet_msgpack_writer *w, size_t len)
{
    uint8_t hdr[6];
    write_sized(w, hdr, sized_header(hdr, 0, 0xc4, len), NULL, 0);
}

void duet_msgpack_write_bin(duet_msgpack_writer *w, const void *data, size_t len)
{
    uint8_t hdr[6];
    write_sized(w, hdr, sized_header(hdr, 0, 0xc4, len), data ? data : (const void *)"", len);
}

void duet_msgpack_write_ext_header(duet_msgpack_writer *w, int8_t type, size_t len)
{
    uint8_t hdr[6];
    write_sized(w, hdr, ext_header(hdr, type, len), NULL, 0);
}

void duet_msgpack_write_ext(duet_msgpack_writer *w, int8_t type, const void *data, size_t len)
{
    uint8_t hdr[6];
    write_sized(w, hdr, ext_header(hdr, type, len), data ? data : (const void *)"", len);
}

void duet_msgpack_write_float(duet_msgpack_writer *w, float v)
{
    union { float f; uint32_t bits; } u = {v};
    duet_msgpack_write_tagged(w, 0xca, u.bits, 4);
}

void duet_msgpack_write_double(duet_msgpack_writer *w, double v)
{
    union { double d; uint64_t bits; } u = {v};
    duet_msgpack_write_tagged(w, 0xcb, u.bits, 8);
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
    duet_msgpack_write_ext(w, DUET_MSGPACK_EXT_TIMESTAMP, body, len);
}

/* codec/writer.c - the MessagePack writer's out-of-line half: headers of sized values, long writes. */
#include "duet/msgpack.h"

void duet_msgpack_writer_fail(duet_msgpack_writer *w, int err)
{
    if (w->err == DUET_OK)
        w->err = err;
    w->cap = w->len;
}

void duet_msgpack_write_uint_wide(duet_msgpack_writer *w, uint64_t v)
{
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
    if (v >= 0)
        duet_msgpack_write_uint_wide(w, (uint64_t)v);
    else if (v >= -32)
        duet_msgpack_write_tagged(w, (uint8_t)(int8_t)v, 0, 0);
    else if (v >= INT8_MIN)
        duet_msgpack_write_tagged(w, 0xd0, (uint64_t)v, 1);
    else if (v >= INT16_MIN)
        duet_msgpack_write_tagged(w, 0xd1, (uint64_t)v, 2);
    else if (v >= INT32_MIN)
        duet_msgpack_write_tagged(w, 0xd2, (uint64_t)v, 4);
    else
        duet_msgpack_write_tagged(w, 0xd3, (uint64_t)v, 8);
}

/*
 * Builds the header of a str (tag_base 0xd9), bin (0xc4) or ext (0xc7) of len bytes into
 * hdr and returns its size, or 0 when len does not fit in 32 bits. The 8, 16 and 32-bit
 * forms of the three types sit at tag_base, tag_base + 1 and tag_base + 2.
 */
static size_t sized_header(uint8_t hdr[6], uint8_t tag_base, size_t len)
{
    if (len <= 0xff) {
        hdr[0] = tag_base;
        hdr[1] = (uint8_t)len;
        return 2;
    }
    if (len <= 0xffff) {
        hdr[0] = (uint8_t)(tag_base + 1);
        duet_msgpack_store16(hdr + 1, (uint16_t)len);
        return 3;
    }
#if SIZE_MAX > 0xffffffffu
    if (len > 0xffffffffu)
        return 0;
#endif
    hdr[0] = (uint8_t)(tag_base + 2);
    duet_msgpack_store32(hdr + 1, (uint32_t)len);
    return 5;
}

static size_t str_header(uint8_t hdr[6], size_t len)
{
    if (len < 32) {
        hdr[0] = (uint8_t)(0xa0 | len);
        return 1;
    }
    return sized_header(hdr, 0xd9, len);
}

static size_t ext_header(uint8_t hdr[6], int8_t type, size_t len)
{
    size_t n;
    switch (len) {
    case 1: hdr[0] = 0xd4; n = 1; break;
    case 2: hdr[0] = 0xd5; n = 1; break;
    case 4: hdr[0] = 0xd6; n = 1; break;
    case 8: hdr[0] = 0xd7; n = 1; break;
    case 16: hdr[0] = 0xd8; n = 1; break;
    default: n = sized_header(hdr, 0xc7, len); break;
    }
    if (n)
        hdr[n++] = (uint8_t)type;
    return n;
}

/* Writes a header of hlen bytes and len bytes of body (body may be NULL: header only). */
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
    write_sized(w, hdr, sized_header(hdr, 0xc4, len), NULL, 0);
}

void duet_msgpack_write_bin(duet_msgpack_writer *w, const void *data, size_t len)
{
    uint8_t hdr[6];
    write_sized(w, hdr, sized_header(hdr, 0xc4, len), data ? data : (const void *)"", len);
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
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    duet_msgpack_write_tagged(w, 0xca, bits, 4);
}

void duet_msgpack_write_double(duet_msgpack_writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    duet_msgpack_write_tagged(w, 0xcb, bits, 8);
}

void duet_msgpack_write_timestamp(duet_msgpack_writer *w, int64_t sec, uint32_t nsec)
{
    uint8_t body[12];
    if (nsec >= 1000000000u) {
        duet_msgpack_writer_fail(w, DUET_ERR_ARG);
        return;
    }
    if (sec >= 0 && sec <= 0xffffffffll && nsec == 0) {
        duet_msgpack_store32(body, (uint32_t)sec);
        duet_msgpack_write_ext(w, DUET_MSGPACK_EXT_TIMESTAMP, body, 4);
    } else if (sec >= 0 && sec < (1ll << 34)) {
        duet_msgpack_store64(body, ((uint64_t)nsec << 34) | (uint64_t)sec);
        duet_msgpack_write_ext(w, DUET_MSGPACK_EXT_TIMESTAMP, body, 8);
    } else {
        duet_msgpack_store32(body, nsec);
        duet_msgpack_store64(body + 4, (uint64_t)sec);
        duet_msgpack_write_ext(w, DUET_MSGPACK_EXT_TIMESTAMP, body, 12);
    }
}

/* duet/msgpack.h - MessagePack codec: a writer into a caller's buffer, a reader over a byte span. */
#ifndef DUET_MSGPACK_H
#define DUET_MSGPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "duet/config.h"
#include "duet/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Both halves keep a sticky error, as mpack does: after the first failure every later
 * write or read does nothing and returns false (readers also zero their outputs), so a
 * caller may encode or decode a whole message and check once at the end with
 * duet_msgpack_writer_error() or duet_msgpack_reader_error().
 *
 * Nothing here allocates, and nothing here is thread-safe: one writer or reader belongs
 * to one thread of control at a time.
 */

/* ------------------------------------------------------------------ types */

/* The type of a MessagePack value, as the reader reports it. */
typedef enum duet_msgpack_type {
    DUET_MSGPACK_NONE = 0, /* no value: end of input, or the reader is in error */
    DUET_MSGPACK_NIL,
    DUET_MSGPACK_BOOL,
    DUET_MSGPACK_UINT,     /* an unsigned encoding (positive fixint, uint 8..64) */
    DUET_MSGPACK_INT,      /* a signed encoding (negative fixint, int 8..64) */
    DUET_MSGPACK_FLOAT32,
    DUET_MSGPACK_FLOAT64,
    DUET_MSGPACK_STR,
    DUET_MSGPACK_BIN,
    DUET_MSGPACK_ARRAY,
    DUET_MSGPACK_MAP,
    DUET_MSGPACK_EXT
} duet_msgpack_type;

/* The ext type MessagePack reserves for timestamps. */
#define DUET_MSGPACK_EXT_TIMESTAMP (-1)

/* A short lower-case name for a type ("int", "str", ...), for error messages. */
const char *duet_msgpack_type_name(duet_msgpack_type type);

/*
 * DUET_MSGPACK_INLINE: 1 where the writers' common cases (a one-byte value, a short str)
 * are written inline at every call, and the typed reads look for the commonest encodings
 * (a positive fixint, a fixstr, a fixarray) before they decode a token, for speed; 0 where
 * the writers are calls to the one copy in the codec and every read decodes its token, for
 * size: the default of a build for size (-Os, where GCC and Clang define __OPTIMIZE_SIZE__:
 * a firmware), as the compiler would otherwise keep a copy of each in every object that
 * writes. The bytes written and read are the same; define it to choose.
 */
#ifndef DUET_MSGPACK_INLINE
#ifdef __OPTIMIZE_SIZE__
#define DUET_MSGPACK_INLINE 0
#else
#define DUET_MSGPACK_INLINE 1
#endif
#endif

/* ----------------------------------------------------------------- writer */

/* A writer: where it writes, how much fits, how much is written, the first error. */
typedef struct duet_msgpack_writer {
    uint8_t *buf;
    size_t cap; /* set to len at the first error, so that every later write fails */
    size_t len;
    int err;
} duet_msgpack_writer;

/* Start writing into buf, which holds cap bytes. */
static inline void duet_msgpack_writer_init(duet_msgpack_writer *w, void *buf, size_t cap)
{
    /* Without a buffer, cap is 0 and buf points at the writer itself, so that a write
     * of 0 bytes yields a valid pointer and every other write fails: no NULL check needed. */
    w->buf = buf ? (uint8_t *)buf : (uint8_t *)w;
    w->cap = buf ? cap : 0;
    w->len = 0;
    w->err = DUET_OK;
}

/* The first error (DUET_ERR_NOSPACE, DUET_ERR_RANGE, DUET_ERR_ARG) or DUET_OK. */
static inline int duet_msgpack_writer_error(const duet_msgpack_writer *w) { return w->err; }

/* Bytes written so far: a whole encoding when the error is DUET_OK. */
static inline size_t duet_msgpack_writer_size(const duet_msgpack_writer *w) { return w->len; }

/* Where the output starts (the buffer given to duet_msgpack_writer_init). */
static inline uint8_t *duet_msgpack_writer_data(const duet_msgpack_writer *w) { return w->buf; }

/* Put the writer in error (keeps the first error). Used by the inline writers. */
void duet_msgpack_writer_fail(duet_msgpack_writer *w, int err);

/* True when n more bytes fit; otherwise puts the writer in error and returns false. */
static inline bool duet_msgpack_writer_room(duet_msgpack_writer *w, size_t n)
{
    if (n > w->cap - w->len) {
        duet_msgpack_writer_fail(w, DUET_ERR_NOSPACE);
        return false;
    }
    return true;
}

/* Claims n bytes at the end of the output, or puts the writer in error and returns NULL. */
static inline uint8_t *duet_msgpack_writer_reserve(duet_msgpack_writer *w, size_t n)
{
    if (!duet_msgpack_writer_room(w, n))
        return NULL;
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

/* v big-endian in the 2, 4 or 8 bytes at p (a header or body a caller writes itself). */
static inline void duet_msgpack_store16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void duet_msgpack_store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void duet_msgpack_store64(uint8_t *p, uint64_t v)
{
    duet_msgpack_store32(p, (uint32_t)(v >> 32));
    duet_msgpack_store32(p + 4, (uint32_t)v);
}

/* Writes a one-byte type tag followed by v as an n-byte big-endian number (n = 0..8). */
void duet_msgpack_write_tagged(duet_msgpack_writer *w, uint8_t tag, uint64_t v, size_t n);

/* Writes one byte: duet_msgpack_write_tag out of line. */
void duet_msgpack_write_byte(duet_msgpack_writer *w, uint8_t tag);

/* Writes a value or header that is one byte, its tag alone (nil, bool, a fixint, a fixarray
 * header, ...): the inline writers' common case. */
static inline void duet_msgpack_write_tag(duet_msgpack_writer *w, uint8_t tag)
{
#if DUET_MSGPACK_INLINE
    if (w->len < w->cap)
        w->buf[w->len++] = tag;
    else
        duet_msgpack_writer_fail(w, DUET_ERR_NOSPACE);
#else
    duet_msgpack_write_byte(w, tag);
#endif
}

/* nil */
static inline void duet_msgpack_write_nil(duet_msgpack_writer *w)
{
    duet_msgpack_write_tag(w, 0xc0);
}

/* true or false */
static inline void duet_msgpack_write_bool(duet_msgpack_writer *w, bool v)
{
    duet_msgpack_write_tag(w, v ? 0xc3 : 0xc2);
}

/* duet_msgpack_write_uint out of line (any value; the inline writer's slow case). */
void duet_msgpack_write_uint_wide(duet_msgpack_writer *w, uint64_t v);

/* duet_msgpack_write_int out of line (any value; the inline writer's slow case). */
void duet_msgpack_write_int_wide(duet_msgpack_writer *w, int64_t v);

/* An unsigned integer, in the smallest encoding. Values below 128 (msgids, counts, small
 * arguments: most integers on the wire) are one byte written inline; the rest is a call
 * (every value, where DUET_MSGPACK_INLINE is 0). */
static inline void duet_msgpack_write_uint(duet_msgpack_writer *w, uint64_t v)
{
    if (DUET_MSGPACK_INLINE && v < 0x80)
        duet_msgpack_write_tag(w, (uint8_t)v);
    else
        duet_msgpack_write_uint_wide(w, v);
}

/* A signed integer, in the smallest encoding (non-negative values as unsigned, like msgpack-c).
 * -32..127 is one byte (a positive or negative fixint) written inline (a call, where
 * DUET_MSGPACK_INLINE is 0). */
static inline void duet_msgpack_write_int(duet_msgpack_writer *w, int64_t v)
{
    if (DUET_MSGPACK_INLINE && (uint64_t)v + 32u < 160u)
        duet_msgpack_write_tag(w, (uint8_t)v);
    else
        duet_msgpack_write_int_wide(w, v);
}

/* An array (tag16 = 0xdc) or map (0xde) header of 16 or more; use duet_msgpack_write_array
 * or duet_msgpack_write_map. */
void duet_msgpack_write_count_wide(duet_msgpack_writer *w, uint8_t tag16, uint32_t n);

/* An array header: the n values that follow are its elements. */
static inline void duet_msgpack_write_array(duet_msgpack_writer *w, uint32_t n)
{
    if (n < 16)
        duet_msgpack_write_tag(w, (uint8_t)(0x90 | n));
    else
        duet_msgpack_write_count_wide(w, 0xdc, n);
}

/* A map header: the 2*n values that follow are its keys and values, alternating. */
static inline void duet_msgpack_write_map(duet_msgpack_writer *w, uint32_t n)
{
    if (n < 16)
        duet_msgpack_write_tag(w, (uint8_t)(0x80 | n));
    else
        duet_msgpack_write_count_wide(w, 0xde, n);
}

/* A str header for len bytes of UTF-8 that the caller writes next with duet_msgpack_write_raw. */
void duet_msgpack_write_str_header(duet_msgpack_writer *w, size_t len);

/* duet_msgpack_write_str out of line (a str at NULL: DUET_ERR_ARG unless len is 0). */
void duet_msgpack_write_str_long(duet_msgpack_writer *w, const char *s, size_t len);

/* A string of len bytes (not checked for UTF-8). Header and bytes fit whole, or nothing is written. */
static inline void duet_msgpack_write_str(duet_msgpack_writer *w, const char *s, size_t len)
{
#if DUET_MSGPACK_INLINE
    if (len < 32 && s) {
        if (!duet_msgpack_writer_room(w, 1 + len))
            return;
        uint8_t *p = w->buf + w->len;
        w->len += 1 + len;
        p[0] = (uint8_t)(0xa0 | len);
        memcpy(p + 1, s, len);
        return;
    }
#endif
    duet_msgpack_write_str_long(w, s, len);
}

/* A NUL-terminated string. */
static inline void duet_msgpack_write_cstr(duet_msgpack_writer *w, const char *s)
{
    duet_msgpack_write_str(w, s, strlen(s));
}

/* A bin header for len raw bytes that the caller writes next with duet_msgpack_write_raw. */
void duet_msgpack_write_bin_header(duet_msgpack_writer *w, size_t len);

/* Raw bytes as a bin value. */
void duet_msgpack_write_bin(duet_msgpack_writer *w, const void *data, size_t len);

/* A float32. */
void duet_msgpack_write_float(duet_msgpack_writer *w, float v);

/* A float64. */
void duet_msgpack_write_double(duet_msgpack_writer *w, double v);

/* An ext header (fixext 1/2/4/8/16 when len allows) for len bytes written next with write_raw. */
void duet_msgpack_write_ext_header(duet_msgpack_writer *w, int8_t type, size_t len);

/* An ext value: application type and its bytes. */
void duet_msgpack_write_ext(duet_msgpack_writer *w, int8_t type, const void *data, size_t len);

/* A timestamp (ext -1) in its smallest form; nsec must be below 1e9 (else DUET_ERR_ARG). */
void duet_msgpack_write_timestamp(duet_msgpack_writer *w, int64_t sec, uint32_t nsec);

/* Bytes copied as they are: already-encoded values, or the body after a header. */
static inline void duet_msgpack_write_raw(duet_msgpack_writer *w, const void *data, size_t len)
{
    uint8_t *p = duet_msgpack_writer_reserve(w, len);
    if (p && len)
        memcpy(p, data, len);
}

/* ----------------------------------------------------------------- reader */

/* A reader over a byte span. It never reads outside [start, end). */
typedef struct duet_msgpack_reader {
    const uint8_t *start;
    const uint8_t *pos;
    const uint8_t *end;   /* set to pos at the first error, so that every later read fails */
    int err;
    uint8_t found;        /* the duet_msgpack_type found by the last read that failed with DUET_ERR_TYPE */
    uint8_t max_depth;    /* nesting limit for duet_msgpack_skip */
} duet_msgpack_reader;

/* One value's header as read: the type and its scalar, or where its bytes are. */
typedef struct duet_msgpack_token {
    duet_msgpack_type type;
    union {
        bool b;
        uint64_t u;      /* DUET_MSGPACK_UINT */
        int64_t i;       /* DUET_MSGPACK_INT (a non-canonical encoder may store a value >= 0 here) */
        float f;
        double d;
        uint32_t count;  /* DUET_MSGPACK_ARRAY: elements, DUET_MSGPACK_MAP: key/value pairs */
        struct {
            const uint8_t *ptr; /* into the reader's input, no copy */
            uint32_t len;
            int8_t ext_type;    /* DUET_MSGPACK_EXT only */
        } bytes;         /* DUET_MSGPACK_STR, BIN, EXT */
    } v;
} duet_msgpack_token;

/* Start reading size bytes at data. */
void duet_msgpack_reader_init(duet_msgpack_reader *r, const void *data, size_t size);

/* The first error (DUET_ERR_TRUNCATED, INVALID, TYPE, RANGE, DEPTH, NOSPACE, or ARG for a
 * NULL span with a size) or DUET_OK. */
static inline int duet_msgpack_reader_error(const duet_msgpack_reader *r) { return r->err; }

/* Offset of the next byte to read; after an error, the offset of the value that failed. */
static inline size_t duet_msgpack_reader_offset(const duet_msgpack_reader *r)
{
    return (size_t)(r->pos - r->start);
}

/* Bytes left to read (0 after an error). */
static inline size_t duet_msgpack_reader_remaining(const duet_msgpack_reader *r)
{
    return (size_t)(r->end - r->pos);
}

/* Where the next value starts (what was read ends here). */
static inline const uint8_t *duet_msgpack_reader_pos(const duet_msgpack_reader *r) { return r->pos; }

/* After DUET_ERR_TYPE: the type that was found instead of the one asked for. */
static inline duet_msgpack_type duet_msgpack_reader_found(const duet_msgpack_reader *r)
{
    return (duet_msgpack_type)r->found;
}

/* Change the nesting limit of duet_msgpack_skip (default DUET_MSGPACK_MAX_DEPTH, at most that). */
void duet_msgpack_reader_set_max_depth(duet_msgpack_reader *r, unsigned depth);

/* The nesting limit of duet_msgpack_skip. */
static inline unsigned duet_msgpack_reader_max_depth(const duet_msgpack_reader *r) { return r->max_depth; }

/* Put the reader in error (keeps the first error). */
void duet_msgpack_reader_fail(duet_msgpack_reader *r, int err);

/* Steps over n bytes the caller has read itself (more than remain: DUET_ERR_TRUNCATED). */
static inline void duet_msgpack_reader_skip(duet_msgpack_reader *r, size_t n)
{
    if (n > (size_t)(r->end - r->pos))
        duet_msgpack_reader_fail(r, DUET_ERR_TRUNCATED);
    else
        r->pos += n;
}

/* The type of the next value without consuming it; DUET_MSGPACK_NONE at the end or in error. */
duet_msgpack_type duet_msgpack_peek_type(const duet_msgpack_reader *r);

/* Reads the next value's header into t. Str, bin and ext bodies are consumed and pointed to. */
bool duet_msgpack_read_token(duet_msgpack_reader *r, duet_msgpack_token *t);

/* duet_msgpack_read_token with the commonest value, a small non-negative integer, read
 * inline (for loops over many values). */
static inline bool duet_msgpack_read_token_fast(duet_msgpack_reader *r, duet_msgpack_token *t)
{
    if (r->pos < r->end && *r->pos <= 0x7f) {
        t->type = DUET_MSGPACK_UINT;
        t->v.u = *r->pos++;
        return true;
    }
    return duet_msgpack_read_token(r, t);
}

/* Typed reads. Each accepts only its type (DUET_ERR_TYPE otherwise, with the type found
 * kept for duet_msgpack_reader_found) and leaves the reader after the value. */
bool duet_msgpack_read_nil(duet_msgpack_reader *r);
bool duet_msgpack_read_bool(duet_msgpack_reader *r, bool *out);

/* Integer reads accept every integer encoding whose value fits; DUET_ERR_RANGE if it does not. */
bool duet_msgpack_read_i64(duet_msgpack_reader *r, int64_t *out);
bool duet_msgpack_read_u64(duet_msgpack_reader *r, uint64_t *out);
bool duet_msgpack_read_i32(duet_msgpack_reader *r, int32_t *out);
bool duet_msgpack_read_u32(duet_msgpack_reader *r, uint32_t *out);

/* Float reads accept float32 and float64 (read_float rounds a float64 to the nearest float). */
bool duet_msgpack_read_float(duet_msgpack_reader *r, float *out);
bool duet_msgpack_read_double(duet_msgpack_reader *r, double *out);

/* A str: *s points into the input (not NUL-terminated), *len is its length in bytes. */
bool duet_msgpack_read_str(duet_msgpack_reader *r, const char **s, uint32_t *len);

/* A str copied NUL-terminated into buf (cap bytes); DUET_ERR_NOSPACE if it does not fit whole. */
bool duet_msgpack_read_cstr(duet_msgpack_reader *r, char *buf, size_t cap);

/* A bin: *data points into the input. */
bool duet_msgpack_read_bin(duet_msgpack_reader *r, const uint8_t **data, uint32_t *len);

/* An array header: *n elements follow. */
bool duet_msgpack_read_array(duet_msgpack_reader *r, uint32_t *n);

/* A map header: *n key/value pairs follow. */
bool duet_msgpack_read_map(duet_msgpack_reader *r, uint32_t *n);

/* An ext value: its type and a pointer to its bytes in the input. */
bool duet_msgpack_read_ext(duet_msgpack_reader *r, int8_t *type, const uint8_t **data, uint32_t *len);

/* A timestamp (ext -1, any of its three forms); DUET_ERR_INVALID if nanoseconds >= 1e9. */
bool duet_msgpack_read_timestamp(duet_msgpack_reader *r, int64_t *sec, uint32_t *nsec);

/*
 * Reads only the header of the value at p (avail bytes there), for framing a stream: how
 * many bytes the header takes (*head), how many body bytes follow it (*body: str, bin,
 * ext), and how many values it contains (*children: array elements, or 2 per map pair).
 * @retval 1 a whole header is there; 0 more bytes are needed; -1 0xc1, no valid type.
 */
int duet_msgpack_scan_header(const uint8_t *p, size_t avail, size_t *head, uint64_t *body, uint64_t *children);

/* Reads one whole value that sits `inside` arrays or maps (0: at the top): its header into
 * t (as duet_msgpack_read_token), and for an array or map its elements too, skipped within
 * the nesting limit less `inside` (t keeps the count). */
bool duet_msgpack_read_value(duet_msgpack_reader *r, duet_msgpack_token *t, unsigned inside);

/* Skips one whole value, nested ones included, within the nesting limit (DUET_ERR_DEPTH). */
bool duet_msgpack_skip(duet_msgpack_reader *r);

#ifdef __cplusplus
}
#endif
#endif

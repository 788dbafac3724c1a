/* codec/reader.c - the MessagePack reader: tokens, typed reads, skipping whole values. */
#include "duet/msgpack.h"

#include "base/number.h"


/* ------------------------------------------------------------------ types */

const char *duet_msgpack_type_name(duet_msgpack_type type)
{
    switch (type) {
    case DUET_MSGPACK_NONE: return "nothing";
    case DUET_MSGPACK_NIL: return "nil";
    case DUET_MSGPACK_BOOL: return "bool";
    case DUET_MSGPACK_UINT: return "int";
    case DUET_MSGPACK_INT: return "int";
    case DUET_MSGPACK_FLOAT32: return "float32";
    case DUET_MSGPACK_FLOAT64: return "float64";
    case DUET_MSGPACK_STR: return "str";
    case DUET_MSGPACK_BIN: return "bin";
    case DUET_MSGPACK_ARRAY: return "array";
    case DUET_MSGPACK_MAP: return "map";
    case DUET_MSGPACK_EXT: return "ext";
    }
    return "unknown";
}

/* ----------------------------------------------------------------- reader */

/* Keeps a rarely taken path out of line, so the common path around it stays small. */
#if defined(__GNUC__) || defined(__clang__)
#define COLD __attribute__((noinline, cold))
#else
#define COLD
#endif

void duet_msgpack_reader_init(duet_msgpack_reader *r, const void *data, size_t size)
{
    r->start = (const uint8_t *)data;
    r->pos = r->start;
    r->end = r->start ? r->start + size : r->start;
    r->err = DUET_OK;
    r->found = DUET_MSGPACK_NONE;
    r->max_depth = DUET_MSGPACK_MAX_DEPTH;
    if (!data && size)
        duet_msgpack_reader_fail(r, DUET_ERR_ARG);
}

void duet_msgpack_reader_set_max_depth(duet_msgpack_reader *r, unsigned depth)
{
    if (depth < 1)
        depth = 1;
    if (depth > DUET_MSGPACK_MAX_DEPTH)
        depth = DUET_MSGPACK_MAX_DEPTH;
    r->max_depth = (uint8_t)depth;
}

void duet_msgpack_reader_fail(duet_msgpack_reader *r, int err)
{
    if (r->err == DUET_OK)
        r->err = err;
    r->end = r->pos;
}

static uint16_t load16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t load64(const uint8_t *p)
{
    return (uint64_t)load32(p) << 32 | load32(p + 4);
}

/* Reads an n-byte big-endian unsigned number (n = 1, 2, 4, 8). */
static uint64_t load_be(const uint8_t *p, size_t n)
{
    switch (n) {
    case 1: return p[0];
    case 2: return load16(p);
    case 4: return load32(p);
    default: return load64(p);
    }
}

/* The types of the first bytes 0xc0..0xdf (0xc1 has none). */
static const uint8_t types_c0[32] = {
    DUET_MSGPACK_NIL, DUET_MSGPACK_NONE, DUET_MSGPACK_BOOL, DUET_MSGPACK_BOOL,
    DUET_MSGPACK_BIN, DUET_MSGPACK_BIN, DUET_MSGPACK_BIN,
    DUET_MSGPACK_EXT, DUET_MSGPACK_EXT, DUET_MSGPACK_EXT,
    DUET_MSGPACK_FLOAT32, DUET_MSGPACK_FLOAT64,
    DUET_MSGPACK_UINT, DUET_MSGPACK_UINT, DUET_MSGPACK_UINT, DUET_MSGPACK_UINT,
    DUET_MSGPACK_INT, DUET_MSGPACK_INT, DUET_MSGPACK_INT, DUET_MSGPACK_INT,
    DUET_MSGPACK_EXT, DUET_MSGPACK_EXT, DUET_MSGPACK_EXT, DUET_MSGPACK_EXT, DUET_MSGPACK_EXT,
    DUET_MSGPACK_STR, DUET_MSGPACK_STR, DUET_MSGPACK_STR,
    DUET_MSGPACK_ARRAY, DUET_MSGPACK_ARRAY, DUET_MSGPACK_MAP, DUET_MSGPACK_MAP,
};

/* The type a first byte announces (DUET_MSGPACK_NONE for 0xc1). */
static duet_msgpack_type type_of(uint8_t b)
{
    if (b <= 0x7f)
        return DUET_MSGPACK_UINT;
    if (b <= 0x8f)
        return DUET_MSGPACK_MAP;
    if (b <= 0x9f)
        return DUET_MSGPACK_ARRAY;
    if (b <= 0xbf)
        return DUET_MSGPACK_STR;
    if (b >= 0xe0)
        return DUET_MSGPACK_INT;
    return (duet_msgpack_type)types_c0[b - 0xc0];
}

duet_msgpack_type duet_msgpack_peek_type(const duet_msgpack_reader *r)
{
    return r->pos < r->end ? type_of(*r->pos) : DUET_MSGPACK_NONE;
}

static bool token_fail(duet_msgpack_reader *r, duet_msgpack_token *t, int err)
{
    duet_msgpack_reader_fail(r, err);
    memset(t, 0, sizeof *t);
    return false;
}

/* Size in bytes of the length field of str/bin/ext 8, 16, 32 (tag - base = 0, 1, 2). */
static size_t len_size(uint8_t tag, uint8_t base)
{
    return (size_t)1 << (tag - base);
}

/* duet_msgpack_scan_header, inlined where the reader needs it. */
static inline int scan_header(const uint8_t *p, size_t avail, size_t *head, uint64_t *body, uint64_t *children)
{
    *head = 1;
    *body = 0;
    *children = 0;
    if (avail == 0)
        return 0;
    uint8_t b = p[0];
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return 1;
    if (b <= 0x8f) {
        *children = 2 * (uint64_t)(b & 0x0f);
        return 1;
    }
    if (b <= 0x9f) {
        *children = b & 0x0f;
        return 1;
    }
    if (b <= 0xbf) {
        *body = b & 0x1f;
        return 1;
    }
    size_t n;          /* size of the length or count field */
    size_t extra = 0;  /* ext type byte */
    switch (b) {
    case 0xca: *head = 5; return avail >= 5;
    case 0xcb: *head = 9; return avail >= 9;
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
    case 0xd0: case 0xd1: case 0xd2: case 0xd3:
        *head = 1 + ((size_t)1 << (b & 3));
        return avail >= *head;
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
        *head = 2;
        *body = (uint64_t)1 << (b - 0xd4);
        return avail >= 2;
    case 0xc4: case 0xc5: case 0xc6: n = len_size(b, 0xc4); break;
    case 0xc7: case 0xc8: case 0xc9: n = len_size(b, 0xc7); extra = 1; break;
    case 0xd9: case 0xda: case 0xdb: n = len_size(b, 0xd9); break;
    case 0xdc: case 0xdd: case 0xde: case 0xdf: n = (b & 1) ? 4 : 2; break;
    default: return -1; /* 0xc1 */
    }
    *head = 1 + n + extra;
    if (avail < *head)
        return 0;
    uint64_t v = load_be(p + 1, n);
    if (b >= 0xdc)
        *children = b >= 0xde ? 2 * v : v;
    else
        *body = v;
    return 1;
}

static COLD bool read_token_any(duet_msgpack_reader *r, duet_msgpack_token *t);

/* A positive fixint or uint 8..64 (the encodings of non-negative values) whose whole
 * encoding is there: the value in *v; false for any other. */
static inline bool quick_uint(const duet_msgpack_reader *r, uint64_t *v, size_t *len)
{
    size_t avail = (size_t)(r->end - r->pos);
    if (!avail)
        return false;
    uint8_t b = *r->pos;
    if (b <= 0x7f) {
        *v = b;
        *len = 1;
        return true;
    }
    size_t n = (size_t)1 << (b & 3);
    if (b < 0xcc || b > 0xcf || avail <= n)
        return false;
    *v = load_be(r->pos + 1, n);
    *len = 1 + n;
    return true;
}

/* The commonest header first (a non-negative integer: a small one, a msgid), in a function
 * short enough to need no stack frame; the rest in read_token_any. */
bool duet_msgpack_read_token(duet_msgpack_reader *r, duet_msgpack_token *t)
{
    size_t len;
    if (quick_uint(r, &t->v.u, &len)) {
        t->type = DUET_MSGPACK_UINT;
        r->pos += len;
        return true;
    }
    return read_token_any(r, t);
}

static COLD bool read_token_any(duet_msgpack_reader *r, duet_msgpack_token *t)
{
    const uint8_t *p = r->pos;
    size_t avail = (size_t)(r->end - p);
    size_t head;
    uint64_t body, children;
    int got = scan_header(p, avail, &head, &body, &children);
    if (got <= 0)
        return token_fail(r, t, r->err ? r->err : got < 0 ? DUET_ERR_INVALID : DUET_ERR_TRUNCATED);
    if (body > avail - head)
        return token_fail(r, t, DUET_ERR_TRUNCATED);
    uint8_t b = p[0];
    size_t n = head - 1; /* bytes after the tag */
    t->type = type_of(b);
    switch (t->type) {
    case DUET_MSGPACK_UINT:
        t->v.u = b <= 0x7f ? b : load_be(p + 1, n);
        break;
    case DUET_MSGPACK_INT:
        if (b >= 0xe0) {
            t->v.i = (int8_t)b;
        } else { /* sign-extend from n bytes */
            unsigned shift = (unsigned)(64 - 8 * n);
            t->v.i = (int64_t)(load_be(p + 1, n) << shift) >> shift;
        }
        break;
    case DUET_MSGPACK_BOOL:
        t->v.b = b == 0xc3;
        break;
    case DUET_MSGPACK_FLOAT32: {
        uint32_t bits = load32(p + 1);
        memcpy(&t->v.f, &bits, sizeof bits);
        break;
    }
    case DUET_MSGPACK_FLOAT64: {
        uint64_t bits = load64(p + 1);
        memcpy(&t->v.d, &bits, sizeof bits);
        break;
    }
    case DUET_MSGPACK_ARRAY:
        t->v.count = (uint32_t)children;
        break;
    case DUET_MSGPACK_MAP:
        t->v.count = (uint32_t)(children / 2);
        break;
    case DUET_MSGPACK_STR: case DUET_MSGPACK_BIN: case DUET_MSGPACK_EXT:
        t->v.bytes.ptr = p + head;
        t->v.bytes.len = (uint32_t)body;
        t->v.bytes.ext_type = t->type == DUET_MSGPACK_EXT ? (int8_t)p[head - 1] : 0;
        break;
    default: /* nil */
        break;
    }
    r->pos = p + head + (size_t)body;
    return true;
}

/* Reads a token that must have type want (or want2); on a mismatch the reader does not move. */
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

static COLD bool read_nil_any(duet_msgpack_reader *r)
{
    duet_msgpack_token t;
    return read_expect(r, &t, DUET_MSGPACK_NIL, DUET_MSGPACK_NIL);
}

bool duet_msgpack_read_nil(duet_msgpack_reader *r)
{
    if (r->pos < r->end && *r->pos == 0xc0) { /* the common case: a response's error */
        r->pos++;
        return true;
    }
    return read_nil_any(r);
}

bool duet_msgpack_read_bool(duet_msgpack_reader *r, bool *out)
{
    duet_msgpack_token t;
    bool ok = read_expect(r, &t, DUET_MSGPACK_BOOL, DUET_MSGPACK_BOOL);
    *out = ok && t.v.b;
    return ok;
}

/*
 * Reads any integer encoding as a sign flag and a magnitude in 64 bits: *neg is true for
 * a negative value held in *i, false for a non-negative one held in *u.
 */
/* The general case of read_integer: any integer encoding, through a token. */
static COLD bool read_integer_token(duet_msgpack_reader *r, bool *neg, int64_t *i, uint64_t *u)
{
    size_t avail = (size_t)(r->end - r->pos);
    if (avail && *r->pos >= 0xcc && *r->pos <= 0xcf) { /* uint 8..64, such as msgids */
        size_t n = (size_t)1 << (*r->pos & 3);
        if (avail > n) {
            *neg = false;
            *u = load_be(r->pos + 1, n);
            r->pos += 1 + n;
            return true;
        }
    }
    duet_msgpack_token t;
    if (!read_expect(r, &t, DUET_MSGPACK_UINT, DUET_MSGPACK_INT))
        return false;
    if (t.type == DUET_MSGPACK_UINT || t.v.i >= 0) {
        *neg = false;
        *u = t.type == DUET_MSGPACK_UINT ? t.v.u : (uint64_t)t.v.i;
    } else {
        *neg = true;
        *i = t.v.i;
    }
    return true;
}

static inline bool read_integer(duet_msgpack_reader *r, const uint8_t **start, bool *neg, int64_t *i, uint64_t *u)
{
    *start = r->pos;
    if (r->pos < r->end && *r->pos <= 0x7f) { /* positive fixint: the common case */
        *neg = false;
        *u = *r->pos++;
        return true;
    }
    return read_integer_token(r, neg, i, u);
}

/* Reads an integer that must lie in [min, max] (min <= 0): a negative one into *i, a
 * non-negative one into *u (the other stays 0). A value out of range is DUET_ERR_RANGE,
 * with the reader at it. */
static bool read_ranged(duet_msgpack_reader *r, int64_t min, uint64_t max, int64_t *i, uint64_t *u)
{
    const uint8_t *start;
    bool neg;
    *i = 0;
    *u = 0;
    if (!read_integer(r, &start, &neg, i, u))
        return false;
    if (neg ? *i >= min : *u <= max)
        return true;
    *i = 0;
    *u = 0;
    r->pos = start;
    duet_msgpack_reader_fail(r, DUET_ERR_RANGE);
    return false;
}

/* Reads an integer that must lie in [min, max]; *out is its value as int64 (max <= INT64_MAX). */
static bool read_signed(duet_msgpack_reader *r, int64_t min, int64_t max, int64_t *out)
{
    int64_t i;
    uint64_t u;
    bool ok = read_ranged(r, min, (uint64_t)max, &i, &u);
    *out = i ? i : (int64_t)u;
    return ok;
}

/* Reads an integer that must lie in [0, max]. */
static bool read_unsigned(duet_msgpack_reader *r, uint64_t max, uint64_t *out)
{
    int64_t i;
    return read_ranged(r, 0, max, &i, out);
}

bool duet_msgpack_read_i64(duet_msgpack_reader *r, int64_t *out)
{
    return read_signed(r, INT64_MIN, INT64_MAX, out);
}

bool duet_msgpack_read_u64(duet_msgpack_reader *r, uint64_t *out)
{
    size_t len;
    if (quick_uint(r, out, &len)) {
        r->pos += len;
        return true;
    }
    return read_unsigned(r, UINT64_MAX, out);
}

bool duet_msgpack_read_i32(duet_msgpack_reader *r, int32_t *out)
{
    int64_t v;
    bool ok = read_signed(r, INT32_MIN, INT32_MAX, &v);
    *out = (int32_t)v;
    return ok;
}

static COLD bool read_u32_any(duet_msgpack_reader *r, uint32_t *out)
{
    uint64_t v;
    bool ok = read_unsigned(r, UINT32_MAX, &v);
    *out = (uint32_t)v;
    return ok;
}

bool duet_msgpack_read_u32(duet_msgpack_reader *r, uint32_t *out)
{
    uint64_t v;
    size_t len;
    if (quick_uint(r, &v, &len) && v <= UINT32_MAX) {
        *out = (uint32_t)v;
        r->pos += len;
        return true;
    }
    return read_u32_any(r, out);
}

bool duet_msgpack_read_double(duet_msgpack_reader *r, double *out)
{
    duet_msgpack_token t;
    *out = 0;
    if (!read_expect(r, &t, DUET_MSGPACK_FLOAT64, DUET_MSGPACK_FLOAT32))
        return false;
    *out = t.type == DUET_MSGPACK_FLOAT64 ? t.v.d : duet_number_widen(t.v.f);
    return true;
}

bool duet_msgpack_read_float(duet_msgpack_reader *r, float *out)
{
    duet_msgpack_token t;
    *out = 0;
    if (!read_expect(r, &t, DUET_MSGPACK_FLOAT32, DUET_MSGPACK_FLOAT64))
        return false;
    *out = t.type == DUET_MSGPACK_FLOAT32 ? t.v.f : duet_number_narrow(t.v.d);
    return true;
}

/* Reads a str, bin or ext (want) and points *data at its body. */
static bool read_bytes(duet_msgpack_reader *r, duet_msgpack_type want, duet_msgpack_token *t)
{
    if (read_expect(r, t, want, want))
        return true;
    t->v.bytes.ptr = NULL;
    t->v.bytes.len = 0;
    return false;
}

static COLD bool read_str_any(duet_msgpack_reader *r, const char **s, uint32_t *len)
{
    duet_msgpack_token t;
    bool ok = read_bytes(r, DUET_MSGPACK_STR, &t);
    *s = (const char *)t.v.bytes.ptr;
    *len = t.v.bytes.len;
    return ok;
}

bool duet_msgpack_read_str(duet_msgpack_reader *r, const char **s, uint32_t *len)
{
    const uint8_t *p = r->pos;
    if (p < r->end && (*p & 0xe0) == 0xa0) { /* fixstr: the common case */
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
    bool ok = read_bytes(r, DUET_MSGPACK_BIN, &t);
    *data = t.v.bytes.ptr;
    *len = t.v.bytes.len;
    return ok;
}

bool duet_msgpack_read_ext(duet_msgpack_reader *r, int8_t *type, const uint8_t **data, uint32_t *len)
{
    duet_msgpack_token t;
    bool ok = read_bytes(r, DUET_MSGPACK_EXT, &t);
    *type = ok ? t.v.bytes.ext_type : 0;
    *data = t.v.bytes.ptr;
    *len = t.v.bytes.len;
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
    int64_t s;
    uint32_t ns;
    if (len == 4) {
        s = load32(p);
        ns = 0;
    } else if (len == 8) {
        uint64_t v = load64(p);
        ns = (uint32_t)(v >> 34);
        s = (int64_t)(v & ((1ull << 34) - 1));
    } else if (len == 12) {
        ns = load32(p);
        s = (int64_t)load64(p + 4);
    } else {
        ns = 1000000000u; /* no valid form: rejected below */
        s = 0;
    }
    if (ns >= 1000000000u) {
        r->pos = start;
        duet_msgpack_reader_fail(r, DUET_ERR_INVALID);
        return false;
    }
    *sec = s;
    *nsec = ns;
    return true;
}

/* An array or map header (want) of any encoding: *n elements or pairs. */
static COLD bool read_count(duet_msgpack_reader *r, duet_msgpack_type want, uint32_t *n)
{
    duet_msgpack_token t;
    bool ok = read_expect(r, &t, want, want);
    *n = ok ? t.v.count : 0;
    return ok;
}

bool duet_msgpack_read_array(duet_msgpack_reader *r, uint32_t *n)
{
    if (r->pos < r->end && (*r->pos & 0xf0) == 0x90) { /* fixarray: the common case */
        *n = *r->pos++ & 0x0f;
        return true;
    }
    return read_count(r, DUET_MSGPACK_ARRAY, n);
}

bool duet_msgpack_read_map(duet_msgpack_reader *r, uint32_t *n)
{
    return read_count(r, DUET_MSGPACK_MAP, n);
}

int duet_msgpack_scan_header(const uint8_t *p, size_t avail, size_t *head, uint64_t *body, uint64_t *children)
{
    return scan_header(p, avail, head, body, children);
}

/* read_value's container: skipped whole from start, within the limit less inside. */
static COLD bool skip_inside(duet_msgpack_reader *r, const uint8_t *start, unsigned inside)
{
    uint8_t limit = r->max_depth;
    r->max_depth = (uint8_t)(limit > inside ? limit - inside : 1);
    r->pos = start;
    bool ok = duet_msgpack_skip(r);
    r->max_depth = limit;
    return ok;
}

bool duet_msgpack_read_value(duet_msgpack_reader *r, duet_msgpack_token *t, unsigned inside)
{
    const uint8_t *start = r->pos;
    if (!duet_msgpack_read_token(r, t))
        return false;
    if (t->type != DUET_MSGPACK_ARRAY && t->type != DUET_MSGPACK_MAP)
        return true;
    return skip_inside(r, start, inside);
}

bool duet_msgpack_skip(duet_msgpack_reader *r)
{
    /* Values still to skip at each open nesting level; no recursion, headers only. */
    uint64_t left[DUET_MSGPACK_MAX_DEPTH];
    unsigned depth = 0;
    const uint8_t *p = r->pos;
    do {
        if (depth > 0) {
            if (left[depth - 1] == 0) {
                depth--;
                continue;
            }
            left[depth - 1]--;
        }
        size_t avail = (size_t)(r->end - p);
        size_t head;
        uint64_t body, children;
        int got = scan_header(p, avail, &head, &body, &children);
        if (got <= 0 || body > avail - head) {
            r->pos = p; /* the error names the value that failed */
            duet_msgpack_reader_fail(r, r->err ? r->err : got < 0 ? DUET_ERR_INVALID : DUET_ERR_TRUNCATED);
            return false;
        }
        if ((p[0] >= 0x80 && p[0] <= 0x9f) || (p[0] >= 0xdc && p[0] <= 0xdf)) {
            if (depth >= r->max_depth) {
                r->pos = p; /* the container one level too deep */
                duet_msgpack_reader_fail(r, DUET_ERR_DEPTH);
                return false;
            }
            left[depth++] = children;
        }
        p += head + (size_t)body;
    } while (depth > 0);
    r->pos = p;
    return true;
}

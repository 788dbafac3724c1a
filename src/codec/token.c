/* codec/token.c - the reader's scanner: one decoder of MessagePack headers serves tokens,
 * skipping whole values and framing a stream (duet_msgpack_scan_header). */
#include "duet/msgpack.h"

#include "base/text.h"
#include "codec/internal.h"

const char *duet_msgpack_type_name(duet_msgpack_type type)
{
    /* The names in the order of duet_msgpack_type, each ending in NUL. */
    static const char names[] = "nothing\0nil\0bool\0int\0int\0float32\0float64\0str\0bin\0array\0map\0ext";
    const char *name = duet_text_nth(names, sizeof names, (unsigned)type);
    return name ? name : "unknown";
}

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

/*
 * What a first byte of 0xc0..0xdf announces: its type in the low four bits, the size of
 * the number that follows the tag in bits 4..6 (k: 1 << (k - 1) bytes, 0: none), and in
 * bit 7 an ext's type byte after that number. The 0x80.. 0xbf, 0xe0.. and 0x00.. ranges
 * carry their value in the tag itself (decode_header).
 */
#define K(k) ((k) << 4)
#define EXT_BYTE 0x80
static const uint8_t heads_c0[32] = {
    DUET_MSGPACK_NIL, DUET_MSGPACK_NONE, DUET_MSGPACK_BOOL, DUET_MSGPACK_BOOL,
    DUET_MSGPACK_BIN | K(1), DUET_MSGPACK_BIN | K(2), DUET_MSGPACK_BIN | K(3),
    DUET_MSGPACK_EXT | K(1) | EXT_BYTE, DUET_MSGPACK_EXT | K(2) | EXT_BYTE, DUET_MSGPACK_EXT | K(3) | EXT_BYTE,
    DUET_MSGPACK_FLOAT32 | K(3), DUET_MSGPACK_FLOAT64 | K(4),
    DUET_MSGPACK_UINT | K(1), DUET_MSGPACK_UINT | K(2), DUET_MSGPACK_UINT | K(3), DUET_MSGPACK_UINT | K(4),
    DUET_MSGPACK_INT | K(1), DUET_MSGPACK_INT | K(2), DUET_MSGPACK_INT | K(3), DUET_MSGPACK_INT | K(4),
    DUET_MSGPACK_EXT | EXT_BYTE, DUET_MSGPACK_EXT | EXT_BYTE, DUET_MSGPACK_EXT | EXT_BYTE,
    DUET_MSGPACK_EXT | EXT_BYTE, DUET_MSGPACK_EXT | EXT_BYTE,
    DUET_MSGPACK_STR | K(1), DUET_MSGPACK_STR | K(2), DUET_MSGPACK_STR | K(3),
    DUET_MSGPACK_ARRAY | K(2), DUET_MSGPACK_ARRAY | K(3), DUET_MSGPACK_MAP | K(2), DUET_MSGPACK_MAP | K(3),
};

/* The head code (as in heads_c0) of any first byte. */
static uint8_t head_code(uint8_t b)
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
    return heads_c0[b - 0xc0];
}

duet_msgpack_type duet_msgpack_peek_type(const duet_msgpack_reader *r)
{
    return r->pos < r->end ? (duet_msgpack_type)(head_code(*r->pos) & 0x0f) : DUET_MSGPACK_NONE;
}

/* What a header says: its size, the bytes of body after it (str, bin, ext) and the values
 * nested in it (array elements, two per map pair). */
typedef struct extent {
    size_t head;
    uint64_t body;
    uint64_t children;
} extent;

/*
 * Decodes the header at p (avail bytes there) into t and x, its str/bin/ext body pointed to
 * but not checked against avail: the one header decoder of the reader. Returns 1, or 0 when
 * avail does not hold all of the header, -1 for 0xc1 (no type); x is 1, 0, 0 then.
 */
static int decode_header(const uint8_t *p, size_t avail, duet_msgpack_token *t, extent *x)
{
    x->head = 1;
    x->body = 0;
    x->children = 0;
    if (avail == 0)
        return 0;
    uint8_t b = p[0];
    uint8_t code = head_code(b);
    duet_msgpack_type type = (duet_msgpack_type)(code & 0x0f);
    if (type == DUET_MSGPACK_NONE)
        return -1;
    size_t n = code & 0x70 ? (size_t)1 << (((code >> 4) & 7) - 1) : 0;
    size_t size = 1 + n + (code >> 7);
    if (avail < size)
        return 0;
    /* The value a tag holds itself: a fixint, or the length or count in its low bits. */
    uint64_t v = b >= 0xe0 ? (uint64_t)(int64_t)(int8_t)b : b <= 0x7f ? b : b & (type == DUET_MSGPACK_STR ? 0x1f : 0x0f);
    if (n) {
        v = duet_msgpack_load_be(p + 1, n, type == DUET_MSGPACK_INT);
    } else if (b >= 0xd4 && b <= 0xd8) { /* fixext 1..16 */
        v = 1u << (b - 0xd4);
    }
    t->type = type;
    t->v.u = v;
    x->head = size;
    if (type == DUET_MSGPACK_BOOL) {
        t->v.b = (b & 1) != 0;
    } else if (type == DUET_MSGPACK_FLOAT32) {
        union { uint32_t bits; float f; } f32 = {(uint32_t)v};
        t->v.f = f32.f;
    } else if (type == DUET_MSGPACK_ARRAY || type == DUET_MSGPACK_MAP) {
        t->v.count = (uint32_t)v;
        x->children = type == DUET_MSGPACK_MAP ? 2 * v : v;
    } else if (type == DUET_MSGPACK_STR || type == DUET_MSGPACK_BIN || type == DUET_MSGPACK_EXT) {
        t->v.bytes.ptr = p + size;
        t->v.bytes.len = (uint32_t)v;
        t->v.bytes.ext_type = type == DUET_MSGPACK_EXT ? (int8_t)p[size - 1] : 0;
        x->body = v;
    }
    return 1;
}

/* Decodes the header of the value at p, its body checked to be there; false with the reader
 * failed (at the value) and t zeroed. */
static bool decode_checked(duet_msgpack_reader *r, const uint8_t *p, duet_msgpack_token *t, extent *x)
{
    size_t avail = (size_t)(r->end - p);
    int got = decode_header(p, avail, t, x);
    if (got > 0 && x->body <= avail - x->head)
        return true;
    r->pos = p; /* the error names the value that failed */
    duet_msgpack_reader_fail(r, got < 0 ? DUET_ERR_INVALID : DUET_ERR_TRUNCATED);
    memset(t, 0, sizeof *t);
    return false;
}

uint64_t duet_msgpack_load_be(const uint8_t *p, size_t n, bool is_signed)
{
    uint64_t v = is_signed && n && p[0] >> 7 ? UINT64_MAX : 0; /* the bits above the n bytes */
    while (n--)
        v = v << 8 | *p++;
    return v;
}

bool duet_msgpack_read_token(duet_msgpack_reader *r, duet_msgpack_token *t)
{
    extent x;
    if (!decode_checked(r, r->pos, t, &x))
        return false;
    r->pos += x.head + (size_t)x.body;
    return true;
}

int duet_msgpack_scan_header(const uint8_t *p, size_t avail, size_t *head, uint64_t *body, uint64_t *children)
{
    duet_msgpack_token t;
    extent x;
    int got = decode_header(p, avail, &t, &x);
    *head = x.head;
    *body = x.body;
    *children = x.children;
    return got;
}

/* read_value's container: skipped whole from start, within the limit less inside. */
static DUET_CODEC_COLD bool skip_inside(duet_msgpack_reader *r, const uint8_t *start, unsigned inside)
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
    /* Values still to skip at each open nesting level; no recursion, headers only. A count
     * beyond SIZE_MAX is kept at SIZE_MAX: the input ends before as many values (each one
     * byte at least) are skipped, so the skip fails where it would have. */
    size_t left[DUET_MSGPACK_MAX_DEPTH];
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
        duet_msgpack_token t;
        extent x;
        if (!decode_checked(r, p, &t, &x))
            return false;
        if (t.type == DUET_MSGPACK_ARRAY || t.type == DUET_MSGPACK_MAP) {
            if (depth >= r->max_depth) {
                r->pos = p; /* the container one level too deep */
                duet_msgpack_reader_fail(r, DUET_ERR_DEPTH);
                return false;
            }
            left[depth++] = x.children < SIZE_MAX ? (size_t)x.children : SIZE_MAX;
        }
        p += x.head + (size_t)x.body;
    } while (depth > 0);
    r->pos = p;
    return true;
}

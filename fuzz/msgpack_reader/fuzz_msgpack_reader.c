/*
 * fuzz_msgpack_reader.c - libFuzzer target for duet's MessagePack reader (and, through
 * re-encoding, its writer).
 *
 * Every input goes through three walks:
 *
 *   A. duet_msgpack_skip, value after value, checked against a reference skipper built
 *      on an independent header decoder: same verdict, same error, same end. Framing the
 *      same value with duet_msgpack_scan_header alone (no depth limit, as a stream link
 *      does) must find the same end, or none where skip finds the input cut short.
 *   B. every value skip accepts (the first 64) is copied token by token through the
 *      writer. The copy must be no longer than the input (the writer picks the smallest
 *      encodings), decode to the same token sequence, skip as exactly one value, copy to
 *      itself again byte for byte, and a writer with too little room must stop with
 *      DUET_ERR_NOSPACE after writing a prefix of it.
 *   C. a reader driven by the input's own bytes read from its end backwards: each picks a
 *      call (read_token, skip, every typed getter, read_cstr into small buffers,
 *      read_timestamp, peek_type, set_max_depth), and the result must be what read_token
 *      on a copy of the reader predicts: the value, or the right error with the outputs
 *      zeroed and the offset left at the value. duet_msgpack_scan_header is checked at
 *      every step against the same reference decoder.
 *
 * Throughout: the offset never passes the input's size, pointers handed out lie inside
 * the input, and after an error every read fails and the first error stays.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/msgpack.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ------------------------------------------------------------ helpers */

static const uint8_t *g_data;
static size_t g_size;

/* p[0..len) lies inside the fuzzer's input. */
static bool inside(const void *p, size_t len)
{
    const uint8_t *q = p;
    return q && q >= g_data && q <= g_data + g_size && len <= (size_t)(g_data + g_size - q);
}

/* The reader's fields are consistent and inside [lo, lo + n]. */
static void check_reader(const duet_msgpack_reader *r, const uint8_t *lo, size_t n)
{
    CHECK(r->start == lo);
    CHECK(r->pos >= r->start && r->pos <= r->end);
    CHECK(r->end <= lo + n);
    CHECK(duet_msgpack_reader_offset(r) <= n);
    CHECK(duet_msgpack_reader_remaining(r) == (size_t)(r->end - r->pos));
    CHECK(r->max_depth >= 1 && r->max_depth <= DUET_MSGPACK_MAX_DEPTH);
    if (duet_msgpack_reader_error(r) != DUET_OK) {
        CHECK(duet_msgpack_reader_remaining(r) == 0);
        CHECK(duet_msgpack_peek_type(r) == DUET_MSGPACK_NONE);
    } else {
        CHECK(r->end == lo + n);
    }
}

static bool is_reader_error(int err)
{
    return err == DUET_ERR_TRUNCATED || err == DUET_ERR_INVALID || err == DUET_ERR_TYPE ||
           err == DUET_ERR_RANGE || err == DUET_ERR_DEPTH || err == DUET_ERR_NOSPACE;
}

/* After an error: every kind of read fails, outputs are zeroed, and the first error stays. */
static void check_dead(duet_msgpack_reader *r)
{
    int err = duet_msgpack_reader_error(r);
    size_t off = duet_msgpack_reader_offset(r);
    CHECK(err != DUET_OK);
    duet_msgpack_token t;
    memset(&t, 0xa5, sizeof t);
    CHECK(!duet_msgpack_read_token(r, &t));
    CHECK(t.type == DUET_MSGPACK_NONE);
    CHECK(!duet_msgpack_skip(r));
    CHECK(!duet_msgpack_read_nil(r));
    int64_t i = 1;
    CHECK(!duet_msgpack_read_i64(r, &i) && i == 0);
    uint32_t u = 1;
    CHECK(!duet_msgpack_read_u32(r, &u) && u == 0);
    const char *s = "x";
    uint32_t n = 1;
    CHECK(!duet_msgpack_read_str(r, &s, &n) && s == NULL && n == 0);
    char buf[4] = "abc";
    CHECK(!duet_msgpack_read_cstr(r, buf, sizeof buf) && buf[0] == '\0');
    CHECK(!duet_msgpack_read_array(r, &u) && u == 0);
    int64_t sec = 1;
    uint32_t nsec = 1;
    CHECK(!duet_msgpack_read_timestamp(r, &sec, &nsec) && sec == 0 && nsec == 0);
    duet_msgpack_reader_fail(r, DUET_ERR_ARG); /* keeps the first error */
    CHECK(duet_msgpack_reader_error(r) == err);
    CHECK(duet_msgpack_reader_offset(r) == off);
    CHECK(duet_msgpack_reader_remaining(r) == 0);
    CHECK(duet_msgpack_peek_type(r) == DUET_MSGPACK_NONE);
}

static uint16_t load16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t load64(const uint8_t *p)
{
    return (uint64_t)load32(p) << 32 | load32(p + 4);
}

/*
 * An independent decoding of the header at p (avail bytes), from the MessagePack spec:
 * the type (also when the rest is missing), the token's total size (header and body),
 * the header's size alone (*hdr, also when missing bytes), and the scalar. Returns the
 * error read_token must report, or DUET_OK.
 */
static int ref_token(const uint8_t *p, size_t avail, duet_msgpack_token *t, size_t *size, size_t *hdr)
{
    memset(t, 0, sizeof *t);
    *size = 0;
    *hdr = 1;
    if (avail == 0)
        return DUET_ERR_TRUNCATED;
    uint8_t b = p[0];
    size_t need = 1, lenbytes = 0, body = 0;
    bool has_ext_type = false;
    if (b <= 0x7f) {
        t->type = DUET_MSGPACK_UINT;
        t->v.u = b;
    } else if (b <= 0x8f) {
        t->type = DUET_MSGPACK_MAP;
        t->v.count = b & 15u;
    } else if (b <= 0x9f) {
        t->type = DUET_MSGPACK_ARRAY;
        t->v.count = b & 15u;
    } else if (b <= 0xbf) {
        t->type = DUET_MSGPACK_STR;
        body = b & 31u;
    } else if (b >= 0xe0) {
        t->type = DUET_MSGPACK_INT;
        t->v.i = (int64_t)b - 256;
    } else {
        switch (b) {
        case 0xc0: t->type = DUET_MSGPACK_NIL; break;
        case 0xc1: return DUET_ERR_INVALID;
        case 0xc2: case 0xc3: t->type = DUET_MSGPACK_BOOL; t->v.b = b == 0xc3; break;
        case 0xc4: case 0xc5: case 0xc6: t->type = DUET_MSGPACK_BIN; lenbytes = (size_t)1 << (b - 0xc4); break;
        case 0xc7: case 0xc8: case 0xc9:
            t->type = DUET_MSGPACK_EXT;
            lenbytes = (size_t)1 << (b - 0xc7);
            has_ext_type = true;
            break;
        case 0xca: t->type = DUET_MSGPACK_FLOAT32; need = 5; break;
        case 0xcb: t->type = DUET_MSGPACK_FLOAT64; need = 9; break;
        case 0xcc: case 0xcd: case 0xce: case 0xcf:
            t->type = DUET_MSGPACK_UINT;
            need = 1 + ((size_t)1 << (b - 0xcc));
            break;
        case 0xd0: case 0xd1: case 0xd2: case 0xd3:
            t->type = DUET_MSGPACK_INT;
            need = 1 + ((size_t)1 << (b - 0xd0));
            break;
        case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
            t->type = DUET_MSGPACK_EXT;
            need = 2;
            body = (size_t)1 << (b - 0xd4);
            has_ext_type = true;
            break;
        case 0xd9: case 0xda: case 0xdb: t->type = DUET_MSGPACK_STR; lenbytes = (size_t)1 << (b - 0xd9); break;
        case 0xdc: case 0xdd: t->type = DUET_MSGPACK_ARRAY; need = b == 0xdc ? 3 : 5; break;
        default: t->type = DUET_MSGPACK_MAP; need = b == 0xde ? 3 : 5; break; /* 0xde, 0xdf */
        }
    }
    if (lenbytes) {
        need = 1 + lenbytes + (has_ext_type ? 1 : 0);
        *hdr = need;
        if (avail < need)
            return DUET_ERR_TRUNCATED;
        body = lenbytes == 1 ? p[1] : lenbytes == 2 ? load16(p + 1) : load32(p + 1);
    }
    *hdr = need;
    if (avail < need)
        return DUET_ERR_TRUNCATED;
    switch (b) {
    case 0xca: {
        uint32_t bits = load32(p + 1);
        memcpy(&t->v.f, &bits, sizeof bits);
        break;
    }
    case 0xcb: {
        uint64_t bits = load64(p + 1);
        memcpy(&t->v.d, &bits, sizeof bits);
        break;
    }
    case 0xcc: t->v.u = p[1]; break;
    case 0xcd: t->v.u = load16(p + 1); break;
    case 0xce: t->v.u = load32(p + 1); break;
    case 0xcf: t->v.u = load64(p + 1); break;
    case 0xd0: t->v.i = (int8_t)p[1]; break;
    case 0xd1: t->v.i = (int16_t)load16(p + 1); break;
    case 0xd2: t->v.i = (int32_t)load32(p + 1); break;
    case 0xd3: t->v.i = (int64_t)load64(p + 1); break;
    case 0xdc: case 0xde: t->v.count = load16(p + 1); break;
    case 0xdd: case 0xdf: t->v.count = load32(p + 1); break;
    default: break;
    }
    if (t->type == DUET_MSGPACK_STR || t->type == DUET_MSGPACK_BIN || t->type == DUET_MSGPACK_EXT) {
        t->v.bytes.len = (uint32_t)body; /* the declared length, also when the body is cut short */
        if (body > avail - need)
            return DUET_ERR_TRUNCATED;
        t->v.bytes.ptr = p + need;
        t->v.bytes.ext_type = has_ext_type ? (int8_t)p[need - 1] : 0;
        need += body;
    }
    *size = need;
    return DUET_OK;
}

/* duet_msgpack_scan_header at p against ref_token's verdict (rerr, rt, size rn, header rhdr). */
static void check_scan_header(const uint8_t *p, size_t avail, int rerr, const duet_msgpack_token *rt, size_t rn,
                              size_t rhdr)
{
    size_t head = 0;
    uint64_t body = 7, children = 7;
    int got = duet_msgpack_scan_header(p, avail, &head, &body, &children);
    if (rerr == DUET_ERR_INVALID) {
        CHECK(got == -1);
        return;
    }
    if (avail == 0 || avail < rhdr) {
        CHECK(got == 0);
        return;
    }
    CHECK(got == 1);
    CHECK(head == rhdr);
    uint64_t want_body = 0, want_children = 0;
    if (rt->type == DUET_MSGPACK_ARRAY)
        want_children = rt->v.count;
    else if (rt->type == DUET_MSGPACK_MAP)
        want_children = 2 * (uint64_t)rt->v.count;
    else if (rt->type == DUET_MSGPACK_STR || rt->type == DUET_MSGPACK_BIN || rt->type == DUET_MSGPACK_EXT)
        want_body = rt->v.bytes.len;
    CHECK(children == want_children);
    CHECK(body == want_body);
    if (rerr == DUET_OK)
        CHECK(head + body == rn);
    else
        CHECK(rerr == DUET_ERR_TRUNCATED && head + body > avail);
}

/*
 * Frames one value at off with duet_msgpack_scan_header alone, as a stream link does (no
 * depth limit): returns its end, or 0 when it is incomplete or holds 0xc1.
 */
static size_t scan_frame(const uint8_t *data, size_t size, size_t off)
{
    uint64_t pending = 1;
    size_t pos = off;
    while (pending > 0) {
        size_t head;
        uint64_t body, children;
        if (duet_msgpack_scan_header(data + pos, size - pos, &head, &body, &children) != 1)
            return 0;
        if (head > size - pos || body > size - pos - head)
            return 0;
        pos += head + (size_t)body;
        pending += children;
        pending--;
    }
    return pos;
}

/* Same token: same type and scalar, same pointer and length (a, b from the same input). */
static bool same_token(const duet_msgpack_token *a, const duet_msgpack_token *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case DUET_MSGPACK_NONE: case DUET_MSGPACK_NIL: return true;
    case DUET_MSGPACK_BOOL: return a->v.b == b->v.b;
    case DUET_MSGPACK_UINT: return a->v.u == b->v.u;
    case DUET_MSGPACK_INT: return a->v.i == b->v.i;
    case DUET_MSGPACK_FLOAT32: return memcmp(&a->v.f, &b->v.f, sizeof a->v.f) == 0;
    case DUET_MSGPACK_FLOAT64: return memcmp(&a->v.d, &b->v.d, sizeof a->v.d) == 0;
    case DUET_MSGPACK_ARRAY: case DUET_MSGPACK_MAP: return a->v.count == b->v.count;
    default:
        return a->v.bytes.ptr == b->v.bytes.ptr && a->v.bytes.len == b->v.bytes.len &&
               a->v.bytes.ext_type == b->v.bytes.ext_type;
    }
}

/* Same value after re-encoding: ints by sign and value, floats by bits, bodies by content. */
static bool equivalent_token(const duet_msgpack_token *a, const duet_msgpack_token *b)
{
    bool a_int = a->type == DUET_MSGPACK_UINT || a->type == DUET_MSGPACK_INT;
    bool b_int = b->type == DUET_MSGPACK_UINT || b->type == DUET_MSGPACK_INT;
    if (a_int || b_int) {
        if (!a_int || !b_int)
            return false;
        bool a_neg = a->type == DUET_MSGPACK_INT && a->v.i < 0;
        bool b_neg = b->type == DUET_MSGPACK_INT && b->v.i < 0;
        return a_neg == b_neg && a->v.u == b->v.u; /* same bits as uint64 either way */
    }
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case DUET_MSGPACK_STR: case DUET_MSGPACK_BIN: case DUET_MSGPACK_EXT:
        return a->v.bytes.len == b->v.bytes.len && a->v.bytes.ext_type == b->v.bytes.ext_type &&
               (a->v.bytes.len == 0 || memcmp(a->v.bytes.ptr, b->v.bytes.ptr, a->v.bytes.len) == 0);
    default: return same_token(a, b);
    }
}

/* ------------------------------------------------ reference skipper */

/*
 * Skips one value at off the way duet_msgpack_skip should: read_token after read_token,
 * failing with DUET_ERR_DEPTH when a container opens with max_depth already open. On
 * failure *fail_at is where the failing token starts.
 */
static int ref_skip(const uint8_t *data, size_t size, size_t off, unsigned max_depth, size_t *end, size_t *fail_at,
                    size_t *fail_end)
{
    uint64_t left[DUET_MSGPACK_MAX_DEPTH + 1];
    unsigned depth = 0;
    size_t pos = off;
    do {
        if (depth > 0) {
            if (left[depth - 1] == 0) {
                depth--;
                continue;
            }
            left[depth - 1]--;
        }
        duet_msgpack_token t;
        size_t n, hdr;
        int err = ref_token(data + pos, size - pos, &t, &n, &hdr);
        if (err) {
            *fail_at = *fail_end = pos;
            return err;
        }
        if (t.type == DUET_MSGPACK_ARRAY || t.type == DUET_MSGPACK_MAP) {
            if (depth >= max_depth) {
                *fail_at = pos;
                *fail_end = pos + n;
                return DUET_ERR_DEPTH;
            }
            left[depth++] = t.type == DUET_MSGPACK_MAP ? 2 * (uint64_t)t.v.count : t.v.count;
        }
        pos += n;
    } while (depth > 0);
    *end = pos;
    return DUET_OK;
}

/* duet_msgpack_skip on r against ref_skip. Returns skip's result. */
static bool checked_skip(duet_msgpack_reader *r)
{
    size_t off = duet_msgpack_reader_offset(r);
    bool was_ok = duet_msgpack_reader_error(r) == DUET_OK;
    size_t end = 0, fail_at = 0, fail_end = 0;
    int want = was_ok ? ref_skip(g_data, g_size, off, r->max_depth, &end, &fail_at, &fail_end) : 0;
    bool ok = duet_msgpack_skip(r);
    check_reader(r, g_data, g_size);
    if (!was_ok) {
        CHECK(!ok);
        return false;
    }
    CHECK(ok == (want == DUET_OK));
    size_t framed = scan_frame(g_data, g_size, off);
    if (ok) {
        CHECK(duet_msgpack_reader_offset(r) == end);
        CHECK(end > off);
        CHECK(framed == end);
        return true;
    }
    if (want != DUET_ERR_DEPTH)
        CHECK(framed == 0);
    CHECK(duet_msgpack_reader_error(r) == want);
    /*
     * The offset is where the value that failed starts. For DUET_ERR_DEPTH the
     * implementation stops after the header of the container that went too deep.
     */
    size_t at = duet_msgpack_reader_offset(r);
    CHECK(at == fail_at || (want == DUET_ERR_DEPTH && at == fail_end));
    check_dead(r);
    return false;
}

/* --------------------------------------------- walk B: re-encoding */

/* Copies one value from r into w token by token; fills toks (cap entries). Returns the count. */
static size_t copy_value(duet_msgpack_reader *r, duet_msgpack_writer *w, duet_msgpack_token *toks, size_t cap)
{
    uint64_t pending = 1;
    size_t n = 0;
    while (pending > 0) {
        duet_msgpack_token t;
        CHECK(n < cap);
        CHECK(duet_msgpack_read_token(r, &t));
        toks[n++] = t;
        pending--;
        switch (t.type) {
        case DUET_MSGPACK_NIL: duet_msgpack_write_nil(w); break;
        case DUET_MSGPACK_BOOL: duet_msgpack_write_bool(w, t.v.b); break;
        case DUET_MSGPACK_UINT: duet_msgpack_write_uint(w, t.v.u); break;
        case DUET_MSGPACK_INT: duet_msgpack_write_int(w, t.v.i); break;
        case DUET_MSGPACK_FLOAT32: duet_msgpack_write_float(w, t.v.f); break;
        case DUET_MSGPACK_FLOAT64: duet_msgpack_write_double(w, t.v.d); break;
        case DUET_MSGPACK_STR:
            if (t.v.bytes.len & 1) {
                duet_msgpack_write_str_header(w, t.v.bytes.len);
                duet_msgpack_write_raw(w, t.v.bytes.ptr, t.v.bytes.len);
            } else {
                duet_msgpack_write_str(w, (const char *)t.v.bytes.ptr, t.v.bytes.len);
            }
            break;
        case DUET_MSGPACK_BIN:
            if (t.v.bytes.len & 1) {
                duet_msgpack_write_bin_header(w, t.v.bytes.len);
                duet_msgpack_write_raw(w, t.v.bytes.ptr, t.v.bytes.len);
            } else {
                duet_msgpack_write_bin(w, t.v.bytes.ptr, t.v.bytes.len);
            }
            break;
        case DUET_MSGPACK_EXT:
            if (t.v.bytes.len & 1) {
                duet_msgpack_write_ext_header(w, t.v.bytes.ext_type, t.v.bytes.len);
                duet_msgpack_write_raw(w, t.v.bytes.ptr, t.v.bytes.len);
            } else {
                duet_msgpack_write_ext(w, t.v.bytes.ext_type, t.v.bytes.ptr, t.v.bytes.len);
            }
            break;
        case DUET_MSGPACK_ARRAY:
            duet_msgpack_write_array(w, t.v.count);
            pending += t.v.count;
            break;
        case DUET_MSGPACK_MAP:
            duet_msgpack_write_map(w, t.v.count);
            pending += 2 * (uint64_t)t.v.count;
            break;
        default: CHECK(0);
        }
        CHECK(duet_msgpack_writer_size(w) <= w->cap);
    }
    return n;
}

static void check_reencode(const uint8_t *span, size_t len, uint8_t knob)
{
    duet_msgpack_token *toks = malloc(len * sizeof *toks);
    duet_msgpack_token *toks2 = malloc(len * sizeof *toks2);
    uint8_t *out = malloc(len);
    uint8_t *out2 = malloc(len);
    uint8_t *small = malloc(len);
    CHECK(toks && toks2 && out && out2 && small);

    /* The copy: no longer than the original, whole, and no error. */
    duet_msgpack_reader r;
    duet_msgpack_writer w;
    duet_msgpack_reader_init(&r, span, len);
    duet_msgpack_writer_init(&w, out, len);
    size_t n = copy_value(&r, &w, toks, len);
    CHECK(duet_msgpack_reader_offset(&r) == len);
    CHECK(duet_msgpack_writer_error(&w) == DUET_OK);
    size_t olen = duet_msgpack_writer_size(&w);
    CHECK(olen > 0 && olen <= len);

    /* It decodes to the same tokens, and copies to itself byte for byte. */
    duet_msgpack_reader r2;
    duet_msgpack_writer w2;
    duet_msgpack_reader_init(&r2, out, olen);
    duet_msgpack_writer_init(&w2, out2, len);
    size_t n2 = copy_value(&r2, &w2, toks2, len);
    CHECK(duet_msgpack_reader_offset(&r2) == olen);
    CHECK(n2 == n);
    for (size_t k = 0; k < n; k++)
        CHECK(equivalent_token(&toks[k], &toks2[k]));
    CHECK(duet_msgpack_writer_error(&w2) == DUET_OK);
    CHECK(duet_msgpack_writer_size(&w2) == olen);
    CHECK(memcmp(out, out2, olen) == 0);

    /* skip takes the copy as exactly one value. */
    duet_msgpack_reader_init(&r2, out, olen);
    CHECK(duet_msgpack_skip(&r2));
    CHECK(duet_msgpack_reader_offset(&r2) == olen);

    /* Too little room: DUET_ERR_NOSPACE, a prefix of the copy, and nothing after it. */
    size_t cap = knob % olen;
    duet_msgpack_reader_init(&r, span, len);
    duet_msgpack_writer_init(&w, small, cap);
    copy_value(&r, &w, toks2, len);
    CHECK(duet_msgpack_writer_error(&w) == DUET_ERR_NOSPACE);
    CHECK(duet_msgpack_writer_size(&w) <= cap);
    CHECK(memcmp(small, out, duet_msgpack_writer_size(&w)) == 0);
    size_t stuck = duet_msgpack_writer_size(&w);
    duet_msgpack_write_nil(&w);
    CHECK(duet_msgpack_writer_size(&w) == stuck && duet_msgpack_writer_error(&w) == DUET_ERR_NOSPACE);

    free(toks);
    free(toks2);
    free(out);
    free(out2);
    free(small);
}

/* ------------------------------------------ walk C: typed getters */

enum op {
    OP_TOKEN, OP_SKIP, OP_NIL, OP_BOOL, OP_I64, OP_U64, OP_I32, OP_U32, OP_FLOAT, OP_DOUBLE, OP_STR, OP_CSTR,
    OP_BIN, OP_ARRAY, OP_MAP, OP_EXT, OP_TS, OP_PEEK, OP_DEPTH, OP_COUNT
};

/* Decodes a timestamp body; false if it is none of the three forms or nsec >= 1e9. */
static bool ref_timestamp(const uint8_t *p, uint32_t len, int64_t *sec, uint32_t *nsec)
{
    if (len == 4) {
        *sec = load32(p);
        *nsec = 0;
    } else if (len == 8) {
        uint64_t v = load64(p);
        *nsec = (uint32_t)(v >> 34);
        *sec = (int64_t)(v & 0x3ffffffffull);
    } else if (len == 12) {
        *nsec = load32(p);
        *sec = (int64_t)load64(p + 4);
    } else {
        return false;
    }
    return *nsec < 1000000000u;
}

/* Runs one typed call on r and checks it against read_token's view of the same bytes. */
static bool typed_op(duet_msgpack_reader *r, enum op op, uint8_t arg)
{
    size_t off = duet_msgpack_reader_offset(r);
    duet_msgpack_reader probe = *r;
    duet_msgpack_token t;
    bool tok_ok = duet_msgpack_read_token(&probe, &t);
    int tok_err = duet_msgpack_reader_error(&probe);
    size_t tok_end = duet_msgpack_reader_offset(&probe);

    /* read_token against the reference decoder. */
    duet_msgpack_token rt;
    {
        size_t rn, rhdr;
        int rerr = ref_token(g_data + off, duet_msgpack_reader_remaining(r), &rt, &rn, &rhdr);
        check_scan_header(g_data + off, duet_msgpack_reader_remaining(r), rerr, &rt, rn, rhdr);
        if (duet_msgpack_reader_error(r) != DUET_OK) {
            CHECK(!tok_ok && tok_err == duet_msgpack_reader_error(r));
        } else {
            CHECK(tok_ok == (rerr == DUET_OK));
            if (tok_ok) {
                CHECK(same_token(&t, &rt));
                CHECK(tok_end == off + rn);
            } else {
                CHECK(tok_err == rerr);
                CHECK(duet_msgpack_reader_offset(&probe) == off);
            }
        }
        if (tok_ok && (t.type == DUET_MSGPACK_STR || t.type == DUET_MSGPACK_BIN || t.type == DUET_MSGPACK_EXT)) {
            CHECK(inside(t.v.bytes.ptr, t.v.bytes.len));
            CHECK(t.v.bytes.ptr + t.v.bytes.len == g_data + tok_end);
        }
        if (!tok_ok)
            CHECK(t.type == DUET_MSGPACK_NONE);
    }

    /* What the typed call must do: accepted types, and the error if not. */
    int want = tok_ok ? DUET_OK : tok_err;
    bool accepts = false;
    switch (op) {
    case OP_NIL: accepts = t.type == DUET_MSGPACK_NIL; break;
    case OP_BOOL: accepts = t.type == DUET_MSGPACK_BOOL; break;
    case OP_I64: case OP_U64: case OP_I32: case OP_U32:
        accepts = t.type == DUET_MSGPACK_UINT || t.type == DUET_MSGPACK_INT;
        break;
    case OP_FLOAT: case OP_DOUBLE:
        accepts = t.type == DUET_MSGPACK_FLOAT32 || t.type == DUET_MSGPACK_FLOAT64;
        break;
    case OP_STR: case OP_CSTR: accepts = t.type == DUET_MSGPACK_STR; break;
    case OP_BIN: accepts = t.type == DUET_MSGPACK_BIN; break;
    case OP_ARRAY: accepts = t.type == DUET_MSGPACK_ARRAY; break;
    case OP_MAP: accepts = t.type == DUET_MSGPACK_MAP; break;
    case OP_EXT: case OP_TS: accepts = t.type == DUET_MSGPACK_EXT; break;
    default: accepts = true; break;
    }
    if (want == DUET_OK && !accepts)
        want = DUET_ERR_TYPE;
    if (want == DUET_OK && op == OP_TS && t.v.bytes.ext_type != DUET_MSGPACK_EXT_TIMESTAMP)
        want = DUET_ERR_TYPE;

    /* An integer as sign and value, for the range checks. */
    bool neg = t.type == DUET_MSGPACK_INT && t.v.i < 0;
    uint64_t mag = t.v.u;

    bool ok = false, zeroed = true;
    switch (op) {
    case OP_TOKEN: {
        duet_msgpack_token t2;
        ok = duet_msgpack_read_token(r, &t2);
        if (ok)
            CHECK(same_token(&t, &t2));
        zeroed = t2.type == DUET_MSGPACK_NONE;
        break;
    }
    case OP_SKIP: return checked_skip(r);
    case OP_NIL: ok = duet_msgpack_read_nil(r); break;
    case OP_BOOL: {
        bool b = true;
        ok = duet_msgpack_read_bool(r, &b);
        if (ok)
            CHECK(b == t.v.b);
        zeroed = !b;
        break;
    }
    case OP_I64: {
        if (want == DUET_OK && !neg && mag > (uint64_t)INT64_MAX)
            want = DUET_ERR_RANGE;
        int64_t v = 1;
        ok = duet_msgpack_read_i64(r, &v);
        if (ok)
            CHECK((uint64_t)v == mag);
        zeroed = v == 0;
        break;
    }
    case OP_U64: {
        if (want == DUET_OK && neg)
            want = DUET_ERR_RANGE;
        uint64_t v = 1;
        ok = duet_msgpack_read_u64(r, &v);
        if (ok)
            CHECK(v == mag);
        zeroed = v == 0;
        break;
    }
    case OP_I32: {
        if (want == DUET_OK && (neg ? t.v.i < INT32_MIN : mag > (uint64_t)INT32_MAX))
            want = DUET_ERR_RANGE;
        int32_t v = 1;
        ok = duet_msgpack_read_i32(r, &v);
        if (ok)
            CHECK((int64_t)v == (int64_t)mag);
        zeroed = v == 0;
        break;
    }
    case OP_U32: {
        if (want == DUET_OK && (neg || mag > UINT32_MAX))
            want = DUET_ERR_RANGE;
        uint32_t v = 1;
        ok = duet_msgpack_read_u32(r, &v);
        if (ok)
            CHECK((uint64_t)v == mag);
        zeroed = v == 0;
        break;
    }
    case OP_FLOAT: {
        float f = 1;
        ok = duet_msgpack_read_float(r, &f);
        if (ok) {
            float e = t.type == DUET_MSGPACK_FLOAT32 ? t.v.f : (float)t.v.d;
            CHECK(memcmp(&f, &e, sizeof f) == 0 || (f != f && e != e));
        }
        zeroed = f == 0;
        break;
    }
    case OP_DOUBLE: {
        double d = 1;
        ok = duet_msgpack_read_double(r, &d);
        if (ok) {
            double e = t.type == DUET_MSGPACK_FLOAT64 ? t.v.d : (double)t.v.f;
            CHECK(memcmp(&d, &e, sizeof d) == 0 || (d != d && e != e));
        }
        zeroed = d == 0;
        break;
    }
    case OP_STR: {
        const char *s = "x";
        uint32_t n = 1;
        ok = duet_msgpack_read_str(r, &s, &n);
        if (ok)
            CHECK((const uint8_t *)s == t.v.bytes.ptr && n == t.v.bytes.len && inside(s, n));
        zeroed = s == NULL && n == 0;
        break;
    }
    case OP_CSTR: {
        size_t cap = arg % 48; /* 0 to 47: often too small */
        char buf[48];
        memset(buf, 'x', sizeof buf);
        if (want == DUET_OK && t.v.bytes.len >= cap)
            want = DUET_ERR_NOSPACE;
        ok = duet_msgpack_read_cstr(r, buf, cap);
        if (ok)
            CHECK(memcmp(buf, t.v.bytes.ptr, t.v.bytes.len) == 0 && buf[t.v.bytes.len] == '\0');
        else
            zeroed = cap == 0 || buf[0] == '\0';
        /* Nothing written past cap. */
        for (size_t k = cap; k < sizeof buf; k++)
            CHECK(buf[k] == 'x');
        break;
    }
    case OP_BIN: {
        const uint8_t *p = (const uint8_t *)"x";
        uint32_t n = 1;
        ok = duet_msgpack_read_bin(r, &p, &n);
        if (ok)
            CHECK(p == t.v.bytes.ptr && n == t.v.bytes.len && inside(p, n));
        zeroed = p == NULL && n == 0;
        break;
    }
    case OP_ARRAY: case OP_MAP: {
        uint32_t n = 1;
        ok = op == OP_ARRAY ? duet_msgpack_read_array(r, &n) : duet_msgpack_read_map(r, &n);
        if (ok)
            CHECK(n == t.v.count);
        zeroed = n == 0;
        break;
    }
    case OP_EXT: {
        int8_t et = 1;
        const uint8_t *p = (const uint8_t *)"x";
        uint32_t n = 1;
        ok = duet_msgpack_read_ext(r, &et, &p, &n);
        if (ok)
            CHECK(et == t.v.bytes.ext_type && p == t.v.bytes.ptr && n == t.v.bytes.len && inside(p, n));
        zeroed = et == 0 && p == NULL && n == 0;
        break;
    }
    case OP_TS: {
        int64_t es = 0;
        uint32_t ens = 0;
        if (want == DUET_OK && !ref_timestamp(t.v.bytes.ptr, t.v.bytes.len, &es, &ens))
            want = DUET_ERR_INVALID;
        int64_t sec = 1;
        uint32_t nsec = 1;
        ok = duet_msgpack_read_timestamp(r, &sec, &nsec);
        if (ok)
            CHECK(sec == es && nsec == ens && nsec < 1000000000u);
        zeroed = sec == 0 && nsec == 0;
        break;
    }
    case OP_PEEK: {
        duet_msgpack_type pt = duet_msgpack_peek_type(r);
        /* The first byte's type, even when the rest is missing; NONE at the end, for 0xc1, after an error. */
        CHECK(pt == (duet_msgpack_reader_error(r) != DUET_OK ? DUET_MSGPACK_NONE : rt.type));
        if (tok_ok)
            CHECK(pt == t.type);
        CHECK(duet_msgpack_type_name(pt) != NULL);
        CHECK(duet_msgpack_reader_offset(r) == off);
        return duet_msgpack_reader_error(r) == DUET_OK;
    }
    case OP_DEPTH: {
        unsigned d = arg % (DUET_MSGPACK_MAX_DEPTH + 8);
        duet_msgpack_reader_set_max_depth(r, d);
        if (d >= 1)
            CHECK(r->max_depth == (d < DUET_MSGPACK_MAX_DEPTH ? d : DUET_MSGPACK_MAX_DEPTH));
        check_reader(r, g_data, g_size);
        return duet_msgpack_reader_error(r) == DUET_OK;
    }
    default: return false;
    }

    check_reader(r, g_data, g_size);
    if (want == DUET_OK) {
        CHECK(ok);
        CHECK(duet_msgpack_reader_error(r) == DUET_OK);
        CHECK(duet_msgpack_reader_offset(r) == tok_end);
        CHECK(tok_end > off);
        return true;
    }
    CHECK(!ok);
    CHECK(duet_msgpack_reader_error(r) == want || (tok_err != DUET_OK && duet_msgpack_reader_error(r) == tok_err));
    CHECK(is_reader_error(duet_msgpack_reader_error(r)));
    CHECK(zeroed);
    CHECK(duet_msgpack_reader_offset(r) == off);
    if (want == DUET_ERR_TYPE && tok_ok)
        CHECK(duet_msgpack_reader_found(r) == t.type);
    check_dead(r);
    return false;
}

/* ------------------------------------------------------------- entry */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_data = data;
    g_size = size;

    /* Odd inits: a NULL span is empty, or an error when it claims a size. */
    {
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, NULL, 0);
        CHECK(duet_msgpack_reader_remaining(&r) == 0 && duet_msgpack_peek_type(&r) == DUET_MSGPACK_NONE);
        duet_msgpack_reader_init(&r, NULL, size + 1);
        CHECK(duet_msgpack_reader_remaining(&r) == 0);
        CHECK(!duet_msgpack_skip(&r));
    }

    /* A. skip, value after value, against the reference; B. re-encode what it accepts. */
    {
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, data, size);
        check_reader(&r, data, size);
        CHECK(r.max_depth == DUET_MSGPACK_MAX_DEPTH);
        unsigned values = 0;
        while (duet_msgpack_reader_remaining(&r) > 0) {
            size_t off = duet_msgpack_reader_offset(&r);
            if (!checked_skip(&r))
                break;
            size_t end = duet_msgpack_reader_offset(&r);
            if (values++ < 64) {
                /* A private copy, so that ASan sees any read past the value. */
                uint8_t *span = malloc(end - off);
                CHECK(span);
                memcpy(span, data + off, end - off);
                check_reencode(span, end - off, data[(off * 7 + values) % size]);
                free(span);
            }
        }
        if (duet_msgpack_reader_error(&r) == DUET_OK)
            CHECK(duet_msgpack_reader_offset(&r) == size && duet_msgpack_peek_type(&r) == DUET_MSGPACK_NONE);
    }

    /* C. typed calls chosen by the input's bytes, taken from its end backwards. */
    {
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, data, size);
        size_t k = 0;
        for (unsigned steps = 0; steps < 4096; steps++) {
            uint8_t sel = size ? data[size - 1 - (k % size)] : 0;
            uint8_t arg = size ? data[size - 1 - ((k + 1) % size)] : 0;
            k += 2;
            if (!typed_op(&r, (enum op)(sel % OP_COUNT), arg))
                break;
            if (duet_msgpack_reader_remaining(&r) == 0)
                break;
        }
        check_reader(&r, data, size);
    }
    return 0;
}

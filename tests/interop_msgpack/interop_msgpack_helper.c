/*
 * interop_msgpack_helper.c - duet's side of the python3-msgpack interop test (interop_msgpack.py).
 *
 *   interop_msgpack_helper copy
 *     stdin:  records [u32 len][len bytes: one MessagePack value packed by Python]
 *     stdout: per record [u32 status][u32 offset], then
 *               status 0: [u32 n][copy by read_token][u32 n][copy by typed getters][u32 n][description]
 *               else:     [u32 n][message]   (status = -duet error code, offset = where it failed)
 *     The read_token copy writes every token back with the matching writer call; the typed
 *     copy walks the value with peek_type and the typed getters (read_timestamp for ext -1)
 *     and writes it back with the typed writers, building the description as it goes.
 *
 *   interop_msgpack_helper gen SEED COUNT
 *     stdout: per record [u8 float32?][u32 len][bytes written by duet][u32 n][description]
 *     Random values (seeded) written with duet's writer, each with the description of the
 *     value the generator meant to write, built independently of the writer. A record holds
 *     either only float64 values (flag 0) or only float32 values (flag 1), so that Python
 *     can pack it back with the matching use_single_float.
 *
 * All u32 are big-endian. The description is a canonical text that interop_msgpack.py also
 * builds from Python objects: nil, true, false, decimal integers, d:<16 hex> (float64 bits),
 * f:<8 hex> or f:nan (float32), s:<hex of UTF-8>, b:<hex>, e<type>:<hex>, t<sec>.<nsec>,
 * [a,b,...], {k=v,...}.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/msgpack.h"

/* ------------------------------------------------------------- strings */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void die(const char *msg)
{
    fprintf(stderr, "interop_msgpack_helper: %s\n", msg);
    exit(2);
}

static void sb_put(sbuf *s, const char *data, size_t n)
{
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (s->len + n + 1 > cap)
            cap *= 2;
        char *p = realloc(s->p, cap);
        if (!p)
            die("out of memory");
        s->p = p;
        s->cap = cap;
    }
    memcpy(s->p + s->len, data, n);
    s->len += n;
    s->p[s->len] = '\0';
}

static void sb_str(sbuf *s, const char *str)
{
    sb_put(s, str, strlen(str));
}

static void sb_fmt(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_fmt(sbuf *s, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        die("format overflow");
    sb_put(s, tmp, (size_t)n);
}

static void sb_hex(sbuf *s, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char chunk[512];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        chunk[k++] = digits[p[i] >> 4];
        chunk[k++] = digits[p[i] & 15];
        if (k == sizeof chunk) {
            sb_put(s, chunk, k);
            k = 0;
        }
    }
    sb_put(s, chunk, k);
}

static void desc_f32(sbuf *s, float f)
{
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu))
        sb_str(s, "f:nan");
    else
        sb_fmt(s, "f:%08" PRIx32, bits);
}

static void desc_f64(sbuf *s, double d)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    sb_fmt(s, "d:%016" PRIx64, bits);
}

/* ----------------------------------------------------------------- I/O */

static void put32(FILE *f, uint32_t v)
{
    uint8_t b[4];
    duet_msgpack_store32(b, v);
    if (fwrite(b, 1, 4, f) != 4)
        die("write failed");
}

static void put_blob(FILE *f, const void *p, size_t n)
{
    put32(f, (uint32_t)n);
    if (n && fwrite(p, 1, n, f) != n)
        die("write failed");
}

static uint8_t *read_all(FILE *f, size_t *size)
{
    size_t cap = 1 << 20, len = 0;
    uint8_t *p = malloc(cap);
    if (!p)
        die("out of memory");
    for (;;) {
        if (len == cap) {
            cap *= 2;
            uint8_t *q = realloc(p, cap);
            if (!q)
                die("out of memory");
            p = q;
        }
        size_t n = fread(p + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    *size = len;
    return p;
}

/* ----------------------------------------------------------- copy mode */

/* Copies the input token by token: every read_token result goes back through the writer. */
static int copy_tokens(const uint8_t *in, size_t n, duet_msgpack_writer *w, size_t *fail_off, sbuf *msg)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, in, n);
    /* Tokens still to copy: one value, plus what its arrays and maps announce. */
    uint64_t pending = 1;
    while (pending > 0) {
        duet_msgpack_token t;
        if (!duet_msgpack_read_token(&r, &t)) {
            *fail_off = duet_msgpack_reader_offset(&r);
            sb_str(msg, "read_token failed");
            return duet_msgpack_reader_error(&r);
        }
        pending--;
        switch (t.type) {
        case DUET_MSGPACK_NIL: duet_msgpack_write_nil(w); break;
        case DUET_MSGPACK_BOOL: duet_msgpack_write_bool(w, t.v.b); break;
        case DUET_MSGPACK_UINT: duet_msgpack_write_uint(w, t.v.u); break;
        case DUET_MSGPACK_INT: duet_msgpack_write_int(w, t.v.i); break;
        case DUET_MSGPACK_FLOAT32: duet_msgpack_write_float(w, t.v.f); break;
        case DUET_MSGPACK_FLOAT64: duet_msgpack_write_double(w, t.v.d); break;
        case DUET_MSGPACK_STR: duet_msgpack_write_str(w, (const char *)t.v.bytes.ptr, t.v.bytes.len); break;
        case DUET_MSGPACK_BIN: duet_msgpack_write_bin(w, t.v.bytes.ptr, t.v.bytes.len); break;
        case DUET_MSGPACK_EXT: duet_msgpack_write_ext(w, t.v.bytes.ext_type, t.v.bytes.ptr, t.v.bytes.len); break;
        case DUET_MSGPACK_ARRAY:
            duet_msgpack_write_array(w, t.v.count);
            pending += t.v.count;
            break;
        case DUET_MSGPACK_MAP:
            duet_msgpack_write_map(w, t.v.count);
            pending += 2 * (uint64_t)t.v.count;
            break;
        default:
            *fail_off = duet_msgpack_reader_offset(&r);
            sb_fmt(msg, "read_token returned type %d", (int)t.type);
            return DUET_ERR_INVALID;
        }
        if (t.type == DUET_MSGPACK_STR || t.type == DUET_MSGPACK_BIN || t.type == DUET_MSGPACK_EXT) {
            const uint8_t *p = t.v.bytes.ptr;
            if (!p || p < in || p > in + n || t.v.bytes.len > (size_t)(in + n - p)) {
                *fail_off = duet_msgpack_reader_offset(&r);
                sb_str(msg, "read_token returned a pointer outside the input");
                return DUET_ERR_INVALID;
            }
        }
    }
    if (duet_msgpack_reader_offset(&r) != n) {
        *fail_off = duet_msgpack_reader_offset(&r);
        sb_fmt(msg, "one value read, but %zu bytes follow", n - duet_msgpack_reader_offset(&r));
        return DUET_ERR_INVALID;
    }
    if (duet_msgpack_writer_error(w) != DUET_OK) {
        *fail_off = 0;
        sb_str(msg, "writer failed in the read_token copy");
        return duet_msgpack_writer_error(w);
    }
    return DUET_OK;
}

/* Copies one value with the typed getters and writers, describing it into d. */
static int copy_typed(duet_msgpack_reader *r, duet_msgpack_writer *w, sbuf *d, int depth, sbuf *msg)
{
    if (depth > 100) {
        sb_str(msg, "nested too deep for the helper");
        return DUET_ERR_DEPTH;
    }
    bool ok = false;
    switch (duet_msgpack_peek_type(r)) {
    case DUET_MSGPACK_NIL:
        ok = duet_msgpack_read_nil(r);
        duet_msgpack_write_nil(w);
        sb_str(d, "nil");
        break;
    case DUET_MSGPACK_BOOL: {
        bool b;
        ok = duet_msgpack_read_bool(r, &b);
        duet_msgpack_write_bool(w, b);
        sb_str(d, b ? "true" : "false");
        break;
    }
    case DUET_MSGPACK_UINT: {
        uint64_t u;
        /* Small ones through the narrower getters too. */
        uint32_t u32;
        duet_msgpack_reader c = *r;
        if (duet_msgpack_read_u32(&c, &u32)) {
            ok = duet_msgpack_read_u64(r, &u) && u == u32;
        } else {
            ok = duet_msgpack_read_u64(r, &u);
        }
        duet_msgpack_write_uint(w, u);
        sb_fmt(d, "%" PRIu64, u);
        break;
    }
    case DUET_MSGPACK_INT: {
        int64_t i;
        int32_t i32;
        duet_msgpack_reader c = *r;
        if (duet_msgpack_read_i32(&c, &i32)) {
            ok = duet_msgpack_read_i64(r, &i) && i == i32;
        } else {
            ok = duet_msgpack_read_i64(r, &i);
        }
        duet_msgpack_write_int(w, i);
        sb_fmt(d, "%" PRId64, i);
        break;
    }
    case DUET_MSGPACK_FLOAT32: {
        float f;
        ok = duet_msgpack_read_float(r, &f);
        duet_msgpack_write_float(w, f);
        desc_f32(d, f);
        break;
    }
    case DUET_MSGPACK_FLOAT64: {
        double v;
        ok = duet_msgpack_read_double(r, &v);
        duet_msgpack_write_double(w, v);
        desc_f64(d, v);
        break;
    }
    case DUET_MSGPACK_STR: {
        const char *s;
        uint32_t n;
        ok = duet_msgpack_read_str(r, &s, &n);
        if (ok) {
            duet_msgpack_write_str_header(w, n);
            duet_msgpack_write_raw(w, s, n);
            sb_str(d, "s:");
            sb_hex(d, (const uint8_t *)s, n);
        }
        break;
    }
    case DUET_MSGPACK_BIN: {
        const uint8_t *p;
        uint32_t n;
        ok = duet_msgpack_read_bin(r, &p, &n);
        if (ok) {
            duet_msgpack_write_bin_header(w, n);
            duet_msgpack_write_raw(w, p, n);
            sb_str(d, "b:");
            sb_hex(d, p, n);
        }
        break;
    }
    case DUET_MSGPACK_EXT: {
        duet_msgpack_reader c = *r;
        int8_t type;
        const uint8_t *p;
        uint32_t n;
        if (!duet_msgpack_read_ext(&c, &type, &p, &n)) {
            ok = duet_msgpack_read_ext(r, &type, &p, &n); /* fails the same way, on r */
            break;
        }
        if (type == DUET_MSGPACK_EXT_TIMESTAMP) {
            int64_t sec;
            uint32_t nsec;
            ok = duet_msgpack_read_timestamp(r, &sec, &nsec);
            if (ok) {
                duet_msgpack_write_timestamp(w, sec, nsec);
                sb_fmt(d, "t%" PRId64 ".%" PRIu32, sec, nsec);
            }
        } else {
            ok = duet_msgpack_read_ext(r, &type, &p, &n);
            if (ok) {
                duet_msgpack_write_ext_header(w, type, n);
                duet_msgpack_write_raw(w, p, n);
                sb_fmt(d, "e%d:", (int)type);
                sb_hex(d, p, n);
            }
        }
        break;
    }
    case DUET_MSGPACK_ARRAY: {
        uint32_t n;
        ok = duet_msgpack_read_array(r, &n);
        if (!ok)
            break;
        duet_msgpack_write_array(w, n);
        sb_str(d, "[");
        for (uint32_t k = 0; k < n; k++) {
            if (k)
                sb_str(d, ",");
            int err = copy_typed(r, w, d, depth + 1, msg);
            if (err)
                return err;
        }
        sb_str(d, "]");
        break;
    }
    case DUET_MSGPACK_MAP: {
        uint32_t n;
        ok = duet_msgpack_read_map(r, &n);
        if (!ok)
            break;
        duet_msgpack_write_map(w, n);
        sb_str(d, "{");
        for (uint32_t k = 0; k < n; k++) {
            if (k)
                sb_str(d, ",");
            int err = copy_typed(r, w, d, depth + 1, msg);
            if (err)
                return err;
            sb_str(d, "=");
            err = copy_typed(r, w, d, depth + 1, msg);
            if (err)
                return err;
        }
        sb_str(d, "}");
        break;
    }
    default: {
        /* NONE: end of input, an error, or 0xc1. Let read_token say which. */
        duet_msgpack_token t;
        if (duet_msgpack_read_token(r, &t)) {
            sb_str(msg, "peek_type said NONE but read_token succeeded");
            return DUET_ERR_INVALID;
        }
        sb_str(msg, "peek_type: no value");
        return duet_msgpack_reader_error(r) ? duet_msgpack_reader_error(r) : DUET_ERR_INVALID;
    }
    }
    if (!ok) {
        sb_fmt(msg, "typed read of a %s failed", duet_msgpack_type_name(duet_msgpack_peek_type(r)));
        return duet_msgpack_reader_error(r) ? duet_msgpack_reader_error(r) : DUET_ERR_INVALID;
    }
    return DUET_OK;
}

static int copy_mode(void)
{
    size_t size;
    uint8_t *in = read_all(stdin, &size);
    size_t pos = 0;
    size_t cap = 1 << 16;
    uint8_t *out1 = malloc(cap), *out2 = malloc(cap);
    if (!out1 || !out2)
        die("out of memory");
    while (pos < size) {
        if (size - pos < 4)
            die("truncated record header");
        size_t n = ((size_t)in[pos] << 24) | ((size_t)in[pos + 1] << 16) | ((size_t)in[pos + 2] << 8) | in[pos + 3];
        pos += 4;
        if (n > size - pos)
            die("truncated record");
        const uint8_t *rec = in + pos;
        pos += n;
        if (n + 64 > cap) {
            cap = n + 64;
            out1 = realloc(out1, cap);
            out2 = realloc(out2, cap);
            if (!out1 || !out2)
                die("out of memory");
        }
        /* The record alone in its own allocation, so that ASan sees any read past its end. */
        uint8_t *value = malloc(n ? n : 1);
        if (!value)
            die("out of memory");
        memcpy(value, rec, n);

        sbuf msg = {0}, desc = {0};
        size_t fail_off = 0;
        duet_msgpack_writer w1, w2;
        duet_msgpack_writer_init(&w1, out1, cap);
        duet_msgpack_writer_init(&w2, out2, cap);
        int err = copy_tokens(value, n, &w1, &fail_off, &msg);
        if (err == DUET_OK) {
            duet_msgpack_reader r;
            duet_msgpack_reader_init(&r, value, n);
            err = copy_typed(&r, &w2, &desc, 0, &msg);
            fail_off = duet_msgpack_reader_offset(&r);
            if (err == DUET_OK && duet_msgpack_reader_offset(&r) != n) {
                sb_fmt(&msg, "typed copy stopped at %zu", duet_msgpack_reader_offset(&r));
                err = DUET_ERR_INVALID;
            }
            if (err == DUET_OK && duet_msgpack_writer_error(&w2) != DUET_OK) {
                sb_str(&msg, "writer failed in the typed copy");
                err = duet_msgpack_writer_error(&w2);
            }
        }
        if (err == DUET_OK) {
            /* skip agrees on where the value ends. */
            duet_msgpack_reader r;
            duet_msgpack_reader_init(&r, value, n);
            if (!duet_msgpack_skip(&r) || duet_msgpack_reader_offset(&r) != n) {
                fail_off = duet_msgpack_reader_offset(&r);
                sb_fmt(&msg, "skip stopped at %zu with error %d", fail_off, duet_msgpack_reader_error(&r));
                err = duet_msgpack_reader_error(&r) ? duet_msgpack_reader_error(&r) : DUET_ERR_INVALID;
            }
        }
        put32(stdout, (uint32_t)-err);
        put32(stdout, (uint32_t)fail_off);
        if (err == DUET_OK) {
            put_blob(stdout, out1, duet_msgpack_writer_size(&w1));
            put_blob(stdout, out2, duet_msgpack_writer_size(&w2));
            put_blob(stdout, desc.p, desc.len);
        } else {
            put_blob(stdout, msg.p, msg.len);
        }
        free(msg.p);
        free(desc.p);
        free(value);
    }
    free(out1);
    free(out2);
    free(in);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ------------------------------------------------------------ gen mode */

typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t rnd(rng_t *g)
{
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

static const uint64_t u_bounds[] = {
    0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000u, 0xffffffffu,
    0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull};

static const int64_t i_bounds[] = {-1, -31, -32, -33, -128, -129, -32768, -32769, INT32_MIN,
                                   (int64_t)INT32_MIN - 1, INT64_MIN, INT64_MIN + 2};

static void gen_int(rng_t *g, duet_msgpack_writer *w, sbuf *d)
{
    uint32_t r = below(g, 100);
    if (r < 50) {
        uint64_t u;
        if (r < 25)
            u = PICK(g, u_bounds) + (uint64_t)(int64_t)((int)below(g, 5) - 2); /* may wrap at the ends */
        else
            u = rnd(g) >> below(g, 64);
        if (u <= (uint64_t)INT64_MAX && chance(g, 50))
            duet_msgpack_write_int(w, (int64_t)u);
        else
            duet_msgpack_write_uint(w, u);
        sb_fmt(d, "%" PRIu64, u);
    } else {
        int64_t i;
        if (r < 75) {
            i = (int64_t)((uint64_t)PICK(g, i_bounds) + (uint64_t)(int64_t)((int)below(g, 5) - 2));
        } else {
            unsigned shift = below(g, 64);
            i = (int64_t)(rnd(g) << shift) >> shift;
        }
        duet_msgpack_write_int(w, i);
        sb_fmt(d, "%" PRId64, i);
    }
}

static uint32_t gen_len(rng_t *g)
{
    static const uint32_t near[] = {0, 1, 31, 32, 33, 255, 256, 257};
    static const uint32_t big[] = {65535, 65536, 65537};
    uint32_t r = below(g, 1000);
    if (r < 800)
        return below(g, 24);
    if (r < 960)
        return PICK(g, near);
    if (r < 990)
        return 300 + below(g, 3000);
    return PICK(g, big);
}

/* Random valid UTF-8 of exactly len bytes (1 to 4-byte characters, no surrogates). */
static void gen_utf8(rng_t *g, uint8_t *p, uint32_t len)
{
    uint32_t k = 0;
    while (k < len) {
        uint32_t room = len - k;
        uint32_t size = 1 + below(g, 4);
        if (chance(g, 60))
            size = 1;
        if (size > room)
            size = room;
        uint32_t cp;
        switch (size) {
        case 1: cp = below(g, 0x80); break;
        case 2: cp = 0x80 + below(g, 0x800 - 0x80); break;
        case 3:
            do
                cp = 0x800 + below(g, 0x10000 - 0x800);
            while (cp >= 0xd800 && cp <= 0xdfff);
            break;
        default: cp = 0x10000 + below(g, 0x110000 - 0x10000); break;
        }
        switch (size) {
        case 1: p[k] = (uint8_t)cp; break;
        case 2:
            p[k] = (uint8_t)(0xc0 | cp >> 6);
            p[k + 1] = (uint8_t)(0x80 | (cp & 0x3f));
            break;
        case 3:
            p[k] = (uint8_t)(0xe0 | cp >> 12);
            p[k + 1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
            p[k + 2] = (uint8_t)(0x80 | (cp & 0x3f));
            break;
        default:
            p[k] = (uint8_t)(0xf0 | cp >> 18);
            p[k + 1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
            p[k + 2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
            p[k + 3] = (uint8_t)(0x80 | (cp & 0x3f));
            break;
        }
        k += size;
    }
}

static void gen_str(rng_t *g, duet_msgpack_writer *w, sbuf *d, uint32_t len, const char *suffix)
{
    size_t slen = suffix ? strlen(suffix) : 0;
    uint8_t *p = malloc((size_t)len + slen + 1);
    if (!p)
        die("out of memory");
    gen_utf8(g, p, len);
    if (slen)
        memcpy(p + len, suffix, slen);
    size_t n = len + slen;
    p[n] = 0;
    switch (below(g, 3)) {
    case 0: duet_msgpack_write_str(w, (const char *)p, n); break;
    case 1:
        duet_msgpack_write_str_header(w, n);
        duet_msgpack_write_raw(w, p, n);
        break;
    default:
        if (!memchr(p, 0, n))
            duet_msgpack_write_cstr(w, (const char *)p);
        else
            duet_msgpack_write_str(w, (const char *)p, n);
        break;
    }
    sb_str(d, "s:");
    sb_hex(d, p, n);
    free(p);
}

static void gen_bin(rng_t *g, duet_msgpack_writer *w, sbuf *d, uint32_t len, const uint8_t *suffix, size_t slen)
{
    uint8_t *p = malloc((size_t)len + slen + 1);
    if (!p)
        die("out of memory");
    for (uint32_t k = 0; k < len; k++)
        p[k] = (uint8_t)rnd(g);
    if (slen)
        memcpy(p + len, suffix, slen);
    size_t n = len + slen;
    if (chance(g, 50)) {
        duet_msgpack_write_bin(w, p, n);
    } else {
        duet_msgpack_write_bin_header(w, n);
        duet_msgpack_write_raw(w, p, n);
    }
    sb_str(d, "b:");
    sb_hex(d, p, n);
    free(p);
}

static void gen_float(rng_t *g, duet_msgpack_writer *w, sbuf *d, bool f32)
{
    static const uint32_t f_specials[] = {0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
                                          0xffc00000u, 0x7fc12345u, 0x00000001u, 0x007fffffu, 0x00800000u,
                                          0x7f7fffffu, 0x3f800000u, 0xbfc00000u};
    static const uint64_t d_specials[] = {0x0ull, 0x8000000000000000ull, 0x7ff0000000000000ull,
                                          0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000000ull,
                                          0x7ff0000000000001ull, 0x7ff8000000012345ull, 0x1ull,
                                          0x000fffffffffffffull, 0x7fefffffffffffffull, 0x3ff0000000000000ull};
    if (f32) {
        uint32_t bits = chance(g, 30) ? PICK(g, f_specials) : (uint32_t)rnd(g);
        if ((bits & 0x7f800000u) == 0x7f800000u && (bits & 0x007fffffu))
            bits |= 0x00400000u; /* quiet NaN: a signalling one does not survive Python's doubles */
        float f;
        memcpy(&f, &bits, sizeof f);
        duet_msgpack_write_float(w, f);
        desc_f32(d, f);
    } else {
        uint64_t bits = chance(g, 30) ? PICK(g, d_specials) : rnd(g);
        double v;
        memcpy(&v, &bits, sizeof v);
        duet_msgpack_write_double(w, v);
        desc_f64(d, v);
    }
}

static void gen_value(rng_t *g, duet_msgpack_writer *w, sbuf *d, int depth, int *budget, bool f32);

/* A unique map key: an int, a str or a bin (Python keys must be hashable and distinct). */
static void gen_key(rng_t *g, duet_msgpack_writer *w, sbuf *d, uint32_t index, int64_t *ints, uint32_t *nints)
{
    switch (below(g, 3)) {
    case 0: {
        int64_t k;
        bool dup;
        do {
            k = chance(g, 50) ? (int64_t)below(g, 40) - 8 : (int64_t)rnd(g);
            dup = false;
            for (uint32_t j = 0; j < *nints; j++)
                dup = dup || ints[j] == k;
        } while (dup);
        ints[(*nints)++] = k;
        duet_msgpack_write_int(w, k);
        sb_fmt(d, "%" PRId64, k);
        break;
    }
    case 1: {
        char suffix[16];
        snprintf(suffix, sizeof suffix, "#%" PRIu32, index);
        gen_str(g, w, d, below(g, 40), suffix);
        break;
    }
    default: {
        uint8_t suffix[4];
        duet_msgpack_store32(suffix, index);
        gen_bin(g, w, d, below(g, 8), suffix, 4);
        break;
    }
    }
}

static void gen_value(rng_t *g, duet_msgpack_writer *w, sbuf *d, int depth, int *budget, bool f32)
{
    --*budget;
    if (depth < 6 && *budget > 0 && chance(g, depth == 0 ? 50 : 22)) {
        static const uint32_t edge[] = {15, 16, 17};
        uint32_t r = below(g, 1000);
        uint32_t n = r < 750 ? below(g, 6) : r < 900 ? PICK(g, edge) : r < 997 || depth > 0 ? below(g, 40) : 65536;
        bool small = n == 65536;
        bool map = chance(g, 50);
        int64_t *ints = NULL;
        uint32_t nints = 0;
        if (map) {
            duet_msgpack_write_map(w, n);
            ints = malloc(sizeof *ints * (n ? n : 1));
            if (!ints)
                die("out of memory");
            sb_str(d, "{");
        } else {
            duet_msgpack_write_array(w, n);
            sb_str(d, "[");
        }
        for (uint32_t k = 0; k < n; k++) {
            if (k)
                sb_str(d, ",");
            if (map) {
                if (small) {
                    duet_msgpack_write_uint(w, k);
                    sb_fmt(d, "%" PRIu32, k);
                } else {
                    gen_key(g, w, d, k, ints, &nints);
                }
                sb_str(d, "=");
            }
            if (small) {
                int64_t v = (int64_t)below(g, 300) - 100;
                duet_msgpack_write_int(w, v);
                sb_fmt(d, "%" PRId64, v);
            } else {
                gen_value(g, w, d, depth + 1, budget, f32);
            }
        }
        sb_str(d, map ? "}" : "]");
        free(ints);
        return;
    }
    switch (below(g, 9)) {
    case 0:
        duet_msgpack_write_nil(w);
        sb_str(d, "nil");
        break;
    case 1: {
        bool b = chance(g, 50);
        duet_msgpack_write_bool(w, b);
        sb_str(d, b ? "true" : "false");
        break;
    }
    case 2: case 3: gen_int(g, w, d); break;
    case 4: gen_float(g, w, d, f32); break;
    case 5: gen_str(g, w, d, gen_len(g), NULL); break;
    case 6: gen_bin(g, w, d, gen_len(g), NULL, 0); break;
    case 7: {
        static const uint32_t ext_lens[] = {0, 1, 2, 3, 4, 5, 8, 12, 16, 17, 255, 256};
        uint32_t n = chance(g, 70) ? PICK(g, ext_lens) : gen_len(g);
        int8_t type = (int8_t)below(g, 128); /* Python's ExtType takes 0..127 only */
        uint8_t *p = malloc((size_t)n + 1);
        if (!p)
            die("out of memory");
        for (uint32_t k = 0; k < n; k++)
            p[k] = (uint8_t)rnd(g);
        if (chance(g, 50)) {
            duet_msgpack_write_ext(w, type, p, n);
        } else {
            duet_msgpack_write_ext_header(w, type, n);
            duet_msgpack_write_raw(w, p, n);
        }
        sb_fmt(d, "e%d:", (int)type);
        sb_hex(d, p, n);
        free(p);
        break;
    }
    default: {
        static const int64_t secs[] = {0, 1, 0xffffffffll, 0x100000000ll, (1ll << 34) - 1, 1ll << 34, -1,
                                       INT64_MIN, INT64_MAX, 1700000000ll};
        static const uint32_t nsecs[] = {0, 1, 999999999u};
        int64_t sec = chance(g, 50) ? PICK(g, secs) : (int64_t)(rnd(g) >> below(g, 64));
        uint32_t nsec = chance(g, 50) ? PICK(g, nsecs) : below(g, 1000000000u);
        duet_msgpack_write_timestamp(w, sec, nsec);
        sb_fmt(d, "t%" PRId64 ".%" PRIu32, sec, nsec);
        break;
    }
    }
}

static int gen_mode(uint64_t seed, long count)
{
    rng_t g = {seed};
    size_t cap = 1 << 16;
    uint8_t *buf = malloc(cap);
    if (!buf)
        die("out of memory");
    for (long i = 0; i < count; i++) {
        bool f32 = chance(&g, 30);
        rng_t saved = g;
        sbuf d = {0};
        duet_msgpack_writer w;
        for (;;) {
            int budget = 400;
            d.len = 0;
            duet_msgpack_writer_init(&w, buf, cap);
            gen_value(&g, &w, &d, 0, &budget, f32);
            if (duet_msgpack_writer_error(&w) != DUET_ERR_NOSPACE)
                break;
            /* Too small: the same value again (same PRNG state) into a bigger buffer. */
            g = saved;
            cap *= 2;
            free(buf);
            buf = malloc(cap);
            if (!buf)
                die("out of memory");
        }
        if (duet_msgpack_writer_error(&w) != DUET_OK) {
            fprintf(stderr, "interop_msgpack_helper: value %ld: writer error %d\n", i, duet_msgpack_writer_error(&w));
            return 1;
        }
        uint8_t flag = f32;
        if (fwrite(&flag, 1, 1, stdout) != 1)
            die("write failed");
        put_blob(stdout, buf, duet_msgpack_writer_size(&w));
        put_blob(stdout, d.p ? d.p : "", d.len);
        free(d.p);
    }
    free(buf);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "copy") == 0)
        return copy_mode();
    if (argc == 4 && strcmp(argv[1], "gen") == 0)
        return gen_mode(strtoull(argv[2], NULL, 0), strtol(argv[3], NULL, 0));
    fprintf(stderr, "usage: %s copy < records\n       %s gen SEED COUNT\n", argv[0], argv[0]);
    return 2;
}

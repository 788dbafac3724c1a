/*
 * bench_codec.c - duet's MessagePack codec against msgpack-c, on one msgpack-RPC request.
 *
 *   bench_codec CASE [N]
 *
 * CASE is one of the names in the table at the end (encode-duet, decode-msgpack_c, empty, ...),
 * or "check", which runs every case once natively and verifies its output. N is the number
 * of messages in the measured loop (default 10000).
 *
 * Each case handles one message [0, 1, "add", [1, 2]] per call. The program first runs the
 * case a few times unmeasured (so that one-time work - lazy symbol binding, msgpack-c's first
 * zone chunk and sbuffer allocation - stays out of the figure), then runs it N times between
 * two CALLGRIND_TOGGLE_COLLECT requests. Run it under
 *
 *   valgrind --tool=callgrind --collect-atstart=no bench_codec CASE N
 *
 * and the collected instruction count (callees included) is N times the per-message work
 * plus the loop's own overhead; scripts/bench.sh subtracts the "empty" case (the same loop
 * calling a function that does nothing) and divides by N.
 *
 * Keeping the work honest:
 *  - each case is a noinline function called through a volatile function pointer, so the
 *    compiler neither hoists it out of the loop nor specialises it for the loop;
 *  - every input (msgid, method name and its length, parameters, the encoded bytes) is read
 *    from a context the compiler cannot see through, as the RPC layer would get them;
 *  - every output (encoded bytes, decoded fields) is written to that context, and after the
 *    measured loop main() compares them with the expected values and aborts if they differ.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <valgrind/callgrind.h>

#include "duet/msgpack.h"

#define NOINLINE __attribute__((noinline, noclone))

/* The message: [type = 0 (request), msgid = 1, method = "add", params = [1, 2]]. */
static const uint8_t expected_bytes[] = {0x94, 0x00, 0x01, 0xa3, 'a', 'd', 'd', 0x92, 0x01, 0x02};

typedef struct decoded {
    uint32_t type;
    uint32_t msgid;
    const char *method; /* points into the input: no copy */
    uint32_t method_len;
    int64_t a, b;
} decoded;

typedef struct bench_ctx {
    /* encoder inputs */
    uint32_t msgid;
    const char *method;
    uint32_t method_len;
    int64_t a, b;
    /* encoder output (duet writes here; msgpack-c writes into sbuf and out_ptr points there) */
    uint8_t out[64];
    const uint8_t *out_ptr;
    size_t out_len;
    /* decoder input and output */
    const uint8_t *in;
    size_t in_len;
    decoded dec;
    /* msgpack-c state, set up once and reused by every message */
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
    msgpack_zone zone;
    msgpack_unpacked unpacked;
} bench_ctx;

static bench_ctx ctx;

/* ------------------------------------------------------------------ encode */

NOINLINE static int encode_duet(bench_ctx *c)
{
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, c->out, sizeof c->out);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 0);
    duet_msgpack_write_uint(&w, c->msgid);
    duet_msgpack_write_str(&w, c->method, c->method_len);
    duet_msgpack_write_array(&w, 2);
    duet_msgpack_write_int(&w, c->a);
    duet_msgpack_write_int(&w, c->b);
    c->out_ptr = c->out;
    c->out_len = duet_msgpack_writer_size(&w);
    return duet_msgpack_writer_error(&w) == DUET_OK;
}

/*
 * msgpack-c's packer as its documentation and examples use it for speed: a msgpack_sbuffer
 * with the inline msgpack_sbuffer_write callback, the packer and buffer set up once and the
 * buffer emptied with msgpack_sbuffer_clear() before each message. After the first message
 * the buffer never reallocates, so each pack call is the inlined packer plus one indirect
 * call to sbuffer_write (a bounds check and a memcpy) - the same work a hand-written
 * fixed-buffer callback would do (the "encode-msgpack_c-fixed" case measures that variant;
 * it is within an instruction or two per call), without leaving msgpack-c's documented path.
 * The pack functions are static inline in msgpack-c's headers, so they are compiled here
 * at -O2; the msgid goes through the narrower msgpack_pack_uint32 (duet's writer takes
 * uint64), the parameters through msgpack_pack_int64 as they are int64 values here.
 */
NOINLINE static int encode_msgpack_c(bench_ctx *c)
{
    msgpack_packer packer, *pk = &packer;
    msgpack_packer_init(pk, &c->sbuf, msgpack_sbuffer_write);
    msgpack_sbuffer_clear(&c->sbuf);
    if (msgpack_pack_array(pk, 4) != 0 || msgpack_pack_int(pk, 0) != 0 ||
        msgpack_pack_uint32(pk, c->msgid) != 0 || msgpack_pack_str(pk, c->method_len) != 0 ||
        msgpack_pack_str_body(pk, c->method, c->method_len) != 0 || msgpack_pack_array(pk, 2) != 0 ||
        msgpack_pack_int64(pk, c->a) != 0 || msgpack_pack_int64(pk, c->b) != 0)
        return 0;
    c->out_ptr = (const uint8_t *)c->sbuf.data;
    c->out_len = c->sbuf.size;
    return 1;
}

/* The variant: a packer whose callback appends to a fixed array (no sbuffer). */
typedef struct fixed_buf {
    uint8_t data[64];
    size_t size;
} fixed_buf;

static fixed_buf fixed;

static int fixed_write(void *data, const char *buf, size_t len)
{
    fixed_buf *f = (fixed_buf *)data;
    if (len > sizeof f->data - f->size)
        return -1;
    memcpy(f->data + f->size, buf, len);
    f->size += len;
    return 0;
}

NOINLINE static int encode_msgpack_c_global(bench_ctx *c)
{
    msgpack_packer *pk = &c->pk;
    msgpack_sbuffer_clear(&c->sbuf);
    if (msgpack_pack_array(pk, 4) != 0 || msgpack_pack_int(pk, 0) != 0 ||
        msgpack_pack_uint32(pk, c->msgid) != 0 || msgpack_pack_str(pk, c->method_len) != 0 ||
        msgpack_pack_str_body(pk, c->method, c->method_len) != 0 || msgpack_pack_array(pk, 2) != 0 ||
        msgpack_pack_int64(pk, c->a) != 0 || msgpack_pack_int64(pk, c->b) != 0)
        return 0;
    c->out_ptr = (const uint8_t *)c->sbuf.data;
    c->out_len = c->sbuf.size;
    return 1;
}

NOINLINE static int encode_msgpack_c_fixed(bench_ctx *c)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, &fixed, fixed_write);
    fixed.size = 0;
    if (msgpack_pack_array(&pk, 4) != 0 || msgpack_pack_int(&pk, 0) != 0 ||
        msgpack_pack_uint32(&pk, c->msgid) != 0 || msgpack_pack_str(&pk, c->method_len) != 0 ||
        msgpack_pack_str_body(&pk, c->method, c->method_len) != 0 || msgpack_pack_array(&pk, 2) != 0 ||
        msgpack_pack_int64(&pk, c->a) != 0 || msgpack_pack_int64(&pk, c->b) != 0)
        return 0;
    c->out_ptr = fixed.data;
    c->out_len = fixed.size;
    return 1;
}

/* ------------------------------------------------------------------ decode */

/* duet: typed reads straight off the bytes, one error check at the end (the error is sticky). */
NOINLINE static int decode_duet(bench_ctx *c)
{
    duet_msgpack_reader r;
    uint32_t n = 0, nparams = 0;
    decoded *d = &c->dec;
    duet_msgpack_reader_init(&r, c->in, c->in_len);
    (void)duet_msgpack_read_array(&r, &n);
    (void)duet_msgpack_read_u32(&r, &d->type);
    (void)duet_msgpack_read_u32(&r, &d->msgid);
    (void)duet_msgpack_read_str(&r, &d->method, &d->method_len);
    (void)duet_msgpack_read_array(&r, &nparams);
    (void)duet_msgpack_read_i64(&r, &d->a);
    (void)duet_msgpack_read_i64(&r, &d->b);
    return duet_msgpack_reader_error(&r) == DUET_OK && n == 4 && nparams == 2 &&
           duet_msgpack_reader_remaining(&r) == 0; /* as msgpack_unpack checks */
}

/* Reads an integer object as int64 (msgpack-c stores non-negative values as POSITIVE_INTEGER). */
static inline int object_i64(const msgpack_object *o, int64_t *out)
{
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= (uint64_t)INT64_MAX) {
        *out = (int64_t)o->via.u64;
        return 1;
    }
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return 1;
    }
    return 0;
}

static inline int object_u32(const msgpack_object *o, uint32_t *out)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 > UINT32_MAX)
        return 0;
    *out = (uint32_t)o->via.u64;
    return 1;
}

/* The fields of a request out of msgpack-c's object tree, with the checks its union needs. */
static inline int fields_from_object(const msgpack_object *obj, decoded *d)
{
    if (obj->type != MSGPACK_OBJECT_ARRAY || obj->via.array.size != 4)
        return 0;
    const msgpack_object *e = obj->via.array.ptr;
    if (!object_u32(&e[0], &d->type) || !object_u32(&e[1], &d->msgid) || e[2].type != MSGPACK_OBJECT_STR ||
        e[3].type != MSGPACK_OBJECT_ARRAY || e[3].via.array.size != 2)
        return 0;
    d->method = e[2].via.str.ptr;
    d->method_len = e[2].via.str.size;
    const msgpack_object *p = e[3].via.array.ptr;
    return object_i64(&p[0], &d->a) && object_i64(&p[1], &d->b);
}

/*
 * msgpack-c at its fastest: msgpack_unpack() into one zone that lives as long as the
 * benchmark and is emptied with msgpack_zone_clear() before each message. clear keeps the
 * zone's first chunk, so after the first message unpacking allocates nothing. The
 * msgpack_unpacked / msgpack_unpack_next() pair the documentation leads with frees its zone
 * and mallocs a new one (zone header and an 8 KiB chunk) on every call, which costs far more
 * per small message; the "decode-msgpack_c-next" case measures it for comparison.
 */
NOINLINE static int decode_msgpack_c(bench_ctx *c)
{
    msgpack_object obj;
    size_t off = 0;
    msgpack_zone_clear(&c->zone);
    if (msgpack_unpack((const char *)c->in, c->in_len, &off, &c->zone, &obj) != MSGPACK_UNPACK_SUCCESS)
        return 0;
    return fields_from_object(&obj, &c->dec);
}

NOINLINE static int decode_msgpack_c_next(bench_ctx *c)
{
    size_t off = 0;
    if (msgpack_unpack_next(&c->unpacked, (const char *)c->in, c->in_len, &off) != MSGPACK_UNPACK_SUCCESS ||
        off != c->in_len)
        return 0;
    return fields_from_object(&c->unpacked.data, &c->dec);
}

/* ------------------------------------------------------------------ driver */

NOINLINE static int empty(bench_ctx *c)
{
    __asm__ volatile("" : : "r"(c) : "memory");
    return 1;
}

typedef enum { KIND_EMPTY, KIND_ENCODE, KIND_DECODE } case_kind;

typedef struct bench_case {
    const char *name;
    int (*fn)(bench_ctx *);
    case_kind kind;
} bench_case;

static const bench_case cases[] = {
    {"empty", empty, KIND_EMPTY},
    {"encode-duet", encode_duet, KIND_ENCODE},
    {"encode-msgpack_c", encode_msgpack_c, KIND_ENCODE},
    {"encode-msgpack_c-fixed", encode_msgpack_c_fixed, KIND_ENCODE},
    {"encode-msgpack_c-global", encode_msgpack_c_global, KIND_ENCODE},
    {"decode-duet", decode_duet, KIND_DECODE},
    {"decode-msgpack_c", decode_msgpack_c, KIND_DECODE},
    {"decode-msgpack_c-next", decode_msgpack_c_next, KIND_DECODE},
};
#define NCASES (sizeof cases / sizeof cases[0])

static int (*volatile case_fn)(bench_ctx *);

static void fail(const char *name, const char *what)
{
    fprintf(stderr, "bench_codec: %s: %s\n", name, what);
    abort();
}

/* Resets the inputs from volatile copies, so the compiler knows none of them. */
static void setup(void)
{
    static volatile uint32_t v_msgid = 1;
    static volatile int64_t v_a = 1, v_b = 2;
    static volatile uint32_t v_len = 3;
    static const char *volatile v_method = "add";
    static const uint8_t *volatile v_in = expected_bytes;

    ctx.msgid = v_msgid;
    ctx.method = v_method;
    ctx.method_len = v_len;
    ctx.a = v_a;
    ctx.b = v_b;
    ctx.in = v_in;
    ctx.in_len = sizeof expected_bytes;
    msgpack_sbuffer_init(&ctx.sbuf);
    msgpack_packer_init(&ctx.pk, &ctx.sbuf, msgpack_sbuffer_write);
    if (!msgpack_zone_init(&ctx.zone, MSGPACK_ZONE_CHUNK_SIZE))
        fail("setup", "msgpack_zone_init failed");
    msgpack_unpacked_init(&ctx.unpacked);
}

static void teardown(void)
{
    msgpack_unpacked_destroy(&ctx.unpacked);
    msgpack_zone_destroy(&ctx.zone);
    msgpack_sbuffer_destroy(&ctx.sbuf);
}

/* Checks what the last call of a case produced; aborts on any difference. */
static void verify(const bench_case *bc)
{
    switch (bc->kind) {
    case KIND_EMPTY:
        break;
    case KIND_ENCODE:
        if (ctx.out_len != sizeof expected_bytes || memcmp(ctx.out_ptr, expected_bytes, sizeof expected_bytes) != 0)
            fail(bc->name, "encoded bytes differ from 94 00 01 a3 61 64 64 92 01 02");
        break;
    case KIND_DECODE:
        if (ctx.dec.type != 0 || ctx.dec.msgid != 1 || ctx.dec.method_len != 3 ||
            memcmp(ctx.dec.method, "add", 3) != 0 || ctx.dec.a != 1 || ctx.dec.b != 2)
            fail(bc->name, "decoded fields differ from [0, 1, \"add\", [1, 2]]");
        if (ctx.dec.method < (const char *)ctx.in || ctx.dec.method >= (const char *)ctx.in + ctx.in_len)
            fail(bc->name, "method name does not point into the input");
        break;
    }
}

static void clear_outputs(void)
{
    memset(ctx.out, 0, sizeof ctx.out);
    ctx.out_ptr = NULL;
    ctx.out_len = 0;
    memset(&ctx.dec, 0xff, sizeof ctx.dec);
    ctx.dec.method = NULL;
}

/* The measured loop: only what runs between the two toggles is counted. */
NOINLINE static void measure(unsigned long n)
{
    CALLGRIND_TOGGLE_COLLECT;
    for (unsigned long i = 0; i < n; i++) {
        if (!case_fn(&ctx))
            abort();
    }
    CALLGRIND_TOGGLE_COLLECT;
}

static int run_case(const bench_case *bc, unsigned long n)
{
    case_fn = bc->fn;
    clear_outputs();
    for (int i = 0; i < 16; i++) { /* warm-up, not measured */
        if (!case_fn(&ctx))
            fail(bc->name, "failed during warm-up");
    }
    verify(bc);
    clear_outputs();
    measure(n);
    verify(bc);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s CASE|check [N]\ncases:", argv[0]);
        for (size_t i = 0; i < NCASES; i++)
            fprintf(stderr, " %s", cases[i].name);
        fprintf(stderr, "\n");
        return 2;
    }
    unsigned long n = 10000;
    if (argc == 3) {
        char *end;
        n = strtoul(argv[2], &end, 10);
        if (*argv[2] == '\0' || *end != '\0' || n == 0) {
            fprintf(stderr, "bench_codec: N must be a positive integer\n");
            return 2;
        }
    }
    setup();
    int found = 0;
    for (size_t i = 0; i < NCASES; i++) {
        if (strcmp(argv[1], "check") == 0 || strcmp(argv[1], cases[i].name) == 0) {
            run_case(&cases[i], strcmp(argv[1], "check") == 0 ? 1 : n);
            found = 1;
        }
    }
    teardown();
    if (!found) {
        fprintf(stderr, "bench_codec: unknown case '%s'\n", argv[1]);
        return 2;
    }
    if (strcmp(argv[1], "check") == 0)
        printf("bench_codec: all %zu cases produce [0, 1, \"add\", [1, 2]]\n", NCASES);
    return 0;
}

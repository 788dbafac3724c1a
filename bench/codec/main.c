/*
 * main.c - the codec benchmark's driver: duet's MessagePack codec against msgpack-c, on one
 * msgpack-RPC request, [0, 1, "add", [1, 2]].
 *
 *   bench_codec CASE [N]     run CASE on N messages (default 10000) for callgrind to count
 *   bench_codec check        run every case natively and verify what it produces
 *
 * The program first runs the case a few times unmeasured (so that one-time work - lazy
 * symbol binding, msgpack-c's first zone chunk and sbuffer allocation - stays out of the
 * figure), then runs it N times between two CALLGRIND_TOGGLE_COLLECT requests. Under
 *
 *   valgrind --tool=callgrind --collect-atstart=no bench_codec CASE N
 *
 * the instruction count collected (callees included) is N times the per-message work plus
 * the loop's own overhead; scripts/bench.sh subtracts the "empty" case (the same loop calling
 * a function that does nothing) and divides by N.
 *
 * Keeping the work honest:
 *  - each case is a noinline function in its own file, called through a volatile function
 *    pointer, so the compiler can neither hoist it out of the loop nor specialise it;
 *  - every input (msgid, method name and its length, parameters, the encoded bytes) comes
 *    from volatile variables into the context, as the RPC layer would get them at run time;
 *  - every output (encoded bytes, decoded fields) goes to the context, and after the warm-up
 *    and again after the measured loop it is compared with the expected values (abort if
 *    they differ); the outputs are wiped in between, so the measured loop must produce them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>

#include "bench_codec.h"

/* The message: [type = 0 (request), msgid = 1, method = "add", params = [1, 2]]. */
static const uint8_t expected_bytes[] = {0x94, 0x00, 0x01, 0xa3, 'a', 'd', 'd', 0x92, 0x01, 0x02};

static bench_ctx ctx;

/* The baseline: what the loop costs with no work in it. */
static BENCH_NOINLINE int empty(bench_ctx *c)
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
    {"encode-msgpack_c-template", encode_msgpack_c_template, KIND_ENCODE},
    {"encode-msgpack_c-sbuffer", encode_msgpack_c_sbuffer, KIND_ENCODE},
    {"encode-msgpack_c-sbuffer-kept", encode_msgpack_c_sbuffer_kept, KIND_ENCODE},
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

static void setup(void)
{
    static volatile uint32_t v_msgid = 1;
    static volatile int64_t v_a = 1, v_b = 2;
    static volatile uint32_t v_len = 3;
    static const char *volatile v_method = "add";
    static const uint8_t *volatile v_in = expected_bytes;
    static volatile size_t v_in_len = sizeof expected_bytes;

    ctx.msgid = v_msgid;
    ctx.method = v_method;
    ctx.method_len = v_len;
    ctx.a = v_a;
    ctx.b = v_b;
    ctx.in = v_in;
    ctx.in_len = v_in_len;
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

static void clear_outputs(void)
{
    memset(ctx.out, 0, sizeof ctx.out);
    if (ctx.sbuf.data)
        memset(ctx.sbuf.data, 0, ctx.sbuf.alloc);
    ctx.out_ptr = NULL;
    ctx.out_len = 0;
    memset(&ctx.dec, 0xff, sizeof ctx.dec);
    ctx.dec.method = NULL;
}

/* Checks what the last call of a case produced; aborts on any difference. */
static void verify(const bench_case *bc)
{
    switch (bc->kind) {
    case KIND_EMPTY:
        break;
    case KIND_ENCODE:
        if (ctx.out_ptr == NULL || ctx.out_len != sizeof expected_bytes ||
            memcmp(ctx.out_ptr, expected_bytes, sizeof expected_bytes) != 0)
            fail(bc->name, "encoded bytes differ from 94 00 01 a3 61 64 64 92 01 02");
        break;
    case KIND_DECODE:
        if (ctx.dec.type != 0 || ctx.dec.msgid != 1 || ctx.dec.method_len != 3 || ctx.dec.method == NULL ||
            memcmp(ctx.dec.method, "add", 3) != 0 || ctx.dec.a != 1 || ctx.dec.b != 2)
            fail(bc->name, "decoded fields differ from [0, 1, \"add\", [1, 2]]");
        if (ctx.dec.method < (const char *)ctx.in || ctx.dec.method + 3 > (const char *)ctx.in + ctx.in_len)
            fail(bc->name, "method name does not point into the input (a copy?)");
        break;
    }
}

/* The measured loop: only what runs between the two toggles is counted. */
static BENCH_NOINLINE void measure(unsigned long n)
{
    CALLGRIND_TOGGLE_COLLECT;
    for (unsigned long i = 0; i < n; i++) {
        if (!case_fn(&ctx))
            abort();
    }
    CALLGRIND_TOGGLE_COLLECT;
}

static void run_case(const bench_case *bc, unsigned long n)
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
    int check = strcmp(argv[1], "check") == 0;
    unsigned long n = 10000;
    if (argc == 3) {
        char *end;
        n = strtoul(argv[2], &end, 10);
        if (*argv[2] == '\0' || *end != '\0' || n == 0) {
            fprintf(stderr, "bench_codec: N must be a positive integer\n");
            return 2;
        }
    }
    const bench_case *chosen = NULL;
    for (size_t i = 0; i < NCASES; i++) {
        if (strcmp(argv[1], cases[i].name) == 0)
            chosen = &cases[i];
    }
    if (!check && !chosen) {
        fprintf(stderr, "bench_codec: unknown case '%s'\n", argv[1]);
        return 2;
    }
    setup();
    if (check) {
        for (size_t i = 0; i < NCASES; i++)
            run_case(&cases[i], 1);
        printf("bench_codec: all %zu cases produce [0, 1, \"add\", [1, 2]]\n", NCASES);
    } else {
        run_case(chosen, n);
    }
    teardown();
    return 0;
}

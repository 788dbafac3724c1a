/* bench_codec.h - what the codec benchmark's cases share: the context and the case functions. */
#ifndef BENCH_CODEC_H
#define BENCH_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

/* Each case is its own translation unit (no LTO), so the compiler can neither see the
 * driver's loop from inside a case nor let one case's inlining decisions depend on another
 * case's code. noinline keeps this so should the build ever add LTO. */
#ifdef __clang__
#define BENCH_NOINLINE __attribute__((noinline)) /* noclone is GCC's alone */
#else
#define BENCH_NOINLINE __attribute__((noinline, noclone))
#endif

/* The fields of a request [type, msgid, method, [a, b]] as a decoder delivers them. */
typedef struct decoded {
    uint32_t type;
    uint32_t msgid;
    const char *method; /* points into the input: no copy */
    uint32_t method_len;
    int64_t a, b;
} decoded;

typedef struct bench_ctx {
    /* encoder inputs, loaded from volatiles: the compiler knows none of them */
    uint32_t msgid;
    const char *method;
    uint32_t method_len;
    int64_t a, b;
    /* encoder output: the bytes are at out_ptr (c->out, or an sbuffer's data) */
    uint8_t out[64];
    const uint8_t *out_ptr;
    size_t out_len;
    /* decoder input and output */
    const uint8_t *in;
    size_t in_len;
    decoded dec;
    /* msgpack-c state, set up once and reused by every message */
    msgpack_sbuffer sbuf;
    msgpack_packer pk; /* writes into sbuf */
    msgpack_zone zone;
    msgpack_unpacked unpacked;
} bench_ctx;

/* One message per call; each returns nonzero on success. */
int encode_duet(bench_ctx *c);
int encode_msgpack_c(bench_ctx *c);
int encode_msgpack_c_template(bench_ctx *c);
int encode_msgpack_c_sbuffer(bench_ctx *c);
int encode_msgpack_c_sbuffer_kept(bench_ctx *c);
int decode_duet(bench_ctx *c);
int decode_msgpack_c(bench_ctx *c);
int decode_msgpack_c_next(bench_ctx *c);

#endif

/* bench_rpc.h - what the rpc benchmark's files share: the two engines and the call functions. */
#ifndef BENCH_RPC_H
#define BENCH_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "duet/link_mem.h"
#include "duet/rpc.h"

/* The calls live in their own translation unit (no LTO), called through a volatile function
 * pointer; noinline keeps this so should the build ever add LTO. */
#ifdef __clang__
#define BENCH_NOINLINE __attribute__((noinline)) /* noclone is GCC's alone */
#else
#define BENCH_NOINLINE __attribute__((noinline, noclone))
#endif

/* Sizes as the rpc unit tests use them (tests/rpc/fixture.h). */
#define BENCH_QUEUE 4096
#define BENCH_TX 2048
#define BENCH_RESULT (DUET_RPC_MAX_INFLIGHT * 256)
#define BENCH_MAX_MESSAGE 256

/* One end: its link, the link's receive queue, and the engine with its buffers. */
typedef struct bench_side {
    duet_link_mem link;
    uint8_t queue[BENCH_QUEUE];
    uint8_t tx[BENCH_TX];
    uint8_t result[BENCH_RESULT];
    duet_rpc rpc;
} bench_side;

typedef struct bench_ctx {
    /* inputs, loaded from volatiles: the compiler knows none of them */
    duet_rpc *rpc;          /* the caller, A */
    const char *method;     /* "add" */
    const char *signature; /* "ii:i" */
    int a, b;               /* 1, 2 */
    int32_t expect;         /* a + b */
    /* output: the result of the last call */
    int32_t sum;
} bench_ctx;

/* One synchronous add(a, b) on A, result in c->sum; returns duet_rpc_call's code. */
int call_add(bench_ctx *c);
/* The baseline: stores c->expect in c->sum as a call would, and does nothing else. */
int call_empty(bench_ctx *c);

#endif

/* call.c - the measured call, in its own translation unit: one duet_rpc_call("add", "ii:i")
 * on engine A over the in-memory pair, and the empty call that the baseline loop makes. */
#include "bench_rpc.h"

BENCH_NOINLINE int call_add(bench_ctx *c)
{
    return duet_rpc_call(c->rpc, c->method, c->signature, c->a, c->b, &c->sum);
}

BENCH_NOINLINE int call_empty(bench_ctx *c)
{
    c->sum = c->expect;
    __asm__ volatile("" : : "r"(c) : "memory");
    return DUET_OK;
}

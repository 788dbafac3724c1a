/* trace_link.h - a duet_link that forwards to another and prints every message that
 * passes, decoded, one line each (duet-rpc --trace). */
#ifndef DUET_RPC_TRACE_LINK_H
#define DUET_RPC_TRACE_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "duet/link.h"

/*
 * Lines look like:
 *   duet-rpc call: trace +0.012s -> request id=0 method=add params=[1, 2]
 *   duet-rpc call: trace +0.013s <- response id=0 result=3
 *   duet-rpc call: trace +0.013s <- response id=1 error="rpclib: server could not find ..."
 *   duet-rpc serve: trace +0.020s <- notification method=log params=["hello"]
 *   duet-rpc serve: trace +0.021s <- not msgpack-RPC (4 bytes): [5, 1, 2]
 *   duet-rpc serve: trace +0.022s <- too large (1048590 bytes or more): [0, 1, "echo", [...
 *   duet-rpc serve: trace +0.023s !! notification log failed: ...
 * ("duet-rpc call" is the name given to trace_link_init).
 * Values are JSON as duet-rpc prints them; one longer than max_json bytes is cut and
 * ends in "...(N bytes)".
 */
typedef struct trace_link {
    duet_link link;        /* what the layer above uses; first member */
    duet_link *inner;
    FILE *out;
    const char *name;
    uint32_t t0;
    size_t max_json;
    bool held;             /* the layer above refused a message: the link offers it again */
    size_t held_len;       /* ... this long */
    uint64_t held_sum;     /* ... with this checksum (trace_sum) */
} trace_link;

/* Wraps inner: attach the layer above to &t->link. */
void trace_link_init(trace_link *t, duet_link *inner, FILE *out, const char *name, size_t max_json);

/* Prints text as a trace line: "duet-rpc serve: trace +0.021s !! TEXT". */
void trace_note(trace_link *t, const char *text);

/* Prints the messages in data (one or more) as trace lines, dir "->" or "<-". */
void trace_print(trace_link *t, const char *dir, const uint8_t *data, size_t len, const char *suffix);

#endif

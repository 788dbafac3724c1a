/* endpoint.h - one msgpack-RPC engine over one byte stream, with duet-rpc's built-ins and
 * plugins bound: what `duet-rpc call` uses once and `duet-rpc serve` once per connection. */
#ifndef DUET_RPC_ENDPOINT_H
#define DUET_RPC_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "builtins.h"
#include "duet/link_bytes.h"
#include "duet/posix/bytes_fd.h"
#include "duet/rpc.h"
#include "trace_link.h"

/* The largest message either way, the frames nested calls may stack in the tx buffer, and
 * the receive buffer: room for the message a handler works on and the next one (its nested
 * call's answer), whatever their sizes. */
#define MAX_MESSAGE (1u << 20)
#define TX_FRAMES 8
#define RX_BUFFER (2u * MAX_MESSAGE)
#define MAX_PLUGINS 16
#define TRACE_MAX_JSON 2000

typedef int (*register_fn)(duet_rpc *rpc);

/* Asked before each message the byte link hands up: false holds it back in the link, which
 * offers it again at a later poll (and delivers nothing after it meanwhile). */
typedef bool (*endpoint_admit_fn)(void *ctx);

/* Shown each message the byte link hands up, before the layer above takes it. */
typedef void (*endpoint_watch_fn)(void *ctx, const uint8_t *msg, size_t len);

/* What the command line says about every endpoint. */
typedef struct tool_options {
    bool tracing;
    uint32_t timeout_ms;
    unsigned baud;
    const char *plugin_path[MAX_PLUGINS];
    register_fn plugin_register[MAX_PLUGINS];
    unsigned plugins;
} tool_options;

typedef struct endpoint {
    duet_bytes_fd fd;
    duet_link_bytes bytes;
    trace_link trace;
    duet_link *link;          /* what the engine uses: bytes, or trace around it */
    duet_rpc rpc;
    builtin_host host;
    uint8_t *mem;             /* rx, tx and result buffers, one allocation */
    char name[64];            /* "duet-rpc serve", "duet-rpc serve #3": trace and messages */
    bool input_broken;        /* the input ended inside a message, or declared one too large to skip */
    endpoint_admit_fn admit;  /* the gate above the byte link (endpoint_gate); NULL: none */
    void *admit_ctx;
    endpoint_watch_fn watch;  /* the watch above the byte link (endpoint_watch); NULL: none */
    void *watch_ctx;
    duet_link_deliver_fn above_deliver; /* the layer the gate hands admitted messages to */
    duet_link_dropped_fn above_dropped;
    void *above;
} endpoint;

/*
 * Sets up e over (rfd, wfd): the link, the engine, the built-ins and the plugins. Bad input
 * (bytes that are not MessagePack, messages over the limit, input that ends inside a message)
 * and notifications that failed are said on stderr, one sentence each. io, if not
 * NULL, replaces the plain descriptor io (its ctx is the caller's; it may call the
 * duet_bytes_fd_* functions on &e->fd). @retval 0, or -1 with the reason on stderr (nothing
 * is left to free).
 */
int endpoint_open(endpoint *e, const tool_options *o, int rfd, int wfd, const char *name, const duet_bytes_io *io);

/* Puts a gate between the byte link and the layer above it (the trace or the engine): each
 * message goes up only when admit(ctx) says so, else it waits in the link, in order, with
 * what follows it (the link's deliver() may refuse; it offers the message again at the
 * next poll). The head of a message over the limit still goes up at once (the engine
 * answers it with one small error). Call it once, after endpoint_open. */
void endpoint_gate(endpoint *e, endpoint_admit_fn admit, void *ctx);

/* Shows watch(ctx, ...) every message the byte link hands up, before the layer above (the
 * trace or the engine) takes it. Call it once, after endpoint_open, not with endpoint_gate. */
void endpoint_watch(endpoint *e, endpoint_watch_fn watch, void *ctx);

/* Frees what endpoint_open allocated (the descriptors stay the caller's). */
void endpoint_free(endpoint *e);

#endif

/* endpoint.c - one engine over one byte stream, built-ins and plugins bound. */
#include "endpoint.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TX_SIZE ((size_t)TX_FRAMES * MAX_MESSAGE)
#define RESULT_SIZE ((size_t)DUET_RPC_MAX_INFLIGHT * MAX_MESSAGE)

/* The first bytes of a note as hex, "c1 c1", with " ..." when there were more. */
static void hex_bytes(char *out, size_t cap, const duet_bytes_note *n)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n->len && at + 4 < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, i ? " %02x" : "%02x", n->bytes[i]);
    if (n->size > n->len && at + 5 < cap)
        snprintf(out + at, cap - at, " ...");
}

/* The link's report of bad input, as one sentence on stderr. */
static void endpoint_note(void *ctx, const duet_bytes_note *n)
{
    endpoint *e = (endpoint *)ctx;
    char bytes[80];
    hex_bytes(bytes, sizeof bytes, n);
    switch (n->kind) {
    case DUET_BYTES_GARBAGE:
        fprintf(stderr, "%s: skipped %" PRIu64 " byte%s that %s not MessagePack (%s) at byte %" PRIu64 " of the input\n",
                e->name, n->size, n->size == 1 ? "" : "s", n->size == 1 ? "is" : "are", bytes, n->offset);
        break;
    case DUET_BYTES_OVERSIZED:
        fprintf(stderr, "%s: skipped a message of %" PRIu64 " bytes or more at byte %" PRIu64 " (%s): over the limit of %zu bytes per message\n",
                e->name, n->size, n->offset, bytes, n->limit);
        break;
    case DUET_BYTES_REFUSED:
        e->input_broken = true;
        /* Refused while it was skipped, it has no bytes here: they went with its first note. */
        fprintf(stderr, "%s: the message at byte %" PRIu64 "%s%s%s declares %" PRIu64 " bytes, too large to skip (the limit is %zu "
                "bytes per message; skipping it would take what follows as its body): no more input is read. Send messages of at most %zu bytes.\n",
                e->name, n->offset, n->len ? " (" : "", n->len ? bytes : "", n->len ? ")" : "", n->size, n->limit, n->limit);
        break;
    case DUET_BYTES_TRUNCATED:
        e->input_broken = true;
        fprintf(stderr, "%s: the input ended inside a message: the %" PRIu64 " bytes of it that arrived (%s, at byte %" PRIu64 ") were dropped. "
                "Send every message whole.\n", e->name, n->size, bytes, n->offset);
        break;
    }
}

/* What the engine cannot answer (a notification that failed): stderr, or the trace. */
static void endpoint_report(void *ctx, const char *text)
{
    endpoint *e = (endpoint *)ctx;
    if (e->link == &e->trace.link)
        trace_note(&e->trace, text);
    else
        fprintf(stderr, "%s: %s\n", e->name, text);
}

int endpoint_open(endpoint *e, const tool_options *o, int rfd, int wfd, const char *name, const duet_bytes_io *io)
{
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    /* Untouched pages of a large allocation cost no memory: a connection that never sends a
     * large message never uses more than a few pages of these. */
    e->mem = malloc(RX_BUFFER + TX_SIZE + RESULT_SIZE);
    if (!e->mem) {
        fprintf(stderr, "%s: out of memory for a connection's buffers\n", e->name);
        return -1;
    }
    duet_bytes_fd_init(&e->fd, rfd, wfd);
    duet_bytes_io fd_io = duet_bytes_fd_io(&e->fd);
    duet_link_bytes_init(&e->bytes, io ? io : &fd_io, e->mem, RX_BUFFER, MAX_MESSAGE);
    duet_link_bytes_on_note(&e->bytes, endpoint_note, e);
    e->link = &e->bytes.link;
    if (o->tracing) {
        trace_link_init(&e->trace, e->link, stderr, e->name, TRACE_MAX_JSON);
        e->link = &e->trace.link;
    }
    duet_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buffer = e->mem + RX_BUFFER;
    cfg.tx_size = TX_SIZE;
    cfg.result_buffer = e->mem + RX_BUFFER + TX_SIZE;
    cfg.result_size = RESULT_SIZE;
    cfg.timeout_ms = o->timeout_ms;
    cfg.max_message = MAX_MESSAGE;
    cfg.report = endpoint_report;
    cfg.report_arg = e;
    if (duet_rpc_init(&e->rpc, e->link, &cfg) != DUET_OK) {
        fprintf(stderr, "%s: %s\n", e->name, duet_rpc_error_text(&e->rpc));
        goto fail;
    }
    e->host.bytes = &e->bytes;
    e->host.timeout_ms = o->timeout_ms;
    if (builtins_bind(&e->rpc, &e->host) != DUET_OK)
        goto fail;
    for (unsigned i = 0; i < o->plugins; i++) {
        int err = o->plugin_register[i](&e->rpc);
        if (err < 0) {
            fprintf(stderr, "duet-rpc: --load %s: duet_rpc_register failed: %s (%s)\n", o->plugin_path[i],
                    duet_strerror(err), duet_rpc_error_text(&e->rpc));
            goto fail;
        }
    }
    return 0;
fail:
    endpoint_free(e);
    return -1;
}

/* The byte link delivers here when a gate or a watch is set: up to the layer above if
 * admitted, shown to the watch first. */
static bool gate_deliver(void *up, const uint8_t *data, size_t len)
{
    endpoint *e = (endpoint *)up;
    if (e->admit && !e->admit(e->admit_ctx))
        return false;
    if (e->watch)
        e->watch(e->watch_ctx, data, len);
    return e->above_deliver(e->above, data, len);
}

/* A message over the limit passes the gate: the layer above answers it by its msgid. */
static void gate_dropped(void *up, const uint8_t *head, size_t head_len, uint64_t size, size_t limit)
{
    endpoint *e = (endpoint *)up;
    if (e->above_dropped)
        e->above_dropped(e->above, head, head_len, size, limit);
}

/* Puts gate_deliver between the byte link and the layer above. */
static void intercept(endpoint *e)
{
    duet_link *l = &e->bytes.link;
    e->above_deliver = l->deliver;
    e->above_dropped = l->dropped;
    e->above = l->up;
    duet_link_attach(l, gate_deliver, e);
    duet_link_attach_dropped(l, gate_dropped);
}

void endpoint_gate(endpoint *e, endpoint_admit_fn admit, void *ctx)
{
    e->admit = admit;
    e->admit_ctx = ctx;
    intercept(e);
}

void endpoint_watch(endpoint *e, endpoint_watch_fn watch, void *ctx)
{
    e->watch = watch;
    e->watch_ctx = ctx;
    intercept(e);
}

void endpoint_free(endpoint *e)
{
    free(e->mem);
    e->mem = NULL;
}

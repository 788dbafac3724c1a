/* endpoint.c - one engine over one byte stream, built-ins and plugins bound. */
#include "endpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TX_SIZE ((size_t)TX_FRAMES * MAX_MESSAGE)
#define RESULT_SIZE ((size_t)DUET_RPC_MAX_INFLIGHT * MAX_MESSAGE)

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

void endpoint_free(endpoint *e)
{
    free(e->mem);
    e->mem = NULL;
}

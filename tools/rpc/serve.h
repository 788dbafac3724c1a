/* serve.h - `duet-rpc serve`: one poll loop answering calls on stdio, a serial port, or any
 * number of TCP connections at once. */
#ifndef DUET_RPC_SERVE_H
#define DUET_RPC_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "endpoint.h"

/* Exit status of serve when the input was broken: it ended inside a message, or a message
 * declared a size too large to skip (the link was closed). */
#define EXIT_BAD_INPUT 4

/* Exit status of serve --tcp --once when its client was dropped by --write-timeout: it read
 * nothing while responses waited, and they were lost; and of serve on stdio or a serial
 * port whose responses could not be written (a full disk, an I/O error; not EPIPE). */
#define EXIT_DROPPED 5

/* Most TCP connections served at once (more wait in the listen queue). */
#define SERVE_MAX_CONNS 128

typedef struct serve_config {
    tool_options tool;
    uint32_t idle_ms;   /* a TCP connection silent this long is closed (0: never) */
    uint32_t write_timeout_ms; /* a TCP connection whose responses wait unread this long is
                                * dropped (0: never) */
    bool once;          /* TCP: serve one connection, then exit with its status */
} serve_config;

/* Serves the stream (rfd, wfd) until it ends. @retval the exit status: 0, EXIT_BAD_INPUT,
 * EXIT_DROPPED (a write failed), or 3 if the engine could not be set up. */
int serve_stream(const serve_config *cfg, int rfd, int wfd);

/* Serves every connection to listen_fd until SIGINT or SIGTERM (exit status 0), or with
 * cfg->once the first one only (its status); after the signal, sends the responses its
 * clients' buffers still hold (a second signal, or --write-timeout, drops them). Closes
 * listen_fd. */
int serve_tcp(const serve_config *cfg, int listen_fd);

#endif

/* serve.c - duet-rpc serve: one poll loop over every connection, an engine for each. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* While a handler waits (a nested call, sleep_ms), the loop runs inside it to serve the other
 * connections; those handlers may wait in turn. Past this depth only the waiting one is read. */
#define MAX_NESTED_LOOPS 16
/* How long a write to a TCP client that reads nothing may block before it is dropped. */
#define WRITE_TIMEOUT_MS 10000

typedef struct server server;

typedef struct conn {
    endpoint ep;
    server *srv;
    bool busy;             /* inside duet_rpc_poll: its handlers may be running */
    bool ended;            /* input over and everything answered, or dropped */
    bool owns_fd;          /* a TCP socket, closed when the connection ends */
    int status;            /* its exit status (serve_stream, --once) */
    uint32_t last_input;   /* when bytes last arrived (idle timeout) */
} conn;

struct server {
    const serve_config *cfg;
    int listen_fd;         /* -1: none (stdio, serial port, or --once after its connection) */
    conn *conns[SERVE_MAX_CONNS];
    unsigned accepted;
    unsigned depth;        /* loops running inside handlers */
    int last_status;       /* the status of the last connection that ended */
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* SIGINT and SIGTERM end serve_tcp's loop (poll returns EINTR: no SA_RESTART). */
static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void server_step(server *s, uint32_t timeout_ms, conn *waiting);

/* ------------------------------------------------------------ a connection's io */

static long conn_read(void *ctx, uint8_t *buf, size_t cap)
{
    conn *c = (conn *)ctx;
    long n = duet_bytes_fd_read(&c->ep.fd, buf, cap);
    if (n > 0)
        c->last_input = duet_posix_now_ms();
    return n;
}

static int conn_write(void *ctx, const uint8_t *data, size_t len)
{
    conn *c = (conn *)ctx;
    return duet_bytes_fd_write(&c->ep.fd, data, len);
}

/* The engine waits (a handler's nested call): serve the others meanwhile. */
static void conn_wait(void *ctx, uint32_t timeout_ms)
{
    conn *c = (conn *)ctx;
    server_step(c->srv, timeout_ms, c);
}

static uint32_t conn_now(void *ctx)
{
    (void)ctx;
    return duet_posix_now_ms();
}

/* sleep_ms: the others are served while this connection's handler sleeps. */
static void conn_sleep(builtin_host *host, uint32_t ms)
{
    conn *c = (conn *)((char *)host - offsetof(conn, ep.host));
    uint32_t start = duet_posix_now_ms();
    for (;;) {
        uint32_t elapsed = duet_posix_now_ms() - start;
        if (elapsed >= ms)
            return;
        server_step(c->srv, ms - elapsed, NULL);
    }
}

/* ------------------------------------------------------------ connections */

static conn *conn_open(server *s, int rfd, int wfd, const char *name, bool owns_fd)
{
    conn *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "%s: out of memory\n", name);
        return NULL;
    }
    duet_bytes_io io = {conn_read, conn_write, conn_wait, conn_now, c};
    if (endpoint_open(&c->ep, &s->cfg->tool, rfd, wfd, name, &io) != 0) {
        free(c);
        return NULL;
    }
    c->ep.host.sleep_ms = conn_sleep;
    c->srv = s;
    c->owns_fd = owns_fd;
    c->last_input = duet_posix_now_ms();
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++)
        if (!s->conns[i]) {
            s->conns[i] = c;
            return c;
        }
    endpoint_free(&c->ep); /* callers check for room first */
    free(c);
    return NULL;
}

/* The connection is over: its socket is closed now, its memory at the next reap. */
static void conn_end(server *s, conn *c, int status)
{
    c->ended = true;
    c->status = status;
    s->last_status = status;
    if (c->owns_fd && c->ep.fd.read_fd >= 0) {
        close(c->ep.fd.read_fd);
        c->ep.fd.read_fd = c->ep.fd.write_fd = -1;
    }
}

/* Frees the connections that ended; only at the top of the loop, where no handler runs. */
static void server_reap(server *s)
{
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++) {
        conn *c = s->conns[i];
        if (c && c->ended && !c->busy) {
            endpoint_free(&c->ep);
            free(c);
            s->conns[i] = NULL;
        }
    }
}

static unsigned server_count(const server *s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++)
        n += s->conns[i] != NULL;
    return n;
}

/* Handles what arrived on c; ends it when its input is over and everything is answered. */
static void conn_serve(server *s, conn *c)
{
    c->busy = true;
    s->depth++;
    int n = duet_rpc_poll(&c->ep.rpc);
    s->depth--;
    c->busy = false;
    if (n == DUET_ERR_LINK_DOWN)
        conn_end(s, c, c->ep.input_broken ? EXIT_BAD_INPUT : 0);
}

static void server_accept(server *s)
{
    int fd = duet_posix_tcp_accept(s->listen_fd);
    if (fd < 0) {
        fprintf(stderr, "duet-rpc serve: %s\n", duet_posix_error_text());
        return;
    }
    /* Non-blocking, so that a client that stops reading is dropped after WRITE_TIMEOUT_MS
     * instead of stopping everyone. */
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    char name[48];
    snprintf(name, sizeof name, "duet-rpc serve #%u", s->accepted + 1);
    conn *c = conn_open(s, fd, fd, name, true);
    if (!c) {
        close(fd);
        return;
    }
    c->ep.fd.write_timeout_ms = WRITE_TIMEOUT_MS;
    s->accepted++;
    if (s->cfg->once) {
        close(s->listen_fd);
        s->listen_fd = -1;
    }
}

/* Closes the connections that sent nothing for idle_ms and have nothing in flight. Returns
 * the milliseconds until the next one would be due (UINT32_MAX: none). */
static uint32_t server_idle(server *s, conn *waiting)
{
    uint32_t idle = s->cfg->idle_ms, next = UINT32_MAX;
    if (!idle)
        return next;
    uint32_t now = duet_posix_now_ms();
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++) {
        conn *c = s->conns[i];
        if (!c || c->ended || c->busy || c == waiting)
            continue;
        uint32_t quiet = now - c->last_input;
        if (quiet >= idle) {
            fprintf(stderr, "%s: closed: no input for %u ms (--idle-timeout)\n", c->ep.name, (unsigned)quiet);
            conn_end(s, c, 0);
        } else if (idle - quiet < next) {
            next = idle - quiet;
        }
    }
    return next;
}

/*
 * One turn of the loop: waits up to timeout_ms for input on any connection that is not
 * inside a handler (or for a new connection), and serves what came. With waiting (a
 * connection whose handler waits for its nested call), returns as soon as that one has input.
 */
static void server_step(server *s, uint32_t timeout_ms, conn *waiting)
{
    struct pollfd p[SERVE_MAX_CONNS + 1];
    conn *who[SERVE_MAX_CONNS + 1];
    nfds_t n = 0;
    bool others = s->depth < MAX_NESTED_LOOPS;
    uint32_t next_idle = others ? server_idle(s, waiting) : UINT32_MAX;
    if (next_idle < timeout_ms)
        timeout_ms = next_idle;
    if (others && s->listen_fd >= 0 && server_count(s) < SERVE_MAX_CONNS) {
        p[n] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN, .revents = 0};
        who[n++] = NULL;
    }
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++) {
        conn *c = s->conns[i];
        if (c && !c->ended && (c == waiting || (others && !c->busy))) {
            p[n] = (struct pollfd){.fd = c->ep.fd.read_fd, .events = POLLIN, .revents = 0};
            who[n++] = c;
        }
    }
    if (poll(p, n, timeout_ms > 60000 ? 60000 : (int)timeout_ms) <= 0)
        return; /* timeout, or EINTR (a stop signal) */
    for (nfds_t k = 0; k < n; k++) {
        if (!p[k].revents)
            continue;
        conn *c = who[k];
        if (!c)
            server_accept(s);
        else if (c != waiting && !c->busy && !c->ended)
            conn_serve(s, c);
    }
}

/* ------------------------------------------------------------ the two modes */

int serve_stream(const serve_config *cfg, int rfd, int wfd)
{
    serve_config one = *cfg;
    one.idle_ms = 0; /* the one stream is served until it ends, however quiet */
    server s;
    memset(&s, 0, sizeof s);
    s.cfg = &one;
    s.listen_fd = -1;
    conn *c = conn_open(&s, rfd, wfd, "duet-rpc serve", false);
    if (!c)
        return 3;
    /* The stream may already hold input (a pipe written before we started): serve it. */
    conn_serve(&s, c);
    while (!c->ended)
        server_step(&s, 60000, NULL);
    int status = c->status;
    server_reap(&s);
    return status;
}

int serve_tcp(const serve_config *cfg, int listen_fd)
{
    server s;
    memset(&s, 0, sizeof s);
    s.cfg = cfg;
    s.listen_fd = listen_fd;
    catch_stop_signals();
    while (!stop_requested) {
        server_step(&s, 60000, NULL);
        server_reap(&s);
        if (cfg->once && s.accepted > 0 && server_count(&s) == 0)
            break;
    }
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++)
        if (s.conns[i])
            conn_end(&s, s.conns[i], 0);
    server_reap(&s);
    if (s.listen_fd >= 0)
        close(s.listen_fd);
    return cfg->once ? s.last_status : 0;
}

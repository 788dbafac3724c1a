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
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* While a handler waits (a nested call, sleep_ms), the loop runs inside it to serve the other
 * connections; those handlers may wait in turn. Past this depth only the waiting one is read. */
#define MAX_NESTED_LOOPS 16
/* What a TCP connection's output buffer holds at most: what its socket has not taken yet.
 * A few messages: while it holds anything the connection's requests are not served, so it
 * fills past one response only when a handler sends more than one message. */
#define OUT_CAP ((size_t)4 * MAX_MESSAGE)
_Static_assert(OUT_CAP >= MAX_MESSAGE, "the output buffer takes any one message");
/* A server that keeps reaching SERVE_MAX_CONNS says so at most once a minute. */
#define FULL_SAY_AGAIN_MS 60000u
/* After a stop signal, how often a socket whose last bytes its client has not received yet
 * is looked at again. */
#define LINGER_LOOK_MS 20

typedef struct server server;

typedef struct conn {
    endpoint ep;
    server *srv;
    bool busy;             /* inside duet_rpc_poll: its handlers may be running */
    bool ended;            /* input over and everything answered, or dropped */
    bool owns_fd;          /* a TCP socket, closed when the connection ends */
    bool closing;          /* input over and everything answered: ends once out is sent */
    bool out_failed;       /* a send failed (the client is gone): nothing more goes out */
    int write_errno;       /* stdio, a serial port: why a write failed (0: none did) */
    int status;            /* its exit status (serve_stream, --once) */
    uint32_t last_input;   /* when bytes last arrived (idle timeout) */
    uint8_t *out;          /* TCP: output the socket has not taken yet, [out_head, out_len);
                            * NULL: writes block (stdio, a serial port) */
    size_t out_head;
    size_t out_len;
    uint32_t out_moved;    /* when out last moved, or began to hold something (write timeout) */
    bool lingering;        /* after a stop signal: all sent, its socket still holds some */
    int unacked;           /* then what its socket holds that the client has not received */
} conn;

struct server {
    const serve_config *cfg;
    int listen_fd;         /* -1: none (stdio, serial port, or --once after its connection) */
    conn *conns[SERVE_MAX_CONNS];
    unsigned accepted;
    unsigned depth;        /* loops running inside handlers */
    int last_status;       /* the status of the last connection that ended */
    bool full_said;        /* "serving the most connections" was said ... */
    uint32_t full_said_at; /* ... at this time (said again FULL_SAY_AGAIN_MS later at most) */
};

/* How many stop signals came: the first stops serving, the second the sending too. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    if (stop_requested < 2)
        stop_requested++;
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

/* ------------------------------------------------------------ a TCP connection's output */

/* Whether output waits in c's buffer for its socket. */
static bool conn_pending(const conn *c)
{
    return c->out_len > c->out_head;
}

/* The admission test of c's gate: its requests are served only while nothing waits to go
 * out (backpressure: a client that does not read has its requests wait, unread). */
static bool conn_admits(void *ctx)
{
    return !conn_pending((const conn *)ctx);
}

/* Sends what c's socket takes now, without waiting. @retval the bytes sent, or -1 when the
 * send failed (the client is gone: c sends nothing more). */
static long conn_send_now(conn *c, const uint8_t *data, size_t len)
{
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = send(c->ep.fd.write_fd, data + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0)
            sent += (size_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        else {
            c->ep.fd.last_errno = n < 0 ? errno : EIO;
            c->out_failed = true;
            c->out_head = c->out_len = 0;
            return -1;
        }
    }
    return (long)sent;
}

/* Sends what c's buffer holds, as far as the socket takes it. Output that moves restarts
 * the write timeout; once all of it is out, the idle timeout starts again too (the client
 * had answers in flight until then). */
static void conn_flush(conn *c)
{
    long n = conn_send_now(c, c->out + c->out_head, c->out_len - c->out_head);
    if (n <= 0)
        return;
    uint32_t now = duet_posix_now_ms();
    c->out_head += (size_t)n;
    c->out_moved = now;
    if (!conn_pending(c)) {
        c->out_head = c->out_len = 0;
        c->last_input = now;
    }
}

/* The bytes c's buffer can still take. */
static size_t conn_room(const conn *c)
{
    return OUT_CAP - (c->out_len - c->out_head);
}

/* Appends len bytes (conn_room has room for them) behind what c's buffer holds. */
static void conn_queue(conn *c, const uint8_t *data, size_t len)
{
    if (!conn_pending(c))
        c->out_moved = duet_posix_now_ms();
    if (OUT_CAP - c->out_len < len) {
        memmove(c->out, c->out + c->out_head, c->out_len - c->out_head);
        c->out_len -= c->out_head;
        c->out_head = 0;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
}

/* A handler sends more than c's buffer has room for: runs the loop (the others are served,
 * c's buffer drains as its client reads) until it has. False when c was dropped meanwhile
 * (its output did not move for the write timeout), its client went away, or a stop signal
 * came (the server is ending). */
static bool conn_wait_room(conn *c, size_t len)
{
    while (!c->ended && !c->out_failed && !stop_requested && conn_room(c) < len)
        server_step(c->srv, UINT32_MAX, c);
    return !c->ended && !c->out_failed && conn_room(c) >= len;
}

/*
 * The engine's write. stdio and a serial port block until all is written. A TCP
 * connection never blocks the loop: what its socket does not take now waits in its buffer,
 * behind what waits there already, and goes out as the socket drains (server_step). Every
 * message is taken whole, so none is lost or cut while the connection lives.
 */
static int conn_write(void *ctx, const uint8_t *data, size_t len)
{
    conn *c = (conn *)ctx;
    if (!c->out) {
        int err = duet_bytes_fd_write(&c->ep.fd, data, len);
        if (err == DUET_ERR_LINK_DOWN && !c->write_errno)
            c->write_errno = c->ep.fd.last_errno ? c->ep.fd.last_errno : EIO;
        return err;
    }
    if (c->ended || c->out_failed)
        return DUET_ERR_LINK_DOWN;
    if (!conn_pending(c)) {
        long n = conn_send_now(c, data, len);
        if (n < 0)
            return DUET_ERR_LINK_DOWN;
        data += n;
        len -= (size_t)n;
        if (!len)
            return DUET_OK;
    }
    if (!conn_wait_room(c, len))
        return DUET_ERR_LINK_DOWN;
    conn_queue(c, data, len);
    return DUET_OK;
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

/* sleep_ms: the others are served while this connection's handler sleeps. A stop signal
 * ends the sleep (false): the server ends promptly, whatever the sleep asked for. */
static bool conn_sleep(builtin_host *host, uint32_t ms)
{
    conn *c = (conn *)((char *)host - offsetof(conn, ep.host));
    uint32_t start = duet_posix_now_ms();
    for (;;) {
        if (stop_requested)
            return false;
        uint32_t elapsed = duet_posix_now_ms() - start;
        if (elapsed >= ms)
            return true;
        server_step(c->srv, ms - elapsed, NULL);
    }
}

/* call_back's wait asks this: it ends once a stop signal came. */
static bool conn_stopping(builtin_host *host)
{
    (void)host;
    return stop_requested != 0;
}

/* ------------------------------------------------------------ connections */

/* Frees c and what it holds. */
static void conn_free(conn *c)
{
    endpoint_free(&c->ep);
    free(c->out);
    free(c);
}

/* Opens a connection over (rfd, wfd). A TCP one (owns_fd) gets an output buffer (its
 * untouched pages cost no memory) and the gate that holds its requests back while output
 * waits in it. */
static conn *conn_open(server *s, int rfd, int wfd, const char *name, bool owns_fd)
{
    conn *c = calloc(1, sizeof *c);
    if (c && owns_fd && !(c->out = malloc(OUT_CAP))) {
        free(c);
        c = NULL;
    }
    if (!c) {
        fprintf(stderr, "%s: out of memory\n", name);
        return NULL;
    }
    duet_bytes_io io = {conn_read, conn_write, conn_wait, conn_now, c};
    if (endpoint_open(&c->ep, &s->cfg->tool, rfd, wfd, name, &io) != 0) {
        free(c->out);
        free(c);
        return NULL;
    }
    if (c->out)
        endpoint_gate(&c->ep, conn_admits, c);
    c->ep.host.sleep_ms = conn_sleep;
    c->ep.host.stopping = conn_stopping;
    c->srv = s;
    c->owns_fd = owns_fd;
    c->last_input = duet_posix_now_ms();
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++)
        if (!s->conns[i]) {
            s->conns[i] = c;
            return c;
        }
    conn_free(c); /* callers check for room first */
    return NULL;
}

/* The connection is over: its socket is closed now (what its buffer holds is dropped), its
 * memory freed at the next reap. */
static void conn_end(server *s, conn *c, int status)
{
    c->ended = true;
    c->closing = false;
    c->out_head = c->out_len = 0;
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
            conn_free(c);
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

/* c's input is over and everything is answered: it ends once its buffer is sent. */
static void conn_finish(server *s, conn *c, int status)
{
    if (!conn_pending(c)) {
        conn_end(s, c, status);
        return;
    }
    c->closing = true;
    c->status = status;
}

/* The exit status of c when its link went down: its input was broken, or (stdio, a serial
 * port) its input could not be read or its responses could not be written, which is said
 * here; a reader that went away (EPIPE) ends the stream as the end of its input does, and so
 * does a terminal or serial port that hung up (EIO). */
static int conn_down_status(const conn *c)
{
    if (c->ep.input_broken)
        return EXIT_BAD_INPUT;
    int read_errno = c->ep.fd.last_errno;
    if (!c->write_errno && !c->owns_fd && read_errno && read_errno != EIO) {
        fprintf(stderr, "%s: its input could not be read (%s): nothing more is served\n", c->ep.name,
                strerror(read_errno));
        return EXIT_BAD_INPUT;
    }
    if (!c->write_errno || c->write_errno == EPIPE)
        return 0;
    fprintf(stderr, "%s: its responses could not be written (%s): they are lost, and nothing more is served\n",
            c->ep.name, strerror(c->write_errno));
    return EXIT_DROPPED;
}

/* Handles what arrived on c; ends it when its input is over and everything is answered. */
static void conn_serve(server *s, conn *c)
{
    c->busy = true;
    s->depth++;
    int n = duet_rpc_poll(&c->ep.rpc);
    s->depth--;
    c->busy = false;
    if (n == DUET_ERR_LINK_DOWN && !c->ended)
        conn_finish(s, c, conn_down_status(c));
}

/* c's socket takes output again: sends what waits. Once all of it is out, c ends if it was
 * closing, else what its input holds is served (the gate held it back), unless c is busy
 * (its engine polls itself once its handler's wait returns) or the loop is nested too deep. */
static void conn_writable(server *s, conn *c, conn *waiting, bool others)
{
    conn_flush(c);
    if (conn_pending(c))
        return;
    if (c->closing)
        conn_end(s, c, c->status);
    else if (c != waiting && !c->busy && others)
        conn_serve(s, c);
}

/* Says on stderr when the server has just taken its SERVE_MAX_CONNS-th connection: the
 * next clients wait in the listen queue, unanswered, until one ends (at most once a
 * minute, so that a server that stays at the limit does not fill its log). */
static void server_say_full(server *s)
{
    uint32_t now = duet_posix_now_ms();
    if (server_count(s) < SERVE_MAX_CONNS || (s->full_said && now - s->full_said_at < FULL_SAY_AGAIN_MS))
        return;
    fprintf(stderr,
            "duet-rpc serve: serving %d connections, the most it serves at once: new clients wait to be "
            "accepted until one of these ends\n",
            SERVE_MAX_CONNS);
    s->full_said = true;
    s->full_said_at = now;
}

static void server_accept(server *s)
{
    int fd = duet_posix_tcp_accept(s->listen_fd);
    if (fd < 0) {
        fprintf(stderr, "duet-rpc serve: %s\n", duet_posix_error_text());
        return;
    }
    /* Non-blocking: what the socket does not take waits in the connection's buffer. */
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
    s->accepted++;
    server_say_full(s);
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
        if (!c || c->ended || c->busy || c == waiting || conn_pending(c))
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

/* Drops c, saying why on stderr: its client read nothing for ms while bytes of responses
 * waited for it (--write-timeout). It ends with EXIT_DROPPED: responses were lost. */
static void conn_drop(server *s, conn *c, uint32_t ms, size_t bytes)
{
    fprintf(stderr, "%s: dropped: it read nothing for %u ms while %zu bytes of responses waited (--write-timeout)\n",
            c->ep.name, (unsigned)ms, bytes);
    conn_end(s, c, EXIT_DROPPED);
}

/* Drops the connections whose buffered output did not move for the write timeout (their
 * clients read nothing). Returns the milliseconds until the next one would be due
 * (UINT32_MAX: none). */
static uint32_t server_drop_stuck(server *s)
{
    uint32_t limit = s->cfg->write_timeout_ms, next = UINT32_MAX;
    if (!limit)
        return next;
    uint32_t now = duet_posix_now_ms();
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++) {
        conn *c = s->conns[i];
        if (!c || c->ended || !conn_pending(c))
            continue;
        uint32_t still = now - c->out_moved;
        if (still >= limit) {
            conn_drop(s, c, still, c->out_len - c->out_head);
        } else if (limit - still < next) {
            next = limit - still;
        }
    }
    return next;
}

/* Whether c is watched for input in this turn of the loop: not while its output waits
 * (backpressure), nor inside a handler unless it is the one waiting. */
static bool conn_reads(const conn *c, const conn *waiting, bool others)
{
    return !conn_pending(c) && (c == waiting || (others && !c->busy));
}

/*
 * One turn of the loop: waits up to timeout_ms for input on any connection that is not
 * inside a handler (or for a new connection), or for room in the socket of any connection
 * whose output waits, and serves or sends what is due. With waiting (a connection whose
 * handler waits for its nested call, or for room for its output), returns as soon as that
 * one has input or took output. Sleeps in poll(): never spins.
 */
static void server_step(server *s, uint32_t timeout_ms, conn *waiting)
{
    struct pollfd p[SERVE_MAX_CONNS + 1];
    conn *who[SERVE_MAX_CONNS + 1];
    nfds_t n = 0;
    bool others = s->depth < MAX_NESTED_LOOPS;
    uint32_t next_idle = others ? server_idle(s, waiting) : UINT32_MAX;
    uint32_t next_drop = server_drop_stuck(s);
    if (next_idle < timeout_ms)
        timeout_ms = next_idle;
    if (next_drop < timeout_ms)
        timeout_ms = next_drop;
    if (others && s->listen_fd >= 0 && server_count(s) < SERVE_MAX_CONNS) {
        p[n] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN, .revents = 0};
        who[n++] = NULL;
    }
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++) {
        conn *c = s->conns[i];
        if (!c || c->ended)
            continue;
        /* Sending runs no handler: any connection's output goes out, busy or not. */
        if (conn_pending(c))
            p[n] = (struct pollfd){.fd = c->ep.fd.write_fd, .events = POLLOUT, .revents = 0};
        else if (conn_reads(c, waiting, others))
            p[n] = (struct pollfd){.fd = c->ep.fd.read_fd, .events = POLLIN, .revents = 0};
        else
            continue;
        who[n++] = c;
    }
    /* Nothing to watch outside any handler: the timeouts above ended the last connection of
     * --once (its listening socket is closed); the caller ends the loop. */
    if (n == 0 && s->depth == 0)
        return;
    if (poll(p, n, timeout_ms > 60000 ? 60000 : (int)timeout_ms) <= 0)
        return; /* timeout, or EINTR (a stop signal) */
    for (nfds_t k = 0; k < n; k++) {
        if (!p[k].revents)
            continue;
        conn *c = who[k];
        if (!c)
            server_accept(s);
        else if (c->ended)
            continue; /* ended by a handler that ran in this turn */
        else if (p[k].events & POLLOUT)
            conn_writable(s, c, waiting, others);
        else if (c != waiting && !c->busy)
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

/* The bytes c's socket has taken but its client has not yet acknowledged (0 if unknown). */
static int conn_unacked(const conn *c)
{
    int queued = 0;
    if (ioctl(c->ep.fd.write_fd, SIOCOUTQ, &queued) != 0)
        return 0;
    return queued;
}

/* After its last response went to c's socket, with some of it not yet received: no more
 * output (the client reads the end of the stream once it has read everything), and what the
 * client still sends is read and dropped: a socket closed with unread input is reset, and
 * a reset throws away what the client has not received yet. */
static void conn_linger(conn *c, int unacked)
{
    shutdown(c->ep.fd.write_fd, SHUT_WR);
    c->lingering = true;
    c->unacked = unacked;
    c->out_moved = duet_posix_now_ms();
}

/* Whether c, lingering, is done: its client has received everything or went away, or
 * received nothing for the write timeout (then dropped: conn_drop). Reads and drops what
 * the client sent meanwhile. */
static bool conn_lingered(server *s, conn *c)
{
    uint8_t sink[4096];
    ssize_t n;
    while ((n = recv(c->ep.fd.read_fd, sink, sizeof sink, MSG_DONTWAIT)) > 0) {
    }
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        return true;
    int unacked = conn_unacked(c);
    uint32_t now = duet_posix_now_ms(), limit = s->cfg->write_timeout_ms;
    if (unacked != c->unacked) {
        c->unacked = unacked;
        c->out_moved = now;
    } else if (unacked && limit && now - c->out_moved >= limit) {
        conn_drop(s, c, now - c->out_moved, (size_t)unacked);
        return true;
    }
    return unacked == 0;
}

/*
 * One turn of the drain after a stop signal over the connections whose output still waits
 * in their buffer (sent as their sockets take it) or in their sockets (lingering: dropped
 * input read). True while any does. Lingering sockets are looked at every LINGER_LOOK_MS
 * (the kernel says nothing when a client receives); output that does not move for the
 * write timeout is dropped as always.
 */
static bool server_drain_step(server *s)
{
    struct pollfd p[SERVE_MAX_CONNS];
    conn *who[SERVE_MAX_CONNS];
    nfds_t n = 0;
    uint32_t timeout_ms = server_drop_stuck(s);
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++) {
        conn *c = s->conns[i];
        if (!c || c->ended)
            continue;
        int unacked = c->lingering || conn_pending(c) ? 0 : conn_unacked(c);
        if (c->lingering ? conn_lingered(s, c) : !conn_pending(c) && !unacked) {
            if (!c->ended)
                conn_end(s, c, c->closing ? c->status : 0);
            continue;
        }
        if (unacked)
            conn_linger(c, unacked);
        bool out = !c->lingering;
        p[n] = (struct pollfd){.fd = out ? c->ep.fd.write_fd : c->ep.fd.read_fd, .events = out ? POLLOUT : POLLIN,
                               .revents = 0};
        who[n++] = c;
        if (!out && timeout_ms > LINGER_LOOK_MS)
            timeout_ms = LINGER_LOOK_MS;
    }
    if (!n)
        return false;
    if (poll(p, n, timeout_ms > 60000 ? 60000 : (int)timeout_ms) > 0)
        for (nfds_t k = 0; k < n; k++)
            if ((p[k].revents & POLLOUT) && !who[k]->ended)
                conn_flush(who[k]);
    return true;
}

/* After a stop signal: no connection is accepted and no request served any more, but the
 * responses already made still reach clients that read them (server_drain_step); a second
 * stop signal drops the rest at once. */
static void server_drain(server *s)
{
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        s->listen_fd = -1;
    }
    while (stop_requested < 2 && server_drain_step(s)) {
    }
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
    server_drain(&s);
    for (unsigned i = 0; i < SERVE_MAX_CONNS; i++)
        if (s.conns[i])
            conn_end(&s, s.conns[i], 0);
    server_reap(&s);
    if (s.listen_fd >= 0)
        close(s.listen_fd);
    return cfg->once ? s.last_status : 0;
}

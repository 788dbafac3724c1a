/* web_conn.c - the web server's connections, watched for requests that never come whole.
 * libmicrohttpd closes a connection after WEB_IDLE_S of silence, and has no deadline for a
 * whole request: 64 clients that each sent half a header, a byte now and then, held all of
 * the server's connections, and no page was served. Each connection is noted from its start
 * (web_conn_started) to its end; while none of its requests is being answered it is waiting
 * (for its first request, the rest of one, or the next one on a kept-alive connection). A
 * connection that waited WEB_WAIT_MS is cut off, and while more than WEB_WAITING_MAX wait,
 * those that waited WEB_ROOM_MS are cut off, the longest waiting first, down to
 * WEB_WAITING_MAX: a slow client holds at most WEB_WAITING_MAX connections for long, and at
 * most WEB_WAIT_MS, and a page that sends its request at once is served. A connection that
 * just came is not cut off to make room: the server may take in several before it reads any
 * (a page's 16 event streams opened at once, then its next request). A connection being
 * answered is never cut off: a page's event stream never ends. Cut off: its socket shut down,
 * which libmicrohttpd sees as the client's end and closes it in its next run. */
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "web_server.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void conn_cut(web_conn *c)
{
    c->cut = true;
    shutdown(c->fd, SHUT_RDWR);
}

/* The connection that has waited longest (not cut off yet), and how many wait. */
static web_conn *longest_waiting(const board_web *w, unsigned *count)
{
    web_conn *oldest = NULL;
    *count = 0;
    for (web_conn *c = w->conns; c; c = c->next) {
        if (c->answering || c->cut)
            continue;
        ++*count;
        if (!oldest || c->since_ns < oldest->since_ns)
            oldest = c;
    }
    return oldest;
}

void web_conn_started(board_web *w, int fd, void **socket_cls)
{
    web_conn *c = calloc(1, sizeof *c);
    if (!c)
        return; /* not watched: libmicrohttpd's own timeout still ends it */
    c->fd = fd;
    c->since_ns = now_ns();
    c->next = w->conns;
    w->conns = c;
    *socket_cls = c;
}

void web_conn_closed(board_web *w, void **socket_cls)
{
    web_conn *c = *socket_cls;
    if (!c)
        return;
    for (web_conn **p = &w->conns; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    free(c);
    *socket_cls = NULL;
}

static web_conn *conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

void web_conn_answering(struct MHD_Connection *conn, bool answering)
{
    web_conn *c = conn_of(conn);
    if (c) {
        c->answering = answering;
        c->since_ns = now_ns();
    }
}

/* When the next waiting connection's time is up (0: none waits): WEB_WAIT_MS after it began
 * to wait, or WEB_ROOM_MS for the longest waiting one while more than WEB_WAITING_MAX wait. */
static uint64_t next_due(const board_web *w)
{
    uint64_t next = 0;
    for (const web_conn *c = w->conns; c; c = c->next) {
        uint64_t due = c->since_ns + WEB_WAIT_MS * 1000000ull;
        if (!c->answering && !c->cut && (!next || due < next))
            next = due;
    }
    unsigned waiting;
    const web_conn *oldest = longest_waiting(w, &waiting);
    if (oldest && waiting > WEB_WAITING_MAX && oldest->since_ns + WEB_ROOM_MS * 1000000ull < next)
        next = oldest->since_ns + WEB_ROOM_MS * 1000000ull;
    return next;
}

int64_t web_conn_wait_ns(const board_web *w)
{
    uint64_t next = next_due(w), now = now_ns();
    return !next ? -1 : next > now ? (int64_t)(next - now) : 0;
}

void web_conn_check(board_web *w)
{
    uint64_t now = now_ns();
    for (web_conn *c = w->conns; c; c = c->next)
        if (!c->answering && !c->cut && now >= c->since_ns + WEB_WAIT_MS * 1000000ull)
            conn_cut(c);
    unsigned waiting;
    web_conn *oldest;
    while ((oldest = longest_waiting(w, &waiting)) && waiting > WEB_WAITING_MAX &&
           now >= oldest->since_ns + WEB_ROOM_MS * 1000000ull)
        conn_cut(oldest);
}

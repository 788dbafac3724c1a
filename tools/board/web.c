/* web.c - duet-board run --web: serves the board's page and its API with libmicrohttpd, on
 * the board's thread (external polling through one epoll descriptor), as a reader of the
 * board's feed. What changed is gathered from the feed's events and sent to the pages at
 * most once a frame; each page has a bounded queue, and one too slow for it gets the board's
 * state instead of the backlog. Each request is handled in web_request.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "web_server.h"

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ what changed (the feed's reader) */

static void trace_add(board_web *w, const char *line, size_t len)
{
    web_changes_trace(&w->ch, line, len);
    w->dirty = true;
}

static void frame(board_web *w);

static void on_event(void *ctx, const board_event *ev)
{
    board_web *w = ctx;
    if (web_changes_event(&w->ch, ev))
        w->dirty = true;
    /* A core's new state goes to the pages at once, each step on its own: booting may last
     * less than a frame, and the pages see every state a core passes through, in order. A
     * core changes state a few times a run, so the frame's pace holds for everything else. */
    const board_state *s = board_feed_state(w->feed);
    if (s->m7 != w->shown_m7 || s->m4 != w->shown_m4)
        frame(w);
}

/* The --trace reader writes its lines here (a stdio stream of ours): into the trace pane. */
static ssize_t trace_write(void *cookie, const char *buf, size_t size)
{
    board_web *w = cookie;
    for (size_t i = 0; i < size; i++) {
        if (buf[i] == '\n') {
            trace_add(w, w->trace_line, w->trace_len);
            w->trace_len = 0;
        } else if (w->trace_len < sizeof w->trace_line - 1) {
            w->trace_line[w->trace_len++] = buf[i];
        }
    }
    return (ssize_t)size;
}

/* ------------------------------------------------------------ the pages' event streams */

static char *event_text(board_web *w, const char *name, bool all, size_t *len)
{
    const board_state *s = board_feed_state(w->feed);
    json_t *j = web_json_board(s, &w->ch, all, w->act.now_us(w->act.ctx), &w->pages);
    char *data = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(j);
    if (!data)
        return NULL;
    char *text = NULL;
    int n = asprintf(&text, "event: %s\ndata: %s\n\n", name, data);
    free(data);
    if (n < 0)
        return NULL;
    *len = (size_t)n;
    return text;
}

static void client_wake(web_client *c)
{
    if (c->suspended && (c->len || c->closing)) {
        c->suspended = false;
        MHD_resume_connection(c->conn);
    }
}

static bool client_append(web_client *c, const char *text, size_t len)
{
    if (c->len + len > WEB_QUEUE_MAX)
        return false;
    if (c->head + c->len + len > WEB_QUEUE_MAX) {
        memmove(c->buf, c->buf + c->head, c->len);
        c->head = 0;
    }
    memcpy(c->buf + c->head + c->len, text, len);
    c->len += len;
    return true;
}

/* The page is too slow for the events: drop its backlog (but finish the message it is in
 * the middle of) and queue the board as it is now. */
static void client_resync(board_web *w, web_client *c)
{
    size_t keep = 0;
    if (c->mid_message) {
        char *end = memmem(c->buf + c->head, c->len, "\n\n", 2);
        keep = end ? (size_t)(end + 2 - (c->buf + c->head)) : c->len;
    }
    c->len = keep;
    size_t len;
    char *state = event_text(w, "state", true, &len);
    if (state) {
        client_append(c, state, len);
        free(state);
    }
    w->pages.resyncs++;
}

static void client_send(board_web *w, web_client *c, const char *text, size_t len)
{
    if (!client_append(c, text, len))
        client_resync(w, c);
    client_wake(c);
}

/* Sends every page what changed since the last frame. */
static void frame(board_web *w)
{
    w->last_frame_ns = mono_ns();
    w->shown_m7 = board_feed_state(w->feed)->m7;
    w->shown_m4 = board_feed_state(w->feed)->m4;
    size_t len;
    char *text = w->clients ? event_text(w, "update", false, &len) : NULL;
    /* What the frame holds is sent from here on: a page too slow for it gets the state made
     * now (client_resync), whose Serial text ends where the next frame's starts. Serial bytes
     * past what one frame sends go in the next; bytes held back (a character cut short) go
     * with the next ones that come. */
    w->dirty = web_changes_sent(&w->ch, board_feed_state(w->feed));
    if (text) {
        for (web_client *c = w->clients; c; c = c->next)
            client_send(w, c, text, len);
        free(text);
    }
}

static ssize_t client_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    web_client *c = cls;
    if (!c->len) {
        if (c->closing)
            return MHD_CONTENT_READER_END_OF_STREAM;
        c->suspended = true;
        MHD_suspend_connection(c->conn);
        return 0;
    }
    size_t n = c->len < max ? c->len : max;
    memcpy(buf, c->buf + c->head, n);
    c->head += n;
    c->len -= n;
    if (!c->len)
        c->head = 0;
    c->mid_message = !(n >= 2 && buf[n - 2] == '\n' && buf[n - 1] == '\n');
    return (ssize_t)n;
}

/* Whether a page's stream waiting for news (suspended) lost its page: libmicrohttpd does not
 * watch a suspended connection, so a page that went away (closed, reloaded) kept its place
 * among the WEB_PAGES_MAX until the stream had something to send, on an idle board the next
 * ping, 10 s on. Its socket then reads as ended (or failed) without waiting. */
static bool client_gone(const web_client *c)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!info)
        return false;
    char byte;
    ssize_t n = recv(info->connect_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Ends the streams whose pages went away (libmicrohttpd frees them in its next run), and
 * returns how many pages are still there. */
static unsigned clients_reap(board_web *w)
{
    unsigned live = 0;
    w->last_reap_ns = mono_ns();
    for (web_client *c = w->clients; c; c = c->next) {
        if (c->suspended && !c->closing && client_gone(c)) {
            c->closing = true;
            client_wake(c);
        }
        live += !c->closing;
    }
    return live;
}

unsigned web_pages_live(board_web *w)
{
    return clients_reap(w);
}

static void client_free(void *cls)
{
    web_client *c = cls;
    board_web *w = c->web;
    for (web_client **p = &w->clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    w->pages.open--;
    w->dirty = true;
    free(c->buf);
    free(c);
}


/* Opens a page's event stream: the board as it is now, then what changes. */
enum MHD_Result web_events_open(board_web *w, struct MHD_Connection *conn)
{
    /* The state holds what changed since the last frame, so that goes to the other pages
     * first: else the next frame would bring this page the same Serial bytes and trace
     * lines again (web_json.h). */
    if (w->dirty)
        frame(w);
    web_client *c = calloc(1, sizeof *c);
    char *buf = malloc(WEB_QUEUE_MAX);
    if (!c || !buf) {
        free(c);
        free(buf);
        return MHD_NO;
    }
    c->web = w;
    c->conn = conn;
    c->buf = buf;
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, client_read, c, client_free);
    if (!r) {
        free(buf);
        free(c);
        return MHD_NO;
    }
    c->next = w->clients;
    w->clients = c;
    w->pages.open++;
    w->dirty = true;
    static const char retry[] = "retry: 1000\n\n";
    client_append(c, retry, sizeof retry - 1);
    size_t len;
    char *state = event_text(w, "state", true, &len);
    if (state) {
        client_append(c, state, len);
        free(state);
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ok = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ok;
}

/* A connection starts or ends: it is watched for a request that never comes whole
 * (web_conn.c). A page's socket holds at most WEB_SOCKET_BUFFER bytes on their way: a slow
 * page then gets the board's state from its queue soon, not megabytes of old events from the
 * kernel. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_cls, enum MHD_ConnectionNotificationCode code)
{
    board_web *w = cls;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        web_conn_closed(w, socket_cls);
        return;
    }
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    int size = WEB_SOCKET_BUFFER / 2; /* the kernel doubles it */
    if (!info)
        return;
    setsockopt(info->connect_fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    web_conn_started(w, info->connect_fd, socket_cls);
}

/* ------------------------------------------------------------ starting, running, stopping */

/* A port: decimal digits only (strtoul took a sign and white space), 0..65535. */
static bool parse_port(const char *text, unsigned *out)
{
    unsigned long port = 0;
    if (!text[0])
        return false;
    for (; *text; text++) {
        if (*text < '0' || *text > '9' || port > 65535)
            return false;
        port = port * 10 + (unsigned long)(*text - '0');
    }
    if (port > 65535)
        return false;
    *out = (unsigned)port;
    return true;
}

/* Parses [HOST:]PORT into w->host, w->port and the address to listen on. */
static bool parse_spec(board_web *w, const char *spec, struct sockaddr_storage *addr, char *why, size_t cap)
{
    const char *port_text = spec;
    const char *colon = strrchr(spec, ':');
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':') {
            snprintf(why, cap, "--web %s: give [HOST]:PORT, e.g. --web [::1]:8080", spec);
            return false;
        }
        snprintf(w->host, sizeof w->host, "%.*s", (int)(end - spec - 1), spec + 1);
        port_text = end + 2;
    } else if (colon == spec) {
        snprintf(why, cap, "--web %s: give the host before the ':' (e.g. 127.0.0.1:8080), or the port alone", spec);
        return false;
    } else if (colon) {
        snprintf(w->host, sizeof w->host, "%.*s", (int)(colon - spec), spec);
        port_text = colon + 1;
    } else {
        snprintf(w->host, sizeof w->host, "127.0.0.1");
    }
    if (strcmp(w->host, "localhost") == 0)
        snprintf(w->host, sizeof w->host, "127.0.0.1");
    unsigned port;
    if (!parse_port(port_text, &port)) {
        snprintf(why, cap, "--web %s: give a port from 0 to 65535 (0: any free one), e.g. --web 8080", spec);
        return false;
    }
    w->port = port;
    memset(addr, 0, sizeof *addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, w->host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        w->any_host = v4->sin_addr.s_addr == htonl(INADDR_ANY);
    } else if (inet_pton(AF_INET6, w->host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        w->any_host = memcmp(&v6->sin6_addr, &in6addr_any, sizeof in6addr_any) == 0;
    } else {
        snprintf(why, cap, "--web %s: %s is not an IP address: give e.g. 127.0.0.1:8080 or 0.0.0.0:8080", spec, w->host);
        return false;
    }
    return true;
}

board_web *board_web_start(const char *spec, board_feed *feed, const board_web_actions *actions, char *why, size_t cap,
                           bool *wrong_spec)
{
    *wrong_spec = false;
    board_web *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(why, cap, "--web: out of memory");
        return NULL;
    }
    w->feed = feed;
    w->act = *actions;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    w->ch.run = (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u;
    struct sockaddr_storage addr;
    if (!parse_spec(w, spec, &addr, why, cap)) {
        *wrong_spec = true;
        free(w);
        return NULL;
    }
    return web_start(w, &addr, spec, why, cap);
}

board_web *web_start(board_web *w, const struct sockaddr_storage *addr, const char *spec, char *why, size_t cap)
{
    /* Without an address the server has no socket of its own: its connections are handed to
     * it (MHD_add_connection). An IPv6 host is one with a colon in it. */
    bool v6 = addr ? addr->ss_family == AF_INET6 : strchr(w->host, ':') != NULL;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | (v6 ? MHD_USE_IPv6 : 0) |
                     (addr ? 0 : MHD_USE_NO_LISTEN_SOCKET);
    w->daemon = MHD_start_daemon(flags, (uint16_t)w->port, NULL, NULL, web_request_on, w, MHD_OPTION_SOCK_ADDR,
                                 (const struct sockaddr *)addr, MHD_OPTION_NOTIFY_COMPLETED, web_request_completed, w,
                                 MHD_OPTION_NOTIFY_CONNECTION, on_connection, w, MHD_OPTION_CONNECTION_LIMIT,
                                 (unsigned)WEB_CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_IDLE_S,
                                 MHD_OPTION_END);
    if (!w->daemon) {
        int err = errno;
        if (err == EADDRNOTAVAIL)
            snprintf(why, cap,
                     "--web %s: cannot listen there (%s): %s is no address of this machine: give 127.0.0.1 (this "
                     "machine alone), 0.0.0.0 (all of its addresses) or one of its own",
                     spec, strerror(err), w->host);
        else
            snprintf(why, cap, "--web %s: cannot listen there (%s): give another port, or 0 for any free one", spec,
                     err ? strerror(err) : "the address is taken or not this machine's");
        free(w);
        return NULL;
    }
    const union MHD_DaemonInfo *port = addr ? MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    const union MHD_DaemonInfo *fd = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    if (port && port->port)
        w->port = port->port;
    w->epoll_fd = fd ? fd->epoll_fd : -1;
    snprintf(w->url, sizeof w->url, "http://%s%s%s:%u/", v6 ? "[" : "", w->any_host ? (v6 ? "::1" : "127.0.0.1") : w->host,
             v6 ? "]" : "", w->port);
    w->trace_out = fopencookie(w, "w", (cookie_io_functions_t){.write = trace_write});
    if (w->trace_out)
        setvbuf(w->trace_out, NULL, _IOLBF, 1024);
    if (board_feed_subscribe(w->feed, (board_sink){on_event, NULL, w}) != 0 ||
        (w->trace_out && board_trace_attach(&w->trace, w->trace_out, w->feed) != 0)) {
        snprintf(why, cap, "--web: the board has too many readers");
        board_web_stop(w);
        return NULL;
    }
    w->last_ping_ns = mono_ns();
    return w;
}

const char *board_web_url(const board_web *w)
{
    return w->url;
}

int board_web_fd(const board_web *w)
{
    return w->epoll_fd;
}

static void sooner(int64_t *wait, int64_t ns)
{
    if (ns < *wait)
        *wait = ns;
}

int board_web_timeout(const board_web *w, int timeout_ms)
{
    /* What is due soonest, in ns from now (what is overdue: 0). An overdue frame used to count
     * as nothing due, and with a page open the next look for pages gone (up to WEB_REAP_MS)
     * took its place: a change on an idle board could reach the pages up to 250 ms late. */
    int64_t now = (int64_t)mono_ns(), wait = INT64_MAX;
    if (w->dirty)
        sooner(&wait, (int64_t)(w->last_frame_ns + WEB_FRAME_MS * 1000000ull) - now);
    else if (w->clients)
        sooner(&wait, (int64_t)(w->last_ping_ns + WEB_PING_MS * 1000000ull) - now);
    if (w->clients) /* the pages that went away are looked for this often */
        sooner(&wait, (int64_t)(w->last_reap_ns + WEB_REAP_MS * 1000000ull) - now);
    int64_t cut = web_conn_wait_ns(w); /* a connection that waited too long for its request */
    if (cut >= 0)
        sooner(&wait, cut);
    MHD_UNSIGNED_LONG_LONG mhd;
    if (MHD_get_timeout(w->daemon, &mhd) == MHD_YES)
        sooner(&wait, mhd < (MHD_UNSIGNED_LONG_LONG)INT_MAX ? (int64_t)mhd * 1000000 : (int64_t)INT_MAX * 1000000);
    if (wait == INT64_MAX)
        return timeout_ms;
    int64_t ms = wait <= 0 ? 0 : (wait + 999999) / 1000000;
    if (ms > INT_MAX)
        ms = INT_MAX;
    return timeout_ms < 0 || ms < timeout_ms ? (int)ms : timeout_ms;
}

void board_web_run(board_web *w)
{
    MHD_run(w->daemon);
    uint64_t now = mono_ns();
    if (w->dirty && now >= w->last_frame_ns + WEB_FRAME_MS * 1000000ull)
        frame(w);
    if (now >= w->last_ping_ns + WEB_PING_MS * 1000000ull) {
        w->last_ping_ns = now;
        static const char ping[] = ": the board is on\n\n";
        /* A page whose queue has no room for it has bytes to read: no ping (client_send
         * would give it the state between two frames, web_json.h). */
        for (web_client *c = w->clients; c; c = c->next)
            if (client_append(c, ping, sizeof ping - 1))
                client_wake(c);
    }
    if (w->clients && now >= w->last_reap_ns + WEB_REAP_MS * 1000000ull)
        clients_reap(w);
    web_conn_check(w); /* libmicrohttpd closes the connections cut off in its next run */
    if (w->clients)
        MHD_run(w->daemon); /* the pages just woken take their bytes now */
}

void board_web_stop(board_web *w)
{
    if (!w)
        return;
    if (w->daemon) {
        if (w->dirty)
            frame(w);
        /* Let the pages have their last bytes and the end of their streams (briefly). A
         * stream may open meanwhile (a page that connects now, or a GET /api/events sent
         * after another on the same connection, taken once that one ended): each round ends
         * the new ones too. A stream left suspended, not to be resumed, made
         * MHD_stop_daemon abort the program. */
        uint64_t end = mono_ns() + 200000000u;
        while (w->clients && mono_ns() < end) {
            for (web_client *c = w->clients; c; c = c->next) {
                c->closing = true;
                client_wake(c);
            }
            MHD_run_wait(w->daemon, 10);
        }
        for (web_client *c = w->clients; c; c = c->next) {
            c->closing = true;
            client_wake(c);
        }
        MHD_stop_daemon(w->daemon);
    }
    if (w->trace_out)
        fclose(w->trace_out);
    free(w);
}

/* web.c - duet-board run --web: serves the board's page and its API with libmicrohttpd, on
 * the board's thread (external polling through one epoll descriptor), as a reader of the
 * board's feed. What changed is gathered from the feed's events and sent to the pages at
 * most once a frame; each page has a bounded queue, and one too slow for it gets the board's
 * state instead of the backlog. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "trace.h"
#include "web_assets.h"
#include "web_json.h"

#define WEB_FRAME_MS 25               /* the pages get what changed at most this often */
#define WEB_PING_MS 10000             /* an idle event stream says it is alive this often */
#define WEB_BODY_MAX 65536            /* the largest request body taken */
#define WEB_QUEUE_MAX (256 * 1024)    /* bytes waiting for one page, at most */
#define WEB_PAGES_MAX 16              /* event streams open at once, at most */
#define WEB_SOCKET_BUFFER 65536       /* the kernel's send buffer for one page, at most */

typedef struct web_client {
    struct web_client *next;
    board_web *web;
    struct MHD_Connection *conn;
    char *buf;                        /* queued bytes buf[head .. head + len) */
    size_t head, len;
    bool mid_message;                 /* the bytes handed out so far end inside a message */
    bool suspended, closing;
} web_client;

struct board_web {
    struct MHD_Daemon *daemon;
    board_feed *feed;
    board_web_actions act;
    char url[96];
    char host[64];                    /* the host it was asked to listen on, as given */
    unsigned port;
    bool any_host;                    /* listening on every address: any Host is ours */
    int epoll_fd;
    web_client *clients;
    web_pages pages;
    web_changes ch;
    bool dirty;
    uint64_t last_frame_ns, last_ping_ns;
    board_trace trace;
    FILE *trace_out;
    char trace_line[WEB_TRACE_LINE];
    size_t trace_len;
};

/* One request in progress: its body as it arrives. */
typedef struct web_request {
    char body[WEB_BODY_MAX];
    size_t len;
    bool too_big;
} web_request;

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

static void on_event(void *ctx, const board_event *ev)
{
    board_web *w = ctx;
    web_changes *ch = &w->ch;
    switch (ev->kind) {
    case BOARD_EV_PIN_MODE:
    case BOARD_EV_PIN:
    case BOARD_EV_PWM:
        if (ev->pin >= 0 && ev->pin < BOARD_PINS)
            ch->pin[ev->pin] = 1;
        break;
    case BOARD_EV_BOOT:
    case BOARD_EV_END:
    case BOARD_EV_LINK:
        ch->parts |= WEB_PART_CORES;
        break;
    case BOARD_EV_SERVO:
        ch->parts |= WEB_PART_SERVO;
        break;
    case BOARD_EV_ANALOG:
        ch->parts |= WEB_PART_ANALOG;
        break;
    case BOARD_EV_RTC:
        ch->parts |= WEB_PART_RTC;
        break;
    case BOARD_EV_SERIAL:
        ch->serial_total += ev->len;
        break;
    case BOARD_EV_RESET:
        memset(ch->pin, 1, sizeof ch->pin);
        ch->parts |= WEB_PART_ALL;
        break;
    default:
        break;
    }
    /* The trace pane shows the board's warnings and ends among the RPC lines. */
    if (ev->kind == BOARD_EV_WARN || ev->kind == BOARD_EV_LINK || ev->kind == BOARD_EV_END ||
        ev->kind == BOARD_EV_RESET) {
        char line[600];
        if (board_log_format(ev, line, sizeof line))
            trace_add(w, line, strlen(line));
        ch->parts |= WEB_PART_WARN;
    }
    if (ev->kind != BOARD_EV_STREAM && ev->kind != BOARD_EV_RPC && ev->kind != BOARD_EV_SERIAL_IN)
        w->dirty = true;
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
    if (w->clients) {
        size_t len;
        char *text = event_text(w, "update", false, &len);
        if (text) {
            for (web_client *c = w->clients; c; c = c->next)
                client_send(w, c, text, len);
            free(text);
        }
    }
    w->ch.serial_sent = web_changes_serial_ready(board_feed_state(w->feed), &w->ch);
    w->ch.trace_sent = w->ch.trace_total;
    w->ch.parts = 0;
    memset(w->ch.pin, 0, sizeof w->ch.pin);
    w->dirty = false; /* bytes held back (a character cut short) go with the next ones */
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

/* ------------------------------------------------------------ requests */

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *type, const void *data,
                               size_t len, const char *allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result respond_json(struct MHD_Connection *conn, unsigned status, json_t *j, const char *allow)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(j);
    if (!text)
        return MHD_NO;
    size_t len = strlen(text);
    text[len] = '\n';
    enum MHD_Result ok = respond(conn, status, "application/json", text, len + 1, allow);
    free(text);
    return ok;
}

static enum MHD_Result refuse(struct MHD_Connection *conn, unsigned status, const char *allow, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A 4xx with the sentence that says what to do, as {"error": "..."}. */
static enum MHD_Result refuse(struct MHD_Connection *conn, unsigned status, const char *allow, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return respond_json(conn, status, json_pack("{s:s}", "error", why), allow);
}

/* Whether the Host header names this server (a page of another name, reached through DNS
 * rebinding, is another site). */
static bool host_ok(const board_web *w, const char *host)
{
    if (!host)
        return false;
    const char *colon = strrchr(host, ':');
    if (!colon || (strchr(host, ']') && colon < strchr(host, ']')))
        return false;
    if ((unsigned)strtoul(colon + 1, NULL, 10) != w->port)
        return false;
    if (w->any_host)
        return true;
    size_t n = (size_t)(colon - host);
    static const char *const local[] = {"127.0.0.1", "localhost", "[::1]"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        if (strlen(local[i]) == n && strncasecmp(host, local[i], n) == 0)
            return true;
    if (host[0] == '[') { /* an IPv6 address, bracketed in Host */
        host++;
        n -= n >= 2 ? 2 : n;
    }
    return strlen(w->host) == n && strncasecmp(host, w->host, n) == 0;
}

/* Whether the request comes from the board's own page (or from no page at all: a script). */
static bool origin_ok(const char *origin, const char *host)
{
    if (!origin)
        return true;
    return strncmp(origin, "http://", 7) == 0 && strcasecmp(origin + 7, host) == 0;
}

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot)
        return "application/octet-stream";
    if (strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (strcmp(dot, ".svg") == 0)
        return "image/svg+xml";
    if (strcmp(dot, ".png") == 0)
        return "image/png";
    return "application/octet-stream";
}

static const board_web_asset *asset_find(const char *url)
{
    if (strcmp(url, "/") == 0)
        url = "/index.html";
    for (const board_web_asset *a = board_web_assets; a->path; a++)
        if (strcmp(a->path, url) == 0)
            return a;
    return NULL;
}

static enum MHD_Result serve_events(board_web *w, struct MHD_Connection *conn)
{
    if (w->pages.open >= WEB_PAGES_MAX)
        return refuse(conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
                      "%d pages are watching the board already: close one and reload", WEB_PAGES_MAX);
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

/* The body as JSON (an empty body is {} when empty_ok); NULL after refusing. rq is NULL for
 * a request that has no body. */
static json_t *body_json(struct MHD_Connection *conn, const web_request *rq, bool empty_ok, const char *example,
                         enum MHD_Result *result)
{
    size_t len = rq ? rq->len : 0;
    if (len == 0 && empty_ok)
        return json_object();
    json_error_t err;
    json_t *j = json_loadb(rq ? rq->body : "", len, 0, &err);
    if (!j || !json_is_object(j)) {
        *result = refuse(conn, MHD_HTTP_BAD_REQUEST, NULL, "the body is not a JSON object (%s): send e.g. %s",
                         j ? "it is another JSON value" : err.text, example);
        json_decref(j);
        return NULL;
    }
    return j;
}

static enum MHD_Result post_analog(board_web *w, struct MHD_Connection *conn, const web_request *rq)
{
    static const char example[] = "{\"pin\":\"A0\",\"value\":512}";
    enum MHD_Result result = MHD_NO;
    json_t *j = body_json(conn, rq, false, example, &result);
    if (!j)
        return result;
    json_t *pin = json_object_get(j, "pin"), *value = json_object_get(j, "value");
    const char *name = json_string_value(pin);
    int input = -1;
    if (name && name[0] == 'A' && name[1] >= '0' && name[1] <= '7' && !name[2])
        input = name[1] - '0';
    if (input < 0) {
        char *shown = pin ? json_dumps(pin, JSON_ENCODE_ANY) : NULL;
        result = refuse(conn, MHD_HTTP_BAD_REQUEST, NULL, "unknown pin %s: the analog inputs are \"A0\" to \"A7\", e.g. %s",
                        shown ? shown : "(none given)", example);
        free(shown);
    } else if (!json_is_integer(value) || json_integer_value(value) < 0 || json_integer_value(value) > 1023) {
        char *shown = value ? json_dumps(value, JSON_ENCODE_ANY) : NULL;
        result = refuse(conn, MHD_HTTP_BAD_REQUEST, NULL,
                        "value %s is not an analog reading: give a whole number from 0 to 1023, e.g. %s",
                        shown ? shown : "(none given)", example);
        free(shown);
    } else {
        int v = (int)json_integer_value(value);
        w->act.analog(w->act.ctx, input, v);
        result = respond_json(conn, MHD_HTTP_OK, json_pack("{s:s, s:i}", "pin", name, "value", v), NULL);
    }
    json_decref(j);
    return result;
}

static enum MHD_Result post_serial(board_web *w, struct MHD_Connection *conn, const web_request *rq)
{
    static const char example[] = "{\"text\":\"hello\\n\"}";
    enum MHD_Result result = MHD_NO;
    json_t *j = body_json(conn, rq, false, example, &result);
    if (!j)
        return result;
    json_t *text = json_object_get(j, "text");
    char why[256];
    if (!json_is_string(text)) {
        result = refuse(conn, MHD_HTTP_BAD_REQUEST, NULL, "give the text to type as \"text\", e.g. %s", example);
    } else if (!w->act.serial(w->act.ctx, (const uint8_t *)json_string_value(text), json_string_length(text), why,
                              sizeof why)) {
        result = refuse(conn, MHD_HTTP_CONFLICT, NULL, "%s", why);
    } else {
        result = respond_json(conn, MHD_HTTP_OK, json_pack("{s:I}", "typed", (json_int_t)json_string_length(text)), NULL);
    }
    json_decref(j);
    return result;
}

static enum MHD_Result post_reset(board_web *w, struct MHD_Connection *conn, const web_request *rq)
{
    enum MHD_Result result = MHD_NO;
    json_t *j = body_json(conn, rq, true, "{} or nothing", &result);
    if (!j)
        return result;
    json_decref(j);
    w->act.reset(w->act.ctx);
    return respond_json(conn, MHD_HTTP_ACCEPTED, json_pack("{s:b}", "reset", 1), NULL);
}

/* The API's paths and the method each takes. */
static const struct {
    const char *path, *method;
} routes[] = {
    {"/api/state", "GET"}, {"/api/events", "GET"}, {"/api/analog", "POST"}, {"/api/serial", "POST"}, {"/api/reset", "POST"},
};

static enum MHD_Result answer(board_web *w, struct MHD_Connection *conn, const char *url, const char *method,
                              const web_request *rq)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (!host_ok(w, host))
        return refuse(conn, MHD_HTTP_FORBIDDEN, NULL,
                      "Host %s is not this board's address: open the page at %s", host ? host : "(none)", w->url);
    const char *route_method = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (strcmp(url, routes[i].path) == 0)
            route_method = routes[i].method;
    const board_web_asset *asset = route_method ? NULL : asset_find(url);
    if (!route_method && !asset)
        return refuse(conn, MHD_HTTP_NOT_FOUND, NULL,
                      "there is no %s here: the board's page is at %s, its API under /api/ (docs/web.md)", url, w->url);
    const char *allow = asset || strcmp(route_method, "GET") == 0 ? "GET, HEAD" : "POST";
    if (asset || strcmp(route_method, "GET") == 0 ? !get : strcmp(method, "POST") != 0)
        return refuse(conn, MHD_HTTP_METHOD_NOT_ALLOWED, allow, "%s takes %s, not %s", url, allow, method);
    if (asset)
        return respond(conn, MHD_HTTP_OK, content_type(asset->path), asset->data, asset->size, NULL);
    if (strcmp(url, "/api/state") == 0) {
        json_t *j = web_json_board(board_feed_state(w->feed), &w->ch, true, w->act.now_us(w->act.ctx), &w->pages);
        return respond_json(conn, MHD_HTTP_OK, j, NULL);
    }
    /* What changes the board, and the event stream, only for the board's own page. */
    const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN);
    if (!origin_ok(origin, host))
        return refuse(conn, MHD_HTTP_FORBIDDEN, NULL,
                      "a page from %s may not drive this board: only its own page (%s) and scripts without a page may",
                      origin, w->url);
    if (strcmp(url, "/api/events") == 0)
        return serve_events(w, conn);
    if (rq && rq->too_big)
        return refuse(conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "the body is over %d KiB: send less at a time",
                      WEB_BODY_MAX / 1024);
    if (strcmp(url, "/api/analog") == 0)
        return post_analog(w, conn, rq);
    if (strcmp(url, "/api/serial") == 0)
        return post_serial(w, conn, rq);
    return post_reset(w, conn, rq);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    (void)version;
    board_web *w = cls;
    web_request *rq = *req_cls;
    if (!rq) {
        /* The headers are in: a body, if any, comes in the next calls. */
        if (strcmp(method, "POST") != 0)
            return answer(w, conn, url, method, NULL);
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        *req_cls = rq;
        const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && strtoull(length, NULL, 10) > WEB_BODY_MAX)
            rq->too_big = true;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->too_big && rq->len + *upload_size <= WEB_BODY_MAX) {
            memcpy(rq->body + rq->len, upload, *upload_size);
            rq->len += *upload_size;
        } else {
            rq->too_big = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return answer(w, conn, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)conn;
    (void)code;
    free(*req_cls);
    *req_cls = NULL;
}

/* A page's socket holds at most WEB_SOCKET_BUFFER bytes on their way: a slow page then gets
 * the board's state from its queue soon, not megabytes of old events from the kernel. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_cls, enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    (void)socket_cls;
    if (code != MHD_CONNECTION_NOTIFY_STARTED)
        return;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    int size = WEB_SOCKET_BUFFER / 2; /* the kernel doubles it */
    if (info)
        setsockopt(info->connect_fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

/* ------------------------------------------------------------ starting, running, stopping */

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
    } else if (colon) {
        snprintf(w->host, sizeof w->host, "%.*s", (int)(colon - spec), spec);
        port_text = colon + 1;
    } else {
        snprintf(w->host, sizeof w->host, "127.0.0.1");
    }
    if (strcmp(w->host, "localhost") == 0)
        snprintf(w->host, sizeof w->host, "127.0.0.1");
    char *end;
    unsigned long port = strtoul(port_text, &end, 10);
    if (!port_text[0] || *end || port > 65535) {
        snprintf(why, cap, "--web %s: give a port from 0 to 65535 (0: any free one), e.g. --web 8080", spec);
        return false;
    }
    w->port = (unsigned)port;
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

board_web *board_web_start(const char *spec, board_feed *feed, const board_web_actions *actions, char *why, size_t cap)
{
    board_web *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(why, cap, "--web: out of memory");
        return NULL;
    }
    w->feed = feed;
    w->act = *actions;
    struct sockaddr_storage addr;
    if (!parse_spec(w, spec, &addr, why, cap)) {
        free(w);
        return NULL;
    }
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    w->daemon = MHD_start_daemon(flags, (uint16_t)w->port, NULL, NULL, on_request, w, MHD_OPTION_SOCK_ADDR, &addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, w, MHD_OPTION_NOTIFY_CONNECTION, on_connection, w,
                                 MHD_OPTION_CONNECTION_LIMIT,
                                 (unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
    if (!w->daemon) {
        snprintf(why, cap, "--web %s: cannot listen there (%s): give another port, or 0 for any free one", spec,
                 errno ? strerror(errno) : "the address is taken or not this machine's");
        free(w);
        return NULL;
    }
    const union MHD_DaemonInfo *port = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_BIND_PORT);
    const union MHD_DaemonInfo *fd = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_EPOLL_FD);
    if (port && port->port)
        w->port = port->port;
    w->epoll_fd = fd ? fd->epoll_fd : -1;
    bool v6 = addr.ss_family == AF_INET6;
    snprintf(w->url, sizeof w->url, "http://%s%s%s:%u/", v6 ? "[" : "", w->any_host ? (v6 ? "::1" : "127.0.0.1") : w->host,
             v6 ? "]" : "", w->port);
    w->trace_out = fopencookie(w, "w", (cookie_io_functions_t){.write = trace_write});
    if (w->trace_out)
        setvbuf(w->trace_out, NULL, _IOLBF, 1024);
    if (board_feed_subscribe(feed, (board_sink){on_event, NULL, w}) != 0 ||
        (w->trace_out && board_trace_attach(&w->trace, w->trace_out, feed) != 0)) {
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

int board_web_timeout(const board_web *w, int timeout_ms)
{
    uint64_t now = mono_ns();
    int64_t wait = -1;
    if (w->dirty)
        wait = (int64_t)(w->last_frame_ns + WEB_FRAME_MS * 1000000ull) - (int64_t)now;
    else if (w->clients)
        wait = (int64_t)(w->last_ping_ns + WEB_PING_MS * 1000000ull) - (int64_t)now;
    MHD_UNSIGNED_LONG_LONG mhd;
    if (MHD_get_timeout(w->daemon, &mhd) == MHD_YES && (wait < 0 || (int64_t)mhd * 1000000 < wait))
        wait = (int64_t)mhd * 1000000;
    if (wait < 0 && !w->dirty && !w->clients && MHD_get_timeout(w->daemon, &mhd) != MHD_YES)
        return timeout_ms;
    int ms = wait <= 0 ? 0 : (int)((wait + 999999) / 1000000);
    return timeout_ms < 0 || ms < timeout_ms ? ms : timeout_ms;
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
        for (web_client *c = w->clients; c; c = c->next)
            client_send(w, c, ping, sizeof ping - 1);
    }
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
        for (web_client *c = w->clients; c; c = c->next) {
            c->closing = true;
            client_wake(c);
        }
        /* Let the pages have their last bytes and the end of their streams (briefly). */
        uint64_t end = mono_ns() + 200000000u;
        while (w->clients && mono_ns() < end) {
            MHD_run_wait(w->daemon, 10);
        }
        for (web_client *c = w->clients; c; c = c->next)
            client_wake(c);
        MHD_stop_daemon(w->daemon);
    }
    if (w->trace_out)
        fclose(w->trace_out);
    free(w);
}

/* web_request.c - each request to duet-board's web server: the routes (the page's files, the
 * API), the checks (Host, Origin, method, body size), the JSON bodies of the POSTs and the
 * answers, with a sentence for every refusal. web.c runs the server and the event streams. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "web_assets.h"
#include "web_server.h"

/* One request in progress: its body as it arrives. */
typedef struct web_request {
    char body[WEB_BODY_MAX];
    size_t len;
    bool too_big;
} web_request;

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

/* A 4xx with the sentence that says what to do, as {"error": "..."}. The sentence quotes
 * what the request sent (its path, Host, Origin, method, a pin), which may be any bytes, and
 * may be cut short mid-character: each byte that is not part of a UTF-8 character becomes
 * '?'. jansson takes only UTF-8, so such a refusal used to be no JSON, and no answer at all
 * (the connection closed). */
static enum MHD_Result refuse(struct MHD_Connection *conn, unsigned status, const char *allow, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    size_t len = strlen(why);
    for (size_t i = 0; i < len;) {
        bool partial;
        size_t n = web_utf8_char((const uint8_t *)why + i, len - i, &partial);
        if (n)
            i += n;
        else
            why[i++] = '?';
    }
    return respond_json(conn, status, json_pack("{s:s}", "error", why), allow);
}

/* Whether text (what Host holds between its brackets) is an IPv6 address: alone, or a
 * link-local one with its zone, the interface the browser reaches it through, as browsers
 * send it (RFC 6874: the '%' percent-encoded, "fe80::1%25eth0"). The zone: one or more of
 * URI's unreserved characters (an interface's name or number); a zone on any other address
 * names no link, and is refused with everything else. */
static bool ipv6_name(char *text)
{
    struct in6_addr addr;
    char *pct = strstr(text, "%25");
    if (!pct)
        return inet_pton(AF_INET6, text, &addr) == 1;
    static const char unreserved[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    const char *zone = pct + 3;
    if (!*zone || zone[strspn(zone, unreserved)] != 0)
        return false;
    *pct = 0;
    return inet_pton(AF_INET6, text, &addr) == 1 && IN6_IS_ADDR_LINKLOCAL(&addr);
}

/* On a server listening on every address (0.0.0.0, [::]), whether a Host's name (n bytes) may
 * be this machine's: an IP address (one of its own, or one that forwards to it; a link-local
 * IPv6 one with its zone), or its host name, alone or with ".local" (mDNS). Any name used to
 * be taken, and with it a site that points its own name at the machine (DNS rebinding), its
 * Origin matching its Host. */
static bool any_host_name(const char *name, size_t n)
{
    char text[256], self[256];
    if (n == 0 || n >= sizeof text)
        return false;
    memcpy(text, name, n);
    text[n] = 0;
    unsigned char addr[sizeof(struct in_addr)];
    if (text[0] == '[') {
        text[n - 1] = 0; /* host_ok found the ']' */
        return ipv6_name(text + 1);
    }
    if (inet_pton(AF_INET, text, addr) == 1)
        return true;
    if (gethostname(self, sizeof self) != 0)
        return false;
    self[sizeof self - 1] = 0;
    size_t len = strlen(self);
    return len && strncasecmp(text, self, len) == 0 && (!text[len] || strcasecmp(text + len, ".local") == 0);
}

/* Whether the Host header names this server (a page of another name, reached through DNS
 * rebinding, is another site): the name, then ":" and the port in digits, or no port at all
 * when the server's is 80 (browsers leave HTTP's own port out). The port used to be read
 * with strtoul, which took "8080x", "+8080", " 8080" and 8080 + 2^32 for 8080, and a
 * bracket left open ("[::1x") passed for an IPv6 name. */
static bool host_ok(const board_web *w, const char *host)
{
    if (!host)
        return false;
    const char *end; /* the end of the name */
    if (host[0] == '[') { /* an IPv6 address, bracketed in Host */
        end = strchr(host, ']');
        if (!end)
            return false;
        end++;
    } else {
        end = host + strcspn(host, ":[]");
    }
    if (*end == ':') {
        unsigned long port = 0;
        const char *d = end + 1;
        if (!*d)
            return false;
        for (; *d; d++) {
            if (*d < '0' || *d > '9' || port > 65535)
                return false;
            port = port * 10 + (unsigned long)(*d - '0');
        }
        if (port != w->port)
            return false;
    } else if (*end || w->port != 80) {
        return false;
    }
    size_t n = (size_t)(end - host);
    static const char *const local[] = {"127.0.0.1", "localhost", "[::1]"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        if (strlen(local[i]) == n && strncasecmp(host, local[i], n) == 0)
            return true;
    if (w->any_host) /* listening on every address: which one was asked is not known */
        return any_host_name(host, n);
    if (host[0] == '[') { /* the address given, when it is an IPv6 one */
        if (!strchr(w->host, ':'))
            return false;
        host++;
        n -= 2;
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

/* The body as JSON (an empty body is {} when empty_ok); NULL after refusing. rq is NULL for
 * a request that has no body. */
static json_t *body_json(struct MHD_Connection *conn, const web_request *rq, bool empty_ok, const char *example,
                         enum MHD_Result *result)
{
    size_t len = rq ? rq->len : 0;
    if (len == 0 && empty_ok)
        return json_object();
    json_error_t err;
    /* A string may hold NUL (\u0000): Serial carries any byte; a pin's name is checked whole. */
    json_t *j = json_loadb(rq ? rq->body : "", len, JSON_ALLOW_NUL, &err);
    if (!j || !json_is_object(j)) {
        *result = refuse(conn, MHD_HTTP_BAD_REQUEST, NULL, "the body is not a JSON object (%s): send e.g. %s",
                         j ? "it is another JSON value" : err.text, example);
        json_decref(j);
        return NULL;
    }
    return j;
}

/* An analog reading from a JSON number: a whole value from 0 to 1023, written as an integer
 * or not (5e2, 512.0: JSON has one kind of number, and Python's json writes a float so). */
static bool analog_reading(const json_t *value, int *out)
{
    double v = json_number_value(value);
    if (!json_is_number(value) || v != floor(v) || v < 0 || v > 1023)
        return false;
    *out = (int)v;
    return true;
}

/* A value quoted in a refusal: a number as a person writes it (2000 for 2e3, 0.01), anything
 * else as JSON. Freed with free(). */
static char *shown_value(const json_t *value)
{
    char *text = NULL;
    if (json_is_real(value))
        return asprintf(&text, "%.15g", json_real_value(value)) < 0 ? NULL : text;
    return value ? json_dumps(value, JSON_ENCODE_ANY) : NULL;
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
    int input = -1, v = 0;
    if (name && json_string_length(pin) == 2 && name[0] == 'A' && name[1] >= '0' && name[1] <= '7')
        input = name[1] - '0';
    if (input < 0) {
        char *shown = pin ? json_dumps(pin, JSON_ENCODE_ANY) : NULL;
        result = refuse(conn, MHD_HTTP_BAD_REQUEST, NULL, "unknown pin %s: the analog inputs are \"A0\" to \"A7\", e.g. %s",
                        shown ? shown : "(none given)", example);
        free(shown);
    } else if (!analog_reading(value, &v)) {
        char *shown = shown_value(value);
        result = refuse(conn, MHD_HTTP_BAD_REQUEST, NULL,
                        "value %s is not an analog reading: give a whole number from 0 to 1023, e.g. %s",
                        shown ? shown : "(none given)", example);
        free(shown);
    } else {
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
    if (strcmp(url, "/api/events") == 0) {
        if (web_pages_live(w) >= WEB_PAGES_MAX)
            return refuse(conn, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
                          "%d event streams are open already (one for each browser, however many of its pages "
                          "show the board, and one for each script): close one, and this page comes in by itself",
                          WEB_PAGES_MAX);
        /* A HEAD gets the stream's headers and no stream: for the stream libmicrohttpd sent
         * its end (a last empty chunk) after a HEAD's headers, bytes that the client reads as
         * the start of the next answer. */
        if (strcmp(method, "HEAD") == 0)
            return respond(conn, MHD_HTTP_OK, "text/event-stream", "", 0, NULL);
        return web_events_open(w, conn);
    }
    if (rq && rq->too_big)
        return refuse(conn, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "the body is over %d KiB: send less at a time",
                      WEB_BODY_MAX / 1024);
    if (strcmp(url, "/api/analog") == 0)
        return post_analog(w, conn, rq);
    if (strcmp(url, "/api/serial") == 0)
        return post_serial(w, conn, rq);
    return post_reset(w, conn, rq);
}

enum MHD_Result web_request_on(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    (void)version;
    board_web *w = cls;
    web_request *rq = *req_cls;
    if (!rq) {
        /* The headers are in: a body, if any, comes in the next calls, then the answer, for
         * every method. An answer queued now, before the request is all read, made
         * libmicrohttpd close the connection after it: no GET kept its connection alive. */
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
    web_conn_answering(conn, true); /* whole: not cut off now, an event stream above all */
    return answer(w, conn, url, method, rq);
}

void web_request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                           enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)code;
    web_conn_answering(conn, false);
    free(*req_cls);
    *req_cls = NULL;
}

/*
 * fuzz_web_request.c - libFuzzer target for each request to duet-board's web server
 * (tools/board/web_request.c), as anything on the machine, or a web page through the browser,
 * may send them. The server is the real one (web_start in web.c: libmicrohttpd with
 * web_request_on and web_request_completed as its handlers, external polling through epoll)
 * with no listening socket: each connection of the input is one end of a socketpair handed
 * to it with MHD_add_connection; the harness writes the requests' bytes into the other end,
 * runs MHD_run until nothing moves, and reads the answers. The board's hands (analog,
 * serial, reset) are fakes that record each call; the serial one refuses (as when the M7 is
 * not running) when the input says so.
 *
 * The input (next_request) is the server's address (127.0.0.1, ::1, 0.0.0.0 or another
 * address; port 8080 or 80) and then requests: method, path (the page's files, the API,
 * unknown, percent-encoded bytes, a query), HTTP/1.0 or 1.1, Host and Origin (the server's
 * own in each form, other names and ports, malformed ones, any bytes), a body (analog, serial
 * or reset JSON with values in and out of range, any bytes, sizes around WEB_BODY_MAX) sent
 * with Content-Length, chunked, with Expect: 100-continue, or declared over the limit,
 * other headers; several on one connection (keep-alive, pipelined), or raw bytes.
 *
 * Checked, for the requests the harness built (its model of the rules is written here from
 * docs/web.md, not from the code):
 * (1) every complete request gets exactly one answer with a status line, in order (a 100
 *     Continue aside, and nothing after a HEAD's headers), unless an earlier answer closed
 *     the connection (Connection: close, HTTP/1.0) or opened the event stream; an answer not
 *     from the handler (libmicrohttpd's own, known by the lack of the handler's headers) or
 *     none only where the request was not plain HTTP (no Host in HTTP/1.1, bytes of the
 *     input in a header or the path, a body on a GET), and none also for a request with
 *     Expect: 100-continue pipelined before another (libmicrohttpd 0.9.75 closes then; the
 *     handler may have acted on it); the server stops cleanly with the event streams open;
 *     ASan and UBSan, and LeakSanitizer at the end of each input.
 * (2) the board's hands are called only for a POST to their route whose Host names the
 *     server (127.0.0.1, localhost, [::1] or the address it was given, any name when it
 *     listens on every address; with ":" and the port in digits, or no port when it is 80)
 *     and whose Origin, if any, is "http://" and that Host (the name in any case), with a
 *     body of at most WEB_BODY_MAX bytes that is a JSON object (read with jansson, as the
 *     server does) whose values are in range ("pin" "A0".."A7" and "value" a number whose
 *     value is whole, 0..1023, 512.0 and 5e2 too; "text" a string; anything or nothing for
 *     reset); and then exactly once, with
 *     the values of the body (the text's bytes exactly).
 * (3) every other request that reaches the handler is refused with the status the model
 *     expects (403 Host, 404, 405 with Allow, 403 Origin, 413, 400, 409 when the serial fake
 *     refuses, 503 past WEB_PAGES_MAX event streams), as application/json {"error": "..."}
 *     (one sentence, jansson reads it back) and nothing else, and calls nothing (but the
 *     serial fake that refused, with the text).
 * (4) a body over WEB_BODY_MAX (as sent, or as declared by Content-Length) is refused with
 *     413 once the request passed Host, path, method and Origin, and calls nothing.
 * (5) GET of the page's files ("/" is index.html) answers their bytes exactly with the
 *     Content-Type of their extension (HEAD: no bytes, the same headers); the API's answers
 *     are the documented JSON; any other path is a 404.
 * For raw bytes only (1)'s status lines and no hand called without a 2xx or 409 answer.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "web_assets.h"
#include "web_server.h"

#include "fuzz_check.h"

/* ------------------------------------------------------------ bytes */

typedef struct bytes {
    char *b;
    size_t len, cap;
} bytes;

static void put(bytes *o, const void *p, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n) * 2 + 64;
        o->b = realloc(o->b, o->cap);
        CHECK(o->b);
    }
    if (n)
        memcpy(o->b + o->len, p, n);
    o->len += n;
    o->b[o->len] = '\0';
}

static void puts_(bytes *o, const char *s)
{
    put(o, s, strlen(s));
}

static void putf(bytes *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(bytes *o, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    CHECK(n >= 0 && (size_t)n < sizeof buf);
    put(o, buf, (size_t)n);
}

/* The input, read from the front; past its end every byte is 0. */
typedef struct input {
    const uint8_t *p;
    size_t left;
} input;

static uint8_t byte(input *in)
{
    if (!in->left)
        return 0;
    in->left--;
    return *in->p++;
}

static unsigned u16(input *in)
{
    unsigned hi = byte(in);
    return hi << 8 | byte(in);
}

/* Up to max bytes from the input (a length byte, then the bytes). */
static size_t take(input *in, uint8_t *out, size_t max)
{
    size_t n = byte(in) % (max + 1);
    for (size_t i = 0; i < n; i++)
        out[i] = byte(in);
    return n;
}

/* ------------------------------------------------------------ the board's fakes */

typedef struct call {
    char kind;            /* 'a' analog, 's' serial, 'r' reset */
    int input, value;
    char *text;
    size_t len;
} call;

#define CALLS_MAX 2048
static call calls[CALLS_MAX];
static size_t ncalls;
static bool serial_refuses;
static const char serial_why[] = "the M7 is not running: press reset or upload a program";

static void record(call c)
{
    CHECK(ncalls < CALLS_MAX);
    calls[ncalls++] = c;
}

static uint64_t fake_now(void *ctx)
{
    (void)ctx;
    return 1234567;
}

static void fake_analog(void *ctx, int input, int value)
{
    (void)ctx;
    record((call){'a', input, value, NULL, 0});
}

static bool fake_serial(void *ctx, const uint8_t *data, size_t len, char *why, size_t cap)
{
    (void)ctx;
    char *copy = malloc(len + 1);
    CHECK(copy);
    if (len)
        memcpy(copy, data, len);
    record((call){'s', 0, 0, copy, len});
    if (serial_refuses)
        snprintf(why, cap, "%s", serial_why);
    return !serial_refuses;
}

static void fake_reset(void *ctx)
{
    (void)ctx;
    record((call){'r', 0, 0, NULL, 0});
}

static bool same_call(const call *a, const call *b)
{
    return a->kind == b->kind && a->input == b->input && a->value == b->value && a->len == b->len &&
           (a->len == 0 || memcmp(a->text, b->text, a->len) == 0);
}

/* ------------------------------------------------------------ the requests */

static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "post", "PATCH"};

/* The paths the harness knows (the page's files, the API, and others). */
static const char *const paths[] = {"/",           "/index.html", "/page.css",   "/page.js",
                                    "/board.svg",  "/api/state",  "/api/events", "/api/analog",
                                    "/api/serial", "/api/reset",  "/api/nothing", "/index.html/..",
                                    "/API/STATE",  "/web.c",      "/api/analog/", "/page.js.map"};
#define KNOWN_PATHS (sizeof paths / sizeof paths[0])

typedef struct request {
    bytes wire;           /* what is sent */
    bool raw;             /* bytes of the input as they are: no model */
    bool head;            /* a HEAD: its answer has no body */
    bool complete;        /* the server has all of it (else it waits for the rest) */
    bool closes;          /* HTTP/1.0 without keep-alive: the server closes after it */
    bool expect;          /* with Expect: 100-continue */
    bool mhd_may_refuse;  /* not plain HTTP: libmicrohttpd may answer it itself */
    /* What the handler sees */
    char method[16];
    bytes url;            /* decoded, as the handler gets it */
    bool has_host, has_origin;
    bytes host, origin;
    bool declared_big;    /* Content-Length over WEB_BODY_MAX, the body not sent */
    bytes body;
} request;

static void request_free(request *r)
{
    free(r->wire.b);
    free(r->url.b);
    free(r->host.b);
    free(r->origin.b);
    free(r->body.b);
}

/* The server being fuzzed. */
typedef struct server {
    char host[64];        /* as given to it: "127.0.0.1", "::1", "0.0.0.0", ... */
    bool v6, any_host;
    unsigned port;
} server;

static const struct {
    const char *host;
    bool v6, any;
} servers[] = {{"127.0.0.1", false, false}, {"::1", true, false}, {"0.0.0.0", false, true}, {"192.168.7.5", false, false}};

/* A header value made of the input's bytes: visible ASCII and bytes over 0x7f (none that
 * ends the line or the header), at least one byte. */
static void custom_value(input *in, bytes *o)
{
    uint8_t buf[200];
    size_t n = take(in, buf, sizeof buf);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        if (c <= 0x20 || c == 0x7f)
            c = (uint8_t)('!' + c % 90);
        put(o, &c, 1);
    }
    if (!n)
        puts_(o, "x");
}

static void host_value(input *in, const server *s, uint8_t choice, bytes *o)
{
    char own[80];
    snprintf(own, sizeof own, s->v6 ? "[%s]" : "%s", s->host);
    switch (choice % 16) {
    case 1: putf(o, "127.0.0.1:%u", s->port); break;
    case 2: putf(o, "localhost:%u", s->port); break;
    case 3: putf(o, "[::1]:%u", s->port); break;
    case 4: putf(o, "%s:%u", own, s->port); break;
    case 5: putf(o, "evil.example:%u", s->port); break;
    case 6: custom_value(in, o); break;
    case 7: puts_(o, byte(in) & 1 ? own : "localhost"); break; /* no port */
    case 8: putf(o, "127.0.0.1:%u", s->port + 1 + byte(in)); break;
    case 9: putf(o, "LocalHost:%u", s->port); break;
    case 10: putf(o, "127.0.0.1:%u", s->port), custom_value(in, o); break;
    case 11: putf(o, "127.0.0.1:%llu", (unsigned long long)s->port + (1ull << 32)); break;
    case 12: putf(o, "[%s", s->host), custom_value(in, o), putf(o, ":%u", s->port); break;
    case 13: putf(o, "%s:0%u", own, s->port); break;
    case 14: putf(o, "127.0.0.1:%c%u", byte(in) & 1 ? '+' : '-', s->port); break;
    case 15: putf(o, "%s:%u", s->host, s->port); break; /* IPv6 without brackets */
    default: break;
    }
}

static void origin_value(input *in, const request *r, uint8_t choice, bytes *o)
{
    const char *host = r->has_host ? r->host.b : "127.0.0.1:8080";
    switch (choice % 9) {
    case 1: putf(o, "http://%s", host); break;
    case 2: puts_(o, "http://evil.example"); break;
    case 3: puts_(o, "null"); break;
    case 4: custom_value(in, o); break;
    case 5:
        puts_(o, "http://");
        for (const char *c = host; *c; c++)
            put(o, &(char){(char)((*c >= 'a' && *c <= 'z') ? *c - 32 : *c)}, 1);
        break;
    case 6: putf(o, "https://%s", host); break;
    case 7: putf(o, "http://%s/", host); break;
    case 8: putf(o, "HTTP://%s", host); break;
    default: break;
    }
}

/* A JSON string of bytes: escapes for '"', '\\' and control bytes, other bytes as they are
 * (jansson refuses the body when they are not UTF-8). */
static void json_string_of(bytes *o, const uint8_t *p, size_t n)
{
    puts_(o, "\"");
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\')
            putf(o, "\\%c", p[i]);
        else if (p[i] < 0x20)
            putf(o, "\\u%04x", p[i]);
        else
            put(o, &p[i], 1);
    }
    puts_(o, "\"");
}

static void body_value(input *in, bytes *o)
{
    static const char *const pins[] = {"A0", "A7", "A8", "a0", "D3", "A", "A00", "A3\\u0000", "\\u00410"};
    uint8_t kind = byte(in);
    switch (kind % 8) {
    case 0: { /* analog */
        uint8_t p = byte(in), how = byte(in);
        int v = (int)u16(in) % 1100 - 30;
        puts_(o, "{");
        if (!(how & 1))
            putf(o, "\"pin\":\"%s\",", pins[p % (sizeof pins / sizeof pins[0])]);
        if (how & 2)
            putf(o, "\"pin\":%d,", p);
        switch (how >> 2 & 7) {
        case 0: putf(o, "\"value\":%d", v); break;
        case 1: putf(o, "\"value\":%d.5", v); break;
        case 2: putf(o, "\"value\":\"%d\"", v); break;
        case 3: putf(o, "\"value\":%d.0", v); break;
        case 4: putf(o, "\"value\":%de0", v); break;
        case 5: puts_(o, "\"value\":99999999999999999999"); break;
        case 6: puts_(o, "\"value\":-9223372036854775808"); break;
        default: putf(o, "\"value\":%d,\"value\":%d", v, v + 1); break;
        }
        puts_(o, "}");
        break;
    }
    case 1: { /* serial */
        uint8_t t[240];
        size_t n = take(in, t, sizeof t);
        puts_(o, byte(in) & 1 ? "{\"txt\":" : "{\"text\":");
        json_string_of(o, t, n);
        puts_(o, "}");
        break;
    }
    case 2: puts_(o, "{}"); break;
    case 3: break; /* empty */
    case 4: { /* any bytes */
        uint8_t t[255];
        size_t n = take(in, t, sizeof t);
        put(o, t, n);
        break;
    }
    case 5: { /* serial text to around the limit */
        int delta = (int)(int8_t)byte(in);
        size_t total = (size_t)(WEB_BODY_MAX + delta);
        puts_(o, "{\"text\":\"");
        while (o->len < total - 2)
            put(o, "abcdefgh", total - 2 - o->len < 8 ? total - 2 - o->len : 8);
        puts_(o, "\"}");
        break;
    }
    case 6: puts_(o, "[1,2]"); break;
    default: { /* several keys, nested values */
        uint8_t t[40];
        size_t n = take(in, t, sizeof t);
        puts_(o, "{\"x\":[{\"y\":null}],\"text\":");
        json_string_of(o, t, n);
        putf(o, ",\"pin\":\"A%u\",\"value\":%u}", byte(in) % 9, u16(in) % 1030);
        break;
    }
    }
}

/* Reads one request from the input into r. Returns false when the input has ended. */
static bool next_request(input *in, const server *s, request *r, bool *new_connection)
{
    if (!in->left)
        return false;
    memset(r, 0, sizeof *r);
    uint8_t flags = byte(in);
    *new_connection = flags & 0x10;
    if (flags & 0x20 && (flags & 7) == 7) { /* raw bytes */
        r->raw = true;
        size_t n = u16(in) % 4096;
        for (size_t i = 0; i < n && in->left; i++) {
            uint8_t c = byte(in);
            put(&r->wire, &c, 1);
        }
        return true;
    }
    snprintf(r->method, sizeof r->method, "%s", methods[flags & 7]);
    r->head = strcmp(r->method, "HEAD") == 0;
    bool http10 = flags & 8, expect = flags & 0x40, chunked = flags & 0x80 && !http10;

    /* The path */
    uint8_t p = byte(in);
    bytes target = {0};
    if (p % 20 < KNOWN_PATHS) {
        puts_(&target, paths[p % 20]);
        puts_(&r->url, paths[p % 20]);
    } else if (p % 20 == 16) { /* safe characters */
        static const char safe[] = "abcXYZ019._~-/";
        uint8_t t[100];
        size_t n = take(in, t, sizeof t);
        puts_(&target, "/"), puts_(&r->url, "/");
        for (size_t i = 0; i < n; i++)
            put(&target, &safe[t[i] % (sizeof safe - 1)], 1), put(&r->url, &safe[t[i] % (sizeof safe - 1)], 1);
    } else if (p % 20 == 17) { /* percent-encoded bytes (no NUL) */
        uint8_t t[100];
        size_t n = take(in, t, sizeof t);
        puts_(&target, "/"), puts_(&r->url, "/");
        for (size_t i = 0; i < n; i++) {
            uint8_t c = t[i] ? t[i] : 0xff;
            putf(&target, "%%%02X", c);
            put(&r->url, &c, 1);
        }
    } else { /* a known path with a query */
        const char *known = paths[byte(in) % KNOWN_PATHS];
        puts_(&target, known), puts_(&r->url, known);
        puts_(&target, "?q=");
        uint8_t t[60];
        size_t n = take(in, t, sizeof t);
        for (size_t i = 0; i < n; i++)
            putf(&target, "%%%02X", t[i]);
    }
    putf(&r->wire, "%s %s HTTP/1.%c\r\n", r->method, target.b, http10 ? '0' : '1');
    free(target.b);

    /* Host and Origin */
    uint8_t h = byte(in), o = byte(in);
    host_value(in, s, h, &r->host);
    r->has_host = r->host.len > 0;
    if (r->has_host)
        putf(&r->wire, "%s: %s\r\n", h & 0x80 ? "host" : "Host", r->host.b);
    else if (!http10)
        r->mhd_may_refuse = true; /* HTTP/1.1 needs Host */
    if (h % 16 == 6 || h % 16 == 10 || h % 16 == 12)
        r->mhd_may_refuse = true;
    origin_value(in, r, o, &r->origin);
    r->has_origin = o % 9 != 0;
    if (r->has_origin) {
        puts_(&r->wire, "Origin: ");
        put(&r->wire, r->origin.b, r->origin.len);
        puts_(&r->wire, "\r\n");
    }
    if (o % 9 == 4)
        r->mhd_may_refuse = true;

    /* Other headers */
    uint8_t extra = byte(in);
    for (unsigned i = 0; i < (extra & 3u); i++) {
        static const char *const names[] = {"Content-Type", "Accept", "X-Anything", "Cookie", "Referer", "User-Agent"};
        putf(&r->wire, "%s: ", names[byte(in) % 6]);
        bytes v = {0};
        custom_value(in, &v);
        put(&r->wire, v.b, v.len);
        free(v.b);
        puts_(&r->wire, "\r\n");
        r->mhd_may_refuse = true;
    }
    if (extra & 4)
        puts_(&r->wire, http10 ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
    r->closes = http10 ? !(extra & 4) : (extra & 4);
    if (expect && !http10)
        puts_(&r->wire, "Expect: 100-continue\r\n");
    r->expect = expect && !http10;

    /* The body */
    body_value(in, &r->body);
    uint8_t how = extra >> 3 & 3;
    r->complete = true;
    if (how == 1 && !chunked) { /* declared over the limit, never sent: the server waits */
        putf(&r->wire, "Content-Length: %s\r\n\r\n", byte(in) & 1 ? "65537" : "99999999999");
        r->declared_big = true;
        r->complete = false;
        r->body.len = 0;
    } else if (how == 2 && !chunked) { /* no Content-Length: no body */
        puts_(&r->wire, "\r\n");
        r->body.len = 0;
    } else if (chunked) {
        puts_(&r->wire, "Transfer-Encoding: chunked\r\n\r\n");
        size_t at = 0;
        while (at < r->body.len) {
            size_t n = (size_t)byte(in) * 64 + 1;
            if (n > r->body.len - at)
                n = r->body.len - at;
            putf(&r->wire, "%zx\r\n", n);
            put(&r->wire, r->body.b + at, n);
            puts_(&r->wire, "\r\n");
            at += n;
        }
        puts_(&r->wire, "0\r\n\r\n");
    } else if (r->body.len == 0 && strcmp(r->method, "POST") != 0) {
        puts_(&r->wire, "\r\n"); /* as clients send a GET (libmicrohttpd closes after one with a length) */
    } else {
        putf(&r->wire, "Content-Length: %zu\r\n\r\n", r->body.len);
        put(&r->wire, r->body.b, r->body.len);
    }
    if (r->body.len && strcmp(r->method, "POST") != 0)
        r->mhd_may_refuse = true; /* a body the handler never takes */
    if (!r->body.b)
        puts_(&r->body, "");
    return true;
}

/* ------------------------------------------------------------ the model */

/* Whether c is a decimal digit. */
static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Host: a name, then ":" and the port in digits, or nothing when the port is 80. The name is
 * 127.0.0.1, localhost, [::1] or the server's own address (an IPv6 one in brackets), in any
 * case. When the server listens on every address: an IP address, localhost, or the machine's
 * host name, alone or with ".local" (any name used to be taken: DNS rebinding). */
static bool model_host_ok(const server *s, const char *host)
{
    const char *end;
    if (host[0] == '[') {
        end = strchr(host, ']');
        if (!end)
            return false;
        end++;
    } else {
        end = host + strcspn(host, ":[]");
    }
    if (*end == ':') {
        const char *d = end + 1;
        unsigned long long port = 0;
        if (!*d)
            return false;
        for (; *d; d++) {
            if (!digit(*d) || port > 100000)
                return false;
            port = port * 10 + (unsigned)(*d - '0');
        }
        if (port != s->port)
            return false;
    } else if (*end || s->port != 80) {
        return false;
    }
    size_t n = (size_t)(end - host);
    if (s->any_host) {
        char name[300], self[256];
        if (n >= sizeof name || gethostname(self, sizeof self) != 0)
            return false;
        self[sizeof self - 1] = 0;
        snprintf(name, sizeof name, "%.*s", (int)n, host);
        struct in6_addr a6;
        struct in_addr a4;
        if (name[0] == '[') {
            name[n - 1] = 0;
            return inet_pton(AF_INET6, name + 1, &a6) == 1;
        }
        char local[270];
        snprintf(local, sizeof local, "%s.local", self);
        return inet_pton(AF_INET, name, &a4) == 1 || strcasecmp(name, "localhost") == 0 ||
               (self[0] && (strcasecmp(name, self) == 0 || strcasecmp(name, local) == 0));
    }
    char own[80];
    snprintf(own, sizeof own, s->v6 ? "[%s]" : "%s", s->host);
    const char *names[] = {"127.0.0.1", "localhost", "[::1]", own};
    for (size_t i = 0; i < 4; i++)
        if (strlen(names[i]) == n && strncasecmp(host, names[i], n) == 0)
            return true;
    return false;
}

typedef struct expect {
    unsigned status;
    const char *allow;    /* 405 */
    const char *words;    /* the start of the refusal's sentence */
    bool has_call;
    call call;
    const board_web_asset *asset;
    bool events;          /* a GET of the event stream that opened */
} expect;

static const board_web_asset *model_asset(const char *url)
{
    for (const board_web_asset *a = board_web_assets; a->path; a++)
        if (strcmp(url, a->path) == 0 || (strcmp(url, "/") == 0 && strcmp(a->path, "/index.html") == 0))
            return a;
    return NULL;
}

static expect model(const server *s, const request *r, int pages_open)
{
    expect e = {0};
    const char *url = r->url.b, *m = r->method;
    bool get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0, post = strcmp(m, "POST") == 0;
    if (!r->has_host || !model_host_ok(s, r->host.b))
        return (expect){.status = 403, .words = "Host "};
    const char *takes = NULL;
    e.asset = model_asset(url);
    if (e.asset || strcmp(url, "/api/state") == 0 || strcmp(url, "/api/events") == 0)
        takes = "GET, HEAD";
    else if (strcmp(url, "/api/analog") == 0 || strcmp(url, "/api/serial") == 0 || strcmp(url, "/api/reset") == 0)
        takes = "POST";
    if (!takes)
        return (expect){.status = 404, .words = "there is no "};
    if (strcmp(takes, "POST") == 0 ? !post : !get)
        return (expect){.status = 405, .allow = takes, .words = url};
    if (e.asset || strcmp(url, "/api/state") == 0) {
        e.status = 200;
        return e;
    }
    if (r->has_origin) {
        bool own = strncmp(r->origin.b, "http://", 7) == 0 && strlen(r->origin.b) == r->origin.len &&
                   strcasecmp(r->origin.b + 7, r->host.b) == 0;
        if (!own)
            return (expect){.status = 403, .words = "a page from "};
    }
    if (strcmp(url, "/api/events") == 0) {
        if (pages_open >= WEB_PAGES_MAX)
            return (expect){.status = 503, .words = ""};
        return (expect){.status = 200, .events = !r->head};
    }
    if (r->declared_big || r->body.len > WEB_BODY_MAX)
        return (expect){.status = 413, .words = "the body is over 64 KiB"};
    json_t *j = NULL;
    if (strcmp(url, "/api/reset") == 0 && r->body.len == 0)
        return (expect){.status = 202, .has_call = true, .call = {'r', 0, 0, NULL, 0}};
    j = json_loadb(r->body.b, r->body.len, JSON_ALLOW_NUL, NULL); /* Serial text may hold NUL */
    if (!json_is_object(j)) {
        json_decref(j);
        return (expect){.status = 400, .words = "the body is not a JSON object"};
    }
    if (strcmp(url, "/api/reset") == 0) {
        e = (expect){.status = 202, .has_call = true, .call = {'r', 0, 0, NULL, 0}};
    } else if (strcmp(url, "/api/analog") == 0) {
        const char *pin = json_string_value(json_object_get(j, "pin"));
        json_t *v = json_object_get(j, "value");
        if (!pin || strlen(pin) != 2 || pin[0] != 'A' || pin[1] < '0' || pin[1] > '7' ||
            json_string_length(json_object_get(j, "pin")) != 2)
            e = (expect){.status = 400, .words = "unknown pin "};
        else if (!json_is_number(v) || json_number_value(v) != floor(json_number_value(v)) ||
                 json_number_value(v) < 0 || json_number_value(v) > 1023) /* 5e2 and 512.0 are whole */
            e = (expect){.status = 400, .words = "value "};
        else
            e = (expect){.status = 200, .has_call = true, .call = {'a', pin[1] - '0', (int)json_number_value(v), NULL, 0}};
    } else {
        json_t *t = json_object_get(j, "text");
        if (!json_is_string(t)) {
            e = (expect){.status = 400, .words = "give the text"};
        } else {
            size_t n = json_string_length(t);
            char *copy = malloc(n + 1);
            CHECK(copy);
            memcpy(copy, json_string_value(t), n + 1);
            e = (expect){.status = serial_refuses ? 409 : 200, .has_call = true, .call = {'s', 0, 0, copy, n},
                         .words = serial_refuses ? serial_why : NULL};
        }
    }
    json_decref(j);
    return e;
}

/* ------------------------------------------------------------ the answers */

typedef struct answer {
    unsigned status;
    bytes headers;        /* the header lines, as sent */
    bytes body;
    bool chunked;
} answer;

/* The value of header name in a (NULL if none), in buf. */
static const char *header(const answer *a, const char *name, char *buf, size_t cap)
{
    size_t n = strlen(name);
    for (const char *line = a->headers.b; line && *line;) {
        const char *eol = strstr(line, "\r\n");
        CHECK(eol);
        if ((size_t)(eol - line) > n && line[n] == ':' && strncasecmp(line, name, n) == 0) {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            snprintf(buf, cap, "%.*s", (int)(eol - v), v);
            return buf;
        }
        line = eol + 2;
    }
    return NULL;
}

/* Reads one answer from the bytes at *at (a 1xx skipped). Returns 1 with it, 0 when the bytes
 * end before it does, and for an event stream once its headers are in. head: to a HEAD. */
static int parse_answer(const bytes *in, size_t *at, bool head, answer *a, bool *stream)
{
    memset(a, 0, sizeof *a);
    *stream = false;
    if (!in->b)
        return 0;
    for (;;) {
        const char *start = in->b + *at;
        const char *end = memmem(start, in->len - *at, "\r\n\r\n", 4);
        if (!end)
            return 0;
        CHECK(in->len - *at >= 13 && memcmp(start, "HTTP/1.", 7) == 0 && (start[7] == '0' || start[7] == '1') &&
              start[8] == ' ' && digit(start[9]) && digit(start[10]) && digit(start[11]) && start[12] == ' ');
        unsigned status = (unsigned)((start[9] - '0') * 100 + (start[10] - '0') * 10 + (start[11] - '0'));
        const char *eol = memmem(start, (size_t)(end + 2 - start), "\r\n", 2);
        if (status == 100) {
            CHECK(eol == end);
            *at = (size_t)(end + 4 - in->b);
            continue;
        }
        CHECK(status >= 200 && status < 600);
        a->status = status;
        free(a->headers.b);
        a->headers = (bytes){0};
        put(&a->headers, eol + 2, (size_t)(end + 2 - (eol + 2)));
        size_t body_at = (size_t)(end + 4 - in->b);
        char buf[256];
        const char *te = header(a, "Transfer-Encoding", buf, sizeof buf);
        a->chunked = te && strcasecmp(te, "chunked") == 0;
        const char *type = header(a, "Content-Type", buf, sizeof buf);
        if (type && strcmp(type, "text/event-stream") == 0 && !head) {
            *stream = true;
            *at = body_at;
            return 0;
        }
        if (head) {
            *at = body_at;
            return 1;
        }
        if (a->chunked) {
            size_t p = body_at;
            for (;;) {
                const char *line_end = memmem(in->b + p, in->len - p, "\r\n", 2);
                if (!line_end)
                    return 0;
                size_t n = strtoul(in->b + p, NULL, 16);
                p = (size_t)(line_end + 2 - in->b);
                if (in->len - p < n + 2)
                    return 0;
                put(&a->body, in->b + p, n);
                p += n + 2;
                if (!n)
                    break;
            }
            *at = p;
            return 1;
        }
        const char *length = header(a, "Content-Length", buf, sizeof buf);
        CHECK(length);
        size_t n = strtoul(length, NULL, 10);
        if (in->len - body_at < n)
            return 0;
        put(&a->body, in->b + body_at, n);
        *at = body_at + n;
        return 1;
    }
}

static const char *asset_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const char *const types[][2] = {{".html", "text/html; charset=utf-8"},
                                           {".js", "text/javascript; charset=utf-8"},
                                           {".css", "text/css; charset=utf-8"},
                                           {".svg", "image/svg+xml"},
                                           {".png", "image/png"}};
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

/* Checks one answer of the handler against the model's. */
static void check_answer(const request *r, const answer *a, const expect *e)
{
    char buf[256], type[256];
    CHECK(a->status == e->status);
    CHECK(header(a, "Content-Type", type, sizeof type));
    CHECK(header(a, "Cache-Control", buf, sizeof buf) && strcmp(buf, "no-store") == 0);
    const char *allow = header(a, "Allow", buf, sizeof buf);
    CHECK(e->allow ? allow && strcmp(allow, e->allow) == 0 : !allow);
    if (r->head) {
        CHECK(a->body.len == 0);
        if (e->asset)
            CHECK(strcmp(type, asset_type(e->asset->path)) == 0);
        if (strcmp(r->url.b, "/api/events") == 0 && e->status == 200)
            CHECK(strcmp(type, "text/event-stream") == 0);
        return;
    }
    if (e->asset) {
        CHECK(strcmp(type, asset_type(e->asset->path)) == 0);
        CHECK(a->body.len == e->asset->size && memcmp(a->body.b, e->asset->data, a->body.len) == 0);
        return;
    }
    CHECK(strcmp(type, "application/json") == 0);
    CHECK(a->body.len > 0 && a->body.b[a->body.len - 1] == '\n');
    CHECK(strlen(a->body.b) == a->body.len);
    json_error_t err;
    json_t *j = json_loadb(a->body.b, a->body.len, 0, &err);
    CHECK(json_is_object(j));
    if (e->status >= 400) {
        /* {"error": "a sentence"} and nothing else */
        const char *why = json_string_value(json_object_get(j, "error"));
        CHECK(json_object_size(j) == 1 && why && why[0]);
        CHECK(strncmp(why, e->words, strlen(e->words)) == 0 || (e->status == 405 && strstr(why, "takes")));
        if (e->status == 405)
            CHECK(strstr(why, "takes") && strstr(why, e->allow));
    } else if (e->has_call && e->call.kind == 'a') {
        char want[64];
        snprintf(want, sizeof want, "{\"pin\":\"A%d\",\"value\":%d}\n", e->call.input, e->call.value);
        CHECK(strcmp(a->body.b, want) == 0);
    } else if (e->has_call && e->call.kind == 's') {
        CHECK(json_object_size(j) == 1 && json_integer_value(json_object_get(j, "typed")) == (json_int_t)e->call.len);
    } else if (e->has_call && e->call.kind == 'r') {
        CHECK(strcmp(a->body.b, "{\"reset\":true}\n") == 0);
    } else {
        CHECK(strcmp(r->url.b, "/api/state") == 0 && json_object_get(j, "time") && json_object_get(j, "cores"));
    }
    json_decref(j);
}

/* ------------------------------------------------------------ a connection */

static board_web *web;
static int pages_open;
static int streams[32], nstreams; /* our ends of the event streams' connections */

static void nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    CHECK(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
}

/* Sends the connection's requests, runs the server until nothing moves and checks what came
 * back. */
static void run_connection(const server *s, request *rs, size_t n, bool pipelined)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    nonblocking(sv[0]);
    nonblocking(sv[1]);
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(40000), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(MHD_add_connection(web->daemon, sv[1], (const struct sockaddr *)&peer, sizeof peer) == MHD_YES);
    bytes out = {0}, in = {0};
    size_t sent = 0;
    bool closed = false;
    size_t first_call = ncalls;
    /* One request at a time (the next once the server is idle), or all at once (pipelined). */
    for (size_t k = 0; k < n && !closed; k++) {
        put(&out, rs[k].wire.b, rs[k].wire.len);
        if (pipelined && k + 1 < n)
            continue;
        int last_unread = 0;
        for (int idle = 0; idle < 3;) {
            bool moved = false;
            if (sent < out.len) {
                ssize_t w = send(sv[0], out.b + sent, out.len - sent, MSG_NOSIGNAL);
                if (w > 0)
                    sent += (size_t)w, moved = true;
            }
            CHECK(MHD_run(web->daemon) == MHD_YES);
            for (;;) {
                char buf[16384];
                ssize_t got = recv(sv[0], buf, sizeof buf, 0);
                if (got > 0) {
                    put(&in, buf, (size_t)got);
                    moved = true;
                    continue;
                }
                if (got == 0)
                    closed = true;
                break;
            }
            if (closed)
                break;
            /* The server has not read all that was sent yet: it reads a part each run. */
            int unread = 0;
            if (ioctl(sv[1], FIONREAD, &unread) == 0 && unread != last_unread)
                moved = true;
            last_unread = unread;
            idle = moved ? 0 : idle + 1;
        }
    }

    if (getenv("FUZZ_WEB_VERBOSE")) /* to see what a failing input sends and gets */
        fprintf(stderr, "--- sent %zu of %zu bytes:\n%.*s\n--- got%s:\n%.*s\n---\n", sent, out.len,
                (int)(out.len < 100000 ? out.len : 100000), out.b, closed ? " (then closed)" : "",
                (int)(in.len < 100000 ? in.len : 100000), in.b);

    /* The answers, in order */
    size_t at = 0, answered = 0, expected_calls = 0;
    call want[64];
    bool optional[64] = {0}; /* a call that may have been made, or not */
    bool prev_from_mhd = false;
    bool ended = false; /* the connection was closed after an answer, or became a stream */
    bool any_raw = false, stream_open = false;
    unsigned good = 0; /* raw: answers that may come with a call */
    for (size_t i = 0; i < n; i++) {
        if (rs[i].raw) {
            any_raw = true;
            continue;
        }
    }
    if (any_raw) {
        /* Raw bytes: the answers start with a status line, and no call comes without a 2xx
         * or 409 answer (counted by their status lines: a HEAD's answer has no body, which
         * the harness cannot tell in bytes it did not make). */
        CHECK(in.len == 0 || strncmp(in.b, "HTTP/1.", 7) == 0);
        for (const char *p = in.b; p && (p = strstr(p, "HTTP/1.")); p += 7) {
            if ((p == in.b || p[-1] == '\n') && p[7] && p[8] == ' ' &&
                (p[9] == '2' || strncmp(p + 9, "409", 3) == 0))
                good++;
            if ((p == in.b || p[-1] == '\n') && strstr(p, "text/event-stream") &&
                strstr(p, "text/event-stream") < strstr(p, "\r\n\r\n"))
                stream_open = true, pages_open++;
        }
        CHECK(ncalls - first_call <= good);
    } else {
        for (size_t i = 0; i < n && !ended; i++) {
            request *r = &rs[i];
            answer a;
            bool stream;
            int got = parse_answer(&in, &at, r->head, &a, &stream);
            expect e = model(s, r, pages_open);
            char buf[256];
            if (getenv("FUZZ_WEB_VERBOSE"))
                fprintf(stderr, "request %zu (%s %s, %zu body bytes): %s; the model expects %u%s, pages open %d\n", i,
                        r->method, r->url.b, r->body.len,
                        got ? "answered" : stream ? "an event stream" : "no answer", e.status,
                        e.has_call ? " and a call" : "", pages_open);
            if (got || stream) {
                answered++;
                bool from_handler = header(&a, "X-Content-Type-Options", buf, sizeof buf) || stream ||
                                    (header(&a, "Content-Type", buf, sizeof buf) && strcmp(buf, "text/event-stream") == 0);
                prev_from_mhd = !from_handler;
                if (!from_handler) {
                    /* libmicrohttpd's own refusal: only for what is not plain HTTP */
                    CHECK(r->mhd_may_refuse);
                    CHECK(a.status >= 400);
                } else if (stream) {
                    CHECK(e.events && e.status == 200);
                    pages_open++;
                    stream_open = ended = true;
                } else {
                    check_answer(r, &a, &e);
                    if (e.has_call)
                        want[expected_calls++] = e.call, e.call.text = NULL;
                }
                const char *conn = header(&a, "Connection", buf, sizeof buf);
                if (conn && strcasecmp(conn, "close") == 0)
                    ended = true;
            } else {
                /* No answer: the request is not all there, the connection was closed after an
                 * earlier HTTP/1.0 answer or one of libmicrohttpd's own, or (when it is not
                 * plain HTTP) libmicrohttpd dropped it. libmicrohttpd 0.9.75 also closes the
                 * connection after its 100 Continue when the bytes of the next request are
                 * waiting already (pipelined after an Expect: 100-continue), and may have had
                 * the handler answer it first. */
                CHECK(!r->complete || r->mhd_may_refuse || (i > 0 && (rs[i - 1].closes || prev_from_mhd)) ||
                      (pipelined && r->expect));
                /* There, the handler may have had the request all the same (and acted on it). */
                if (r->complete && pipelined && r->expect && e.has_call) {
                    optional[expected_calls] = true;
                    want[expected_calls++] = e.call, e.call.text = NULL;
                }
                ended = true;
            }
            free(e.call.text);
            free(a.headers.b);
            free(a.body.b);
            if (!r->complete)
                ended = true;
        }
        size_t made = first_call;
        for (size_t i = 0; i < expected_calls; i++) {
            if (made < ncalls && same_call(&calls[made], &want[i]))
                made++;
            else
                CHECK(optional[i]);
            free(want[i].text);
        }
        CHECK(made == ncalls);
    }
    /* A page's event stream stays open to the end of the input (closed, it would free its
     * place among the WEB_PAGES_MAX sooner or later); any other connection is closed now. */
    if (stream_open)
        streams[nstreams++] = sv[0];
    else
        close(sv[0]);
    CHECK(MHD_run(web->daemon) == MHD_YES);
    free(out.b);
    free(in.b);
}

/* ------------------------------------------------------------ one input */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    uint8_t conf = byte(&in);
    server s = {0};
    snprintf(s.host, sizeof s.host, "%s", servers[conf & 3].host);
    s.v6 = servers[conf & 3].v6;
    s.any_host = servers[conf & 3].any;
    s.port = conf & 4 ? 80 : 8080;
    serial_refuses = conf & 8;

    static board_feed feed;
    board_feed_init(&feed);
    board_web *w = calloc(1, sizeof *w);
    CHECK(w);
    w->feed = &feed;
    w->act = (board_web_actions){fake_now, fake_analog, fake_serial, fake_reset, NULL};
    snprintf(w->host, sizeof w->host, "%s", s.host);
    w->port = s.port;
    w->any_host = s.any_host;
    char why[256];
    web = web_start(w, NULL, "fuzz", why, sizeof why);
    CHECK(web);
    ncalls = 0;
    pages_open = 0;

    request rs[64];
    size_t n = 0;
    bool new_connection = false;
    for (int connections = 0; connections < 24; connections++) {
        n = 0;
        while (n < 64 && next_request(&in, &s, &rs[n], &new_connection)) {
            n++;
            if (new_connection || rs[n - 1].raw || !rs[n - 1].complete)
                break;
        }
        if (!n)
            break;
        if (n > 1 && rs[n - 1].raw) { /* raw bytes on a connection of their own */
            run_connection(&s, rs, n - 1, conf & 0x10);
            run_connection(&s, rs + n - 1, 1, false);
        } else {
            run_connection(&s, rs, n, conf & 0x10);
        }
        for (size_t i = 0; i < n; i++)
            request_free(&rs[i]);
    }
    CHECK(web->pages.open == pages_open);
    board_web_stop(web);
    web = NULL;
    for (int i = 0; i < nstreams; i++)
        close(streams[i]);
    nstreams = 0;
    for (size_t i = 0; i < ncalls; i++)
        free(calls[i].text);
    return 0;
}

/* trace.c - --trace: RPC messages decoded and paired with their answers, stream bytes. */
#include "trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "duet/msgpack.h"

/* Appends to a bounded text; once full, the rest is dropped and "..." ends it. */
typedef struct text {
    char *buf;
    size_t cap, len;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text *t, const char *fmt, ...)
{
    /* A text filled to its last byte is still formatted into (vsnprintf with room for the
     * NUL alone): anything more, even one byte, makes it truncated and ends it with "...". */
    if (t->cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= t->cap - t->len) {
        t->len = t->cap - 1;
        if (t->cap >= 4)
            memcpy(t->buf + t->cap - 4, "...", 4);
    } else {
        t->len += (size_t)n;
    }
}

static void put_quoted(text *t, const uint8_t *s, size_t len)
{
    put(t, "\"");
    for (size_t i = 0; i < len; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\')
            put(t, "\\%c", c);
        else if (c == '\n')
            put(t, "\\n");
        else if (c == '\r')
            put(t, "\\r");
        else if (c < 0x20 || c == 0x7f)
            put(t, "\\x%02x", c);
        else
            put(t, "%c", c);
    }
    put(t, "\"");
}

static void value(duet_msgpack_reader *r, text *t, int depth)
{
    duet_msgpack_token tok;
    if (!duet_msgpack_read_token(r, &tok))
        return;
    switch (tok.type) {
    case DUET_MSGPACK_NIL: put(t, "nil"); break;
    case DUET_MSGPACK_BOOL: put(t, tok.v.b ? "true" : "false"); break;
    case DUET_MSGPACK_UINT: put(t, "%" PRIu64, tok.v.u); break;
    case DUET_MSGPACK_INT: put(t, "%" PRId64, tok.v.i); break;
    case DUET_MSGPACK_FLOAT32: put(t, "%g", (double)tok.v.f); break;
    case DUET_MSGPACK_FLOAT64: put(t, "%g", tok.v.d); break;
    case DUET_MSGPACK_STR: put_quoted(t, tok.v.bytes.ptr, tok.v.bytes.len); break;
    case DUET_MSGPACK_BIN: put(t, "<%" PRIu32 " bytes>", tok.v.bytes.len); break;
    case DUET_MSGPACK_EXT: put(t, "<ext %d, %" PRIu32 " bytes>", tok.v.bytes.ext_type, tok.v.bytes.len); break;
    case DUET_MSGPACK_ARRAY:
    case DUET_MSGPACK_MAP: {
        bool map = tok.type == DUET_MSGPACK_MAP;
        if (depth > 8) {
            duet_msgpack_reader_fail(r, DUET_ERR_DEPTH);
            return;
        }
        put(t, map ? "{" : "[");
        for (uint32_t i = 0; i < tok.v.count && !duet_msgpack_reader_error(r); i++) {
            put(t, i ? ", " : "");
            value(r, t, depth + 1);
            if (map) {
                put(t, ": ");
                value(r, t, depth + 1);
            }
        }
        put(t, map ? "}" : "]");
        break;
    }
    default: break;
    }
}

size_t board_trace_value(const uint8_t *data, size_t len, char *buf, size_t cap)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, data, len);
    text t = {buf, cap, 0};
    if (cap)
        buf[0] = 0;
    value(&r, &t, 0);
    return duet_msgpack_reader_error(&r) ? 0 : duet_msgpack_reader_offset(&r);
}

/* The params array as "(1, 2)": the array's elements without brackets. */
static void params(duet_msgpack_reader *r, text *t)
{
    uint32_t n;
    if (!duet_msgpack_read_array(r, &n)) {
        put(t, "(?)");
        return;
    }
    put(t, "(");
    for (uint32_t i = 0; i < n && !duet_msgpack_reader_error(r); i++) {
        put(t, i ? ", " : "");
        value(r, t, 1);
    }
    put(t, ")");
}

static const char *arrow(int core)
{
    return core == BOARD_CORE_M4 ? "M4->M7" : core == BOARD_CORE_M7 ? "M7->M4" : "?->?";
}

static void line(board_trace *tr, uint64_t time_us, const char *s)
{
    fprintf(tr->out, "[%8.3f s] trace %s\n", (double)time_us / 1e6, s);
    if (fflush(tr->out) != 0 && !tr->write_errno)
        tr->write_errno = errno;
}

/* A request: kept until its answer comes (printed then, with the answer). */
static bool request(board_trace *tr, const board_event *ev, duet_msgpack_reader *r)
{
    char name[128], buf[600];
    uint32_t msgid;
    if (!duet_msgpack_read_u32(r, &msgid) || !duet_msgpack_read_cstr(r, name, sizeof name))
        return false;
    board_trace_call *slot = NULL, *early = NULL;
    for (int i = 0; i < BOARD_TRACE_PENDING; i++) {
        board_trace_call *c = &tr->calls[i];
        if (c->answer && c->caller == ev->core && c->msgid == msgid)
            early = c;
        else if (!c->caller && !slot)
            slot = c;
    }
    if (early)
        slot = NULL;
    text call = {slot ? slot->text : buf, slot ? sizeof slot->text : sizeof buf, 0};
    put(&call, "%s", name);
    params(r, &call);
    if (early) {
        /* Its answer came first: the call and its answer on one line now. */
        char out[900];
        uint64_t took = early->time_us > ev->time_us ? early->time_us - ev->time_us : 0;
        snprintf(out, sizeof out, "%s call #%" PRIu32 " %s -> %s in %" PRIu64 " us", arrow(ev->core), msgid, buf,
                 early->text, took);
        line(tr, ev->time_us, out);
        early->caller = 0;
        early->answer = false;
        return !duet_msgpack_reader_error(r);
    }
    if (slot) {
        slot->caller = ev->core;
        slot->msgid = msgid;
        slot->time_us = ev->time_us;
        return !duet_msgpack_reader_error(r);
    }
    /* More calls wait than the trace keeps: print this one now, unpaired. */
    char out[700];
    snprintf(out, sizeof out, "%s call #%" PRIu32 " %s", arrow(ev->core), msgid, buf);
    line(tr, ev->time_us, out);
    return !duet_msgpack_reader_error(r);
}

static int other_core(int core)
{
    return core == BOARD_CORE_M7 ? BOARD_CORE_M4 : BOARD_CORE_M7;
}

/* A response: printed with the call it answers. An answer whose call the trace has not seen
 * yet waits for it (the caller's event may come later than the answer's). */
static bool response(board_trace *tr, const board_event *ev, duet_msgpack_reader *r)
{
    char result[200];
    text res = {result, sizeof result, 0};
    uint32_t msgid;
    if (!duet_msgpack_read_u32(r, &msgid))
        return false;
    if (duet_msgpack_peek_type(r) == DUET_MSGPACK_NIL) {
        duet_msgpack_read_nil(r);
        value(r, &res, 0);
    } else {
        put(&res, "error ");
        value(r, &res, 0);
        duet_msgpack_read_token(r, &(duet_msgpack_token){0});
    }
    board_trace_call *call = NULL, *free_slot = NULL;
    for (int i = 0; i < BOARD_TRACE_PENDING; i++) {
        board_trace_call *c = &tr->calls[i];
        if (c->caller && !c->answer && c->caller != ev->core && c->msgid == msgid && !call)
            call = c;
        else if (!c->caller && !free_slot)
            free_slot = c;
    }
    char out[900];
    if (call) {
        snprintf(out, sizeof out, "%s call #%" PRIu32 " %s -> %s in %" PRIu64 " us", arrow(call->caller), msgid,
                 call->text, result, ev->time_us - call->time_us);
        call->caller = 0;
    } else if (free_slot) {
        *free_slot = (board_trace_call){other_core(ev->core), msgid, ev->time_us, {0}, true};
        snprintf(free_slot->text, sizeof free_slot->text, "%s", result);
        return !duet_msgpack_reader_error(r);
    } else {
        snprintf(out, sizeof out, "%s answer to #%" PRIu32 " (no such call seen) -> %s", arrow(ev->core), msgid,
                 result);
    }
    line(tr, ev->time_us, out);
    return !duet_msgpack_reader_error(r);
}

/* One message; returns false if the bytes are no msgpack-RPC message. */
static bool message(board_trace *tr, const board_event *ev, duet_msgpack_reader *r)
{
    uint32_t n;
    int32_t type;
    if (!duet_msgpack_read_array(r, &n) || n < 3 || n > 4 || !duet_msgpack_read_i32(r, &type))
        return false;
    if (type == 0 && n == 4)
        return request(tr, ev, r);
    if (type == 1 && n == 4)
        return response(tr, ev, r);
    if (type == 2 && n == 3) {
        char name[128], buf[600];
        text t = {buf, sizeof buf, 0};
        if (!duet_msgpack_read_cstr(r, name, sizeof name))
            return false;
        put(&t, "%s notify %s", arrow(ev->core), name);
        params(r, &t);
        line(tr, ev->time_us, buf);
        return !duet_msgpack_reader_error(r);
    }
    return false;
}

static void trace_event(void *ctx, const board_event *ev)
{
    board_trace *tr = ctx;
    if (ev->kind == BOARD_EV_STREAM) {
        char buf[600];
        text t = {buf, sizeof buf, 0};
        put(&t, "%s stream ", arrow(ev->core));
        put_quoted(&t, ev->data, ev->len);
        line(tr, ev->time_us, buf);
        return;
    }
    if (ev->kind != BOARD_EV_RPC)
        return;
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, ev->data, ev->len);
    while (duet_msgpack_reader_remaining(&r)) {
        if (!message(tr, ev, &r)) {
            char out[120];
            snprintf(out, sizeof out, "%s %zu bytes that are no msgpack-RPC message", arrow(ev->core), ev->len);
            line(tr, ev->time_us, out);
            return;
        }
    }
}

static void trace_close(void *ctx)
{
    board_trace *tr = ctx;
    for (int i = 0; i < BOARD_TRACE_PENDING; i++)
        if (tr->calls[i].caller) {
            board_trace_call *c = &tr->calls[i];
            char out[300];
            if (c->answer)
                snprintf(out, sizeof out, "%s answer to #%" PRIu32 " (no such call seen) -> %s",
                         arrow(other_core(c->caller)), c->msgid, c->text);
            else
                snprintf(out, sizeof out, "%s call #%" PRIu32 " %s -> no answer", arrow(c->caller), c->msgid,
                         c->text);
            c->answer = false;
            line(tr, tr->calls[i].time_us, out);
            tr->calls[i].caller = 0;
        }
}

int board_trace_attach(board_trace *t, FILE *out, board_feed *feed)
{
    memset(t, 0, sizeof *t);
    t->out = out;
    return board_feed_subscribe(feed, (board_sink){trace_event, trace_close, t});
}

/* trace_link.c - a link that forwards to another and decodes what passes, for --trace. */
#include "trace_link.h"

#include <inttypes.h>
#include <string.h>

#include "duet/msgpack.h"
#include "json_mp.h"

static uint32_t inner_now(trace_link *t)
{
    return t->inner->now_ms ? t->inner->now_ms(t->inner) : 0;
}

/* One value as JSON into b, cut at max_json. */
static void add_value(trace_link *t, strbuf *b, duet_msgpack_reader *r)
{
    const uint8_t *start = r->pos;
    strbuf v;
    sb_init(&v, t->max_json);
    bool ok = jm_read_to_json(r, &v);
    sb_add(b, sb_str(&v));
    if (v.truncated)
        sb_printf(b, "...(%zu bytes)", (size_t)(r->pos - start));
    else if (!ok)
        sb_add(b, "<undecodable>");
    sb_free(&v);
}

/* A method name as it is when it is plain printable ASCII, else as a JSON string. */
static void add_method(strbuf *b, const char *m, uint32_t n)
{
    bool plain = n > 0;
    for (uint32_t i = 0; i < n && plain; i++)
        plain = m[i] > ' ' && m[i] < 0x7f && m[i] != '"';
    if (plain)
        sb_addn(b, m, n);
    else
        sb_add_json_string(b, m, n);
}

static void add_id(strbuf *b, duet_msgpack_reader *r)
{
    duet_msgpack_token id;
    duet_msgpack_read_token(r, &id);
    if (id.type == DUET_MSGPACK_UINT)
        sb_printf(b, "%" PRIu64, id.v.u);
    else if (id.type == DUET_MSGPACK_INT)
        sb_printf(b, "%" PRId64, id.v.i);
    else
        sb_printf(b, "<%s>", duet_msgpack_type_name(id.type));
}

/* A method name: a str, or the bin older msgpack-RPC clients send. */
static bool read_method(duet_msgpack_reader *r, const char **m, uint32_t *len)
{
    const uint8_t *bytes;
    if (duet_msgpack_peek_type(r) != DUET_MSGPACK_BIN)
        return duet_msgpack_read_str(r, m, len);
    if (!duet_msgpack_read_bin(r, &bytes, len))
        return false;
    *m = (const char *)bytes;
    return true;
}

/* Decodes one message as msgpack-RPC into b; false if it is none. */
static bool describe(trace_link *t, strbuf *b, const uint8_t *msg, size_t len)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, msg, len);
    uint32_t n, type;
    if (!duet_msgpack_read_array(&r, &n) || !duet_msgpack_read_u32(&r, &type))
        return false;
    const char *m;
    uint32_t mlen;
    if (type == 0 && n == 4) {
        sb_add(b, "request id=");
        add_id(b, &r);
        if (!read_method(&r, &m, &mlen))
            return false;
        sb_add(b, " method=");
        add_method(b, m, mlen);
        sb_add(b, " params=");
        add_value(t, b, &r);
        return true;
    }
    if (type == 1 && n == 4) {
        sb_add(b, "response id=");
        add_id(b, &r);
        if (duet_msgpack_peek_type(&r) == DUET_MSGPACK_NIL) {
            duet_msgpack_read_nil(&r);
            sb_add(b, " result=");
        } else {
            sb_add(b, " error=");
        }
        add_value(t, b, &r);
        return true;
    }
    if (type == 2 && n == 3) {
        sb_add(b, "notification method=");
        if (!read_method(&r, &m, &mlen))
            return false;
        add_method(b, m, mlen);
        sb_add(b, " params=");
        add_value(t, b, &r);
        return true;
    }
    return false;
}

/* "NAME: trace +S.MSs " into line. */
static void line_start(trace_link *t, strbuf *line)
{
    uint32_t ms = inner_now(t) - t->t0;
    sb_printf(line, "%s: trace +%" PRIu32 ".%03" PRIu32 "s ", t->name, ms / 1000, ms % 1000);
}

static void line_end(trace_link *t, strbuf *line)
{
    sb_add(line, "\n");
    fwrite(sb_str(line), 1, line->len, t->out);
    fflush(t->out);
    sb_free(line);
}

void trace_note(trace_link *t, const char *text)
{
    strbuf line;
    sb_init(&line, 0);
    line_start(t, &line);
    sb_add(&line, "!! ");
    sb_add(&line, text);
    line_end(t, &line);
}

void trace_print(trace_link *t, const char *dir, const uint8_t *data, size_t len, const char *suffix)
{
    duet_msgpack_reader all;
    duet_msgpack_reader_init(&all, data, len);
    while (duet_msgpack_reader_remaining(&all) > 0) {
        const uint8_t *start = all.pos;
        bool whole = duet_msgpack_skip(&all);
        size_t n = whole ? (size_t)(all.pos - start) : (size_t)(data + len - start);
        strbuf line;
        sb_init(&line, 0);
        line_start(t, &line);
        sb_printf(&line, "%s ", dir);
        strbuf msg;
        sb_init(&msg, 0);
        if (whole && describe(t, &msg, start, n)) {
            sb_add(&line, sb_str(&msg));
        } else {
            sb_printf(&line, "not msgpack-RPC (%zu bytes): ", n);
            duet_msgpack_reader r;
            duet_msgpack_reader_init(&r, start, n);
            add_value(t, &line, &r);
        }
        sb_free(&msg);
        if (suffix)
            sb_add(&line, suffix);
        line_end(t, &line);
        if (!whole)
            break;
    }
}

static int t_send(duet_link *link, const uint8_t *data, size_t len)
{
    trace_link *t = (trace_link *)link;
    int err = t->inner->send(t->inner, data, len);
    char suffix[96];
    if (err)
        snprintf(suffix, sizeof suffix, " [not sent: %s]", duet_strerror(err));
    trace_print(t, "->", data, len, err ? suffix : NULL);
    return err;
}

static int t_poll(duet_link *link)
{
    trace_link *t = (trace_link *)link;
    return t->inner->poll(t->inner);
}

static void t_wait(duet_link *link, uint32_t timeout_ms)
{
    trace_link *t = (trace_link *)link;
    if (t->inner->wait)
        t->inner->wait(t->inner, timeout_ms);
}

static uint32_t t_now(duet_link *link)
{
    return inner_now((trace_link *)link);
}

/* A checksum of a message (FNV-1a), to know one the layer above refused when it comes again
 * (the link may have moved its bytes meanwhile). */
static uint64_t trace_sum(const uint8_t *data, size_t len)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ data[i]) * 1099511628211ull;
    return h;
}

/* Whether data is the message the layer above refused last, offered again. */
static bool offered_again(const trace_link *t, const uint8_t *data, size_t len)
{
    return t->held && t->held_len == len && t->held_sum == trace_sum(data, len);
}

/* The inner link delivers here: print, then hand over to the layer above. A message the
 * layer above refuses (a gate holding requests back) is offered again until it is taken:
 * it is printed once, when it first arrives, with one line saying it waits. */
static bool t_deliver(void *up, const uint8_t *data, size_t len)
{
    trace_link *t = (trace_link *)up;
    bool again = offered_again(t, data, len);
    if (!again)
        trace_print(t, "<-", data, len, NULL);
    bool taken = duet_link_deliver(&t->link, data, len);
    if (taken && again) {
        t->held = false;
    } else if (!taken && !again) {
        fprintf(t->out, "%s: trace (refused by the layer above for now: it is taken later, not printed again)\n",
                t->name);
        fflush(t->out);
        t->held = true;
        t->held_len = len;
        t->held_sum = trace_sum(data, len);
    }
    return taken;
}

/* The inner link drops a message over its limit: print its head, then tell the layer above. */
static void t_dropped(void *up, const uint8_t *head, size_t head_len, uint64_t size, size_t limit)
{
    trace_link *t = (trace_link *)up;
    strbuf line;
    sb_init(&line, 0);
    line_start(t, &line);
    sb_printf(&line, "<- too large (%" PRIu64 " bytes or more, the limit is %zu), begins with", size, limit);
    for (size_t i = 0; i < head_len && i < 16; i++)
        sb_printf(&line, " %02x", head[i]);
    line_end(t, &line);
    duet_link_dropped(&t->link, head, head_len, size, limit);
}

void trace_link_init(trace_link *t, duet_link *inner, FILE *out, const char *name, size_t max_json)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    t->inner = inner;
    t->out = out;
    t->max_json = max_json;
    t->link.send = t_send;
    t->link.poll = t_poll;
    t->link.wait = inner->wait ? t_wait : NULL;
    t->link.now_ms = t_now;
    t->link.max_message = inner->max_message;
    t->t0 = inner_now(t);
    duet_link_attach(inner, t_deliver, t);
    duet_link_attach_dropped(inner, t_dropped);
}

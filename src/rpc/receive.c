/* rpc/receive.c - what arrives: framing messages while parsing them, responses into the
 * slots that wait for them, requests to serve.c, and polling the link. */
#include "rpc/internal.h"

/* A message that is no msgpack-RPC message: skips it whole (the reader starts again at
 * start, up to the first end) and counts it. False if it is not even one whole value. */
static bool skip_malformed(duet_rpc *rpc, duet_msgpack_reader *r, const uint8_t *start, const uint8_t *end)
{
    duet_msgpack_reader_init(r, start, (size_t)(end - start));
    if (!duet_msgpack_skip(r))
        return false;
    rpc->stats.malformed++;
    return true;
}

/* The size of the unsigned integer encoding at p (a positive fixint or uint 8..64, the
 * encodings of msgids) if it is there whole, else 0. */
static size_t uint_size(const uint8_t *p, const uint8_t *end)
{
    if (p >= end)
        return 0;
    uint8_t b = *p;
    if (b <= 0x7f)
        return 1;
    size_t n = 1 + ((size_t)1 << (b & 3));
    return (uint8_t)(b - 0xcc) <= 3 && n <= (size_t)(end - p) ? n : 0;
}

/* Reads one whole value (inside: how deep it sits), a small integer here, the rest
 * through the reader. */
static inline bool read_one(duet_msgpack_reader *r, duet_msgpack_token *t, unsigned inside)
{
    const uint8_t *p = duet_msgpack_reader_pos(r);
    if (!DUET_RPC_FOR_SIZE && duet_msgpack_reader_remaining(r) && *p <= 0x7f) {
        t->type = DUET_MSGPACK_UINT;
        t->v.u = *p;
        duet_msgpack_reader_skip(r, 1);
        return true;
    }
    return duet_msgpack_read_value(r, t, inside);
}

/* Whether t is an integer, of either encoding (a non-canonical encoder may write a value
 * >= 0 as a signed one). */
static bool is_integer(const duet_msgpack_token *t)
{
    return t->type == DUET_MSGPACK_UINT || t->type == DUET_MSGPACK_INT;
}

/* A msgid as a token (the encodings the fast paths do not read): any integer for a request,
 * one >= 0 for a response (its value in *id). False if there is none. */
static bool read_msgid_token(duet_msgpack_reader *r, bool response, uint64_t *id)
{
    duet_msgpack_token t;
    if (!read_one(r, &t, 1) || !is_integer(&t) || (response && t.type == DUET_MSGPACK_INT && t.v.i < 0))
        return false;
    *id = t.v.u;
    return true;
}

/* A response's msgid: the 32-bit unsigned integers duet sends read here, any other as a
 * token. False if there is none. */
static bool read_response_id(duet_msgpack_reader *r, const uint8_t *end, uint64_t *id)
{
    const uint8_t *p = duet_msgpack_reader_pos(r);
    size_t n = DUET_RPC_FOR_SIZE ? 0 : uint_size(p, end);
    if (!n || n > 5)
        return read_msgid_token(r, true, id);
    if (n == 1)
        *id = p[0];
    else if (n == 2)
        *id = p[1];
    else if (n == 3)
        *id = (uint32_t)p[1] << 8 | p[2];
    else
        *id = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
    duet_msgpack_reader_skip(r, n);
    return true;
}

/*
 * Reads the rest of a response ([1, already read) id, error, result) and hands it to the
 * call that waits for its msgid (duet_rpc.take_response). Leaves r after the message; false
 * if it is not whole.
 */
static bool complete(duet_rpc *rpc, duet_msgpack_reader *r, const uint8_t *msg, const uint8_t *end)
{
    uint64_t id;
    duet_rpc_response resp;
    if (!read_response_id(r, end, &id))
        return skip_malformed(rpc, r, msg, end);
    /* The error: nil, a string, or (from a peer that breaks the convention) anything. */
    resp.text = NULL;
    resp.text_len = 0;
    resp.error_type = DUET_MSGPACK_NIL;
    if (!DUET_RPC_FOR_SIZE && duet_msgpack_reader_remaining(r) && *duet_msgpack_reader_pos(r) == 0xc0) {
        duet_msgpack_reader_skip(r, 1); /* nil, read here: no error */
    } else {
        if (!read_one(r, &resp.tok, 1))
            return false;
        resp.error_type = resp.tok.type;
        if (resp.error_type == DUET_MSGPACK_STR) {
            resp.text = (const char *)resp.tok.v.bytes.ptr;
            resp.text_len = resp.tok.v.bytes.len;
        }
    }
    resp.result = duet_msgpack_reader_pos(r);
    if (!read_one(r, &resp.tok, 1))
        return false;
    resp.len = (size_t)(duet_msgpack_reader_pos(r) - resp.result);
    rpc->stats.msgs_in++;
    if (!rpc->take_response || !rpc->take_response(rpc, id, &resp))
        rpc->stats.late_responses++;
    return true;
}

/* Whether s[0..len) is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
static bool utf8_valid(const uint8_t *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint8_t b = s[i++];
        if (b < 0x80)
            continue;
        size_t n = (size_t)(b >= 0xc2) + (b >= 0xe0) + (b >= 0xf0); /* bytes that follow (0: no lead byte) */
        if (!n || b > 0xf4 || len - i < n)
            return false;
        uint8_t lo = b == 0xe0 ? 0xa0 : b == 0xf0 ? 0x90 : 0x80; /* the second byte's range */
        uint8_t hi = b == 0xed ? 0x9f : b == 0xf4 ? 0x8f : 0xbf;
        for (; n; n--, i++, lo = 0x80, hi = 0xbf)
            if (s[i] < lo || s[i] > hi)
                return false;
    }
    return true;
}

/* The method name: a str, or a bin holding UTF-8 (clients of the old msgpack spec send raw
 * bytes). NULL, or what is wrong with it (after MALFORMED): neither, or a bin that is not UTF-8. */
static const char *read_method_name(duet_msgpack_reader *r, const char **name, uint32_t *len)
{
    const uint8_t *p = duet_msgpack_reader_pos(r);
    size_t avail = duet_msgpack_reader_remaining(r);
    duet_msgpack_token t;
    if (!DUET_RPC_FOR_SIZE && avail && (*p & 0xe0) == 0xa0 && (size_t)(*p & 0x1f) < avail) {
        *name = (const char *)p + 1; /* a fixstr, read here: the commonest name */
        *len = *p & 0x1f;
        duet_msgpack_reader_skip(r, 1 + *len);
        return NULL;
    }
    if (!read_one(r, &t, 1) || (t.type != DUET_MSGPACK_STR && t.type != DUET_MSGPACK_BIN))
        return duet_text_pick("the method name must be a string", "name not a string");
    *name = (const char *)t.v.bytes.ptr;
    *len = t.v.bytes.len;
    if (t.type == DUET_MSGPACK_STR || utf8_valid(t.v.bytes.ptr, *len))
        return NULL;
    return duet_text_pick("the method name is bin but not UTF-8; send it as a string", "bin name not UTF-8");
}

/* Reads the params to find where the message ends, and keeps the first DUET_RPC_MAX_ARGS
 * decoded (c->args) with where each starts (c->arg_at), for the signature's checks. */
static bool read_params(duet_req *c, duet_msgpack_reader *r)
{
    bool ok = true;
    duet_msgpack_token rest;
    for (uint32_t i = 0; ok && i < c->argc; i++) {
        bool kept = i < DUET_RPC_MAX_ARGS;
        if (kept)
            c->arg_at[i] = duet_msgpack_reader_pos(r);
        ok = read_one(r, kept ? &c->args[i] : &rest, 2); /* in the message and params */
    }
    c->params_end = duet_msgpack_reader_pos(r);
    return ok;
}

/* The header of an array (the message's, its params): a fixarray read here where built
 * for speed, any other as a token. */
static HOT_INLINE bool read_array_head(duet_msgpack_reader *r, uint32_t *n)
{
    const uint8_t *p = duet_msgpack_reader_pos(r);
    duet_msgpack_token t;
    if (!DUET_RPC_FOR_SIZE && duet_msgpack_reader_remaining(r) && (*p & 0xf0) == 0x90) {
        *n = *p & 0x0f;
        duet_msgpack_reader_skip(r, 1);
        return true;
    }
    *n = 0;
    if (!duet_msgpack_read_token(r, &t) || t.type != DUET_MSGPACK_ARRAY)
        return false;
    *n = t.v.count;
    return true;
}

/* The type of a message (request, response or notification) from its head: an array of 4
 * (3 for a notification) whose first element is the type. As every peer writes it read
 * here, any other encoding through the reader; -1 if it is no msgpack-RPC head. */
static HOT_INLINE int read_kind(duet_msgpack_reader *r)
{
    const uint8_t *p = duet_msgpack_reader_pos(r);
    uint32_t n;
    duet_msgpack_token type;
    if (!DUET_RPC_FOR_SIZE && duet_msgpack_reader_remaining(r) >= 2 && p[1] <= MSG_NOTIFY &&
        p[0] == (p[1] == MSG_NOTIFY ? 0x93 : 0x94)) {
        duet_msgpack_reader_skip(r, 2);
        return p[1];
    }
    if (!read_array_head(r, &n) || !read_one(r, &type, 1) || !is_integer(&type) || type.v.u > MSG_NOTIFY ||
        n != (type.v.u == MSG_NOTIFY ? 3u : 4u))
        return -1;
    return (int)type.v.u;
}

/* A request's msgid: any integer (its bytes are sent back as they came). */
static HOT_INLINE bool read_request_msgid(duet_msgpack_reader *r, const uint8_t *end)
{
    size_t n = DUET_RPC_FOR_SIZE ? 0 : uint_size(duet_msgpack_reader_pos(r), end);
    uint64_t id;
    if (n) {
        duet_msgpack_reader_skip(r, n);
        return true;
    }
    return read_msgid_token(r, false, &id);
}

/* Handles a request or notification (its kind already read at r), framing it while it
 * parses it; false if it is not one whole value. Out of handle_message's line, so that a
 * response does not pay for the request's frame. */
static NOINLINE bool handle_request(duet_rpc *rpc, duet_msgpack_reader *r, const uint8_t *msg, const uint8_t *end,
                                    bool notification)
{
    duet_req c;
    c.rpc = rpc; /* c.bound and c.typed: set where a bound method is found (dispatch.c) */
    c.notification = notification;
    c.msgid = duet_msgpack_reader_pos(r);
    c.msgid_len = 0;
    if (!c.notification) {
        if (!read_request_msgid(r, end))
            return skip_malformed(rpc, r, msg, end); /* no id to answer to */
        c.msgid_len = (size_t)(duet_msgpack_reader_pos(r) - c.msgid);
    }
    c.method = "";
    c.method_len = 0;
    c.argc = 0;
    c.params_read = false;
    c.params_start = c.params_end = msg; /* no params (a malformed request) */
    const char *malformed = read_method_name(r, &c.method, &c.method_len);
    if (!malformed && !read_array_head(r, &c.argc))
        malformed = duet_text_pick("params must be an array", "params not an array");
    if (malformed) {
        if (!skip_malformed(rpc, r, msg, end))
            return false;
    } else {
        /* The params run to the end of the message: their reader sees nothing after it. */
        c.params_start = duet_msgpack_reader_pos(r);
        if (!read_params(&c, r))
            return false;
        rpc->stats.msgs_in++;
    }
    duet_rpc_serve(rpc, &c, malformed);
    return true;
}

/*
 * Handles the message at r, framing it while it parses it, and leaves r after it.
 * False if it is not one whole MessagePack value (the rest of the buffer is then lost).
 */
static bool handle_message(duet_rpc *rpc, duet_msgpack_reader *r)
{
    const uint8_t *msg = duet_msgpack_reader_pos(r);
    const uint8_t *end = msg + duet_msgpack_reader_remaining(r);
    int type = read_kind(r);
    if (type < 0)
        return skip_malformed(rpc, r, msg, end);
    if (type == MSG_RESPONSE)
        return complete(rpc, r, msg, end);
    return handle_request(rpc, r, msg, end, type == MSG_NOTIFY);
}

/* Answers the request whose first len bytes are msg, if it is a request and its msgid is
 * there whole (else there is no one to answer), with fmt and its arguments (as duet_rpc_say). */
static void answer_head(duet_rpc *rpc, const uint8_t *msg, size_t len, const char *fmt, ...) DUET_RPC_FORMAT(4, 5);
static void answer_head(duet_rpc *rpc, const uint8_t *msg, size_t len, const char *fmt, ...)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, msg, len);
    if (read_kind(&r) != MSG_REQUEST)
        return;
    const uint8_t *msgid = duet_msgpack_reader_pos(&r);
    if (!read_request_msgid(&r, msg + len))
        return;
    char text[120];
    duet_text t;
    duet_text_init(&t, text, sizeof text);
    va_list ap;
    va_start(ap, fmt);
    duet_rpc_vsay(&t, fmt, ap);
    va_end(ap);
    duet_rpc_reply_error(rpc, msgid, (size_t)(duet_msgpack_reader_pos(&r) - msgid), text);
}

/* A message the link could not take whole (size bytes or more, over limit), whose first
 * head_len bytes are head: a request whose msgid is there is answered, and the call that
 * waits for a response fails at once, rather than waiting out its timeout. */
void duet_rpc_dropped(void *up, const uint8_t *head, size_t head_len, uint64_t size, size_t limit)
{
    duet_rpc *rpc = (duet_rpc *)up;
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, head, head_len);
    bool response = read_kind(&r) == MSG_RESPONSE;
    char text[100];
    duet_text t;
    duet_text_init(&t, text, sizeof text);
    duet_rpc_say(&t,
                 duet_text_pick("%s too large: %u bytes or more, the limit is %u bytes per message",
                                "%s too large: %u bytes, limit %u"),
                 response ? "response" : "request", (unsigned)(size > UINT32_MAX ? UINT32_MAX : size),
                 (unsigned)limit);
    uint64_t id;
    if (!response) {
        answer_head(rpc, head, head_len, duet_text_pick("%s; it was skipped", "%s"), text);
    } else if (rpc->take_response && read_response_id(&r, head + head_len, &id)) {
        duet_rpc_response resp = {.error_type = DUET_MSGPACK_NONE, .text = text, .text_len = (uint32_t)t.len};
        rpc->take_response(rpc, id, &resp);
    }
}

bool duet_rpc_receive(void *up, const uint8_t *data, size_t len)
{
    duet_rpc *rpc = (duet_rpc *)up;
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, data, len);
    while (duet_msgpack_reader_remaining(&r) > 0) {
        const uint8_t *start = duet_msgpack_reader_pos(&r);
        if (!handle_message(rpc, &r)) {
            /* No way to find the next message's start: the rest of the buffer is lost.
             * A request whose head can be read still gets an answer. */
            rpc->stats.malformed++;
            answer_head(rpc, start, (size_t)(data + len - start), MALFORMED "%s",
                        duet_msgpack_reader_error(&r) == DUET_ERR_DEPTH
                            ? duet_text_pick("nested deeper than DUET_MSGPACK_MAX_DEPTH", "too deep")
                            : duet_text_pick("not a whole MessagePack value", "truncated"));
            return true;
        }
    }
    return true;
}

int duet_rpc_poll(duet_rpc *rpc)
{
    duet_rpc_lock(rpc);
    int n = rpc->link->poll(rpc->link);
    if (n == DUET_ERR_LINK_DOWN)
        rpc->link_err = n;
    duet_rpc_unlock(rpc);
    return n == DUET_ERR_LINK_DOWN ? n : (n < 0 ? 0 : n);
}

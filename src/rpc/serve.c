/* rpc/serve.c - serving a request: its response frame, the method's answer (dispatch.c) or
 * why there is none, and sending it; error responses. */
#include "rpc/internal.h"
#include "rpc/signature.h"

void duet_rpc_unknown_text(duet_req *c, duet_text *t)
{
    duet_rpc_say(t, "rpclib: server could not find function '%.*s' with argument count %u.", (int)c->method_len,
                 c->method, (unsigned)c->argc);
}

/* Writes the head of a response, [1, msgid, then the error and result, into w: the array
 * header, the type and the msgid's bytes as they came, in one piece. */
static HOT_INLINE void write_response_head(duet_msgpack_writer *w, const uint8_t *msgid, size_t msgid_len)
{
    uint8_t *p = duet_msgpack_writer_reserve(w, 2 + msgid_len);
    if (!p)
        return;
    p[0] = 0x94; /* an array of 4 */
    p[1] = MSG_RESPONSE;
    memcpy(p + 2, msgid, msgid_len);
}

/* Encodes [1, msgid, text, nil] into buf (cap bytes) with w, the text cut to what fits. */
static void encode_error(duet_msgpack_writer *w, uint8_t *buf, size_t cap, const uint8_t *msgid, size_t msgid_len,
                         const char *text)
{
    size_t room = cap > 8 + msgid_len ? cap - 8 - msgid_len : 0; /* array, type, str head, nil */
    size_t len = strlen(text);
    duet_msgpack_writer_init(w, buf, cap);
    write_response_head(w, msgid, msgid_len);
    duet_msgpack_write_str(w, text, len < room ? len : room);
    duet_msgpack_write_tag(w, 0xc0);
}

void duet_rpc_reply_error(duet_rpc *rpc, const uint8_t *msgid, size_t msgid_len, const char *text)
{
    uint8_t buf[MIN_FRAME + 64];
    size_t cap = rpc->cfg.max_message < sizeof buf ? rpc->cfg.max_message : sizeof buf;
    duet_msgpack_writer w;
    encode_error(&w, buf, cap, msgid, msgid_len, text);
    rpc->stats.errors_sent++;
    duet_rpc_send_frame(rpc, &w);
}

/* A notification that failed cannot be answered: tell the report hook why. */
static void report_failed_notification(duet_rpc *rpc, const duet_req *c, const char *why)
{
    if (!rpc->cfg.report)
        return;
    char text[DUET_RPC_ERROR_TEXT + 64];
    duet_text t;
    duet_text_init(&t, text, sizeof text);
    duet_rpc_say(&t, "notification %.*s failed: %s", (int)c->method_len, c->method, why);
    rpc->cfg.report(rpc->cfg.report_arg, text);
}

/* Serves one request or notification whose params reader is at the first parameter. */
void duet_rpc_serve(duet_rpc *rpc, duet_req *c, const uint8_t *msgid, size_t msgid_len, const char *malformed)
{
    duet_msgpack_writer *w = &c->out;
    size_t frame;
    if (!frame_push(rpc, w, &frame)) {
        /* Nested too deep for the tx buffer: answer from the stack instead. */
        if (!c->notification)
            duet_rpc_reply_error(rpc, msgid, msgid_len, duet_rpc_text_no_frame);
        return;
    }
    write_response_head(w, msgid, msgid_len);
    duet_msgpack_write_tag(w, 0xc0);
    c->result_start = duet_msgpack_writer_size(w);

    char text[DUET_RPC_ERROR_TEXT];
    duet_text t;
    duet_text_init(&t, text, sizeof text);
    bool ok = false;
    if (malformed)
        duet_rpc_say(&t, MALFORMED "%s", malformed);
    else if (rpc->serve_bound)
        ok = rpc->serve_bound(c, &t);
    else
        duet_rpc_unknown_text(c, &t); /* nothing was ever bound */
    if (!ok) {
        encode_error(&c->out, duet_msgpack_writer_data(&c->out), frame, msgid, msgid_len, text);
        if (!c->notification)
            rpc->stats.errors_sent++;
        else
            report_failed_notification(rpc, c, text);
    }
    if (!c->notification)
        duet_rpc_send_frame(rpc, w);
    frame_pop(rpc, frame);
}

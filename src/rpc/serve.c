/* rpc/serve.c - answering a request: the bound method's answer (dispatch.c), or an error
 * response that says why there is none (malformed, not bound, failed). */
#include "rpc/internal.h"

void duet_rpc_unknown_text(duet_req *c, duet_text *t)
{
    duet_rpc_say(t, "rpclib: server could not find function '%.*s' with argument count %u.", (int)c->method_len,
                 c->method, (unsigned)c->argc);
}

void duet_rpc_reply_error(duet_rpc *rpc, const uint8_t *msgid, size_t msgid_len, const char *text)
{
    /* [1, msgid, text, nil]: the array, the type, the msgid (9 bytes at most), the str's
     * head and the nil around a text of at most DUET_RPC_ERROR_TEXT bytes, cut to fit. */
    uint8_t buf[DUET_RPC_ERROR_TEXT + 24];
    size_t cap = rpc->cfg.max_message < sizeof buf ? rpc->cfg.max_message : sizeof buf;
    size_t room = cap > 8 + msgid_len ? cap - 8 - msgid_len : 0; /* array, type, str head, nil */
    size_t len = duet_text_length(text);
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, cap);
    response_head(&w, msgid, msgid_len);
    duet_msgpack_write_str(&w, text, len < room ? len : room);
    duet_msgpack_write_tag(&w, 0xc0);
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

void duet_rpc_serve(duet_rpc *rpc, duet_req *c, const char *malformed)
{
    char text[DUET_RPC_ERROR_TEXT];
    duet_text t;
    duet_text_init(&t, text, sizeof text);
    if (malformed)
        duet_rpc_say(&t, MALFORMED "%s", malformed);
    else if (!rpc->serve_bound)
        duet_rpc_unknown_text(c, &t); /* nothing was ever bound */
    else if (rpc->serve_bound(c, &t))
        return; /* answered */
    if (c->notification)
        report_failed_notification(rpc, c, text);
    else
        duet_rpc_reply_error(rpc, c->msgid, c->msgid_len, text);
}

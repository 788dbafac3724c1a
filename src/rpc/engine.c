/* rpc/engine.c - an engine's set-up, its error text and statistics, sending a frame. */
#include "rpc/internal.h"
#include "rpc/signature.h"

const char duet_rpc_text_no_frame[] =
#if DUET_LONG_TEXTS
    "no room left in the tx buffer (calls nested too deep)";
#else
    "tx buffer full";
#endif
const char duet_rpc_text_no_method[] = "no method name (NULL)";

void duet_rpc_vsay(duet_text *t, const char *fmt, va_list ap)
{
    for (const char *p = fmt; *p; p++) {
        const char *run = p;
        while (*p && *p != '%')
            p++;
        duet_text_addn(t, run, (size_t)(p - run));
        if (!*p)
            break;
        if (*++p == 'u') {
            duet_text_add_uint(t, va_arg(ap, unsigned));
        } else if (*p == 's') {
            duet_text_add(t, va_arg(ap, const char *));
        } else { /* %.*s: a name, cut at DUET_RPC_NAME_SHOWN bytes */
            size_t n = (size_t)va_arg(ap, int);
            const char *s = va_arg(ap, const char *);
            if (n > DUET_RPC_NAME_SHOWN) {
                duet_text_addn(t, s, DUET_RPC_NAME_SHOWN);
                s = "...";
                n = 3;
            }
            duet_text_addn(t, s, n);
            p += 2;
        }
    }
}

void duet_rpc_say_name(duet_text *t, const char *name)
{
    duet_rpc_say(t, "%.*s: ", (int)duet_text_length(name), name);
}

void duet_rpc_say(duet_text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    duet_rpc_vsay(t, fmt, ap);
    va_end(ap);
}

int duet_rpc_fail(duet_rpc *rpc, int err, const char *fmt, ...)
{
    duet_text t = error_begin(rpc);
    va_list ap;
    va_start(ap, fmt);
    duet_rpc_vsay(&t, fmt, ap);
    va_end(ap);
    return err;
}

int duet_rpc_set_error(duet_rpc *rpc, int err, const char *what, const char *detail)
{
    duet_text t = error_begin(rpc);
    if (what)
        duet_rpc_say_name(&t, what);
    duet_text_add(&t, detail ? detail : duet_strerror(err));
    return err;
}

int duet_rpc_signature_error(duet_rpc *rpc, const char *what, const char *sig)
{
    duet_text t = error_begin(rpc);
    duet_rpc_say_name(&t, what);
    duet_rpc_sig_explain(sig, &t);
    return DUET_ERR_ARG;
}

#if DUET_RPC_FOR_SIZE
void duet_rpc_lock(duet_rpc *rpc) { lock_hooks(rpc, true); }
void duet_rpc_unlock(duet_rpc *rpc) { lock_hooks(rpc, false); }
#endif

/* ------------------------------------------------------------ set-up */

int duet_rpc_init(duet_rpc *rpc, duet_link *link, const duet_rpc_config *cfg)
{
    memset(rpc, 0, sizeof *rpc);
    const char *why = NULL;
    if (!link || !link->send || !link->poll || !cfg || !cfg->tx_buffer || !cfg->result_buffer)
        why = "needs a link with send and poll, a tx buffer and a result buffer";
    else if ((!cfg->lock) != (!cfg->unlock))
        why = "lock and unlock hooks go together";
    else if (cfg->tx_size < MIN_FRAME || cfg->result_size / DUET_RPC_MAX_INFLIGHT < 16)
        why = "tx or result buffer too small";
    else if (cfg->max_message && cfg->max_message < MIN_FRAME)
        why = "max_message below 48 bytes, the smallest message";
    if (why)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, "duet_rpc_init", why);
    duet_rpc_start(rpc, link, cfg);
    return DUET_OK;
}

void duet_rpc_start(duet_rpc *rpc, duet_link *link, const duet_rpc_config *cfg)
{
    memset(rpc, 0, sizeof *rpc);
    rpc->cfg = *cfg;
    rpc->max_message_asked = cfg->max_message;
    if (!rpc->cfg.timeout_ms)
        rpc->cfg.timeout_ms = DUET_RPC_DEFAULT_TIMEOUT_MS;
    duet_rpc_set_link(rpc, link);
}

void duet_rpc_set_link(duet_rpc *rpc, duet_link *link)
{
    duet_rpc_lock(rpc);
    rpc->link = link;
    rpc->link_err = DUET_OK;
    /* A frame holds one message: what the caller asked for (at most the tx buffer), else
     * the link's limit if the tx buffer holds it, else a share of the tx buffer, so that
     * calls can nest DUET_RPC_NESTING deep. */
    size_t tx = rpc->cfg.tx_size;
    size_t max = rpc->max_message_asked;
    if (max)
        max = max < tx ? max : tx;
    else if (link->max_message && link->max_message <= tx)
        max = link->max_message;
    else
        max = tx / DUET_RPC_NESTING > MIN_FRAME ? tx / DUET_RPC_NESTING : tx;
    rpc->cfg.max_message = max;
    char *store = rpc->cfg.result_buffer; /* each slot's share of it, in turn */
    for (duet_rpc_slot *s = rpc->slots; s < rpc->slots + DUET_RPC_MAX_INFLIGHT; s++, store += slot_size(rpc)) {
        if (s->state == SLOT_PENDING) {
            duet_text t;
            duet_text_init(&t, store, slot_size(rpc));
            duet_text_add(&t, duet_text_pick("link changed while the call waited", "link changed"));
            s->state = SLOT_DONE;
            s->err = DUET_ERR_LINK_DOWN;
            s->len = t.len;
        }
    }
    if (link->deliver != duet_rpc_receive || link->up != rpc) { /* a link attached already may be const */
        duet_link_attach(link, duet_rpc_receive, rpc);
        duet_link_attach_dropped(link, duet_rpc_dropped);
    }
    duet_rpc_unlock(rpc);
}

int duet_rpc_send_frame(duet_rpc *rpc, duet_msgpack_writer *w)
{
    if (rpc->link_err)
        return rpc->link_err;
    int werr = duet_msgpack_writer_error(w);
    if (werr) { /* one test on the way of every message */
        if (werr != DUET_ERR_NOSPACE)
            return werr;
        rpc->stats.send_failures++;
        return DUET_ERR_TOO_LARGE;
    }
    int err = rpc->link->send(rpc->link, w->buf, duet_msgpack_writer_size(w));
    if (err) {
        rpc->stats.send_failures++;
        if (err == DUET_ERR_LINK_DOWN)
            rpc->link_err = err;
        return err;
    }
    rpc->stats.msgs_out++;
    return DUET_OK;
}

/* ------------------------------------------------------------ inspection */

char *duet_rpc_error_buffer(duet_rpc *rpc)
{
    return rpc->error_text;
}

const char *duet_rpc_error_text(const duet_rpc *rpc)
{
    return rpc->error_text[0] ? rpc->error_text : "no error";
}

duet_rpc_stats duet_rpc_get_stats(const duet_rpc *rpc)
{
    return rpc->stats;
}

int duet_rpc_link_error(const duet_rpc *rpc)
{
    return rpc->link_err;
}

uint32_t duet_rpc_timeout(const duet_rpc *rpc)
{
    return rpc->cfg.timeout_ms;
}

/* rpc/call.c - calls and notifications: from a signature and a va_list, or from values
 * the compiler typed (duet/call.h); encoding and sending them. */
#include "rpc/internal.h"
#include "rpc/signature.h"

/* Writes one parameter from the va_list as letter c says. */
static void write_param(duet_msgpack_writer *w, char c, va_list *ap)
{
    switch (c) {
    case 'i': duet_msgpack_write_int(w, va_arg(*ap, int)); break;
    case 'u': duet_msgpack_write_uint(w, va_arg(*ap, unsigned)); break;
    case 'l': duet_msgpack_write_int(w, va_arg(*ap, int64_t)); break;
    case 'k': duet_msgpack_write_uint(w, va_arg(*ap, uint64_t)); break;
    case 'b': duet_msgpack_write_bool(w, va_arg(*ap, int) != 0); break;
    case 'f': duet_msgpack_write_float(w, duet_number_narrow(va_arg(*ap, double))); break;
    case 'd': duet_msgpack_write_double(w, va_arg(*ap, double)); break;
    case 's': {
        const char *s = va_arg(*ap, const char *);
        duet_msgpack_write_cstr(w, s ? s : "");
        break;
    }
    case 'y': {
        const void *p = va_arg(*ap, const void *);
        size_t n = va_arg(*ap, size_t);
        duet_msgpack_write_bin(w, p, n);
        break;
    }
    case 'v': {
        const void *p = va_arg(*ap, const void *);
        size_t n = va_arg(*ap, size_t);
        duet_msgpack_write_raw(w, p, n);
        break;
    }
    default: duet_msgpack_write_nil(w); break;
    }
}

static duet_rpc_slot *slot_take(duet_rpc *rpc)
{
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        if (rpc->slots[i].state == SLOT_FREE)
            return &rpc->slots[i];
    return NULL;
}

/* Writes the head of a request (with a new msgid in *slot) or notification. */
bool duet_rpc_begin_message(duet_rpc *rpc, duet_msgpack_writer *w, size_t *frame, duet_rpc_slot **slot, const char *method)
{
    if (slot) {
        *slot = slot_take(rpc);
        if (!*slot) {
            duet_rpc_set_error(rpc, DUET_ERR_FULL, method, "too many calls in flight (DUET_RPC_MAX_INFLIGHT)");
            return false;
        }
    }
    if (!frame_push(rpc, w, frame)) {
        duet_rpc_set_error(rpc, DUET_ERR_TOO_LARGE, method, "no room left in the tx buffer (calls nested too deep)");
        return false;
    }
    duet_msgpack_write_array(w, slot ? 4 : 3);
    duet_msgpack_write_uint(w, slot ? MSG_REQUEST : MSG_NOTIFY);
    if (slot) {
        (*slot)->msgid = rpc->next_msgid++;
        duet_msgpack_write_uint(w, (*slot)->msgid);
    }
    duet_msgpack_write_cstr(w, method);
    return true;
}

/* Sends a finished message; on success the slot (if any) starts waiting. */
int duet_rpc_finish_message(duet_rpc *rpc, duet_msgpack_writer *w, size_t frame, duet_rpc_slot *slot, const char *method, char result)
{
    int err = duet_rpc_send_frame(rpc, w);
    frame_pop(rpc, frame);
    if (err)
        return duet_rpc_set_error(rpc, err, method, rpc->link->error_text ? rpc->link->error_text(rpc->link) : NULL);
    if (slot) {
        slot->state = SLOT_PENDING;
        slot->result_sig = result;
        slot->err = DUET_OK;
        slot->len = 0;
    }
    return DUET_OK;
}

/* Writes one value the compiler typed (duet/call.h). */
static void write_value(duet_msgpack_writer *w, const duet_value *v)
{
    switch (v->letter) {
    case 'i': case 'l': duet_msgpack_write_int(w, v->v.i); break;
    case 'u': case 'k': duet_msgpack_write_uint(w, v->v.u); break;
    case 'b': duet_msgpack_write_bool(w, v->v.u != 0); break;
    case 'f': duet_msgpack_write_float(w, duet_number_narrow(v->v.d)); break;
    case 'd': duet_msgpack_write_double(w, v->v.d); break;
    case 's': duet_msgpack_write_cstr(w, v->v.s); break;
    case 'y': duet_msgpack_write_bin(w, v->v.bin.data, v->v.bin.len); break;
    default: duet_msgpack_write_nil(w); break;
    }
}

/* A message's params: n letters of a signature read from a va_list, or n typed values. */
typedef struct params {
    unsigned n;
    const char *sig;
    va_list *ap;
    const duet_value *values;
} params;

/* Encodes and sends a request (slot != NULL) or notification whose method and params
 * were checked. */
static int start_message(duet_rpc *rpc, duet_rpc_slot **slot, const char *method, const params *p, char result)
{
    if (rpc->link_err)
        return duet_rpc_set_error(rpc, rpc->link_err, method, NULL);
    duet_msgpack_writer w;
    size_t frame;
    if (!duet_rpc_begin_message(rpc, &w, &frame, slot, method))
        return slot && !*slot ? DUET_ERR_FULL : DUET_ERR_TOO_LARGE;
    duet_msgpack_write_array(&w, p->n);
    for (unsigned i = 0; i < p->n; i++) {
        if (p->values)
            write_value(&w, &p->values[i]);
        else
            write_param(&w, p->sig[i], p->ap);
    }
    return duet_rpc_finish_message(rpc, &w, frame, slot ? *slot : NULL, method, result);
}

/* start_message for a method named by a signature, its params in a va_list. */
static int start_signed(duet_rpc *rpc, duet_rpc_slot **slot, const char *method, const char *sig, va_list *ap)
{
    params p = {0, sig, ap, NULL};
    char result;
    if (!method)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, "call", "no method name (NULL)");
    if (!sig)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, method, "no signature (NULL): give \"\" for no parameters");
    if (!duet_rpc_sig_parse(sig, &p.n, &result))
        return duet_rpc_signature_error(rpc, method, sig);
    return start_message(rpc, slot, method, &p, result);
}

int duet_rpc_call_values(duet_rpc *rpc, const char *method, duet_result result, const duet_value *args,
                         unsigned nargs)
{
    params p = {nargs, NULL, NULL, args};
    lock(rpc);
    duet_rpc_slot *s = NULL;
    int err;
    if (!method) {
        err = duet_rpc_set_error(rpc, DUET_ERR_ARG, "call", "no method name (NULL)");
    } else if (nargs > DUET_RPC_MAX_ARGS) {
        duet_text t = error_begin(rpc);
        duet_text_add(&t, method);
        duet_text_add(&t, ": more arguments than DUET_RPC_MAX_ARGS (");
        duet_text_add_uint(&t, DUET_RPC_MAX_ARGS);
        duet_text_add(&t, "): pass them as one array or raise DUET_RPC_MAX_ARGS");
        err = DUET_ERR_ARG;
    } else {
        err = start_message(rpc, &s, method, &p, result.letter);
    }
    if (!err) {
        duet_rpc_out out = {result.p, result.cap, NULL};
        err = duet_rpc_join(rpc, s, rpc->cfg.timeout_ms, method, &out);
        s->state = SLOT_FREE; /* a sync call that timed out is over: its late response is counted */
    }
    unlock(rpc);
    return err;
}

int duet_rpc_vcall(duet_rpc *rpc, uint32_t timeout_ms, const char *method, const char *signature, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    lock(rpc);
    duet_rpc_slot *s = NULL;
    int err = start_signed(rpc, &s, method, signature, &args);
    if (!err) {
        duet_rpc_out out = duet_rpc_out_from_va(s->result_sig, &args);
        err = duet_rpc_join(rpc, s, timeout_ms, method, &out);
        s->state = SLOT_FREE; /* a sync call that timed out is over: its late response is counted */
    }
    unlock(rpc);
    va_end(args);
    return err;
}

int duet_rpc_call(duet_rpc *rpc, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = duet_rpc_vcall(rpc, rpc->cfg.timeout_ms, method, signature, ap);
    va_end(ap);
    return err;
}

int duet_rpc_call_timeout(duet_rpc *rpc, uint32_t timeout_ms, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = duet_rpc_vcall(rpc, timeout_ms, method, signature, ap);
    va_end(ap);
    return err;
}

int duet_rpc_vcall_async(duet_rpc *rpc, duet_future *future, const char *method, const char *signature, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    lock(rpc);
    duet_rpc_slot *s = NULL;
    int err = start_signed(rpc, &s, method, signature, &args);
    if (!err) {
        future->slot = (uint8_t)(s - rpc->slots);
        future->msgid = s->msgid;
    } else {
        future->slot = 0xff;
        future->msgid = 0;
    }
    unlock(rpc);
    va_end(args);
    return err;
}

int duet_rpc_call_async(duet_rpc *rpc, duet_future *future, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = duet_rpc_vcall_async(rpc, future, method, signature, ap);
    va_end(ap);
    return err;
}

int duet_rpc_vnotify(duet_rpc *rpc, const char *method, const char *signature, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    lock(rpc);
    int err = start_signed(rpc, NULL, method, signature, &args);
    unlock(rpc);
    va_end(args);
    return err;
}

int duet_rpc_notify(duet_rpc *rpc, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = duet_rpc_vnotify(rpc, method, signature, ap);
    va_end(ap);
    return err;
}

/* rpc/call.c - calls and notifications from a signature and a va_list; waiting for and
 * decoding their results. */
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
        return duet_rpc_set_error(rpc, err, method, NULL);
    if (slot) {
        slot->state = SLOT_PENDING;
        slot->result_sig = result;
        slot->err = DUET_OK;
        slot->len = 0;
    }
    return DUET_OK;
}

/* Encodes and sends a request (slot != NULL) or notification. */
static int start_message(duet_rpc *rpc, duet_rpc_slot **slot, const char *method, const char *sig, va_list *ap)
{
    unsigned nparams;
    char result;
    if (!method || !sig || !duet_rpc_sig_parse(sig, &nparams, &result))
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, method ? method : "call", "bad method name or signature");
    if (rpc->link_err)
        return duet_rpc_set_error(rpc, rpc->link_err, method, NULL);
    duet_msgpack_writer w;
    size_t frame;
    if (!duet_rpc_begin_message(rpc, &w, &frame, slot, method))
        return slot && !*slot ? DUET_ERR_FULL : DUET_ERR_TOO_LARGE;
    duet_msgpack_write_array(&w, nparams);
    for (unsigned i = 0; i < nparams; i++)
        write_param(&w, sig[i], ap);
    return duet_rpc_finish_message(rpc, &w, frame, slot ? *slot : NULL, method, result);
}

/* Polls and waits until the slot is done or timeout_ms passed. */
int duet_rpc_wait_slot(duet_rpc *rpc, duet_rpc_slot *s, uint32_t timeout_ms)
{
    uint32_t start = now_ms(rpc);
    for (;;) {
        int n = rpc->link->poll(rpc->link);
        if (s->state == SLOT_DONE)
            return DUET_OK;
        if (n == DUET_ERR_LINK_DOWN || rpc->link_err) {
            rpc->link_err = DUET_ERR_LINK_DOWN;
            return DUET_ERR_LINK_DOWN;
        }
        uint32_t elapsed = now_ms(rpc) - start;
        if (elapsed >= timeout_ms)
            return DUET_ERR_TIMEOUT;
        if (n > 0)
            continue;
        if (rpc->link->wait) {
            unlock(rpc);
            rpc->link->wait(rpc->link, timeout_ms - elapsed);
            lock(rpc);
        }
    }
}

/* Decodes a finished slot's result into the va_list's pointers (as its result letter says). */
static int take_result(duet_rpc *rpc, duet_rpc_slot *s, const char *method, va_list *ap)
{
    const uint8_t *store = slot_store(rpc, s);
    if (s->err) {
        duet_text t = error_begin(rpc);
        duet_text_addn(&t, (const char *)store, s->len);
        return s->err;
    }
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, store, s->len);
    char c = s->result_sig;
    const uint8_t *start = r.pos;
    duet_msgpack_token tok;
    read_value_token(&r, &tok);
    bool range;
    bool ok = c == 0 ? true : token_matches(&tok, c, &range);
    if (!ok) {
        duet_text t = error_begin(rpc);
        duet_text_add(&t, method ? method : "call");
        duet_text_add(&t, ": result: expected ");
        duet_text_add(&t, duet_rpc_letter_name(c));
        duet_text_add(&t, range ? ", got an integer out of its range" : ", got ");
        if (!range)
            duet_text_add(&t, duet_msgpack_type_name(tok.type));
        return range ? DUET_ERR_RANGE : DUET_ERR_TYPE;
    }
    bool is_neg = tok.type == DUET_MSGPACK_INT;
    switch (c) {
    case 'i': { int32_t *p = va_arg(*ap, int32_t *); if (p) *p = (int32_t)(is_neg ? tok.v.i : (int64_t)tok.v.u); break; }
    case 'u': { uint32_t *p = va_arg(*ap, uint32_t *); if (p) *p = (uint32_t)(is_neg ? (uint64_t)tok.v.i : tok.v.u); break; }
    case 'l': { int64_t *p = va_arg(*ap, int64_t *); if (p) *p = is_neg ? tok.v.i : (int64_t)tok.v.u; break; }
    case 'k': { uint64_t *p = va_arg(*ap, uint64_t *); if (p) *p = is_neg ? (uint64_t)tok.v.i : tok.v.u; break; }
    case 'b': { bool *p = va_arg(*ap, bool *); if (p) *p = tok.v.b; break; }
    case 'f': { float *p = va_arg(*ap, float *); if (p) *p = duet_number_narrow(token_double(&tok)); break; }
    case 'd': { double *p = va_arg(*ap, double *); if (p) *p = token_double(&tok); break; }
    case 's': case 'y': case 'v': {
        void *buf = va_arg(*ap, void *);
        size_t cap = va_arg(*ap, size_t);
        size_t *lenp = c == 's' ? NULL : va_arg(*ap, size_t *);
        const uint8_t *src = tok.v.bytes.ptr;
        size_t n = tok.v.bytes.len;
        if (c == 'v') {
            src = start;
            n = s->len;
        }
        size_t need = c == 's' ? n + 1 : n;
        if (buf && need > cap) {
            duet_text t = error_begin(rpc);
            duet_text_add(&t, method ? method : "call");
            duet_text_add(&t, ": result of ");
            duet_text_add_uint(&t, n);
            duet_text_add(&t, " bytes does not fit the buffer");
            return DUET_ERR_NOSPACE;
        }
        if (buf) {
            memcpy(buf, src, n);
            if (c == 's')
                ((char *)buf)[n] = '\0';
        }
        if (lenp)
            *lenp = n;
        break;
    }
    default: break;
    }
    return DUET_OK;
}

/* Waits for a slot and takes its result; frees the slot unless it timed out. */
int duet_rpc_join(duet_rpc *rpc, duet_rpc_slot *s, uint32_t timeout_ms, const char *method, va_list *ap)
{
    int err = duet_rpc_wait_slot(rpc, s, timeout_ms);
    if (err) {
        duet_rpc_set_error(rpc, err, method, NULL);
        if (err != DUET_ERR_TIMEOUT)
            s->state = SLOT_FREE;
        return err;
    }
    err = take_result(rpc, s, method, ap);
    s->state = SLOT_FREE;
    return err;
}

int duet_rpc_vcall(duet_rpc *rpc, uint32_t timeout_ms, const char *method, const char *signature, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    lock(rpc);
    duet_rpc_slot *s = NULL;
    int err = start_message(rpc, &s, method, signature, &args);
    if (!err) {
        err = duet_rpc_join(rpc, s, timeout_ms, method, &args);
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
    int err = start_message(rpc, &s, method, signature, &args);
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
    int err = start_message(rpc, NULL, method, signature, &args);
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

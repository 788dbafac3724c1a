/* rpc/call.c - calls and notifications: their params from a signature and a va_list, or
 * typed by the compiler (duet/call.h); encoding and sending them. */
#include "rpc/internal.h"
#include "rpc/signature.h"

/* Reads the parameter of letter c from ap into x; false if c is no parameter letter. */
static NOINLINE bool value_from_va(char c, va_list *ap, duet_value *x)
{
    x->letter = c;
    switch (c) {
    case 'i': x->v.i = va_arg(*ap, int); break;
    case 'u': x->v.u = va_arg(*ap, unsigned); break;
    case 'l': x->v.i = va_arg(*ap, int64_t); break;
    case 'k': x->v.u = va_arg(*ap, uint64_t); break;
    case 'b': x->v.u = va_arg(*ap, int) != 0; break;
    case 'f': case 'd': x->v.d = va_arg(*ap, double); break;
    case 's': x->v.s = va_arg(*ap, const char *); x->v.s = x->v.s ? x->v.s : ""; break;
    case 'y': case 'v':
        x->v.bin.data = va_arg(*ap, const void *);
        x->v.bin.len = va_arg(*ap, size_t);
        break;
    case 'n': break;
    default: return false;
    }
    return true;
}

/* Writes one value: a typed one (duet/call.h) or one read from a signature. */
static void write_value(duet_msgpack_writer *w, const duet_value *v)
{
    switch (v->letter) {
    case 'i': case 'l': duet_msgpack_write_int(w, v->v.i); break;
    case 'u': case 'k': duet_msgpack_write_uint(w, v->v.u); break;
    case 'b': duet_msgpack_write_tag(w, v->v.u ? 0xc3 : 0xc2); break;
    case 'f': duet_msgpack_write_float(w, duet_number_narrow(v->v.d)); break;
    case 'd': duet_msgpack_write_double(w, v->v.d); break;
    case 's': duet_msgpack_write_cstr(w, v->v.s); break;
    case 'y': duet_msgpack_write_bin(w, v->v.bin.data, v->v.bin.len); break;
    case 'v': duet_msgpack_write_raw(w, v->v.bin.data, v->v.bin.len); break;
    default: duet_msgpack_write_tag(w, 0xc0); break;
    }
}

/* Writes a method name: built for speed, one under 32 bytes is copied as its length is found
 * (a fixstr: most names), without strlen and memcpy; any other as duet_msgpack_write_cstr writes it. */
static HOT_INLINE void put_name(duet_msgpack_writer *w, const char *name)
{
    if (!DUET_RPC_FOR_SIZE && w->cap - w->len >= 32) {
        uint8_t *p = w->buf + w->len + 1;
        size_t n = 0;
        for (; n < 31 && name[n]; n++)
            p[n] = (uint8_t)name[n];
        if (!name[n]) {
            p[-1] = (uint8_t)(0xa0 | n);
            w->len += 1 + n;
            return;
        }
    }
    duet_msgpack_write_cstr(w, name);
}

static duet_rpc_slot *slot_take(duet_rpc *rpc)
{
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        if (rpc->slots[i].state == SLOT_FREE)
            return &rpc->slots[i];
    return NULL;
}

static HOT_INLINE int begin_message(duet_rpc *rpc, duet_msgpack_writer *w, size_t *frame, duet_rpc_slot **slot, const char *method)
{
    if (rpc->link_err)
        return duet_rpc_set_error(rpc, rpc->link_err, method, NULL);
    if (slot) {
        rpc->take_response = duet_rpc_take_response;
        *slot = slot_take(rpc);
        if (!*slot)
            return duet_rpc_set_error(rpc, DUET_ERR_FULL, method, "too many calls in flight (DUET_RPC_MAX_INFLIGHT)");
    }
    if (!frame_push(rpc, w, frame))
        return duet_rpc_set_error(rpc, DUET_ERR_TOO_LARGE, method, duet_rpc_text_no_frame);
    uint8_t *head = duet_msgpack_writer_reserve(w, 2); /* a frame holds MIN_FRAME bytes */
    head[0] = slot ? 0x94 : 0x93; /* an array of 4 or 3 */
    head[1] = slot ? MSG_REQUEST : MSG_NOTIFY;
    if (slot) {
        uint32_t id = (*slot)->msgid = rpc->next_msgid++;
        if (DUET_RPC_FOR_SIZE || id <= 0xffff) {
            duet_msgpack_write_uint(w, id);
        } else { /* a uint32, the commonest in a long run: written here */
            uint8_t *p = duet_msgpack_writer_reserve(w, 5);
            if (p) {
                p[0] = 0xce;
                duet_msgpack_store32(p + 1, id);
            }
        }
    }
    put_name(w, method);
    return DUET_OK;
}

int duet_rpc_begin_message(duet_rpc *rpc, duet_msgpack_writer *w, size_t *frame, duet_rpc_slot **slot, const char *method)
{
    return begin_message(rpc, w, frame, slot, method);
}

static inline int finish_message(duet_rpc *rpc, duet_msgpack_writer *w, size_t frame, duet_rpc_slot *slot, const char *method, char result)
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

int duet_rpc_finish_message(duet_rpc *rpc, duet_msgpack_writer *w, size_t frame, duet_rpc_slot *slot, const char *method, char result)
{
    return finish_message(rpc, w, frame, slot, method, result);
}

/* A message to send: a request (slot != NULL: it gets one) or a notification, its method,
 * its params - typed values, or a signature and its values in ap - and (for a request)
 * its result letter (read from the signature as the params are written). */
typedef struct message {
    duet_rpc_slot **slot;
    const char *method;
    const duet_value *values; /* the typed values (ap NULL)... */
    unsigned n;
    const char *sig;          /* ...or a signature, whose values are read from ap */
    va_list *ap;
    char result;
} message;

/* Writes the params array: the typed values, or each letter of the signature's value read
 * from ap and written in one pass. False if the signature is bad. */
static bool write_params(duet_msgpack_writer *w, message *m)
{
    if (!m->ap) {
        duet_msgpack_write_tag(w, (uint8_t)(0x90 | m->n)); /* a fixarray: n is at most DUET_RPC_MAX_ARGS */
        for (unsigned i = 0; i < m->n; i++)
            write_value(w, &m->values[i]);
        return true;
    }
    /* The array's header (a fixarray: DUET_RPC_MAX_ARGS is at most 15) is written once the
     * count is known. */
    const char *sig = m->sig;
    uint8_t *head = duet_msgpack_writer_reserve(w, 1);
    unsigned n = 0;
    for (; sig[n] && sig[n] != ':'; n++) {
        duet_value v;
        if (n == DUET_RPC_MAX_ARGS)
            return false;
        if (!DUET_RPC_FOR_SIZE && sig[n] == 'i') /* the commonest, written straight from ap */
            duet_msgpack_write_int(w, va_arg(*m->ap, int));
        else if (!value_from_va(sig[n], m->ap, &v))
            return false;
        else
            write_value(w, &v);
    }
    if (head) /* else the writer failed: the frame is too small for the name */
        *head = (uint8_t)(0x90 | n);
    return sig_result(sig + n, &m->result);
}

/* Checks what every message needs, encodes it and sends it. */
static int send_message(duet_rpc *rpc, message *m)
{
    if (!m->method)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, "call", duet_rpc_text_no_method);
    if (m->ap && !m->sig)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, m->method, "no signature (NULL): give \"\" for no parameters");
    if (m->n > DUET_RPC_MAX_ARGS) {
        duet_text t = error_begin(rpc);
        duet_rpc_say(&t, "%s: ", m->method);
        duet_rpc_say_too_many(&t, m->n, "arguments");
        return DUET_ERR_ARG;
    }
    duet_msgpack_writer w;
    size_t frame = 0;
    int err = begin_message(rpc, &w, &frame, m->slot, m->method);
    if (err)
        return err;
    if (!write_params(&w, m)) {
        frame_pop(rpc, frame);
        if (m->slot)
            rpc->next_msgid--; /* nothing was sent: the msgid is free again */
        return duet_rpc_signature_error(rpc, m->method, m->sig);
    }
    return finish_message(rpc, &w, frame, m->slot ? *m->slot : NULL, m->method, m->result);
}

/* Where a call goes on: a sync call waits (timeout_ms) and stores its result into *out, or
 * where the pointers in the message's ap say; an async one fills *future; a notification
 * is done. */
typedef struct then {
    bool sync;
    uint32_t timeout_ms;
    duet_future *future;
    const duet_result *out;
} then;

/* Sends m (its slot taken here unless it is a notification) and goes on as next says;
 * the one path of every call and notification. */
static HOT_INLINE int run(duet_rpc *rpc, message *m, const then *next, bool notify)
{
    duet_rpc_slot *s = NULL;
    m->slot = notify ? NULL : &s;
    duet_rpc_lock(rpc);
    int err = send_message(rpc, m);
    if (next->future) {
        next->future->slot = err ? 0xff : (uint8_t)(s - rpc->slots);
        next->future->msgid = err ? 0 : s->msgid;
    }
    if (!err && next->sync) {
        duet_rpc_out out = {NULL, 0, NULL};
        if (next->out)
            out = (duet_rpc_out){next->out->p, next->out->cap, NULL};
        else if (!DUET_RPC_FOR_SIZE && m->result == 'i') /* the commonest, read here */
            out.p = va_arg(*m->ap, int32_t *);
        else
            out = duet_rpc_out_from_va(m->result, m->ap);
        err = duet_rpc_join(rpc, s, next->timeout_ms, m->method, &out);
        s->state = SLOT_FREE; /* a sync call that timed out is over: its late response is counted */
    }
    duet_rpc_unlock(rpc);
    return err;
}

/* run() for a signature and its values in ap. */
static int run_signed(duet_rpc *rpc, const char *method, const char *sig, const then *next, bool notify, va_list ap)
{
    va_list args;
    message m = {NULL, method, NULL, 0, sig, &args, 0};
    va_copy(args, ap);
    int err = run(rpc, &m, next, notify);
    va_end(args);
    return err;
}

int duet_rpc_vcall(duet_rpc *rpc, uint32_t timeout_ms, const char *method, const char *signature, va_list ap)
{
    then next = {true, timeout_ms, NULL, NULL};
    return run_signed(rpc, method, signature, &next, false, ap);
}

int duet_rpc_vcall_async(duet_rpc *rpc, duet_future *future, const char *method, const char *signature, va_list ap)
{
    then next = {false, 0, future, NULL};
    return run_signed(rpc, method, signature, &next, false, ap);
}

int duet_rpc_vnotify(duet_rpc *rpc, const char *method, const char *signature, va_list ap)
{
    then next = {false, 0, NULL, NULL};
    return run_signed(rpc, method, signature, &next, true, ap);
}

/* The variadic forms: each hands its va_list to the v-form above (C has no way to pass
 * "..." on, so each is its own short function), but duet_rpc_call, the commonest, which
 * runs its call itself with its own va_list. */
int duet_rpc_call(duet_rpc *rpc, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    message m = {NULL, method, NULL, 0, signature, &ap, 0}; /* ap is this function's own: no copy */
    then next = {true, rpc->cfg.timeout_ms, NULL, NULL};
    int err = run(rpc, &m, &next, false);
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

int duet_rpc_call_async(duet_rpc *rpc, duet_future *future, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = duet_rpc_vcall_async(rpc, future, method, signature, ap);
    va_end(ap);
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

/* ------------------------------------------------------------ typed (duet/call.h) */

int duet_rpc_call_values(duet_rpc *rpc, const char *method, duet_result result, const duet_value *args, unsigned nargs)
{
    message m = {NULL, method, args, nargs, NULL, NULL, result.letter};
    then next = {true, rpc->cfg.timeout_ms, NULL, &result};
    return run(rpc, &m, &next, false);
}

int duet_rpc_call_async_values(duet_rpc *rpc, duet_future *future, const char *method, const duet_value *args,
                               unsigned nargs)
{
    message m = {NULL, method, args, nargs, NULL, NULL, 0};
    then next = {false, 0, future, NULL};
    return run(rpc, &m, &next, false);
}

int duet_rpc_notify_values(duet_rpc *rpc, const char *method, const duet_value *args, unsigned nargs)
{
    message m = {NULL, method, args, nargs, NULL, NULL, 0};
    then next = {false, 0, NULL, NULL};
    return run(rpc, &m, &next, true);
}

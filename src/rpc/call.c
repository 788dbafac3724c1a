/* rpc/call.c - calls and notifications: their params from a signature and a va_list, or
 * typed by the compiler (duet/call.h); encoding and sending them. */
#include "rpc/internal.h"
#include "rpc/signature.h"

/* The writers of the typed values, one per kind of C type: duet/call.h picks one with a
 * value's type, so that a program links the writers of what it sends and no other. */
void duet_value_put_int(duet_msgpack_writer *w, const duet_value *v) { duet_msgpack_write_int(w, v->v.i); }
void duet_value_put_uint(duet_msgpack_writer *w, const duet_value *v) { duet_msgpack_write_uint(w, v->v.u); }
void duet_value_put_bool(duet_msgpack_writer *w, const duet_value *v) { duet_msgpack_write_bool(w, v->v.u != 0); }
void duet_value_put_float(duet_msgpack_writer *w, const duet_value *v)
{
    duet_msgpack_write_float(w, duet_number_narrow(v->v.d));
}
void duet_value_put_double(duet_msgpack_writer *w, const duet_value *v) { duet_msgpack_write_double(w, v->v.d); }
void duet_value_put_str(duet_msgpack_writer *w, const duet_value *v)
{
    duet_msgpack_write_str(w, v->v.s, duet_text_length(v->v.s));
}
void duet_value_put_bin(duet_msgpack_writer *w, const duet_value *v)
{
    duet_msgpack_write_bin(w, v->v.bin.data, v->v.bin.len);
}

/* What only a signature can name: a raw value ('v') and nil ('n'). */
static void put_raw(duet_msgpack_writer *w, const duet_value *v) { duet_msgpack_write_raw(w, v->v.bin.data, v->v.bin.len); }
static void put_nil(duet_msgpack_writer *w, const duet_value *v)
{
    (void)v;
    duet_msgpack_write_nil(w);
}

/* Reads the parameter of letter c from ap into x, with the writer of its kind (the one
 * duet/call.h chooses for a C type); false if c is no parameter letter. */
static NOINLINE bool value_from_va(char c, va_list *ap, duet_value *x)
{
    x->letter = c;
    switch (c) {
    case 'i': x->put = duet_value_put_int; x->v.i = va_arg(*ap, int); break;
    case 'u': x->put = duet_value_put_uint; x->v.u = va_arg(*ap, unsigned); break;
    case 'l': x->put = duet_value_put_int; x->v.i = va_arg(*ap, int64_t); break;
    case 'k': x->put = duet_value_put_uint; x->v.u = va_arg(*ap, uint64_t); break;
    case 'b': x->put = duet_value_put_bool; x->v.u = va_arg(*ap, int) != 0; break;
    case 'f': x->put = duet_value_put_float; x->v.d = va_arg(*ap, double); break;
    case 'd': x->put = duet_value_put_double; x->v.d = va_arg(*ap, double); break;
    case 's':
        x->put = duet_value_put_str;
        x->v.s = va_arg(*ap, const char *);
        x->v.s = x->v.s ? x->v.s : "";
        break;
    case 'y': case 'v':
        x->put = c == 'y' ? duet_value_put_bin : put_raw;
        x->v.bin.data = va_arg(*ap, const void *);
        x->v.bin.len = va_arg(*ap, size_t);
        break;
    case 'n': x->put = put_nil; break;
    default: return false;
    }
    return true;
}

/* Writes a method name: built for speed, one under 32 bytes is copied as its length is found
 * (a fixstr: most names), without strlen and memcpy; any other as a str of its length. */
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
    duet_msgpack_write_str(w, name, duet_text_length(name));
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
            return duet_rpc_set_error(rpc, DUET_ERR_FULL, method,
                                      duet_text_pick("too many calls in flight (DUET_RPC_MAX_INFLIGHT)", "too many calls"));
    }
    if (!frame_push(rpc, w, frame))
        return duet_rpc_set_error(rpc, DUET_ERR_TOO_LARGE, method, duet_rpc_text_no_frame);
    uint8_t *head = duet_msgpack_writer_reserve(w, 2); /* a frame holds MIN_FRAME bytes */
    head[0] = slot ? 0x94 : 0x93; /* an array of 4 or 3 */
    head[1] = slot ? MSG_REQUEST : MSG_NOTIFY;
    if (slot) {
        uint32_t id = (*slot)->msgid = rpc->next_msgid++;
        if (!DUET_RPC_FOR_SIZE && id > 0xffff) { /* a uint32, the commonest in a long run: written here */
            uint8_t *p = duet_msgpack_writer_reserve(w, 5);
            if (p) {
                p[0] = 0xce;
                duet_msgpack_store32(p + 1, id);
            }
        } else if (!DUET_RPC_FOR_SIZE && id > 0xff) { /* a uint16 (a program's first 65536 calls): here too */
            uint8_t *p = duet_msgpack_writer_reserve(w, 3);
            if (p) {
                p[0] = 0xcd;
                duet_msgpack_store16(p + 1, (uint16_t)id);
            }
        } else {
            duet_msgpack_write_uint(w, id);
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
 * its params, and for a request its result letter and, for a call that waits, where the
 * result goes. Its kind writes the params and sets the result's letter and place: typed
 * values (duet/call.h), whose place is known from the start, or a signature whose values
 * and result pointers are in ap. A program reaches a kind's code only through its write
 * function, so one that calls with one kind links none of the other's (a signature's
 * va_list reading and every writer and store it can ask for). */
typedef struct message message;
struct message {
    duet_rpc_slot **slot;
    const char *method;
    const duet_value *values; /* typed: the values, n of them */
    unsigned n;
    const char *sig;          /* signed: the signature, its values and result pointers in ap */
    va_list *ap;
    char result;
    duet_rpc_out *out;        /* a call that waits: where its result goes (NULL: no wait) */
    int (*write)(duet_rpc *rpc, duet_msgpack_writer *w, message *m); /* DUET_OK or the error, its text set */
};

/* The typed kind: the values, each with its writer. */
static int write_typed(duet_rpc *rpc, duet_msgpack_writer *w, message *m)
{
    if (m->n > DUET_RPC_MAX_ARGS) {
        duet_text t = error_begin(rpc);
        duet_rpc_say_name(&t, m->method);
        duet_rpc_say_too_many(&t, m->n, "arguments");
        return DUET_ERR_ARG;
    }
    duet_msgpack_write_tag(w, (uint8_t)(0x90 | m->n)); /* a fixarray: n is at most DUET_RPC_MAX_ARGS */
    for (unsigned i = 0; i < m->n; i++)
        m->values[i].put(w, &m->values[i]);
    return DUET_OK;
}

/* The signed kind: each letter of the signature's value read from ap and written in one
 * pass, then the result letter, and for a sync call the result pointers after the values. */
static HOT_INLINE int write_signed(duet_rpc *rpc, duet_msgpack_writer *w, message *m)
{
    const char *sig = m->sig;
    if (!sig)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, m->method,
                                  duet_text_pick("no signature (NULL): give \"\" for no parameters", "no signature"));
    /* The array's header (a fixarray: DUET_RPC_MAX_ARGS is at most 15) is written once the
     * count is known. */
    uint8_t *head = duet_msgpack_writer_reserve(w, 1);
    unsigned n = 0;
    bool ok = true;
    for (; ok && sig[n] && sig[n] != ':'; n++) {
        duet_value v;
        if (n == DUET_RPC_MAX_ARGS)
            ok = false;
        else if (!DUET_RPC_FOR_SIZE && sig[n] == 'i') /* the commonest, written straight from ap */
            duet_msgpack_write_int(w, va_arg(*m->ap, int));
        else if ((ok = value_from_va(sig[n], m->ap, &v)))
            v.put(w, &v);
    }
    if (!ok || !sig_result(sig + n, &m->result))
        return duet_rpc_signature_error(rpc, m->method, sig);
    if (head) /* else the writer failed: the frame is too small for the name */
        *head = (uint8_t)(0x90 | n);
    if (!m->out)
        return DUET_OK;
    if (!DUET_RPC_FOR_SIZE && m->result == 'i') /* the commonest, read here */
        *m->out = (duet_rpc_out){va_arg(*m->ap, int32_t *), 0, NULL, duet_result_store_32};
    else
        *m->out = duet_rpc_out_from_va(m->result, m->ap);
    return DUET_OK;
}

/* Checks what every message needs, encodes it and sends it (signed_kind: m is of the signed
 * kind, known where the message is made). */
static HOT_INLINE int send_message(duet_rpc *rpc, message *m, bool signed_kind)
{
    if (!m->method)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, "call", duet_rpc_text_no_method);
    duet_msgpack_writer w;
    size_t frame = 0;
    int err = begin_message(rpc, &w, &frame, m->slot, m->method);
    if (err)
        return err;
    /* Built for speed the signed kind (duet_rpc_call's) is called by name, in this line (so
     * that m stays in registers); built for size only through the pointer, so that the
     * typed forms link none of it. */
    err = !DUET_RPC_FOR_SIZE && signed_kind ? write_signed(rpc, &w, m) : m->write(rpc, &w, m);
    if (err) {
        frame_pop(rpc, frame);
        if (m->slot)
            rpc->next_msgid--; /* nothing was sent: the msgid is free again */
        return err;
    }
    return finish_message(rpc, &w, frame, m->slot ? *m->slot : NULL, m->method, m->result);
}

/* Where a call goes on: a sync call waits (timeout_ms) and stores its result where the
 * message says; an async one fills *future; a notification is done. */
typedef struct then {
    uint32_t timeout_ms;
    duet_future *future;
} then;

/* Sends m (its slot taken here unless it is a notification) and goes on as next says;
 * the one path of every call and notification. */
static HOT_INLINE int run(duet_rpc *rpc, message *m, const then *next, bool notify, bool signed_kind)
{
    duet_rpc_slot *s = NULL;
    m->slot = notify ? NULL : &s;
    duet_rpc_lock(rpc);
    int err = send_message(rpc, m, signed_kind);
    if (next->future) {
        next->future->slot = err ? 0xff : (uint8_t)(s - rpc->slots);
        next->future->msgid = err ? 0 : s->msgid;
    }
    if (!err && m->out) {
        err = duet_rpc_join(rpc, s, next->timeout_ms, m->method, m->out);
        s->state = SLOT_FREE; /* a sync call that timed out is over: its late response is counted */
    }
    duet_rpc_unlock(rpc);
    return err;
}

/* run() for a signature and its values in ap (sync: a call that waits, whose result
 * pointers follow them). */
static int run_signed(duet_rpc *rpc, const char *method, const char *sig, bool sync, const then *next, bool notify,
                      va_list ap)
{
    va_list args;
    va_copy(args, ap);
    duet_rpc_out out = {NULL, 0, NULL, NULL};
    message m = {NULL, method, NULL, 0, sig, &args, 0, sync ? &out : NULL, write_signed};
    int err = run(rpc, &m, next, notify, true);
    va_end(args);
    return err;
}

int duet_rpc_vcall(duet_rpc *rpc, uint32_t timeout_ms, const char *method, const char *signature, va_list ap)
{
    then next = {timeout_ms, NULL};
    return run_signed(rpc, method, signature, true, &next, false, ap);
}

/* The refusal of an asynchronous call without a future: nothing could wait for it or drop
 * it, and it would keep its slot. */
static int no_future(duet_rpc *rpc, const char *method)
{
    duet_rpc_lock(rpc);
    int err = duet_rpc_set_error(rpc, DUET_ERR_ARG, method,
                                 duet_text_pick("no future (NULL) to wait with: for no answer send a notification",
                                                "no future"));
    duet_rpc_unlock(rpc);
    return err;
}

int duet_rpc_vcall_async(duet_rpc *rpc, duet_future *future, const char *method, const char *signature, va_list ap)
{
    if (!future)
        return no_future(rpc, method);
    then next = {0, future};
    return run_signed(rpc, method, signature, false, &next, false, ap);
}

int duet_rpc_vnotify(duet_rpc *rpc, const char *method, const char *signature, va_list ap)
{
    then next = {0, NULL};
    return run_signed(rpc, method, signature, false, &next, true, ap);
}

/* The variadic forms: each hands its va_list to the v-form above (C has no way to pass
 * "..." on, so each is its own short function), but duet_rpc_call, the commonest, which
 * runs its call itself with its own va_list (no copy). */
int duet_rpc_call(duet_rpc *rpc, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    duet_rpc_out out = {NULL, 0, NULL, NULL};
    message m = {NULL, method, NULL, 0, signature, &ap, 0, &out, write_signed};
    then next = {rpc->cfg.timeout_ms, NULL};
    int err = run(rpc, &m, &next, false, true);
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

/* run() for typed values; to: where the result goes, for a call that waits (else NULL). */
static int run_typed(duet_rpc *rpc, const char *method, const duet_value *args, unsigned nargs,
                              const duet_result *to, const then *next, bool notify)
{
    duet_rpc_out out = {to ? to->p : NULL, to ? to->cap : 0, NULL, to ? to->store : NULL};
    message m = {NULL, method, args, nargs, NULL, NULL, to ? to->letter : 0, to ? &out : NULL, write_typed};
    return run(rpc, &m, next, notify, false);
}

int duet_rpc_call_values(duet_rpc *rpc, const char *method, duet_result result, const duet_value *args, unsigned nargs)
{
    then next = {rpc->cfg.timeout_ms, NULL};
    return run_typed(rpc, method, args, nargs, &result, &next, false);
}

int duet_rpc_call_async_values(duet_rpc *rpc, duet_future *future, const char *method, const duet_value *args,
                               unsigned nargs)
{
    if (!future)
        return no_future(rpc, method);
    then next = {0, future};
    return run_typed(rpc, method, args, nargs, NULL, &next, false);
}

int duet_rpc_notify_values(duet_rpc *rpc, const char *method, const duet_value *args, unsigned nargs)
{
    then next = {0, NULL};
    return run_typed(rpc, method, args, nargs, NULL, &next, true);
}

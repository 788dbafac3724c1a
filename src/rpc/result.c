/* rpc/result.c - waiting for a call's response and decoding its result to where the
 * caller wants it: the one wait path of sync calls, futures and raw results. */
#include "rpc/internal.h"
#include "rpc/signature.h"

/* Polls and waits until the slot is done or timeout_ms passed. */
static int wait_slot(duet_rpc *rpc, duet_rpc_slot *s, uint32_t timeout_ms)
{
    uint32_t start = 0;
    bool timing = false; /* the clock is read once the first poll found no answer */
    for (;;) {
        int n = rpc->link->poll(rpc->link);
        if (s->state == SLOT_DONE)
            return DUET_OK;
        if (n == DUET_ERR_LINK_DOWN || rpc->link_err) {
            rpc->link_err = DUET_ERR_LINK_DOWN;
            return DUET_ERR_LINK_DOWN;
        }
        uint32_t now = now_ms(rpc);
        if (!timing) {
            start = now;
            timing = true;
        }
        uint32_t elapsed = now - start;
        if (elapsed >= timeout_ms)
            return DUET_ERR_TIMEOUT;
        if (n > 0)
            continue;
        if (rpc->link->wait) {
            duet_rpc_unlock(rpc);
            rpc->link->wait(rpc->link, timeout_ms - elapsed);
            duet_rpc_lock(rpc);
        }
    }
}

duet_rpc_out duet_rpc_out_from_va(char c, va_list *ap)
{
    duet_rpc_out o = {NULL, 0, NULL, NULL};
    switch (c) {
    case 'i': o.p = va_arg(*ap, int32_t *); o.store = duet_result_store_32; break;
    case 'u': o.p = va_arg(*ap, uint32_t *); o.store = duet_result_store_32; break;
    case 'l': o.p = va_arg(*ap, int64_t *); o.store = duet_result_store_64; break;
    case 'k': o.p = va_arg(*ap, uint64_t *); o.store = duet_result_store_64; break;
    case 'b': o.p = va_arg(*ap, bool *); o.store = duet_result_store_bool; break;
    case 'f': o.p = va_arg(*ap, float *); o.store = duet_result_store_float; break;
    case 'd': o.p = va_arg(*ap, double *); o.store = duet_result_store_double; break;
    case 's': case 'y': case 'v':
        o.p = va_arg(*ap, void *);
        o.cap = va_arg(*ap, size_t);
        o.lenp = c == 's' ? NULL : va_arg(*ap, size_t *);
        break;
    default: break;
    }
    return o;
}

/* Copies a str, bin or raw result of n bytes at src to o (a str gets its NUL). */
static int store_bytes(duet_rpc *rpc, const char *method, char c, const uint8_t *src, size_t n,
                       const duet_rpc_out *o)
{
    size_t need = c == 's' ? n + 1 : n;
    if (o->p && need > o->cap) {
        return duet_rpc_fail(rpc, DUET_ERR_NOSPACE,
                             duet_text_pick("%s: result of %u bytes does not fit the buffer", "%s: result of %u bytes too large"),
                             method, (unsigned)n);
    }
    if (o->p) {
        memcpy(o->p, src, n);
        if (c == 's')
            ((char *)o->p)[n] = '\0';
    }
    if (o->lenp)
        *o->lenp = n;
    return DUET_OK;
}

/* The stores of a scalar result, one per kind of C type: duet/call.h picks one with a result
 * pointer's type, so that a program links the stores (and conversions) of what it takes and
 * no other. An integer's bits are the same read as v.i or v.u (two's complement): int32 and
 * uint32 take the low 32, int64 and uint64 all 64. */
void duet_result_store_32(void *p, const duet_msgpack_token *t) { *(uint32_t *)p = (uint32_t)t->v.u; }
void duet_result_store_64(void *p, const duet_msgpack_token *t) { *(uint64_t *)p = t->v.u; }
void duet_result_store_bool(void *p, const duet_msgpack_token *t) { *(bool *)p = t->v.b; }
void duet_result_store_float(void *p, const duet_msgpack_token *t)
{
    *(float *)p = duet_number_narrow(duet_rpc_token_double(t));
}
void duet_result_store_double(void *p, const duet_msgpack_token *t) { *(double *)p = duet_rpc_token_double(t); }

/* Stores a scalar result (letter c) where o says (nowhere without a pointer or a store): an
 * int32 or uint32 here where built for speed, the rest through o's store. */
static inline void store_scalar(const duet_rpc_out *o, char c, const duet_msgpack_token *tok)
{
    if (!o->p || !o->store)
        return;
    if (!DUET_RPC_FOR_SIZE && (c == 'i' || c == 'u'))
        *(uint32_t *)o->p = (uint32_t)tok->v.u;
    else
        o->store(o->p, tok);
}

/* Stores a scalar result (tok) where the waiting caller's s->out says, if it matches the
 * call's result letter, and clears s->out; false (nothing stored) if not. */
static bool store_direct(duet_rpc_slot *s, const duet_msgpack_token *tok)
{
    const duet_rpc_out *o = (const duet_rpc_out *)s->out;
    bool range;
    if (s->result_sig && !token_matches(tok, s->result_sig, &range)) /* 0: the result is not kept */
        return false;
    store_scalar(o, s->result_sig, tok);
    s->out = NULL;
    return true;
}

/* The slot waiting for msgid id, or NULL. */
static duet_rpc_slot *waiting_slot(duet_rpc *rpc, uint64_t id)
{
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        if (rpc->slots[i].state == SLOT_PENDING && rpc->slots[i].msgid == id)
            return &rpc->slots[i];
    return NULL;
}

/* Keeps a response in the slot s that waits for it, whose result did not go where the caller
 * wants it: the error text, else the result in the slot's storage. Out of line: the common
 * response goes straight to the caller. */
static NOINLINE void store_response(duet_rpc *rpc, duet_rpc_slot *s, const duet_rpc_response *resp)
{
    duet_msgpack_type error_type = resp->error_type;
    size_t len = resp->len;
    uint8_t *store = slot_store(rpc, s);
    duet_text t;
    duet_text_init(&t, (char *)store, slot_size(rpc));
    if (error_type == DUET_MSGPACK_NONE) { /* too large to take whole (receive.c): its text */
        s->err = DUET_ERR_TOO_LARGE;
        duet_text_addn(&t, resp->text, resp->text_len);
    } else if (error_type != DUET_MSGPACK_NIL) {
        s->err = DUET_ERR_REMOTE;
        if (resp->text)
            duet_text_addn(&t, resp->text, resp->text_len);
        else
            duet_rpc_say(&t, duet_text_pick("the remote sent an error value of type %s", "remote error of type %s"),
                         duet_msgpack_type_name(error_type));
    } else if (len > slot_size(rpc)) {
        s->err = DUET_ERR_TOO_LARGE;
        duet_rpc_say(&t, duet_text_pick("result of %u bytes does not fit the result slot", "result of %u bytes too large"),
                     (unsigned)len);
    } else {
        memcpy(store, resp->result, len);
        t.len = len;
    }
    s->len = (uint32_t)t.len;
}

bool duet_rpc_take_response(duet_rpc *rpc, uint64_t id, const duet_rpc_response *resp)
{
    duet_rpc_slot *s = waiting_slot(rpc, id);
    if (!s)
        return false;
    s->state = SLOT_DONE;
    s->err = DUET_OK;
    s->len = 0;
    if (DUET_RPC_FOR_SIZE || resp->error_type != DUET_MSGPACK_NIL || !s->out || !store_direct(s, &resp->tok))
        store_response(rpc, s, resp);
    return true;
}

/* Decodes a finished slot's result into o, as the slot's result letter says. */
static int take_result(duet_rpc *rpc, duet_rpc_slot *s, const char *method, const duet_rpc_out *o)
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
    duet_msgpack_token tok;
    if (DUET_RPC_FOR_SIZE)
        duet_msgpack_read_token(&r, &tok);
    else
        duet_msgpack_read_token_fast(&r, &tok);
    bool range = false;
    if (c != 0 && !token_matches(&tok, c, &range)) {
        duet_text t = error_begin(rpc);
        duet_rpc_say_name(&t, method);
        duet_text_add(&t, "result: ");
        duet_rpc_mismatch_text(&t, c, &tok, range);
        return range ? DUET_ERR_RANGE : DUET_ERR_TYPE;
    }
    if (c == 'v')
        return store_bytes(rpc, method, c, store, s->len, o);
    if (c == 's' || c == 'y')
        return store_bytes(rpc, method, c, tok.v.bytes.ptr, tok.v.bytes.len, o);
    store_scalar(o, c, &tok);
    return DUET_OK;
}

/* Whether a result of letter c can go straight to where the caller wants it: a scalar, or
 * none (0). */
static bool scalar_letter(char c)
{
    switch (c) {
    case 0: case 'i': case 'u': case 'l': case 'k': case 'b': case 'f': case 'd': return true;
    default: return false;
    }
}

int duet_rpc_join(duet_rpc *rpc, duet_rpc_slot *s, uint32_t timeout_ms, const char *method, const duet_rpc_out *o)
{
    /* A scalar result that arrives while the caller waits is stored at once (receive.c),
     * which then clears s->out; anything else waits in the slot for take_result. */
    bool direct = !DUET_RPC_FOR_SIZE && s->state == SLOT_PENDING && scalar_letter(s->result_sig);
    s->out = direct ? (void *)o : NULL;
    int err = wait_slot(rpc, s, timeout_ms);
    bool stored = direct && !s->out;
    s->out = NULL;
    if (err && !stored) {
        duet_rpc_set_error(rpc, err, method, NULL);
        if (err != DUET_ERR_TIMEOUT)
            s->state = SLOT_FREE;
        return err;
    }
    err = stored ? DUET_OK : take_result(rpc, s, method, o);
    s->state = SLOT_FREE;
    return err;
}

/* rpc/future.c - futures: polling, waiting for and dropping calls made with call_async. */
#include "rpc/internal.h"

/* The slot a future names, if it still waits for it; else NULL with the error text set. */
static duet_rpc_slot *future_slot(duet_rpc *rpc, const duet_future *f)
{
    duet_rpc_slot *s = f && f->slot < DUET_RPC_MAX_INFLIGHT ? &rpc->slots[f->slot] : NULL;
    if (!s || s->state == SLOT_FREE || s->msgid != f->msgid) {
        duet_rpc_set_error(rpc, DUET_ERR_ARG, "future", "not a waiting call (already taken or dropped)");
        return NULL;
    }
    return s;
}

/* Whether a waiting call's response is there (serving what arrived first). */
static int poll_slot(duet_rpc *rpc, duet_rpc_slot *s)
{
    int n = s->state == SLOT_DONE ? 0 : rpc->link->poll(rpc->link);
    if (n == DUET_ERR_LINK_DOWN)
        rpc->link_err = n;
    if (s->state == SLOT_DONE)
        return s->err;
    return rpc->link_err ? rpc->link_err : DUET_ERR_AGAIN;
}

int duet_future_poll(duet_rpc *rpc, const duet_future *future)
{
    duet_rpc_lock(rpc);
    duet_rpc_slot *s = future_slot(rpc, future);
    int err = s ? poll_slot(rpc, s) : DUET_ERR_ARG;
    duet_rpc_unlock(rpc);
    return err;
}

/* Waits for a future's slot and stores its result (letter c, or the call's own if 0) in
 * raw, or where the pointers in ap say. */
static int wait_slot_result(duet_rpc *rpc, duet_rpc_slot *s, uint32_t timeout_ms, char c, va_list *ap,
                            const duet_rpc_out *raw)
{
    if (c)
        s->result_sig = c;
    duet_rpc_out out = raw ? *raw : duet_rpc_out_from_va(s->result_sig, ap);
    return duet_rpc_join(rpc, s, timeout_ms, "future", &out);
}

static int wait_future(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, char c, va_list *ap,
                       const duet_rpc_out *raw)
{
    duet_rpc_lock(rpc);
    duet_rpc_slot *s = future_slot(rpc, future);
    int err = s ? wait_slot_result(rpc, s, timeout_ms, c, ap, raw) : DUET_ERR_ARG;
    duet_rpc_unlock(rpc);
    return err;
}

int duet_future_wait(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, ...)
{
    va_list ap;
    va_start(ap, timeout_ms);
    int err = wait_future(rpc, future, timeout_ms, 0, &ap, NULL);
    va_end(ap);
    return err;
}

int duet_future_wait_value(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, duet_result result)
{
    duet_rpc_out out = {result.p, result.cap, NULL};
    return wait_future(rpc, future, timeout_ms, result.letter, NULL, &out); /* letter 0 (NULL): the call's own */
}

int duet_future_wait_raw(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, void *buf, size_t cap, size_t *len)
{
    duet_rpc_out raw = {buf, cap, len};
    return wait_future(rpc, future, timeout_ms, 'v', NULL, &raw);
}

void duet_future_drop(duet_rpc *rpc, duet_future *future)
{
    duet_rpc_lock(rpc);
    duet_rpc_slot *s = future_slot(rpc, future);
    if (s)
        s->state = SLOT_FREE;
    duet_rpc_unlock(rpc);
}

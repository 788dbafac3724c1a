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

/* Takes the lock and the slot the future waits for; NULL if it waits for none. */
static duet_rpc_slot *wait_begin(duet_rpc *rpc, const duet_future *future)
{
    duet_rpc_lock(rpc);
    return future_slot(rpc, future);
}

/* Waits for the slot (if any) with result letter c (0: the call's own), stores its result
 * where o says and releases the lock. A wait that times out gives the call its own letter
 * back, for the next wait to read its result pointers by. */
static int wait_end(duet_rpc *rpc, duet_rpc_slot *s, uint32_t timeout_ms, const duet_rpc_out *o, char c)
{
    int err = DUET_ERR_ARG;
    if (s) {
        char own = s->result_sig;
        s->result_sig = c ? c : own;
        err = duet_rpc_join(rpc, s, timeout_ms, "future", o);
        if (err == DUET_ERR_TIMEOUT)
            s->result_sig = own;
    }
    duet_rpc_unlock(rpc);
    return err;
}

/* Each wait finds where its result goes itself, so that the typed and raw waits link no
 * va_list reading (nor the stores it can ask for). */
int duet_future_wait(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, ...)
{
    va_list ap;
    va_start(ap, timeout_ms);
    duet_rpc_slot *s = wait_begin(rpc, future);
    duet_rpc_out out = s ? duet_rpc_out_from_va(s->result_sig, &ap) : (duet_rpc_out){NULL, 0, NULL, NULL};
    int err = wait_end(rpc, s, timeout_ms, &out, 0);
    va_end(ap);
    return err;
}

int duet_future_wait_value(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, duet_result result)
{
    duet_rpc_out out = {result.p, result.cap, NULL, result.store};
    return wait_end(rpc, wait_begin(rpc, future), timeout_ms, &out, result.letter); /* letter 0 (NULL): the call's own */
}

int duet_future_wait_raw(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, void *buf, size_t cap, size_t *len)
{
    duet_rpc_out raw = {buf, cap, len, NULL};
    return wait_end(rpc, wait_begin(rpc, future), timeout_ms, &raw, 'v');
}

void duet_future_drop(duet_rpc *rpc, duet_future *future)
{
    duet_rpc_lock(rpc);
    duet_rpc_slot *s = future_slot(rpc, future);
    if (s)
        s->state = SLOT_FREE;
    duet_rpc_unlock(rpc);
}

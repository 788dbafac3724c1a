/* rpc/future.c - futures: polling, waiting for and dropping calls made with call_async. */
#include "rpc/internal.h"

/* The slot a future names, if it still waits for it. */
static duet_rpc_slot *future_slot(duet_rpc *rpc, const duet_future *f)
{
    if (!f || f->slot >= DUET_RPC_MAX_INFLIGHT)
        return NULL;
    duet_rpc_slot *s = &rpc->slots[f->slot];
    if (s->state == SLOT_FREE || s->msgid != f->msgid)
        return NULL;
    return s;
}

int duet_future_poll(duet_rpc *rpc, const duet_future *future)
{
    lock(rpc);
    int err;
    duet_rpc_slot *s = future_slot(rpc, future);
    if (!s) {
        err = duet_rpc_set_error(rpc, DUET_ERR_ARG, "future", "not a waiting call (already taken or dropped)");
    } else {
        int n = s->state == SLOT_DONE ? 0 : rpc->link->poll(rpc->link);
        if (n == DUET_ERR_LINK_DOWN)
            rpc->link_err = n;
        if (s->state == SLOT_DONE)
            err = s->err;
        else
            err = rpc->link_err ? rpc->link_err : DUET_ERR_AGAIN;
    }
    unlock(rpc);
    return err;
}

int duet_future_wait(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, ...)
{
    va_list ap;
    va_start(ap, timeout_ms);
    lock(rpc);
    int err;
    duet_rpc_slot *s = future_slot(rpc, future);
    if (!s)
        err = duet_rpc_set_error(rpc, DUET_ERR_ARG, "future", "not a waiting call (already taken or dropped)");
    else
        err = duet_rpc_join(rpc, s, timeout_ms, "future", &ap);
    unlock(rpc);
    va_end(ap);
    return err;
}

int duet_future_wait_raw(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, void *buf, size_t cap, size_t *len)
{
    lock(rpc);
    int err;
    duet_rpc_slot *s = future_slot(rpc, future);
    if (!s) {
        err = duet_rpc_set_error(rpc, DUET_ERR_ARG, "future", "not a waiting call (already taken or dropped)");
    } else {
        s->result_sig = 'v';
        err = duet_rpc_wait_slot(rpc, s, timeout_ms);
        if (err == DUET_ERR_TIMEOUT) {
            duet_rpc_set_error(rpc, err, "future", NULL);
        } else {
            if (!err) {
                err = s->err;
                if (err) {
                    duet_text t = error_begin(rpc);
                    duet_text_addn(&t, (const char *)slot_store(rpc, s), s->len);
                } else if (s->len > cap) {
                    err = duet_rpc_set_error(rpc, DUET_ERR_NOSPACE, "future", "result larger than the buffer");
                } else {
                    memcpy(buf, slot_store(rpc, s), s->len);
                    if (len)
                        *len = s->len;
                }
            } else {
                duet_rpc_set_error(rpc, err, "future", NULL);
            }
            s->state = SLOT_FREE;
        }
    }
    unlock(rpc);
    return err;
}

void duet_future_drop(duet_rpc *rpc, duet_future *future)
{
    lock(rpc);
    duet_rpc_slot *s = future_slot(rpc, future);
    if (s)
        s->state = SLOT_FREE;
    unlock(rpc);
}

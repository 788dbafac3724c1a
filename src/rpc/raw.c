/* rpc/raw.c - low-level calls: the caller encodes the params into the engine's frame. */
#include "rpc/internal.h"

/* Opens the engine's one low-level message: a request (request, its slot reserved for
 * *future) or a notification. fn names the function in the error text. */
static duet_msgpack_writer *begin_open(duet_rpc *rpc, bool request, duet_future *future, const char *method,
                                       const char *fn)
{
    duet_rpc_slot *s = NULL;
    duet_msgpack_writer *w = NULL;
    duet_rpc_lock(rpc);
    if (future) {
        future->slot = 0xff;
        future->msgid = 0;
    }
    if (request && !future) {
        duet_rpc_set_error(rpc, DUET_ERR_ARG, fn,
                           duet_text_pick("no future (NULL) to wait with: for no answer use duet_rpc_begin_notify",
                                          "no future"));
    } else if (rpc->open_frame || !method) {
        duet_rpc_set_error(rpc, DUET_ERR_STATE, fn,
                           method ? "another low-level message is open: finish it with duet_rpc_end() first"
                                  : duet_rpc_text_no_method);
    } else if (!duet_rpc_begin_message(rpc, &rpc->open_writer, &rpc->open_frame, future ? &s : NULL, method)) {
        rpc->open_slot = s ? (int16_t)(s - rpc->slots) : -1;
        rpc->open_method = method;
        if (s) {
            future->slot = (uint8_t)rpc->open_slot;
            future->msgid = s->msgid;
            s->state = SLOT_PENDING; /* reserved; finish_message starts the wait */
        }
        w = &rpc->open_writer;
    }
    duet_rpc_unlock(rpc);
    return w;
}

duet_msgpack_writer *duet_rpc_begin_call(duet_rpc *rpc, duet_future *future, const char *method)
{
    return begin_open(rpc, true, future, method, "duet_rpc_begin_call");
}

duet_msgpack_writer *duet_rpc_begin_notify(duet_rpc *rpc, const char *method)
{
    return begin_open(rpc, false, NULL, method, "duet_rpc_begin_notify");
}

int duet_rpc_end(duet_rpc *rpc, duet_msgpack_writer *w)
{
    duet_rpc_lock(rpc);
    int err;
    if (!rpc->open_frame || w != &rpc->open_writer) {
        err = duet_rpc_set_error(rpc, DUET_ERR_STATE, "duet_rpc_end", "no low-level message is open");
    } else {
        duet_rpc_slot *s = rpc->open_slot >= 0 ? &rpc->slots[rpc->open_slot] : NULL;
        size_t frame = rpc->open_frame;
        rpc->open_frame = 0;
        if (s)
            s->state = SLOT_FREE;
        err = duet_rpc_finish_message(rpc, w, frame, s, rpc->open_method, 'v');
    }
    duet_rpc_unlock(rpc);
    return err;
}

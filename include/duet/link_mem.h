/* duet/link_mem.h - an in-memory pair of links, for tests and benchmarks in one thread. */
#ifndef DUET_LINK_MEM_H
#define DUET_LINK_MEM_H

#include "duet/link.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Two links joined back to back: what one sends, the other's poll delivers. Each end
 * queues what it receives in a buffer the caller gives. Both ends live in one thread,
 * so a call that waits on one end must let the other end run: wait() calls the idle
 * hook (typically duet_rpc_poll of the other engine) and then advances a virtual
 * millisecond clock by one, which makes timeouts deterministic.
 */
typedef struct duet_link_mem {
    duet_link link;                 /* first member: a duet_link_mem * is a duet_link * */
    struct duet_link_mem *peer;
    uint8_t *queue;                 /* messages as [u32 length][bytes], in arrival order */
    size_t cap;
    size_t limit;                   /* the largest message send takes (set by the pair) */
    size_t head;                    /* next message to deliver */
    size_t tail;                    /* end of queued bytes */
    unsigned delivering;            /* deliver() calls running (the queue may not move) */
    uint32_t clock_ms;
    bool down;
    void (*idle)(void *arg);
    void *idle_arg;
} duet_link_mem;

/* Joins a and b. Each queue must hold the messages in flight towards that end (4 bytes
 * of overhead each). max_message limits send (0: none); it is read here, once. */
void duet_link_mem_pair(duet_link_mem *a, void *queue_a, size_t cap_a, duet_link_mem *b, void *queue_b,
                        size_t cap_b, size_t max_message);

/* Sets the hook wait() calls, so the other end can run while this one waits. */
void duet_link_mem_set_idle(duet_link_mem *l, void (*idle)(void *arg), void *arg);

/* Cuts (down = true) or restores both directions: send and poll then fail with DUET_ERR_LINK_DOWN. */
void duet_link_mem_set_down(duet_link_mem *l, bool down);

#ifdef __cplusplus
}
#endif
#endif

/* link/link_mem.c - an in-memory pair of links for tests and benchmarks. */
#include "duet/link_mem.h"

#include <string.h>

/* Moves the undelivered messages to the front, when nothing points into the queue. */
static void compact(duet_link_mem *l)
{
    if (l->delivering || l->head == 0)
        return;
    memmove(l->queue, l->queue + l->head, l->tail - l->head);
    l->tail -= l->head;
    l->head = 0;
}

static int mem_send(duet_link *link, const uint8_t *data, size_t len)
{
    duet_link_mem *l = (duet_link_mem *)link;
    duet_link_mem *to = l->peer;
    if (l->down) /* duet_link_mem_set_down cuts both ends */
        return DUET_ERR_LINK_DOWN;
    if (len > l->limit)
        return DUET_ERR_TOO_LARGE; /* over max_message, or could never fit the other end's queue */
    if (to->cap - to->tail < 4 + len) {
        compact(to);
        if (to->cap - to->tail < 4 + len)
            return DUET_ERR_TIMEOUT; /* the other end does not read: no room */
    }
    uint8_t *p = to->queue + to->tail;
    uint32_t n = (uint32_t)len;
    to->tail += 4 + len;
    memcpy(p, &n, 4);
    memcpy(p + 4, data, len);
    return DUET_OK;
}

/* Delivers the queued messages in order, until one is refused. Returns how many were taken. */
static __attribute__((noinline)) int deliver_queued(duet_link_mem *l)
{
    int count = 0;
    size_t at = l->head;
    l->delivering++;
    do {
        uint32_t n;
        memcpy(&n, l->queue + at, 4);
        l->head = at + 4 + n; /* taken off before deliver: a nested poll goes on after it */
        if (!duet_link_deliver(&l->link, l->queue + at + 4, n)) {
            /* Offered again at the next poll. (A layer that refuses a message has not
             * polled from inside deliver, so nothing after it was delivered.) */
            l->head = at;
            break;
        }
        count++;
        at = l->head;
    } while (at < l->tail);
    if (--l->delivering == 0 && l->head == l->tail)
        l->head = l->tail = 0; /* all taken: the next message goes to the front */
    return count;
}

static int mem_poll(duet_link *link)
{
    duet_link_mem *l = (duet_link_mem *)link;
    if (l->down)
        return DUET_ERR_LINK_DOWN;
    if (l->head == l->tail) /* nothing queued: the commonest poll */
        return 0;
    return deliver_queued(l);
}

static void mem_wait(duet_link *link, uint32_t timeout_ms)
{
    duet_link_mem *l = (duet_link_mem *)link;
    (void)timeout_ms;
    if (l->idle)
        l->idle(l->idle_arg);
    l->clock_ms++;
    l->peer->clock_ms = l->clock_ms;
}

static uint32_t mem_now(duet_link *link)
{
    return ((duet_link_mem *)link)->clock_ms;
}

/* What every in-memory link does (max_message and the layer above are set per link). */
static const duet_link mem_link = {.send = mem_send, .poll = mem_poll, .wait = mem_wait, .now_ms = mem_now};

/* Sets up one end: it queues in queue (cap bytes) what peer sends; it sends what max_message
 * (0: no limit) and the other end's queue (peer_cap bytes) can ever take. */
static __attribute__((noinline)) void mem_init(duet_link_mem *l, duet_link_mem *peer, void *queue, size_t cap,
                                               size_t peer_cap, size_t max_message)
{
    size_t fit = peer_cap < 4 ? 0 : peer_cap - 4;
    memset(l, 0, sizeof *l);
    l->link = mem_link;
    l->link.max_message = max_message;
    l->limit = max_message && max_message < fit ? max_message : fit;
    l->peer = peer;
    l->queue = (uint8_t *)queue;
    l->cap = cap;
}

void duet_link_mem_pair(duet_link_mem *a, void *queue_a, size_t cap_a, duet_link_mem *b, void *queue_b,
                        size_t cap_b, size_t max_message)
{
    mem_init(a, b, queue_a, cap_a, cap_b, max_message);
    mem_init(b, a, queue_b, cap_b, cap_a, max_message);
}

void duet_link_mem_set_idle(duet_link_mem *l, void (*idle)(void *arg), void *arg)
{
    l->idle = idle;
    l->idle_arg = arg;
}

void duet_link_mem_set_down(duet_link_mem *l, bool down)
{
    l->down = down;
    l->peer->down = down;
}

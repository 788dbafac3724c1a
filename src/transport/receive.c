/* transport/receive.c - what arrives on an endpoint: delivered in place, reassembled from
 * fragments, or held (in order, its buffer kept) while the layer above refuses it. */
#include "transport/internal.h"

static duet_rpmsg_endpoint *ep_by_addr(duet_rpmsg *dev, uint32_t addr)
{
    for (unsigned i = 0; i < dev->ep_count; i++)
        if (dev->eps[i]->addr == addr)
            return dev->eps[i];
    return NULL;
}

/* Copies a fragment into the endpoint's reassembly buffer; true when a whole message is there. */
static bool reassemble(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const uint8_t *data, uint16_t len, bool more)
{
    if (!ep->reasm_overflow && len <= ep->reasm_cap - ep->reasm_len) {
        memcpy(ep->reasm + ep->reasm_len, data, len);
        ep->reasm_len += len;
    } else {
        ep->reasm_overflow = true;
    }
    if (more)
        return false;
    if (ep->reasm_overflow) {
        dev->stats.dropped_large++;
        ep->reasm_overflow = false;
        ep->reasm_len = 0;
        return false;
    }
    return true;
}

/* Offers the reassembled message. While it is delivered, new fragments wait (held). */
static bool offer_reassembled(duet_rpmsg *dev, duet_rpmsg_endpoint *ep)
{
    ep->reasm_busy = true;
    bool taken = duet_link_deliver(&ep->link, ep->reasm, ep->reasm_len);
    ep->reasm_busy = false;
    if (!taken)
        return false; /* kept in reasm, offered again at the next poll */
    ep->reasm_ready = false;
    ep->reasm_len = 0;
    dev->stats.rx_msgs++;
    return true;
}

/*
 * Takes one received message for an endpoint: delivers it, or adds it (a fragment) to the
 * reassembly. False if it cannot be taken now: it stays held, in order, and its buffer
 * stays with us, so the sender feels the backpressure.
 */
static bool consume(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const duet_rpmsg_held *m)
{
    bool fragment = (m->flags & FRAG_MORE) || ep->reasm_len || ep->reasm_overflow;
    if (!fragment) {
        if (!duet_link_deliver(&ep->link, m->data, m->len))
            return false;
        duet_rpmsg_rx_release(dev, m->id, m->ret_len);
        dev->stats.rx_msgs++;
        return true;
    }
    if (!ep->reasm_cap) {
        dev->stats.bad_messages++; /* a fragment to an endpoint that announced no reassembly */
        duet_rpmsg_rx_release(dev, m->id, m->ret_len);
        return true;
    }
    if (ep->reasm_busy || ep->reasm_ready) {
        ep->retry = ep->reasm_busy; /* busy in a nested poll: try again when it returns */
        return false; /* the previous whole message is still being taken */
    }
    bool whole = reassemble(dev, ep, m->data, m->len, (m->flags & FRAG_MORE) != 0);
    duet_rpmsg_rx_release(dev, m->id, m->ret_len);
    if (whole) {
        ep->reasm_ready = true;
        offer_reassembled(dev, ep);
    }
    return true;
}

static void hold(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const duet_rpmsg_held *m)
{
    uint16_t tail = (uint16_t)((ep->held_head + ep->held_count) % DUET_RPMSG_MAX_RING);
    ep->held[tail] = *m;
    ep->held_count++;
    ep->retry |= ep->reasm_busy; /* held behind a delivery in progress, not a refusal */
    dev->stats.held++;
}

/* Offers an endpoint's kept messages again, in order. Returns how many it took. */
static int offer_held(duet_rpmsg *dev, duet_rpmsg_endpoint *ep)
{
    int n = 0;
    if (ep->reasm_ready && !ep->reasm_busy) {
        if (!offer_reassembled(dev, ep))
            return 0;
        n++;
    }
    while (ep->held_count) {
        /* Taken off the queue before it is offered: a nested poll must not offer it again. */
        duet_rpmsg_held m = ep->held[ep->held_head];
        ep->held_head = (uint16_t)((ep->held_head + 1) % DUET_RPMSG_MAX_RING);
        ep->held_count--;
        if (!consume(dev, ep, &m)) {
            /* Back to the front. A layer that refuses has not polled, so nothing was added. */
            ep->held_head = (uint16_t)((ep->held_head + DUET_RPMSG_MAX_RING - 1) % DUET_RPMSG_MAX_RING);
            ep->held_count++;
            break;
        }
        n++;
    }
    return n;
}

/* Handles one received buffer. Returns 1 if a message was delivered. */
static int dispatch(duet_rpmsg *dev, rx_buf *b)
{
    volatile uint8_t *p = b->p;
    uint32_t src = ld32(p), dst = ld32(p + 4);
    uint16_t len = b->msg_len, flags = ld16(p + 14);
    /* The payload stays in shared memory; the layers above read it in place. They must
     * treat it as untrusted bytes, which the codec does. */
    const uint8_t *data = (const uint8_t *)(uintptr_t)(p + DUET_RPMSG_HEADER_SIZE);
    uint32_t ret_len = b->len;

    if (dev->role == DUET_RPMSG_HOST && dst == DUET_RPMSG_NS_ADDR) {
        uint8_t msg[NS_MSG_SIZE];
        uint16_t n = len < NS_MSG_SIZE ? len : NS_MSG_SIZE;
        for (uint16_t i = 0; i < n; i++)
            msg[i] = data[i];
        duet_rpmsg_rx_release(dev, b->id, ret_len);
        duet_rpmsg_ns_receive(dev, msg, len);
        return 0;
    }
    duet_rpmsg_endpoint *ep = ep_by_addr(dev, dst);
    if (!ep) {
        dev->stats.bad_messages++;
        duet_rpmsg_rx_release(dev, b->id, ret_len);
        return 0;
    }
    if (!ep->ready) {
        if (dev->role == DUET_RPMSG_REMOTE && src >= DUET_RPMSG_FIRST_ADDR && src != DUET_RPMSG_ADDR_ANY) {
            /* The host's first message tells us its address; it carries no data. */
            ep->dest = src;
            ep->ready = true;
            if (len >= 1 + sizeof duet_rpmsg_marker + 4 && dev->fragments && ep->reasm_cap) {
                uint8_t hello[1 + sizeof duet_rpmsg_marker + 4];
                for (size_t i = 0; i < sizeof hello; i++)
                    hello[i] = data[i];
                ep->peer_cap = duet_rpmsg_marker_cap(hello + 1, sizeof hello - 1);
                ep->link.max_message = duet_rpmsg_endpoint_max_message(ep);
            }
        } else {
            dev->stats.bad_messages++;
        }
        duet_rpmsg_rx_release(dev, b->id, ret_len);
        return 0;
    }
    duet_rpmsg_held m = {data, len, b->id, flags, ret_len};
    uint32_t before = dev->stats.rx_msgs;
    if (ep->held_count == 0 && !ep->reasm_ready && consume(dev, ep, &m))
        return dev->stats.rx_msgs != before;
    hold(dev, ep, &m);
    return 0;
}

int duet_rpmsg_poll(duet_rpmsg *dev)
{
    if (dev->err)
        return dev->err;
    /* Asked before the ring is read: what the other core sent before it stopped is still
     * delivered below, and the link goes down at the first poll that finds nothing. */
    const char *gone = dev->port->peer_stopped ? dev->port->peer_stopped(dev->port) : NULL;
    int count = 0;
    dev->polling++;
    for (unsigned i = 0; i < dev->ep_count; i++)
        count += offer_held(dev, dev->eps[i]);
    for (;;) {
        rx_buf b = {0, 0, 0, NULL};
        int got = duet_rpmsg_rx_take(dev, &b);
        if (got <= 0)
            break;
        count += dispatch(dev, &b);
        if (dev->err)
            break;
    }
    /* Fragments held while their endpoint was busy in a nested poll may be taken now. */
    for (unsigned i = 0; i < dev->ep_count && !dev->err; i++) {
        if (dev->eps[i]->retry && !dev->eps[i]->reasm_busy) {
            dev->eps[i]->retry = false;
            count += offer_held(dev, dev->eps[i]);
        }
    }
    if (gone && count == 0 && !dev->err) {
        dev->err = DUET_ERR_LINK_DOWN;
        dev->why = gone;
    }
    if (dev->role == DUET_RPMSG_HOST && !dev->err)
        duet_rpmsg_tx_reclaim(dev);
    dev->polling--;
    if (dev->notify_pending && !dev->err) {
        dev->notify_pending = false;
        dev->port->ring(dev->port);
    }
    return dev->err ? dev->err : count;
}

/* transport/receive.c - what arrives on an endpoint: delivered in place, reassembled from
 * fragments, or held (in order, its buffer kept) while the layer above refuses it. */
#include "transport/internal.h"

/* The endpoint at addr: endpoint i has address DUET_RPMSG_FIRST_ADDR + i. */
static duet_rpmsg_endpoint *ep_by_addr(duet_rpmsg *dev, uint32_t addr)
{
    uint32_t i = addr - DUET_RPMSG_FIRST_ADDR;
    return i < dev->ep_count ? dev->eps[i] : NULL;
}

/* Whether ep has a reassembled message waiting; whether a reassembly is under way. Never
 * where fragments are not linked in (DUET_RPMSG_FRAGMENTS 0): the compiler drops the rest. */
static inline bool reasm_waiting(const duet_rpmsg_endpoint *ep)
{
    return DUET_RPMSG_FRAGMENTS && ep->reasm_ready;
}

static inline bool reasm_started(const duet_rpmsg_endpoint *ep)
{
    return DUET_RPMSG_FRAGMENTS && (ep->reasm_len || ep->reasm_overflow);
}

/* The bytes of ep's reassembly buffer (a field only where fragments are linked in; the
 * code that reads it is never reached without them). */
#if DUET_RPMSG_FRAGMENTS
#define REASM_ROOM(ep) ((ep)->reasm_room)
#else
#define REASM_ROOM(ep) ((ep)->reasm_cap)
#endif

/* Whether a fragment that begins a message must wait: ep is delivering a reassembled message
 * (this is a poll nested in that delivery) and the room left above it is less than the
 * largest message the peer was told it may send (reasm_cap). It is held, in order with what
 * comes behind it, until the delivery below ends. */
static inline bool no_room(const duet_rpmsg_endpoint *ep)
{
    return DUET_RPMSG_FRAGMENTS && !reasm_started(ep) && REASM_ROOM(ep) < ep->reasm_cap;
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

/* Offers the reassembled message. While it is delivered, the endpoint's reassembly is the
 * room above it: a poll nested in the delivery reassembles the next message there (or holds
 * its fragments: no_room), and what it left there, whole or in part, comes down after. */
static bool offer_reassembled(duet_rpmsg *dev, duet_rpmsg_endpoint *ep)
{
    uint8_t *msg = ep->reasm;
    size_t len = ep->reasm_len, room = REASM_ROOM(ep);
    ep->reasm = msg + len;
    REASM_ROOM(ep) = room - len;
    ep->reasm_len = 0;
    ep->reasm_ready = false;
    dev->pending |= ep->held_count != 0; /* a poll nested in the delivery offers those held */
    bool taken = duet_link_deliver(&ep->link, msg, len);
    ep->reasm = msg;
    REASM_ROOM(ep) = room;
    if (!taken) {
        /* Kept, offered again at the next poll. A layer that refuses has not polled: the
         * room above it is empty. */
        ep->reasm_len = len;
        ep->reasm_ready = true;
        return false;
    }
    /* Down by len bytes: in pieces of len, which do not overlap (memcpy, which the firmware
     * links already; memmove would add its own code). */
    for (size_t at = 0; len && at < ep->reasm_len; at += len)
        memcpy(msg + at, msg + len + at, ep->reasm_len - at < len ? ep->reasm_len - at : len);
    dev->stats.rx_msgs++;
    return true;
}

/*
 * Takes one received message (in buffer b, its first off bytes read already by link.read)
 * for an endpoint that has no reassembled message waiting (reasm_ready): delivers it, or
 * adds it (a fragment) to the reassembly. Returns how many messages were delivered (0 or
 * 1), or -1 if it cannot be taken now: it stays held, in order, and its buffer stays with
 * us, so the sender feels the backpressure.
 */
static int consume(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const rx_buf *b, uint16_t off)
{
    const uint8_t *data = (const uint8_t *)(uintptr_t)(b->p + DUET_RPMSG_HEADER_SIZE);
    uint16_t flags = ld16(b->p + 14);
    bool more = (flags & FRAG_MORE) != 0;
    /* In a poll nested in the delivery of a reassembled message, the reassembly under way is
     * the one above it (the callers hold a fragment that finds no room there: no_room). */
    int n = 0;
    if ((flags & FRAG_RESTART) && reasm_started(ep)) {
        /* The sender gave up on the message these fragments began: dropped, not joined. */
        ep->reasm_len = 0;
        ep->reasm_overflow = false;
        dev->stats.bad_messages++;
    }
    if (!more && !reasm_started(ep)) {
        if (!duet_link_deliver(&ep->link, data + off, b->msg_len > off ? (size_t)b->msg_len - off : 0))
            return -1;
        dev->stats.rx_msgs++;
        n = 1;
    } else if (!DUET_RPMSG_FRAGMENTS || !ep->reasm_cap) {
        dev->stats.bad_messages++; /* a fragment to an endpoint that announced no reassembly */
    } else if (reassemble(dev, ep, data, b->msg_len, more)) {
        /* Whole: offered by offer_held, next in its loop or at the end of this poll. */
        ep->reasm_ready = true;
        dev->pending = dev->retry = true;
    }
    duet_rpmsg_rx_release(dev, b->id, b->len);
    return n;
}

/* Keeps buffer id for ep, behind those it holds already (or, front, before them). Out of
 * line: a message is held rarely, and the two callers share one copy. */
static __attribute__((noinline)) void hold(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, uint16_t id, bool front)
{
    dev->rx_next[id] = DUET_RPMSG_ID_NONE;
    dev->pending = true;
    if (!ep->held_count) {
        ep->held_head = ep->held_tail = (duet_rpmsg_id)id;
    } else if (front) {
        dev->rx_next[id] = ep->held_head;
        ep->held_head = (duet_rpmsg_id)id;
    } else {
        dev->rx_next[ep->held_tail] = (duet_rpmsg_id)id;
        ep->held_tail = (duet_rpmsg_id)id;
    }
    ep->held_count++;
}

/* Takes ep's first held message off its list (its buffer stays ours); its id. */
static uint16_t unhold_first(duet_rpmsg *dev, duet_rpmsg_endpoint *ep)
{
    uint16_t id = ep->held_head;
    ep->held_head = dev->rx_next[id];
    ep->held_count--;
    if (DUET_RPMSG_STREAM_PATHS)
        ep->held_off = 0;
    dev->rx_next[id] = DUET_RPMSG_ID_NONE;
    return id;
}

/* Whether ep's first held message is a fragment (or cannot be read: then it waits too):
 * where it finds no room (no_room), it waits. */
static bool held_fragment(duet_rpmsg *dev, const duet_rpmsg_endpoint *ep)
{
    rx_buf b;
    return duet_rpmsg_rx_map(dev, ep->held_head, &b) < 0 || (ld16(b.p + 14) & FRAG_MORE);
}

/* Offers an endpoint's kept messages again, in order: a reassembled one first, then those
 * held (a fragment among them may complete the next reassembled one). Returns how many it
 * took. */
static int offer_held(duet_rpmsg *dev, duet_rpmsg_endpoint *ep)
{
    int n = 0;
    for (;;) {
        if (reasm_waiting(ep)) {
            if (!offer_reassembled(dev, ep))
                return n;
            n++;
        }
        if (!ep->held_count || (no_room(ep) && held_fragment(dev, ep)))
            return n;
        /* Taken off the list before it is offered: a nested poll must not offer it again. */
        /* Only link.read leaves a message read in part (held_off), where it is built. */
        uint16_t off = DUET_RPMSG_STREAM_PATHS ? ep->held_off : 0, id = unhold_first(dev, ep);
        rx_buf b;
        if (duet_rpmsg_rx_map(dev, id, &b) < 0)
            return n;
        int got = consume(dev, ep, &b, off);
        if (got < 0) {
            /* Back to the front. A layer that refuses has not polled, so nothing was added. */
            hold(dev, ep, id, true);
            if (DUET_RPMSG_STREAM_PATHS)
                ep->held_off = off;
            return n;
        }
        n += got;
    }
}

#if DUET_RPMSG_STREAM_PATHS
/* Where the message link.read copies next lies: ep's first held message, the next one of the
 * ring (left there until it is copied), or none. */
enum { READ_NONE, READ_HELD, READ_RING };

/* Maps into b the message link.read copies next: ep's first held message, else the next one
 * of the ring if it is ep's. READ_NONE if there is none, or if it must go through a poll: a
 * fragment (taken and held: a poll reassembles it), a reassembly under way, another
 * endpoint's message first. */
static int first_readable(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, rx_buf *b)
{
    if (dev->err || reasm_started(ep) || reasm_waiting(ep))
        return READ_NONE;
    if (ep->held_count) {
        if (duet_rpmsg_rx_map(dev, ep->held_head, b) <= 0)
            return READ_NONE;
        return ld16(b->p + 14) & FRAG_MORE ? READ_NONE : READ_HELD;
    }
    if (duet_rpmsg_rx_next(dev, b, false) <= 0 || ld32(b->p + 4) != ep->addr || !ep->ready)
        return READ_NONE;
    if (!(ld16(b->p + 14) & FRAG_MORE))
        return READ_RING;
    rx_took(dev, b);
    hold(dev, ep, b->id, false);
    return READ_NONE;
}

size_t duet_rpmsg_read(duet_link *link, uint8_t *buf, size_t cap)
{
    duet_rpmsg_endpoint *ep = ep_of(link);
    duet_rpmsg *dev = ep->dev;
    size_t done = 0;
    bool released = false;
    rx_buf b;
    int from;
    while (done < cap && (from = first_readable(dev, ep, &b)) != READ_NONE) {
        size_t off = from == READ_HELD ? ep->held_off : 0, left = b.msg_len > off ? b.msg_len - off : 0;
        size_t n = left < cap - done ? left : cap - done;
        if (from == READ_RING)
            rx_took(dev, &b); /* ours now: copied whole and handed back, or held with the rest */
        memcpy(buf + done, (const uint8_t *)(uintptr_t)(b.p + DUET_RPMSG_HEADER_SIZE + off), n);
        done += n;
        if (n < left) {
            if (from == READ_RING)
                hold(dev, ep, b.id, false);
            ep->held_off = (uint16_t)(off + n); /* the rest is the first thing to read next */
            break;
        }
        /* Copied whole: handed back at once, as a delivered message is. */
        if (from == READ_HELD)
            unhold_first(dev, ep);
        duet_rpmsg_rx_release(dev, b.id, b.len);
        dev->stats.rx_msgs++;
        released = true;
    }
    if (released)
        duet_rpmsg_notify(dev); /* the other side gets its buffers back now, not at the next poll */
    return done;
}
#endif

/* Offers the kept messages of every endpoint, and notes whether any are still kept. */
static int offer_all(duet_rpmsg *dev)
{
    int count = 0;
    dev->pending = false;
    for (unsigned i = 0; i < dev->ep_count && !dev->err; i++) {
        duet_rpmsg_endpoint *ep = dev->eps[i];
        count += offer_held(dev, ep);
        dev->pending |= ep->held_count || reasm_waiting(ep);
    }
    return count;
}

/* A message (in b, to dst) for no endpoint that is ready: the name service's (host), the
 * host's first message to an endpoint (remote: it tells the host's address and carries no
 * data), or a bad one. Out of line: they come at the start, or never. */
static COLD void not_ready(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const rx_buf *b, uint32_t dst)
{
    if (is_host(dev) && dst == DUET_RPMSG_NS_ADDR) {
        duet_rpmsg_ns_buffer(dev, b);
        return;
    }
    uint32_t src = is_host(dev) ? 0 : ld32(b->p); /* only the remote learns an address here */
    if (ep && !is_host(dev) && src >= DUET_RPMSG_FIRST_ADDR && src != DUET_RPMSG_ADDR_ANY) {
        ep->dest = src;
        ep->ready = true;
        if (b->msg_len > 1 && fragments_on(dev) && ep->reasm_cap)
            duet_rpmsg_set_peer_cap(ep, duet_rpmsg_marker_cap((const uint8_t *)(uintptr_t)(b->p + DUET_RPMSG_HEADER_SIZE + 1),
                                                              b->msg_len - 1u));
    } else {
        dev->stats.bad_messages++;
    }
    duet_rpmsg_rx_release(dev, b->id, b->len);
}

/* Handles one received buffer. Returns 1 if a message was delivered. The payload stays in
 * shared memory; the layers above read it in place. They must treat it as untrusted bytes,
 * which the codec does. */
static OWN_LINE int dispatch(duet_rpmsg *dev, rx_buf *b)
{
    uint32_t dst = ld32(b->p + 4);
    duet_rpmsg_endpoint *ep = ep_by_addr(dev, dst);
    if (!ep || !ep->ready) {
        not_ready(dev, ep, b, dst);
        return 0;
    }
    /* Behind a reassembled message not taken yet everything waits; a fragment that finds no
     * room above one being delivered waits too (no_room), until that delivery ends. */
    bool behind = reasm_waiting(ep) || (no_room(ep) && (ld16(b->p + 14) & FRAG_MORE));
    int got = ep->held_count == 0 && !behind ? consume(dev, ep, b, 0) : -1;
    if (got >= 0)
        return got;
    hold(dev, ep, b->id, false);
    dev->stats.held++;
    return 0;
}

/* Takes and dispatches what the ring holds. Returns the messages delivered. */
static int take_all(duet_rpmsg *dev)
{
    int count = 0;
    rx_buf b;
    while (!dev->err && duet_rpmsg_rx_next(dev, &b, true) > 0)
        count += dispatch(dev, &b);
    return count;
}

int duet_rpmsg_poll(duet_rpmsg *dev)
{
    if (dev->err)
        return dev->err;
    /* Asked before the ring is read: what the other core sent before it stopped is still
     * delivered below, and the link goes down at the first poll that finds nothing. */
    const char *gone = dev->port->peer_stopped ? dev->port->peer_stopped(dev->port) : NULL;
    /* Nothing came, nothing is kept and nothing waits to go out: nothing to do. A poll
     * nested in another (a call made by a handler) finds the other side asked not to ring
     * for this ring: it asks again, so that the wait after it is woken, and looks once more. */
    if (!gone && !dev->pending && duet_rpmsg_idle(dev) && !duet_rpmsg_quiet(dev, &dev->rx, false))
        return 0;
    int count = 0;
    dev->polling++;
    /* While we look, the other side need not ring; before we stop, we look once more. Not
     * where programs have threads (the port has a lock): another thread may sleep waiting
     * for what this poll delivers, and only the other core's ring wakes it. */
    bool quiet = !dev->port->lock;
    if (dev->pending)
        count += offer_all(dev);
    do {
        duet_rpmsg_quiet(dev, &dev->rx, quiet);
        count += take_all(dev);
    } while (!dev->err && duet_rpmsg_quiet(dev, &dev->rx, false)); /* more came as we stopped looking */
    /* A message reassembled in this poll is offered now, and what waits behind it: not at a
     * next poll that may not come soon. */
    if (DUET_RPMSG_FRAGMENTS && dev->retry) {
        dev->retry = false;
        count += offer_all(dev);
    }
    if (gone && count == 0 && !dev->err) {
        dev->err = DUET_ERR_LINK_DOWN;
        dev->why = gone;
    }
    if (is_host(dev) && !dev->err)
        duet_rpmsg_tx_reclaim(dev);
    dev->polling--;
    duet_rpmsg_notify(dev);
    return dev->err ? dev->err : count;
}

/* transport/rpmsg.c - RPMsg endpoints over the rings: the device's state and settings,
 * sending (in fragments to a duet peer), endpoints as links. */
#include "transport/internal.h"

/* ------------------------------------------------------------ errors */

/* The link goes down for good: shared memory broke a rule. */
int duet_rpmsg_corrupt(duet_rpmsg *dev, const char *why)
{
    dev->stats.corrupt++;
    if (!dev->err) {
        dev->err = DUET_ERR_CORRUPT;
        dev->why = why;
    }
    return DUET_ERR_CORRUPT;
}

const char *duet_rpmsg_error_text(const duet_rpmsg *dev)
{
    if (!dev->err)
        return "no error";
    return dev->why ? dev->why : duet_strerror(dev->err);
}

duet_rpmsg_stats duet_rpmsg_get_stats(const duet_rpmsg *dev)
{
    return dev->stats;
}

void duet_rpmsg_shutdown(duet_rpmsg *dev)
{
    if (!dev->err) {
        dev->err = DUET_ERR_LINK_DOWN;
        dev->why = "shut down";
    }
}

uint32_t duet_rpmsg_set_send_timeout(duet_rpmsg *dev, uint32_t timeout_ms)
{
    uint32_t old = dev->send_timeout_ms;
    dev->send_timeout_ms = timeout_ms;
    return old;
}

void duet_rpmsg_set_fragments(duet_rpmsg *dev, bool on)
{
    dev->fragments = on;
}

/* ------------------------------------------------------------ sending */

/*
 * Sends one buffer's worth. Waits for a free buffer up to the device's send timeout (with
 * SEND_NOW: not at all); while it waits it serves what arrives (SEND_DELIVER), so that two
 * sides that both send cannot block each other, or only reclaims buffers (for fragments).
 * With SEND_MORE the buffer is published (and the doorbell rung) with the next message sent
 * without it, or at the next poll or wait: one index store and one doorbell for a run of
 * messages.
 */
int duet_rpmsg_send_one(const duet_rpmsg_endpoint *ep, const uint8_t *data, uint16_t len, unsigned how)
{
    duet_rpmsg *dev = ep->dev;
    tx_buf b;
    uint32_t start = 0;
    bool waited = false;
    int got;
    while ((got = dev->err ? dev->err : duet_rpmsg_tx_take(dev, &b)) == 0) {
        uint32_t now = dev->port->now_ms(dev->port);
        if (!waited) {
            waited = true;
            dev->stats.buffer_waits++;
            start = now;
        } else {
            duet_rpmsg_notify(dev); /* what we sent and handed back reaches the other side first */
            uint32_t timeout_ms = dev->send_timeout_ms; /* SEND_NOW: none */
            if ((how & SEND_NOW) || now - start >= timeout_ms)
                return DUET_ERR_TIMEOUT;
            dev->port->wait(dev->port, timeout_ms - (now - start));
        }
        /* The host's next take reclaims what the remote returned meanwhile. */
        if ((how & SEND_DELIVER) && dev->polling < DUET_RPMSG_MAX_NESTED_POLL)
            duet_rpmsg_poll(dev);
    }
    if (got < 0) /* the link is down, or the take found shared memory corrupt */
        return got;
    /* FRAG_MORE and FRAG_RESTART come only from send_message (DUET_RPMSG_FRAGMENTS). */
    uint16_t flags = (uint16_t)(how & (DUET_RPMSG_FRAGMENTS ? FRAG_MORE | FRAG_RESTART : 0));
    put_header(b.p, ep->addr, how & SEND_NS ? DUET_RPMSG_NS_ADDR : ep->dest, len, flags);
    /* The payload is plain bytes: copied in one go. */
    memcpy((uint8_t *)(uintptr_t)(b.p + DUET_RPMSG_HEADER_SIZE), data, len);
    duet_rpmsg_tx_give(dev, &b, len);
    if (!(how & SEND_MORE))
        duet_rpmsg_notify(dev);
    return DUET_OK;
}

void duet_rpmsg_notify(duet_rpmsg *dev)
{
    duet_rpmsg_publish(dev);
    /* One doorbell covers everything published before it (it does not name a ring). */
    if (dev->notify_pending && !dev->err) {
        dev->notify_pending = false;
#if DUET_RPMSG_STREAM_PATHS
        publish_fence(); /* the index before the doorbell: publish had no full fence */
#endif
        dev->port->ring(dev->port);
    }
}


size_t duet_rpmsg_endpoint_max_message(const duet_rpmsg_endpoint *ep)
{
    size_t one = payload_max(ep->dev);
    return ep->peer_cap > one ? ep->peer_cap : one;
}

void duet_rpmsg_set_peer_cap(duet_rpmsg_endpoint *ep, uint32_t cap)
{
    ep->peer_cap = cap;
    ep->link.max_message = duet_rpmsg_endpoint_max_message(ep);
}

/* duet_rpmsg_send; how: SEND_MORE, SEND_NOW or 0. */
static int send_message(duet_rpmsg_endpoint *ep, const void *data, size_t len, unsigned how)
{
    duet_rpmsg *dev = ep->dev;
    const uint8_t *p = (const uint8_t *)data;
    if (dev->err)
        return dev->err;
    if (!ep->ready)
        return DUET_ERR_STATE;
    size_t one = payload_max(dev);
    /* One buffer serves what arrives while it waits; fragments must not interleave with
     * another message, so they wait without delivering. */
    if (len <= one)
        how |= SEND_DELIVER;
    else if (!DUET_RPMSG_FRAGMENTS || len > ep->peer_cap)
        return DUET_ERR_TOO_LARGE;
    /* Every fragment but the last says more follow. The first buffer says, after a message
     * whose fragments stopped part-way (no buffer in time), that those are no message: the
     * peer drops them rather than reassemble them with this one. tx_cut holds from the first
     * fragment out to the last: a fragment that fails leaves the peer a message in part. */
    unsigned restart = DUET_RPMSG_FRAGMENTS && ep->tx_cut ? FRAG_RESTART : 0;
    for (; len > one; len -= one, p += one) {
        int err = duet_rpmsg_send_one(ep, p, (uint16_t)one, (how & SEND_NOW) | SEND_MORE | FRAG_MORE | restart);
        if (err)
            return err;
        ep->tx_cut = true;
        restart = 0;
    }
    int err = duet_rpmsg_send_one(ep, p, (uint16_t)len, how | restart);
    if (DUET_RPMSG_FRAGMENTS && !err)
        ep->tx_cut = false;
    return err;
}

int duet_rpmsg_send(duet_rpmsg_endpoint *ep, const void *data, size_t len)
{
    return send_message(ep, data, len, 0);
}

/* ------------------------------------------------------------ endpoints */

static int ep_send(duet_link *link, const uint8_t *data, size_t len)
{
    return send_message(ep_of(link), data, len, 0);
}

/* Sends only if a buffer is free after one poll: never waits for the other core. */
static int ep_send_now(duet_link *link, const uint8_t *data, size_t len)
{
    return send_message(ep_of(link), data, len, SEND_NOW);
}

/* Sends, telling the other side with the next message that is sent without more to come. */
static int ep_send_more(duet_link *link, const uint8_t *data, size_t len)
{
    return send_message(ep_of(link), data, len, SEND_MORE);
}

#if DUET_RPMSG_STREAM_PATHS
/* Whole messages of piece bytes, the head's bytes first, one buffer each where they fit one
 * (filled straight when a buffer is free, else sent as send_more sends), published once at
 * the end. */
static size_t ep_send_split(duet_link *link, const uint8_t *head, size_t head_len, const uint8_t *data, size_t len,
                            size_t piece, int *err)
{
    duet_rpmsg_endpoint *ep = ep_of(link);
    duet_rpmsg *dev = ep->dev;
    const tx_bytes run = {head, head_len, data, len};
    size_t done = 0, total = head_len + len;
    *err = DUET_OK;
    while (done < total && !*err) {
        /* Into the buffers free now, in one go (after a message cut part-way, the first goes
         * as send_message sends it: it says so). */
        if (piece <= payload_max(dev) && ep->ready && !dev->err && !ep->tx_cut)
            done += duet_rpmsg_tx_run(dev, ep->addr, ep->dest, &run, done, piece, err);
        if (done == total || *err)
            break;
        /* None free (or the link cannot take it): waits for a buffer, or says what is wrong.
         * The head (fewer bytes than a piece) then goes as a message of its own. */
        const uint8_t *from = done < head_len ? head + done : data + (done - head_len);
        size_t left = done < head_len ? head_len - done : total - done;
        size_t n = left < piece ? left : piece;
        *err = send_message(ep, from, n, SEND_MORE);
        done += *err ? 0 : n;
    }
    duet_rpmsg_notify(dev);
    return done;
}
#endif

static int ep_poll(duet_link *link)
{
    int n = duet_rpmsg_poll(ep_of(link)->dev);
    /* Rings the other side broke stay broken (every later poll says so): to the layer above
     * the link is down for good, and a call waiting for its answer ends now, not at its
     * timeout. The device's error text says why. */
    return n == DUET_ERR_CORRUPT ? DUET_ERR_LINK_DOWN : n;
}

static void ep_wait(duet_link *link, uint32_t timeout_ms)
{
    duet_port *port = ep_of(link)->dev->port;
    port->wait(port, timeout_ms);
}

static uint32_t ep_now(duet_link *link)
{
    duet_port *port = ep_of(link)->dev->port;
    return port->now_ms(port);
}

int duet_rpmsg_endpoint_create(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const char *name, void *reasm_buf,
                               size_t reasm_cap)
{
    if (dev->err)
        return dev->err;
    size_t len = name ? duet_text_length(name) : 0;
    if (len < 1 || len >= DUET_RPMSG_NAME_SIZE || (reasm_cap && !reasm_buf))
        return DUET_ERR_ARG;
    if (dev->ep_count >= DUET_RPMSG_MAX_ENDPOINTS)
        return DUET_ERR_FULL;
    if (duet_rpmsg_ep_by_name(dev, name, len))
        return DUET_ERR_EXISTS;
    memset(ep, 0, sizeof *ep);
    ep->link.send = ep_send;
    ep->link.send_now = ep_send_now;
    ep->link.send_more = ep_send_more;
    ep->link.poll = ep_poll;
    ep->link.wait = ep_wait;
    ep->link.now_ms = ep_now;
#if DUET_RPMSG_STREAM_PATHS
    ep->link.send_split = ep_send_split;
    ep->link.read = duet_rpmsg_read;
#endif
    ep->link.max_message = payload_max(dev);
    ep->dev = dev;
    ep->name = name;
    ep->addr = DUET_RPMSG_FIRST_ADDR + dev->ep_count;
    ep->dest = DUET_RPMSG_ADDR_ANY;
    ep->reasm = (uint8_t *)reasm_buf;
    ep->reasm_cap = reasm_cap;
#if DUET_RPMSG_FRAGMENTS
    ep->reasm_room = reasm_cap;
#endif
    dev->eps[dev->ep_count++] = ep;
    return duet_rpmsg_ns_created(dev, ep);
}

int duet_rpmsg_wait_ready(duet_rpmsg *dev, uint32_t timeout_ms)
{
    uint32_t start = dev->port->now_ms(dev->port);
    for (;;) {
        int n = duet_rpmsg_poll(dev);
        if (n < 0)
            return n;
        unsigned i = 0;
        while (i < dev->ep_count && dev->eps[i]->ready)
            i++;
        if (i == dev->ep_count) /* all ready */
            return DUET_OK;
        uint32_t elapsed = dev->port->now_ms(dev->port) - start;
        if (elapsed >= timeout_ms)
            return DUET_ERR_TIMEOUT;
        if (n == 0)
            dev->port->wait(dev->port, timeout_ms - elapsed);
    }
}


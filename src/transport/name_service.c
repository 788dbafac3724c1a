/* transport/name_service.c - the RPMsg name service: endpoints announced by name, and
 * duet's marker and reassembly capacity carried after the name's NUL. */
#include "transport/internal.h"

const char duet_rpmsg_marker[6] = {'d', 'u', 'e', 't', '/', '1'};

/* Builds the announcement of an endpoint: name, marker and capacity after the NUL, address. */
void duet_rpmsg_ns_message(const duet_rpmsg *dev, const duet_rpmsg_endpoint *ep, uint8_t msg[NS_MSG_SIZE])
{
    memset(msg, 0, NS_MSG_SIZE);
    if (!role_linked(DUET_RPMSG_REMOTE))
        return; /* only the remote announces: a program built for the host alone never does */
    size_t n = duet_text_length(ep->name);
    memcpy(msg, ep->name, n);
    if (fragments_on(dev) && ep->reasm_cap && n + 1 + sizeof duet_rpmsg_marker + 4 <= DUET_RPMSG_NAME_SIZE) {
        uint32_t cap = (uint32_t)ep->reasm_cap;
        memcpy(msg + n + 1, duet_rpmsg_marker, sizeof duet_rpmsg_marker);
        memcpy(msg + n + 1 + sizeof duet_rpmsg_marker, &cap, 4);
    }
    uint32_t addr = ep->addr;
    memcpy(msg + 32, &addr, 4);
}

/* Reads a duet marker and capacity at p (n bytes); 0 if there is none, or where this program
 * has no fragments (DUET_RPMSG_FRAGMENTS 0): it never sends more than one buffer. */
uint32_t duet_rpmsg_marker_cap(const uint8_t *p, size_t n)
{
    uint32_t cap;
    if (!DUET_RPMSG_FRAGMENTS || n < sizeof duet_rpmsg_marker + 4 ||
        !duet_bytes_equal(p, duet_rpmsg_marker, sizeof duet_rpmsg_marker))
        return 0;
    memcpy(&cap, p + sizeof duet_rpmsg_marker, 4);
    return cap;
}

/* Whether the string own is the len bytes at name (no NUL among them: the comparison stops
 * at own's NUL, if it comes first, as a difference). */
static bool name_is(const char *own, const void *name, size_t len)
{
    return duet_bytes_equal(own, name, len) && !own[len];
}

duet_rpmsg_endpoint *duet_rpmsg_ep_by_name(const duet_rpmsg *dev, const void *name, size_t len)
{
    /* From the last: names are unique (endpoint_create), so any order finds the one. */
    for (unsigned i = dev->ep_count; i-- > 0;)
        if (name_is(dev->eps[i]->name, name, len))
            return dev->eps[i];
    return NULL;
}

/* Host: a name-service message from the remote (len bytes, msg holds up to NS_MSG_SIZE of
 * them). True if it announces a name without an endpoint yet and is to be kept for one. */
static bool ns_receive(duet_rpmsg *dev, const uint8_t *msg, uint16_t len)
{
    size_t name_len = 0;
    uint32_t addr = 0, flags;
    if (len >= NS_MSG_SIZE) { /* msg holds len bytes */
        /* A loop, not memchr (160 B of libc): this is out of the poll's hot path's line. */
        while (name_len < DUET_RPMSG_NAME_SIZE && msg[name_len])
            name_len++;
        memcpy(&addr, msg + 32, 4);
    }
    /* Too short (addr stays 0), a name without its terminating NUL, or a reserved address. */
    if (name_len == DUET_RPMSG_NAME_SIZE || addr < DUET_RPMSG_FIRST_ADDR || addr == DUET_RPMSG_ADDR_ANY) {
        dev->stats.bad_messages++;
        return false;
    }
    memcpy(&flags, msg + 36, 4);
    duet_rpmsg_endpoint *ep = duet_rpmsg_ep_by_name(dev, msg, name_len);
    if (!ep) {
        /* No endpoint by that name yet: kept for endpoint_create, while there is room. */
        if (!(flags & NS_DESTROY) && dev->ns_count < DUET_RPMSG_MAX_ENDPOINTS)
            return true;
        dev->stats.bad_messages++;
    } else if (flags & NS_DESTROY) {
        ep->ready = false;
        ep->dest = DUET_RPMSG_ADDR_ANY;
    } else {
        duet_rpmsg_host_answer(dev, ep, addr,
                               duet_rpmsg_marker_cap(msg + name_len + 1, DUET_RPMSG_NAME_SIZE - name_len - 1));
    }
    return false;
}

void duet_rpmsg_ns_buffer(duet_rpmsg *dev, const rx_buf *b)
{
    if (!role_linked(DUET_RPMSG_HOST))
        return; /* only the host hears announcements: a program built for the remote alone never does */
    uint8_t msg[NS_MSG_SIZE]; /* read once: the remote may change it meanwhile */
    uint16_t len = b->msg_len;
    memcpy(msg, (const uint8_t *)(uintptr_t)(b->p + DUET_RPMSG_HEADER_SIZE), len < NS_MSG_SIZE ? len : NS_MSG_SIZE);
    if (!ns_receive(dev, msg, len)) {
        duet_rpmsg_rx_release(dev, b->id, b->len);
        return;
    }
    dev->rx_next[b->id] = dev->ns_held;
    dev->ns_held = (duet_rpmsg_id)b->id;
    dev->ns_count++;
}

/* A new endpoint: the remote announces it; the host reads the announcements it kept once
 * more (checked again: the remote may have changed them), answers the one of ep's name and
 * keeps the others. */
int duet_rpmsg_ns_created(duet_rpmsg *dev, duet_rpmsg_endpoint *ep)
{
    if (!is_host(dev)) {
        uint8_t msg[NS_MSG_SIZE];
        duet_rpmsg_ns_message(dev, ep, msg);
        return duet_rpmsg_send_one(ep, msg, NS_MSG_SIZE, SEND_NS | SEND_DELIVER);
    }
    unsigned n = dev->ns_count;
    uint16_t id = dev->ns_held;
    dev->ns_count = 0;
    for (; n > 0 && !dev->err; n--) {
        uint16_t next = dev->rx_next[id];
        rx_buf b;
        if (duet_rpmsg_rx_map(dev, id, &b) > 0)
            duet_rpmsg_ns_buffer(dev, &b);
        id = next;
    }
    return dev->err;
}

/* Host: binds ep to the remote's address and answers with the handshake. */
void duet_rpmsg_host_answer(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, uint32_t addr, uint32_t cap)
{
    if (!role_linked(DUET_RPMSG_HOST))
        return;
    ep->dest = addr;
    ep->ready = true;
    /* Answer with one byte so the remote learns our address; a duet remote that announced
     * its reassembly capacity hears ours back, and both may then send large messages. */
    uint8_t hello[1 + sizeof duet_rpmsg_marker + 4];
    uint16_t hello_len = 1;
    hello[0] = 0; /* the rest, marker and capacity, written below if sent */
    if (cap && fragments_on(dev) && ep->reasm_cap) {
        uint32_t mine = (uint32_t)ep->reasm_cap;
        memcpy(hello + 1, duet_rpmsg_marker, sizeof duet_rpmsg_marker);
        memcpy(hello + 1 + sizeof duet_rpmsg_marker, &mine, 4);
        hello_len = sizeof hello;
        duet_rpmsg_set_peer_cap(ep, cap);
    }
    duet_rpmsg_send_one(ep, hello, hello_len, 0);
}


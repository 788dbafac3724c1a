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
    size_t n = strlen(ep->name);
    memcpy(msg, ep->name, n);
    if (fragments_on(dev) && ep->reasm_cap && n + 1 + sizeof duet_rpmsg_marker + 4 <= DUET_RPMSG_NAME_SIZE) {
        uint32_t cap = (uint32_t)ep->reasm_cap;
        memcpy(msg + n + 1, duet_rpmsg_marker, sizeof duet_rpmsg_marker);
        memcpy(msg + n + 1 + sizeof duet_rpmsg_marker, &cap, 4);
    }
    memcpy(msg + 32, &ep->addr, 4);
}

/* Reads a duet marker and capacity at p (n bytes); 0 if there is none. */
uint32_t duet_rpmsg_marker_cap(const uint8_t *p, size_t n)
{
    uint32_t cap;
    if (n < sizeof duet_rpmsg_marker + 4 || memcmp(p, duet_rpmsg_marker, sizeof duet_rpmsg_marker) != 0)
        return 0;
    memcpy(&cap, p + sizeof duet_rpmsg_marker, 4);
    return cap;
}
/* Host: a name-service message from the remote. */
void duet_rpmsg_ns_receive(duet_rpmsg *dev, const uint8_t *msg, uint16_t len)
{
    if (!role_linked(DUET_RPMSG_HOST))
        return; /* only the host hears announcements: a program built for the remote alone never does */
    if (len < NS_MSG_SIZE) {
        dev->stats.bad_messages++;
        return;
    }
    const uint8_t *nul = memchr(msg, 0, DUET_RPMSG_NAME_SIZE);
    if (!nul) {
        dev->stats.bad_messages++; /* a name without its terminating NUL */
        return;
    }
    size_t name_len = (size_t)(nul - msg);
    uint32_t addr, flags;
    memcpy(&addr, msg + 32, 4);
    memcpy(&flags, msg + 36, 4);
    duet_rpmsg_endpoint *ep = NULL;
    for (unsigned i = 0; i < dev->ep_count; i++)
        if (memcmp(dev->eps[i]->name, msg, name_len + 1) == 0) /* the NUL included */
            ep = dev->eps[i];
    if (addr < DUET_RPMSG_FIRST_ADDR || addr == DUET_RPMSG_ADDR_ANY) {
        dev->stats.bad_messages++; /* a reserved address */
        return;
    }
    uint32_t cap = duet_rpmsg_marker_cap(nul + 1, DUET_RPMSG_NAME_SIZE - name_len - 1);
    if (!ep) {
        /* No endpoint by that name yet: remember it for endpoint_create. */
        if (flags & NS_DESTROY || dev->early_count >= DUET_RPMSG_MAX_ENDPOINTS) {
            dev->stats.bad_messages++;
            return;
        }
        duet_rpmsg_announce *a = &dev->early[dev->early_count++];
        memcpy(a->name, msg, name_len + 1);
        a->addr = addr;
        a->cap = cap;
        return;
    }
    if (flags & NS_DESTROY) {
        ep->ready = false;
        ep->dest = DUET_RPMSG_ADDR_ANY;
        return;
    }
    duet_rpmsg_host_answer(dev, ep, addr, cap);
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
    uint8_t hello[1 + sizeof duet_rpmsg_marker + 4] = {0};
    uint16_t hello_len = 1;
    if (cap && fragments_on(dev) && ep->reasm_cap) {
        uint32_t mine = (uint32_t)ep->reasm_cap;
        memcpy(hello + 1, duet_rpmsg_marker, sizeof duet_rpmsg_marker);
        memcpy(hello + 1 + sizeof duet_rpmsg_marker, &mine, 4);
        hello_len = sizeof hello;
        duet_rpmsg_set_peer_cap(ep, cap);
    }
    duet_rpmsg_send_one(dev, ep->addr, ep->dest, hello, hello_len, 0, 0, dev->send_timeout_ms);
}


/* rpmsg_decode.c - RPMsg buffers to RPC messages and stream text, for the feed. */
#include "rpmsg_decode.h"

#include <string.h>

#define NS_ADDR 0x35u
#define NS_SIZE 40u
#define NS_DESTROY 1u
#define FRAG_MORE 0x8000u
#define FRAG_RESTART 0x4000u /* the first buffer after a message whose fragments stopped part-way */

void rpmsg_decoder_init(rpmsg_decoder *d)
{
    memset(d, 0, sizeof *d);
}

static uint32_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static rpmsg_endpoint_seen *find(rpmsg_decoder *d, uint32_t addr)
{
    for (int i = 0; i < d->count; i++)
        if (d->eps[i].addr == addr)
            return &d->eps[i];
    return NULL;
}

/* The M4 announces an endpoint: its name and address. */
static void announce(rpmsg_decoder *d, const uint8_t *p, size_t n)
{
    if (n < NS_SIZE)
        return;
    uint32_t addr = ld32(p + 32), flags = ld32(p + 36);
    rpmsg_endpoint_seen *ep = find(d, addr);
    if (flags & NS_DESTROY) {
        if (ep)
            ep->addr = 0xffffffffu;
        return;
    }
    if (!ep) {
        if (d->count == RPMSG_DECODE_ENDPOINTS)
            return;
        ep = &d->eps[d->count++];
    }
    memset(ep, 0, sizeof *ep);
    ep->addr = addr;
    memcpy(ep->name, p, 31); /* the name ends at its NUL; a duet marker may follow it */
    ep->name[31] = 0;
}

void rpmsg_decode(rpmsg_decoder *d, board_feed *feed, int core, uint64_t time_us, const uint8_t *buf, size_t len)
{
    if (len < 16)
        return;
    uint32_t src = ld32(buf), dst = ld32(buf + 4);
    uint16_t n, flags;
    memcpy(&n, buf + 12, 2);
    memcpy(&flags, buf + 14, 2);
    if ((size_t)n > len - 16)
        return;
    const uint8_t *p = buf + 16;
    if (dst == NS_ADDR) {
        if (core == BOARD_CORE_M4)
            announce(d, p, n);
        return;
    }
    bool m7 = core == BOARD_CORE_M7;
    rpmsg_endpoint_seen *ep = find(d, m7 ? dst : src);
    if (!ep)
        return;
    if (m7 && !ep->answered) {
        ep->answered = true; /* the M7's answer to the announcement: the handshake */
        return;
    }
    int who = m7 ? 1 : 0;
    if (flags & FRAG_RESTART)
        ep->part_len[who] = 0; /* the sender gave up on the message joined so far: no message */
    if (ep->part_len[who] + n > RPMSG_DECODE_MESSAGE) {
        ep->part_len[who] = 0; /* larger than the trace keeps: shown in part */
        if (n > RPMSG_DECODE_MESSAGE)
            n = RPMSG_DECODE_MESSAGE; /* one buffer larger still: its first bytes */
    }
    memcpy(ep->part[who] + ep->part_len[who], p, n);
    ep->part_len[who] += n;
    if (flags & FRAG_MORE)
        return;
    int kind = strcmp(ep->name, "rpc") == 0 ? BOARD_EV_RPC : strcmp(ep->name, "raw") == 0 ? BOARD_EV_STREAM : 0;
    if (kind) {
        board_event ev = {time_us, kind, core, -1, 0, ep->part[who], ep->part_len[who]};
        board_feed_publish(feed, &ev);
    }
    ep->part_len[who] = 0;
}

/* m4_hostile.c - an M4 image that breaks the rules of shared memory on purpose. It maps the
 * board like any M4 and, as $DUET_TWO_CORE_VARIANT says, writes garbage where the M7 looks:
 * used-ring entries with ids that were never posted, lengths past a buffer, ring indices that
 * jump, a message header longer than its buffer, a send descriptor returned that was not
 * sent, name-service messages without a NUL, or random bytes over every ring. Then it rings
 * the M7's doorbell. The M7 (test_two_core.c) must report, never crash.
 *
 * Exit status: 0 when it did what the variant says, 1 if a check of its own failed, 2 if it
 * could not start.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duet/duet.h"
#include "duet/posix/board.h"
#include "two_core.h"

int tc_fails;
const char *tc_who = "hostile M4";

static duet_port *port;
static volatile int quit;

static void st16(volatile uint8_t *p, uint16_t v) { *(volatile uint16_t *)(volatile void *)p = v; }
static void st32(volatile uint8_t *p, uint32_t v) { *(volatile uint32_t *)(volatile void *)p = v; }
static uint16_t ld16(volatile const uint8_t *p) { return *(volatile const uint16_t *)(const volatile void *)p; }

static void publish(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    port->ring(port);
}

/* The M7's addresses, as duet.c creates its endpoints: "raw" first, then "rpc". */
#define M7_RAW_ADDR 1024u
#define M7_RPC_ADDR 1025u

/* Puts one entry on the used ring of vring0 (what the M4 hands the M7) and publishes it. */
static void used_entry(duet_rpmsg *dev, uint32_t id, uint32_t len, uint16_t advance)
{
    duet_vring *v = &dev->tx;
    uint16_t slot = (uint16_t)(v->shadow & (v->num - 1));
    st32(v->used + 4 + 8 * (size_t)slot, id);
    st32(v->used + 8 + 8 * (size_t)slot, len);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    v->shadow = (uint16_t)(v->shadow + advance);
    st16(v->used + 2, v->shadow);
    publish();
}

/* A receive buffer the M7 has posted (the next this side would take): its id. */
static uint16_t posted_id(duet_rpmsg *dev)
{
    duet_vring *v = &dev->tx;
    return ld16(v->avail + 4 + 2 * (size_t)(v->last & (v->num - 1)));
}

/* Where the M7's receive buffer id lies (host: pool_da + id * buf_size, whatever the descriptor says). */
static volatile uint8_t *host_rx_buffer(uint16_t id)
{
    duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
    return duet_port_map(port, lay.pool_da + (uint32_t)id * lay.buf_size, lay.buf_size);
}

/* Sends bytes from address src to address dst through the device's own (valid) send path:
 * an endpoint that the device does not know, aimed anywhere. */
static int send_to(duet_rpmsg *dev, uint32_t src, uint32_t dst, const void *data, size_t len)
{
    duet_rpmsg_endpoint ep;
    memset(&ep, 0, sizeof ep);
    ep.dev = dev;
    ep.addr = src;
    ep.dest = dst;
    ep.ready = true;
    return duet_rpmsg_send(&ep, data, len);
}

static int on_quit(duet_req *c)
{
    (void)c;
    quit = 1;
    return DUET_OK;
}

/* Bad messages that must not take the link down: each is counted, then the link still works. */
static int nonfatal(duet_rpmsg *dev)
{
    uint8_t ns[40];
    /* A name-service announcement whose name has no NUL in its 32 bytes. */
    memset(ns, 'A', 32);
    uint32_t addr = 1030, flags = 0;
    memcpy(ns + 32, &addr, 4);
    memcpy(ns + 36, &flags, 4);
    TC_CHECK_EQ(send_to(dev, 1030, DUET_RPMSG_NS_ADDR, ns, sizeof ns), DUET_OK);
    /* One too short to be an announcement. */
    TC_CHECK_EQ(send_to(dev, 1030, DUET_RPMSG_NS_ADDR, "rpc", 4), DUET_OK);
    /* One for a reserved address. */
    memset(ns, 0, 32);
    memcpy(ns, "sneaky", 6);
    addr = 5;
    memcpy(ns + 32, &addr, 4);
    TC_CHECK_EQ(send_to(dev, 1030, DUET_RPMSG_NS_ADDR, ns, sizeof ns), DUET_OK);
    /* A message to an endpoint the M7 does not have. */
    TC_CHECK_EQ(send_to(dev, 1030, 9999, "lost", 4), DUET_OK);
    /* Bytes to the M7's RPC endpoint that are no msgpack-RPC: invalid bytes, a message that
     * is no RPC message, a request cut short. */
    TC_CHECK_EQ(send_to(dev, 1030, M7_RPC_ADDR, "\xc1\xc1\xc1", 3), DUET_OK);
    TC_CHECK_EQ(send_to(dev, 1030, M7_RPC_ADDR, "\x92\x01\x02", 3), DUET_OK);
    TC_CHECK_EQ(send_to(dev, 1030, M7_RPC_ADDR, "\x94\x00\x05\xa3pi", 6), DUET_OK);
    /* The link still works, both ways. */
    int32_t v = 0;
    TC_CHECK_EQ(duet_call("ping", "i:i", 41, &v), DUET_OK);
    TC_CHECK_EQ(v, 42);
    TC_CHECK_EQ(duet_call("m4_done", "i:", tc_fails), DUET_OK);
    uint32_t start = tc_now_ms();
    while (!quit && tc_now_ms() - start < 20000)
        if (duet_poll() == 0)
            port->wait(port, 20);
    TC_CHECK(quit);
    return tc_fails ? 1 : 0;
}

/* xorshift32 */
static uint32_t rnd(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Random bytes over the table, both vrings and (some) pool buffers, again and again. */
static int chaos(uint32_t seed)
{
    duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
    size_t vsize = duet_rpmsg_vring_size(lay.vring_num, lay.vring_align);
    volatile uint8_t *table = duet_port_map(port, lay.rsc_da, lay.rsc_size);
    volatile uint8_t *v0 = duet_port_map(port, lay.vring0_da, vsize);
    volatile uint8_t *v1 = duet_port_map(port, lay.vring1_da, vsize);
    volatile uint8_t *pool = duet_port_map(port, lay.pool_da, lay.pool_size);
    if (!table || !v0 || !v1 || !pool)
        return 2;
    uint32_t s = seed * 2654435761u + 1;
    for (int round = 0; round < 40; round++) {
        volatile uint8_t *where[4] = {table, v0, v1, pool};
        size_t size[4] = {lay.rsc_size, vsize, vsize, lay.pool_size};
        for (int k = 0; k < 64; k++) {
            int r = (int)(rnd(&s) % 4);
            size_t off = rnd(&s) % size[r];
            size_t n = 1 + rnd(&s) % 16;
            for (size_t i = 0; i < n && off + i < size[r]; i++)
                where[r][off + i] = (uint8_t)rnd(&s);
        }
        /* Now and then a used index that moves by a plausible amount. */
        if (round % 3 == 0)
            st16(v0 + vsize - 6 - 8 * lay.vring_num + 2, (uint16_t)(rnd(&s) % 8));
        publish();
        tc_sleep_ms(3);
    }
    return 0;
}

/* Takes what the M7 sent on vring1 and hands the buffers back unread, as a core that
 * consumes them would, so that the M7 never runs out of send buffers. */
static void drain(duet_rpmsg *dev)
{
    duet_vring *v = &dev->rx;
    uint16_t idx = ld16(v->avail + 2);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    bool any = false;
    while (v->last != idx) {
        uint16_t id = ld16(v->avail + 4 + 2 * (size_t)(v->last & (v->num - 1)));
        uint16_t slot = (uint16_t)(v->shadow & (v->num - 1));
        st32(v->used + 4 + 8 * (size_t)slot, id);
        st32(v->used + 8 + 8 * (size_t)slot, 512);
        v->last++;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        st16(v->used + 2, ++v->shadow);
        any = true;
    }
    if (any)
        publish();
}

/* The next receive buffer the M7 posted on vring0, taken as a well-behaved M4 takes it
 * (-1: none free now). */
static int take_posted(duet_rpmsg *dev)
{
    duet_vring *v = &dev->tx;
    uint16_t idx = ld16(v->avail + 2);
    if (v->last == idx)
        return -1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint16_t id = ld16(v->avail + 4 + 2 * (size_t)(v->last & (v->num - 1)));
    v->last++;
    return id < v->num ? id : -1;
}

/*
 * Well-formed rings around garbage: buffers taken and returned as the rules say (variants
 * plausible1..3 never break a rule of the rings), filled with random headers (destinations,
 * fragment flags) and payloads: random bytes, msgpack-RPC requests and responses with random
 * insides, name-service messages (names with and without NUL, re-announcements of "rpc" and
 * "raw", destroy flags). Variants 4 and up also break a ring rule now and then.
 */
static int plausible(duet_rpmsg *dev, uint32_t seed)
{
    static const uint32_t dsts[] = {M7_RAW_ADDR, M7_RPC_ADDR, M7_RPC_ADDR, M7_RPC_ADDR, DUET_RPMSG_NS_ADDR, 9999, 0,
                                    0xffffffffu};
    uint32_t s = seed * 2654435761u + 7;
    unsigned rare = seed > 3 ? 300 : 0;
    for (int round = 0; round < 1500; round++) {
        drain(dev);
        int got = take_posted(dev);
        for (int tries = 0; got < 0 && tries < 200; tries++) {
            port->wait(port, 5);
            drain(dev);
            got = take_posted(dev);
        }
        if (got < 0)
            break; /* the M7 keeps every buffer: the link is down there */
        uint16_t id = (uint16_t)got;
        volatile uint8_t *b = host_rx_buffer(id);
        uint32_t len = rnd(&s) % 497;
        uint32_t r = rnd(&s);
        st32(b + 0, 1030 + r % 3);
        st32(b + 4, dsts[(r >> 4) % (sizeof dsts / sizeof dsts[0])]);
        st32(b + 8, rnd(&s));
        st16(b + 14, (r >> 8) % 3 == 0 ? 0x8000 : (r >> 8) % 11 == 0 ? (uint16_t)rnd(&s) : 0);
        volatile uint8_t *p = b + 16;
        for (uint32_t i = 0; i < len; i++)
            p[i] = (uint8_t)rnd(&s);
        switch ((r >> 12) % 5) {
        case 0: /* [0, msgid, "m", [...]]: a request head with random insides */
            if (len >= 6) {
                p[0] = 0x94;
                p[1] = 0x00;
                p[2] = (uint8_t)(rnd(&s) & 0x7f);
                p[3] = 0xa1;
                p[4] = 'm';
                p[5] = (uint8_t)(0x90 | (rnd(&s) & 0x0f));
            }
            break;
        case 1: /* a name-service message: a name (with or without NUL), an address */
            if (len >= 40) {
                st32(b + 4, DUET_RPMSG_NS_ADDR);
                for (int i = 0; i < 32; i++)
                    p[i] = (uint8_t)('a' + rnd(&s) % 26);
                uint32_t k = rnd(&s) % 4;
                if (k == 0)
                    memcpy((void *)(uintptr_t)p, "rpc\0duet/1\xff\xff\xff\xff", 15);
                else if (k == 1)
                    memcpy((void *)(uintptr_t)p, "raw", 4);
                else if (k == 2)
                    p[rnd(&s) % 32] = 0;
                st32(p + 32, rnd(&s) % 2 ? 1024 + rnd(&s) % 8 : rnd(&s));
                st32(p + 36, rnd(&s) % 4 == 0);
            }
            break;
        case 2: /* a response to a msgid the M7 may be waiting for */
            if (len >= 4) {
                p[0] = 0x94;
                p[1] = 0x01;
                p[2] = (uint8_t)(rnd(&s) % 64);
                p[3] = rnd(&s) % 2 ? 0xc0 : 0xa0;
            }
            break;
        case 3: /* a notification of stream text */
            st32(b + 4, M7_RAW_ADDR);
            break;
        default:
            break;
        }
        st16(b + 12, (uint16_t)len);
        uint32_t used_len = 16 + len;
        uint16_t advance = 1;
        if (rare && rnd(&s) % rare == 0) {
            switch (rnd(&s) % 4) {
            case 0: id = (uint16_t)(64 + rnd(&s) % 1000); break;
            case 1: used_len = 513 + rnd(&s) % 1000; break;
            case 2: st16(b + 12, (uint16_t)(497 + rnd(&s) % 60000)); break;
            default: advance = (uint16_t)(65 + rnd(&s) % 1000); break;
            }
        }
        used_entry(dev, id, used_len, advance);
        if (round % 8 == 0)
            tc_sleep_ms(1);
    }
    drain(dev);
    return 0;
}

int main(void)
{
    const char *variant = getenv(TC_VARIANT_ENV);
    port = duet_port_default();
    if (!port || !variant) {
        fprintf(stderr, "hostile M4: no port or no %s\n", TC_VARIANT_ENV);
        return 2;
    }

    if (strcmp(variant, "before") == 0) {
        /* Before any handshake: a used entry naming a descriptor that was never posted. */
        static duet_rpmsg dev;
        duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
        if (duet_rpmsg_init_remote(&dev, port, &lay, 5000) != DUET_OK)
            return 2;
        used_entry(&dev, 1000, 16, 1);
        return 0;
    }
    duet_bind("quit", ":", on_quit);
    if (!duet_begin()) {
        fprintf(stderr, "hostile M4: duet_begin: %s\n", duet_error_text());
        return 2;
    }
    duet_rpmsg *dev = duet_rpmsg_instance();
    /* Break nothing before the M7 is up: once it answers a call, its duet_begin is over. */
    int32_t pong = 0;
    if (duet_call("ping", "i:i", 1, &pong) != DUET_OK || pong != 2) {
        fprintf(stderr, "hostile M4: ping: %s\n", duet_error_text());
        return 2;
    }
    if (strcmp(variant, "nonfatal") == 0)
        return nonfatal(dev);
    if (strncmp(variant, "chaos", 5) == 0)
        return chaos((uint32_t)atoi(variant + 5)); /* after a good handshake */
    if (strncmp(variant, "plausible", 9) == 0)
        return plausible(dev, (uint32_t)atoi(variant + 9));

    if (strcmp(variant, "used_id") == 0) {
        used_entry(dev, 1000, 16, 1);
    } else if (strcmp(variant, "used_len") == 0) {
        used_entry(dev, posted_id(dev), 4096, 1);
    } else if (strcmp(variant, "idx_jump") == 0) {
        used_entry(dev, posted_id(dev), 16, 65);
    } else if (strcmp(variant, "msg_len") == 0) {
        uint16_t id = posted_id(dev);
        volatile uint8_t *b = host_rx_buffer(id);
        st32(b + 0, 1030);
        st32(b + 4, M7_RPC_ADDR);
        st32(b + 8, 0);
        st16(b + 12, 600); /* past the 496 bytes a buffer holds */
        st16(b + 14, 0);
        used_entry(dev, id, 512, 1);
    } else if (strcmp(variant, "tx_used") == 0) {
        /* On vring1 (M7 -> M4) this side returns used buffers: return one never sent. */
        duet_vring *v = &dev->rx;
        uint16_t slot = (uint16_t)(v->shadow & (v->num - 1));
        st32(v->used + 4 + 8 * (size_t)slot, 63);
        st32(v->used + 8 + 8 * (size_t)slot, 512);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        v->shadow++;
        st16(v->used + 2, v->shadow);
        publish();
    } else {
        fprintf(stderr, "hostile M4: unknown variant %s\n", variant);
        return 2;
    }
    /* Stay a little, as a core would; the M7 must not need us to report. */
    tc_sleep_ms(100);
    return tc_fails ? 1 : 0;
}

/*
 * test_rpmsg_flow.c - buffers running out, messages an endpoint cannot take yet (held and
 * offered again, in order), nested send/poll from inside deliver(), shutdown.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------ buffer exhaustion */

/* The host never polls: the remote has the 64 buffers of vring0, then waits send_timeout_ms
 * (virtual time; its wait() does not run the host) and fails with DUET_ERR_TIMEOUT. */
static void test_remote_runs_out_of_buffers(void **state)
{
    (void)state;
    HX_R.poll_other = false;
    HX_H.poll_other = false;
    assert_int_equal(HX_R.dev.send_timeout_ms, DUET_RPMSG_SEND_TIMEOUT_MS);
    duet_rpmsg_stats s0 = duet_rpmsg_get_stats(&HX_R.dev);
    uint32_t t0 = hx_clock;
    int sent = 0;
    for (int i = 0; i < 64; i++) {
        char m[16];
        snprintf(m, sizeof m, "msg %d", i);
        assert_int_equal(duet_rpmsg_send(&HX_R.raw, m, strlen(m)), DUET_OK);
        sent++;
    }
    assert_int_equal(hx_clock, t0); /* no wait while buffers were free */
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).buffer_waits, s0.buffer_waits);
    assert_int_equal((uint16_t)(hx_ld16(HX_USED_IDX(HX_VRING0)) - HX_H.dev.rx.last), 64);
    unsigned waits0 = HX_R.waits;
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "one too many", 12), DUET_ERR_TIMEOUT);
    uint32_t waited = hx_clock - t0;
    assert_true(waited >= DUET_RPMSG_SEND_TIMEOUT_MS);
    assert_true(waited <= DUET_RPMSG_SEND_TIMEOUT_MS + 1);
    assert_true(HX_R.waits > waits0);
    duet_rpmsg_stats s = duet_rpmsg_get_stats(&HX_R.dev);
    assert_int_equal(s.buffer_waits, s0.buffer_waits + 1);
    assert_int_equal(s.tx_msgs, s0.tx_msgs + 64);
    assert_int_equal(s.corrupt, 0);
    /* Nothing was written for the failed send; the link is still up. */
    assert_int_equal((uint16_t)(hx_ld16(HX_USED_IDX(HX_VRING0)) - HX_H.dev.rx.last), 64);
    assert_string_equal(duet_rpmsg_error_text(&HX_R.dev), "no error");

    /* A shorter timeout is honoured too. */
    HX_R.dev.send_timeout_ms = 25;
    t0 = hx_clock;
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "x", 1), DUET_ERR_TIMEOUT);
    assert_true(hx_clock - t0 >= 25 && hx_clock - t0 <= 26);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).buffer_waits, s0.buffer_waits + 2);

    /* The host reads them all, in order; then sending works again. */
    hx_cap c = {0};
    static uint8_t got[64 * 16];
    c.buf = got;
    c.cap = sizeof got;
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 64);
    size_t off = 0;
    for (int i = 0; i < 64; i++) {
        char m[16];
        snprintf(m, sizeof m, "msg %d", i);
        assert_memory_equal(got + off, m, strlen(m));
        off += strlen(m);
    }
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "again", 5), DUET_OK);
    (void)sent;
}

/* The same from the host: 46 send buffers (the pool's buffers after the 64 receive ones). */
static void test_host_runs_out_of_buffers(void **state)
{
    (void)state;
    HX_R.poll_other = false;
    HX_H.poll_other = false;
    assert_int_equal(HX_H.dev.tx_bufs, 46);
    uint32_t w0 = duet_rpmsg_get_stats(&HX_H.dev).buffer_waits;
    for (int i = 0; i < 46; i++)
        assert_int_equal(duet_rpmsg_send(&HX_H.raw, "m", 1), DUET_OK);
    uint32_t t0 = hx_clock;
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, "m", 1), DUET_ERR_TIMEOUT);
    assert_true(hx_clock - t0 >= DUET_RPMSG_SEND_TIMEOUT_MS && hx_clock - t0 <= DUET_RPMSG_SEND_TIMEOUT_MS + 1);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).buffer_waits, w0 + 1);
    /* Once the remote returns buffers, the host sends again. */
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 0); /* no deliver attached: held, not returned */
    hx_cap c = {0};
    duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &c);
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 46);
    assert_int_equal(c.msgs, 46);
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, "m", 1), DUET_OK);
}

/* With the other side running (the wait hook polls it), a send that found no buffer
 * waits, the other side frees one, and the send goes through. */
static void test_wait_then_send(void **state)
{
    (void)state;
    hx_cap c = {0};
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    HX_H.poll_other = false;
    HX_R.poll_other = false;
    for (int i = 0; i < 64; i++)
        assert_int_equal(duet_rpmsg_send(&HX_R.raw, "z", 1), DUET_OK);
    HX_R.poll_other = true;
    uint32_t w0 = duet_rpmsg_get_stats(&HX_R.dev).buffer_waits;
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "z", 1), DUET_OK);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).buffer_waits, w0 + 1);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 1);
    assert_int_equal(c.msgs, 65);
}

/* A run sent with send_more: the other side sees none of it (no index store, no doorbell)
 * until a message without more, a poll, or a wait for a buffer publishes the lot, in order. */
static void test_send_more_publishes_once(void **state)
{
    (void)state;
    HX_R.poll_other = false;
    HX_H.poll_other = false;
    duet_link *l = &HX_R.raw.link;
    static uint8_t got[200 * 8];
    hx_cap c = {got, sizeof got, 0, 0, 0, false, 0};
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    uint16_t used = hx_ld16(HX_USED_IDX(HX_VRING0));
    unsigned rings = HX_R.rings;
    char m[8];
    for (int i = 0; i < 5; i++) {
        snprintf(m, sizeof m, "m%03d", i);
        assert_int_equal(l->send_more(l, (const uint8_t *)m, 4), DUET_OK);
    }
    assert_int_equal(hx_ld16(HX_USED_IDX(HX_VRING0)), used);
    assert_int_equal(HX_R.rings, rings);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(l->send(l, (const uint8_t *)"m005", 4), DUET_OK);
    assert_int_equal((uint16_t)(hx_ld16(HX_USED_IDX(HX_VRING0)) - used), 6);
    assert_int_equal(HX_R.rings, rings + 1);
    /* A poll of the sender publishes too. */
    assert_int_equal(l->send_more(l, (const uint8_t *)"m006", 4), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 0);
    assert_int_equal((uint16_t)(hx_ld16(HX_USED_IDX(HX_VRING0)) - used), 7);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 7);
    /* A run longer than the ring: the send that finds no buffer publishes before it waits,
     * so the host (run by that wait) takes the run and returns the buffers. */
    HX_R.poll_other = true;
    for (int i = 7; i < 200; i++) {
        snprintf(m, sizeof m, "m%03d", i);
        assert_int_equal(l->send_more(l, (const uint8_t *)m, 4), DUET_OK);
    }
    assert_int_equal(l->send(l, (const uint8_t *)"m200", 4), DUET_OK);
    while (duet_rpmsg_poll(&HX_H.dev) > 0)
        ;
    assert_int_equal(c.msgs, 201);
    for (int i = 0; i <= 200; i++) {
        snprintf(m, sizeof m, "m%03d", i);
        assert_memory_equal(got + 4 * i, m, 4);
    }
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).corrupt, 0);
}

/* ------------------------------------------------------------ held messages */

/* An endpoint that cannot take a message keeps it (and its buffer): later messages wait
 * behind it, and all come out in order once it takes them. */
static void test_held_in_order(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    hx_cap c = {.refuse = true};
    uint8_t got[256];
    c.buf = got;
    c.cap = sizeof got;
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    for (int i = 0; i < 10; i++) {
        char m[4] = {'a', (char)('0' + i), ';', 0};
        assert_int_equal(duet_rpmsg_send(&HX_R.raw, m, 3), DUET_OK);
    }
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(HX_H.raw.held_count, 10);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).held, 10);
    /* The buffers stay with the host: the remote feels it. */
    assert_int_equal((uint16_t)(hx_ld16(HX_AVAIL_IDX(HX_VRING0)) - HX_R.dev.tx.last), 54);
    /* Another endpoint is not blocked by them. */
    hx_cap c2 = {0};
    duet_link_attach(&HX_H.rpc.link, hx_cap_deliver, &c2);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, "rpc", 3), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 1);
    assert_int_equal(c2.msgs, 1);
    c.refuse = false;
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "zz;", 3), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 11);
    assert_int_equal(c.len, 33);
    assert_memory_equal(got, "a0;a1;a2;a3;a4;a5;a6;a7;a8;a9;zz;", 33);
    assert_int_equal(HX_H.raw.held_count, 0);
    assert_int_equal((uint16_t)(hx_ld16(HX_AVAIL_IDX(HX_VRING0)) - HX_R.dev.tx.last), 64);
}

/* All 64 buffers held on the host: the remote's next send times out, nothing is lost. */
static void test_held_fills_ring(void **state)
{
    (void)state;
    HX_H.poll_other = false;
    hx_cap c = {.refuse = true};
    static uint8_t got[70 * 8];
    c.buf = got;
    c.cap = sizeof got;
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    HX_R.dev.send_timeout_ms = 50;
    for (int i = 0; i < 64; i++) {
        char m[8];
        snprintf(m, sizeof m, "%04d", i);
        assert_int_equal(duet_rpmsg_send(&HX_R.raw, m, 4), DUET_OK);
    }
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "more", 4), DUET_ERR_TIMEOUT);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(HX_H.raw.held_count, 64);
    c.refuse = false;
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 64);
    for (int i = 0; i < 64; i++) {
        char m[8];
        snprintf(m, sizeof m, "%04d", i);
        assert_memory_equal(got + 4 * i, m, 4);
    }
}

/* A fragmented message must not overtake a held small message of the same endpoint. */
static void test_held_then_fragmented_keeps_order(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    hx_cap c = {.refuse = true};
    static uint8_t got[4096];
    c.buf = got;
    c.cap = sizeof got;
    duet_link_attach(&HX_H.rpc.link, hx_cap_deliver, &c);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, "first", 5), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(HX_H.rpc.held_count, 1);
    c.refuse = false;
    static uint8_t big[1000];
    memset(big, 'B', sizeof big);
    /* Both arrive before the host polls again. */
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big, sizeof big), DUET_OK);
    assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0);
    assert_int_equal(c.msgs, 2);
    assert_memory_equal(got, "first", 5);
    assert_int_equal(got[5], 'B');
}

/* link.h: when deliver() refuses a message, "the link then keeps the message, delivers
 * nothing after it, and offers it again at a later poll()". A fragmented message that
 * arrives behind a held one must wait too, not be offered (and, refused, dropped). */
static void test_fragmented_waits_behind_held(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    static uint8_t got[4096];
    hx_cap c = {.buf = got, .cap = sizeof got, .refuse = true};
    duet_link_attach(&HX_H.rpc.link, hx_cap_deliver, &c);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, "first", 5), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(HX_H.rpc.held_count, 1);
    assert_int_equal(c.refused, 1);
    static uint8_t big[1000];
    memset(big, 'B', sizeof big);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big, sizeof big), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0); /* the reader is still full */
    assert_int_equal(c.refused, 2);                  /* only "first" was offered again */
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).dropped_large, 0);
    c.refuse = false;
    for (int i = 0; i < 4 && c.msgs < 2; i++)
        assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0);
    assert_int_equal(c.msgs, 2);
    assert_memory_equal(got, "first", 5);
    assert_memory_equal(got + 5, big, sizeof big);
}

/* A fragmented send that finds no buffer in time part-way fails with DUET_ERR_TIMEOUT, but
 * the fragments before it are out: the receiver must not take them as the start of the
 * endpoint's next message (it reassembled them with it, and delivered the two glued as one,
 * 496 bytes of the failed message before "next": found by fuzz/rpmsg_rx's honest-peer model). */
static void test_fragmented_send_cut_by_timeout_is_not_glued(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    HX_R.dev.send_timeout_ms = 10;
    static uint8_t raw_got[64 * 4], got[4096];
    hx_cap raw = {.buf = raw_got, .cap = sizeof raw_got};
    hx_cap c = {.buf = got, .cap = sizeof got};
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &raw);
    duet_link_attach(&HX_H.rpc.link, hx_cap_deliver, &c);
    /* The remote has the 64 buffers of vring0: 63 go, one is left for a 1000-byte message's
     * three fragments. */
    for (int i = 0; i < 63; i++)
        assert_int_equal(duet_rpmsg_send(&HX_R.raw, "m", 1), DUET_OK);
    static uint8_t big[1000];
    memset(big, 'B', sizeof big);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big, sizeof big), DUET_ERR_TIMEOUT);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 63); /* and the first fragment, reassembled */
    assert_int_equal(c.msgs, 0);
    duet_rpmsg_stats h0 = duet_rpmsg_get_stats(&HX_H.dev);
    /* The next message arrives as it was sent, alone. */
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, "next", 4), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 1);
    assert_int_equal(c.msgs, 1);
    assert_int_equal(c.last_len, 4);
    assert_memory_equal(got, "next", 4);
    /* What the receiver dropped is counted; the link stays up, and large messages go again. */
    duet_rpmsg_stats h = duet_rpmsg_get_stats(&HX_H.dev);
    assert_int_equal(h.bad_messages, h0.bad_messages + 1);
    assert_int_equal(h.corrupt, 0);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big, sizeof big), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 1);
    assert_int_equal(c.msgs, 2);
    assert_int_equal(c.last_len, sizeof big);
    assert_memory_equal(got + 4, big, sizeof big);

    /* The same from the host, whose 46 send buffers run out: a message cut part-way, then
     * a large one (its first fragment says the cut one is over). */
    HX_H.dev.send_timeout_ms = 10;
    static uint8_t rgot[8192];
    hx_cap r = {.buf = rgot, .cap = sizeof rgot};
    duet_link_attach(&HX_R.rpc.link, hx_cap_deliver, &r);
    for (int i = 0; i < 45; i++)
        assert_int_equal(duet_rpmsg_send(&HX_H.raw, "m", 1), DUET_OK);
    assert_int_equal(duet_rpmsg_send(&HX_H.rpc, big, sizeof big), DUET_ERR_TIMEOUT);
    hx_cap rraw = {0};
    duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &rraw);
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 45);
    assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0); /* takes its buffers back */
    static uint8_t big2[1200];
    memset(big2, 'C', sizeof big2);
    assert_int_equal(duet_rpmsg_send(&HX_H.rpc, big2, sizeof big2), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 1);
    assert_int_equal(r.msgs, 1);
    assert_int_equal(r.last_len, sizeof big2);
    assert_memory_equal(rgot, big2, sizeof big2);
}

/* ------------------------------------------------------------ nested calls from deliver() */

/* The link contract (link.h): deliver() may send and poll again, and the bytes passed to
 * deliver() stay valid until it returns. */
typedef struct nester {
    int depth;
    unsigned calls;
    unsigned nested_polls;
    uint8_t first[2048];
    size_t first_len;
    bool first_intact;
    unsigned in_nested; /* messages the nested poll delivered */
    size_t nested_len;  /* the length of the last of them */
    hx_cap log;
} nester;

static bool nest_deliver(void *up, const uint8_t *data, size_t len)
{
    nester *n = (nester *)up;
    n->calls++;
    if (n->depth == 0 && n->calls == 1) {
        n->depth++;
        memcpy(n->first, data, len < sizeof n->first ? len : sizeof n->first);
        n->first_len = len;
        n->nested_polls++;
        unsigned before = n->log.msgs;
        (void)duet_rpmsg_poll(&HX_H.dev); /* a handler that polls (e.g. an rpc call back) */
        n->in_nested = n->log.msgs - before;
        n->nested_len = n->log.last_len;
        n->first_intact = memcmp(data, n->first, n->first_len) == 0;
        n->depth--;
    }
    return hx_cap_deliver(&n->log, data, len);
}

/* Sends two large (fragmented) messages, 1,000 bytes of '1' then of '2', with the whole
 * message between (NULL: none) between them, to a host endpoint whose deliver() of the first
 * polls (nest_deliver), and polls the host: what was delivered, and when, in the nester. */
static const nester *nest_two_large(const char *between)
{
    HX_H.poll_other = HX_R.poll_other = false;
    static nester n;
    memset(&n, 0, sizeof n);
    duet_link_attach(&HX_H.rpc.link, nest_deliver, &n);
    static uint8_t m1[1000], m2[1000];
    memset(m1, '1', sizeof m1);
    memset(m2, '2', sizeof m2);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, m1, sizeof m1), DUET_OK);
    if (between)
        assert_int_equal(duet_rpmsg_send(&HX_R.rpc, between, strlen(between)), DUET_OK);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, m2, sizeof m2), DUET_OK);
    assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0);
    return &n;
}

/* Two large messages queued; deliver() of the first polls, which reassembles the second into
 * the same buffer the first is being delivered from. */
static void test_nested_poll_keeps_reassembled_bytes(void **state)
{
    (void)state;
    const nester *n = nest_two_large(NULL);
    assert_int_equal(n->nested_polls, 1);
    assert_int_equal(n->log.msgs, 2);
    assert_true(n->first_intact);
}

/* A large (reassembled) message's deliver() polls, as a handler that makes a call waits for
 * its answer: a whole message that came after it (the answer) is delivered in that nested
 * poll, read in place; the next large message, whose fragments need the buffer the first is
 * delivered from, waits until that delivery ends. Before, every message behind the delivery
 * waited, and a call made from the handler of a large request never got its answer. */
static void test_nested_poll_gets_a_whole_message_behind_a_reassembled_one(void **state)
{
    (void)state;
    const nester *n = nest_two_large("answer");
    assert_int_equal(n->nested_polls, 1);
    assert_int_equal(n->in_nested, 1);
    assert_int_equal(n->nested_len, 6);
    assert_true(n->first_intact);
    assert_int_equal(n->log.msgs, 3);
    assert_int_equal(n->log.last_len, 1000);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).dropped_large, 0);
}

/* A deliver() that polls while it is polls_at or fewer deep, as a handler that calls the
 * other core waits for its answer: how deep each message was delivered, its length and fill
 * byte, and whether every message kept its bytes through the polls nested in its delivery. */
typedef struct stacker {
    int depth, polls_at;
    unsigned msgs;
    int depth_of[8];
    size_t len_of[8];
    char fill_of[8];
    bool broken; /* a message's bytes were not all its fill byte, before or after a nested poll */
} stacker;

static bool filled_with(const uint8_t *data, size_t len, uint8_t fill)
{
    for (size_t i = 0; i < len; i++)
        if (data[i] != fill)
            return false;
    return true;
}

static bool stack_deliver(void *up, const uint8_t *data, size_t len)
{
    stacker *s = (stacker *)up;
    unsigned i = s->msgs++;
    assert_true(i < 8 && len > 0);
    s->depth_of[i] = s->depth;
    s->len_of[i] = len;
    s->fill_of[i] = (char)data[0];
    s->broken |= !filled_with(data, len, data[0]);
    if (s->depth < s->polls_at) {
        uint8_t fill = data[0];
        s->depth++;
        assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0);
        s->depth--;
        s->broken |= !filled_with(data, len, fill);
    }
    return true;
}

/* Sets up a pair whose host "rpc" endpoint announces messages of up to 1,200 bytes and
 * reassembles them in room bytes (taking only taken bytes, if not 0), whose deliver() polls
 * up to polls_at deep (stack_deliver); the remote sends the messages of lens (up to 8, 0
 * ends them), filled with '1', '2'... in turn; the host polls once. Returns what the host
 * delivered. */
static const stacker *stack_large(size_t room, size_t taken, int polls_at, const size_t *lens)
{
    hx_opts o = {.host_rpc_cap = 1200, .host_rpc_room = room};
    hx_pair(&o);
    if (taken)
        HX_H.rpc.reasm_cap = taken; /* takes less than it announced */
    HX_H.poll_other = HX_R.poll_other = false;
    static stacker s;
    memset(&s, 0, sizeof s);
    s.polls_at = polls_at;
    duet_link_attach(&HX_H.rpc.link, stack_deliver, &s);
    static uint8_t m[8][1100];
    for (unsigned i = 0; i < 8 && lens[i]; i++) {
        assert_true(lens[i] <= sizeof m[i]);
        memset(m[i], '1' + (int)i, lens[i]);
        assert_int_equal(duet_rpmsg_send(&HX_R.rpc, m[i], lens[i]), DUET_OK);
    }
    assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0);
    assert_false(s.broken);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).corrupt, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, 0);
    return &s;
}

/* Asserts that the host delivered the messages filled with fills, in that order, each
 * whole (lens) and as deep as depths says, and keeps nothing. */
static void expect_stacked(const stacker *s, const char *fills, const size_t *lens, const int *depths)
{
    unsigned n = (unsigned)strlen(fills);
    assert_int_equal(s->msgs, n);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(s->fill_of[i], fills[i]);
        assert_int_equal(s->len_of[i], lens[i]);
        assert_int_equal(s->depth_of[i], depths[i]);
    }
    assert_int_equal(HX_H.rpc.held_count, 0);
    assert_false(HX_H.rpc.reasm_ready);
    assert_int_equal(HX_H.rpc.reasm_len, 0);
}

/* A handler of a large (reassembled) message that calls the other core gets a large answer:
 * with room for two messages of 1,200 bytes, the poll nested in the first message's delivery
 * reassembles the second above it and delivers it there. Before, the second waited until
 * the first's delivery ended, and a call waiting for it timed out. */
static void test_nested_poll_reassembles_a_large_message_behind_a_reassembled_one(void **state)
{
    (void)state;
    static const size_t lens[] = {1000, 1000, 0};
    const stacker *s = stack_large(2400, 0, 1, lens);
    expect_stacked(s, "12", lens, (const int[]){0, 1});
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).rx_msgs, 2);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).dropped_large, 0);
}

/* Two deep: with room for three, the delivery of the second (nested in the first's) polls
 * and reassembles the third above both; the 300-byte fourth, behind them, comes in place
 * in that poll too. */
static void test_nested_polls_reassemble_two_deep(void **state)
{
    (void)state;
    static const size_t lens[] = {1000, 1000, 1000, 300, 0};
    const stacker *s = stack_large(3600, 0, 3, lens);
    expect_stacked(s, "1234", lens, (const int[]){0, 1, 2, 3});
}

/* Deeper than the room: with room for two, the third message's fragments find no room above
 * the second (1,000 + 1,000 of 2,400 bytes taken) and wait, held, with the whole message
 * behind them; when the second's delivery ends they are reassembled where it was and
 * delivered, then the whole one: in order, one level up. Nothing is lost. */
static void test_nested_poll_deeper_than_the_room_holds_then_delivers(void **state)
{
    (void)state;
    static const size_t lens[] = {1000, 1000, 1000, 5, 0};
    const stacker *s = stack_large(2400, 0, 2, lens);
    expect_stacked(s, "1234", lens, (const int[]){0, 1, 1, 2});
    assert_true(duet_rpmsg_get_stats(&HX_H.dev).held >= 1);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).dropped_large, 0);
}

/* A message over the endpoint's capacity reassembled in a nested poll is dropped and
 * counted as at the top (the host here takes less than it announced), never delivered
 * cut short; the message behind it is delivered in the same nested poll. */
static void test_nested_poll_counts_an_overflow(void **state)
{
    (void)state;
    static const size_t lens[] = {1000, 1100, 800, 0};
    const stacker *s = stack_large(2400, 1024, 1, lens);
    expect_stacked(s, "13", (const size_t[]){1000, 800}, (const int[]){0, 1});
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).dropped_large, 1);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).rx_msgs, 2);
}

/* A held message is offered again; its deliver() polls; the nested poll offers the same
 * held message again (it is still at the head): delivered twice, buffer released twice. */
static void test_nested_poll_during_held_offer(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    static nester n;
    memset(&n, 0, sizeof n);
    uint8_t got[64];
    n.log.buf = got;
    n.log.cap = sizeof got;
    /* Nothing attached yet: the message is held (as before an rpc engine starts). */
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "once", 4), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(HX_H.raw.held_count, 1);
    duet_link_attach(&HX_H.raw.link, nest_deliver, &n);
    assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0);
    assert_int_equal(n.log.msgs, 1);
    assert_int_equal(HX_H.raw.held_count, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).rx_msgs, 1);
    /* The remote must see every buffer exactly once more. */
    assert_true(duet_rpmsg_poll(&HX_R.dev) >= 0);
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "next", 4), DUET_OK);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).corrupt, 0);
}

/* deliver() that sends a reply (the rpc engine's handlers do) works, including when the
 * reply has to wait for a buffer: every message is answered once. While a reply waits,
 * send() serves what arrives (so that two sides sending to each other cannot block), so
 * deliver() nests: a later message's reply may go out before an earlier one's, and the
 * nesting goes as deep as there are messages waiting (see the report). */
typedef struct echoer {
    unsigned msgs;
    int depth, max_depth;
} echoer;

static bool echo_deliver(void *up, const uint8_t *data, size_t len)
{
    echoer *e = (echoer *)up;
    e->msgs++;
    e->depth++;
    if (e->depth > e->max_depth)
        e->max_depth = e->depth;
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, data, len), DUET_OK);
    e->depth--;
    return true;
}

static void test_reply_from_deliver(void **state)
{
    (void)state;
    echoer e = {0};
    hx_cap rc = {0};
    static uint8_t got[100 * 8];
    rc.buf = got;
    rc.cap = sizeof got;
    duet_link_attach(&HX_H.raw.link, echo_deliver, &e);
    duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &rc);
    for (int i = 0; i < 100; i++) {
        char m[8];
        snprintf(m, sizeof m, "%03d;", i);
        assert_int_equal(duet_rpmsg_send(&HX_R.raw, m, 4), DUET_OK);
    }
    for (int i = 0; i < 20 && rc.msgs < 100; i++) {
        assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0);
        assert_true(duet_rpmsg_poll(&HX_R.dev) >= 0);
    }
    assert_int_equal(e.msgs, 100);
    assert_int_equal(rc.msgs, 100);
    /* Each reply exactly once. */
    bool seen[100] = {false};
    for (int i = 0; i < 100; i++) {
        int v = (got[4 * i] - '0') * 100 + (got[4 * i + 1] - '0') * 10 + (got[4 * i + 2] - '0');
        assert_true(v >= 0 && v < 100 && got[4 * i + 3] == ';');
        assert_false(seen[v]);
        seen[v] = true;
    }
    if (getenv("DUET_VERBOSE")) {
        printf("reply_from_deliver: deliver() nested %d deep; replies in order:", e.max_depth);
        for (int i = 0; i < 100; i++)
            printf(" %.3s", (const char *)got + 4 * i);
        printf("\n");
    }
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).corrupt, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).corrupt, 0);
}

/* ------------------------------------------------------------ handshake edge cases */

/* BUG?: an announcement that arrives before the host created the endpoint of that name is
 * dropped (counted as bad), so the host never gets ready for it. */
static void test_late_host_endpoint(void **state)
{
    (void)state;
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    hx_reset();
    assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_OK);
    HX_H.live = true;
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_H.dev, &HX_H.raw, "raw", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 100), DUET_OK);
    HX_R.live = true;
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &HX_R.raw, "raw", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &HX_R.rpc, "rpc", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_wait_ready(&HX_H.dev, 100), DUET_OK); /* sees both announcements */
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_H.dev, &HX_H.rpc, "rpc", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_wait_ready(&HX_H.dev, 100), DUET_OK);
}

/* The remote's endpoints wait for the host's answer; without a host endpoint of that name
 * wait_ready times out on both sides. */
static void test_handshake_timeout(void **state)
{
    (void)state;
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    hx_reset();
    assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_OK);
    HX_H.live = true;
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_H.dev, &HX_H.raw, "raw", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 100), DUET_OK);
    HX_R.live = true;
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &HX_R.rpc, "rpc", NULL, 0), DUET_OK);
    uint32_t t0 = hx_clock;
    assert_int_equal(duet_rpmsg_wait_ready(&HX_R.dev, 5000), DUET_ERR_TIMEOUT);
    assert_true(hx_clock - t0 >= 5000);
    assert_int_equal(duet_rpmsg_wait_ready(&HX_H.dev, 50), DUET_ERR_TIMEOUT);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, "x", 1), DUET_ERR_STATE);
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, "x", 1), DUET_ERR_STATE);
    /* The host keeps the announcement of "rpc" for an endpoint created later. */
    assert_int_equal(hx_early_count(&HX_H.dev), 1);
    assert_string_equal(hx_early_name(&HX_H.dev, 0), "rpc");
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).corrupt, 0);
}

/* A name-service "destroy" (flags 1) from the remote: the host's endpoint is no longer
 * ready; a new announcement makes it ready again. */
static uint32_t remote_ns(const char *name, uint32_t addr, uint32_t flags)
{
    static const char forty[41] = "0123456789012345678901234567890123456789";
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, forty, 40), DUET_OK);
    uint32_t b = hx_last_sent_by_remote();
    hx_st32(b + 4, 0x35);
    memset(hx_at(b + 16), 0, 40);
    memcpy(hx_at(b + 16), name, strlen(name));
    hx_st32(b + 16 + 32, addr);
    hx_st32(b + 16 + 36, flags);
    return b;
}

static void test_ns_destroy_and_again(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    remote_ns("rpc", HX_R.rpc.addr, 1);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_false(HX_H.rpc.ready);
    assert_int_equal(HX_H.rpc.dest, DUET_RPMSG_ADDR_ANY);
    assert_int_equal(duet_rpmsg_send(&HX_H.rpc, "x", 1), DUET_ERR_STATE);
    assert_true(HX_H.raw.ready); /* the other endpoint is unaffected */
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, 0);
    uint16_t avail1 = hx_ld16(HX_AVAIL_IDX(HX_VRING1));
    remote_ns("rpc", 2000, 0);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_true(HX_H.rpc.ready);
    assert_int_equal(HX_H.rpc.dest, 2000);
    assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING1)), (uint16_t)(avail1 + 1)); /* answered again */
    uint32_t b = hx_last_sent_by_host();
    assert_int_equal(hx_ld32(b + 0), HX_H.rpc.addr);
    assert_int_equal(hx_ld32(b + 4), 2000);
    assert_int_equal(*hx_at(b + 16), 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).corrupt, 0);
}

static void test_endpoint_create_args(void **state)
{
    (void)state;
    static duet_rpmsg_endpoint e[4];
    static uint8_t buf[16];
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &e[0], "raw", NULL, 0), DUET_ERR_EXISTS);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &e[0], "", NULL, 0), DUET_ERR_ARG);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &e[0], NULL, NULL, 0), DUET_ERR_ARG);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &e[0], "0123456789012345678901234567890123", NULL, 0),
                     DUET_ERR_ARG);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &e[0], "x", NULL, 10), DUET_ERR_ARG);
    /* A 31-character name fits (with its NUL, no room for duet's marker). */
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &e[0], "0123456789012345678901234567890", buf, sizeof buf),
                     DUET_OK);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &e[1], "four", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &e[2], "five", NULL, 0), DUET_ERR_FULL);
    assert_int_equal(e[0].addr, 1026);
    assert_int_equal(e[1].addr, 1027);
    /* The host, which has no endpoint of those names yet, keeps the announcements. */
    assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, 0);
    assert_int_equal(hx_early_count(&HX_H.dev), 2);
    assert_false(e[0].ready);
    assert_int_equal(duet_rpmsg_send(&e[0], "x", 1), DUET_ERR_STATE);
}

/* ------------------------------------------------------------ shutdown */

static void test_shutdown(void **state)
{
    (void)state;
    duet_rpmsg_shutdown(&HX_R.dev);
    assert_string_equal(duet_rpmsg_error_text(&HX_R.dev), "shut down");
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "x", 1), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_rpmsg_wait_ready(&HX_R.dev, 10), DUET_ERR_LINK_DOWN);
    assert_int_equal(HX_R.raw.link.send(&HX_R.raw.link, (const uint8_t *)"x", 1), DUET_ERR_LINK_DOWN);
    assert_int_equal(HX_R.raw.link.poll(&HX_R.raw.link), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).corrupt, 0);
    /* The host is unaffected. */
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_remote_runs_out_of_buffers, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_host_runs_out_of_buffers, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_wait_then_send, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_send_more_publishes_once, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_held_in_order, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_held_fills_ring, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_held_then_fragmented_keeps_order, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_fragmented_waits_behind_held, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_fragmented_send_cut_by_timeout_is_not_glued, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_nested_poll_keeps_reassembled_bytes, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_nested_poll_gets_a_whole_message_behind_a_reassembled_one, hx_setup,
                                        hx_teardown),
        cmocka_unit_test_teardown(test_nested_poll_reassembles_a_large_message_behind_a_reassembled_one, hx_teardown),
        cmocka_unit_test_teardown(test_nested_polls_reassemble_two_deep, hx_teardown),
        cmocka_unit_test_teardown(test_nested_poll_deeper_than_the_room_holds_then_delivers, hx_teardown),
        cmocka_unit_test_teardown(test_nested_poll_counts_an_overflow, hx_teardown),
        cmocka_unit_test_setup_teardown(test_nested_poll_during_held_offer, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_reply_from_deliver, hx_setup, hx_teardown),
        cmocka_unit_test_teardown(test_late_host_endpoint, hx_teardown),
        cmocka_unit_test_teardown(test_handshake_timeout, hx_teardown),
        cmocka_unit_test_setup_teardown(test_ns_destroy_and_again, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_endpoint_create_args, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_shutdown, hx_setup, hx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

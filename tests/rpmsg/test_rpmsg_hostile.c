/*
 * test_rpmsg_hostile.c - a peer that breaks the rules of shared memory, in both directions:
 * a hostile remote against a real host, and a hostile host (and its resource table)
 * against a real remote. The hostile side is this test writing garbage straight into the
 * shared region (rings, descriptors, used entries, headers, the table); then the real side
 * polls, sends or starts.
 *
 * Expected: DUET_ERR_CORRUPT with a reason and stats.corrupt counted, and every later call
 * fails (hx_expect_corrupt), or for a bad message that does not break the rings, a counter
 * (bad_messages) with the link still up. Never a crash nor an access outside the region:
 * the region is a malloc block of exactly 64 KiB, and the _asan build checks every access.
 */
#include "harness.h"

#include "duet/rpc.h"

#include <stdio.h>
#include <stdlib.h>

/* A pair with nobody polling behind the test's back. */
static void quiet_pair(void)
{
    hx_pair(NULL);
    HX_H.poll_other = HX_R.poll_other = false;
}

static int quiet_setup(void **state)
{
    (void)state;
    quiet_pair();
    return 0;
}

/* The slot of vring0's used ring the remote wrote last. */
static uint32_t last_used0_slot(void)
{
    return (uint16_t)(hx_ld16(HX_USED_IDX(HX_VRING0)) - 1) % HX_NUM;
}

static uint32_t last_avail1_slot(void)
{
    return (uint16_t)(hx_ld16(HX_AVAIL_IDX(HX_VRING1)) - 1) % HX_NUM;
}

/* The honest remote sends "payload" on raw; the host has not looked yet. */
static uint32_t remote_sends(const char *payload)
{
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, payload, strlen(payload)), DUET_OK);
    return hx_last_sent_by_remote();
}

static uint32_t host_sends(const char *payload)
{
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, payload, strlen(payload)), DUET_OK);
    return hx_last_sent_by_host();
}

/* ================================================= hostile remote, real host */

static void test_host_used_id_out_of_range(void **state)
{
    (void)state;
    const uint32_t ids[] = {64, 65, 0xffff, 0x10000, 0xffffffffu};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        quiet_pair();
        remote_sends("x");
        hx_st32(HX_USED_ID(HX_VRING0, last_used0_slot()), ids[i]);
        assert_int_equal(duet_rpmsg_poll(&HX_H.dev), DUET_ERR_CORRUPT);
        hx_expect_corrupt(&HX_H.dev, &HX_H.raw);
    }
}

/* A used id the host did not post (it holds that buffer: its message was not taken yet). */
static void test_host_used_id_not_posted(void **state)
{
    (void)state;
    hx_cap c = {.refuse = true};
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    remote_sends("held");
    uint32_t slot = last_used0_slot();
    uint32_t id = hx_ld32(HX_USED_ID(HX_VRING0, slot));
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(c.refused, 1);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).held, 1);
    /* The hostile remote returns the held buffer's id once more. */
    uint16_t idx = hx_ld16(HX_USED_IDX(HX_VRING0));
    hx_st32(HX_USED_ID(HX_VRING0, idx % HX_NUM), id);
    hx_st32(HX_USED_LEN(HX_VRING0, idx % HX_NUM), 20);
    hx_st16(HX_USED_IDX(HX_VRING0), (uint16_t)(idx + 1));
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), DUET_ERR_CORRUPT);
    hx_expect_corrupt(&HX_H.dev, &HX_H.raw);
    /* The held message is never handed out after the link went down. */
    c.refuse = false;
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), DUET_ERR_CORRUPT);
    assert_int_equal(c.msgs, 0);
}

/* The same id twice in one batch of used entries, the first one held by the host. (Had the
 * host taken the first message, it would have posted the buffer again before reading the
 * second entry, and a remote may legitimately have used it again by then.) */
static void test_host_used_id_twice(void **state)
{
    (void)state;
    hx_cap c = {.refuse = true};
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    remote_sends("one");
    uint32_t slot = last_used0_slot();
    uint16_t idx = hx_ld16(HX_USED_IDX(HX_VRING0));
    hx_st32(HX_USED_ID(HX_VRING0, idx % HX_NUM), hx_ld32(HX_USED_ID(HX_VRING0, slot)));
    hx_st32(HX_USED_LEN(HX_VRING0, idx % HX_NUM), hx_ld32(HX_USED_LEN(HX_VRING0, slot)));
    hx_st16(HX_USED_IDX(HX_VRING0), (uint16_t)(idx + 1));
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), DUET_ERR_CORRUPT);
    assert_int_equal(c.refused, 1); /* the first was offered, and kept */
    hx_expect_corrupt(&HX_H.dev, &HX_H.raw);
}

static void test_host_used_len_past_buffer(void **state)
{
    (void)state;
    const uint32_t lens[] = {513, 0x10000, 0xffffffffu};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        quiet_pair();
        remote_sends("x");
        hx_st32(HX_USED_LEN(HX_VRING0, last_used0_slot()), lens[i]);
        assert_int_equal(duet_rpmsg_poll(&HX_H.dev), DUET_ERR_CORRUPT);
        hx_expect_corrupt(&HX_H.dev, &HX_H.raw);
    }
}

/* The RPMsg header's len says more than the buffer holds: never passed on. */
static void test_host_header_len_past_buffer(void **state)
{
    (void)state;
    const uint16_t lens[] = {497, 512, 0x8000, 0xffff};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        quiet_pair();
        hx_cap c = {0};
        duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
        uint32_t b = remote_sends("x");
        hx_st16(b + 12, lens[i]);
        assert_int_equal(duet_rpmsg_poll(&HX_H.dev), DUET_ERR_CORRUPT);
        assert_int_equal(c.msgs, 0);
        hx_expect_corrupt(&HX_H.dev, &HX_H.raw);
    }
    /* 496 is the most a 512-byte buffer holds: still fine. */
    quiet_pair();
    hx_cap c = {0};
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    uint32_t b = remote_sends("x");
    hx_st16(b + 12, 496);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 1);
    assert_int_equal(c.last_len, 496);
}

static void test_host_used_idx_jump(void **state)
{
    (void)state;
    const uint16_t jumps[] = {65, 100, 0x8000, 0xffff};
    for (size_t i = 0; i < sizeof jumps / sizeof jumps[0]; i++) {
        quiet_pair();
        uint16_t last = HX_H.dev.rx.last;
        hx_st16(HX_USED_IDX(HX_VRING0), (uint16_t)(last + jumps[i]));
        assert_int_equal(duet_rpmsg_poll(&HX_H.dev), DUET_ERR_CORRUPT);
        hx_expect_corrupt(&HX_H.dev, &HX_H.raw);
    }
}

/* The remote rewrites the host's receive descriptors: the host never reads them back
 * (it knows where its buffers are) and rewrites them when it posts them again. */
static void test_host_ignores_scribbled_rx_descriptors(void **state)
{
    (void)state;
    hx_cap c = {0};
    uint8_t got[16];
    c.buf = got;
    c.cap = sizeof got;
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    uint8_t table[0x400];
    memcpy(table, hx_at(HX_DA), sizeof table);
    remote_sends("ok");
    uint32_t id = hx_ld32(HX_USED_ID(HX_VRING0, last_used0_slot()));
    uint32_t d = HX_DESC(HX_VRING0, id);
    hx_st32(d + 0, HX_DA);   /* points at the resource table */
    hx_st32(d + 4, 0x1);     /* and outside 32 bits */
    hx_st32(d + 8, 0xffffffffu);
    hx_st16(d + 12, 0xffff);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 1);
    assert_memory_equal(got, "ok", 2);
    assert_memory_equal(hx_at(HX_DA), table, sizeof table);
    assert_int_equal(hx_ld32(d + 0), HX_RXBUF(id));
    assert_int_equal(hx_ld32(d + 4), 0);
    assert_int_equal(hx_ld32(d + 8), 512);
    assert_int_equal(hx_ld16(d + 12), 2);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).corrupt, 0);
}

/* The host's send ring: used entries returned by the remote. */
static void test_host_tx_used_garbage(void **state)
{
    (void)state;
    for (int k = 0; k < 5; k++) {
        quiet_pair();
        hx_cap rc = {0};
        duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &rc);
        host_sends("m");
        assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 1); /* the honest remote takes it and returns the buffer */
        assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
        assert_int_equal(HX_H.dev.tx_free_count, 46);
        uint16_t idx = hx_ld16(HX_USED_IDX(HX_VRING1));
        uint32_t slot = idx % HX_NUM;
        switch (k) {
        case 0: hx_st32(HX_USED_ID(HX_VRING1, slot), 45); break;          /* a free buffer, never sent */
        case 1: hx_st32(HX_USED_ID(HX_VRING1, slot), 46); break;          /* past the host's send buffers */
        case 2: hx_st32(HX_USED_ID(HX_VRING1, slot), 0xffffffffu); break; /* out of range */
        case 3: hx_st32(HX_USED_ID(HX_VRING1, slot), 0xffff); break;
        case 4: idx = (uint16_t)(idx + 0x7fff); break;                    /* index jump */
        }
        hx_st16(HX_USED_IDX(HX_VRING1), (uint16_t)(idx + 1));
        assert_int_equal(duet_rpmsg_poll(&HX_H.dev), DUET_ERR_CORRUPT);
        assert_true(HX_H.dev.tx_free_count <= 46);
        hx_expect_corrupt(&HX_H.dev, &HX_H.raw);
    }
    /* Also found by send(), which reclaims when its free buffers ran out: the free ones go
     * out, the next send reads the index. */
    quiet_pair();
    hx_st16(HX_USED_IDX(HX_VRING1), (uint16_t)(hx_ld16(HX_USED_IDX(HX_VRING1)) + 0x8000));
    unsigned free_now = HX_H.dev.tx_free_count;
    for (unsigned i = 0; i < free_now; i++)
        assert_int_equal(duet_rpmsg_send(&HX_H.raw, "x", 1), DUET_OK);
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, "x", 1), DUET_ERR_CORRUPT);
    hx_expect_corrupt(&HX_H.dev, &HX_H.raw);
}

/* Bad messages that do not break the rings are counted; the link stays up. */
static void test_host_bad_messages_counted(void **state)
{
    (void)state;
    hx_cap c = {0};
    uint8_t got[64];
    c.buf = got;
    c.cap = sizeof got;
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    uint32_t bad = duet_rpmsg_get_stats(&HX_H.dev).bad_messages;

    /* A name-service message whose name has no NUL within 32 bytes. */
    uint32_t b = remote_sends("0123456789012345678901234567890123456789"); /* 40 bytes */
    hx_st32(b + 4, 0x35);
    memset(hx_at(b + 16), 'A', 32);
    hx_st32(b + 16 + 32, 1030);
    hx_st32(b + 16 + 36, 0);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, ++bad);

    /* A name-service message shorter than 40 bytes. */
    b = remote_sends("raw");
    hx_st32(b + 4, 0x35);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, ++bad);

    /* An announcement of a name the host has no endpoint for (kept for an endpoint created
     * later), and one with a reserved address (counted). */
    b = remote_sends("0123456789012345678901234567890123456789");
    hx_st32(b + 4, 0x35);
    memset(hx_at(b + 16), 0, 40);
    memcpy(hx_at(b + 16), "nobody", 6);
    hx_st32(b + 16 + 32, 1030);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, bad); /* kept for later */
    assert_int_equal(hx_early_count(&HX_H.dev), 1);
    b = remote_sends("0123456789012345678901234567890123456789");
    hx_st32(b + 4, 0x35);
    memset(hx_at(b + 16), 0, 40);
    memcpy(hx_at(b + 16), "raw", 3);
    hx_st32(b + 16 + 32, 0x35);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, ++bad);
    assert_int_equal(HX_H.raw.dest, HX_R.raw.addr); /* unchanged */

    /* Messages to addresses nobody has. */
    const uint32_t dsts[] = {0, 1, 1023, 1026, 0x7fffffff, 0xffffffffu};
    for (size_t i = 0; i < sizeof dsts / sizeof dsts[0]; i++) {
        b = remote_sends("lost");
        hx_st32(b + 4, dsts[i]);
        assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
        assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, ++bad);
    }

    /* A fragment to an endpoint without a reassembly buffer. */
    b = remote_sends("frag");
    hx_st16(b + 14, 0x8000);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, ++bad);

    assert_int_equal(c.msgs, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).corrupt, 0);
    assert_string_equal(duet_rpmsg_error_text(&HX_H.dev), "no error");
    /* Every buffer came back to the remote but the one that keeps the announcement of
     * "nobody" (for an endpoint created later), and the link still works both ways. */
    assert_int_equal(hx_early_count(&HX_H.dev), 1);
    assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING0)) - hx_ld16(HX_USED_IDX(HX_VRING0)), 64 - 1);
    remote_sends("still up");
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 1);
    assert_memory_equal(got, "still up", 8);
    hx_cap rc = {0};
    duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &rc);
    host_sends("back");
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 1);
    assert_int_equal(rc.msgs, 1);
}

/* The remote announces name at addr (a name-service message sent as raw data, readdressed). */
static uint32_t remote_announces(const char *name, uint32_t addr)
{
    uint32_t b = remote_sends("0123456789012345678901234567890123456789"); /* 40 bytes */
    hx_st32(b + 4, 0x35);
    memset(hx_at(b + 16), 0, 40);
    memcpy(hx_at(b + 16), name, strlen(name));
    hx_st32(b + 16 + 32, addr);
    return b;
}

/* Announcements of names the host has no endpoint for are kept in their buffers, at most
 * DUET_RPMSG_MAX_ENDPOINTS (the rest counted and handed back); each is read and checked
 * again when an endpoint is created, as the remote may have changed it meanwhile. */
static void test_host_kept_announcements(void **state)
{
    (void)state;
    uint32_t bad = duet_rpmsg_get_stats(&HX_H.dev).bad_messages;
    uint32_t kept[DUET_RPMSG_MAX_ENDPOINTS];
    char name[3] = "n0";
    for (unsigned i = 0; i <= DUET_RPMSG_MAX_ENDPOINTS; i++) {
        name[1] = (char)('0' + i);
        uint32_t b = remote_announces(name, 1100 + i);
        if (i < DUET_RPMSG_MAX_ENDPOINTS)
            kept[i] = b;
        assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    }
    assert_int_equal(hx_early_count(&HX_H.dev), DUET_RPMSG_MAX_ENDPOINTS);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, bad + 1);
    assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING0)) - hx_ld16(HX_USED_IDX(HX_VRING0)), 64 - DUET_RPMSG_MAX_ENDPOINTS);
    /* The remote scribbles on the kept "n1": its name loses its NUL. */
    memset(hx_at(kept[1] + 16), 'A', 32);
    static duet_rpmsg_endpoint n1, n2;
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_H.dev, &n1, "n1", NULL, 0), DUET_OK);
    assert_false(n1.ready);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).bad_messages, bad + 2);
    assert_int_equal(hx_early_count(&HX_H.dev), DUET_RPMSG_MAX_ENDPOINTS - 1);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_H.dev, &n2, "n2", NULL, 0), DUET_OK);
    assert_true(n2.ready);
    assert_int_equal(n2.dest, 1102);
    assert_int_equal(hx_early_count(&HX_H.dev), DUET_RPMSG_MAX_ENDPOINTS - 2);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING0)) - hx_ld16(HX_USED_IDX(HX_VRING0)), 64 - 2);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).corrupt, 0);
}

/* ================================================= hostile host, real remote */

static void test_remote_avail_id_out_of_range(void **state)
{
    (void)state;
    const uint16_t ids[] = {64, 100, 0x8000, 0xffff};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        quiet_pair();
        host_sends("x");
        hx_st16(HX_AVAIL_RING(HX_VRING1, last_avail1_slot()), ids[i]);
        assert_int_equal(duet_rpmsg_poll(&HX_R.dev), DUET_ERR_CORRUPT);
        hx_expect_corrupt(&HX_R.dev, &HX_R.raw);
    }
}

/* The host offers a buffer the remote still holds (its message was not taken yet). */
static void test_remote_avail_id_already_held(void **state)
{
    (void)state;
    hx_cap c = {.refuse = true};
    duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &c);
    host_sends("held");
    uint16_t id = hx_ld16(HX_AVAIL_RING(HX_VRING1, last_avail1_slot()));
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).held, 1);
    uint16_t idx = hx_ld16(HX_AVAIL_IDX(HX_VRING1));
    hx_st16(HX_AVAIL_RING(HX_VRING1, idx % HX_NUM), id);
    hx_st16(HX_AVAIL_IDX(HX_VRING1), (uint16_t)(idx + 1));
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), DUET_ERR_CORRUPT);
    hx_expect_corrupt(&HX_R.dev, &HX_R.raw);
}

/* Descriptors the remote reads: address and length must lie in the pool. */
static void test_remote_desc_outside_pool(void **state)
{
    (void)state;
    const uint64_t addrs[] = {
        0x38000000u,                 /* the resource table */
        0x38000400u,                 /* vring1 itself */
        0x38001400u,                 /* vring0 */
        0x380023f0u,                 /* just before the pool */
        0x38010000u - 16,            /* the last 16 bytes of the pool, with len 512 */
        0x38010000u,                 /* past the region */
        0x37ffff00u,                 /* below the region */
        0x0u,
        0x20000000u,
        0x100000000ull + 0x38002400u, /* a pool address with high bits set */
        0xffffffffffffffffull,
    };
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        quiet_pair();
        hx_cap c = {0};
        duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &c);
        host_sends("x");
        uint16_t id = hx_ld16(HX_AVAIL_RING(HX_VRING1, last_avail1_slot()));
        hx_st32(HX_DESC(HX_VRING1, id), (uint32_t)addrs[i]);
        hx_st32(HX_DESC(HX_VRING1, id) + 4, (uint32_t)(addrs[i] >> 32));
        hx_st32(HX_DESC(HX_VRING1, id) + 8, 512);
        assert_int_equal(duet_rpmsg_poll(&HX_R.dev), DUET_ERR_CORRUPT);
        assert_int_equal(c.msgs, 0);
        hx_expect_corrupt(&HX_R.dev, &HX_R.raw);
    }
}

static void test_remote_desc_len_bad(void **state)
{
    (void)state;
    const uint32_t lens[] = {0, 15, 513, 0x10000, 0xffffffffu};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        quiet_pair();
        host_sends("x");
        uint16_t id = hx_ld16(HX_AVAIL_RING(HX_VRING1, last_avail1_slot()));
        hx_st32(HX_DESC(HX_VRING1, id) + 8, lens[i]);
        assert_int_equal(duet_rpmsg_poll(&HX_R.dev), DUET_ERR_CORRUPT);
        hx_expect_corrupt(&HX_R.dev, &HX_R.raw);
    }
}

/* The header's len must fit the descriptor's length (not only the buffer size). */
static void test_remote_header_len_past_desc(void **state)
{
    (void)state;
    const uint16_t lens[] = {2, 497, 0xffff};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        quiet_pair();
        hx_cap c = {0};
        duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &c);
        uint32_t b = host_sends("x"); /* descriptor len 17 */
        hx_st16(b + 12, lens[i]);
        assert_int_equal(duet_rpmsg_poll(&HX_R.dev), DUET_ERR_CORRUPT);
        assert_int_equal(c.msgs, 0);
        hx_expect_corrupt(&HX_R.dev, &HX_R.raw);
    }
    /* A descriptor placed at the very end of the pool, exactly fitting: fine. */
    quiet_pair();
    hx_cap c = {0};
    uint8_t got[8];
    c.buf = got;
    c.cap = sizeof got;
    duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &c);
    uint32_t b = host_sends("end");
    uint16_t id = hx_ld16(HX_AVAIL_RING(HX_VRING1, last_avail1_slot()));
    uint32_t at = 0x38010000u - 19;
    at &= ~3u;
    memmove(hx_at(at), hx_at(b), 19);
    hx_st32(HX_DESC(HX_VRING1, id), at);
    hx_st32(HX_DESC(HX_VRING1, id) + 8, 0x38010000u - at);
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 1);
    assert_memory_equal(got, "end", 3);
}

static void test_remote_avail_idx_jump(void **state)
{
    (void)state;
    const uint16_t jumps[] = {65, 0x8000, 0xffff};
    for (size_t i = 0; i < sizeof jumps / sizeof jumps[0]; i++) {
        quiet_pair();
        hx_st16(HX_AVAIL_IDX(HX_VRING1), (uint16_t)(HX_R.dev.rx.last + jumps[i]));
        assert_int_equal(duet_rpmsg_poll(&HX_R.dev), DUET_ERR_CORRUPT);
        hx_expect_corrupt(&HX_R.dev, &HX_R.raw);
    }
}

/* The ring the remote sends on: buffers the host posts in vring0. */
static void test_remote_send_ring_garbage(void **state)
{
    (void)state;
    for (int k = 0; k < 8; k++) {
        quiet_pair();
        uint16_t last = HX_R.dev.tx.last, seen = HX_R.dev.tx.seen; /* taken, and read of the index */
        uint32_t slot = last % HX_NUM;
        uint16_t id = hx_ld16(HX_AVAIL_RING(HX_VRING0, slot));
        uint32_t d = HX_DESC(HX_VRING0, id);
        switch (k) {
        case 0: hx_st16(HX_AVAIL_IDX(HX_VRING0), (uint16_t)(seen + 65)); break;
        case 1: hx_st16(HX_AVAIL_IDX(HX_VRING0), (uint16_t)(seen + 0x8000)); break;
        case 2: hx_st16(HX_AVAIL_RING(HX_VRING0, slot), 64); break;
        case 3: hx_st16(HX_AVAIL_RING(HX_VRING0, slot), 0xffff); break;
        case 4: hx_st32(d, 0x38000000u); break;           /* the table */
        case 5: hx_st32(d, 0x38010000u - 256); break;     /* runs past the pool */
        case 6: hx_st32(d + 4, 1); break;                 /* above 4 GiB */
        case 7: hx_st32(d + 8, 511); break;               /* shorter than a buffer */
        }
        uint8_t table[0x400];
        memcpy(table, hx_at(HX_DA), sizeof table);
        /* The index is read when the entries it said last time are used up: the buffers
         * the host really posted go out first. */
        int sent = 0;
        while (k < 2 && sent < 64 && duet_rpmsg_send(&HX_R.raw, "x", 1) == DUET_OK)
            sent++;
        assert_true(sent < 64);
        assert_int_equal(duet_rpmsg_send(&HX_R.raw, "x", 1), DUET_ERR_CORRUPT);
        assert_memory_equal(hx_at(HX_DA), table, sizeof table);
        hx_expect_corrupt(&HX_R.dev, &HX_R.raw);
    }
}

static void test_remote_bad_messages_counted(void **state)
{
    (void)state;
    hx_cap c = {0};
    uint8_t got[16];
    c.buf = got;
    c.cap = sizeof got;
    duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &c);
    uint32_t bad = duet_rpmsg_get_stats(&HX_R.dev).bad_messages;
    const uint32_t dsts[] = {0, 0x35, 1023, 1026, 0xffffffffu};
    for (size_t i = 0; i < sizeof dsts / sizeof dsts[0]; i++) {
        uint32_t b = host_sends("lost");
        hx_st32(b + 4, dsts[i]);
        assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 0);
        assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).bad_messages, ++bad);
    }
    uint32_t b = host_sends("frag");
    hx_st16(b + 14, 0x8000);
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).bad_messages, ++bad);
    assert_int_equal(c.msgs, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).corrupt, 0);
    host_sends("fine");
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 1);
    assert_memory_equal(got, "fine", 4);
}

/* ================================================= the resource table, read by the remote */

typedef struct table_case {
    const char *what;
    void (*patch)(void);
    int expect; /* DUET_ERR_CORRUPT, or DUET_ERR_TIMEOUT where the table cannot be read at all */
} table_case;

#define V0 (HX_DA + HX_VRING_ENTRY(0))
#define V1 (HX_DA + HX_VRING_ENTRY(1))

static void both_num(uint32_t n) { hx_st32(V0 + 8, n); hx_st32(V1 + 8, n); }
static void both_align(uint32_t a) { hx_st32(V0 + 4, a); hx_st32(V1 + 4, a); }

static void p_version2(void) { hx_st32(HX_DA + HX_RSC_VER, 2); }
static void p_version0(void) { hx_st32(HX_DA + HX_RSC_VER, 0); }
static void p_num0(void) { hx_st32(HX_DA + HX_RSC_NUM, 0); }
static void p_num_huge(void) { hx_st32(HX_DA + HX_RSC_NUM, 0xffffffffu); }
static void p_num_past_table(void) { hx_st32(HX_DA + HX_RSC_NUM, (0x400 - 16) / 4 + 1); }
static void p_num_overlaps_offset(void) { hx_st32(HX_DA + HX_RSC_NUM, 2); } /* offset 20 now inside the offsets */
static void p_off_unaligned(void) { hx_st32(HX_DA + HX_RSC_OFF0, 22); }
static void p_off_past_end(void) { hx_st32(HX_DA + HX_RSC_OFF0, 0x400); }
static void p_off_huge(void) { hx_st32(HX_DA + HX_RSC_OFF0, 0xfffffffcu); }
static void p_off_into_header(void) { hx_st32(HX_DA + HX_RSC_OFF0, 4); }
static void p_vdev_runs_past(void)
{
    uint32_t off = 0x400 - 32; /* its status byte lies inside, its vrings do not */
    hx_st32(HX_DA + HX_RSC_OFF0, off);
    hx_st32(HX_DA + off, 3);
    hx_st32(HX_DA + off + 4, 7);
    hx_st8(HX_DA + off + 24, 7);
    hx_st8(HX_DA + off + 25, 2);
}
static void p_wrong_id(void) { hx_st32(HX_DA + HX_VDEV_ID, 5); }
static void p_no_vdev(void) { hx_st32(HX_DA + HX_VDEV_TYPE, 2); }
static void p_one_vring(void) { hx_st8(HX_DA + HX_VDEV_NUM_VRINGS, 1); }
static void p_three_vrings(void) { hx_st8(HX_DA + HX_VDEV_NUM_VRINGS, 3); }
static void p_v0_outside(void) { hx_st32(V0, 0x38010000u); }
static void p_v0_partly_outside(void) { hx_st32(V0, 0x3800fc00u); }
static void p_v0_low(void) { hx_st32(V0, 0x30000000u); }
static void p_v0_wraps(void) { hx_st32(V0, 0xfffffc00u); }
static void p_v1_misaligned16(void) { hx_st32(V1, 0x38000408u); }
static void p_v1_misaligned_align(void) { hx_st32(V1, 0x38000410u); } /* 16-aligned, not 32 */
static void p_num48(void) { both_num(48); }
static void p_num128(void) { both_num(128); }
static void p_num1(void) { both_num(1); }
static void p_num0_rings(void) { both_num(0); }
static void p_num_differ(void) { hx_st32(V1 + 8, 32); }
static void p_align24(void) { both_align(24); }
static void p_align2(void) { both_align(2); }
static void p_align_huge(void) { both_align(0x80000000u); }
static void p_align_differ(void) { hx_st32(V1 + 4, 64); }
static void p_same_da(void) { hx_st32(V1, 0x38001400u); }
static void p_overlap_partly(void) { hx_st32(V1, 0x38001400u - 0x200); }
static void p_overlap_table(void) { hx_st32(V1, 0x38000000u); }
static void p_in_pool(void) { hx_st32(V0, 0x38002400u); }
static void p_status_no_driver_ok(void) { hx_st8(HX_DA + HX_VDEV_STATUS, 3); }

static const table_case table_cases[] = {
    {"version 2", p_version2, DUET_ERR_CORRUPT},
    {"version 0", p_version0, DUET_ERR_TIMEOUT},
    {"no entries", p_num0, DUET_ERR_CORRUPT},
    {"entry count 0xffffffff", p_num_huge, DUET_ERR_CORRUPT},
    {"entry count past the table", p_num_past_table, DUET_ERR_CORRUPT},
    {"offset inside the offset array", p_num_overlaps_offset, DUET_ERR_CORRUPT},
    {"offset unaligned", p_off_unaligned, DUET_ERR_CORRUPT},
    {"offset past the end", p_off_past_end, DUET_ERR_CORRUPT},
    {"offset huge", p_off_huge, DUET_ERR_CORRUPT},
    {"offset into the header", p_off_into_header, DUET_ERR_CORRUPT},
    {"vdev runs past the table", p_vdev_runs_past, DUET_ERR_CORRUPT},
    {"vdev id 5", p_wrong_id, DUET_ERR_CORRUPT},
    {"no vdev entry", p_no_vdev, DUET_ERR_CORRUPT},
    {"one vring", p_one_vring, DUET_ERR_CORRUPT},
    {"three vrings", p_three_vrings, DUET_ERR_CORRUPT},
    {"vring0 past the region", p_v0_outside, DUET_ERR_CORRUPT},
    {"vring0 partly past the region", p_v0_partly_outside, DUET_ERR_CORRUPT},
    {"vring0 below the region", p_v0_low, DUET_ERR_CORRUPT},
    {"vring0 at the top of the address space", p_v0_wraps, DUET_ERR_CORRUPT},
    {"vring1 not 16-aligned", p_v1_misaligned16, DUET_ERR_CORRUPT},
    {"vring1 not aligned to align", p_v1_misaligned_align, DUET_ERR_CORRUPT},
    {"vring num 48", p_num48, DUET_ERR_CORRUPT},
    {"vring num 128", p_num128, DUET_ERR_CORRUPT},
    {"vring num 1", p_num1, DUET_ERR_CORRUPT},
    {"vring num 0", p_num0_rings, DUET_ERR_CORRUPT},
    {"vring nums differ", p_num_differ, DUET_ERR_CORRUPT},
    {"align 24", p_align24, DUET_ERR_CORRUPT},
    {"align 2", p_align2, DUET_ERR_CORRUPT},
    {"align 2^31", p_align_huge, DUET_ERR_CORRUPT},
    {"aligns differ", p_align_differ, DUET_ERR_CORRUPT},
    {"both vrings at one address", p_same_da, DUET_ERR_CORRUPT},
    {"vrings overlap", p_overlap_partly, DUET_ERR_CORRUPT},
    {"vring over the table", p_overlap_table, DUET_ERR_CORRUPT},
    {"vring in the pool", p_in_pool, DUET_ERR_CORRUPT},
    {"DRIVER_OK not set", p_status_no_driver_ok, DUET_ERR_TIMEOUT},
};

static void test_remote_bad_table(void **state)
{
    (void)state;
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    for (size_t i = 0; i < sizeof table_cases / sizeof table_cases[0]; i++) {
        const table_case *tc = &table_cases[i];
        hx_reset();
        assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_OK);
        tc->patch();
        uint32_t t0 = hx_clock;
        int rc = duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 50);
        if (rc != tc->expect)
            fail_msg("table case '%s': init_remote returned %d (%s), expected %d", tc->what, rc,
                     duet_rpmsg_error_text(&HX_R.dev), tc->expect);
        const char *why = duet_rpmsg_error_text(&HX_R.dev);
        assert_true(strlen(why) > 0);
        assert_string_not_equal(why, "no error");
        if (rc == DUET_ERR_CORRUPT) {
            hx_expect_corrupt(&HX_R.dev, NULL);
        } else {
            assert_true(hx_clock - t0 >= 50);
            assert_int_equal(duet_rpmsg_poll(&HX_R.dev), DUET_ERR_TIMEOUT);
            static duet_rpmsg_endpoint ep;
            assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &ep, "raw", NULL, 0), DUET_ERR_TIMEOUT);
        }
    }
    free(hx_shm);
    hx_shm = NULL;
}

/* A table like MicroPython's: the vdev, then a trace entry; offsets not at the first slot. */
static void test_remote_accepts_table_with_trace_entry(void **state)
{
    (void)state;
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    hx_reset();
    assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_OK);
    HX_H.live = true;
    uint8_t vdev[68];
    memcpy(vdev, hx_at(HX_DA + 20), sizeof vdev);
    hx_st32(HX_DA + HX_RSC_NUM, 2);
    memmove(hx_at(HX_DA + 24), vdev, sizeof vdev);
    hx_st32(HX_DA + 16, 24);
    hx_st32(HX_DA + 20, 24 + 68);
    hx_st32(HX_DA + 24 + 68, 2); /* RSC_TRACE: da, len, reserved, name[32] */
    assert_int_equal(duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 50), DUET_OK);
    HX_R.live = true;
    /* The trace entry first, then the vdev. */
    hx_reset();
    assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_OK);
    memcpy(vdev, hx_at(HX_DA + 20), sizeof vdev);
    hx_st32(HX_DA + HX_RSC_NUM, 2);
    hx_st32(HX_DA + 16, 24);
    hx_st32(HX_DA + 20, 24 + 48);
    memset(hx_at(HX_DA + 24), 0, 48);
    hx_st32(HX_DA + 24, 2);
    hx_st8(HX_DA + 24 + 24, 4); /* looks like DRIVER_OK where the first offset points */
    memmove(hx_at(HX_DA + 24 + 48), vdev, sizeof vdev);
    assert_int_equal(duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 50), DUET_OK);
    free(hx_shm);
    hx_shm = NULL;
}

/* The host never sets DRIVER_OK (or never starts): the remote gives up after its timeout. */
static void test_remote_init_timeout(void **state)
{
    (void)state;
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    hx_reset();
    assert_int_equal(duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 5000), DUET_ERR_TIMEOUT);
    assert_true(hx_clock >= 5000 && hx_clock < 5000 + 20);
    assert_string_not_equal(duet_rpmsg_error_text(&HX_R.dev), "no error");
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), DUET_ERR_TIMEOUT);
    static duet_rpmsg_endpoint ep;
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &ep, "raw", NULL, 0), DUET_ERR_TIMEOUT);

    /* A table and rings, but the status never gets DRIVER_OK. */
    hx_reset();
    assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_OK);
    hx_st8(HX_DA + HX_VDEV_STATUS, 1 | 2);
    assert_int_equal(duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 300), DUET_ERR_TIMEOUT);
    assert_true(hx_clock >= 300);
    free(hx_shm);
    hx_shm = NULL;
}

/* The remote may start first: it waits until the host has set up. */
static void host_comes_up(void *arg)
{
    (void)arg;
    if (hx_clock >= 40 && !HX_H.live) {
        duet_rpmsg_layout l = duet_rpmsg_layout_giga();
        assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_OK);
        assert_int_equal(duet_rpmsg_endpoint_create(&HX_H.dev, &HX_H.raw, "raw", NULL, 0), DUET_OK);
        HX_H.live = true;
    }
}

static void test_remote_starts_first(void **state)
{
    (void)state;
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    hx_reset();
    HX_R.idle = host_comes_up;
    assert_int_equal(duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 1000), DUET_OK);
    HX_R.live = true;
    HX_R.idle = NULL;
    assert_true(hx_clock >= 40 && hx_clock < 100);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &HX_R.raw, "raw", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_wait_ready(&HX_R.dev, 100), DUET_OK);
    assert_int_equal(duet_rpmsg_wait_ready(&HX_H.dev, 100), DUET_OK);
    free(hx_shm);
    hx_shm = NULL;
}

/* Layout k of the bad ones (0 to 10): each breaks one rule; 3 only the host checks
 * (regions that overlap). */
static duet_rpmsg_layout bad_layout(int k)
{
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    switch (k) {
    case 0: l.vring_num = 48; break;
    case 1: l.vring_num = 128; break;
    case 2: l.vring_align = 24; break;
    case 3: l.vring1_da = l.vring0_da; break;
    case 4: l.pool_size = 0x10000; break;          /* past the region */
    case 5: l.buf_size = 16; break;
    case 6: l.buf_size = 510; break;
    case 7: l.pool_size = 64 * 512; break;         /* no room for a send buffer */
    case 8: l.rsc_da = 0x3800fff0u; break;
    case 9: l.vring0_da = 0x38001404u; break;
    case 10: l.vring1_da = 0x3800fc00u; break;     /* past the region's end */
    }
    return l;
}

/* Layouts the host refuses to set up. */
static void test_host_rejects_bad_layout(void **state)
{
    (void)state;
    hx_reset();
    for (int k = 0; k <= 10; k++) {
        duet_rpmsg_layout l = bad_layout(k);
        memset(hx_shm, 0x5a, HX_SIZE);
        assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_ERR_ARG);
        assert_int_equal(duet_rpmsg_poll(&HX_H.dev), DUET_ERR_ARG);
        for (size_t i = 0; i < HX_SIZE; i++)
            if (hx_shm[i] != 0x5a)
                fail_msg("layout case %d: init_host wrote at offset %zu though it refused", k, i);
    }
    free(hx_shm);
    hx_shm = NULL;
}

/* The remote checks its own layout too, at once (it does not wait for a host that would
 * never match it), and writes nothing. */
static void test_remote_rejects_bad_layout(void **state)
{
    (void)state;
    hx_reset();
    for (int k = 0; k <= 10; k++) {
        if (k == 3)
            continue;
        duet_rpmsg_layout l = bad_layout(k);
        memset(hx_shm, 0x5a, HX_SIZE);
        uint32_t start = hx_clock;
        assert_int_equal(duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 1000), DUET_ERR_ARG);
        assert_int_equal(hx_clock, start);
        assert_string_not_equal(duet_rpmsg_error_text(&HX_R.dev), "no error");
        for (size_t i = 0; i < HX_SIZE; i++)
            if (hx_shm[i] != 0x5a)
                fail_msg("layout case %d: init_remote wrote at offset %zu though it refused", k, i);
    }
    free(hx_shm);
    hx_shm = NULL;
}

/* ================================================= a call waiting when the rings break */

static uint8_t call_tx[4096], call_res[DUET_RPC_MAX_INFLIGHT * 512];

/* A call that waits for its answer when the other side breaks the rings ends at once with
 * DUET_ERR_LINK_DOWN and says why, rather than waiting out its timeout and saying "timed out":
 * the rings stay broken (every later poll fails the same), so no answer can come. */
static void test_a_waiting_call_ends_when_the_rings_break(void **state)
{
    (void)state;
    quiet_pair();
    duet_rpc rpc;
    duet_rpc_config cfg = {.tx_buffer = call_tx, .tx_size = sizeof call_tx, .result_buffer = call_res,
                           .result_size = sizeof call_res,
                           .max_message = duet_rpmsg_endpoint_max_message(&HX_H.rpc)};
    assert_int_equal(duet_rpc_init(&rpc, &HX_H.rpc.link, &cfg), DUET_OK);
    remote_sends("x");
    hx_st32(HX_USED_ID(HX_VRING0, last_used0_slot()), 0xffff); /* found by the call's first poll */
    unsigned waits = HX_H.waits;
    int32_t r = 0;
    assert_int_equal(duet_rpc_call_timeout(&rpc, 5000, "add", "ii:i", 1, 2, &r), DUET_ERR_LINK_DOWN);
    assert_true(HX_H.waits - waits < 3); /* not 5000 waits of a virtual millisecond */
    assert_string_equal(duet_rpc_error_text(&rpc), "add: link down"); /* the device says why: */
    assert_int_equal(HX_H.dev.err, DUET_ERR_CORRUPT);
    assert_string_not_equal(duet_rpmsg_error_text(&HX_H.dev), "no error");
    assert_int_equal(duet_rpc_link_error(&rpc), DUET_ERR_LINK_DOWN);
    /* Every later call fails at once, and polling says the link is down. */
    assert_int_equal(duet_rpc_call_timeout(&rpc, 5000, "add", "ii:i", 1, 2, &r), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_rpc_poll(&rpc), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).corrupt, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_host_used_id_out_of_range, hx_teardown),
        cmocka_unit_test_setup_teardown(test_host_used_id_not_posted, quiet_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_host_used_id_twice, quiet_setup, hx_teardown),
        cmocka_unit_test_teardown(test_host_used_len_past_buffer, hx_teardown),
        cmocka_unit_test_teardown(test_host_header_len_past_buffer, hx_teardown),
        cmocka_unit_test_teardown(test_host_used_idx_jump, hx_teardown),
        cmocka_unit_test_setup_teardown(test_host_ignores_scribbled_rx_descriptors, quiet_setup, hx_teardown),
        cmocka_unit_test_teardown(test_host_tx_used_garbage, hx_teardown),
        cmocka_unit_test_setup_teardown(test_host_bad_messages_counted, quiet_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_host_kept_announcements, quiet_setup, hx_teardown),
        cmocka_unit_test_teardown(test_remote_avail_id_out_of_range, hx_teardown),
        cmocka_unit_test_setup_teardown(test_remote_avail_id_already_held, quiet_setup, hx_teardown),
        cmocka_unit_test_teardown(test_remote_desc_outside_pool, hx_teardown),
        cmocka_unit_test_teardown(test_remote_desc_len_bad, hx_teardown),
        cmocka_unit_test_teardown(test_remote_header_len_past_desc, hx_teardown),
        cmocka_unit_test_teardown(test_remote_avail_idx_jump, hx_teardown),
        cmocka_unit_test_teardown(test_remote_send_ring_garbage, hx_teardown),
        cmocka_unit_test_setup_teardown(test_remote_bad_messages_counted, quiet_setup, hx_teardown),
        cmocka_unit_test(test_remote_bad_table),
        cmocka_unit_test(test_remote_accepts_table_with_trace_entry),
        cmocka_unit_test(test_remote_init_timeout),
        cmocka_unit_test(test_remote_starts_first),
        cmocka_unit_test(test_host_rejects_bad_layout),
        cmocka_unit_test(test_remote_rejects_bad_layout),
        cmocka_unit_test(test_a_waiting_call_ends_when_the_rings_break),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

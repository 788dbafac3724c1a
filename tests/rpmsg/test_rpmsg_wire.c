/*
 * test_rpmsg_wire.c - the RPMsg transport's bytes in shared memory, as docs/wire.md
 * gives them (the layout the Arduino RPC library and MicroPython use on the GIGA R1), the
 * name-service handshake, message sizes (496 bytes per buffer, larger only between two
 * duet sides), and an rpc engine over the endpoints.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

#include "duet/rpc.h"

/* ------------------------------------------------------------ layout */

static void test_layout_giga_values(void **state)
{
    (void)state;
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    assert_int_equal(l.rsc_da, 0x38000000u);
    assert_int_equal(l.rsc_size, 0x400);
    assert_int_equal(l.vring0_da, 0x38001400u);
    assert_int_equal(l.vring1_da, 0x38000400u);
    assert_int_equal(l.vring_num, 64);
    assert_int_equal(l.vring_align, 32);
    assert_int_equal(l.pool_da, 0x38002400u);
    assert_int_equal(l.pool_size, 0x38010000u - 0x38002400u);
    assert_int_equal(l.buf_size, 512);
    /* 64 descriptors of 16 bytes, avail 6 + 2*64, used aligned to 32: 6 + 8*64. */
    assert_int_equal(duet_rpmsg_vring_size(64, 32), 1184 + 6 + 512);
    assert_int_equal(duet_rpmsg_vring_size(4, 4), 64 + 14 + 2 + 6 + 32);
}

/* init_host writes the resource table, both vrings and posts the receive buffers. */
static void test_host_writes_table_and_rings(void **state)
{
    (void)state;
    hx_reset();
    memset(hx_shm, 0xa5, HX_SIZE); /* init_host must write every field it owns */
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_OK);
    assert_true(HX_H.rings >= 1);
    assert_string_equal(duet_rpmsg_error_text(&HX_H.dev), "no error");

    /* struct resource_table { u32 ver; u32 num; u32 reserved[2]; u32 offset[num]; } */
    assert_int_equal(hx_ld32(HX_DA + HX_RSC_VER), 1);
    assert_int_equal(hx_ld32(HX_DA + HX_RSC_NUM), 1);
    assert_int_equal(hx_ld32(HX_DA + 8), 0);
    assert_int_equal(hx_ld32(HX_DA + 12), 0);
    assert_int_equal(hx_ld32(HX_DA + HX_RSC_OFF0), 20);
    /* struct fw_rsc_vdev { u32 type, id, notifyid, dfeatures, gfeatures, config_len; u8 status,
     * num_of_vrings, reserved[2]; struct fw_rsc_vdev_vring vring[]; } */
    assert_int_equal(hx_ld32(HX_DA + HX_VDEV_TYPE), 3);      /* RSC_VDEV */
    assert_int_equal(hx_ld32(HX_DA + HX_VDEV_ID), 7);        /* VIRTIO_ID_RPMSG */
    assert_int_equal(hx_ld32(HX_DA + HX_VDEV_DFEATURES), 1); /* VIRTIO_RPMSG_F_NS */
    assert_int_equal(hx_ld32(HX_DA + HX_VDEV_CONFIG_LEN), 0);
    uint8_t status = *hx_at(HX_DA + HX_VDEV_STATUS);
    assert_true(status & 4); /* DRIVER_OK */
    assert_int_equal(*hx_at(HX_DA + HX_VDEV_NUM_VRINGS), 2);
    assert_int_equal(*hx_at(HX_DA + HX_VDEV + 26), 0);
    assert_int_equal(*hx_at(HX_DA + HX_VDEV + 27), 0);
    /* struct fw_rsc_vdev_vring { u32 da, align, num, notifyid, pa; } */
    const uint32_t da[2] = {0x38001400u, 0x38000400u};
    for (uint32_t i = 0; i < 2; i++) {
        uint32_t e = HX_DA + HX_VRING_ENTRY(i);
        assert_int_equal(hx_ld32(e + 0), da[i]);
        assert_int_equal(hx_ld32(e + 4), 32);
        assert_int_equal(hx_ld32(e + 8), 64);
        assert_int_equal(hx_ld32(e + 12), i);
        assert_int_equal(hx_ld32(e + 16), 0);
    }
    /* The rest of the 1 KiB table is zero. */
    for (uint32_t o = HX_VRING_ENTRY(2); o < 0x400; o++)
        assert_int_equal(*hx_at(HX_DA + o), 0);

    /* vring0 (remote -> host): 64 descriptors on the first 64 pool buffers, write-only for
     * the remote, all posted in the avail ring, nothing used yet. */
    for (uint32_t i = 0; i < 64; i++) {
        uint32_t d = HX_DESC(HX_VRING0, i);
        assert_int_equal(hx_ld32(d + 0), 0x38002400u + i * 512);
        assert_int_equal(hx_ld32(d + 4), 0);
        assert_int_equal(hx_ld32(d + 8), 512);
        assert_int_equal(hx_ld16(d + 12), 2); /* VRING_DESC_F_WRITE */
        assert_int_equal(hx_ld16(d + 14), 0);
        assert_int_equal(hx_ld16(HX_AVAIL_RING(HX_VRING0, i)), i);
    }
    assert_int_equal(hx_ld16(HX_AVAIL_FLAGS(HX_VRING0)), 0);
    assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING0)), 64);
    assert_int_equal(hx_ld16(HX_USED_FLAGS(HX_VRING0)), 0);
    assert_int_equal(hx_ld16(HX_USED_IDX(HX_VRING0)), 0);
    /* vring1 (host -> remote): empty. */
    assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING1)), 0);
    assert_int_equal(hx_ld16(HX_USED_IDX(HX_VRING1)), 0);
    for (uint32_t o = 0; o < duet_rpmsg_vring_size(64, 32); o++)
        assert_int_equal(*hx_at(HX_VRING1 + o), 0);
    free(hx_shm);
    hx_shm = NULL;
}

/* The name-service announcements and the host's one-byte answers, byte by byte. */
static void test_handshake_bytes(void **state)
{
    (void)state;
    hx_reset();
    HX_H.poll_other = HX_R.poll_other = false;
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_OK);
    HX_H.live = true;
    assert_int_equal(duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 100), DUET_OK);
    HX_R.live = true;
    unsigned rings = HX_R.rings;
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &HX_R.raw, "raw", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &HX_R.rpc, "rpc", hx_reasm_r, sizeof hx_reasm_r), DUET_OK);
    assert_int_equal(HX_R.raw.addr, 1024);
    assert_int_equal(HX_R.rpc.addr, 1025);
    assert_false(HX_R.raw.ready);
    assert_true(HX_R.rings >= rings + 2);

    /* Two announcements in vring0's used ring, "raw" first. */
    assert_int_equal(hx_ld16(HX_USED_IDX(HX_VRING0)), 2);
    const char *names[2] = {"raw", "rpc"};
    for (uint32_t k = 0; k < 2; k++) {
        uint32_t id = hx_ld32(HX_USED_ID(HX_VRING0, k));
        assert_true(id < 64);
        assert_int_equal(hx_ld32(HX_USED_LEN(HX_VRING0, k)), 16 + 40);
        uint32_t b = HX_RXBUF(id);
        assert_int_equal(hx_ld32(HX_DESC(HX_VRING0, id)), b);
        assert_int_equal(hx_ld32(b + 0), 1024 + k);  /* src */
        assert_int_equal(hx_ld32(b + 4), 0x35);      /* dst: name service */
        assert_int_equal(hx_ld32(b + 8), 0);         /* reserved */
        assert_int_equal(hx_ld16(b + 12), 40);       /* len */
        assert_int_equal(hx_ld16(b + 14), 0);        /* flags */
        const char *name = (const char *)hx_at(b + 16);
        assert_int_equal(memcmp(name, names[k], 4), 0); /* name and its NUL */
        assert_int_equal(hx_ld32(b + 16 + 32), 1024 + k); /* addr */
        assert_int_equal(hx_ld32(b + 16 + 36), 0);        /* flags: create */
    }
    /* "raw" has no reassembly buffer: nothing follows the NUL of its name. */
    uint32_t b0 = HX_RXBUF(hx_ld32(HX_USED_ID(HX_VRING0, 0)));
    for (uint32_t i = 4; i < 32; i++)
        assert_int_equal(*hx_at(b0 + 16 + i), 0);
    /* "rpc" has one: duet's marker and capacity follow the NUL (ignored by Arduino/MicroPython). */
    uint32_t b1 = HX_RXBUF(hx_ld32(HX_USED_ID(HX_VRING0, 1)));
    assert_memory_equal(hx_at(b1 + 16 + 4), "duet/1", 6);
    assert_int_equal(hx_ld32(b1 + 16 + 10), sizeof hx_reasm_r);

    /* The host creates its endpoints and answers each announcement with one byte 0x00
     * from its own address; it posts the two announcement buffers again. */
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_H.dev, &HX_H.raw, "raw", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_H.dev, &HX_H.rpc, "rpc", hx_reasm_h, sizeof hx_reasm_h), DUET_OK);
    assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING1)), 0); /* nothing sent before the announcement is seen */
    rings = HX_H.rings;
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_true(HX_H.rings > rings);
    assert_true(HX_H.raw.ready && HX_H.rpc.ready);
    assert_int_equal(HX_H.raw.dest, 1024);
    assert_int_equal(HX_H.rpc.dest, 1025);
    assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING0)), 66);
    assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING1)), 2);
    for (uint32_t k = 0; k < 2; k++) {
        duet_rpmsg_endpoint *hep = k ? &HX_H.rpc : &HX_H.raw;
        uint16_t id = hx_ld16(HX_AVAIL_RING(HX_VRING1, k));
        assert_true(id < 46);
        uint32_t d = HX_DESC(HX_VRING1, id);
        uint32_t b = HX_TXBUF(id);
        assert_int_equal(hx_ld32(d + 0), b);
        assert_int_equal(hx_ld32(d + 4), 0);
        uint32_t len = hx_ld32(d + 8);
        assert_int_equal(hx_ld16(d + 12), 0); /* device-readable */
        assert_int_equal(hx_ld32(b + 0), hep->addr);
        assert_int_equal(hx_ld32(b + 4), 1024 + k);
        assert_int_equal(hx_ld32(b + 8), 0);
        uint16_t mlen = hx_ld16(b + 12);
        assert_int_equal(len, 16u + mlen);
        assert_int_equal(hx_ld16(b + 14), 0);
        assert_int_equal(*hx_at(b + 16), 0x00);
        if (k == 0) {
            assert_int_equal(mlen, 1); /* exactly the Arduino answer */
        } else {
            assert_int_equal(mlen, 11); /* 0x00, then duet's marker and capacity */
            assert_memory_equal(hx_at(b + 17), "duet/1", 6);
            assert_int_equal(hx_ld32(b + 23), sizeof hx_reasm_h);
        }
    }
    /* The remote learns the host's addresses from those answers and returns the buffers. */
    assert_int_equal(duet_rpmsg_wait_ready(&HX_R.dev, 10), DUET_OK);
    assert_int_equal(HX_R.raw.dest, HX_H.raw.addr);
    assert_int_equal(HX_R.rpc.dest, HX_H.rpc.addr);
    assert_int_equal(HX_R.rpc.peer_cap, sizeof hx_reasm_h);
    assert_int_equal(HX_H.rpc.peer_cap, sizeof hx_reasm_r);
    assert_int_equal(HX_H.raw.peer_cap, 0);
    assert_int_equal(HX_R.raw.peer_cap, 0);
    assert_int_equal(hx_ld16(HX_USED_IDX(HX_VRING1)), 2);
    /* The answers carry no data for the application. */
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).rx_msgs, 0);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(HX_H.dev.tx_free_count, 46); /* both answer buffers reclaimed */
    free(hx_shm);
    hx_shm = NULL;
}

/* An ordinary message: header fields, used length, doorbell. */
static void test_message_bytes(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    hx_cap c = {0};
    uint8_t got[64];
    c.buf = got;
    c.cap = sizeof got;
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    unsigned rings = HX_R.rings;
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "hello", 5), DUET_OK);
    assert_int_equal(HX_R.rings, rings + 1);
    uint16_t idx = hx_ld16(HX_USED_IDX(HX_VRING0));
    uint32_t slot = (uint16_t)(idx - 1) % 64;
    assert_int_equal(hx_ld32(HX_USED_LEN(HX_VRING0, slot)), 16 + 5);
    uint32_t b = hx_last_sent_by_remote();
    assert_int_equal(hx_ld32(b + 0), HX_R.raw.addr);
    assert_int_equal(hx_ld32(b + 4), HX_H.raw.addr);
    assert_int_equal(hx_ld32(b + 8), 0);
    assert_int_equal(hx_ld16(b + 12), 5);
    assert_int_equal(hx_ld16(b + 14), 0);
    assert_memory_equal(hx_at(b + 16), "hello", 5);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 1);
    assert_int_equal(c.len, 5);
    assert_memory_equal(got, "hello", 5);

    /* host -> remote */
    hx_cap rc = {0};
    uint8_t rgot[64];
    rc.buf = rgot;
    rc.cap = sizeof rgot;
    duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &rc);
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, "world!", 6), DUET_OK);
    b = hx_last_sent_by_host();
    assert_int_equal(hx_ld32(b + 0), HX_H.raw.addr);
    assert_int_equal(hx_ld32(b + 4), HX_R.raw.addr);
    assert_int_equal(hx_ld16(b + 12), 6);
    assert_memory_equal(hx_at(b + 16), "world!", 6);
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 1);
    assert_int_equal(rc.len, 6);
    assert_memory_equal(rgot, "world!", 6);
    /* The remote returned the buffer with the length it read. */
    uint16_t uidx = hx_ld16(HX_USED_IDX(HX_VRING1));
    assert_int_equal(hx_ld32(HX_USED_LEN(HX_VRING1, (uint16_t)(uidx - 1) % 64)), 16 + 6);
    duet_rpmsg_stats s = duet_rpmsg_get_stats(&HX_H.dev);
    assert_int_equal(s.rx_msgs, 1);
    assert_int_equal(s.corrupt, 0);
    assert_int_equal(s.bad_messages, 0);
}

/* ------------------------------------------------------------ sizes */

static uint8_t big_tx[65536 + 16], big_rx[65536 + 16];

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 131u + (i >> 8) * 7u + seed);
}

static void test_496_passes_497_too_large(void **state)
{
    (void)state;
    /* "raw" has no reassembly on either side: one buffer is the limit, both directions. */
    hx_cap c = {0};
    c.buf = big_rx;
    c.cap = sizeof big_rx;
    duet_link_attach(&HX_H.raw.link, hx_cap_deliver, &c);
    fill(big_tx, 497, 1);
    assert_int_equal(duet_rpmsg_endpoint_max_message(&HX_R.raw), 496);
    assert_int_equal(duet_rpmsg_endpoint_max_message(&HX_H.raw), 496);
    assert_int_equal(HX_R.raw.link.max_message, 496);
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, big_tx, 496), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 1);
    assert_int_equal(c.len, 496);
    assert_memory_equal(big_rx, big_tx, 496);

    for (int dir = 0; dir < 2; dir++) {
        duet_rpmsg_endpoint *ep = dir ? &HX_H.raw : &HX_R.raw;
        uint16_t used0 = hx_ld16(HX_USED_IDX(HX_VRING0)), avail1 = hx_ld16(HX_AVAIL_IDX(HX_VRING1));
        uint32_t tx0 = duet_rpmsg_get_stats(ep->dev).tx_msgs, waits0 = duet_rpmsg_get_stats(ep->dev).buffer_waits;
        uint32_t t0 = hx_clock;
        assert_int_equal(duet_rpmsg_send(ep, big_tx, 497), DUET_ERR_TOO_LARGE);
        assert_int_equal(duet_rpmsg_send(ep, big_tx, 65536), DUET_ERR_TOO_LARGE);
        assert_int_equal(duet_rpmsg_get_stats(ep->dev).tx_msgs, tx0);
        assert_int_equal(duet_rpmsg_get_stats(ep->dev).buffer_waits, waits0);
        assert_int_equal(hx_ld16(HX_USED_IDX(HX_VRING0)), used0);
        assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING1)), avail1);
        assert_int_equal(hx_clock, t0);
        /* The link still works. */
        assert_int_equal(duet_rpmsg_send(ep, big_tx, 496), DUET_OK);
    }
}

/* The remote's "rpc" endpoint has no reassembly buffer: neither side may send more than 496. */
static void test_497_to_peer_without_reasm(void **state)
{
    (void)state;
    hx_opts o = {.remote_rpc_no_reasm = true};
    hx_pair(&o);
    assert_int_equal(HX_H.rpc.peer_cap, 0);
    assert_int_equal(HX_R.rpc.peer_cap, 0);
    fill(big_tx, 497, 2);
    uint16_t avail1 = hx_ld16(HX_AVAIL_IDX(HX_VRING1));
    assert_int_equal(duet_rpmsg_send(&HX_H.rpc, big_tx, 497), DUET_ERR_TOO_LARGE);
    assert_int_equal(hx_ld16(HX_AVAIL_IDX(HX_VRING1)), avail1);
    uint16_t used0 = hx_ld16(HX_USED_IDX(HX_VRING0));
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big_tx, 497), DUET_ERR_TOO_LARGE);
    assert_int_equal(hx_ld16(HX_USED_IDX(HX_VRING0)), used0);
    assert_int_equal(duet_rpmsg_send(&HX_H.rpc, big_tx, 496), DUET_OK);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big_tx, 496), DUET_OK);
}

/* Fragments switched off on the remote (an Arduino/MicroPython-compatible remote). */
static void test_497_fragments_off(void **state)
{
    (void)state;
    hx_opts o = {.remote_no_fragments = true};
    hx_pair(&o);
    assert_int_equal(HX_H.rpc.peer_cap, 0);
    assert_int_equal(HX_R.rpc.peer_cap, 0);
    assert_int_equal(duet_rpmsg_endpoint_max_message(&HX_H.rpc), 496);
    assert_int_equal(duet_rpmsg_send(&HX_H.rpc, big_tx, 497), DUET_ERR_TOO_LARGE);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big_tx, 497), DUET_ERR_TOO_LARGE);
    /* The host keeps answering with the plain Arduino byte. */
    free(hx_shm);
    hx_shm = NULL;
    hx_opts o2 = {.host_rpc_no_reasm = true};
    hx_pair(&o2);
    assert_int_equal(HX_R.rpc.peer_cap, 0);
    assert_int_equal(HX_H.rpc.peer_cap, 0);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big_tx, 497), DUET_ERR_TOO_LARGE);
}

/* Between two duet sides with reassembly buffers, 64 KiB arrives whole, both ways. */
static void test_64k_message_whole(void **state)
{
    (void)state;
    assert_int_equal(duet_rpmsg_endpoint_max_message(&HX_R.rpc), sizeof hx_reasm_h);
    assert_int_equal(duet_rpmsg_endpoint_max_message(&HX_H.rpc), sizeof hx_reasm_r);
    for (int dir = 0; dir < 2; dir++) {
        hx_side *from = dir ? &HX_H : &HX_R, *to = dir ? &HX_R : &HX_H;
        hx_cap c = {0};
        memset(big_rx, 0, sizeof big_rx);
        c.buf = big_rx;
        c.cap = sizeof big_rx;
        duet_link_attach(&to->rpc.link, hx_cap_deliver, &c);
        fill(big_tx, 65536, 3 + (unsigned)dir);
        uint32_t tx0 = duet_rpmsg_get_stats(&from->dev).tx_msgs;
        assert_int_equal(duet_rpmsg_send(&from->rpc, big_tx, 65536), DUET_OK);
        /* 65536 = 132 * 496 + 64: 133 fragments. */
        assert_int_equal(duet_rpmsg_get_stats(&from->dev).tx_msgs - tx0, 133);
        for (int i = 0; i < 10 && c.msgs == 0; i++)
            assert_true(duet_rpmsg_poll(&to->dev) >= 0);
        assert_int_equal(c.msgs, 1);
        assert_int_equal(c.last_len, 65536);
        assert_memory_equal(big_rx, big_tx, 65536);
        /* Followed by small messages, unchanged. */
        c.len = 0;
        assert_int_equal(duet_rpmsg_send(&from->rpc, "abc", 3), DUET_OK);
        assert_int_equal(duet_rpmsg_poll(&to->dev), 1);
        assert_int_equal(c.msgs, 2);
        assert_memory_equal(big_rx, "abc", 3);
        assert_int_equal(duet_rpmsg_get_stats(&to->dev).dropped_large, 0);
    }
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big_tx, sizeof hx_reasm_h + 1), DUET_ERR_TOO_LARGE);
}

/* A fragmented message larger than the receiver's buffer is dropped and counted, and the
 * next one still arrives (the receiver's capacity is what it announced, so only a hostile
 * or confused sender does this: we forge the capacity). */
static void test_reassembly_overflow_counted(void **state)
{
    (void)state;
    hx_cap c = {0};
    c.buf = big_rx;
    c.cap = sizeof big_rx;
    duet_link_attach(&HX_H.rpc.link, hx_cap_deliver, &c);
    HX_H.rpc.reasm_cap = 1000; /* the host now takes less than it told the remote */
    fill(big_tx, 1500, 9);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big_tx, 1500), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 0);
    assert_int_equal(c.msgs, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).dropped_large, 1);
    assert_int_equal(duet_rpmsg_send(&HX_R.rpc, big_tx, 900), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 1);
    assert_int_equal(c.last_len, 900);
    assert_memory_equal(big_rx, big_tx, 900);
    HX_H.rpc.reasm_cap = sizeof hx_reasm_h;
}

/* ------------------------------------------------------------ rpc over the endpoints */

static duet_rpc rpc_r, rpc_h;
static uint8_t tx_r[70000], tx_h[70000];
static uint8_t res_r[DUET_RPC_MAX_INFLIGHT * 66000], res_h[DUET_RPC_MAX_INFLIGHT * 66000];

static int h_add(duet_req *c)
{
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

static int h_echo(duet_req *c)
{
    uint32_t n = 0;
    const uint8_t *p = duet_arg_bin(c, 0, &n);
    duet_msgpack_write_bin(duet_req_result(c), p, n);
    return DUET_OK;
}

static void test_rpc_over_rpmsg(void **state)
{
    (void)state;
    duet_rpc_config cr = {.tx_buffer = tx_r, .tx_size = sizeof tx_r, .result_buffer = res_r,
                          .result_size = sizeof res_r, .max_message = duet_rpmsg_endpoint_max_message(&HX_R.rpc)};
    duet_rpc_config ch = {.tx_buffer = tx_h, .tx_size = sizeof tx_h, .result_buffer = res_h,
                          .result_size = sizeof res_h, .max_message = duet_rpmsg_endpoint_max_message(&HX_H.rpc)};
    assert_int_equal(duet_rpc_init(&rpc_r, &HX_R.rpc.link, &cr), DUET_OK);
    assert_int_equal(duet_rpc_init(&rpc_h, &HX_H.rpc.link, &ch), DUET_OK);
    assert_int_equal(duet_rpc_bind(&rpc_h, "add", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(&rpc_h, "echo", "y:y", h_echo, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(&rpc_r, "add", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(&rpc_r, "echo", "y:y", h_echo, NULL), DUET_OK);

    int32_t r = 0;
    assert_int_equal(duet_rpc_call(&rpc_r, "add", "ii:i", 1, 2, &r), DUET_OK);
    assert_int_equal(r, 3);
    r = 0;
    assert_int_equal(duet_rpc_call(&rpc_h, "add", "ii:i", -40, -2, &r), DUET_OK);
    assert_int_equal(r, -42);

    fill(big_tx, 65536, 5);
    size_t ol = 0;
    memset(big_rx, 0, sizeof big_rx);
    assert_int_equal(duet_rpc_call(&rpc_r, "echo", "y:y", big_tx, (size_t)65536, big_rx, sizeof big_rx, &ol), DUET_OK);
    assert_int_equal(ol, 65536);
    assert_memory_equal(big_rx, big_tx, 65536);
    ol = 0;
    memset(big_rx, 0, sizeof big_rx);
    assert_int_equal(duet_rpc_call(&rpc_h, "echo", "y:y", big_tx, (size_t)65536, big_rx, sizeof big_rx, &ol), DUET_OK);
    assert_int_equal(ol, 65536);
    assert_memory_equal(big_rx, big_tx, 65536);

    for (int i = 0; i < 200; i++) {
        r = 0;
        assert_int_equal(duet_rpc_call(&rpc_r, "add", "ii:i", i, 1000, &r), DUET_OK);
        assert_int_equal(r, i + 1000);
    }
    duet_rpc_stats s = duet_rpc_get_stats(&rpc_h);
    assert_int_equal(s.malformed, 0);
    assert_int_equal(s.send_failures, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).corrupt, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).corrupt, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).dropped_large, 0);
}

/* ------------------------------------------------------------ notification suppression */

/* What the host's deliver saw while its poll ran: the flags it wrote, and whether the remote
 * rang for a message sent meanwhile. (A side's `rings` counts the rings it made.) */
static struct {
    uint16_t rx_flag;
    unsigned host_rings;
    unsigned calls;
} in_poll;

static bool send_while_polled(void *up, const uint8_t *data, size_t len)
{
    (void)up;
    (void)data;
    (void)len;
    if (in_poll.calls++ == 0) {
        in_poll.rx_flag = hx_ld16(HX_AVAIL_FLAGS(HX_VRING0));
        unsigned rings = HX_R.rings;
        assert_int_equal(duet_rpmsg_send(&HX_R.raw, "b", 1), DUET_OK);
        in_poll.host_rings = HX_R.rings - rings;
    }
    return true;
}

/* virtio's flags, as OpenAMP and Linux read them: the host sets VRING_AVAIL_F_NO_INTERRUPT
 * on vring0 while it polls (the remote then does not ring), clears it when it stops; the
 * remote sets VRING_USED_F_NO_NOTIFY on vring1 while it polls. A message sent meanwhile is
 * taken by the same poll. */
static void test_flags_while_polling(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    duet_link_attach(&HX_H.raw.link, send_while_polled, NULL);
    memset(&in_poll, 0, sizeof in_poll);
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "a", 1), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 2);
    assert_int_equal(in_poll.rx_flag, 1);
    assert_int_equal(in_poll.host_rings, 0);
    assert_int_equal(hx_ld16(HX_AVAIL_FLAGS(HX_VRING0)), 0);
    /* Idle, the remote rings again. */
    unsigned rings = HX_R.rings;
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "c", 1), DUET_OK);
    assert_int_equal(HX_R.rings, rings + 1);
    assert_int_equal(hx_ld16(HX_USED_FLAGS(HX_VRING1)), 0);
}

static void no_lock(duet_port *port)
{
    (void)port;
}

/* A port with threads (a lock): another thread may sleep waiting for what a poll delivers,
 * so the poll does not ask the other side to stop ringing. */
static void test_no_quiet_with_threads(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    HX_H.port.lock = HX_H.port.unlock = no_lock;
    duet_link_attach(&HX_H.raw.link, send_while_polled, NULL);
    memset(&in_poll, 0, sizeof in_poll);
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "a", 1), DUET_OK);
    assert_int_equal(duet_rpmsg_poll(&HX_H.dev), 2);
    assert_int_equal(in_poll.rx_flag, 0);
    assert_int_equal(in_poll.host_rings, 1);
    HX_H.port.lock = HX_H.port.unlock = NULL;
}

/* A peer's flags are honoured: no ring while it asks for none (it polls anyway), a ring as
 * soon as it clears the flag; and a peer that never sets them is rung every time. */
static void test_peer_flags_honoured(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    unsigned rings = HX_R.rings;
    hx_st16(HX_AVAIL_FLAGS(HX_VRING0), 1); /* a host that polls anyway */
    assert_int_equal(duet_rpmsg_send(&HX_R.raw, "a", 1), DUET_OK);
    assert_int_equal(HX_R.rings, rings);
    hx_st16(HX_AVAIL_FLAGS(HX_VRING0), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(duet_rpmsg_send(&HX_R.raw, "b", 1), DUET_OK);
    assert_int_equal(HX_R.rings, rings + 3);
    rings = HX_H.rings;
    hx_st16(HX_USED_FLAGS(HX_VRING1), 1); /* a remote that polls anyway */
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, "c", 1), DUET_OK);
    assert_int_equal(HX_H.rings, rings);
    hx_st16(HX_USED_FLAGS(HX_VRING1), 0);
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, "d", 1), DUET_OK);
    assert_int_equal(HX_H.rings, rings + 1);
}

/* Returned send buffers: a side asks to hear of them only when it ran out. The host sets
 * NO_INTERRUPT on vring1 while it has free buffers; out of them it clears it, and the
 * remote's poll that returns them rings. */
static void test_buffers_returned_ring_only_when_wanted(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    hx_cap c = {0};
    duet_link_attach(&HX_R.raw.link, hx_cap_deliver, &c);
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, "m", 1), DUET_OK);
    assert_int_equal(hx_ld16(HX_AVAIL_FLAGS(HX_VRING1)), 1);
    unsigned rings = HX_R.rings;
    assert_int_equal(duet_rpmsg_poll(&HX_R.dev), 1); /* returns the buffer: no ring wanted */
    assert_int_equal(HX_R.rings, rings);
    uint32_t old = duet_rpmsg_set_send_timeout(&HX_H.dev, 0);
    int err;
    while ((err = duet_rpmsg_send(&HX_H.raw, "m", 1)) == DUET_OK) {
    }
    assert_int_equal(err, DUET_ERR_TIMEOUT);
    assert_int_equal(hx_ld16(HX_AVAIL_FLAGS(HX_VRING1)), 0);
    assert_true(duet_rpmsg_poll(&HX_R.dev) > 0);
    assert_int_equal(HX_R.rings, rings + 1);
    assert_int_equal(duet_rpmsg_send(&HX_H.raw, "m", 1), DUET_OK);
    assert_int_equal(hx_ld16(HX_AVAIL_FLAGS(HX_VRING1)), 1);
    duet_rpmsg_set_send_timeout(&HX_H.dev, old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_giga_values),
        cmocka_unit_test(test_host_writes_table_and_rings),
        cmocka_unit_test(test_handshake_bytes),
        cmocka_unit_test_setup_teardown(test_message_bytes, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_496_passes_497_too_large, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_497_to_peer_without_reasm, NULL, hx_teardown),
        cmocka_unit_test_setup_teardown(test_497_fragments_off, NULL, hx_teardown),
        cmocka_unit_test_setup_teardown(test_64k_message_whole, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_reassembly_overflow_counted, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_rpc_over_rpmsg, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_flags_while_polling, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_peer_flags_honoured, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_no_quiet_with_threads, hx_setup, hx_teardown),
        cmocka_unit_test_setup_teardown(test_buffers_returned_ring_only_when_wanted, hx_setup, hx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

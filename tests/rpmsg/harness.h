/* tests/rpmsg/harness.h - two duet_rpmsg devices (host and remote) in one process.
 *
 * One 64 KiB block stands for SRAM4 at device address 0x38000000; both duet_port structs
 * point at it (host cpu_id 3, remote cpu_id 1). There is no OS:
 *  - ring() counts doorbells;
 *  - wait() advances a shared virtual clock by step_ms (1 ms unless changed) and, unless
 *    the side's poll_other is cleared, polls the OTHER device (the other core running
 *    meanwhile), then runs the side's idle hook; nesting is bounded (HX_MAX_DEPTH);
 *  - now_ms() returns the virtual clock.
 * The block is allocated with malloc at exactly 64 KiB so that the ASan build of a test
 * reports any access outside the shared region.
 *
 * Addresses below are the GIGA R1 layout of docs/wire.md (duet_rpmsg_layout_giga()).
 */
#ifndef DUET_TEST_RPMSG_HARNESS_H
#define DUET_TEST_RPMSG_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "duet/rpmsg.h"

#define HX_DA 0x38000000u
#define HX_SIZE 0x10000u
#define HX_MAX_DEPTH 4

/* Resource table (offsets from HX_DA). */
#define HX_RSC_VER 0u
#define HX_RSC_NUM 4u
#define HX_RSC_OFF0 16u
#define HX_VDEV 20u                 /* the vdev entry */
#define HX_VDEV_TYPE (HX_VDEV + 0)
#define HX_VDEV_ID (HX_VDEV + 4)
#define HX_VDEV_NOTIFYID (HX_VDEV + 8)
#define HX_VDEV_DFEATURES (HX_VDEV + 12)
#define HX_VDEV_GFEATURES (HX_VDEV + 16)
#define HX_VDEV_CONFIG_LEN (HX_VDEV + 20)
#define HX_VDEV_STATUS (HX_VDEV + 24)  /* u8 */
#define HX_VDEV_NUM_VRINGS (HX_VDEV + 25) /* u8 */
#define HX_VRING_ENTRY(i) (HX_VDEV + 28 + 20 * (i)) /* da, align, num, notifyid, pa */

/* The two vrings (device addresses) and their parts, 64 descriptors, used ring aligned to 32. */
#define HX_VRING0 0x38001400u /* remote -> host */
#define HX_VRING1 0x38000400u /* host -> remote */
#define HX_NUM 64u
#define HX_DESC(v, i) ((v) + 16u * (uint32_t)(i))           /* u64 addr, u32 len, u16 flags, u16 next */
#define HX_AVAIL_FLAGS(v) ((v) + 0x400u)
#define HX_AVAIL_IDX(v) ((v) + 0x402u)
#define HX_AVAIL_RING(v, i) ((v) + 0x404u + 2u * (uint32_t)(i))
#define HX_USED_FLAGS(v) ((v) + 0x4a0u)
#define HX_USED_IDX(v) ((v) + 0x4a2u)
#define HX_USED_ID(v, i) ((v) + 0x4a4u + 8u * (uint32_t)(i))
#define HX_USED_LEN(v, i) ((v) + 0x4a8u + 8u * (uint32_t)(i))

/* The pool: host receive buffer i at HX_POOL + 512 i (i < 64), host send buffer id after them. */
#define HX_POOL 0x38002400u
#define HX_BUF 512u
#define HX_PAYLOAD 496u
#define HX_RXBUF(i) (HX_POOL + HX_BUF * (uint32_t)(i))
#define HX_TXBUF(id) (HX_POOL + HX_BUF * (64u + (uint32_t)(id)))

#define HX_REASM 70000u

typedef struct hx_side {
    duet_port port;
    duet_rpmsg dev;
    duet_rpmsg_endpoint raw, rpc;
    bool live;            /* dev was set up: the other side's wait() may poll it */
    bool poll_other;      /* wait() polls the other device */
    uint32_t step_ms;     /* virtual ms per wait() (0: 1) */
    unsigned rings, waits;
    void (*idle)(void *arg); /* run by wait() after polling the other side */
    void *idle_arg;
} hx_side;

extern hx_side HX_H, HX_R;
extern uint8_t *hx_shm;
extern uint32_t hx_clock;
extern uint8_t hx_reasm_h[HX_REASM], hx_reasm_r[HX_REASM];

/* What hx_pair sets up. */
typedef struct hx_opts {
    bool remote_rpc_no_reasm;   /* the remote's "rpc" endpoint gets no reassembly buffer */
    bool host_rpc_no_reasm;
    size_t host_rpc_cap;        /* not 0: the host's "rpc" endpoint reassembles messages up to this
                                 * many bytes (announced), in host_rpc_room bytes of hx_reasm_h */
    size_t host_rpc_room;
    bool remote_no_fragments;   /* duet_rpmsg_set_fragments(remote, false) */
} hx_opts;

/* A fresh region (all zero), clock 0, both ports filled in, nothing set up. */
void hx_reset(void);
/* hx_reset, then host and remote set up with "raw" (no reassembly) and "rpc" (70000-byte
 * reassembly buffers unless opts says otherwise), handshake done; asserts every step. */
void hx_pair(const hx_opts *opts);
/* cmocka setup/teardown: hx_pair(NULL) / free the region. */
int hx_setup(void **state);
int hx_teardown(void **state);

/* Bytes of the shared region by device address (asserts the address lies inside). */
uint8_t *hx_at(uint32_t da);
uint32_t hx_ld32(uint32_t da);
uint16_t hx_ld16(uint32_t da);
void hx_st32(uint32_t da, uint32_t v);
void hx_st16(uint32_t da, uint16_t v);
void hx_st8(uint32_t da, uint8_t v);

/* The address of the buffer (header first) of the most recent used entry of vring0, i.e.
 * what the remote sent last and the host has not taken yet. */
uint32_t hx_last_sent_by_remote(void);
/* The address of the buffer of the most recent avail entry of vring1 (sent by the host). */
uint32_t hx_last_sent_by_host(void);

/* A deliver callback that appends everything to a buffer. */
typedef struct hx_cap {
    uint8_t *buf;
    size_t cap;
    size_t len;           /* bytes kept */
    unsigned msgs;        /* messages taken */
    size_t last_len;
    bool refuse;          /* return false (the link keeps the message) */
    unsigned refused;
} hx_cap;
bool hx_cap_deliver(void *up, const uint8_t *data, size_t len);

/* How many announcements the host dev keeps for endpoints not created yet. */
unsigned hx_early_count(const duet_rpmsg *dev);

/* The name in the k-th (from 0) of them, read from the receive buffer that keeps it. */
const char *hx_early_name(const duet_rpmsg *dev, unsigned k);

/* Asserts that dev went down on shared memory it found corrupt: err, why, counter, and
 * that every later call fails (poll, send on ep if given, wait_ready, endpoint_create). */
void hx_expect_corrupt(duet_rpmsg *dev, duet_rpmsg_endpoint *ep);

#endif

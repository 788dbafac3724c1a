/* transport/internal.h - what the files of the RPMsg transport share; not a public header. */
#ifndef DUET_TRANSPORT_INTERNAL_H
#define DUET_TRANSPORT_INTERNAL_H

#include "duet/rpmsg.h"

#include <string.h>

#include "base/text.h" /* duet_text_pick: a sentence, or the small configuration's words */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "duet's rpmsg reads shared memory as little endian, as the Cortex-M cores write it"
#endif

/*
 * Memory ordering. Each side publishes work in two steps: it writes the buffer and the
 * ring entry, then the ring's index. The other side reads the index, then the entry and
 * the buffer. A release fence sits before the index store and an acquire fence after the
 * index load, so an index is never seen before what it covers. On Cortex-M both are a
 * DMB; on x86, whose stores are seen in order, they only stop the compiler reordering.
 */
static inline void publish_fence(void)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void consume_fence(void)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

/*
 * Notification suppression (virtio's flags, without event indices). Each side asks the
 * other not to ring for a ring while it will look at that ring anyway: the host in the
 * avail ring's flags (VRING_AVAIL_F_NO_INTERRUPT), the remote in the used ring's flags
 * (VRING_USED_F_NO_NOTIFY). A side that publishes work then reads the other's flag and
 * rings unless asked not to; a side that stops looking clears its flag, then looks once
 * more. A full fence sits between the store and the load on both sides, so that one of them
 * sees the other: no wake-up is lost. A peer that ignores the flags rings always, and one
 * that never sets them is rung always: both work.
 */
static inline void full_fence(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* The per-buffer helpers of vring.c go into their callers' line where the build is for speed
 * (the benchmarks, the QEMU images), and stay one copy where it is for size (-Os, firmware). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
#define HOT __attribute__((always_inline)) inline
#else
#define HOT inline
#endif

/* A path taken rarely goes out of its caller's line where the build is for speed, so that
 * the hot path around it keeps its registers; where it is for size, the compiler decides. */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
#define COLD __attribute__((noinline))
#else
#define COLD
#endif

/* A function the compiler would put into its caller's line where the build is for size,
 * though the caller then grows by more than the function (its registers spill): out of line
 * there. Where the build is for speed, the compiler decides. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__OPTIMIZE_SIZE__)
#define OWN_LINE __attribute__((noinline))
#else
#define OWN_LINE
#endif

enum { RING_QUIET = 1 }; /* VRING_AVAIL_F_NO_INTERRUPT and VRING_USED_F_NO_NOTIFY: both 1 */

/* Whether this program is the host. A constant where only one role is linked
 * (DUET_RPMSG_ROLES), so that the compiler drops the other role's code. */
static inline bool is_host(const duet_rpmsg *dev)
{
#if DUET_RPMSG_ROLES == 1
    (void)dev;
    return true;
#elif DUET_RPMSG_ROLES == 2
    (void)dev;
    return false;
#else
    return dev->role == DUET_RPMSG_HOST;
#endif
}

/* The endpoint whose link is link. */
static inline duet_rpmsg_endpoint *ep_of(duet_link *link)
{
    return (duet_rpmsg_endpoint *)(void *)((char *)link - offsetof(duet_rpmsg_endpoint, link));
}

/* Whether messages over one buffer are linked in (DUET_RPMSG_FRAGMENTS) and offered. */
static inline bool fragments_on(const duet_rpmsg *dev)
{
    return DUET_RPMSG_FRAGMENTS && dev->fragments;
}

/* Whether role's code is linked into this program. */
static inline bool role_linked(duet_rpmsg_role role)
{
    return DUET_RPMSG_ROLES == 0 || DUET_RPMSG_ROLES == (int)role + 1;
}


static inline uint16_t ld16(volatile const uint8_t *p) { return *(volatile const uint16_t *)(const volatile void *)p; }
static inline uint32_t ld32(volatile const uint8_t *p) { return *(volatile const uint32_t *)(const volatile void *)p; }
static inline void st16(volatile uint8_t *p, uint16_t v) { *(volatile uint16_t *)(volatile void *)p = v; }
static inline void st32(volatile uint8_t *p, uint32_t v) { *(volatile uint32_t *)(volatile void *)p = v; }

/* Zeroes shared memory nobody reads yet (the host's set-up, before its fences). */
static inline void zero(volatile uint8_t *p, size_t n)
{
    memset((uint8_t *)(uintptr_t)p, 0, n);
}

/* Where a vring of num descriptors has its used ring (aligned to align), in bytes from its
 * start: after the descriptors (16 bytes each) and the avail ring (6 + 2 * num). The used
 * ring's 6 + 8 * num bytes end the vring (duet_rpmsg_vring_size). In line in the set-up, so
 * that a firmware links no duet_rpmsg_vring_size. */
static inline size_t vring_used_off(uint32_t num, uint32_t align)
{
    return (16 * (size_t)num + (6 + 2 * (size_t)num) + align - 1) & ~((size_t)align - 1);
}

/* Resource table and virtio constants (OpenAMP / Linux remoteproc). */
enum {
    RSC_VDEV = 3,
    VIRTIO_ID_RPMSG = 7,
    VIRTIO_RPMSG_F_NS = 1u << 0,
    STATUS_DRIVER_OK = 4,
    STATUS_ALL = 1 | 2 | 4, /* ACKNOWLEDGE | DRIVER | DRIVER_OK */
    DESC_F_WRITE = 2,
    VDEV_SIZE = 28,         /* struct fw_rsc_vdev without its vrings */
    VRING_ENTRY_SIZE = 20,  /* struct fw_rsc_vdev_vring */
    TABLE_HEAD = 16,        /* ver, num, reserved[2] */
    NS_MSG_SIZE = 40,       /* name[32], addr, flags */
    NS_DESTROY = 1,
};

/* Header flag of a duet fragment that more fragments follow (duet peers only). */
#define FRAG_MORE 0x8000u
/* Header flag of the first buffer of a message sent after one whose sending failed part-way
 * (a fragment found no buffer in time): the fragments of it the peer has are no message. */
#define FRAG_RESTART 0x4000u

/* After the NUL of an announced name, a duet side writes this and its reassembly capacity. */
extern const char duet_rpmsg_marker[6];

/* The largest payload of one buffer. */
static inline size_t payload_max(const duet_rpmsg *dev)
{
    return dev->lay.buf_size - DUET_RPMSG_HEADER_SIZE;
}

/* rpmsg.c: the link goes down for good: shared memory broke a rule. Returns DUET_ERR_CORRUPT. */
int duet_rpmsg_corrupt(duet_rpmsg *dev, const char *why);

/* rpmsg.c: publishes what was sent and the receive buffers handed back, then rings the
 * doorbell if the other side asked to hear of anything published since the last ring. */
void duet_rpmsg_notify(duet_rpmsg *dev);

/* rpmsg.c: what a duet peer said it reassembles; ep's link may then send that much. */
void duet_rpmsg_set_peer_cap(duet_rpmsg_endpoint *ep, uint32_t cap);

/* How duet_rpmsg_send_one sends: serving what arrives while it waits for a buffer; with
 * more messages to follow at once (the other side hears of them with the last); without
 * waiting for a free buffer; to the name service instead of the endpoint's peer; and
 * (FRAG_MORE and FRAG_RESTART, the header's flags) with more fragments to follow, after a
 * message cut part-way. */
enum { SEND_DELIVER = 1, SEND_MORE = 2, SEND_NOW = 4, SEND_NS = 8 };

/* rpmsg.c: sends one buffer's worth from ep to its peer (how: SEND_* and FRAG_MORE; see the
 * function). */
int duet_rpmsg_send_one(const duet_rpmsg_endpoint *ep, const uint8_t *data, uint16_t len, unsigned how);

/* The stream's fast paths, an endpoint's link.read and link.send_split, where built for
 * speed. A build for size (-Os, as a firmware is built) leaves them out: the stream then
 * takes its bytes through deliver() and sends message by message, as over any link (on a
 * Cortex-M its text leaves by a UART far slower than either path). */
#if defined(__OPTIMIZE_SIZE__)
#define DUET_RPMSG_STREAM_PATHS 0
#else
#define DUET_RPMSG_STREAM_PATHS 1
#endif

/* The remote's run of messages into buffers adjacent in the pool, written through a staging
 * area on the stack and copied in one piece (vring.c, fill_buffers), where the cores share
 * memory through their caches (a PC): a copy of kilobytes moves cache lines between cores
 * far faster than one per 512-byte buffer (x86: ~2x). A Cortex-M's shared SRAM is not
 * cached, so there the staging would only add a copy: off. */
#if DUET_RPMSG_STREAM_PATHS && !(defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M')
#define DUET_RPMSG_STAGED_RUNS 1
#else
#define DUET_RPMSG_STAGED_RUNS 0
#endif

/* receive.c: an endpoint's link.read: copies the bytes of messages not delivered (link.h). */
size_t duet_rpmsg_read(duet_link *link, uint8_t *buf, size_t cap);

/* ------------------------------------------------------------ vring.c: rings and buffers */

/* duet_port_map of dev's port, in one place (not inlined in every file). */
void *duet_rpmsg_map(const duet_rpmsg *dev, uint32_t da, size_t n);

/* A received buffer: its descriptor id, where it is, and its length as the ring says. */
typedef struct rx_buf {
    uint16_t id;
    uint32_t len;
    uint16_t msg_len;           /* the header's length, read once and checked */
    volatile uint8_t *p;
} rx_buf;


/* A buffer to send in: its descriptor id and where it is. */
typedef struct tx_buf {
    uint16_t id;
    uint32_t cap;
    volatile uint8_t *p;
} tx_buf;

/* Hands a received buffer back to the other side (published by duet_rpmsg_publish). */
void duet_rpmsg_rx_release(duet_rpmsg *dev, uint16_t id, uint32_t len);

/* Publishes what was sent and the buffers handed back since the last call: one index store
 * per ring. */
void duet_rpmsg_publish(duet_rpmsg *dev);

/* Whether a poll has nothing to do on the rings: all sent and handed back is published and
 * rung for, and the other side published nothing new (the host: on either ring). */
bool duet_rpmsg_idle(const duet_rpmsg *dev);

/* Maps receive buffer id and checks what the other side wrote about it (its descriptor,
 * the message's length). @retval 1, DUET_ERR_CORRUPT */
int duet_rpmsg_rx_map(duet_rpmsg *dev, uint16_t id, rx_buf *b);

/* Asks the other side to ring (quiet false) or not (quiet true) when it publishes on v.
 * When it may ring again, looks once more: true if v has work waiting now. */
bool duet_rpmsg_quiet(duet_rpmsg *dev, duet_vring *v, bool quiet);

/* The next received buffer, checking everything the other side wrote: taken out of the
 * ring (take), or left there until rx_took. @retval 1 there is one (in b), 0 none,
 * DUET_ERR_CORRUPT */
int duet_rpmsg_rx_next(duet_rpmsg *dev, rx_buf *b, bool take);

/* Takes the buffer rx_next found (and left) out of the ring: ours until handed back. */
static inline void rx_took(duet_rpmsg *dev, const rx_buf *b)
{
    dev->rx.last++;
    dev->rx_next[b->id] = DUET_RPMSG_ID_NONE;
}

/* Host: takes back the send buffers the remote is done with. */
int duet_rpmsg_tx_reclaim(duet_rpmsg *dev);

/* Takes a free send buffer. @retval 1 got one, 0 none free now, DUET_ERR_CORRUPT.
 * With none free, it asks the other side to ring when it returns one. */
int duet_rpmsg_tx_take(duet_rpmsg *dev, tx_buf *b);

/* Writes a message's header into the send buffer at p. */
static inline void put_header(volatile uint8_t *p, uint32_t src, uint32_t dst, uint16_t len, uint16_t flags)
{
    st32(p + 0, src);
    st32(p + 4, dst);
    st32(p + 8, 0);
    st16(p + 12, len);
    st16(p + 14, flags);
}

/* Hands a send buffer whose header and len bytes of payload are written to the other side
 * (seen there once published: the fence before the index orders them). */
void duet_rpmsg_tx_give(duet_rpmsg *dev, const tx_buf *b, uint16_t len);

/* The bytes of a run (link.send_split): head's head_len (a stream's gathered bytes; may be
 * none), then data's len, as one sequence. */
typedef struct tx_bytes {
    const uint8_t *head;
    size_t head_len;
    const uint8_t *data;
    size_t len;
} tx_bytes;

/* Sends the bytes of run from its byte at on, as messages of piece bytes (at most a
 * buffer's payload; the last may be shorter), each into a buffer free now, without
 * waiting and without publishing. Returns the bytes sent; *err is DUET_OK, or
 * DUET_ERR_CORRUPT. Built for speed only (the stream's link.send_split). */
size_t duet_rpmsg_tx_run(duet_rpmsg *dev, uint32_t src, uint32_t dst, const tx_bytes *run, size_t at, size_t piece,
                         int *err);

/* ------------------------------------------------------------ name_service.c */

/* Builds the announcement of an endpoint: name, marker and capacity after the NUL, address. */
void duet_rpmsg_ns_message(const duet_rpmsg *dev, const duet_rpmsg_endpoint *ep, uint8_t msg[NS_MSG_SIZE]);

/* Reads a duet marker and capacity at p (n bytes); 0 if there is none. */
uint32_t duet_rpmsg_marker_cap(const uint8_t *p, size_t n);

/* The endpoint named by the len bytes at name (no NUL among them), or NULL. */
duet_rpmsg_endpoint *duet_rpmsg_ep_by_name(const duet_rpmsg *dev, const void *name, size_t len);

/* Host: the name-service message in receive buffer b: handled, and its buffer handed back;
 * or, an announcement of a name without an endpoint yet, kept (the buffer stays ours) for
 * duet_rpmsg_ns_created. */
void duet_rpmsg_ns_buffer(duet_rpmsg *dev, const rx_buf *b);

/* A new endpoint: the remote announces it; the host answers the remote's announcement of
 * its name if that came first. Returns DUET_OK or the error of the link. */
int duet_rpmsg_ns_created(duet_rpmsg *dev, duet_rpmsg_endpoint *ep);

/* Host: binds ep to the remote's address and answers with the handshake. */
void duet_rpmsg_host_answer(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, uint32_t addr, uint32_t cap);

#endif

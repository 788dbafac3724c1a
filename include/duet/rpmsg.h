/* duet/rpmsg.h - RPMsg endpoints and name service over virtio split rings (OpenAMP layout). */
#ifndef DUET_RPMSG_H
#define DUET_RPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/config.h"
#include "duet/error.h"
#include "duet/link.h"
#include "duet/port.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DUET_RPMSG_HEADER_SIZE 16       /* u32 src, u32 dst, u32 reserved, u16 len, u16 flags */
#define DUET_RPMSG_NS_ADDR 0x35         /* the name service endpoint */
#define DUET_RPMSG_FIRST_ADDR 1024      /* first address given to a local endpoint */
#define DUET_RPMSG_ADDR_ANY 0xffffffffu
#define DUET_RPMSG_NAME_SIZE 32

/*
 * Where everything lives in the shared region, as device addresses. The GIGA R1's values
 * (SRAM4, as the Arduino RPC library and MicroPython use them) come from
 * duet_rpmsg_layout_giga(); another board fills in its own.
 *
 * vring0 carries messages from the remote (M4) to the host (M7), vring1 from the host
 * to the remote, as in OpenAMP and Linux. Every buffer comes from the pool: the host
 * posts pool buffers 0..n-1 empty on vring0 and sends in the ones after them.
 */
typedef struct duet_rpmsg_layout {
    uint32_t rsc_da;      /* resource table */
    uint32_t rsc_size;
    uint32_t vring0_da;   /* remote -> host */
    uint32_t vring1_da;   /* host -> remote */
    uint32_t vring_num;   /* descriptors per vring (power of two) */
    uint32_t vring_align; /* alignment of the used ring (power of two) */
    uint32_t pool_da;     /* buffer pool */
    uint32_t pool_size;
    uint32_t buf_size;    /* bytes per buffer, the 16-byte header included */
} duet_rpmsg_layout;

/* The GIGA R1 / Portenta H7 layout: table at 0x38000000, vrings at 0x38001400 and
 * 0x38000400 (64 descriptors, align 32), pool 0x38002400..0x38010000, 512-byte buffers. */
extern const duet_rpmsg_layout duet_rpmsg_giga_layout;

/* A copy of duet_rpmsg_giga_layout. */
duet_rpmsg_layout duet_rpmsg_layout_giga(void);

/* The size in bytes of a vring of num descriptors with the used ring aligned to align. */
size_t duet_rpmsg_vring_size(uint32_t num, uint32_t align);

typedef enum duet_rpmsg_role {
    DUET_RPMSG_HOST = 0,   /* the M7: virtio driver, writes the table and rings */
    DUET_RPMSG_REMOTE = 1  /* the M4: virtio device, finds them */
} duet_rpmsg_role;

/* Counters. corrupt > 0 means the link went down because shared memory broke the rules. */
typedef struct duet_rpmsg_stats {
    uint32_t rx_msgs;        /* messages delivered to endpoints */
    uint32_t tx_msgs;        /* messages sent (fragments count one each) */
    uint32_t corrupt;        /* shared-memory violations seen (the link is down after the first) */
    uint32_t bad_messages;   /* messages with an unknown destination, bad name-service messages,
                              * or a message in part whose sender gave up on it */
    uint32_t buffer_waits;   /* sends that had to wait for a free buffer */
    uint32_t held;           /* messages an endpoint could not take at once (kept, offered again) */
    uint32_t dropped_large;  /* reassembled messages over an endpoint's reassembly buffer */
} duet_rpmsg_stats;

typedef struct duet_rpmsg duet_rpmsg;

#if DUET_RPMSG_MAX_ENDPOINTS < 1 || DUET_RPMSG_MAX_ENDPOINTS > 255
#error "DUET_RPMSG_MAX_ENDPOINTS must be between 1 and 255"
#endif

/* Values of the id lists below besides ids. Internal. */
#define DUET_RPMSG_ID_NONE ((duet_rpmsg_id)-1)  /* the end of a list */
#define DUET_RPMSG_ID_AWAY ((duet_rpmsg_id)-2)  /* the buffer is with the other side */

/* A descriptor id as the device keeps it: one byte while the rings are small. Internal. */
#if DUET_RPMSG_MAX_RING <= 128
typedef uint8_t duet_rpmsg_id;
#else
typedef uint16_t duet_rpmsg_id;
#endif

/* An endpoint: a named channel to the other core, and a duet_link for rpc or stream. (Its
 * own fields come first, the link last: a Cortex-M reaches a struct's first 32 bytes with
 * its shortest instructions.) */
typedef struct duet_rpmsg_endpoint {
    duet_rpmsg *dev;
    uint32_t addr;              /* local address (DUET_RPMSG_FIRST_ADDR and up) */
    uint32_t dest;              /* the other side's address, DUET_RPMSG_ADDR_ANY until known */
    bool ready;                 /* handshake done: dest known */
    bool reasm_overflow;
    bool reasm_ready;           /* reasm holds a whole message not yet taken */
    duet_rpmsg_id held_head;    /* messages not taken yet, in order: their receive buffers, */
    duet_rpmsg_id held_tail;    /* linked through the device's rx_next */
    uint16_t held_count;
    uint16_t held_off;          /* bytes of the first held message already read (link.read) */
    bool tx_cut;                /* the peer has fragments of a message not finished: the next
                                 * message sent says so (a send that failed part-way) */
    uint8_t *reasm;             /* reassembly of fragmented messages (duet peers only); while
                                 * one is delivered, the room above it */
    size_t reasm_cap;           /* the largest message reassembled (announced to the peer) */
    size_t reasm_len;
#if DUET_RPMSG_FRAGMENTS
    size_t reasm_room;          /* bytes at reasm (at least reasm_cap) */
#endif
    uint32_t peer_cap;          /* largest message the peer reassembles (0: one buffer only) */
    const char *name;           /* the caller's (endpoint_create keeps the pointer) */
    duet_link link;             /* the layer above's: &ep->link */
} duet_rpmsg_endpoint;

/* One vring as this side sees it: pointers checked at set-up, and private indices. */
typedef struct duet_vring {
    uint16_t last;              /* next entry to take (used ring for the host, avail for the remote) */
    uint16_t seen;              /* the other side's index as last read: entries up to it are there */
    uint16_t shadow;            /* our own copy of the index we publish (avail or used idx) */
    uint16_t published;         /* what the shared index says (receive rings publish in batches) */
    uint16_t num;
    bool quiet;                 /* we asked the other side not to ring for this ring */
    volatile uint8_t *desc;
    volatile uint8_t *avail;
    volatile uint8_t *used;
} duet_vring;

/* What the device keeps of its layout once it is set up: the buffer pool. Internal. */
typedef struct duet_rpmsg_pool_layout {
    uint32_t pool_da;
    uint32_t pool_size;
    uint32_t buf_size;
} duet_rpmsg_pool_layout;

/* The device: all state of one side, owned by the caller. (The fields used most come first:
 * a Cortex-M reaches the first 32 bytes of a struct with its shortest instructions.) */
struct duet_rpmsg {
    int err;                    /* DUET_ERR_CORRUPT or DUET_ERR_LINK_DOWN once the link is down */
    bool pending;               /* an endpoint may keep messages (held, or reassembled) */
    bool notify_pending;        /* the other side asked to hear of what we published: ring */
    bool fragments;             /* this side offers fragmented messages (duet peers only) */
    duet_rpmsg_id tx_free;      /* host: the first free send buffer */
    uint8_t polling;            /* polls running (nested in a send that waits) */
    uint8_t ep_count;           /* endpoint i has address DUET_RPMSG_FIRST_ADDR + i */
    uint8_t role;               /* duet_rpmsg_role */
    bool retry;                 /* a message was reassembled in this poll: offer it at its end */
    /* Host: announcements of names it has no endpoint for yet, kept in their receive
     * buffers (at most DUET_RPMSG_MAX_ENDPOINTS) until one is created: the first, linked
     * through rx_next, and how many. */
    duet_rpmsg_id ns_held;
    uint8_t ns_count;
    duet_port *port;
    volatile uint8_t *pool;     /* the buffer pool, mapped once its place is checked */
    uint16_t tx_free_count;
    uint16_t tx_bufs;           /* host: tx buffers the pool holds */
    duet_vring rx;              /* host: vring0, remote: vring1 */
    duet_vring tx;              /* host: vring1, remote: vring0 */
    duet_rpmsg_pool_layout lay;
    duet_rpmsg_stats stats;
    const char *why;            /* what went wrong, for a person */
    uint32_t send_timeout_ms;
    duet_rpmsg_endpoint *eps[DUET_RPMSG_MAX_ENDPOINTS];
    /* Per receive buffer: DUET_RPMSG_ID_AWAY while the other side has it; ours, the next
     * buffer held for the same endpoint (DUET_RPMSG_ID_NONE: none). */
    duet_rpmsg_id rx_next[DUET_RPMSG_MAX_RING];
    /* Host, per send buffer: DUET_RPMSG_ID_AWAY while the remote has it; free, the next
     * free one (DUET_RPMSG_ID_NONE: none). */
    duet_rpmsg_id tx_next[DUET_RPMSG_MAX_RING];
};

/*
 * Host: writes the resource table, sets up both vrings, posts the receive buffers, sets
 * DRIVER_OK and rings the doorbell. The remote may start before or after.
 * @retval DUET_OK
 * @retval DUET_ERR_ARG  the layout does not fit the region or the limits above
 */
int duet_rpmsg_init_host(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay) DUET_MUST_CHECK;

/*
 * Remote: waits up to timeout_ms for the host's resource table and DRIVER_OK, then checks
 * every field of it (offsets, types, ring addresses, sizes and alignment) before use.
 * @retval DUET_OK
 * @retval DUET_ERR_TIMEOUT  the host did not set up in time
 * @retval DUET_ERR_CORRUPT  the table breaks the rules (duet_rpmsg_error_text() says which)
 */
int duet_rpmsg_init_remote(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay, uint32_t timeout_ms) DUET_MUST_CHECK;

/*
 * Creates an endpoint. On the remote it gets the next local address and is announced to
 * the host by the name service; on the host it waits for the remote's announcement of the
 * same name, then answers it (the Arduino handshake). reasm_buf (may be NULL) receives
 * messages larger than one buffer from a duet peer. The endpoint keeps the pointer name
 * (a string literal, or one that stays as long as the endpoint).
 * @retval DUET_OK, DUET_ERR_FULL, DUET_ERR_ARG, DUET_ERR_EXISTS, or a send error.
 */
int duet_rpmsg_endpoint_create(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const char *name, void *reasm_buf,
                               size_t reasm_cap);

/* Tells ep that its reassembly buffer (endpoint_create's reasm_buf) holds bytes, more than
 * the largest message it reassembles (reasm_cap): while a reassembled message is delivered
 * (a poll nested in its handler), the next one is reassembled in the room above it if a
 * message of reasm_cap bytes fits there; else its fragments wait, in order, until the
 * delivery ends. Call it after endpoint_create; fewer bytes than reasm_cap change nothing. */
static inline void duet_rpmsg_endpoint_reasm_room(duet_rpmsg_endpoint *ep, size_t bytes)
{
#if DUET_RPMSG_FRAGMENTS
    if (bytes > ep->reasm_cap)
        ep->reasm_room = bytes;
#else
    (void)ep;
    (void)bytes;
#endif
}

/* Polls until every endpoint created so far is ready, or timeout_ms.
 * @retval DUET_OK, DUET_ERR_TIMEOUT, DUET_ERR_CORRUPT, DUET_ERR_LINK_DOWN. */
int duet_rpmsg_wait_ready(duet_rpmsg *dev, uint32_t timeout_ms);

/*
 * Sends len bytes to the endpoint's peer. Up to one buffer's payload (496 bytes on the
 * GIGA) always; more only between two duet sides (carried in several buffers), else
 * DUET_ERR_TOO_LARGE and nothing is sent. Waits up to send_timeout_ms for free buffers,
 * serving what arrives meanwhile. A message that fails is not delivered: when a large one
 * finds no buffer in time part-way, the next message sent tells the duet peer to drop the
 * fragments it has of it.
 * @retval DUET_OK, DUET_ERR_TOO_LARGE, DUET_ERR_TIMEOUT, DUET_ERR_STATE (handshake not done),
 *         DUET_ERR_CORRUPT, DUET_ERR_LINK_DOWN
 */
int duet_rpmsg_send(duet_rpmsg_endpoint *ep, const void *data, size_t len);

/* Takes what arrived and delivers it to the endpoints; reclaims sent buffers. Never blocks.
 * @retval >=0 messages delivered; DUET_ERR_CORRUPT or DUET_ERR_LINK_DOWN once down. */
int duet_rpmsg_poll(duet_rpmsg *dev);

/* The largest message an endpoint can send now: one buffer's payload, or what a duet peer
 * said it reassembles. Known once the endpoint is ready; its link's max_message follows it. */
size_t duet_rpmsg_endpoint_max_message(const duet_rpmsg_endpoint *ep);

/* How long a send waits for a free buffer (default DUET_RPMSG_SEND_TIMEOUT_MS; 0: it does
 * not wait, DUET_ERR_TIMEOUT at once when none is free). Returns the previous value. */
uint32_t duet_rpmsg_set_send_timeout(duet_rpmsg *dev, uint32_t timeout_ms);

/* Whether to offer fragmented (larger than one buffer) messages to a duet peer; default on.
 * Call before creating endpoints. */
void duet_rpmsg_set_fragments(duet_rpmsg *dev, bool on);

/* Takes the link down (e.g. the other core was reset); later calls fail with DUET_ERR_LINK_DOWN. */
void duet_rpmsg_shutdown(duet_rpmsg *dev);

/* What broke the link, for a person ("no error" while it is up). */
const char *duet_rpmsg_error_text(const duet_rpmsg *dev);

/* The counters. */
duet_rpmsg_stats duet_rpmsg_get_stats(const duet_rpmsg *dev);

#ifdef __cplusplus
}
#endif
#endif

/* duet/link_bytes.h - msgpack-RPC over any byte stream (pipe, serial port, TCP socket). */
#ifndef DUET_LINK_BYTES_H
#define DUET_LINK_BYTES_H

#include "duet/link.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Messages on a byte stream are framed by MessagePack itself (no length prefix, as
 * rpclib and msgpack-rpc peers do): the link buffers what it reads until one whole
 * value is there, whatever the split of the bytes, and delivers it.
 *
 * Bad input is counted, never fatal: a byte that cannot start a value (0xc1) is dropped
 * and counted in garbage_bytes; a message larger than the receive buffer is dropped whole
 * as it streams in (counted in oversized, its bytes in garbage_bytes), and the message
 * after it arrives intact. Framing follows MessagePack's own lengths and counts, so a
 * message nested deeper than the codec's limit is still framed exactly (the layer above
 * rejects it).
 *
 * The I/O functions come from the port (ports/posix/ has them for file descriptors).
 */
typedef struct duet_bytes_io {
    /* Reads up to cap bytes without blocking: the count, 0 if none is there,
     * DUET_ERR_LINK_DOWN at end of stream or on an error. */
    long (*read)(void *ctx, uint8_t *buf, size_t cap);
    /* Writes all len bytes (may block): DUET_OK, DUET_ERR_LINK_DOWN or DUET_ERR_TIMEOUT. */
    int (*write)(void *ctx, const uint8_t *data, size_t len);
    /* Blocks until bytes may be readable or timeout_ms passed (NULL: the link busy-polls). */
    void (*wait)(void *ctx, uint32_t timeout_ms);
    /* A millisecond clock. */
    uint32_t (*now_ms)(void *ctx);
    void *ctx;
} duet_bytes_io;

typedef struct duet_link_bytes {
    duet_link link;          /* first member: a duet_link_bytes * is a duet_link * */
    duet_bytes_io io;
    uint8_t *buf;            /* receive buffer: [lo, hi) is read but not yet delivered */
    size_t cap;
    size_t lo;
    size_t hi;
    unsigned delivering;     /* deliver() calls running: the buffer may not move */
    bool down;
    size_t scan;             /* bytes of the message at lo framed so far */
    uint64_t pending;        /* values of that message not yet started (0: none begun) */
    uint64_t body;           /* bytes left of the str/bin/ext body being framed */
    bool discarding;         /* the message is larger than the buffer: dropping it */
    bool refused;            /* the layer above refused a message during this poll */
    uint32_t garbage_bytes;  /* bytes dropped because no message could start there */
    uint32_t oversized;      /* messages dropped because they did not fit the buffer */
} duet_link_bytes;

/* Sets up a link over io with a receive buffer of cap bytes (the largest message it
 * accepts). max_message limits what send() accepts (0: no limit). */
void duet_link_bytes_init(duet_link_bytes *l, const duet_bytes_io *io, void *buf, size_t cap, size_t max_message);

#ifdef __cplusplus
}
#endif
#endif

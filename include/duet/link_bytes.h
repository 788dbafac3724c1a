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
 * Bad input is counted and reported (duet_link_bytes_on_note), never skipped in silence:
 *  - a byte that cannot start a value (0xc1) is dropped (garbage_bytes; a run of them is one
 *    note, or one per poll() it spans); inside a message it breaks the message, whose bytes
 *    are then dropped one at a time until a value frames (inside one being skipped as over
 *    the limit, it ends that message and is dropped with it, not counted as garbage);
 *  - a message over the limit (max_in) is refused as soon as its headers show it (a string
 *    header declaring its length, or the bytes framed so far, its last header's included; or
 *    a header cut by the end of the full buffer, as the message cannot fit): its first bytes
 *    go to the layer above (duet_link_dropped, so that a request is answered by its msgid),
 *    and its body is skipped as it streams in (oversized); the message after it arrives intact;
 *  - a message that declares more than DUET_LINK_BYTES_SKIP_FACTOR times the limit is not
 *    skipped (skipping gigabytes would swallow what follows as its body): the link reports
 *    it to the layer above the same way and then reads no more (input_refused); one that
 *    comes to declare that much only while it is skipped (by a header further in) stops the
 *    skipping and the reading the same way: a second note, REFUSED, at the same offset and
 *    with none of its bytes (they went with its OVERSIZED note), and no second dropped;
 *  - input that ends inside a message is reported (truncated).
 * Framing follows MessagePack's own lengths and counts, so a message nested deeper than the
 * codec's limit is still framed exactly (the layer above rejects it). (A count is kept in a
 * size_t, at most a quarter of its range: on a 32-bit core a message being skipped that
 * declares over 1 GiB ends, for the framing, after 1 GiB.)
 *
 * End of input is not end of output: once the stream's read side ends, poll() delivers
 * what is left and then returns DUET_ERR_LINK_DOWN, but send() goes on working until a
 * write fails (a peer that half-closed its side still gets its answers).
 *
 * A message handed to deliver() stays where it is until deliver() returns; the link goes on
 * reading behind it (a handler waiting for its nested call still receives the answer), and
 * moves only what lies after the messages in use when it needs room. So a deliver() that
 * polls the link must take its message (return true): by then the link may have delivered
 * what follows it and begun to frame the next one, and cannot offer it again in its place
 * (rpc's deliver takes every message; a stream's, which may refuse one, never polls).
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

/* A message declaring more than this many times the limit closes the input instead of being skipped. */
#ifndef DUET_LINK_BYTES_SKIP_FACTOR
#define DUET_LINK_BYTES_SKIP_FACTOR 16u
#endif

/* What a note reports. */
typedef enum duet_bytes_note_kind {
    DUET_BYTES_GARBAGE = 1,  /* bytes that are no MessagePack were skipped */
    DUET_BYTES_OVERSIZED,    /* a message over the limit is being skipped */
    DUET_BYTES_REFUSED,      /* a message declares too much to skip: the link reads no more */
    DUET_BYTES_TRUNCATED     /* the input ended inside a message; its bytes were dropped */
} duet_bytes_note_kind;

/* One report of bad input. */
typedef struct duet_bytes_note {
    duet_bytes_note_kind kind;
    uint64_t offset;         /* where it starts in the stream (bytes read before it) */
    uint64_t size;           /* GARBAGE, TRUNCATED: bytes dropped; OVERSIZED, REFUSED: the
                              * message's size as far as its headers tell (at least this;
                              * one the full buffer cuts: one byte more than the buffer) */
    size_t limit;            /* the largest message the link accepts */
    const uint8_t *bytes;    /* its first bytes (valid during the call) */
    size_t len;              /* how many (at most 16; 0 for a REFUSED after an OVERSIZED) */
} duet_bytes_note;

typedef void (*duet_bytes_note_fn)(void *ctx, const duet_bytes_note *note);

/* Counters, since init. */
typedef struct duet_link_bytes_stats {
    uint32_t garbage_bytes;  /* bytes dropped because no message could start there */
    uint32_t oversized;      /* messages skipped because they were over the limit */
    uint32_t truncated;      /* times the input ended inside a message */
    bool input_refused;      /* a message declared too much to skip: reading stopped */
    bool input_ended;        /* the read side of the stream ended */
} duet_link_bytes_stats;

typedef struct duet_link_bytes {
    duet_link link;          /* first member: a duet_link_bytes * is a duet_link * */
    uint8_t *buf;            /* receive buffer: [lo, hi) is read but not yet delivered */
    size_t cap;
    size_t lo;
    size_t hi;
    size_t pin;              /* [0, pin) holds messages whose deliver() runs: never moved */
    size_t max_in;           /* the largest message accepted */
    size_t scan;             /* bytes of the message at lo framed so far */
    bool eof;                /* the read side ended (or was refused): nothing more is read */
    bool down;               /* a write failed: nothing more can be sent */
    bool discarding;         /* the message is over the limit: dropping it as it arrives */
    bool held;               /* the layer above refused a message during this poll */
    uint32_t garbage_run;    /* the run of garbage being collected for one note: its length */
    uint64_t garbage_at;     /* and its offset */
    duet_link_bytes_stats stats;
    size_t pending;          /* values of that message not yet started (0: none begun) */
    size_t body;             /* bytes left of the str/bin/ext body being framed */
    uint64_t base;           /* stream offset of buf[0] */
    uint64_t skip_at;        /* stream offset of the message being dropped (discarding) */
    duet_bytes_note_fn note;
    void *note_ctx;
    duet_bytes_io io;
    uint8_t garbage_head[16];/* the run of garbage's first bytes */
} duet_link_bytes;

/* Sets up a link over io with a receive buffer of cap bytes. max_message limits both what
 * send() accepts and the largest message received (0: no send limit; cap for receiving).
 * To keep receiving while a handler works on a message (nested calls), give cap room for
 * two messages of max_message. */
void duet_link_bytes_init(duet_link_bytes *l, const duet_bytes_io *io, void *buf, size_t cap, size_t max_message);

/* Has fn(ctx, note) called for every piece of bad input (see above); NULL: none. */
void duet_link_bytes_on_note(duet_link_bytes *l, duet_bytes_note_fn fn, void *ctx);

/* The counters. */
duet_link_bytes_stats duet_link_bytes_get_stats(const duet_link_bytes *l);

#ifdef __cplusplus
}
#endif
#endif

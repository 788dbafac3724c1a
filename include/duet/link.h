/* duet/link.h - what the rpc engine and the stream send through: a message link. */
#ifndef DUET_LINK_H
#define DUET_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A link carries whole messages between this core and the other one. The layer above
 * (rpc or stream) calls send(), poll(), wait(), now_ms() and send_now(); the link hands what
 * arrives to the layer above through deliver(up, data, len), from inside poll().
 *
 * deliver() returns true when it took the message. It returns false when the layer
 * above has no room for it yet (a stream whose reader is slow): the link then keeps
 * the message, delivers nothing after it, and offers it again at a later poll(). That
 * is how backpressure reaches the sender instead of bytes being dropped.
 *
 * deliver() may run the layer above's handlers, and those may send and poll again
 * (a nested call): a link must accept send() and poll() from inside deliver(), and
 * keep the bytes it passed to deliver() valid until that deliver() returns.
 *
 * A link implementation fills in the function pointers; the layer above sets deliver
 * and up with duet_link_attach(). Nothing here allocates.
 */
typedef struct duet_link duet_link;

/* Called by the link for every message (or run of whole messages) that arrives;
 * returns false to have it offered again later. */
typedef bool (*duet_link_deliver_fn)(void *up, const uint8_t *data, size_t len);

/* Called by a link for a message it does not deliver because it is larger than it accepts:
 * head holds its first head_len bytes (enough to answer a request by its msgid), size how
 * large it is as far as the link knows (at least that), limit the largest message accepted. */
typedef void (*duet_link_dropped_fn)(void *up, const uint8_t *head, size_t head_len, uint64_t size, size_t limit);

struct duet_link {
    /* Sends len bytes holding one or more whole messages.
     * @retval DUET_OK            sent (the link has copied the bytes)
     * @retval DUET_ERR_TOO_LARGE len is over max_message; nothing was sent
     * @retval DUET_ERR_TIMEOUT   no room to send within the link's own timeout
     * @retval DUET_ERR_LINK_DOWN the other side is gone */
    int (*send)(duet_link *link, const uint8_t *data, size_t len);
    /* Delivers what has arrived, without blocking.
     * @retval >=0                number of deliver() calls made
     * @retval DUET_ERR_LINK_DOWN the other side is gone
     * @retval other <0           the link saw corrupt input (it counts it and goes on) */
    int (*poll)(duet_link *link);
    /* Blocks until something may have arrived or timeout_ms passed (may return early).
     * NULL: the layer above polls in a loop. */
    void (*wait)(duet_link *link, uint32_t timeout_ms);
    /* A millisecond clock (wraps at 2^32). */
    uint32_t (*now_ms)(duet_link *link);
    /* Sends like send(), but only what can go without waiting for the other side
     * (DUET_ERR_TIMEOUT: nothing was sent). NULL: send() is used instead. */
    int (*send_now)(duet_link *link, const uint8_t *data, size_t len);
    /* Sends like send(), with more messages to follow at once: the link may tell the other
     * side of this one only with the next send() (or at the next poll()), so that a run of
     * messages costs one notification. NULL: send() is used instead. */
    int (*send_more)(duet_link *link, const uint8_t *data, size_t len);
    /* Optional, for a byte stream above (which does not care where messages end): copies
     * up to cap bytes of what arrived for it and was not delivered (the messages deliver()
     * refused, then those not offered yet), in order, into buf, and forgets each message
     * as soon as it is copied whole; one copied in part is kept with the rest. Stops where
     * poll() must go first (a message it cannot split, or one for another layer). Returns
     * the bytes copied. NULL: everything comes through deliver(). */
    size_t (*read)(duet_link *link, uint8_t *buf, size_t cap);
    /* Optional: sends head_len bytes of head (fewer than piece: bytes the layer above
     * gathered; 0 for none), then len bytes of data, as messages of piece bytes each (the
     * last may be shorter), in order, as one run that the other side hears of with its last
     * message. Like send() otherwise; *err is its error (DUET_OK if all went). Returns the
     * bytes sent, head's included: whole messages, the first with all of head. NULL: the
     * layer above sends message by message (as a stream built for size, -Os, always does). */
    size_t (*send_split)(duet_link *link, const uint8_t *head, size_t head_len, const uint8_t *data, size_t len,
                         size_t piece, int *err);
    /* The largest message send() accepts, in bytes (0: no limit of the link's own). */
    size_t max_message;
    /* Optional: a sentence saying why the last send() failed and what to do, for the layer
     * above's error text (NULL: the error code's own text). */
    const char *(*error_text)(duet_link *link);

    /* Set by the layer above with duet_link_attach() and duet_link_attach_dropped(). */
    duet_link_deliver_fn deliver;
    void *up;
    duet_link_dropped_fn dropped;
};

/* Connects the layer above: deliver(up, ...) receives every message. */
static inline void duet_link_attach(duet_link *link, duet_link_deliver_fn deliver, void *up)
{
    link->deliver = deliver;
    link->up = up;
}

/* Connects the layer above's handler of messages too large to deliver (called with up). */
static inline void duet_link_attach_dropped(duet_link *link, duet_link_dropped_fn dropped)
{
    link->dropped = dropped;
}

/* Called by link implementations: tells the layer above about a message too large to deliver. */
static inline void duet_link_dropped(duet_link *link, const uint8_t *head, size_t head_len, uint64_t size, size_t limit)
{
    if (link->dropped)
        link->dropped(link->up, head, head_len, size, limit);
}

/* Called by link implementations: hands data to the layer above. False: keep it for later
 * (also while nothing is attached, so that nothing is lost before the layer above starts). */
static inline bool duet_link_deliver(duet_link *link, const uint8_t *data, size_t len)
{
    return link->deliver ? link->deliver(link->up, data, len) : false;
}

#ifdef __cplusplus
}
#endif
#endif

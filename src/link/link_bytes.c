/* link_bytes.c - msgpack-RPC framing over a byte stream. */
#include "duet/link_bytes.h"

#include "duet/msgpack.h"

/* Moves undelivered bytes to the front, when nothing points into the buffer. */
static void compact(duet_link_bytes *l)
{
    if (l->delivering || l->lo == 0)
        return;
    memmove(l->buf, l->buf + l->lo, l->hi - l->lo);
    l->hi -= l->lo;
    l->lo = 0;
}

static int bytes_send(duet_link *link, const uint8_t *data, size_t len)
{
    duet_link_bytes *l = (duet_link_bytes *)link;
    if (l->down)
        return DUET_ERR_LINK_DOWN;
    if (link->max_message && len > link->max_message)
        return DUET_ERR_TOO_LARGE;
    int err = l->io.write(l->io.ctx, data, len);
    if (err == DUET_ERR_LINK_DOWN)
        l->down = true;
    return err;
}

/* Starts framing a new message at lo. */
static void frame_reset(duet_link_bytes *l)
{
    l->scan = 0;
    l->pending = 0;
    l->body = 0;
}

/*
 * Frames the message at lo: advances scan over whole headers and bodies.
 * @retval 1 the message is [lo, lo + scan); 0 more bytes are needed; -1 invalid byte at lo + scan.
 */
static int frame(duet_link_bytes *l)
{
    if (l->pending == 0 && l->body == 0 && l->scan == 0)
        l->pending = 1;
    while (l->pending > 0 || l->body > 0) {
        size_t pos = l->lo + l->scan;
        size_t avail = l->hi - pos;
        if (l->body > 0) {
            size_t n = l->body < avail ? (size_t)l->body : avail;
            l->scan += n;
            l->body -= n;
            if (l->body > 0)
                return 0;
            continue;
        }
        size_t head;
        uint64_t body, children;
        int got = duet_msgpack_scan_header(l->buf + pos, avail, &head, &body, &children);
        if (got <= 0)
            return got;
        l->scan += head;
        l->pending = l->pending - 1 + children;
        l->body = body;
    }
    return 1;
}

/* Drops n bytes at lo, counted as garbage. */
static void drop(duet_link_bytes *l, size_t n)
{
    l->lo += n;
    l->garbage_bytes += (uint32_t)n;
}

/* Delivers every whole message in [lo, hi); drops garbage and oversized messages. */
static int deliver_ready(duet_link_bytes *l)
{
    int count = 0;
    while (l->lo < l->hi) {
        int got = frame(l);
        if (got < 0) {
            /* 0xc1: at a message's start it is one byte of garbage; inside a message,
             * the message is broken: drop its first byte and look for a start after it. */
            if (l->discarding) {
                drop(l, l->scan + 1);
                l->discarding = false;
                l->oversized++;
            } else {
                drop(l, 1);
            }
            frame_reset(l);
            continue;
        }
        if (got == 0) {
            if (l->lo == 0 && l->hi == l->cap && !l->delivering) {
                /* Larger than the whole buffer: drop what is framed, go on framing the
                 * rest as it arrives, and drop that too. */
                drop(l, l->scan);
                l->scan = 0;
                l->discarding = true;
            }
            break;
        }
        size_t n = l->scan;
        if (l->discarding) {
            drop(l, n);
            l->discarding = false;
            l->oversized++;
            frame_reset(l);
            continue;
        }
        size_t at = l->lo;
        l->lo += n;
        frame_reset(l);
        l->delivering++;
        bool taken = duet_link_deliver(&l->link, l->buf + at, n);
        l->delivering--;
        if (!taken) {
            l->lo = at; /* offered again at the next poll */
            l->refused = true;
            break;
        }
        count++;
    }
    return count;
}

static int bytes_poll(duet_link *link)
{
    duet_link_bytes *l = (duet_link_bytes *)link;
    int count = 0;
    l->refused = false;
    for (;;) {
        compact(l);
        if (!l->refused)
            count += deliver_ready(l);
        compact(l);
        if (l->hi == l->cap) /* full while messages below are being handled: later */
            return count;
        if (l->down)
            return count ? count : DUET_ERR_LINK_DOWN;
        long got = l->io.read(l->io.ctx, l->buf + l->hi, l->cap - l->hi);
        if (got < 0) {
            l->down = true;
            if (!l->refused)
                count += deliver_ready(l);
            return count ? count : DUET_ERR_LINK_DOWN;
        }
        if (got == 0)
            return l->refused ? count : count + deliver_ready(l);
        l->hi += (size_t)got;
    }
}

static void bytes_wait(duet_link *link, uint32_t timeout_ms)
{
    duet_link_bytes *l = (duet_link_bytes *)link;
    if (l->io.wait)
        l->io.wait(l->io.ctx, timeout_ms);
}

static uint32_t bytes_now(duet_link *link)
{
    duet_link_bytes *l = (duet_link_bytes *)link;
    return l->io.now_ms ? l->io.now_ms(l->io.ctx) : 0;
}

void duet_link_bytes_init(duet_link_bytes *l, const duet_bytes_io *io, void *buf, size_t cap, size_t max_message)
{
    memset(l, 0, sizeof *l);
    l->link.send = bytes_send;
    l->link.poll = bytes_poll;
    l->link.wait = bytes_wait;
    l->link.now_ms = bytes_now;
    l->link.max_message = max_message;
    l->io = *io;
    l->buf = (uint8_t *)buf;
    l->cap = cap;
}

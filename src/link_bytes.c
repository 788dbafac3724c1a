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

/*
 * Delivers every whole message in [lo, hi). A message's end is found by skipping one
 * MessagePack value: truncated means wait for more bytes, anything else that fails is
 * one byte of garbage.
 */
static int deliver_ready(duet_link_bytes *l)
{
    int count = 0;
    while (l->lo < l->hi) {
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, l->buf + l->lo, l->hi - l->lo);
        if (!duet_msgpack_skip(&r)) {
            if (duet_msgpack_reader_error(&r) == DUET_ERR_TRUNCATED)
                break;
            l->lo++;
            l->garbage_bytes++;
            continue;
        }
        size_t n = duet_msgpack_reader_offset(&r);
        size_t at = l->lo;
        l->lo += n;
        l->delivering++;
        bool taken = duet_link_deliver(&l->link, l->buf + at, n);
        l->delivering--;
        if (!taken) {
            l->lo = at; /* offered again at the next poll */
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
    for (;;) {
        compact(l);
        if (l->hi == l->cap && l->lo == 0 && !l->delivering) {
            /* A message longer than the whole buffer: drop what is there and resynchronise. */
            l->oversized++;
            l->garbage_bytes += (uint32_t)l->hi;
            l->hi = 0;
        }
        if (l->hi == l->cap) /* full while messages below are being handled: later */
            return count;
        if (l->down)
            return count ? count : DUET_ERR_LINK_DOWN;
        long got = l->io.read(l->io.ctx, l->buf + l->hi, l->cap - l->hi);
        if (got < 0) {
            l->down = true;
            count += deliver_ready(l);
            return count ? count : DUET_ERR_LINK_DOWN;
        }
        if (got == 0)
            return count + deliver_ready(l);
        l->hi += (size_t)got;
        count += deliver_ready(l);
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

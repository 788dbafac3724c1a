/* link_bytes.c - msgpack-RPC framing over a byte stream. */
#include "duet/link_bytes.h"

#include "duet/msgpack.h"

/* How many first bytes of a dropped message go up with it (enough for a request's msgid). */
#define DROPPED_HEAD 64

/* Moves undelivered bytes down to the end of the messages in use. */
static void compact(duet_link_bytes *l)
{
    if (l->lo == l->pin)
        return;
    memmove(l->buf + l->pin, l->buf + l->lo, l->hi - l->lo);
    l->base += l->lo - l->pin;
    l->hi -= l->lo - l->pin;
    l->lo = l->pin;
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

static void note(duet_link_bytes *l, duet_bytes_note_kind kind, uint64_t offset, uint64_t size, const uint8_t *bytes, size_t len)
{
    if (!l->note)
        return;
    duet_bytes_note n = {kind, offset, size, l->max_in, bytes, len < 16 ? len : 16};
    l->note(l->note_ctx, &n);
}

/* Reports the run of garbage collected so far, if any. */
static void garbage_flush(duet_link_bytes *l)
{
    if (!l->garbage_run)
        return;
    note(l, DUET_BYTES_GARBAGE, l->garbage_at, l->garbage_run, l->garbage_head, l->garbage_run);
    l->garbage_run = 0;
}

/* Drops the n bytes at lo as garbage (collected into one note per run). */
static void drop_garbage(duet_link_bytes *l, size_t n)
{
    uint64_t at = l->base + l->lo;
    if (l->garbage_run && l->garbage_at + l->garbage_run != at)
        garbage_flush(l);
    if (!l->garbage_run)
        l->garbage_at = at;
    for (size_t i = 0; i < n && l->garbage_run + i < sizeof l->garbage_head; i++)
        l->garbage_head[l->garbage_run + i] = l->buf[l->lo + i];
    l->garbage_run += (uint32_t)n;
    l->stats.garbage_bytes += (uint32_t)n;
    l->lo += n;
}

/* Starts framing a new message at lo. (Out of line: it is called from several places.) */
static __attribute__((noinline)) void frame_reset(duet_link_bytes *l)
{
    l->scan = 0;
    l->pending = 0;
    l->body = 0;
}

/* A count a header declares (values, or body bytes), as framing keeps it: held to a quarter
 * of size_t's range, so that sums of them cannot wrap. That is 1 GiB on a 32-bit core, more
 * than any message it could receive or skip; on a 64-bit one no header reaches it. */
static size_t count_of(uint64_t n)
{
    return n < SIZE_MAX / 4 ? (size_t)n : SIZE_MAX / 4;
}

/* The least size of the message at lo, as far as its headers framed so far tell. */
static size_t frame_least(const duet_link_bytes *l)
{
    return l->scan + l->body + l->pending;
}

/* The most a message over the limit may declare and still be skipped. */
static uint64_t skip_limit(const duet_link_bytes *l)
{
    return (uint64_t)l->max_in * DUET_LINK_BYTES_SKIP_FACTOR;
}

/* Whether the message at lo is to be refused: it is over the limit or, being skipped, it
 * declares more than is skipped (what of it was dropped already included). */
static bool frame_over(const duet_link_bytes *l)
{
    if (!l->discarding)
        return frame_least(l) > l->max_in;
    return l->base + l->lo - l->skip_at + frame_least(l) > skip_limit(l);
}

/*
 * Frames the message at lo: advances scan over whole headers and bodies.
 * @retval 1 the message is [lo, lo + scan); 0 more bytes are needed; -1 invalid byte at
 *         lo + scan; 2 the message is over the limit, or does not fit in the buffer (it may
 *         be whole), or while discarding, declares more than is skipped.
 */
static int frame(duet_link_bytes *l)
{
    if (l->pending == 0 && l->body == 0 && l->scan == 0)
        l->pending = 1;
    while (l->pending > 0 || l->body > 0) {
        if (frame_over(l))
            return 2;
        size_t pos = l->lo + l->scan;
        size_t avail = l->hi - pos;
        if (l->body > 0) {
            size_t n = l->body < avail ? l->body : avail;
            l->scan += n;
            l->body -= n;
            if (l->body > 0)
                return 0;
            continue;
        }
        size_t head;
        uint64_t body, children;
        int got = duet_msgpack_scan_header(l->buf + pos, avail, &head, &body, &children);
        if (got == 0 && !l->discarding && l->lo == 0 && l->hi == l->cap)
            return 2; /* a header the end of the full buffer cuts: the message cannot fit */
        if (got <= 0)
            return got;
        l->scan += head;
        l->pending = count_of(l->pending - 1 + count_of(children));
        l->body = count_of(body);
    }
    /* Whole, but its last header (of up to 9 bytes: a number's, or an empty str, bin, ext,
     * array or map's) had nothing after it to check the limit against, and may be over it. */
    return !l->discarding && l->scan > l->max_in ? 2 : 1;
}

/* Drops every byte read and reads no more. (Out of line, as frame_reset.) */
static __attribute__((noinline)) void stop_input(duet_link_bytes *l)
{
    l->lo = l->hi;
    l->discarding = false;
    frame_reset(l);
    l->eof = true;
}

/* The message at lo is over the limit: hands its head up, then skips it as it streams in
 * or, if it declares too much to skip, stops reading. Being skipped already, it has come to
 * declare too much: stops reading (its head went up when its skipping began). */
static void refuse(duet_link_bytes *l)
{
    garbage_flush(l);
    uint64_t least = frame_least(l);
    bool skip = false;
    if (l->discarding) {
        least += l->base + l->lo - l->skip_at; /* and what of it was dropped already */
        note(l, DUET_BYTES_REFUSED, l->skip_at, least, l->buf + l->lo, 0);
    } else {
        if (least <= l->max_in) /* the buffer is full and holds less than the whole message */
            least = l->hi - l->lo + 1;
        size_t head = l->hi - l->lo < DROPPED_HEAD ? l->hi - l->lo : DROPPED_HEAD;
        skip = least <= skip_limit(l);
        note(l, skip ? DUET_BYTES_OVERSIZED : DUET_BYTES_REFUSED, l->base + l->lo, least, l->buf + l->lo, head);
        duet_link_dropped(&l->link, l->buf + l->lo, head, least, l->max_in);
    }
    if (!skip) {
        l->stats.input_refused = true;
        stop_input(l);
        return;
    }
    l->stats.oversized++;
    l->skip_at = l->base + l->lo;
    l->discarding = l->pending > 0 || l->body > 0; /* not when it is whole already */
    l->lo += l->scan; /* what is framed goes; the rest is framed and dropped as it comes */
    l->scan = 0;
}

/* Delivers every whole message in [lo, hi); drops garbage and oversized messages. */
static int deliver_ready(duet_link_bytes *l)
{
    int count = 0;
    while (l->lo < l->hi) {
        int got = frame(l);
        if (got == 2) {
            refuse(l);
            continue;
        }
        if (got < 0) {
            /* 0xc1: at a message's start it is one byte of garbage; inside a message, the
             * message is broken: drop its first byte and look for a start after it. */
            if (l->discarding) {
                l->lo += l->scan + 1;
                l->discarding = false;
            } else {
                drop_garbage(l, 1);
            }
            frame_reset(l);
            continue;
        }
        if (got == 0) {
            if (l->discarding) {
                l->lo += l->scan;
                l->scan = 0;
            }
            break;
        }
        size_t n = l->scan;
        frame_reset(l);
        if (l->discarding) {
            l->lo += n;
            l->discarding = false;
            continue;
        }
        garbage_flush(l);
        size_t at = l->lo, pin = l->pin;
        l->lo += n;
        l->pin = l->lo; /* the message stays put while deliver() runs */
        bool taken = duet_link_deliver(&l->link, l->buf + at, n);
        l->pin = pin;
        if (!taken) {
            l->lo = at; /* offered again at the next poll */
            l->held = true;
            break;
        }
        count++;
    }
    return count;
}

/* The input ended: what is left of a message is reported and dropped. */
static void end_input(duet_link_bytes *l)
{
    garbage_flush(l);
    if (l->lo < l->hi || l->discarding) {
        l->stats.truncated++;
        note(l, DUET_BYTES_TRUNCATED, l->base + l->lo, l->hi - l->lo, l->buf + l->lo, l->hi - l->lo);
    }
    stop_input(l);
    l->stats.input_ended = true;
}

static int poll_input(duet_link_bytes *l)
{
    int count = 0;
    l->held = false;
    for (;;) {
        compact(l);
        if (!l->held)
            count += deliver_ready(l);
        compact(l);
        if (l->eof || l->down) {
            if (l->held)
                return count; /* the layer above takes the rest later */
            if (!l->stats.input_ended)
                end_input(l);
            return count ? count : DUET_ERR_LINK_DOWN;
        }
        if (l->hi == l->cap) /* full while messages below are being handled: later */
            return count;
        long got = l->io.read(l->io.ctx, l->buf + l->hi, l->cap - l->hi);
        if (got < 0)
            l->eof = true;
        else if (got == 0)
            return count;
        else
            l->hi += (size_t)got;
    }
}

static int bytes_poll(duet_link *link)
{
    duet_link_bytes *l = (duet_link_bytes *)link;
    int n = poll_input(l);
    garbage_flush(l); /* a run of garbage is reported once per poll at most */
    return n;
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

/* What every byte-stream link does (max_message and the layer above are set per link). */
static const duet_link bytes_link = {.send = bytes_send, .poll = bytes_poll, .wait = bytes_wait, .now_ms = bytes_now};

void duet_link_bytes_init(duet_link_bytes *l, const duet_bytes_io *io, void *buf, size_t cap, size_t max_message)
{
    memset(l, 0, sizeof *l);
    l->link = bytes_link;
    l->link.max_message = max_message;
    l->io = *io;
    l->buf = (uint8_t *)buf;
    l->cap = cap;
    l->max_in = max_message && max_message < cap ? max_message : cap;
}

void duet_link_bytes_on_note(duet_link_bytes *l, duet_bytes_note_fn fn, void *ctx)
{
    l->note = fn;
    l->note_ctx = ctx;
}

duet_link_bytes_stats duet_link_bytes_get_stats(const duet_link_bytes *l)
{
    return l->stats;
}

/* stream/stream.c - the "raw" byte channel over a link: gathered writes, a receive ring. */
#include "duet/stream.h"

#include <string.h>

#include "duet/format.h"
#include "base/text.h"

int duet_stream_init(duet_stream *s, duet_link *link, void *rx, size_t rx_cap, void *tx, size_t tx_cap)
{
    memset(s, 0, sizeof *s);
    if (!link || !rx || !tx || !tx_cap)
        return DUET_ERR_ARG;
    size_t max = link->max_message;
    if (max && (rx_cap < max || tx_cap > max))
        return DUET_ERR_ARG; /* a message must fit the ring; a gathered write must fit a message */
    if (!max && rx_cap < tx_cap)
        return DUET_ERR_ARG;
    s->link = link;
    s->rx = (uint8_t *)rx;
    s->rx_cap = rx_cap;
    s->tx = (uint8_t *)tx;
    s->tx_cap = tx_cap;
    duet_link_attach(link, duet_stream_receive, s);
    return DUET_OK;
}

void duet_stream_set_drop_mode(duet_stream *s, bool drop)
{
    s->drop_mode = drop;
}

void duet_stream_on_receive(duet_stream *s, void (*fn)(duet_stream *s, void *arg), void *arg)
{
    s->on_receive = fn;
    s->on_receive_arg = arg;
}

/* Where the ring's index at + n lies (at < rx_cap, n <= rx_cap): no division per byte read. */
static size_t ring_at(const duet_stream *s, size_t at, size_t n)
{
    at += n;
    return at >= s->rx_cap ? at - s->rx_cap : at;
}

/* Copies n bytes into the ring (the caller checked they fit). */
static void ring_put(duet_stream *s, const uint8_t *data, size_t n)
{
    size_t tail = ring_at(s, s->rx_head, s->rx_count);
    size_t first = s->rx_cap - tail < n ? s->rx_cap - tail : n;
    memcpy(s->rx + tail, data, first);
    if (n > first)
        memcpy(s->rx, data + first, n - first);
    s->rx_count += n;
}

bool duet_stream_receive(void *arg, const uint8_t *data, size_t len)
{
    duet_stream *s = (duet_stream *)arg;
    size_t room = s->rx_cap - s->rx_count;
    if (len > room) {
        if (!s->drop_mode)
            return false; /* the link keeps it and offers it again after a read */
        s->dropped += (uint32_t)(len - room);
        len = room;
    }
    ring_put(s, data, len);
    return true;
}

/* Sends what is gathered with the link's send or send_now. */
static int flush_with(duet_stream *s, int (*send)(duet_link *link, const uint8_t *data, size_t len))
{
    if (s->tx_len == 0)
        return DUET_OK;
    int err = send(s->link, s->tx, s->tx_len);
    if (err) {
        s->err = err;
        return err;
    }
    s->tx_len = 0;
    return DUET_OK;
}

int duet_stream_flush(duet_stream *s)
{
    return flush_with(s, s->link->send);
}

int duet_stream_flush_now(duet_stream *s)
{
    return flush_with(s, s->link->send_now ? s->link->send_now : s->link->send);
}

/* A build for size (-Os, as a firmware is built) gathers every write: duet's links have no
 * send_split there (transport/internal.h), so the code that calls it is left out. */
#if defined(__OPTIMIZE_SIZE__)
#define STREAM_SPLIT 0
#else
#define STREAM_SPLIT 1
#endif

size_t duet_stream_write(duet_stream *s, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    size_t done = 0;
    while (done < len) {
        /* A full gather buffer goes out as the first of a run when whole messages follow. */
        if (s->tx_len == s->tx_cap &&
            flush_with(s, len - done >= s->tx_cap && s->link->send_more ? s->link->send_more : s->link->send))
            return done;
        if (STREAM_SPLIT && len - done >= s->tx_cap && s->link->send_split) {
            /* Whole messages' worth: what is gathered, then the caller's bytes, sent from where
             * they are in one run. */
            int err;
            size_t head = s->tx_len, take = (head + len - done) / s->tx_cap * s->tx_cap - head;
            size_t sent = s->link->send_split(s->link, s->tx, head, p + done, take, s->tx_cap, &err);
            if (sent) { /* the first message took all of the head: sent is 0 or at least head */
                s->tx_len = 0;
                done += sent - head;
            }
            if (err) {
                s->err = err;
                return done;
            }
            continue;
        }
        size_t n = s->tx_cap - s->tx_len;
        if (n > len - done)
            n = len - done;
        memcpy(s->tx + s->tx_len, p + done, n);
        s->tx_len += n;
        done += n;
    }
    /* A line is sent when it ends, as a person watching a console expects. */
    if (len && p[len - 1] == '\n' && duet_stream_flush(s))
        return done;
    return done;
}

size_t duet_stream_print(duet_stream *s, const char *str)
{
    return duet_stream_write(s, str, duet_text_length(str));
}

size_t duet_stream_println(duet_stream *s, const char *str)
{
    size_t len = duet_text_length(str);
    size_t n = duet_stream_write(s, str, len);
    if (n < len)
        return n;
    return n + duet_stream_write(s, "\r\n", 2);
}

static size_t format_out(void *arg, const char *str, size_t n)
{
    return duet_stream_write((duet_stream *)arg, str, n);
}

size_t duet_stream_vprintf(duet_stream *s, const char *fmt, va_list ap)
{
    return duet_format_vout(format_out, s, fmt, ap);
}

size_t duet_stream_printf(duet_stream *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = duet_stream_vprintf(s, fmt, ap);
    va_end(ap);
    return n;
}

int duet_stream_poll(duet_stream *s)
{
    int err = duet_stream_flush(s);
    size_t before = s->rx_count;
    int n = s->link->poll(s->link);
    if (s->rx_count > before && s->on_receive)
        s->on_receive(s, s->on_receive_arg);
    if (n < 0)
        return n;
    return err;
}

void duet_stream_notify(duet_stream *s)
{
    if (s->rx_count && s->on_receive)
        s->on_receive(s, s->on_receive_arg);
}

size_t duet_stream_available(duet_stream *s)
{
    if (s->rx_count == 0)
        s->link->poll(s->link);
    return s->rx_count;
}

int duet_stream_peek(duet_stream *s)
{
    if (!duet_stream_available(s))
        return -1;
    return s->rx[s->rx_head];
}

int duet_stream_read(duet_stream *s)
{
    int c = duet_stream_peek(s);
    if (c >= 0) {
        s->rx_head = ring_at(s, s->rx_head, 1);
        s->rx_count--;
    }
    return c;
}

size_t duet_stream_read_bytes(duet_stream *s, void *buf, size_t cap)
{
    uint8_t *out = (uint8_t *)buf;
    size_t done = 0;
    /* Empties the ring, then copies straight from the link what has arrived (link.read),
     * then polls (what the link delivers comes through the ring), until buf is full or
     * nothing more has arrived. */
    for (bool polled = false; done < cap;) {
        if (s->rx_count == 0) {
            if (s->link->read)
                done += s->link->read(s->link, out + done, cap - done);
            if (done == cap || polled)
                break;
            s->link->poll(s->link);
            polled = true;
            continue;
        }
        size_t n = s->rx_count < cap - done ? s->rx_count : cap - done;
        size_t first = s->rx_cap - s->rx_head < n ? s->rx_cap - s->rx_head : n;
        memcpy(out + done, s->rx + s->rx_head, first);
        if (n > first)
            memcpy(out + done + first, s->rx, n - first);
        s->rx_head = ring_at(s, s->rx_head, n);
        s->rx_count -= n;
        done += n;
    }
    return done;
}

uint32_t duet_stream_dropped(const duet_stream *s)
{
    return s->dropped;
}

int duet_stream_error(const duet_stream *s)
{
    return s->err;
}

/* duet/stream.h - the "raw" byte channel: RPC.print/write on one core, available/read on the other. */
#ifndef DUET_STREAM_H
#define DUET_STREAM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/error.h"
#include "duet/format.h"
#include "duet/link.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Bytes written on one core come out, in order, on the other. Writes are gathered in
 * a small buffer and sent when it is full, at a newline, on duet_stream_flush(), or
 * when duet_stream_poll() runs; reads come from a receive ring.
 *
 * Nothing is lost in silence. By default a full receive ring makes the link keep the
 * message (and the sender's writes wait, up to their timeout, for the reader to catch
 * up). In drop mode (as the Arduino library behaves) what does not fit is dropped and
 * counted in duet_stream_dropped().
 */
typedef struct duet_stream {
    duet_link *link;
    uint8_t *rx;             /* receive ring */
    size_t rx_cap;
    size_t rx_head;          /* next byte to read */
    size_t rx_count;
    uint8_t *tx;             /* bytes written, not yet sent */
    size_t tx_cap;
    size_t tx_len;
    bool drop_mode;
    uint32_t dropped;        /* bytes dropped in drop mode */
    int err;                 /* the last send error */
    void (*on_receive)(struct duet_stream *s, void *arg);
    void *on_receive_arg;
} duet_stream;

/*
 * Sets up a stream over link. rx (rx_cap bytes) must hold at least one message of the
 * link (link->max_message); tx (tx_cap bytes, at most link->max_message) gathers writes.
 * @retval DUET_OK, DUET_ERR_ARG
 */
int duet_stream_init(duet_stream *s, duet_link *link, void *rx, size_t rx_cap, void *tx, size_t tx_cap) DUET_MUST_CHECK;

/* Drop mode: a full receive ring drops (and counts) instead of holding the sender back. */
void duet_stream_set_drop_mode(duet_stream *s, bool drop);

/* Calls fn from poll whenever bytes arrived (instead of polling duet_stream_available). */
void duet_stream_on_receive(duet_stream *s, void (*fn)(duet_stream *s, void *arg), void *arg);

/* Writes len bytes. Returns how many were taken: len, or fewer if the link failed
 * (duet_stream_error() says why: timed out waiting for the reader, link down). */
size_t duet_stream_write(duet_stream *s, const void *data, size_t len);

/* Writes a NUL-terminated string; println adds "\r\n" as Arduino's does. Return as write. */
size_t duet_stream_print(duet_stream *s, const char *str);
size_t duet_stream_println(duet_stream *s, const char *str);

/* printf-style: %d %i %u %x %X %o %c %s %p %n %% %f %F %e %E %g %G %a %A, flags - 0 + space #,
 * width, precision, length h hh l ll z j t L, as duet_format_text formats (duet/format.h
 * says how). No stdio involved. Returns the bytes taken. */
size_t duet_stream_printf(duet_stream *s, const char *fmt, ...) DUET_FORMAT_CHECK(2, 3);
size_t duet_stream_vprintf(duet_stream *s, const char *fmt, va_list ap);

/* Sends what is gathered. @retval DUET_OK or the link's error. */
int duet_stream_flush(duet_stream *s);

/* Sends what is gathered if the link can take it without waiting for the other side
 * (else it stays gathered). @retval DUET_OK, DUET_ERR_TIMEOUT (kept), or the link's error. */
int duet_stream_flush_now(duet_stream *s);

/* Bytes ready to read (polls the link first when the ring is empty). */
size_t duet_stream_available(duet_stream *s);

/* The next byte, or -1 if there is none. read consumes it, peek does not. */
int duet_stream_read(duet_stream *s);
int duet_stream_peek(duet_stream *s);

/* Reads up to cap bytes into buf, polling the link as the ring empties; returns how many. */
size_t duet_stream_read_bytes(duet_stream *s, void *buf, size_t cap);

/* Flushes gathered writes and takes what arrived (runs the receive callback). */
int duet_stream_poll(duet_stream *s);

/* Runs the receive callback if bytes wait to be read: for a program that polls the link
 * itself (duet_poll polls the transport that every endpoint shares). */
void duet_stream_notify(duet_stream *s);

/* Bytes dropped in drop mode, and the last send error (DUET_OK if none). */
uint32_t duet_stream_dropped(const duet_stream *s);
int duet_stream_error(const duet_stream *s);

/* The receiving half, as the link calls it: takes the bytes if they fit (or drops in drop mode). */
bool duet_stream_receive(void *s, const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif

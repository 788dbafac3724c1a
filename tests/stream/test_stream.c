/*
 * test_stream.c - duet_stream over the "raw" RPMsg endpoints of a host and a remote in one
 * process (tests/rpmsg/harness.c): ordered delivery with backpressure through a 512-byte
 * receive ring, counted drops in drop mode, the print/println/printf/read API, the receive
 * callback, and what a failing link does to a writer.
 */
#include "harness.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "duet/stream.h"

static duet_stream sH, sR;            /* host's and remote's stream */
static uint8_t rxH[8192], rxR[8192];
static uint8_t txH[HX_PAYLOAD], txR[HX_PAYLOAD];

/* Both streams over the raw endpoints, receive rings of rx_cap bytes, full-size gather buffers. */
static void streams(size_t rx_cap)
{
    hx_pair(NULL);
    assert_int_equal(duet_stream_init(&sH, &HX_H.raw.link, rxH, rx_cap, txH, sizeof txH), DUET_OK);
    assert_int_equal(duet_stream_init(&sR, &HX_R.raw.link, rxR, rx_cap, txR, sizeof txR), DUET_OK);
}

static int setup_small(void **state)
{
    (void)state;
    streams(512);
    return 0;
}

static int setup_big(void **state)
{
    (void)state;
    streams(4096);
    return 0;
}

/* A pattern that does not repeat every 256 bytes. */
static uint8_t pat(size_t i)
{
    return (uint8_t)(i * 7u + (i >> 8) * 13u + (i >> 16));
}

/* Everything readable now, as a string (polls until nothing more arrives). */
static size_t read_all(duet_stream *s, char *buf, size_t cap)
{
    size_t n = 0;
    for (int idle = 0; idle < 3;) {
        size_t got = duet_stream_read_bytes(s, buf + n, cap - 1 - n);
        n += got;
        idle = got ? 0 : idle + 1;
        (void)duet_stream_poll(s);
    }
    buf[n] = 0;
    return n;
}

/* ------------------------------------------------------------ init */

static void test_init_args(void **state)
{
    (void)state;
    hx_pair(NULL);
    duet_link *l = &HX_H.raw.link;
    assert_int_equal(l->max_message, 496);
    assert_int_equal(duet_stream_init(&sH, NULL, rxH, 512, txH, 496), DUET_ERR_ARG);
    assert_int_equal(duet_stream_init(&sH, l, NULL, 512, txH, 496), DUET_ERR_ARG);
    assert_int_equal(duet_stream_init(&sH, l, rxH, 512, NULL, 496), DUET_ERR_ARG);
    assert_int_equal(duet_stream_init(&sH, l, rxH, 512, txH, 0), DUET_ERR_ARG);
    assert_int_equal(duet_stream_init(&sH, l, rxH, 495, txH, 100), DUET_ERR_ARG); /* a message must fit the ring */
    assert_int_equal(duet_stream_init(&sH, l, rxH, 512, txH, 497), DUET_ERR_ARG); /* a gathered write must fit a message */
    assert_int_equal(duet_stream_init(&sH, l, rxH, 496, txH, 1), DUET_OK);
    assert_ptr_equal(l->up, &sH);
    assert_int_equal(duet_stream_dropped(&sH), 0);
    assert_int_equal(duet_stream_error(&sH), DUET_OK);
}

/* ------------------------------------------------------------ backpressure */

typedef struct reader {
    duet_stream *s;
    size_t total;
    size_t per_read;
    unsigned reads;
    bool bad;
    size_t bad_at;
} reader;

static reader rd;

/* The slow reader on the other core: one read_bytes of rd.per_read bytes each time it runs. */
static void slow_read(void *arg)
{
    reader *r = (reader *)arg;
    uint8_t buf[128];
    size_t n = duet_stream_read_bytes(r->s, buf, r->per_read);
    for (size_t i = 0; i < n; i++)
        if (buf[i] != pat(r->total + i) && !r->bad) {
            r->bad = true;
            r->bad_at = r->total + i;
        }
    r->total += n;
    r->reads++;
}

#define MIB (1024u * 1024u)

static void backpressure(hx_side *writer_side, duet_stream *w, hx_side *reader_side, duet_stream *r)
{
    memset(&rd, 0, sizeof rd);
    rd.s = r;
    rd.per_read = 100;
    /* The writer's wait() runs the reader's loop (one read) instead of polling for it. */
    writer_side->poll_other = false;
    writer_side->idle = slow_read;
    writer_side->idle_arg = &rd;
    reader_side->poll_other = false;
    static uint8_t chunk[4099];
    size_t sent = 0;
    while (sent < MIB) {
        size_t n = MIB - sent < sizeof chunk ? MIB - sent : sizeof chunk;
        n = n > 1 + sent % 4099 ? 1 + sent % 4099 : n; /* uneven chunk sizes */
        for (size_t i = 0; i < n; i++)
            chunk[i] = pat(sent + i);
        size_t took = duet_stream_write(w, chunk, n);
        if (took != n)
            fail_msg("write took %zu of %zu at %zu: error %d", took, n, sent, duet_stream_error(w));
        sent += n;
    }
    assert_int_equal(duet_stream_flush(w), DUET_OK);
    writer_side->idle = NULL;
    for (unsigned i = 0; i < 100000 && rd.total < MIB; i++)
        slow_read(&rd);
    if (rd.bad)
        fail_msg("byte %zu arrived wrong", rd.bad_at);
    assert_int_equal(rd.total, MIB);
    assert_int_equal(duet_stream_available(r), 0);
    assert_int_equal(duet_stream_dropped(r), 0);
    assert_int_equal(duet_stream_dropped(w), 0);
    assert_int_equal(duet_stream_error(w), DUET_OK);
    /* The reader really was slower: the writer had to wait, and the reader took messages in
     * parts (read_bytes of 100 bytes each) from where they arrived. */
    assert_true(duet_rpmsg_get_stats(&writer_side->dev).buffer_waits > 0);
    assert_true(rd.reads > 2 * duet_rpmsg_get_stats(&reader_side->dev).rx_msgs);
    assert_int_equal(duet_rpmsg_get_stats(&reader_side->dev).dropped_large, 0);
    assert_int_equal(duet_rpmsg_get_stats(&reader_side->dev).corrupt, 0);
    assert_int_equal(duet_rpmsg_get_stats(&writer_side->dev).corrupt, 0);
    if (getenv("DUET_VERBOSE"))
        printf("backpressure: %u reads, writer waited %u times (%u ms virtual), reader held %u messages\n",
               rd.reads, duet_rpmsg_get_stats(&writer_side->dev).buffer_waits, hx_clock,
               duet_rpmsg_get_stats(&reader_side->dev).held);
}

static void test_backpressure_remote_to_host(void **state)
{
    (void)state;
    backpressure(&HX_R, &sR, &HX_H, &sH);
}

static void test_backpressure_host_to_remote(void **state)
{
    (void)state;
    backpressure(&HX_H, &sH, &HX_R, &sR);
}

/* Three messages of 300 bytes to the remote's stream. */
static void send_three(const uint8_t msg[900])
{
    for (size_t off = 0; off < 900; off += 300)
        assert_int_equal(duet_rpmsg_send(&HX_H.raw, msg + off, 300), DUET_OK);
}

/* read_bytes copies what arrived straight from the link's buffers into the caller's
 * (link.read), a part of a message if that is all there is room for; the rest stays with the
 * link, also for duet_stream_read. Each message counts once, when it is taken whole. */
static void test_read_straight_into_buffer(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    uint32_t held = duet_rpmsg_get_stats(&HX_R.dev).held;
    uint8_t msg[900], got[900];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = pat(i);
    send_three(msg);
    assert_int_equal(duet_stream_read_bytes(&sR, got, 100), 100);
    assert_int_equal(duet_stream_read_bytes(&sR, got + 100, 250), 250); /* the rest of one, 50 of the next */
    assert_int_equal(duet_stream_read_bytes(&sR, got + 350, 100), 100);
    uint32_t rx = duet_rpmsg_get_stats(&HX_R.dev).rx_msgs;
    assert_int_equal(duet_stream_read_bytes(&sR, got + 450, 450), 450);
    assert_memory_equal(got, msg, sizeof msg);
    if (HX_R.raw.link.read) { /* (a core built for size has none: its ring refuses, and holds) */
        assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).rx_msgs, rx + 2);
        assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).held, held); /* nothing was refused */
    }
    /* A message read in part, then byte by byte through the ring: it goes on where it stopped. */
    send_three(msg);
    size_t first = duet_stream_read_bytes(&sR, got, 380);
    assert_true(first > 0 && first <= 380);
    if (HX_R.raw.link.read)
        assert_int_equal(first, 380);
    assert_memory_equal(got, msg, first);
    for (size_t i = first; i < sizeof msg; i++)
        assert_int_equal(duet_stream_read(&sR), msg[i]);
    assert_int_equal(duet_stream_available(&sR), 0);
}

/* While another endpoint's message comes first, read_bytes polls: the stream's messages come
 * through the ring as far as it has room (one here), the rest is copied straight from the
 * link's buffers (link.read); what is left goes on through the ring. The order holds. */
static void test_read_behind_another_endpoint(void **state)
{
    (void)state;
    HX_H.poll_other = HX_R.poll_other = false;
    uint8_t msg[900], got[900];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = pat(i);
    uint32_t held = duet_rpmsg_get_stats(&HX_R.dev).held;
    assert_int_equal(duet_rpmsg_send(&HX_H.rpc, "\x93", 1), DUET_OK); /* nobody takes it: held */
    send_three(msg);
    if (HX_R.raw.link.read) {
        assert_int_equal(duet_stream_read_bytes(&sR, got, 400), 400); /* 300 through the ring, 100 straight */
        assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).held, held + 3); /* the rpc message, the second, the third */
        assert_int_equal(duet_stream_available(&sR), 500); /* the second from where it stopped, the third */
        assert_int_equal(duet_stream_read_bytes(&sR, got + 400, 500), 500);
    } else { /* a core built for size (no link.read): all through the ring, as it has room */
        size_t n = 0;
        for (int i = 0; i < 10 && n < sizeof got; i++)
            n += duet_stream_read_bytes(&sR, got + n, sizeof got - n);
        assert_int_equal(n, sizeof got);
    }
    assert_memory_equal(got, msg, sizeof msg);
    assert_int_equal(duet_stream_available(&sR), 0);
    assert_int_equal(duet_stream_dropped(&sR), 0);
}

/* Without drop mode a writer whose reader never reads times out, keeps what it could not
 * send, and after the reader caught up everything arrives once, in order. */
static void test_backpressure_timeout_loses_nothing(void **state)
{
    (void)state;
    HX_R.dev.send_timeout_ms = 20;
    HX_H.poll_other = false;
    static uint8_t data[60000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = pat(i);
    size_t took = duet_stream_write(&sR, data, sizeof data);
    assert_true(took < sizeof data);
    assert_int_equal(duet_stream_error(&sR), DUET_ERR_TIMEOUT);
    /* What the host has: its ring (512) plus the held buffers; read it all. */
    static uint8_t got[60000];
    size_t n = 0;
    for (int i = 0; i < 10000 && n < sizeof got; i++) {
        size_t k = duet_stream_read_bytes(&sH, got + n, sizeof got - n);
        if (!k)
            break;
        n += k;
    }
    assert_true(n > 0 && n <= took);
    /* The writer goes on from where it stopped. */
    size_t rest = duet_stream_write(&sR, data + took, sizeof data - took);
    assert_int_equal(rest, sizeof data - took);
    assert_int_equal(duet_stream_flush(&sR), DUET_OK);
    for (int i = 0; i < 100000 && n < sizeof got; i++)
        n += duet_stream_read_bytes(&sH, got + n, sizeof got - n);
    assert_int_equal(n, sizeof data);
    assert_memory_equal(got, data, sizeof data);
    assert_int_equal(duet_stream_dropped(&sH), 0);
}

/* ------------------------------------------------------------ drop mode */

static void test_drop_mode_counts_exactly(void **state)
{
    (void)state;
    duet_stream_set_drop_mode(&sH, true);
    /* The host polls while the remote waits for buffers, but nobody reads. */
    HX_R.poll_other = true;
    HX_H.poll_other = false;
    const size_t N = 100000;
    static uint8_t data[100000];
    for (size_t i = 0; i < N; i++)
        data[i] = pat(i);
    assert_int_equal(duet_stream_write(&sR, data, N), N);
    assert_int_equal(duet_stream_flush(&sR), DUET_OK);
    for (int i = 0; i < 4; i++)
        assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0);
    static uint8_t got[1024];
    size_t n = 0, k;
    while ((k = duet_stream_read_bytes(&sH, got + n, sizeof got - n)) > 0)
        n += k;
    assert_int_equal(n, 512); /* the ring was full, the rest went */
    assert_memory_equal(got, data, 512);
    assert_int_equal(duet_stream_dropped(&sH), N - n);
    assert_int_equal(duet_stream_dropped(&sR), 0);
    assert_int_equal(duet_stream_error(&sR), DUET_OK);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).held, 0); /* drop mode never holds */
}

static void test_drop_mode_interleaved_reads(void **state)
{
    (void)state;
    duet_stream_set_drop_mode(&sH, true);
    HX_H.poll_other = false;
    HX_R.poll_other = true;
    static uint8_t data[20000], got[20000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = pat(i);
    size_t written = 0, read = 0;
    const size_t steps[] = {3000, 17, 496, 1, 5000, 2222, 750, 9000 - 496 - 1 - 17 - 3000 + 3000};
    size_t rd_steps[] = {200, 0, 512, 1, 37, 511, 100, 0};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0] && written < sizeof data; s++) {
        size_t w = steps[s] < sizeof data - written ? steps[s] : sizeof data - written;
        assert_int_equal(duet_stream_write(&sR, data + written, w), w);
        written += w;
        assert_int_equal(duet_stream_flush(&sR), DUET_OK);
        assert_true(duet_rpmsg_poll(&HX_H.dev) >= 0);
        read += duet_stream_read_bytes(&sH, got + read, rd_steps[s]);
        assert_int_equal(duet_stream_dropped(&sH) + read + sH.rx_count, written);
    }
    size_t k;
    while ((k = duet_stream_read_bytes(&sH, got + read, sizeof got - read)) > 0)
        read += k;
    assert_int_equal(duet_stream_dropped(&sH), written - read);
    assert_true(duet_stream_dropped(&sH) > 0);
    /* What was kept is in order: every byte read is a byte written, positions increasing. */
    size_t at = 0;
    for (size_t i = 0; i < read; i++) {
        while (at < written && data[at] != got[i])
            at++;
        assert_true(at < written);
        at++;
    }
}

/* ------------------------------------------------------------ the API */

static void test_print_println_read_peek(void **state)
{
    (void)state;
    assert_int_equal(duet_stream_print(&sR, "hello"), 5);
    assert_int_equal(duet_stream_available(&sH), 0); /* gathered, not sent yet */
    assert_int_equal(duet_stream_peek(&sH), -1);
    assert_int_equal(duet_stream_read(&sH), -1);
    assert_int_equal(duet_stream_println(&sR, " world"), 8); /* "\r\n" added, line sent */
    assert_int_equal(duet_stream_available(&sH), 13);
    assert_int_equal(duet_stream_peek(&sH), 'h');
    assert_int_equal(duet_stream_peek(&sH), 'h');
    assert_int_equal(duet_stream_available(&sH), 13);
    assert_int_equal(duet_stream_read(&sH), 'h');
    assert_int_equal(duet_stream_available(&sH), 12);
    char buf[32] = {0};
    assert_int_equal(duet_stream_read_bytes(&sH, buf, 4), 4);
    assert_string_equal(buf, "ello");
    memset(buf, 0, sizeof buf);
    assert_int_equal(duet_stream_read_bytes(&sH, buf, sizeof buf), 8);
    assert_string_equal(buf, " world\r\n");
    assert_int_equal(duet_stream_read_bytes(&sH, buf, sizeof buf), 0);
    assert_int_equal(duet_stream_read(&sH), -1);
    /* println of an empty string is just the line end; a byte 0xff reads as 255, not -1. */
    assert_int_equal(duet_stream_println(&sR, ""), 2);
    assert_int_equal(duet_stream_write(&sR, "\xff\n", 2), 2);
    assert_int_equal(duet_stream_read(&sH), '\r');
    assert_int_equal(duet_stream_read(&sH), '\n');
    assert_int_equal(duet_stream_peek(&sH), 255);
    assert_int_equal(duet_stream_read(&sH), 255);
    assert_int_equal(duet_stream_read(&sH), '\n');
    /* Host to remote as well; poll() flushes what is gathered. */
    assert_int_equal(duet_stream_print(&sH, "abc"), 3);
    assert_int_equal(duet_stream_available(&sR), 0);
    assert_int_equal(duet_stream_poll(&sH), DUET_OK);
    assert_int_equal(duet_stream_available(&sR), 3);
    assert_int_equal(duet_stream_read_bytes(&sR, buf, sizeof buf), 3);
    assert_memory_equal(buf, "abc", 3);
}

/* Writes longer than the gather buffer go out in full messages; the rest on flush. */
static void test_long_write(void **state)
{
    (void)state;
    static uint8_t data[2000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)('a' + i % 26);
    HX_R.poll_other = false;
    unsigned rings = HX_R.rings;
    uint16_t used = hx_ld16(HX_USED_IDX(HX_VRING0));
    assert_int_equal(duet_stream_write(&sR, data, sizeof data), sizeof data);
    /* The four whole messages went out as one run: one index store, one doorbell. */
    assert_int_equal(HX_R.rings, rings + 1);
    assert_int_equal((uint16_t)(hx_ld16(HX_USED_IDX(HX_VRING0)) - used), 4);
    HX_R.poll_other = true;
    assert_int_equal(duet_stream_available(&sH), 4 * 496); /* 2000 - 1984 = 16 still gathered */
    assert_int_equal(duet_stream_flush(&sR), DUET_OK);
    assert_int_equal(duet_stream_flush(&sR), DUET_OK); /* nothing left: no empty message */
    static char got[2100];
    assert_int_equal(read_all(&sH, got, sizeof got), sizeof data);
    assert_memory_equal(got, data, sizeof data);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).tx_msgs, 2 + 5);
    /* 16 bytes gathered, then 1000: the gather buffer filled (480) and the whole message
     * after it (496) go as one run, 24 stay gathered. */
    assert_int_equal(duet_stream_write(&sR, data, 16), 16);
    HX_R.poll_other = false;
    rings = HX_R.rings;
    used = hx_ld16(HX_USED_IDX(HX_VRING0));
    assert_int_equal(duet_stream_write(&sR, data + 16, 1000), 1000);
    assert_int_equal(HX_R.rings, rings + 1);
    assert_int_equal((uint16_t)(hx_ld16(HX_USED_IDX(HX_VRING0)) - used), 2);
    HX_R.poll_other = true;
    assert_int_equal(duet_stream_flush(&sR), DUET_OK);
    assert_int_equal(read_all(&sH, got, sizeof got), 1016);
    assert_memory_equal(got, data, 1016);
}

/* The host hands its receive buffers back in any order: here a first lap with runs of
 * buffers adjacent in the pool, jumps and runs backwards. A remote built for speed writes
 * a run of adjacent buffers through a staging area in one copy, the others one by one:
 * every byte arrives, in order, and each buffer is used in the order it was given. */
static void test_long_writes_buffers_out_of_order(void **state)
{
    (void)state;
    uint16_t order[HX_NUM];
    unsigned n = 0;
    for (unsigned i = 0; i <= 4; i++)
        order[n++] = (uint16_t)i;
    order[n++] = 9;
    order[n++] = 10;
    for (unsigned i = 5; i <= 8; i++)
        order[n++] = (uint16_t)i;
    for (unsigned i = 20; i >= 11; i--)
        order[n++] = (uint16_t)i;
    for (unsigned i = 21; i <= 40; i++)
        order[n++] = (uint16_t)i;
    for (unsigned i = 63; i >= 41; i--)
        order[n++] = (uint16_t)i;
    assert_int_equal(n, HX_NUM);
    uint16_t first = hx_ld16(HX_USED_IDX(HX_VRING0));
    uint16_t avail = hx_ld16(HX_AVAIL_IDX(HX_VRING0));
    for (unsigned i = 0; i < HX_NUM; i++) /* the host's entries not yet taken, reordered */
        hx_st16(HX_AVAIL_RING(HX_VRING0, (uint16_t)(avail - HX_NUM + i) % HX_NUM), order[i]);
    static uint8_t data[3 * 4096 + 2000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = pat(i);
    size_t sizes[] = {4096, 100, 4096, 4096, 1900}, sent = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        assert_int_equal(duet_stream_write(&sR, data + sent, sizes[i]), sizes[i]);
        sent += sizes[i];
    }
    assert_int_equal(sent, sizeof data);
    assert_int_equal(duet_stream_flush(&sR), DUET_OK);
    uint16_t used = (uint16_t)(hx_ld16(HX_USED_IDX(HX_VRING0)) - first);
    assert_true(used > 28 && used <= HX_NUM); /* 14,288 bytes in messages of at most 496 */
    for (uint16_t i = 0; i < used; i++)
        assert_int_equal(hx_ld32(HX_USED_ID(HX_VRING0, (uint16_t)(first + i) % HX_NUM)), order[i]);
    static char got[sizeof data + 1];
    assert_int_equal(read_all(&sH, got, sizeof got), sizeof data);
    assert_memory_equal(got, data, sizeof data);
}

typedef struct fmt_case {
    const char *expect;
    size_t n;
} fmt_case;

static void expect_text(const char *want)
{
    static char got[4096];
    assert_int_equal(duet_stream_flush(&sR), DUET_OK);
    size_t n = read_all(&sH, got, sizeof got);
    if (n != strlen(want) || memcmp(got, want, n) != 0)
        fail_msg("printf gave \"%s\", expected \"%s\"", got, want);
}

/* Each printf against the C library's snprintf (same format, same arguments). */
#define SAME_AS_LIBC(...)                                                       \
    do {                                                                        \
        char want_[2048];                                                        \
        int wn_ = snprintf(want_, sizeof want_, __VA_ARGS__);                   \
        assert_true(wn_ >= 0 && (size_t)wn_ < sizeof want_);                    \
        assert_int_equal(duet_stream_printf(&sR, __VA_ARGS__), (size_t)wn_);    \
        expect_text(want_);                                                     \
    } while (0)

/* printf where the expected text is written out (duet's own rules, or where libc differs). */
#define GIVES(want, ...)                                                        \
    do {                                                                        \
        assert_int_equal(duet_stream_printf(&sR, __VA_ARGS__), strlen(want));   \
        expect_text(want);                                                      \
    } while (0)

static void test_printf(void **state)
{
    (void)state;
    GIVES("42", "%d", 42);
    GIVES("-17", "%d", -17);
    GIVES("4294967295", "%u", 4294967295u);
    GIVES("deadbeef", "%x", 0xdeadbeefu);
    GIVES("hi there", "%s", "hi there");
    GIVES("Q", "%c", 'Q');
    GIVES("3.141590", "%f", 3.14159);
    GIVES("   42", "%5d", 42);
    GIVES("ab   |", "%-5s|", "ab");
    GIVES("00042", "%05d", 42);
    GIVES("-0042", "%05d", -42);
    GIVES("-9223372036854775808", "%lld", LLONG_MIN);
    GIVES("9223372036854775807", "%lld", LLONG_MAX);
    GIVES("18446744073709551615", "%zu", (size_t)SIZE_MAX);
    GIVES("0", "%zu", (size_t)0);
    GIVES("x=-1 y=ff z=A s=str", "x=%d y=%x z=%c s=%s", -1, 255u, 'A', "str");
    GIVES("100%", "%d%%", 100);
    /* %f: fixed point, default 6 decimals, the value's exact digits rounded to nearest,
     * ties to even. */
    GIVES("0.67", "%.2f", 2.0 / 3.0);
    GIVES("-0.500000", "%f", -0.5);
    GIVES("2", "%.0f", 2.4);
    GIVES("10000000000.000000", "%f", 1e10);
    GIVES("   3.142", "%8.3f", 3.14159);
    GIVES("3.14    |", "%-8.2f|", 3.14159);
    GIVES("-003.142", "%08.3f", -3.14159);
    GIVES("1.500000000000", "%.12f", 1.5);
    GIVES("0.1000000000000000055511", "%.22f", 0.1);
    GIVES("+2.5", "%+.1f", 2.5);
    GIVES("2|2|4", "%.0f|%.0f|%.0f", 1.5, 2.5, 3.5);
    GIVES("1e+20|1.5e-07|2.500000E+00", "%g|%g|%E", 1e20, 1.5e-7, 2.5);
    GIVES("0x1.8p+1", "%a", 3.0);
    GIVES("0.000000", "%f", 0.0);
    GIVES("inf", "%f", INFINITY);
    GIVES("-inf", "%f", -INFINITY);
    GIVES("nan", "%f", NAN);
    GIVES("0x1234", "%p", (void *)(uintptr_t)0x1234);
    /* NULL for %s on purpose (C leaves it undefined; duet writes "(null)"): the compiler's
     * format check, duet_stream_printf's, would refuse it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif
    GIVES("(null)", "%s", (const char *)NULL);
#pragma GCC diagnostic pop
    assert_int_equal(duet_stream_printf(&sR, "[%c]", 0), 3); /* a NUL character is written */
    assert_int_equal(duet_stream_flush(&sR), DUET_OK);
    char nul3[8];
    assert_int_equal(duet_stream_read_bytes(&sH, nul3, sizeof nul3), 3);
    assert_memory_equal(nul3, "[\0]", 3);
    /* The rest exactly as the C library prints them. */
    SAME_AS_LIBC("%i|%+d|% d|%-4d|%4d|%.3d|%+05d", 7, 7, 7, 7, -7, 7, -7);
    SAME_AS_LIBC("%X|%o|%08x|%-8x|%.0d|", 0xbeefu, 8u, 0xabcu, 0xabcu, 0);
    /* An int for %hh and %h on purpose: printf converts it to char or short (C11 7.21.6.1).
     * GCC accepts that; clang's -Wformat asks for the narrow type, which would hide the test. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    SAME_AS_LIBC("%hhd|%hhu|%hd|%hu", 300, 300, 70000, 70000);
#pragma GCC diagnostic pop
    SAME_AS_LIBC("%ld|%lu|%lx", LONG_MIN, ULONG_MAX, ULONG_MAX);
    SAME_AS_LIBC("%llu|%llx|%lli", ULLONG_MAX, ULLONG_MAX, LLONG_MIN);
    SAME_AS_LIBC("%jd|%ju|%td|%zd", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX, (ptrdiff_t)-5, (ptrdiff_t)-9);
    SAME_AS_LIBC("%d|%d|%u", INT_MIN, INT_MAX, 0u);
    SAME_AS_LIBC("%*d|%-*d|%.*s|%10.3s|", 6, 42, 6, 42, 2, "abcdef", "abcdef");
    SAME_AS_LIBC("%c%c%c|%5c|%-3c|", 'a', 'b', 'c', 'x', 'y');
    SAME_AS_LIBC("%s and %s", "", "nothing");
    SAME_AS_LIBC("no conversions at all, a line\n");
    SAME_AS_LIBC("%f|%.1f|%.3f|%10.4f|%-10.1f|%+f", 1.0, 0.25 + 0.01, 123.4567, -9.87654, 5.55, 1.0 / 3.0);
    SAME_AS_LIBC("%.9f|%f", 0.123456789, 123456789.125);
    SAME_AS_LIBC("%e|%.3e|%-12.2E|%+.0e|%#.0e", 6.02214076e23, -1.0 / 3.0, 1e-300, 9.5, 2.0);
    SAME_AS_LIBC("%g|%g|%g|%.3g|%#g|%G|%.10g", 100000.0, 1e6, 1e-4, 0.0009995, 1.5, 1e-5, 3.14159265358979);
    SAME_AS_LIBC("%a|%A|%.2a|%013.1a|%a", 1.0, -0.1, 1e10, 2.0 / 3.0, 4.9e-324);
    SAME_AS_LIBC("%f|%.3f", 1e300, 1.7976931348623157e308);
    /* Longer than one message: split, nothing lost. */
    char many[1201];
    memset(many, 'm', 1200);
    many[1200] = 0;
    SAME_AS_LIBC("<%s>", many);
    SAME_AS_LIBC("%700d|", 1);
}

static unsigned cb_calls;
static size_t cb_seen;

static void on_rx(duet_stream *s, void *arg)
{
    assert_ptr_equal(arg, &cb_calls);
    cb_calls++;
    cb_seen = duet_stream_available(s);
}

static void test_on_receive(void **state)
{
    (void)state;
    cb_calls = 0;
    duet_stream_on_receive(&sH, on_rx, &cb_calls);
    assert_int_equal(duet_stream_poll(&sH), DUET_OK);
    assert_int_equal(cb_calls, 0); /* nothing arrived */
    assert_int_equal(duet_stream_println(&sR, "ping"), 6);
    assert_int_equal(duet_stream_poll(&sH), DUET_OK);
    assert_int_equal(cb_calls, 1);
    assert_int_equal(cb_seen, 6);
    assert_int_equal(duet_stream_poll(&sH), DUET_OK);
    assert_int_equal(cb_calls, 1); /* nothing new */
    char buf[8];
    assert_int_equal(duet_stream_read_bytes(&sH, buf, sizeof buf), 6);
    assert_memory_equal(buf, "ping\r\n", 6);
    assert_int_equal(duet_stream_print(&sR, "a"), 1);
    assert_int_equal(duet_stream_poll(&sR), DUET_OK); /* the writer's poll flushes */
    assert_int_equal(duet_stream_poll(&sH), DUET_OK);
    assert_int_equal(cb_calls, 2);
    duet_stream_on_receive(&sH, NULL, NULL);
    assert_int_equal(duet_stream_print(&sR, "b\n"), 2);
    assert_int_equal(duet_stream_poll(&sH), DUET_OK);
    assert_int_equal(cb_calls, 2);
    assert_int_equal(duet_stream_available(&sH), 3);
}

/* The link goes down: writes stop, the error says why, nothing is claimed sent. */
static void test_link_down(void **state)
{
    (void)state;
    duet_rpmsg_shutdown(&HX_R.dev);
    static uint8_t data[1000];
    memset(data, 'd', sizeof data);
    assert_int_equal(duet_stream_write(&sR, data, 10), 10); /* gathered only */
    assert_int_equal(duet_stream_flush(&sR), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_stream_error(&sR), DUET_ERR_LINK_DOWN);
    size_t took = duet_stream_write(&sR, data, sizeof data);
    if (HX_R.raw.link.send_split) {
        /* Built for speed: the gathered bytes and the write's whole messages go in one run,
         * which failed: nothing taken. A shorter write is gathered. */
        assert_int_equal(took, 0);
        took = duet_stream_write(&sR, data, 496 - 10);
    }
    assert_int_equal(took, 496 - 10); /* the gather buffer filled (-Os: then its send failed) */
    assert_int_equal(duet_stream_println(&sR, "x"), 0);
    assert_int_equal(duet_stream_printf(&sR, "%d", 12345), 0);
    assert_int_equal(duet_stream_poll(&sR), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_stream_available(&sR), 0);
    assert_int_equal(duet_stream_available(&sH), 0);
}

/* A remote whose host wrote garbage into the buffers a long write takes (an avail entry out
 * of range, a descriptor outside the pool): the whole messages before the bad buffer go out
 * and arrive, the write says how many bytes it took, and the link goes down with a sentence. */
static void hostile_run(bool bad_desc, const char *why)
{
    static uint8_t data[5 * 496];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = pat(i);
    HX_R.poll_other = false;
    uint16_t slot = (uint16_t)((hx_ld16(HX_USED_IDX(HX_VRING0)) + 2) % HX_NUM); /* the third buffer taken */
    if (bad_desc)
        hx_st32(HX_DESC(HX_VRING0, hx_ld16(HX_AVAIL_RING(HX_VRING0, slot))) + 8, 100);
    else
        hx_st16(HX_AVAIL_RING(HX_VRING0, slot), 200);
    /* Without send_split (-Os) the third message was taken into the gather buffer first. */
    size_t taken = HX_R.raw.link.send_split ? 2 * 496 : 3 * 496;
    assert_int_equal(duet_stream_write(&sR, data, sizeof data), taken);
    assert_int_equal(duet_stream_error(&sR), DUET_ERR_CORRUPT);
    assert_string_equal(duet_rpmsg_error_text(&HX_R.dev), why);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).corrupt, 1);
    HX_R.poll_other = true;
    static char got[4096];
    /* -Os: the messages sent before the bad buffer were held back for one index store with
     * the next, and the link went down first: none arrives (noted for the transport). */
    size_t arrived = HX_R.raw.link.send_split ? 2 * 496 : 0;
    assert_int_equal(read_all(&sH, got, sizeof got), arrived);
    assert_memory_equal(got, data, arrived);
}

static void test_hostile_avail_entry(void **state)
{
    (void)state;
    hostile_run(false, "avail ring names a buffer out of range");
}

static void test_hostile_descriptor(void **state)
{
    (void)state;
    hostile_run(true, "descriptor outside the pool");
}

/* A width that does not fit an int ("%*d" with INT_MIN, or too many digits) must not be
 * undefined behaviour in the formatter (the _asan build's UBSan reports it). The link is
 * down so that the formatter stops writing at once. */
static void test_printf_width_overflow(void **state)
{
    (void)state;
    duet_rpmsg_shutdown(&HX_R.dev);
    /* widths the compiler's format check (duet_stream_printf's) refuses, on purpose */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif
    assert_true(duet_stream_printf(&sR, "%*d|", INT_MIN, 5) <= 496);
    assert_true(duet_stream_printf(&sR, "%4294967306d|", 5) <= 496);
#pragma GCC diagnostic pop
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_init_args, hx_teardown),
        cmocka_unit_test_setup_teardown(test_backpressure_remote_to_host, setup_small, hx_teardown),
        cmocka_unit_test_setup_teardown(test_backpressure_host_to_remote, setup_small, hx_teardown),
        cmocka_unit_test_setup_teardown(test_read_straight_into_buffer, setup_small, hx_teardown),
        cmocka_unit_test_setup_teardown(test_read_behind_another_endpoint, setup_small, hx_teardown),
        cmocka_unit_test_setup_teardown(test_backpressure_timeout_loses_nothing, setup_small, hx_teardown),
        cmocka_unit_test_setup_teardown(test_drop_mode_counts_exactly, setup_small, hx_teardown),
        cmocka_unit_test_setup_teardown(test_drop_mode_interleaved_reads, setup_small, hx_teardown),
        cmocka_unit_test_setup_teardown(test_print_println_read_peek, setup_big, hx_teardown),
        cmocka_unit_test_setup_teardown(test_long_write, setup_big, hx_teardown),
        cmocka_unit_test_setup_teardown(test_long_writes_buffers_out_of_order, setup_big, hx_teardown),
        cmocka_unit_test_setup_teardown(test_printf, setup_big, hx_teardown),
        cmocka_unit_test_setup_teardown(test_on_receive, setup_big, hx_teardown),
        cmocka_unit_test_setup_teardown(test_link_down, setup_big, hx_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_avail_entry, setup_big, hx_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_descriptor, setup_big, hx_teardown),
        cmocka_unit_test_setup_teardown(test_printf_width_overflow, setup_big, hx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

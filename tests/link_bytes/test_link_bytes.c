/* tests/link_bytes/test_link_bytes.c - the byte-stream link (duet_link_bytes) over a fake
 * in-memory duet_bytes_io: one byte pipe per direction, a virtual clock.
 *
 * Link level: a capture takes what the link delivers, the test pushes bytes into the pipe in
 * any split and polls. Engine level: two rpc engines talk over two links and two pipes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "duet/link_bytes.h"
#include "duet/rpc.h"

/* ------------------------------------------------------------ fake io */

#define PIPE_CAP (1u << 16)

typedef struct bpipe {
    uint8_t data[PIPE_CAP];
    size_t rd, wr;
    bool eof;                  /* the writer closed: reads fail once it is drained */
} bpipe;

enum { READ_ALL, READ_ONE, READ_RANDOM };

typedef struct bend {
    bpipe *in, *out;
    int mode;                  /* how much one read() returns */
    unsigned max_chunk;        /* READ_RANDOM: 1..max_chunk bytes */
    uint32_t rng;
    int write_err;             /* what write() returns instead of writing (0: writes) */
    unsigned reads;
    void (*idle)(void *arg);   /* run by wait(): the other end's turn */
    void *idle_arg;
} bend;

static uint32_t clock_ms;

static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void pipe_push(bpipe *p, const void *data, size_t len)
{
    if (p->rd && p->wr + len > PIPE_CAP) {
        memmove(p->data, p->data + p->rd, p->wr - p->rd);
        p->wr -= p->rd;
        p->rd = 0;
    }
    assert_true(p->wr + len <= PIPE_CAP);
    memcpy(p->data + p->wr, data, len);
    p->wr += len;
}

static long io_read(void *ctx, uint8_t *buf, size_t cap)
{
    bend *e = (bend *)ctx;
    bpipe *p = e->in;
    e->reads++;
    size_t avail = p->wr - p->rd;
    if (avail == 0)
        return p->eof ? DUET_ERR_LINK_DOWN : 0;
    size_t n = avail < cap ? avail : cap;
    if (e->mode == READ_ONE && n > 1)
        n = 1;
    if (e->mode == READ_RANDOM) {
        size_t k = 1 + rnd(&e->rng) % e->max_chunk;
        if (n > k)
            n = k;
    }
    memcpy(buf, p->data + p->rd, n);
    p->rd += n;
    if (p->rd == p->wr)
        p->rd = p->wr = 0;
    return (long)n;
}

static int io_write(void *ctx, const uint8_t *data, size_t len)
{
    bend *e = (bend *)ctx;
    if (e->write_err)
        return e->write_err;
    pipe_push(e->out, data, len);
    return DUET_OK;
}

static void io_wait(void *ctx, uint32_t timeout_ms)
{
    bend *e = (bend *)ctx;
    (void)timeout_ms;
    if (e->idle)
        e->idle(e->idle_arg);
    clock_ms++;
}

static uint32_t io_now(void *ctx)
{
    (void)ctx;
    return clock_ms;
}

static duet_bytes_io make_io(bend *e)
{
    duet_bytes_io io = {io_read, io_write, io_wait, io_now, e};
    return io;
}

/* ------------------------------------------------------------ link-level fixture */

#define CAP_MSGS 4096

typedef struct capture {
    unsigned n;
    unsigned offered;
    unsigned refuse;           /* refuse this many offers first */
    size_t total;
    size_t off[CAP_MSGS];
    size_t len[CAP_MSGS];
    uint8_t bytes[1 << 18];
} capture;

static bpipe pin, pout;
static bend end_l;
static duet_link_bytes link_l;
static uint8_t rxbuf[4096];
static capture cap;

static bool cap_deliver(void *up, const uint8_t *data, size_t len)
{
    capture *c = (capture *)up;
    c->offered++;
    if (c->refuse) {
        c->refuse--;
        return false;
    }
    assert_true(c->n < CAP_MSGS);
    assert_true(c->total + len <= sizeof c->bytes);
    c->off[c->n] = c->total;
    c->len[c->n] = len;
    memcpy(c->bytes + c->total, data, len);
    c->total += len;
    c->n++;
    return true;
}

/* A link reading pin (writing pout) with a receive buffer of rx_cap bytes. */
static void link_open(size_t rx_cap, int mode, size_t max_message)
{
    pin.rd = pin.wr = 0;
    pin.eof = false;
    pout.rd = pout.wr = 0;
    pout.eof = false;
    memset(&end_l, 0, sizeof end_l);
    cap.n = cap.offered = cap.refuse = 0;
    cap.total = 0;
    end_l.in = &pin;
    end_l.out = &pout;
    end_l.mode = mode;
    end_l.max_chunk = 7;
    end_l.rng = 12345;
    duet_bytes_io io = make_io(&end_l);
    assert_true(rx_cap <= sizeof rxbuf);
    duet_link_bytes_init(&link_l, &io, rxbuf, rx_cap, max_message);
    duet_link_attach(&link_l.link, cap_deliver, &cap);
}

static int lpoll(void)
{
    return link_l.link.poll(&link_l.link);
}

static void assert_delivered(unsigned i, const uint8_t *want, size_t len)
{
    assert_true(i < cap.n);
    assert_int_equal(cap.len[i], len);
    assert_memory_equal(cap.bytes + cap.off[i], want, len);
}

/* A msgpack-RPC request with headers of several sizes, to split in every place. */
static size_t rich_message(uint8_t *buf, size_t cap_)
{
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, cap_);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 0);
    duet_msgpack_write_uint(&w, 70000);
    duet_msgpack_write_cstr(&w, "some.method");
    duet_msgpack_write_array(&w, 7);
    duet_msgpack_write_uint(&w, 4000000000u);
    duet_msgpack_write_cstr(&w, "a string of more than thirty-two bytes");
    duet_msgpack_write_bin(&w, "\x00\xc1\xff\x01\x02", 5);
    duet_msgpack_write_double(&w, -1.25);
    duet_msgpack_write_map(&w, 1);
    duet_msgpack_write_cstr(&w, "k");
    duet_msgpack_write_int(&w, -5000);
    duet_msgpack_write_nil(&w);
    duet_msgpack_write_bool(&w, true);
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_OK);
    return duet_msgpack_writer_size(&w);
}

/* One random MessagePack value (depth-limited), at most about 200 bytes. */
static void random_value(duet_msgpack_writer *w, uint32_t *s, int depth)
{
    static const char text[] = "the quick brown fox jumps over the lazy dog, again and again";
    switch (rnd(s) % (depth < 3 ? 12 : 10)) {
    case 0: duet_msgpack_write_nil(w); break;
    case 1: duet_msgpack_write_bool(w, rnd(s) & 1); break;
    case 2: duet_msgpack_write_uint(w, rnd(s) % 200); break;
    case 3: duet_msgpack_write_uint(w, (uint64_t)rnd(s) << (rnd(s) % 40)); break;
    case 4: duet_msgpack_write_int(w, -(int64_t)(rnd(s) >> (rnd(s) % 24))); break;
    case 5: duet_msgpack_write_float(w, (float)(rnd(s) % 1000) / 8.0f); break;
    case 6: duet_msgpack_write_double(w, (double)rnd(s) / 3.0); break;
    case 7: duet_msgpack_write_str(w, text, rnd(s) % 60); break;
    case 8: duet_msgpack_write_bin(w, text, rnd(s) % 40); break;
    case 9: duet_msgpack_write_ext(w, (int8_t)(rnd(s) % 100), text, rnd(s) % 20); break;
    case 10: {
        uint32_t n = rnd(s) % 4;
        duet_msgpack_write_array(w, n);
        for (uint32_t i = 0; i < n; i++)
            random_value(w, s, depth + 1);
        break;
    }
    default: {
        uint32_t n = rnd(s) % 3;
        duet_msgpack_write_map(w, n);
        for (uint32_t i = 0; i < 2 * n; i++)
            random_value(w, s, depth + 1);
        break;
    }
    }
}

/* A stream of count random messages of at most 200 bytes; their offsets and lengths in off/len. */
static size_t random_stream(uint8_t *buf, size_t cap_, unsigned count, uint32_t seed, size_t *off, size_t *len)
{
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, cap_);
    uint32_t s = seed;
    for (unsigned i = 0; i < count; i++) {
        static uint8_t one[1 << 14];
        duet_msgpack_writer v;
        do {
            duet_msgpack_writer_init(&v, one, sizeof one);
            random_value(&v, &s, 0);
        } while (duet_msgpack_writer_error(&v) || duet_msgpack_writer_size(&v) > 200);
        off[i] = duet_msgpack_writer_size(&w);
        duet_msgpack_write_raw(&w, one, duet_msgpack_writer_size(&v));
        len[i] = duet_msgpack_writer_size(&w) - off[i];
    }
    assert_int_equal(duet_msgpack_writer_error(&w), DUET_OK);
    return duet_msgpack_writer_size(&w);
}

/* ------------------------------------------------------------ link-level tests */

static void test_every_split(void **state)
{
    (void)state;
    uint8_t m[128];
    size_t L = rich_message(m, sizeof m);
    assert_true(L > 60);
    for (int mode = READ_ALL; mode <= READ_ONE; mode++) {
        for (size_t s1 = 0; s1 <= L; s1++) {
            for (size_t s2 = s1; s2 <= L; s2++) {
                link_open(256, mode, 0);
                pipe_push(&pin, m, s1);
                assert_int_equal(lpoll(), s1 == L ? 1 : 0);
                pipe_push(&pin, m + s1, s2 - s1);
                assert_int_equal(lpoll(), s2 == L && s1 < L ? 1 : 0);
                pipe_push(&pin, m + s2, L - s2);
                assert_int_equal(lpoll(), s2 < L ? 1 : 0);
                assert_int_equal(cap.n, 1);
                assert_delivered(0, m, L);
                assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, 0);
                assert_int_equal(duet_link_bytes_get_stats(&link_l).oversized, 0);
                assert_int_equal(lpoll(), 0);
            }
        }
    }
}

static void test_one_byte_at_a_time(void **state)
{
    (void)state;
    static uint8_t stream[1 << 15];
    static size_t off[400], len[400];
    size_t n = random_stream(stream, sizeof stream, 400, 777, off, len);
    link_open(256, READ_ALL, 0);
    unsigned delivered = 0;
    for (size_t i = 0; i < n; i++) {
        pipe_push(&pin, stream + i, 1);
        int got = lpoll();
        assert_true(got == 0 || got == 1);
        delivered += (unsigned)got;
        /* A message is delivered exactly when its last byte arrives. */
        assert_int_equal(delivered, cap.n);
        if (got)
            assert_int_equal(off[cap.n - 1] + len[cap.n - 1], i + 1);
    }
    assert_int_equal(cap.n, 400);
    for (unsigned i = 0; i < 400; i++)
        assert_delivered(i, stream + off[i], len[i]);
    assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, 0);
    /* The reads themselves one byte at a time, the stream pushed whole. */
    link_open(256, READ_ONE, 0);
    pipe_push(&pin, stream, n);
    assert_int_equal(lpoll(), 400);
    assert_int_equal(cap.n, 400);
    assert_int_equal(cap.total, n);
    assert_memory_equal(cap.bytes, stream, n);
}

static void test_random_chunks(void **state)
{
    (void)state;
    static uint8_t stream[1 << 17];
    static size_t off[2000], len[2000];
    for (uint32_t seed = 1; seed <= 4; seed++) {
        size_t n = random_stream(stream, sizeof stream, 2000, seed * 7919, off, len);
        link_open(300, seed % 2 ? READ_RANDOM : READ_ALL, 0);
        end_l.max_chunk = 1 + seed * 13;
        uint32_t s = seed;
        size_t at = 0;
        while (at < n) {
            size_t k = 1 + rnd(&s) % 97;
            if (k > n - at)
                k = n - at;
            pipe_push(&pin, stream + at, k);
            at += k;
            assert_true(lpoll() >= 0);
        }
        while (lpoll() > 0)
            ;
        assert_int_equal(cap.n, 2000);
        assert_int_equal(cap.total, n);
        for (unsigned i = 0; i < 2000; i++)
            assert_delivered(i, stream + off[i], len[i]);
        assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, 0);
        assert_int_equal(duet_link_bytes_get_stats(&link_l).oversized, 0);
    }
}

static void test_garbage_between_messages(void **state)
{
    (void)state;
    uint8_t m[128];
    size_t L = rich_message(m, sizeof m);
    static const uint8_t small[] = {0x93, 0x02, 0xa1, 'n', 0x90};
    static uint8_t stream[4096];
    size_t n = 0;
    unsigned garbage = 0;
    for (unsigned k = 0; k < 8; k++) {
        for (unsigned g = 0; g < k; g++)
            stream[n++] = 0xc1;
        garbage += k;
        memcpy(stream + n, k % 2 ? m : small, k % 2 ? L : sizeof small);
        n += k % 2 ? L : sizeof small;
    }
    memset(stream + n, 0xc1, 3); /* trailing garbage */
    n += 3;
    garbage += 3;
    for (int way = 0; way < 3; way++) {
        link_open(256, way == 2 ? READ_ONE : READ_ALL, 0);
        if (way == 1) {
            for (size_t i = 0; i < n; i++) {
                pipe_push(&pin, stream + i, 1);
                assert_true(lpoll() >= 0);
            }
        } else {
            pipe_push(&pin, stream, n);
            assert_int_equal(lpoll(), 8);
        }
        assert_int_equal(cap.n, 8);
        for (unsigned k = 0; k < 8; k++) {
            if (k % 2)
                assert_delivered(k, m, L);
            else
                assert_delivered(k, small, sizeof small);
        }
        assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, garbage);
        assert_int_equal(duet_link_bytes_get_stats(&link_l).oversized, 0);
    }
}

static void test_message_of_exactly_the_buffer(void **state)
{
    (void)state;
    /* bin8 of 62 bytes: 64 bytes in all. */
    uint8_t m[65];
    m[0] = 0xc4;
    m[1] = 62;
    for (int i = 0; i < 62; i++)
        m[2 + i] = (uint8_t)i;
    m[64] = 0x07; /* a second message right after it */
    for (int mode = READ_ALL; mode <= READ_ONE; mode++) {
        link_open(64, mode, 0);
        pipe_push(&pin, m, sizeof m);
        assert_int_equal(lpoll(), 2);
        assert_delivered(0, m, 64);
        assert_delivered(1, m + 64, 1);
        assert_int_equal(duet_link_bytes_get_stats(&link_l).oversized, 0);
        assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, 0);
        /* After a small message the buffer does not start at 0: still fits. */
        link_open(64, mode, 0);
        uint8_t two[66];
        two[0] = 0x05;
        memcpy(two + 1, m, 65);
        pipe_push(&pin, two, 1);
        assert_int_equal(lpoll(), 1);
        pipe_push(&pin, two + 1, 64);
        assert_int_equal(lpoll(), 1);
        assert_delivered(1, m, 64);
        assert_int_equal(duet_link_bytes_get_stats(&link_l).oversized, 0);
    }
}

static void test_oversized_message_of_invalid_bytes(void **state)
{
    (void)state;
    /* A bin8 of 98 bytes (100 in all) into a 64-byte buffer; its body is bytes that cannot
     * start a value, skipped as the body they are (not counted as garbage). */
    uint8_t m[100 + 5];
    m[0] = 0xc4;
    m[1] = 98;
    memset(m + 2, 0xc1, 98);
    static const uint8_t next[] = {0x93, 0x02, 0xa1, 'n', 0x90};
    memcpy(m + 100, next, sizeof next);
    link_open(64, READ_ALL, 0);
    pipe_push(&pin, m, sizeof m);
    while (lpoll() > 0 || pin.wr != pin.rd)
        ;
    assert_int_equal(cap.n, 1);
    assert_delivered(0, next, sizeof next);
    assert_int_equal(duet_link_bytes_get_stats(&link_l).oversized, 1);
    assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, 0);
}

static void test_oversized_message_dropped_whole(void **state)
{
    (void)state;
    /* A str8 of 98 'a' (100 bytes) into a 64-byte buffer, then a small message. */
    uint8_t m[100 + 5];
    m[0] = 0xd9;
    m[1] = 98;
    memset(m + 2, 'a', 98);
    static const uint8_t next[] = {0x93, 0x02, 0xa1, 'n', 0x90};
    memcpy(m + 100, next, sizeof next);
    link_open(64, READ_ALL, 0);
    pipe_push(&pin, m, sizeof m);
    for (int i = 0; i < 4; i++)
        assert_true(lpoll() >= 0);
    assert_int_equal(duet_link_bytes_get_stats(&link_l).oversized, 1);
    assert_delivered(0, next, sizeof next);
    assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, 0);
}

static void test_eof(void **state)
{
    (void)state;
    static const uint8_t m[] = {0x92, 0x01, 0x02};
    link_open(64, READ_ALL, 0);
    pipe_push(&pin, m, sizeof m);
    pin.eof = true;
    assert_int_equal(lpoll(), 1); /* what came before the end is delivered */
    assert_delivered(0, m, sizeof m);
    assert_int_equal(lpoll(), DUET_ERR_LINK_DOWN);
    assert_int_equal(lpoll(), DUET_ERR_LINK_DOWN);
    /* End of input is not end of output: answers still go out. */
    assert_int_equal(link_l.link.send(&link_l.link, m, sizeof m), DUET_OK);
    assert_false(link_l.down);
    assert_true(duet_link_bytes_get_stats(&link_l).input_ended);
    /* A message cut by the end is not delivered, and counted. */
    link_open(64, READ_ONE, 0);
    pipe_push(&pin, m, 2);
    pin.eof = true;
    assert_int_equal(lpoll(), DUET_ERR_LINK_DOWN);
    assert_int_equal(cap.n, 0);
    assert_int_equal(duet_link_bytes_get_stats(&link_l).truncated, 1);
    /* End of stream with nothing before it. */
    link_open(64, READ_ALL, 0);
    pin.eof = true;
    assert_int_equal(lpoll(), DUET_ERR_LINK_DOWN);
}

static void test_send(void **state)
{
    (void)state;
    static const uint8_t m[] = {0x92, 0x01, 0x02};
    link_open(64, READ_ALL, 3);
    assert_int_equal(link_l.link.send(&link_l.link, m, 3), DUET_OK);
    assert_int_equal(pout.wr, 3);
    assert_memory_equal(pout.data, m, 3);
    assert_int_equal(link_l.link.send(&link_l.link, m, 4), DUET_ERR_TOO_LARGE);
    assert_int_equal(pout.wr, 3);
    end_l.write_err = DUET_ERR_TIMEOUT;
    assert_int_equal(link_l.link.send(&link_l.link, m, 3), DUET_ERR_TIMEOUT);
    assert_false(link_l.down);
    end_l.write_err = DUET_ERR_LINK_DOWN;
    assert_int_equal(link_l.link.send(&link_l.link, m, 3), DUET_ERR_LINK_DOWN);
    assert_true(link_l.down);
    end_l.write_err = 0;
    assert_int_equal(link_l.link.send(&link_l.link, m, 3), DUET_ERR_LINK_DOWN);
    assert_int_equal(lpoll(), DUET_ERR_LINK_DOWN);
    /* The clock and wait come from the io. */
    clock_ms = 41;
    assert_int_equal(link_l.link.now_ms(&link_l.link), 41);
    link_l.link.wait(&link_l.link, 10);
    assert_int_equal(link_l.link.now_ms(&link_l.link), 42);
}

static void test_refused_message_offered_again(void **state)
{
    (void)state;
    static const uint8_t m1[] = {0x92, 0x01, 0x02};
    static const uint8_t m2[] = {0x91, 0x03};
    link_open(64, READ_ALL, 0);
    pipe_push(&pin, m1, sizeof m1);
    pipe_push(&pin, m2, sizeof m2);
    cap.refuse = 1000;
    assert_int_equal(lpoll(), 0);
    assert_int_equal(cap.n, 0);
    unsigned offers = cap.offered;
    assert_true(offers >= 1);
    cap.refuse = 0;
    assert_int_equal(lpoll(), 2);
    assert_delivered(0, m1, sizeof m1);
    assert_delivered(1, m2, sizeof m2);
    assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, 0);
}

static void test_refused_message_survives_more_input(void **state)
{
    (void)state;
    /* The layer above refuses (no room) while the peer keeps sending: 3 messages, 70 bytes,
     * into a 64-byte buffer. Backpressure means nothing is lost: once the layer above takes
     * messages again, all three arrive in order. */
    uint8_t stream[70];
    static const uint8_t m1[10] = {0xc4, 8, 1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t m2[30], m3[30];
    m2[0] = m3[0] = 0xc4;
    m2[1] = m3[1] = 28;
    memset(m2 + 2, 0x22, 28);
    memset(m3 + 2, 0x33, 28);
    memcpy(stream, m1, 10);
    memcpy(stream + 10, m2, 30);
    memcpy(stream + 40, m3, 30);
    link_open(64, READ_ALL, 0);
    pipe_push(&pin, stream, sizeof stream);
    cap.refuse = 1000;
    assert_true(lpoll() >= 0);
    assert_true(lpoll() >= 0);
    cap.refuse = 0;
    for (int i = 0; i < 4; i++)
        assert_true(lpoll() >= 0);
    assert_delivered(0, m1, sizeof m1);
    assert_delivered(1, m2, sizeof m2);
    assert_delivered(2, m3, sizeof m3);
    assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, 0);
}

/* ------------------------------------------------------------ bad input: notes, limits */

typedef struct notes {
    unsigned n;
    duet_bytes_note last[8];
    uint8_t bytes[8][16];
    unsigned dropped;          /* duet_link_dropped calls (the layer above's view) */
    uint8_t head[64];
    size_t head_len;
    uint64_t dropped_size;
    size_t dropped_limit;
} notes;

static notes nt;

static void on_note(void *ctx, const duet_bytes_note *n)
{
    notes *x = (notes *)ctx;
    assert_true(x->n < 8);
    x->last[x->n] = *n;
    memcpy(x->bytes[x->n], n->bytes, n->len);
    x->last[x->n].bytes = x->bytes[x->n];
    x->n++;
}

static void on_dropped(void *up, const uint8_t *head, size_t len, uint64_t size, size_t limit)
{
    (void)up;
    nt.dropped++;
    assert_true(len <= sizeof nt.head);
    memcpy(nt.head, head, len);
    nt.head_len = len;
    nt.dropped_size = size;
    nt.dropped_limit = limit;
}

/* link_open, with notes and the dropped upcall recorded in nt. */
static void link_open_noted(size_t rx_cap, int mode, size_t max_message)
{
    link_open(rx_cap, mode, max_message);
    memset(&nt, 0, sizeof nt);
    duet_link_bytes_on_note(&link_l, on_note, &nt);
    duet_link_attach_dropped(&link_l.link, on_dropped);
}

static void test_garbage_noted_as_one_run(void **state)
{
    (void)state;
    static const uint8_t in[] = {0xc1, 0xc1, 0x92, 0x01, 0x02, 0xc1};
    link_open_noted(64, READ_ONE, 0);
    pipe_push(&pin, in, sizeof in);
    while (lpoll() > 0 || pin.wr != pin.rd)
        ;
    assert_int_equal(cap.n, 1);
    assert_delivered(0, in + 2, 3);
    assert_int_equal(nt.n, 2);
    assert_int_equal(nt.last[0].kind, DUET_BYTES_GARBAGE);
    assert_int_equal(nt.last[0].offset, 0);
    assert_int_equal(nt.last[0].size, 2);
    assert_int_equal(nt.last[0].len, 2);
    assert_memory_equal(nt.last[0].bytes, in, 2);
    assert_int_equal(nt.last[1].kind, DUET_BYTES_GARBAGE);
    assert_int_equal(nt.last[1].offset, 5);
    assert_int_equal(nt.last[1].size, 1);
    assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, 3);
}

static void test_oversized_request_head_goes_up(void **state)
{
    (void)state;
    /* [0, 7, "echo", ["<40 x>"]] over a 32-byte limit (64-byte buffer), then a small message. */
    uint8_t m[64];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, m, sizeof m);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 0);
    duet_msgpack_write_uint(&w, 7);
    duet_msgpack_write_cstr(&w, "echo");
    duet_msgpack_write_array(&w, 1);
    duet_msgpack_write_cstr(&w, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    size_t len = duet_msgpack_writer_size(&w);
    static const uint8_t next[] = {0x93, 0x02, 0xa1, 'n', 0x90};
    link_open_noted(64, READ_ALL, 32);
    pipe_push(&pin, m, len);
    pipe_push(&pin, next, sizeof next);
    assert_int_equal(lpoll(), 1);
    assert_delivered(0, next, sizeof next);
    assert_int_equal(nt.dropped, 1);
    assert_int_equal(nt.dropped_limit, 32);
    assert_int_equal(nt.dropped_size, len); /* the str header tells the whole size */
    assert_true(nt.head_len >= 10);
    assert_memory_equal(nt.head, m, 10);   /* enough to answer by msgid */
    assert_int_equal(nt.n, 1);
    assert_int_equal(nt.last[0].kind, DUET_BYTES_OVERSIZED);
    assert_int_equal(nt.last[0].offset, 0);
    duet_link_bytes_stats st = duet_link_bytes_get_stats(&link_l);
    assert_int_equal(st.oversized, 1);
    assert_int_equal(st.garbage_bytes, 0);
    assert_false(st.input_refused);
}

/* A message whose last header, a number's, takes it over the limit: no value or body comes
 * after that header for the limit to be checked against, and yet it is over. */
static void test_last_header_over_limit(void **state)
{
    (void)state;
    /* [bin "abcde", uint64 1]: 1 + 7 + 9 = 17 bytes over a 16-byte limit, then a message. */
    static const uint8_t in[] = {0x92, 0xc4, 0x05, 'a', 'b', 'c', 'd', 'e', 0xcf, 0, 0, 0, 0, 0, 0, 0, 1,
                                 0x93, 0x02, 0xa1, 'n', 0x90};
    for (int mode = READ_ALL; mode <= READ_ONE; mode++) {
        link_open_noted(64, mode, 16);
        pipe_push(&pin, in, sizeof in);
        while (lpoll() > 0 || pin.wr != pin.rd)
            ;
        assert_int_equal(cap.n, 1);
        assert_delivered(0, in + 17, 5);
        assert_int_equal(nt.n, 1);
        assert_int_equal(nt.last[0].kind, DUET_BYTES_OVERSIZED);
        assert_int_equal(nt.last[0].offset, 0);
        assert_int_equal(nt.last[0].size, 17);
        assert_int_equal(nt.dropped, 1);
        assert_int_equal(nt.dropped_size, 17);
        assert_memory_equal(nt.head, in, nt.head_len);
        assert_int_equal(duet_link_bytes_get_stats(&link_l).oversized, 1);
        assert_int_equal(duet_link_bytes_get_stats(&link_l).garbage_bytes, 0);
    }
}

/* A message whose headers framed so far fit the limit, but whose next header the end of the
 * full buffer cuts: it cannot fit, and is refused (the link once waited for room forever). */
static void test_header_cut_by_full_buffer(void **state)
{
    (void)state;
    /* [bin of 12, uint16 1]: 15 bytes framed, the uint16's 3-byte header from byte 15 of a
     * 16-byte buffer (the limit): 18 bytes in all. Then a message. */
    static const uint8_t in[] = {0x92, 0xc4, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0xcd, 0x00, 0x01,
                                 0x93, 0x02, 0xa1, 'n', 0x90};
    for (int mode = READ_ALL; mode <= READ_ONE; mode++) {
        link_open_noted(16, mode, 0);
        pipe_push(&pin, in, sizeof in);
        pin.eof = true;
        for (int i = 0; i < 8; i++)
            lpoll();
        assert_int_equal(cap.n, 1);
        assert_delivered(0, in + 18, 5);
        assert_int_equal(nt.n, 1);
        assert_int_equal(nt.last[0].kind, DUET_BYTES_OVERSIZED);
        assert_int_equal(nt.last[0].offset, 0);
        assert_int_equal(nt.last[0].size, 17); /* more than the 16 bytes it holds */
        assert_int_equal(nt.dropped, 1);
        assert_int_equal(nt.head_len, 16);
        assert_memory_equal(nt.head, in, 16);
        duet_link_bytes_stats st = duet_link_bytes_get_stats(&link_l);
        assert_int_equal(st.oversized, 1);
        assert_int_equal(st.truncated, 0);
        assert_true(st.input_ended);
    }
}

static void test_huge_header_refuses_input(void **state)
{
    (void)state;
    /* [0, 1, <str of 4 GiB>... then a whole request: the request must not be served as the
     * string's body, nor the link wait for 4 GiB. */
    static const uint8_t in[] = {0x94, 0x00, 0x01, 0xdb, 0xff, 0xff, 0xff, 0xff, 0x94, 0x00, 0x02, 0xa3, 'a', 'd', 'd', 0x90};
    link_open_noted(64, READ_ALL, 32);
    pipe_push(&pin, in, sizeof in);
    assert_int_equal(lpoll(), DUET_ERR_LINK_DOWN);
    assert_int_equal(cap.n, 0);
    assert_int_equal(nt.dropped, 1);
    assert_int_equal(nt.dropped_size, 8 + 0xffffffffull + 1); /* and one more value, the params */
    assert_memory_equal(nt.head, in, 8);
    assert_int_equal(nt.last[0].kind, DUET_BYTES_REFUSED);
    duet_link_bytes_stats st = duet_link_bytes_get_stats(&link_l);
    assert_true(st.input_refused);
    /* Nothing more is read, but answers still go out. */
    unsigned reads = end_l.reads;
    assert_int_equal(lpoll(), DUET_ERR_LINK_DOWN);
    assert_int_equal(end_l.reads, reads);
    assert_int_equal(link_l.link.send(&link_l.link, in + 8, 8), DUET_OK);
}

/* A message over the limit, skipped, that declares far more further in: the skipping stops
 * there (it once skipped 4 GiB, swallowing what followed as the string's body). */
static void test_huge_header_while_skipping_refuses_input(void **state)
{
    (void)state;
    /* [0, 1, "<20 x>", <str of 4 GiB>...: over 16 bytes at the first string's header (25
     * bytes, within 16 times 16: skipped), then 4 GiB more declared; then a request. */
    uint8_t in[64];
    static const uint8_t add[] = {0x94, 0x00, 0x02, 0xa3, 'a', 'd', 'd', 0x90};
    memcpy(in, "\x94\x00\x01\xb4", 4);
    memset(in + 4, 'x', 20);
    memcpy(in + 24, "\xdb\xff\xff\xff\xff", 5);
    memcpy(in + 29, add, sizeof add);
    for (int mode = READ_ALL; mode <= READ_ONE; mode++) {
        link_open_noted(64, mode, 16);
        pipe_push(&pin, in, 29 + sizeof add);
        int got;
        while ((got = lpoll()) > 0 || (got == 0 && pin.wr != pin.rd))
            ;
        assert_int_equal(got, DUET_ERR_LINK_DOWN);
        assert_int_equal(cap.n, 0);
        assert_int_equal(nt.n, 2);
        assert_int_equal(nt.last[0].kind, DUET_BYTES_OVERSIZED);
        assert_int_equal(nt.last[0].size, 25);
        assert_int_equal(nt.last[1].kind, DUET_BYTES_REFUSED);
        assert_int_equal(nt.last[1].offset, 0);
        assert_int_equal(nt.last[1].size, 29 + 0xffffffffull);
        assert_int_equal(nt.last[1].len, 0);
        assert_int_equal(nt.dropped, 1); /* the head went up once, with the first note */
        assert_int_equal(nt.dropped_size, 25);
        duet_link_bytes_stats st = duet_link_bytes_get_stats(&link_l);
        assert_true(st.input_refused);
        assert_int_equal(st.oversized, 1);
        unsigned reads = end_l.reads;
        assert_int_equal(lpoll(), DUET_ERR_LINK_DOWN);
        assert_int_equal(end_l.reads, reads); /* nothing more is read */
    }
}

static void test_truncated_input_noted(void **state)
{
    (void)state;
    static const uint8_t in[] = {0xc1, 0xc1, 0x94, 0x00, 0x94, 0x00, 0x01, 0xa3, 'a', 'd', 'd', 0x92, 0x01, 0x02};
    link_open_noted(64, READ_RANDOM, 0);
    pipe_push(&pin, in, sizeof in);
    pin.eof = true;
    while (lpoll() >= 0)
        ;
    assert_int_equal(cap.n, 0);
    assert_int_equal(nt.n, 2);
    assert_int_equal(nt.last[0].kind, DUET_BYTES_GARBAGE);
    assert_int_equal(nt.last[0].size, 2);
    assert_int_equal(nt.last[1].kind, DUET_BYTES_TRUNCATED);
    assert_int_equal(nt.last[1].offset, 2);
    assert_int_equal(nt.last[1].size, sizeof in - 2);
    duet_link_bytes_stats st = duet_link_bytes_get_stats(&link_l);
    assert_int_equal(st.truncated, 1);
    assert_true(st.input_ended);
}

/* While a message is being delivered, a nested poll receives messages that only fit once the
 * ones delivered inside it are handled (the buffer moves them down to the message in use). */
static unsigned nested_seen;
static uint8_t nested_first[30];

static bool nested_deliver(void *up, const uint8_t *data, size_t len)
{
    (void)up;
    if (nested_seen++ > 0)
        return cap_deliver(&cap, data, len);
    memcpy(nested_first, data, len);
    uint8_t m[30];
    for (int k = 0; k < 3; k++) {
        m[0] = 0xc4;
        m[1] = 28;
        memset(m + 2, 0x40 + k, 28);
        pipe_push(&pin, m, sizeof m);
        while (cap.n < (unsigned)k + 1)
            assert_true(lpoll() >= 0);
    }
    assert_memory_equal(data, nested_first, len); /* the message in use did not move */
    return cap_deliver(&cap, data, len);
}

static void test_reads_on_while_a_message_is_in_use(void **state)
{
    (void)state;
    uint8_t first[30];
    first[0] = 0xc4;
    first[1] = 28;
    memset(first + 2, 0x3f, 28);
    link_open(64, READ_ALL, 30);
    nested_seen = 0;
    duet_link_attach(&link_l.link, nested_deliver, &cap);
    pipe_push(&pin, first, sizeof first);
    assert_int_equal(lpoll(), 1);
    assert_int_equal(cap.n, 4); /* three inside, then the first */
    for (unsigned k = 0; k < 3; k++) {
        assert_int_equal(cap.len[k], 30);
        assert_int_equal(cap.bytes[cap.off[k] + 2], 0x40 + k);
    }
    assert_delivered(3, first, sizeof first);
}

/* ------------------------------------------------------------ two engines over byte links */

static bpipe ab, ba;
static bend end_a, end_b;
static duet_link_bytes link_a, link_b;
static uint8_t rx_a[512], rx_b[512];
static uint8_t tx_a[2048], tx_b[2048], res_a[DUET_RPC_MAX_INFLIGHT * 256], res_b[DUET_RPC_MAX_INFLIGHT * 256];
static duet_rpc rpc_a, rpc_b;

static void idle_poll(void *rpc)
{
    (void)duet_rpc_poll((duet_rpc *)rpc);
}

static int h_add(duet_req *c) { return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1)); }

static int h_echo_s(duet_req *c)
{
    uint32_t len;
    const char *s = duet_arg_str(c, 0, &len);
    duet_msgpack_write_str(duet_req_result(c), s, len);
    return duet_msgpack_writer_error(duet_req_result(c));
}

static int h_f(duet_req *c) /* on B: A.g(x + 1) + 100 */
{
    int32_t r = 0;
    int err = duet_rpc_call(duet_req_rpc(c), "g", "i:i", duet_arg_int(c, 0) + 1, &r);
    return err ? err : duet_return_int(c, (int64_t)r + 100);
}

static int h_g(duet_req *c) /* on A: B.h(2 y) + 1000 */
{
    int32_t r = 0;
    int err = duet_rpc_call(duet_req_rpc(c), "h", "i:i", duet_arg_int(c, 0) * 2, &r);
    return err ? err : duet_return_int(c, (int64_t)r + 1000);
}

static int h_h(duet_req *c) { return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + 5); }

/* What B's engine reported (its report hook): the last sentence, and how many. */
static char b_report[256];
static unsigned b_reports;

static void on_b_report(void *arg, const char *text)
{
    (void)arg;
    b_reports++;
    strncpy(b_report, text, sizeof b_report - 1);
}

static void engines_open(int mode_a, int mode_b)
{
    b_reports = 0;
    b_report[0] = '\0';
    memset(&ab, 0, sizeof ab);
    memset(&ba, 0, sizeof ba);
    memset(&end_a, 0, sizeof end_a);
    memset(&end_b, 0, sizeof end_b);
    clock_ms = 0;
    end_a = (bend){.in = &ba, .out = &ab, .mode = mode_a, .max_chunk = 5, .rng = 1, .idle = idle_poll, .idle_arg = &rpc_b};
    end_b = (bend){.in = &ab, .out = &ba, .mode = mode_b, .max_chunk = 3, .rng = 2, .idle = idle_poll, .idle_arg = &rpc_a};
    duet_bytes_io ia = make_io(&end_a), ib = make_io(&end_b);
    duet_link_bytes_init(&link_a, &ia, rx_a, sizeof rx_a, 0);
    duet_link_bytes_init(&link_b, &ib, rx_b, sizeof rx_b, 0);
    duet_rpc_config ca = {.tx_buffer = tx_a, .tx_size = sizeof tx_a, .result_buffer = res_a,
                          .result_size = sizeof res_a, .max_message = 256};
    duet_rpc_config cb = {.tx_buffer = tx_b, .tx_size = sizeof tx_b, .result_buffer = res_b,
                          .result_size = sizeof res_b, .max_message = 256, .report = on_b_report};
    assert_int_equal(duet_rpc_init(&rpc_a, &link_a.link, &ca), DUET_OK);
    assert_int_equal(duet_rpc_init(&rpc_b, &link_b.link, &cb), DUET_OK);
    assert_int_equal(duet_rpc_bind(&rpc_b, "add", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(&rpc_b, "echo_s", "s:s", h_echo_s, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(&rpc_b, "f", "i:i", h_f, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(&rpc_a, "g", "i:i", h_g, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(&rpc_b, "h", "i:i", h_h, NULL), DUET_OK);
}

static void test_engines_over_bytes(void **state)
{
    (void)state;
    static const int modes[][2] = {{READ_ALL, READ_ALL}, {READ_ONE, READ_ONE}, {READ_RANDOM, READ_RANDOM},
                                   {READ_ONE, READ_RANDOM}};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        engines_open(modes[m][0], modes[m][1]);
        int32_t r = 0;
        assert_int_equal(duet_rpc_call(&rpc_a, "add", "ii:i", 20, 22, &r), DUET_OK);
        assert_int_equal(r, 42);
        char s[200];
        char big[150];
        memset(big, 'w', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        assert_int_equal(duet_rpc_call(&rpc_a, "echo_s", "s:s", big, s, sizeof s), DUET_OK);
        assert_string_equal(s, big);
        assert_int_equal(duet_rpc_call(&rpc_a, "f", "i:i", 1, &r), DUET_OK);
        assert_int_equal(r, 1109);
        assert_int_equal(duet_rpc_call(&rpc_a, "nope", "", &r), DUET_ERR_REMOTE);
        assert_string_equal(duet_rpc_error_text(&rpc_a),
                            "rpclib: server could not find function 'nope' with argument count 0.");
        /* Async batches. */
        for (int batch = 0; batch < 125; batch++) {
            duet_future f[DUET_RPC_MAX_INFLIGHT];
            for (int i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
                assert_int_equal(duet_rpc_call_async(&rpc_a, &f[i], "add", "ii:i", batch, i), DUET_OK);
            for (int i = DUET_RPC_MAX_INFLIGHT - 1; i >= 0; i--) {
                assert_int_equal(duet_future_wait(&rpc_a, &f[i], 100, &r), DUET_OK);
                assert_int_equal(r, batch + i);
            }
        }
        duet_rpc_stats st = duet_rpc_get_stats(&rpc_a);
        assert_int_equal(st.malformed, 0);
        assert_int_equal(st.late_responses, 0);
        /* add, echo_s, f, h (from g), g's answer, nope, and the batches */
        assert_int_equal(st.msgs_out, 6 + 1000);
        assert_int_equal(duet_link_bytes_get_stats(&link_a).garbage_bytes, 0);
        assert_int_equal(duet_link_bytes_get_stats(&link_b).garbage_bytes, 0);
    }
}

static void test_engines_garbage_in_stream(void **state)
{
    (void)state;
    engines_open(READ_RANDOM, READ_ONE);
    int32_t r = 0;
    /* Noise on the line in both directions before the call. */
    static const uint8_t noise[] = {0xc1, 0xc1, 0xc1};
    pipe_push(&ab, noise, sizeof noise);
    pipe_push(&ba, noise, 2);
    assert_int_equal(duet_rpc_call(&rpc_a, "add", "ii:i", 1, 2, &r), DUET_OK);
    assert_int_equal(r, 3);
    assert_int_equal(duet_link_bytes_get_stats(&link_b).garbage_bytes, 3);
    assert_int_equal(duet_link_bytes_get_stats(&link_a).garbage_bytes, 2);
    /* A value that is no msgpack-RPC message reaches the engine, which counts it. */
    static const uint8_t stray[] = {0x2a};
    pipe_push(&ab, stray, 1);
    assert_int_equal(duet_rpc_call(&rpc_a, "add", "ii:i", 3, 4, &r), DUET_OK);
    assert_int_equal(r, 7);
    assert_int_equal(duet_rpc_get_stats(&rpc_b).malformed, 1);
    assert_int_equal(duet_rpc_get_stats(&rpc_b).msgs_in, 2);
}

/* What B sent, taken out of its pipe to A. */
static size_t take_from_b(uint8_t *buf, size_t cap_)
{
    size_t n = ba.wr - ba.rd;
    assert_true(n <= cap_);
    memcpy(buf, ba.data + ba.rd, n);
    ba.rd = ba.wr = 0;
    return n;
}

static void test_engines_bin_method_oversized_and_reports(void **state)
{
    (void)state;
    engines_open(READ_ALL, READ_ALL);
    uint8_t out[256];
    /* A method name sent as bin (old msgpack-RPC clients) is served. */
    static const uint8_t bin_add[] = {0x94, 0x00, 0x05, 0xc4, 0x03, 'a', 'd', 'd', 0x92, 0x01, 0x02};
    pipe_push(&ab, bin_add, sizeof bin_add);
    assert_int_equal(duet_rpc_poll(&rpc_b), 1);
    static const uint8_t three[] = {0x94, 0x01, 0x05, 0xc0, 0x03};
    assert_int_equal(take_from_b(out, sizeof out), sizeof three);
    assert_memory_equal(out, three, sizeof three);
    /* A request larger than B's 512-byte buffer is answered by its msgid, naming the limit;
     * the request after it is served. */
    uint8_t big[700];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, big, sizeof big);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 0);
    duet_msgpack_write_uint(&w, 6);
    duet_msgpack_write_cstr(&w, "echo_s");
    duet_msgpack_write_array(&w, 1);
    static const char many[600] = {0};
    duet_msgpack_write_str(&w, many, sizeof many);
    pipe_push(&ab, big, duet_msgpack_writer_size(&w));
    pipe_push(&ab, bin_add, sizeof bin_add);
    assert_true(duet_rpc_poll(&rpc_b) >= 1);
    size_t n = take_from_b(out, sizeof out);
    static const char want[] = "request too large: 614 bytes or more, the limit is 512 bytes per message; it was skipped";
    assert_true(n > 4 + sizeof want - 1 + sizeof three);
    assert_int_equal(out[2], 6);
    assert_memory_equal(out + 5, want, sizeof want - 1);
    assert_memory_equal(out + n - sizeof three, three, sizeof three);
    assert_int_equal(duet_link_bytes_get_stats(&link_b).oversized, 1);
    /* A notification that fails cannot be answered: the report hook is told why. */
    static const uint8_t note[] = {0x93, 0x02, 0xa4, 'n', 'o', 'p', 'e', 0x90};
    pipe_push(&ab, note, sizeof note);
    assert_int_equal(duet_rpc_poll(&rpc_b), 1);
    assert_int_equal(take_from_b(out, sizeof out), 0);
    assert_int_equal(b_reports, 1);
    assert_true(strncmp(b_report, "notification nope failed: ", 26) == 0);
    assert_non_null(strstr(b_report, "nope"));
}

/* A response larger than A's 512-byte receive buffer fails the call that waits for it at
 * once, saying so, rather than letting it wait out its timeout; A goes on. */
static void test_engines_oversized_response(void **state)
{
    (void)state;
    engines_open(READ_ALL, READ_ALL);
    duet_future f;
    assert_int_equal(duet_rpc_call_async(&rpc_a, &f, "add", "ii:i", 1, 2), DUET_OK);
    /* A's request, [0, msgid, "add", [1, 2]], waits in its pipe to B, unread: its msgid
     * (a positive fixint) is answered with 600 bytes. */
    assert_true(ab.wr - ab.rd > 3 && ab.data[ab.rd] == 0x94 && ab.data[ab.rd + 1] == 0x00 && ab.data[ab.rd + 2] < 0x80);
    uint8_t msgid = ab.data[ab.rd + 2];
    ab.rd = ab.wr = 0;
    uint8_t big[700];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, big, sizeof big);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 1);
    duet_msgpack_write_uint(&w, msgid);
    duet_msgpack_write_nil(&w);
    static const char many[600] = {0};
    duet_msgpack_write_str(&w, many, sizeof many);
    pipe_push(&ba, big, duet_msgpack_writer_size(&w));
    int32_t r = 0;
    uint32_t before = clock_ms;
    assert_int_equal(duet_future_wait(&rpc_a, &f, 5000, &r), DUET_ERR_TOO_LARGE);
    assert_true(clock_ms - before < 5000);
    assert_non_null(strstr(duet_rpc_error_text(&rpc_a),
                           "response too large: 607 bytes or more, the limit is 512 bytes per message"));
    assert_int_equal(duet_link_bytes_get_stats(&link_a).oversized, 1);
    /* A's next call is answered as ever. */
    assert_int_equal(duet_rpc_call(&rpc_a, "add", "ii:i", 20, 22, &r), DUET_OK);
    assert_int_equal(r, 42);
}

static void test_engines_timeout_and_eof(void **state)
{
    (void)state;
    engines_open(READ_ALL, READ_ALL);
    end_a.idle = NULL; /* B never runs */
    int32_t r = 0;
    uint32_t t0 = clock_ms;
    assert_int_equal(duet_rpc_call_timeout(&rpc_a, 40, "add", "ii:i", 1, 2, &r), DUET_ERR_TIMEOUT);
    assert_int_equal(clock_ms - t0, 40);
    assert_int_equal(duet_rpc_poll(&rpc_b), 1);
    assert_int_equal(duet_rpc_poll(&rpc_a), 1);
    assert_int_equal(duet_rpc_get_stats(&rpc_a).late_responses, 1);
    /* B's side of the stream closes while A waits. */
    end_a.idle = idle_poll;
    ba.eof = true;
    assert_int_equal(duet_rpc_call_timeout(&rpc_a, 1000, "add", "ii:i", 1, 2, &r), DUET_ERR_LINK_DOWN);
    assert_string_equal(duet_rpc_error_text(&rpc_a), "add: link down");
    assert_true(duet_link_bytes_get_stats(&link_a).input_ended);
    assert_int_equal(duet_rpc_call(&rpc_a, "add", "ii:i", 1, 2, &r), DUET_ERR_LINK_DOWN);
    assert_int_equal(duet_rpc_poll(&rpc_a), DUET_ERR_LINK_DOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_split),
        cmocka_unit_test(test_one_byte_at_a_time),
        cmocka_unit_test(test_random_chunks),
        cmocka_unit_test(test_garbage_between_messages),
        cmocka_unit_test(test_message_of_exactly_the_buffer),
        cmocka_unit_test(test_oversized_message_of_invalid_bytes),
        cmocka_unit_test(test_oversized_message_dropped_whole),
        cmocka_unit_test(test_eof),
        cmocka_unit_test(test_send),
        cmocka_unit_test(test_refused_message_offered_again),
        cmocka_unit_test(test_garbage_noted_as_one_run),
        cmocka_unit_test(test_oversized_request_head_goes_up),
        cmocka_unit_test(test_last_header_over_limit),
        cmocka_unit_test(test_header_cut_by_full_buffer),
        cmocka_unit_test(test_huge_header_refuses_input),
        cmocka_unit_test(test_huge_header_while_skipping_refuses_input),
        cmocka_unit_test(test_truncated_input_noted),
        cmocka_unit_test(test_reads_on_while_a_message_is_in_use),
        cmocka_unit_test(test_engines_bin_method_oversized_and_reports),
        cmocka_unit_test(test_engines_oversized_response),
        cmocka_unit_test(test_refused_message_survives_more_input),
        cmocka_unit_test(test_engines_over_bytes),
        cmocka_unit_test(test_engines_garbage_in_stream),
        cmocka_unit_test(test_engines_timeout_and_eof),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * fuzz_link_bytes.c - libFuzzer target for the byte-stream link (src/link/link_bytes.c,
 * include/duet/link_bytes.h): MessagePack framing of any stream, read in any chunks.
 *
 * Input: byte 0 picks the set-up (bits 0-2: buffer and max_message, max_in 16..4096; bits
 * 3-5: the largest chunk a read() hands out; bits 6-7: how often a read() returns 0), byte 1
 * how often deliver() refuses a message (low nibble) or polls again inside (high nibble),
 * bytes 2-3 seed the choices; the rest is the stream, read three times by a fresh link: A in
 * as large reads as the buffer takes; B a byte per read, every other read 0; C as byte 0 says,
 * deliver() refusing (up to 3 times in a row) or polling (nested, up to 4 deep), a wait().
 * After the stream, read() returns DUET_ERR_LINK_DOWN; polls go on until poll() says so.
 *
 * A model of the whole stream (ref_walk: MessagePack's lengths and counts from a position)
 * says what each event must be, and a cursor that every event must start at accounts for
 * every byte: a delivered message is one whole value of at most max_in bytes, equal to the
 * stream there and skippable by duet_msgpack_skip (unless too deep for it); a GARBAGE byte
 * starts a value broken by 0xc1 before it shows it is over the limit; OVERSIZED covers a
 * value shown over max_in to its end, or through the 0xc1 that breaks it, or to the TRUNCATED
 * note where the input cuts it, and its size lies between max_in and the value's; REFUSED is
 * a value declaring over DUET_LINK_BYTES_SKIP_FACTOR * max_in (as it is first seen, or later
 * while it is skipped) and ends the stream for the link, which reads no more; TRUNCATED holds
 * the rest of a cut value. Notes: len <= 16, bytes equal to the stream at offset, limit =
 * max_in; OVERSIZED and a first REFUSED go up through dropped() right after the note (the
 * stream's first 1..64 bytes there, the note's size). poll() returns the messages it took or
 * DUET_ERR_LINK_DOWN once all is accounted for (again after, with nothing new); the stats
 * agree; a message in use stays put during nested polls; send() still works after the end.
 * B and C give A's events (pieces of one run of garbage joined), note sizes included.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/link_bytes.h"
#include "duet/msgpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                  \
    do {                                                                                          \
        if (!(c)) {                                                                               \
            fprintf(stderr, "%s:%d: check failed: %s (run %c, max_in %zu, cursor %zu of %zu)\n", \
                    __FILE__, __LINE__, #c, "ABC"[g.run], g.max_in, g.cursor, g.n);               \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

#define MAX_STREAM 8192
#define SKIP_LIMIT ((uint64_t)g.max_in * DUET_LINK_BYTES_SKIP_FACTOR)
#define HEAD16(len) ((len) < 16 ? (len) : 16)
enum { EV_DELIVER = 0 }; /* the other events are notes, by their kind */
enum { W_WHOLE, W_BROKEN, W_CUT, W_STOPPED };

typedef struct event { int kind; uint64_t offset, size; } event;
/* How a value ends: whole at end, broken by the 0xc1 at end, cut by the input's end (end:
 * the header left incomplete, else the input's end). top: the least size its headers declare
 * where the link checks it (before each header, after a str/bin/ext header), never less as
 * it goes; bound: the least size it has (whole: its size). */
typedef struct walk { int how; size_t end; uint64_t top, bound; } walk;

static struct {
    int run, level, taken[8];
    const uint8_t *in;
    size_t n, rd, cap, max_in, max_message, chunk, cursor, written, nev;
    unsigned zero_odds, refuse_odds, nest_odds, refusals;
    uint32_t rng, clock;
    bool last_zero, read_end, done, over, want_dropped;
    size_t over_at, noted_len;
    walk over_w;
    uint64_t noted_at, noted_size;
    duet_link_bytes link;
    duet_link_bytes_stats count; /* the stats as the notes tell them */
    event ev[MAX_STREAM + 8];
} g;

static uint32_t rnd(void)
{
    g.rng = g.rng * 1664525u + 1013904223u;
    return g.rng >> 8;
}

/* The size of the header that begins with byte b. */
static size_t header_size(uint8_t b)
{
    uint8_t h[9] = {b};
    size_t head;
    uint64_t body, kids;
    duet_msgpack_scan_header(h, sizeof h, &head, &body, &kids);
    return head;
}

/* Frames the value at p of the whole stream (W_STOPPED once top passes stop). */
static walk ref_walk(size_t p, uint64_t stop)
{
    uint64_t pending = 1, top = 0;
    size_t q = p;
    while (pending > 0) {
        top = q - p + pending;
        if (top > stop)
            return (walk){W_STOPPED, q, top, top};
        size_t head;
        uint64_t body, kids;
        int got = duet_msgpack_scan_header(g.in + q, g.n - q, &head, &body, &kids);
        if (got < 0)
            return (walk){W_BROKEN, q, top, top};
        if (got == 0)
            return (walk){W_CUT, q, top, q < g.n ? top + header_size(g.in[q]) - 1 : top};
        q += head;
        pending += kids - 1;
        if (body > 0) {
            top = q - p + body + pending;
            if (body > g.n - q)
                return (walk){W_CUT, g.n, top, top};
            q += body;
        }
    }
    return (walk){W_WHOLE, q, top, q - p};
}

/* Whether the link must refuse the value framed from p: its headers declare more than
 * max_in, or it is whole and larger, or a header of it is cut by the end of a full buffer. */
static bool over_limit(size_t p, walk w)
{
    return w.top > g.max_in || (w.how == W_WHOLE && w.bound > g.max_in) ||
           (w.how == W_CUT && w.end < g.n && g.n - p >= g.cap);
}

static void record(int kind, uint64_t offset, uint64_t size)
{
    event *last = g.nev ? &g.ev[g.nev - 1] : NULL;
    if (kind == DUET_BYTES_GARBAGE && last && last->kind == kind && last->offset + last->size == offset) {
        last->size += size; /* one run, noted in pieces (once per poll at most) */
        return;
    }
    CHECK(g.nev < sizeof g.ev / sizeof g.ev[0]);
    g.ev[g.nev++] = (event){kind, offset, size};
}

/* An event begins: none after the end of the stream for the link, none before the dropped()
 * a note wants; the oversized value being skipped (if not cut by the input) ends before. */
static void event_begins(bool truncated)
{
    CHECK(!g.done && !g.want_dropped);
    if (!g.over || (truncated && g.over_w.how == W_CUT))
        return;
    CHECK(g.over_w.how != W_CUT);      /* the input cut it: a TRUNCATED note must say so */
    CHECK(g.over_w.top <= SKIP_LIMIT); /* it declared too much: REFUSED, not skipped */
    g.cursor = g.over_w.end + (g.over_w.how == W_BROKEN);
    g.over = false;
}

static int poll_checked(void)
{
    int lv = ++g.level;
    CHECK(lv < 8);
    g.taken[lv] = 0;
    int r = g.link.link.poll(&g.link.link);
    CHECK(r >= 0 ? r == g.taken[lv] : r == DUET_ERR_LINK_DOWN && g.taken[lv] == 0);
    g.level--;
    return r;
}

static bool on_deliver(void *up, const uint8_t *data, size_t len)
{
    (void)up;
    event_begins(false);
    walk w = ref_walk(g.cursor, g.max_in);
    CHECK(w.how == W_WHOLE && !over_limit(g.cursor, w) && len == w.bound && len <= g.max_in);
    CHECK(memcmp(data, g.in + g.cursor, len) == 0);
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, data, len);
    CHECK(duet_msgpack_skip(&r) ? duet_msgpack_reader_offset(&r) == len
                                : duet_msgpack_reader_error(&r) == DUET_ERR_DEPTH);
    bool nest = g.nest_odds && g.level < 4 && rnd() % g.nest_odds == 0;
    if (!nest && g.refuse_odds && g.refusals < 3 && rnd() % g.refuse_odds == 0) {
        g.refusals++;
        return false; /* it must be offered again, and nothing after it before */
    }
    g.refusals = 0;
    size_t at = g.cursor;
    g.cursor += len;
    record(EV_DELIVER, at, len);
    g.taken[g.level]++;
    for (unsigned k = 1 + rnd() % 3; nest && k > 0 && !g.done; k--)
        poll_checked(); /* a handler's nested call: the link reads on behind the message */
    CHECK(memcmp(data, g.in + at, len) == 0);
    return true;
}

static void on_dropped(void *up, const uint8_t *head, size_t len, uint64_t size, size_t limit)
{
    (void)up;
    CHECK(g.want_dropped);
    g.want_dropped = false;
    CHECK(len >= 1 && len <= 64 && len <= g.n - g.noted_at && g.noted_len == HEAD16(len));
    CHECK(memcmp(head, g.in + g.noted_at, len) == 0);
    CHECK(size == g.noted_size && limit == g.max_in);
}

/* The value at the cursor is over the limit: noted OVERSIZED (then skipped) or REFUSED. */
static void over_note(const duet_bytes_note *n)
{
    CHECK(n->offset == g.cursor && n->len >= 1);
    walk w = ref_walk(g.cursor, UINT64_MAX);
    CHECK(over_limit(g.cursor, w));
    CHECK(n->size > g.max_in && n->size <= (w.top > w.bound ? w.top : w.bound));
    g.want_dropped = true;
    g.noted_at = n->offset;
    g.noted_size = n->size;
    g.noted_len = n->len;
    if (n->kind == DUET_BYTES_OVERSIZED) {
        CHECK(n->size <= SKIP_LIMIT);
        g.count.oversized++;
        g.over = true;
        g.over_at = g.cursor;
        g.over_w = w;
    } else {
        CHECK(n->size > SKIP_LIMIT && n->size <= w.top);
        g.count.input_refused = g.done = true;
    }
}

static void on_note(void *ctx, const duet_bytes_note *n)
{
    (void)ctx;
    CHECK(n->len <= 16 && n->limit == g.max_in && n->offset <= g.n && n->len <= g.n - n->offset);
    CHECK(n->len == 0 || memcmp(n->bytes, g.in + n->offset, n->len) == 0);
    record(n->kind, n->offset, n->size);
    if (n->kind == DUET_BYTES_REFUSED && g.over && n->offset == g.over_at) {
        CHECK(!g.done && !g.want_dropped); /* it declared too much while it was skipped */
        CHECK(n->size > SKIP_LIMIT && n->size <= g.over_w.top && n->len == 0);
        g.over = false;
        g.count.input_refused = g.done = true;
        return;
    }
    event_begins(n->kind == DUET_BYTES_TRUNCATED);
    if (n->kind == DUET_BYTES_GARBAGE) {
        CHECK(n->offset == g.cursor && n->size >= 1 && n->size <= g.n - g.cursor && n->len == HEAD16(n->size));
        for (uint64_t i = 0; i < n->size; i++, g.cursor++) {
            walk w = ref_walk(g.cursor, g.max_in);
            CHECK(w.how == W_BROKEN && !over_limit(g.cursor, w));
        }
        g.count.garbage_bytes += (uint32_t)n->size;
    } else if (n->kind == DUET_BYTES_OVERSIZED || n->kind == DUET_BYTES_REFUSED) {
        over_note(n);
    } else {
        CHECK(n->kind == DUET_BYTES_TRUNCATED);
        if (g.over) { /* it cut the oversized value being skipped */
            CHECK(n->offset == g.over_w.end && g.over_w.top <= SKIP_LIMIT);
            g.over = false;
        } else {
            walk w = ref_walk(g.cursor, UINT64_MAX);
            CHECK(n->offset == g.cursor && w.how == W_CUT && !over_limit(g.cursor, w));
        }
        CHECK(n->offset + n->size == g.n && n->len == HEAD16(n->size));
        g.count.truncated++;
        g.done = true;
    }
}

static long io_read(void *ctx, uint8_t *buf, size_t cap)
{
    (void)ctx;
    CHECK(cap > 0 && !g.read_end && !g.count.input_refused); /* no more reads after the end */
    if (g.rd == g.n) {
        g.read_end = true;
        return DUET_ERR_LINK_DOWN;
    }
    g.last_zero = !g.last_zero && g.zero_odds && rnd() % g.zero_odds == 0;
    if (g.last_zero)
        return 0;
    size_t m = g.n - g.rd < cap ? g.n - g.rd : cap, k = g.chunk ? 1 + rnd() % g.chunk : m;
    m = m < k ? m : k;
    memcpy(buf, g.in + g.rd, m);
    g.rd += m;
    return (long)m;
}

static int io_write(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx, (void)data, g.written += len;
    return DUET_OK;
}

static void io_wait(void *ctx, uint32_t timeout_ms) { (void)ctx, g.clock += timeout_ms; }

static uint32_t io_now(void *ctx) { return (void)ctx, g.clock; }

/* After the link said it is down: all is accounted for, it stays down, sends go on. */
static void check_end(void)
{
    CHECK(!g.want_dropped);
    if (!g.done) {
        event_begins(false);
        CHECK(g.cursor == g.n);
    }
    duet_link_bytes_stats st = duet_link_bytes_get_stats(&g.link);
    CHECK(st.garbage_bytes == g.count.garbage_bytes && st.oversized == g.count.oversized);
    CHECK(st.truncated == g.count.truncated && st.input_refused == g.count.input_refused && st.input_ended);
    size_t nev = g.nev;
    CHECK(poll_checked() == DUET_ERR_LINK_DOWN && g.nev == nev);
    static const uint8_t answer[] = {0x94, 0x01, 0x00, 0xc0, 0xc0};
    CHECK(g.link.link.send(&g.link.link, answer, sizeof answer) == DUET_OK && g.written == sizeof answer);
    static const uint8_t big[4097];
    if (g.max_message)
        CHECK(g.link.link.send(&g.link.link, big, g.max_message + 1) == DUET_ERR_TOO_LARGE);
    CHECK(g.written == sizeof answer);
    g.clock = 77;
    CHECK(g.link.link.now_ms(&g.link.link) == 77);
}

static const struct { size_t cap, max_message; } setups[8] = {
    {16, 0}, {64, 0}, {64, 16}, {256, 0}, {256, 100}, {128, 64}, {33, 32}, {4096, 0}};
static const size_t chunks[8] = {0, 1, 2, 3, 7, 16, 100, 1000};
static const unsigned zero_odds[4] = {0, 2, 5, 50};

static void run(int which, const uint8_t *cfg, const uint8_t *in, size_t n)
{
    memset(&g, 0, offsetof(__typeof__(g), ev));
    g.run = which;
    g.in = in;
    g.n = n;
    g.cap = setups[cfg[0] & 7].cap;
    g.max_message = setups[cfg[0] & 7].max_message;
    g.rng = (uint32_t)cfg[2] << 8 | cfg[3];
    g.chunk = which == 0 ? 0 : which == 1 ? 1 : chunks[cfg[0] >> 3 & 7];
    g.zero_odds = which == 0 ? 0 : which == 1 ? 1 : zero_odds[cfg[0] >> 6];
    g.refuse_odds = which == 2 ? cfg[1] & 15 : 0;
    g.nest_odds = which == 2 ? cfg[1] >> 4 : 0;
    duet_bytes_io io = {io_read, io_write, which == 2 ? io_wait : NULL, io_now, NULL};
    uint8_t *buf = malloc(g.cap); /* exactly cap bytes: ASan sees any access past them */
    CHECK(buf);
    duet_link_bytes_init(&g.link, &io, buf, g.cap, g.max_message);
    g.max_in = g.link.max_in;
    CHECK(g.max_in == (g.max_message && g.max_message < g.cap ? g.max_message : g.cap));
    duet_link_attach(&g.link.link, on_deliver, NULL);
    duet_link_attach_dropped(&g.link.link, on_dropped);
    duet_link_bytes_on_note(&g.link, on_note, NULL);
    for (size_t polls = 0;; polls++) {
        CHECK(polls < 16 * n + 64); /* the link gets through its input and says it is down */
        if (poll_checked() == DUET_ERR_LINK_DOWN)
            break;
        g.link.link.wait(&g.link.link, 1);
    }
    check_end();
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static event first[MAX_STREAM + 8];
    if (size < 4 || size - 4 > MAX_STREAM)
        return 0;
    uint8_t *in = malloc(size - 4 ? size - 4 : 1); /* a copy of its own size */
    CHECK(in);
    memcpy(in, data + 4, size - 4);
    size_t nfirst = 0;
    for (int which = 0; which < 3; which++) {
        run(which, data, in, size - 4);
        if (which == 0)
            memcpy(first, g.ev, (nfirst = g.nev) * sizeof *first);
        CHECK(g.nev == nfirst);
        for (size_t i = 0; i < nfirst; i++) /* the same events, whatever the reading */
            CHECK(g.ev[i].kind == first[i].kind && g.ev[i].offset == first[i].offset &&
                  g.ev[i].size == first[i].size);
    }
    free(in);
    return 0;
}

/*
 * fuzz_board_decode.c - libFuzzer target for duet-board's decoders of what the emulated cores
 * write (tools/board/): a core's program is the user's, and may write anything.
 *
 * Every input goes through four walks, each reading the whole input its own way:
 *
 *   A. board_trace_value (trace.c: one msgpack value as text) on the input, into exact-size
 *      heap buffers of several caps (0, 1, 2, 3, 4, 7, 64, 4096; ASan sees a byte written
 *      past one). The bytes it takes never exceed the input and do not depend on the cap (the
 *      text is bounded, the reading is not); with a cap the text is NUL-terminated inside it;
 *      a text that fits the cap is the text of the largest cap; one that does not is its
 *      prefix cut to cap - 1 bytes with "..." at the end (cap >= 4; trace.c's `text` says so).
 *   B. the input as a sequence of events published on a board_feed (feed.c) with a
 *      board_trace (trace.c --trace) subscribed, writing to /dev/null: mostly BOARD_EV_RPC
 *      messages from the M4 and the M7 at times the input picks (so that calls and answers
 *      pair, come early, overflow the pending slots), some BOARD_EV_STREAM text, and records
 *      of any kind, pin and value (the feed keeps the board's state from them, as duet-board
 *      publishes the cores' records). Then board_feed_close. Checked after every event: the
 *      trace's pending slots are free or hold a call of a core (an answer only in a used
 *      slot), their text NUL-terminated; the feed's Serial tail within its size, the cores'
 *      "why" NUL-terminated; after the close, no slot is left.
 *   C. the input as RPMsg buffers (16-byte header: src, dst, reserved, len, flags; name
 *      service at address 53) for rpmsg_decode (rpmsg_decode.c), one after the other, each
 *      from the core a byte picks, in an exact-size heap buffer: name-service announcements
 *      and destroys, the handshake and fragments interact. Its events go to a feed with a
 *      trace (as in B) and a sink that checks them: only BOARD_EV_RPC or BOARD_EV_STREAM, at
 *      most RPMSG_DECODE_MESSAGE bytes, from the core that sent the buffer. After each
 *      buffer: at most RPMSG_DECODE_ENDPOINTS endpoints, names NUL-terminated, no partial
 *      message larger than RPMSG_DECODE_MESSAGE. And each buffer's events are what a model
 *      of the wire (docs/wire.md, rpmsg_decode.h) predicts: the M4 announces endpoints to
 *      the name service (up to RPMSG_DECODE_ENDPOINTS; again at an address: a fresh one; a
 *      destroy forgets it); the M7's first message to one is the handshake, not shown; a
 *      message to or from one is joined from its fragments (flag 0x8000) per sender, and
 *      what was joined is dropped at a buffer flagged 0x4000 (the sender gave up on it);
 *      a whole message on "rpc" or "raw" is one event of its kind with exactly the joined
 *      bytes (when they fit RPMSG_DECODE_MESSAGE, else some of them), others none.
 *   D. the input as a NUL-terminated text (cut at its first NUL) for board_analog_parse
 *      (analog.c, --analog). On failure the reason is NUL-terminated in its buffer; on success
 *      the input is A0..A7, min and max are 0..1023, a constant has min == max and no
 *      frequency, a waveform a finite frequency above 0 and at most 1000 Hz; then
 *      board_analog_value at several times >= 0 lies between min and max (and at any time in
 *      0..1023).
 *
 * Input formats of B and C: see events() and buffers().
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analog.h"
#include "feed.h"
#include "rpmsg_decode.h"
#include "trace.h"

#include "fuzz_check.h"

static FILE *devnull(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    CHECK(f);
    return f;
}

/* ------------------------------------------------------------ A: board_trace_value */

static const size_t caps[] = {4096, 64, 7, 4, 3, 2, 1, 0};
#define NCAPS (sizeof caps / sizeof caps[0])

static void walk_value(const uint8_t *data, size_t size)
{
    char *text[NCAPS];
    size_t took[NCAPS];
    for (size_t i = 0; i < NCAPS; i++) {
        text[i] = malloc(caps[i] ? caps[i] : 1);
        CHECK(text[i]);
        memset(text[i], 0xaa, caps[i]);
        /* cap 0: a buffer of no bytes at all (one past the end of a real one). */
        took[i] = board_trace_value(data, size, caps[i] ? text[i] : text[i] + 1, caps[i]);
        CHECK(took[i] <= size);
        CHECK(took[i] == took[0]);
        if (caps[i])
            CHECK(memchr(text[i], 0, caps[i]) != NULL);
    }
    size_t full_len = strlen(text[0]);
    for (size_t i = 1; i < NCAPS && caps[i]; i++) {
        size_t cap = caps[i], len = strlen(text[i]);
        if (full_len < cap) {
            CHECK(strcmp(text[i], text[0]) == 0);
            continue;
        }
        CHECK(len == cap - 1);
        size_t keep = cap >= 4 ? cap - 4 : cap - 1;
        CHECK(memcmp(text[i], text[0], keep) == 0);
        if (cap >= 4)
            CHECK(memcmp(text[i] + keep, "...", 4) == 0);
    }
    for (size_t i = 0; i < NCAPS; i++)
        free(text[i]);
}

/* ------------------------------------------------------------ B: events on the feed, traced */

static void check_trace(const board_trace *t)
{
    for (int i = 0; i < BOARD_TRACE_PENDING; i++) {
        const board_trace_call *c = &t->calls[i];
        CHECK(c->caller == 0 || c->caller == BOARD_CORE_M4 || c->caller == BOARD_CORE_M7);
        CHECK(c->caller || !c->answer);
        CHECK(memchr(c->text, 0, sizeof c->text) != NULL);
    }
}

static void check_feed(const board_feed *feed)
{
    const board_state *s = board_feed_state(feed);
    CHECK(s->serial_len <= BOARD_SERIAL_TAIL);
    CHECK(memchr(s->m7_why, 0, sizeof s->m7_why) != NULL);
    CHECK(memchr(s->m4_why, 0, sizeof s->m4_why) != NULL);
}

/* Reads n bytes little-endian (fewer at the end of the input). */
static uint32_t take(const uint8_t **p, const uint8_t *end, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n && *p < end; i++)
        v |= (uint32_t)*(*p)++ << (8 * i);
    return v;
}

/*
 * The input as events. Each: a byte h, then a byte L, then the event's data (L bytes; L 240
 * to 255: the rest of the input, L - 239 times over, so that the Serial tail fills and long
 * texts are cut), copied into an exact-size heap block. h: bit 0 the core (M4, M7),
 * bits 1-2 the kind (0, 1: BOARD_EV_RPC; 2: BOARD_EV_STREAM; 3: a record of any kind: a byte
 * kind, a byte pin (signed), 4 bytes value follow h), bits 3-7 the time step in ms (31: the
 * time goes back 10 ms).
 */
static void events(const uint8_t *data, size_t size)
{
    board_feed feed;
    board_trace trace;
    board_feed_init(&feed);
    CHECK(board_trace_attach(&trace, devnull(), &feed) == 0);
    const uint8_t *p = data, *end = data + size;
    uint64_t time_us = 1000000;
    while (p < end) {
        uint8_t h = *p++;
        board_event ev = {.core = h & 1 ? BOARD_CORE_M7 : BOARD_CORE_M4, .pin = -1};
        unsigned step = h >> 3;
        time_us = step == 31 ? time_us - 10000 : time_us + step * 1000;
        ev.time_us = time_us;
        switch ((h >> 1) & 3) {
        case 2: ev.kind = BOARD_EV_STREAM; break;
        case 3:
            ev.kind = (int)take(&p, end, 1);
            ev.pin = (int8_t)take(&p, end, 1);
            ev.value = (int32_t)take(&p, end, 4);
            break;
        default: ev.kind = BOARD_EV_RPC; break;
        }
        size_t n = p < end ? *p++ : 0, times = 1;
        if (n >= 240)
            times = n - 239, n = (size_t)(end - p);
        if (n > (size_t)(end - p))
            n = (size_t)(end - p);
        uint8_t *copy = malloc(n * times ? n * times : 1);
        CHECK(copy);
        for (size_t i = 0; i < times && n; i++)
            memcpy(copy + i * n, p, n);
        p += n;
        n *= times;
        ev.data = n ? copy : NULL;
        ev.len = n;
        board_feed_publish(&feed, &ev);
        free(copy);
        check_trace(&trace);
        check_feed(&feed);
    }
    board_feed_close(&feed);
    for (int i = 0; i < BOARD_TRACE_PENDING; i++)
        CHECK(trace.calls[i].caller == 0);
}

/* ------------------------------------------------------------ C: RPMsg buffers */

/* The core that sent the buffer being decoded, for the sink; the events of that buffer. */
static int g_sender;
static unsigned g_events;
static int g_kind;
static uint8_t g_data[RPMSG_DECODE_MESSAGE];
static size_t g_len;

static void rpmsg_sink(void *ctx, const board_event *ev)
{
    (void)ctx;
    CHECK(ev->kind == BOARD_EV_RPC || ev->kind == BOARD_EV_STREAM);
    CHECK(ev->core == g_sender);
    CHECK(ev->len <= RPMSG_DECODE_MESSAGE);
    CHECK(ev->len == 0 || ev->data != NULL);
    g_events++;
    g_kind = ev->kind;
    g_len = ev->len;
    if (ev->len)
        memcpy(g_data, ev->data, ev->len);
}

/* The model of the decoder: the endpoints the M4 announced, and per endpoint and sender the
 * bytes of the message being joined (len counts them all; past RPMSG_DECODE_MESSAGE only
 * the count is kept, and the event's bytes are not checked). */
typedef struct model_ep {
    uint32_t addr;
    char name[32];
    bool answered;
    uint8_t part[2][RPMSG_DECODE_MESSAGE];
    size_t len[2];
} model_ep;

static model_ep g_eps[RPMSG_DECODE_ENDPOINTS];
static int g_neps;

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static model_ep *model_find(uint32_t addr)
{
    for (int i = 0; i < g_neps; i++)
        if (g_eps[i].addr == addr)
            return &g_eps[i];
    return NULL;
}

/* What decoding buf (len bytes, from the M7 or not) must publish: 1 and the event's kind,
 * bytes (*data, *n; NULL when they are past the model's keeping), or 0. */
static int model_decode(bool m7, const uint8_t *buf, size_t len, int *kind, const uint8_t **data, size_t *n)
{
    if (len < 16)
        return 0;
    uint32_t src = get32(buf), dst = get32(buf + 4);
    uint16_t size, flags;
    memcpy(&size, buf + 12, 2);
    memcpy(&flags, buf + 14, 2);
    if (size > len - 16)
        return 0;
    const uint8_t *p = buf + 16;
    if (dst == 53) {
        if (m7 || size < 40)
            return 0;
        uint32_t addr = get32(p + 32);
        model_ep *ep = model_find(addr);
        if (get32(p + 36) & 1) {
            if (ep)
                ep->addr = 0xffffffffu;
            return 0;
        }
        if (!ep) {
            if (g_neps == RPMSG_DECODE_ENDPOINTS)
                return 0;
            ep = &g_eps[g_neps++];
        }
        ep->addr = addr;
        memcpy(ep->name, p, 31);
        ep->name[31] = 0;
        ep->answered = false;
        ep->len[0] = ep->len[1] = 0;
        return 0;
    }
    model_ep *ep = model_find(m7 ? dst : src);
    if (!ep)
        return 0;
    if (m7 && !ep->answered) {
        ep->answered = true;
        return 0;
    }
    int who = m7;
    if (flags & 0x4000)
        ep->len[who] = 0;
    if (ep->len[who] + size <= RPMSG_DECODE_MESSAGE)
        memcpy(ep->part[who] + ep->len[who], p, size);
    ep->len[who] += size;
    if (flags & 0x8000)
        return 0;
    size_t joined = ep->len[who];
    ep->len[who] = 0;
    *kind = strcmp(ep->name, "rpc") == 0 ? BOARD_EV_RPC : strcmp(ep->name, "raw") == 0 ? BOARD_EV_STREAM : 0;
    if (!*kind)
        return 0;
    *data = joined <= RPMSG_DECODE_MESSAGE ? ep->part[who] : NULL;
    *n = joined;
    return 1;
}

/*
 * The input as RPMsg buffers. Each: a byte c, two bytes n (little-endian), then n bytes, the
 * buffer (fewer at the end of the input). c bit 0: the sender (M4, M7); bit 1: the buffer is
 * the n bytes of the input as they are; else (bit 1 clear) a header is made for them: src =
 * 1024 + (c >> 2 & 3), dst = 53 when c bit 4 is set else 1024 + (c >> 5 & 3), len = n,
 * flags = the fragment bit 0x8000 from c bit 7, and 0x4000 (a message given up before it)
 * when the address the decoder does not read is the last (the M4's dst, the M7's src: bits
 * 3 3) - so that sequences of well-formed buffers are easy to reach.
 */
static void buffers(const uint8_t *data, size_t size)
{
    static rpmsg_decoder d;
    board_feed feed;
    board_trace trace;
    rpmsg_decoder_init(&d);
    g_neps = 0;
    board_feed_init(&feed);
    CHECK(board_trace_attach(&trace, devnull(), &feed) == 0);
    CHECK(board_feed_subscribe(&feed, (board_sink){rpmsg_sink, NULL, NULL}) == 0);
    const uint8_t *p = data, *end = data + size;
    uint64_t time_us = 0;
    while (p < end) {
        uint8_t c = *p++;
        size_t n = take(&p, end, 2);
        if (n > (size_t)(end - p))
            n = (size_t)(end - p);
        bool raw = c & 2;
        size_t len = raw ? n : 16 + n;
        uint8_t *buf = malloc(len ? len : 1);
        CHECK(buf);
        if (!raw) {
            uint32_t src = 1024 + (c >> 2 & 3), dst = c & 16 ? 53 : 1024 + (c >> 5 & 3), zero = 0;
            uint16_t n16 = (uint16_t)n, flags = c & 128 ? 0x8000 : 0;
            if ((c & 1 ? c >> 2 & 3 : c >> 5 & 3) == 3 && !(c & 16))
                flags |= 0x4000;
            memcpy(buf, &src, 4);
            memcpy(buf + 4, &dst, 4);
            memcpy(buf + 8, &zero, 4);
            memcpy(buf + 12, &n16, 2);
            memcpy(buf + 14, &flags, 2);
        }
        if (n)
            memcpy(buf + (raw ? 0 : 16), p, n);
        p += n;
        g_sender = c & 1 ? BOARD_CORE_M7 : BOARD_CORE_M4;
        time_us += 100;
        int kind = 0;
        const uint8_t *want = NULL;
        size_t want_n = 0;
        int events = model_decode(c & 1, buf, len, &kind, &want, &want_n);
        g_events = 0;
        rpmsg_decode(&d, &feed, g_sender, time_us, buf, len);
        free(buf);
        CHECK(g_events == (unsigned)events);
        if (events) {
            CHECK(g_kind == kind);
            if (want) {
                CHECK(g_len == want_n);
                CHECK(!want_n || memcmp(g_data, want, want_n) == 0);
            }
        }
        CHECK(d.count >= 0 && d.count <= RPMSG_DECODE_ENDPOINTS);
        for (int i = 0; i < d.count; i++) {
            CHECK(memchr(d.eps[i].name, 0, sizeof d.eps[i].name) != NULL);
            CHECK(d.eps[i].part_len[0] <= RPMSG_DECODE_MESSAGE && d.eps[i].part_len[1] <= RPMSG_DECODE_MESSAGE);
        }
        check_trace(&trace);
    }
    board_feed_close(&feed);
}

/* ------------------------------------------------------------ D: --analog */

static void analog(const uint8_t *data, size_t size)
{
    char *spec = fuzz_text(data, size);
    board_analog a;
    char why[48];
    memset(why, 0xaa, sizeof why);
    if (!board_analog_parse(spec, &a, why, sizeof why)) {
        CHECK(memchr(why, 0, sizeof why) != NULL);
        free(spec);
        return;
    }
    free(spec);
    CHECK(a.input >= 0 && a.input <= 7);
    CHECK(a.min >= 0 && a.min <= 1023 && a.max >= 0 && a.max <= 1023);
    if (a.wave == BOARD_WAVE_CONST) {
        CHECK(a.min == a.max && a.hz == 0);
    } else {
        CHECK(a.wave == BOARD_WAVE_SINE || a.wave == BOARD_WAVE_RAMP || a.wave == BOARD_WAVE_TRIANGLE ||
              a.wave == BOARD_WAVE_SQUARE);
        CHECK(isfinite(a.hz) && a.hz > 0 && a.hz <= 1000);
    }
    int lo = a.min < a.max ? a.min : a.max, hi = a.min < a.max ? a.max : a.min;
    static const double times[] = {0, 1e-6, 0.001, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 3.3, 59.9, 3600, 1e6};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        int v = board_analog_value(&a, times[i]);
        CHECK(v >= lo && v <= hi);
    }
    /* A time before power-on: no caller gives one, but the value stays an input's. */
    int v = board_analog_value(&a, -0.3);
    CHECK(v >= 0 && v <= 1023);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    walk_value(data, size);
    events(data, size);
    buffers(data, size);
    analog(data, size);
    return 0;
}

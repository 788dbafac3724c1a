/*
 * fuzz_rpc_dispatch.c - libFuzzer target for the msgpack-RPC dispatcher (src/rpc/), through
 * the in-memory link (src/link/link_mem.c).
 *
 * Two engines A and B are joined by duet_link_mem_pair; each link's idle hook polls the other
 * engine, so a call on one side lets the other serve it while it waits. B binds:
 *
 *   add "ii:i"; e_i e_u e_l e_k e_b e_f e_d e_s e_y e_n e_v ("x:x": echo one value of every
 *   signature letter); all8 "iulkbfds:n" and ynv "ynv:v" (several letters at once); tty "y:"
 *   (the notification of the seeds); raw (NULL signature: walks its params with the reader and
 *   echoes them token by token); the group foo with bar "i:i" and baz (NULL); nest "i:i"
 *   (calls A's bounce, which calls nest back, and so on); fail "is:" (duet_req_fail with the
 *   code and text it is given); bad "i:i" (a wrong result: wrong type, two values, too large,
 *   none); rebind "i:i" (unbinds and binds again itself and the group foo while it runs).
 *
 * tty forwards what it gets to A as a notification (duet_rpc_notify), foo.baz sends A one with
 * duet_rpc_begin_notify, all8 sends its eight arguments on to A's log8 "iulkbfds:" (through the
 * va_list encoder), where they must decode to the same values. A binds bounce "i:i", aecho (NULL:
 * echoes its first param), log "y:" and log8.
 *
 * The input's last byte also picks the set-up (see struct setup_cfg): the size of the tx
 * buffer, max_message, the result slots and A's queue, how many calls B has waiting, and
 * whether A stops answering while B waits for them (so that futures time out).
 *
 * Every input is handed to B as if the peer had sent it:
 *
 *   1. B starts up to three async calls and one low-level call to A's aecho (result letters
 *      chosen by the input's last bytes), so that responses in the input may find waiting slots;
 *   2. duet_rpc_receive(B, input) directly;
 *   3. the input split in two at a point chosen by its first byte, each part in a buffer of its
 *      own size (ASan sees any read past a part), handed to duet_rpc_receive one after the other;
 *   4. the input sent through A's link end as one link message, then B polled;
 *   5. both engines polled a few times, the futures of step 1 polled and waited for (an
 *      outcome among those documented; result buffers are exact-size heap blocks); a future
 *      that timed out is waited for again or dropped. Where nothing in the input can be a
 *      response (no array of 4 whose first element is 1 in any encoding) and A answers, a
 *      call whose result letter is the one of the value aecho echoes that succeeds gives that
 *      very value (-7, 70000, -2^40, UINT64_MAX, true, 1.5f, 2.25, "hello", bin 01 02 03,
 *      [1, "x"]; the low-level call's raw result is 42's byte);
 *   6. a normal call A->B (add 2 3 = 5) and B->A (bounce 0 = 0) must still work.
 *
 * Checked throughout: stats counters never go down; duet_rpc_error_text is a NUL-terminated
 * string shorter than DUET_RPC_ERROR_TEXT (the engine's buffer or the "no error" literal);
 * after each step no handler is running (depth 0) and no tx frame is held (tx_used 0); no two
 * calls of an engine wait under the same msgid; at the end no slot is left waiting. Every message an engine sends (B's responses, nested requests and
 * notifications, A's answers) is exactly one well-formed msgpack-RPC message of at most
 * max_message bytes; a response's error is nil or a str shorter than DUET_RPC_ERROR_TEXT, with
 * a nil result beside it.
 * Inside handlers: the method name is the bound name, str/bin/value arguments point into the
 * message being served, a 'v' argument is exactly one value, accessors on arguments that do
 * not exist (or of another kind) give 0 / NULL, and a raw handler's params hold argc whole
 * values and nothing after them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/link_mem.h"
#include "duet/msgpack.h"
#include "duet/rpc.h"

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            dump_context();                                                         \
            abort();                                                                \
        }                                                                           \
    } while (0)

/* The message check_wire is looking at, printed when a check fails. */
static const uint8_t *g_wire;
static size_t g_wire_len;

static void dump_context(void)
{
    if (!g_wire)
        return;
    fprintf(stderr, "message on the wire (%zu bytes):", g_wire_len);
    for (size_t i = 0; i < g_wire_len; i++)
        fprintf(stderr, " %02x", g_wire[i]);
    fprintf(stderr, "\n");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ------------------------------------------------------------ the two sides */

#define QUEUE_SIZE 32768
#define NEST_TIMEOUT_MS 20   /* calls made from handlers (virtual ms: polls of the other side) */
#define WAIT_TIMEOUT_MS 20   /* waits for the async calls of step 1 */
#define CHECK_TIMEOUT_MS 1000 /* the calls that must work at the end */
#define ASYNC_TYPED 3

/* The set-up of one run, from the input's last byte. */
typedef struct setup_cfg {
    size_t tx_size;       /* 2048 (8 frames of 256) or 1500 (the last frame short) */
    size_t max_message;   /* 256, 128, 48 (MIN_FRAME) or 1024 */
    size_t slot_size;     /* result bytes per waiting call: 256, or 24 */
    size_t queue_a;       /* A's queue: QUEUE_SIZE, or 600 (B's sends find it full) */
    unsigned async_typed; /* 0 to ASYNC_TYPED async calls from B */
    bool async_low;       /* and one low-level call */
    bool a_deaf;          /* A is not polled while B waits for them */
} setup_cfg;

static setup_cfg g_cfg;

static setup_cfg pick_cfg(const uint8_t *data, size_t size)
{
    static const size_t max_message[4] = {256, 128, 48, 1024};
    uint8_t k = size ? data[size - 1] : 0;
    setup_cfg c;
    c.async_typed = k & 3;
    c.async_low = (k & 4) != 0;
    c.a_deaf = (k & 8) != 0;
    c.max_message = max_message[(k >> 4) & 3];
    c.tx_size = (k & 0x40) ? 1500 : 2048;
    c.slot_size = (k & 0x80) ? 24 : 256;
    c.queue_a = (k & 0x80) ? 600 : QUEUE_SIZE;
    return c;
}

typedef struct side {
    duet_link_mem link;
    uint8_t *queue;  /* each buffer a heap block of its exact size, so ASan guards its ends */
    size_t queue_size;
    uint8_t *tx;
    uint8_t *result;
    duet_rpc *rpc;
} side;

static side A, B;
#define RA (A.rpc)
#define RB (B.rpc)

/* The buffer being handed to duet_rpc_receive directly (steps 2 and 3), else NULL. */
static const uint8_t *g_in;
static size_t g_in_len;
/* The raw link message of step 4, skipped by the wire check when it reaches B. */
static const uint8_t *g_raw;
static size_t g_raw_len;

static bool within(const void *p, size_t len, const uint8_t *lo, size_t n)
{
    const uint8_t *q = p;
    return q >= lo && q <= lo + n && len <= (size_t)(lo + n - q);
}

/* p[0..len) lies in a message being served: the direct buffer or a link queue. */
static bool in_message(const void *p, size_t len)
{
    if (!p)
        return false;
    return (g_in && within(p, len, g_in, g_in_len)) || within(p, len, A.queue, A.queue_size) ||
           within(p, len, B.queue, B.queue_size);
}

/* p[0..len) is exactly one well-formed value. */
static bool one_value(const uint8_t *p, size_t len)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, p, len);
    return len > 0 && duet_msgpack_skip(&r) && duet_msgpack_reader_remaining(&r) == 0;
}

static void check_error_text(const duet_rpc *rpc)
{
    const char *t = duet_rpc_error_text(rpc);
    CHECK(t != NULL);
    if (t != rpc->error_text)
        CHECK(strcmp(t, "no error") == 0);
    CHECK(memchr(t, '\0', DUET_RPC_ERROR_TEXT) != NULL);
    CHECK(strlen(t) < DUET_RPC_ERROR_TEXT);
}

static void check_stats_grow(const duet_rpc_stats *before, const duet_rpc_stats *now)
{
    CHECK(now->msgs_in >= before->msgs_in);
    CHECK(now->msgs_out >= before->msgs_out);
    CHECK(now->malformed >= before->malformed);
    CHECK(now->late_responses >= before->late_responses);
    CHECK(now->errors_sent >= before->errors_sent);
    CHECK(now->send_failures >= before->send_failures);
}

/* No two calls of an engine wait under the same msgid (a response would go to the wrong one). */
static void check_slots(const duet_rpc *rpc)
{
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT; i++) {
        CHECK(rpc->slots[i].state <= 2);
        for (unsigned j = i + 1; j < DUET_RPC_MAX_INFLIGHT; j++)
            if (rpc->slots[i].state && rpc->slots[j].state)
                CHECK(rpc->slots[i].msgid != rpc->slots[j].msgid);
    }
}

static duet_rpc_stats g_stats_a, g_stats_b;

/* Between steps: nothing running, no frame held, counters only up, error texts sane. */
static void check_idle(void)
{
    duet_rpc_stats sa = duet_rpc_get_stats(RA), sb = duet_rpc_get_stats(RB);
    check_stats_grow(&g_stats_a, &sa);
    check_stats_grow(&g_stats_b, &sb);
    g_stats_a = sa;
    g_stats_b = sb;
    check_error_text(RA);
    check_error_text(RB);
    check_slots(RA);
    check_slots(RB);
    CHECK(RA->depth == 0 && RB->depth == 0);
    CHECK(RA->tx_used == 0 && RB->tx_used == 0);
    CHECK(RA->open_frame == 0 && RB->open_frame == 0);
    CHECK(A.link.delivering == 0 && B.link.delivering == 0);
    CHECK(A.link.head <= A.link.tail && A.link.tail <= A.queue_size);
    CHECK(B.link.head <= B.link.tail && B.link.tail <= B.queue_size);
}

/* ------------------------------------------------------------ what goes over the wire */

/* One message an engine sent: a request, response or notification, whole, well-formed, no
 * larger than max_message. */
static void check_wire(const uint8_t *p, size_t len)
{
    g_wire = p;
    g_wire_len = len;
    CHECK(len <= g_cfg.max_message);
    CHECK(one_value(p, len));
    duet_msgpack_reader r;
    uint32_t n, type;
    duet_msgpack_reader_init(&r, p, len);
    CHECK(duet_msgpack_read_array(&r, &n));
    CHECK(duet_msgpack_read_u32(&r, &type));
    CHECK(n == (type == 2 ? 3u : 4u));
    duet_msgpack_type idt = DUET_MSGPACK_UINT;
    if (type != 2) {
        idt = duet_msgpack_peek_type(&r);
        CHECK(idt == DUET_MSGPACK_UINT || idt == DUET_MSGPACK_INT);
        CHECK(duet_msgpack_skip(&r));
    }
    if (type == 0 || type == 2) {
        const char *m;
        uint32_t mlen, argc;
        CHECK(idt == DUET_MSGPACK_UINT); /* our own msgids count up from 0 */
        CHECK(duet_msgpack_read_str(&r, &m, &mlen));
        CHECK(duet_msgpack_read_array(&r, &argc));
        for (uint32_t i = 0; i < argc; i++)
            CHECK(duet_msgpack_skip(&r));
    } else {
        CHECK(type == 1);
        duet_msgpack_type et = duet_msgpack_peek_type(&r);
        if (et == DUET_MSGPACK_NIL) {
            CHECK(duet_msgpack_read_nil(&r));
        } else {
            const char *text;
            uint32_t tlen;
            CHECK(et == DUET_MSGPACK_STR);
            CHECK(duet_msgpack_read_str(&r, &text, &tlen));
            CHECK(tlen < DUET_RPC_ERROR_TEXT);
            CHECK(duet_msgpack_peek_type(&r) == DUET_MSGPACK_NIL);
        }
        CHECK(duet_msgpack_skip(&r)); /* the result */
    }
    CHECK(duet_msgpack_reader_remaining(&r) == 0);
    g_wire = NULL;
}

/* The deliver hooks of both link ends: check what the other engine sent, then pass it up. */
static bool deliver_checked(void *up, const uint8_t *data, size_t len)
{
    if (!(data == g_raw || (g_raw && len == g_raw_len && memcmp(data, g_raw, len) == 0)))
        check_wire(data, len);
    return duet_rpc_receive(up, data, len);
}

/* ------------------------------------------------------------ handlers */

/* What a handler was bound as: its full name and signature (NULL: raw). */
typedef struct bound {
    const char *full;
    const char *sig;
} bound;

static unsigned sig_params(const char *sig)
{
    const char *colon = strchr(sig, ':');
    return colon ? (unsigned)(colon - sig) : (unsigned)strlen(sig);
}

/* What every handler checks on entry; returns the binding. */
static const bound *enter(duet_req *c, duet_rpc *rpc)
{
    const bound *b = duet_req_user(c);
    CHECK(b != NULL);
    CHECK(duet_req_rpc(c) == rpc);
    CHECK(rpc->depth >= 1);
    check_slots(RA);
    check_slots(RB);
    check_error_text(RA);
    check_error_text(RB);
    uint32_t len = 12345;
    const char *m = duet_req_method(c, &len);
    CHECK(len == strlen(b->full) && memcmp(m, b->full, len) == 0);
    CHECK(in_message(m, len));
    uint32_t argc = duet_arg_count(c);
    CHECK(duet_req_params(c) != NULL && duet_req_result(c) != NULL);
    CHECK(duet_msgpack_writer_error(duet_req_result(c)) == DUET_OK);
    if (b->sig)
        CHECK(argc == sig_params(b->sig));
    /* Past the last argument, and in a raw handler, every accessor gives nothing. */
    unsigned past = b->sig ? argc : 0;
    uint32_t l = 99;
    CHECK(duet_arg_int(c, past) == 0 && duet_arg_uint(c, past) == 0 && duet_arg_int64(c, past) == 0);
    CHECK(duet_arg_uint64(c, past) == 0 && !duet_arg_bool(c, past) && duet_arg_double(c, past) == 0);
    CHECK(duet_arg_str(c, past, &l) == NULL && l == 0);
    l = 99;
    CHECK(duet_arg_bin(c, past, &l) == NULL && l == 0);
    l = 99;
    CHECK(duet_arg_value(c, past, &l) == NULL && l == 0);
    CHECK(duet_arg_str(c, 1000, NULL) == NULL);
    if (!b->sig)
        return b;
    /* Each argument through the accessors its letter allows. */
    for (unsigned i = 0; i < argc; i++) {
        char k = b->sig[i];
        const uint8_t *p;
        l = 99;
        switch (k) {
        case 's':
            p = (const uint8_t *)duet_arg_str(c, i, &l);
            CHECK(p != NULL && in_message(p, l));
            CHECK(duet_arg_bin(c, i, NULL) == NULL && duet_arg_value(c, i, NULL) == NULL);
            break;
        case 'y':
            p = duet_arg_bin(c, i, &l);
            CHECK(p != NULL && in_message(p, l));
            CHECK(duet_arg_str(c, i, NULL) == NULL && duet_arg_value(c, i, NULL) == NULL);
            break;
        case 'v':
            p = duet_arg_value(c, i, &l);
            CHECK(p != NULL && in_message(p, l) && one_value(p, l));
            CHECK(duet_arg_str(c, i, NULL) == NULL && duet_arg_bin(c, i, NULL) == NULL);
            break;
        case 'i': CHECK((int64_t)duet_arg_int(c, i) == duet_arg_int64(c, i)); break;
        case 'u': CHECK((uint64_t)duet_arg_uint(c, i) == duet_arg_uint64(c, i)); break;
        case 'l': CHECK((uint64_t)duet_arg_int64(c, i) == duet_arg_uint64(c, i)); break;
        case 'k': (void)duet_arg_uint64(c, i); break;
        case 'b': (void)duet_arg_bool(c, i); break;
        case 'f': case 'd': (void)duet_arg_float(c, i); (void)duet_arg_double(c, i); break;
        case 'n': CHECK(duet_arg_int64(c, i) == 0 && !duet_arg_bool(c, i)); break;
        default: CHECK(0);
        }
        if (k != 's' && k != 'y' && k != 'v')
            CHECK(duet_arg_str(c, i, NULL) == NULL && duet_arg_bin(c, i, NULL) == NULL &&
                  duet_arg_value(c, i, NULL) == NULL);
    }
    return b;
}

/* What sending a notification may return here (the link is never down). */
static bool send_error(int err)
{
    return err == DUET_OK || err == DUET_ERR_TOO_LARGE || err == DUET_ERR_TIMEOUT || err == DUET_ERR_STATE;
}

/* Writes argument i back as the result, by its letter k. */
static void echo_arg(duet_req *c, unsigned i, char k)
{
    duet_msgpack_writer *w = duet_req_result(c);
    uint32_t len;
    const uint8_t *p;
    switch (k) {
    case 'i': duet_return_int(c, duet_arg_int(c, i)); break;
    case 'u': duet_return_uint(c, duet_arg_uint(c, i)); break;
    case 'l': duet_return_int(c, duet_arg_int64(c, i)); break;
    case 'k': duet_return_uint(c, duet_arg_uint64(c, i)); break;
    case 'b': duet_return_bool(c, duet_arg_bool(c, i)); break;
    case 'f': duet_msgpack_write_float(w, duet_arg_float(c, i)); break;
    case 'd': duet_return_double(c, duet_arg_double(c, i)); break;
    case 's':
        p = (const uint8_t *)duet_arg_str(c, i, &len);
        duet_msgpack_write_str(w, (const char *)p, len);
        break;
    case 'y':
        p = duet_arg_bin(c, i, &len);
        duet_msgpack_write_bin(w, p, len);
        break;
    case 'v':
        p = duet_arg_value(c, i, &len);
        duet_msgpack_write_raw(w, p, len);
        break;
    default: break; /* n: nothing, the engine writes nil */
    }
}

static int h_add(duet_req *c)
{
    enter(c, RB);
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

/* e_X "X:X": echoes its one argument. */
static int h_echo(duet_req *c)
{
    const bound *b = enter(c, RB);
    echo_arg(c, 0, b->sig[0]);
    return duet_msgpack_writer_error(duet_req_result(c));
}

/* all8 "iulkbfds:n": the checks of enter() are the point. */
/* What all8 sent to A's log8, in order; log8 finds each notification here. Entries whose
 * notification never ran (A had no frame left to serve it) are skipped over. */
typedef struct log8_entry {
    int32_t i;
    uint32_t u;
    int64_t l;
    uint64_t k;
    bool b;
    float f;
    double d;
    char s[41];
} log8_entry;

#define LOG8_MAX 64
static log8_entry g_log8[LOG8_MAX];
static unsigned g_log8_head, g_log8_tail;

static bool same_float(float a, float b)
{
    return (a != a && b != b) || memcmp(&a, &b, sizeof a) == 0;
}

static bool same_double(double a, double b)
{
    return (a != a && b != b) || memcmp(&a, &b, sizeof a) == 0;
}

static bool log8_matches(const log8_entry *e, duet_req *c)
{
    uint32_t len;
    const char *str = duet_arg_str(c, 7, &len);
    return duet_arg_int(c, 0) == e->i && duet_arg_uint(c, 1) == e->u && duet_arg_int64(c, 2) == e->l &&
           duet_arg_uint64(c, 3) == e->k && duet_arg_bool(c, 4) == e->b && same_float(duet_arg_float(c, 5), e->f) &&
           same_double(duet_arg_double(c, 6), e->d) && str && len == strlen(e->s) && memcmp(str, e->s, len) == 0;
}

/* all8 "iulkbfds:n": the checks of enter(), then its arguments to A as notification log8
 * "iulkbfds" (through the va_list encoder), which must decode there to the same values. */
static int h_all8(duet_req *c)
{
    enter(c, RB);
    log8_entry e;
    memset(&e, 0, sizeof e);
    e.i = duet_arg_int(c, 0);
    e.u = duet_arg_uint(c, 1);
    e.l = duet_arg_int64(c, 2);
    e.k = duet_arg_uint64(c, 3);
    e.b = duet_arg_bool(c, 4);
    e.f = duet_arg_float(c, 5);
    e.d = duet_arg_double(c, 6);
    uint32_t len = 0;
    const char *str = duet_arg_str(c, 7, &len);
    size_t n = len < sizeof e.s - 1 ? len : sizeof e.s - 1;
    memcpy(e.s, str, n);
    e.s[n] = '\0'; /* an embedded NUL cuts it: the same on both sides */
    if (g_log8_tail - g_log8_head >= LOG8_MAX)
        return DUET_OK; /* the log is full: A could not check what it gets, so send nothing */
    int err = duet_rpc_notify(RB, "log8", "iulkbfds", (int)e.i, (unsigned)e.u, e.l, e.k, (int)e.b, (double)e.f,
                              e.d, e.s);
    CHECK(send_error(err));
    if (err == DUET_OK)
        g_log8[g_log8_tail++ % LOG8_MAX] = e;
    return DUET_OK;
}

/* log8 "iulkbfds:" on A. */
static int h_log8(duet_req *c)
{
    enter(c, RA);
    while (g_log8_head != g_log8_tail) {
        if (log8_matches(&g_log8[g_log8_head++ % LOG8_MAX], c))
            return DUET_OK;
    }
    fprintf(stderr, "log8: arguments that all8 did not send\n");
    CHECK(0);
    return DUET_OK;
}

/* ynv "ynv:v": returns its v argument. */
static int h_ynv(duet_req *c)
{
    enter(c, RB);
    echo_arg(c, 2, 'v');
    return DUET_OK;
}

static uint64_t tty_bytes;

/* tty "y:": takes bytes (a notification in the seeds) and forwards them to A's log. */
static int h_tty(duet_req *c)
{
    enter(c, RB);
    uint32_t len = 0;
    const uint8_t *p = duet_arg_bin(c, 0, &len);
    CHECK(p != NULL);
    tty_bytes += len;
    int err = duet_rpc_notify(RB, "log", "y", p, (size_t)len);
    CHECK(send_error(err));
    check_error_text(RB);
    return DUET_OK;
}

/* Copies one value from r to w token by token (re-encoding it). */
static void copy_value(duet_msgpack_reader *r, duet_msgpack_writer *w)
{
    uint64_t pending = 1;
    while (pending > 0) {
        duet_msgpack_token t;
        CHECK(duet_msgpack_read_token(r, &t));
        pending--;
        switch (t.type) {
        case DUET_MSGPACK_NIL: duet_msgpack_write_nil(w); break;
        case DUET_MSGPACK_BOOL: duet_msgpack_write_bool(w, t.v.b); break;
        case DUET_MSGPACK_UINT: duet_msgpack_write_uint(w, t.v.u); break;
        case DUET_MSGPACK_INT: duet_msgpack_write_int(w, t.v.i); break;
        case DUET_MSGPACK_FLOAT32: duet_msgpack_write_float(w, t.v.f); break;
        case DUET_MSGPACK_FLOAT64: duet_msgpack_write_double(w, t.v.d); break;
        case DUET_MSGPACK_STR:
            CHECK(in_message(t.v.bytes.ptr, t.v.bytes.len));
            duet_msgpack_write_str(w, (const char *)t.v.bytes.ptr, t.v.bytes.len);
            break;
        case DUET_MSGPACK_BIN:
            CHECK(in_message(t.v.bytes.ptr, t.v.bytes.len));
            duet_msgpack_write_bin(w, t.v.bytes.ptr, t.v.bytes.len);
            break;
        case DUET_MSGPACK_EXT:
            CHECK(in_message(t.v.bytes.ptr, t.v.bytes.len));
            duet_msgpack_write_ext(w, t.v.bytes.ext_type, t.v.bytes.ptr, t.v.bytes.len);
            break;
        case DUET_MSGPACK_ARRAY:
            duet_msgpack_write_array(w, t.v.count);
            pending += t.v.count;
            break;
        case DUET_MSGPACK_MAP:
            duet_msgpack_write_map(w, t.v.count);
            pending += 2 * (uint64_t)t.v.count;
            break;
        default: CHECK(0);
        }
    }
}

/* raw (NULL signature): the params hold argc whole values and nothing else; echoes them as
 * an array, re-encoded token by token. */
static int h_raw(duet_req *c)
{
    enter(c, RB);
    duet_msgpack_reader *in = duet_req_params(c);
    duet_msgpack_writer *w = duet_req_result(c);
    uint32_t argc = duet_arg_count(c);
    CHECK(duet_msgpack_reader_error(in) == DUET_OK);
    duet_msgpack_reader probe = *in;
    for (uint32_t i = 0; i < argc; i++)
        CHECK(duet_msgpack_skip(&probe));
    CHECK(duet_msgpack_reader_remaining(&probe) == 0);
    duet_msgpack_write_array(w, argc);
    for (uint32_t i = 0; i < argc; i++)
        copy_value(in, w);
    CHECK(in->pos == probe.pos);
    return DUET_OK; /* a result too large is the engine's to report */
}

/* foo.bar "i:i": twice its argument (may not fit int32: the engine must say so). */
static int h_foo_bar(duet_req *c)
{
    enter(c, RB);
    return duet_return_int(c, 2 * (int64_t)duet_arg_int(c, 0));
}

/* foo.baz (raw): tells A's log through a low-level notification, returns how many arguments
 * it got. */
static int h_foo_baz(duet_req *c)
{
    enter(c, RB);
    duet_msgpack_writer *w = duet_rpc_begin_notify(RB, "log");
    if (w) {
        duet_msgpack_write_array(w, 1);
        duet_msgpack_write_bin(w, "baz", 3);
        CHECK(send_error(duet_rpc_end(RB, w)));
    }
    CHECK(RB->open_frame == 0);
    return duet_return_uint(c, duet_arg_count(c));
}

/* nest "i:i" on B and bounce "i:i" on A call each other with n - 1 until 0, so that calls nest
 * until the tx buffers, the slots or the timeouts run out. */
static int nested(duet_req *c, duet_rpc *self, const char *other)
{
    enter(c, self);
    int32_t n = duet_arg_int(c, 0);
    if (n <= 0)
        return duet_return_int(c, 0);
    int32_t r = -1;
    int err = duet_rpc_call_timeout(self, NEST_TIMEOUT_MS, other, "i:i", (int)(n - 1), &r);
    check_error_text(self);
    if (err)
        return duet_req_fail(c, err, duet_rpc_error_text(self));
    return duet_return_int(c, (int64_t)r + 1);
}

static int h_nest(duet_req *c) { return nested(c, RB, "bounce"); }
static int h_bounce(duet_req *c) { return nested(c, RA, "nest"); }

/* fail "is:": duet_req_fail with that code and text (an empty text: NULL, the code's own). */
static int h_fail(duet_req *c)
{
    enter(c, RB);
    int32_t code = duet_arg_int(c, 0);
    uint32_t len = 0;
    const char *s = duet_arg_str(c, 1, &len);
    char text[300];
    size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
    memcpy(text, s, n);
    text[n] = '\0';
    int rc = duet_req_fail(c, code, n ? text : NULL);
    CHECK(rc == (code < 0 ? code : DUET_ERR_REMOTE));
    return rc;
}

/* bad "i:i": misbehaves as its argument says. */
static int h_bad(duet_req *c)
{
    enter(c, RB);
    duet_msgpack_writer *w = duet_req_result(c);
    static const char big[300] = {0};
    switch (duet_arg_uint(c, 0) % 6) {
    case 0: return duet_return_str(c, "not an int");
    case 1:
        duet_return_int(c, 1);
        return duet_return_int(c, 2);
    case 2: /* one value larger than a message */
        duet_msgpack_write_str(w, big, sizeof big);
        return DUET_OK;
    case 3: return duet_return_int(c, 7);
    case 4: return 7; /* a positive code and no result: nil, not an int32 */
    default: /* a result, then an error without text */
        duet_return_int(c, 1);
        return DUET_ERR_STATE;
    }
}

/* log "y:" on A: takes B's notifications. */
static int h_log(duet_req *c)
{
    enter(c, RA);
    CHECK(duet_req_is_notification(c));
    return DUET_OK;
}

static const duet_rpc_method foo_table[2];
static const struct bound b_rebind;
static int h_rebind(duet_req *c);

/* rebind "i:i": while it runs, unbinds and binds again itself (bit 0 of its argument) and the
 * group foo (bit 1), so that the table moves under the request being served; returns its
 * argument. Bit 2: the other way round for foo (bound twice: must fail, nothing changes). */
static int h_rebind(duet_req *c)
{
    enter(c, RB);
    int32_t mode = duet_arg_int(c, 0);
    if (mode & 1) {
        CHECK(duet_rpc_unbind(RB, "rebind") == DUET_OK);
        CHECK(duet_rpc_unbind(RB, "rebind") == DUET_ERR_NOT_FOUND);
    }
    if (mode & 2) {
        CHECK(duet_rpc_unbind_group(RB, "foo") == DUET_OK);
        CHECK(duet_rpc_unbind_group(RB, "foo") == DUET_ERR_NOT_FOUND);
    }
    if (mode & 4) {
        unsigned before = RB->method_count;
        CHECK(duet_rpc_bind_group(RB, "foo", foo_table, 2) == ((mode & 2) ? DUET_OK : DUET_ERR_EXISTS));
        if (!(mode & 2))
            CHECK(RB->method_count == before);
        mode &= ~2;
    }
    if (mode & 2)
        CHECK(duet_rpc_bind_group(RB, "foo", foo_table, 2) == DUET_OK);
    if (mode & 1)
        CHECK(duet_rpc_bind(RB, "rebind", "i:i", h_rebind, (void *)&b_rebind) == DUET_OK);
    /* enter() again: what the request sees must not have moved with the table. */
    enter(c, RB);
    return duet_return_int(c, duet_arg_int(c, 0));
}

/* aecho on A (raw): returns its first argument as it came, or nil. */
static int h_aecho(duet_req *c)
{
    enter(c, RA);
    duet_msgpack_reader *in = duet_req_params(c);
    if (duet_arg_count(c) == 0)
        return DUET_OK;
    const uint8_t *start = in->pos;
    CHECK(duet_msgpack_skip(in));
    duet_msgpack_write_raw(duet_req_result(c), start, (size_t)(in->pos - start));
    return DUET_OK;
}

static const bound b_add = {"add", "ii:i"};
static const bound b_echo[] = {
    {"e_i", "i:i"}, {"e_u", "u:u"}, {"e_l", "l:l"}, {"e_k", "k:k"}, {"e_b", "b:b"}, {"e_f", "f:f"},
    {"e_d", "d:d"}, {"e_s", "s:s"}, {"e_y", "y:y"}, {"e_n", "n:n"}, {"e_v", "v:v"},
};
static const bound b_all8 = {"all8", "iulkbfds:n"};
static const bound b_ynv = {"ynv", "ynv:v"};
static const bound b_tty = {"tty", "y:"};
static const bound b_raw = {"raw", NULL};
static const bound b_foo_bar = {"foo.bar", "i:i"};
static const bound b_foo_baz = {"foo.baz", NULL};
static const bound b_nest = {"nest", "i:i"};
static const bound b_fail = {"fail", "is:"};
static const bound b_bad = {"bad", "i:i"};
static const bound b_rebind = {"rebind", "i:i"};
static const bound b_bounce = {"bounce", "i:i"};
static const bound b_aecho = {"aecho", NULL};
static const bound b_log = {"log", "y:"};
static const bound b_log8 = {"log8", "iulkbfds:"};

static const duet_rpc_method foo_table[2] = {
    {"bar", "i:i", h_foo_bar, (void *)&b_foo_bar},
    {"baz", NULL, h_foo_baz, (void *)&b_foo_baz},
};

static void bind_b(const bound *b, duet_rpc_handler fn)
{
    CHECK(duet_rpc_bind(RB, b->full, b->sig, fn, (void *)b) == DUET_OK);
}

/* ------------------------------------------------------------ set-up */

static void idle_poll(void *rpc)
{
    (void)duet_rpc_poll((duet_rpc *)rpc);
}

/* Heap blocks of the run's exact sizes, filled with a pattern. */
static void alloc_side(side *s, size_t queue_size)
{
    size_t result_size = DUET_RPC_MAX_INFLIGHT * g_cfg.slot_size;
    s->queue_size = queue_size;
    s->queue = malloc(queue_size);
    s->tx = malloc(g_cfg.tx_size);
    s->result = malloc(result_size);
    s->rpc = malloc(sizeof *s->rpc);
    CHECK(s->queue && s->tx && s->result && s->rpc);
    memset(s->queue, 0xa5, queue_size);
    memset(s->tx, 0xa5, g_cfg.tx_size);
    memset(s->result, 0xa5, result_size);
    memset(s->rpc, 0xa5, sizeof *s->rpc);
}

static void free_side(side *s)
{
    free(s->queue);
    free(s->tx);
    free(s->result);
    free(s->rpc);
    memset(s, 0, sizeof *s);
}

static void init_side(side *s)
{
    duet_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buffer = s->tx;
    cfg.tx_size = g_cfg.tx_size;
    cfg.result_buffer = s->result;
    cfg.result_size = DUET_RPC_MAX_INFLIGHT * g_cfg.slot_size;
    cfg.max_message = g_cfg.max_message;
    CHECK(duet_rpc_init(s->rpc, &s->link.link, &cfg) == DUET_OK);
    /* Check what the other engine sends before it reaches this one. */
    duet_link_attach(&s->link.link, deliver_checked, s->rpc);
}

static void setup(const uint8_t *data, size_t size)
{
    g_cfg = pick_cfg(data, size);
    alloc_side(&A, g_cfg.queue_a);
    alloc_side(&B, QUEUE_SIZE);
    /* The link has no size limit of its own, so step 4 can send any input; the engines keep
     * their messages to g_cfg.max_message (cfg.max_message). */
    duet_link_mem_pair(&A.link, A.queue, A.queue_size, &B.link, B.queue, B.queue_size, 0);
    init_side(&A);
    init_side(&B);
    duet_link_mem_set_idle(&A.link, idle_poll, RB);
    duet_link_mem_set_idle(&B.link, idle_poll, RA);

    bind_b(&b_add, h_add);
    for (size_t i = 0; i < sizeof b_echo / sizeof b_echo[0]; i++)
        bind_b(&b_echo[i], h_echo);
    bind_b(&b_all8, h_all8);
    bind_b(&b_ynv, h_ynv);
    bind_b(&b_tty, h_tty);
    bind_b(&b_raw, h_raw);
    CHECK(duet_rpc_bind_group(RB, "foo", foo_table, 2) == DUET_OK);
    bind_b(&b_nest, h_nest);
    bind_b(&b_fail, h_fail);
    bind_b(&b_bad, h_bad);
    bind_b(&b_rebind, h_rebind);
    CHECK(duet_rpc_bind(RA, b_bounce.full, b_bounce.sig, h_bounce, (void *)&b_bounce) == DUET_OK);
    CHECK(duet_rpc_bind(RA, b_aecho.full, b_aecho.sig, h_aecho, (void *)&b_aecho) == DUET_OK);
    CHECK(duet_rpc_bind(RA, b_log.full, b_log.sig, h_log, (void *)&b_log) == DUET_OK);
    CHECK(duet_rpc_bind(RA, b_log8.full, b_log8.sig, h_log8, (void *)&b_log8) == DUET_OK);

    memset(&g_stats_a, 0, sizeof g_stats_a);
    memset(&g_stats_b, 0, sizeof g_stats_b);
    g_in = NULL;
    g_in_len = 0;
    g_raw = NULL;
    g_raw_len = 0;
    tty_bytes = 0;
    g_log8_head = g_log8_tail = 0;
    check_idle();
}

/* ------------------------------------------------------------ async calls from B */

static const char LETTERS[] = "iulkbfdsynv";

/* A value of letter k, encoded, for aecho to send back. */
static size_t sample_value(char k, uint8_t *buf, size_t cap)
{
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, cap);
    switch (k) {
    case 'i': duet_msgpack_write_int(&w, -7); break;
    case 'u': duet_msgpack_write_uint(&w, 70000); break;
    case 'l': duet_msgpack_write_int(&w, -((int64_t)1 << 40)); break;
    case 'k': duet_msgpack_write_uint(&w, UINT64_MAX); break;
    case 'b': duet_msgpack_write_bool(&w, true); break;
    case 'f': duet_msgpack_write_float(&w, 1.5f); break;
    case 'd': duet_msgpack_write_double(&w, 2.25); break;
    case 's': duet_msgpack_write_cstr(&w, "hello"); break;
    case 'y': duet_msgpack_write_bin(&w, "\x01\x02\x03", 3); break;
    case 'n': duet_msgpack_write_nil(&w); break;
    default:
        duet_msgpack_write_array(&w, 2);
        duet_msgpack_write_uint(&w, 1);
        duet_msgpack_write_cstr(&w, "x");
        break;
    }
    CHECK(duet_msgpack_writer_error(&w) == DUET_OK);
    return duet_msgpack_writer_size(&w);
}

typedef struct pending {
    duet_future f;
    char letter;  /* result letter; 0 for the low-level call (duet_future_wait_raw) */
    char sample;  /* the letter of the value sent (aecho echoes it) */
    bool started;
    size_t cap;   /* buffer size for s, y, v and raw results */
} pending;

static pending g_async[ASYNC_TYPED + 1];

/* Step 1: the calls B makes to A before the input arrives. */
static void start_async(const uint8_t *data, size_t size)
{
    memset(g_async, 0, sizeof g_async);
    for (unsigned j = 0; j < g_cfg.async_typed; j++) {
        uint8_t pick = size > j + 1 ? data[size - 2 - j] : (uint8_t)(j * 37);
        pending *p = &g_async[j];
        char sig[4] = {'v', ':', LETTERS[pick % (sizeof LETTERS - 1)], '\0'};
        uint8_t val[32];
        size_t n = sample_value(LETTERS[(pick / 11) % (sizeof LETTERS - 1)], val, sizeof val);
        p->letter = sig[2];
        p->sample = LETTERS[(pick / 11) % (sizeof LETTERS - 1)];
        p->cap = (size_t)(pick >> 4); /* 0 to 15: sometimes too small */
        CHECK(duet_rpc_call_async(RB, &p->f, "aecho", sig, val, n) == DUET_OK);
        p->started = true;
    }
    if (g_cfg.async_low) {
        pending *p = &g_async[ASYNC_TYPED];
        duet_msgpack_writer *w = duet_rpc_begin_call(RB, &p->f, "aecho");
        CHECK(w != NULL);
        CHECK(RB->open_frame != 0);
        duet_msgpack_write_array(w, 1);
        duet_msgpack_write_uint(w, 42);
        CHECK(duet_rpc_end(RB, w) == DUET_OK);
        p->started = true;
        p->letter = 0;
        p->cap = size ? data[size / 2] % 4 : 1;
    }
    check_idle();
}

/* Whether the input may hold a response: an array of 4 (fixarray, array 16, array 32) whose
 * first element is 1 in any integer encoding. If not, B's calls can be answered only by A. */
static bool g_values_known;

static bool may_hold_response(const uint8_t *d, size_t n)
{
    static const uint8_t one[][10] = {
        {1, 0x01}, {2, 0xcc, 1}, {3, 0xcd, 0, 1}, {5, 0xce, 0, 0, 0, 1}, {9, 0xcf, 0, 0, 0, 0, 0, 0, 0, 1},
        {2, 0xd0, 1}, {3, 0xd1, 0, 1}, {5, 0xd2, 0, 0, 0, 1}, {9, 0xd3, 0, 0, 0, 0, 0, 0, 0, 1},
    };
    for (size_t i = 0; i < n; i++) {
        size_t h = d[i] == 0x94 ? 1 : d[i] == 0xdc && i + 2 < n && d[i + 1] == 0 && d[i + 2] == 4 ? 3
                 : d[i] == 0xdd && i + 4 < n && d[i + 1] == 0 && d[i + 2] == 0 && d[i + 3] == 0 && d[i + 4] == 4 ? 5
                 : 0;
        if (!h)
            continue;
        for (size_t k = 0; k < sizeof one / sizeof one[0]; k++)
            if (i + h + one[k][0] <= n && memcmp(d + i + h, one[k] + 1, one[k][0]) == 0)
                return true;
    }
    return false;
}

static bool allowed_result_error(int err)
{
    return err == DUET_OK || err == DUET_ERR_REMOTE || err == DUET_ERR_TIMEOUT || err == DUET_ERR_TYPE ||
           err == DUET_ERR_RANGE || err == DUET_ERR_NOSPACE || err == DUET_ERR_TOO_LARGE ||
           err == DUET_ERR_BAD_MESSAGE;
}

/* Waits for one future; checks the outputs against cap. */
static int wait_one(pending *p)
{
    /* Exact-size heap buffers: ASan catches a copy past cap. */
    uint8_t *buf = malloc(p->cap ? p->cap : 1);
    CHECK(buf);
    size_t len = 0xdead;
    union {
        int32_t i;
        uint32_t u;
        int64_t l;
        uint64_t k;
        bool b;
        float f;
        double d;
    } out;
    int err;
    duet_future *f = &p->f;
    switch (p->letter) {
    case 0: err = duet_future_wait_raw(RB, f, WAIT_TIMEOUT_MS, buf, p->cap, &len); break;
    case 'i': err = duet_future_wait(RB, f, WAIT_TIMEOUT_MS, &out.i); break;
    case 'u': err = duet_future_wait(RB, f, WAIT_TIMEOUT_MS, &out.u); break;
    case 'l': err = duet_future_wait(RB, f, WAIT_TIMEOUT_MS, &out.l); break;
    case 'k': err = duet_future_wait(RB, f, WAIT_TIMEOUT_MS, &out.k); break;
    case 'b': err = duet_future_wait(RB, f, WAIT_TIMEOUT_MS, &out.b); break;
    case 'f': err = duet_future_wait(RB, f, WAIT_TIMEOUT_MS, &out.f); break;
    case 'd': err = duet_future_wait(RB, f, WAIT_TIMEOUT_MS, &out.d); break;
    case 's': err = duet_future_wait(RB, f, WAIT_TIMEOUT_MS, (char *)buf, p->cap); break;
    case 'y': case 'v': err = duet_future_wait(RB, f, WAIT_TIMEOUT_MS, buf, p->cap, &len); break;
    default: err = duet_future_wait(RB, f, WAIT_TIMEOUT_MS); break;
    }
    CHECK(allowed_result_error(err));
    if (err == DUET_OK && g_values_known && (p->letter == p->sample || p->letter == 0)) {
        /* aecho's echo of what was sent, and nothing else could answer. */
        uint8_t want[32];
        size_t n = sample_value(p->sample, want, sizeof want);
        switch (p->letter) {
        case 0: CHECK(len == 1 && buf[0] == 42); break;
        case 'i': CHECK(out.i == -7); break;
        case 'u': CHECK(out.u == 70000); break;
        case 'l': CHECK(out.l == -((int64_t)1 << 40)); break;
        case 'k': CHECK(out.k == UINT64_MAX); break;
        case 'b': CHECK(out.b); break;
        case 'f': CHECK(out.f == 1.5f); break;
        case 'd': CHECK(out.d == 2.25); break;
        case 's': CHECK(strcmp((const char *)buf, "hello") == 0); break;
        case 'y': CHECK(len == 3 && memcmp(buf, "\x01\x02\x03", 3) == 0); break;
        case 'v': CHECK(len == n && memcmp(buf, want, n) == 0); break;
        default: break;
        }
    }
    if (err == DUET_OK && p->letter == 's')
        CHECK(memchr(buf, '\0', p->cap) != NULL);
    if (err == DUET_OK && (p->letter == 'y' || p->letter == 'v' || p->letter == 0))
        CHECK(len <= p->cap);
    if (err == DUET_OK && (p->letter == 'v' || p->letter == 0))
        CHECK(one_value(buf, len));
    free(buf);
    check_error_text(RB);
    return err;
}

/* Step 5: polls and waits for B's calls. When A is deaf, B's waits do not run A (no idle
 * hook): they time out; a timed-out future is dropped (the first) or waited for again with A
 * back (the others). */
static void finish_async(void)
{
    if (g_cfg.a_deaf)
        duet_link_mem_set_idle(&B.link, NULL, NULL);
    bool again = false;
    for (unsigned j = 0; j < ASYNC_TYPED + 1; j++) {
        pending *p = &g_async[j];
        if (!p->started)
            continue;
        int perr = duet_future_poll(RB, &p->f);
        CHECK(perr == DUET_ERR_AGAIN || allowed_result_error(perr));
        int err = wait_one(p);
        if (err == DUET_ERR_TIMEOUT && again) {
            duet_link_mem_set_idle(&B.link, idle_poll, RA);
            err = wait_one(p);
            if (g_cfg.a_deaf)
                duet_link_mem_set_idle(&B.link, NULL, NULL);
        }
        if (err == DUET_ERR_TIMEOUT) {
            again = true;
            duet_future_drop(RB, &p->f);
            CHECK(duet_future_poll(RB, &p->f) == DUET_ERR_ARG); /* gone */
        }
    }
    duet_link_mem_set_idle(&B.link, idle_poll, RA);
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT; i++) {
        CHECK(RA->slots[i].state == 0);
        CHECK(RB->slots[i].state == 0);
    }
    check_idle();
}

/* ------------------------------------------------------------ steps */

/* Polls A (unless it is deaf while B's calls wait) and B. */
static void poll_both(unsigned rounds, bool poll_a)
{
    for (unsigned i = 0; i < rounds; i++) {
        if (poll_a)
            CHECK(duet_rpc_poll(RA) >= 0);
        CHECK(duet_rpc_poll(RB) >= 0);
    }
    check_idle();
}

/* Hands buf to B directly, as a link would from its poll. */
static void receive_direct(const uint8_t *buf, size_t len)
{
    g_in = buf;
    g_in_len = len;
    CHECK(duet_rpc_receive(RB, buf, len));
    g_in = NULL;
    g_in_len = 0;
    check_idle();
}

/* A heap copy of exactly len bytes (never NULL). */
static uint8_t *copy_of(const uint8_t *p, size_t len)
{
    uint8_t *q = malloc(len ? len : 1);
    CHECK(q);
    if (len)
        memcpy(q, p, len);
    return q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup(data, size);
    bool poll_a = !g_cfg.a_deaf;
    g_values_known = !g_cfg.a_deaf && !may_hold_response(data, size);

    /* 1. Calls from B waiting for A, so that responses in the input can find them. */
    start_async(data, size);

    /* 2. The whole input at once. */
    receive_direct(data, size);

    /* 3. The input in two deliveries, cut where the first byte says. */
    {
        size_t cut = size == 0 ? 0 : size <= 255 ? data[0] % (size + 1) : (size_t)data[0] * size / 255;
        uint8_t *first = copy_of(data, cut);
        uint8_t *second = copy_of(data + cut, size - cut);
        receive_direct(first, cut);
        receive_direct(second, size - cut);
        free(first);
        free(second);
    }
    poll_both(1, poll_a);

    /* 4. The input as one message of A's link end, delivered by B's poll. */
    if (size > 0) {
        g_raw = data;
        g_raw_len = size;
        int err = A.link.link.send(&A.link.link, data, size);
        /* TIMEOUT: B's queue is full; TOO_LARGE: the input could never fit it (-max_len). */
        CHECK(err == DUET_OK || err == DUET_ERR_TIMEOUT || err == DUET_ERR_TOO_LARGE);
        CHECK(duet_rpc_poll(RB) >= 0);
        g_raw = NULL;
        g_raw_len = 0;
        check_idle();
    }

    /* 5. Let everything settle, and collect the async calls. */
    poll_both(3, poll_a);
    finish_async();
    poll_both(2, true);

    /* 6. The engines still work both ways. */
    int32_t r = -1;
    int err = duet_rpc_call_timeout(RA, CHECK_TIMEOUT_MS, "add", "ii:i", 2, 3, &r);
    if (err != DUET_OK)
        fprintf(stderr, "A->B add: %d %s\n", err, duet_rpc_error_text(RA));
    CHECK(err == DUET_OK && r == 5);
    r = -1;
    err = duet_rpc_call_timeout(RB, CHECK_TIMEOUT_MS, "bounce", "i:i", 0, &r);
    if (err != DUET_OK)
        fprintf(stderr, "B->A bounce: %d %s\n", err, duet_rpc_error_text(RB));
    CHECK(err == DUET_OK && r == 0);
    poll_both(1, true);
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        CHECK(RA->slots[i].state == 0 && RB->slots[i].state == 0);

    free_side(&A);
    free_side(&B);
    return 0;
}

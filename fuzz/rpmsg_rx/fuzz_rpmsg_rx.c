/*
 * fuzz_rpmsg_rx.c - libFuzzer target for the RPMsg transport (src/transport/) against a peer
 * that writes anything into shared memory.
 *
 * A host and a remote share one 64 KiB array standing for SRAM4 at 0x38000000 (the GIGA R1
 * layout). Every input starts from the same state: both sides set up normally, with a
 * "raw" endpoint (no reassembly) and an "rpc" endpoint (reassembly buffer), handshake done.
 * Then the input drives them:
 *
 *   byte 0: flags
 *     bits 0-1  mode: 0 and 1 as described (full pair; 1 also shortens the send timeout),
 *               2 = the remote starts only after the ops (its resource table fuzzed: the
 *               host is set up alone first, the ops patch, then duet_rpmsg_init_remote),
 *               3 = like 0, plus the remote re-reads a copy of the table at the end
 *     bit 2     before the ops, both sides send without the other polling (messages in
 *               flight: a small one each way, and a fragmented 1000-byte one from the remote)
 *     bit 3     the host's endpoints refuse what they are offered (messages are held)
 *     bit 4     the remote's endpoints refuse
 *     bit 5     (modes 0, 1, 3) an endpoint's deliver() polls its own side, nested, up to two
 *               deep, as a handler that calls the other core and waits; the "rpc" endpoints
 *               reassemble messages of up to REASM / 2 bytes in room for two, so that a
 *               nested poll reassembles above the message being delivered
 *     bit 7     honest peers (modes 0, 1, 3): the ops that write shared memory are read and
 *               skipped, so that the model below always holds
 *   then ops until the input ends:
 *     0x00-0x3f  patch: n = (op & 7) + 1 bytes at base[(op >> 3) & 7] + u16 offset, where the
 *                bases are the table, vring1 desc/avail/used, vring0 desc/avail/used, the pool
 *     0x40-0x5f  block: u16 offset, u8 n, n bytes copied there (clipped to the region)
 *     0x60-0x7f  poll: op & 1 selects host or remote
 *     0x80-0x9f  send: op & 1 side, op & 2 endpoint (raw / rpc), u16 length (mod 600 / 3000);
 *                with op & 4, a stream's link.send_split of that many bytes instead, in
 *                messages of 1, 57, 496 or 700 bytes (op >> 3 & 3), the last two with 3 of
 *                the bytes as its head
 *     0xa0-0xbf  without op & 4: toggle refusal: op & 1 host, op & 2 remote; with op & 4: a
 *                stream's read (link.read) of up to u8 n bytes on op & 1's side, op & 2's
 *                endpoint (raw / rpc)
 *     0xc0-0xdf  u16 value into an index: avail/used idx of vring0/vring1 (op & 3)
 *     0xe0-0xff  u32 value into a ring entry: op & 3 ring (vring0 avail/used, vring1 avail/
 *                used), u8 slot, u32 value (avail: low 16 bits; used: the id, op & 4: the len)
 *   at the end: each side polls, sends on both endpoints (small and fragmented), polls.
 *
 * Oracle: no crash, no sanitizer report, and invariants checked after every call: results
 * are >= 0 or a duet error code; once a side is down every later call fails with the same
 * error; corrupt > 0 means down with DUET_ERR_CORRUPT and a reason; held/reassembly/free
 * counts stay within their arrays; every delivered message lies inside the pool (at most
 * one buffer's payload) or inside the endpoint's reassembly buffer (then right below where
 * the endpoint reassembles while it is delivered), is read in full, and a reassembled one
 * keeps its bytes through the polls nested in its delivery.
 *
 * Honest peers (modes 0, 1, 3 with no op that writes shared memory, or with bit 7: polls,
 * sends and refusals only): a model of each direction of each endpoint (raw and rpc, host to remote
 * and back) checks what the transport promises its layer above. Neither side goes down;
 * every message a send returned DUET_OK for is taken (a delivery not refused) exactly once,
 * whole, with its bytes, in the order sent, by the other side's endpoint of the same name;
 * one whose send failed (DUET_ERR_TIMEOUT: no free buffer in time, perhaps after some of its
 * fragments went) is never taken, nor any of it glued to another message (rpmsg.h); and once
 * both sides take again and poll, everything sent is taken. A link.read takes the same bytes
 * in the same order (link.h: what was not delivered, in order; a message copied in part is
 * kept with the rest, which deliver() then gets); an empty message it may take unseen. A
 * send_split's run is taken as the bytes it says it sent, in order, in messages of at most
 * the piece's size (a stream's: where they end is the link's; rpmsg sends the head alone
 * when it cannot fill buffers straight).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/rpmsg.h"

#include "fuzz_check.h"

#define SHM_DA 0x38000000u
#define SHM_SIZE 0x10000u
#define POOL_OFF 0x2400u
#define REASM 70000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct side {
    duet_port port;
    duet_rpmsg dev;
    duet_rpmsg_endpoint raw, rpc;
    bool live;
    bool refuse;
    uint8_t reasm[REASM];
} side;

static _Alignas(16) uint8_t shm[SHM_SIZE];
static side H, R;
static uint32_t clk;
static unsigned depth;
static bool nest;       /* flags bit 5: deliver() polls, nested */
static unsigned nested; /* deliveries under way that poll */
static volatile uint32_t sink;
static uint8_t payload[65536];

/* The honest-peer model: per direction and endpoint, the messages sent and not yet taken. */
#define MODEL_MAX 16384 /* more messages in flight: the model goes off (send_split of 1-byte pieces) */
typedef struct sent {
    const uint8_t *p;
    size_t len;
    size_t piece; /* a send_split's run: messages of at most piece bytes (0: one message) */
} sent;
typedef struct queue {
    sent m[MODEL_MAX];
    unsigned head, tail;
    size_t off; /* bytes of the first that link.read took */
} queue;
static queue model[2][2]; /* [receiving side: 0 host, 1 remote][endpoint: 0 raw, 1 rpc] */
static bool tampered;     /* an op wrote shared memory: the model is off */
static bool honest;       /* flags bit 7: ops that would write shared memory are skipped */

static side *other(duet_port *p) { return p == &H.port ? &R : &H; }

static void ring(duet_port *p) { (void)p; }

static void check_dev(side *s);

static void wait_fn(duet_port *p, uint32_t timeout_ms)
{
    clk += timeout_ms < 5 && timeout_ms ? timeout_ms : 5;
    if (depth >= 3)
        return;
    side *o = other(p);
    if (o->live) {
        depth++;
        int n = duet_rpmsg_poll(&o->dev);
        CHECK(n >= -23);
        check_dev(o);
        depth--;
    }
}

static uint32_t now_fn(duet_port *p)
{
    (void)p;
    return clk;
}

static void deliver_model(side *s, const duet_rpmsg_endpoint *ep, const uint8_t *d, size_t len);

/* Everything delivered must lie in the pool (one payload at most) or the reassembly buffer. */
static bool deliver(void *up, const uint8_t *d, size_t len)
{
    duet_rpmsg_endpoint *ep = (duet_rpmsg_endpoint *)up;
    side *s = ep->dev == &H.dev ? &H : &R;
    if (len) {
        CHECK(d != NULL);
        bool in_reasm = d >= s->reasm && d + len <= s->reasm + sizeof s->reasm;
        bool in_pool = d >= shm + POOL_OFF && d + len <= shm + SHM_SIZE && len <= 496;
        CHECK(in_reasm || in_pool);
        if (in_reasm)
            CHECK(d + len == ep->reasm && len <= ep->reasm_cap);
    }
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += d[i];
    sink += sum;
    if (s->refuse)
        return false;
    deliver_model(s, ep, d, len);
    if (nest && nested < 2) {
        /* A handler that waits for an answer: what comes meanwhile is delivered nested. */
        nested++;
        CHECK(duet_rpmsg_poll(&s->dev) >= -23);
        nested--;
        uint32_t again = 0;
        for (size_t i = 0; i < len; i++)
            again += d[i];
        CHECK(again == sum || (d < s->reasm || d >= s->reasm + sizeof s->reasm));
    }
    return true;
}

/* What deliver() took (ep's message at d, len bytes) against the model of what was sent. */
static void deliver_model(side *s, const duet_rpmsg_endpoint *ep, const uint8_t *d, size_t len)
{
    if (!tampered) {
        queue *q = &model[s == &R][ep == &s->rpc];
        /* Empty messages before it may have gone to a read, unseen. */
        while (len && q->head != q->tail && q->m[q->head % MODEL_MAX].len == q->off) {
            q->head++;
            q->off = 0;
        }
        CHECK(q->head != q->tail); /* nothing was sent that this could be */
        const sent *m = &q->m[q->head % MODEL_MAX];
        if (m->piece) {
            /* The next bytes of a run. */
            CHECK(len > 0 && len <= m->piece && len <= m->len - q->off);
            CHECK(memcmp(m->p + q->off, d, len) == 0);
            q->off += len;
        } else {
            CHECK(m->len - q->off == len);
            CHECK(!len || memcmp(m->p + q->off, d, len) == 0);
            q->off = m->len;
        }
        if (q->off == m->len) {
            q->head++;
            q->off = 0;
        }
    }
}

/* A send's outcome into the model of what the other side takes. */
static void model_sent(side *s, bool rpc, const void *p, size_t len, int rc)
{
    if (tampered || rc != DUET_OK)
        return;
    queue *q = &model[s == &H][rpc];
    if (q->tail - q->head >= MODEL_MAX) {
        tampered = true;
        return;
    }
    q->m[q->tail % MODEL_MAX] = (sent){(const uint8_t *)p, len, 0};
    q->tail++;
}

static void port_init(side *s, int cpu)
{
    s->port.shm = shm;
    s->port.shm_da = SHM_DA;
    s->port.shm_size = SHM_SIZE;
    s->port.ring = ring;
    s->port.wait = wait_fn;
    s->port.boot = NULL;
    s->port.now_ms = now_fn;
    s->port.cpu_id = cpu;
    s->port.ctx = s;
    s->live = false;
    s->refuse = false;
    /* An endpoint whose creation never ran still names its device: calls on it fail cleanly. */
    memset(&s->raw, 0, sizeof s->raw);
    memset(&s->rpc, 0, sizeof s->rpc);
    s->raw.dev = s->rpc.dev = &s->dev;
}

/* The invariants of one side. */
static void check_dev(side *s)
{
    const duet_rpmsg *d = &s->dev;
    duet_rpmsg_stats st = duet_rpmsg_get_stats(d);
    const char *why = duet_rpmsg_error_text(d);
    CHECK(why && why[0]);
    if (st.corrupt)
        CHECK(d->err == DUET_ERR_CORRUPT);
    CHECK(d->err == 0 || (d->err >= -23 && d->err < 0));
    CHECK(d->tx_free_count <= d->tx_bufs && d->tx_bufs <= DUET_RPMSG_MAX_RING);
    CHECK(d->ep_count <= DUET_RPMSG_MAX_ENDPOINTS);
    for (unsigned i = 0; i < d->ep_count; i++) {
        const duet_rpmsg_endpoint *ep = d->eps[i];
        CHECK(ep->held_count <= DUET_RPMSG_MAX_RING);
        CHECK(!ep->held_count || ep->held_head < DUET_RPMSG_MAX_RING);
        CHECK(ep->reasm_len <= ep->reasm_cap);
    }
}

/* A call's result: >= 0 or an error; a side that is down stays down with the same error. */
static void check_rc(side *s, int rc)
{
    CHECK(rc >= -23);
    check_dev(s);
    if (s->dev.err) {
        int e = s->dev.err;
        CHECK(duet_rpmsg_poll(&s->dev) == e);
        CHECK(duet_rpmsg_send(&s->raw, "x", 1) == e);
    }
}

static void do_poll(side *s)
{
    if (!s->live)
        return;
    int rc = duet_rpmsg_poll(&s->dev);
    check_rc(s, rc);
}

static void do_send(side *s, bool rpc, size_t len)
{
    if (!s->live)
        return;
    duet_rpmsg_endpoint *ep = rpc ? &s->rpc : &s->raw;
    bool was_down = s->dev.err != 0;
    int rc = duet_rpmsg_send(ep, payload, len);
    model_sent(s, rpc, payload, len, rc);
    CHECK(rc <= 0);
    if (was_down)
        CHECK(rc == s->dev.err);
    if (rc == DUET_ERR_TOO_LARGE)
        CHECK(len > duet_rpmsg_endpoint_max_message(ep));
    check_rc(s, rc);
}

/* A stream's send_split of len bytes in messages of piece bytes, the first head_len of them
 * as its head: whole messages, the bytes it returns. */
static void do_send_split(side *s, bool rpc, size_t len, size_t piece, size_t head_len)
{
    if (!s->live)
        return;
    duet_rpmsg_endpoint *ep = rpc ? &s->rpc : &s->raw;
    if (!ep->link.send_split)
        return;
    if (head_len > len)
        head_len = len;
    bool was_down = s->dev.err != 0;
    /* Its first messages may be taken while it waits to send the rest: in the model before. */
    queue *q = &model[s == &H][rpc];
    unsigned tail0 = q->tail;
    if (len) {
        model_sent(s, rpc, payload, len, DUET_OK);
        if (q->tail != tail0)
            q->m[tail0 % MODEL_MAX].piece = piece;
    }
    int err = -1000;
    size_t done = ep->link.send_split(&ep->link, payload, head_len, payload + head_len, len - head_len, piece, &err);
    CHECK(err <= 0 && err >= -23);
    CHECK(done <= len);
    CHECK(err != DUET_OK || done == len);
    /* (Nothing to send: DUET_OK, on a link that is down too.) */
    if (was_down && len)
        CHECK(err == s->dev.err && done == 0);
    if (!tampered && len) {
        /* Nothing taken past what went; the run is what went. */
        if (q->head == tail0)
            CHECK(q->off <= done);
        else if ((int)(q->head - tail0) > 0)
            CHECK(done == len);
        if (q->tail == tail0 + 1u) {
            q->m[tail0 % MODEL_MAX].len = done;
            if (!done)
                q->tail = tail0; /* nothing went (a run taken in part stays: off < done) */
        }
    }
    check_rc(s, err);
}

/* A stream's read of up to n bytes on an endpoint: what arrived and was not delivered. */
static void do_read(side *s, bool rpc, size_t n)
{
    if (!s->live)
        return;
    duet_rpmsg_endpoint *ep = rpc ? &s->rpc : &s->raw;
    if (!ep->link.read)
        return;
    uint8_t buf[256];
    bool was_down = s->dev.err != 0;
    size_t got = ep->link.read(&ep->link, buf, n);
    CHECK(got <= n);
    if (was_down)
        CHECK(got == 0);
    check_dev(s);
    if (tampered)
        return;
    queue *q = &model[s == &R][rpc];
    for (size_t at = 0; at < got;) {
        while (q->head != q->tail && q->m[q->head % MODEL_MAX].len == q->off) {
            q->head++; /* an empty message, read unseen */
            q->off = 0;
        }
        CHECK(q->head != q->tail); /* nothing was sent that these bytes could be */
        const sent *m = &q->m[q->head % MODEL_MAX];
        size_t k = m->len - q->off < got - at ? m->len - q->off : got - at;
        CHECK(memcmp(m->p + q->off, buf + at, k) == 0);
        at += k;
        q->off += k;
        if (q->off == m->len) {
            q->head++;
            q->off = 0;
        }
    }
}

static bool setup_host(void)
{
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    CHECK(duet_rpmsg_init_host(&H.dev, &H.port, &l) == DUET_OK);
    H.live = true;
    CHECK(duet_rpmsg_endpoint_create(&H.dev, &H.raw, "raw", NULL, 0) == DUET_OK);
    CHECK(duet_rpmsg_endpoint_create(&H.dev, &H.rpc, "rpc", H.reasm, nest ? REASM / 2 : REASM) == DUET_OK);
    duet_rpmsg_endpoint_reasm_room(&H.rpc, REASM);
    duet_link_attach(&H.raw.link, deliver, &H.raw);
    duet_link_attach(&H.rpc.link, deliver, &H.rpc);
    return true;
}

/* The remote's start; on a fuzzed table it may fail (that is fine, it must say so). */
static bool setup_remote(uint32_t timeout_ms)
{
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    int rc = duet_rpmsg_init_remote(&R.dev, &R.port, &l, timeout_ms);
    CHECK(rc == DUET_OK || rc == DUET_ERR_TIMEOUT || rc == DUET_ERR_CORRUPT);
    if (rc) {
        CHECK(R.dev.err == rc);
        const char *why = duet_rpmsg_error_text(&R.dev);
        CHECK(why && strcmp(why, "no error") != 0);
        if (rc == DUET_ERR_CORRUPT)
            CHECK(duet_rpmsg_get_stats(&R.dev).corrupt > 0);
        CHECK(duet_rpmsg_poll(&R.dev) == rc);
        return false;
    }
    R.live = true;
    rc = duet_rpmsg_endpoint_create(&R.dev, &R.raw, "raw", NULL, 0);
    CHECK(rc <= 0);
    if (rc == 0)
        duet_link_attach(&R.raw.link, deliver, &R.raw);
    int rc2 = duet_rpmsg_endpoint_create(&R.dev, &R.rpc, "rpc", R.reasm, nest ? REASM / 2 : REASM);
    duet_rpmsg_endpoint_reasm_room(&R.rpc, REASM);
    CHECK(rc2 <= 0);
    if (rc2 == 0)
        duet_link_attach(&R.rpc.link, deliver, &R.rpc);
    if (rc || rc2) {
        CHECK(R.dev.err != 0 || rc == DUET_ERR_TIMEOUT || rc2 == DUET_ERR_TIMEOUT);
        return false;
    }
    return true;
}

static const uint32_t bases[8] = {
    0x0000, /* resource table */
    0x0400, /* vring1 desc */
    0x0800, /* vring1 avail */
    0x08a0, /* vring1 used */
    0x1400, /* vring0 desc */
    0x1800, /* vring0 avail */
    0x18a0, /* vring0 used */
    POOL_OFF,
};

typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static bool take(input *in, void *out, size_t n)
{
    if (in->n < n)
        return false;
    memcpy(out, in->p, n);
    in->p += n;
    in->n -= n;
    return true;
}

static void patch(uint32_t off, const void *src, size_t n)
{
    if (honest)
        return;
    tampered = true;
    off %= SHM_SIZE;
    if (n > SHM_SIZE - off)
        n = SHM_SIZE - off;
    memcpy(shm + off, src, n);
}

static void run_ops(input *in, bool sides_live)
{
    uint8_t op;
    while (take(in, &op, 1)) {
        if (op < 0x40) {
            uint16_t off;
            uint8_t buf[8];
            size_t n = (size_t)(op & 7) + 1;
            if (!take(in, &off, 2))
                return;
            if (in->n < n)
                n = in->n;
            take(in, buf, n);
            patch(bases[(op >> 3) & 7] + off, buf, n);
        } else if (op < 0x60) {
            uint16_t off;
            uint8_t n;
            if (!take(in, &off, 2) || !take(in, &n, 1))
                return;
            size_t k = n < in->n ? n : in->n;
            patch(off, in->p, k);
            in->p += k;
            in->n -= k;
        } else if (op < 0x80) {
            if (sides_live)
                do_poll(op & 1 ? &R : &H);
        } else if (op < 0xa0) {
            uint16_t len;
            if (!take(in, &len, 2))
                return;
            bool rpc = op & 2;
            size_t n = rpc ? len % 3000u : len % 600u; /* rpc: fragmented up to 3000 bytes */
            static const size_t pieces[4] = {1, 57, 496, 700};
            size_t piece = pieces[op >> 3 & 3];
            if (sides_live && (op & 4))
                do_send_split(op & 1 ? &R : &H, rpc, n, piece, op & 0x10 ? 3 : 0);
            else if (sides_live)
                do_send(op & 1 ? &R : &H, rpc, n);
        } else if (op < 0xc0) {
            if (op & 4) {
                uint8_t n;
                if (!take(in, &n, 1))
                    return;
                if (sides_live)
                    do_read(op & 1 ? &R : &H, op & 2, n);
                continue;
            }
            if (op & 1)
                H.refuse = !H.refuse;
            if (op & 2)
                R.refuse = !R.refuse;
        } else if (op < 0xe0) {
            static const uint32_t idx[4] = {0x1802, 0x18a2, 0x0802, 0x08a2};
            uint16_t v;
            if (!take(in, &v, 2))
                return;
            patch(idx[op & 3], &v, 2);
        } else {
            uint8_t slot;
            uint32_t v;
            if (!take(in, &slot, 1) || !take(in, &v, 4))
                return;
            slot &= 63;
            switch (op & 3) {
            case 0: patch(0x1804 + 2u * slot, &v, 2); break;
            case 1: patch(0x18a4 + 8u * slot + (op & 4 ? 4u : 0u), &v, 4); break;
            case 2: patch(0x0804 + 2u * slot, &v, 2); break;
            default: patch(0x08a4 + 8u * slot + (op & 4 ? 4u : 0u), &v, 4); break;
            }
        }
    }
}

/* The state every input starts from. */
static bool setup_pair(void)
{
    memset(shm, 0, sizeof shm);
    clk = 0;
    depth = 0;
    port_init(&H, DUET_CPU_M7);
    port_init(&R, DUET_CPU_M4);
    setup_host();
    if (!setup_remote(50))
        return false;
    CHECK(duet_rpmsg_wait_ready(&H.dev, 100) == DUET_OK);
    CHECK(duet_rpmsg_wait_ready(&R.dev, 100) == DUET_OK);
    return true;
}

/* Messages in flight both ways, none taken yet. */
static void exchange(void)
{
    H.live = R.live = false; /* nobody polls the other meanwhile */
    CHECK(duet_rpmsg_send(&R.raw, "remote says hi", 14) == DUET_OK);
    model_sent(&R, false, "remote says hi", 14, DUET_OK);
    CHECK(duet_rpmsg_send(&R.rpc, payload, 1000) == DUET_OK);
    model_sent(&R, true, payload, 1000, DUET_OK);
    CHECK(duet_rpmsg_send(&H.raw, "host says hi", 12) == DUET_OK);
    model_sent(&H, false, "host says hi", 12, DUET_OK);
    CHECK(duet_rpmsg_send(&H.rpc, payload, 300) == DUET_OK);
    model_sent(&H, true, payload, 300, DUET_OK);
    H.live = R.live = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool once;
    if (!once) {
        for (size_t i = 0; i < sizeof payload; i++)
            payload[i] = (uint8_t)(i * 31u + 7u);
        once = true;
    }
    if (size < 1)
        return 0;
    input in = {data + 1, size - 1};
    uint8_t flags = data[0];
    unsigned mode = flags & 3;
    nest = mode != 2 && (flags & 0x20);
    nested = 0;

    tampered = true; /* the model holds from setup_pair's handshake on (below) */
    honest = false;
    if (mode == 2) {
        /* The remote starts after the ops: its table, rings and pool are what the input left. */
        memset(shm, 0, sizeof shm);
        clk = 0;
        depth = 0;
        port_init(&H, DUET_CPU_M7);
        port_init(&R, DUET_CPU_M4);
        setup_host();
        H.live = false; /* the host does not run while the remote starts */
        run_ops(&in, false);
        bool ok = setup_remote(20);
        H.live = true;
        if (ok) {
            (void)duet_rpmsg_wait_ready(&R.dev, 20);
            check_dev(&R);
        }
        do_poll(&H);
        do_poll(&R);
        do_send(&R, false, 10);
        do_send(&R, true, 800);
        do_poll(&H);
        do_send(&H, false, 10);
        do_poll(&R);
        check_dev(&H);
        check_dev(&R);
        return 0;
    }

    tampered = false;
    honest = (flags & 0x80) != 0;
    memset(model, 0, sizeof model);
    CHECK(setup_pair());
    H.dev.send_timeout_ms = R.dev.send_timeout_ms = mode == 1 ? 10 : 50;
    if (flags & 4)
        exchange();
    H.refuse = (flags & 8) != 0;
    R.refuse = (flags & 16) != 0;
    run_ops(&in, true);
    for (int k = 0; k < 2; k++) {
        do_poll(&H);
        do_poll(&R);
        do_send(&H, false, 40);
        do_send(&R, false, 40);
        do_send(&H, true, 1200);
        do_send(&R, true, 1200);
        do_poll(&R);
        do_poll(&H);
        H.refuse = R.refuse = false;
    }
    if (!tampered) {
        /* Both sides take again: everything sent arrives. */
        for (int k = 0; k < 8; k++) {
            do_poll(&H);
            do_poll(&R);
        }
        CHECK(!H.dev.err && !R.dev.err);
        for (int i = 0; i < 4; i++) {
            queue *q = &model[i >> 1][i & 1];
            while (q->head != q->tail && q->m[q->head % MODEL_MAX].len == q->off) {
                q->head++; /* an empty message, read unseen */
                q->off = 0;
            }
            CHECK(q->head == q->tail);
        }
    }
    if (mode == 3) {
        /* A second remote reading what the table now says (it must check it all again). */
        static duet_rpmsg dev2;
        duet_rpmsg_layout l = duet_rpmsg_layout_giga();
        R.live = false;
        int rc = duet_rpmsg_init_remote(&dev2, &R.port, &l, 10);
        CHECK(rc == DUET_OK || rc == DUET_ERR_TIMEOUT || rc == DUET_ERR_CORRUPT);
        if (rc == DUET_OK)
            CHECK(duet_rpmsg_poll(&dev2) >= -23);
    }
    return 0;
}

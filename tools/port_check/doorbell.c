/* doorbell.c - ring() and wait() as the transport uses them: a ring wakes the other core's
 * wait() long before its timeout, also a ring that came before the wait; many in a row, both
 * ways, none lost (local.c checks first, on each core alone, that a wait with no ring ends by
 * its timeout). Each core reports what its own wait() did; the steps say who waits and who
 * rings. A core that waits for the other sleeps in wait(), but for the moment of the pending
 * check, where it must be awake when the ring comes. */
#include "port_check.h"

/* Steps: the wake and pending checks of direction d from 50 + 8 * d and 54 + 8 * d on. */
enum { WAKE = 50, PENDING = 54, PINGPONG = 66 };

#define AWAIT_MS 5000u
#define WAIT_MS 2000u     /* a wait that a ring should end long before */
#define RING_AFTER_MS 20u /* the ringer lets the waiter fall asleep first */
#define AWAKE_MS 200u     /* how long the pending check's waiter stays awake for the ring */
#define ROUNDS 200u

/* Takes a ring that may be pending, so that the next wait starts from none. */
static void drain(duet_port *p)
{
    p->wait(p, 0);
    p->wait(p, 0);
}

/* Waits until the other core's step reaches step or limit_ms passed, calling wait(); the
 * milliseconds it took. */
static uint32_t wait_for_step(const pc_ctx *c, uint32_t step, uint32_t limit_ms)
{
    duet_port *p = c->port;
    uint32_t start = p->now_ms(p), spent = 0;
    while (pc_theirs(c)->step < step && (spent = p->now_ms(p) - start) < limit_ms)
        p->wait(p, limit_ms - spent);
    return p->now_ms(p) - start;
}

/* One core sleeps in wait(WAIT_MS); the other rings RING_AFTER_MS after it said so. The ringer
 * says first that it is there (base + 1): it may still be in a wait of the check before. */
static bool wake(const pc_ctx *c, bool i_wait, uint32_t base)
{
    duet_port *p = c->port;
    if (!i_wait) {
        pc_post(c, base + 1, NULL, 0);
        if (!pc_await(c, base + 2, AWAIT_MS, NULL, 0))
            return false;
        pc_sleep(c, RING_AFTER_MS);
        pc_post(c, base + 3, NULL, 0); /* what a ring covers is written before it */
        p->ring(p);
        return true;
    }
    if (!pc_await(c, base + 1, AWAIT_MS, NULL, 0))
        return false;
    pc_start("doorbell wakes", "a ring %u ms after this core went to sleep in wait(%u)", (unsigned)RING_AFTER_MS,
             (unsigned)WAIT_MS);
    drain(p);
    pc_post(c, base + 2, NULL, 0);
    uint32_t took = wait_for_step(c, base + 3, WAIT_MS);
    if (pc_theirs(c)->step < base + 3) {
        pc_fail("doorbell wakes", "the other core did not say within %u ms that it rang", (unsigned)WAIT_MS);
        return false;
    }
    pc_check(took < WAIT_MS / 2, "doorbell wakes", "a ring %u ms after this core went to sleep in wait(%u) ended it after %lu ms%s",
             (unsigned)RING_AFTER_MS, (unsigned)WAIT_MS, (unsigned long)took,
             took < WAIT_MS / 2 ? "" : ": the ring does not wake a sleeping core (its interrupt not enabled or not "
                                      "routed to this core, or it does not end the sleep): every call would wait out "
                                      "its timeout");
    return true;
}

/* The waiter of the pending check, awake: reads the region until the other core said step
 * (a wait() would take the ring it is to find pending), AWAKE_MS at most. The other core was
 * rung to say it, so this lasts as long as it takes to wake: the one moment the check does
 * not sleep. Under QEMU's -icount one core runs at a time, and the other never rings then. */
static bool awake_until(const pc_ctx *c, uint32_t step)
{
    duet_port *p = c->port;
    uint32_t start = p->now_ms(p);
    for (uint32_t i = 1; pc_theirs(c)->step < step; i++) {
        if (i % 4096 == 0 && p->now_ms(p) - start >= AWAKE_MS)
            return false;
    }
    return true;
}

/* The other core rings while this one is not waiting; this core's next wait must end at once. */
static bool pending(const pc_ctx *c, bool i_wait, uint32_t base)
{
    duet_port *p = c->port;
    if (!i_wait) {
        if (!pc_await(c, base + 1, AWAIT_MS, NULL, 0))
            return false;
        p->ring(p);
        pc_post(c, base + 2, NULL, 0); /* after the ring: the waiter's wait comes after it */
        return true;
    }
    pc_start("doorbell pending", "a ring while this core is not waiting, then wait(%u)", (unsigned)WAIT_MS);
    drain(p);
    pc_post(c, base + 1, NULL, 0);
    p->ring(p); /* wakes the other core to ring back at once (it looks again soon if this is lost) */
    if (!awake_until(c, base + 2)) {
        pc_note("doorbell pending", "not checked: the other core did not ring within %u ms while this core stayed "
                "awake (one core at a time, as under QEMU's -icount)", (unsigned)AWAKE_MS);
        return pc_await(c, base + 2, AWAIT_MS, NULL, 0);
    }
    uint32_t t0 = p->now_ms(p);
    p->wait(p, WAIT_MS);
    uint32_t took = p->now_ms(p) - t0;
    pc_check(took < WAIT_MS / 2, "doorbell pending", "a ring that came before wait(%u) ended it after %lu ms%s",
             (unsigned)WAIT_MS, (unsigned long)took,
             took < WAIT_MS / 2 ? "" : ": a ring while this core was not waiting was lost. The transport looks at "
                                      "the rings, then waits: a ring between the two must end that wait (a flag the "
                                      "interrupt sets and wait() clears), or a call waits out its timeout, now and then");
    return true;
}

/* Rounds of ping-pong through the mailbox's counters, a ring each way per round. */
typedef struct rounds {
    uint32_t lost, early, longest;
} rounds;

/* After a wait that slept its whole timeout and found the answer there: whether the answer's
 * ring came after that timeout (then it is pending, and the next wait ends at once) rather
 * than during the sleep (then it was lost, and the next wait sleeps too). */
static bool ring_pending(duet_port *p, uint32_t wait_ms)
{
    uint32_t t = p->now_ms(p);
    p->wait(p, wait_ms);
    return p->now_ms(p) - t < wait_ms / 2;
}

/* What the rounds' counter says when a core stops them (LOST_MAX lost rings). */
#define STOP 0xffffffffu
#define LOST_MAX 3u

/* Waits for the other core's counter to reach n; false after ten waits' worth, or when the
 * other core stopped the rounds. A wait that slept its whole timeout with the counter
 * already there slept through a ring. */
static bool await_count(const pc_ctx *c, uint32_t n, uint32_t wait_ms, rounds *r)
{
    duet_port *p = c->port;
    volatile pc_side *s = pc_theirs(c);
    uint32_t start = p->now_ms(p);
    while (s->count != n) {
        if (s->count == STOP || p->now_ms(p) - start >= 10 * wait_ms)
            return false;
        uint32_t t = p->now_ms(p);
        p->wait(p, wait_ms);
        bool slept = p->now_ms(p) - t >= wait_ms;
        if (slept && s->count == n && !ring_pending(p, wait_ms))
            r->lost++;
        else if (!slept && s->count != n)
            r->early++;
    }
    pc_fence();
    uint32_t took = p->now_ms(p) - start;
    r->longest = took > r->longest ? took : r->longest;
    return r->lost < LOST_MAX;
}

/* The rounds' line: what this core's waits did, or why the rounds stopped. */
static void rounds_report(const pc_ctx *c, uint32_t i, uint32_t wait_ms, const rounds *r)
{
    if (r->lost || i > ROUNDS)
        pc_check(!r->lost, "doorbell rounds", "%lu rounds, a ring each way: %lu of the other core's rings slept "
                 "through (the longest round %lu ms; %lu waits ended before their ring, which port.h allows)%s",
                 (unsigned long)(i > ROUNDS ? ROUNDS : i), (unsigned long)r->lost, (unsigned long)r->longest,
                 (unsigned long)r->early, r->lost ? ": a ring was lost: wait() must end for every ring since it last "
                 "returned" : "");
    else if (pc_theirs(c)->count == STOP)
        pc_note("doorbell rounds", "the other core stopped the rounds at %lu: its rings were lost (its lines say so)",
                (unsigned long)i);
    else
        pc_fail("doorbell rounds", "round %lu of %u: no answer within %lu ms", (unsigned long)i, (unsigned)ROUNDS,
                (unsigned long)(10 * wait_ms));
}

/* The M7 waits 300 ms at a time, the M4 1000: a ring the M7 lost ends the M4's wait late, and
 * the M4's answer then ends the M7's (not at its timeout), so each core counts its own. */
static bool ping_pong(const pc_ctx *c)
{
    duet_port *p = c->port;
    rounds r = {0, 0, 0};
    uint32_t wait_ms = c->m7 ? 300u : 1000u, i;
    pc_start("doorbell rounds", "%u rounds of ping-pong, a ring each way", (unsigned)ROUNDS);
    drain(p);
    pc_post(c, PINGPONG + 1, NULL, 0);
    if (!pc_await(c, PINGPONG + 1, AWAIT_MS, NULL, 0))
        return false;
    for (i = 1; i <= ROUNDS; i++) {
        if (!c->m7 && !await_count(c, i, wait_ms, &r))
            break;
        pc_mine(c)->count = i;
        pc_fence();
        p->ring(p);
        if (c->m7 && !await_count(c, i, wait_ms, &r))
            break;
    }
    if (r.lost >= LOST_MAX) {
        pc_mine(c)->count = STOP;
        pc_fence();
        p->ring(p);
    }
    rounds_report(c, i, wait_ms, &r);
    pc_post(c, PINGPONG + 2, NULL, 0);
    return pc_await(c, PINGPONG + 2, AWAIT_MS, NULL, 0);
}

bool pc_doorbell(pc_ctx *c)
{
    for (unsigned d = 0; d < 2; d++) {
        bool i_wait = c->m7 == (d == 0); /* the M7 waits first */
        if (!wake(c, i_wait, WAKE + 8 * d) || !pending(c, i_wait, PENDING + 8 * d))
            return false;
    }
    return ping_pong(c);
}

/* pair.c - what the two cores check together besides the region and the doorbell: the two
 * clocks over the same half second, and lock() taken twice where given (recursive), each
 * core watched by the other, since a lock that is not recursive never returns. */
#include "port_check.h"

enum { CLOCK = 30, A = 1, A_SEEN = 2, B = 3, B_SEEN = 4, LOCK = 80, LOCK_GO = 1, LOCK_DONE = 2 };

#define AWAIT_MS 5000u
#define LOCK_MS 2000u /* lock() twice returns at once; under -icount a stuck core spins this long */
#define SPAN_MS 500u

/* The M4 reads its clock at each of two moments the M7 marks SPAN_MS apart by its own. The M7
 * reads its clock before it marks a moment and after the M4 said it saw it, so the M4's span
 * lies between the M7's inner and outer span (a core that was not running for a while, on a
 * loaded PC, widens them), give or take 10 % and 5 ms. */
static bool clock_m4(pc_ctx *c)
{
    duet_port *p = c->port;
    if (!pc_await(c, CLOCK + A, AWAIT_MS, NULL, 0))
        return false;
    uint32_t t4a = p->now_ms(p);
    pc_post(c, CLOCK + A_SEEN, NULL, 0);
    if (!pc_await(c, CLOCK + B, AWAIT_MS, NULL, 0))
        return false;
    uint32_t d4 = p->now_ms(p) - t4a;
    pc_post(c, CLOCK + B_SEEN, &d4, 1);
    return true;
}

bool pc_clock_rate(pc_ctx *c)
{
    duet_port *p = c->port;
    pc_start("clock rate", "the two clocks over the same %u ms", (unsigned)SPAN_MS);
    if (!c->m7)
        return clock_m4(c);
    uint32_t a0 = p->now_ms(p), d4;
    pc_post(c, CLOCK + A, NULL, 0);
    if (!pc_await(c, CLOCK + A_SEEN, AWAIT_MS, NULL, 0))
        return false;
    uint32_t a1 = p->now_ms(p);
    pc_sleep(c, SPAN_MS);
    uint32_t b0 = p->now_ms(p);
    pc_post(c, CLOCK + B, NULL, 0);
    if (!pc_await(c, CLOCK + B_SEEN, AWAIT_MS, &d4, 1))
        return false;
    uint32_t b1 = p->now_ms(p), inner = b0 - a1, outer = b1 - a0;
    bool ok = d4 + 5 >= inner - inner / 10 && d4 <= outer + outer / 10 + 5;
    pc_check(ok, "clock rate", "the M4's now_ms() counted %lu ms while the M7's counted %lu to %lu%s",
             (unsigned long)d4, (unsigned long)inner, (unsigned long)outer,
             ok ? "" : ": one clock runs at the wrong rate (the ticks of a millisecond: the core's clock frequency "
                       "the port assumed)");
    return true;
}

/* This core takes its lock twice and gives it back twice, then says so. */
static void lock_twice(const pc_ctx *c, uint32_t base)
{
    duet_port *p = c->port;
    pc_post(c, base + LOCK_GO, NULL, 0);
    if (p->lock && p->unlock) {
        pc_start("lock", "lock() twice, then unlock() twice");
        p->lock(p);
        p->lock(p);
        p->unlock(p);
        p->unlock(p);
        pc_pass("lock", "lock() twice, then unlock() twice, returned: recursive");
    }
    pc_post(c, base + LOCK_DONE, NULL, 0);
}

/* The other core's turn: false if it said it would lock and never came back. */
static bool watch_lock(const pc_ctx *c, uint32_t base)
{
    if (!pc_await(c, base + LOCK_GO, AWAIT_MS, NULL, 0))
        return false;
    if (pc_await(c, base + LOCK_DONE, LOCK_MS, NULL, 0))
        return true;
    pc_fail("lock", "the %s took its lock twice and did not come back within %u ms: its lock is not recursive "
                    "(duet takes it again inside a call it holds it for)",
            c->m7 ? "M4" : "M7", (unsigned)LOCK_MS);
    return false;
}

bool pc_lock(pc_ctx *c)
{
    if (c->m7) {
        lock_twice(c, LOCK);
        return watch_lock(c, LOCK + 2);
    }
    if (!watch_lock(c, LOCK))
        return false;
    lock_twice(c, LOCK + 2);
    return true;
}

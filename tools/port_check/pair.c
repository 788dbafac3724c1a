/* pair.c - what the two cores check together besides the region and the doorbell: the two
 * clocks over the same half second, and lock() taken twice where given (recursive), each
 * core watched by the other, since a lock that is not recursive never returns. */
#include "port_check.h"

enum { CLOCK = 30, A = 1, A_SEEN = 2, B = 3, B_SEEN = 4, LOCK = 80, LOCK_GO = 1, LOCK_DONE = 2 };

#define AWAIT_MS 5000u
#define SPAN_MS 500u

/* The M7 marks two moments SPAN_MS apart by its clock; the M4 reads its own at each. */
bool pc_clock_rate(pc_ctx *c)
{
    duet_port *p = c->port;
    uint32_t v[2];
    if (!c->m7) {
        if (!pc_await(c, CLOCK + A, AWAIT_MS, NULL, 0))
            return false;
        uint32_t t4a = p->now_ms(p);
        pc_post(c, CLOCK + A_SEEN, NULL, 0);
        if (!pc_await(c, CLOCK + B, AWAIT_MS, v, 1))
            return false;
        v[1] = p->now_ms(p) - t4a;
        pc_post(c, CLOCK + B_SEEN, v + 1, 1);
        return true;
    }
    uint32_t t7a = p->now_ms(p);
    pc_post(c, CLOCK + A, NULL, 0);
    if (!pc_await(c, CLOCK + A_SEEN, AWAIT_MS, NULL, 0))
        return false;
    pc_spin(c, SPAN_MS);
    uint32_t d7 = p->now_ms(p) - t7a;
    pc_post(c, CLOCK + B, &d7, 1);
    if (!pc_await(c, CLOCK + B_SEEN, AWAIT_MS, v, 1))
        return false;
    uint32_t d4 = v[0], diff = d4 > d7 ? d4 - d7 : d7 - d4;
    pc_check(diff <= d7 / 10 + 20, "clock rate", "the M4's now_ms() counted %lu ms while the M7's counted %lu%s",
             (unsigned long)d4, (unsigned long)d7,
             diff <= d7 / 10 + 20 ? ""
                                  : ": one clock runs at the wrong rate (the ticks of a millisecond: the core's "
                                    "clock frequency the port assumed)");
    return true;
}

/* This core takes its lock twice and gives it back twice, then says so. */
static void lock_twice(const pc_ctx *c, uint32_t base)
{
    duet_port *p = c->port;
    pc_post(c, base + LOCK_GO, NULL, 0);
    if (p->lock && p->unlock) {
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
    if (pc_await(c, base + LOCK_DONE, AWAIT_MS, NULL, 0))
        return true;
    pc_fail("lock", "the %s took its lock twice and did not come back within %u ms: its lock is not recursive "
                    "(duet takes it again inside a call it holds it for)",
            c->m7 ? "M4" : "M7", (unsigned)AWAIT_MS);
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

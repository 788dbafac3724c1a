/* shared.c - the mailbox the two cores of the port check talk through: a few words in the
 * shared region, each written by one core only, read by the other after a barrier. A core
 * waiting for the other sleeps in its port's wait(), a short one at a time, and looks again
 * after each: nothing here busy-waits. */
#include "port_check.h"

_Static_assert(sizeof(pc_mailbox) == PC_MAILBOX_SIZE, "the mailbox is PC_MAILBOX_SIZE bytes");

void pc_fence(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

volatile pc_side *pc_mine(const pc_ctx *c)
{
    return c->m7 ? &c->mb->m7 : &c->mb->m4;
}

volatile pc_side *pc_theirs(const pc_ctx *c)
{
    return c->m7 ? &c->mb->m4 : &c->mb->m7;
}

void pc_post(const pc_ctx *c, uint32_t step, const uint32_t *values, unsigned n)
{
    volatile pc_side *s = pc_mine(c);
    for (unsigned i = 0; i < n; i++)
        s->value[i] = values[i];
    pc_fence();
    s->step = step;
    pc_fence();
}

bool pc_nap(duet_port *p, uint32_t start, uint32_t timeout_ms)
{
    uint32_t spent = p->now_ms(p) - start;
    if (spent >= timeout_ms)
        return false;
    uint32_t left = timeout_ms - spent;
    p->wait(p, left < PC_NAP_MS ? left : PC_NAP_MS);
    return true;
}

bool pc_await(const pc_ctx *c, uint32_t step, uint32_t timeout_ms, uint32_t *values, unsigned n)
{
    duet_port *p = c->port;
    volatile pc_side *s = pc_theirs(c);
    uint32_t start = p->now_ms(p);
    while (s->step < step) {
        if (!pc_nap(p, start, timeout_ms))
            return false;
    }
    pc_fence();
    for (unsigned i = 0; i < n; i++)
        values[i] = s->value[i];
    return true;
}

void pc_mailbox_set_up(pc_ctx *c, size_t offset)
{
    volatile pc_mailbox *mb = (volatile pc_mailbox *)(void *)(c->port->shm + offset);
    volatile uint32_t *w = (volatile uint32_t *)(volatile void *)mb;
    for (size_t i = 0; i < PC_MAILBOX_SIZE / 4; i++)
        w[i] = 0;
    pc_fence();
    mb->magic = PC_MAGIC;
    pc_fence();
    c->mb = mb;
}

void pc_sleep(const pc_ctx *c, uint32_t ms)
{
    duet_port *p = c->port;
    uint32_t start = p->now_ms(p), spent;
    while ((spent = p->now_ms(p) - start) < ms)
        p->wait(p, ms - spent);
}

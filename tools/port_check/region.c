/* region.c - the region is the same memory on both cores, uncached or kept coherent: a pattern
 * one core writes over every byte is what the other reads, both ways, with 32-bit stores read
 * as bytes and byte stores read as 32-bit words. The mailbox lies at the region's start for
 * the first part and at its end for the second, so that together they cover every byte. */
#include "port_check.h"

/* Steps of part k (0, 1): STEP + 10 * k + FILLED... */
enum { STEP = 10, FILLED = 1, FILLED_BACK = 2, MOVE = 3, MOVED = 9 };

#define AWAIT_MS 5000u

static uint32_t word_at(uint32_t seed, size_t off)
{
    uint32_t x = (uint32_t)(off / 4 + 1) * 2654435761u ^ seed * 40503u;
    x ^= x >> 13;
    return x * 2246822519u ^ seed;
}

/* Byte off of the pattern, little endian as the transport reads the region. */
static uint8_t byte_at(uint32_t seed, size_t off)
{
    return (uint8_t)(word_at(seed, off & ~(size_t)3) >> (8 * (off & 3)));
}

static void fill(const pc_ctx *c, size_t off, size_t len, uint32_t seed, bool words)
{
    volatile uint8_t *shm = c->port->shm;
    for (size_t i = off; i < off + len; i += words ? 4 : 1) {
        if (words)
            *(volatile uint32_t *)(volatile void *)(shm + i) = word_at(seed, i);
        else
            shm[i] = byte_at(seed, i);
    }
    pc_fence();
}

/* What a reader found: how many bytes differ, and the first of them. */
typedef struct found {
    uint32_t bad, first, got, want;
} found;

static found verify(const pc_ctx *c, size_t off, size_t len, uint32_t seed, bool words)
{
    volatile const uint8_t *shm = c->port->shm;
    found f = {0, 0, 0, 0};
    for (size_t i = off; i < off + len; i += words ? 4 : 1) {
        uint32_t got = words ? *(volatile const uint32_t *)(volatile const void *)(shm + i) : shm[i];
        uint32_t want = words ? word_at(seed, i) : byte_at(seed, i);
        if (got == want)
            continue;
        if (!f.bad) {
            f = (found){0, (uint32_t)i, got, want};
        }
        for (unsigned k = 0; k < (words ? 4u : 1u); k++)
            f.bad += ((got ^ want) >> (8 * k) & 0xffu) != 0;
    }
    return f;
}

static void report(const pc_ctx *c, size_t off, size_t len, found f, bool words)
{
    const char *from = c->m7 ? "the M4" : "the M7";
    unsigned long da = (unsigned long)(c->port->shm_da + off);
    unsigned long last = (unsigned long)(c->port->shm_da + off + len - 1);
    if (!f.bad) {
        pc_pass("region", "what %s wrote over 0x%08lx..0x%08lx (%s stores) this core reads (%s)", from, da, last,
                words ? "byte" : "32-bit", words ? "32-bit words" : "bytes");
        return;
    }
    pc_fail("region", "of what %s wrote over 0x%08lx..0x%08lx, %lu bytes differ here, the first at 0x%08lx (read 0x%lx, "
                      "written 0x%lx): the other core's writes do not reach this one: a data cache keeps the region on a "
                      "core (make it non-cacheable there: duet reads the rings at every poll, with no wait() before), "
                      "or shm points at other memory on the two cores",
            from, da, last, (unsigned long)f.bad, (unsigned long)(c->port->shm_da + f.first), (unsigned long)f.got,
            (unsigned long)f.want);
}

/* One part: the M7 writes words and reads the M4's bytes as words; the M4 the other way. */
static bool part(const pc_ctx *c, unsigned k, size_t off, size_t len)
{
    uint32_t base = STEP + 10 * k, seed7 = 0x7e570000u + k, seed4 = 0x4e570000u + k;
    if (c->m7) {
        fill(c, off, len, seed7, true);
        pc_post(c, base + FILLED, NULL, 0);
        if (!pc_await(c, base + FILLED_BACK, AWAIT_MS, NULL, 0))
            return false;
        report(c, off, len, verify(c, off, len, seed4, true), true);
        return true;
    }
    if (!pc_await(c, base + FILLED, AWAIT_MS, NULL, 0))
        return false;
    report(c, off, len, verify(c, off, len, seed7, false), false);
    fill(c, off, len, seed4, false);
    pc_post(c, base + FILLED_BACK, NULL, 0);
    return true;
}

/* The mailbox moves from the region's start to its end: the M7 sets the new one up and says
 * so in the old one; both then say MOVED in the new one. */
static bool move(pc_ctx *c)
{
    size_t end = c->size - PC_MAILBOX_SIZE;
    if (c->m7) {
        volatile pc_mailbox *old = c->mb;
        pc_mailbox_set_up(c, end);
        volatile pc_mailbox *moved = c->mb;
        c->mb = old;
        pc_post(c, STEP + MOVE, NULL, 0);
        c->mb = moved;
    } else {
        if (!pc_await(c, STEP + MOVE, AWAIT_MS, NULL, 0))
            return false;
        c->mb = (volatile pc_mailbox *)(void *)(c->port->shm + end);
        if (c->mb->magic != PC_MAGIC) /* the M7 set it up before it said MOVE */
            return false;
    }
    pc_post(c, STEP + MOVED, NULL, 0);
    return pc_await(c, STEP + MOVED, AWAIT_MS, NULL, 0);
}

bool pc_region(pc_ctx *c)
{
    pc_start("region", "a pattern over every byte, each way, with the other core");
    bool ok = part(c, 0, PC_MAILBOX_SIZE, c->size - PC_MAILBOX_SIZE) && move(c) && part(c, 1, 0, PC_MAILBOX_SIZE);
    if (!ok)
        pc_fail("region", "the other core did not go on within %u ms: it stopped, or the region broke the mailbox",
                (unsigned)AWAIT_MS);
    return ok;
}

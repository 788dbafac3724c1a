/* side_m4.c - the M4's part of the port check: its port alone, then, once the M7 booted it,
 * each check of the pair; it gives the M7 its counts and its first failure at the end. */
#include <stdio.h>
#include <string.h>

#include "port_check.h"

enum { HELLO = 1, FINISHED = 90 };

#define MAGIC_MS 5000u

/* The mailbox the M7 set up at the region's start before it booted this core. */
static bool find_mailbox(pc_ctx *c)
{
    duet_port *p = c->port;
    volatile pc_mailbox *mb = (volatile pc_mailbox *)(void *)p->shm;
    uint32_t start = p->now_ms(p);
    while (mb->magic != PC_MAGIC) {
        if (!pc_nap(p, start, MAGIC_MS)) {
            pc_fail("hello", "the M7's mark is not at the region's start (0x%08lx there, not 0x%08lx): this core does "
                    "not see what the M7 wrote before it booted this one (a cache, or shm at other memory)",
                    (unsigned long)mb->magic, (unsigned long)PC_MAGIC);
            return false;
        }
    }
    pc_fence();
    c->mb = mb;
    uint32_t v[3] = {(uint32_t)p->cpu_id, (uint32_t)p->shm_size, p->shm_da};
    pc_post(c, HELLO, v, 3);
    return true;
}

static void finish(const pc_ctx *c)
{
    volatile char *text = c->mb->text;
    const char *first = pc_first_failure();
    size_t n = strlen(first);
    for (size_t i = 0; i < PC_TEXT_SIZE; i++)
        text[i] = i < n ? first[i] : '\0';
    uint32_t v[2] = {pc_passed(), pc_failed()};
    pc_post(c, FINISHED, v, 2);
}

int port_check_m4(duet_port *p)
{
    pc_report_core("M4");
    printf("port check: the M4's port\n");
    pc_ctx c = {p, false, NULL, p ? p->shm_size & ~(size_t)3 : 0};
    bool whole = false;
    if (pc_check_local(p, false) && find_mailbox(&c)) {
        pc_check_peer_running(p);
        whole = pc_region(&c) && pc_clock_rate(&c) && pc_doorbell(&c) && pc_lock(&c);
        if (whole)
            finish(&c);
    }
    printf("port check (M4): %u passed, %u failed%s\n", pc_passed(), pc_failed(),
           whole ? "" : "; the M7 lost this core: the checks stopped");
    /* A core that lost the other ends the run where a failing M4 can (the AN521 under QEMU). */
    return whole ? 0 : 1;
}

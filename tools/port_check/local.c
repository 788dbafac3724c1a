/* local.c - what one core checks of its port alone: the fields, cpu_id, the region's
 * alignment and bounds and duet's layout in it, lock and unlock, thread_error, wait() ending
 * by its timeout, the clock. */
#include "port_check.h"

/* Reads of now_ms() a running clock must advance within: some seconds of reads anywhere. */
#define CLOCK_READS 10000000u
#define IDLE_MS 200u
#define IDLE_LATE_MS 200u /* how much later than its timeout an idle wait may end (a loaded PC) */

/* The functions every port gives: ring, wait and now_ms; boot on the M7. */
static bool functions(const duet_port *p, bool m7)
{
    if (p->ring && p->wait && p->now_ms && (p->boot || !m7)) {
        pc_pass("functions", "ring, wait, now_ms%s are set", m7 ? " and boot" : "");
        return true;
    }
    pc_fail("functions", "%s%s%s%sis NULL: every port sets ring, wait and now_ms, and the M7's boot",
            p->ring ? "" : "ring ", p->wait ? "" : "wait ", p->now_ms ? "" : "now_ms ",
            p->boot || !m7 ? "" : "boot ");
    return false;
}

static void cpu_id(const duet_port *p, bool m7)
{
    int want = m7 ? DUET_CPU_M7 : DUET_CPU_M4;
    pc_check(p->cpu_id == want, "cpu_id", "%d, %s %s (%d)%s", p->cpu_id, p->cpu_id == want ? "as" : "not",
             m7 ? "DUET_CPU_M7" : "DUET_CPU_M4", want,
             p->cpu_id == want ? "" : ": duet takes the host's role (the M7's) by cpu_id, so each core must say which it is");
}

/* The region is there, 4-byte aligned (the transport reads 32-bit words at multiples of 4
 * from both the pointer and the device address) and large enough for the check. */
static bool region(const duet_port *p)
{
    if (!p->shm || p->shm_size < 4 * PC_MAILBOX_SIZE) {
        pc_fail("region", "shm %p, shm_size %lu: no region to share", (void *)p->shm, (unsigned long)p->shm_size);
        return false;
    }
    bool aligned = (uintptr_t)p->shm % 4 == 0 && p->shm_da % 4 == 0 && p->shm_size % 4 == 0;
    pc_check(aligned, "alignment", "shm %p, shm_da 0x%08lx, shm_size 0x%lx%s", (void *)p->shm,
             (unsigned long)p->shm_da, (unsigned long)p->shm_size,
             aligned ? ": multiples of 4" : " are not all multiples of 4, which the transport's 32-bit accesses need");
    return true;
}

/* duet_begin() sets RPMsg up at PC_LAYOUT_DA; duet_port_map's bounds around the region. */
static void layout_and_map(const duet_port *p)
{
    bool holds = duet_port_map(p, PC_LAYOUT_DA, PC_LAYOUT_SIZE) != NULL;
    pc_check(holds, "layout", "device addresses 0x%08lx..0x%08lx %s the region (0x%08lx, 0x%lx bytes)%s",
             (unsigned long)PC_LAYOUT_DA, (unsigned long)(PC_LAYOUT_DA + PC_LAYOUT_SIZE - 1), holds ? "lie in" : "are not all in",
             (unsigned long)p->shm_da, (unsigned long)p->shm_size,
             holds ? "" : ": duet_begin() sets RPMsg up there (the GIGA R1's SRAM4): give shm_da 0x38000000 and at least "
                          "64 KiB, with shm pointing at the memory both cores share");
    uint64_t end = (uint64_t)p->shm_da + p->shm_size;
    bool bounds = end <= 0x100000000u && duet_port_map(p, p->shm_da, p->shm_size) == p->shm &&
                  duet_port_map(p, end - 1, 1) == p->shm + p->shm_size - 1 && !duet_port_map(p, end, 1) &&
                  !duet_port_map(p, p->shm_da, p->shm_size + 1) && (p->shm_da == 0 || !duet_port_map(p, p->shm_da - 1, 1));
    pc_check(bounds, "map", "duet_port_map %s 0x%08lx..0x%08llx%s", bounds ? "maps exactly" : "does not map exactly",
             (unsigned long)p->shm_da, (unsigned long long)(end - 1),
             bounds ? "" : ": the region's device addresses must end within 32 bits");
}

static void lock_and_errors(duet_port *p)
{
    pc_check(!p->lock == !p->unlock, "lock and unlock", "lock %s, unlock %s%s", p->lock ? "set" : "NULL", p->unlock ? "set" : "NULL",
             !p->lock == !p->unlock ? "" : ": give both or neither (duet takes the one and releases with the other)");
    if (!p->thread_error)
        return;
    pc_start("thread_error", "two calls");
    duet_port_error *e = p->thread_error(p);
    bool ok = e && e == p->thread_error(p) && e->err == 0 && e->why[0] == '\0' && !e->capture;
    pc_check(ok, "thread_error", "%s", ok ? "the same zeroed place on two calls"
                                          : "NULL, another place on a second call, or not zeroed before its first use");
}

/* The clock advances within CLOCK_READS reads, and by 10 ms within ten times as many: read
 * in a loop only when a wait of IDLE_MS did not show it advance (the clock stopped, or the
 * wait returned at once, which port.h allows). */
static bool clock_reads(duet_port *p)
{
    pc_start("clock", "now_ms() did not advance over a wait: reading it up to %lu times", 10ul * CLOCK_READS);
    uint32_t t0 = p->now_ms(p), t = t0;
    uint32_t reads = 0;
    while (t - t0 < 10 && reads < 10 * CLOCK_READS) {
        t = p->now_ms(p);
        reads++;
        if (t == t0 && reads >= CLOCK_READS)
            break;
    }
    if (t - t0 >= 10) {
        pc_pass("clock", "now_ms() advanced 10 ms from %lu", (unsigned long)t0);
        return true;
    }
    pc_fail("clock", "now_ms() read %lu..%lu over %lu reads: the clock does not run (its timer not started, or its "
                     "interrupt not taken); the checks after this need it",
            (unsigned long)t0, (unsigned long)t, (unsigned long)reads);
    return false;
}

/* wait(0) returns, and wait(IDLE_MS) with no ring coming returns by its timeout, on this core
 * alone before any check of the pair: every wait for the other core later sleeps in wait(). A
 * wait that never returns stops the core here, after this check's line. The same wait shows
 * the clock running; false if it does not. */
static bool wait_alone(duet_port *p)
{
    pc_start("doorbell timeout", "wait(0) twice, then wait(%u) with no ring coming", (unsigned)IDLE_MS);
    p->wait(p, 0); /* takes a ring that may be pending */
    p->wait(p, 0);
    uint32_t t0 = p->now_ms(p);
    p->wait(p, IDLE_MS);
    uint32_t took = p->now_ms(p) - t0;
    if (took)
        pc_pass("clock", "now_ms() advanced %lu ms over wait(%u)", (unsigned long)took, (unsigned)IDLE_MS);
    else if (!clock_reads(p))
        return false;
    pc_check(took <= IDLE_MS + IDLE_LATE_MS, "doorbell timeout", "wait(%u) with no ring returned after %lu ms (wait(0) "
             "before it returned)%s", (unsigned)IDLE_MS, (unsigned long)took,
             took <= IDLE_MS + IDLE_LATE_MS ? "" : ": later than its timeout: every wait for an answer ends that late");
    if (took < IDLE_MS)
        pc_note("doorbell timeout", "it returned before its timeout: port.h allows it (callers look again), but a "
                "wait() that never sleeps keeps the core busy");
    return true;
}

bool pc_check_local(duet_port *p, bool m7)
{
    if (!p) {
        pc_fail("port", "duet_port_default() returned NULL: this core has no port (on the emulated board, run "
                        "the pair with duet-board run)");
        return false;
    }
    bool go = functions(p, m7);
    cpu_id(p, m7);
    if (!region(p))
        go = false;
    else
        layout_and_map(p);
    lock_and_errors(p);
    return go && wait_alone(p);
}

void pc_check_peer_running(duet_port *p)
{
    if (!p->peer_stopped) {
        pc_note("peer_stopped", "not given (optional: a call to a core that stopped then ends at its timeout)");
        return;
    }
    pc_start("peer_stopped", "while the other core runs");
    const char *why = p->peer_stopped(p);
    pc_check(!why, "peer_stopped", "%s%s", why ? why : "NULL while the other core runs",
             why ? ": said while the other core runs, the transport takes the link down" : "");
}

/* side_m7.c - the M7's part of the port check: its port alone, then the mailbox set up, the
 * M4 booted, and each check of the pair with it; its summary line counts both cores. */
#include <stdio.h>

#include "port_check.h"

/* Steps of the M4 this side waits for (the region's, clock's... are in their files). */
enum { HELLO = 1, FINISHED = 90 };

#define HELLO_MS 5000u
#define FINISH_MS 5000u
#define STOPPED_MS 2000u

/* Boots the M4 where duet_begin() would, and waits for its hello: its cpu_id and region. */
static bool boot(pc_ctx *c)
{
    duet_port *p = c->port;
    unsigned long at = p->boot_address ? p->boot_address : DUET_BOOT_ADDRESS;
    pc_start("boot", "boot(0x%08lx), then the M4's hello within %u ms", at, (unsigned)HELLO_MS);
    int err = p->boot(p, (uint32_t)at);
    if (!pc_check(err == DUET_OK, "boot", "boot(0x%08lx) returned %d%s", at, err,
                  err == DUET_OK              ? " (DUET_OK)"
                  : err == DUET_ERR_STATE     ? ", DUET_ERR_STATE: the M4 runs already; reset both cores and start again"
                  : err == DUET_ERR_BOOT      ? ", DUET_ERR_BOOT: no M4 image at that address (boot_address, the flash split)"
                                              : ": port.h's boot() returns DUET_OK, DUET_ERR_BOOT or DUET_ERR_STATE"))
        return false;
    uint32_t v[3];
    if (!pc_await(c, HELLO, HELLO_MS, v, 3)) {
        pc_fail("hello", "no word from the M4 within %u ms of its boot: it did not start (its image, the boot address, "
                "its vector table, its clock), or the region is not the same memory on both cores (the M4 writes its "
                "hello at the region's start): the M4's own lines say which", (unsigned)HELLO_MS);
        return false;
    }
    pc_check(v[0] == DUET_CPU_M4 && p->cpu_id != (int)v[0], "cpu_id both", "the M4's is %d, this core's %d%s",
             (int)v[0], p->cpu_id, v[0] == DUET_CPU_M4 && p->cpu_id != (int)v[0] ? ": they differ" : ": they must be "
             "DUET_CPU_M4 and DUET_CPU_M7");
    pc_check(v[1] == p->shm_size && v[2] == p->shm_da, "region both", "the M4's is 0x%lx bytes at 0x%08lx, this "
             "core's 0x%lx at 0x%08lx%s", (unsigned long)v[1], (unsigned long)v[2], (unsigned long)p->shm_size,
             (unsigned long)p->shm_da, v[1] == p->shm_size && v[2] == p->shm_da ? "" : ": both cores must see the same "
             "region at the same device addresses");
    pc_start("boot again", "a second boot(0x%08lx)", at);
    err = p->boot(p, (uint32_t)at);
    pc_check(err == DUET_ERR_STATE, "boot again", "a second boot(0x%08lx) returned %d%s", at, err,
             err == DUET_ERR_STATE ? " (DUET_ERR_STATE: it runs already)"
                                   : ", not DUET_ERR_STATE: port.h says so for a core that runs, and duet_begin() "
                                     "after duet_end() counts on it (it must not start the M4 again)");
    return true;
}

/* The M4's counts and first failure once it finished; then, where given, peer_stopped()
 * says it is gone once its main() returned. */
static void finish(pc_ctx *c, unsigned *m4_passed, unsigned *m4_failed)
{
    duet_port *p = c->port;
    uint32_t v[2];
    pc_start("finish", "the M4's counts within %u ms", (unsigned)FINISH_MS);
    if (!pc_await(c, FINISHED, FINISH_MS, v, 2)) {
        pc_fail("finish", "the M4 did not finish within %u ms", (unsigned)FINISH_MS);
        return;
    }
    *m4_passed = v[0];
    *m4_failed = v[1];
    if (v[1])
        printf("the M4's first failure: %.*s\n", (int)PC_TEXT_SIZE - 1, (const char *)(uintptr_t)c->mb->text);
    if (!p->peer_stopped)
        return;
    pc_start("peer_stopped", "once the M4's main() returned, within %u ms", (unsigned)STOPPED_MS);
    uint32_t start = p->now_ms(p);
    const char *why = NULL;
    while (!(why = p->peer_stopped(p)) && pc_nap(p, start, STOPPED_MS)) {
    }
    pc_check(why != NULL, "peer_stopped", "%s%s", why ? why : "still NULL",
             why ? " (the M4's main() returned)"
                 : " 2 s after the M4's main() returned: the transport would not see it go, and a call to it would "
                   "wait out its timeout");
}

int port_check_m7(duet_port *p)
{
    pc_report_core("M7");
    printf("port check: the M7's port\n");
    unsigned m4_passed = 0, m4_failed = 0;
    pc_ctx c = {p, true, NULL, p ? p->shm_size & ~(size_t)3 : 0};
    if (pc_check_local(p, true)) {
        pc_mailbox_set_up(&c, 0);
        if (boot(&c)) {
            pc_check_peer_running(p);
            if (pc_region(&c) && pc_clock_rate(&c) && pc_doorbell(&c) && pc_lock(&c))
                finish(&c, &m4_passed, &m4_failed);
        }
    }
    unsigned failed = pc_failed() + m4_failed, all = pc_passed() + pc_failed() + m4_passed + m4_failed;
    if (!failed && m4_passed)
        printf("port check: PASS, %u checks (M7 %u, M4 %u)\n", all, pc_passed(), m4_passed);
    else
        printf("port check: FAIL, %u of %u checks failed (M7 %u, M4 %u)%s\n", failed, all, pc_failed(), m4_failed,
               m4_passed ? "" : "; the M4 did not finish: its own lines say how far it came");
    return failed || !m4_passed ? 1 : 0;
}

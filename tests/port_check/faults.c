/* faults.c - a port with one fault put in, for the port check's own tests: each fault breaks
 * one promise of duet/port.h as a port could, on one core, and the check must fail with the
 * line that names it (tests/port_check/CMakeLists.txt lists which line for which fault). */
#if defined(PORT_CHECK_POSIX) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#endif

#include "faults.h"

#include <stdio.h>
#include <string.h>

#if defined(PORT_CHECK_POSIX)
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "duet/posix/board.h"
#endif

static duet_port *real;
static duet_port faulty;
static unsigned boots;
static volatile int lock_held;

/* The real port's functions, called with the real port (whose functions may look at it): the
 * copy's, where no fault replaces them. */
static void ring_real(duet_port *p) { (void)p; real->ring(real); }
static void wait_real(duet_port *p, uint32_t ms) { (void)p; real->wait(real, ms); }
static int boot_real(duet_port *p, uint32_t address) { (void)p; return real->boot(real, address); }
static uint32_t now_real(duet_port *p) { (void)p; return real->now_ms(real); }
static void lock_real(duet_port *p) { (void)p; real->lock(real); }
static void unlock_real(duet_port *p) { (void)p; real->unlock(real); }
static const char *stopped_real(duet_port *p) { (void)p; return real->peer_stopped(real); }
static duet_port_error *error_real(duet_port *p) { (void)p; return real->thread_error(real); }

/* faulty: a copy of real whose every function calls real's. */
static void copy(duet_port *port)
{
    real = port;
    faulty = *port;
    faulty.ring = ring_real;
    faulty.wait = wait_real;
    faulty.boot = port->boot ? boot_real : NULL;
    faulty.now_ms = now_real;
    faulty.lock = port->lock ? lock_real : NULL;
    faulty.unlock = port->unlock ? unlock_real : NULL;
    faulty.peer_stopped = port->peer_stopped ? stopped_real : NULL;
    faulty.thread_error = port->thread_error ? error_real : NULL;
}

static void ring_none(duet_port *p) { (void)p; }

/* A wait that clears a pending ring before it sleeps. */
static void wait_drops_pending(duet_port *p, uint32_t ms)
{
    (void)p;
    real->wait(real, 0);
    real->wait(real, ms);
}

static void wait_late(duet_port *p, uint32_t ms) { (void)p; real->wait(real, 3 * ms); }

/* A wait that only a ring ends (no timer wakes its sleep). */
static void wait_forever(duet_port *p, uint32_t ms)
{
    (void)p;
    if (!ms) {
        real->wait(real, 0);
        return;
    }
    for (;;) {
        uint32_t t0 = real->now_ms(real);
        real->wait(real, ms);
        if (real->now_ms(real) - t0 < ms)
            return;
    }
}

static uint32_t clock_stopped(duet_port *p) { (void)p; return 1000u; }
static uint32_t clock_slow(duet_port *p) { (void)p; return real->now_ms(real) / 2u; }

/* A second boot that says it started the other core again. */
static int boot_twice(duet_port *p, uint32_t address)
{
    (void)p;
    return ++boots == 1 ? real->boot(real, address) : DUET_OK;
}

static int boot_error(duet_port *p, uint32_t address)
{
    (void)p;
    (void)address;
    return DUET_ERR_BOOT;
}

static int boot_none(duet_port *p, uint32_t address)
{
    (void)p;
    (void)address;
    return DUET_OK;
}

/* A lock that is not recursive: a second lock() never returns. */
static void lock_flat(duet_port *p)
{
    (void)p;
    while (lock_held) {
    }
    lock_held = 1;
}

static void unlock_flat(duet_port *p) { (void)p; lock_held = 0; }

static const char *never_stopped(duet_port *p) { (void)p; return NULL; }
static const char *always_stopped(duet_port *p) { (void)p; return "the M4 stopped (a fault)"; }

static duet_port_error *dirty_error(duet_port *p)
{
    (void)p;
    static duet_port_error e = {-1, "left over", NULL};
    return &e;
}

/* The region's first page shared, the rest this process's own memory (the posix port's board
 * file mapped again over the first page only): the mailbox works, the pattern beyond it does
 * not reach the other core, as with a region larger than the memory the cores share. */
static bool region_private(void)
{
#if defined(PORT_CHECK_POSIX)
    char path[4200];
    snprintf(path, sizeof path, "%s/sram4", duet_posix_port_dir(real));
    int fd = open(path, O_RDWR);
    uint8_t *own = mmap(NULL, faulty.shm_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bool ok = fd >= 0 && own != MAP_FAILED &&
              mmap(own, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED;
    if (fd >= 0)
        close(fd);
    if (ok)
        faulty.shm = own;
    return ok;
#else
    return false;
#endif
}

/* Puts fault name (without its core) into faulty; false if there is no such fault. */
static bool put(const char *name)
{
    if (!strcmp(name, "cpu_id")) faulty.cpu_id = faulty.cpu_id == DUET_CPU_M7 ? DUET_CPU_M4 : DUET_CPU_M7;
    else if (!strcmp(name, "size")) faulty.shm_size /= 2;
    else if (!strcmp(name, "layout")) faulty.shm_da += 0x100;
    else if (!strcmp(name, "alignment")) faulty.shm_size -= 2;
    else if (!strcmp(name, "map")) faulty.shm_da = 0xffff8000u;
    else if (!strcmp(name, "functions")) faulty.ring = NULL;
    else if (!strcmp(name, "boot_error")) faulty.boot = boot_error;
    else if (!strcmp(name, "region")) return region_private();
    else if (!strcmp(name, "clock_stopped")) faulty.now_ms = clock_stopped;
    else if (!strcmp(name, "clock_slow")) faulty.now_ms = clock_slow;
    else if (!strcmp(name, "ring_none")) faulty.ring = ring_none;
    else if (!strcmp(name, "pending_lost")) faulty.wait = wait_drops_pending;
    else if (!strcmp(name, "wait_late")) faulty.wait = wait_late;
    else if (!strcmp(name, "wait_forever")) faulty.wait = wait_forever;
    else if (!strcmp(name, "boot_twice")) faulty.boot = boot_twice;
    else if (!strcmp(name, "boot_none")) faulty.boot = boot_none;
    else if (!strcmp(name, "lock_flat")) { faulty.lock = lock_flat; faulty.unlock = unlock_flat; }
    else if (!strcmp(name, "lock_half")) faulty.unlock = NULL;
    else if (!strcmp(name, "peer_never")) faulty.peer_stopped = never_stopped;
    else if (!strcmp(name, "peer_always")) faulty.peer_stopped = always_stopped;
    else if (!strcmp(name, "thread_error")) faulty.thread_error = dirty_error;
    else return false;
    return true;
}

duet_port *pc_fault(duet_port *port, const char *name, bool m7)
{
    size_t n = name ? strlen(name) : 0;
    if (!n || !port)
        return port;
    if (n < 4 || (strcmp(name + n - 3, "_m7") && strcmp(name + n - 3, "_m4"))) {
        printf("pc_fault: %s: a fault's name ends in _m7 or _m4\n", name);
        return NULL;
    }
    if (strcmp(name + n - 3, m7 ? "_m7" : "_m4"))
        return port; /* the other core's */
    char base[32];
    snprintf(base, sizeof base, "%.*s", (int)(n - 3), name);
    copy(port);
    if (!put(base)) {
        printf("pc_fault: %s: no such fault (faults.c lists them), or it cannot be put in here\n", name);
        return NULL;
    }
    printf("pc_fault: %s put in\n", name);
    return &faulty;
}

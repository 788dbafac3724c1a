/* port_check.h - the port check (docs/porting.md): what each core checks of its duet_port,
 * alone and with the other core through the shared region, before duet's RPC runs over it.
 * Written against duet/port.h alone, and C's printf for its lines. Internal to the check. */
#ifndef PORT_CHECK_H
#define PORT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/port.h"

#if defined(__GNUC__) || defined(__clang__)
#define PC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PC_PRINTF(f, a)
#endif

/* The device addresses duet_begin() sets RPMsg up at on every port (duet_rpmsg_giga_layout,
 * the GIGA R1's SRAM4): the region must hold them. tests/port_check checks they agree. */
#define PC_LAYOUT_DA 0x38000000u
#define PC_LAYOUT_SIZE 0x10000u

/* ------------------------------------------------------------ report.c: the lines */

/* Names the core in every line ("M7" or "M4"). */
void pc_report_core(const char *core);

/* A check passed / failed: "PASS M7 name: text" / "FAIL M7 name: text". */
void pc_pass(const char *name, const char *fmt, ...) PC_PRINTF(2, 3);
void pc_fail(const char *name, const char *fmt, ...) PC_PRINTF(2, 3);

/* A check that calls the port starts: "  .. M7 name: text", flushed at once, so that a port
 * function that never returns leaves the check's name as the core's last line. */
void pc_start(const char *name, const char *fmt, ...) PC_PRINTF(2, 3);

/* What was seen that is no failure: "  -- M7 name: text". */
void pc_note(const char *name, const char *fmt, ...) PC_PRINTF(2, 3);

/* pc_pass if ok, else pc_fail with the same text; returns ok. */
bool pc_check(bool ok, const char *name, const char *fmt, ...) PC_PRINTF(3, 4);

unsigned pc_passed(void);
unsigned pc_failed(void);

/* "name: text" of this core's first failure, or "" if none. */
const char *pc_first_failure(void);

/* ------------------------------------------------------------ shared.c: the mailbox */

/* Bytes of the mailbox the two cores talk through: at the region's start, later at its end
 * (so that the pattern of region.c covers every byte of the region once). */
#define PC_MAILBOX_SIZE 256u
#define PC_TEXT_SIZE 160u

/* What one core says: the step it reached, a counter (the doorbell's rounds), values. */
typedef struct pc_side {
    uint32_t step;
    uint32_t count;
    uint32_t value[6];
} pc_side;

typedef struct pc_mailbox {
    uint32_t magic;           /* PC_MAGIC once the M7 set the mailbox up */
    uint32_t spare[7];
    pc_side m7;
    pc_side m4;
    char text[PC_TEXT_SIZE];  /* the M4's first failure, for the M7's summary */
} pc_mailbox;

#define PC_MAGIC 0x31636b70u /* "pck1" */

/* One core's state in the check. */
typedef struct pc_ctx {
    duet_port *port;
    bool m7;                  /* this core is the M7 */
    volatile pc_mailbox *mb;  /* where the mailbox is now */
    size_t size;              /* the region's bytes the check uses: shm_size, a multiple of 4 */
} pc_ctx;

/* A full barrier between the accesses to the region before it and after it. */
void pc_fence(void);

/* This core's side of the mailbox, and the other core's. */
volatile pc_side *pc_mine(const pc_ctx *c);
volatile pc_side *pc_theirs(const pc_ctx *c);

/* Says step with n values (up to 6): the values, a barrier, then the step. */
void pc_post(const pc_ctx *c, uint32_t step, const uint32_t *values, unsigned n);

/* The longest wait() of a core that waits for the other: it looks at the mailbox after each
 * (the other core does not ring for a step, and a faulty port may lose a ring). */
#define PC_NAP_MS 5u

/* One short sleep in wait() (PC_NAP_MS at most, never past start + timeout_ms); false,
 * without sleeping, once timeout_ms of this core's clock passed since start. */
bool pc_nap(duet_port *p, uint32_t start, uint32_t timeout_ms);

/* Waits, sleeping in wait() between looks at the region, until the other core said step or a
 * later one; its n values into values. False after timeout_ms of this core's clock. */
bool pc_await(const pc_ctx *c, uint32_t step, uint32_t timeout_ms, uint32_t *values, unsigned n);

/* The M7: zeroes the mailbox at offset, then writes the magic. */
void pc_mailbox_set_up(pc_ctx *c, size_t offset);

/* Sleeps ms of this core's clock in wait() (again where a ring or an early return ends it),
 * touching nothing shared. */
void pc_sleep(const pc_ctx *c, uint32_t ms);

/* ------------------------------------------------------------ local.c: one core alone */

/* The port's fields, its cpu_id, the region's alignment and bounds, duet's layout in it,
 * lock/unlock and thread_error, wait(0) and a wait with no ring ending by its timeout, the
 * clock running. False if the pair cannot be checked (no port, a function missing, no
 * region, no clock). */
bool pc_check_local(duet_port *port, bool m7);

/* Where given: peer_stopped() is NULL while the other core runs. */
void pc_check_peer_running(duet_port *port);

/* ------------------------------------------------------------ region.c, doorbell.c, pair.c */

/* The pattern over the region, both ways, in two parts; the mailbox moves to the region's
 * end in between. False if the cores lost each other. */
bool pc_region(pc_ctx *c);

/* The two clocks over the same half second. */
bool pc_clock_rate(pc_ctx *c);

/* A ring wakes a sleeping wait; a ring before a wait ends it; many in a row. False if the
 * cores lost each other. */
bool pc_doorbell(pc_ctx *c);

/* lock() twice, unlock() twice, where given, each core watched by the other. */
bool pc_lock(pc_ctx *c);

/* The side's whole part, after pc_check_local: side_m7.c and side_m4.c. The M7's returns
 * the program's status (0: every check passed on both cores). */
int port_check_m7(duet_port *port);
int port_check_m4(duet_port *port);

#endif

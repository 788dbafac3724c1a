/* scribble.h - the QEMU tests' hostile core: it writes garbage over the index of a ring in
 * shared memory that the other core reads, as a crashed or hostile program might. */
#ifndef AN521_SCRIBBLE_H
#define AN521_SCRIBBLE_H

#include "duet/port.h"

/* The rings of the GIGA layout (duet_rpmsg_layout_giga) whose index the other core reads:
 * the M7 publishes on vring1's avail ring (host -> remote), the M4 on vring0's used ring
 * (remote -> host). */
typedef enum scribble_ring { SCRIBBLE_HOST_AVAIL, SCRIBBLE_REMOTE_USED } scribble_ring;

/* Moves that ring's index jump entries ahead, further than the ring has entries, and rings
 * the other core's doorbell. */
void scribble_ring_index(duet_port *port, scribble_ring ring, uint16_t jump);

/* What the core that reads such an index does: duet_poll() fails within 5 s with
 * DUET_ERR_CORRUPT and GARBAGE_TEXT (scenario.h), counted once, and then a call of the other
 * core's method(int, int) fails at once with the same (within a second, where a busy host
 * runs QEMU in its own time), instead of waiting out its 5 s timeout. */
void scribble_expect_down(duet_port *port, const char *method);

#endif

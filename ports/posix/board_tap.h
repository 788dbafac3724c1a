/* board_tap.h - the board's bus analyzer for --trace: reports each RPMsg buffer a core
 * hands to the other (internal to the posix port). */
#ifndef DUET_POSIX_BOARD_TAP_H
#define DUET_POSIX_BOARD_TAP_H

#include <stdbool.h>
#include <stdint.h>

#include "duet/port.h"

typedef struct duet_posix_tap {
    bool on;          /* $DUET_BOARD_TRACE is "1" */
    uint32_t gen;     /* the board's reset count the indices below belong to */
    uint32_t da;      /* the outgoing vring they belong to */
    uint16_t seen;    /* the ring index up to which buffers were reported */
} duet_posix_tap;

/* Reads $DUET_BOARD_TRACE. */
void duet_posix_tap_init(duet_posix_tap *tap);

/* Reports the buffers this core added to its outgoing ring since the last scan. Called by
 * ring(), before the doorbell rings. */
void duet_posix_tap_scan(duet_posix_tap *tap, const duet_port *port, uint32_t reset_gen);

#endif

/* board_io.h - what the posix port's files share about the board's I/O (internal). */
#ifndef DUET_POSIX_BOARD_IO_H
#define DUET_POSIX_BOARD_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/port.h"
#include "duet/posix/events.h"

/* Sets up a zeroed io page: version, power-on time, then the magic (last, released). */
void duet_posix_io_init(duet_posix_io *io);

/* Writes one event record to duet-board, if one listens ($DUET_BOARD_EVENTS). pin -1: none. */
void duet_posix_event_emit(int kind, int pin, int32_t value, const void *data, size_t len);

/* The same, for an event about another core (the M7 reports the M4's boot and end). */
void duet_posix_event_emit_as(int core, int kind, int pin, int32_t value, const void *data, size_t len);

/* The core this program runs as ($DUET_CORE; the M7 when unset). */
int duet_posix_io_cpu(void);

/* The board's name of a pin: "LEDR", "A0", "D5". */
const char *duet_posix_pin_name(int pin);

/* "M7", "M4" or "board" for a cpu id (0: the board itself). */
const char *duet_posix_core_name(int cpu);

/* This core's port when the program runs on a board ($DUET_BOARD and $DUET_CORE), else NULL
 * (without a message). */
duet_port *duet_posix_io_port(void);

/* Before each loop() of a setup()/loop() program: forgets what the last one looked at. */
void duet_posix_io_loop_start(void);

/* After loop() (and serving the other core): how long main may sleep until a doorbell.
 * 0 if loop() slept in delay() itself; 1 ms if it looked at something that changes without
 * a doorbell (the time, a pin, an analog input, the RTC, Serial input) or is busy (it sent
 * to the other core, or stream text waits to be read); else up to a second (50 ms when this
 * core runs threads of its own): what such a loop() sees changes only when the other core
 * rings. */
uint32_t duet_posix_io_loop_idle_ms(bool busy);

/* Serves the other core once (duet_poll) if the link is up; never blocks. */
void duet_posix_io_serve(void);

#endif

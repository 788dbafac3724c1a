/* duet/an521.h - the port for Arm's MPS2 AN521 under QEMU: two Cortex-M33 (CPU0 plays the
 * GIGA R1's M7, CPU1 its M4) sharing SRAM, with MHU doorbells. See docs/an521.md. */
#ifndef DUET_AN521_H
#define DUET_AN521_H

#include <stdint.h>

#include "duet/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where CPU1's image lies (its vector table), and where the M7 starts it by default. */
#define DUET_AN521_CPU1_IMAGE 0x10200000u

/* The GIGA R1's shared region (SRAM4's device addresses, which duet's RPMsg layout uses)
 * lies in the SSE-200's internal SRAM, at its Secure alias 0x30000000. */
#define DUET_AN521_SHM_DA 0x38000000u
#define DUET_AN521_SHM_SIZE 0x10000u

/* Shared SRAM that no layer of duet uses, for a program's own experiments (the benchmarks'
 * bare doorbell ping-pong): both cores see it, at the same address. */
#define DUET_AN521_SCRATCH 0x30018000u
#define DUET_AN521_SCRATCH_SIZE 0x8000u

/* This core's number: 0 (CPU0, the M7) or 1 (CPU1, the M4). */
unsigned duet_an521_core(void);

/* Ends the emulator with a status (semihosting SYS_EXIT_EXTENDED). */
void duet_an521_exit(int status) __attribute__((noreturn));

/* Starts this core's millisecond clock if it is not running (duet_port_default() does it
 * too): the console's reader, which sleeps a millisecond at a time, needs it. */
void duet_an521_clock_begin(void);

#ifdef __cplusplus
}
#endif
#endif

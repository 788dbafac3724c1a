/* vcd.h - --vcd FILE: pins, LEDs, the servo angle, PWM duties, analog inputs and the cores'
 * states as a Value Change Dump (IEEE 1364) that GTKWave and PulseView open; read from the feed. */
#ifndef DUET_BOARD_VCD_H
#define DUET_BOARD_VCD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "feed.h"

/* Signals: the 103 pins, 103 PWM duties, 8 analog inputs, one servo angle, two cores. */
#define BOARD_VCD_SIGNALS (103 + 103 + 8 + 1 + 2)

typedef struct board_vcd {
    FILE *out;                  /* the file named by --vcd */
    FILE *body;                 /* the value changes, until the header can name the signals used */
    uint64_t last_us;           /* time of the last change written (kept non-decreasing) */
    bool time_written;
    bool used[BOARD_VCD_SIGNALS];
    char id[BOARD_VCD_SIGNALS][4];
    int next_id;
} board_vcd;

/* Opens path for writing and subscribes to feed. Returns 0, or -1 with errno set. The
 * file is whole once board_vcd_close has run (the header names only the signals used). */
int board_vcd_open(board_vcd *v, const char *path, board_feed *feed);

/* Writes the header and the changes; closes the file. Returns 0, or -1 with errno set when
 * the file could not be written whole. */
int board_vcd_close(board_vcd *v);

#endif

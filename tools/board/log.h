/* log.h - the event log: one line per change, "[   1.234 s] M7  LEDB on", read from the feed. */
#ifndef DUET_BOARD_LOG_H
#define DUET_BOARD_LOG_H

#include <stdio.h>

#include "feed.h"

/* A waveform on an analog input is logged at most this often. */
#define BOARD_LOG_ANALOG_US 500000u

typedef struct board_log {
    FILE *out;
    int last_servo;   /* the last angle logged, so a servo written again at one angle is one line */
    uint64_t analog_us[8]; /* when each analog input was last logged: a waveform is shown at
                              most every BOARD_LOG_ANALOG_US (the VCD has every sample) */
    int write_errno;  /* why a line could not be written to out (the first time), or 0 */
} board_log;

/* A log onto out (stderr, or the --log file), subscribed to feed. Returns 0 or -1. */
int board_log_attach(board_log *log, FILE *out, board_feed *feed);

/* Formats one event as its log line (without the newline) into buf; returns false for the
 * kinds the log does not show (Serial bytes, RPC messages: --trace shows those). A core's
 * text (a "why", a warning, the M4's stdout) shows with its control bytes but tab escaped
 * (\n, \r, \xNN): each event is one line whatever a core writes. */
bool board_log_format(const board_event *ev, char *buf, size_t cap);

#endif

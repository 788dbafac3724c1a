/* trace.h - --trace: every RPC message between the cores decoded, one line per call
 * ("M4->M7 call #3 sensorRead() -> 512 in 41 us"), and the stream's bytes; read from the feed. */
#ifndef DUET_BOARD_TRACE_H
#define DUET_BOARD_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "feed.h"

#define BOARD_TRACE_PENDING 32

/* A call whose answer has not come yet. */
typedef struct board_trace_call {
    int caller;          /* BOARD_CORE_*; 0: free slot */
    uint32_t msgid;
    uint64_t time_us;
    char text[200];      /* "sensorRead()"; for an early answer, its result ("512") */
    bool answer;         /* an answer whose call the trace has not seen yet: the two cores'
                            events reach the board in either order */
} board_trace_call;

typedef struct board_trace {
    FILE *out;
    board_trace_call calls[BOARD_TRACE_PENDING];
    int write_errno;     /* why a line could not be written to out (the first time), or 0 */
} board_trace;

/* A trace onto out, subscribed to feed. Returns 0 or -1. */
int board_trace_attach(board_trace *t, FILE *out, board_feed *feed);

/* Formats one msgpack value (bytes at data, len) as text ("[1, \"a\"]") into buf; returns
 * the bytes it took from data, 0 if they are no whole msgpack value. */
size_t board_trace_value(const uint8_t *data, size_t len, char *buf, size_t cap);

#endif

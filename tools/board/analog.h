/* analog.h - the analog inputs duet-board drives: a constant (A0=512) or a waveform
 * (A0=sine:0:1023:1Hz, ramp, triangle, square), as --analog gives them. */
#ifndef DUET_BOARD_ANALOG_H
#define DUET_BOARD_ANALOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum board_wave {
    BOARD_WAVE_CONST = 0,
    BOARD_WAVE_SINE,      /* min..max and back, starting at the middle going up */
    BOARD_WAVE_RAMP,      /* min to max, then jumps back to min */
    BOARD_WAVE_TRIANGLE,  /* min to max and back to min */
    BOARD_WAVE_SQUARE     /* min for half a period, then max */
} board_wave;

typedef struct board_analog {
    int input;        /* 0..7: A0..A7 */
    board_wave wave;
    int min, max;     /* 0..1023; a constant is min */
    double hz;        /* the waveform's frequency */
} board_analog;

/* Parses "A0=512" or "A0=sine:0:1023:1Hz" into *out. false with a sentence in why. */
bool board_analog_parse(const char *spec, board_analog *out, char *why, size_t cap);

/* The input's value at t seconds after power-on: 0..1023. */
int board_analog_value(const board_analog *a, double t);

#endif

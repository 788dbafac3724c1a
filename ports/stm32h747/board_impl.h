/* board_impl.h - what the GIGA R1's duet/board.h files share (not a public API). */
#ifndef DUET_STM32H747_BOARD_IMPL_H
#define DUET_STM32H747_BOARD_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "duet/board.h"

/* Records the sentence duet_board_error_text() returns. */
void giga_board_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The STM32 port (0 = A .. 10 = K) and pin (0..15) of an Arduino pin number, or false
 * (and an error naming fn) if there is no such pin. */
bool giga_pin(const char *fn, int pin, unsigned *port, unsigned *bit);

/* Drives a pin as a push-pull output, or reads it back. */
void giga_pin_output(unsigned port, unsigned bit);
void giga_pin_set(unsigned port, unsigned bit, bool high);

#endif

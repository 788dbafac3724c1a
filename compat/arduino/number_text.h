/* number_text.h - numbers as Arduino's print and String write them (internal to the layer). */
#ifndef DUET_ARDUINO_NUMBER_TEXT_H
#define DUET_ARDUINO_NUMBER_TEXT_H

#include <stddef.h>
#include <stdint.h>

namespace arduino {
namespace detail {

/* Room for any number this file writes: 64 binary digits, a sign and the NUL. */
constexpr size_t number_text_size = 72;

/* Writes v in base (2..36; anything else is taken as 10) into out, NUL-terminated; returns
 * the length. Digits above 9 are upper case as print writes them ("FF"), or lower case as
 * String makes them ("ff"). */
size_t format_unsigned(uint64_t v, unsigned base, char *out, bool upper = true);

/* As format_unsigned, with a '-' for negative values. */
size_t format_signed(int64_t v, unsigned base, char *out, bool upper = true);

/* The size of format_fixed's out: spaces up to the width, or a sign, 309 digits before the
 * point, the point, 10 after it and the NUL. */
constexpr size_t fixed_text_size = 324;

/* Most digits after the point format_fixed writes (more are written as this many). */
constexpr unsigned fixed_digits_max = 10;

/* Writes v as C's "%*.*f" with width and digits (at most fixed_digits_max) does: every digit
 * before the point, rounded exactly to the nearest (a tie to even), "-" when v's sign bit is
 * set, "inf", "nan" for a NaN whatever its sign, spaces in front up to width (at most 12).
 * That is what Arduino's dtostrf, and so String(v, decimals), makes: duet's formatter
 * writes it (duet/format.h). Returns the length. */
size_t format_fixed(double v, unsigned digits, unsigned width, char *out);

/* Arduino's Print::printFloat in two steps, since it writes as many digits after the point as
 * it is asked for. format_float_whole writes v's sign, its whole part (v plus half of the last
 * digit asked for) and the point when digits > 0, or "nan", "inf" or "ovf" (beyond
 * +-4294967040) with no digits to follow (*rest is then -1); returns the length. Each
 * format_float_next gives the next digit after the point from *rest. */
size_t format_float_whole(double v, unsigned digits, char *out, double *rest);
char format_float_next(double *rest);

} // namespace detail
} // namespace arduino

#endif

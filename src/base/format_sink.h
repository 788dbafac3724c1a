/* format_sink.h - internal: what the formatter's two halves share, the integer and text
 * conversions (format.c) and the floating ones (format_float.c): a conversion's spec, the
 * output it goes to, and the padding to its width. */
#ifndef DUET_FORMAT_SINK_H
#define DUET_FORMAT_SINK_H

#include <stdbool.h>
#include <stddef.h>

#include "duet/format.h"

/* The flags of a conversion, each the bit of its character's place in "-0+ #". */
enum { DUET_FMT_LEFT = 1, DUET_FMT_ZERO = 2, DUET_FMT_PLUS = 4, DUET_FMT_SPACE = 8, DUET_FMT_ALT = 16 };

/* One conversion's flags, width and precision. */
typedef struct duet_fmt_spec {
    unsigned flags; /* DUET_FMT_LEFT ... DUET_FMT_ALT */
    int width;
    int prec; /* -1: none */
} duet_fmt_spec;

/* Where the formatted text goes: the caller's callback, and how much it took. */
typedef struct duet_fmt_sink {
    duet_format_out out;
    void *arg;
    size_t total;
    bool stopped; /* the callback took less than it was handed: nothing more is written */
} duet_fmt_sink;

/* Hands n bytes of s to the sink's callback (nothing once it has stopped). */
void duet_fmt_put(duet_fmt_sink *k, const char *s, size_t n);

/* Writes n copies of c. */
void duet_fmt_pad(duet_fmt_sink *k, char c, int n);

/* What goes before a number: its sign, or what the flags ask for a non-negative one. */
const char *duet_fmt_sign(const duet_fmt_spec *sp, bool neg);

/* prefix and n bytes of text, padded to the width with spaces (sp loses its zeros and
 * precision). */
void duet_fmt_text(duet_fmt_sink *k, duet_fmt_spec *sp, const char *prefix, const char *text, size_t n);

/* Writes what goes before a field of body_len bytes that starts with prefix: the spaces
 * that right-justify it, the prefix, and the zeros of the 0 flag (zero_fill: the conversion
 * takes them); returns the spaces still owed after the body (the - flag). */
int duet_fmt_field_start(duet_fmt_sink *k, const duet_fmt_spec *sp, const char *prefix, size_t body_len,
                         bool zero_fill);

/* %f %F %e %E %g %G %a %A of v (c the conversion letter). Never inlined: its digits take
 * some 500 bytes of stack, which a text without a floating conversion does not reserve. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
void duet_fmt_float(duet_fmt_sink *k, duet_fmt_spec *sp, double v, char c);

#endif

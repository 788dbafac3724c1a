/* format.h - internal: printf-style formatting into a callback, without stdio. */
#ifndef DUET_FORMAT_H
#define DUET_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives formatted output in pieces; returns how many of the n bytes it took (fewer stops). */
typedef size_t (*duet_format_out)(void *arg, const char *s, size_t n);

/* Formats fmt with ap (see duet_stream_printf for what it understands) and hands the
 * result to out in pieces. Returns the number of bytes out accepted. */
size_t duet_format(duet_format_out out, void *arg, const char *fmt, va_list ap);

#endif

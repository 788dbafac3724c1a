/* duet/format.h - printf-style text into a buffer, without stdio: the formatter duet's own
 * printing uses (duet_printf, the Serial's printf on the Cortex-M ports, the boards' error
 * texts), so a firmware that formats only through duet links none of libc's printf (about
 * 1.8 KiB of newlib's on a Cortex-M). */
#ifndef DUET_FORMAT_H_PUBLIC
#define DUET_FORMAT_H_PUBLIC

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define DUET_FORMAT_CHECK(f, a) __attribute__((format(printf, f, a)))
#else
#define DUET_FORMAT_CHECK(f, a)
#endif

/* Formats fmt into buf (cap bytes), always NUL-terminated when cap > 0; a text that does not
 * fit is cut and, where cap is 4 or more, ends in "...". Conversions: %d %i %u %x %X %o %c %s
 * %p %% %f %F, flags - 0 + space # (# for o x X f F: a leading 0, 0x or 0X, a decimal point
 * always; ignored elsewhere), width, precision (each up to 1024; '*' takes an int),
 * length h hh l ll z j t (of the integers; the others ignore it); any other is written as
 * it stands, and one that fmt ends inside is left out. Each as snprintf writes it, except:
 * %f and %F have at most 9 decimals, rounded half up, and an infinity from 2^64 up; a NaN
 * has no sign; %p is 0x and hex digits (NULL too: 0x0), without + space or precision; %s
 * of NULL is (null). Returns the length of the text in buf. */
size_t duet_format_text(char *buf, size_t cap, const char *fmt, ...) DUET_FORMAT_CHECK(3, 4);

/* duet_format_text with a va_list. */
size_t duet_format_vtext(char *buf, size_t cap, const char *fmt, va_list ap);

#ifdef __cplusplus
}
#endif

#endif

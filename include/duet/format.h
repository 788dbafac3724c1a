/* duet/format.h - printf-style text into a buffer or a callback, without stdio: the
 * formatter duet's own printing uses (duet_printf, the Serial's printf on the Cortex-M
 * ports, the boards' error texts), and on the Cortex-M ports C's printf family too
 * (ports/cortex_m/stdio_printf.c), so a firmware links none of libc's printf (about 1.8 KiB
 * of newlib's on a Cortex-M, which writes no %f and no %lld). */
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
 * %p %n %% %f %F %e %E %g %G %a %A, flags - 0 + space # (# for o x X: a leading 0, 0x or 0X;
 * for the floating ones a decimal point always, and %g's trailing zeros kept; ignored
 * elsewhere), width, precision (each up to 1024; '*' takes an int), length h hh l ll z j t
 * (of the integers) and L (a long double, written as the double nearest it: the same type
 * on the Cortex-M cores); other lengths are ignored; any other conversion is written as it
 * stands, and one that fmt ends inside is left out. Each as glibc's snprintf writes it: the
 * floating ones from the value's exact digits, rounded to nearest with ties to even (%.1f
 * of 0.25 is 0.2, %f of 1e30 has all 31 digits of the double), a NaN with its sign. Except:
 * %#g of a value that rounds up to the next power of ten keeps its zeros, as C says
 * (999999.5: 1.00000e+06, where glibc writes 1.e+06). As glibc's, %p is %#x of the
 * address with its flags and precision, and (nil) for NULL; %s of NULL is (null); %n stores
 * the count of bytes written so far where its argument points (an int, or the type of its
 * length modifier; nothing for NULL), none once the text has been cut. Floating conversions
 * use 32-bit integer arithmetic only (no FPU, no libgcc routine) and up to 800 bytes of
 * stack in all (measured on a Cortex-M4). Returns the length of the text in buf. */
size_t duet_format_text(char *buf, size_t cap, const char *fmt, ...) DUET_FORMAT_CHECK(3, 4);

/* duet_format_text with a va_list. */
size_t duet_format_vtext(char *buf, size_t cap, const char *fmt, va_list ap);

/* Receives formatted text in pieces, in order; returns how many of the n bytes it took
 * (fewer: the formatting stops there). */
typedef size_t (*duet_format_out)(void *arg, const char *s, size_t n);

/* Formats fmt with ap as duet_format_vtext does, but hands the text to out (with arg) in
 * pieces as it is written, with no bound on its length and nothing cut: for output of any
 * length without a buffer for all of it (duet's streams, C's printf on the Cortex-M ports).
 * Returns the bytes out took. */
size_t duet_format_vout(duet_format_out out, void *arg, const char *fmt, va_list ap);

/* duet_format_text and duet_format_vtext without the floating conversions: %f %F %e %E %g
 * %G %a %A are written as they stand (their argument is taken), the rest as above. For
 * texts with no floating value (error messages, dates): a program that formats only through
 * these links none of the floating conversions' code (2 KiB on a Cortex-M4). */
size_t duet_format_text_nofloat(char *buf, size_t cap, const char *fmt, ...) DUET_FORMAT_CHECK(3, 4);
size_t duet_format_vtext_nofloat(char *buf, size_t cap, const char *fmt, va_list ap);

#ifdef __cplusplus
}
#endif

#endif

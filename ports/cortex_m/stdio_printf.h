/* stdio_printf.h - C's printf family on duet's formatter (stdio_printf.c), as the link's
 * --wrap options name it: each __wrap_ function stands for the C function of the same name
 * after the prefix and takes its arguments. stdio_reent.c builds newlib's reentrant forms
 * on these. */
#ifndef DUET_CORTEX_M_STDIO_PRINTF_H
#define DUET_CORTEX_M_STDIO_PRINTF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* To a FILE, or stdout. */
int __wrap_vfprintf(FILE *fp, const char *fmt, va_list ap);
int __wrap_vprintf(const char *fmt, va_list ap);
int __wrap_fprintf(FILE *fp, const char *fmt, ...);
int __wrap_printf(const char *fmt, ...);

/* Into a string the caller gives. */
int __wrap_vsnprintf(char *str, size_t size, const char *fmt, va_list ap);
int __wrap_vsprintf(char *str, const char *fmt, va_list ap);
int __wrap_snprintf(char *str, size_t size, const char *fmt, ...);
int __wrap_sprintf(char *str, const char *fmt, ...);

/* Into a string malloc() gives (*strp, which the caller frees; NULL on failure). */
int __wrap_vasprintf(char **strp, const char *fmt, va_list ap);
int __wrap_asprintf(char **strp, const char *fmt, ...);

/* To a file descriptor, with write(). */
int __wrap_vdprintf(int fd, const char *fmt, va_list ap);
int __wrap_dprintf(int fd, const char *fmt, ...);

#endif

/* stdio_scanf.c - C's scanf family with its floating conversions. newlib-nano's scanf reads
 * %f %e %g only when the program links its float scanner, _scanf_float, which nothing links
 * by itself: sscanf("2.5", "%f", &x) matched nothing. Every Cortex-M image is linked with
 * --wrap for each of these functions (DUET_CORTEX_M_STDIO_WRAP, cortex_m.cmake), so a
 * program's call reaches the __wrap_ function here, which brings _scanf_float into the image
 * and calls newlib's own (__real_). An image that reads nothing with scanf carries neither.
 * newlib's integers-only forms (siscanf & co) are left to it: they are what its own functions
 * call (tzset's siscanf, for strftime and localtime), which need no floats and should not
 * bring the 5 KB of the float scanner and strtod. Compiled without link-time optimisation
 * (cortex_m.cmake), as the printf family is. */
#include <stdarg.h>
#include <stdio.h>

/* newlib-nano's float scanner: its scanf calls it when the image has it (a weak reference). */
extern char _scanf_float;

/* The reference that brings the float scanner into an image that links this file; each
 * function below reads it, so that the compiler keeps it. */
static const void *const volatile float_scanner = &_scanf_float;

int __real_vfscanf(FILE *fp, const char *fmt, va_list ap);
int __real_vscanf(const char *fmt, va_list ap);
int __real_vsscanf(const char *str, const char *fmt, va_list ap);

int __wrap_vfscanf(FILE *fp, const char *fmt, va_list ap);
int __wrap_vscanf(const char *fmt, va_list ap);
int __wrap_vsscanf(const char *str, const char *fmt, va_list ap);
int __wrap_fscanf(FILE *fp, const char *fmt, ...);
int __wrap_scanf(const char *fmt, ...);
int __wrap_sscanf(const char *str, const char *fmt, ...);

int __wrap_vfscanf(FILE *fp, const char *fmt, va_list ap)
{
    (void)float_scanner;
    return __real_vfscanf(fp, fmt, ap);
}

int __wrap_vscanf(const char *fmt, va_list ap)
{
    (void)float_scanner;
    return __real_vscanf(fmt, ap);
}

int __wrap_vsscanf(const char *str, const char *fmt, va_list ap)
{
    (void)float_scanner;
    return __real_vsscanf(str, fmt, ap);
}

int __wrap_fscanf(FILE *fp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vfscanf(fp, fmt, ap);
    va_end(ap);
    return n;
}

int __wrap_scanf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vscanf(fmt, ap);
    va_end(ap);
    return n;
}

int __wrap_sscanf(const char *str, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vsscanf(str, fmt, ap);
    va_end(ap);
    return n;
}

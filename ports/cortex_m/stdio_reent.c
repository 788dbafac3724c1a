/* stdio_reent.c - newlib's reentrant forms of the printf family (_printf_r and the rest,
 * which take the caller's struct _reent first) on duet's formatter, as the plain forms are
 * (stdio_printf.c): a program or a library written for newlib that calls them gets the same
 * text as printf's. The image is linked with --wrap for each (DUET_CORTEX_M_STDIO_WRAP,
 * cortex_m.cmake). A failure's errno is set in the struct _reent given as well as in the
 * program's errno. The `i` forms (_iprintf_r & co) are the same functions. Compiled without
 * link-time optimisation (cortex_m.cmake), as stdio_printf.c is. */
#include <errno.h>
#include <reent.h>
#include <stdarg.h>
#include <stdio.h>

#include "stdio_printf.h"

/* n, after a failure's errno is copied into r (a caller's other than the program's). */
static int reent_result(struct _reent *r, int n)
{
    if (n < 0 && r)
        r->_errno = errno;
    return n;
}

int __wrap__vfprintf_r(struct _reent *r, FILE *fp, const char *fmt, va_list ap);
int __wrap__vprintf_r(struct _reent *r, const char *fmt, va_list ap);
int __wrap__fprintf_r(struct _reent *r, FILE *fp, const char *fmt, ...);
int __wrap__printf_r(struct _reent *r, const char *fmt, ...);
int __wrap__vsnprintf_r(struct _reent *r, char *str, size_t size, const char *fmt, va_list ap);
int __wrap__vsprintf_r(struct _reent *r, char *str, const char *fmt, va_list ap);
int __wrap__snprintf_r(struct _reent *r, char *str, size_t size, const char *fmt, ...);
int __wrap__sprintf_r(struct _reent *r, char *str, const char *fmt, ...);
int __wrap__vasprintf_r(struct _reent *r, char **strp, const char *fmt, va_list ap);
int __wrap__asprintf_r(struct _reent *r, char **strp, const char *fmt, ...);
int __wrap__vdprintf_r(struct _reent *r, int fd, const char *fmt, va_list ap);
int __wrap__dprintf_r(struct _reent *r, int fd, const char *fmt, ...);

int __wrap__vfprintf_r(struct _reent *r, FILE *fp, const char *fmt, va_list ap)
{
    return reent_result(r, __wrap_vfprintf(fp, fmt, ap));
}

int __wrap__vprintf_r(struct _reent *r, const char *fmt, va_list ap)
{
    return reent_result(r, __wrap_vprintf(fmt, ap));
}

int __wrap__fprintf_r(struct _reent *r, FILE *fp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vfprintf(fp, fmt, ap);
    va_end(ap);
    return reent_result(r, n);
}

int __wrap__printf_r(struct _reent *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vprintf(fmt, ap);
    va_end(ap);
    return reent_result(r, n);
}

int __wrap__vsnprintf_r(struct _reent *r, char *str, size_t size, const char *fmt, va_list ap)
{
    return reent_result(r, __wrap_vsnprintf(str, size, fmt, ap));
}

int __wrap__vsprintf_r(struct _reent *r, char *str, const char *fmt, va_list ap)
{
    return reent_result(r, __wrap_vsprintf(str, fmt, ap));
}

int __wrap__snprintf_r(struct _reent *r, char *str, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vsnprintf(str, size, fmt, ap);
    va_end(ap);
    return reent_result(r, n);
}

int __wrap__sprintf_r(struct _reent *r, char *str, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vsprintf(str, fmt, ap);
    va_end(ap);
    return reent_result(r, n);
}

int __wrap__vasprintf_r(struct _reent *r, char **strp, const char *fmt, va_list ap)
{
    return reent_result(r, __wrap_vasprintf(strp, fmt, ap));
}

int __wrap__asprintf_r(struct _reent *r, char **strp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vasprintf(strp, fmt, ap);
    va_end(ap);
    return reent_result(r, n);
}

int __wrap__vdprintf_r(struct _reent *r, int fd, const char *fmt, va_list ap)
{
    return reent_result(r, __wrap_vdprintf(fd, fmt, ap));
}

int __wrap__dprintf_r(struct _reent *r, int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vdprintf(fd, fmt, ap);
    va_end(ap);
    return reent_result(r, n);
}

/* newlib's integers-only forms: the same functions. */
int __wrap__vfiprintf_r(struct _reent *r, FILE *fp, const char *fmt, va_list ap) __attribute__((alias("__wrap__vfprintf_r")));
int __wrap__viprintf_r(struct _reent *r, const char *fmt, va_list ap) __attribute__((alias("__wrap__vprintf_r")));
int __wrap__fiprintf_r(struct _reent *r, FILE *fp, const char *fmt, ...) __attribute__((alias("__wrap__fprintf_r")));
int __wrap__iprintf_r(struct _reent *r, const char *fmt, ...) __attribute__((alias("__wrap__printf_r")));
int __wrap__vsniprintf_r(struct _reent *r, char *str, size_t size, const char *fmt, va_list ap) __attribute__((alias("__wrap__vsnprintf_r")));
int __wrap__vsiprintf_r(struct _reent *r, char *str, const char *fmt, va_list ap) __attribute__((alias("__wrap__vsprintf_r")));
int __wrap__sniprintf_r(struct _reent *r, char *str, size_t size, const char *fmt, ...) __attribute__((alias("__wrap__snprintf_r")));
int __wrap__siprintf_r(struct _reent *r, char *str, const char *fmt, ...) __attribute__((alias("__wrap__sprintf_r")));
int __wrap__vasiprintf_r(struct _reent *r, char **strp, const char *fmt, va_list ap) __attribute__((alias("__wrap__vasprintf_r")));
int __wrap__asiprintf_r(struct _reent *r, char **strp, const char *fmt, ...) __attribute__((alias("__wrap__asprintf_r")));
int __wrap__vdiprintf_r(struct _reent *r, int fd, const char *fmt, va_list ap) __attribute__((alias("__wrap__vdprintf_r")));
int __wrap__diprintf_r(struct _reent *r, int fd, const char *fmt, ...) __attribute__((alias("__wrap__dprintf_r")));

/* stdio_printf.c - C's printf family on duet's formatter (duet/format.h) in place of
 * newlib-nano's, which writes no floating conversion (printf("%f", x) wrote nothing) and no
 * 64-bit integer ("%lld" wrote "ld"). The texts are then those of glibc's printf, which a
 * program's printf uses on the emulated board (duet/format.h says where they differ).
 *
 * How it takes newlib's place: every Cortex-M image is linked with --wrap for each of these
 * functions (DUET_CORTEX_M_STDIO_WRAP, cortex_m.cmake), which sends every call of printf,
 * the program's and newlib's own (assert's fiprintf, strftime's sniprintf), to
 * __wrap_printf here. Defining printf itself would not do: newlib keeps printf, iprintf,
 * _printf_r and _iprintf_r in one object, which its own functions can bring into the link
 * before a program's printf is seen (with link-time optimisation GCC reveals a call of
 * printf, a built-in function, only after the optimiser has run), and the two printf would
 * then be defined twice. newlib's `i` forms (integers only) are the same functions here,
 * its reentrant `_r` forms are in stdio_reent.c; only wide printf (wprintf, swprintf) stays
 * its own. Compiled without link-time optimisation (cortex_m.cmake), as the calls come to
 * light after it. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duet/format.h"
#include "stdio_printf.h"

/* A FILE's text (or a file descriptor's, when fp is NULL), gathered in a small buffer and
 * handed to fwrite (or write) when it is full and at the end: the console's stdout is
 * unbuffered, and gets a few writes rather than one a piece. */
typedef struct file_out {
    FILE *fp;
    int fd;
    size_t used;
    bool failed;
    char buf[64];
} file_out;

/* write() until all of it is written; false when a write fails or takes nothing. */
static bool fd_write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return false;
        s += w;
        n -= (size_t)w;
    }
    return true;
}

/* Writes what the buffer holds; false once a write has failed. */
static bool file_flush(file_out *o)
{
    if (o->used && !o->failed) {
        bool written = o->fp ? fwrite(o->buf, 1, o->used, o->fp) == o->used
                             : fd_write_all(o->fd, o->buf, o->used);
        o->failed = !written;
    }
    o->used = 0;
    return !o->failed;
}

static size_t file_put(void *arg, const char *s, size_t n)
{
    file_out *o = arg;
    size_t done = 0;
    while (done < n) {
        if (o->used == sizeof o->buf && !file_flush(o))
            break; /* fewer bytes taken than handed: the formatting stops */
        size_t w = n - done < sizeof o->buf - o->used ? n - done : sizeof o->buf - o->used;
        memcpy(o->buf + o->used, s + done, w);
        o->used += w;
        done += w;
    }
    return done;
}

/* printf's result for a text of n bytes: n, or EOF (errno EOVERFLOW) past INT_MAX. */
static int counted(size_t n)
{
    if (n > INT_MAX) {
        errno = EOVERFLOW;
        return EOF;
    }
    return (int)n;
}

static int file_vprintf(FILE *fp, int fd, const char *fmt, va_list ap)
{
    file_out o = {.fp = fp, .fd = fd};
    size_t n = duet_format_vout(file_put, &o, fmt, ap);
    return file_flush(&o) ? counted(n) : EOF;
}

/* A string's text: as much as fits before the NUL is written, all of it is counted (snprintf
 * returns the length of the whole text). */
typedef struct text_out {
    char *at;
    size_t room;
} text_out;

static size_t text_put(void *arg, const char *s, size_t n)
{
    text_out *o = arg;
    size_t w = n < o->room ? n : o->room;
    if (w) { /* at may be NULL: snprintf(NULL, 0, ...) counts */
        memcpy(o->at, s, w);
        o->at += w;
        o->room -= w;
    }
    return n;
}

static int text_vprintf(char *str, size_t size, const char *fmt, va_list ap)
{
    text_out o = {str, size ? size - 1 : 0};
    size_t n = duet_format_vout(text_put, &o, fmt, ap);
    if (size)
        *o.at = '\0';
    return counted(n);
}

/* To a FILE or stdout. */

int __wrap_vfprintf(FILE *fp, const char *fmt, va_list ap)
{
    return file_vprintf(fp, -1, fmt, ap);
}

int __wrap_vprintf(const char *fmt, va_list ap)
{
    return file_vprintf(stdout, -1, fmt, ap);
}

int __wrap_fprintf(FILE *fp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = file_vprintf(fp, -1, fmt, ap);
    va_end(ap);
    return n;
}

int __wrap_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = file_vprintf(stdout, -1, fmt, ap);
    va_end(ap);
    return n;
}

/* Into a string. */

int __wrap_vsnprintf(char *str, size_t size, const char *fmt, va_list ap)
{
    return text_vprintf(str, size, fmt, ap);
}

int __wrap_vsprintf(char *str, const char *fmt, va_list ap)
{
    return text_vprintf(str, SIZE_MAX, fmt, ap);
}

int __wrap_snprintf(char *str, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = text_vprintf(str, size, fmt, ap);
    va_end(ap);
    return n;
}

int __wrap_sprintf(char *str, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = text_vprintf(str, SIZE_MAX, fmt, ap);
    va_end(ap);
    return n;
}

/* Into a string malloc() gives: the text is measured, then written. On failure (no memory,
 * or a text of INT_MAX bytes or more) *strp is NULL and the result EOF, errno set. */

int __wrap_vasprintf(char **strp, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = text_vprintf(NULL, 0, fmt, ap);
    char *text = n < 0 ? NULL : malloc((size_t)n + 1);
    if (text)
        text_vprintf(text, (size_t)n + 1, fmt, again);
    else
        n = EOF; /* malloc set errno */
    va_end(again);
    *strp = text;
    return n;
}

int __wrap_asprintf(char **strp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vasprintf(strp, fmt, ap);
    va_end(ap);
    return n;
}

/* To a file descriptor, with write(). */

int __wrap_vdprintf(int fd, const char *fmt, va_list ap)
{
    return file_vprintf(NULL, fd, fmt, ap);
}

int __wrap_dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = file_vprintf(NULL, fd, fmt, ap);
    va_end(ap);
    return n;
}

/* newlib's integers-only forms: the same functions. */
int __wrap_vfiprintf(FILE *fp, const char *fmt, va_list ap) __attribute__((alias("__wrap_vfprintf")));
int __wrap_viprintf(const char *fmt, va_list ap) __attribute__((alias("__wrap_vprintf")));
int __wrap_fiprintf(FILE *fp, const char *fmt, ...) __attribute__((alias("__wrap_fprintf")));
int __wrap_iprintf(const char *fmt, ...) __attribute__((alias("__wrap_printf")));
int __wrap_vsniprintf(char *str, size_t size, const char *fmt, va_list ap) __attribute__((alias("__wrap_vsnprintf")));
int __wrap_vsiprintf(char *str, const char *fmt, va_list ap) __attribute__((alias("__wrap_vsprintf")));
int __wrap_sniprintf(char *str, size_t size, const char *fmt, ...) __attribute__((alias("__wrap_snprintf")));
int __wrap_siprintf(char *str, const char *fmt, ...) __attribute__((alias("__wrap_sprintf")));
int __wrap_vasiprintf(char **strp, const char *fmt, va_list ap) __attribute__((alias("__wrap_vasprintf")));
int __wrap_asiprintf(char **strp, const char *fmt, ...) __attribute__((alias("__wrap_asprintf")));
int __wrap_vdiprintf(int fd, const char *fmt, va_list ap) __attribute__((alias("__wrap_vdprintf")));
int __wrap_diprintf(int fd, const char *fmt, ...) __attribute__((alias("__wrap_dprintf")));

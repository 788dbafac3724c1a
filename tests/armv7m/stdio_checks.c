/* stdio_checks.c - C's printf family on a Cortex-M core (ports/cortex_m/stdio_printf.c, in
 * place of newlib-nano's): the results C gives them (snprintf's whole length, a cut text, an
 * error), a FILE's text through fprintf and vfprintf, asprintf's and dprintf's results,
 * newlib's `i` and reentrant `_r` forms (stdio_reent.c), and newlib's own callers
 * (strftime). The texts of the conversions themselves are checked with check_format's
 * (armv7m.c). */
/* fmemopen (POSIX), and newlib's integers-only forms and asprintf: declared by stdio.h
 * beside C11's only when asked for. */
#define _GNU_SOURCE 1

#include <errno.h>
#include <reent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

static int to_file(FILE *fp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(fp, fmt, ap);
    va_end(ap);
    return n;
}

static int to_text(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* snprintf and its kin: the whole text's length, whatever was cut. */
static void check_strings(void)
{
    char buf[32];
    const char *volatile words = "abcdef"; /* its length unknown to the compiler's checks */
    memset(buf, 'x', sizeof buf);
    check_int(snprintf(buf, 8, "%s|%d", words, 12345), 12, "snprintf returns the whole length");
    check_str(buf, "abcdef|", "snprintf cuts to its size, NUL included, without \"...\"");
    check_int(buf[8], 'x', "snprintf writes nothing past its size");
    check_int(snprintf(NULL, 0, "%.3f", 2.0), 5, "snprintf(NULL, 0) counts");
    memset(buf, 'x', sizeof buf);
    check_int(snprintf(buf, 1, "%s", words), 6, "snprintf into 1 byte");
    check_int(buf[0], '\0', "snprintf into 1 byte writes the NUL only");
    check_int(sprintf(buf, "%05.1f|%llx", -2.25, 0xfedcba9876543210ull), 22, "sprintf's length");
    check_str(buf, "-02.2|fedcba9876543210", "sprintf");
    check_int(to_text(buf, 6, "%e", 1.5), 12, "vsnprintf's length");
    check_str(buf, "1.500", "vsnprintf cut");
    check_int(siprintf(buf, "%d%%", 99), 3, "siprintf (newlib's i form)");
    check_str(buf, "99%", "siprintf");
    check_int(sniprintf(buf, 3, "%u", 4096u), 4, "sniprintf (newlib's i form)");
    check_str(buf, "40", "sniprintf");
}

/* fprintf and vfprintf into a FILE (fmemopen's): text longer than the printf's own buffer,
 * and a stream that takes no text. */
static void check_files(void)
{
    char mem[160];
    memset(mem, 0, sizeof mem);
    FILE *fp = fmemopen(mem, sizeof mem, "w");
    check_true(fp != NULL, "fmemopen");
    if (!fp)
        return;
    check_int(fprintf(fp, "%g|%100s|", 0.5, "right"), 105, "fprintf's length");
    check_int(to_file(fp, "%lld", -5000000000LL), 11, "vfprintf's length");
    check_int(fiprintf(fp, "%c", '!'), 1, "fiprintf (newlib's i form)");
    fclose(fp);
    check_int((int)strlen(mem), 117, "the FILE's text, whole");
    check_true(strncmp(mem, "0.5|   ", 7) == 0, "the FILE's text begins with fprintf's");
    check_str(mem + 99, "right|-5000000000!", "the FILE's text ends with vfprintf's and fiprintf's");

    fp = fmemopen(mem, sizeof mem, "r");
    check_true(fp != NULL, "fmemopen to read");
    if (!fp)
        return;
    check_int(fprintf(fp, "%d", 1), EOF, "fprintf to a stream open for reading fails");
    fclose(fp);
}

static int to_new_text(char **text, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(text, fmt, ap);
    va_end(ap);
    return n;
}

/* asprintf and vasprintf: the text whole, floats and 64-bit integers written (newlib-nano's
 * wrote none); dprintf to a file descriptor that is not open fails with EBADF. */
static void check_allocated(void)
{
    char *text = NULL;
    check_int(asprintf(&text, "%d-%s|%.3f", 42, "x", 2.5), 10, "asprintf's length");
    check_str(text ? text : "(null)", "42-x|2.500", "asprintf's text");
    free(text);
    text = NULL;
    check_int(to_new_text(&text, "%lld %e|%100s", -5000000000LL, 0.25, "end"), 125, "vasprintf's length");
    check_true(text && strncmp(text, "-5000000000 2.500000e-01|   ", 28) == 0, "vasprintf's text begins");
    check_str(text ? text + 122 : "(null)", "end", "vasprintf's text ends");
    free(text);
    text = NULL;
    check_int(asiprintf(&text, "%u", 7u), 1, "asiprintf (newlib's i form)");
    check_str(text ? text : "(null)", "7", "asiprintf's text");
    free(text);
    errno = 0;
    check_int(dprintf(7, "%d", 1), -1, "dprintf to a file descriptor not open");
    check_int(errno, EBADF, "dprintf's errno");
}

/* newlib's reentrant forms: the same texts, and a failure's errno in the struct _reent. */
static void check_reentrant(void)
{
    struct _reent r;
    _REENT_INIT_PTR(&r);
    char buf[40];
    check_int(_snprintf_r(&r, buf, 8, "%s|%.1f", "abc", 12.25), 8, "_snprintf_r's length");
    check_str(buf, "abc|12.", "_snprintf_r cuts");
    check_int(_sprintf_r(&r, buf, "%lld", -1234567890123LL), 14, "_sprintf_r's length");
    check_str(buf, "-1234567890123", "_sprintf_r's text");
    check_int(_siprintf_r(&r, buf, "%x", 0xabcu), 3, "_siprintf_r (newlib's i form)");
    check_str(buf, "abc", "_siprintf_r's text");
    char *text = NULL;
    check_int(_asprintf_r(&r, &text, "%g", 1e-5), 5, "_asprintf_r's length");
    check_str(text ? text : "(null)", "1e-05", "_asprintf_r's text");
    free(text);
    r._errno = 0;
    check_int(_dprintf_r(&r, 9, "%d", 1), -1, "_dprintf_r to a file descriptor not open");
    check_int(r._errno, EBADF, "_dprintf_r's errno, in its struct _reent");
}

/* newlib's functions beside these: strftime calls sniprintf (this one). */
static void check_newlib(void)
{
    struct tm t = {.tm_year = 2026 - 1900, .tm_mon = 11, .tm_mday = 7, .tm_hour = 3, .tm_min = 4, .tm_sec = 5};
    char buf[40];
    check_int((int)strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &t), 19, "strftime's length");
    check_str(buf, "2026-12-07 03:04:05", "strftime");
}

void check_stdio(void)
{
    check_strings();
    check_files();
    check_allocated();
    check_reentrant();
    check_newlib();
}

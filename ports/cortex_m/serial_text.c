/* serial_text.c - duet/board.h's text output on the M7's Serial (print, println, printf),
 * the same on every Cortex-M port: each port writes bytes with its own duet_serial_write,
 * which also refuses them on the M4 with the port's sentence. */
#include <stdarg.h>
#include <stddef.h>

#include "duet/board.h"
#include "duet/format.h"

size_t duet_serial_print(const char *str)
{
    /* A loop, not strlen (220 B of newlib's): duet links none of libc's string functions
     * but memcpy and memset (docs/an521.md, "Size"). */
    const char *end = str;
    while (*end)
        end++;
    return duet_serial_write(str, (size_t)(end - str));
}

size_t duet_serial_println(const char *str)
{
    size_t n = duet_serial_print(str);
    return n + duet_serial_write("\r\n", 2);
}

size_t duet_serial_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    /* duet's formatter, as duet_printf's: the image links none of libc's printf for it. */
    size_t n = duet_format_vtext(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return duet_serial_write(buf, n);
}

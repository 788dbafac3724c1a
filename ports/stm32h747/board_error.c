/* board_error.c - duet_board_error_text() on the GIGA R1. */
#include "board_impl.h"

#include <stdarg.h>

#include "duet/cortex_m.h"
#include "duet/format.h"

static char error_text[160];

void giga_board_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    duet_format_vtext_nofloat(error_text, sizeof error_text, fmt, ap); /* no libc printf, no floats */
    va_end(ap);
}

const char *duet_board_error_text(void)
{
    return error_text;
}

void duet_cortex_m_port_board_fail(const char *what, const char *why)
{
    giga_board_fail("%s: %s", what, why);
}

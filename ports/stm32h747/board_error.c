/* board_error.c - duet_board_error_text() on the GIGA R1, and the parts this port lacks. */
#include "board_impl.h"

#include <stdarg.h>
#include <stdio.h>

static char error_text[160];

void giga_board_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_text, sizeof error_text, fmt, ap);
    va_end(ap);
}

const char *duet_board_error_text(void)
{
    return error_text;
}

/* No RTOS runs under this port: one thread per core, the program's own. */
int duet_thread_start(void (*fn)(void *arg), void *arg)
{
    (void)fn;
    (void)arg;
    giga_board_fail("duet_thread_start: the GIGA R1 port runs no RTOS, so there are no threads; "
                    "do the work in loop() (docs/giga.md)");
    return DUET_ERR_NOT_SUPPORTED;
}

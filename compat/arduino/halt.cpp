/* halt.cpp - reports and halts on a hosted target: stderr, then the process ends. */
#include "halt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "duet/duet.h"

namespace arduino {
namespace detail {

static void vreport(const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "%s: %s\n", duet_cpu_id() == DUET_CPU_M4 ? "M4" : "M7", line);
    fflush(stderr);
}

void report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
}

void halt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(fmt, ap);
    va_end(ap);
    fflush(stdout);
    /* _Exit: other threads of the sketch may still run, so no destructors and no atexit. */
    _Exit(EXIT_FAILURE);
}

} // namespace detail
} // namespace arduino

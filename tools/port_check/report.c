/* report.c - the port check's lines: one per check, PASS or FAIL with what was seen and what
 * it means for the port, notes for what is allowed but worth knowing, a line before each check
 * that calls the port (the last one a core printed names the check a hung function stopped),
 * and the counts. */
#include <stdarg.h>
#include <stdio.h>

#include "port_check.h"

static const char *core_name = "M7";
static unsigned passed, failed;
static char first[PC_TEXT_SIZE];

void pc_report_core(const char *core)
{
    core_name = core;
}

/* Prints "VERDICT CORE name: text"; a failure's text is kept if it is the first. */
static void line(const char *verdict, const char *name, const char *fmt, va_list ap)
{
    char text[400];
    vsnprintf(text, sizeof text, fmt, ap);
    printf("%s %s %s: %s\n", verdict, core_name, name, text);
    if (verdict[0] == 'F' && !first[0]) { /* "name: text", cut to fit */
        size_t n = 0;
        for (const char *parts[3] = {name, ": ", text}, **s = parts; s < parts + 3; s++)
            for (const char *q = *s; *q && n + 1 < sizeof first; q++)
                first[n++] = *q;
        first[n] = '\0';
    }
}

void pc_pass(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line("PASS", name, fmt, ap);
    va_end(ap);
    passed++;
}

void pc_fail(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line("FAIL", name, fmt, ap);
    va_end(ap);
    failed++;
}

void pc_start(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line("  ..", name, fmt, ap);
    va_end(ap);
    fflush(stdout);
}

void pc_note(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line("  --", name, fmt, ap);
    va_end(ap);
}

bool pc_check(bool ok, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line(ok ? "PASS" : "FAIL", name, fmt, ap);
    va_end(ap);
    if (ok)
        passed++;
    else
        failed++;
    return ok;
}

unsigned pc_passed(void)
{
    return passed;
}

unsigned pc_failed(void)
{
    return failed;
}

const char *pc_first_failure(void)
{
    return first;
}

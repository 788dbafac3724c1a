/* check.c - see check.h. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/an521.h"
#include "duet/duet.h"

static void failed(const char *file, int line, const char *what)
{
    printf("FAIL (core %u) %s:%d: %s\n", duet_an521_core(), file, line, what);
    if (duet_error())
        printf("  duet's last error: %s\n", duet_error_text());
    exit(1);
}

void check_that(bool cond, const char *file, int line, const char *what)
{
    if (!cond)
        failed(file, line, what);
}

void check_equal(long long got, long long want, const char *file, int line, const char *what)
{
    if (got == want)
        return;
    printf("  got %lld, want %lld\n", got, want);
    failed(file, line, what);
}

void check_pass(void)
{
    printf("PASS %s (core %u, %lu ms)\n", AN521_SCENARIO, duet_an521_core(),
           (unsigned long)duet_port_default()->now_ms(duet_port_default()));
    exit(0);
}

bool scenario_is(const char *name)
{
    return strcmp(AN521_SCENARIO, name) == 0;
}

bool scenario_run(const scenario *table, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (scenario_is(table[i].name)) {
            table[i].run();
            return true;
        }
    }
    return false;
}

uint8_t pattern_byte(uint32_t seed, uint32_t i)
{
    uint32_t x = (i + 1) * 2654435761u ^ seed * 40503u;
    return (uint8_t)(x >> 13);
}

/* stdio.c - a program that uses C's stdio (printf, fgets) on the GIGA R1: newlib calls the
 * port's system calls, which stay machine code in an image linked with link-time
 * optimisation (ports/cortex_m/cortex_m.cmake); tests/giga builds it for both cores, so a
 * system call the optimiser dropped fails the build. */
#include <stdio.h>

#include "duet/duet.h"

int main(void)
{
    duet_begin();
    printf("M%d up\n", duet_cpu_id() == DUET_CPU_M7 ? 7 : 4);
    char line[64];
    while (fgets(line, sizeof line, stdin))
        fputs(line, stdout);
    for (;;)
        duet_poll();
}

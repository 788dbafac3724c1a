/* mbed_time.c - Mbed's set_time(): sets the board's real-time clock (duet/board.h), which C's
 * time() reads on every target (the Cortex-M ports' time_syscalls.c, the emulated board's
 * board_libc.c); the time zone is UTC, as on an Mbed board. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "duet/board.h"

void set_time(time_t t);

void set_time(time_t t)
{
    if (duet_rtc_set((int64_t)t) != DUET_OK) {
        fputs("set_time: ", stderr); /* no printf: a sketch need not link libc's for this */
        fputs(duet_board_error_text(), stderr);
        fputc('\n', stderr);
        fflush(stderr);
    }
}

/* mktime, localtime and strftime count in UTC, whatever the PC's time zone. */
__attribute__((constructor)) static void board_time_zone(void)
{
    setenv("TZ", "UTC0", 1);
    tzset();
}

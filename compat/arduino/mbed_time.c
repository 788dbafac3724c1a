/* mbed_time.c - the C library's clock on the board: time() reads the board's real-time clock
 * (duet/board.h), set_time() sets it, and the time zone is UTC, as on an Mbed board. It is C
 * because it takes the place of the C library's own time() in the program. */
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

time_t time(time_t *out)
{
    time_t now = (time_t)duet_rtc_get();
    if (out)
        *out = now;
    return now;
}

/* mktime, localtime and strftime count in UTC, whatever the PC's time zone. */
__attribute__((constructor)) static void board_time_zone(void)
{
    setenv("TZ", "UTC0", 1);
    tzset();
}

/* time_syscalls.c - newlib's system calls for the time on a Cortex-M board, as an Mbed
 * board has them: C's time() and gettimeofday() read the board's real-time clock
 * (duet/board.h's duet_rtc_get(): whole seconds, so the microseconds are 0), clock() and
 * times() the milliseconds since the core started (millis(), in newlib's CLOCKS_PER_SEC,
 * 100 a second on Arm; it wraps as millis() does, after 49.7 days). Linked only when a
 * program asks the time. */
#include <stddef.h>
#include <sys/time.h>
#include <sys/times.h>

#include "duet/board.h"

int _gettimeofday(struct timeval *tv, void *tz);
clock_t _times(struct tms *t);

int _gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz; /* no time zone: the clock counts in UTC */
    if (tv) {
        tv->tv_sec = (time_t)duet_rtc_get();
        tv->tv_usec = 0;
    }
    return 0;
}

clock_t _times(struct tms *t)
{
    clock_t ticks = (clock_t)(millis() / (1000 / CLOCKS_PER_SEC));
    if (t) {
        t->tms_utime = ticks; /* the program has the core to itself */
        t->tms_stime = 0;
        t->tms_cutime = 0;
        t->tms_cstime = 0;
    }
    return ticks;
}

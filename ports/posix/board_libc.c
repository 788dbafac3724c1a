/* board_libc.c - C's library in a program on the emulated board where it meets the board, as
 * on the boards (ports/cortex_m: time_syscalls.c, sleep.c): time() and gettimeofday() read
 * the board's real-time clock (duet_rtc_get(): whole seconds, from the chip's reset value
 * until a program sets it, not the PC's clock), clock() and times() count from the core's
 * start (millis()), sleep() and usleep() are delay(), which serves the other core meanwhile,
 * the time zone is UTC, and rand() gives newlib's numbers. Linked only into the board's
 * programs (duet_posix_main, before the C library), and only when one of them is called:
 * each takes the place of glibc's in the program, not in glibc itself. */
#define _DEFAULT_SOURCE 1

#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "duet/board.h"

time_t time(time_t *out)
{
    time_t now = (time_t)duet_rtc_get();
    if (out)
        *out = now;
    return now;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz; /* no time zone: the clock counts in UTC */
    tv->tv_sec = (time_t)duet_rtc_get(); /* tv: never NULL (glibc declares it so) */
    tv->tv_usec = 0;
    return 0;
}

clock_t clock(void)
{
    return (clock_t)millis() * (CLOCKS_PER_SEC / 1000);
}

clock_t times(struct tms *t)
{
    clock_t ticks = (clock_t)(millis() / 10); /* the PC's clock ticks, CLK_TCK: 100 a second */
    if (t) {
        t->tms_utime = ticks; /* the program has the core to itself */
        t->tms_stime = 0;
        t->tms_cutime = 0;
        t->tms_cstime = 0;
    }
    return ticks;
}

unsigned sleep(unsigned seconds)
{
    delay(1000ul * seconds);
    return 0;
}

int usleep(useconds_t microseconds)
{
    delay(microseconds / 1000u + (microseconds % 1000u != 0));
    return 0;
}

/* rand() and srand() as newlib's (the boards' C library): the same numbers on the emulated
 * board as on the GIGA and under QEMU, 1 the seed until srand() is called. */
static uint64_t rand_next = 1;

void srand(unsigned seed)
{
    rand_next = seed;
}

int rand(void)
{
    rand_next = rand_next * 6364136223846793005u + 1u;
    return (int)((rand_next >> 32) & RAND_MAX);
}

/* localtime, mktime and strftime count in UTC, whatever the PC's time zone. */
__attribute__((constructor)) static void board_time_zone(void)
{
    setenv("TZ", "UTC0", 1);
    tzset();
}

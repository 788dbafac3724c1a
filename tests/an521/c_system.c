/* c_system.c - what C's library asks of the system, on a Cortex-M board and on the emulated
 * board. The clocks (ports/cortex_m/time_syscalls.c, ports/posix/board_libc.c): time() and
 * gettimeofday() read the board's real-time clock, clock() and times() count from the core's
 * start; sleep() and usleep() (ports/cortex_m/sleep.c) last at least as long as asked;
 * rand() gives newlib's numbers. Files (ports/cortex_m/console.c): there are none, so
 * fopen(), remove() and rename() fail with ENOENT, and the program links (built with
 * -DC_SYSTEM_PC_FILES for the emulated board, whose programs have the PC's files, it leaves
 * them out). Prints "c_system: N checks passed, M failed", and a FAIL line for each failure. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "duet/board.h"

static int failed, passed;

static void check(int ok, const char *what, long long got)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s (got %lld)\n", what, got);
}

int main(void)
{
    const time_t set = 1700000000; /* 2023-11-14 22:13:20 UTC */
    check(duet_rtc_set((int64_t)set) == DUET_OK, "duet_rtc_set", 0);
    time_t now = time(NULL);
    check(now >= set && now <= set + 2, "time() reads the RTC that was set", (long long)now);
    time_t stored = 0;
    check(time(&stored) == stored && stored >= set, "time(&t) stores what it returns", (long long)stored);
    struct timeval tv = {0, 1};
    check(gettimeofday(&tv, NULL) == 0, "gettimeofday succeeds", 0);
    check(tv.tv_sec >= set && tv.tv_sec <= set + 2 && tv.tv_usec == 0, "gettimeofday reads the RTC",
          (long long)tv.tv_sec);
    struct tm tm;
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d", gmtime_r(&now, &tm));
    check(date[0] == '2' && date[3] == '3' && date[5] == '1' && date[6] == '1', "gmtime of time() is 2023-11",
          tm.tm_year + 1900);

    clock_t before = clock();
    struct tms t;
    clock_t then = times(&t);
    /* times() counts in ticks of 1/100 s on both (CLK_TCK), clock() in CLOCKS_PER_SEC (100
     * on Arm, a million on the PC). */
    check(then * (CLOCKS_PER_SEC / 100) >= before && t.tms_utime == then, "times() counts as clock()",
          (long long)then);
    delay(300);
    clock_t after = clock();
    /* CLOCKS_PER_SEC is 100: 300 ms are 30 ticks (more on a busy host, never fewer). */
    check(after - before >= 30 * CLOCKS_PER_SEC / 100 && after - before < 150 * CLOCKS_PER_SEC / 100,
          "clock() counts 300 ms of delay() in CLOCKS_PER_SEC", (long long)(after - before));

    /* usleep rounds up to whole milliseconds: 250.5 ms are 251. The upper bounds catch a
     * unit mistaken (a thousand times too long), with room for a busy host's delays. */
    unsigned long start = millis();
    check(usleep(250500) == 0, "usleep returns 0", 0);
    unsigned long slept = millis() - start;
    check(slept >= 251 && slept < 5000, "usleep(250500) lasts 251 ms or more", (long long)slept);
    start = millis();
    check(sleep(1) == 0, "sleep returns 0", 0);
    slept = millis() - start;
    check(slept >= 1000 && slept < 5000, "sleep(1) lasts a second or more", (long long)slept);
    start = millis();
    check(sleep(0) == 0 && usleep(0) == 0, "sleep(0) and usleep(0) return 0", 0);
    check(millis() - start < 500, "sleep(0) and usleep(0) return at once", (long long)(millis() - start));

    /* rand() is newlib's on every target: its 64-bit LCG, seeded with 1 until srand(). */
    uint64_t next = 1;
    int same = 1;
    for (int k = 0; k < 5; k++) {
        next = next * 6364136223846793005u + 1u;
        same &= rand() == (int)((next >> 32) & RAND_MAX);
    }
    srand(7);
    next = 7 * 6364136223846793005u + 1u;
    same &= rand() == (int)((next >> 32) & RAND_MAX);
    check(same, "rand() gives newlib's numbers, from seed 1 and after srand(7)", 0);

#ifndef C_SYSTEM_PC_FILES /* on the emulated board a program has the PC's files */
    errno = 0;
    FILE *f = fopen("data.txt", "w");
    check(f == NULL && errno == ENOENT, "fopen fails with ENOENT", errno);
    if (f)
        fclose(f);
    errno = 0;
    check(remove("data.txt") == -1 && errno == ENOENT, "remove fails with ENOENT", errno);
    errno = 0;
    check(rename("a.txt", "b.txt") == -1 && errno == ENOENT, "rename fails with ENOENT", errno);
#endif
    printf("c_system: %d checks passed, %d failed\n", passed, failed);
    return failed != 0;
}

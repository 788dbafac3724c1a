/* threads_m7.c - CPU0's part of the QEMU thread test: serves tally() to the M4's caller
 * thread, calls the M4's ping() every 5 ms while the M4's threads sleep and count, and
 * checks the M4's report: every call of both sides answered, the sleeps as long as asked,
 * no update lost under the mutex. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "duet/board.h"
#include "duet/duet.h"

static int total;

static int on_tally(duet_req *c)
{
    total += duet_arg_int(c, 0);
    return duet_return_int(c, total);
}

int main(void)
{
    CHECK_EQ(duet_bind("tally", "i:i", on_tally), DUET_OK);
    CHECK(duet_begin());
    char report[128];
    size_t n = 0;
    int pings = 0;
    unsigned long t0 = millis();
    while (millis() - t0 < 20000) {
        int32_t back = 0;
        CHECK_EQ(duet_call("ping", "i:i", pings, &back), DUET_OK);
        CHECK_EQ(back, pings + 1);
        pings++;
        delay(5);
        while (duet_available() && n + 1 < sizeof report)
            report[n++] = (char)duet_read();
        report[n] = '\0';
        if (strchr(report, '\n'))
            break;
    }
    printf("M7: the M4 reports: %s", report);
    int tally = -1, sleeps = -1, served = -1;
    long count = -1;
    CHECK_EQ(sscanf(report, "tally %d sleeps %d count %ld served %d", &tally, &sleeps, &count, &served), 4);
    CHECK_EQ(tally, 15);       /* 1 + 2 + 3 + 4 + 5: each call of the caller thread answered */
    CHECK_EQ(sleeps, 6);       /* two sleeper threads, three full delays each */
    CHECK_EQ(count, 400);      /* two counters, 200 each, none lost */
    CHECK(served >= 20);       /* the M4 answered pings while its threads ran */
    CHECK(served <= pings);
    check_pass();
}

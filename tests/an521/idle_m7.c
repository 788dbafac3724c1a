/* idle_m7.c - CPU0's part of the idle test: a setup()/loop() program whose loop() does
 * nothing. While the M4 sleeps a second in delay(), this core's loop() and both cores'
 * clocks must stay quiet: each core sleeps until its doorbell or its next deadline (a tick
 * every millisecond would be a thousand wake-ups). The M4 then reports its count. */
#include <stdio.h>

#include "check.h"
#include "duet/board.h"
#include "duet/duet.h"
#include "wakeups.h"

static uint32_t loops, start_ms, start_clock, start_doorbell;
static int32_t m4_clock = -1, m4_doorbell = -1;

/* The M4's counts over its second of delay(). */
static int on_report(duet_req *r)
{
    m4_clock = (int32_t)duet_arg_int(r, 0);
    m4_doorbell = (int32_t)duet_arg_int(r, 1);
    return DUET_OK;
}

void setup(void)
{
    CHECK_EQ(duet_bind("report", "ii:", on_report), DUET_OK);
    CHECK(duet_begin());
    start_ms = duet_port_default()->now_ms(duet_port_default());
    start_clock = wakeups_clock();
    start_doorbell = wakeups_doorbell();
}

void loop(void)
{
    loops++;
    if (m4_clock < 0)
        return;
    uint32_t ms = millis() - start_ms;
    uint32_t clock = wakeups_clock() - start_clock, doorbell = wakeups_doorbell() - start_doorbell;
    printf("idle: %lu ms, M7 %lu loop() calls, %lu clock and %lu doorbell interrupts; "
           "M4 %ld clock and %ld doorbell interrupts in delay(1000)\n",
           (unsigned long)ms, (unsigned long)loops, (unsigned long)clock, (unsigned long)doorbell, (long)m4_clock,
           (long)m4_doorbell);
    CHECK(ms >= 1000 && ms < 1500); /* the M4's second passed here too */
    CHECK(loops < 20);
    CHECK(clock < 10);
    CHECK(m4_clock < 10);
    check_pass();
}

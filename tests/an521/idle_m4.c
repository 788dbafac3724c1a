/* idle_m4.c - CPU1's part of the idle test (idle_m7.c): a second in delay(), then its
 * interrupt counts over that second to the M7. */
#include "check.h"
#include "duet/board.h"
#include "duet/duet.h"
#include "wakeups.h"

void setup(void)
{
    CHECK(duet_begin());
    uint32_t clock = wakeups_clock(), doorbell = wakeups_doorbell();
    delay(1000);
    clock = wakeups_clock() - clock;
    doorbell = wakeups_doorbell() - doorbell;
    CHECK_EQ(duet_call("report", "ii:", (int32_t)clock, (int32_t)doorbell), DUET_OK);
}

void loop(void)
{
}

/* board_time.c - duet/board.h's time on the AN521: SysTick milliseconds (ports/cortex_m)
 * and delay() that keeps serving the other core. */
#include "duet/board.h"

#include "duet/an521.h"
#include "duet/cortex_m.h"
#include "duet/duet.h"
#include "regs.h"

unsigned long millis(void)
{
    duet_port_default(); /* starts SysTick on first use */
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    return duet_cortex_m_millis();
}

unsigned long micros(void)
{
    duet_port_default();
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    /* In 32 bits, wrapping as Arduino's does (every 71 minutes). */
    uint32_t ticks, ms = duet_cortex_m_now(&ticks);
    return ms * 1000ul + ticks / (AN521_CPU_HZ / 1000000u);
}

void delay(unsigned long ms)
{
    duet_cortex_m_delay((uint32_t)ms);
}

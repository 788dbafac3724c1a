/* board_time.c - millis(), micros() and delay() on SysTick; delay() serves the other
 * core's calls and sleeps (WFI) until its doorbell or the end. */
#include "board_impl.h"
#include "chip.h"

#include "duet/cortex_m.h"
#include "duet/duet.h"

unsigned long millis(void)
{
    duet_port_default(); /* starts SysTick on first use */
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    return duet_cortex_m_millis();
}

unsigned long micros(void)
{
    duet_port_default(); /* starts SysTick on first use */
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    uint64_t ticks = duet_cortex_m_ticks();
    uint64_t per_us = giga_clock_ticks_per_us();
    return (unsigned long)(ticks / per_us);
}

void delay(unsigned long ms)
{
    duet_cortex_m_delay((uint32_t)ms);
}

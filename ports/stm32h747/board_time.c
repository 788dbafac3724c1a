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
    /* In 32 bits, wrapping as Arduino's does (every 71 minutes): a 64-bit division would
     * link the compiler's routine into the image. */
    uint32_t ticks, ms = duet_cortex_m_now(&ticks);
    uint32_t us = ticks / giga_clock_ticks_per_us();
    return ms * 1000ul + (us < 1000u ? us : 999u); /* a clock not a whole number of MHz */
}

void delay(unsigned long ms)
{
    duet_cortex_m_delay((uint32_t)ms);
}

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
    duet_port *port = duet_port_default();
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_SLEPT);
    uint32_t start = port->now_ms(port);
    for (;;) {
        duet_poll();
        uint32_t elapsed = port->now_ms(port) - start;
        if (elapsed >= ms)
            return;
        port->wait(port, (uint32_t)ms - elapsed);
    }
}

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
    return (unsigned long)(duet_cortex_m_ticks() / (AN521_CPU_HZ / 1000000u));
}

void delay(unsigned long ms)
{
    duet_port *port = duet_port_default();
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_SLEPT);
    /* Counted in clock ticks, so that the wait is never shorter than ms. */
    uint64_t end = duet_cortex_m_ticks() + (uint64_t)ms * (AN521_CPU_HZ / 1000u);
    for (;;) {
        /* Serve the other core (before duet_begin this only records "call duet_begin
         * first"), then sleep until its doorbell or the end. */
        duet_poll();
        uint64_t now = duet_cortex_m_ticks();
        if (now >= end)
            return;
        port->wait(port, (uint32_t)((end - now) / (AN521_CPU_HZ / 1000u)) + 1);
    }
}

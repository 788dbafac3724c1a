/* board_time.c - duet/board.h's time on every Cortex-M port: millis() and micros() from the
 * SysTick clock (systick.c), and delay() and delayMicroseconds(), never shorter than asked
 * (as Arduino's), which sleep and serve the other core meanwhile. */
#include "duet/board.h"
#include "duet/cortex_m.h"
#include "duet/duet.h"

unsigned long millis(void)
{
    duet_port_default(); /* starts the clock on first use */
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    return duet_cortex_m_millis();
}

unsigned long micros(void)
{
    duet_port_default();
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    return duet_cortex_m_micros();
}

void delay(unsigned long ms_asked)
{
    duet_port *port = duet_port_default();
    if (ms_asked) /* delay(0) waits for nothing: a loop() of it alone is not one that slept */
        duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_SLEPT);
    uint32_t ms = (uint32_t)ms_asked;
    /* It ends ms milliseconds after now, to the tick: in the millisecond start + ms, once
     * that millisecond's ticks have reached the start's (whole milliseconds and ticks kept
     * apart, so the arithmetic is 32-bit on any clock rate). */
    uint32_t start_ticks, ticks;
    uint32_t start = duet_cortex_m_now(&start_ticks);
    for (;;) {
        /* Serve the other core (before duet_begin this only records "call duet_begin
         * first"), then sleep until its doorbell or the end. */
        duet_poll();
        uint32_t passed = duet_cortex_m_now(&ticks) - start;
        if (passed > ms || (passed == ms && ticks >= start_ticks))
            return;
        /* The port's wait ends at the start of a millisecond: at the end's own, then, from
         * inside it, a sleep to the end's tick (or, where threads wait through their
         * scheduler, to the next millisecond's start). */
        uint32_t left = ms - passed;
        if (left)
            port->wait(port, left);
        else if (!duet_cortex_m_threads_started())
            duet_cortex_m_sleep_ticks(start_ticks - ticks);
        else
            port->wait(port, 1);
    }
}

void delayMicroseconds(unsigned int us)
{
    duet_port *port = duet_port_default();
    if (us)
        duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_SLEPT);
    uint32_t per_ms = duet_cortex_m_ticks_per_ms();
    uint64_t end = duet_cortex_m_ticks() + ((uint64_t)us * per_ms + 999u) / 1000u;
    if (us >= 1000u)
        delay(us / 1000u); /* whole milliseconds as delay(): sleeping, serving the other core */
    for (;;) {
        uint64_t now = duet_cortex_m_ticks();
        if (now >= end)
            return;
        /* The rest (under a millisecond) asleep to its tick, as delay()'s last millisecond:
         * a doorbell that ends the sleep is served, then the sleep goes on. Where threads
         * wait through their scheduler, to the next millisecond's start instead. */
        uint64_t left = end - now;
        if (duet_cortex_m_threads_started()) {
            port->wait(port, 1);
            duet_poll();
        } else if (duet_cortex_m_sleep_ticks(left > per_ms ? per_ms : (uint32_t)left)) {
            duet_poll();
        }
    }
}

/* loop.c - what main() does for a program written as setup() and loop() (each port's
 * sketch_main.c), and what loop() looked at, which decides how long the core sleeps after it. */
#include "duet/board.h"
#include "duet/cortex_m.h"
#include "duet/duet.h"

/* How long the core sleeps after a loop() that looked at nothing that changes without a
 * doorbell: with threads of its own, what loop() watches may be theirs to change. */
#define IDLE_MS 1000u
#define IDLE_THREADS_MS 50u

unsigned duet_cortex_m_loop_watched;

/* How long to sleep after this loop(): 0 after one that slept in delay(), a millisecond
 * after one that looked at an input or the time, that rang the other core, or that leaves
 * stream text unread. A loop() that rang may have had its answer, and the other core's
 * request with it, inside its call: both cores would then sleep, each for the other's
 * doorbell, until the longer timeout. */
static uint32_t idle_ms(void)
{
    unsigned watched = duet_cortex_m_loop_watched;
    if (watched & DUET_CORTEX_M_WATCHED_SLEPT)
        return 0;
    if ((watched & (DUET_CORTEX_M_WATCHED_INPUT | DUET_CORTEX_M_WATCHED_SENT)) || duet_available() > 0)
        return 1;
    return duet_cortex_m_threads_started() ? IDLE_THREADS_MS : IDLE_MS;
}

void duet_cortex_m_loop(void)
{
    duet_port *port = duet_port_default();
    for (;;) {
        duet_cortex_m_loop_watched = 0;
        loop();
        /* Send what loop() wrote and answer what arrived; then sleep until the other core
         * rings or until what loop() looked at may have changed. */
        duet_poll();
        uint32_t ms = idle_ms();
        if (ms) {
            port->wait(port, ms);
            duet_poll(); /* what woke us, taken in before loop() looks */
        }
    }
}

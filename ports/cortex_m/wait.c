/* wait.c - the port's wait() on a Cortex-M core: sleeps in WFI until the doorbell rings or
 * the deadline passes; once the program has threads, their scheduler waits instead. */
#include "duet/cortex_m.h"

/* thread.c's wait, from the program's first thread on (NULL until then). */
static bool (*thread_wait)(volatile uint32_t *flag, uint32_t timeout_ms);

/* The flag the port's doorbell sets: the last wait's (NULL before the first). */
static volatile uint32_t *doorbell;

void duet_cortex_m_wait_by(bool (*wait)(volatile uint32_t *flag, uint32_t timeout_ms))
{
    thread_wait = wait;
}

bool duet_cortex_m_threads_started(void)
{
    return thread_wait != 0;
}

bool duet_cortex_m_wait(volatile uint32_t *flag, uint32_t timeout_ms)
{
    doorbell = flag;
    if (thread_wait)
        return thread_wait(flag, timeout_ms);
    /* The clock is read once the flag is found clear, not before: a doorbell that rang
     * already (the other core answered while this one worked) costs no look at it. */
    uint32_t since = 0;
    bool timing = false;
    uint32_t mask = duet_cortex_m_irq_save();
    for (;;) {
        if (*flag) {
            *flag = 0;
            duet_cortex_m_irq_restore(mask);
            return true;
        }
        uint32_t now = duet_cortex_m_millis();
        if (!timing) {
            since = now;
            timing = true;
        }
        uint32_t spent = now - since;
        if (spent >= timeout_ms) {
            duet_cortex_m_irq_restore(mask);
            return false;
        }
        /* The doorbell's interrupt, or the clock's at the deadline (and no sooner), ends the
         * WFI although interrupts are masked, and runs as soon as they are unmasked. */
        duet_cortex_m_clock_alarm(timeout_ms - spent);
        duet_cortex_m_wfi();
        duet_cortex_m_irq_restore(mask);
        mask = duet_cortex_m_irq_save();
    }
}

bool duet_cortex_m_sleep_ticks(uint32_t ticks)
{
    /* Checked with interrupts masked: a ring after the check still ends the WFI. */
    uint32_t mask = duet_cortex_m_irq_save();
    bool rung = doorbell && *doorbell;
    if (rung) {
        *doorbell = 0;
    } else {
        duet_cortex_m_clock_alarm_ticks(ticks);
        duet_cortex_m_wfi();
    }
    duet_cortex_m_irq_restore(mask);
    return rung;
}

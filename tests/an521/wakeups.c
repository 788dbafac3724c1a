/* wakeups.c - counts a core's interrupts, each of which ends a sleep in WFI: the clock's
 * (SysTick) and the doorbell's (MHU). The idle test's images are linked with
 * --wrap=duet_cortex_m_systick_isr --wrap=duet_an521_mhu_isr, so that the port's vector
 * table reaches these first. */
#include "wakeups.h"

void __real_duet_cortex_m_systick_isr(void);
void __wrap_duet_cortex_m_systick_isr(void);
void __real_duet_an521_mhu_isr(void);
void __wrap_duet_an521_mhu_isr(void);

static volatile uint32_t clock_count, doorbell_count;

void __wrap_duet_cortex_m_systick_isr(void)
{
    clock_count = clock_count + 1;
    __real_duet_cortex_m_systick_isr();
}

void __wrap_duet_an521_mhu_isr(void)
{
    doorbell_count = doorbell_count + 1;
    __real_duet_an521_mhu_isr();
}

uint32_t wakeups_clock(void)
{
    return clock_count;
}

uint32_t wakeups_doorbell(void)
{
    return doorbell_count;
}

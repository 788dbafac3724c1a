/* systick.c - a millisecond clock from SysTick (ARMv7-M / ARMv8-M architecture, B3.3 / B11). */
#include "duet/cortex_m.h"

/* SysTick registers: control and status, reload value, current value. */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define SCB_ICSR_PENDSTCLR (1u << 25)
#define SYST_CSR_ENABLE 1u
#define SYST_CSR_TICKINT 2u
#define SYST_CSR_CLKSOURCE 4u   /* the processor clock */

static volatile uint32_t millis;
static uint32_t ticks_per_ms;

void duet_cortex_m_systick_start(uint32_t ticks)
{
    ticks_per_ms = ticks;
    SYST_RVR = ticks - 1;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
}

void duet_cortex_m_systick_stop(void)
{
    SYST_CSR = 0;
    SCB_ICSR = SCB_ICSR_PENDSTCLR;
    ticks_per_ms = 0;
}

bool duet_cortex_m_systick_running(void)
{
    return ticks_per_ms != 0;
}

void duet_cortex_m_systick_isr(void)
{
    millis = millis + 1;
}

uint32_t duet_cortex_m_millis(void)
{
    return millis;
}

uint64_t duet_cortex_m_ticks(void)
{
    /* The count read between two equal reads of millis belongs to that millisecond. */
    for (;;) {
        uint32_t ms = millis;
        uint32_t current = SYST_CVR;
        if (millis == ms)
            return (uint64_t)ms * ticks_per_ms + (ticks_per_ms - 1 - current);
    }
}

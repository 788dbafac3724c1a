/* irq.c - NVIC interrupt enables, and sleeping until an interrupt (ARMv7-M / ARMv8-M). */
#include "duet/cortex_m.h"

/* NVIC set-enable and clear-pending registers, 32 interrupts per word. */
#define NVIC_ISER ((volatile uint32_t *)0xE000E100u)
#define NVIC_ICER ((volatile uint32_t *)0xE000E180u)
#define NVIC_ICPR ((volatile uint32_t *)0xE000E280u)
#define NVIC_WORDS 16u /* up to 496 external interrupts (ARMv7-M and ARMv8-M) */

void duet_cortex_m_irq_enable(unsigned irq)
{
    NVIC_ISER[irq / 32] = 1u << (irq % 32);
}

void duet_cortex_m_irq_clear_pending(unsigned irq)
{
    NVIC_ICPR[irq / 32] = 1u << (irq % 32);
}

void duet_cortex_m_halt(void)
{
    __asm__ volatile("cpsid i" ::: "memory");
    duet_cortex_m_systick_stop();
    for (unsigned i = 0; i < NVIC_WORDS; i++) {
        NVIC_ICER[i] = 0xffffffffu;
        NVIC_ICPR[i] = 0xffffffffu;
    }
    for (;;)
        duet_cortex_m_wfi();
}

bool duet_cortex_m_sleep_unless(volatile uint32_t *flag)
{
    __asm__ volatile("cpsid i" ::: "memory");
    if (!*flag) {
        duet_cortex_m_clock_alarm(1);
        duet_cortex_m_wfi();
    }
    /* A pending interrupt runs here, and may set the flag. */
    __asm__ volatile("cpsie i\n\tisb" ::: "memory");
    bool was_set = *flag != 0;
    *flag = 0;
    return was_set;
}

/* pulse.c - the pulse-train engine of pulse.h on a 32-bit timer at 1 MHz (RM0399 TIM2-5
 * chapter: up-counting, auto-reload = the frame, compare 1 moved to each next pulse end). */
#include "pulse.h"

#include "board_impl.h"
#include "chip.h"
#include "regs.h"

#include "duet/cortex_m.h"

static void timer_start(giga_pulse *p)
{
    if (p->running)
        return;
    p->running = true;
    giga_clock_enable(RCC_CN_APB1LENR, p->clock_bit);
    TIM_PSC(p->timer) = giga_clock_tim_apb1_hz() / 1000000u - 1u;
    TIM_ARR(p->timer) = p->frame_us - 1u;
    TIM_EGR(p->timer) = TIM_EGR_UG; /* load the prescaler now */
    TIM_SR(p->timer) = 0;
    TIM_CCR1(p->timer) = p->frame_us;
    TIM_DIER(p->timer) = TIM_DIER_UIE | TIM_DIER_CC1IE;
    duet_cortex_m_irq_enable(p->irq);
    TIM_CR1(p->timer) = TIM_CR1_CEN;
}

int giga_pulse_find(const giga_pulse *p, unsigned port, unsigned bit)
{
    for (int i = 0; i < PULSE_SLOTS; i++)
        if (p->slot[i].used && p->slot[i].port == port && p->slot[i].bit == bit)
            return i;
    return -1;
}

int giga_pulse_set(giga_pulse *p, unsigned port, unsigned bit, uint32_t high_us)
{
    int i = giga_pulse_find(p, port, bit);
    for (int j = 0; j < PULSE_SLOTS && i < 0; j++)
        if (!p->slot[j].used)
            i = j;
    if (i < 0)
        return -1;
    p->slot[i].high_us = high_us > p->frame_us ? p->frame_us : high_us;
    if (!p->slot[i].used) {
        p->slot[i].port = (uint8_t)port;
        p->slot[i].bit = (uint8_t)bit;
        giga_pin_set(port, bit, false);
        giga_pin_output(port, bit);
        p->slot[i].used = 1;
    }
    timer_start(p);
    return i;
}

void giga_pulse_release(giga_pulse *p, int slot)
{
    if (slot < 0 || slot >= PULSE_SLOTS || !p->slot[slot].used)
        return;
    p->slot[slot].used = 0;
    giga_pin_set(p->slot[slot].port, p->slot[slot].bit, false);
}

void giga_pulse_isr(giga_pulse *p)
{
    uint32_t sr = TIM_SR(p->timer);
    TIM_SR(p->timer) = ~sr; /* the flags are cleared by writing 0 */
    if (sr & TIM_SR_UIF) {
        for (int i = 0; i < PULSE_SLOTS; i++)
            if (p->slot[i].used && p->slot[i].high_us)
                giga_pin_set(p->slot[i].port, p->slot[i].bit, true);
    }
    /* Lower what has ended and aim compare 1 at the next end; if that passed while
     * aiming, go round again rather than wait a whole frame. */
    for (;;) {
        uint32_t now = TIM_CNT(p->timer);
        uint32_t next = p->frame_us;
        for (int i = 0; i < PULSE_SLOTS; i++) {
            uint32_t end = p->slot[i].high_us;
            if (!p->slot[i].used || end >= p->frame_us)
                continue;
            if (end <= now)
                giga_pin_set(p->slot[i].port, p->slot[i].bit, false);
            else if (end < next)
                next = end;
        }
        TIM_CCR1(p->timer) = next;
        if (next >= p->frame_us || TIM_CNT(p->timer) < next)
            return;
    }
}

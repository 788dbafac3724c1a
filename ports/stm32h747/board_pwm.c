/* board_pwm.c - analogWrite() on any pin: a 500 Hz pulse train (2 ms frames) timed by
 * TIM5, duty 0..255 as Arduino's default. 0 holds the pin low, 255 high. */
#include "board_impl.h"
#include "pulse.h"
#include "regs.h"

#define FRAME_US 2000u

static giga_pulse pwm = {
    .timer = TIM5_BASE, .clock_bit = RCC_APB1LENR_TIM5EN, .irq = IRQ_TIM5, .frame_us = FRAME_US};

void giga_tim5_isr(void)
{
    giga_pulse_isr(&pwm);
}

void analogWrite(int pin, int value)
{
    unsigned port, bit;
    if (!giga_pin("analogWrite", pin, &port, &bit))
        return;
    value = value < 0 ? 0 : value > DUET_PWM_MAX ? DUET_PWM_MAX : value;
    uint32_t high_us = (uint32_t)value * FRAME_US / DUET_PWM_MAX;
    if (giga_pulse_set(&pwm, port, bit, high_us) < 0) {
        giga_board_fail("analogWrite: %d pins have PWM already (the most the GIGA R1 port drives); "
                        "write 0 with digitalWrite to one of them first", PULSE_SLOTS);
        return;
    }
    if (value == 0 || value == DUET_PWM_MAX)
        giga_pin_set(port, bit, value != 0);
}

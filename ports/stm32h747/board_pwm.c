/* board_pwm.c - analogWrite() on any pin: a 500 Hz pulse train (2 ms frames) timed by
 * TIM5, duty 0..255 as Arduino's default (0..2^bits - 1 after analogWriteResolution). 0
 * holds the pin low, full scale high. */
#include "board_impl.h"
#include "pulse.h"
#include "regs.h"

#define FRAME_US 2000u

/* analogWrite's resolution on this core, in bits (Arduino's default). */
static int write_bits = 8;

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
    uint32_t max = (1u << write_bits) - 1u;
    uint32_t duty = value < 0 ? 0u : (uint32_t)value > max ? max : (uint32_t)value;
    /* Past 16 bits, the duty's top 16 bits: the frame has 2000 steps, and the product stays
     * in 32 bits (no 64-bit division in the image). */
    unsigned drop = write_bits > 16 ? (unsigned)write_bits - 16u : 0u;
    uint32_t high_us = (duty >> drop) * FRAME_US / (max >> drop);
    if (giga_pulse_set(&pwm, port, bit, high_us) < 0) {
        giga_board_fail("analogWrite: %d pins have PWM already (the most the GIGA R1 port drives); "
                        "write 0 with digitalWrite to one of them first", PULSE_SLOTS);
        return;
    }
    if (duty == 0 || duty == max)
        giga_pin_set(port, bit, duty != 0);
}

void analogWriteResolution(int bits)
{
    if (bits < 1 || bits > 31) {
        giga_board_fail("analogWriteResolution: %d bits is not 1..31 (the resolution stays %d bits)", bits,
                        write_bits);
        return;
    }
    write_bits = bits;
}

/* board_servo.c - hobby servos on any pin: pulses of 544..2400 us (Arduino's Servo
 * library) every 20 ms, timed by TIM2. */
#include "board_impl.h"
#include "pulse.h"
#include "regs.h"

#define PULSE_MIN_US 544u
#define PULSE_MAX_US 2400u

static giga_pulse servos = {
    .timer = TIM2_BASE, .clock_bit = RCC_APB1LENR_TIM2EN, .irq = IRQ_TIM2, .frame_us = 20000u};

void giga_tim2_isr(void)
{
    giga_pulse_isr(&servos);
}

static uint32_t pulse_for(int angle)
{
    return PULSE_MIN_US + (uint32_t)angle * (PULSE_MAX_US - PULSE_MIN_US) / 180u;
}

/* The engine's slot of an attached servo, or -1. */
static int slot_of(const duet_servo *servo)
{
    if (servo->pin < 0 || servo->pin >= DUET_BOARD_PIN_COUNT)
        return -1;
    unsigned port, bit;
    if (!giga_pin("servo", servo->pin, &port, &bit))
        return -1;
    return giga_pulse_find(&servos, port, bit);
}

int duet_servo_attach(duet_servo *servo, int pin)
{
    unsigned port, bit;
    if (!giga_pin("duet_servo_attach", pin, &port, &bit))
        return DUET_ERR_ARG;
    if (giga_pulse_set(&servos, port, bit, pulse_for(90)) < 0) {
        giga_board_fail("duet_servo_attach: %d servos are attached already (the most the GIGA R1 "
                        "port drives); detach one first", PULSE_SLOTS);
        return DUET_ERR_FULL;
    }
    servo->pin = pin;
    servo->angle = 90;
    return DUET_OK;
}

int duet_servo_write(duet_servo *servo, int angle)
{
    int slot = slot_of(servo);
    if (slot < 0) {
        giga_board_fail("duet_servo_write: the servo is not attached (call duet_servo_attach first)");
        return DUET_ERR_STATE;
    }
    angle = angle < 0 ? 0 : angle > 180 ? 180 : angle;
    servo->angle = angle;
    servos.slot[slot].high_us = pulse_for(angle);
    return DUET_OK;
}

int duet_servo_read(const duet_servo *servo)
{
    return slot_of(servo) < 0 ? -1 : servo->angle;
}

void duet_servo_detach(duet_servo *servo)
{
    giga_pulse_release(&servos, slot_of(servo));
    servo->pin = -1;
}

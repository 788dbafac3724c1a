/* board_servo.c - hobby servos on any pin, timed by TIM2 (RM0399 TIM2-5 chapter): a
 * 20 ms frame at 1 MHz; the update interrupt raises every attached pin, compare 1 lowers
 * each when its pulse (544..2400 us, as Arduino's Servo library) has lasted. */
#include "board_impl.h"
#include "chip.h"
#include "regs.h"

#include "duet/cortex_m.h"

#define SERVO_MAX 8
#define FRAME_US 20000u
#define PULSE_MIN_US 544u
#define PULSE_MAX_US 2400u

static struct {
    volatile uint8_t port, bit;
    volatile uint16_t pulse_us; /* 0: slot free */
} slots[SERVO_MAX];

static uint32_t pulse_for(int angle)
{
    return PULSE_MIN_US + (uint32_t)angle * (PULSE_MAX_US - PULSE_MIN_US) / 180u;
}

static void timer_start(void)
{
    static bool running;
    if (running)
        return;
    running = true;
    giga_clock_enable(RCC_CN_APB1LENR, RCC_APB1LENR_TIM2EN);
    TIM_PSC(TIM2_BASE) = giga_clock_tim_apb1_hz() / 1000000u - 1u;
    TIM_ARR(TIM2_BASE) = FRAME_US - 1u;
    TIM_EGR(TIM2_BASE) = TIM_EGR_UG; /* load the prescaler */
    TIM_SR(TIM2_BASE) = 0;
    TIM_DIER(TIM2_BASE) = TIM_DIER_UIE | TIM_DIER_CC1IE;
    TIM_CCR1(TIM2_BASE) = PULSE_MAX_US;
    duet_cortex_m_irq_enable(IRQ_TIM2);
    TIM_CR1(TIM2_BASE) = TIM_CR1_CEN;
}

/* The next pulse end after now (us into the frame), or the frame's end if none. */
static uint32_t next_end(uint32_t now)
{
    uint32_t next = FRAME_US;
    for (int i = 0; i < SERVO_MAX; i++)
        if (slots[i].pulse_us > now && slots[i].pulse_us < next)
            next = slots[i].pulse_us;
    return next;
}

void giga_tim2_isr(void)
{
    uint32_t sr = TIM_SR(TIM2_BASE);
    TIM_SR(TIM2_BASE) = ~sr; /* rc_w0: clear what was seen */
    if (sr & TIM_SR_UIF) {
        for (int i = 0; i < SERVO_MAX; i++)
            if (slots[i].pulse_us)
                giga_pin_set(slots[i].port, slots[i].bit, true);
    }
    uint32_t now = TIM_CNT(TIM2_BASE);
    for (int i = 0; i < SERVO_MAX; i++)
        if (slots[i].pulse_us && slots[i].pulse_us <= now)
            giga_pin_set(slots[i].port, slots[i].bit, false);
    TIM_CCR1(TIM2_BASE) = next_end(now);
}

static int slot_of(const duet_servo *servo)
{
    unsigned port, bit;
    if (servo->pin < 0 || servo->pin >= DUET_BOARD_PIN_COUNT)
        return -1;
    if (!giga_pin("servo", servo->pin, &port, &bit))
        return -1;
    for (int i = 0; i < SERVO_MAX; i++)
        if (slots[i].pulse_us && slots[i].port == port && slots[i].bit == bit)
            return i;
    return -1;
}

int duet_servo_attach(duet_servo *servo, int pin)
{
    unsigned port, bit;
    if (!giga_pin("duet_servo_attach", pin, &port, &bit))
        return DUET_ERR_ARG;
    int free_slot = -1;
    for (int i = 0; i < SERVO_MAX && free_slot < 0; i++)
        if (!slots[i].pulse_us)
            free_slot = i;
    if (free_slot < 0) {
        giga_board_fail("duet_servo_attach: %d servos are attached already (the most the GIGA R1 "
                        "port drives); detach one first", SERVO_MAX);
        return DUET_ERR_FULL;
    }
    servo->pin = pin;
    servo->angle = 90;
    giga_pin_set(port, bit, false);
    giga_pin_output(port, bit);
    slots[free_slot].port = (uint8_t)port;
    slots[free_slot].bit = (uint8_t)bit;
    slots[free_slot].pulse_us = (uint16_t)pulse_for(90);
    timer_start();
    return DUET_OK;
}

int duet_servo_write(duet_servo *servo, int angle)
{
    int i = slot_of(servo);
    if (i < 0) {
        giga_board_fail("duet_servo_write: the servo is not attached (call duet_servo_attach first)");
        return DUET_ERR_STATE;
    }
    angle = angle < 0 ? 0 : angle > 180 ? 180 : angle;
    servo->angle = angle;
    slots[i].pulse_us = (uint16_t)pulse_for(angle);
    return DUET_OK;
}

int duet_servo_read(const duet_servo *servo)
{
    return slot_of(servo) < 0 ? -1 : servo->angle;
}

void duet_servo_detach(duet_servo *servo)
{
    int i = slot_of(servo);
    if (i >= 0) {
        slots[i].pulse_us = 0;
        giga_pin_set(slots[i].port, slots[i].bit, false);
    }
    servo->pin = -1;
}

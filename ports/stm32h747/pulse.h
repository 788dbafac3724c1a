/* pulse.h - pulse trains on any pins, timed by one general-purpose timer: every frame
 * the timer's update interrupt raises each pin that has a pulse, and its compare-1
 * interrupt lowers each pin when its pulse has lasted. Servos (20 ms frames) and
 * analogWrite (2 ms frames) each have one. */
#ifndef DUET_STM32H747_PULSE_H
#define DUET_STM32H747_PULSE_H

#include <stdbool.h>
#include <stdint.h>

#define PULSE_SLOTS 8

typedef struct giga_pulse {
    uint32_t timer;        /* TIM2_BASE, TIM5_BASE (32-bit timers on APB1) */
    uint32_t clock_bit;    /* its RCC_APB1LENR enable bit */
    unsigned irq;          /* its NVIC line */
    uint32_t frame_us;
    bool running;
    struct {
        volatile uint8_t port, bit;
        volatile uint8_t used;
        volatile uint32_t high_us; /* 0: low all frame; frame_us: high all frame */
    } slot[PULSE_SLOTS];
} giga_pulse;

/* The slot driving (port, bit), or -1. */
int giga_pulse_find(const giga_pulse *p, unsigned port, unsigned bit);

/* Drives (port, bit) high for high_us of every frame; takes a slot if the pin has none.
 * Returns the slot, or -1 if all are taken. */
int giga_pulse_set(giga_pulse *p, unsigned port, unsigned bit, uint32_t high_us);

/* Stops driving the pin of a slot and leaves it low. */
void giga_pulse_release(giga_pulse *p, int slot);

/* The timer's interrupt handler's work. */
void giga_pulse_isr(giga_pulse *p);

#endif

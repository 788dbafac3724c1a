/* wakeups.h - how often this core's clock and doorbell interrupted it (wakeups.c). */
#ifndef AN521_WAKEUPS_H
#define AN521_WAKEUPS_H

#include <stdint.h>

/* SysTick interrupts so far. */
uint32_t wakeups_clock(void);

/* Doorbell (MHU) interrupts so far. */
uint32_t wakeups_doorbell(void);

#endif

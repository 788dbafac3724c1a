/* fake_systick.h - SysTick and the SCB's ICSR as a simulated timer, so that
 * ports/cortex_m/systick.c runs on the host (test_systick.c). Included before it. */
#ifndef FAKE_SYSTICK_H
#define FAKE_SYSTICK_H

#include <stdint.h>

enum fake_systick_reg { FAKE_CSR, FAKE_RVR, FAKE_CVR, FAKE_ICSR, FAKE_REGS };

/* The register which, as the timer stands after this access. Every access takes the
 * processor clock's time (fake_systick.c): that is how the timer runs under the code. */
volatile uint32_t *fake_systick_reg(enum fake_systick_reg which);

#define SYST_CSR (*fake_systick_reg(FAKE_CSR))
#define SYST_RVR (*fake_systick_reg(FAKE_RVR))
#define SYST_CVR (*fake_systick_reg(FAKE_CVR))
#define SCB_ICSR (*fake_systick_reg(FAKE_ICSR))

/* The simulation (fake_systick.c), for the test. */
#include <stdbool.h>
void fake_systick_reset(void);               /* stopped, no time, step 1 tick an access */
uint64_t fake_systick_now(void);             /* ticks since the reset */
uint32_t fake_systick_interrupts(void);      /* SysTick interrupts taken */
void fake_systick_pause(uint64_t access, uint32_t ticks); /* the access-th from now takes ticks more */
void fake_systick_idle(uint64_t ticks);      /* time passes, interrupts taken as they come */
bool fake_systick_wfi(uint64_t most);        /* time passes until an interrupt pends */

#endif

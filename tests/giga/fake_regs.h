/* fake_regs.h - the GIGA port's registers as a fake register file, so that its logic runs
 * on the host (test_giga_port.c). Included before the port's regs.h. */
#ifndef GIGA_FAKE_REGS_H
#define GIGA_FAKE_REGS_H

#include <stdint.h>

/* The fake register at addr (created as 0 on first use). */
volatile uint32_t *giga_fake_reg(uintptr_t addr);

/* Forgets every register (all read 0 again). */
void giga_fake_reset(void);

#define REG32(addr) (*giga_fake_reg((uintptr_t)(addr)))

#endif

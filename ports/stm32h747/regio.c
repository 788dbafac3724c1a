/* regio.c - register writes, bounded waits and short delays for the start-up sequences
 * (clock_setup.c, sdram.c). The unit tests replace this file with one that records. */
#include "chip.h"
#include "regs.h"

void giga_reg_update(volatile uint32_t *reg, uint32_t clear, uint32_t set)
{
    *reg = (*reg & ~clear) | set;
}

bool giga_reg_wait(volatile uint32_t *reg, uint32_t mask, uint32_t value)
{
    for (uint32_t i = 0; i < GIGA_WAIT_POLLS; i++)
        if ((*reg & mask) == value)
            return true;
    return false;
}

void giga_delay_us(uint32_t us)
{
    DEMCR |= DEMCR_TRCENA;
    DWT_LAR = DWT_LAR_KEY; /* the M7's DWT ignores DWT_CTRL until it is unlocked */
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
    uint32_t cycles = us * (giga_clock_cpu_hz() / 1000000u);
    uint32_t start = DWT_CYCCNT;
    /* At most as many turns as cycles (each takes more than one): a counter that does not
     * count ends the wait no sooner than it should, and not never. */
    for (uint32_t turns = 0; DWT_CYCCNT - start < cycles && turns < cycles; turns++) {
        /* the SDRAM's power-up time: the chip needs it before its first command */
    }
}

/* option_bytes.c - clearing the option byte BCM4 for good (RM0399 ch. 4, option-byte
 * programming: unlock, change FLASH_OPTSR_PRG, start, wait), then a system reset, as
 * Arduino's RPC.begin() does when it finds the M4 started by itself. */
#include "chip.h"
#include "regs.h"

void giga_clear_bcm4_and_reset(void)
{
    FLASH_OPTKEYR = FLASH_OPTKEY1;
    FLASH_OPTKEYR = FLASH_OPTKEY2;
    FLASH_OPTSR_PRG &= ~FLASH_OPTSR_BCM4;
    FLASH_OPTCR |= FLASH_OPTCR_OPTSTART;
    while (FLASH_OPTSR_CUR & FLASH_OPTSR_OPT_BUSY) {
        /* the option-byte write takes a few milliseconds and has no interrupt here */
    }
    FLASH_OPTCR |= FLASH_OPTCR_OPTLOCK;
    giga_barrier();
    SCB_AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ;
    for (;;)
        __asm__ volatile("wfi");
}


/* option_bytes.c - clearing the option byte BCM4 for good (RM0399 ch. 4, option-byte
 * programming: unlock, change FLASH_OPTSR_PRG, start, wait), then a system reset, as
 * Arduino's RPC.begin() does when it finds the M4 started by itself. */
#include "chip.h"
#include "regs.h"

/* The keys only while OPTLOCK reads set: a key written to unlocked option bytes is a wrong
 * sequence, which RM0399 answers with a bus error and a lock until reset (ST's
 * HAL_FLASH_OB_Unlock tests OPTLOCK first). A change the flash refuses sets OPTCHANGEERR
 * (FLASH_OPTSR_CUR, as HAL's FLASH_OB_WaitForLastOperation reads it): then no reset, which
 * would meet the same refusal at every start. */
bool giga_option_bcm4_clear(void)
{
    if (FLASH_OPTCR & FLASH_OPTCR_OPTLOCK) {
        FLASH_OPTKEYR = FLASH_OPTKEY1;
        FLASH_OPTKEYR = FLASH_OPTKEY2;
        if (FLASH_OPTCR & FLASH_OPTCR_OPTLOCK)
            return false;
    }
    FLASH_OPTSR_PRG &= ~FLASH_OPTSR_BCM4;
    FLASH_OPTCR |= FLASH_OPTCR_OPTSTART;
    while (FLASH_OPTSR_CUR & FLASH_OPTSR_OPT_BUSY) {
        /* the option-byte write takes a few milliseconds and has no interrupt here */
    }
    bool done = !(FLASH_OPTSR_CUR & FLASH_OPTSR_OPTCHANGEERR);
    if (!done)
        FLASH_OPTCCR = FLASH_OPTCCR_CLR_OPTCHANGEERR;
    FLASH_OPTCR |= FLASH_OPTCR_OPTLOCK;
    return done;
}

void giga_clear_bcm4_and_reset(void)
{
    if (!giga_option_bcm4_clear())
        return; /* giga_boot_m4 says DUET_ERR_BOOT; the M4 runs from reset as before */
    giga_barrier();
    SCB_AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ;
    for (;;) {
#if defined(__arm__)
        __asm__ volatile("wfi");
#endif
    }
}

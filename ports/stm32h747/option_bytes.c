/* option_bytes.c - clearing the option byte BCM4 for good (RM0399 ch. 4, option-byte
 * programming: unlock, change FLASH_OPTSR_PRG, start, wait), then a system reset, as
 * Arduino's RPC.begin() does when it finds the M4 started by itself. */
#include "chip.h"
#include "regs.h"

/* The option-byte change takes tens of milliseconds. Reads of FLASH_OPTSR_CUR without a
 * limit hung the start for good on a change that never ends; this many reads last at least
 * 0.2 s at 480 MHz (one cycle each, and a flash register read takes more), seconds at most.
 * A count, not millis(): giga_boot_m4 may run before SysTick is started. */
#define OPT_BUSY_POLLS 100000000u

/* The keys only while OPTLOCK reads set: a key written to unlocked option bytes is a wrong
 * sequence, which RM0399 answers with a bus error and a lock until reset (ST's
 * HAL_FLASH_OB_Unlock tests OPTLOCK first). A change the flash refuses sets OPTCHANGEERR
 * (FLASH_OPTSR_CUR, as HAL's FLASH_OB_WaitForLastOperation reads it): then no reset, which
 * would meet the same refusal at every start. A change still busy after OPT_BUSY_POLLS reads
 * is given up the same way: locked again, false. */
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
    uint32_t polls = 0;
    while ((FLASH_OPTSR_CUR & FLASH_OPTSR_OPT_BUSY) && polls < OPT_BUSY_POLLS) {
        polls++; /* the option-byte write has no interrupt here */
    }
    bool done = !(FLASH_OPTSR_CUR & (FLASH_OPTSR_OPT_BUSY | FLASH_OPTSR_OPTCHANGEERR));
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

/* boot.c - starting the M4 as the Arduino core does: its boot address into SYSCFG_UR3
 * (RM0399 §13.3.16), then RCC_GCR.BOOT_C2 (§9.7.36) lets a gated M4 run. If the option
 * byte BCM4 is set, the M4 runs from reset on its own; the Arduino core then clears BCM4
 * for good and resets the chip, and so does this port (option_bytes.c). */
#include "chip.h"
#include "regs.h"

#include "duet/config.h"
#include "duet/error.h"

/* Is there a vector table at address: an initial stack pointer in RAM the M4 can use,
 * and a Thumb reset handler inside the image's own region? Erased flash (all ones)
 * fails both. */
static bool image_at(uint32_t address, uint32_t region_end)
{
    uint32_t sp = REG32(address);
    uint32_t reset = REG32(address + 4u);
    bool sp_ok = (sp > D2_SRAM_M4_BASE && sp <= D2_SRAM_M4_BASE + D2_SRAM_SIZE) ||
                 (sp > 0x30000000u && sp <= 0x30000000u + D2_SRAM_SIZE) ||
                 (sp > AXI_SRAM_BASE && sp <= AXI_SRAM_BASE + 0x80000u) ||
                 (sp > SDRAM_BASE && sp <= SDRAM_BASE + 0x800000u);
    bool reset_ok = (reset & 1u) && reset > address && reset < region_end;
    return sp_ok && reset_ok;
}

int giga_boot_m4(uint32_t address)
{
    /* A program built for the M4 alone (CORE_CM4: DUET_RPMSG_ROLES 2, duet/config.h) boots
     * nothing, and links none of this. */
    if (DUET_RPMSG_ROLES == 2 || !giga_is_m7())
        return DUET_ERR_STATE;
    if (RCC_GCR & RCC_GCR_BOOT_C2)
        return DUET_ERR_STATE;
    if (FLASH_OPTSR_CUR & FLASH_OPTSR_BCM4) {
        giga_clear_bcm4_and_reset(); /* the program starts again, unless the change failed */
        return DUET_ERR_BOOT;
    }
    /* The boot address keeps its top 16 bits only: an image must start on 64 KiB. */
    if (address & 0xFFFFu)
        return DUET_ERR_BOOT;
    uint32_t end;
    if (address >= FLASH_BANK1_BASE && address < FLASH_END) {
        end = FLASH_END;
    } else if (address >= SDRAM_BASE && address < SDRAM_BASE + 0x800000u) {
        /* SDRAM answers only once the program has set up the FMC and swapped its bank to
         * 0x60000000; before that a read would fault. */
        if (!(FMC_BCR1 & FMC_BCR1_FMCEN) || FMC_BCR1_BMAP(FMC_BCR1) != 1u)
            return DUET_ERR_BOOT;
        end = SDRAM_BASE + 0x800000u;
    } else {
        return DUET_ERR_BOOT;
    }
    if (!image_at(address, end))
        return DUET_ERR_BOOT;
    giga_clock_enable(RCC_CN_APB4ENR, RCC_APB4ENR_SYSCFGEN);
    /* The M4's stack and data live in D2 SRAM: allocate SRAM1..3 to it before it runs. */
    REG32(RCC_C2_BLOCK + RCC_CN_AHB2ENR) |= RCC_AHB2ENR_SRAM123EN;
    SYSCFG_UR3 = (SYSCFG_UR3 & 0x0000FFFFu) | ((address >> 16) << SYSCFG_UR3_BCM4_ADD0_SHIFT);
    giga_barrier(); /* the address is in place before the M4 starts */
    RCC_GCR |= RCC_GCR_BOOT_C2;
    return DUET_OK;
}

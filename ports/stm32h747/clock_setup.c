/* clock_setup.c - the GIGA R1's clock tree at full speed, set by the M7 at reset:
 *   supply   the LDO (PWR_CR3, §7.8.4), if nothing configured it since power-on
 *   voltage  VOS1 (PWR_D3CR, §7.8.7), then the overdrive (SYSCFG_PWRCR.ODEN): VOS0, which
 *            480 MHz needs (§7.4, "voltage scaling"; §9.5: the clocks each scale allows)
 *   HSE      the board's 16 MHz crystal (RCC_CR, §9.7.2)
 *   PLL1     16 MHz / M 2 = 8 MHz (input range 2: 4..8 MHz), x N 120 = 960 MHz (wide VCO),
 *            / P 2 = 480 MHz sys_ck, / Q 16 = 60 MHz, / R 2 (§9.7.10-12)
 *   flash    4 wait states, WRHIGHFREQ 2: an AXI clock of 240 MHz at VOS0 (FLASH_ACR, §4.9.1)
 *   buses    M7 = sys_ck / 1 = 480 MHz; HPRE / 2: the M4, AXI and AHBs at 240 MHz; every APB
 *            / 2: 120 MHz (RCC_D1CFGR, D2CFGR, D3CFGR, §9.7.7-9)
 *   switch   sys_ck from PLL1 (RCC_CFGR.SW, §9.7.6)
 *   I/O      the I/O compensation cell on (SYSCFG_CCCSR, §13.3), once the clock is raised
 * The order is the manual's for raising a clock: the voltage first, then the flash's wait
 * states, then the prescalers, the switch last. The same tree as Arduino's GIGA core (its
 * mbed target), except VOS0 where it keeps VOS1. The millisecond clock follows by itself:
 * SysTick is started from the tree as it reads (clock.c). */
#include "chip.h"
#include "regs.h"

#define PLL1_M 2u
#define PLL1_N 120u
#define PLL1_P 2u
#define PLL1_Q 16u
#define PLL1_R 2u
#define PLL1_INPUT_RANGE 2u /* a reference of 4..8 MHz */
#define FLASH_WAIT_STATES 4u
#define FLASH_WRHIGHFREQ 2u

#define D1CFGR_MASK ((0xFu << 8) | (7u << 4) | 0xFu) /* D1CPRE, D1PPRE, HPRE */
#define D1CFGR_WANTED ((0u << 8) | (4u << 4) | 8u)    /* /1, /2, /2 */
#define D2CFGR_MASK ((7u << 8) | (7u << 4))           /* D2PPRE2, D2PPRE1 */
#define D2CFGR_WANTED ((4u << 8) | (4u << 4))         /* /2, /2 */
#define D3CFGR_MASK (7u << 4)                         /* D3PPRE */
#define D3CFGR_WANTED (4u << 4)                       /* /2 */
#define PLLCKSELR_MASK (RCC_PLLCKSELR_DIVM1_MASK | 3u)
#define PLLCKSELR_WANTED (RCC_PLLCKSELR_DIVM1(PLL1_M) | RCC_PLLCKSELR_PLLSRC_HSE)
#define PLL1DIVR_MASK 0x7F7FFFFFu
#define PLL1DIVR_WANTED RCC_PLL1DIVR_VALUE(PLL1_N, PLL1_P, PLL1_Q, PLL1_R)
#define SWS_MASK (7u << 3)

/* True if the tree runs as this file sets it (a second call, or a bootloader that did it). */
static bool at_full_speed(void)
{
    return RCC_CFGR_SWS(RCC_CFGR) == RCC_CFGR_SW_PLL1 && (RCC_PLLCKSELR & PLLCKSELR_MASK) == PLLCKSELR_WANTED &&
           (RCC_PLL1DIVR & PLL1DIVR_MASK) == PLL1DIVR_WANTED && (RCC_D1CFGR & D1CFGR_MASK) == D1CFGR_WANTED &&
           (PWR_D3CR & PWR_D3CR_VOS_MASK) == PWR_D3CR_VOS1 && (SYSCFG_PWRCR & SYSCFG_PWRCR_ODEN);
}

/* The LDO as the supply, unless it is set already; any other supply set since power-on
 * cannot be changed (PWR_CR3 is written once) and may not allow VOS0: false. Whether it was
 * written is told by PWR_CR3 itself, as ST's HAL tells it (a value other than its power-on
 * one), not by ACTVOSRDY, which is not known to read 0 before the first write. */
static bool supply_ldo(void)
{
    uint32_t supply = PWR_CR3 & PWR_CR3_SUPPLY_MASK;
    if (supply != PWR_CR3_SUPPLY_RESET)
        return supply == PWR_CR3_LDOEN;
    giga_reg_update(&PWR_CR3, PWR_CR3_SUPPLY_MASK, PWR_CR3_LDOEN);
    return giga_reg_wait(&PWR_CSR1, PWR_CSR1_ACTVOSRDY, PWR_CSR1_ACTVOSRDY);
}

/* VOS1, then the overdrive (§7.4, "voltage scaling"). The overdrive's write goes to SYSCFG
 * on APB4, the ready flags are read from PWR on AHB4: until SYSCFG_PWRCR reads ODEN back the
 * write may still be on its way, and VOSRDY still VOS1's (ST's HAL reads ODEN back there,
 * __HAL_PWR_VOLTAGESCALING_CONFIG). Then both ready flags: VOSRDY (PWR_D3CR, §7.8.7) and
 * the active level's ACTVOSRDY (PWR_CSR1, §7.8.2), which HAL_PWREx_ControlVoltageScaling
 * waits for before the clock is raised. */
static bool voltage_vos0(void)
{
    giga_reg_update(&PWR_D3CR, PWR_D3CR_VOS_MASK, PWR_D3CR_VOS1);
    if (!giga_reg_wait(&PWR_D3CR, PWR_D3CR_VOSRDY, PWR_D3CR_VOSRDY))
        return false;
    giga_clock_enable(RCC_CN_APB4ENR, RCC_APB4ENR_SYSCFGEN);
    giga_reg_update(&SYSCFG_PWRCR, 0, SYSCFG_PWRCR_ODEN);
    return giga_reg_wait(&SYSCFG_PWRCR, SYSCFG_PWRCR_ODEN, SYSCFG_PWRCR_ODEN) &&
           giga_reg_wait(&PWR_D3CR, PWR_D3CR_VOSRDY, PWR_D3CR_VOSRDY) &&
           giga_reg_wait(&PWR_CSR1, PWR_CSR1_ACTVOSRDY, PWR_CSR1_ACTVOSRDY);
}

/* PLL1 from the HSE; the system runs on the HSI while PLL1 is stopped and set. */
static bool pll1_from_hse(void)
{
    giga_reg_update(&RCC_CR, RCC_CR_HSEBYP, RCC_CR_HSEON); /* a crystal, not a clock input */
    if (!giga_reg_wait(&RCC_CR, RCC_CR_HSERDY, RCC_CR_HSERDY))
        return false;
    if (RCC_CFGR_SWS(RCC_CFGR) == RCC_CFGR_SW_PLL1) {
        giga_reg_update(&RCC_CFGR, RCC_CFGR_SW_MASK, RCC_CFGR_SW_HSI);
        if (!giga_reg_wait(&RCC_CFGR, SWS_MASK, RCC_CFGR_SW_HSI << 3))
            return false;
    }
    giga_reg_update(&RCC_CR, RCC_CR_PLL1ON, 0);
    if (!giga_reg_wait(&RCC_CR, RCC_CR_PLL1RDY, 0))
        return false;
    giga_reg_update(&RCC_PLLCKSELR, PLLCKSELR_MASK, PLLCKSELR_WANTED);
    /* The source is the three PLLs' and takes no write while PLL2 or PLL3 runs (a
     * bootloader's): then the M7 stays on the HSI rather than run PLL1 from another input. */
    if (!giga_reg_wait(&RCC_PLLCKSELR, PLLCKSELR_MASK, PLLCKSELR_WANTED))
        return false;
    giga_reg_update(&RCC_PLL1DIVR, PLL1DIVR_MASK, PLL1DIVR_WANTED);
    giga_reg_update(&RCC_PLLCFGR, RCC_PLLCFGR_PLL1FRACEN | RCC_PLLCFGR_PLL1VCOSEL | RCC_PLLCFGR_PLL1RGE_MASK,
                    RCC_PLLCFGR_PLL1RGE(PLL1_INPUT_RANGE) | RCC_PLLCFGR_DIVP1EN | RCC_PLLCFGR_DIVQ1EN |
                        RCC_PLLCFGR_DIVR1EN);
    giga_reg_update(&RCC_CR, 0, RCC_CR_PLL1ON);
    return giga_reg_wait(&RCC_CR, RCC_CR_PLL1RDY, RCC_CR_PLL1RDY);
}

/* The I/O compensation cell (SYSCFG_CCCSR, RM0399 §13.3: EN bit 0, READY bit 8, offset 0x20
 * as ST's stm32h747xx.h has it), which ST recommends for I/O speeds above 50 MHz (the
 * SDRAM's clock runs at 80 MHz). As Arduino's GIGA core does once its clock is raised
 * (system_clock_override.c: the CSI on, SYSCFG's clock on, HAL_EnableCompensationCell):
 * the CSI, which clocks the cell, then EN; then READY, with a limit. A cell that never reads
 * READY is turned off again (the I/Os work as before, uncompensated): false. */
static bool io_compensation_on(void)
{
    if (SYSCFG_CCCSR & SYSCFG_CCCSR_READY)
        return true;
    giga_clock_enable(RCC_CN_APB4ENR, RCC_APB4ENR_SYSCFGEN);
    giga_reg_update(&RCC_CR, 0, RCC_CR_CSION);
    giga_reg_update(&SYSCFG_CCCSR, 0, SYSCFG_CCCSR_EN);
    if (giga_reg_wait(&SYSCFG_CCCSR, SYSCFG_CCCSR_READY, SYSCFG_CCCSR_READY))
        return true;
    giga_reg_update(&SYSCFG_CCCSR, SYSCFG_CCCSR_EN, 0);
    return false;
}

bool giga_clock_setup(void)
{
    if (!giga_is_m7())
        return false; /* the M4 never sets the clocks */
    if (at_full_speed())
        return io_compensation_on();
    if (!supply_ldo() || !voltage_vos0() || !pll1_from_hse())
        return false;
    giga_reg_update(&FLASH_ACR, FLASH_ACR_LATENCY_MASK | FLASH_ACR_WRHIGHFREQ_MASK,
                    FLASH_ACR_VALUE(FLASH_WAIT_STATES, FLASH_WRHIGHFREQ));
    /* the new wait states are in force once FLASH_ACR reads them back (§4.3.8) */
    if (!giga_reg_wait(&FLASH_ACR, FLASH_ACR_LATENCY_MASK, FLASH_WAIT_STATES))
        return false;
    giga_reg_update(&RCC_D1CFGR, D1CFGR_MASK, D1CFGR_WANTED);
    giga_reg_update(&RCC_D2CFGR, D2CFGR_MASK, D2CFGR_WANTED);
    giga_reg_update(&RCC_D3CFGR, D3CFGR_MASK, D3CFGR_WANTED);
    giga_reg_update(&RCC_CFGR, RCC_CFGR_SW_MASK, RCC_CFGR_SW_PLL1);
    return giga_reg_wait(&RCC_CFGR, SWS_MASK, RCC_CFGR_SW_PLL1 << 3) && io_compensation_on();
}

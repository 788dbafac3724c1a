/* regs.h - the STM32H747's registers that the GIGA R1 port uses, written from the
 * reference manual RM0399 (Rev 4; "§" gives the section each register is described in)
 * and the Armv7-M Architecture Reference Manual (ARM DDI 0403E) for the core's own ones.
 * Only what the port touches is here: an address per register, and the bits it uses. */
#ifndef DUET_STM32H747_REGS_H
#define DUET_STM32H747_REGS_H

#include <stdint.h>

/* A register at an address. (The port's unit test on the host defines its own REG32, a
 * fake register file, before including this.) */
#ifndef REG32
#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#endif

/* ------------------------------------------------------------ memory map (RM0399 §2.3.2) */

#define SRAM4_BASE 0x38000000u      /* D3 SRAM4, 64 KiB: the shared region */
#define SRAM4_SIZE 0x10000u
#define FLASH_BANK1_BASE 0x08000000u
#define FLASH_BANK2_BASE 0x08100000u
#define FLASH_END 0x08200000u
#define D2_SRAM_M4_BASE 0x10000000u /* SRAM1..3 as the M4 sees them (alias of 0x30000000) */
#define D2_SRAM_SIZE 0x48000u       /* 288 KiB */
#define AXI_SRAM_BASE 0x24000000u   /* D1 AXI SRAM, 512 KiB */
#define SDRAM_BASE 0x60000000u      /* the GIGA's SDRAM once the FMC maps it here (bank swap) */

/* ------------------------------------------------------------ Cortex-M system registers */

/* CPUID base register (Armv7-M B3.2.3): PARTNO bits 15:4 */
#define SCB_CPUID REG32(0xE000ED00u)
#define SCB_CPUID_PARTNO(v) (((v) >> 4) & 0xFFFu)
#define CPUID_PARTNO_CORTEX_M7 0xC27u
#define CPUID_PARTNO_CORTEX_M4 0xC24u
/* Vector table offset register (Armv7-M B3.2.5) */
#define SCB_VTOR REG32(0xE000ED08u)
/* Application interrupt and reset control register (Armv7-M B3.2.6) */
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_AIRCR_VECTKEY (0x05FAu << 16)
#define SCB_AIRCR_SYSRESETREQ (1u << 2)
/* Configuration and control register (Armv7-M B3.2.8): the M7's cache enables */
#define SCB_CCR REG32(0xE000ED14u)
#define SCB_CCR_DC (1u << 16)
#define SCB_CCR_IC (1u << 17)
/* Cache identification (Armv7-M B4.8): size ID of the level selected by CSSELR */
#define SCB_CCSIDR REG32(0xE000ED80u)
#define SCB_CSSELR REG32(0xE000ED84u)
/* Cache maintenance operations (Armv7-M B2.2.7): invalidate all I, D by set/way */
#define SCB_ICIALLU REG32(0xE000EF50u)
#define SCB_DCISW REG32(0xE000EF60u)
#define SCB_DCCISW REG32(0xE000EF74u) /* clean and invalidate a data cache line by set/way */

/* NVIC (Armv7-M B3.4): clear-enable and clear-pending, 32 lines per word */
#define NVIC_ICER(n) REG32(0xE000E180u + 4u * (n))
#define NVIC_ICPR(n) REG32(0xE000E280u + 4u * (n))

/* MPU (Armv7-M B3.5): control, region number, base address, attributes and size */
#define MPU_TYPE REG32(0xE000ED90u) /* DREGION bits 15:8: the number of regions */
#define MPU_CTRL REG32(0xE000ED94u)
#define MPU_RNR REG32(0xE000ED98u)
#define MPU_RBAR REG32(0xE000ED9Cu)
#define MPU_RASR REG32(0xE000EDA0u)
#define MPU_CTRL_ENABLE (1u << 0)
#define MPU_CTRL_PRIVDEFENA (1u << 2)
#define MPU_RASR_ENABLE (1u << 0)
#define MPU_RASR_SIZE(log2) (((log2) - 1u) << 1)
#define MPU_RASR_TEX(t) ((t) << 19)
#define MPU_RASR_AP_FULL (3u << 24)

/* Debug exception and monitor control (Armv7-M C1.6.5): TRCENA turns the DWT on; the DWT's
 * cycle counter (Armv7-M C1.8.6, C1.8.7) times the start-up's microsecond delays. */
#define DEMCR REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CTRL_CYCCNTENA (1u << 0)
#define DWT_CYCCNT REG32(0xE0001004u)
/* The DWT's software lock (the Cortex-M7's CoreSight lock access register; a Cortex-M4 has
 * none, and the write is ignored there): DWT_CTRL takes no write until this key is written,
 * unless a debugger has unlocked it already. */
#define DWT_LAR REG32(0xE0001FB0u)
#define DWT_LAR_KEY 0xC5ACCE55u

/* ------------------------------------------------------------ RCC (RM0399 §9.7) */

#define RCC_BASE 0x58024400u
#define RCC_CR REG32(RCC_BASE + 0x000u)        /* §9.7.2 */
#define RCC_CR_HSIDIV(v) (((v) >> 3) & 3u)
#define RCC_CR_CSION (1u << 7) /* the 4 MHz CSI, the I/O compensation cell's clock */
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_HSEBYP (1u << 18)
#define RCC_CR_PLL1ON (1u << 24)
#define RCC_CR_PLL1RDY (1u << 25)
#define RCC_CFGR REG32(RCC_BASE + 0x010u)      /* §9.7.6: SW 2:0, SWS 5:3 */
#define RCC_CFGR_SWS(v) (((v) >> 3) & 7u)
#define RCC_CFGR_SW_MASK 7u
#define RCC_CFGR_SW_HSI 0u
#define RCC_CFGR_SW_PLL1 3u
#define RCC_D1CFGR REG32(RCC_BASE + 0x018u)    /* §9.7.7: D1CPRE 11:8, D1PPRE 6:4, HPRE 3:0 */
#define RCC_D2CFGR REG32(RCC_BASE + 0x01Cu)    /* §9.7.8: D2PPRE2 10:8, D2PPRE1 6:4 */
#define RCC_D3CFGR REG32(RCC_BASE + 0x020u)    /* §9.7.9: D3PPRE 6:4 */
#define RCC_PLLCKSELR REG32(RCC_BASE + 0x028u) /* §9.7.10: DIVM1 9:4, PLLSRC 1:0 */
#define RCC_PLLCKSELR_PLLSRC_HSE 2u
#define RCC_PLLCKSELR_DIVM1(m) ((uint32_t)(m) << 4)
#define RCC_PLLCKSELR_DIVM1_MASK (0x3Fu << 4)
#define RCC_PLLCFGR REG32(RCC_BASE + 0x02Cu)   /* §9.7.11: PLL1FRACEN bit 0 */
#define RCC_PLLCFGR_PLL1FRACEN (1u << 0)
#define RCC_PLLCFGR_PLL1VCOSEL (1u << 1)     /* 0: the wide VCO range (192..960 MHz) */
#define RCC_PLLCFGR_PLL1RGE(r) ((uint32_t)(r) << 2) /* 2: a reference of 4..8 MHz */
#define RCC_PLLCFGR_PLL1RGE_MASK (3u << 2)
#define RCC_PLLCFGR_DIVP1EN (1u << 16)
#define RCC_PLLCFGR_DIVQ1EN (1u << 17)
#define RCC_PLLCFGR_DIVR1EN (1u << 18)
#define RCC_PLL1DIVR REG32(RCC_BASE + 0x030u)  /* §9.7.12: DIVR1 30:24, DIVQ1 22:16, DIVP1 15:9, DIVN1 8:0 */
#define RCC_PLL1DIVR_VALUE(n, p, q, r) \
    (((uint32_t)(n) - 1u) | (((uint32_t)(p) - 1u) << 9) | (((uint32_t)(q) - 1u) << 16) | (((uint32_t)(r) - 1u) << 24))
#define RCC_PLL1FRACR REG32(RCC_BASE + 0x034u) /* §9.7.13: FRACN1 15:3 */
#define RCC_D1CCIPR REG32(RCC_BASE + 0x04Cu)   /* §9.7.18: FMCSEL 1:0 (00: rcc_hclk3) */
#define RCC_D1CCIPR_FMCSEL_MASK 3u
#define RCC_D2CCIP2R REG32(RCC_BASE + 0x054u)  /* §9.7.20: USART16SEL 5:3 */
#define RCC_D3CCIPR REG32(RCC_BASE + 0x058u)   /* §9.7.21: ADCSEL 17:16 */
#define RCC_BDCR REG32(RCC_BASE + 0x070u)      /* §9.7.25 */
#define RCC_BDCR_LSEON (1u << 0)
#define RCC_BDCR_LSERDY (1u << 1)
#define RCC_BDCR_RTCSEL_LSE (1u << 8)
#define RCC_BDCR_RTCSEL_MASK (3u << 8)
#define RCC_BDCR_RTCEN (1u << 15)
#define RCC_GCR REG32(RCC_BASE + 0x0A0u)       /* §9.7.36 */
#define RCC_GCR_BOOT_C2 (1u << 3)

/* Peripheral clock enables (§9.7.39-47). Each core has its own copy (RCC_C1_* for the M7
 * at +0x130, RCC_C2_* for the M4 at +0x190): a core enables what it uses in its own. */
#define RCC_C1_BLOCK (RCC_BASE + 0x130u)
#define RCC_C2_BLOCK (RCC_BASE + 0x190u)
#define RCC_CN_AHB3ENR 0x04u  /* §9.7.39: FMCEN bit 12 */
#define RCC_CN_AHB1ENR 0x08u  /* §9.7.40: ADC12EN bit 5 */
#define RCC_CN_AHB2ENR 0x0Cu  /* §9.7.41: SRAM1EN 29, SRAM2EN 30, SRAM3EN 31 */
#define RCC_CN_AHB4ENR 0x10u  /* §9.7.42: GPIOxEN bits 0..10, HSEMEN bit 25 */
#define RCC_CN_APB1LENR 0x18u /* §9.7.44: TIM2EN bit 0, TIM5EN bit 3 */
#define RCC_CN_APB2ENR 0x20u  /* §9.7.46: USART1EN bit 4 */
#define RCC_CN_APB4ENR 0x24u  /* §9.7.47: SYSCFGEN bit 1, RTCAPBEN bit 16 */
#define RCC_AHB3ENR_FMCEN (1u << 12)
#define RCC_AHB1ENR_ADC12EN (1u << 5)
#define RCC_AHB2ENR_SRAM123EN (7u << 29)
#define RCC_AHB4ENR_GPIOEN(port) (1u << (port))
#define RCC_AHB4ENR_HSEMEN (1u << 25)
#define RCC_APB1LENR_TIM2EN (1u << 0)
#define RCC_APB1LENR_TIM5EN (1u << 3)
#define RCC_APB2ENR_USART1EN (1u << 4)
#define RCC_APB4ENR_SYSCFGEN (1u << 1)
#define RCC_APB4ENR_RTCAPBEN (1u << 16)

/* ------------------------------------------------------------ PWR (RM0399 ch. 7) */

#define PWR_CR1 REG32(0x58024800u) /* PWR_CR1: DBP bit 8, backup domain write access */
#define PWR_CR1_DBP (1u << 8)
/* §7.8.2 PWR_CSR1: ACTVOSRDY, set once the supply configuration is done */
#define PWR_CSR1 REG32(0x58024804u)
#define PWR_CSR1_ACTVOSRDY (1u << 13)
/* §7.8.4 PWR_CR3: the supply configuration, writable once after power-on. LDOEN alone (no
 * SMPS: SDEN 0, BYPASS 0) is the GIGA's, as its mbed target sets it (PWR_LDO_SUPPLY). */
#define PWR_CR3 REG32(0x5802480Cu)
#define PWR_CR3_BYPASS (1u << 0)
#define PWR_CR3_LDOEN (1u << 1)
#define PWR_CR3_SDEN (1u << 2)
#define PWR_CR3_SUPPLY_MASK (PWR_CR3_BYPASS | PWR_CR3_LDOEN | PWR_CR3_SDEN)
#define PWR_CR3_SUPPLY_RESET (PWR_CR3_LDOEN | PWR_CR3_SDEN) /* its value at power-on: not yet written */
/* §7.8.7 PWR_D3CR: VOS 15:14 (11: scale 1), VOSRDY bit 13. Scale 0 is scale 1 with the
 * overdrive on (SYSCFG_PWRCR.ODEN, §7.4 "voltage scaling"). */
#define PWR_D3CR REG32(0x58024818u)
#define PWR_D3CR_VOS_MASK (3u << 14)
#define PWR_D3CR_VOS1 (3u << 14)
#define PWR_D3CR_VOSRDY (1u << 13)

/* ------------------------------------------------------------ FLASH_ACR (RM0399 §4.9.1) */

/* LATENCY 3:0 (wait states), WRHIGHFREQ 5:4 (programming delay). At VOS0 with a 240 MHz
 * AXI clock: 4 wait states and WRHIGHFREQ 2 (§4.3.8, the table of read latencies). */
#define FLASH_ACR REG32(0x52002000u)
#define FLASH_ACR_LATENCY_MASK 0xFu
#define FLASH_ACR_WRHIGHFREQ_MASK (3u << 4)
#define FLASH_ACR_VALUE(ws, wrhighfreq) ((uint32_t)(ws) | ((uint32_t)(wrhighfreq) << 4))

/* ------------------------------------------------------------ FLASH option bytes (RM0399 ch. 4, FLASH registers) */

#define FLASH_BASE_R 0x52002000u
#define FLASH_OPTKEYR REG32(FLASH_BASE_R + 0x08u)   /* FLASH_OPTKEYR */
#define FLASH_OPTKEY1 0x08192A3Bu
#define FLASH_OPTKEY2 0x4C5D6E7Fu
#define FLASH_OPTCR REG32(FLASH_BASE_R + 0x18u)     /* FLASH_OPTCR */
#define FLASH_OPTCR_OPTLOCK (1u << 0)
#define FLASH_OPTCR_OPTSTART (1u << 1)
#define FLASH_OPTSR_CUR REG32(FLASH_BASE_R + 0x1Cu) /* FLASH_OPTSR_CUR: OPT_BUSY bit 0 */
#define FLASH_OPTSR_PRG REG32(FLASH_BASE_R + 0x20u) /* FLASH_OPTSR_PRG */
#define FLASH_OPTSR_OPT_BUSY (1u << 0)
#define FLASH_OPTSR_BCM4 (1u << 22)
#define FLASH_OPTSR_OPTCHANGEERR (1u << 30) /* the last option-byte change failed */
#define FLASH_OPTCCR REG32(FLASH_BASE_R + 0x24u)    /* FLASH_OPTCCR: CLR_OPTCHANGEERR bit 30 */
#define FLASH_OPTCCR_CLR_OPTCHANGEERR (1u << 30)

/* ------------------------------------------------------------ SYSCFG (RM0399 §13.3) */

#define SYSCFG_BASE 0x58000400u
/* §13.3.16 SYSCFG_UR3: the M4's boot address 0 (BOOT pin low), address bits 31:16.
 * RM0399 Rev 4's figure places BCM4_ADD0 in bits 15:0; ST's device header and HAL (which
 * the Arduino core's bootM4() runs on silicon) place it in bits 31:16. We follow the code
 * that is known to boot the M4. */
#define SYSCFG_UR3 REG32(SYSCFG_BASE + 0x30Cu)
#define SYSCFG_UR3_BCM4_ADD0_SHIFT 16u
/* §13.3 SYSCFG_PWRCR (offset 0x2C): ODEN bit 0, the overdrive that makes VOS1 into VOS0 */
#define SYSCFG_PWRCR REG32((SYSCFG_BASE + 0x02Cu))
#define SYSCFG_PWRCR_ODEN (1u << 0)
/* §13.3 SYSCFG_CCCSR (offset 0x20, ST's stm32h747xx.h): the I/O compensation cell, EN bit 0,
 * READY bit 8 */
#define SYSCFG_CCCSR REG32((SYSCFG_BASE + 0x020u))
#define SYSCFG_CCCSR_EN (1u << 0)
#define SYSCFG_CCCSR_READY (1u << 8)

/* ------------------------------------------------------------ HSEM (RM0399 §11.4) */

#define HSEM_BASE 0x58026400u
#define HSEM_R(n) REG32(HSEM_BASE + 0x000u + 4u * (n))   /* §11.4.1 */
#define HSEM_RLR(n) REG32(HSEM_BASE + 0x080u + 4u * (n)) /* §11.4.2 */
/* Interrupt line n (1: the M7, 2: the M4): enable, clear, status, masked status */
#define HSEM_IER(line) REG32(HSEM_BASE + 0x100u + 0x10u * ((line) - 1u)) /* §11.4.3 */
#define HSEM_ICR(line) REG32(HSEM_BASE + 0x104u + 0x10u * ((line) - 1u)) /* §11.4.4 */
#define HSEM_ISR(line) REG32(HSEM_BASE + 0x108u + 0x10u * ((line) - 1u))  /* §11.4.5 */
#define HSEM_MISR(line) REG32(HSEM_BASE + 0x10Cu + 0x10u * ((line) - 1u)) /* §11.4.6 */
#define HSEM_LOCK (1u << 31)
#define HSEM_COREID(id) ((uint32_t)(id) << 8)
/* Table 95: bus master 0 (processor 1, the M7) is COREID 3, processor 2 (the M4) COREID 1 */
#define HSEM_COREID_M7 3u
#define HSEM_COREID_M4 1u
/* NVIC lines (RM0399 interrupt and event chapter, vector table): HSEM1 on the M7,
 * HSEM2 on the M4; TIM2 on either */
#define IRQ_HSEM1 125u
#define IRQ_HSEM2 126u
#define IRQ_TIM2 28u
#define IRQ_TIM5 50u

/* ------------------------------------------------------------ FMC (RM0399 FMC chapter, NOR/PSRAM controller registers) */

#define FMC_BCR1 REG32(0x52004000u) /* FMC_BCR1: FMCEN bit 31, BMAP 25:24 */
#define FMC_BCR1_FMCEN (1u << 31)
#define FMC_BCR1_BMAP(v) (((v) >> 24) & 3u)
/* Bank 1 disabled, as ST's and Arduino's start-up leave it so that the M7's speculative
 * reads of 0x60000000 do not stall the bus. */
#define FMC_BCR1_BANK1_OFF 0x000030D2u
#define FMC_BCR1_BMAP_SWAP (1u << 24) /* BMAP 01: SDRAM bank 1 at 0x60000000, NOR/PSRAM at 0xC0000000 */
#define FMC_BCR1_BMAP_MASK (3u << 24)

/* The SDRAM controller (RM0399 FMC chapter, "SDRAM controller registers"). Bank 1's
 * FMC_SDCR1 and FMC_SDTR1 also hold the fields both banks share (SDCLK, RBURST, RPIPE;
 * TRC, TRP). */
#define FMC_SDCR1 REG32(0x52004140u)
#define FMC_SDCR_NC(bits) ((uint32_t)(bits) - 8u)               /* column bits, 8..11 */
#define FMC_SDCR_NR(bits) (((uint32_t)(bits) - 11u) << 2)       /* row bits, 11..13 */
#define FMC_SDCR_MWID_16 (1u << 4)                              /* a 16-bit data bus */
#define FMC_SDCR_NB_4 (1u << 6)                                 /* four internal banks */
#define FMC_SDCR_CAS(cycles) ((uint32_t)(cycles) << 7)          /* CAS latency 1..3 */
#define FMC_SDCR_SDCLK(div) ((uint32_t)(div) << 10)             /* SDCLK = fmc_ker_ck / div, 2 or 3 */
#define FMC_SDCR_RBURST (1u << 12)                              /* reads in bursts (one CAS latency a burst) */
#define FMC_SDCR_RPIPE(cycles) ((uint32_t)(cycles) << 13)       /* read pipe delay 0..2 */
#define FMC_SDTR1 REG32(0x52004148u)
/* Each timing in SDCLK cycles (1..16), stored minus one: TMRD 3:0, TXSR 7:4, TRAS 11:8,
 * TRC 15:12, TWR 19:16, TRP 23:20, TRCD 27:24. */
#define FMC_SDTR_VALUE(tmrd, txsr, tras, trc, twr, trp, trcd)                              \
    (((uint32_t)(tmrd) - 1u) | (((uint32_t)(txsr) - 1u) << 4) | (((uint32_t)(tras) - 1u) << 8) | \
     (((uint32_t)(trc) - 1u) << 12) | (((uint32_t)(twr) - 1u) << 16) | (((uint32_t)(trp) - 1u) << 20) | \
     (((uint32_t)(trcd) - 1u) << 24))
/* FMC_SDCMR: MODE 2:0, CTB1 bit 4 (the command goes to bank 1), NRFS 8:5 (auto-refreshes
 * minus one), MRD 21:9 (the SDRAM's mode register). The STM32H7's controller takes each
 * command at once: its status register (FMC_SDSR) has no busy flag, unlike the F7's. */
#define FMC_SDCMR REG32(0x52004150u)
#define FMC_SDCMR_CLK_ENABLE 1u
#define FMC_SDCMR_PALL 2u
#define FMC_SDCMR_AUTO_REFRESH 3u
#define FMC_SDCMR_LOAD_MODE 4u
#define FMC_SDCMR_CTB1 (1u << 4)
#define FMC_SDCMR_NRFS(n) (((uint32_t)(n) - 1u) << 5)
#define FMC_SDCMR_MRD(v) ((uint32_t)(v) << 9)
/* FMC_SDRTR: COUNT 13:1, the refresh timer (a refresh every COUNT + 1 SDCLK cycles) */
#define FMC_SDRTR REG32(0x52004154u)
#define FMC_SDRTR_COUNT(n) ((uint32_t)(n) << 1)

/* ------------------------------------------------------------ GPIO (RM0399 §12.4) */

#define GPIO_BASE(port) (0x58020000u + 0x400u * (port)) /* port 0 = A .. 10 = K */
#define GPIO_MODER(port) REG32(GPIO_BASE(port) + 0x00u)   /* §12.4.1 */
#define GPIO_OSPEEDR(port) REG32(GPIO_BASE(port) + 0x08u) /* §12.4.3 */
#define GPIO_PUPDR(port) REG32(GPIO_BASE(port) + 0x0Cu)   /* §12.4.4 */
#define GPIO_IDR(port) REG32(GPIO_BASE(port) + 0x10u)     /* §12.4.5 */
#define GPIO_ODR(port) REG32(GPIO_BASE(port) + 0x14u)     /* §12.4.6 */
#define GPIO_BSRR(port) REG32(GPIO_BASE(port) + 0x18u)    /* §12.4.7 */
#define GPIO_AFR(port, pin) REG32(GPIO_BASE(port) + 0x20u + 4u * ((pin) >> 3)) /* §12.4.9-10 */
#define GPIO_MODE_INPUT 0u
#define GPIO_MODE_OUTPUT 1u
#define GPIO_MODE_AF 2u
#define GPIO_MODE_ANALOG 3u
#define GPIO_SPEED_MEDIUM 1u /* OSPEEDR 01 (§12.4.3) */
#define GPIO_PULL_NONE 0u
#define GPIO_PULL_UP 1u

/* ------------------------------------------------------------ USART1 (RM0399 USART chapter, USART registers) */

#define USART1_BASE 0x40011000u
#define USART_CR1(b) REG32((b) + 0x00u)
#define USART_BRR(b) REG32((b) + 0x0Cu)
#define USART_ISR(b) REG32((b) + 0x1Cu)
#define USART_ICR(b) REG32((b) + 0x20u)
#define USART_RDR(b) REG32((b) + 0x24u)
#define USART_TDR(b) REG32((b) + 0x28u)
#define USART_CR1_UE (1u << 0)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_ISR_ORE (1u << 3)
#define USART_ISR_RXNE (1u << 5)
#define USART_ISR_TC (1u << 6)
#define USART_ISR_TXE (1u << 7)
#define USART_ICR_ORECF (1u << 3)

/* ------------------------------------------------------------ ADC1 (RM0399 ADC chapter, ADC registers) */

#define ADC1_BASE 0x40022000u
#define ADC_ISR REG32(ADC1_BASE + 0x00u)
#define ADC_CR REG32(ADC1_BASE + 0x08u)
#define ADC_CFGR REG32(ADC1_BASE + 0x0Cu)
#define ADC_SMPR(ch) REG32(ADC1_BASE + ((ch) < 10u ? 0x14u : 0x18u))
#define ADC_PCSEL REG32(ADC1_BASE + 0x1Cu)
#define ADC_SQR1 REG32(ADC1_BASE + 0x30u)
#define ADC_DR REG32(ADC1_BASE + 0x40u)
#define ADC12_CCR REG32(0x40022300u + 0x08u) /* ADC1/2 common control register */
#define ADC_ISR_ADRDY (1u << 0)
#define ADC_ISR_EOC (1u << 2)
#define ADC_CR_ADEN (1u << 0)
#define ADC_CR_ADSTART (1u << 2)
#define ADC_CR_BOOST_LOW (1u << 8)      /* BOOST 01: an ADC clock up to 12.5 MHz */
#define ADC_CR_ADCALLIN (1u << 16)
#define ADC_CR_ADVREGEN (1u << 28)
#define ADC_CR_DEEPPWD (1u << 29)
#define ADC_CR_ADCAL (1u << 31)
#define ADC_CCR_PRESC_DIV4 (2u << 18)
#define RCC_D3CCIPR_ADCSEL_PER (2u << 16) /* the ADC's kernel clock: per_ck (HSI, 64 MHz) */
#define RCC_D3CCIPR_ADCSEL_MASK (3u << 16)

/* ------------------------------------------------------------ TIM2, TIM5 (RM0399 TIM2-5 chapter, registers) */

#define TIM2_BASE 0x40000000u
#define TIM5_BASE 0x40000C00u
#define TIM_CR1(b) REG32((b) + 0x00u)
#define TIM_DIER(b) REG32((b) + 0x0Cu)
#define TIM_SR(b) REG32((b) + 0x10u)
#define TIM_EGR(b) REG32((b) + 0x14u)
#define TIM_CNT(b) REG32((b) + 0x24u)
#define TIM_PSC(b) REG32((b) + 0x28u)
#define TIM_ARR(b) REG32((b) + 0x2Cu)
#define TIM_CCR1(b) REG32((b) + 0x34u)
#define TIM_CR1_CEN (1u << 0)
#define TIM_DIER_UIE (1u << 0)
#define TIM_DIER_CC1IE (1u << 1)
#define TIM_SR_UIF (1u << 0)
#define TIM_SR_CC1IF (1u << 1)
#define TIM_EGR_UG (1u << 0)

/* ------------------------------------------------------------ RTC (RM0399 RTC chapter, registers) */

#define RTC_BASE 0x58004000u
#define RTC_TR REG32(RTC_BASE + 0x00u)  /* time, BCD: HT 21:20 HU 19:16 MNT 14:12 MNU 11:8 ST 6:4 SU 3:0 */
#define RTC_DR REG32(RTC_BASE + 0x04u)  /* date, BCD: YT 23:20 YU 19:16 WDU 15:13 MT 12 MU 11:8 DT 5:4 DU 3:0 */
#define RTC_CR REG32(RTC_BASE + 0x08u)
#define RTC_ISR REG32(RTC_BASE + 0x0Cu)
#define RTC_WPR REG32(RTC_BASE + 0x24u)
#define RTC_CR_BYPSHAD (1u << 5) /* reads of TR, DR come from the counters, not the shadows */
#define RTC_ISR_RSF (1u << 5)
#define RTC_ISR_INITF (1u << 6)
#define RTC_ISR_INIT (1u << 7)

#endif

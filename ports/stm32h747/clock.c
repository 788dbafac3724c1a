/* clock.c - reads the clock tree (RM0399 §9.5, registers §9.7) to find each core's clock. */
#include "chip.h"
#include "regs.h"

#define HSI_HZ 64000000u
#define CSI_HZ 4000000u

bool giga_cpuid_is_m7(void)
{
    return SCB_CPUID_PARTNO(SCB_CPUID) == CPUID_PARTNO_CORTEX_M7;
}

void giga_clock_enable(uint32_t reg_offset, uint32_t bits)
{
    uint32_t block = giga_is_m7() ? RCC_C1_BLOCK : RCC_C2_BLOCK;
    REG32(block + reg_offset) |= bits;
    (void)REG32(block + reg_offset); /* the read waits until the clock is on */
}

/* The 4-bit D1CPRE / HPRE code as a shift: 0xxx: /1, 1000: /2 ... 1011: /16, 1100: /64,
 * 1101: /128, 1110: /256, 1111: /512 (§9.7.7). */
static unsigned ahb_shift(uint32_t code)
{
    static const uint8_t shift[8] = {1, 2, 3, 4, 6, 7, 8, 9};
    return code < 8 ? 0 : shift[code - 8];
}

/* The 3-bit APB prescaler code as a shift: 0xx: /1, 100: /2, 101: /4, 110: /8, 111: /16. */
static unsigned apb_shift(uint32_t code)
{
    return code < 4 ? 0 : code - 3;
}

static uint32_t hsi_hz(void)
{
    return HSI_HZ >> RCC_CR_HSIDIV(RCC_CR);
}

/* pll1_p_ck = ref / DIVM1 * (DIVN1 + 1 + FRACN1 / 8192) / (DIVP1 + 1)  (§9.5.5, §9.7.10-13) */
static uint32_t pll1_p_hz(void)
{
    uint32_t sel = RCC_PLLCKSELR;
    uint32_t m = (sel >> 4) & 0x3Fu;
    uint32_t ref;
    switch (sel & 3u) {
    case 0: ref = hsi_hz(); break;
    case 1: ref = CSI_HZ; break;
    case 2: ref = DUET_STM32H747_HSE_HZ; break;
    default: return 0;
    }
    if (m == 0)
        return 0;
    uint32_t div = RCC_PLL1DIVR;
    uint32_t n8192 = ((div & 0x1FFu) + 1u) * 8192u; /* DIVN1 + 1 + FRACN1 / 8192, in 8192ths */
    if (RCC_PLLCFGR & 1u)
        n8192 += (RCC_PLL1FRACR >> 3) & 0x1FFFu;
    uint32_t p = ((div >> 9) & 0x7Fu) + 1u;
    /* ref / m * n8192 / 8192 with no 64-bit division, which would link the compiler's
     * routine (700 B) into every image: the whole part of ref / m, then its remainder
     * (under 64, times n8192 under 2^23: it fits 32 bits). */
    uint64_t vco = ((uint64_t)(ref / m) * n8192 + (ref % m) * n8192 / m) >> 13;
    return (vco > UINT32_MAX ? UINT32_MAX : (uint32_t)vco) / p;
}

/* sys_ck, from the switch status (§9.7.6 SWS) */
static uint32_t sys_hz(void)
{
    switch (RCC_CFGR_SWS(RCC_CFGR)) {
    case 0: return hsi_hz();
    case 1: return CSI_HZ;
    case 2: return DUET_STM32H747_HSE_HZ;
    case 3: return pll1_p_hz();
    default: return HSI_HZ;
    }
}

/* The M7 runs on sys_ck / D1CPRE; the M4 and the AHB buses on that / HPRE (§9.5.6). */
static uint32_t m7_hz(void)
{
    return sys_hz() >> ahb_shift((RCC_D1CFGR >> 8) & 0xFu);
}

static uint32_t hclk_hz(void)
{
    return m7_hz() >> ahb_shift(RCC_D1CFGR & 0xFu);
}

uint32_t giga_clock_hclk_hz(void)
{
    return hclk_hz();
}

uint32_t giga_clock_cpu_hz(void)
{
    uint32_t hz = giga_is_m7() ? m7_hz() : hclk_hz();
    return hz ? hz : HSI_HZ; /* a PLL without a source: the HSI's rate rather than none */
}

uint32_t giga_clock_pclk2_hz(void)
{
    return hclk_hz() >> apb_shift((RCC_D2CFGR >> 8) & 7u);
}

/* With TIMPRE 0 the timers run at pclk1 when APB1 divides by 1, else at twice pclk1
 * (§9.7.6, Table 59). */
uint32_t giga_clock_tim_apb1_hz(void)
{
    unsigned shift = apb_shift((RCC_D2CFGR >> 4) & 7u);
    return shift == 0 ? hclk_hz() : (hclk_hz() >> shift) * 2u;
}

/* sdram.c - the GIGA R1's SDRAM: 8 MiB, a 16-bit chip with 4 internal banks, 12 row and 8
 * column address bits, on the FMC's SDRAM bank 1 (SDCKE0/SDNE0). The board's wiring and the
 * chip's settings are those of Arduino's SDRAM library for this board since 2022 (CAS
 * latency 2, burst length 1 with read bursts, no read pipe delay, the timings below in SDCLK
 * cycles, 8 auto-refreshes, the pins at medium speed since 2025), with one difference: SDCLK
 * is the FMC's clock (rcc_hclk3, 240 MHz) / 3, 80 MHz, where Arduino's is 100 MHz from PLL2.
 * Each delay then lasts longer than Arduino's (TRCD 37.5 ns rather than 30), so the chip gets
 * at least the times it gets there, and the port sets up no second PLL without a board to
 * try it on. The registers and the start-up order are RM0399's (FMC chapter, "SDRAM
 * initialization"):
 *   1. the pins (AF12), the FMC's clock and kernel clock (rcc_hclk3, §9.7.18)
 *   2. FMC_SDCR1 (the chip's shape) and FMC_SDTR1 (its timings), the FMC on (FMC_BCR1.FMCEN)
 *      with the SDRAM mapped at 0x60000000 (BMAP 01: banks swapped)
 *   3. commands to bank 1 (the STM32H7's controller takes each at once): clock enable; 100
 *      us of power-up; precharge all; 8 auto-refreshes; load mode register
 *   4. the refresh timer: 4096 rows every 64 ms
 *   5. MPU region 1 on the M7: normal memory, not cached (TEX 1, C 0, B 0), so the M4 image
 *      the M7 copies there is in the SDRAM when the M4 starts, with no cache to clean. */
#include "chip.h"
#include "regs.h"

#include "duet/error.h"

#define SDRAM_COLUMN_BITS 8u
#define SDRAM_ROW_BITS 12u
#define SDRAM_CAS 2u
#define SDRAM_ROWS 4096u
#define SDRAM_REFRESH_MS 64u /* every row within 64 ms */
#define SDRAM_POWER_UP_US 100u
#define SDRAM_AUTO_REFRESHES 8u
#define SDRAM_SDCLK_DIVIDER 3u /* SDCLK = rcc_hclk3 / 3 */
/* The mode register: burst length 1 (000), sequential, CAS latency 2 (bits 6:4 = 010),
 * single-location writes (bit 9). */
#define SDRAM_MODE ((SDRAM_CAS << 4) | 0x200u)
#define SDRAM_MPU_REGION 1u /* region 0 is SRAM4 (startup.c) */
#define SDRAM_SIZE_LOG2 23u /* 8 MiB */
#define GPIO_AF_FMC 12u

#define SDCR1_WANTED                                                                                          \
    (FMC_SDCR_NC(SDRAM_COLUMN_BITS) | FMC_SDCR_NR(SDRAM_ROW_BITS) | FMC_SDCR_MWID_16 | FMC_SDCR_NB_4 |         \
     FMC_SDCR_CAS(SDRAM_CAS) | FMC_SDCR_SDCLK(SDRAM_SDCLK_DIVIDER) | FMC_SDCR_RBURST | FMC_SDCR_RPIPE(0u))
/* TMRD 2, TXSR 7, TRAS 5, TRC 7, TWR 2, TRP 3, TRCD 3 (SDCLK cycles) */
#define SDTR1_WANTED FMC_SDTR_VALUE(2u, 7u, 5u, 7u, 2u, 3u, 3u)

/* The FMC's pins on the GIGA R1, per GPIO port (D..H): address, data, control. */
static const struct {
    uint8_t port;
    uint16_t pins;
} sdram_pins[] = {
    {3, 0xC703u}, /* PD0 PD1 PD8 PD9 PD10 PD14 PD15 */
    {4, 0xFF83u}, /* PE0 PE1 PE7..PE15 */
    {5, 0xF83Fu}, /* PF0..PF5 PF11..PF15 */
    {6, 0x8137u}, /* PG0 PG1 PG2 PG4 PG5 PG8 PG15 */
    {7, 0x002Cu}, /* PH2 (SDCKE0) PH3 (SDNE0) PH5 (SDNWE) */
};

/* Alternate function 12, medium speed (OSPEEDR 01), pulled up, for every pin of one port. */
static void pins_to_fmc(unsigned port, uint16_t pins)
{
    uint32_t mask2 = 0, mode = 0, speed = 0, pull = 0, af_mask[2] = {0, 0}, af[2] = {0, 0};
    for (unsigned bit = 0; bit < 16; bit++) {
        if (!(pins & (1u << bit)))
            continue;
        mask2 |= 3u << (bit * 2u);
        mode |= GPIO_MODE_AF << (bit * 2u);
        speed |= GPIO_SPEED_MEDIUM << (bit * 2u);
        pull |= GPIO_PULL_UP << (bit * 2u);
        af_mask[bit / 8u] |= 0xFu << ((bit % 8u) * 4u);
        af[bit / 8u] |= GPIO_AF_FMC << ((bit % 8u) * 4u);
    }
    giga_clock_enable(RCC_CN_AHB4ENR, RCC_AHB4ENR_GPIOEN(port));
    /* The M4 may be running and writing other pins of these ports (D6, D13, D14, D16, ...):
     * the read-modify-writes hold the GPIO semaphore, as every other GPIO write of the port. */
    giga_sem_take(GIGA_SEM_GPIO);
    giga_reg_update(&GPIO_AFR(port, 0), af_mask[0], af[0]);
    giga_reg_update(&GPIO_AFR(port, 8), af_mask[1], af[1]);
    giga_reg_update(&GPIO_OSPEEDR(port), mask2, speed);
    giga_reg_update(&GPIO_PUPDR(port), mask2, pull);
    giga_reg_update(&GPIO_MODER(port), mask2, mode);
    giga_sem_give(GIGA_SEM_GPIO);
}

/* One command to bank 1. */
static void command(uint32_t cmd)
{
    giga_reg_update(&FMC_SDCMR, 0xFFFFFFFFu, cmd | FMC_SDCMR_CTB1);
}

/* The refresh timer's count: one row's share of the refresh period in SDCLK cycles, less
 * the 20-cycle margin RM0399 gives for the refresh that waits behind a read. */
static uint32_t refresh_count(void)
{
    uint32_t sdclk_khz = giga_clock_hclk_hz() / (1000u * SDRAM_SDCLK_DIVIDER);
    /* in 32 bits (no 64-bit division in the image): 64 ms x 80,000 kHz is 5,120,000 */
    return SDRAM_REFRESH_MS * sdclk_khz / SDRAM_ROWS - 20u;
}

static void mpu_region_uncached(void)
{
    giga_barrier();
    giga_reg_update(&MPU_RNR, 0xFFFFFFFFu, SDRAM_MPU_REGION);
    giga_reg_update(&MPU_RBAR, 0xFFFFFFFFu, SDRAM_BASE);
    giga_reg_update(&MPU_RASR, 0xFFFFFFFFu,
                    MPU_RASR_AP_FULL | MPU_RASR_TEX(1u) | MPU_RASR_SIZE(SDRAM_SIZE_LOG2) | MPU_RASR_ENABLE);
    giga_barrier();
}

int giga_sdram_init(void)
{
    if (!giga_is_m7())
        return DUET_ERR_NOT_SUPPORTED; /* the M7 sets the SDRAM up before the M4 starts */
    if ((FMC_BCR1 & FMC_BCR1_FMCEN) && (FMC_BCR1 & FMC_BCR1_BMAP_MASK) == FMC_BCR1_BMAP_SWAP &&
        FMC_SDCR1 == SDCR1_WANTED && (FMC_SDRTR & ~1u) == FMC_SDRTR_COUNT(refresh_count()))
        return DUET_OK; /* done before */
    for (unsigned i = 0; i < sizeof sdram_pins / sizeof sdram_pins[0]; i++)
        pins_to_fmc(sdram_pins[i].port, sdram_pins[i].pins);
    giga_clock_enable(RCC_CN_AHB3ENR, RCC_AHB3ENR_FMCEN);
    giga_sem_take(GIGA_SEM_RCC); /* RCC_D1CCIPR is both cores' (the RCC semaphore) */
    giga_reg_update(&RCC_D1CCIPR, RCC_D1CCIPR_FMCSEL_MASK, 0); /* rcc_hclk3 */
    giga_sem_give(GIGA_SEM_RCC);
    giga_reg_update(&FMC_SDCR1, 0x7FFFu, SDCR1_WANTED);
    giga_reg_update(&FMC_SDTR1, 0x0FFFFFFFu, SDTR1_WANTED);
    giga_reg_update(&FMC_BCR1, FMC_BCR1_BMAP_MASK, FMC_BCR1_BMAP_SWAP | FMC_BCR1_FMCEN);
    command(FMC_SDCMR_CLK_ENABLE);
    giga_delay_us(SDRAM_POWER_UP_US);
    command(FMC_SDCMR_PALL);
    command(FMC_SDCMR_AUTO_REFRESH | FMC_SDCMR_NRFS(SDRAM_AUTO_REFRESHES));
    command(FMC_SDCMR_LOAD_MODE | FMC_SDCMR_MRD(SDRAM_MODE));
    giga_reg_update(&FMC_SDRTR, 0x3FFEu, FMC_SDRTR_COUNT(refresh_count()));
    mpu_region_uncached();
    return DUET_OK;
}

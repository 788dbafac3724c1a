/* test_giga_port.c - the GIGA R1 port's logic on the host, over a fake register file:
 * the clock tree as the port reads it, the M4's boot (checks, SYSCFG_UR3, BOOT_C2), the
 * HSEM doorbells and locks. What it cannot show is the silicon's answer to those writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "chip.h"
#include "regs.h"

#include "duet/error.h"

/* What the port calls outside the files under test. */
static unsigned irq_enabled, irq_cleared, bcm4_cleared;

void duet_cortex_m_irq_enable(unsigned irq)
{
    irq_enabled = irq;
}

void duet_cortex_m_irq_clear_pending(unsigned irq)
{
    irq_cleared = irq;
}

void giga_clear_bcm4_and_reset(void)
{
    bcm4_cleared++;
}

#define CPUID_M7 0x411FC270u /* Cortex-M7 r1p0 */
#define CPUID_M4 0x410FC241u /* Cortex-M4 r0p1 */

static int setup_m7(void **state)
{
    (void)state;
    giga_fake_reset();
    irq_enabled = irq_cleared = bcm4_cleared = 0;
    giga_doorbell_flag = 0;
    SCB_CPUID = CPUID_M7;
    return 0;
}

static int setup_m4(void **state)
{
    setup_m7(state);
    SCB_CPUID = CPUID_M4;
    return 0;
}

/* ------------------------------------------------------------ clocks */

static void test_core_from_cpuid(void **state)
{
    (void)state;
    assert_true(giga_is_m7());
    SCB_CPUID = CPUID_M4;
    assert_false(giga_is_m7());
}

static void test_clock_after_reset_is_hsi(void **state)
{
    (void)state;
    assert_int_equal(giga_clock_cpu_hz(), 64000000u);
    assert_int_equal(giga_clock_pclk2_hz(), 64000000u);
    RCC_CR = 2u << 3; /* HSIDIV /4 */
    assert_int_equal(giga_clock_cpu_hz(), 16000000u);
}

/* Arduino's GIGA set-up: HSE 16 MHz / 2 * 120 / 2 = 480 MHz, AHB / 2, APBs / 2. */
static void arduino_clocks(void)
{
    RCC_CFGR = 3u << 3;                /* SWS: PLL1 */
    RCC_PLLCKSELR = 2u << 4 | 2u;      /* DIVM1 2, source HSE */
    RCC_PLL1DIVR = 1u << 9 | 119u;     /* DIVP1 2, DIVN1 120 */
    RCC_D1CFGR = 8u;                   /* D1CPRE /1, HPRE /2 */
    RCC_D2CFGR = 4u << 8 | 4u << 4;    /* D2PPRE2 /2, D2PPRE1 /2 */
}

static void test_clock_arduino_m7(void **state)
{
    (void)state;
    arduino_clocks();
    assert_int_equal(giga_clock_cpu_hz(), 480000000u);
    assert_int_equal(giga_clock_cpu_hz() / 1000u, 480000u); /* SysTick a millisecond (port.c) */
    assert_int_equal(giga_clock_pclk2_hz(), 120000000u);
    assert_int_equal(giga_clock_tim_apb1_hz(), 240000000u);
}

static void test_clock_arduino_m4(void **state)
{
    (void)state;
    arduino_clocks();
    assert_int_equal(giga_clock_cpu_hz(), 240000000u);
}

static void test_clock_fractional_pll(void **state)
{
    (void)state;
    arduino_clocks();
    RCC_PLLCFGR = 1u;            /* PLL1FRACEN */
    RCC_PLL1FRACR = 4096u << 3;  /* N + 0.5 */
    assert_int_equal(giga_clock_cpu_hz(), 482000000u);
}

/* A reference that DIVM1 does not divide evenly (HSI 64 MHz / 3 * 30 / 2 = 320 MHz): the
 * port divides in 32 bits and keeps the remainder, to the hertz. */
static void test_clock_pll_uneven_reference(void **state)
{
    (void)state;
    arduino_clocks();
    RCC_PLLCKSELR = 3u << 4 | 0u;  /* DIVM1 3, source HSI */
    RCC_PLL1DIVR = 1u << 9 | 29u;  /* DIVP1 2, DIVN1 30 */
    RCC_D1CFGR = 0;                /* D1CPRE /1, HPRE /1 */
    assert_int_equal(giga_clock_cpu_hz(), 320000000u);
    RCC_PLLCFGR = 1u;              /* PLL1FRACEN */
    RCC_PLL1FRACR = 8191u << 3;    /* N + 8191/8192: 64e6 / 3 * (30 + 8191/8192) / 2 */
    assert_int_equal(giga_clock_cpu_hz(), 330665364u);
}

static void test_clock_pll_without_source_falls_back(void **state)
{
    (void)state;
    arduino_clocks();
    RCC_PLLCKSELR = 2u << 4 | 3u; /* "no clock" */
    assert_int_equal(giga_clock_cpu_hz(), 64000000u);
}

/* ------------------------------------------------------------ booting the M4 */

static void image(uint32_t at, uint32_t sp, uint32_t reset)
{
    REG32(at) = sp;
    REG32(at + 4u) = reset;
}

static void test_boot_starts_the_m4(void **state)
{
    (void)state;
    SYSCFG_UR3 = 0x12345678u;
    image(0x08180000u, 0x10048000u, 0x08180299u);
    assert_int_equal(giga_boot_m4(0x08180000u), DUET_OK);
    assert_int_equal(SYSCFG_UR3, 0x08185678u); /* BCM4_ADD0 = address >> 16, the rest kept */
    assert_true(RCC_GCR & RCC_GCR_BOOT_C2);
    assert_true(REG32(RCC_C1_BLOCK + RCC_CN_APB4ENR) & RCC_APB4ENR_SYSCFGEN);
    assert_int_equal(REG32(RCC_C2_BLOCK + RCC_CN_AHB2ENR) & RCC_AHB2ENR_SRAM123EN, RCC_AHB2ENR_SRAM123EN);
    assert_int_equal(bcm4_cleared, 0);
    /* a second boot without a reset is refused */
    assert_int_equal(giga_boot_m4(0x08180000u), DUET_ERR_STATE);
}

static void test_boot_refuses_what_is_no_image(void **state)
{
    (void)state;
    image(0x08100000u, 0xFFFFFFFFu, 0xFFFFFFFFu); /* erased flash */
    assert_int_equal(giga_boot_m4(0x08100000u), DUET_ERR_BOOT);
    image(0x08100000u, 0x10048000u, 0x08100298u); /* an ARM (not Thumb) reset entry */
    assert_int_equal(giga_boot_m4(0x08100000u), DUET_ERR_BOOT);
    image(0x08100000u, 0x10048000u, 0x08000401u); /* a reset entry before the image */
    assert_int_equal(giga_boot_m4(0x08100000u), DUET_ERR_BOOT);
    image(0x08100000u, 0x20020000u, 0x08100299u); /* the stack in the M7's DTCM */
    assert_int_equal(giga_boot_m4(0x08100000u), DUET_ERR_BOOT);
    assert_int_equal(giga_boot_m4(0x08108000u), DUET_ERR_BOOT); /* not on 64 KiB */
    assert_int_equal(giga_boot_m4(0x24000000u), DUET_ERR_BOOT); /* neither flash nor SDRAM */
    assert_false(RCC_GCR & RCC_GCR_BOOT_C2);
}

static void test_boot_from_sdram_needs_the_fmc(void **state)
{
    (void)state;
    image(0x60000000u, 0x10048000u, 0x60000299u);
    assert_int_equal(giga_boot_m4(0x60000000u), DUET_ERR_BOOT);
    FMC_BCR1 = FMC_BCR1_FMCEN | 1u << 24; /* SDRAM swapped to 0x60000000 */
    assert_int_equal(giga_boot_m4(0x60000000u), DUET_OK);
    assert_int_equal(SYSCFG_UR3 >> 16, 0x6000u);
}

static void test_boot_with_bcm4_set_clears_it(void **state)
{
    (void)state;
    FLASH_OPTSR_CUR = FLASH_OPTSR_BCM4;
    image(0x08100000u, 0x10048000u, 0x08100299u);
    assert_int_equal(giga_boot_m4(0x08100000u), DUET_ERR_BOOT); /* only if the reset returned */
    assert_int_equal(bcm4_cleared, 1);
    assert_false(RCC_GCR & RCC_GCR_BOOT_C2);
}

static void test_boot_is_the_m7s_job(void **state)
{
    (void)state;
    image(0x08100000u, 0x10048000u, 0x08100299u);
    assert_int_equal(giga_boot_m4(0x08100000u), DUET_ERR_STATE);
}

/* ------------------------------------------------------------ doorbells and locks */

static void test_doorbell_m7_listens_to_semaphore_1(void **state)
{
    (void)state;
    HSEM_IER(1) = 1u << 7; /* another user's semaphore stays enabled */
    giga_doorbell_init();
    assert_int_equal(HSEM_ICR(1), 1u << 1);
    assert_int_equal(HSEM_IER(1), 1u << 7 | 1u << 1);
    assert_int_equal(HSEM_IER(2), 0);
    assert_int_equal(irq_enabled, IRQ_HSEM1);
    assert_int_equal(irq_cleared, IRQ_HSEM1);
    assert_true(REG32(RCC_C1_BLOCK + RCC_CN_AHB4ENR) & RCC_AHB4ENR_HSEMEN);
}

static void test_doorbell_m4_listens_to_semaphore_0(void **state)
{
    (void)state;
    giga_doorbell_init();
    assert_int_equal(HSEM_ICR(2), 1u << 0);
    assert_int_equal(HSEM_IER(2), 1u << 0);
    assert_int_equal(irq_enabled, IRQ_HSEM2);
    assert_true(REG32(RCC_C2_BLOCK + RCC_CN_AHB4ENR) & RCC_AHB4ENR_HSEMEN);
    assert_int_equal(giga_doorbell_flag, 0); /* nothing rang before */
}

/* The M7 boots the M4 and may ring it before the M4 listens: the ring is kept. */
static void test_doorbell_m4_keeps_a_ring_from_before_init(void **state)
{
    (void)state;
    HSEM_ISR(2) = 1u << 0; /* semaphore 0 freed while line 2 was masked */
    giga_doorbell_init();
    assert_int_equal(giga_doorbell_flag, 1);
    assert_int_equal(HSEM_ICR(2), 1u << 0);
}

static void test_ring_frees_the_semaphore_it_took(void **state)
{
    (void)state;
    HSEM_RLR(0) = HSEM_LOCK | 3u << 8; /* the 1-step lock answers: taken by the M7 */
    HSEM_R(0) = 0xDEADu;
    giga_doorbell_ring();
    assert_int_equal(HSEM_R(0), 3u << 8); /* COREID 3, PROCID 0, LOCK 0: freed */
}

static void test_ring_leaves_a_semaphore_another_holds(void **state)
{
    (void)state;
    HSEM_RLR(0) = HSEM_LOCK | 1u << 8; /* held by the M4 */
    HSEM_R(0) = 0xDEADu;
    giga_doorbell_ring();
    assert_int_equal(HSEM_R(0), 0xDEADu);
}

static void test_ring_from_the_m4_uses_semaphore_1(void **state)
{
    (void)state;
    HSEM_RLR(1) = HSEM_LOCK | 1u << 8;
    giga_doorbell_ring();
    assert_int_equal(HSEM_R(1), 1u << 8);
    assert_int_equal(HSEM_R(0), 0);
}

static void test_isr_clears_and_flags(void **state)
{
    (void)state;
    HSEM_MISR(1) = 1u << 1;
    giga_hsem_isr();
    assert_int_equal(HSEM_ICR(1), 1u << 1);
    assert_int_equal(giga_doorbell_flag, 1);
    assert_int_equal(HSEM_ICR(2), 0);
}

static void test_shared_update_holds_the_lock(void **state)
{
    (void)state;
    volatile uint32_t *reg = &GPIO_MODER(0);
    *reg = 0xFFFFFFFFu;
    HSEM_RLR(GIGA_SEM_GPIO) = HSEM_LOCK | 3u << 8;
    giga_shared_update(reg, 3u << 18, 1u << 18, GIGA_SEM_GPIO);
    assert_int_equal(*reg, 0xFFF7FFFFu);
    assert_int_equal(HSEM_R(GIGA_SEM_GPIO), 3u << 8); /* given back */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_core_from_cpuid, setup_m7),
        cmocka_unit_test_setup(test_clock_after_reset_is_hsi, setup_m7),
        cmocka_unit_test_setup(test_clock_arduino_m7, setup_m7),
        cmocka_unit_test_setup(test_clock_arduino_m4, setup_m4),
        cmocka_unit_test_setup(test_clock_fractional_pll, setup_m7),
        cmocka_unit_test_setup(test_clock_pll_uneven_reference, setup_m7),
        cmocka_unit_test_setup(test_clock_pll_without_source_falls_back, setup_m7),
        cmocka_unit_test_setup(test_boot_starts_the_m4, setup_m7),
        cmocka_unit_test_setup(test_boot_refuses_what_is_no_image, setup_m7),
        cmocka_unit_test_setup(test_boot_from_sdram_needs_the_fmc, setup_m7),
        cmocka_unit_test_setup(test_boot_with_bcm4_set_clears_it, setup_m7),
        cmocka_unit_test_setup(test_boot_is_the_m7s_job, setup_m4),
        cmocka_unit_test_setup(test_doorbell_m7_listens_to_semaphore_1, setup_m7),
        cmocka_unit_test_setup(test_doorbell_m4_listens_to_semaphore_0, setup_m4),
        cmocka_unit_test_setup(test_doorbell_m4_keeps_a_ring_from_before_init, setup_m4),
        cmocka_unit_test_setup(test_ring_frees_the_semaphore_it_took, setup_m7),
        cmocka_unit_test_setup(test_ring_leaves_a_semaphore_another_holds, setup_m7),
        cmocka_unit_test_setup(test_ring_from_the_m4_uses_semaphore_1, setup_m4),
        cmocka_unit_test_setup(test_isr_clears_and_flags, setup_m7),
        cmocka_unit_test_setup(test_shared_update_holds_the_lock, setup_m7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

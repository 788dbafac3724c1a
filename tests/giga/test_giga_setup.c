/* test_giga_setup.c - the GIGA R1's start-up sequences on the host, over the fake register
 * file: the 480 MHz clock tree (clock_setup.c) and the SDRAM (sdram.c). The port writes these
 * registers through regio.c's three functions; this file stands in for regio.c, records each
 * write, wait and delay in order, and answers each wait as the hardware would (the bits come)
 * unless a test says a bit never comes. What it cannot show is the silicon's answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "board_impl.h"
#include "chip.h"
#include "regs.h"

#include "duet/cortex_m.h"
#include "duet/error.h"

enum op_kind { OP_UPDATE, OP_WAIT, OP_DELAY, OP_TAKE, OP_GIVE };

typedef struct {
    enum op_kind kind;
    volatile uint32_t *reg;
    uint32_t clear_or_mask, set_or_value;
} op;

#define MAX_OPS 256
static op ops[MAX_OPS];
static int op_count;
static volatile uint32_t *never_reg; /* a wait on this register and mask fails */
static uint32_t never_mask;

static void record(enum op_kind kind, volatile uint32_t *reg, uint32_t a, uint32_t b)
{
    assert_true(op_count < MAX_OPS);
    ops[op_count++] = (op){kind, reg, a, b};
}

void giga_reg_update(volatile uint32_t *reg, uint32_t clear, uint32_t set)
{
    if (reg == &SYSCFG_CCCSR) /* SYSCFG's registers take writes only with its clock on */
        assert_true(REG32(RCC_C1_BLOCK + RCC_CN_APB4ENR) & RCC_APB4ENR_SYSCFGEN);
    record(OP_UPDATE, reg, clear, set);
    *reg = (*reg & ~clear) | set;
}

bool giga_reg_wait(volatile uint32_t *reg, uint32_t mask, uint32_t value)
{
    record(OP_WAIT, reg, mask, value);
    if (reg == never_reg && (mask & never_mask))
        return false;
    *reg = (*reg & ~mask) | value; /* the hardware gets there */
    return true;
}

void giga_delay_us(uint32_t us)
{
    record(OP_DELAY, NULL, us, 0);
}

/* True if op i lies between a take of semaphore sem and its give. */
static bool under_lock(int i, uint32_t sem)
{
    bool held = false;
    for (int j = 0; j < i; j++) {
        if ((ops[j].kind == OP_TAKE || ops[j].kind == OP_GIVE) && ops[j].clear_or_mask == sem)
            held = ops[j].kind == OP_TAKE;
    }
    return held;
}

/* hsem.c's cross-core locks, recorded: taking and giving back semaphore sem. A take of a
 * semaphore this core holds already fails the test: the HSEM's 1-step lock is no counting
 * lock (the read succeeds at once for its owner), and the inner give frees the outer hold. */
void giga_sem_take(uint32_t sem)
{
    assert_false(under_lock(op_count, sem));
    record(OP_TAKE, NULL, sem, 0);
}

void giga_sem_give(uint32_t sem)
{
    record(OP_GIVE, NULL, sem, 0);
}

void giga_shared_update(volatile uint32_t *reg, uint32_t clear, uint32_t set, uint32_t sem)
{
    giga_sem_take(sem);
    giga_reg_update(reg, clear, set);
    giga_sem_give(sem);
}

/* What board_rtc.c uses beyond the registers: the board's error, the millisecond clock (a
 * clock that moves on at each look; the LSE becomes ready at lse_ready_ms if not 0, and no
 * core may wait for it holding the RCC semaphore) and the sleep between looks. */
static char board_error[160];
static unsigned long fake_ms, lse_ready_ms;
unsigned duet_cortex_m_loop_watched;

void giga_board_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(board_error, sizeof board_error, fmt, ap);
    va_end(ap);
}

unsigned long millis(void)
{
    assert_false(under_lock(op_count, GIGA_SEM_RCC));
    fake_ms++;
    if (lse_ready_ms && fake_ms >= lse_ready_ms)
        RCC_BDCR |= RCC_BDCR_LSERDY;
    return fake_ms;
}

bool duet_cortex_m_sleep_unless(volatile uint32_t *flag)
{
    (void)flag;
    return false;
}

/* The index of the first recorded op of that kind on reg whose set bits (or waited value)
 * include bits, or -1. */
static int find(enum op_kind kind, volatile uint32_t *reg, uint32_t bits)
{
    for (int i = 0; i < op_count; i++)
        if (ops[i].kind == kind && ops[i].reg == reg && (ops[i].set_or_value & bits) == bits)
            return i;
    return -1;
}

/* As find, for the last such op. */
static int find_last(enum op_kind kind, volatile uint32_t *reg, uint32_t bits)
{
    for (int i = op_count - 1; i >= 0; i--)
        if (ops[i].kind == kind && ops[i].reg == reg && (ops[i].set_or_value & bits) == bits)
            return i;
    return -1;
}

#define CPUID_M7 0x411FC270u
#define CPUID_M4 0x410FC241u

static int setup_m7(void **state)
{
    (void)state;
    giga_fake_reset();
    op_count = 0;
    never_reg = NULL;
    never_mask = 0;
    board_error[0] = 0;
    fake_ms = lse_ready_ms = 0;
    SCB_CPUID = CPUID_M7;
    RCC_CR = 1u | (1u << 2); /* HSION, HSIRDY: as after reset */
    PWR_CR3 = PWR_CR3_SDEN | PWR_CR3_LDOEN; /* the reset value, not yet confirmed */
    return 0;
}

/* ------------------------------------------------------------ the clock tree */

static void test_clock_setup_reaches_480_mhz(void **state)
{
    (void)state;
    assert_true(giga_clock_setup());
    assert_int_equal(giga_clock_cpu_hz(), 480000000u);
    assert_int_equal(giga_clock_hclk_hz(), 240000000u);
    assert_int_equal(giga_clock_pclk2_hz(), 120000000u);
    assert_int_equal(giga_clock_cpu_hz() / 1000u, 480000u); /* SysTick: 480000 a millisecond (port.c) */
    assert_int_equal(FLASH_ACR & 0x3Fu, 4u | (2u << 4));
    assert_int_equal(PWR_CR3 & PWR_CR3_SUPPLY_MASK, PWR_CR3_LDOEN);
    assert_true(SYSCFG_PWRCR & SYSCFG_PWRCR_ODEN);
    SCB_CPUID = CPUID_M4; /* the M4 reads the same tree: the AHB clock */
    assert_int_equal(giga_clock_cpu_hz(), 240000000u);
}

/* The manual's order for raising the clock: supply, VOS1, overdrive (VOS0), HSE, PLL1,
 * the flash's wait states, the prescalers, and the switch to PLL1 last. */
static void test_clock_setup_order(void **state)
{
    (void)state;
    assert_true(giga_clock_setup());
    int supply = find(OP_UPDATE, &PWR_CR3, PWR_CR3_LDOEN);
    int supply_ready = find(OP_WAIT, &PWR_CSR1, PWR_CSR1_ACTVOSRDY);
    int vos1 = find(OP_UPDATE, &PWR_D3CR, PWR_D3CR_VOS1);
    int overdrive = find(OP_UPDATE, &SYSCFG_PWRCR, SYSCFG_PWRCR_ODEN);
    int vos0_ready = find_last(OP_WAIT, &PWR_D3CR, PWR_D3CR_VOSRDY);
    int hse = find(OP_UPDATE, &RCC_CR, RCC_CR_HSEON);
    int hse_ready = find(OP_WAIT, &RCC_CR, RCC_CR_HSERDY);
    int source = find(OP_UPDATE, &RCC_PLLCKSELR, RCC_PLLCKSELR_PLLSRC_HSE | RCC_PLLCKSELR_DIVM1(2));
    int dividers = find(OP_UPDATE, &RCC_PLL1DIVR, RCC_PLL1DIVR_VALUE(120, 2, 16, 2));
    int pll_on = find(OP_UPDATE, &RCC_CR, RCC_CR_PLL1ON);
    int pll_ready = find(OP_WAIT, &RCC_CR, RCC_CR_PLL1RDY);
    int flash = find(OP_UPDATE, &FLASH_ACR, 4u);
    int flash_read_back = find(OP_WAIT, &FLASH_ACR, 4u);
    int ahb = find(OP_UPDATE, &RCC_D1CFGR, 8u);
    int apb = find(OP_UPDATE, &RCC_D2CFGR, (4u << 8) | (4u << 4));
    int sw = find(OP_UPDATE, &RCC_CFGR, RCC_CFGR_SW_PLL1);
    int sws = find(OP_WAIT, &RCC_CFGR, RCC_CFGR_SW_PLL1 << 3);
    int steps[] = {supply, supply_ready, vos1, overdrive, vos0_ready, hse, hse_ready, source, pll_on,
                   pll_ready, flash, flash_read_back, ahb, sw, sws};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        assert_true(steps[i] >= 0);
        if (i > 0)
            assert_true(steps[i - 1] < steps[i]);
    }
    assert_true(dividers > source && dividers < pll_on);
    assert_true(apb > flash && apb < sw);
    /* after the switch only the I/O compensation cell: the CSI, EN, then READY */
    int csi = find(OP_UPDATE, &RCC_CR, RCC_CR_CSION);
    int cell = find(OP_UPDATE, &SYSCFG_CCCSR, SYSCFG_CCCSR_EN);
    int cell_ready = find(OP_WAIT, &SYSCFG_CCCSR, SYSCFG_CCCSR_READY);
    assert_true(sws < csi && csi < cell && cell < cell_ready);
    assert_int_equal(cell_ready, op_count - 1);
}

/* The I/O compensation cell (SYSCFG_CCCSR.EN), which ST recommends for I/O speeds above
 * 50 MHz and Arduino's GIGA core turns on once the clock is raised: on, and ready; a tree a
 * bootloader raised gets it too. */
static void test_clock_setup_io_compensation(void **state)
{
    (void)state;
    assert_true(giga_clock_setup());
    assert_true(SYSCFG_CCCSR & SYSCFG_CCCSR_EN);
    assert_true(SYSCFG_CCCSR & SYSCFG_CCCSR_READY);
    assert_true(RCC_CR & RCC_CR_CSION);
    SYSCFG_CCCSR = 0; /* raised by a bootloader that left the cell off */
    op_count = 0;
    assert_true(giga_clock_setup());
    assert_true(find(OP_UPDATE, &SYSCFG_CCCSR, SYSCFG_CCCSR_EN) >= 0);
    assert_int_equal(find(OP_UPDATE, &RCC_CFGR, 0), -1); /* the tree itself left alone */
}

/* A cell that never reads READY: the wait ends, the cell is off again (the I/Os as before),
 * and the set-up says false, as for its other waits; the clock runs at 480 MHz all the same. */
static void test_clock_setup_io_compensation_never_ready(void **state)
{
    (void)state;
    never_reg = &SYSCFG_CCCSR;
    never_mask = SYSCFG_CCCSR_READY;
    assert_false(giga_clock_setup());
    assert_true(find(OP_WAIT, &SYSCFG_CCCSR, SYSCFG_CCCSR_READY) >= 0);
    assert_false(SYSCFG_CCCSR & SYSCFG_CCCSR_EN);
    assert_int_equal(giga_clock_cpu_hz(), 480000000u);
}

/* VOS0: the overdrive's write reaches SYSCFG (it reads back set) before the wait on the
 * regulator, so that the wait does not end on VOS1's ready flag still standing; then the
 * active voltage is ready (PWR_CSR1.ACTVOSRDY), as ST's HAL waits for it. */
static void test_clock_setup_overdrive_settles(void **state)
{
    (void)state;
    assert_true(giga_clock_setup());
    int overdrive = find(OP_UPDATE, &SYSCFG_PWRCR, SYSCFG_PWRCR_ODEN);
    int read_back = find(OP_WAIT, &SYSCFG_PWRCR, SYSCFG_PWRCR_ODEN);
    int vos0_ready = find_last(OP_WAIT, &PWR_D3CR, PWR_D3CR_VOSRDY);
    int active_ready = find_last(OP_WAIT, &PWR_CSR1, PWR_CSR1_ACTVOSRDY);
    int hse = find(OP_UPDATE, &RCC_CR, RCC_CR_HSEON);
    assert_true(overdrive >= 0);
    assert_true(read_back > overdrive && read_back < vos0_ready);
    assert_true(active_ready > vos0_ready && active_ready < hse);
}

/* A tree already at 480 MHz (a second call, or a bootloader that set it) is left alone. */
static void test_clock_setup_once(void **state)
{
    (void)state;
    assert_true(giga_clock_setup());
    int first = op_count;
    assert_true(giga_clock_setup());
    assert_int_equal(op_count, first);
}

/* A system clock on PLL1 (the bootloader's) moves to the HSI before PLL1 stops. */
static void test_clock_setup_leaves_pll1_first(void **state)
{
    (void)state;
    RCC_CFGR = RCC_CFGR_SW_PLL1 | (RCC_CFGR_SW_PLL1 << 3);
    RCC_PLL1DIVR = RCC_PLL1DIVR_VALUE(100, 2, 16, 2); /* another speed */
    RCC_CR |= RCC_CR_PLL1ON | RCC_CR_PLL1RDY;
    assert_true(giga_clock_setup());
    int to_hsi = find(OP_UPDATE, &RCC_CFGR, 0);
    assert_true(to_hsi >= 0);
    assert_int_equal(ops[to_hsi].set_or_value, RCC_CFGR_SW_HSI);
    int pll_off = -1;
    for (int i = 0; i < op_count; i++)
        if (ops[i].kind == OP_UPDATE && ops[i].reg == &RCC_CR && (ops[i].clear_or_mask & RCC_CR_PLL1ON))
            pll_off = i;
    assert_true(to_hsi < pll_off);
    assert_true(pll_off < find(OP_UPDATE, &RCC_PLL1DIVR, 0));
    assert_int_equal(giga_clock_cpu_hz(), 480000000u);
}

/* No HSE: the clock stays where it was (the HSI), and the switch is never made. */
static void test_clock_setup_without_hse(void **state)
{
    (void)state;
    never_reg = &RCC_CR;
    never_mask = RCC_CR_HSERDY;
    assert_false(giga_clock_setup());
    assert_int_equal(find(OP_UPDATE, &RCC_CFGR, RCC_CFGR_SW_PLL1), -1);
    assert_int_equal(find(OP_UPDATE, &FLASH_ACR, 0), -1);
    assert_int_equal(giga_clock_cpu_hz(), 64000000u);
}

/* A supply other than the LDO, set since power-on, cannot be changed: nothing is done. */
static void test_clock_setup_keeps_another_supply(void **state)
{
    (void)state;
    PWR_CSR1 = PWR_CSR1_ACTVOSRDY;
    PWR_CR3 = PWR_CR3_SDEN; /* the SMPS */
    assert_false(giga_clock_setup());
    assert_int_equal(op_count, 0);
}

/* PWR_CR3 at its power-on value is not yet written, whatever ACTVOSRDY reads: the LDO is set,
 * and the tree reaches full speed. */
static void test_clock_setup_supply_unwritten(void **state)
{
    (void)state;
    PWR_CSR1 = PWR_CSR1_ACTVOSRDY;
    assert_true(giga_clock_setup());
    assert_int_equal(PWR_CR3 & PWR_CR3_SUPPLY_MASK, PWR_CR3_LDOEN);
}

/* A PLL source that does not take the write (PLL2 or PLL3 still running): PLL1 is not
 * started, and the M7 stays on the HSI. */
static void test_clock_setup_pll_source_refused(void **state)
{
    (void)state;
    never_reg = &RCC_PLLCKSELR;
    never_mask = ~0u;
    assert_false(giga_clock_setup());
    assert_int_equal(find(OP_UPDATE, &RCC_CR, RCC_CR_PLL1ON), -1);
    assert_int_equal(find(OP_UPDATE, &RCC_CFGR, RCC_CFGR_SW_PLL1), -1);
}

/* The M4 never sets clocks. */
static void test_clock_setup_not_on_the_m4(void **state)
{
    (void)state;
    SCB_CPUID = CPUID_M4;
    assert_false(giga_clock_setup());
    assert_int_equal(op_count, 0);
}

/* ------------------------------------------------------------ the SDRAM */

static int setup_m7_480(void **state)
{
    setup_m7(state);
    assert_true(giga_clock_setup());
    op_count = 0;
    return 0;
}

/* The controller's set-up, then the chip's commands in order, the 100 us power-up after the
 * clock enable, the refresh timer last. */
static void test_sdram_init_sequence(void **state)
{
    (void)state;
    assert_int_equal(giga_sdram_init(), DUET_OK);
    /* 12 row bits (NR 01), 8 column bits (NC 00), 16-bit (MWID 01), 4 banks, CAS 2,
     * SDCLK = HCLK / 3, read bursts, read pipe 0 */
    assert_int_equal(FMC_SDCR1, 0x1D54u);
    /* TMRD 2, TXSR 7, TRAS 5, TRC 7, TWR 2, TRP 3, TRCD 3, each minus one */
    assert_int_equal(FMC_SDTR1, 0x02216461u);
    assert_true(FMC_BCR1 & FMC_BCR1_FMCEN);
    assert_int_equal(FMC_BCR1 & FMC_BCR1_BMAP_MASK, FMC_BCR1_BMAP_SWAP);
    int sdcr = find(OP_UPDATE, &FMC_SDCR1, 0x1D54u);
    int sdtr = find(OP_UPDATE, &FMC_SDTR1, 0x02216461u);
    int fmc_on = find(OP_UPDATE, &FMC_BCR1, FMC_BCR1_FMCEN);
    int commands[4] = {-1, -1, -1, -1};
    uint32_t expected[4] = {FMC_SDCMR_CLK_ENABLE | FMC_SDCMR_CTB1, FMC_SDCMR_PALL | FMC_SDCMR_CTB1,
                            FMC_SDCMR_AUTO_REFRESH | FMC_SDCMR_CTB1 | (7u << 5),
                            FMC_SDCMR_LOAD_MODE | FMC_SDCMR_CTB1 | (0x220u << 9)};
    int n = 0;
    for (int i = 0; i < op_count; i++) {
        if (ops[i].kind != OP_UPDATE || ops[i].reg != &FMC_SDCMR)
            continue;
        assert_true(n < 4);
        assert_int_equal(ops[i].set_or_value, expected[n]);
        commands[n++] = i;
    }
    assert_int_equal(n, 4);
    int delay = -1;
    for (int i = 0; i < op_count; i++)
        if (ops[i].kind == OP_DELAY)
            delay = i;
    assert_true(delay > commands[0] && delay < commands[1]);
    assert_true(ops[delay].clear_or_mask >= 100u);
    assert_true(sdcr < fmc_on && sdtr < fmc_on && fmc_on < commands[0]);
    /* 64 ms / 4096 rows at SDCLK 80 MHz: 1250 cycles, less 20 */
    int refresh = find(OP_UPDATE, &FMC_SDRTR, FMC_SDRTR_COUNT(1230u));
    assert_true(refresh > commands[3]);
    assert_int_equal((FMC_SDRTR >> 1) & 0x1FFFu, 1230u);
}

/* The FMC's pins: alternate function 12, medium speed, pulled up (PH2 SDCKE0, PH3 SDNE0,
 * PH5 SDNWE; PE15 in the high AFR word). */
static void test_sdram_pins(void **state)
{
    (void)state;
    assert_int_equal(giga_sdram_init(), DUET_OK);
    for (unsigned bit = 2; bit <= 5; bit++) {
        bool fmc = bit != 4;
        assert_int_equal((GPIO_MODER(7) >> (bit * 2)) & 3u, fmc ? GPIO_MODE_AF : 0u);
        assert_int_equal((GPIO_AFR(7, bit) >> (bit * 4)) & 0xFu, fmc ? 12u : 0u);
        assert_int_equal((GPIO_OSPEEDR(7) >> (bit * 2)) & 3u, fmc ? 1u : 0u);
        assert_int_equal((GPIO_PUPDR(7) >> (bit * 2)) & 3u, fmc ? GPIO_PULL_UP : 0u);
    }
    assert_int_equal((GPIO_AFR(4, 15) >> ((15 - 8) * 4)) & 0xFu, 12u);
    assert_int_equal((GPIO_MODER(4) >> 30) & 3u, GPIO_MODE_AF);
    /* the pins before the controller */
    assert_true(find_last(OP_UPDATE, &GPIO_MODER(7), 0) < find(OP_UPDATE, &FMC_SDCR1, 0));
}

/* The M4 may run while the M7 sets the SDRAM up (duet_giga_sdram_begin in any split but
 * 100_0), and write the same GPIO ports and RCC's kernel clock selections: each
 * read-modify-write of a GPIO register is made holding semaphore 5 (GPIO), that of
 * RCC_D1CCIPR holding semaphore 3 (RCC), mbed's numbering as the rest of the port uses. */
static void test_sdram_shared_registers_locked(void **state)
{
    (void)state;
    assert_int_equal(giga_sdram_init(), DUET_OK);
    int gpio_writes = 0;
    for (int i = 0; i < op_count; i++) {
        if (ops[i].kind != OP_UPDATE)
            continue;
        uintptr_t a = (uintptr_t)ops[i].reg;
        for (unsigned port = 3; port <= 7; port++) {
            bool gpio = a == (uintptr_t)&GPIO_MODER(port) || a == (uintptr_t)&GPIO_OSPEEDR(port) ||
                        a == (uintptr_t)&GPIO_PUPDR(port) || a == (uintptr_t)&GPIO_AFR(port, 0) ||
                        a == (uintptr_t)&GPIO_AFR(port, 8);
            if (gpio) {
                assert_true(under_lock(i, GIGA_SEM_GPIO));
                gpio_writes++;
            }
        }
        if (a == (uintptr_t)&RCC_D1CCIPR)
            assert_true(under_lock(i, GIGA_SEM_RCC));
    }
    assert_int_equal(gpio_writes, 5 * 5);
    assert_false(under_lock(op_count, GIGA_SEM_GPIO)); /* given back */
    assert_false(under_lock(op_count, GIGA_SEM_RCC));
}

/* MPU region 1 on the M7: 8 MiB at 0x60000000, normal memory, not cached (TEX 1, C 0,
 * B 0), full access, after the SDRAM answers. */
static void test_sdram_mpu_region(void **state)
{
    (void)state;
    assert_int_equal(giga_sdram_init(), DUET_OK);
    assert_int_equal(MPU_RNR, 1u);
    assert_int_equal(MPU_RBAR, 0x60000000u);
    uint32_t rasr = MPU_RASR;
    assert_int_equal((rasr >> 1) & 0x1Fu, 22u); /* 2^(22+1) bytes */
    assert_int_equal((rasr >> 19) & 7u, 1u);    /* TEX 1 */
    assert_int_equal((rasr >> 16) & 3u, 0u);    /* C 0, B 0 */
    assert_int_equal((rasr >> 24) & 7u, 3u);    /* full access */
    assert_true(rasr & 1u);
    assert_true(find(OP_UPDATE, &MPU_RASR, 0) > find(OP_UPDATE, &FMC_SDRTR, 0));
}

static void test_sdram_init_once(void **state)
{
    (void)state;
    assert_int_equal(giga_sdram_init(), DUET_OK);
    int first = op_count;
    assert_int_equal(giga_sdram_init(), DUET_OK);
    assert_int_equal(op_count, first);
}

static void test_sdram_not_on_the_m4(void **state)
{
    (void)state;
    SCB_CPUID = CPUID_M4;
    assert_int_equal(giga_sdram_init(), DUET_ERR_NOT_SUPPORTED);
    assert_int_equal(op_count, 0);
}

/* ------------------------------------------------------------ the option byte BCM4 */

#define OPTSR_ARDUINO 0x0B86AAF0u /* what Arduino's bootloader burn writes: BCM7 1, BCM4 0 */

/* Option bytes already unlocked: no key is written (a key written to unlocked option bytes
 * is a wrong sequence, a bus error; ST's HAL_FLASH_OB_Unlock writes them only when OPTLOCK
 * reads set), and the change is made: BCM4 cleared in OPTSR_PRG, the rest kept, the change
 * started, the option bytes locked again. */
static void test_option_bcm4_clear_unlocked_writes_no_key(void **state)
{
    (void)state;
    FLASH_OPTCR = 0;
    FLASH_OPTSR_PRG = OPTSR_ARDUINO | FLASH_OPTSR_BCM4;
    FLASH_OPTSR_CUR = OPTSR_ARDUINO;
    assert_true(giga_option_bcm4_clear());
    assert_int_equal(FLASH_OPTKEYR, 0u);
    assert_int_equal(FLASH_OPTSR_PRG, OPTSR_ARDUINO);
    assert_true(FLASH_OPTCR & FLASH_OPTCR_OPTSTART);
    assert_true(FLASH_OPTCR & FLASH_OPTCR_OPTLOCK);
}

/* Keys that do not unlock: nothing is programmed, false. */
static void test_option_bcm4_clear_still_locked(void **state)
{
    (void)state;
    FLASH_OPTCR = FLASH_OPTCR_OPTLOCK;
    FLASH_OPTSR_PRG = OPTSR_ARDUINO | FLASH_OPTSR_BCM4;
    assert_false(giga_option_bcm4_clear());
    assert_int_equal(FLASH_OPTSR_PRG, OPTSR_ARDUINO | FLASH_OPTSR_BCM4);
    assert_false(FLASH_OPTCR & FLASH_OPTCR_OPTSTART);
}

/* A change the flash refused (OPTCHANGEERR): false, the error cleared, the option bytes
 * locked; the caller then does not reset into the same refusal for ever. */
static void test_option_bcm4_clear_refused(void **state)
{
    (void)state;
    FLASH_OPTCR = 0;
    FLASH_OPTSR_PRG = OPTSR_ARDUINO | FLASH_OPTSR_BCM4;
    FLASH_OPTSR_CUR = OPTSR_ARDUINO | FLASH_OPTSR_BCM4 | FLASH_OPTSR_OPTCHANGEERR;
    assert_false(giga_option_bcm4_clear());
    assert_int_equal(FLASH_OPTCCR, FLASH_OPTCCR_CLR_OPTCHANGEERR);
    assert_true(FLASH_OPTCR & FLASH_OPTCR_OPTLOCK);
}

/* An option-byte change that never ends (OPT_BUSY stays set): the wait ends within its
 * limit, the option bytes are locked again and the answer is false (giga_boot_m4 then says
 * DUET_ERR_BOOT and does not reset). */
static void test_option_bcm4_clear_busy_for_ever(void **state)
{
    (void)state;
    FLASH_OPTCR = 0;
    FLASH_OPTSR_PRG = OPTSR_ARDUINO | FLASH_OPTSR_BCM4;
    FLASH_OPTSR_CUR = OPTSR_ARDUINO | FLASH_OPTSR_BCM4 | FLASH_OPTSR_OPT_BUSY;
    assert_false(giga_option_bcm4_clear());
    assert_true(FLASH_OPTCR & FLASH_OPTCR_OPTLOCK);
}

/* ------------------------------------------------------------ the RTC */

static bool rtc_or_backup_reg(volatile uint32_t *reg)
{
    return reg == &RTC_TR || reg == &RTC_DR || reg == &RTC_ISR || reg == &RTC_WPR || reg == &PWR_CR1 ||
           reg == &RCC_BDCR;
}

#define T_2026 1767272645 /* 2026-01-01 13:04:05 */

/* Both cores may set the RTC: its sequence (the keys, init mode, TR and DR, init mode off,
 * the protection back on) is made in one hold of semaphore 3 (RCC), the one Arduino's mbed core
 * holds around its RTC's clock set-up, so that the other core's keys or its protection put back on cannot land in
 * the middle; the backup domain's write enable in the same hold, and no take inside it. */
static void test_rtc_set_under_the_rcc_lock(void **state)
{
    (void)state;
    RCC_BDCR = RCC_BDCR_RTCEN; /* the clock already runs */
    assert_int_equal(duet_rtc_set(T_2026), DUET_OK);
    int first_key = find(OP_UPDATE, &RTC_WPR, 0xCAu);
    int protect = find_last(OP_UPDATE, &RTC_WPR, 0xFFu);
    int tr = find(OP_UPDATE, &RTC_TR, 0x130405u);
    int dr = find(OP_UPDATE, &RTC_DR, 0x26u << 16 | 4u << 13 | 0x01u << 8 | 0x01u);
    assert_true(first_key >= 0 && first_key < tr && tr < dr && dr < protect);
    assert_int_equal(RTC_WPR, 0xFFu);
    int rtc_ops = 0;
    for (int i = 0; i < op_count; i++) {
        if (ops[i].kind == OP_GIVE)
            assert_true(i > protect || i < first_key); /* one hold from the keys to the protection */
        if ((ops[i].kind == OP_UPDATE || ops[i].kind == OP_WAIT) && rtc_or_backup_reg(ops[i].reg)) {
            assert_true(under_lock(i, GIGA_SEM_RCC));
            rtc_ops++;
        }
    }
    assert_true(rtc_ops >= 9); /* DBP and its wait, 2 keys, INIT and its wait, TR, DR, INIT off, WPR */
    assert_false(under_lock(op_count, GIGA_SEM_RCC)); /* given back */
}

/* The LSE's start (a board without its backup battery) is waited for without the lock
 * (millis() fails the test if it is held), and its writes each hold it. */
static void test_rtc_set_waits_for_the_lse_unlocked(void **state)
{
    (void)state;
    lse_ready_ms = 3;
    assert_int_equal(duet_rtc_set(T_2026), DUET_OK);
    assert_true(fake_ms >= 3);
    assert_true(RCC_BDCR & RCC_BDCR_RTCEN);
    for (int i = 0; i < op_count; i++)
        if (ops[i].kind == OP_UPDATE && rtc_or_backup_reg(ops[i].reg))
            assert_true(under_lock(i, GIGA_SEM_RCC));
    assert_false(under_lock(op_count, GIGA_SEM_RCC));
}

/* An RTC that never enters init mode: no time written, the protection back on, the lock given
 * back, and the board's error says why. */
static void test_rtc_set_init_mode_never_comes(void **state)
{
    (void)state;
    RCC_BDCR = RCC_BDCR_RTCEN;
    never_reg = &RTC_ISR;
    never_mask = RTC_ISR_INITF;
    assert_int_equal(duet_rtc_set(T_2026), DUET_ERR_NOT_SUPPORTED);
    assert_int_equal(find(OP_UPDATE, &RTC_TR, 0), -1);
    assert_int_equal(RTC_WPR, 0xFFu);
    assert_false(RTC_ISR & RTC_ISR_INIT);
    assert_false(under_lock(op_count, GIGA_SEM_RCC));
    assert_non_null(strstr(board_error, "INITF"));
}

/* A read of the RTC writes none of its registers and takes no lock: RSF is left for the set
 * to clear (clearing it needs the write-protection keys), and TR and DR are read twice. */
static void rtc_read_wrote_nothing(void)
{
    for (int i = 0; i < op_count; i++) {
        assert_false(ops[i].kind == OP_UPDATE && rtc_or_backup_reg(ops[i].reg));
        assert_false(ops[i].kind == OP_TAKE);
    }
    assert_int_equal(RTC_WPR, 0u); /* no key written */
}

/* An RTC whose clock does not run (the LSE stopped, RTCEN still set) never copies its
 * calendar to the shadow registers: RSF never reads set. The read waits a bounded time, then
 * returns 0 and the board's error says why (it waited for ever before). */
static void test_rtc_get_clock_stopped(void **state)
{
    (void)state;
    RCC_BDCR = RCC_BDCR_RTCEN;
    RTC_TR = 0x130405u;
    RTC_DR = 0x26u << 16 | 4u << 13 | 0x01u << 8 | 0x01u;
    never_reg = &RTC_ISR;
    never_mask = RTC_ISR_RSF;
    assert_int_equal(duet_rtc_get(), 0);
    assert_true(find(OP_WAIT, &RTC_ISR, RTC_ISR_RSF) >= 0);
    assert_non_null(strstr(board_error, "RSF"));
    assert_non_null(strstr(board_error, "LSE"));
    rtc_read_wrote_nothing();
}

/* The shadow registers bypassed (RTC_CR.BYPSHAD, in the backup domain: Arduino's mbed core
 * sets it, and it outlives a reset and a new sketch): the hardware holds RSF cleared, so the
 * read does not wait for it and reads the calendar itself (it waited for ever before). */
static void test_rtc_get_shadow_bypassed(void **state)
{
    (void)state;
    RCC_BDCR = RCC_BDCR_RTCEN;
    RTC_CR = RTC_CR_BYPSHAD;
    RTC_TR = 0x130405u;
    RTC_DR = 0x26u << 16 | 4u << 13 | 0x01u << 8 | 0x01u;
    never_reg = &RTC_ISR;
    never_mask = RTC_ISR_RSF;
    assert_int_equal(duet_rtc_get(), T_2026);
    assert_int_equal(find(OP_WAIT, &RTC_ISR, RTC_ISR_RSF), -1);
    assert_string_equal(board_error, "");
    rtc_read_wrote_nothing();
}

/* Through the shadow registers: the read waits for RSF (a set on the other core cleared it
 * until the new calendar reached them), then reads the time. */
static void test_rtc_get_waits_for_the_shadow(void **state)
{
    (void)state;
    RCC_BDCR = RCC_BDCR_RTCEN;
    RTC_TR = 0x130405u;
    RTC_DR = 0x26u << 16 | 4u << 13 | 0x01u << 8 | 0x01u;
    assert_int_equal(duet_rtc_get(), T_2026);
    assert_true(find(OP_WAIT, &RTC_ISR, RTC_ISR_RSF) >= 0);
    assert_string_equal(board_error, "");
    rtc_read_wrote_nothing();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_clock_setup_reaches_480_mhz, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_order, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_overdrive_settles, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_once, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_io_compensation, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_io_compensation_never_ready, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_leaves_pll1_first, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_without_hse, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_keeps_another_supply, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_supply_unwritten, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_pll_source_refused, setup_m7),
        cmocka_unit_test_setup(test_clock_setup_not_on_the_m4, setup_m7),
        cmocka_unit_test_setup(test_sdram_init_sequence, setup_m7_480),
        cmocka_unit_test_setup(test_sdram_pins, setup_m7_480),
        cmocka_unit_test_setup(test_sdram_shared_registers_locked, setup_m7_480),
        cmocka_unit_test_setup(test_sdram_mpu_region, setup_m7_480),
        cmocka_unit_test_setup(test_sdram_init_once, setup_m7_480),
        cmocka_unit_test_setup(test_sdram_not_on_the_m4, setup_m7_480),
        cmocka_unit_test_setup(test_option_bcm4_clear_unlocked_writes_no_key, setup_m7),
        cmocka_unit_test_setup(test_option_bcm4_clear_still_locked, setup_m7),
        cmocka_unit_test_setup(test_option_bcm4_clear_refused, setup_m7),
        cmocka_unit_test_setup(test_option_bcm4_clear_busy_for_ever, setup_m7),
        cmocka_unit_test_setup(test_rtc_set_under_the_rcc_lock, setup_m7),
        cmocka_unit_test_setup(test_rtc_set_waits_for_the_lse_unlocked, setup_m7),
        cmocka_unit_test_setup(test_rtc_set_init_mode_never_comes, setup_m7),
        cmocka_unit_test_setup(test_rtc_get_clock_stopped, setup_m7),
        cmocka_unit_test_setup(test_rtc_get_shadow_bypassed, setup_m7),
        cmocka_unit_test_setup(test_rtc_get_waits_for_the_shadow, setup_m7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* startup.c - the GIGA R1's reset entry and vector table, one for both cores: the M7
 * sets the clock tree to 480 MHz (clock_setup.c), makes SRAM4 non-cacheable and turns its
 * caches on, the M4 points VTOR at its image (and maps it strongly ordered when it lies in
 * the SDRAM), then both run the shared Cortex-M start-up (duet_cortex_m_reset: .data, .bss, main). */
#include "chip.h"
#include "regs.h"

#include "duet/cortex_m.h"
#include "duet/giga.h"

#define GIGA_IRQ_LINES 150u /* the STM32H747's interrupt lines (0..149) */

extern uint32_t __stack_top__[];
extern const uintptr_t giga_vectors[];

/* SRAM4, where both cores' rings live, as normal non-cacheable memory on the M7 (TEX 1,
 * C 0, B 0: Armv7-M B3.5.7): a cached copy there would hide the M4's writes, and a Device
 * mapping would fault on the unaligned accesses memcpy makes. MPU region 0, 64 KiB; the
 * rest of the map keeps its default attributes (PRIVDEFENA). */
static void m7_shared_uncached(void)
{
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    MPU_CTRL = 0;
    unsigned regions = (MPU_TYPE >> 8) & 0xFFu;
    for (unsigned r = 1; r < regions; r++) { /* what a bootloader may have left */
        MPU_RNR = r;
        MPU_RASR = 0;
    }
    MPU_RNR = 0;
    MPU_RBAR = SRAM4_BASE;
    MPU_RASR = MPU_RASR_AP_FULL | MPU_RASR_TEX(1u) | MPU_RASR_SIZE(16u) | MPU_RASR_ENABLE;
    MPU_CTRL = MPU_CTRL_ENABLE | MPU_CTRL_PRIVDEFENA;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

/* The M4 run from the SDRAM (split 100_0): its 1 MiB there as strongly-ordered memory
 * (TEX 0, C 0, B 0), executable, through MPU region 1, as Arduino's core sets it for an M4
 * booted from SDRAM ("must be configured as Strongly Ordered"); the M4 has no cache and does
 * not prefetch speculatively, so the rest of the map keeps its default (PRIVDEFENA). */
static void m4_sdram_strongly_ordered(void)
{
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    MPU_CTRL = 0;
    MPU_RNR = 1;
    MPU_RBAR = SDRAM_BASE;
    MPU_RASR = MPU_RASR_AP_FULL | MPU_RASR_SIZE(20u) | MPU_RASR_ENABLE;
    MPU_CTRL = MPU_CTRL_ENABLE | MPU_CTRL_PRIVDEFENA;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

/* Writes op (SCB_DCISW: invalidate, SCB_DCCISW: clean and invalidate) for every line of the
 * M7's level 1 data cache, by set and way (Armv7-M B2.2.7, B4.8). */
static void dcache_each_line(volatile uint32_t *op)
{
    SCB_CSSELR = 0; /* level 1 data cache */
    __asm__ volatile("dsb" ::: "memory");
    uint32_t id = SCB_CCSIDR;
    uint32_t sets = ((id >> 13) & 0x7FFFu) + 1u;
    uint32_t ways = ((id >> 3) & 0x3FFu) + 1u;
    unsigned line_shift = (id & 7u) + 4u;
    unsigned way_shift = ways > 1 ? (unsigned)__builtin_clz(ways - 1u) : 0u;
    for (uint32_t set = 0; set < sets; set++)
        for (uint32_t way = 0; way < ways; way++)
            *op = (set << line_shift) | (way << way_shift);
    __asm__ volatile("dsb" ::: "memory");
}

/* Invalidates the M7's caches, then enables them (Armv7-M B2.2.7, B4.8). */
static void m7_caches_on(void)
{
    if (!(SCB_CCR & SCB_CCR_IC)) {
        __asm__ volatile("dsb\n\tisb" ::: "memory");
        SCB_ICIALLU = 0;
        __asm__ volatile("dsb\n\tisb" ::: "memory");
        SCB_CCR |= SCB_CCR_IC;
        __asm__ volatile("dsb\n\tisb" ::: "memory");
    }
    if (!(SCB_CCR & SCB_CCR_DC)) {
        dcache_each_line(&SCB_DCISW);
        SCB_CCR |= SCB_CCR_DC;
        __asm__ volatile("dsb\n\tisb" ::: "memory");
    }
}

void giga_reset(void);

void giga_reset(void)
{
    /* Interrupts use this image's table: the M4 starts with VTOR 0, and the M7 arrives
     * from Arduino's bootloader with the bootloader's table in VTOR. */
    SCB_VTOR = (uint32_t)(uintptr_t)giga_vectors;
    /* No interrupt the bootloader enabled may reach this image's table: all off. */
    for (unsigned n = 0; n < (GIGA_IRQ_LINES + 31u) / 32u; n++) {
        NVIC_ICER(n) = 0xFFFFFFFFu;
        NVIC_ICPR(n) = 0xFFFFFFFFu;
    }
    if (giga_is_m7()) {
        /* 480 MHz before the M4 starts (it never sets clocks); if the HSE or the PLL does
         * not start, the M7 goes on at the clock it has, which SysTick then reads. */
        giga_clock_setup();
        FMC_BCR1 = FMC_BCR1_BANK1_OFF;
        /* A data cache the bootloader left on may hold lines of SRAM4: written back and
         * dropped before SRAM4 stops being cached, so that none is written over the M4's
         * data later. */
        if (SCB_CCR & SCB_CCR_DC)
            dcache_each_line(&SCB_DCCISW);
        m7_shared_uncached();
        m7_caches_on();
    } else {
        giga_clock_enable(RCC_CN_AHB2ENR, RCC_AHB2ENR_SRAM123EN); /* its RAM: D2 SRAM */
        if ((uintptr_t)giga_vectors >= SDRAM_BASE)
            m4_sdram_strongly_ordered();
    }
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    duet_cortex_m_reset();
}

/* The timers' handlers belong to the servo and analogWrite files; a program that uses
 * neither links without them (and never starts those timers). */
static void unused_timer_isr(void)
{
    duet_cortex_m_fault();
}
void giga_tim2_isr(void) __attribute__((weak, alias("unused_timer_isr")));
void giga_tim5_isr(void) __attribute__((weak, alias("unused_timer_isr")));

#define GIGA_VECTORS (16 + GIGA_IRQ_LINES) /* 16 system exceptions, then the lines */

/* The M7 image's boot record (duet/giga.h), which duet-board upload reads from the .bin to
 * refuse an image built for another flash split than the one it is uploaded for: the mark
 * (not a flash address, so never a handler's), then the address the M7 boots the M4 from
 * (giga_m7.ld: DUET_M4_BOOT, port.c boots it). Exceptions 7 to 10 are reserved in Armv7-M,
 * so the core never reads those entries. An M4 image (CORE_CM4) boots nothing and has no
 * record. */
extern const char DUET_M4_BOOT[];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
__attribute__((section(".vectors"), used)) const uintptr_t giga_vectors[GIGA_VECTORS] = {
    [0] = (uintptr_t)__stack_top__,
    [1] = (uintptr_t)giga_reset,
    [2 ... GIGA_VECTORS - 1] = (uintptr_t)duet_cortex_m_fault,
#if !defined(CORE_CM4)
    [DUET_GIGA_BOOT_RECORD_ENTRY] = DUET_GIGA_BOOT_RECORD_MARK,
    [DUET_GIGA_BOOT_RECORD_ENTRY + 1] = (uintptr_t)DUET_M4_BOOT,
#endif
    [15] = (uintptr_t)duet_cortex_m_systick_isr,
    [16 + IRQ_TIM2] = (uintptr_t)giga_tim2_isr,
    [16 + IRQ_TIM5] = (uintptr_t)giga_tim5_isr,
    [16 + IRQ_HSEM1] = (uintptr_t)giga_hsem_isr, /* the M7's line */
    [16 + IRQ_HSEM2] = (uintptr_t)giga_hsem_isr, /* the M4's line */
};
#pragma GCC diagnostic pop

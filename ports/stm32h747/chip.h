/* chip.h - the STM32H747 port's own functions, shared by its files (not a public API). */
#ifndef DUET_STM32H747_CHIP_H
#define DUET_STM32H747_CHIP_H

#include <stdbool.h>
#include <stdint.h>

/* The GIGA R1's HSE crystal (16 MHz; the Portenta H7's is 25 MHz: build with
 * -DDUET_STM32H747_HSE_HZ=25000000). Only used when the clock tree runs from the HSE. */
#ifndef DUET_STM32H747_HSE_HZ
#define DUET_STM32H747_HSE_HZ 16000000u
#endif

/* True where the program runs on the Cortex-M7, false on the Cortex-M4 (the CPUID register). */
bool giga_cpuid_is_m7(void);

/* True on the Cortex-M7, false on the Cortex-M4. In an image built for one core (CORE_CM7 or
 * CORE_CM4, as duet-board and Arduino's GIGA core build every image) a constant, so that the
 * image links only its own core's start-up and set-up: an M4 image carries none of the M7's
 * clock tree, SDRAM, MPU and cache code. Else (the host tests) the CPUID's answer. The port's
 * cpu_id always asks the CPUID, so that duet_begin tells an image run on the other core so. */
static inline bool giga_is_m7(void)
{
#if defined(CORE_CM7)
    return true;
#elif defined(CORE_CM4)
    return false;
#else
    return giga_cpuid_is_m7();
#endif
}

/* Enables peripheral clocks in this core's own copy of an RCC enable register
 * (RCC_CN_AHB4ENR and friends from regs.h). */
void giga_clock_enable(uint32_t reg_offset, uint32_t bits);

/* This core's clock in Hz, read from the clock tree as it is set (the port changes no
 * clock: after the Arduino bootloader or a reset, whatever runs is what it finds). */
uint32_t giga_clock_cpu_hz(void);

/* The AHB clock in Hz (the M4's, the AXI's and the FMC's kernel clock as the port sets it). */
uint32_t giga_clock_hclk_hz(void);

/* The APB2 peripheral clock in Hz (USART1's kernel clock as the port sets it up). */
uint32_t giga_clock_pclk2_hz(void);

/* The timers' kernel clock on APB1 in Hz (TIM2). */
uint32_t giga_clock_tim_apb1_hz(void);

/* The HSEM doorbells: init enables this core's interrupt for the other core's
 * semaphore; ring frees this core's semaphore; the flag is set by the interrupt. */
void giga_doorbell_init(void);
void giga_doorbell_ring(void);
extern volatile uint32_t giga_doorbell_flag;

/* Takes and gives back a hardware semaphore that guards a read-modify-write of a
 * register both cores write, with mbed's numbering so that an Arduino core on the other
 * side agrees: 3 guards RCC, 5 guards GPIO. The holder keeps it for a few instructions. */
#define GIGA_SEM_RCC 3u
#define GIGA_SEM_GPIO 5u
void giga_sem_take(uint32_t sem);
void giga_sem_give(uint32_t sem);

/* *reg = (*reg & ~clear) | set, holding semaphore sem meanwhile. */
void giga_shared_update(volatile uint32_t *reg, uint32_t clear, uint32_t set, uint32_t sem);

/* Clears the option byte BCM4 (the M4 no longer starts at reset): true once the option
 * bytes took the change. giga_clear_bcm4_and_reset then resets the chip, and returns only
 * if the option bytes could not be changed (the M4 then still starts at every reset). */
bool giga_option_bcm4_clear(void);
void giga_clear_bcm4_and_reset(void);

/* The start-up sequences (the clock tree, the SDRAM) and the RTC's set write their registers
 * through these (regio.c), so that each wait has a limit and the unit tests can watch the order:
 * update is *reg = (*reg & ~clear) | set; wait polls until (*reg & mask) == value, and
 * returns false if that did not happen within GIGA_WAIT_POLLS reads; delay_us waits that
 * many microseconds on the DWT's cycle counter (a hardware settling time, tens of us). */
#define GIGA_WAIT_POLLS 2000000u
void giga_reg_update(volatile uint32_t *reg, uint32_t clear, uint32_t set);
bool giga_reg_wait(volatile uint32_t *reg, uint32_t mask, uint32_t value);
void giga_delay_us(uint32_t us);

/* Sets the clock tree to the GIGA R1's full speed (clock_setup.c), on the M7 before the M4
 * starts: PLL1 from the 16 MHz HSE to 480 MHz for the M7, 240 MHz for the M4 and the AXI
 * and AHB buses, 120 MHz for the APBs, VOS0, 4 flash wait states, then the I/O compensation
 * cell. Returns false (and leaves the clock on what ran before) if the HSE or the PLL did not
 * start, or the supply configuration is not the GIGA's; false too, at full speed, if the
 * compensation cell never read ready (it is off again). Done once: a tree already at 480 MHz
 * is kept (the cell is turned on if it is not). */
bool giga_clock_setup(void);

/* The GIGA R1's SDRAM (sdram.c): the FMC's pins, clock and timings, the SDRAM's start-up
 * commands, the bank swap that maps it at 0x60000000 and an MPU region (normal memory, not
 * cached on the M7). M7 only; returns a duet_err. */
int giga_sdram_init(void);

/* A data synchronization barrier: earlier register writes are done. */
static inline void giga_barrier(void)
{
#if defined(__arm__)
    __asm__ volatile("dsb" ::: "memory");
#else
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the host build of the port's unit test */
#endif
}

/* Starts the M4 at address (M7 only). Returns a duet_err. */
int giga_boot_m4(uint32_t address);

/* USART1 on D0/D1 at 115200 baud, 8N1: the console. */
void giga_uart_init(void);
void giga_uart_write(const void *data, uint32_t len);
int giga_uart_read_byte(void);

/* Interrupt handlers the vector table names. */
void giga_hsem_isr(void);
void giga_tim2_isr(void);
void giga_tim5_isr(void);

#endif

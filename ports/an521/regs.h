/* regs.h - the registers of Arm's MPS2 AN521 (SSE-200, two Cortex-M33) that the port uses,
 * as QEMU 7.2 emulates them. Each comes with the QEMU source that defines it. Internal. */
#ifndef DUET_AN521_REGS_H
#define DUET_AN521_REGS_H

#include <stdint.h>

#define AN521_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* System control, Secure only (hw/misc/iotkit-sysctl.c; mapped at 0x50021000 by
 * hw/arm/armsse.c): the reset vector table of each core, and which cores wait in reset.
 * CPUWAIT resets to 2 for the SSE-200 (armsse.c: CPU1 starts powered off); a 1 -> 0 edge
 * of bit 1 powers CPU1 on and resets it from INITSVTOR1 (target/arm/arm-powerctl.c). */
#define AN521_SYSCTL 0x50021000u
#define AN521_INITSVTOR0 AN521_REG(AN521_SYSCTL + 0x110u)
#define AN521_INITSVTOR1 AN521_REG(AN521_SYSCTL + 0x114u)
#define AN521_CPUWAIT AN521_REG(AN521_SYSCTL + 0x118u)
#define AN521_CPUWAIT_CPU1 (1u << 1)

/* Which core am I: reads 0 on CPU0, 1 on CPU1 (hw/misc/armsse-cpuid.c, at 0x4001f000 in
 * armsse.c; each core sees its own). */
#define AN521_CPUID AN521_REG(0x4001f000u)

/* Message handling unit 0 (hw/misc/armsse-mhu.c, at 0x40003000 in armsse.c): a bank of
 * 4 doorbell bits per core; a set bit holds that core's interrupt line high (level) until
 * its handler writes it to *_CLR. SET and CLR are write-only. MHU0's line is external
 * interrupt 6 on each core (armsse.c). */
#define AN521_MHU0 0x40003000u
#define AN521_MHU_CPU0INTR_STAT AN521_REG(AN521_MHU0 + 0x00u)
#define AN521_MHU_CPU0INTR_SET AN521_REG(AN521_MHU0 + 0x04u)
#define AN521_MHU_CPU0INTR_CLR AN521_REG(AN521_MHU0 + 0x08u)
#define AN521_MHU_CPU1INTR_STAT AN521_REG(AN521_MHU0 + 0x10u)
#define AN521_MHU_CPU1INTR_SET AN521_REG(AN521_MHU0 + 0x14u)
#define AN521_MHU_CPU1INTR_CLR AN521_REG(AN521_MHU0 + 0x18u)
#define AN521_MHU0_IRQ 6u
/* Core n's bank as words: [0] STAT, [1] SET, [2] CLR (the CPU0 and CPU1 registers above,
 * 0x10 bytes apart). */
#define AN521_MHU_BANK(n) ((volatile uint32_t *)(uintptr_t)(AN521_MHU0 + 0x10u * (uint32_t)(n)))
#define AN521_MHU_STAT 0u
#define AN521_MHU_SET 1u
#define AN521_MHU_CLR 2u

/* CMSDK APB UART n at 0x40200000 + n * 0x1000, wired to the n-th -serial option
 * (hw/arm/mps2-tz.c; registers in hw/char/cmsdk-apb-uart.c). */
#define AN521_UART(n) (0x40200000u + (uint32_t)(n) * 0x1000u)
#define AN521_UART_DATA(base) AN521_REG((base) + 0x00u)
#define AN521_UART_STATE(base) AN521_REG((base) + 0x04u)
#define AN521_UART_CTRL(base) AN521_REG((base) + 0x08u)
#define AN521_UART_BAUDDIV(base) AN521_REG((base) + 0x10u)
#define AN521_UART_STATE_TXFULL 1u
#define AN521_UART_STATE_RXFULL 2u
#define AN521_UART_CTRL_TXEN 1u
#define AN521_UART_CTRL_RXEN 2u

/* FPGA I/O (hw/misc/mps2-fpgaio.c, at 0x40302000 in hw/arm/mps2-tz.c): LED0 drives the
 * board's two user LEDs (bits 0 and 1, lit when set); CLK1HZ counts seconds of virtual
 * time from reset, and a write sets it. One block, seen by both cores. */
#define AN521_FPGAIO 0x40302000u
#define AN521_FPGAIO_LED0 AN521_REG(AN521_FPGAIO + 0x00u)
#define AN521_FPGAIO_CLK1HZ AN521_REG(AN521_FPGAIO + 0x10u)

/* CMSDK APB timers 0 and 1 (hw/timer/cmsdk-apb-timer.c, at 0x40000000 and 0x40001000 in
 * hw/arm/armsse.c), one block each, seen by both cores: a 32-bit counter that counts down
 * at the 20 MHz main clock while CTRL's EN is set and reloads from RELOAD after 0; a write
 * to RELOAD sets the counter too. Each core keeps its clock on its own (CPU0 timer 0,
 * CPU1 timer 1), interrupt off. */
#define AN521_TIMER(n) (0x40000000u + (uint32_t)(n) * 0x1000u)
#define AN521_TIMER_CTRL(base) AN521_REG((base) + 0x00u)
#define AN521_TIMER_VALUE(base) AN521_REG((base) + 0x04u)
#define AN521_TIMER_RELOAD(base) AN521_REG((base) + 0x08u)
#define AN521_TIMER_CTRL_EN 1u

/* The processor clock: 20 MHz (hw/arm/mps2-tz.c sysclk_frq); SysTick counts it, there is
 * no reference clock (armsse.c, hw/timer/armv7m_systick.c). */
#define AN521_CPU_HZ 20000000u

/* Memory (hw/arm/mps2-tz.c, armsse.c), Secure aliases (address bit 28 set):
 * ssram-0, 4 MiB: the images (CPU0's at its start, CPU1's at 2 MiB);
 * ssram-1 and ssram-2, 2 MiB each: CPU0's and CPU1's own RAM;
 * the SSE-200's internal SRAM, 128 KiB, seen by both cores: the shared region. */
#define AN521_SSRAM0 0x10000000u
#define AN521_SSRAM0_SIZE 0x400000u
#define AN521_SSRAM1 0x38000000u
#define AN521_SSRAM12_SIZE 0x400000u  /* ssram-1 and ssram-2, back to back */
#define AN521_SSE_SRAM 0x30000000u
#define AN521_SSE_SRAM_SIZE 0x20000u
/* After duet's shared region (DUET_AN521_SHM_SIZE bytes): the board's shared state
 * (pin levels, the clock's offset), board.c. */
#define AN521_BOARD_STATE (AN521_SSE_SRAM + 0x10000u)

#endif

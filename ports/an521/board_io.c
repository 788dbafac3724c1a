/* board_io.c - the AN521's hooks for the shared Cortex-M code: each core's console on its
 * own UART (CPU0: UART0, the first -serial; CPU1: UART1), and exit through semihosting. */
#include "duet/an521.h"

#include "duet/cortex_m.h"
#include "regs.h"

static uint32_t console_uart(void)
{
    static uint32_t ready; /* bit n: UART n is enabled */
    unsigned core = duet_an521_core();
    uint32_t base = AN521_UART(core);
    if (!(ready & (1u << core))) {
        AN521_UART_BAUDDIV(base) = 16u; /* the smallest divider the UART accepts */
        AN521_UART_CTRL(base) = AN521_UART_CTRL_TXEN | AN521_UART_CTRL_RXEN;
        ready |= 1u << core;
    }
    return base;
}

void duet_cortex_m_port_console_write(const void *data, size_t len)
{
    uint32_t base = console_uart();
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        while (AN521_UART_STATE(base) & AN521_UART_STATE_TXFULL) {
            /* a character's time at most: QEMU hands it to the host at once */
        }
        AN521_UART_DATA(base) = p[i];
    }
}

size_t duet_cortex_m_port_console_read(void *data, size_t len)
{
    duet_an521_clock_begin(); /* a reader that waits for a byte wakes every ms */
    uint32_t base = console_uart();
    uint8_t *p = data;
    size_t n = 0;
    while (n < len && (AN521_UART_STATE(base) & AN521_UART_STATE_RXFULL))
        p[n++] = (uint8_t)AN521_UART_DATA(base);
    return n;
}

void duet_an521_exit(int status)
{
    /* SYS_EXIT_EXTENDED (0x20) with {ADP_Stopped_ApplicationExit, status}: QEMU exits with
     * status when run with -semihosting-config enable=on (semihosting/arm-compat-semi.c). */
    volatile uint32_t block[2] = {0x20026u, (uint32_t)status};
    register uint32_t r0 __asm__("r0") = 0x20u;
    register volatile uint32_t *r1 __asm__("r1") = block;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    for (;;)
        __asm__ volatile("cpsid i\n\twfi" ::: "memory");
}

/* CPU0 plays the M7, CPU1 the M4. */
const char *duet_cortex_m_port_core_name(void)
{
    return duet_an521_core() == 0 ? "M7" : "M4";
}

/* CPU0 (the M7) ends the emulator with its status. CPU1 (the M4) returning 0 from main
 * only stops that core, as on the board; a failure (non-zero, a fault) ends the emulator
 * too, so that it is seen at once. */
void duet_cortex_m_port_exit(int status)
{
    if (duet_an521_core() == 0 || status != 0)
        duet_an521_exit(status);
    duet_cortex_m_halt();
}

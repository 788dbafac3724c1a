/* reset.c - the reset handler every Cortex-M port shares: FPU, .data, .bss, constructors, main. */
#include "duet/cortex_m.h"

#include <stdlib.h>
#include <string.h>

extern uint32_t __data_load__[], __data_start__[], __data_end__[], __bss_start__[], __bss_end__[];

int main(void);
void __libc_init_array(void);

/* CPACR, the coprocessor access control register (ARMv7-M / ARMv8-M architecture). */
#define CPACR (*(volatile uint32_t *)0xE000ED88u)

/* __libc_init_array calls these around the constructors; the crt files that usually give
 * them are not linked (-nostartfiles), and there is nothing to do in them. */
void _init(void) {}
void _fini(void) {}

void duet_cortex_m_reset(void)
{
#if defined(__ARM_FP)
    /* Full access to CP10 and CP11 (the FPU) before any floating-point instruction. */
    CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    memcpy(__data_start__, __data_load__, (size_t)((char *)__data_end__ - (char *)__data_start__));
    memset(__bss_start__, 0, (size_t)((char *)__bss_end__ - (char *)__bss_start__));
    __libc_init_array();
    exit(main());
}

/* The number of the active exception, from IPSR. */
static unsigned active_exception(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    return ipsr & 0x1ffu;
}

/* Appends n in hexadecimal (8 digits) at p. */
static char *put_hex(char *p, uint32_t n)
{
    for (int shift = 28; shift >= 0; shift -= 4)
        *p++ = "0123456789abcdef"[(n >> shift) & 0xf];
    return p;
}

void duet_cortex_m_fault_report(const uint32_t *frame);

/* frame: what the exception entry stacked (r0-r3, r12, lr, pc, xpsr). */
void duet_cortex_m_fault_report(const uint32_t *frame)
{
    char msg[64] = "\r\nduet: unexpected exception 000 at pc ";
    unsigned n = active_exception();
    char *p = msg + 29;
    p[0] = (char)('0' + n / 100);
    p[1] = (char)('0' + n / 10 % 10);
    p[2] = (char)('0' + n % 10);
    p = put_hex(msg + 39, frame[6]);
    *p++ = '\r';
    *p++ = '\n';
    duet_cortex_m_port_console_write(msg, (size_t)(p - msg));
    duet_cortex_m_port_exit(128 + (int)n);
}

/* Finds the stacked frame (main or process stack, as EXC_RETURN's bit 2 says). */
__attribute__((naked)) void duet_cortex_m_fault(void)
{
    __asm__ volatile("tst lr, #4\n\t"
                     "ite eq\n\t"
                     "mrseq r0, msp\n\t"
                     "mrsne r0, psp\n\t"
                     "b duet_cortex_m_fault_report");
}

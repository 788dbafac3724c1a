/* reset.c - the reset handler every Cortex-M port shares: FPU, .data, .bss, constructors, main. */
#include "duet/cortex_m.h"

extern uint32_t __data_load__[], __data_start__[], __data_end__[], __bss_start__[], __bss_end__[];

int main(void);
void __libc_init_array(void);
void _exit(int status);
/* newlib's handlers of atexit() (and of C++ destructors), linked only when a program
 * registers one: newlib-nano's own exit() calls it the same way (its "lite exit"). */
void __call_exitprocs(int status, void *dso) __attribute__((weak));

/* CPACR, the coprocessor access control register (ARMv7-M / ARMv8-M architecture). */
#define CPACR (*(volatile uint32_t *)0xE000ED88u)

/* __libc_init_array calls these around the constructors; the crt files that usually give
 * them are not linked (-nostartfiles), and there is nothing to do in them. */
void _init(void) {}
void _fini(void) {}

/* The program's start once the FPU is on: .data, .bss, constructors, main, exit. Never
 * inlined into duet_cortex_m_reset: with link-time optimisation main and what it calls may
 * be inlined here, and where they keep values in the FPU's callee-saved registers this
 * function's prologue saves them (vpush {d8-d15}), a floating-point instruction that would
 * run before the FPU is enabled (a UsageFault, NOCP, taken as a HardFault at reset). */
__attribute__((noinline, noreturn)) static void start_program(void)
{
    /* Word by word, as a board's own start-up code does: no memcpy() or memset() that a
     * program which never calls them would carry. The empty asm keeps the compiler from
     * turning each loop into a call of one. */
    const uint32_t *from = __data_load__;
    for (uint32_t *to = __data_start__; to < __data_end__; to++) {
        *to = *from++;
        __asm__ volatile("");
    }
    for (uint32_t *to = __bss_start__; to < __bss_end__; to++) {
        *to = 0;
        __asm__ volatile("");
    }
    __libc_init_array();
    int status = main();
    /* What exit() does, but for the flush of stdio's buffers (stdout and stderr are
     * unbuffered on these boards: console.c): newlib's exit() would link its 96-byte
     * struct _reent and the pointers to it into every program, stdio or not. */
    if (__call_exitprocs)
        __call_exitprocs(status, NULL);
    _exit(status);
    for (;;) {
    }
}

void duet_cortex_m_reset(void)
{
#if defined(__ARM_FP)
    /* Full access to CP10 and CP11 (the FPU) before any floating-point instruction. */
    CPACR |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    start_program();
}

/* The number of the active exception, from IPSR. */
static unsigned active_exception(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    return ipsr & 0x1ffu;
}

/* Entered only from the assembly below: used, so that link-time optimisation keeps it. */
void duet_cortex_m_fault_report(const uint32_t *frame) __attribute__((used));

/* frame: what the exception entry stacked (r0-r3, r12, lr, pc, xpsr). Written in pieces,
 * with no buffer to initialise (which would call memset). */
void duet_cortex_m_fault_report(const uint32_t *frame)
{
    static const char head[] = "\r\nduet: unexpected exception ", on[] = " on the ", at[] = " at pc ";
    unsigned n = active_exception();
    const char *core = duet_cortex_m_port_core_name();
    size_t core_len = 0;
    while (core[core_len] != '\0') /* no strlen(), which a program may not link otherwise */
        core_len++;
    char number[3] = {(char)('0' + n / 100), (char)('0' + n / 10 % 10), (char)('0' + n % 10)};
    char pc[10];
    for (int i = 0; i < 8; i++)
        pc[i] = "0123456789abcdef"[(frame[6] >> (28 - 4 * i)) & 0xf];
    pc[8] = '\r';
    pc[9] = '\n';
    duet_cortex_m_port_console_write(head, sizeof head - 1);
    duet_cortex_m_port_console_write(number, sizeof number);
    duet_cortex_m_port_console_write(on, sizeof on - 1);
    duet_cortex_m_port_console_write(core, core_len);
    duet_cortex_m_port_console_write(at, sizeof at - 1);
    duet_cortex_m_port_console_write(pc, sizeof pc);
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

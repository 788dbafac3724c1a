/* semihost.c - the hooks ports/cortex_m's reset and fault code call, through Arm
 * semihosting (QEMU's -semihosting-config enable=on,target=native): the console is
 * SYS_WRITE0, the end SYS_EXIT_EXTENDED with the program's status. */
#include "duet/cortex_m.h"

/* A semihosting call: operation op, parameter block arg (bkpt 0xab on M-profile cores). */
static uint32_t semihost(uint32_t op, const volatile void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const volatile void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void duet_cortex_m_port_console_write(const void *data, size_t len)
{
    /* SYS_WRITE0 (0x04) writes a NUL-terminated text: the bytes go in pieces. */
    const char *p = data;
    char piece[65];
    while (len > 0) {
        size_t n = len < sizeof piece - 1 ? len : sizeof piece - 1;
        for (size_t i = 0; i < n; i++)
            piece[i] = p[i];
        piece[n] = '\0';
        semihost(0x04u, piece);
        p += n;
        len -= n;
    }
}

size_t duet_cortex_m_port_console_read(void *data, size_t len)
{
    (void)data;
    (void)len;
    return 0;
}

void duet_cortex_m_port_exit(int status)
{
    /* SYS_EXIT_EXTENDED (0x20) with {ADP_Stopped_ApplicationExit (0x20026), status}: QEMU
     * exits with status (semihosting/arm-compat-semi.c). */
    volatile uint32_t block[2] = {0x20026u, (uint32_t)status};
    semihost(0x20u, block);
    for (;;)
        __asm__ volatile("wfi");
}

/* The CPU QEMU runs the image on, from CPUID's part number (0xC27: Cortex-M7, else the
 * Cortex-M4's 0xC24): an image built for the other CPU names the one that faulted. */
const char *duet_cortex_m_port_core_name(void)
{
    uint32_t cpuid = *(volatile const uint32_t *)0xE000ED00u;
    return ((cpuid >> 4) & 0xFFFu) == 0xC27u ? "M7" : "M4";
}

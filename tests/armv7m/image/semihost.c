/* semihost.c - the hooks ports/cortex_m's reset and fault code call, through Arm
 * semihosting (QEMU's -semihosting-config enable=on,target=native): the console is
 * SYS_WRITE0, the end SYS_EXIT_EXTENDED with the program's status. And newlib's system calls
 * for files, which its stdio links (stdio_checks.c): stdout and stderr to the console, no
 * other file (a port's are ports/cortex_m/console.c, which needs the port's clock). */
#include "duet/cortex_m.h"

#include <errno.h>
#include <sys/stat.h>

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

int _write(int fd, const void *data, size_t len);
int _read(int fd, void *data, size_t len);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _lseek(int fd, int offset, int whence);
int _close(int fd);

int _write(int fd, const void *data, size_t len)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    duet_cortex_m_port_console_write(data, len);
    return (int)len;
}

/* No file to read, seek, close or look at. */
int _read(int fd, void *data, size_t len)
{
    (void)fd, (void)data, (void)len;
    errno = EBADF;
    return -1;
}

int _fstat(int fd, struct stat *st)
{
    (void)fd, (void)st;
    errno = EBADF;
    return -1;
}

int _isatty(int fd)
{
    (void)fd;
    errno = EBADF;
    return 0;
}

int _lseek(int fd, int offset, int whence)
{
    (void)fd, (void)offset, (void)whence;
    errno = EBADF;
    return -1;
}

int _close(int fd)
{
    (void)fd;
    errno = EBADF;
    return -1;
}

/* syscalls.c - the rest of newlib's system calls on bare metal: the heap, exit, signals. */
#include "duet/cortex_m.h"

#include <errno.h>
#include <stdint.h>

extern char __heap_start__[], __heap_end__[];

void *_sbrk(ptrdiff_t increment);
void _exit(int status);
int _kill(int pid, int sig);
int _getpid(void);

void *_sbrk(ptrdiff_t increment)
{
    static char *brk = __heap_start__;
    if (increment > __heap_end__ - brk || increment < __heap_start__ - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    char *old = brk;
    brk += increment;
    return old;
}

void _exit(int status)
{
    duet_cortex_m_port_exit(status);
}

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void)
{
    return 1;
}

/* syscalls.c - the rest of newlib's system calls on bare metal: the heap, exit, signals. */
#include "duet/cortex_m.h"

#include <errno.h>
#include <signal.h>
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

/* Whether sig, raised with no handler, is ignored (its default action on POSIX: ignore, or
 * stop and continue, which a board's only program has no use for). */
static bool ignored_by_default(int sig)
{
    return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT || sig == SIGSTOP ||
           sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* newlib's raise() calls this for a signal the program has no handler for (abort() raises
 * SIGABRT, after a failed assert's message): the program ends, as it would on the PC, with a
 * line on the console that names the signal ("duet: stopped by signal 6 (SIGABRT)") and
 * status 1, newlib's abort() status. No other process exists: another pid is ESRCH. */
int _kill(int pid, int sig)
{
    static const char names[][5] = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "EMT", "FPE",
                                    "KILL", "BUS", "SEGV", "SYS", "PIPE", "ALRM", "TERM"};
    if (pid != _getpid()) {
        errno = ESRCH;
        return -1;
    }
    if (sig < 0 || sig >= NSIG) {
        errno = EINVAL;
        return -1;
    }
    if (sig == 0 || ignored_by_default(sig))
        return 0;
    static const char head[] = "\r\nduet: stopped by signal ";
    char number[2] = {(char)('0' + sig / 10), (char)('0' + sig % 10)};
    duet_cortex_m_port_console_write(head, sizeof head - 1);
    duet_cortex_m_port_console_write(number + (sig < 10), sig < 10 ? 1 : 2);
    if (sig <= 15) {
        duet_cortex_m_port_console_write(" (SIG", 5);
        const char *name = names[sig - 1];
        size_t n = 0;
        while (n < sizeof names[0] && name[n])
            n++;
        duet_cortex_m_port_console_write(name, n);
        duet_cortex_m_port_console_write(")", 1);
    }
    duet_cortex_m_port_console_write("\r\n", 2);
    duet_cortex_m_port_exit(1);
}

int _getpid(void)
{
    return 1;
}

/* slow_fork.c - loaded into duet-rpc by test_tool (LD_PRELOAD): fork() works, but the parent
 * then waits SLOW_FORK_MS milliseconds (from the environment) before it goes on, so that a
 * signal sent meanwhile arrives between the fork and what duet-rpc does after it. The
 * child goes on at once: it exec's its command, which the test sees start. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

pid_t fork(void)
{
    pid_t (*real_fork)(void) = (pid_t(*)(void))dlsym(RTLD_NEXT, "fork");
    pid_t pid = real_fork();
    const char *ms = getenv("SLOW_FORK_MS");
    if (pid > 0 && ms) {
        long n = atol(ms);
        struct timespec t = {n / 1000, (n % 1000) * 1000000L};
        while (nanosleep(&t, &t) != 0) {
            /* a signal held back (blocked) does not interrupt; one caught would: go on */
        }
    }
    return pid;
}

/* c_abort.c - a signal a program raises with no handler on a Cortex-M board, as on the PC
 * (ports/cortex_m/syscalls.c): one that is ignored by default returns, a failed assert prints
 * its message and abort() ends the program with a line that names SIGABRT. */
#include <assert.h>
#include <signal.h>
#include <stdio.h>

int main(void)
{
    printf("raise(SIGCHLD): %d\n", raise(SIGCHLD));
    volatile int x = 1;
    assert(x == 2);
    printf("not reached\n");
    return 0;
}

/* fail_fork.c - loaded into duet-board by test_duet_board (LD_PRELOAD): fork() fails with
 * EAGAIN, as when the user's process limit is reached, and at exit the pipes the process still
 * holds (past stdin, stdout and stderr) are counted on stderr: "open pipes at exit: N". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

pid_t fork(void)
{
    errno = EAGAIN;
    return -1;
}

/* Whether descriptor fd is one end of a pipe. */
static int is_pipe(int fd)
{
    char path[64], target[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = 0;
    return strncmp(target, "pipe:", 5) == 0;
}

__attribute__((destructor)) static void count_pipes(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    int pipes = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] != '.' && fd > 2 && fd != dirfd(d))
            pipes += is_pipe(fd);
    }
    closedir(d);
    fprintf(stderr, "open pipes at exit: %d\n", pipes);
}

/* test_board_access.c - an M4 program started by hand on a board it may not write: the board
 * another user started, or its files made read-only. duet_begin() says which, and what to do.
 * As root (which every file lets in) the program drops to the user nobody (uid 65534) in a
 * child; as another user, a chmod 0 stands for the read-only file. Exits 77 (ctest's
 * SKIP_RETURN_CODE) only when no case can be made: root that cannot change its user. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "duet/duet.h"
#include "duet/posix/board.h"

#define NOBODY 65534u
#define SKIP 77

static int failures;

static void check(int ok, const char *what, const char *text)
{
    if (!ok) {
        fprintf(stderr, "FAIL: %s; duet_begin printed:\n%s\n", what, text);
        failures++;
    }
}

/* Runs duet_begin() as the M4 of board in a child (as uid NOBODY if as_nobody), its stderr
 * into text. Returns the child's status: 0 when duet_begin failed as it should, SKIP when
 * the child could not become NOBODY. */
static int m4_begin(const char *board, int as_nobody, char *text, size_t cap)
{
    char path[] = "/tmp/duet_access_err_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    unlink(path);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 2);
        if (as_nobody && (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0))
            _exit(SKIP);
        setenv("DUET_BOARD", board, 1);
        setenv("DUET_CORE", "m4", 1);
        _exit(duet_begin() ? 1 : 0);
    }
    int status = -1;
    if (pid > 0)
        waitpid(pid, &status, 0);
    ssize_t n = pread(fd, text, cap - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    close(fd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
    char tmp[] = "/tmp/duet_access_XXXXXX", board[64], control[80], text[1024];
    if (!mkdtemp(tmp) || chmod(tmp, 0755) != 0)
        return 1;
    snprintf(board, sizeof board, "%s/board", tmp);
    snprintf(control, sizeof control, "%s/control", board);
    if (duet_posix_board_create(board) != DUET_OK) {
        fprintf(stderr, "board_create: %s\n", duet_posix_board_error_text());
        return 1;
    }
    int cases = 0;
    if (geteuid() == 0) {
        /* Root's board, an M4 started by nobody. */
        int rc = m4_begin(board, 1, text, sizeof text);
        if (rc != SKIP) {
            cases++;
            check(rc == 0, "duet_begin succeeded on another user's board", text);
            check(strstr(text, "permission denied: the board was started by another user (uid 0) and this "
                               "program runs as uid 65534") != NULL,
                  "no sentence naming the board's user and this one", text);
            check(strstr(text, "run it as that user, or start a board of your own") != NULL,
                  "no sentence saying what to do", text);
            /* nobody's own board, its file made read-only. */
            if (chown(board, NOBODY, NOBODY) != 0 || chown(control, NOBODY, NOBODY) != 0 || chmod(control, 0) != 0)
                return 1;
            rc = m4_begin(board, 1, text, sizeof text);
            cases++;
            check(rc == 0, "duet_begin succeeded on a read-only board", text);
            check(strstr(text, "control: permission denied: the board's file is read-only (mode 000)") != NULL,
                  "no sentence saying the file is read-only", text);
        }
    } else {
        if (chmod(control, 0) != 0)
            return 1;
        int rc = m4_begin(board, 0, text, sizeof text);
        cases++;
        check(rc == 0, "duet_begin succeeded on a read-only board", text);
        check(strstr(text, "control: permission denied: the board's file is read-only (mode 000)") != NULL,
              "no sentence saying the file is read-only", text);
    }
    chmod(control, 0600);
    char rm[128];
    snprintf(rm, sizeof rm, "rm -rf %s", tmp);
    if (system(rm) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    if (cases == 0) {
        fprintf(stderr, "test_board_access: root here cannot become uid %u: no case to run\n", NOBODY);
        return SKIP;
    }
    printf("test_board_access: %d cases, %d failed\n", cases, failures);
    return failures ? 1 : 0;
}

/* m7_fixture.h - what the Arduino layer's M7 tests share (test_rpc.cpp, test_rpc_shapes.cpp):
 * a board of their own in a temporary folder with an M4 program uploaded, this process its
 * M7, and a child process to run what ends the sketch. Include after cmocka.h. */
#ifndef DUET_TEST_ARDUINO_M7_FIXTURE_H
#define DUET_TEST_ARDUINO_M7_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "RPC.h"
#include "duet/posix/board.h"

namespace m7_fixture {

inline bool contains(const char *text, const char *part) { return strstr(text, part) != nullptr; }

/* Runs fn in a child process and returns its exit status and what it wrote on stderr. */
template <typename Fn> int in_child(Fn fn, std::string &err)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    char buf[512];
    ssize_t n;
    err.clear();
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        err.append(buf, (size_t)n);
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* Makes tmp_dir (a mkdtemp template) and a board in it (board_dir, cap bytes) with the M4
 * program m4 at the 1 MB split, and makes this process that board's M7 (not begun yet).
 * 0, or -1 (said on stderr). */
inline int board_for_m7(char *tmp_dir, char *board_dir, size_t cap, const char *m4)
{
    if (!mkdtemp(tmp_dir))
        return -1;
    snprintf(board_dir, cap, "%s/board", tmp_dir);
    if (duet_posix_board_create(board_dir) != DUET_OK ||
        duet_posix_board_upload(board_dir, DUET_POSIX_BOOT_1MB, m4) != DUET_OK) {
        fprintf(stderr, "board: %s\n", duet_posix_board_error_text());
        return -1;
    }
    setenv("DUET_BOARD", board_dir, 1);
    setenv("DUET_CORE", "m7", 1);
    unsetenv("DUET_BOOT_ADDRESS");
    return 0;
}

inline int remove_one(const char *path, const struct stat *, int, struct FTW *) { return remove(path); }

/* Asks the M4 program to quit ("quit"), waits for it, ends RPC and removes tmp_dir. 0 when
 * the M4 ended with status 0, else -1 (said on stderr). */
inline int board_end(const char *tmp_dir)
{
    int status = -1;
    if (RPC.call("quit").ok())
        status = duet_posix_port_m4_join(duet_port_default(), 5000);
    RPC.end();
    nftw(tmp_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    if (status != 0)
        fprintf(stderr, "the M4 ended with status %d\n", status);
    return status == 0 ? 0 : -1;
}

} // namespace m7_fixture

#endif

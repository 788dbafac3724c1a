/* qemu_stderr.h - QEMU's own messages (its stderr) passed on to duet-board's as QEMU writes
 * them, less the one line QEMU prints when duet-board ends it at the end of --seconds or at a
 * signal ("qemu-system-arm: terminating on signal 15 from pid N (duet-board)"), which would
 * land in front of the programs' output. Every other line, QEMU's errors among them, passes
 * unchanged. */
#ifndef DUET_BOARD_QEMU_STDERR_H
#define DUET_BOARD_QEMU_STDERR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Longest line held back while it may be the signal line (that line is shorter). */
#define QEMU_STDERR_HOLD 160

/* The filter's state: the start of the current line, held while it may be the signal line. */
typedef struct qemu_stderr {
    char held[QEMU_STDERR_HOLD];
    size_t count;  /* bytes in held */
    bool holding;  /* the current line is held (it started as the signal line does) */
    pid_t self;    /* duet-board's pid: the signal line it drops names it as the sender */
    bool stopped;  /* a signal stopped the run: the line without a sender is dropped too */
} qemu_stderr;

/* A filter at the start of a line, for duet-board (pid self). */
void qemu_stderr_begin(qemu_stderr *f, pid_t self);

/* Passes the n bytes QEMU wrote (buf) on to fd, but for the signal line. */
void qemu_stderr_feed(qemu_stderr *f, const char *buf, size_t n, int fd);

/* At QEMU's end: writes what is still held (a last line without its newline) to fd. */
void qemu_stderr_end(qemu_stderr *f, int fd);

#endif

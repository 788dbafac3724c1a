/* qemu_stderr.c - QEMU's stderr on duet-board's, less the line about the signal that ended
 * it (qemu_stderr.h). */
#include "qemu_stderr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* How QEMU (7.2) reports the signal that ends it: with the sender, or without (a signal from
 * the kernel: the terminal's Ctrl-C). */
static const char signal_line[] = "qemu-system-arm: terminating on signal ";

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

void qemu_stderr_begin(qemu_stderr *f, pid_t self)
{
    f->count = 0;
    f->holding = true;
    f->self = self;
    f->stopped = false;
}

/* Whether the held line (with its newline) is the signal line that duet-board caused. */
static bool is_signal_line(const qemu_stderr *f)
{
    char line[QEMU_STDERR_HOLD + 1];
    memcpy(line, f->held, f->count);
    line[f->count] = '\0';
    const char *rest = line + sizeof signal_line - 1;
    int sig, pid, end = -1;
    if (sscanf(rest, "%d from pid %d (%*[^)])%n", &sig, &pid, &end) == 2 && end > 0 && strcmp(rest + end, "\n") == 0)
        return pid == (int)f->self;
    end = -1;
    if (sscanf(rest, "%d%n", &sig, &end) == 1 && end > 0 && strcmp(rest + end, "\n") == 0)
        return f->stopped;
    return false;
}

/* One byte of a held line: still held, dropped with its line, or the line let through. */
static void hold(qemu_stderr *f, char c, int fd)
{
    f->held[f->count++] = c;
    size_t prefix = sizeof signal_line - 1;
    if (c == '\n') {
        if (f->count <= prefix || !is_signal_line(f))
            write_all(fd, f->held, f->count);
        f->count = 0; /* the next line is held from its start */
        return;
    }
    size_t n = f->count < prefix ? f->count : prefix;
    if (memcmp(f->held, signal_line, n) != 0 || f->count == sizeof f->held) {
        write_all(fd, f->held, f->count);
        f->count = 0;
        f->holding = false;
    }
}

void qemu_stderr_feed(qemu_stderr *f, const char *buf, size_t n, int fd)
{
    size_t i = 0;
    while (i < n) {
        if (f->holding) {
            hold(f, buf[i++], fd);
            continue;
        }
        /* Not held: through to the end of the line at once. */
        const char *nl = memchr(buf + i, '\n', n - i);
        size_t run = nl ? (size_t)(nl - (buf + i)) + 1 : n - i;
        write_all(fd, buf + i, run);
        i += run;
        if (nl)
            f->holding = true;
    }
}

void qemu_stderr_end(qemu_stderr *f, int fd)
{
    write_all(fd, f->held, f->count);
    f->count = 0;
}

/* board_util.c - errors, flash splits, the default board directory, commands, trees. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "board_util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Prints "duet-board VERB: TEXT" on one line, however long the text (a path may be long,
 * and the advice comes last). Only when memory runs out is it cut, at 1024 bytes. */
static int vfail(const board_args *args, int status, const char *fmt, va_list ap)
{
    char cut[1024];
    char *text = NULL;
    va_list copy;
    va_copy(copy, ap);
    if (vasprintf(&text, fmt, copy) < 0) {
        text = NULL;
        vsnprintf(cut, sizeof cut, fmt, ap);
    }
    va_end(copy);
    fprintf(stderr, "duet-board%s%s: %s\n", args && args->verb ? " " : "", args && args->verb ? args->verb : "",
            text ? text : cut);
    free(text);
    return status;
}

int board_fail(const board_args *args, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfail(args, 1, fmt, ap);
    va_end(ap);
    return r;
}

int board_usage_fail(const board_args *args, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfail(args, 2, fmt, ap);
    va_end(ap);
    return r;
}

/* The GIGA R1's splits (boards.txt giga.menu.split): the M7 sketch starts after the
 * bootloader at 0x08040000; the M4's partition starts at CM4_BINARY_START. */
static const board_split splits[] = {
    {"100_0", "2MB M7 + M4 in SDRAM", 0x08040000u, 0x1C0000u, 0x60000000u, 0x40000u},
    {"75_25", "1.5MB M7 + 0.5MB M4", 0x08040000u, 0x140000u, 0x08180000u, 0x80000u},
    {"50_50", "1MB M7 + 1MB M4", 0x08040000u, 0xC0000u, 0x08100000u, 0x100000u},
};

const board_split *board_split_nth(size_t i)
{
    return i < sizeof splits / sizeof splits[0] ? &splits[i] : NULL;
}

const board_split *board_split_find(const char *name)
{
    for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++)
        if (name && strcmp(splits[i].name, name) == 0)
            return &splits[i];
    return NULL;
}

const board_split *board_split_at(uint32_t m4_address)
{
    for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++)
        if (splits[i].m4_address == m4_address)
            return &splits[i];
    return NULL;
}

const board_split *board_split_default(void)
{
    return &splits[2];
}

const char *board_split_names(void)
{
    return "100_0 (2MB M7 + M4 in SDRAM), 75_25 (1.5MB M7 + 0.5MB M4) or 50_50 (1MB M7 + 1MB M4)";
}

int board_default_dir(const char *target, char *out, size_t cap)
{
    const char *home = getenv("DUET_BOARD_HOME");
    int n;
    if (home && home[0])
        n = snprintf(out, cap, "%s/%s", home, target);
    else if ((home = getenv("XDG_STATE_HOME")) && home[0])
        n = snprintf(out, cap, "%s/duet-board/%s", home, target);
    else if ((home = getenv("HOME")) && home[0])
        n = snprintf(out, cap, "%s/.local/state/duet-board/%s", home, target);
    else
        return -1;
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int board_mkdirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int remove_errno; /* why the first entry that could not be removed was not */

/* Removes one entry, and goes on past one that cannot be: as much as can go goes. */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if ((flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 && errno != ENOENT && !remove_errno)
        remove_errno = errno;
    return 0;
}

int board_remove_tree(const char *path)
{
    remove_errno = 0;
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return errno == ENOENT ? 0 : -1;
    errno = remove_errno;
    return remove_errno ? -1 : 0;
}

void board_print_command(char *const argv[])
{
    for (int i = 0; argv[i]; i++) {
        const char *w = argv[i];
        fputs(i ? " " : "", stderr);
        if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-") == strlen(w)) {
            fputs(w, stderr);
            continue;
        }
        /* In single quotes, where only ' itself needs more: '\'' ends, adds and reopens. */
        fputc('\'', stderr);
        for (; *w; w++) {
            if (*w == '\'')
                fputs("'\\''", stderr);
            else
                fputc(*w, stderr);
        }
        fputc('\'', stderr);
    }
    fputc('\n', stderr);
}

/* Runs argv and waits for it (board_run_command), its output and messages to /dev/null when
 * quiet. */
static int run_child(char *const argv[], bool verbose, bool quiet)
{
    if (verbose)
        board_print_command(argv);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "duet-board: cannot start %s: %s\n", argv[0], strerror(errno));
        return BOARD_RUN_NOT_STARTED;
    }
    if (pid == 0) {
        int null = quiet ? open("/dev/null", O_WRONLY) : -1;
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
            if (null > 2)
                close(null);
        }
        execvp(argv[0], argv);
        /* Status 127: the caller says what could not run and what to install, in one
         * sentence of its verb (this said it first, a second time, without the verb). */
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "duet-board: cannot wait for %s: %s\n", argv[0], strerror(errno));
            return BOARD_RUN_NOT_STARTED;
        }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int board_run_command(char *const argv[], bool verbose)
{
    return run_child(argv, verbose, false);
}

int board_run_quiet(char *const argv[], bool verbose)
{
    return run_child(argv, verbose, true);
}

/* The end of the digits that start at s. */
static const char *skip_digits(const char *s)
{
    while (*s >= '0' && *s <= '9')
        s++;
    return s;
}

bool board_decimal(const char *text, double *out)
{
    const char *s = text;
    if (*s == '+' || *s == '-')
        s++;
    const char *whole = s;
    s = skip_digits(s);
    bool digits = s > whole;
    if (*s == '.') {
        const char *fraction = ++s;
        s = skip_digits(s);
        digits = digits || s > fraction;
    }
    if (!digits)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        const char *exponent = s;
        s = skip_digits(s);
        if (s == exponent)
            return false;
    }
    if (*s)
        return false;
    *out = strtod(text, NULL);
    return true;
}

const char *board_signal_name(int sig)
{
    static char other[32];
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    case SIGPIPE: return "SIGPIPE";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    default:
        snprintf(other, sizeof other, "signal %d", sig);
        return other;
    }
}

void board_format_size(uint64_t bytes, char *out, size_t cap)
{
    if (bytes < 1024)
        snprintf(out, cap, "%llu bytes", (unsigned long long)bytes);
    else if (bytes < 1024 * 1024)
        snprintf(out, cap, "%.1f KiB", bytes / 1024.0);
    else
        snprintf(out, cap, "%.2f MiB", bytes / (1024.0 * 1024.0));
}

const char *board_compiler(const char *var, const char *fallback)
{
    const char *name = getenv(var);
    return name && name[0] ? name : fallback;
}

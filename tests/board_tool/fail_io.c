/* fail_io.c - loaded into duet-board by test_duet_board (LD_PRELOAD), as on a failing or
 * full disk: read() of the file that $FAIL_READ_PATH names fails with EIO, and so does
 * unlink() of a file named $FAIL_UNLINK_NAME (in any directory); fopen() for writing of a
 * path that ends in $FAIL_WRITE_SUFFIX fails with ENOSPC; with $FAIL_READDIR set, readdir()
 * fails with EIO; stat() of a path that ends in $FAIL_STAT_SUFFIX fails with EIO; strdup() of
 * a string that ends in $FAIL_STRDUP_SUFFIX fails with ENOMEM, as with no memory left. Every
 * other call is the real one. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t read(int fd, void *buf, size_t count)
{
    static ssize_t (*real)(int, void *, size_t);
    if (!real)
        real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
    const char *failing = getenv("FAIL_READ_PATH");
    if (failing) {
        char link[64], target[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n > 0) {
            target[n] = 0;
            if (strcmp(target, failing) == 0) {
                errno = EIO;
                return -1;
            }
        }
    }
    return real(fd, buf, count);
}

int unlink(const char *path)
{
    static int (*real)(const char *);
    if (!real)
        real = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
    const char *failing = getenv("FAIL_UNLINK_NAME");
    const char *base = strrchr(path, '/');
    if (failing && strcmp(base ? base + 1 : path, failing) == 0) {
        errno = EIO;
        return -1;
    }
    return real(path);
}

/* Whether fopen(path, mode) is to fail: a write to a path ending in $FAIL_WRITE_SUFFIX. */
static int write_fails(const char *path, const char *mode)
{
    const char *suffix = getenv("FAIL_WRITE_SUFFIX");
    size_t n = strlen(path), k = suffix ? strlen(suffix) : 0;
    return suffix && k && n >= k && strcmp(path + n - k, suffix) == 0 && strpbrk(mode, "wa+");
}

FILE *fopen(const char *path, const char *mode)
{
    static FILE *(*real)(const char *, const char *);
    if (!real)
        real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen");
    if (write_fails(path, mode)) {
        errno = ENOSPC;
        return NULL;
    }
    return real(path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    static FILE *(*real)(const char *, const char *);
    if (!real)
        real = (FILE * (*)(const char *, const char *)) dlsym(RTLD_NEXT, "fopen64");
    if (write_fails(path, mode)) {
        errno = ENOSPC;
        return NULL;
    }
    return real(path, mode);
}

struct dirent *readdir(DIR *d)
{
    static struct dirent *(*real)(DIR *);
    if (!real)
        real = (struct dirent * (*)(DIR *)) dlsym(RTLD_NEXT, "readdir");
    if (getenv("FAIL_READDIR")) {
        errno = EIO;
        return NULL;
    }
    return real(d);
}

int stat(const char *restrict path, struct stat *restrict st)
{
    static int (*real)(const char *restrict, struct stat *restrict);
    if (!real)
        real = (int (*)(const char *restrict, struct stat *restrict))dlsym(RTLD_NEXT, "stat");
    const char *suffix = getenv("FAIL_STAT_SUFFIX");
    size_t n = strlen(path), k = suffix ? strlen(suffix) : 0;
    if (k && n >= k && strcmp(path + n - k, suffix) == 0) {
        errno = EIO;
        return -1;
    }
    return real(path, st);
}

char *strdup(const char *s)
{
    static char *(*real)(const char *);
    if (!real)
        real = (char *(*)(const char *))dlsym(RTLD_NEXT, "strdup");
    const char *suffix = getenv("FAIL_STRDUP_SUFFIX");
    size_t n = strlen(s), k = suffix ? strlen(suffix) : 0;
    if (k && n >= k && strcmp(s + n - k, suffix) == 0) {
        errno = ENOMEM;
        return NULL;
    }
    return real(s);
}

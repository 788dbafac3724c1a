/* console.c - C's stdio on the board's console: newlib's system calls for files 0, 1, 2.
 * There is no file system: opening, removing or renaming a file fails with ENOENT (fopen()
 * returns NULL), as on an Mbed board without one. Linked only when the program uses stdio
 * (these are the functions stdio calls). */
#include "duet/cortex_m.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

int _write(int fd, const void *data, size_t len);
int _read(int fd, void *data, size_t len);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _lseek(int fd, int offset, int whence);
int _close(int fd);
int _open(const char *path, int flags, int mode);
int _unlink(const char *path);
int _link(const char *old, const char *new);

static bool console_fd(int fd)
{
    return fd >= 0 && fd <= 2;
}

/* stdout reaches the console as it is written, not when a line or a buffer is full. */
__attribute__((constructor)) static void console_unbuffered(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
}

int _write(int fd, const void *data, size_t len)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    duet_cortex_m_port_console_write(data, len);
    return (int)len;
}

int _read(int fd, void *data, size_t len)
{
    if (fd != 0) {
        errno = EBADF;
        return -1;
    }
    /* stdin blocks until a byte arrives; the core looks again every millisecond. */
    static volatile uint32_t never;
    size_t n;
    while ((n = duet_cortex_m_port_console_read(data, len)) == 0)
        duet_cortex_m_sleep_unless(&never);
    return (int)n;
}

int _fstat(int fd, struct stat *st)
{
    if (!console_fd(fd)) {
        errno = EBADF;
        return -1;
    }
    st->st_mode = S_IFCHR;
    return 0;
}

int _isatty(int fd)
{
    if (console_fd(fd))
        return 1;
    errno = EBADF;
    return 0;
}

int _lseek(int fd, int offset, int whence)
{
    (void)fd;
    (void)offset;
    (void)whence;
    errno = ESPIPE;
    return -1;
}

int _close(int fd)
{
    (void)fd;
    errno = EBADF;
    return -1;
}

int _open(const char *path, int flags, int mode)
{
    (void)path;
    (void)flags;
    (void)mode;
    errno = ENOENT;
    return -1;
}

int _unlink(const char *path)
{
    (void)path;
    errno = ENOENT;
    return -1;
}

int _link(const char *old, const char *new)
{
    (void)old;
    (void)new;
    errno = ENOENT;
    return -1;
}

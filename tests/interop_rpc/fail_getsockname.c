/* fail_getsockname.c - loaded into duet-rpc by test_tool (LD_PRELOAD): getsockname() fails
 * with ENOBUFS (as the kernel may under memory pressure), so that serve --tcp 0 cannot learn
 * the port the system gave it. Nothing else changes. */
#include <errno.h>
#include <sys/socket.h>

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    (void)fd;
    (void)addr;
    (void)len;
    errno = ENOBUFS;
    return -1;
}

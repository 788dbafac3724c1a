/* bytes_fd.c - duet_bytes_io over file descriptors, and helpers that open them. */
#include "duet/posix/bytes_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ errors */

static _Thread_local char error_text[512] = "no error";

static void set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_text, sizeof error_text, fmt, ap);
    va_end(ap);
}

const char *duet_posix_error_text(void)
{
    return error_text;
}

/* ------------------------------------------------------------ the io */

uint32_t duet_posix_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

void duet_posix_ignore_sigpipe(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

void duet_bytes_fd_init(duet_bytes_fd *f, int read_fd, int write_fd)
{
    memset(f, 0, sizeof *f);
    f->read_fd = read_fd;
    f->write_fd = write_fd;
    f->write_timeout_ms = -1;
    struct stat st;
    f->write_is_socket = fstat(write_fd, &st) == 0 && S_ISSOCK(st.st_mode);
    f->read_is_socket = fstat(read_fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

duet_bytes_io duet_bytes_fd_io(duet_bytes_fd *f)
{
    duet_bytes_io io;
    io.read = duet_bytes_fd_read;
    io.write = duet_bytes_fd_write;
    io.wait = duet_bytes_fd_wait;
    io.now_ms = duet_bytes_fd_now_ms;
    io.ctx = f;
    return io;
}

/* What read() or recv() returned, as duet_bytes_fd_read returns it; cap is what it was
 * given room for. */
static long read_result(duet_bytes_fd *f, ssize_t n, size_t cap)
{
    if (n > 0) {
        f->drained = (size_t)n < cap;
        return (long)n;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    f->last_errno = n < 0 ? errno : 0; /* 0: end of stream; EIO: a pty's other end closed */
    f->eof = true;
    return DUET_ERR_LINK_DOWN;
}

long duet_bytes_fd_read(void *ctx, uint8_t *buf, size_t cap)
{
    duet_bytes_fd *f = (duet_bytes_fd *)ctx;
    if (f->eof)
        return DUET_ERR_LINK_DOWN;
    if (cap == 0)
        return 0;
    /* A read that came back short found the descriptor empty behind its bytes: the read
     * right after it says 0 without asking the kernel again (a link reads until it is told
     * 0, so each message it takes in would cost a second system call only to learn there is
     * no more). The one after that asks; a wait in between (poll) sees what came since. */
    if (f->drained) {
        f->drained = false;
        return 0;
    }
    if (cap > (size_t)SSIZE_MAX)
        cap = (size_t)SSIZE_MAX;
    if (f->read_is_socket)
        return read_result(f, recv(f->read_fd, buf, cap, MSG_DONTWAIT), cap);
    struct pollfd p = {.fd = f->read_fd, .events = POLLIN, .revents = 0};
    int r = poll(&p, 1, 0);
    if (r < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : (f->last_errno = errno, f->eof = true, DUET_ERR_LINK_DOWN);
    if (r == 0)
        return 0;
    if (p.revents & POLLNVAL) {
        f->last_errno = EBADF;
        f->eof = true;
        return DUET_ERR_LINK_DOWN;
    }
    return read_result(f, read(f->read_fd, buf, cap), cap);
}

int duet_bytes_fd_write(void *ctx, const uint8_t *data, size_t len)
{
    duet_bytes_fd *f = (duet_bytes_fd *)ctx;
    while (len > 0) {
        ssize_t n;
        if (f->write_is_socket)
            n = send(f->write_fd, data, len, MSG_NOSIGNAL);
        else
            n = write(f->write_fd, data, len);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {.fd = f->write_fd, .events = POLLOUT, .revents = 0};
            int r = poll(&p, 1, f->write_timeout_ms);
            if (r == 0)
                return DUET_ERR_TIMEOUT;
            if (r < 0 && errno != EINTR) {
                f->last_errno = errno;
                return DUET_ERR_LINK_DOWN;
            }
            continue;
        }
        f->last_errno = n < 0 ? errno : EIO;
        return DUET_ERR_LINK_DOWN; /* EPIPE, ECONNRESET, EIO, ... */
    }
    return DUET_OK;
}

void duet_bytes_fd_wait(void *ctx, uint32_t timeout_ms)
{
    duet_bytes_fd *f = (duet_bytes_fd *)ctx;
    if (f->eof)
        return;
    f->drained = false; /* the read after a wait asks the kernel */
    struct pollfd p = {.fd = f->read_fd, .events = POLLIN, .revents = 0};
    poll(&p, 1, timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms);
}

uint32_t duet_bytes_fd_now_ms(void *ctx)
{
    (void)ctx;
    return duet_posix_now_ms();
}

/* ------------------------------------------------------------ opening descriptors */

static void set_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0)
        fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

static void set_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static bool baud_constant(unsigned baud, speed_t *out)
{
    switch (baud) {
    case 1200: *out = B1200; return true;
    case 2400: *out = B2400; return true;
    case 4800: *out = B4800; return true;
    case 9600: *out = B9600; return true;
    case 19200: *out = B19200; return true;
    case 38400: *out = B38400; return true;
    case 57600: *out = B57600; return true;
    case 115200: *out = B115200; return true;
    case 230400: *out = B230400; return true;
#ifdef B460800
    case 460800: *out = B460800; return true;
#endif
#ifdef B921600
    case 921600: *out = B921600; return true;
#endif
#ifdef B1000000
    case 1000000: *out = B1000000; return true;
#endif
#ifdef B2000000
    case 2000000: *out = B2000000; return true;
#endif
#ifdef B4000000
    case 4000000: *out = B4000000; return true;
#endif
    default: return false;
    }
}

int duet_posix_open_serial(const char *path, unsigned baud)
{
    speed_t speed = 0;
    if (baud && !baud_constant(baud, &speed)) {
        set_error("serial %s: unsupported baud rate %u", path, baud);
        return -1;
    }
    /* O_NONBLOCK so that open does not wait for a modem's carrier; cleared below. */
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        set_error("open %s: %s%s", path, strerror(err),
                  err == ENOENT ? " (no such serial port: is the board plugged in? ls /dev/ttyACM* /dev/ttyUSB* "
                                  "lists the ports there are)"
                                : "");
        return -1;
    }
    set_cloexec(fd);
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        set_error("serial %s: not a terminal device: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)CSTOPB;
#ifdef CRTSCTS
    t.c_cflag &= ~(tcflag_t)CRTSCTS;
#endif
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (baud) {
        cfsetispeed(&t, speed);
        cfsetospeed(&t, speed);
    }
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        set_error("serial %s: cannot set raw mode: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    tcflush(fd, TCIFLUSH); /* stale input would start the first message wrong */
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

/* Splits HOST:PORT or [HOST]:PORT into host (256 bytes) and the port's text in host_port.
 * NULL (with the error set) when it is neither. */
static const char *split_host_port(const char *host_port, char host[256])
{
    const char *start = host_port, *end, *port;
    if (!host_port || !*host_port) {
        set_error("tcp: no HOST:PORT given");
        return NULL;
    }
    if (host_port[0] == '[') {
        end = strchr(host_port, ']');
        if (!end || end[1] != ':') {
            set_error("tcp %s: expected [HOST]:PORT", host_port);
            return NULL;
        }
        start++;
        port = end + 2;
    } else {
        end = strrchr(host_port, ':');
        if (!end) {
            set_error("tcp %s: expected HOST:PORT", host_port);
            return NULL;
        }
        port = end + 1;
    }
    if ((size_t)(end - start) >= 256) {
        set_error("tcp %s: the host name is too long", host_port);
        return NULL;
    }
    memcpy(host, start, (size_t)(end - start));
    host[end - start] = '\0';
    if (!*port) {
        set_error("tcp %s: no port", host_port);
        return NULL;
    }
    return port;
}

/* A socket connected to the first of res's addresses that accepts, or -1 with errno set. */
static int connect_first(const struct addrinfo *res)
{
    int err = 0;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int rc;
        do
            rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        while (rc < 0 && errno == EINTR);
        if (rc == 0)
            return fd;
        err = errno;
        close(fd);
    }
    errno = err;
    return -1;
}

int duet_posix_tcp_connect(const char *host_port)
{
    char host[256];
    const char *port = split_host_port(host_port, host);
    if (!port)
        return -1;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(host[0] ? host : "127.0.0.1", port, &hints, &res);
    if (gai != 0) {
        set_error("tcp %s: %s", host_port, gai_strerror(gai));
        return -1;
    }
    int fd = connect_first(res);
    int err = errno;
    freeaddrinfo(res);
    if (fd < 0) {
        set_error("connect %s: %s%s", host_port, strerror(err),
                  err == ECONNREFUSED ? " (nothing listens on that port: start the server first, or give the "
                                        "HOST:PORT it listens on)"
                                      : "");
        return -1;
    }
    set_cloexec(fd);
    set_nodelay(fd);
    return fd;
}

int duet_posix_tcp_listen(uint16_t port, uint16_t *bound_port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        set_error("socket: %s", strerror(errno));
        return -1;
    }
    set_cloexec(fd);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, SOMAXCONN) != 0) {
        int err = errno;
        set_error("listen 127.0.0.1:%u: %s", (unsigned)port, strerror(err));
        close(fd);
        errno = err; /* the caller may tell a port in use (EADDRINUSE) from other failures */
        return -1;
    }
    /* Port 0: the system picks one, and only getsockname() tells which. A socket whose port
     * is unknown is given up: a caller would say it listens on port 0, where no one can come. */
    socklen_t len = sizeof a;
    if (port == 0 && getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        set_error("listen 127.0.0.1:0: getsockname: %s (the port the system gave is unknown)", strerror(errno));
        close(fd);
        return -1;
    }
    if (bound_port)
        *bound_port = ntohs(a.sin_port);
    return fd;
}

int duet_posix_tcp_accept(int listen_fd)
{
    int fd;
    do
        fd = accept(listen_fd, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        set_error("accept: %s", strerror(errno));
        return -1;
    }
    set_cloexec(fd);
    set_nodelay(fd);
    return fd;
}

int duet_posix_spawn(const char *command, duet_posix_child *child)
{
    int to_child[2], from_child[2];
    child->pid = -1;
    child->read_fd = child->write_fd = -1;
    if (pipe(to_child) != 0) {
        set_error("pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe(from_child) != 0) {
        set_error("pipe: %s", strerror(errno));
        close(to_child[0]);
        close(to_child[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        set_error("fork: %s", strerror(errno));
        close(to_child[0]);
        close(to_child[1]);
        close(from_child[0]);
        close(from_child[1]);
        return -1;
    }
    if (pid == 0) {
        /* The child: its own process group (so that closing it reaches what the shell
         * started too), stdin from to_child, stdout to from_child, and the signals that end
         * it at their defaults, none blocked, whatever its parent inherited (a command run
         * in the background of a shell ignores SIGINT): closing it must end it. */
        setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        if (dup2(to_child[0], 0) < 0 || dup2(from_child[1], 1) < 0)
            _exit(127);
        /* A caller started without stdin or stdout got that descriptor from pipe(): it is
         * the child's stdin or stdout now, not one to close. */
        int ends[4] = {to_child[0], to_child[1], from_child[0], from_child[1]};
        for (int i = 0; i < 4; i++)
            if (ends[i] > 1)
                close(ends[i]);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    set_cloexec(to_child[1]);
    set_cloexec(from_child[0]);
    child->pid = pid;
    child->read_fd = from_child[0];
    child->write_fd = to_child[1];
    return 0;
}

/* Waits up to ms for the child to exit: 1 and *status if it did. */
static int reap(pid_t pid, uint32_t ms, int *status)
{
    uint32_t start = duet_posix_now_ms();
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
        if (duet_posix_now_ms() - start >= ms)
            return 0;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int duet_posix_child_close(duet_posix_child *child, uint32_t grace_ms)
{
    if (child->write_fd >= 0)
        close(child->write_fd);
    if (child->read_fd >= 0)
        close(child->read_fd);
    child->write_fd = child->read_fd = -1;
    if (child->pid <= 0)
        return -1;
    int status = 0;
    int r = reap(child->pid, grace_ms, &status);
    if (r == 0) {
        kill(-child->pid, SIGTERM);
        r = reap(child->pid, grace_ms, &status);
    }
    if (r == 0) {
        kill(-child->pid, SIGKILL);
        r = reap(child->pid, 1000, &status);
    }
    child->pid = -1;
    if (r != 1)
        return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

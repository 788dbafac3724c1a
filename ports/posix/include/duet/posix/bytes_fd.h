/* duet/posix/bytes_fd.h - a duet_bytes_io over file descriptors (pipe, tty, socket), and
 * helpers that open them: serial device, TCP client and server, child process. */
#ifndef DUET_POSIX_BYTES_FD_H
#define DUET_POSIX_BYTES_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "duet/link_bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The byte stream of a duet_link_bytes, over a read descriptor and a write descriptor
 * (the same one for a socket or a tty, two ends of two pipes for a child process):
 *   read    never blocks: a socket is read with recv(MSG_DONTWAIT); any other descriptor
 *           is asked with poll() whether bytes are there, then one read() takes them; 0
 *           when none, DUET_ERR_LINK_DOWN at end of stream or on an error. The
 *           descriptor's own O_NONBLOCK flag is left alone (stdin may be shared).
 *   write   writes every byte, retrying on EINTR and waiting with poll() on EAGAIN;
 *           DUET_ERR_TIMEOUT if the descriptor accepted nothing for write_timeout_ms
 *           (default -1: wait for ever), DUET_ERR_LINK_DOWN if the peer is gone.
 *           Sockets are written with MSG_NOSIGNAL; for pipes, ignore SIGPIPE
 *           (duet_posix_ignore_sigpipe) or a closed peer kills the process.
 *   wait    poll() on the read descriptor.
 *   now_ms  CLOCK_MONOTONIC in milliseconds (wraps at 2^32).
 */
typedef struct duet_bytes_fd {
    int read_fd;
    int write_fd;
    int write_timeout_ms;   /* -1: block until written */
    bool write_is_socket;   /* use send(MSG_NOSIGNAL) */
    bool read_is_socket;    /* use recv(MSG_DONTWAIT): one system call instead of two */
    bool eof;               /* the read side reached end of stream */
    bool drained;           /* the last read filled less than it was given room for */
    int last_errno;         /* errno of the last failure, 0 if none */
} duet_bytes_fd;

/* Sets up f over the two descriptors (they stay owned by the caller). */
void duet_bytes_fd_init(duet_bytes_fd *f, int read_fd, int write_fd);

/* The duet_bytes_io for duet_link_bytes_init, with ctx = f. */
duet_bytes_io duet_bytes_fd_io(duet_bytes_fd *f);

/* The four functions of that io, for callers that wrap them. ctx is a duet_bytes_fd *.
 * A read that came back short (fewer bytes than cap) found the descriptor empty: the read
 * right after it returns 0 without a system call; the next one, or the first after a wait,
 * reads again. */
long duet_bytes_fd_read(void *ctx, uint8_t *buf, size_t cap);
int duet_bytes_fd_write(void *ctx, const uint8_t *data, size_t len);
void duet_bytes_fd_wait(void *ctx, uint32_t timeout_ms);
uint32_t duet_bytes_fd_now_ms(void *ctx);

/* CLOCK_MONOTONIC in milliseconds. */
uint32_t duet_posix_now_ms(void);

/* Ignores SIGPIPE, so that writing to a pipe whose reader is gone fails with EPIPE. */
void duet_posix_ignore_sigpipe(void);

/*
 * Helpers that open descriptors. Each returns a descriptor (>= 0) or -1; on -1,
 * duet_posix_error_text() describes the failure in one line ("connect 127.0.0.1:5000:
 * Connection refused"). Descriptors are opened close-on-exec.
 */
const char *duet_posix_error_text(void);

/* A serial device (or pty) in raw mode: 8N1, no flow control, no echo, at baud
 * (one of the standard rates; 0 keeps the current one). */
int duet_posix_open_serial(const char *path, unsigned baud);

/* A TCP connection to "HOST:PORT" ("[::1]:PORT" for IPv6), with TCP_NODELAY. */
int duet_posix_tcp_connect(const char *host_port);

/* A listening TCP socket on 127.0.0.1:port (0: any free port). *bound_port, if given,
 * receives the port it listens on. -1 and duet_posix_error_text() on failure, among them a
 * port 0 whose number getsockname() cannot tell; errno says why (EADDRINUSE: the port is
 * taken). */
int duet_posix_tcp_listen(uint16_t port, uint16_t *bound_port);

/* Waits for one connection on a listening socket (TCP_NODELAY set). */
int duet_posix_tcp_accept(int listen_fd);

/* A child process running `/bin/sh -c command` in a process group of its own, its stdin
 * and stdout joined to us by pipes: we read its stdout from read_fd and write its stdin
 * through write_fd. Its stderr is ours. */
typedef struct duet_posix_child {
    pid_t pid;
    int read_fd;
    int write_fd;
} duet_posix_child;

/* @retval 0 started, -1 failed (duet_posix_error_text()). */
int duet_posix_spawn(const char *command, duet_posix_child *child);

/* Closes both pipes (the child sees end of input), waits up to grace_ms for it to exit,
 * then sends SIGTERM to its process group and, after grace_ms more, SIGKILL.
 * @retval its exit status (0..255), 128+signal if a signal ended it, -1 if it could not be reaped. */
int duet_posix_child_close(duet_posix_child *child, uint32_t grace_ms);

#ifdef __cplusplus
}
#endif
#endif

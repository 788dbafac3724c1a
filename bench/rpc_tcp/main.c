/*
 * main.c - bench_rpc_tcp DUET_RPC CLIENTS CALLS: starts `DUET_RPC serve --tcp 0`, connects
 * CLIENTS clients to it (one thread each, each with its own duet engine over its own
 * connection), and, once all are connected, has each make CALLS synchronous add(k, i) calls
 * ("ll:l"). Every result is checked (k + i); any wrong or failed call aborts the run. Prints
 *
 *   calls_per_s <CLIENTS * CALLS / seconds from the start signal to the last client's end>
 *
 * then stops the server with SIGTERM and checks that it exits 0.
 *
 * bench_rpc_tcp --raw CLIENTS CALLS is the baseline: the same clients and round trips with
 * no RPC, against a server process that answers each RAW_BYTES-byte message with one of the
 * same size from one poll() loop, as duet-rpc serves its connections (what TCP over the
 * loopback between two processes allows at best). Each client writes a message and reads the
 * answer CALLS times, checking its bytes; the line printed is the same (calls_per_s: round
 * trips per second).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "duet/link_bytes.h"
#include "duet/posix/bytes_fd.h"
#include "duet/rpc.h"

#define MAX_CLIENTS 256
#define MESSAGE 4096
/* A raw message's size: about an add(k, i) request ([0, id, "add", [k, i]], 13 to 17
 * bytes) and its response ([1, id, nil, sum], 6 to 10 bytes) together, one way. */
#define RAW_BYTES 16

typedef struct client {
    pthread_t thread;
    int k;
    int fd;
    duet_bytes_fd io_fd;
    duet_link_bytes link;
    duet_rpc rpc;
    uint8_t rx[MESSAGE], tx[4 * MESSAGE], result[DUET_RPC_MAX_INFLIGHT * 64];
} client;

static client clients[MAX_CLIENTS];
static long calls;
static bool raw;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cond = PTHREAD_COND_INITIALIZER;
static bool started;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_rpc_tcp: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
    exit(1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Starts DUET_RPC serve --tcp 0 and reads the port it listens on from its stderr. */
static pid_t start_server(const char *duet, unsigned *port)
{
    int err_pipe[2];
    if (pipe(err_pipe) != 0)
        die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(err_pipe[1], 2);
        close(err_pipe[0]);
        close(err_pipe[1]);
        execl(duet, duet, "serve", "--tcp", "0", "--idle-timeout", "0", (char *)NULL);
        _exit(127);
    }
    close(err_pipe[1]);
    char line[256];
    size_t n = 0;
    while (n + 1 < sizeof line) {
        ssize_t r = read(err_pipe[0], line + n, 1);
        if (r <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    const char *at = strstr(line, "127.0.0.1:");
    if (!at || sscanf(at + 10, "%u", port) != 1)
        die("%s serve --tcp 0 said '%s'", duet, line);
    /* What the server says later (nothing, unless something is wrong) goes to our stderr. */
    if (fork() == 0) {
        char buf[512];
        ssize_t r;
        while ((r = read(err_pipe[0], buf, sizeof buf)) > 0)
            (void)!write(2, buf, (size_t)r);
        _exit(0);
    }
    close(err_pipe[0]);
    return pid;
}

/* The raw baseline's server: answers every RAW_BYTES bytes a connection sends with the
 * same bytes, from one poll() loop over the listening socket and every connection, until
 * SIGTERM (its default action) ends it. */
static void raw_serve(int listener)
{
    struct pollfd p[MAX_CLIENTS + 1];
    size_t have[MAX_CLIENTS + 1];
    uint8_t buf[MAX_CLIENTS + 1][RAW_BYTES];
    nfds_t n = 1;
    p[0] = (struct pollfd){.fd = listener, .events = POLLIN};
    for (;;) {
        if (poll(p, n, -1) < 0 && errno != EINTR)
            die("raw server: poll: %s", strerror(errno));
        if ((p[0].revents & POLLIN) && n <= MAX_CLIENTS) {
            int fd = duet_posix_tcp_accept(listener);
            if (fd < 0)
                die("raw server: %s", duet_posix_error_text());
            have[n] = 0;
            p[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
        }
        for (nfds_t i = 1; i < n; i++) {
            if (!p[i].revents)
                continue;
            ssize_t r = read(p[i].fd, buf[i] + have[i], RAW_BYTES - have[i]);
            if (r <= 0) { /* the client is done: its place goes to the last one */
                close(p[i].fd);
                p[i] = p[--n];
                have[i] = have[n];
                memcpy(buf[i], buf[n], RAW_BYTES);
                i--;
                continue;
            }
            have[i] += (size_t)r;
            if (have[i] == RAW_BYTES) {
                if (write(p[i].fd, buf[i], RAW_BYTES) != RAW_BYTES)
                    die("raw server: write: %s", strerror(errno));
                have[i] = 0;
            }
        }
    }
}

/* Starts the raw baseline's server process on a loopback port it picks. */
static pid_t start_raw_server(unsigned *port)
{
    uint16_t bound;
    int listener = duet_posix_tcp_listen(0, &bound);
    if (listener < 0)
        die("raw server: %s", duet_posix_error_text());
    *port = bound;
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0)
        raw_serve(listener);
    close(listener);
    return pid;
}

/* One raw round trip: RAW_BYTES out, the same RAW_BYTES back. */
static void raw_round_trip(client *c, long i)
{
    uint8_t out[RAW_BYTES], in[RAW_BYTES];
    memset(out, (int)(i & 0xff), sizeof out);
    memcpy(out, &c->k, sizeof c->k);
    if (write(c->fd, out, sizeof out) != (ssize_t)sizeof out)
        die("client %d: write: %s", c->k, strerror(errno));
    size_t got = 0;
    while (got < sizeof in) {
        ssize_t r = read(c->fd, in + got, sizeof in - got);
        if (r <= 0)
            die("client %d, round trip %ld: %s", c->k, i, r ? strerror(errno) : "the server closed");
        got += (size_t)r;
    }
    if (memcmp(in, out, sizeof in) != 0)
        die("client %d, round trip %ld: the answer is not what was sent", c->k, i);
}

static void client_connect(client *c, unsigned port)
{
    char where[32];
    snprintf(where, sizeof where, "127.0.0.1:%u", port);
    c->fd = duet_posix_tcp_connect(where);
    if (c->fd < 0)
        die("client %d: %s", c->k, duet_posix_error_text());
    if (raw)
        return;
    duet_bytes_fd_init(&c->io_fd, c->fd, c->fd);
    duet_bytes_io io = duet_bytes_fd_io(&c->io_fd);
    duet_link_bytes_init(&c->link, &io, c->rx, sizeof c->rx, MESSAGE);
    duet_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buffer = c->tx;
    cfg.tx_size = sizeof c->tx;
    cfg.result_buffer = c->result;
    cfg.result_size = sizeof c->result;
    cfg.max_message = MESSAGE;
    if (duet_rpc_init(&c->rpc, &c->link.link, &cfg) != DUET_OK)
        die("client %d: %s", c->k, duet_rpc_error_text(&c->rpc));
}

static void *client_run(void *arg)
{
    client *c = (client *)arg;
    pthread_mutex_lock(&start_lock);
    while (!started)
        pthread_cond_wait(&start_cond, &start_lock);
    pthread_mutex_unlock(&start_lock);
    for (long i = 0; raw && i < calls; i++)
        raw_round_trip(c, i);
    for (long i = 0; !raw && i < calls; i++) {
        int64_t sum = -1;
        int err = duet_rpc_call(&c->rpc, "add", "ll:l", (int64_t)c->k, (int64_t)i, &sum);
        if (err)
            die("client %d, call %ld: %s", c->k, i, duet_rpc_error_text(&c->rpc));
        if (sum != c->k + i)
            die("client %d, call %ld: add(%d, %ld) = %" PRId64, c->k, i, c->k, i, sum);
    }
    close(c->fd);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        die("usage: bench_rpc_tcp DUET_RPC|--raw CLIENTS CALLS");
    int n = atoi(argv[2]);
    calls = atol(argv[3]);
    if (n < 1 || n > MAX_CLIENTS || calls < 1)
        die("CLIENTS must be 1..%d and CALLS 1 or more", MAX_CLIENTS);
    duet_posix_ignore_sigpipe();
    raw = strcmp(argv[1], "--raw") == 0;
    unsigned port;
    pid_t server = raw ? start_raw_server(&port) : start_server(argv[1], &port);
    for (int k = 0; k < n; k++) {
        clients[k].k = k;
        client_connect(&clients[k], port);
    }
    for (int k = 0; k < n; k++)
        if (pthread_create(&clients[k].thread, NULL, client_run, &clients[k]) != 0)
            die("pthread_create failed");
    double t0 = now_s();
    pthread_mutex_lock(&start_lock);
    started = true;
    pthread_cond_broadcast(&start_cond);
    pthread_mutex_unlock(&start_lock);
    for (int k = 0; k < n; k++)
        pthread_join(clients[k].thread, NULL);
    double secs = now_s() - t0;
    printf("calls_per_s %.0f\n", (double)n * (double)calls / secs);
    kill(server, SIGTERM);
    int status;
    if (waitpid(server, &status, 0) != server)
        die("waitpid: %s", strerror(errno));
    if (raw ? !WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM : !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the server did not %s on SIGTERM", raw ? "end" : "exit 0");
    return 0;
}

/*
 * main.c - bench_rpc_tcp DUET_RPC CLIENTS CALLS: starts `DUET_RPC serve --tcp 0`, connects
 * CLIENTS clients to it (one thread each, each with its own duet engine over its own
 * connection), and, once all are connected, has each make CALLS synchronous add(k, i) calls
 * ("ll:l"). Every result is checked (k + i); any wrong or failed call aborts the run. Prints
 *
 *   calls_per_s <CLIENTS * CALLS / seconds from the start signal to the last client's end>
 *
 * then stops the server with SIGTERM and checks that it exits 0.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <inttypes.h>
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

static void client_connect(client *c, unsigned port)
{
    char where[32];
    snprintf(where, sizeof where, "127.0.0.1:%u", port);
    c->fd = duet_posix_tcp_connect(where);
    if (c->fd < 0)
        die("client %d: %s", c->k, duet_posix_error_text());
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
    for (long i = 0; i < calls; i++) {
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
        die("usage: bench_rpc_tcp DUET_RPC CLIENTS CALLS");
    int n = atoi(argv[2]);
    calls = atol(argv[3]);
    if (n < 1 || n > MAX_CLIENTS || calls < 1)
        die("CLIENTS must be 1..%d and CALLS 1 or more", MAX_CLIENTS);
    duet_posix_ignore_sigpipe();
    unsigned port;
    pid_t server = start_server(argv[1], &port);
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
    if (waitpid(server, &status, 0) != server || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the server did not exit 0 on SIGTERM");
    return 0;
}

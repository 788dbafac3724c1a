/* serve_c_peer.c DUET_RPC - a C client of `DUET_RPC serve`, over stdio and over TCP, built on
 * duet's own byte-stream link and codec (raw bytes out, framed messages in). For each case of
 * a server real clients lean on it checks the answer, the exit status and that the next
 * request is still served:
 *   1 a request over the 1 MiB limit: an error naming the limit, its body skipped
 *   2 a header declaring 4 GiB: an error by msgid at once, then the stream closed (exit 4)
 *   3 a call_back and its nested answer just before end of input: answered, exit 0
 *   4 a call_back whose request and nested answer pass 1 MiB together
 *   5 (TCP) an idle client and a client waiting in call_back block no one
 *   6 a method name sent as bin
 *   and bytes that are not MessagePack, then input that ends inside a message: exit 4.
 * Prints one line per check and a summary; exit 1 if any failed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "duet/link_bytes.h"
#include "duet/msgpack.h"
#include "duet/posix/bytes_fd.h"

#define LIMIT (1u << 20)
#define MAX_KEPT 64

static int passed, failed;

static bool check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf(ok ? "  ok    " : "  FAIL  ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    if (ok)
        passed++;
    else
        failed++;
    return ok;
}

/* ------------------------------------------------------------ a client */

typedef struct response {
    uint64_t msgid;
    bool is_error;
    char text[256];       /* the error text, or the result as far as a str or int shows it */
    int64_t number;       /* an integer result */
    size_t result_len;    /* bytes of the result value */
} response;

typedef struct client {
    const char *how;      /* "stdio" or "tcp" */
    int rfd, wfd;
    pid_t server;         /* stdio: the server we started (TCP: the caller's) */
    duet_bytes_fd fd;
    duet_link_bytes link;
    uint8_t *rx;
    response kept[MAX_KEPT];
    unsigned nkept;
    uint64_t requests[8]; /* msgids of the server's requests to us */
    unsigned nrequests;
    bool ended;           /* the server closed its side */
} client;

static void record(client *c, const uint8_t *msg, size_t len)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, msg, len);
    uint32_t n, type;
    uint64_t id;
    if (!duet_msgpack_read_array(&r, &n) || !duet_msgpack_read_u32(&r, &type) || !duet_msgpack_read_u64(&r, &id))
        return;
    if (type == 0 && c->nrequests < 8) {
        c->requests[c->nrequests++] = id;
        return;
    }
    if (type != 1 || c->nkept == MAX_KEPT)
        return;
    response *x = &c->kept[c->nkept++];
    memset(x, 0, sizeof *x);
    x->msgid = id;
    const char *s;
    uint32_t slen;
    x->is_error = duet_msgpack_peek_type(&r) != DUET_MSGPACK_NIL;
    if (x->is_error) {
        if (duet_msgpack_read_str(&r, &s, &slen))
            snprintf(x->text, sizeof x->text, "%.*s", (int)slen, s);
        return;
    }
    duet_msgpack_read_nil(&r);
    const uint8_t *start = r.pos;
    if (duet_msgpack_peek_type(&r) == DUET_MSGPACK_STR && duet_msgpack_read_str(&r, &s, &slen))
        snprintf(x->text, sizeof x->text, "%.*s", (int)slen, s);
    else
        duet_msgpack_read_i64(&r, &x->number);
    r.pos = start;
    duet_msgpack_skip(&r);
    x->result_len = (size_t)(r.pos - start);
}

static bool on_message(void *up, const uint8_t *data, size_t len)
{
    record((client *)up, data, len);
    return true;
}

static void client_init(client *c, const char *how, int rfd, int wfd)
{
    memset(c, 0, sizeof *c);
    c->how = how;
    c->rfd = rfd;
    c->wfd = wfd;
    c->rx = malloc(2 * LIMIT);
    if (!c->rx)
        abort();
    fcntl(wfd, F_SETFL, fcntl(wfd, F_GETFL) | O_NONBLOCK);
    duet_bytes_fd_init(&c->fd, rfd, wfd);
    duet_bytes_io io = duet_bytes_fd_io(&c->fd);
    duet_link_bytes_init(&c->link, &io, c->rx, 2 * LIMIT, 2 * LIMIT);
    duet_link_attach(&c->link.link, on_message, c);
}

/* Reads what has arrived (waiting up to ms for it). */
static void client_pump(client *c, int ms)
{
    if (c->ended)
        return;
    struct pollfd p = {c->rfd, POLLIN, 0};
    if (poll(&p, 1, ms) > 0 && c->link.link.poll(&c->link.link) == DUET_ERR_LINK_DOWN)
        c->ended = true;
}

/* Writes all of data, reading meanwhile (neither side may block on a full pipe). */
static void client_send(client *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        struct pollfd f[2] = {{c->wfd, POLLOUT, 0}, {c->rfd, POLLIN, 0}};
        if (poll(f, c->ended ? 1 : 2, 10000) <= 0) {
            check(false, "[%s] writing stalled for 10 s", c->how);
            return;
        }
        if (f[1].revents)
            client_pump(c, 0);
        if (f[0].revents & (POLLERR | POLLHUP))
            return;
        if (f[0].revents & POLLOUT) {
            ssize_t n = c->fd.write_is_socket ? send(c->wfd, p, len, MSG_NOSIGNAL) : write(c->wfd, p, len);
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                return;
            if (n > 0) {
                p += n;
                len -= (size_t)n;
            }
        }
    }
}

/* The response to msgid, waiting up to ms; NULL if none came. */
static response *client_wait(client *c, uint64_t msgid, int ms)
{
    uint32_t start = duet_posix_now_ms();
    for (;;) {
        for (unsigned i = 0; i < c->nkept; i++)
            if (c->kept[i].msgid == msgid)
                return &c->kept[i];
        int left = ms - (int)(duet_posix_now_ms() - start);
        if (left <= 0 || c->ended)
            return NULL;
        client_pump(c, left);
    }
}

/* Sends [0, msgid, method, [a, b]]. */
static void request_add(client *c, uint64_t msgid, int64_t a, int64_t b)
{
    uint8_t buf[64];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 0);
    duet_msgpack_write_uint(&w, msgid);
    duet_msgpack_write_cstr(&w, "add");
    duet_msgpack_write_array(&w, 2);
    duet_msgpack_write_int(&w, a);
    duet_msgpack_write_int(&w, b);
    client_send(c, buf, duet_msgpack_writer_size(&w));
}

/* Sends [0, msgid, "call_back", [method, str?]] or, with len 0, no string argument. */
static void request_call_back(client *c, uint64_t msgid, const char *method, const char *str, size_t len)
{
    static uint8_t buf[LIMIT + 64];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 0);
    duet_msgpack_write_uint(&w, msgid);
    duet_msgpack_write_cstr(&w, "call_back");
    duet_msgpack_write_array(&w, len ? 2 : 1);
    duet_msgpack_write_cstr(&w, method);
    if (len)
        duet_msgpack_write_str(&w, str, len);
    client_send(c, buf, duet_msgpack_writer_size(&w));
}

/* Sends [1, msgid, nil, str]. */
static void answer_str(client *c, uint64_t msgid, const char *str, size_t len)
{
    static uint8_t buf[LIMIT + 64];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 1);
    duet_msgpack_write_uint(&w, msgid);
    duet_msgpack_write_nil(&w);
    duet_msgpack_write_str(&w, str, len);
    client_send(c, buf, duet_msgpack_writer_size(&w));
}

static bool is_sum(const response *r, int64_t sum)
{
    return r && !r->is_error && r->number == sum;
}

/* ------------------------------------------------------------ servers */

/* duet-rpc serve ARGS with stdin/stdout joined to us; its stderr goes to err_path. */
static pid_t start_server(const char *duet, const char *const *args, int *rfd, int *wfd, const char *err_path, int *err_fd)
{
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err))
        abort();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        const char *argv[12] = {duet, "serve"};
        int n = 2;
        while (*args && n < 11)
            argv[n++] = *args++;
        argv[n] = NULL;
        for (int fd = 3; fd < 64; fd++)
            close(fd);
        execv(duet, (char *const *)argv);
        _exit(127);
    }
    (void)err_path;
    close(in[0]);
    close(out[1]);
    close(err[1]);
    *rfd = out[0];
    *wfd = in[1];
    *err_fd = err[0];
    return pid;
}

/* Everything on fd until its end (at most cap - 1 bytes kept). */
static void read_all(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t r;
    while ((r = read(fd, buf + n, cap - 1 - n)) > 0 && n + 1 < cap)
        n += (size_t)r;
    buf[n] = '\0';
    close(fd);
}

static int exit_status(pid_t pid)
{
    int st;
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

/* A fresh server and one client of it. TCP: serve --tcp 0 --once, whose stderr's first line
 * says the port. */
typedef struct session {
    client c;
    pid_t pid;
    int err_fd;
    char err[8192];
    int status;
} session;

static void session_open(session *s, const char *duet, bool tcp)
{
    int rfd, wfd;
    if (!tcp) {
        static const char *const args[] = {"--stdio", NULL};
        s->pid = start_server(duet, args, &rfd, &wfd, NULL, &s->err_fd);
        client_init(&s->c, "stdio", rfd, wfd);
        return;
    }
    static const char *const args[] = {"--tcp", "0", "--once", NULL};
    int unused_r, unused_w;
    s->pid = start_server(duet, args, &unused_r, &unused_w, NULL, &s->err_fd);
    close(unused_r);
    close(unused_w);
    char line[128];
    size_t n = 0;
    while (n + 1 < sizeof line && read(s->err_fd, line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = '\0';
    const char *at = strstr(line, "127.0.0.1:");
    int fd = at ? duet_posix_tcp_connect(at) : -1;
    if (fd < 0) {
        check(false, "[tcp] serve --tcp 0 --once said '%s'", line);
        exit(1);
    }
    client_init(&s->c, "tcp", fd, fd);
}

/* Ends our input, takes what is still sent, and collects the status and stderr. */
static void session_close(session *s)
{
    if (s->c.rfd == s->c.wfd)
        shutdown(s->c.wfd, SHUT_WR);
    else
        close(s->c.wfd);
    uint32_t start = duet_posix_now_ms();
    while (!s->c.ended && duet_posix_now_ms() - start < 10000)
        client_pump(&s->c, 100);
    close(s->c.rfd);
    s->status = exit_status(s->pid);
    read_all(s->err_fd, s->err, sizeof s->err);
    free(s->c.rx);
}

/* ------------------------------------------------------------ the cases */

static const char *how(bool tcp)
{
    return tcp ? "tcp" : "stdio";
}

static void case_oversized(const char *duet, bool tcp)
{
    session s;
    session_open(&s, duet, tcp);
    static char big[LIMIT];
    memset(big, 'w', sizeof big);
    request_call_back(&s.c, 1, "echo", big, sizeof big); /* [0, 1, "call_back", ["echo", 1 MiB]] */
    request_add(&s.c, 2, 1, 2);
    response *r = client_wait(&s.c, 1, 10000);
    check(r && r->is_error && strstr(r->text, "the limit is 1048576 bytes"), "[%s] 1. over the limit: error naming it (%s)",
          how(tcp), r ? r->text : "no response");
    check(is_sum(client_wait(&s.c, 2, 5000), 3), "[%s] 1. the next request is served", how(tcp));
    session_close(&s);
    check(s.status == 0, "[%s] 1. exit 0 (got %d)", how(tcp), s.status);
    check(strstr(s.err, "over the limit of 1048576 bytes") != NULL, "[%s] 1. stderr says what was skipped", how(tcp));
}

static void case_huge_header(const char *duet, bool tcp)
{
    session s;
    session_open(&s, duet, tcp);
    static const uint8_t huge[] = {0x94, 0x00, 0x01, 0xdb, 0xff, 0xff, 0xff, 0xff};
    client_send(&s.c, huge, sizeof huge);
    request_add(&s.c, 2, 1, 2);
    response *r = client_wait(&s.c, 1, 5000);
    check(r && r->is_error && strstr(r->text, "1048576"), "[%s] 2. 4 GiB header: error by its msgid (%s)", how(tcp),
          r ? r->text : "no response");
    session_close(&s);
    check(client_wait(&s.c, 2, 0) == NULL, "[%s] 2. what followed was not served as its body", how(tcp));
    check(s.status == 4, "[%s] 2. exit 4 (got %d)", how(tcp), s.status);
    check(strstr(s.err, "too large to skip") != NULL, "[%s] 2. with a sentence on stderr", how(tcp));
}

static void case_end_of_input(const char *duet, bool tcp)
{
    session s;
    session_open(&s, duet, tcp);
    request_call_back(&s.c, 1, "hello", NULL, 0);
    answer_str(&s.c, 0, "from c", 6); /* the server's first call has msgid 0 */
    request_add(&s.c, 3, 40, 2);
    session_close(&s);
    response *r = client_wait(&s.c, 1, 0);
    check(r && !r->is_error && strcmp(r->text, "from c") == 0, "[%s] 3. the answer owed at end of input is written", how(tcp));
    check(is_sum(client_wait(&s.c, 3, 0), 42), "[%s] 3. and the next request's", how(tcp));
    check(s.status == 0, "[%s] 3. exit 0 (got %d)", how(tcp), s.status);
}

static void case_reading_on(const char *duet, bool tcp)
{
    session s;
    session_open(&s, duet, tcp);
    static char big[700000];
    memset(big, 'x', sizeof big);
    request_call_back(&s.c, 1, "hello", big, sizeof big);
    uint32_t start = duet_posix_now_ms();
    while (s.c.nrequests == 0 && !s.c.ended && duet_posix_now_ms() - start < 10000)
        client_pump(&s.c, 100);
    check(s.c.nrequests == 1, "[%s] 4. the server calls back with 700 kB", how(tcp));
    if (s.c.nrequests == 1)
        answer_str(&s.c, s.c.requests[0], big, sizeof big);
    response *r = client_wait(&s.c, 1, 10000);
    check(r && !r->is_error && r->result_len == sizeof big + 5, "[%s] 4. request and nested answer pass 1 MiB: answered",
          how(tcp));
    request_add(&s.c, 2, 2, 2);
    check(is_sum(client_wait(&s.c, 2, 5000), 4), "[%s] 4. the next request is served", how(tcp));
    session_close(&s);
    check(s.status == 0, "[%s] 4. exit 0 (got %d)", how(tcp), s.status);
}

static void case_bin_method_and_garbage(const char *duet, bool tcp)
{
    session s;
    session_open(&s, duet, tcp);
    static const uint8_t bin_add[] = {0x94, 0x00, 0x01, 0xc4, 0x03, 'a', 'd', 'd', 0x92, 0x01, 0x02};
    client_send(&s.c, bin_add, sizeof bin_add);
    check(is_sum(client_wait(&s.c, 1, 5000), 3), "[%s] 6. a method name sent as bin is served", how(tcp));
    static const uint8_t notify[] = {0x93, 0x02, 0xa4, 'n', 'o', 'p', 'e', 0x90};
    client_send(&s.c, notify, sizeof notify);
    static const uint8_t garbage[] = {0xc1, 0xc1};
    client_send(&s.c, garbage, sizeof garbage);
    request_add(&s.c, 2, 5, 5);
    check(is_sum(client_wait(&s.c, 2, 5000), 10), "[%s] garbage: the next request is served", how(tcp));
    static const uint8_t cut[] = {0x94, 0x00, 0x03};
    client_send(&s.c, cut, sizeof cut);
    session_close(&s);
    check(s.status == 4, "[%s] input ending inside a message: exit 4 (got %d)", how(tcp), s.status);
    check(strstr(s.err, "notification nope failed") != NULL, "[%s] 6. the failed notification is on stderr", how(tcp));
    check(strstr(s.err, "skipped 2 bytes that are not MessagePack (c1 c1)") != NULL, "[%s] garbage: said on stderr", how(tcp));
    check(strstr(s.err, "the input ended inside a message") != NULL, "[%s] the cut message: said on stderr", how(tcp));
}

static void case_many_clients(const char *duet)
{
    static const char *const args[] = {"--tcp", "0", NULL};
    int unused_r, unused_w, err_fd;
    pid_t pid = start_server(duet, args, &unused_r, &unused_w, NULL, &err_fd);
    close(unused_r);
    close(unused_w);
    char line[128];
    size_t n = 0;
    while (n + 1 < sizeof line && read(err_fd, line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = '\0';
    const char *at = strstr(line, "127.0.0.1:");
    client idle, a, b;
    int fd_idle = duet_posix_tcp_connect(at);
    client_init(&idle, "tcp", fd_idle, fd_idle);
    int fd_a = duet_posix_tcp_connect(at);
    client_init(&a, "tcp", fd_a, fd_a);
    int fd_b = duet_posix_tcp_connect(at);
    client_init(&b, "tcp", fd_b, fd_b);
    request_add(&b, 1, 2, 3);
    check(is_sum(client_wait(&b, 1, 2500), 5), "5. an idle client blocks no one");
    request_call_back(&a, 1, "slow", NULL, 0);
    uint32_t start = duet_posix_now_ms();
    while (a.nrequests == 0 && duet_posix_now_ms() - start < 5000)
        client_pump(&a, 100);
    request_add(&b, 2, 20, 22);
    check(is_sum(client_wait(&b, 2, 2500), 42), "5. while client a's call_back waits, client b is served");
    if (a.nrequests)
        answer_str(&a, a.requests[0], "ok", 2);
    response *r = client_wait(&a, 1, 5000);
    check(r && strcmp(r->text, "ok") == 0, "5. client a's call_back gets its answer");
    close(idle.rfd);
    close(a.rfd);
    close(b.rfd);
    free(idle.rx);
    free(a.rx);
    free(b.rx);
    kill(pid, SIGTERM);
    check(exit_status(pid) == 0, "5. SIGTERM: exit 0");
    close(err_fd);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: serve_c_peer DUET_RPC\n");
        return 2;
    }
    duet_posix_ignore_sigpipe();
    for (int tcp = 0; tcp < 2; tcp++) {
        case_oversized(argv[1], tcp);
        case_huge_header(argv[1], tcp);
        case_end_of_input(argv[1], tcp);
        case_reading_on(argv[1], tcp);
        case_bin_method_and_garbage(argv[1], tcp);
    }
    case_many_clients(argv[1]);
    printf("interop_rpc C client vs duet-rpc serve: %d of %d checks passed\n", passed, passed + failed);
    return failed ? 1 : 0;
}

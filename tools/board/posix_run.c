/* posix_run.c - duet-board run on the emulated GIGA R1: powers the board (a reset), starts
 * the M7's program from flash (its duet_begin() boots the M4), and turns what the cores
 * report into the board's one event feed; stdout is the Serial Monitor. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analog.h"
#include "board_util.h"
#include "duet/posix/board.h"
#include "duet/posix/events.h"
#include "feed.h"
#include "log.h"
#include "posix_target.h"
#include "rpmsg_decode.h"
#include "trace.h"
#include "vcd.h"
#include "web.h"

_Static_assert((int)BOARD_EV_BOOT == (int)DUET_EV_BOOT && (int)BOARD_EV_LINK == (int)DUET_EV_LINK &&
                   (int)BOARD_EV_RPC == (int)DUET_EV_RPC && (int)BOARD_EV_RUN == (int)DUET_EV_RUN,
               "the feed's kinds are the posix records' kinds");

/* How often the waveforms of --analog are sampled into the board. */
#define ANALOG_PERIOD_MS 20
/* How long a line the M4 began on its stdout waits for its end before it is shown as it is. */
#define M4_LINE_WAIT_MS 50
/* How long the cores get to end after SIGTERM before SIGKILL. */
#define STOP_GRACE_MS 1000

/* Written by the signal handler, read by the loop: which signal asked us to stop. */
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reset_signal; /* SIGUSR1: duet-board reset of this board */
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int e = errno;
    if (sig == SIGUSR1)
        reset_signal = 1;
    else if (sig != SIGCHLD)
        stop_signal = sig;
    char c = (char)sig;
    ssize_t w = write(wake_pipe[1], &c, 1);
    (void)w;
    errno = e;
}

/* Closes the pipe on_signal wakes the loop through; a signal after that writes nowhere. */
static void close_wake_pipe(void)
{
    int ends[2] = {wake_pipe[0], wake_pipe[1]};
    wake_pipe[1] = wake_pipe[0] = -1;
    for (int i = 0; i < 2; i++)
        if (ends[i] >= 0)
            close(ends[i]);
}

/* The signals on_signal catches. */
static void stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGCHLD);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Everything one run holds, released by run_end whatever ended it. */
typedef struct run {
    const board_args *args;
    char dir[PATH_MAX];
    bool temp_dir;               /* a one-shot board: removed at the end */
    duet_posix_io *io;
    uint64_t power_on_ns;
    board_feed feed;
    board_log log;
    FILE *log_file;
    board_vcd vcd;
    bool vcd_open;
    board_trace trace;
    rpmsg_decoder rpmsg;         /* --trace: what the cores' buffers carry */
    board_analog analog[8];
    int analog_count;
    int analog_last[8];
    board_web *web;              /* --web: the board's page, or NULL */
    bool reset_pending;          /* the page pressed reset */
    pid_t m7;
    int events_fd;               /* read end of the records pipe */
    int serial_fd;               /* read end of the M7's stdout */
    int serial_in_fd;            /* write end of the M7's stdin, or -1 */
    int m4_stdout_fd;            /* read end of the M4's stdout (its UART), or -1 */
    char m4_line[512];           /* what the M4 wrote since its last newline */
    size_t m4_line_len;
    uint64_t m4_line_ns;         /* when that began */
    bool forward_stdin;
    int lock_fd;                 /* the board's run lock (run.lock), or -1 */
    int stdout_errno;            /* why the Serial output could not go to our stdout, or 0 */
    int m7_status;               /* waitpid status, once it ended */
    bool m7_ended;
    int m4_crash_signal;         /* a signal that ended the M4, or 0 */
    int m4_exit;                 /* a non-zero status the M4 returned, or 0 */
    unsigned char pending[sizeof(duet_posix_event) + DUET_POSIX_EVENT_DATA_MAX];
    size_t pending_len;          /* bytes of a record read so far */
} run;

static uint64_t board_time_us(const run *r)
{
    return (mono_ns() - r->power_on_ns) / 1000u;
}

static void publish(run *r, int kind, int core, int pin, int32_t value, const void *data, size_t len)
{
    board_event ev = {board_time_us(r), kind, core, pin, value, data, len};
    board_feed_publish(&r->feed, &ev);
}

/* ------------------------------------------------------------ what the cores report */

/* Notes what the run's exit status needs from an event (how the M4 ended). SIGTERM is how
 * the board stops the M4 (a reset: the M7's program closing the link as MicroPython's does,
 * duet-board reset), not a crash. */
static void note(run *r, const duet_posix_event *ev)
{
    if (ev->kind != DUET_EV_END || ev->core != DUET_CPU_M4)
        return;
    if (ev->value == 128 + SIGTERM)
        return;
    if (ev->value > 128)
        r->m4_crash_signal = ev->value - 128;
    else if (ev->value > 0)
        r->m4_exit = ev->value; /* -1: it could not start, and the M7's duet_begin said why */
}

/* Takes every whole record out of what was read; keeps a partial one for later. */
static void records(run *r)
{
    size_t off = 0;
    while (r->pending_len - off >= sizeof(duet_posix_event)) {
        duet_posix_event ev;
        memcpy(&ev, r->pending + off, sizeof ev);
        if (ev.len > DUET_POSIX_EVENT_DATA_MAX) {
            /* Not a record: nothing after it can be trusted. */
            publish(r, BOARD_EV_WARN, BOARD_CORE_NONE, -1, 0, "a core wrote a corrupt event record; later events are lost",
                    58);
            r->pending_len = 0;
            return;
        }
        if (r->pending_len - off < sizeof ev + ev.len)
            break;
        note(r, &ev);
        if (ev.kind == DUET_EV_RPMSG) {
            rpmsg_decode(&r->rpmsg, &r->feed, ev.core, ev.time_us, r->pending + off + sizeof ev, ev.len);
            off += sizeof ev + ev.len;
            continue;
        }
        board_event bev = {ev.time_us, ev.kind, ev.core, ev.pin == 0xffff ? -1 : ev.pin, ev.value,
                           r->pending + off + sizeof ev, ev.len};
        board_feed_publish(&r->feed, &bev);
        off += sizeof ev + ev.len;
    }
    memmove(r->pending, r->pending + off, r->pending_len - off);
    r->pending_len -= off;
}

/* Reads what the records pipe holds. Returns false at its end (every core closed it). */
static bool read_events(run *r)
{
    ssize_t n = read(r->events_fd, r->pending + r->pending_len, sizeof r->pending - r->pending_len);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0)
        return false;
    r->pending_len += (size_t)n;
    records(r);
    return true;
}

/* Copies the M7's Serial output to our stdout as it comes, and into the feed. */
static bool read_serial(run *r)
{
    unsigned char buf[4096];
    ssize_t n = read(r->serial_fd, buf, sizeof buf);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0)
        return false;
    for (ssize_t done = r->stdout_errno ? n : 0; done < n;) {
        ssize_t w = write(STDOUT_FILENO, buf + done, (size_t)(n - done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* A stdout set non-blocking by whoever shares it, and full: it takes the rest
             * once its reader reads, as a blocking one would. */
            struct pollfd p = {STDOUT_FILENO, POLLOUT, 0};
            if (poll(&p, 1, -1) >= 0 || errno == EINTR)
                continue;
        }
        if (w <= 0) {
            /* Nobody reads our stdout any more (EPIPE): the feed still gets it. Any other
             * failure (a full disk) loses the Serial Monitor's output: said once, and the
             * run fails (verdict). Nothing more goes there, so that it has no hole. */
            r->stdout_errno = w < 0 ? errno : EIO;
            if (r->stdout_errno != EPIPE)
                fprintf(stderr, "duet-board run: the Serial output could not be written to stdout (%s): what the M7 "
                                "prints from here is lost\n",
                        strerror(r->stdout_errno));
            break;
        }
        done += w;
    }
    publish(r, BOARD_EV_SERIAL, BOARD_CORE_M7, -1, 0, buf, (size_t)n);
    return true;
}

/* Shows the M4's line so far in the log ("M4 stdout: ..."). */
static void m4_line_out(run *r)
{
    size_t n = r->m4_line_len;
    if (n && r->m4_line[n - 1] == '\r')
        n--;
    publish(r, BOARD_EV_M4_STDOUT, BOARD_CORE_M4, -1, 0, r->m4_line, n);
    r->m4_line_len = 0;
}

/* Reads what the M4 wrote to its stdout: each line becomes an event of the log. */
static bool read_m4_stdout(run *r)
{
    char buf[1024];
    ssize_t n = read(r->m4_stdout_fd, buf, sizeof buf);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0) {
        if (r->m4_line_len)
            m4_line_out(r);
        return false;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            m4_line_out(r);
            continue;
        }
        if (r->m4_line_len == 0)
            r->m4_line_ns = mono_ns();
        r->m4_line[r->m4_line_len++] = buf[i];
        if (r->m4_line_len == sizeof r->m4_line)
            m4_line_out(r);
    }
    return true;
}

/* A line the M4 began and did not end for M4_LINE_WAIT_MS is shown as it is. */
static void m4_line_due(run *r)
{
    if (r->m4_line_len && mono_ns() - r->m4_line_ns >= (uint64_t)M4_LINE_WAIT_MS * 1000000u)
        m4_line_out(r);
}

/* Forwards what is typed on our stdin to the M7's Serial input. */
static void read_stdin(run *r)
{
    unsigned char buf[1024];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        r->forward_stdin = false;
        if (!r->web) {
            close(r->serial_in_fd);
            r->serial_in_fd = -1;
        }
        return;
    }
    if (write(r->serial_in_fd, buf, (size_t)n) == n)
        publish(r, BOARD_EV_SERIAL_IN, BOARD_CORE_NONE, -1, 0, buf, (size_t)n);
}

/* Whether what is typed on our stdin should reach the M7's Serial: a terminal we own (not
 * one we run in the background of), a pipe or a file; not /dev/null. */
static bool stdin_forwardable(void)
{
    struct stat st;
    if (fstat(STDIN_FILENO, &st) != 0)
        return false;
    if (isatty(STDIN_FILENO))
        return tcgetpgrp(STDIN_FILENO) == getpgrp();
    return S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode);
}

/* ------------------------------------------------------------ analog inputs */

static void analog_tick(run *r)
{
    double t = (double)(mono_ns() - r->power_on_ns) / 1e9;
    for (int i = 0; i < r->analog_count; i++) {
        board_analog *a = &r->analog[i];
        int v = board_analog_value(a, t);
        if (v == r->analog_last[a->input])
            continue;
        r->analog_last[a->input] = v;
        __atomic_store_n(&r->io->analog[a->input], (uint32_t)v, __ATOMIC_RELEASE);
        publish(r, BOARD_EV_ANALOG, BOARD_CORE_NONE, 76 + a->input, v, NULL, 0);
    }
}

/* ------------------------------------------------------------ starting and stopping */

static duet_posix_io *map_io(const char *dir)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/io", dir);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    void *p = mmap(NULL, DUET_POSIX_IO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

/* The child that becomes the M7: the run's signals back to their defaults (they were
 * blocked since the fork, and are let through only now), its pipes, the board's
 * environment, then the M7's program from flash. */
static _Noreturn void exec_m7(const run *r, const sigset_t *stops, const sigset_t *before, const int ev[2],
                              const int out[2], const int in[2], const int m4out[2], uint32_t boot_address)
{
    for (int sig = 1; sig < NSIG; sig++)
        if (sigismember(stops, sig) == 1)
            signal(sig, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, before, NULL);
    /* A process group of its own (the M4 joins it): Ctrl-C reaches duet-board, which
     * then stops the cores, instead of killing them under it. */
    setpgid(0, 0);
    dup2(out[1], STDOUT_FILENO);
    dup2(in[0], STDIN_FILENO);
    int keep = fcntl(ev[1], F_GETFD);
    fcntl(ev[1], F_SETFD, keep & ~FD_CLOEXEC);
    /* The M7 hands this to the M4 it boots as its stdout (ports/posix/board.c). */
    keep = fcntl(m4out[1], F_GETFD);
    fcntl(m4out[1], F_SETFD, keep & ~FD_CLOEXEC);
    char image[PATH_MAX + 64], fd_text[16], boot[16], m4out_text[16];
    snprintf(image, sizeof image, "%s/flash/0x%08x", r->dir, POSIX_M7_ADDRESS);
    snprintf(fd_text, sizeof fd_text, "%d", ev[1]);
    snprintf(boot, sizeof boot, "0x%08x", (unsigned)boot_address);
    snprintf(m4out_text, sizeof m4out_text, "%d", m4out[1]);
    setenv("DUET_BOARD_M4_STDOUT", m4out_text, 1);
    setenv("DUET_BOARD", r->dir, 1);
    setenv("DUET_CORE", "m7", 1);
    setenv("DUET_BOOT_ADDRESS", boot, 1);
    setenv("DUET_BOARD_EVENTS", fd_text, 1);
    if (r->args->trace || r->args->web)
        setenv("DUET_BOARD_TRACE", "1", 1);
    else
        unsetenv("DUET_BOARD_TRACE");
    char *argv[] = {image, NULL};
    execv(image, argv);
    fprintf(stderr, "duet-board run: cannot start the M7's program %s: %s\n", image, strerror(errno));
    _exit(127);
}

/* Closes both ends of the first count pipes, keeping errno. */
static void close_pipes(int *const pipes[], int count)
{
    int e = errno;
    for (int i = 0; i < count; i++) {
        close(pipes[i][0]);
        close(pipes[i][1]);
    }
    errno = e;
}

/* Makes count pipes, or none (those made closed again): false then, errno set. */
static bool make_pipes(int *const pipes[], int count)
{
    for (int i = 0; i < count; i++)
        if (pipe2(pipes[i], O_CLOEXEC) != 0) {
            close_pipes(pipes, i);
            return false;
        }
    return true;
}

/* Starts the M7's image with the board's environment; its stdout and stdin are pipes to us. */
static int start_m7(run *r, uint32_t boot_address)
{
    int ev[2], out[2], in[2], m4out[2];
    int *const pipes[] = {ev, out, in, m4out};
    if (!make_pipes(pipes, 4))
        return board_fail(r->args, "cannot make pipes: %s", strerror(errno));
    posix_python_environment(); /* an installed Python M7 program finds duet's module */
    fflush(NULL);
    /* The signals that stop the run wait while the child still has our handlers: one that
     * came before its exec would be caught by them and lost, and a power-off right after
     * the boot would wait STOP_GRACE_MS for the SIGKILL. */
    sigset_t stops, before;
    stop_signals(&stops);
    sigprocmask(SIG_BLOCK, &stops, &before);
    pid_t pid = fork();
    if (pid == 0)
        exec_m7(r, &stops, &before, ev, out, in, m4out, boot_address);
    int fork_error = errno;
    sigprocmask(SIG_SETMASK, &before, NULL);
    if (pid < 0) {
        close_pipes(pipes, 4);
        return board_fail(r->args, "cannot start the M7: %s", strerror(fork_error));
    }
    setpgid(pid, pid);
    close(ev[1]);
    close(out[1]);
    close(in[0]);
    close(m4out[1]);
    r->m4_stdout_fd = m4out[0];
    fcntl(r->m4_stdout_fd, F_SETFL, O_NONBLOCK);
    r->m7 = pid;
    r->events_fd = ev[0];
    r->serial_fd = out[0];
    r->serial_in_fd = in[1];
    fcntl(r->events_fd, F_SETFL, O_NONBLOCK);
    fcntl(r->serial_fd, F_SETFL, O_NONBLOCK);
    return 0;
}

/* Releases the M7 from reset: starts its program from flash; it boots until that program
 * says it started (BOARD_EV_RUN). The boot's time is taken before the process exists, so it
 * never comes after the program's own first record. */
static int boot_m7(run *r, const board_split *split)
{
    board_event ev = {board_time_us(r), BOARD_EV_BOOT, BOARD_CORE_M7, -1, (int32_t)POSIX_M7_ADDRESS, NULL, 0};
    int rc = start_m7(r, split->m4_address);
    if (rc)
        return rc;
    board_feed_publish(&r->feed, &ev);
    return 0;
}

/* The M7's Serial input stays for stdin and the page (which never waits on it), or closes. */
static void keep_serial_in(run *r)
{
    if (r->web)
        fcntl(r->serial_in_fd, F_SETFL, O_NONBLOCK);
    else if (!r->forward_stdin) {
        close(r->serial_in_fd);
        r->serial_in_fd = -1;
    }
}

/* Reads what fd holds now through read (read_events, read_serial), at most the bytes a pipe
 * holds and some more: the M4 may still be writing. */
static void read_now(run *r, int fd, bool (*read_fd)(run *))
{
    for (int i = 0; i < 256 && fd >= 0; i++) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN) || !read_fd(r))
            return;
    }
}

/* Reaps the M7 if it ended; publishes its end, after what it reported and wrote before it
 * (still in the pipes when the loop had not read them yet: its end must not come first). */
static void reap_m7(run *r, bool stopped_by_us)
{
    if (r->m7_ended || r->m7 <= 0)
        return;
    int status;
    pid_t p = waitpid(r->m7, &status, WNOHANG);
    if (p != r->m7)
        return;
    r->m7_ended = true;
    r->m7_status = status;
    read_now(r, r->events_fd, read_events);
    read_now(r, r->serial_fd, read_serial);
    char why[96];
    int value;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        value = 128 + sig;
        if (stopped_by_us && (sig == SIGTERM || sig == SIGKILL))
            snprintf(why, sizeof why, "the board was powered off");
        else
            snprintf(why, sizeof why, "%s", board_signal_name(sig)); /* "M7  stopped: SIGSEGV" */
    } else {
        value = WEXITSTATUS(status);
        snprintf(why, sizeof why, "the M7 program returned %d", value);
    }
    publish(r, BOARD_EV_END, BOARD_CORE_M7, -1, value, why, strlen(why));
}

/* Stops both cores: SIGTERM to the M7's process group (the M4 is in it), then SIGKILL. */
static void power_off(run *r)
{
    if (r->m7 <= 0 || r->m7_ended)
        return;
    kill(-r->m7, SIGTERM);
    uint64_t end = mono_ns() + (uint64_t)STOP_GRACE_MS * 1000000u;
    while (!r->m7_ended && mono_ns() < end) {
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
        reap_m7(r, true);
    }
    if (!r->m7_ended) {
        kill(-r->m7, SIGKILL);
        while (!r->m7_ended) {
            struct timespec ts = {0, 5000000};
            nanosleep(&ts, NULL);
            reap_m7(r, true);
        }
    }
}

/* Reads what the cores still wrote after the M7 ended, for at most ms milliseconds. */
static void drain(run *r, int ms)
{
    uint64_t end = mono_ns() + (uint64_t)ms * 1000000u;
    bool events = r->events_fd >= 0, serial = r->serial_fd >= 0, m4out = r->m4_stdout_fd >= 0;
    while ((events || serial || m4out) && mono_ns() < end) {
        struct pollfd p[3] = {{events ? r->events_fd : -1, POLLIN, 0},
                              {serial ? r->serial_fd : -1, POLLIN, 0},
                              {m4out ? r->m4_stdout_fd : -1, POLLIN, 0}};
        int left = (int)((end - mono_ns()) / 1000000u) + 1;
        if (poll(p, 3, left) <= 0)
            break;
        if (p[0].revents && !read_events(r))
            events = false;
        if (p[1].revents && !read_serial(r))
            serial = false;
        if (p[2].revents && !read_m4_stdout(r))
            m4out = false;
    }
    if (r->m4_line_len)
        m4_line_out(r);
}

/* The M4's end when no record told it: the board was powered off (the M4 stops with it, and
 * the M7's thread that reports the M4's end with the M7), or the M7's program ended, which
 * stops the M4 it booted. So every core that booted has an end line in the log. */
static void end_m4(run *r, bool powered_off)
{
    board_core_state m4 = board_feed_state(&r->feed)->m4;
    if (m4 != BOARD_CORE_RUNNING && m4 != BOARD_CORE_BOOTING)
        return;
    const char *why = powered_off ? "the board was powered off" : "the M7 stopped, and the M4 with it";
    publish(r, BOARD_EV_END, BOARD_CORE_M4, -1, 128 + SIGTERM, why, strlen(why));
}

/* ------------------------------------------------------------ --web: the page's hands */

static uint64_t web_now(void *ctx)
{
    return board_time_us(ctx);
}

static void web_analog(void *ctx, int input, int value)
{
    run *r = ctx;
    for (int k = 0; k < r->analog_count; k++)
        if (r->analog[k].input == input) { /* the slider takes over from --analog's waveform */
            r->analog[k] = r->analog[--r->analog_count];
            break;
        }
    r->analog_last[input] = value;
    __atomic_store_n(&r->io->analog[input], (uint32_t)value, __ATOMIC_RELEASE);
    publish(r, BOARD_EV_ANALOG, BOARD_CORE_NONE, 76 + input, value, NULL, 0);
}

static bool web_serial(void *ctx, const uint8_t *data, size_t len, char *why, size_t cap)
{
    run *r = ctx;
    if (r->m7_ended || r->serial_in_fd < 0) {
        snprintf(why, cap, "the M7 is not running, so nothing reads its Serial: press reset to start it again");
        return false;
    }
    ssize_t n = len ? write(r->serial_in_fd, data, len) : 0;
    if (n > 0)
        publish(r, BOARD_EV_SERIAL_IN, BOARD_CORE_NONE, -1, 0, data, (size_t)n);
    if (n == (ssize_t)len)
        return true;
    snprintf(why, cap, "the M7 has not read what was typed before (its Serial input is full): %zd of %zu bytes went in; "
             "type the rest when its program has read",
             n < 0 ? 0 : n, len);
    return false;
}

static void web_reset(void *ctx)
{
    ((run *)ctx)->reset_pending = true;
}

static int web_start(run *r)
{
    board_web_actions act = {web_now, web_analog, web_serial, web_reset, r};
    char why[512];
    bool wrong_spec;
    r->web = board_web_start(r->args->web, &r->feed, &act, why, sizeof why, &wrong_spec);
    if (!r->web)
        return wrong_spec ? board_usage_fail(r->args, "%s", why) : board_fail(r->args, "%s", why);
    fprintf(stderr, "board at %s\n", board_web_url(r->web));
    fflush(stderr);
    return 0;
}

/* ------------------------------------------------------------ the run */

static int setup_readers(run *r)
{
    const board_args *a = r->args;
    board_feed_init(&r->feed);
    if (!a->quiet) {
        FILE *out = stderr;
        if (a->log_file) {
            r->log_file = fopen(a->log_file, "w");
            if (!r->log_file)
                return board_fail(a, "--log %s: %s", a->log_file, strerror(errno));
            out = r->log_file;
        }
        board_log_attach(&r->log, out, &r->feed);
    }
    if (a->vcd_file) {
        if (board_vcd_open(&r->vcd, a->vcd_file, &r->feed) != 0)
            return board_fail(a, "--vcd %s: %s", a->vcd_file, strerror(errno));
        r->vcd_open = true;
    }
    if (a->trace || a->web)
        rpmsg_decoder_init(&r->rpmsg);
    if (a->trace)
        board_trace_attach(&r->trace, r->log_file ? r->log_file : stderr, &r->feed);
    return a->web ? web_start(r) : 0;
}

static int prepare_board(run *r)
{
    const board_args *a = r->args;
    if (a->m7_image) {
        /* A one-shot board: a fresh directory, uploaded now, removed at the end. */
        const char *tmp = getenv("TMPDIR");
        snprintf(r->dir, sizeof r->dir, "%s/duet-board.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (!mkdtemp(r->dir))
            return board_fail(a, "cannot make a board directory in %s: %s", tmp && tmp[0] ? tmp : "/tmp",
                              strerror(errno));
        r->temp_dir = true;
        if (duet_posix_board_create(r->dir) != DUET_OK)
            return board_fail(a, "%s", duet_posix_board_error_text());
        const board_split *split = posix_upload_split(a, true, a->m7_image, NULL);
        int rc = posix_upload_image(a, r->dir, true, split, a->m7_image, false);
        if (!rc && a->m4_image)
            rc = posix_upload_image(a, r->dir, false, split, a->m4_image, false);
        return rc;
    }
    int rc = posix_board_dir(a, r->dir, sizeof r->dir);
    if (!rc)
        rc = posix_board_open(a, r->dir, false);
    if (rc)
        return rc;
    /* One run at a time: a second one's power-on stopped the first's M4 under it. */
    r->lock_fd = posix_run_lock(r->dir);
    if (r->lock_fd < 0) {
        if (errno != EWOULDBLOCK)
            return board_fail(a, "%s/run.lock: %s", r->dir, strerror(errno));
        long runner = posix_board_runner(r->dir);
        char pid[32] = "";
        if (runner > 0)
            snprintf(pid, sizeof pid, ", pid %ld", runner);
        rc = board_fail(a, "the board at %s is running already (duet-board run%s): stop that run first, press its "
                           "reset with duet-board reset, or give another --board",
                        r->dir, pid);
        r->dir[0] = '\0'; /* not ours to reset at the end */
        return rc;
    }
    if (!posix_flash_has(r->dir, POSIX_M7_ADDRESS))
        return board_fail(a, "the board at %s has no M7 program: upload one (duet-board upload --core m7 IMAGE) or "
                             "give --m7 IMAGE",
                          r->dir);
    return 0;
}

/* The exit status and its sentence, once the run is over. */
static int verdict(run *r, bool time_up)
{
    const board_args *a = r->args;
    if (r->m7_ended && WIFSIGNALED(r->m7_status) && !(time_up || stop_signal))
        return board_fail(a, "the M7 crashed: %s", board_signal_name(WTERMSIG(r->m7_status)));
    bool stopped = time_up || stop_signal;
    if (r->m4_crash_signal && !(stopped && r->m4_crash_signal == SIGKILL))
        return board_fail(a, "the M4 crashed: %s", board_signal_name(r->m4_crash_signal));
    if (r->m7_ended && WIFEXITED(r->m7_status) && WEXITSTATUS(r->m7_status) != 0) {
        if (WEXITSTATUS(r->m7_status) == 127)
            return 1; /* it could not start, and said why */
        return board_fail(a, "the M7 program returned %d", WEXITSTATUS(r->m7_status));
    }
    if (r->m4_exit)
        return board_fail(a, "the M4 program returned %d", r->m4_exit);
    if (stop_signal && stop_signal != SIGCHLD)
        return 128 + stop_signal;
    return r->stdout_errno && r->stdout_errno != EPIPE ? 1 : 0;
}

/* The reset button: both cores stop, the board's memory is cleared and the M7 starts again
 * from its flash; the board's clock, the Serial Monitor and the analog inputs run on. */
static int press_reset(run *r, const board_split *split)
{
    power_off(r);
    drain(r, 100);
    end_m4(r, true);
    close(r->events_fd);
    close(r->serial_fd);
    if (r->serial_in_fd >= 0)
        close(r->serial_in_fd);
    if (r->m4_stdout_fd >= 0)
        close(r->m4_stdout_fd);
    r->events_fd = r->serial_fd = r->serial_in_fd = r->m4_stdout_fd = -1;
    r->m4_line_len = 0;
    if (duet_posix_board_reset(r->dir) != DUET_OK)
        return posix_board_fail(r->args, r->dir);
    r->io->power_on_ns = r->power_on_ns;
    for (int i = 0; i < 8; i++)
        __atomic_store_n(&r->io->analog[i], (uint32_t)board_feed_state(&r->feed)->analog[i], __ATOMIC_RELEASE);
    r->m7_ended = false;
    r->m4_crash_signal = r->m4_exit = 0;
    r->pending_len = 0;
    rpmsg_decoder_init(&r->rpmsg);
    publish(r, BOARD_EV_RESET, BOARD_CORE_NONE, -1, 0, NULL, 0);
    int rc = boot_m7(r, split);
    if (rc)
        return rc;
    keep_serial_in(r);
    return 0;
}

/* The --analog options into r->analog, one for each input at most. */
static int take_analogs(run *r)
{
    const board_args *a = r->args;
    const char *given[8] = {NULL}; /* the option that set each input */
    for (int i = 0; i < a->analog_count; i++) {
        char why[512];
        board_analog parsed;
        if (!board_analog_parse(a->analog[i], &parsed, why, sizeof why))
            return board_usage_fail(a, "%s", why);
        if (given[parsed.input])
            return board_usage_fail(a, "--analog %s and --analog %s both set A%d: give one --analog for each input",
                                    given[parsed.input], a->analog[i], parsed.input);
        given[parsed.input] = a->analog[i];
        r->analog[r->analog_count++] = parsed;
    }
    return 0;
}

/* Power on: both cores stopped, memory cleared (the flash stays); the board's I/O mapped,
 * the analog inputs at their first values, the signals that end or wake the run caught. */
static int power_on(run *r)
{
    const board_args *a = r->args;
    if (duet_posix_board_reset(r->dir) != DUET_OK)
        return posix_board_fail(a, r->dir);
    r->io = map_io(r->dir);
    if (!r->io)
        return board_fail(a, "%s/io: cannot map the board's I/O: %s", r->dir, strerror(errno));
    r->power_on_ns = r->io->power_on_ns;
    for (int i = 0; i < 8; i++)
        r->analog_last[i] = -1;
    analog_tick(r);

    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return board_fail(a, "cannot make a pipe: %s", strerror(errno));
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigset_t stops;
    stop_signals(&stops);
    for (int sig = 1; sig < NSIG; sig++)
        if (sigismember(&stops, sig) == 1)
            sigaction(sig, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (r->lock_fd >= 0) {
        /* duet-board reset finds this run by its id, and presses its reset (SIGUSR1). */
        sigaction(SIGUSR1, &sa, NULL);
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(r->lock_fd, 0) != 0 || pwrite(r->lock_fd, pid, (size_t)n, 0) != n)
            return board_fail(a, "%s/run.lock: %s", r->dir, strerror(errno));
    }
    return 0;
}

/* Which of the run's inputs are still open (each closes at its end of file). */
typedef struct run_inputs {
    bool events, serial, m4out;
} run_inputs;

/* Milliseconds until the loop has something to do by the clock: the deadline, the next
 * analog step, an M4 line that waits for its end, the web server's next timer. */
static int timeout_ms(run *r, uint64_t now, uint64_t deadline, uint64_t next_analog)
{
    uint64_t until = deadline ? deadline : now + 1000000000u;
    if (r->analog_count && next_analog < until)
        until = next_analog;
    uint64_t line_due = r->m4_line_ns + (uint64_t)M4_LINE_WAIT_MS * 1000000u;
    if (r->m4_line_len && line_due < until)
        until = line_due;
    int timeout = until > now ? (int)((until - now + 999999u) / 1000000u) : 0;
    return r->web ? board_web_timeout(r->web, timeout) : timeout;
}

/* Sleeps until an input has something or timeout passes, and reads what came. False if
 * poll itself failed. */
static bool wait_and_read(run *r, run_inputs *in, int timeout)
{
    struct pollfd p[6] = {
        {wake_pipe[0], POLLIN, 0},
        {in->events ? r->events_fd : -1, POLLIN, 0},
        {in->serial ? r->serial_fd : -1, POLLIN, 0},
        {r->forward_stdin ? STDIN_FILENO : -1, POLLIN, 0},
        {in->m4out ? r->m4_stdout_fd : -1, POLLIN, 0},
        {r->web ? board_web_fd(r->web) : -1, POLLIN, 0},
    };
    int n = poll(p, 6, timeout);
    if (n < 0 && errno != EINTR)
        return false;
    if (p[0].revents) {
        char drop[64];
        while (read(wake_pipe[0], drop, sizeof drop) > 0) {
        }
    }
    if (p[1].revents && !read_events(r))
        in->events = false;
    if (p[2].revents && !read_serial(r))
        in->serial = false;
    if (p[3].revents)
        read_stdin(r);
    if (p[4].revents && !read_m4_stdout(r))
        in->m4out = false;
    return true;
}

/* The run's loop, until the M7 ends (with --web: until a signal), a signal or the deadline. */
static int run_loop(run *r, const board_split *split, bool *time_up)
{
    const board_args *a = r->args;
    uint64_t deadline = a->seconds > 0 ? mono_ns() + (uint64_t)(a->seconds * 1e9) : 0;
    uint64_t next_analog = mono_ns() + ANALOG_PERIOD_MS * 1000000u;
    run_inputs in = {true, true, true};
    while ((!r->m7_ended || r->web) && !stop_signal) {
        if (reset_signal) { /* duet-board reset, from another terminal */
            reset_signal = 0;
            r->reset_pending = true;
        }
        if (r->reset_pending) {
            r->reset_pending = false;
            int rc = press_reset(r, split);
            if (rc)
                return rc;
            in = (run_inputs){true, true, true};
        }
        uint64_t now = mono_ns();
        if (deadline && now >= deadline) {
            *time_up = true;
            break;
        }
        if (r->analog_count && now >= next_analog) {
            analog_tick(r);
            next_analog += ANALOG_PERIOD_MS * 1000000u;
            if (next_analog < now)
                next_analog = now + ANALOG_PERIOD_MS * 1000000u;
        }
        if (!wait_and_read(r, &in, timeout_ms(r, now, deadline, next_analog)))
            break;
        m4_line_due(r);
        reap_m7(r, false);
        if (r->web)
            board_web_run(r->web);
    }
    return 0;
}

static int run_board(run *r)
{
    int rc = take_analogs(r);
    if (!rc)
        rc = prepare_board(r);
    if (!rc)
        rc = setup_readers(r);
    if (rc)
        return rc;
    const board_split *split;
    char why[PATH_MAX + 128];
    if (posix_m7_split(r->dir, &split, why, sizeof why) != 0)
        return board_fail(r->args, "%s: cannot tell the split the M7's program was uploaded for, so nor where it "
                                   "boots the M4 from: upload it again (duet-board upload --core m7 [--split S] IMAGE)",
                          why);
    if (!split)
        split = board_split_default();
    rc = power_on(r);
    if (!rc)
        rc = boot_m7(r, split);
    if (rc)
        return rc;
    r->forward_stdin = stdin_forwardable();
    keep_serial_in(r);
    bool time_up = false;
    rc = run_loop(r, split, &time_up);
    if (rc)
        return rc;
    bool powered_off = !r->m7_ended;
    if (powered_off)
        power_off(r);
    drain(r, 300);
    end_m4(r, powered_off);
    return verdict(r, time_up);
}

/* Closes what the run wrote to (--vcd, --log). @retval 0, or 1 when one of them could not be
 * written whole, which is said. */
static int close_outputs(run *r)
{
    const board_args *a = r->args;
    int rc = 0;
    if (r->vcd_open && board_vcd_close(&r->vcd) != 0)
        rc = board_fail(a, "--vcd %s: the waveform could not be written whole: %s", a->vcd_file, strerror(errno));
    r->vcd_open = false;
    if (r->log_file) {
        /* Each line is flushed as it is logged: why the first that failed did is kept. */
        int e = r->log.write_errno ? r->log.write_errno : r->trace.write_errno;
        if (!e && ferror(r->log_file))
            e = EIO;
        if (fclose(r->log_file) != 0 && !e)
            e = errno;
        r->log_file = NULL;
        if (e)
            rc = board_fail(a, "--log %s: the event log could not be written whole: %s", a->log_file, strerror(e));
    }
    return rc;
}

/* @retval 0, or 1 when what the run wrote to could not be written whole. */
static int run_end(run *r)
{
    power_off(r);
    if (r->dir[0] && !r->temp_dir && r->io)
        duet_posix_board_reset(r->dir); /* an M4 still running stops with the board */
    if (r->io)
        munmap(r->io, DUET_POSIX_IO_SIZE);
    board_feed_close(&r->feed);
    board_web_stop(r->web);
    int rc = close_outputs(r);
    if (r->events_fd >= 0)
        close(r->events_fd);
    if (r->serial_fd >= 0)
        close(r->serial_fd);
    if (r->serial_in_fd >= 0)
        close(r->serial_in_fd);
    if (r->m4_stdout_fd >= 0)
        close(r->m4_stdout_fd);
    if (r->temp_dir) {
        duet_posix_board_reset(r->dir);
        if (board_remove_tree(r->dir) != 0)
            fprintf(stderr, "duet-board run: the one-shot board %s could not be removed (%s): remove it by hand\n",
                    r->dir, strerror(errno));
    }
    if (r->lock_fd >= 0) { /* emptied: its id would name a process that may be another's now */
        (void)!ftruncate(r->lock_fd, 0); /* nothing to do if it fails: the lock goes with the descriptor */
        close(r->lock_fd);
    }
    close_wake_pipe();
    return rc;
}

int posix_run(const board_args *a)
{
    static run r;
    memset(&r, 0, sizeof r);
    r.args = a;
    r.events_fd = r.serial_fd = r.serial_in_fd = r.m4_stdout_fd = r.lock_fd = -1;
    int rc = run_board(&r);
    int end = run_end(&r);
    return rc ? rc : end;
}

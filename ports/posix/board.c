/* board.c - the posix port: one process per core, SRAM4 and the doorbells in shared files,
 * booting the M4 = starting its image as a process. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "duet/posix/board.h"
#include "board_access.h"
#include "board_io.h"
#include "board_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/futex.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

extern char **environ;

_Static_assert(sizeof(duet_posix_control) == 192, "control layout");
_Static_assert(offsetof(duet_posix_control, m4_start_time) == 32, "control layout");
_Static_assert(offsetof(duet_posix_control, hsem0) == 64, "control layout");
_Static_assert(offsetof(duet_posix_control, hsem1) == 128, "control layout");
_Static_assert(sizeof(duet_posix_control) <= DUET_POSIX_CONTROL_SIZE, "control layout");

/* ------------------------------------------------------------ errors */

static _Thread_local char error_text[512] = "no error";

static int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_text, sizeof error_text, fmt, ap);
    va_end(ap);
    return err;
}

const char *duet_posix_board_error_text(void)
{
    return error_text;
}

/* ------------------------------------------------------------ small helpers */

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

static uint32_t ld(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void st(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
static void count(uint32_t *counter) { __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }

static const char *board_dir(const char *dir)
{
    if (dir && dir[0])
        return dir;
    const char *env = getenv("DUET_BOARD");
    return env && env[0] ? env : NULL;
}

/* The board directory (dir, else $DUET_BOARD); NULL, with the error recorded, if neither. */
static const char *need_board_dir(const char *dir)
{
    const char *d = board_dir(dir);
    if (!d)
        fail(DUET_ERR_ARG, "no board directory: give one or set DUET_BOARD");
    return d;
}

static int join_path(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap)
        return fail(DUET_ERR_ARG, "%s/%s: path too long", dir, name);
    return DUET_OK;
}

static bool boot_address_ok(uint32_t address)
{
    return address == DUET_POSIX_BOOT_1MB || address == DUET_POSIX_BOOT_1_5MB || address == DUET_POSIX_BOOT_SDRAM;
}

/* The addresses flash holds images at: the M7's, and the M4's of each split. */
static bool flash_address_ok(uint32_t address)
{
    return boot_address_ok(address) || address == DUET_POSIX_FLASH_M7;
}

static int image_path(char *out, size_t cap, const char *dir, uint32_t address)
{
    int n = snprintf(out, cap, "%s/flash/0x%08x", dir, (unsigned)address);
    if (n < 0 || (size_t)n >= cap)
        return fail(DUET_ERR_ARG, "%s: path too long", dir);
    return DUET_OK;
}

/* ------------------------------------------------------------ futex */

#ifdef __linux__
/* The shared (not private) operations: the words are in a MAP_SHARED file between processes. */
static int futex_wait(uint32_t *word, uint32_t expected, const struct timespec *rel)
{
    return (int)syscall(SYS_futex, word, FUTEX_WAIT, expected, rel, NULL, 0);
}

static void futex_wake(uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}
#else
/* No futex: sleep in short steps and look again. */
static int futex_wait(uint32_t *word, uint32_t expected, const struct timespec *rel)
{
    uint64_t step = 100000u, left = (uint64_t)rel->tv_sec * 1000000000u + (uint64_t)rel->tv_nsec;
    sleep_ns(left < step ? left : step);
    (void)word;
    (void)expected;
    return 0;
}

static void futex_wake(uint32_t *word)
{
    (void)word;
}
#endif

/* ------------------------------------------------------------ processes */

/* The state letter and start time of a process from /proc (Linux). -1 if unavailable. */
static int proc_stat(pid_t pid, char *state, uint64_t *start)
{
#ifdef __linux__
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    if (!p || p[1] != ' ')
        return -1;
    p += 2;
    *state = *p;
    /* Fields after the name start at 3 (state); the start time is field 22. */
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (!p)
            return -1;
        p++;
    }
    *start = strtoull(p, NULL, 10);
    return 0;
#else
    (void)pid;
    (void)state;
    (void)start;
    return -1;
#endif
}

static uint64_t proc_start_time(pid_t pid)
{
    char state;
    uint64_t start = 0;
    return proc_stat(pid, &state, &start) == 0 ? start : 0;
}

/* Whether process pid (started at start, 0: unknown) still runs: not gone, not a zombie,
 * not another process that got the same id later. */
static bool process_alive(pid_t pid, uint64_t start)
{
    if (pid <= 0)
        return false;
    if (kill(pid, 0) != 0 && errno != EPERM)
        return false;
    char state;
    uint64_t t;
    if (proc_stat(pid, &state, &t) == 0) {
        if (state == 'Z' || state == 'X')
            return false;
        if (start && t != start)
            return false;
    }
    return true;
}

/* Waits up to ms for the process to be gone, reaping it if it is our child. Our child is
 * gone once reaped, here or by its reaper thread (waitpid then fails): an exited child that
 * nobody has reaped yet still has its pid. Another process's child is gone once it has
 * exited (process_alive): its parent reaps it. */
static bool wait_gone(pid_t pid, uint64_t start, uint32_t ms)
{
    uint64_t end = mono_ns() + (uint64_t)ms * 1000000u;
    for (;;) {
        pid_t r = waitpid(pid, NULL, WNOHANG);
        if (r == pid || (r < 0 && !process_alive(pid, start)))
            return true;
        if (mono_ns() >= end)
            return false;
        sleep_ns(2000000u);
    }
}

/* Stops the M4 the control registers name, if it runs. */
static void stop_m4(duet_posix_control *c)
{
    if (!ld(&c->m4_started))
        return;
    pid_t pid = (pid_t)c->m4_pid;
    uint64_t start = c->m4_start_time;
    if (pid <= 0)
        return;
    if (!process_alive(pid, start)) {
        wait_gone(pid, start, 500); /* ended: reaped (if ours) before the reset goes on */
        return;
    }
    st(&c->m4_stopping, 1); /* its reaper tells a reset from a crash by this */
    kill(pid, SIGTERM);
    if (!wait_gone(pid, start, 500)) {
        kill(pid, SIGKILL);
        wait_gone(pid, start, 500);
    }
}

/* ------------------------------------------------------------ the board's files */

typedef struct board_maps {
    duet_posix_control *ctl;
    uint8_t *sram;
} board_maps;

/* Maps a file of size bytes; with create, makes it (or sets its size) first. */
static int map_file(const char *dir, const char *name, size_t size, bool create, void **out)
{
    char path[PATH_MAX];
    int err = join_path(path, sizeof path, dir, name);
    if (err)
        return err;
    int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0666);
    if (fd < 0) {
        if (errno == ENOENT)
            return fail(DUET_ERR_NOT_FOUND, "%s: no board there (duet_posix_board_create() makes one)", path);
        char why[sizeof error_text];
        if (duet_posix_access_explain(why, sizeof why, path, errno))
            return fail(DUET_ERR_STATE, "%s", why);
        return fail(DUET_ERR_STATE, "%s: %s", path, strerror(errno));
    }
    struct stat s;
    if (fstat(fd, &s) != 0) {
        err = fail(DUET_ERR_STATE, "%s: %s", path, strerror(errno));
        close(fd);
        return err;
    }
    if ((uint64_t)s.st_size != size) {
        if (!create) {
            close(fd);
            return fail(DUET_ERR_CORRUPT, "%s: %lld bytes, not %zu: not a duet board (duet_posix_board_create() makes one)",
                        path, (long long)s.st_size, size);
        }
        if (ftruncate(fd, (off_t)size) != 0) {
            err = fail(DUET_ERR_STATE, "%s: %s", path, strerror(errno));
            close(fd);
            return err;
        }
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED)
        return fail(DUET_ERR_STATE, "%s: mmap: %s", path, strerror(e));
    *out = p;
    return DUET_OK;
}

static void unmap_board(board_maps *m)
{
    if (m->ctl)
        munmap(m->ctl, DUET_POSIX_CONTROL_SIZE);
    if (m->sram)
        munmap(m->sram, DUET_POSIX_SHM_SIZE);
    m->ctl = NULL;
    m->sram = NULL;
}

static bool control_valid(const duet_posix_control *c)
{
    return ld(&c->magic) == DUET_POSIX_CONTROL_MAGIC && c->version == DUET_POSIX_CONTROL_VERSION &&
           c->shm_da == DUET_POSIX_SHM_DA && c->shm_size == DUET_POSIX_SHM_SIZE;
}

/* Maps both files of the board in dir; create makes them. */
static int map_board(const char *dir, bool create, board_maps *m)
{
    m->ctl = NULL;
    m->sram = NULL;
    void *p;
    int err = map_file(dir, "control", DUET_POSIX_CONTROL_SIZE, create, &p);
    if (err)
        return err;
    m->ctl = p;
    err = map_file(dir, "sram4", DUET_POSIX_SHM_SIZE, create, &p);
    if (err) {
        unmap_board(m);
        return err;
    }
    m->sram = p;
    if (!create && !control_valid(m->ctl)) {
        unmap_board(m);
        /* fail() is not inlined (it is variadic): returning the constant tells the
         * compiler that this path, whose ctl is NULL, never returns DUET_OK. */
        fail(DUET_ERR_CORRUPT, "%s/control: not a duet board of version %u (duet_posix_board_create() makes one)",
             dir, DUET_POSIX_CONTROL_VERSION);
        return DUET_ERR_CORRUPT;
    }
    return DUET_OK;
}

/* Maps the existing board at dir (else $DUET_BOARD). */
static int open_board(const char *dir, board_maps *m)
{
    const char *d = need_board_dir(dir);
    return d ? map_board(d, false, m) : DUET_ERR_ARG;
}

/* The power-on reset: stops the M4, zeroes SRAM4 and the registers, counts the reset and
 * wakes whoever sleeps on a doorbell (their wait() sees the new count and returns). */
static void reset_board(board_maps *m)
{
    duet_posix_control *c = m->ctl;
    bool valid = control_valid(c);
    if (valid)
        stop_m4(c);
    uint32_t gen = valid ? ld(&c->reset_gen) + 1 : 1;
    st(&c->magic, 0);
    memset(m->sram, 0, DUET_POSIX_SHM_SIZE);
    uint32_t *w = (uint32_t *)(void *)c;
    for (size_t i = 1; i < DUET_POSIX_CONTROL_SIZE / 4; i++)
        if (i != offsetof(duet_posix_control, reset_gen) / 4 && i != offsetof(duet_posix_control, m4_stopping) / 4)
            st(&w[i], 0);
    c->version = DUET_POSIX_CONTROL_VERSION;
    c->shm_da = DUET_POSIX_SHM_DA;
    c->shm_size = DUET_POSIX_SHM_SIZE;
    st(&c->reset_gen, gen);
    st(&c->magic, DUET_POSIX_CONTROL_MAGIC);
    /* A core that set its sleeping flag after the zeroing above but looked at the reset
     * count before it changed sees its doorbell word change now, or is woken. */
    __atomic_fetch_and(&c->hsem0, DUET_POSIX_HSEM_COUNT, __ATOMIC_SEQ_CST);
    __atomic_fetch_and(&c->hsem1, DUET_POSIX_HSEM_COUNT, __ATOMIC_SEQ_CST);
    futex_wake(&c->hsem0);
    futex_wake(&c->hsem1);
}

/* Power-on reset of the board in d: zeroes SRAM4 and the control block, stops the M4.
 * create: make the files if they are missing. */
static int reset_dir(const char *d, bool create)
{
    board_maps m;
    int err = map_board(d, create, &m);
    if (err)
        return err;
    reset_board(&m);
    unmap_board(&m);
    /* The pins, analog inputs and RTC (duet/posix/events.h) power on too. */
    void *io;
    err = map_file(d, "io", DUET_POSIX_IO_SIZE, true, &io);
    if (err)
        return err;
    duet_posix_io_init(io);
    munmap(io, DUET_POSIX_IO_SIZE);
    return DUET_OK;
}

int duet_posix_board_reset_m4(const char *dir)
{
    board_maps m;
    int err = open_board(dir, &m);
    if (err)
        return err;
    reset_board(&m);
    unmap_board(&m);
    return DUET_OK;
}

int duet_posix_board_create(const char *dir)
{
    const char *d = need_board_dir(dir);
    if (!d)
        return DUET_ERR_ARG;
    char flash[PATH_MAX];
    int err = join_path(flash, sizeof flash, d, "flash");
    if (err)
        return err;
    if (mkdir(d, 0777) != 0 && errno != EEXIST)
        return fail(DUET_ERR_STATE, "%s: %s", d, strerror(errno));
    if (mkdir(flash, 0777) != 0 && errno != EEXIST)
        return fail(DUET_ERR_STATE, "%s: %s", flash, strerror(errno));
    return reset_dir(d, true);
}

int duet_posix_board_reset(const char *dir)
{
    const char *d = need_board_dir(dir);
    if (!d)
        return DUET_ERR_ARG;
    return reset_dir(d, false);
}

pid_t duet_posix_board_m4_pid(const char *dir)
{
    board_maps m;
    int err = open_board(dir, &m);
    if (err)
        return err;
    pid_t pid = 0;
    if (ld(&m.ctl->m4_started) && process_alive((pid_t)m.ctl->m4_pid, m.ctl->m4_start_time))
        pid = (pid_t)m.ctl->m4_pid;
    unmap_board(&m);
    return pid;
}

/* ------------------------------------------------------------ flash */

/* Copies from into to. @retval 0, -1 when a write failed, 1 when a read failed (errno says
 * why). */
static int copy_fd(int from, int to)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(from, buf, sizeof buf);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(to, buf + done, (size_t)(n - done));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return -1;
            }
            done += w;
        }
    }
}

/* The board's flash directory into flash (PATH_MAX bytes), or why d has none. */
static int board_flash(const char *d, char *flash)
{
    int err = join_path(flash, PATH_MAX, d, "flash");
    if (err)
        return err;
    struct stat s;
    int seen = stat(flash, &s);
    if (seen != 0 && errno != ENOENT && errno != ENOTDIR) /* there, maybe, but not to be seen */
        return fail(DUET_ERR_STATE, "upload: %s: %s", flash, strerror(errno));
    if (seen != 0 || !S_ISDIR(s.st_mode))
        return fail(DUET_ERR_NOT_FOUND, "%s: no board there (duet_posix_board_create() makes one)", d);
    return DUET_OK;
}

/* Opens the program to upload (a regular file): its descriptor, or -1 with *err why not. */
static int open_program(const char *program, int *err)
{
    int in = open(program, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        *err = fail(errno == ENOENT ? DUET_ERR_NOT_FOUND : DUET_ERR_STATE, "upload: %s: %s", program, strerror(errno));
        return -1;
    }
    struct stat s;
    if (fstat(in, &s) != 0)
        *err = fail(DUET_ERR_STATE, "upload: %s: %s", program, strerror(errno));
    else if (!S_ISREG(s.st_mode))
        *err = fail(DUET_ERR_ARG, "upload: %s is not a regular file", program);
    else
        return in;
    close(in);
    return -1;
}

int duet_posix_board_upload(const char *dir, uint32_t address, const char *program)
{
    const char *d = need_board_dir(dir);
    if (!d)
        return DUET_ERR_ARG;
    if (!flash_address_ok(address))
        return fail(DUET_ERR_ARG,
                    "upload: 0x%08x is no image address (0x08040000 for the M7; 0x08100000, 0x08180000 or "
                    "0x60000000 for the M4)",
                    (unsigned)address);
    if (!program || !program[0])
        return fail(DUET_ERR_ARG, "upload: no program given");
    char path[PATH_MAX], tmp[PATH_MAX + 32], flash[PATH_MAX];
    int err = image_path(path, sizeof path, d, address);
    if (!err)
        err = board_flash(d, flash);
    if (err)
        return err;
    int in = open_program(program, &err);
    if (in < 0)
        return err;
    snprintf(tmp, sizeof tmp, "%s/flash/.0x%08x.%d", d, (unsigned)address, (int)getpid());
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (out < 0) {
        err = fail(DUET_ERR_STATE, "upload: cannot write %s: %s", path, strerror(errno));
        close(in);
        return err;
    }
    int rc = copy_fd(in, out);
    int e = errno;
    close(in);
    if (rc > 0) { /* the program could not be read: the flash is not to blame */
        close(out);
        unlink(tmp);
        return fail(DUET_ERR_STATE, "upload: cannot read %s: %s", program, strerror(e));
    }
    if (rc == 0 && fchmod(out, 0755) != 0) {
        rc = -1;
        e = errno;
    }
    if (close(out) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    /* A rename, so that an M4 running the old image keeps it and nobody sees half a file. */
    if (rc == 0 && rename(tmp, path) != 0) {
        rc = -1;
        e = errno;
    }
    if (rc != 0) {
        unlink(tmp);
        return fail(DUET_ERR_STATE, "upload: cannot write %s: %s", path, strerror(e));
    }
    return DUET_OK;
}

int duet_posix_board_erase(const char *dir, uint32_t address)
{
    const char *d = need_board_dir(dir);
    if (!d)
        return DUET_ERR_ARG;
    if (!flash_address_ok(address))
        return fail(DUET_ERR_ARG,
                    "erase: 0x%08x is no image address (0x08040000 for the M7; 0x08100000, 0x08180000 or "
                    "0x60000000 for the M4)",
                    (unsigned)address);
    char path[PATH_MAX];
    int err = image_path(path, sizeof path, d, address);
    if (err)
        return err;
    if (unlink(path) != 0 && errno != ENOENT)
        return fail(DUET_ERR_STATE, "erase %s: %s", path, strerror(errno));
    return DUET_OK;
}

/* ------------------------------------------------------------ the port */

typedef struct board_port {
    char dir[PATH_MAX];
    board_maps maps;
    uint32_t *mine;          /* the doorbell this core waits on */
    uint32_t *other;         /* the one it rings */
    pthread_mutex_t lock;    /* duet_port.lock: recursive, for programs with threads */
    duet_posix_wait_mode mode;
    uint32_t spin_us;
    pid_t child;             /* M7: the M4 process this port started, until reaped */
    bool reaped;             /* M7: a reaper thread waits for it (see start_reaper) */
    duet_posix_tap tap;      /* --trace: reports what this core sends (board_tap.c) */
    char peer_why[64];       /* M7: duet_posix_port_peer_stopped's text */
    duet_posix_port_stats stats;
} board_port;

static void port_ring(duet_port *port);

static board_port *ctx_of(const duet_port *port)
{
    return port && port->ring == port_ring ? (board_port *)port->ctx : NULL;
}

/*
 * The doorbell protocol. A doorbell word holds a ring count (low 31 bits) and the flag
 * SLEEPING. A core that is about to sleep sets the flag with a compare-and-swap that also
 * checks the count is still the one it saw, then FUTEX_WAITs on exactly that word value.
 * A ring adds one to the count and clears the flag in one compare-and-swap; if the flag was
 * set, it makes the FUTEX_WAKE. Either the ring comes first (then the sleeper's CAS or its
 * FUTEX_WAIT sees another value and it does not sleep), or the flag does (then the ringer
 * wakes it). So no ring is lost, a spinning core gets its ring without a system call, and a
 * sleeper that was killed leaves at most one FUTEX_WAKE too many behind it.
 */
#define SLEEPING DUET_POSIX_HSEM_SLEEPING
#define COUNT DUET_POSIX_HSEM_COUNT

/* How long the adaptive wait spins before it starts yielding the CPU while it spins. */
#define SPIN_ALONE_NS 2000u

static void port_ring(duet_port *port)
{
    board_port *x = port->ctx;
    if (x->tap.on)
        duet_posix_tap_scan(&x->tap, port, ld(&x->maps.ctl->reset_gen));
    uint32_t old = ld(x->other), next;
    do
        next = (old + 1) & COUNT;
    while (!__atomic_compare_exchange_n(x->other, &old, next, true, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    count(&x->stats.rings);
    if (old & SLEEPING) {
        futex_wake(x->other);
        count(&x->stats.wakes);
    }
}

/*
 * What a thread saw of a port's doorbell when its last wait() returned. Each thread of the
 * process keeps its own, so that a ring which ended another thread's wait (that thread then
 * served the message this one waits for) still ends this thread's next wait: no thread
 * sleeps past work that is done. A thread that waits on more ports than this re-uses the
 * oldest entry, and its next wait on the port it forgot may return early (wait() may).
 */
#define SEEN_PER_THREAD 4

typedef struct seen_entry {
    const board_port *port;
    uint32_t seen;           /* the count of *mine when this thread's last wait() returned */
    uint32_t gen;            /* the board's reset count that seen belongs to */
} seen_entry;

static _Thread_local seen_entry seen_by_thread[SEEN_PER_THREAD];
static _Thread_local unsigned seen_next;

/* This thread's entry for x; a new one counts from 0, as a board just reset does. */
static seen_entry *seen_of(const board_port *x, uint32_t gen)
{
    for (unsigned i = 0; i < SEEN_PER_THREAD; i++)
        if (seen_by_thread[i].port == x)
            return &seen_by_thread[i];
    seen_entry *e = &seen_by_thread[seen_next++ % SEEN_PER_THREAD];
    *e = (seen_entry){x, 0, gen};
    return e;
}

/* True if the doorbell's count moved away from seen; then it becomes this thread's seen. */
static bool rang(board_port *x, seen_entry *e, uint32_t seen)
{
    uint32_t now = ld(x->mine) & COUNT;
    if (now == seen)
        return false;
    e->seen = now;
    return true;
}

static void port_lock(duet_port *port)
{
    pthread_mutex_lock(&((board_port *)port->ctx)->lock);
}

static void port_unlock(duet_port *port)
{
    pthread_mutex_unlock(&((board_port *)port->ctx)->lock);
}

/* duet's last error, one per thread of the program (duet_port.thread_error). */
static duet_port_error *port_thread_error(duet_port *port)
{
    (void)port;
    static _Thread_local duet_port_error error;
    return &error;
}

/* The adaptive mode's first part of a wait: spin up to spin_us (not past end) for a ring
 * the other core makes soon. True if it rang. */
static bool spin_for_ring(board_port *x, seen_entry *e, uint32_t seen, uint64_t start, uint64_t end)
{
    uint64_t spin_end = start + (uint64_t)x->spin_us * 1000u;
    if (spin_end > end)
        spin_end = end;
    for (unsigned i = 1;; i++) {
        cpu_relax();
        if (rang(x, e, seen)) {
            count(&x->stats.spun);
            return true;
        }
        if (i % 16 == 0) {
            uint64_t t = mono_ns();
            if (t >= spin_end)
                return false;
            /* Past the first microseconds, let the other core's process run: it may
             * share this CPU, and then spinning only delays the ring it is to make. */
            if (t - start > SPIN_ALONE_NS)
                sched_yield();
        }
    }
}

static void port_wait(duet_port *port, uint32_t timeout_ms)
{
    board_port *x = port->ctx;
    uint32_t *gen_word = &x->maps.ctl->reset_gen;
    count(&x->stats.waits);
    /* What the doorbell counted when the last wait() returned: a ring since then is pending.
     * After a board reset, the doorbell counts again from 0. */
    uint32_t gen = ld(gen_word);
    seen_entry *e = seen_of(x, gen);
    if (gen != e->gen) {
        e->gen = gen;
        e->seen = 0;
    }
    uint32_t seen = e->seen;
    if (rang(x, e, seen)) {
        count(&x->stats.pending);
        return;
    }
    uint64_t start = mono_ns();
    uint64_t end = start + (uint64_t)timeout_ms * 1000000u;
    if (x->mode == DUET_POSIX_WAIT_ADAPTIVE && timeout_ms && spin_for_ring(x, e, seen, start, end))
        return;
    for (;;) {
        if (rang(x, e, seen) || ld(gen_word) != gen)
            return; /* rang, or the board was reset: SRAM4 changed under the caller */
        uint64_t now = mono_ns();
        if (now >= end) {
            count(&x->stats.timeouts);
            return;
        }
        uint32_t word = seen | SLEEPING;
        uint32_t expected = seen;
        if (!__atomic_compare_exchange_n(x->mine, &expected, word, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) &&
            expected != word)
            continue; /* it rang meanwhile (or the board was reset) */
        if (ld(gen_word) != gen)
            return;
        uint64_t left = end - now;
        struct timespec rel = {(time_t)(left / 1000000000u), (long)(left % 1000000000u)};
        count(&x->stats.slept);
        int rc = futex_wait(x->mine, word, &rel);
        /* Woken by a ring or a reset (the loop sees which), by a signal, or timed out (the
         * loop looks at the clock). An error that would repeat at once (no futex in this
         * kernel) must not turn the wait into a busy loop. */
        if (rc != 0 && errno != EINTR && errno != EAGAIN && errno != ETIMEDOUT)
            sleep_ns(left < 1000000u ? left : 1000000u);
    }
}

static uint32_t port_now_ms(duet_port *port)
{
    (void)port;
    return (uint32_t)(mono_ns() / 1000000u);
}

/* The M4's environment: ours, with DUET_BOARD and DUET_CORE set for it. NULL if out of memory. */
static char **m4_environment(const char *dir)
{
    size_t n = 0;
    for (char **e = environ; e && *e; e++)
        n++;
    char **env = calloc(n + 3, sizeof *env);
    size_t board_len = strlen("DUET_BOARD=") + strlen(dir) + 1;
    char *board = malloc(board_len);
    if (!env || !board) {
        free(env);
        free(board);
        return NULL;
    }
    snprintf(board, board_len, "DUET_BOARD=%s", dir);
    size_t k = 0;
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "DUET_BOARD=", 11) != 0 && strncmp(*e, "DUET_CORE=", 10) != 0)
            env[k++] = *e;
    env[k++] = board;
    env[k++] = (char *)"DUET_CORE=m4";
    env[k] = NULL;
    return env;
}

static void free_environment(char **env)
{
    for (size_t i = 0; env[i]; i++)
        if (strncmp(env[i], "DUET_BOARD=", 11) == 0) {
            free(env[i]);
            break;
        }
    free(env);
}

/* Where the M4's C stdout goes: the pipe duet-board names in $DUET_BOARD_M4_STDOUT (it shows
 * each line in its event log as "M4 stdout: ..."), else -1 (the board's stderr). */
static int m4_stdout_fd(void)
{
    const char *v = getenv("DUET_BOARD_M4_STDOUT");
    if (!v || !v[0])
        return -1;
    char *end;
    long fd = strtol(v, &end, 10);
    return (!*end && fd > 2 && fd < 65536 && fcntl((int)fd, F_GETFD) != -1) ? (int)fd : -1;
}

/* The child between fork and exec: only async-signal-safe calls. */
static void m4_child(const char *path, char **env, int report_fd, pid_t parent, int stdout_fd)
{
#ifdef __linux__
    /* The M4 ends with the M7 (the thread of it that booted the M4). */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(127);
#else
    (void)parent;
#endif
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0 && null != STDIN_FILENO) {
        dup2(null, STDIN_FILENO);
        close(null);
    }
    /* The M4 has no USB Serial: its C stdout is its UART, which ends up in the board's log
     * (duet-board's pipe, or stderr), never on the Serial Monitor (the M7's stdout). */
    dup2(stdout_fd >= 0 ? stdout_fd : STDERR_FILENO, STDOUT_FILENO);
    if (stdout_fd >= 0)
        close(stdout_fd);
    char *argv[2] = {(char *)path, NULL};
    execve(path, argv, env);
    int e = errno;
    ssize_t w = write(report_fd, &e, sizeof e);
    (void)w;
    _exit(127);
}

/* ------------------------------------------------------------ the M4's end */

/* What the reaper thread needs, its own: the port may be closed while the M4 runs on. */
typedef struct reaper {
    pid_t pid;
    uint32_t gen;               /* the reset count at boot: a later reset's state is not touched */
    board_maps maps;            /* its own mapping of the board */
} reaper;

/* "SIGSEGV" or "signal 40", for an exit status above 128 as m4_status keeps it. */
static const char *m4_signal_text(int32_t status, char *buf, size_t cap)
{
    const char *name = sigabbrev_np(status - 128);
    if (name)
        snprintf(buf, cap, "SIG%s", name);
    else
        snprintf(buf, cap, "signal %d", (int)(status - 128));
    return buf;
}

/* "the M4 stopped: SIGSEGV" or "the M4 program returned 3", for an exit status as m4_status
 * keeps it. */
static const char *m4_end_text(int32_t status, char *buf, size_t cap)
{
    if (status > 128) {
        char name[32];
        snprintf(buf, cap, "the M4 stopped: %s", m4_signal_text(status, name, sizeof name));
    } else {
        snprintf(buf, cap, "the M4 program returned %d", (int)status);
    }
    return buf;
}

static void *reaper_main(void *arg)
{
    reaper *r = arg;
    int status = 0;
    pid_t got;
    while ((got = waitpid(r->pid, &status, 0)) < 0 && errno == EINTR) {
    }
    duet_posix_control *c = r->maps.ctl;
    bool reset = ld(&c->reset_gen) != r->gen || ld(&c->m4_stopping);
    /* Not ours to reap any more: the reset that stopped it (SIGTERM) reaped it first. */
    int32_t code = got < 0                ? 128 + SIGTERM
                   : WIFEXITED(status)   ? WEXITSTATUS(status)
                   : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                         : 255;
    /* The board's log says "M4  stopped: <text>": a signal's name alone, not the sentence
     * the M7's errors give ("the M4 stopped: SIGSEGV"). Written before the M7 learns it: an
     * M7 that ends at once on learning it takes this thread with it, and the end was lost. */
    char text[64];
    if (reset && code == 128 + SIGTERM)
        snprintf(text, sizeof text, "the M4 was held in reset (stopped)");
    else if (code > 128)
        m4_signal_text(code, text, sizeof text);
    else
        m4_end_text(code, text, sizeof text);
    duet_posix_event_emit_as(DUET_CPU_M4, DUET_EV_END, -1, code, text, strlen(text));
    if (!reset && c->m4_pid == (int32_t)r->pid) {
        st((uint32_t *)&c->m4_status, (uint32_t)code);
        st(&c->m4_ended, 1);
        /* Ring the M7's own doorbell (HSEM 1), as the M4 would: a waiting M7 wakes and sees it. */
        uint32_t *bell = &c->hsem1, old = ld(bell), next;
        do
            next = (old + 1) & DUET_POSIX_HSEM_COUNT;
        while (!__atomic_compare_exchange_n(bell, &old, next, true, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
        futex_wake(bell);
    }
    unmap_board(&r->maps);
    free(r);
    return NULL;
}

/* Starts the thread that reaps the M4 the moment it ends. Without it (no memory, no thread),
 * duet_posix_port_m4_join still reaps the M4 itself. */
static void start_reaper(board_port *x, pid_t pid)
{
    reaper *r = calloc(1, sizeof *r);
    if (!r)
        return;
    r->pid = pid;
    r->gen = ld(&x->maps.ctl->reset_gen);
    if (map_board(x->dir, false, &r->maps) != DUET_OK) {
        free(r);
        return;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t tid;
    if (pthread_create(&tid, &attr, reaper_main, r) != 0) {
        unmap_board(&r->maps);
        free(r);
    } else {
        x->reaped = true;
    }
    pthread_attr_destroy(&attr);
}

const char *duet_posix_port_peer_stopped(duet_port *port)
{
    board_port *x = ctx_of(port);
    if (!x || port->cpu_id != DUET_CPU_M7 || !x->maps.ctl)
        return NULL;
    duet_posix_control *c = x->maps.ctl;
    if (!ld(&c->m4_ended) || (pid_t)c->m4_pid != x->child)
        return NULL;
    return m4_end_text((int32_t)ld((uint32_t *)&c->m4_status), x->peer_why, sizeof x->peer_why);
}

/* Whether the M4 may start now (0) or why not: as on the board, the M4 starts once per
 * reset. State left by an earlier M7 process that has ended, and whose M4 has ended too, does
 * not count: that run was a power cycle of its own. was: c->m4_started as read. */
static int m4_start_refused(duet_posix_control *c, uint32_t address, uint32_t was)
{
    if (!was)
        return DUET_OK;
    pid_t pid = (pid_t)c->m4_pid;
    bool alive = process_alive(pid, c->m4_start_time);
    pid_t booter = (pid_t)c->m7_pid;
    if (alive || was != 1 || booter == getpid() || process_alive(booter, 0))
        return fail(DUET_ERR_STATE, "boot 0x%08x: the M4 was started already (pid %d, %s); reset the board first",
                    (unsigned)address, (int)pid, was != 1 ? "starting" : alive ? "running" : "ended");
    return DUET_OK;
}

/* The split whose M4 starts at address, as duet-board and the IDE name it. */
static const char *split_of(uint32_t address)
{
    return address == DUET_POSIX_BOOT_1MB ? "50_50" : address == DUET_POSIX_BOOT_1_5MB ? "75_25" : "100_0";
}

/* Says why the M7's boot from address found no program: where the M4's program is, if it is
 * uploaded for another split (the M7 boots the address its program names or its split's).
 * On the board, the M4 would run the erased flash there and fault; here the boot fails, and
 * the board's log has a warning that says what to do. */
static int no_m4_image(const char *dir, uint32_t address)
{
    static const uint32_t m4_addresses[] = {DUET_POSIX_BOOT_1MB, DUET_POSIX_BOOT_1_5MB, DUET_POSIX_BOOT_SDRAM};
    char other[PATH_MAX];
    struct stat s;
    for (size_t i = 0; i < sizeof m4_addresses / sizeof m4_addresses[0]; i++) {
        uint32_t at = m4_addresses[i];
        if (at == address || image_path(other, sizeof other, dir, at) != DUET_OK || stat(other, &s) != 0)
            continue;
        fail(DUET_ERR_BOOT,
             "boot 0x%08x: no M4 program there (the %s split's place); the M4's program is at 0x%08x (the %s "
             "split's): upload it for the %s split (duet-board upload --core m4 --split %s IMAGE, or run --m7 IMAGE "
             "--m4 IMAGE --split %s), or boot from 0x%08x",
             (unsigned)address, split_of(address), (unsigned)at, split_of(at), split_of(address), split_of(address),
             split_of(address), (unsigned)at);
        duet_posix_event_emit_as(DUET_CPU_M7, DUET_EV_WARN, -1, 0, error_text, strlen(error_text));
        return DUET_ERR_BOOT;
    }
    fail(DUET_ERR_BOOT, "boot 0x%08x: no M4 program there (the %s split's place): upload one (duet-board upload "
                        "--core m4 --split %s IMAGE)", (unsigned)address, split_of(address), split_of(address));
    duet_posix_event_emit_as(DUET_CPU_M7, DUET_EV_WARN, -1, 0, error_text, strlen(error_text));
    return DUET_ERR_BOOT;
}

/* The path of the image uploaded for address into path (PATH_MAX bytes), or why none can run. */
static int m4_image(board_port *x, uint32_t address, char *path)
{
    int err = image_path(path, PATH_MAX, x->dir, address);
    if (err)
        return err;
    struct stat s;
    if (stat(path, &s) != 0)
        return no_m4_image(x->dir, address);
    if (!S_ISREG(s.st_mode) || access(path, X_OK) != 0)
        return fail(DUET_ERR_BOOT, "boot 0x%08x: %s is not an executable file", (unsigned)address, path);
    return DUET_OK;
}

/* Reads the exec pipe's end fd and closes it: the pipe closes on a successful exec; before
 * that the child writes why exec failed. That errno, or 0 when the exec succeeded. */
static int exec_failure(int fd)
{
    int child_errno = 0;
    ssize_t n;
    do
        n = read(fd, &child_errno, sizeof child_errno);
    while (n < 0 && errno == EINTR);
    close(fd);
    return n == (ssize_t)sizeof child_errno ? child_errno : 0;
}

/* Releases the M4 from reset: runs the image at path in a process of its own (its pid in
 * *pid). On failure the board shows the M4 stopped, and why, if it was released. */
static int start_m4(board_port *x, uint32_t address, const char *path, pid_t *pid)
{
    int err;
    char **env = m4_environment(x->dir);
    int pipefd[2] = {-1, -1};
    bool booted = false;
    if (!env || pipe2(pipefd, O_CLOEXEC) != 0) {
        err = fail(DUET_ERR_STATE, "boot: %s", env ? strerror(errno) : "out of memory");
        goto undo;
    }
    pid_t parent = getpid();
    int stdout_fd = m4_stdout_fd();
    st(&x->maps.ctl->m4_stopping, 0);
    /* The M4 is released from reset: it boots until its program starts (DUET_EV_RUN, from
     * the M4's own process, which comes after this in the board's pipe). */
    duet_posix_event_emit_as(DUET_CPU_M4, DUET_EV_BOOT, -1, (int32_t)address, NULL, 0);
    booted = true;
    *pid = fork();
    if (*pid < 0) {
        err = fail(DUET_ERR_STATE, "boot: fork: %s", strerror(errno));
        goto undo;
    }
    if (*pid == 0) {
        close(pipefd[0]);
        m4_child(path, env, pipefd[1], parent, stdout_fd);
    }
    close(pipefd[1]);
    pipefd[1] = -1;
    int child_errno = exec_failure(pipefd[0]);
    pipefd[0] = -1;
    if (!child_errno) {
        free_environment(env);
        return DUET_OK;
    }
    while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR) {
    }
    err = fail(DUET_ERR_BOOT, "boot 0x%08x: cannot run %s: %s", (unsigned)address, path, strerror(child_errno));
undo:
    if (booted) {
        char text[600];
        snprintf(text, sizeof text, "the M4 could not start: %s", error_text);
        duet_posix_event_emit_as(DUET_CPU_M4, DUET_EV_END, -1, -1, text, strlen(text));
    }
    if (env)
        free_environment(env);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    return err;
}

static int port_boot(duet_port *port, uint32_t address)
{
    board_port *x = port->ctx;
    duet_posix_control *c = x->maps.ctl;
    if (port->cpu_id != DUET_CPU_M7)
        return fail(DUET_ERR_STATE, "boot: only the M7 starts the M4");

    uint32_t was = ld(&c->m4_started);
    int err = m4_start_refused(c, address, was);
    char path[PATH_MAX];
    if (!err)
        err = m4_image(x, address, path);
    if (err)
        return err;
    /* Claim the start, so that two M7 ports cannot both start an M4. */
    if (!__atomic_compare_exchange_n(&c->m4_started, &was, 2, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return fail(DUET_ERR_STATE, "boot 0x%08x: the M4 is being started already; reset the board first",
                    (unsigned)address);

    pid_t pid = -1;
    err = start_m4(x, address, path, &pid);
    if (err) {
        st(&c->m4_started, was);
        return err;
    }
    c->m4_pid = (int32_t)pid;
    c->m4_start_time = proc_start_time(pid);
    c->m4_address = address;
    c->m7_pid = (int32_t)getpid();
    st(&c->m4_ended, 0);
    st(&c->m4_started, 1);
    x->child = pid;
    start_reaper(x, pid);
    return DUET_OK;
}

/* Parses $DUET_WAIT: "block", "adaptive" or "adaptive:<us>". */
static int wait_mode_from_env(duet_posix_wait_mode *mode, uint32_t *spin_us)
{
    const char *v = getenv("DUET_WAIT");
    *mode = DUET_POSIX_WAIT_BLOCK;
    *spin_us = DUET_POSIX_DEFAULT_SPIN_US;
    if (!v || !v[0] || strcasecmp(v, "block") == 0)
        return DUET_OK;
    if (strncasecmp(v, "adaptive", 8) == 0) {
        *mode = DUET_POSIX_WAIT_ADAPTIVE;
        if (v[8] == 0)
            return DUET_OK;
        if (v[8] == ':' && v[9] >= '0' && v[9] <= '9') {
            char *end;
            unsigned long us = strtoul(v + 9, &end, 10);
            if (*end == 0 && us <= 10000000ul) {
                *spin_us = us ? (uint32_t)us : DUET_POSIX_DEFAULT_SPIN_US;
                return DUET_OK;
            }
        }
    }
    return fail(DUET_ERR_ARG, "DUET_WAIT=%s: expected block, adaptive or adaptive:<microseconds>", v);
}

int duet_posix_port_open(duet_port *port, const char *dir, int cpu_id)
{
    if (!port)
        return fail(DUET_ERR_ARG, "port_open: no port");
    memset(port, 0, sizeof *port);
    if (cpu_id != DUET_CPU_M7 && cpu_id != DUET_CPU_M4)
        return fail(DUET_ERR_ARG, "port_open: cpu_id %d is neither DUET_CPU_M7 (3) nor DUET_CPU_M4 (1)", cpu_id);
    const char *d = need_board_dir(dir);
    if (!d)
        return DUET_ERR_ARG;
    duet_posix_wait_mode mode;
    uint32_t spin_us;
    int err = wait_mode_from_env(&mode, &spin_us);
    if (err)
        return err;
    board_port *x = calloc(1, sizeof *x);
    if (!x)
        return fail(DUET_ERR_STATE, "port_open: out of memory");
    if (!realpath(d, x->dir)) {
        int e = errno;
        char why[sizeof error_text];
        if (duet_posix_access_explain(why, sizeof why, d, e))
            err = fail(DUET_ERR_STATE, "%s", why);
        else
            err = fail(e == ENOENT ? DUET_ERR_NOT_FOUND : DUET_ERR_STATE, "%s: %s%s", d, strerror(e),
                       e == ENOENT ? " (duet_posix_board_create() makes a board)" : "");
        free(x);
        return err;
    }
    err = map_board(x->dir, false, &x->maps);
    if (err) {
        free(x);
        return err;
    }
    duet_posix_control *c = x->maps.ctl;
    bool m7 = cpu_id == DUET_CPU_M7;
    x->mine = m7 ? &c->hsem1 : &c->hsem0;
    x->other = m7 ? &c->hsem0 : &c->hsem1;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&x->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    x->mode = mode;
    x->spin_us = spin_us;
    port->shm = x->maps.sram;
    port->shm_da = DUET_POSIX_SHM_DA;
    port->shm_size = DUET_POSIX_SHM_SIZE;
    port->ring = port_ring;
    port->wait = port_wait;
    port->boot = port_boot;
    port->now_ms = port_now_ms;
    port->cpu_id = cpu_id;
    port->ctx = x;
    port->lock = port_lock;
    port->unlock = port_unlock;
    port->thread_error = port_thread_error;
    port->peer_stopped = cpu_id == DUET_CPU_M7 ? duet_posix_port_peer_stopped : NULL;
    duet_posix_tap_init(&x->tap);
    return DUET_OK;
}

void duet_posix_port_close(duet_port *port)
{
    board_port *x = ctx_of(port);
    if (!x)
        return;
    if (x->child > 0 && !x->reaped)
        waitpid(x->child, NULL, WNOHANG);
    unmap_board(&x->maps);
    pthread_mutex_destroy(&x->lock);
    free(x);
    memset(port, 0, sizeof *port);
}

int duet_posix_port_set_wait(duet_port *port, duet_posix_wait_mode mode, uint32_t spin_us)
{
    board_port *x = ctx_of(port);
    if (!x)
        return fail(DUET_ERR_ARG, "set_wait: not a posix board port");
    if (mode != DUET_POSIX_WAIT_BLOCK && mode != DUET_POSIX_WAIT_ADAPTIVE)
        return fail(DUET_ERR_ARG, "set_wait: unknown mode %d", (int)mode);
    x->mode = mode;
    x->spin_us = spin_us ? spin_us : DUET_POSIX_DEFAULT_SPIN_US;
    return DUET_OK;
}

const char *duet_posix_port_dir(const duet_port *port)
{
    board_port *x = ctx_of(port);
    return x ? x->dir : NULL;
}

duet_posix_control *duet_posix_port_control(const duet_port *port)
{
    board_port *x = ctx_of(port);
    return x ? x->maps.ctl : NULL;
}

duet_posix_port_stats duet_posix_port_get_stats(const duet_port *port)
{
    duet_posix_port_stats s = {0, 0, 0, 0, 0, 0, 0};
    board_port *x = ctx_of(port);
    if (x) {
        s.rings = __atomic_load_n(&x->stats.rings, __ATOMIC_RELAXED);
        s.wakes = __atomic_load_n(&x->stats.wakes, __ATOMIC_RELAXED);
        s.waits = __atomic_load_n(&x->stats.waits, __ATOMIC_RELAXED);
        s.pending = __atomic_load_n(&x->stats.pending, __ATOMIC_RELAXED);
        s.spun = __atomic_load_n(&x->stats.spun, __ATOMIC_RELAXED);
        s.slept = __atomic_load_n(&x->stats.slept, __ATOMIC_RELAXED);
        s.timeouts = __atomic_load_n(&x->stats.timeouts, __ATOMIC_RELAXED);
    }
    return s;
}

int duet_posix_port_m4_join(duet_port *port, uint32_t timeout_ms)
{
    board_port *x = ctx_of(port);
    if (!x || port->cpu_id != DUET_CPU_M7 || x->child <= 0)
        return fail(DUET_ERR_STATE, "m4_join: this port started no M4 (or it was reaped already)");
    uint64_t end = mono_ns() + (uint64_t)timeout_ms * 1000000u;
    duet_posix_control *c = x->maps.ctl;
    while (x->reaped) {
        /* The reaper thread reaps it, records how it ended and rings this core's doorbell; a
         * reset wakes the doorbell too. So sleep on it until then (or the timeout), and look
         * again after each wake: the word is read before looking, so no ring is missed. */
        uint32_t bell = ld(x->mine);
        if (ld(&c->m4_ended) && (pid_t)c->m4_pid == x->child) {
            x->child = 0;
            return (int)ld((uint32_t *)&c->m4_status);
        }
        if ((pid_t)c->m4_pid != x->child) {
            x->child = 0; /* a board reset stopped it */
            return fail(DUET_ERR_STATE, "m4_join: the board was reset: the M4 is gone");
        }
        uint64_t now = mono_ns();
        if (now >= end)
            return fail(DUET_ERR_TIMEOUT, "m4_join: the M4 (pid %d) still runs", (int)x->child);
        struct timespec rel = {(time_t)((end - now) / 1000000000u), (long)((end - now) % 1000000000u)};
        futex_wait(x->mine, bell, &rel);
    }
    for (;;) {
        int status;
        pid_t r = waitpid(x->child, &status, WNOHANG);
        if (r == x->child) {
            x->child = 0;
            if (WIFEXITED(status))
                return WEXITSTATUS(status);
            return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
        }
        if (r < 0 && errno != EINTR) {
            x->child = 0; /* reaped elsewhere (a board reset, SIGCHLD ignored) */
            return fail(DUET_ERR_STATE, "m4_join: the M4 was reaped already");
        }
        if (mono_ns() >= end)
            return fail(DUET_ERR_TIMEOUT, "m4_join: the M4 (pid %d) still runs", (int)x->child);
        sleep_ns(1000000u);
    }
}

/* ------------------------------------------------------------ the default port */

/* On the board, what a core prints reaches a person as it is written: the M7's stdout is
 * its USB Serial (the Serial Monitor), the M4's its UART. So C's stdout is unbuffered in
 * every program built against the port, piped or not. */
__attribute__((constructor)) static void unbuffered_stdout(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
}

/* The core's program starts: the C runtime hands over to it (main() comes next; a setup()/
 * loop() program's main() calls setup() at once). On the board the core was booting since
 * it was released from reset (DUET_EV_BOOT); from here it runs. Outside a board nothing is
 * said (and nothing is opened). */
__attribute__((constructor)) static void program_starts(void)
{
    const char *events = getenv("DUET_BOARD_EVENTS");
    if (events && events[0])
        duet_posix_event_emit(DUET_EV_RUN, -1, 0, NULL, 0);
}

duet_port *duet_port_default(void)
{
    static duet_port port;
    static bool open, said;
    if (open)
        return &port;
    const char *board = getenv("DUET_BOARD");
    const char *core = getenv("DUET_CORE");
    if (!board || !board[0] || !core || !core[0]) {
        /* Run by hand, outside a board: say once how to run it. */
        if (!said)
            fprintf(stderr, "duet: this program runs on the emulated GIGA R1: duet-board run --m7 M7_PROGRAM "
                            "--m4 M4_PROGRAM (docs/board.md)\n");
        said = true;
        return NULL;
    }
    int cpu;
    if (strcasecmp(core, "m7") == 0)
        cpu = DUET_CPU_M7;
    else if (strcasecmp(core, "m4") == 0)
        cpu = DUET_CPU_M4;
    else {
        fprintf(stderr, "duet: DUET_CORE=%s: expected m7 or m4\n", core);
        return NULL;
    }
    int err = duet_posix_port_open(&port, board, cpu);
    if (err) {
        fprintf(stderr, "duet: cannot open the board: %s\n", duet_posix_board_error_text());
        return NULL;
    }
    /* The flash split the M4 program was uploaded for, as the IDE's "Flash Split" menu. */
    const char *boot = getenv("DUET_BOOT_ADDRESS");
    if (boot && boot[0]) {
        char *end;
        unsigned long at = strtoul(boot, &end, 0);
        if (*end || (at != DUET_POSIX_BOOT_1MB && at != DUET_POSIX_BOOT_1_5MB && at != DUET_POSIX_BOOT_SDRAM)) {
            fprintf(stderr, "duet: DUET_BOOT_ADDRESS=%s: expected 0x08100000, 0x08180000 or 0x60000000\n", boot);
            duet_posix_port_close(&port);
            return NULL;
        }
        port.boot_address = (uint32_t)at;
    }
    open = true;
    return &port;
}

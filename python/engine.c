/* engine.c - duet's M7 side for the Python module: set-up, boot, the service thread, and a
 * port whose wait() several threads can share. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "engine.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "duet/posix/board.h"

/* How long the service thread sleeps on the doorbell before it checks the M4 is alive. */
#define SERVICE_TICK_MS 200u

/* What this thread's last wait() saw of the engine's gen (see dpy_engine_wait). */
static _Thread_local uint64_t seen_gen;
/* The engine whose service thread this is (NULL in every other thread). */
static _Thread_local dpy_engine *serving;
/* How many engine locks this thread holds: > 0 inside duet (a handler runs). */
static _Thread_local unsigned locks_held;

static void set_why(dpy_engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_why(dpy_engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->why, sizeof e->why, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ the lock */

/*
 * The service thread never blocks on the lock: a thread that holds it may be waiting for
 * the service thread to see the doorbell. When the service thread finds the lock taken it
 * sets missed, and whoever releases the lock last polls in its place.
 */
static void poll_locked(dpy_engine *e);

void dpy_lock(dpy_engine *e)
{
    pthread_mutex_lock(&e->lock);
    e->depth++;
    locks_held++;
}

void dpy_unlock(dpy_engine *e)
{
    for (;;) {
        bool last = --e->depth == 0;
        locks_held--;
        pthread_mutex_unlock(&e->lock);
        if (!last || !atomic_exchange(&e->missed, false))
            return;
        dpy_lock(e);
        poll_locked(e);
    }
}

static bool try_lock(dpy_engine *e)
{
    if (pthread_mutex_trylock(&e->lock) != 0)
        return false;
    e->depth++;
    locks_held++;
    return true;
}

static void rpc_lock(void *arg) { dpy_lock(arg); }
static void rpc_unlock(void *arg) { dpy_unlock(arg); }

/* ------------------------------------------------------------ waiting */

static void bump(dpy_engine *e)
{
    pthread_mutex_lock(&e->ev_lock);
    e->gen++;
    pthread_cond_broadcast(&e->ev);
    pthread_mutex_unlock(&e->ev_lock);
}

static struct timespec deadline(uint32_t timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000u;
    ts.tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Whether the M4 process has ended; records its status (service thread only). */
static void check_m4(dpy_engine *e)
{
    if (atomic_load(&e->m4_status) >= 0)
        return;
    int r = duet_posix_port_m4_join(&e->board, 0);
    if (r >= 0) {
        atomic_store(&e->m4_status, r);
        bump(e);
    } else if (r == DUET_ERR_STATE && duet_posix_board_m4_pid(e->board_dir) == 0) {
        atomic_store(&e->m4_status, 255); /* not ours to reap: it ran before we booted */
        bump(e);
    }
}

void dpy_engine_wait(dpy_engine *e, uint32_t timeout_ms)
{
    if (serving == e) {
        e->board.wait(&e->board, timeout_ms);
        bump(e);
        check_m4(e);
        return;
    }
    /* Another thread: a ring the service thread saw since this thread's last wait returned
     * counts as pending, as the board's own wait() counts rings. Without a service thread
     * (before boot, after close) this is a plain timed sleep that close() cuts short. */
    struct timespec until = deadline(timeout_ms);
    pthread_mutex_lock(&e->ev_lock);
    while (e->gen == seen_gen) {
        if (pthread_cond_timedwait(&e->ev, &e->ev_lock, &until) == ETIMEDOUT)
            break;
    }
    seen_gen = e->gen;
    pthread_mutex_unlock(&e->ev_lock);
}

/* ------------------------------------------------------------ the port duet sees */

static dpy_engine *engine_of(duet_port *port) { return (dpy_engine *)port->ctx; }

static void port_ring(duet_port *port)
{
    dpy_engine *e = engine_of(port);
    e->board.ring(&e->board);
}

static void port_wait(duet_port *port, uint32_t timeout_ms)
{
    dpy_engine_wait(engine_of(port), timeout_ms);
}

static int port_boot(duet_port *port, uint32_t address)
{
    dpy_engine *e = engine_of(port);
    return e->board.boot(&e->board, address);
}

static uint32_t port_now(duet_port *port)
{
    dpy_engine *e = engine_of(port);
    return e->board.now_ms(&e->board);
}

/* ------------------------------------------------------------ the rpc engine's link */

static dpy_engine *engine_of_link(duet_link *link)
{
    return (dpy_engine *)((char *)link - offsetof(dpy_engine, link));
}

/* With the lock held: takes the link down once the M4 has ended. */
static void down_if_m4_ended(dpy_engine *e)
{
    int status = atomic_load(&e->m4_status);
    if (status < 0 || atomic_load(&e->state) == DPY_DOWN)
        return;
    if (status >= 128 && status < 255)
        set_why(e, "the M4 stopped: killed by signal %d", status - 128);
    else if (status == 255)
        set_why(e, "the M4 stopped");
    else
        set_why(e, "the M4 stopped: its program exited with status %d", status);
    /* What the M4 sent before it ended is in shared memory already: take it in (its stream
     * text stays readable), then nothing more comes. */
    int state = atomic_load(&e->state);
    if (state == DPY_UP || state == DPY_STARTING)
        (void)duet_rpmsg_poll(&e->dev);
    duet_rpmsg_shutdown(&e->dev);
    atomic_store(&e->state, DPY_DOWN);
    bump(e);
}

/* With the lock held: marks the link down when the device says so. */
static void note_poll(dpy_engine *e, int n)
{
    if (n >= 0 || atomic_load(&e->state) == DPY_DOWN)
        return;
    set_why(e, "the link to the M4 is down: %s", duet_rpmsg_error_text(&e->dev));
    atomic_store(&e->state, DPY_DOWN);
    bump(e);
}

static int link_send(duet_link *link, const uint8_t *data, size_t len)
{
    dpy_engine *e = engine_of_link(link);
    int state = atomic_load(&e->state);
    if (state == DPY_DOWN)
        return DUET_ERR_LINK_DOWN;
    /* While start() waits for the handshake (STARTING) the M4 may already call: its request
     * came in the same poll as its announcement, so the endpoint knows where to answer (the
     * send says so if it does not). Python's own calls wait for UP (dpy_check_up). */
    if (state != DPY_UP && state != DPY_STARTING)
        return DUET_ERR_STATE;
    return duet_rpmsg_send(&e->ep_rpc, data, len);
}

static int link_poll(duet_link *link)
{
    dpy_engine *e = engine_of_link(link);
    down_if_m4_ended(e);
    int state = atomic_load(&e->state);
    if (state == DPY_IDLE)
        return 0;
    if (state == DPY_DOWN)
        return DUET_ERR_LINK_DOWN;
    int n = duet_rpmsg_poll(&e->dev);
    note_poll(e, n);
    return n < 0 ? DUET_ERR_LINK_DOWN : n;
}

static void link_wait(duet_link *link, uint32_t timeout_ms)
{
    dpy_engine_wait(engine_of_link(link), timeout_ms);
}

static uint32_t link_now(duet_link *link)
{
    dpy_engine *e = engine_of_link(link);
    if (e->board_open)
        return e->board.now_ms(&e->board);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* ------------------------------------------------------------ the service thread */

static void poll_locked(dpy_engine *e)
{
    down_if_m4_ended(e);
    int state = atomic_load(&e->state);
    if (state != DPY_STARTING && state != DPY_UP)
        return;
    note_poll(e, duet_rpmsg_poll(&e->dev));
    if (e->stream_up && atomic_load(&e->state) == DPY_UP) {
        /* Gathered text goes out only if a buffer is free now: the service never waits. */
        uint32_t was = duet_rpmsg_set_send_timeout(&e->dev, 0);
        (void)duet_stream_flush(&e->stream);
        duet_rpmsg_set_send_timeout(&e->dev, was);
    }
    bump(e);
}

static void unmap_board(dpy_engine *e);
static void free_buffers(dpy_engine *e);

static void *service_main(void *arg)
{
    dpy_engine *e = arg;
    serving = e;
    while (!atomic_load(&e->stop)) {
        dpy_engine_wait(e, SERVICE_TICK_MS);
        if (atomic_load(&e->stop))
            break;
        if (!try_lock(e)) {
            /* The holder polls when it lets go, or we get the lock now that it did. */
            atomic_store(&e->missed, true);
            if (!try_lock(e))
                continue;
        }
        atomic_store(&e->missed, false);
        poll_locked(e);
        dpy_unlock(e);
    }
    if (atomic_load(&e->orphaned)) {
        /* Destroyed from inside one of its own handlers: the rest of the work is ours. */
        unmap_board(e);
        free_buffers(e);
        free(e);
    }
    return NULL;
}

/* ------------------------------------------------------------ set-up */

size_t dpy_engine_result_size(void)
{
    return DPY_MAX_MESSAGE;
}

static int init(dpy_engine *e);

dpy_engine *dpy_engine_new(void)
{
    dpy_engine *e = calloc(1, sizeof *e);
    if (e && init(e) != DUET_OK) {
        free_buffers(e);
        free(e);
        e = NULL;
    }
    return e;
}

static int init(dpy_engine *e)
{
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&e->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_mutex_init(&e->ev_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->ev, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&e->stop, false);
    atomic_init(&e->orphaned, false);
    atomic_init(&e->missed, false);
    atomic_init(&e->state, DPY_IDLE);
    atomic_init(&e->m4_status, -1);
    e->port.ctx = e;

    size_t tx_size = DPY_NESTING * DPY_MAX_MESSAGE;
    size_t results_size = (size_t)DUET_RPC_MAX_INFLIGHT * DPY_MAX_MESSAGE;
    e->tx = malloc(tx_size);
    e->results = malloc(results_size);
    /* A large message per level of nesting: a handler of a large request that calls the M4
     * gets a large answer (the transport reassembles it above the request). */
    e->reasm = malloc(DPY_NESTING * DPY_MAX_MESSAGE);
    e->stream_rx = malloc(DPY_STREAM_RX);
    if (!e->tx || !e->results || !e->reasm || !e->stream_rx)
        return DUET_ERR_STATE;

    e->link.send = link_send;
    e->link.poll = link_poll;
    e->link.wait = link_wait;
    e->link.now_ms = link_now;
    e->link.max_message = duet_rpmsg_layout_giga().buf_size - DUET_RPMSG_HEADER_SIZE;
    duet_rpc_config cfg = {
        .tx_buffer = e->tx,
        .tx_size = tx_size,
        .result_buffer = e->results,
        .result_size = results_size,
        .lock = rpc_lock,
        .unlock = rpc_unlock,
        .lock_arg = e,
    };
    return duet_rpc_init(&e->rpc, &e->link, &cfg);
}

static int open_board(dpy_engine *e)
{
    const char *dir = getenv("DUET_BOARD");
    if (!dir || !dir[0]) {
        set_why(e, "no board: DUET_BOARD is not set (run the script with duet-board, or set DUET_BOARD to a "
                   "board directory)");
        return DUET_ERR_NOT_FOUND;
    }
    int err = duet_posix_port_open(&e->board, dir, DUET_CPU_M7);
    if (err) {
        set_why(e, "opening the board %s: %s", dir, duet_posix_board_error_text());
        return err;
    }
    e->board_open = true;
    snprintf(e->board_dir, sizeof e->board_dir, "%s", duet_posix_port_dir(&e->board));
    e->port.shm = e->board.shm;
    e->port.shm_da = e->board.shm_da;
    e->port.shm_size = e->board.shm_size;
    e->port.ring = port_ring;
    e->port.wait = port_wait;
    e->port.boot = port_boot;
    e->port.now_ms = port_now;
    e->port.boot_address = e->board.boot_address;
    e->port.cpu_id = e->board.cpu_id;
    return DUET_OK;
}

/* Creates the "raw" endpoint and the stream over it. */
static int open_raw(dpy_engine *e)
{
    int err = duet_rpmsg_endpoint_create(&e->dev, &e->ep_raw, "raw", NULL, 0);
    if (!err)
        err = duet_stream_init(&e->stream, &e->ep_raw.link, e->stream_rx, DPY_STREAM_RX, e->stream_tx,
                               sizeof e->stream_tx);
    e->stream_up = err == DUET_OK;
    return err;
}

/* The bytes of an ELF header that say which machine its program runs on: class and byte
 * order (e_ident[4], [5]), e_machine (bytes 18 and 19). */
#define ELF_HEAD 20

/* The first ELF_HEAD bytes of path into head (fewer if it is shorter). @retval how many,
 * or -1 when it cannot be read. */
static ssize_t read_head(const char *path, uint8_t *head)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = 0;
    while (n < ELF_HEAD) {
        ssize_t got = read(fd, head + n, (size_t)(ELF_HEAD - n));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            n = -1;
            break;
        }
        if (got == 0)
            break;
        n += got;
    }
    close(fd);
    return n;
}

/* e_machine of an ELF header, in its byte order. */
static unsigned elf_machine(const uint8_t *head)
{
    return head[5] == 2 ? (unsigned)(head[18] << 8 | head[19]) : (unsigned)(head[19] << 8 | head[18]);
}

/* The absolute symbol duet-board build --core m7 puts in a program (tools/board/posix_image.c):
 * duet-board's upload and run refuse such a program in the M4's place, where it would run the
 * M7's part of its code. */
#define M7_MARK "duet_board_core_m7"

/* Whether the 64-bit ELF image carries the M7's mark in its symbol table. */
static bool marked_for_m7(const char *image)
{
    int fd = open(image, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    Elf64_Ehdr eh;
    bool m7 = false;
    if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
        eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shnum <= 4096) {
        for (unsigned i = 0; i < eh.e_shnum && !m7; i++) {
            Elf64_Shdr sh, strtab;
            if (pread(fd, &sh, sizeof sh, (off_t)(eh.e_shoff + (uint64_t)i * sizeof sh)) != (ssize_t)sizeof sh)
                break;
            if (sh.sh_type != SHT_SYMTAB || sh.sh_entsize != sizeof(Elf64_Sym) || sh.sh_link >= eh.e_shnum ||
                pread(fd, &strtab, sizeof strtab, (off_t)(eh.e_shoff + (uint64_t)sh.sh_link * sizeof strtab)) !=
                    (ssize_t)sizeof strtab)
                continue;
            uint64_t count = sh.sh_size / sizeof(Elf64_Sym);
            for (uint64_t k = 0; k < count && k < (1u << 20) && !m7; k++) {
                Elf64_Sym sym;
                char name[sizeof M7_MARK];
                if (pread(fd, &sym, sizeof sym, (off_t)(sh.sh_offset + k * sizeof sym)) != (ssize_t)sizeof sym)
                    break;
                if (sym.st_name == 0 || sym.st_name >= strtab.sh_size || sym.st_shndx != SHN_ABS)
                    continue;
                m7 = pread(fd, name, sizeof name, (off_t)(strtab.sh_offset + sym.st_name)) == (ssize_t)sizeof name &&
                     memcmp(name, M7_MARK, sizeof name) == 0;
            }
        }
    }
    close(fd);
    return m7;
}

/* Whether image can be the M4's program: the emulated M4 is a process of this host, so an
 * ELF for the machine this process runs on (not one duet-board built for the M7), or a script
 * ("#!"). Checked before the upload, which would put in flash, in place of what was there, an
 * image the boot then refuses (or, built for the M7, runs as the wrong core). A file that
 * cannot be read passes: the upload says why. False: why in e->why. */
static bool image_runnable(dpy_engine *e, const char *image)
{
    uint8_t head[ELF_HEAD], self[ELF_HEAD];
    ssize_t n = read_head(image, head);
    if (n < 0 && errno == ENOENT) {
        set_why(e, "start: %s: %s: give start() the path of an M4 program (duet-board build --core m4) or its flash "
                   "address, e.g. 0x08180000; nothing was uploaded", image, strerror(ENOENT));
        return false;
    }
    if (n < 0 || (n >= 2 && head[0] == '#' && head[1] == '!'))
        return true;
    if (n < ELF_HEAD || memcmp(head, "\177ELF", 4) != 0) {
        set_why(e, "start: %s is no program the M4 can run (neither an ELF executable nor a #! script): nothing was "
                   "uploaded", image);
        return false;
    }
    if (read_head("/proc/self/exe", self) == ELF_HEAD &&
        (head[4] != self[4] || head[5] != self[5] || elf_machine(head) != elf_machine(self))) {
        set_why(e, "start: %s is an ELF program for another machine (e_machine %u, this host's is %u): the emulated "
                   "M4 runs programs built for this host; nothing was uploaded", image, elf_machine(head),
                elf_machine(self));
        return false;
    }
    if (marked_for_m7(image)) {
        set_why(e, "start: %s was built for the M7 (duet-board build --core m7), not the M4: give start() a program "
                   "built with --core m4; nothing was uploaded", image);
        return false;
    }
    return true;
}

/* Sets up the shared memory and the endpoints, boots the M4 at address and starts the
 * service thread. */
static int boot_m4(dpy_engine *e, uint32_t address, unsigned channels)
{
    duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
    int err = duet_rpmsg_init_host(&e->dev, &e->port, &lay);
    if (err) {
        set_why(e, "setting up the shared memory: %s", duet_rpmsg_error_text(&e->dev));
        return err;
    }
    /* The M4 announces "raw", then "rpc", as the Arduino library does. With one channel
     * only "rpc" is waited for; "raw" is answered once it is up (the device keeps the
     * announcement), as MicroPython answers every endpoint the M4 announces. */
    if (channels >= 2)
        err = open_raw(e);
    if (!err)
        err = duet_rpmsg_endpoint_create(&e->dev, &e->ep_rpc, "rpc", e->reasm, DPY_MAX_MESSAGE);
    if (!err)
        duet_rpmsg_endpoint_reasm_room(&e->ep_rpc, DPY_NESTING * DPY_MAX_MESSAGE);
    if (err) {
        set_why(e, "creating the endpoints: %s", duet_strerror(err));
        return err;
    }
    duet_link_attach(&e->ep_rpc.link, duet_rpc_receive, &e->rpc);
    err = e->port.boot(&e->port, address);
    if (err) {
        set_why(e, "booting the M4 at 0x%08x: %s", (unsigned)address, duet_posix_board_error_text());
        return err;
    }
    e->m4_booted = true;
    atomic_store(&e->state, DPY_STARTING);
    int rc = pthread_create(&e->service, NULL, service_main, e);
    if (rc != 0) {
        set_why(e, "starting the service thread: %s", strerror(rc));
        return DUET_ERR_STATE;
    }
    e->service_running = true;
    return DUET_OK;
}

/* Adds to e->why that image is in flash now: the boot failed after the upload. */
static void say_uploaded(dpy_engine *e, const char *image, uint32_t address)
{
    size_t len = strlen(e->why);
    snprintf(e->why + len, sizeof e->why - len,
             " (%s was uploaded to 0x%08x before that: it is the image there now, in place of the one before)", image,
             (unsigned)address);
}

int dpy_engine_boot(dpy_engine *e, uint32_t address, const char *image, unsigned channels)
{
    if (e->boot_tried) {
        set_why(e, "start() was called already (a new MsgPackRPC can start again)");
        return DUET_ERR_STATE;
    }
    e->boot_tried = true;
    int err = open_board(e);
    if (err)
        return err;
    /* The shared memory set up below is the link of whoever booted a running M4: refuse
     * before touching it (the board's boot would refuse, but only after that). */
    pid_t pid = duet_posix_board_m4_pid(e->board_dir);
    if (pid > 0) {
        set_why(e, "the board's M4 was started already (pid %d, running): close() the MsgPackRPC that started it, "
                   "or reset the board first", (int)pid);
        return DUET_ERR_STATE;
    }
    if (image) {
        if (!image_runnable(e, image))
            return DUET_ERR_ARG;
        err = duet_posix_board_upload(e->board_dir, address, image);
        if (err) {
            set_why(e, "uploading %s: %s", image, duet_posix_board_error_text());
            return err;
        }
    }
    err = boot_m4(e, address, channels);
    if (err && image)
        say_uploaded(e, image, address);
    return err;
}

bool dpy_engine_boot_tried(const dpy_engine *e)
{
    return e->boot_tried;
}

int dpy_engine_wait_up(dpy_engine *e, uint32_t timeout_ms)
{
    uint32_t start = link_now(&e->link);
    for (;;) {
        dpy_lock(e);
        down_if_m4_ended(e);
        int err = atomic_load(&e->state) == DPY_DOWN ? DUET_ERR_LINK_DOWN : duet_rpmsg_wait_ready(&e->dev, 0);
        if (err == DUET_OK && !e->stream_up && open_raw(e) != DUET_OK)
            e->stream_up = false; /* the M4 has no "raw": calls work, read() says so */
        if (err == DUET_OK) {
            e->link.max_message = duet_rpmsg_endpoint_max_message(&e->ep_rpc);
            atomic_store(&e->state, DPY_UP);
            duet_rpc_set_link(&e->rpc, &e->link);
        } else if (err != DUET_ERR_TIMEOUT && err != DUET_ERR_LINK_DOWN) {
            note_poll(e, err);
        }
        dpy_unlock(e);
        if (err != DUET_ERR_TIMEOUT)
            return err;
        uint32_t elapsed = link_now(&e->link) - start;
        if (elapsed >= timeout_ms)
            return DUET_ERR_TIMEOUT;
        dpy_engine_wait(e, timeout_ms - elapsed);
    }
}

/* Takes the link down (the service thread is stopped, or is the caller). */
static void link_down(dpy_engine *e)
{
    dpy_lock(e);
    if (atomic_load(&e->state) != DPY_IDLE) {
        if (e->stream_up && atomic_load(&e->state) == DPY_UP) {
            uint32_t was = duet_rpmsg_set_send_timeout(&e->dev, 0);
            (void)duet_stream_flush(&e->stream);
            duet_rpmsg_set_send_timeout(&e->dev, was);
        }
        duet_rpmsg_shutdown(&e->dev);
        if (atomic_load(&e->state) != DPY_DOWN)
            set_why(e, "closed");
        atomic_store(&e->state, DPY_DOWN);
    }
    dpy_unlock(e);
    bump(e);
}

/* Holds the M4 in reset (safe while duet runs: the files are zeroed in place), as
 * MicroPython's RemoteProc finaliser does: the M4 stops with its M7's program. The board's
 * pins, analog inputs, RTC and time stay. Only an M4 this engine booted: a start() that
 * failed before (the board's M4 runs for another object) leaves it alone. */
static void stop_m4(dpy_engine *e)
{
    if (e->board_open && e->m4_booted && !e->m4_stopped && atomic_load(&e->m4_status) < 0)
        (void)duet_posix_board_reset_m4(e->board_dir);
    e->m4_stopped = true;
}

/* Closes the board's port (no thread may be inside duet any more). */
static void unmap_board(dpy_engine *e)
{
    if (!e->board_open)
        return;
    (void)duet_posix_port_m4_join(&e->board, 1000);
    duet_posix_port_close(&e->board);
    e->board_open = false;
}

static void free_buffers(dpy_engine *e)
{
    free(e->tx);
    free(e->results);
    free(e->reasm);
    free(e->stream_rx);
    e->tx = e->results = e->reasm = e->stream_rx = NULL;
    pthread_mutex_destroy(&e->lock);
    pthread_mutex_destroy(&e->ev_lock);
    pthread_cond_destroy(&e->ev);
}

/* Whether the caller runs inside duet (a handler): then nothing duet uses may go away. */
static bool inside(dpy_engine *e)
{
    return locks_held > 0 || serving == e;
}

void dpy_engine_close(dpy_engine *e)
{
    atomic_store(&e->stop, true);
    if (!inside(e) && e->service_running) {
        pthread_join(e->service, NULL);
        e->service_running = false;
    }
    link_down(e);
    stop_m4(e);
    if (!inside(e))
        unmap_board(e);
}

void dpy_engine_destroy(dpy_engine *e)
{
    if (!e)
        return;
    dpy_engine_close(e);
    if (!inside(e)) {
        free_buffers(e);
        free(e);
    } else if (serving == e) {
        /* From inside its own handler: the service thread frees it once that returns. */
        pthread_detach(e->service);
        atomic_store(&e->orphaned, true);
    }
    /* Else a handler in another thread dropped the last reference to its own engine: it
     * cannot be freed under that handler's feet, and stays allocated (link down, M4 stopped). */
}

void dpy_engine_wake(dpy_engine *e)
{
    bump(e);
}

size_t dpy_engine_max_message(dpy_engine *e)
{
    return e->link.max_message;
}

void dpy_engine_why(dpy_engine *e, char *buf, size_t cap)
{
    dpy_lock(e);
    int state = atomic_load(&e->state);
    if (state == DPY_IDLE || state == DPY_STARTING)
        snprintf(buf, cap, "the M4 is not started (call start() first)");
    else
        snprintf(buf, cap, "%s", e->why[0] ? e->why : "the link to the M4 is down");
    dpy_unlock(e);
}

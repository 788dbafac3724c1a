/* test_posix_port.c - the posix port's emulated board: files, mapping, doorbells between two
 * real processes, booting an M4 image, and RPMsg between two processes over it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "duet/posix/board.h"
#include "duet/posix/bytes_fd.h"
#include "duet/rpmsg.h"
#include "m4_program.h"

#ifndef DUET_TEST_M4_PROGRAM
#error "DUET_TEST_M4_PROGRAM must name the test's M4 program"
#endif

/* ------------------------------------------------------------ fixture */

typedef struct fixture {
    char tmp[256];
    char board[300];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *t = getenv("TMPDIR");
    snprintf(f->tmp, sizeof f->tmp, "%s/duet_posix_XXXXXX", t && t[0] ? t : "/tmp");
    if (!mkdtemp(f->tmp)) {
        free(f);
        return -1;
    }
    snprintf(f->board, sizeof f->board, "%s/board", f->tmp);
    if (duet_posix_board_create(f->board) != DUET_OK) {
        fprintf(stderr, "board_create: %s\n", duet_posix_board_error_text());
        free(f);
        return -1;
    }
    unsetenv("DUET_WAIT");
    *state = f;
    return 0;
}

static int remove_one(const char *path, const struct stat *s, int flag, struct FTW *ftw)
{
    (void)s;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    fixture *f = *state;
    duet_posix_board_reset(f->board); /* stops an M4 a failed test left running */
    nftw(f->tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static uint64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void open_port(const fixture *f, duet_port *p, int cpu)
{
    int err = duet_posix_port_open(p, f->board, cpu);
    if (err)
        fprintf(stderr, "port_open: %s\n", duet_posix_board_error_text());
    assert_int_equal(err, DUET_OK);
}

static int child_status(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Waits (bounded) until SRAM4 byte off reads value; false if it does not within ms. */
static bool await_byte(duet_port *p, size_t off, uint8_t value, uint32_t ms)
{
    uint64_t end = ms_now() + ms;
    while (__atomic_load_n(&p->shm[off], __ATOMIC_SEQ_CST) != value) {
        if (ms_now() >= end)
            return false;
        p->wait(p, 100);
    }
    return true;
}

/* ------------------------------------------------------------ the board's files */

static void test_board_create(void **state)
{
    fixture *f = *state;
    char path[400];
    struct stat s;
    snprintf(path, sizeof path, "%s/sram4", f->board);
    assert_int_equal(stat(path, &s), 0);
    assert_int_equal(s.st_size, 65536);
    snprintf(path, sizeof path, "%s/control", f->board);
    assert_int_equal(stat(path, &s), 0);
    assert_int_equal(s.st_size, DUET_POSIX_CONTROL_SIZE);
    snprintf(path, sizeof path, "%s/flash", f->board);
    assert_int_equal(stat(path, &s), 0);
    assert_true(S_ISDIR(s.st_mode));

    duet_port p;
    open_port(f, &p, DUET_CPU_M7);
    duet_posix_control *c = duet_posix_port_control(&p);
    assert_non_null(c);
    assert_int_equal(c->magic, DUET_POSIX_CONTROL_MAGIC);
    assert_int_equal(c->version, DUET_POSIX_CONTROL_VERSION);
    assert_int_equal(c->reset_gen, 1);
    assert_int_equal(c->m4_started, 0);
    assert_string_not_equal(duet_posix_port_dir(&p), "");
    assert_int_equal(duet_posix_port_dir(&p)[0], '/');

    /* The file is the memory: what the port writes is in sram4 at the same offset. */
    p.shm[0x1234] = 0x5a;
    p.ring(&p); /* the M7 rings HSEM 0 */
    assert_int_equal(c->hsem0, 1);
    assert_int_equal(c->hsem1, 0);
    snprintf(path, sizeof path, "%s/sram4", f->board);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    uint8_t b = 0;
    assert_int_equal(pread(fd, &b, 1, 0x1234), 1);
    assert_int_equal(b, 0x5a);
    close(fd);

    /* Creating it again is a power-on reset, seen by ports already open. */
    assert_int_equal(duet_posix_board_create(f->board), DUET_OK);
    assert_int_equal(p.shm[0x1234], 0);
    assert_int_equal(c->hsem0, 0);
    assert_int_equal(c->reset_gen, 2);
    assert_int_equal(c->magic, DUET_POSIX_CONTROL_MAGIC);
    assert_int_equal(duet_posix_board_reset(f->board), DUET_OK);
    assert_int_equal(c->reset_gen, 3);
    duet_posix_port_close(&p);
    assert_null(p.shm);
    assert_null(p.ctx);
}

static void test_board_errors(void **state)
{
    fixture *f = *state;
    duet_port p;
    char dir[400];

    unsetenv("DUET_BOARD");
    assert_int_equal(duet_posix_board_create(NULL), DUET_ERR_ARG);
    assert_int_equal(duet_posix_port_open(&p, NULL, DUET_CPU_M7), DUET_ERR_ARG);
    assert_int_equal(duet_posix_port_open(&p, f->board, 2), DUET_ERR_ARG);

    snprintf(dir, sizeof dir, "%s/nothing", f->tmp);
    assert_int_equal(duet_posix_port_open(&p, dir, DUET_CPU_M7), DUET_ERR_NOT_FOUND);
    assert_non_null(strstr(duet_posix_board_error_text(), "nothing"));
    assert_int_equal(duet_posix_board_reset(dir), DUET_ERR_NOT_FOUND);
    assert_true(duet_posix_board_m4_pid(dir) < 0);

    /* A directory with files that are not a board. */
    snprintf(dir, sizeof dir, "%s/bad", f->tmp);
    assert_int_equal(mkdir(dir, 0777), 0);
    char path[500];
    snprintf(path, sizeof path, "%s/control", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "not a board", 11), 11);
    close(fd);
    assert_int_equal(duet_posix_port_open(&p, dir, DUET_CPU_M4), DUET_ERR_CORRUPT);
    assert_int_equal(duet_posix_board_reset(dir), DUET_ERR_CORRUPT);
    /* ...which create turns into one. */
    assert_int_equal(duet_posix_board_create(dir), DUET_OK);
    assert_int_equal(duet_posix_port_open(&p, dir, DUET_CPU_M4), DUET_OK);
    duet_posix_port_close(&p);

    /* A wait mode that means nothing is refused, not ignored. */
    setenv("DUET_WAIT", "sometimes", 1);
    assert_int_equal(duet_posix_port_open(&p, f->board, DUET_CPU_M7), DUET_ERR_ARG);
    assert_non_null(strstr(duet_posix_board_error_text(), "DUET_WAIT"));
    setenv("DUET_WAIT", "adaptive:20", 1);
    assert_int_equal(duet_posix_port_open(&p, f->board, DUET_CPU_M7), DUET_OK);
    duet_posix_port_close(&p);
    unsetenv("DUET_WAIT");

    /* The board directory from the environment. */
    setenv("DUET_BOARD", f->board, 1);
    assert_int_equal(duet_posix_port_open(&p, NULL, DUET_CPU_M7), DUET_OK);
    assert_int_equal(p.cpu_id, DUET_CPU_M7);
    duet_posix_port_close(&p);
    unsetenv("DUET_BOARD");

    /* Not a posix port. */
    duet_port other;
    memset(&other, 0, sizeof other);
    assert_int_equal(duet_posix_port_set_wait(&other, DUET_POSIX_WAIT_BLOCK, 0), DUET_ERR_ARG);
    assert_null(duet_posix_port_control(&other));
    duet_posix_port_close(&other); /* does nothing */
}

static void test_upload(void **state)
{
    fixture *f = *state;
    char path[400];
    struct stat s;
    assert_int_equal(duet_posix_board_upload(f->board, 0x08000000u, DUET_TEST_M4_PROGRAM), DUET_ERR_ARG);
    assert_int_equal(duet_posix_board_upload(f->board, 0x08100000u, "/nonexistent/program"), DUET_ERR_NOT_FOUND);
    snprintf(path, sizeof path, "%s/nothing", f->tmp);
    assert_int_equal(duet_posix_board_upload(path, 0x08100000u, DUET_TEST_M4_PROGRAM), DUET_ERR_NOT_FOUND);

    const uint32_t addresses[3] = {DUET_POSIX_BOOT_1MB, DUET_POSIX_BOOT_1_5MB, DUET_POSIX_BOOT_SDRAM};
    const char *names[3] = {"0x08100000", "0x08180000", "0x60000000"};
    struct stat prog;
    assert_int_equal(stat(DUET_TEST_M4_PROGRAM, &prog), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(duet_posix_board_upload(f->board, addresses[i], DUET_TEST_M4_PROGRAM), DUET_OK);
        snprintf(path, sizeof path, "%s/flash/%s", f->board, names[i]);
        assert_int_equal(stat(path, &s), 0);
        assert_true(S_ISREG(s.st_mode));
        assert_int_equal(s.st_mode & 0777, 0755);
        assert_int_equal(s.st_size, prog.st_size);
    }
    /* Uploading again replaces the image. */
    assert_int_equal(duet_posix_board_upload(f->board, DUET_POSIX_BOOT_1MB, DUET_TEST_M4_PROGRAM), DUET_OK);
    assert_int_equal(duet_posix_board_erase(f->board, DUET_POSIX_BOOT_SDRAM), DUET_OK);
    snprintf(path, sizeof path, "%s/flash/0x60000000", f->board);
    assert_int_not_equal(stat(path, &s), 0);
    assert_int_equal(duet_posix_board_erase(f->board, DUET_POSIX_BOOT_SDRAM), DUET_OK);
    assert_int_equal(duet_posix_board_erase(f->board, 0x1234u), DUET_ERR_ARG);
}

/* ------------------------------------------------------------ mapping */

static void test_map(void **state)
{
    fixture *f = *state;
    duet_port m7, m4;
    open_port(f, &m7, DUET_CPU_M7);
    open_port(f, &m4, DUET_CPU_M4);
    assert_int_equal(m7.shm_da, 0x38000000u);
    assert_int_equal(m7.shm_size, 65536);
    assert_int_equal(m7.cpu_id, DUET_CPU_M7);
    assert_int_equal(m4.cpu_id, DUET_CPU_M4);
    assert_non_null(m7.ring);
    assert_non_null(m7.wait);
    assert_non_null(m7.boot);
    assert_non_null(m7.now_ms);
    assert_non_null(m7.ctx);

    assert_ptr_equal(duet_port_map(&m7, 0x38000000u, 65536), m7.shm);
    assert_ptr_equal(duet_port_map(&m7, 0x38000000u, 0), m7.shm);
    assert_ptr_equal(duet_port_map(&m7, 0x3800ffffu, 1), m7.shm + 65535);
    assert_ptr_equal(duet_port_map(&m7, 0x38002400u, 512), m7.shm + 0x2400);
    assert_null(duet_port_map(&m7, 0x3800ffffu, 2));
    assert_null(duet_port_map(&m7, 0x38000000u, 65537));
    assert_null(duet_port_map(&m7, 0x37ffffffu, 1));
    assert_null(duet_port_map(&m7, 0x38010000u, 1));
    assert_null(duet_port_map(&m7, 0x138000000ull, 1));
    assert_null(duet_port_map(&m7, 0, 1));
    assert_null(duet_port_map(&m7, 0x38000001u, SIZE_MAX));

    /* Two cores, two mappings, the same bytes. */
    uint8_t *a = duet_port_map(&m7, 0x38002400u, 4);
    uint8_t *b = duet_port_map(&m4, 0x38002400u, 4);
    assert_ptr_not_equal(a, b);
    memcpy(a, "duet", 4);
    assert_memory_equal(b, "duet", 4);
    b[3] = 'T';
    assert_int_equal(a[3], 'T');

    /* The clock. */
    uint32_t t0 = m7.now_ms(&m7);
    uint32_t t1 = m4.now_ms(&m4);
    assert_true((uint32_t)(t1 - t0) < 1000);
    duet_posix_port_close(&m7);
    duet_posix_port_close(&m4);
}

/* ------------------------------------------------------------ doorbells, one process */

static void test_ring_wait(void **state)
{
    fixture *f = *state;
    duet_port m7, m4;
    open_port(f, &m7, DUET_CPU_M7);
    open_port(f, &m4, DUET_CPU_M4);

    /* Nothing rang: wait(0) returns at once. */
    uint64_t t0 = ms_now();
    m4.wait(&m4, 0);
    assert_true(ms_now() - t0 < 50);

    /* A ring that came before the wait is not lost. */
    m7.ring(&m7);
    t0 = ms_now();
    m4.wait(&m4, 2000);
    assert_true(ms_now() - t0 < 500);
    /* ...and it is consumed: the next wait runs to its timeout, about 50 ms. */
    t0 = ms_now();
    m4.wait(&m4, 50);
    uint64_t took = ms_now() - t0;
    assert_true(took >= 49);
    assert_true(took < 500); /* slack for a loaded machine */

    /* Several rings while nobody waits: one wait returns at once. */
    m7.ring(&m7);
    m7.ring(&m7);
    m7.ring(&m7);
    t0 = ms_now();
    m4.wait(&m4, 2000);
    assert_true(ms_now() - t0 < 500);

    /* The other direction rings the other doorbell. */
    t0 = ms_now();
    m7.wait(&m7, 30);
    assert_true(ms_now() - t0 >= 29);
    m4.ring(&m4);
    t0 = ms_now();
    m7.wait(&m7, 2000);
    assert_true(ms_now() - t0 < 500);

    /* A ring before the port opened is pending too (the value a reset leaves is 0). */
    duet_posix_port_close(&m4);
    m7.ring(&m7);
    open_port(f, &m4, DUET_CPU_M4);
    t0 = ms_now();
    m4.wait(&m4, 2000);
    assert_true(ms_now() - t0 < 500);

    /* The adaptive mode honours the timeout as well, also one shorter than its spin. */
    assert_int_equal(duet_posix_port_set_wait(&m4, DUET_POSIX_WAIT_ADAPTIVE, 100000), DUET_OK);
    t0 = ms_now();
    m4.wait(&m4, 50);
    took = ms_now() - t0;
    assert_true(took >= 49);
    assert_true(took < 500); /* slack for a loaded machine */
    assert_int_equal(duet_posix_port_set_wait(&m4, DUET_POSIX_WAIT_ADAPTIVE, 0), DUET_OK);
    t0 = ms_now();
    m4.wait(&m4, 50);
    took = ms_now() - t0;
    assert_true(took >= 49);
    assert_true(took < 500); /* slack for a loaded machine */
    m7.ring(&m7);
    m4.wait(&m4, 2000);
    assert_int_equal(duet_posix_port_set_wait(&m4, (duet_posix_wait_mode)7, 0), DUET_ERR_ARG);

    duet_posix_port_stats s = duet_posix_port_get_stats(&m4);
    assert_int_equal(s.waits, 4);
    assert_int_equal(s.timeouts, 2);
    assert_int_equal(s.pending, 2);
    s = duet_posix_port_get_stats(&m7);
    assert_int_equal(s.rings, 6);
    /* Nobody slept when it rang; a wait that slept and timed out leaves its sleeping flag
     * behind, which costs the next ring one FUTEX_WAKE (twice here). */
    assert_true(s.wakes <= 2);
    duet_posix_port_close(&m7);
    duet_posix_port_close(&m4);
}

/* A board reset wakes a core asleep on its doorbell. */
static void test_reset_wakes(void **state)
{
    fixture *f = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        duet_port m4;
        if (duet_posix_port_open(&m4, f->board, DUET_CPU_M4))
            _exit(100);
        m4.shm[0x40] = 1; /* about to sleep */
        uint64_t t0 = ms_now();
        m4.wait(&m4, 10000);
        _exit(ms_now() - t0 < 5000 ? 0 : 1);
    }
    duet_port m7;
    open_port(f, &m7, DUET_CPU_M7);
    while (__atomic_load_n(&m7.shm[0x40], __ATOMIC_SEQ_CST) == 0)
        usleep(1000);
    usleep(20000);
    assert_int_equal(duet_posix_board_reset(f->board), DUET_OK);
    assert_int_equal(child_status(pid), 0);
    duet_posix_port_close(&m7);
}

/* ------------------------------------------------------------ doorbells, two processes */

#define ROUNDS 1000
#define PING 0x100 /* the M7 writes the round here */
#define PONG 0x104 /* the M4 answers it here */

/* Waits until the word at off holds value, each wait() bounded to 1 s. -1 if it never does. */
static int await_word(duet_port *p, size_t off, uint32_t value)
{
    uint32_t *w = (uint32_t *)(void *)(p->shm + off);
    uint64_t give_up = ms_now() + 20000;
    while (__atomic_load_n(w, __ATOMIC_SEQ_CST) != value) {
        if (ms_now() > give_up)
            return -1;
        p->wait(p, 1000);
    }
    return 0;
}

static void post_word(duet_port *p, size_t off, uint32_t value)
{
    __atomic_store_n((uint32_t *)(void *)(p->shm + off), value, __ATOMIC_SEQ_CST);
    p->ring(p);
}

static void ping_pong(const fixture *f, duet_posix_wait_mode mode)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The M4: answers every round. Its exit status is the number of waits that ran to
         * their timeout (a lost ring), or 100+ on a failure. */
        duet_port m4;
        if (duet_posix_port_open(&m4, f->board, DUET_CPU_M4) || duet_posix_port_set_wait(&m4, mode, 0))
            _exit(100);
        for (uint32_t i = 1; i <= ROUNDS; i++) {
            if (await_word(&m4, PING, i))
                _exit(101);
            post_word(&m4, PONG, i);
        }
        uint32_t lost = duet_posix_port_get_stats(&m4).timeouts;
        _exit(lost > 99 ? 99 : (int)lost);
    }
    duet_port m7;
    open_port(f, &m7, DUET_CPU_M7);
    assert_int_equal(duet_posix_port_set_wait(&m7, mode, 0), DUET_OK);
    uint64_t t0 = ms_now();
    int failed = 0;
    for (uint32_t i = 1; i <= ROUNDS && !failed; i++) {
        post_word(&m7, PING, i);
        failed = await_word(&m7, PONG, i);
    }
    uint64_t took = ms_now() - t0;
    duet_posix_port_stats s = duet_posix_port_get_stats(&m7);
    print_message("  %s: %d round trips in %llu ms (M7: %u waits, %u slept, %u spun, %u FUTEX_WAKEs)\n",
                  mode == DUET_POSIX_WAIT_BLOCK ? "block" : "adaptive", ROUNDS, (unsigned long long)took, s.waits,
                  s.slept, s.spun, s.wakes);
    int status = child_status(pid);
    assert_int_equal(failed, 0);
    assert_int_equal(s.timeouts, 0);
    assert_int_equal(status, 0);
    assert_int_equal(*(uint32_t *)(void *)(m7.shm + PONG), ROUNDS);
    duet_posix_port_close(&m7);
}

static void test_ping_pong_block(void **state)
{
    ping_pong(*state, DUET_POSIX_WAIT_BLOCK);
}

static void test_ping_pong_adaptive(void **state)
{
    ping_pong(*state, DUET_POSIX_WAIT_ADAPTIVE);
}

/* ------------------------------------------------------------ boot */

static void test_boot_errors(void **state)
{
    fixture *f = *state;
    duet_port m7, m4;
    open_port(f, &m7, DUET_CPU_M7);
    open_port(f, &m4, DUET_CPU_M4);

    /* Only the M7 boots. */
    assert_int_equal(m4.boot(&m4, DUET_POSIX_BOOT_1MB), DUET_ERR_STATE);

    /* Nothing uploaded. */
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1MB), DUET_ERR_BOOT);
    assert_string_equal(duet_posix_board_error_text(), "boot 0x08100000: no M4 program there (the 50_50 split's "
                                                       "place): upload one (duet-board upload --core m4 --split 50_50 "
                                                       "IMAGE)");
    assert_int_equal(m7.boot(&m7, 0x12345678u), DUET_ERR_BOOT);

    /* An image that is not executable, and one the system cannot run. */
    char path[400];
    snprintf(path, sizeof path, "%s/flash/0x08180000", f->board);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\x7f" "ELF garbage", 12), 12);
    close(fd);
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1_5MB), DUET_ERR_BOOT);
    assert_int_equal(chmod(path, 0755), 0);
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1_5MB), DUET_ERR_BOOT);
    assert_non_null(strstr(duet_posix_board_error_text(), "cannot run"));

    /* None of that started the M4. */
    assert_int_equal(duet_posix_port_control(&m7)->m4_started, 0);
    assert_int_equal(duet_posix_board_m4_pid(f->board), 0);
    assert_int_equal(duet_posix_port_m4_join(&m7, 0), DUET_ERR_STATE);
    duet_posix_port_close(&m7);
    duet_posix_port_close(&m4);
}

static void test_boot_program(void **state)
{
    fixture *f = *state;
    assert_int_equal(duet_posix_board_upload(f->board, DUET_POSIX_BOOT_1MB, DUET_TEST_M4_PROGRAM), DUET_OK);
    duet_port m7;
    open_port(f, &m7, DUET_CPU_M7);
    duet_posix_control *c = duet_posix_port_control(&m7);

    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1MB), DUET_OK);
    assert_true(await_byte(&m7, M4_HELLO, M4_HELLO_VALUE, 10000));
    assert_int_equal(m7.shm[M4_CPU], DUET_CPU_M4);
    assert_int_equal(m7.shm[M4_ENV], 1);
    assert_int_equal(m7.shm[M4_STDIN], 1);
    assert_int_equal(duet_posix_port_m4_join(&m7, 10000), 0);
    assert_int_equal(c->m4_started, 1);
    assert_int_equal(c->m4_address, DUET_POSIX_BOOT_1MB);
    assert_true(c->m4_pid > 0);
    assert_int_equal(c->m7_pid, getpid());

    /* It ended, but the M4 starts once per reset. */
    assert_int_equal(duet_posix_board_m4_pid(f->board), 0);
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1MB), DUET_ERR_STATE);
    assert_non_null(strstr(duet_posix_board_error_text(), "reset"));

    /* After a reset it starts again, from another address too. */
    assert_int_equal(duet_posix_board_reset(f->board), DUET_OK);
    assert_int_equal(duet_posix_board_upload(f->board, DUET_POSIX_BOOT_SDRAM, DUET_TEST_M4_PROGRAM), DUET_OK);
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_SDRAM), DUET_OK);
    assert_true(await_byte(&m7, M4_HELLO, M4_HELLO_VALUE, 10000));
    assert_int_equal(duet_posix_port_m4_join(&m7, 10000), 0);
    assert_int_equal(c->m4_address, DUET_POSIX_BOOT_SDRAM);
    duet_posix_port_close(&m7);
}

static void test_boot_twice(void **state)
{
    fixture *f = *state;
    assert_int_equal(duet_posix_board_upload(f->board, DUET_POSIX_BOOT_1_5MB, DUET_TEST_M4_PROGRAM), DUET_OK);
    assert_int_equal(duet_posix_board_upload(f->board, DUET_POSIX_BOOT_1MB, DUET_TEST_M4_PROGRAM), DUET_OK);
    duet_port m7;
    open_port(f, &m7, DUET_CPU_M7);
    m7.shm[M4_STAY] = 1;
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1_5MB), DUET_OK);
    assert_true(await_byte(&m7, M4_HELLO, M4_HELLO_VALUE, 10000));
    pid_t pid = duet_posix_board_m4_pid(f->board);
    assert_true(pid > 0);
    assert_int_equal(pid, duet_posix_port_control(&m7)->m4_pid);

    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1_5MB), DUET_ERR_STATE);
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1MB), DUET_ERR_STATE);
    /* Another M7 port (another process, say) cannot start it either while it runs. */
    duet_port other;
    open_port(f, &other, DUET_CPU_M7);
    assert_int_equal(other.boot(&other, DUET_POSIX_BOOT_1MB), DUET_ERR_STATE);
    duet_posix_port_close(&other);

    /* Waiting for an M4 that runs on sleeps until its end or the timeout: this thread is
     * not woken every millisecond to look (that would be some 300 switches). */
    struct rusage before, after;
    getrusage(RUSAGE_THREAD, &before);
    assert_int_equal(duet_posix_port_m4_join(&m7, 300), DUET_ERR_TIMEOUT);
    getrusage(RUSAGE_THREAD, &after);
    assert_true(after.ru_nvcsw - before.ru_nvcsw < 30);
    __atomic_store_n(&m7.shm[M4_QUIT], 1, __ATOMIC_SEQ_CST);
    m7.ring(&m7);
    assert_int_equal(duet_posix_port_m4_join(&m7, 10000), 0);
    duet_posix_port_close(&m7);
}

static void test_reset_stops_m4(void **state)
{
    fixture *f = *state;
    assert_int_equal(duet_posix_board_upload(f->board, DUET_POSIX_BOOT_1MB, DUET_TEST_M4_PROGRAM), DUET_OK);
    duet_port m7;
    open_port(f, &m7, DUET_CPU_M7);
    duet_posix_control *c = duet_posix_port_control(&m7);
    m7.shm[M4_STAY] = 1;
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1MB), DUET_OK);
    assert_true(await_byte(&m7, M4_HELLO, M4_HELLO_VALUE, 10000));
    pid_t pid = duet_posix_board_m4_pid(f->board);
    assert_true(pid > 0);

    uint64_t t0 = ms_now();
    assert_int_equal(duet_posix_board_reset(f->board), DUET_OK);
    assert_true(ms_now() - t0 < 1000);
    assert_int_equal(kill(pid, 0), -1); /* gone, and reaped by the reset (it was our child) */
    assert_int_equal(errno, ESRCH);
    assert_int_equal(duet_posix_port_m4_join(&m7, 0), DUET_ERR_STATE);
    assert_int_equal(duet_posix_board_m4_pid(f->board), 0);
    assert_int_equal(c->m4_started, 0);
    assert_int_equal(m7.shm[M4_HELLO], 0);

    /* The reset M4 boots again; with SRAM4 cleared it ends at once. */
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1MB), DUET_OK);
    assert_int_equal(duet_posix_port_m4_join(&m7, 10000), 0);
    assert_int_equal(m7.shm[M4_HELLO], M4_HELLO_VALUE);
    duet_posix_port_close(&m7);
}

/* State that an earlier run (an M7 process and its M4, both ended) left on the board does
 * not stop a new M7 process from booting; an M7 process that still runs does. */
static void test_boot_after_earlier_run(void **state)
{
    fixture *f = *state;
    assert_int_equal(duet_posix_board_upload(f->board, DUET_POSIX_BOOT_1MB, DUET_TEST_M4_PROGRAM), DUET_OK);
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The earlier M7 run: boots the M4, which ends, then lingers until told to end. */
        duet_port m7;
        char c;
        close(go[1]);
        if (duet_posix_port_open(&m7, f->board, DUET_CPU_M7)) {
            fprintf(stderr, "earlier run: port_open: %s\n", duet_posix_board_error_text());
            _exit(3);
        }
        if (m7.boot(&m7, DUET_POSIX_BOOT_1MB)) {
            fprintf(stderr, "earlier run: boot: %s\n", duet_posix_board_error_text());
            _exit(4);
        }
        int j = duet_posix_port_m4_join(&m7, 10000);
        if (j != 0) {
            fprintf(stderr, "earlier run: m4_join returned %d: %s\n", j, duet_posix_board_error_text());
            _exit(5);
        }
        if (read(go[0], &c, 1) < 0)
            _exit(2);
        _exit(0);
    }
    close(go[0]);
    duet_port m7;
    open_port(f, &m7, DUET_CPU_M7);
    assert_true(await_byte(&m7, M4_HELLO, M4_HELLO_VALUE, 10000));
    while (duet_posix_board_m4_pid(f->board) != 0)
        usleep(1000);
    /* Its M4 ended, but the M7 that started it still runs. */
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1MB), DUET_ERR_STATE);
    close(go[1]);
    assert_int_equal(child_status(pid), 0);
    /* Both gone: this is a new run. */
    m7.shm[M4_HELLO] = 0;
    assert_int_equal(m7.boot(&m7, DUET_POSIX_BOOT_1MB), DUET_OK);
    assert_true(await_byte(&m7, M4_HELLO, M4_HELLO_VALUE, 10000));
    assert_int_equal(duet_posix_port_m4_join(&m7, 10000), 0);
    assert_int_equal(duet_posix_port_control(&m7)->m7_pid, getpid());
    duet_posix_port_close(&m7);
}

/* An M4 does not outlive the M7 process that booted it (Linux). */
static void test_m4_ends_with_m7(void **state)
{
    fixture *f = *state;
    assert_int_equal(duet_posix_board_upload(f->board, DUET_POSIX_BOOT_1MB, DUET_TEST_M4_PROGRAM), DUET_OK);
#ifdef __linux__
    /* The orphaned M4 comes to us, not to a PID 1 that might not reap it. */
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
#endif
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        duet_port m7;
        if (duet_posix_port_open(&m7, f->board, DUET_CPU_M7))
            _exit(1);
        m7.shm[M4_STAY] = 1;
        if (m7.boot(&m7, DUET_POSIX_BOOT_1MB) || !await_byte(&m7, M4_HELLO, M4_HELLO_VALUE, 10000))
            _exit(2);
        _exit(0); /* without stopping it */
    }
    assert_int_equal(child_status(pid), 0);
#ifdef __linux__
    duet_port m7;
    open_port(f, &m7, DUET_CPU_M7);
    pid_t m4 = (pid_t)duet_posix_port_control(&m7)->m4_pid;
    duet_posix_port_close(&m7);
    assert_true(m4 > 0);
    int status = -1;
    pid_t r = 0;
    for (uint64_t end = ms_now() + 5000; r == 0 && ms_now() < end;) {
        r = waitpid(m4, &status, WNOHANG);
        if (r == 0)
            usleep(1000);
    }
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
    if (r < 0) {
        /* The M7's reaper thread outlived the thread that booted the M4 long enough to
         * reap it (the M7 process was ending): it is gone all the same. */
        assert_int_equal(errno, ECHILD);
    } else {
        assert_int_equal(r, m4);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    }
    assert_int_equal(kill(m4, 0), -1);
    assert_int_equal(duet_posix_board_m4_pid(f->board), 0);
#endif
}

/* ------------------------------------------------------------ the default port */

static void test_default_port(void **state)
{
    fixture *f = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2); /* the messages for a person */
        unsetenv("DUET_BOARD");
        setenv("DUET_CORE", "m4", 1);
        if (duet_port_default())
            _exit(1);
        setenv("DUET_BOARD", f->board, 1);
        setenv("DUET_CORE", "m5", 1);
        if (duet_port_default())
            _exit(2);
        setenv("DUET_CORE", "M4", 1);
        duet_port *p = duet_port_default();
        if (!p)
            _exit(3);
        if (p->cpu_id != DUET_CPU_M4 || p->shm_da != 0x38000000u || p->shm_size != 65536)
            _exit(4);
        setenv("DUET_CORE", "m7", 1);
        if (duet_port_default() != p) /* opened once */
            _exit(5);
        _exit(0);
    }
    assert_int_equal(child_status(pid), 0);
}

/* ------------------------------------------------------------ RPMsg, two processes */

typedef struct got {
    uint8_t data[64];
    size_t len;
    int count;
} got;

static bool take(void *up, const uint8_t *data, size_t len)
{
    got *g = up;
    g->len = len < sizeof g->data ? len : sizeof g->data;
    memcpy(g->data, data, g->len);
    g->count++;
    return true;
}

/* Polls dev until g holds a message, or ms pass. */
static bool receive(duet_rpmsg *dev, got *g, uint32_t ms)
{
    uint64_t end = ms_now() + ms;
    while (!g->count) {
        int n = duet_rpmsg_poll(dev);
        if (n < 0 || ms_now() >= end)
            return false;
        if (n == 0)
            dev->port->wait(dev->port, 100);
    }
    return true;
}

static duet_rpmsg m4_dev, m7_dev;
static duet_rpmsg_endpoint m4_ep, m7_ep;

static void test_rpmsg_two_processes(void **state)
{
    fixture *f = *state;
    duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The M4, started before the host set up: it waits for the table. */
        duet_port m4;
        got g = {{0}, 0, 0};
        if (duet_posix_port_open(&m4, f->board, DUET_CPU_M4))
            _exit(100);
        if (duet_rpmsg_init_remote(&m4_dev, &m4, &lay, 10000))
            _exit(101);
        if (duet_rpmsg_endpoint_create(&m4_dev, &m4_ep, "rpc", NULL, 0))
            _exit(102);
        if (duet_rpmsg_wait_ready(&m4_dev, 10000))
            _exit(103);
        duet_link_attach(&m4_ep.link, take, &g);
        if (duet_rpmsg_send(&m4_ep, "ping", 4))
            _exit(104);
        if (!receive(&m4_dev, &g, 10000))
            _exit(105);
        if (g.len != 4 || memcmp(g.data, "pong", 4) != 0)
            _exit(106);
        _exit(0);
    }
    duet_port m7;
    open_port(f, &m7, DUET_CPU_M7);
    usleep(20000);
    got g = {{0}, 0, 0};
    assert_int_equal(duet_rpmsg_init_host(&m7_dev, &m7, &lay), DUET_OK);
    assert_int_equal(duet_rpmsg_endpoint_create(&m7_dev, &m7_ep, "rpc", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_wait_ready(&m7_dev, 10000), DUET_OK);
    duet_link_attach(&m7_ep.link, take, &g);
    assert_true(receive(&m7_dev, &g, 10000));
    assert_int_equal(g.len, 4);
    assert_memory_equal(g.data, "ping", 4);
    assert_int_equal(duet_rpmsg_send(&m7_ep, "pong", 4), DUET_OK);
    assert_int_equal(child_status(pid), 0);
    assert_int_equal(duet_rpmsg_get_stats(&m7_dev).corrupt, 0);
    duet_posix_port_close(&m7);
}

/* A read of a byte stream that came back short found it empty: the read right after says 0
 * without asking the kernel (so a message costs one read, not two), the one after that
 * reads again, and so does the first read after a wait. A read that filled its room asks
 * again at once. Over a socket (recv) and a pipe (poll and read) alike. */
static void test_bytes_fd_short_reads(void **state)
{
    (void)state;
    for (int way = 0; way < 2; way++) {
        int fds[2];
        if (way == 0)
            assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        else
            assert_int_equal(pipe(fds), 0);
        int rfd = fds[0], wfd = fds[1];
        duet_bytes_fd f;
        duet_bytes_fd_init(&f, rfd, wfd);
        uint8_t buf[64];
        assert_int_equal(duet_bytes_fd_read(&f, buf, sizeof buf), 0); /* nothing yet */
        assert_int_equal(write(wfd, "hello", 5), 5);
        assert_int_equal(duet_bytes_fd_read(&f, buf, sizeof buf), 5);
        assert_memory_equal(buf, "hello", 5);
        assert_int_equal(write(wfd, "abc", 3), 3);
        assert_int_equal(duet_bytes_fd_read(&f, buf, sizeof buf), 0); /* short before: not asked */
        assert_int_equal(duet_bytes_fd_read(&f, buf, sizeof buf), 3);
        assert_memory_equal(buf, "abc", 3);
        /* A wait in between: the read after it asks. */
        assert_int_equal(write(wfd, "de", 2), 2);
        duet_bytes_fd_wait(&f, 0);
        assert_int_equal(duet_bytes_fd_read(&f, buf, sizeof buf), 2);
        assert_memory_equal(buf, "de", 2);
        /* Reads that fill their room go on reading. */
        assert_int_equal(write(wfd, "0123456789", 10), 10);
        duet_bytes_fd_wait(&f, 0);
        assert_int_equal(duet_bytes_fd_read(&f, buf, 4), 4);
        assert_int_equal(duet_bytes_fd_read(&f, buf + 4, 4), 4);
        assert_int_equal(duet_bytes_fd_read(&f, buf + 8, 4), 2);
        assert_memory_equal(buf, "0123456789", 10);
        /* The end of the stream, after a short read, is seen by the read after the next. */
        assert_int_equal(write(wfd, "z", 1), 1);
        close(wfd);
        duet_bytes_fd_wait(&f, 0);
        assert_int_equal(duet_bytes_fd_read(&f, buf, sizeof buf), 1);
        assert_int_equal(duet_bytes_fd_read(&f, buf, sizeof buf), 0);
        assert_int_equal(duet_bytes_fd_read(&f, buf, sizeof buf), DUET_ERR_LINK_DOWN);
        close(rfd);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_fd_short_reads),
        cmocka_unit_test_setup_teardown(test_board_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_board_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_wakes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ping_pong_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ping_pong_adaptive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boot_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boot_program, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boot_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_stops_m4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boot_after_earlier_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_m4_ends_with_m7, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rpmsg_two_processes, setup, teardown),
    };
    return cmocka_run_group_tests_name("posix_port", tests, NULL, NULL);
}

/* duet/posix/board.h - the emulated GIGA R1 on a PC: one process per core, SRAM4 and the
 * two hardware-semaphore doorbells in shared files, booting the M4 = starting a process. */
#ifndef DUET_POSIX_BOARD_H
#define DUET_POSIX_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "duet/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A board is a directory (given explicitly, or named by the environment variable
 * DUET_BOARD) holding:
 *
 *   sram4       64 KiB: the bytes of SRAM4, 0x38000000..0x3800FFFF, mmap'ed MAP_SHARED by
 *               both cores. Byte i of the file is the byte at device address 0x38000000 + i.
 *   control     4 KiB: the board's own registers (layout below): the two doorbells, the
 *               M4's process and a reset counter. Also mmap'ed MAP_SHARED.
 *   flash/      the images, one file (or symlink) per boot address, named as the address in
 *               "0x%08x": flash/0x08100000, flash/0x08180000, flash/0x60000000. An image is
 *               an executable built for the host: the M4's program.
 *
 * Doorbells. The board's hardware semaphores HSEM 0 (the M7 rings the M4) and HSEM 1 (the
 * M4 rings the M7) are two 32-bit counters used as futex words (FUTEX_WAIT/FUTEX_WAKE, the
 * shared variant: they are between processes). ring() adds one to the other core's counter
 * and wakes it if it sleeps; wait() returns as soon as its own counter differs from the value it saw when
 * the previous wait() returned, so a ring is never lost, whenever it came. wait() may
 * return early (a ring that came before the port was opened, a board reset); callers
 * re-check their condition, as the port interface says. A board reset makes every wait()
 * return.
 *
 * Booting. port->boot(port, address) on the M7 runs the image flash/<address> as a new
 * process with DUET_BOARD=<the board's absolute path> and DUET_CORE=m4 in its environment
 * (the rest of the environment is the M7's), stdin from /dev/null, stdout and stderr the
 * M7's. The M4 gets SIGTERM when the thread of the M7 that booted it ends (on Linux), so
 * that no M4 outlives its board's M7. As on the board, the M4 starts once per reset:
 *   DUET_ERR_STATE  the port is the M4's, or the M4 was started since the last reset and
 *                   it, or the M7 process that started it, still runs (this one included,
 *                   whether or not its M4 still runs): reset the board first. Only what an
 *                   earlier run left behind, both of its processes gone, does not count;
 *   DUET_ERR_BOOT   no image at that address, or it cannot be executed.
 *
 * Every function here returns DUET_OK or a negative duet_err; on failure,
 * duet_posix_board_error_text() says what happened in one line (with the path and the OS's
 * reason). Failures of the operating system itself (a file that cannot be created or
 * mapped) are DUET_ERR_STATE.
 */

/* Where SRAM4 is on the board, and its size. */
#define DUET_POSIX_SHM_DA 0x38000000u
#define DUET_POSIX_SHM_SIZE 65536u

/* The boot addresses an image can be uploaded to (docs/wire.md, "Booting the M4"). */
#define DUET_POSIX_BOOT_1MB 0x08100000u    /* 1MB M7 + 1MB M4 */
#define DUET_POSIX_BOOT_1_5MB 0x08180000u  /* 1.5MB M7 + 0.5MB M4 (MicroPython's default) */
#define DUET_POSIX_BOOT_SDRAM 0x60000000u  /* 2MB M7 + M4 in SDRAM */

/* Where the M7's program lies (after the bootloader, every split): upload and erase take
 * it too, booting the M4 from it does not. */
#define DUET_POSIX_FLASH_M7 0x08040000u

/* The control file: what it holds, at fixed offsets (little endian, the host's order).
 * Each doorbell sits on its own cache line. A doorbell word counts rings in its low 31 bits
 * (wrapping); bit 31 (DUET_POSIX_HSEM_SLEEPING) says a process sleeps in FUTEX_WAIT on it,
 * so ring() makes the FUTEX_WAKE system call only then, and clears the bit. */
#define DUET_POSIX_HSEM_SLEEPING 0x80000000u
#define DUET_POSIX_HSEM_COUNT 0x7fffffffu
#define DUET_POSIX_CONTROL_MAGIC 0x44524244u /* "DBRD" */
#define DUET_POSIX_CONTROL_VERSION 1u
#define DUET_POSIX_CONTROL_SIZE 4096u

typedef struct duet_posix_control {
    uint32_t magic;          /*   0: DUET_POSIX_CONTROL_MAGIC once the board is made */
    uint32_t version;        /*   4: DUET_POSIX_CONTROL_VERSION */
    uint32_t shm_da;         /*   8: 0x38000000 */
    uint32_t shm_size;       /*  12: 65536 */
    uint32_t reset_gen;      /*  16: +1 at every reset */
    uint32_t m4_started;     /*  20: 1 once the M4 was booted since the last reset */
    int32_t m4_pid;          /*  24: its process id */
    uint32_t m4_address;     /*  28: the boot address it was started from */
    uint64_t m4_start_time;  /*  32: its start time (Linux: /proc/<pid>/stat field 22; 0 unknown) */
    int32_t m7_pid;          /*  40: the process that booted it */
    uint32_t m4_ended;       /*  44: 1 once the M4 started since the last reset has ended */
    int32_t m4_status;       /*  48: then: its exit status, or 128 + the signal that ended it */
    uint32_t m4_stopping;    /*  52: 1 once a reset stopped the M4 (kept until the next boot) */
    uint32_t reserved0[2];   /*  56 */
    uint32_t hsem0;          /*  64: doorbell HSEM 0, M7 -> M4 (futex word) */
    uint32_t reserved1[15];  /*  68 */
    uint32_t hsem1;          /* 128: doorbell HSEM 1, M4 -> M7 (futex word) */
    uint32_t reserved2[15];  /* 132 */
} duet_posix_control;

/* ------------------------------------------------------------ the board */

/*
 * Makes the board directory (and flash/) if needed, and resets it like a power-on reset:
 * stops an M4 that runs (SIGTERM, then SIGKILL after 500 ms), zeroes SRAM4 and the control
 * file, and adds one to the reset counter. Images in flash/ stay. Ports already open on the
 * board keep working (the files are zeroed in place) and their waits return.
 * dir NULL: $DUET_BOARD.
 * @retval DUET_OK, DUET_ERR_ARG (no directory given), DUET_ERR_STATE (the OS refused)
 */
int duet_posix_board_create(const char *dir);

/* The same reset on an existing board; DUET_ERR_NOT_FOUND if it was never made. */
int duet_posix_board_reset(const char *dir);

/* A reset of the M4 alone, as the M7 holds it in reset on the board (MicroPython's finaliser
 * of the remote processor): the M4 stops, SRAM4 and the control file are zeroed and the reset
 * counter moves, as above; the pins, analog inputs and RTC (the `io` file) and the board's
 * time stay. DUET_ERR_NOT_FOUND if the board was never made. */
int duet_posix_board_reset_m4(const char *dir);

/*
 * Copies the executable program into flash/<address> (replacing what was there, atomically)
 * with mode 0755. address must be one of DUET_POSIX_BOOT_*.
 * @retval DUET_OK, DUET_ERR_ARG (another address), DUET_ERR_NOT_FOUND (no board, or no
 *         such program), DUET_ERR_STATE (the OS refused)
 */
int duet_posix_board_upload(const char *dir, uint32_t address, const char *program);

/* Removes the image at address. @retval DUET_OK (also when there was none), DUET_ERR_ARG,
 * DUET_ERR_STATE */
int duet_posix_board_erase(const char *dir, uint32_t address);

/* The M4's process id if it was started since the last reset and still runs, else 0.
 * @retval >0 pid, 0, or a negative duet_err (no board). */
pid_t duet_posix_board_m4_pid(const char *dir);

/* The last failure of a duet_posix_board_* or duet_posix_port_* function, in one line. */
const char *duet_posix_board_error_text(void);

/* ------------------------------------------------------------ a core's port */

/* How wait() waits for the doorbell. */
typedef enum duet_posix_wait_mode {
    DUET_POSIX_WAIT_BLOCK = 0,    /* sleep in FUTEX_WAIT at once (least CPU) */
    DUET_POSIX_WAIT_ADAPTIVE = 1  /* spin on the doorbell for spin_us first (least latency) */
} duet_posix_wait_mode;

/* Spin time of the adaptive mode when none is given. */
#define DUET_POSIX_DEFAULT_SPIN_US 50u

/*
 * Opens the board in dir (NULL: $DUET_BOARD) as core cpu_id (DUET_CPU_M7 or DUET_CPU_M4)
 * and fills in every field of *port: shm = SRAM4 mapped, shm_da = 0x38000000, shm_size =
 * 65536, ring, wait, boot, now_ms (CLOCK_MONOTONIC, wraps at 2^32), cpu_id, ctx. More than
 * one port may be open in a process (a test can be both cores).
 * The wait mode comes from $DUET_WAIT: "block" (the default), "adaptive" or "adaptive:<us>".
 * @retval DUET_OK
 * @retval DUET_ERR_ARG        bad cpu_id, no directory, or a bad $DUET_WAIT
 * @retval DUET_ERR_NOT_FOUND  no board there (duet_posix_board_create() makes one)
 * @retval DUET_ERR_CORRUPT    the files are not a board of this version
 * @retval DUET_ERR_STATE      the OS refused (open, mmap, malloc)
 */
int duet_posix_port_open(duet_port *port, const char *dir, int cpu_id) DUET_MUST_CHECK;

/* Unmaps the board and frees the port's state; on the M7 it also reaps an M4 that has ended.
 * The M4 itself keeps running (a board reset stops it). The port is zeroed. */
void duet_posix_port_close(duet_port *port);

/*
 * This port's duet_port_default() (declared in duet/port.h): the port of this process,
 * opened once from the environment: DUET_BOARD (the board directory) and DUET_CORE ("m7" or
 * "m4"). The first call opens it (not thread-safe: make it from one thread first); later
 * calls return the same port. NULL, with the reason on stderr (once), if the environment
 * lacks them or the board cannot be opened.
 */

/* Sets how a posix port's wait() waits; spin_us 0 means DUET_POSIX_DEFAULT_SPIN_US.
 * @retval DUET_OK, DUET_ERR_ARG (not a posix port, or an unknown mode) */
int duet_posix_port_set_wait(duet_port *port, duet_posix_wait_mode mode, uint32_t spin_us);

/* The board's directory (absolute) of a posix port. */
const char *duet_posix_port_dir(const duet_port *port);

/* The board's control registers as this port maps them (for tools and tests). */
duet_posix_control *duet_posix_port_control(const duet_port *port);

/*
 * M7 only: why the M4 this port booted is gone ("the M4 stopped: SIGSEGV", "the M4 program
 * returned 0"), or NULL while it runs (or none was booted). A thread of the M7 reaps the M4
 * the moment it ends, records how in the control file, reports it to duet-board, and rings
 * the M7's doorbell so that a core waiting for the M4 learns it at once.
 */
const char *duet_posix_port_peer_stopped(duet_port *port);

/*
 * M7 only: waits up to timeout_ms for the M4 process this port booted to end, and reaps it.
 * @retval 0..255 its exit status; 128 + n if signal n ended it
 * @retval DUET_ERR_TIMEOUT    it still runs
 * @retval DUET_ERR_STATE      this port booted no M4 (or it was reaped already)
 */
int duet_posix_port_m4_join(duet_port *port, uint32_t timeout_ms);

/* What a port's doorbell did, for benchmarks and tests. */
typedef struct duet_posix_port_stats {
    uint32_t rings;        /* ring() calls */
    uint32_t wakes;        /* of them, the ones that made a FUTEX_WAKE (the other core slept) */
    uint32_t waits;        /* wait() calls */
    uint32_t pending;      /* of them, returned at once: a ring had come since the last one */
    uint32_t spun;         /* returned while spinning (adaptive mode) */
    uint32_t slept;        /* went to sleep in FUTEX_WAIT */
    uint32_t timeouts;     /* returned because timeout_ms passed without a ring */
} duet_posix_port_stats;

duet_posix_port_stats duet_posix_port_get_stats(const duet_port *port);

#ifdef __cplusplus
}
#endif
#endif

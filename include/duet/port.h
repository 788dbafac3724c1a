/* duet/port.h - what a target gives the portable core: a duet_port, and duet_port_default().
 * docs/porting.md says what a port must give and in what order to write it, and how the port
 * check (tools/port_check) proves one on its board. */
#ifndef DUET_PORT_H
#define DUET_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/config.h"
#include "duet/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* cpu_id values, as HAL_GetCurrentCPUID() returns them on the STM32H747. */
#define DUET_CPU_M7 3
#define DUET_CPU_M4 1

/*
 * A port is the only code that touches an OS or a register. It fills in one of these:
 *  - the shared region: where it is (shm), how big, and the device address it has on
 *    the board (shm_da), so that an address found in shared memory maps to
 *    shm + (address - shm_da) once checked to lie inside;
 *  - a doorbell: ring() notifies the other core, wait() blocks until this core's
 *    doorbell rang or timeout_ms passed (it may return early; callers re-check);
 *  - boot(): starts the other core at a boot address (the M7's job), and boot_address,
 *    where the M4's program lies for this board's flash split (0: duet's default);
 *  - cpu_id: DUET_CPU_M7 or DUET_CPU_M4;
 *  - now_ms(): a millisecond clock that wraps at 2^32;
 *  - optionally, lock()/unlock() where programs have threads.
 */
typedef struct duet_port duet_port;

/* Where duet keeps one thread's last error (duet_error(), duet_error_text()): the code, its
 * sentence, and (while the thread's call runs) where the call's own text goes. */
typedef struct duet_port_error {
    int err;
    char why[DUET_RPC_ERROR_TEXT];
    char *capture;
} duet_port_error;

struct duet_port {
    uint8_t *shm;
    uint32_t shm_da;
    size_t shm_size;
    void (*ring)(duet_port *port);
    void (*wait)(duet_port *port, uint32_t timeout_ms);
    /* @retval DUET_OK, DUET_ERR_BOOT (no image at that address), DUET_ERR_STATE (already running) */
    int (*boot)(duet_port *port, uint32_t address);
    uint32_t (*now_ms)(duet_port *port);
    uint32_t boot_address;
    int cpu_id;
    void *ctx;
    /* Threads: a recursive lock, for a port whose programs may use duet from several threads
     * (NULL where they cannot). duet.c holds it while it runs the layers, so that a thread's
     * call and the loop's duet_poll() never run them at once, and releases it while a call
     * waits for its answer. wait() must then wake every thread whose last wait() returned
     * before a ring, not only the first to look. */
    void (*lock)(duet_port *port);
    void (*unlock)(duet_port *port);
    /* Optional (NULL where the port cannot tell): why the other core is gone ("the M4
     * stopped: SIGSEGV"), or NULL while it runs. The transport asks at every poll, so the
     * link goes down at once with that reason, as a reset of the other core looks on the
     * board, instead of a call waiting out its timeout. */
    const char *(*peer_stopped)(duet_port *port);
    /* Optional (NULL where programs have one thread): the calling thread's own place for
     * duet's last error, zeroed before its first use. With it each thread reads the failure
     * of its own last call, never the text of another thread's. */
    duet_port_error *(*thread_error)(duet_port *port);
};

/* The pointer for n bytes at device address da, or NULL if they do not lie inside the region. */
static inline void *duet_port_map(const duet_port *port, uint64_t da, size_t n)
{
    if (da < port->shm_da)
        return NULL;
    uint64_t off = da - port->shm_da;
    if (off > port->shm_size || n > port->shm_size - off)
        return NULL;
    return port->shm + off;
}

/*
 * The one function a port must define: the port of the core this program runs on, set up
 * on the first call (NULL, with the reason where the port can say it, if it cannot be).
 * duet_begin() calls it; programs that use the layers directly need not.
 */
duet_port *duet_port_default(void);

#ifdef __cplusplus
}
#endif
#endif

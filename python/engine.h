/* engine.h - duet's M7 side for the Python module: the RPMsg device, the "rpc" and "raw"
 * endpoints, the RPC engine and the stream, shared by the Python threads and a service
 * thread that serves the M4 while the script does something else. No Python in here. */
#ifndef DUET_PY_ENGINE_H
#define DUET_PY_ENGINE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/duet.h"

/* Largest message the M4 may send us (our reassembly buffer), and each waiting call's result. */
#define DPY_MAX_MESSAGE 16384u
/* Calls nested in handlers (M4 -> Python -> M4 ...): a frame and a large message's
 * reassembly for each level. */
#define DPY_NESTING 4u
/* Bytes of the M4's stream text kept until the script reads them. */
#define DPY_STREAM_RX 65536u
/* Bytes of stream text gathered before it is sent: one GIGA buffer's payload. */
#define DPY_STREAM_TX 496u

typedef enum dpy_state {
    DPY_IDLE = 0,   /* before start() */
    DPY_STARTING,   /* booted, waiting for the M4's endpoints */
    DPY_UP,         /* the M4 answered: calls work */
    DPY_DOWN        /* the link went down, or close() */
} dpy_state;

/*
 * One M7 side. port is what duet sees: the board's port with a wait() that lets several
 * threads wait at once. Only the service thread waits on the board's doorbell; every other
 * thread waits for the service thread to see a ring (gen moves), so no ring is lost to
 * whichever thread waited first.
 */
typedef struct dpy_engine {
    duet_port port;             /* given to duet: the board's port, wait() made thread-aware */
    duet_port board;            /* the posix board's port of this M7 */
    bool board_open;
    duet_rpmsg dev;
    duet_rpmsg_endpoint ep_rpc;
    duet_rpmsg_endpoint ep_raw;
    duet_link link;             /* the rpc engine's link: ep_rpc once up, refuses before */
    duet_rpc rpc;
    duet_stream stream;
    bool stream_up;             /* the "raw" endpoint and the stream over it exist */
    pthread_mutex_t lock;       /* recursive: held around every call into duet */
    unsigned depth;             /* how deep its holder holds it */
    atomic_bool missed;         /* the service thread found it taken: the holder polls on release */
    pthread_mutex_t ev_lock;    /* guards gen, with ev */
    pthread_cond_t ev;          /* broadcast when the service thread saw a ring */
    uint64_t gen;
    pthread_t service;
    bool service_running;       /* set by the thread that booted, before anyone else waits */
    bool boot_tried;            /* dpy_engine_boot ran (a second one is refused) */
    atomic_bool stop;
    atomic_bool orphaned;       /* destroyed from its own handler: the service thread frees it */
    bool m4_booted;             /* this engine booted the M4 (close() stops only that one) */
    bool m4_stopped;            /* close() reset the board */
    atomic_int state;           /* dpy_state */
    atomic_int m4_status;       /* -1 while the M4 runs, else its exit status (128+n: signal n) */
    char board_dir[4096];
    char why[512];              /* why the link is down, or why start failed */
    uint8_t *tx;                /* the rpc engine's frames */
    uint8_t *results;           /* the waiting calls' results */
    uint8_t *reasm;             /* messages from the M4 larger than one buffer: one per level
                                 * of calls nested in the handlers of such messages */
    uint8_t *stream_rx;
    uint8_t stream_tx[DPY_STREAM_TX];
} dpy_engine;

/* A new engine that binds but cannot call yet; NULL without memory. */
dpy_engine *dpy_engine_new(void);

/* Opens the board ($DUET_BOARD), optionally uploads image at address, sets up the shared
 * memory and endpoints, boots the M4 at address and starts the service thread.
 * channels: 1 waits for the "rpc" endpoint only, 2 for "raw" and "rpc".
 * @retval DUET_OK, or an error with e->why saying what to do. */
int dpy_engine_boot(dpy_engine *e, uint32_t address, const char *image, unsigned channels);

/* Whether dpy_engine_boot ran already, whether it succeeded or not: an engine boots once. */
bool dpy_engine_boot_tried(const dpy_engine *e);

/* Waits up to timeout_ms for the M4's endpoints. DUET_OK once up (then calls work),
 * DUET_ERR_TIMEOUT to wait again, or another error with e->why. */
int dpy_engine_wait_up(dpy_engine *e, uint32_t timeout_ms);

/* Stops the service thread, takes the link down and stops the M4 (a board reset), as the
 * finaliser of MicroPython's RemoteProc does. Safe to call twice, and from a handler (then
 * the service thread stops once the handler returns). */
void dpy_engine_close(dpy_engine *e);

/* Closes and frees the engine. From inside one of its handlers, the service thread frees
 * it once the handler returns. */
void dpy_engine_destroy(dpy_engine *e);

/* The engine's lock (recursive). Never take it while holding Python's GIL. */
void dpy_lock(dpy_engine *e);
void dpy_unlock(dpy_engine *e);

/* wait() of the engine's port: blocks until a ring or timeout_ms (may return early). */
void dpy_engine_wait(dpy_engine *e, uint32_t timeout_ms);

/* Wakes every thread in dpy_engine_wait, as a ring does. */
void dpy_engine_wake(dpy_engine *e);

/* The largest message the engine sends now (a call's whole request). */
size_t dpy_engine_max_message(dpy_engine *e);

/* Bytes of one waiting call's result slot. */
size_t dpy_engine_result_size(void);

/* Copies why the link is down (or "the M4 is not started") into buf. */
void dpy_engine_why(dpy_engine *e, char *buf, size_t cap);

#endif

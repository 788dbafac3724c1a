/* pymodule.h - what the parts of the msgpackrpc module share: its objects and helpers. */
#ifndef DUET_PY_MODULE_H
#define DUET_PY_MODULE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

#include "engine.h"

/* MicroPython's default: the "1.5MB M7 + 0.5MB M4" flash split. */
#define DEFAULT_FIRMWARE DUET_POSIX_BOOT_1_5MB
/* How often a wait wakes to let Python see a signal (Ctrl-C). */
#define SIGNAL_CHECK_MS 100u

/* One bound callable, linked so that dealloc frees them. Freed too when its name is bound
 * again: a handler that runs meanwhile (it rebinds its own name) uses it only before its
 * callable is called, and another thread's bind() waits for the engine's lock, which a
 * running handler holds. */
typedef struct binding {
    struct binding *next;
    PyObject *fn;
    char name[];
} binding;

/* msgpackrpc.MsgPackRPC */
typedef struct rpc_object {
    PyObject_HEAD
    dpy_engine *e;
    binding *bindings;
    int streaming;
    struct rpc_object *next_started; /* the started objects, closed at exit */
} rpc_object;

/* msgpackrpc.Future */
typedef struct future_object {
    PyObject_HEAD
    rpc_object *rpc;
    duet_future f;
    PyObject *name;
    PyObject *fargs;       /* the call's arguments, a list (MicroPython's Future.fargs) */
    int done;
    int joining;           /* a thread takes the answer now (GIL released): others wait */
    PyObject *result;      /* once done: the value, or NULL with error set */
    PyObject *error;       /* the exception to raise again */
} future_object;

extern PyTypeObject dpy_rpc_type;
extern PyTypeObject dpy_future_type;
/* The started MsgPackRPC objects, closed at exit (GIL held). */
extern rpc_object *dpy_started;

/* ------------------------------------------------------------ helpers.c */

/* Raises OSError(text); returns NULL. */
PyObject *dpy_os_error(const char *text);

/* Milliseconds from a Python number (None: 0); <= 0 means "no limit", as MicroPython's 0.
 * TypeError for what is not a number, ValueError for NaN. */
int dpy_timeout_arg(PyObject *obj, double *ms);

/* A monotonic millisecond clock. */
uint32_t dpy_now_ms(void);

/* The next wait in a loop that checks signals: at most SIGNAL_CHECK_MS, at most what is left
 * of limit ms since start (<= 0: none). 0 when the time is up. */
uint32_t dpy_next_chunk(uint32_t start, double limit);

/* 0 if the M4 is up, else -1 with OSError saying why. */
int dpy_check_up(rpc_object *self);

/* The function name argument as UTF-8 (valid while the object lives), or NULL (TypeError;
 * ValueError for a name with a NUL inside). */
const char *dpy_name_arg(PyObject *name, const char *what);

/* Encodes args[first..] as a params array into buf (cap bytes): its length, or -1. */
Py_ssize_t dpy_encode_params(PyObject *args, Py_ssize_t first, const char *verb, const char *name, uint8_t *buf,
                             size_t cap);

/* ------------------------------------------------------------ handlers.c */

/* Binds fn under name, replacing what was bound there. 0, or -1 with an exception. */
int dpy_bind_one(rpc_object *self, const char *name, PyObject *fn);

/* Binds every public method of obj as "name.method". 0, or -1 with an exception. */
int dpy_bind_object(rpc_object *self, const char *name, PyObject *obj);

/* ------------------------------------------------------------ rpc.c */

/* 0 if __init__ ran, else -1 with RuntimeError. */
int dpy_rpc_ready(rpc_object *self);

/* Closes the object's engine (link down, M4 stopped) and forgets it was started. */
void dpy_close_engine(rpc_object *self);

/* Removes self from dpy_started. */
void dpy_unlink_started(rpc_object *self);

/* ------------------------------------------------------------ stream.c: the methods */

PyObject *dpy_rpc_read(rpc_object *self, PyObject *args, PyObject *kwargs);
PyObject *dpy_rpc_available(rpc_object *self, PyObject *unused);
PyObject *dpy_rpc_write(rpc_object *self, PyObject *arg);

/* ------------------------------------------------------------ future.c */

/* Waits up to timeout ms (<= 0: forever) for the call's answer: the result, or NULL with
 * OSError (remote error, timeout, link down) or ValueError (an answer Python cannot hold). */
PyObject *dpy_future_join_ms(future_object *f, double timeout);

#endif

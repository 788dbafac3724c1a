/* module.c - msgpackrpc: MicroPython's msgpack-RPC module for CPython, on duet's C core.
 * The types MsgPackRPC and Future, and helpers for the emulated board. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "duet/posix/board.h"
#include "engine.h"

/* MicroPython's default: the "1.5MB M7 + 0.5MB M4" flash split. */
#define DEFAULT_FIRMWARE DUET_POSIX_BOOT_1_5MB
/* How often a wait wakes to let Python see a signal (Ctrl-C). */
#define SIGNAL_CHECK_MS 100u

/* One bound callable. Kept until the MsgPackRPC object dies (a handler may run while it is
 * rebound), linked so that dealloc frees them. */
typedef struct binding {
    struct binding *next;
    PyObject *fn;
    char name[];
} binding;

typedef struct rpc_object {
    PyObject_HEAD
    dpy_engine *e;
    binding *bindings;
    int streaming;
    struct rpc_object *next_started; /* the started objects, closed at exit */
} rpc_object;

typedef struct future_object {
    PyObject_HEAD
    rpc_object *rpc;
    duet_future f;
    PyObject *name;
    int done;
    PyObject *result;      /* once done: the value, or NULL with error set */
    PyObject *error;       /* the exception to raise again */
} future_object;

static PyTypeObject rpc_type;
static PyTypeObject future_type;
static rpc_object *started; /* list of started objects (GIL held) */

/* ------------------------------------------------------------ small helpers */

static PyObject *os_error(const char *text)
{
    PyErr_SetString(PyExc_OSError, text);
    return NULL;
}

/* Milliseconds from a Python number; <= 0 means "no limit" (as MicroPython's 0). */
static int timeout_arg(PyObject *obj, double *ms)
{
    if (!obj || obj == Py_None) {
        *ms = 0;
        return 0;
    }
    *ms = PyFloat_AsDouble(obj);
    if (*ms == -1.0 && PyErr_Occurred()) {
        PyErr_SetString(PyExc_TypeError, "timeout must be a number of milliseconds");
        return -1;
    }
    return 0;
}

static uint32_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* The next wait in a loop that checks signals: at most SIGNAL_CHECK_MS, at most what is left.
 * Returns 0 when the time (limit ms from start, <= 0: none) is up. */
static uint32_t next_chunk(uint32_t start, double limit)
{
    if (limit <= 0)
        return SIGNAL_CHECK_MS;
    uint32_t elapsed = now_ms() - start;
    if ((double)elapsed >= limit)
        return 0;
    double left = limit - (double)elapsed;
    return left < SIGNAL_CHECK_MS ? (uint32_t)left + 1 : SIGNAL_CHECK_MS;
}

static int check_up(rpc_object *self)
{
    if (atomic_load(&self->e->state) == DPY_UP)
        return 0;
    char why[600];
    Py_BEGIN_ALLOW_THREADS
    dpy_engine_why(self->e, why, sizeof why);
    Py_END_ALLOW_THREADS
    os_error(why);
    return -1;
}

/* The name argument as UTF-8 (valid while the object lives). */
static const char *name_arg(PyObject *name, const char *what)
{
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "%s: the function name must be a str, not %s", what, Py_TYPE(name)->tp_name);
        return NULL;
    }
    return PyUnicode_AsUTF8(name);
}

/* Encodes args[first..] as a params array into buf (cap bytes). Returns its length or -1. */
static Py_ssize_t encode_params(PyObject *args, Py_ssize_t first, const char *verb, const char *name, uint8_t *buf,
                                size_t cap)
{
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, cap);
    Py_ssize_t n = PyTuple_GET_SIZE(args) - first;
    duet_msgpack_write_array(&w, (uint32_t)n);
    for (Py_ssize_t i = 0; i < n; i++) {
        char what[200];
        snprintf(what, sizeof what, "%s('%.80s'): argument %zd", verb, name, i + 1);
        if (dpy_encode(&w, PyTuple_GET_ITEM(args, first + i), what) < 0)
            return -1;
    }
    if (duet_msgpack_writer_error(&w)) {
        PyErr_Format(PyExc_ValueError,
                     "%s('%.80s'): the arguments take more than the %zu bytes one message to the M4 carries", verb,
                     name, cap);
        return -1;
    }
    return (Py_ssize_t)duet_msgpack_writer_size(&w);
}

/* ------------------------------------------------------------ handlers */

/* The text the caller gets for the exception being raised: "ValueError: no such pin". */
static void exception_text(char *buf, size_t cap)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *str = value ? PyObject_Str(value) : NULL;
    const char *s = str ? PyUnicode_AsUTF8(str) : NULL;
    if (!s)
        PyErr_Clear();
    const char *tname = type ? ((PyTypeObject *)type)->tp_name : "Exception";
    if (s && s[0])
        snprintf(buf, cap, "%s: %s", tname, s);
    else
        snprintf(buf, cap, "%s", tname);
    Py_XDECREF(str);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/* Decodes the request's params into a tuple. */
static PyObject *handler_args(duet_req *r, const char *name)
{
    uint32_t n = duet_arg_count(r);
    duet_msgpack_reader *in = duet_req_params(r);
    PyObject *args = PyTuple_New((Py_ssize_t)n);
    if (!args)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        char what[160];
        snprintf(what, sizeof what, "argument %u of '%.80s'", (unsigned)i + 1, name);
        PyObject *v = dpy_decode(in, what);
        if (!v) {
            Py_DECREF(args);
            return NULL;
        }
        PyTuple_SET_ITEM(args, (Py_ssize_t)i, v);
    }
    return args;
}

/* Every bound Python callable runs through here, in whichever thread polls the link. */
static int handle(duet_req *r)
{
    binding *b = duet_req_user(r);
    bool note = duet_req_is_notification(r);
    int rc = DUET_OK;
    char text[DUET_RPC_ERROR_TEXT];
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *fn = b->fn;
    if (!fn) { /* cleared with its MsgPackRPC object */
        PyGILState_Release(g);
        return duet_req_fail(r, DUET_ERR_NO_METHOD, "the function is no longer bound");
    }
    Py_INCREF(fn);
    /* b is not used after the call: the handler may drop the last reference to its
     * MsgPackRPC, and with it the binding. */
    char what[160];
    snprintf(what, sizeof what, "the result of '%.80s'", b->name);
    PyObject *args = handler_args(r, b->name);
    PyObject *res = args ? PyObject_Call(fn, args, NULL) : NULL;
    Py_XDECREF(args);
    if (!res) {
        if (note) {
            PyErr_WriteUnraisable(fn); /* nobody waits for an answer: show it here */
        } else {
            exception_text(text, sizeof text);
            rc = duet_req_fail(r, DUET_ERR_REMOTE, text);
        }
    } else if (!note) {
        if (dpy_encode(duet_req_result(r), res, what) < 0) {
            exception_text(text, sizeof text);
            rc = duet_req_fail(r, DUET_ERR_ARG_TYPE, text);
        }
    }
    Py_XDECREF(res);
    Py_DECREF(fn);
    PyGILState_Release(g);
    return rc;
}

/* Binds fn under name (replacing what was bound there). 0, or -1 with an exception. */
static int bind_one(rpc_object *self, const char *name, PyObject *fn)
{
    size_t len = strlen(name);
    binding *b = PyMem_RawMalloc(sizeof *b + len + 1);
    if (!b) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(b->name, name, len + 1);
    Py_INCREF(fn);
    b->fn = fn;
    int err;
    char text[DUET_RPC_ERROR_TEXT];
    Py_BEGIN_ALLOW_THREADS
    dpy_lock(self->e);
    (void)duet_rpc_unbind(&self->e->rpc, b->name);
    err = duet_rpc_bind(&self->e->rpc, b->name, NULL, handle, b);
    if (err)
        snprintf(text, sizeof text, "%s", duet_rpc_error_text(&self->e->rpc));
    dpy_unlock(self->e);
    Py_END_ALLOW_THREADS
    if (err) {
        Py_DECREF(fn);
        PyMem_RawFree(b);
        if (err == DUET_ERR_FULL)
            PyErr_Format(PyExc_OSError, "bind('%s'): %d functions are bound already, the most there can be", name,
                         DUET_RPC_MAX_METHODS);
        else
            PyErr_Format(PyExc_ValueError, "bind('%s'): %s", name, text);
        return -1;
    }
    b->next = self->bindings;
    self->bindings = b;
    return 0;
}

/* Binds every public method of obj as "name.method" (the class's, and its bases'). */
static int bind_object(rpc_object *self, const char *name, PyObject *obj)
{
    PyObject *mro = Py_TYPE(obj)->tp_mro;
    PyObject *seen = PySet_New(NULL);
    if (!seen)
        return -1;
    int bound = 0;
    for (Py_ssize_t i = 0; mro && i < PyTuple_GET_SIZE(mro); i++) {
        PyObject *cls = PyTuple_GET_ITEM(mro, i);
        if (cls == (PyObject *)&PyBaseObject_Type)
            continue;
        PyObject *dict = ((PyTypeObject *)cls)->tp_dict;
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (dict && PyDict_Next(dict, &pos, &key, &value)) {
            const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
            if (!k || k[0] == '_' || PySet_Contains(seen, key))
                continue;
            if (PySet_Add(seen, key) < 0)
                goto fail;
            PyObject *method = PyObject_GetAttr(obj, key);
            if (!method) {
                PyErr_Clear();
                continue;
            }
            int ok = 0;
            if (PyCallable_Check(method)) {
                PyObject *full = PyUnicode_FromFormat("%s.%s", name, k);
                ok = full ? bind_one(self, PyUnicode_AsUTF8(full), method) : -1;
                Py_XDECREF(full);
                bound++;
            }
            Py_DECREF(method);
            if (ok < 0)
                goto fail;
        }
    }
    Py_DECREF(seen);
    if (!bound) {
        PyErr_Format(PyExc_TypeError, "bind('%s', obj): obj is neither callable nor has public methods", name);
        return -1;
    }
    return 0;
fail:
    Py_DECREF(seen);
    return -1;
}

/* ------------------------------------------------------------ MsgPackRPC */

static int rpc_init(rpc_object *self, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"streaming", NULL};
    int streaming = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|p:MsgPackRPC", names, &streaming))
        return -1;
    if (self->e) {
        PyErr_SetString(PyExc_RuntimeError, "MsgPackRPC.__init__ called twice");
        return -1;
    }
    self->streaming = streaming;
    self->e = dpy_engine_new();
    if (!self->e) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void unlink_started(rpc_object *self)
{
    for (rpc_object **p = &started; *p; p = &(*p)->next_started) {
        if (*p == self) {
            *p = self->next_started;
            self->next_started = NULL;
            return;
        }
    }
}

static void close_engine(rpc_object *self)
{
    if (!self->e)
        return;
    unlink_started(self);
    Py_BEGIN_ALLOW_THREADS
    dpy_engine_close(self->e);
    Py_END_ALLOW_THREADS
}

static int rpc_traverse(rpc_object *self, visitproc visit, void *arg)
{
    for (binding *b = self->bindings; b; b = b->next)
        Py_VISIT(b->fn);
    return 0;
}

/* Breaks a cycle through a bound function (a closure that uses the MsgPackRPC object):
 * the engine is closed first, so that no handler runs any more. */
static int rpc_clear(rpc_object *self)
{
    close_engine(self);
    for (binding *b = self->bindings; b; b = b->next)
        Py_CLEAR(b->fn);
    return 0;
}

static void rpc_dealloc(rpc_object *self)
{
    PyObject_GC_UnTrack(self);
    if (self->e) {
        unlink_started(self);
        dpy_engine *e = self->e;
        self->e = NULL;
        Py_BEGIN_ALLOW_THREADS
        dpy_engine_destroy(e);
        Py_END_ALLOW_THREADS
    }
    for (binding *b = self->bindings, *next; b; b = next) {
        next = b->next;
        Py_XDECREF(b->fn);
        PyMem_RawFree(b);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int rpc_ready(rpc_object *self)
{
    if (self->e)
        return 0;
    PyErr_SetString(PyExc_RuntimeError, "MsgPackRPC was not initialised");
    return -1;
}

static PyObject *rpc_bind(rpc_object *self, PyObject *args)
{
    PyObject *name, *obj;
    if (rpc_ready(self) < 0 || !PyArg_ParseTuple(args, "OO:bind", &name, &obj))
        return NULL;
    const char *cname = name_arg(name, "bind");
    if (!cname)
        return NULL;
    if (!cname[0] || strlen(cname) > 200) {
        PyErr_SetString(PyExc_ValueError, "bind: the name must be 1 to 200 characters");
        return NULL;
    }
    int r = PyCallable_Check(obj) ? bind_one(self, cname, obj) : bind_object(self, cname, obj);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

static int firmware_arg(PyObject *firmware, uint32_t *address, const char **image)
{
    *address = DEFAULT_FIRMWARE;
    *image = NULL;
    if (!firmware || firmware == Py_None)
        return 0;
    if (PyUnicode_Check(firmware)) {
        /* A path to the M4's program: uploaded at the default address, then booted. */
        *image = PyUnicode_AsUTF8(firmware);
        return *image ? 0 : -1;
    }
    unsigned long v = PyLong_Check(firmware) ? PyLong_AsUnsignedLong(firmware) : 0;
    if (!PyLong_Check(firmware) || (v == (unsigned long)-1 && PyErr_Occurred()) || v > 0xffffffffu) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "start: firmware must be a flash address (an int such as 0x08180000) or "
                                         "the path of the M4's program");
        return -1;
    }
    *address = (uint32_t)v;
    return 0;
}

static PyObject *start_failed(rpc_object *self, int err)
{
    char why[600];
    snprintf(why, sizeof why, "%s", self->e->why);
    close_engine(self);
    (void)err;
    return os_error(why);
}

static PyObject *rpc_start(rpc_object *self, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"firmware", "num_channels", "timeout", NULL};
    PyObject *firmware = NULL, *timeout_obj = NULL;
    int channels = 2;
    if (rpc_ready(self) < 0 ||
        !PyArg_ParseTupleAndKeywords(args, kwargs, "|OiO:start", names, &firmware, &channels, &timeout_obj))
        return NULL;
    uint32_t address;
    const char *image;
    double timeout = 3000;
    if (firmware_arg(firmware, &address, &image) < 0 || (timeout_obj && timeout_arg(timeout_obj, &timeout) < 0))
        return NULL;
    if (channels != 1 && channels != 2) {
        PyErr_SetString(PyExc_ValueError, "start: num_channels must be 1 (\"rpc\") or 2 (\"raw\" and \"rpc\")");
        return NULL;
    }
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = dpy_engine_boot(self->e, address, image, (unsigned)channels);
    Py_END_ALLOW_THREADS
    if (err)
        return start_failed(self, err);
    self->next_started = started;
    started = self;
    uint32_t start = now_ms();
    for (;;) {
        uint32_t chunk = next_chunk(start, timeout);
        if (!chunk) {
            snprintf(self->e->why, sizeof self->e->why,
                     "timeout waiting for the remote processor to start (the M4 at 0x%08x did not announce its "
                     "endpoints within %.0f ms)",
                     (unsigned)address, timeout);
            return start_failed(self, DUET_ERR_TIMEOUT);
        }
        Py_BEGIN_ALLOW_THREADS
        err = dpy_engine_wait_up(self->e, chunk);
        Py_END_ALLOW_THREADS
        if (err == DUET_OK)
            break;
        if (err != DUET_ERR_TIMEOUT)
            return start_failed(self, err);
        if (PyErr_CheckSignals() < 0) {
            close_engine(self);
            return NULL;
        }
    }
    /* As MicroPython: a moment for an M4 that binds after it announced itself. The
     * service thread serves meanwhile. */
    Py_BEGIN_ALLOW_THREADS
    struct timespec ts = {0, 100 * 1000000L};
    nanosleep(&ts, NULL);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* Sends a request (future) or a notification (future NULL). 0, or -1 with an exception. */
static int send_message(rpc_object *self, const char *verb, const char *name, PyObject *args, duet_future *future)
{
    if (check_up(self) < 0)
        return -1;
    size_t cap = dpy_engine_max_message(self->e);
    uint8_t *buf = PyMem_Malloc(cap);
    if (!buf) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t len = encode_params(args, 1, verb, name, buf, cap);
    if (len < 0) {
        PyMem_Free(buf);
        return -1;
    }
    int err;
    char text[DUET_RPC_ERROR_TEXT + 64];
    Py_BEGIN_ALLOW_THREADS
    dpy_engine *e = self->e;
    dpy_lock(e);
    duet_msgpack_writer *w = future ? duet_rpc_begin_call(&e->rpc, future, name) : duet_rpc_begin_notify(&e->rpc, name);
    if (w) {
        duet_msgpack_write_raw(w, buf, (size_t)len);
        err = duet_rpc_end(&e->rpc, w);
    } else {
        err = DUET_ERR_STATE;
    }
    if (err == DUET_ERR_LINK_DOWN)
        dpy_engine_why(e, text, sizeof text);
    else if (err)
        snprintf(text, sizeof text, "%s('%.80s'): %s%s", verb, name, duet_rpc_error_text(&e->rpc),
                 strstr(duet_rpc_error_text(&e->rpc), "in flight") ? " (join some of the futures first)" : "");
    dpy_unlock(e);
    Py_END_ALLOW_THREADS
    PyMem_Free(buf);
    if (err) {
        os_error(text);
        return -1;
    }
    return 0;
}

static PyObject *rpc_call_async(rpc_object *self, PyObject *args)
{
    if (rpc_ready(self) < 0)
        return NULL;
    if (PyTuple_GET_SIZE(args) < 1) {
        PyErr_SetString(PyExc_TypeError, "call_async() needs the name of the function to call");
        return NULL;
    }
    PyObject *name = PyTuple_GET_ITEM(args, 0);
    const char *cname = name_arg(name, "call_async");
    if (!cname)
        return NULL;
    future_object *f = PyObject_New(future_object, &future_type);
    if (!f)
        return NULL;
    f->rpc = NULL;
    f->name = NULL;
    f->done = 1; /* nothing to drop until the request is out */
    f->result = f->error = NULL;
    if (send_message(self, "call", cname, args, &f->f) < 0) {
        Py_DECREF(f);
        return NULL;
    }
    Py_INCREF(self);
    f->rpc = self;
    Py_INCREF(name);
    f->name = name;
    f->done = 0;
    return (PyObject *)f;
}

static PyObject *future_join_ms(future_object *f, double timeout);

static PyObject *rpc_call(rpc_object *self, PyObject *args, PyObject *kwargs)
{
    double timeout = 0;
    if (kwargs) {
        PyObject *t = PyDict_GetItemString(kwargs, "timeout");
        if (PyDict_GET_SIZE(kwargs) != (t ? 1 : 0)) {
            PyErr_SetString(PyExc_TypeError, "call() takes only timeout= as a keyword argument");
            return NULL;
        }
        if (timeout_arg(t, &timeout) < 0)
            return NULL;
    }
    PyObject *f = rpc_call_async(self, args);
    if (!f)
        return NULL;
    PyObject *r = future_join_ms((future_object *)f, timeout);
    Py_DECREF(f); /* a call that timed out is forgotten: its late answer is dropped */
    return r;
}

static PyObject *rpc_notify(rpc_object *self, PyObject *args)
{
    if (rpc_ready(self) < 0)
        return NULL;
    if (PyTuple_GET_SIZE(args) < 1) {
        PyErr_SetString(PyExc_TypeError, "notify() needs the name of the function to notify");
        return NULL;
    }
    const char *cname = name_arg(PyTuple_GET_ITEM(args, 0), "notify");
    if (!cname || send_message(self, "notify", cname, args, NULL) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static int check_stream(rpc_object *self)
{
    if (check_up(self) < 0)
        return -1;
    if (self->e->stream_up)
        return 0;
    os_error("no stream from the M4: start() with num_channels=2 to have its \"raw\" endpoint");
    return -1;
}

static PyObject *rpc_read(rpc_object *self, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"size", "timeout", NULL};
    Py_ssize_t size = -1;
    PyObject *timeout_obj = NULL;
    double timeout = 0;
    if (rpc_ready(self) < 0 || !PyArg_ParseTupleAndKeywords(args, kwargs, "|nO:read", names, &size, &timeout_obj) ||
        timeout_arg(timeout_obj, &timeout) < 0 || check_stream(self) < 0)
        return NULL;
    size_t cap = size < 0 ? DPY_STREAM_RX : (size_t)size;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)cap);
    if (!out)
        return NULL;
    size_t got = 0;
    uint32_t start = now_ms();
    for (;;) {
        Py_BEGIN_ALLOW_THREADS
        dpy_lock(self->e);
        if (duet_stream_available(&self->e->stream))
            got = duet_stream_read_bytes(&self->e->stream, PyBytes_AS_STRING(out), cap);
        dpy_unlock(self->e);
        Py_END_ALLOW_THREADS
        if (got || cap == 0 || timeout <= 0)
            break;
        uint32_t chunk = next_chunk(start, timeout);
        if (!chunk)
            break;
        Py_BEGIN_ALLOW_THREADS
        dpy_engine_wait(self->e, chunk);
        Py_END_ALLOW_THREADS
        if (PyErr_CheckSignals() < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    if (_PyBytes_Resize(&out, (Py_ssize_t)got) < 0)
        return NULL;
    return out;
}

static PyObject *rpc_available(rpc_object *self, PyObject *unused)
{
    (void)unused;
    if (rpc_ready(self) < 0 || check_stream(self) < 0)
        return NULL;
    size_t n;
    Py_BEGIN_ALLOW_THREADS
    dpy_lock(self->e);
    n = duet_stream_available(&self->e->stream);
    dpy_unlock(self->e);
    Py_END_ALLOW_THREADS
    return PyLong_FromSize_t(n);
}

static PyObject *rpc_write(rpc_object *self, PyObject *arg)
{
    if (rpc_ready(self) < 0 || check_stream(self) < 0)
        return NULL;
    Py_buffer view;
    if (PyUnicode_Check(arg)) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(arg, &len);
        if (!s || PyBuffer_FillInfo(&view, arg, (void *)s, len, 1, PyBUF_SIMPLE) < 0)
            return NULL;
    } else if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    size_t n;
    int err;
    Py_BEGIN_ALLOW_THREADS
    dpy_lock(self->e);
    n = duet_stream_write(&self->e->stream, view.buf, (size_t)view.len);
    err = duet_stream_flush(&self->e->stream);
    dpy_unlock(self->e);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (n < (size_t)view.len || err) {
        PyErr_Format(PyExc_OSError, "write: %zu of %zd bytes reached the M4: %s", n, view.len,
                     duet_strerror(err ? err : duet_stream_error(&self->e->stream)));
        return NULL;
    }
    return PyLong_FromSize_t(n);
}

static PyObject *rpc_close(rpc_object *self, PyObject *unused)
{
    (void)unused;
    close_engine(self);
    Py_RETURN_NONE;
}

static PyObject *rpc_enter(rpc_object *self, PyObject *unused)
{
    (void)unused;
    Py_INCREF(self);
    return (PyObject *)self;
}

static PyObject *rpc_exit(rpc_object *self, PyObject *args)
{
    (void)args;
    close_engine(self);
    Py_RETURN_FALSE;
}

static PyObject *rpc_get_streaming(rpc_object *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->streaming);
}

static PyMethodDef rpc_methods[] = {
    {"bind", (PyCFunction)rpc_bind, METH_VARARGS,
     "bind(name, obj): serve obj (a callable) under name; for an object, each public method as \"name.method\"."},
    {"start", (PyCFunction)(void (*)(void))rpc_start, METH_VARARGS | METH_KEYWORDS,
     "start(firmware=0x08180000, num_channels=2, timeout=3000): boot the M4 and wait (timeout ms, 0: forever) "
     "for its endpoints. OSError if it does not come up."},
    {"call", (PyCFunction)(void (*)(void))rpc_call, METH_VARARGS | METH_KEYWORDS,
     "call(name, *args, timeout=None): call the M4's function and return its result. OSError carries the "
     "remote error, a timeout, or a link that went down."},
    {"call_async", (PyCFunction)rpc_call_async, METH_VARARGS,
     "call_async(name, *args): send the call and return a Future at once; Future.join() gives the result."},
    {"notify", (PyCFunction)rpc_notify, METH_VARARGS,
     "notify(name, *args): send a notification (no answer comes, nothing waits)."},
    {"read", (PyCFunction)(void (*)(void))rpc_read, METH_VARARGS | METH_KEYWORDS,
     "read(size=-1, timeout=0): the M4's stream text that has arrived (bytes), waiting up to timeout ms for some."},
    {"available", (PyCFunction)rpc_available, METH_NOARGS, "available(): bytes of the M4's stream text waiting."},
    {"write", (PyCFunction)rpc_write, METH_O, "write(data): send bytes or str on the stream to the M4."},
    {"close", (PyCFunction)rpc_close, METH_NOARGS, "close(): take the link down and stop the M4."},
    {"__enter__", (PyCFunction)rpc_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)rpc_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef rpc_getset[] = {
    {"streaming", (getter)rpc_get_streaming, NULL,
     "As given to MsgPackRPC(); duet reassembles messages across buffers either way.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject rpc_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "msgpackrpc.MsgPackRPC",
    .tp_basicsize = sizeof(rpc_object),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "MsgPackRPC(streaming=False): msgpack-RPC with the M4, as MicroPython's msgpackrpc.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)rpc_init,
    .tp_dealloc = (destructor)rpc_dealloc,
    .tp_traverse = (traverseproc)rpc_traverse,
    .tp_clear = (inquiry)rpc_clear,
    .tp_methods = rpc_methods,
    .tp_getset = rpc_getset,
};

/* ------------------------------------------------------------ Future */

static void future_dealloc(future_object *f)
{
    if (!f->done && f->rpc) {
        dpy_engine *e = f->rpc->e;
        Py_BEGIN_ALLOW_THREADS
        duet_future_drop(&e->rpc, &f->f);
        Py_END_ALLOW_THREADS
    }
    Py_XDECREF(f->rpc);
    Py_XDECREF(f->name);
    Py_XDECREF(f->result);
    Py_XDECREF(f->error);
    PyObject_Free(f);
}

/* The outcome of the finished call: the result, or the exception (kept for a second join). */
static PyObject *future_finish(future_object *f, int err, const uint8_t *buf, size_t len, const char *text)
{
    f->done = 1;
    const char *name = PyUnicode_AsUTF8(f->name);
    if (err == DUET_OK) {
        char what[160];
        snprintf(what, sizeof what, "the M4's answer to '%.80s'", name ? name : "?");
        f->result = dpy_decode_bytes(buf, len, what);
    } else if (err == DUET_ERR_REMOTE) {
        PyErr_SetString(PyExc_OSError, text); /* as MicroPython: OSError(the remote error) */
    } else {
        PyErr_Format(PyExc_OSError, "call('%s'): %s", name ? name : "?", text);
    }
    if (f->result) {
        Py_INCREF(f->result);
        return f->result;
    }
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb)
        PyException_SetTraceback(value, tb);
    f->error = value;
    Py_XINCREF(f->error);
    PyErr_Restore(type, value, tb);
    return NULL;
}

static PyObject *future_join_ms(future_object *f, double timeout)
{
    if (f->done) {
        if (f->result) {
            Py_INCREF(f->result);
            return f->result;
        }
        if (f->error) {
            PyErr_SetObject((PyObject *)Py_TYPE(f->error), f->error);
            return NULL;
        }
        return os_error("join: this call was never sent");
    }
    dpy_engine *e = f->rpc->e;
    size_t cap = dpy_engine_result_size();
    uint8_t *buf = PyMem_Malloc(cap);
    if (!buf)
        return PyErr_NoMemory();
    char text[DUET_RPC_ERROR_TEXT + 600];
    uint32_t start = now_ms();
    for (;;) {
        int err;
        size_t len = 0;
        Py_BEGIN_ALLOW_THREADS
        dpy_lock(e);
        err = duet_future_poll(&e->rpc, &f->f);
        if (err != DUET_ERR_AGAIN) {
            /* Done (or failed): take it without waiting. */
            err = duet_future_wait_raw(&e->rpc, &f->f, 1, buf, cap, &len);
            if (err == DUET_ERR_LINK_DOWN)
                dpy_engine_why(e, text, sizeof text);
            else if (err)
                snprintf(text, sizeof text, "%s", duet_rpc_error_text(&e->rpc));
        }
        dpy_unlock(e);
        Py_END_ALLOW_THREADS
        if (err != DUET_ERR_AGAIN) {
            PyObject *r = future_finish(f, err, buf, len, text);
            PyMem_Free(buf);
            return r;
        }
        uint32_t chunk = next_chunk(start, timeout);
        if (!chunk)
            break;
        Py_BEGIN_ALLOW_THREADS
        dpy_engine_wait(e, chunk);
        Py_END_ALLOW_THREADS
        if (PyErr_CheckSignals() < 0) {
            PyMem_Free(buf);
            return NULL;
        }
    }
    PyMem_Free(buf);
    /* As MicroPython; the future stays valid, join again to keep waiting. */
    PyErr_Format(PyExc_OSError, "Timeout joining function %U", f->name);
    return NULL;
}

static PyObject *future_join(future_object *f, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"timeout", NULL};
    PyObject *timeout_obj = NULL;
    double timeout = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:join", names, &timeout_obj) ||
        timeout_arg(timeout_obj, &timeout) < 0)
        return NULL;
    return future_join_ms(f, timeout);
}

static PyObject *future_get_name(future_object *f, void *closure)
{
    (void)closure;
    Py_INCREF(f->name);
    return f->name;
}

static PyObject *future_get_msgid(future_object *f, void *closure)
{
    (void)closure;
    return PyLong_FromUnsignedLong(f->f.msgid);
}

static PyMethodDef future_methods[] = {
    {"join", (PyCFunction)(void (*)(void))future_join, METH_VARARGS | METH_KEYWORDS,
     "join(timeout=0): wait for the answer (timeout ms; 0: forever) and return the result. OSError carries the "
     "remote error, or \"Timeout joining function NAME\" (then join again to keep waiting)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef future_getset[] = {
    {"fname", (getter)future_get_name, NULL, "The name of the function called.", NULL},
    {"msgid", (getter)future_get_msgid, NULL, "The call's msgid.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject future_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "msgpackrpc.Future",
    .tp_basicsize = sizeof(future_object),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The answer to a call_async(), to join().",
    .tp_dealloc = (destructor)future_dealloc,
    .tp_methods = future_methods,
    .tp_getset = future_getset,
};

/* ------------------------------------------------------------ the board, for tests and tools */

static PyObject *board_result(int err)
{
    if (err < 0)
        return os_error(duet_posix_board_error());
    return PyLong_FromLong(err);
}

static PyObject *board_create(PyObject *m, PyObject *args)
{
    (void)m;
    const char *dir;
    if (!PyArg_ParseTuple(args, "s:_board_create", &dir))
        return NULL;
    return board_result(duet_posix_board_create(dir));
}

static PyObject *board_reset(PyObject *m, PyObject *args)
{
    (void)m;
    const char *dir;
    if (!PyArg_ParseTuple(args, "s:_board_reset", &dir))
        return NULL;
    return board_result(duet_posix_board_reset(dir));
}

static PyObject *board_upload(PyObject *m, PyObject *args)
{
    (void)m;
    const char *dir, *program;
    unsigned long address;
    if (!PyArg_ParseTuple(args, "sks:_board_upload", &dir, &address, &program))
        return NULL;
    return board_result(duet_posix_board_upload(dir, (uint32_t)address, program));
}

static PyObject *board_m4_pid(PyObject *m, PyObject *args)
{
    (void)m;
    const char *dir;
    if (!PyArg_ParseTuple(args, "s:_board_m4_pid", &dir))
        return NULL;
    return board_result((int)duet_posix_board_m4_pid(dir));
}

/* Closes every started MsgPackRPC: registered with atexit, so that the service threads end
 * before the interpreter does. */
static PyObject *close_all(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    while (started)
        close_engine(started);
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"_board_create", board_create, METH_VARARGS, "_board_create(dir): make (or reset) an emulated board."},
    {"_board_reset", board_reset, METH_VARARGS, "_board_reset(dir): reset the board (stops its M4)."},
    {"_board_upload", board_upload, METH_VARARGS,
     "_board_upload(dir, address, program): put the M4's program in the board's flash at address."},
    {"_board_m4_pid", board_m4_pid, METH_VARARGS, "_board_m4_pid(dir): the M4's process id, 0 if none runs."},
    {"_close_all", close_all, METH_NOARGS, "Closes every started MsgPackRPC (run at exit)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "msgpackrpc",
    .m_doc = "MicroPython's msgpackrpc for CPython, on duet: this program is the M7 and calls the M4.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit_msgpackrpc(void)
{
    if (PyType_Ready(&rpc_type) < 0 || PyType_Ready(&future_type) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    Py_INCREF(&rpc_type);
    Py_INCREF(&future_type);
    if (PyModule_AddObject(m, "MsgPackRPC", (PyObject *)&rpc_type) < 0 ||
        PyModule_AddObject(m, "Future", (PyObject *)&future_type) < 0 || dpy_convert_init(m) < 0)
        goto fail;
    PyObject *atexit = PyImport_ImportModule("atexit");
    PyObject *closer = atexit ? PyObject_GetAttrString(m, "_close_all") : NULL;
    PyObject *r = closer ? PyObject_CallMethod(atexit, "register", "O", closer) : NULL;
    Py_XDECREF(atexit);
    Py_XDECREF(closer);
    if (!r)
        goto fail;
    Py_DECREF(r);
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}

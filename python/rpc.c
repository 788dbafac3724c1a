/* rpc.c - msgpackrpc.MsgPackRPC: bind, start, call, call_async, notify, close. */
#include "pymodule.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "duet/posix/board.h"

rpc_object *dpy_started;

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

void dpy_unlink_started(rpc_object *self)
{
    for (rpc_object **p = &dpy_started; *p; p = &(*p)->next_started) {
        if (*p == self) {
            *p = self->next_started;
            self->next_started = NULL;
            return;
        }
    }
}

void dpy_close_engine(rpc_object *self)
{
    if (!self->e)
        return;
    dpy_unlink_started(self);
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
    dpy_close_engine(self);
    for (binding *b = self->bindings; b; b = b->next)
        Py_CLEAR(b->fn);
    return 0;
}

static void rpc_dealloc(rpc_object *self)
{
    PyObject_GC_UnTrack(self);
    if (self->e) {
        dpy_unlink_started(self);
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

int dpy_rpc_ready(rpc_object *self)
{
    if (self->e)
        return 0;
    PyErr_SetString(PyExc_RuntimeError, "MsgPackRPC was not initialised");
    return -1;
}

static PyObject *rpc_bind(rpc_object *self, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"name", "obj", NULL};
    PyObject *name, *obj;
    if (dpy_rpc_ready(self) < 0 || !PyArg_ParseTupleAndKeywords(args, kwargs, "OO:bind", names, &name, &obj))
        return NULL;
    const char *cname = dpy_name_arg(name, "bind");
    if (!cname)
        return NULL;
    if (!cname[0] || strlen(cname) > 200) {
        PyErr_SetString(PyExc_ValueError, "bind: the name must be 1 to 200 characters");
        return NULL;
    }
    int r = PyCallable_Check(obj) ? dpy_bind_one(self, cname, obj) : dpy_bind_object(self, cname, obj);
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
        Py_ssize_t len;
        *image = PyUnicode_AsUTF8AndSize(firmware, &len);
        if (*image && strlen(*image) != (size_t)len) {
            PyErr_SetString(PyExc_ValueError, "start: the firmware's path has a NUL character in it");
            return -1;
        }
        return *image ? 0 : -1;
    }
    /* A bool is an int to Python, but True is no flash address. */
    unsigned long v = PyLong_Check(firmware) && !PyBool_Check(firmware) ? PyLong_AsUnsignedLong(firmware) : 0;
    if (!PyLong_Check(firmware) || PyBool_Check(firmware) || (v == (unsigned long)-1 && PyErr_Occurred()) || v > 0xffffffffu) {
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
    dpy_close_engine(self);
    (void)err;
    return dpy_os_error(why);
}

static PyObject *rpc_start(rpc_object *self, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"firmware", "num_channels", "timeout", NULL};
    PyObject *firmware = NULL, *timeout_obj = NULL;
    int channels = 2;
    if (dpy_rpc_ready(self) < 0 ||
        !PyArg_ParseTupleAndKeywords(args, kwargs, "|OiO:start", names, &firmware, &channels, &timeout_obj))
        return NULL;
    uint32_t address;
    const char *image;
    double timeout = 3000;
    if (firmware_arg(firmware, &address, &image) < 0 || (timeout_obj && dpy_timeout_arg(timeout_obj, &timeout) < 0))
        return NULL;
    if (channels != 1 && channels != 2) {
        PyErr_SetString(PyExc_ValueError, "start: num_channels must be 1 (\"rpc\") or 2 (\"raw\" and \"rpc\")");
        return NULL;
    }
    /* Refused before anything is touched: the link of a start() that worked stays up. */
    if (dpy_engine_boot_tried(self->e))
        return dpy_os_error("start() was called already (a new MsgPackRPC can start again)");
    int err;
    Py_BEGIN_ALLOW_THREADS
    err = dpy_engine_boot(self->e, address, image, (unsigned)channels);
    Py_END_ALLOW_THREADS
    if (err)
        return start_failed(self, err);
    self->next_started = dpy_started;
    dpy_started = self;
    uint32_t start = dpy_now_ms();
    for (;;) {
        uint32_t chunk = dpy_next_chunk(start, timeout);
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
            dpy_close_engine(self);
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

/* The text for a request or notification that does not fit one message: the engine's own
 * begins with the whole name, which for a long name leaves no room for the reason. */
static void too_large_text(char *text, size_t cap, const char *verb, const char *name, size_t max)
{
    size_t len = strlen(name);
    snprintf(text, cap, "%s('%.80s%s'): the function name (%zu bytes) and the arguments take more than the %zu bytes "
                        "one message to the M4 carries",
             verb, name, len > 80 ? "..." : "", len, max);
}

/* Sends a request (future) or a notification (future NULL). 0, or -1 with an exception. */
static int send_message(rpc_object *self, const char *verb, const char *name, PyObject *args, duet_future *future)
{
    if (dpy_check_up(self) < 0)
        return -1;
    size_t cap = dpy_engine_max_message(self->e);
    uint8_t *buf = PyMem_Malloc(cap);
    if (!buf) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t len = dpy_encode_params(args, 1, verb, name, buf, cap);
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
    else if (err == DUET_ERR_TOO_LARGE)
        too_large_text(text, sizeof text, verb, name, cap);
    else if (err)
        snprintf(text, sizeof text, "%s('%.80s'): %s%s", verb, name, duet_rpc_error_text(&e->rpc),
                 strstr(duet_rpc_error_text(&e->rpc), "in flight") ? " (join some of the futures first)" : "");
    dpy_unlock(e);
    Py_END_ALLOW_THREADS
    PyMem_Free(buf);
    if (err == DUET_ERR_TOO_LARGE) {
        PyErr_SetString(PyExc_ValueError, text); /* as for arguments too large (dpy_encode_params) */
        return -1;
    }
    if (err) {
        dpy_os_error(text);
        return -1;
    }
    return 0;
}

/* Sends the call args (name, *params) and returns its Future; method ("call" or
 * "call_async") is the one the script called, for the errors. */
static PyObject *send_call(rpc_object *self, PyObject *args, const char *method)
{
    if (dpy_rpc_ready(self) < 0)
        return NULL;
    if (PyTuple_GET_SIZE(args) < 1) {
        PyErr_Format(PyExc_TypeError, "%s() needs the name of the function to call", method);
        return NULL;
    }
    PyObject *name = PyTuple_GET_ITEM(args, 0);
    const char *cname = dpy_name_arg(name, method);
    if (!cname)
        return NULL;
    future_object *f = PyObject_GC_New(future_object, &dpy_future_type);
    if (!f)
        return NULL;
    f->rpc = NULL;
    f->name = NULL;
    f->done = 1; /* nothing to drop until the request is out */
    f->joining = 0;
    f->result = f->error = NULL;
    PyObject *params = PyTuple_GetSlice(args, 1, PyTuple_GET_SIZE(args));
    f->fargs = params ? PySequence_List(params) : NULL;
    Py_XDECREF(params);
    if (!f->fargs || send_message(self, "call", cname, args, &f->f) < 0) {
        Py_DECREF(f);
        return NULL;
    }
    Py_INCREF(self);
    f->rpc = self;
    Py_INCREF(name);
    f->name = name;
    f->done = 0;
    PyObject_GC_Track(f);
    return (PyObject *)f;
}

static PyObject *rpc_call_async(rpc_object *self, PyObject *args)
{
    return send_call(self, args, "call_async");
}

static PyObject *rpc_call(rpc_object *self, PyObject *args, PyObject *kwargs)
{
    double timeout = 0;
    if (kwargs) {
        PyObject *t = PyDict_GetItemString(kwargs, "timeout");
        if (PyDict_GET_SIZE(kwargs) != (t ? 1 : 0)) {
            PyErr_SetString(PyExc_TypeError, "call() takes only timeout= as a keyword argument");
            return NULL;
        }
        if (dpy_timeout_arg(t, &timeout) < 0)
            return NULL;
    }
    PyObject *f = send_call(self, args, "call");
    if (!f)
        return NULL;
    PyObject *r = dpy_future_join_ms((future_object *)f, timeout);
    Py_DECREF(f); /* a call that timed out is forgotten: its late answer is dropped */
    return r;
}

static PyObject *rpc_notify(rpc_object *self, PyObject *args)
{
    if (dpy_rpc_ready(self) < 0)
        return NULL;
    if (PyTuple_GET_SIZE(args) < 1) {
        PyErr_SetString(PyExc_TypeError, "notify() needs the name of the function to notify");
        return NULL;
    }
    const char *cname = dpy_name_arg(PyTuple_GET_ITEM(args, 0), "notify");
    if (!cname || send_message(self, "notify", cname, args, NULL) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *rpc_close(rpc_object *self, PyObject *unused)
{
    (void)unused;
    dpy_close_engine(self);
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
    dpy_close_engine(self);
    Py_RETURN_FALSE;
}

static PyObject *rpc_get_streaming(rpc_object *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->streaming);
}

static PyMethodDef rpc_methods[] = {
    {"bind", (PyCFunction)(void (*)(void))rpc_bind, METH_VARARGS | METH_KEYWORDS,
     "bind(name, obj): serve obj (a callable) under name; for an object of a class of yours or a module, each "
     "public function as \"name.function\"; TypeError for anything else."},
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
    {"read", (PyCFunction)(void (*)(void))dpy_rpc_read, METH_VARARGS | METH_KEYWORDS,
     "read(size=-1, timeout=0): the M4's stream text that has arrived (bytes), waiting up to timeout ms for some."},
    {"available", (PyCFunction)dpy_rpc_available, METH_NOARGS, "available(): bytes of the M4's stream text waiting."},
    {"write", (PyCFunction)dpy_rpc_write, METH_O, "write(data): send bytes or str on the stream to the M4."},
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

PyTypeObject dpy_rpc_type = {
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

/* future.c - msgpackrpc.Future: the answer to a call_async(), to join(). */
#include "pymodule.h"

#include <stdio.h>
#include <string.h>

#include "convert.h"

/* A Future may be part of a cycle (an object bound to the rpc keeps the futures of its
 * calls: rpc -> binding -> object -> future -> rpc): the collector has to see through it. */
static int future_traverse(future_object *f, visitproc visit, void *arg)
{
    Py_VISIT((PyObject *)f->rpc);
    Py_VISIT(f->name);
    Py_VISIT(f->fargs);
    Py_VISIT(f->result);
    Py_VISIT(f->error);
    return 0;
}

/* The result (a list that holds the future) may close a cycle; the rpc is kept for the drop in
 * dealloc, and a cycle through it is broken by its own clear (its bindings). */
static int future_clear(future_object *f)
{
    Py_CLEAR(f->fargs);
    Py_CLEAR(f->result);
    Py_CLEAR(f->error);
    return 0;
}

static void future_dealloc(future_object *f)
{
    PyObject_GC_UnTrack(f);
    if (!f->done && f->rpc) {
        dpy_engine *e = f->rpc->e;
        Py_BEGIN_ALLOW_THREADS
        duet_future_drop(&e->rpc, &f->f);
        Py_END_ALLOW_THREADS
    }
    Py_XDECREF(f->rpc);
    Py_XDECREF(f->name);
    Py_XDECREF(f->fargs);
    Py_XDECREF(f->result);
    Py_XDECREF(f->error);
    PyObject_GC_Del(f);
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
        PyObject *error = dpy_text(text, strlen(text)); /* as MicroPython: OSError(the remote error) */
        if (error)
            PyErr_SetObject(PyExc_OSError, error);
        Py_XDECREF(error);
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

/* The outcome of a finished call, again. A failure is raised as a new exception of the
 * same type and arguments: raising the stored one again would add to its traceback (and
 * set its __context__) at every join. */
static PyObject *future_outcome(future_object *f)
{
    if (f->result) {
        Py_INCREF(f->result);
        return f->result;
    }
    if (f->error) {
        PyObject *args = PyObject_GetAttrString(f->error, "args");
        if (args) {
            PyErr_SetObject((PyObject *)Py_TYPE(f->error), args);
            Py_DECREF(args);
        }
        return NULL;
    }
    return dpy_os_error("join: this call was never sent");
}

/* Takes the answer if it is there (the GIL released): DUET_ERR_AGAIN if not yet, else the
 * call's outcome (the result in buf, len bytes; an error's text in text). */
static int future_take(future_object *f, uint8_t *buf, size_t cap, size_t *len, char *text, size_t text_cap)
{
    dpy_engine *e = f->rpc->e;
    int err;
    Py_BEGIN_ALLOW_THREADS
    dpy_lock(e);
    err = duet_future_poll(&e->rpc, &f->f);
    if (err != DUET_ERR_AGAIN) {
        /* Done (or failed): take it without waiting. */
        err = duet_future_wait_raw(&e->rpc, &f->f, 1, buf, cap, len);
        if (err == DUET_ERR_LINK_DOWN)
            dpy_engine_why(e, text, text_cap);
        else if (err)
            snprintf(text, text_cap, "%s", duet_rpc_error_text(&e->rpc));
    }
    dpy_unlock(e);
    Py_END_ALLOW_THREADS
    return err;
}

/* Several threads may join one future: one at a time takes the answer (joining), the others
 * wait and then return what it took. */
PyObject *dpy_future_join_ms(future_object *f, double timeout)
{
    if (f->done)
        return future_outcome(f);
    dpy_engine *e = f->rpc->e;
    size_t cap = dpy_engine_result_size();
    uint8_t *buf = PyMem_Malloc(cap);
    if (!buf)
        return PyErr_NoMemory();
    char text[DUET_RPC_ERROR_TEXT + 600];
    uint32_t start = dpy_now_ms();
    PyObject *r = NULL;
    for (;;) {
        if (f->done) {
            r = future_outcome(f);
            break;
        }
        if (!f->joining) {
            size_t len = 0;
            f->joining = 1;
            int err = future_take(f, buf, cap, &len, text, sizeof text);
            f->joining = 0;
            if (err != DUET_ERR_AGAIN) {
                r = future_finish(f, err, buf, len, text);
                dpy_engine_wake(e); /* the other joiners return it now */
                break;
            }
        }
        uint32_t chunk = dpy_next_chunk(start, timeout);
        if (!chunk) {
            /* As MicroPython; the future stays valid, join again to keep waiting. */
            PyErr_Format(PyExc_OSError, "Timeout joining function %U", f->name);
            break;
        }
        Py_BEGIN_ALLOW_THREADS
        dpy_engine_wait(e, chunk);
        Py_END_ALLOW_THREADS
        if (PyErr_CheckSignals() < 0)
            break;
    }
    PyMem_Free(buf);
    return r;
}

static PyObject *future_join(future_object *f, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"timeout", NULL};
    PyObject *timeout_obj = NULL;
    double timeout = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:join", names, &timeout_obj) ||
        dpy_timeout_arg(timeout_obj, &timeout) < 0)
        return NULL;
    return dpy_future_join_ms(f, timeout);
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

static PyObject *future_get_fargs(future_object *f, void *closure)
{
    (void)closure;
    if (!f->fargs) /* cleared by the collector */
        return PyList_New(0);
    Py_INCREF(f->fargs);
    return f->fargs;
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
    {"fargs", (getter)future_get_fargs, NULL, "The call's arguments, a list.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject dpy_future_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "msgpackrpc.Future",
    .tp_basicsize = sizeof(future_object),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The answer to a call_async(), to join().",
    .tp_dealloc = (destructor)future_dealloc,
    .tp_traverse = (traverseproc)future_traverse,
    .tp_clear = (inquiry)future_clear,
    .tp_methods = future_methods,
    .tp_getset = future_getset,
};

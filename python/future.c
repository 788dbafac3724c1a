/* future.c - msgpackrpc.Future: the answer to a call_async(), to join(). */
#include "pymodule.h"

#include <stdio.h>

#include "convert.h"

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

PyObject *dpy_future_join_ms(future_object *f, double timeout)
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
        return dpy_os_error("join: this call was never sent");
    }
    dpy_engine *e = f->rpc->e;
    size_t cap = dpy_engine_result_size();
    uint8_t *buf = PyMem_Malloc(cap);
    if (!buf)
        return PyErr_NoMemory();
    char text[DUET_RPC_ERROR_TEXT + 600];
    uint32_t start = dpy_now_ms();
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
        uint32_t chunk = dpy_next_chunk(start, timeout);
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

PyTypeObject dpy_future_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "msgpackrpc.Future",
    .tp_basicsize = sizeof(future_object),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The answer to a call_async(), to join().",
    .tp_dealloc = (destructor)future_dealloc,
    .tp_methods = future_methods,
    .tp_getset = future_getset,
};

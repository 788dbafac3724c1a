/* stream.c - the MsgPackRPC methods over the "raw" stream: read, available, write. */
#include "pymodule.h"

/* Whether the stream holds text not read yet: what the M4 sent before it stopped stays
 * readable, until close(). */
static bool stream_has_text(rpc_object *self)
{
    if (!self->e->stream_up || atomic_load(&self->e->stop))
        return false;
    bool some;
    Py_BEGIN_ALLOW_THREADS
    dpy_lock(self->e);
    some = duet_stream_available(&self->e->stream) > 0;
    dpy_unlock(self->e);
    Py_END_ALLOW_THREADS
    return some;
}

/* For write(): the link up and the M4's "raw" endpoint there. */
static int check_stream(rpc_object *self)
{
    if (dpy_check_up(self) < 0)
        return -1;
    if (self->e->stream_up)
        return 0;
    dpy_os_error("no stream from the M4: start() with num_channels=2 to have its \"raw\" endpoint");
    return -1;
}

/* For read() and available(): as for write(), or text left from an M4 that stopped. */
static int check_stream_to_read(rpc_object *self)
{
    return stream_has_text(self) ? 0 : check_stream(self);
}

PyObject *dpy_rpc_read(rpc_object *self, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"size", "timeout", NULL};
    Py_ssize_t size = -1;
    PyObject *timeout_obj = NULL;
    double timeout = 0;
    if (dpy_rpc_ready(self) < 0 || !PyArg_ParseTupleAndKeywords(args, kwargs, "|nO:read", names, &size, &timeout_obj) ||
        dpy_timeout_arg(timeout_obj, &timeout) < 0 || check_stream_to_read(self) < 0)
        return NULL;
    /* The stream keeps at most DPY_STREAM_RX bytes: a larger size could never be filled, and
     * its buffer is allocated before anything is read. */
    size_t cap = size < 0 || (size_t)size > DPY_STREAM_RX ? DPY_STREAM_RX : (size_t)size;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)cap);
    if (!out)
        return NULL;
    size_t got = 0;
    uint32_t start = dpy_now_ms();
    for (;;) {
        Py_BEGIN_ALLOW_THREADS
        dpy_lock(self->e);
        if (duet_stream_available(&self->e->stream))
            got = duet_stream_read_bytes(&self->e->stream, PyBytes_AS_STRING(out), cap);
        dpy_unlock(self->e);
        Py_END_ALLOW_THREADS
        if (got || cap == 0 || timeout <= 0)
            break;
        uint32_t chunk = dpy_next_chunk(start, timeout);
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

PyObject *dpy_rpc_available(rpc_object *self, PyObject *unused)
{
    (void)unused;
    if (dpy_rpc_ready(self) < 0 || check_stream_to_read(self) < 0)
        return NULL;
    size_t n;
    Py_BEGIN_ALLOW_THREADS
    dpy_lock(self->e);
    n = duet_stream_available(&self->e->stream);
    dpy_unlock(self->e);
    Py_END_ALLOW_THREADS
    return PyLong_FromSize_t(n);
}

/* Raises the OSError of a write() that took n of len bytes and failed with err: bytes taken
 * are sent or gathered (a gathered one goes out with a later flush), the rest are not. */
static PyObject *write_failed(size_t n, Py_ssize_t len, int err)
{
    const char *slow = "sending timed out (the M4 does not read its stream fast enough)";
    if (n < (size_t)len && err == DUET_ERR_TIMEOUT)
        PyErr_Format(PyExc_OSError, "write: %zu of %zd bytes were taken before %s; the rest was not taken", n, len,
                     slow);
    else if (n < (size_t)len)
        PyErr_Format(PyExc_OSError, "write: %zu of %zd bytes were taken: %s", n, len, duet_strerror(err));
    else if (err == DUET_ERR_TIMEOUT)
        PyErr_Format(PyExc_OSError, "write: the %zd bytes were taken, but %s: they go out once it reads", len, slow);
    else
        PyErr_Format(PyExc_OSError, "write: the %zd bytes were taken, but not sent: %s", len, duet_strerror(err));
    return NULL;
}

PyObject *dpy_rpc_write(rpc_object *self, PyObject *arg)
{
    if (dpy_rpc_ready(self) < 0 || check_stream(self) < 0)
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
    if (n < (size_t)view.len || err)
        return write_failed(n, view.len, n < (size_t)view.len ? duet_stream_error(&self->e->stream) : err);
    return PyLong_FromSize_t(n);
}

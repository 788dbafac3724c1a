/* helpers.c - small things the parts of the msgpackrpc module share. */
#include "pymodule.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "convert.h"

PyObject *dpy_os_error(const char *text)
{
    PyErr_SetString(PyExc_OSError, text);
    return NULL;
}

/* Milliseconds from a Python number; <= 0 means "no limit" (as MicroPython's 0). */
int dpy_timeout_arg(PyObject *obj, double *ms)
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
    if (isnan(*ms)) { /* it compares false with every limit: it would wait forever */
        PyErr_SetString(PyExc_ValueError, "timeout must be a number of milliseconds, not NaN");
        return -1;
    }
    return 0;
}

uint32_t dpy_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* The next wait in a loop that checks signals: at most SIGNAL_CHECK_MS, at most what is left.
 * Returns 0 when the time (limit ms from start, <= 0: none) is up. */
uint32_t dpy_next_chunk(uint32_t start, double limit)
{
    if (limit <= 0)
        return SIGNAL_CHECK_MS;
    uint32_t elapsed = dpy_now_ms() - start;
    if ((double)elapsed >= limit)
        return 0;
    double left = limit - (double)elapsed;
    return left < SIGNAL_CHECK_MS ? (uint32_t)left + 1 : SIGNAL_CHECK_MS;
}

int dpy_check_up(rpc_object *self)
{
    if (atomic_load(&self->e->state) == DPY_UP)
        return 0;
    char why[600];
    Py_BEGIN_ALLOW_THREADS
    dpy_engine_why(self->e, why, sizeof why);
    Py_END_ALLOW_THREADS
    dpy_os_error(why);
    return -1;
}

/* The name argument as UTF-8 (valid while the object lives). duet's names end at a NUL:
 * one inside would send (or bind) another name. */
const char *dpy_name_arg(PyObject *name, const char *what)
{
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "%s: the function name must be a str, not %s", what, Py_TYPE(name)->tp_name);
        return NULL;
    }
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(name, &len);
    if (s && strlen(s) != (size_t)len) {
        PyErr_Format(PyExc_ValueError, "%s: the function name holds a NUL character", what);
        return NULL;
    }
    return s;
}

/* Encodes args[first..] as a params array into buf (cap bytes). Returns its length or -1. */
Py_ssize_t dpy_encode_params(PyObject *args, Py_ssize_t first, const char *verb, const char *name, uint8_t *buf,
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

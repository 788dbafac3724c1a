/* module.c - msgpackrpc: MicroPython's msgpack-RPC module for CPython, on duet's C core
 * (docs/python.md). The module itself, and helpers for the emulated board. */
#include "pymodule.h"

#include "convert.h"
#include "duet/posix/board.h"

/* ------------------------------------------------------------ the board, for tests and tools */

static PyObject *board_result(int err)
{
    if (err < 0)
        return dpy_os_error(duet_posix_board_error_text());
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

/* Closes every dpy_started MsgPackRPC: registered with atexit, so that the service threads end
 * before the interpreter does. */
static PyObject *close_all(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    while (dpy_started)
        dpy_close_engine(dpy_started);
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"_board_create", board_create, METH_VARARGS, "_board_create(dir): make (or reset) an emulated board."},
    {"_board_reset", board_reset, METH_VARARGS, "_board_reset(dir): reset the board (stops its M4)."},
    {"_board_upload", board_upload, METH_VARARGS,
     "_board_upload(dir, address, program): put the M4's program in the board's flash at address."},
    {"_board_m4_pid", board_m4_pid, METH_VARARGS, "_board_m4_pid(dir): the M4's process id, 0 if none runs."},
    {"_packb", dpy_packb, METH_O, "_packb(obj): obj as MessagePack bytes, as the M4 is sent it."},
    {"_unpackb", dpy_unpackb, METH_O, "_unpackb(data): the MessagePack value data holds, as the M4's is read."},
    {"_close_all", close_all, METH_NOARGS, "Closes every dpy_started MsgPackRPC (run at exit)."},
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
    if (PyType_Ready(&dpy_rpc_type) < 0 || PyType_Ready(&dpy_future_type) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    Py_INCREF(&dpy_rpc_type);
    Py_INCREF(&dpy_future_type);
    if (PyModule_AddObject(m, "MsgPackRPC", (PyObject *)&dpy_rpc_type) < 0 ||
        PyModule_AddObject(m, "Future", (PyObject *)&dpy_future_type) < 0 || dpy_convert_init(m) < 0)
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

/* handlers.c - Python callables the M4 calls: bind, and the handler every call runs through. */
#include "pymodule.h"

#include <stdio.h>
#include <string.h>

#include "convert.h"

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

/* Unlinks and frees the binding of b's name older than b (duet forgot it when b was bound).
 * Its callable is released last: that may run Python code. */
static void drop_older(binding *b)
{
    for (binding **p = &b->next; *p; p = &(*p)->next) {
        if (strcmp((*p)->name, b->name) == 0) {
            binding *old = *p;
            PyObject *fn = old->fn;
            *p = old->next;
            PyMem_RawFree(old);
            Py_XDECREF(fn);
            return;
        }
    }
}

/* Binds fn under name (replacing what was bound there). 0, or -1 with an exception. */
int dpy_bind_one(rpc_object *self, const char *name, PyObject *fn)
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
    drop_older(b);
    return 0;
}

/* Whether obj is something whose functions bind() binds: an instance of a class written in
 * Python (a heap type) or a module. Built-in values (an int, a str, a list, None) are not:
 * their methods are the type's, nothing a caller means to serve. */
static bool has_bindable_functions(PyObject *obj)
{
    return PyModule_Check(obj) || (Py_TYPE(obj)->tp_flags & Py_TPFLAGS_HEAPTYPE);
}

/* Whether obj's class (or a base) has key as a descriptor that computes a value when read
 * (a property, a cached_property): reading it would run its getter while binding, and what
 * it gives is no method of the class. Functions, staticmethods and classmethods are not. */
static bool is_property(PyObject *obj, PyObject *key)
{
    PyObject *attr = _PyType_Lookup(Py_TYPE(obj), key); /* borrowed; no code runs */
    if (!attr || !Py_TYPE(attr)->tp_descr_get || PyCallable_Check(attr))
        return false;
    return !PyObject_TypeCheck(attr, &PyClassMethod_Type);
}

/* Binds attribute key of obj as "name.key" if it is a public function (callable, not a
 * class). @retval 1 bound, 0 not a public function, -1 error (exception set). */
static int bind_attribute(rpc_object *self, const char *name, PyObject *obj, PyObject *key)
{
    const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
    if (!k) {
        PyErr_Clear();
        return 0;
    }
    if (k[0] == '_' || is_property(obj, key))
        return 0;
    PyObject *fn = PyObject_GetAttr(obj, key);
    if (!fn) {
        PyErr_Clear(); /* listed by dir() but not there (a property that raises) */
        return 0;
    }
    int r = 0;
    if (PyCallable_Check(fn) && !PyType_Check(fn)) {
        PyObject *full = PyUnicode_FromFormat("%s.%s", name, k);
        const char *cfull = full ? PyUnicode_AsUTF8(full) : NULL;
        r = cfull && dpy_bind_one(self, cfull, fn) == 0 ? 1 : -1;
        Py_XDECREF(full);
    }
    Py_DECREF(fn);
    return r;
}

/* Binds every public function of obj as "name.function": what dir(obj) lists that is
 * callable, not a class, and does not start with '_' (the methods of its class and its
 * bases, callables set on the object itself, a module's functions). */
int dpy_bind_object(rpc_object *self, const char *name, PyObject *obj)
{
    const char *tname = Py_TYPE(obj)->tp_name;
    if (!has_bindable_functions(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "bind('%s', obj): obj is %s %s, which is neither callable nor an object whose functions can be "
                     "bound (give a function, a method, a callable object, an instance of a class of yours, or a "
                     "module)",
                     name, strchr("aeiouAEIOU", tname[0]) ? "an" : "a", tname);
        return -1;
    }
    PyObject *names = PyObject_Dir(obj);
    if (!names)
        return -1;
    int bound = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(names); i++) {
        int r = bind_attribute(self, name, obj, PyList_GET_ITEM(names, i));
        if (r < 0) {
            Py_DECREF(names);
            return -1;
        }
        bound += r;
    }
    Py_DECREF(names);
    if (!bound) {
        PyErr_Format(PyExc_TypeError, "bind('%s', obj): obj (%s %s) has no public functions to bind", name,
                     strchr("aeiouAEIOU", tname[0]) ? "an" : "a", tname);
        return -1;
    }
    return 0;
}

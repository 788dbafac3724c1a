/* convert.c - Python values to MessagePack and back. */
#include "convert.h"

#include <stdio.h>
#include <string.h>

static PyObject *ext_type;            /* msgpackrpc.Ext */
static PyObject *invalid_string_type; /* msgpackrpc.InvalidString */

/* InvalidString as the board's msgpack.InvalidString: a str from the M4 that is not UTF-8
 * holds its bytes in one (u-msgpack's allow_invalid_utf8, on by default in Arduino's copy).
 * Ext as the board's msgpack.Ext: made only of an int type from -128 to 127 and bytes data
 * (the same errors), shown by str() as "Ext Object (Type: 5, Data: 0x61 0x62)". A named
 * tuple underneath, so that type and data are its fields and it compares and hashes by
 * value. tuple.__new__ still makes any tuple an Ext: the encoder checks again. */
static const char ext_source[] =
    "class Ext(_ExtFields):\n"
    "    'Ext(type, data): a MessagePack ext value; type an int from -128 to 127, data bytes.'\n"
    "    __slots__ = ()\n"
    "    def __new__(cls, type, data):\n"
    "        if not isinstance(type, int):\n"
    "            raise TypeError('ext type is not type integer')\n"
    "        if not -128 <= type <= 127:\n"
    "            raise ValueError('ext type value %d is out of range (-128 to 127)' % type)\n"
    "        if not isinstance(data, bytes):\n"
    "            raise TypeError(\"ext data is not type 'bytes'\")\n"
    "        return _ExtFields.__new__(cls, type, data)\n"
    "    def __str__(self):\n"
    "        shown = ' '.join('0x%02x' % b for b in self.data[:8])\n"
    "        more = ' ...' if len(self.data) > 8 else ''\n"
    "        return 'Ext Object (Type: %d, Data: %s%s)' % (self.type, shown, more)\n"
    "class InvalidString(bytes):\n"
    "    'Subclass of bytes to hold invalid UTF-8 strings.'\n"
    "    __slots__ = ()\n";

/* The named tuple (type, data) the Ext class is made on. */
static PyObject *ext_fields(PyObject *module)
{
    PyObject *collections = PyImport_ImportModule("collections");
    if (!collections)
        return NULL;
    PyObject *namedtuple = PyObject_GetAttrString(collections, "namedtuple");
    Py_DECREF(collections);
    PyObject *args = namedtuple ? Py_BuildValue("(ss)", "Ext", "type data") : NULL;
    PyObject *kwargs = args ? Py_BuildValue("{sN}", "module", PyModule_GetNameObject(module)) : NULL;
    PyObject *fields = kwargs ? PyObject_Call(namedtuple, args, kwargs) : NULL;
    Py_XDECREF(namedtuple);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    return fields;
}

/* Adds a type to module, which holds a reference of its own. */
static int add_type(PyObject *module, const char *name, PyObject *type)
{
    Py_INCREF(type);
    if (PyModule_AddObject(module, name, type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

int dpy_convert_init(PyObject *module)
{
    PyObject *fields = ext_fields(module);
    PyObject *ns = fields ? PyDict_New() : NULL;
    PyObject *name = ns ? PyModule_GetNameObject(module) : NULL;
    PyObject *done = NULL;
    if (name && PyDict_SetItemString(ns, "__name__", name) == 0 &&
        PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) == 0 &&
        PyDict_SetItemString(ns, "_ExtFields", fields) == 0)
        done = PyRun_String(ext_source, Py_file_input, ns, ns);
    ext_type = done ? PyDict_GetItemString(ns, "Ext") : NULL; /* borrowed from ns */
    invalid_string_type = done ? PyDict_GetItemString(ns, "InvalidString") : NULL;
    Py_XINCREF(ext_type);
    Py_XINCREF(invalid_string_type);
    Py_XDECREF(done);
    Py_XDECREF(name);
    Py_XDECREF(ns);
    Py_XDECREF(fields);
    if (!ext_type || !invalid_string_type)
        return -1;
    return add_type(module, "Ext", ext_type) < 0 || add_type(module, "InvalidString", invalid_string_type) < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ encoding */

/*
 * Where a value sits: "call('led'): argument 1" plus "[2]['key']" as the encoder descends.
 * The steps are kept, and written out as text only when a value fails: the text holds
 * repr() of dict keys, and repr() of a str, int or tuple subclass is Python code, which
 * could change or free the lists and dicts the encoder walks with borrowed references
 * (a key whose repr() empties its dict freed the key being encoded). Each step holds a
 * reference to its key, so that keys stay alive while the text is written.
 */
typedef struct step {
    const char *fmt;  /* "[%zd]" for a list's element; " key %s" or "[%s]" with a key's repr */
    Py_ssize_t index; /* the element's, for "[%zd]" */
    PyObject *key;    /* a new reference, for the others */
} step;

typedef struct path {
    const char *what;
    unsigned n;
    step steps[DPY_MAX_DEPTH + 1]; /* a value deeper than that fails before it descends */
} path;

/* Descends into element i of a list. */
static void path_push_index(path *p, Py_ssize_t i)
{
    p->steps[p->n++] = (step){.fmt = "[%zd]", .index = i, .key = NULL};
}

/* Descends into a dict's key (fmt " key %s") or value ("[%s]"): fmt has one %s, the key's repr. */
static void path_push_key(path *p, const char *fmt, PyObject *key)
{
    Py_INCREF(key);
    p->steps[p->n++] = (step){.fmt = fmt, .index = 0, .key = key};
}

static void path_pop(path *p)
{
    step *s = &p->steps[--p->n];
    Py_XDECREF(s->key);
}

/* The steps as text into at (cap bytes), cut where it is full. Runs repr() of the keys. */
static void path_text(const path *p, char *at, size_t cap)
{
    size_t len = 0;
    at[0] = '\0';
    for (unsigned i = 0; i < p->n && len < cap - 1; i++) {
        const step *s = &p->steps[i];
        int n;
        if (!s->key) {
            n = snprintf(at + len, cap - len, s->fmt, s->index);
        } else {
            PyObject *r = PyObject_Repr(s->key);
            const char *text = r ? PyUnicode_AsUTF8(r) : NULL;
            if (!text)
                PyErr_Clear();
            n = snprintf(at + len, cap - len, s->fmt, text ? text : "?");
            Py_XDECREF(r);
        }
        if (n > 0)
            len = len + (size_t)n < cap ? len + (size_t)n : cap - 1;
    }
}

static int fail(PyObject *type, const path *p, const char *problem)
{
    char at[160];
    path_text(p, at, sizeof at);
    PyErr_Format(type, "%s%s %s", p->what, at, problem);
    return -1;
}

static int no_form(const path *p, PyObject *obj)
{
    const char *name = Py_TYPE(obj)->tp_name;
    char at[160];
    path_text(p, at, sizeof at);
    PyErr_Format(PyExc_TypeError,
                 "%s%s is %s %s, which has no MessagePack form (MessagePack carries None, bool, int, float, str, "
                 "bytes, list, tuple, dict and msgpackrpc.Ext)",
                 p->what, at, strchr("aeiouAEIOU", name[0]) ? "an" : "a", name);
    return -1;
}

static int encode(duet_msgpack_writer *w, PyObject *obj, path *p, unsigned depth);

static int encode_int(duet_msgpack_writer *w, PyObject *obj, const path *p)
{
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (!overflow) {
        duet_msgpack_write_int(w, v);
        return 0;
    }
    if (overflow > 0) {
        unsigned long long u = PyLong_AsUnsignedLongLong(obj);
        if (!PyErr_Occurred()) {
            duet_msgpack_write_uint(w, u);
            return 0;
        }
        PyErr_Clear();
    }
    return fail(PyExc_OverflowError, p, "is an int outside MessagePack's range (-2**63 .. 2**64-1)");
}

static int encode_str(duet_msgpack_writer *w, PyObject *obj, const path *p)
{
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(obj, &len);
    if (!s) {
        PyErr_Clear();
        return fail(PyExc_ValueError, p, "is a str that cannot be UTF-8 (it holds a lone surrogate)");
    }
    duet_msgpack_write_str(w, s, (size_t)len);
    return 0;
}

static int encode_bytes(duet_msgpack_writer *w, PyObject *obj, const path *p)
{
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) {
        /* Only a memoryview refuses (a released one, ValueError; one whose bytes are not one
         * run, as memoryview(b)[::2], BufferError): a TypeError that names the value. */
        PyErr_Clear();
        return fail(PyExc_TypeError, p, "is a memoryview that is released or not contiguous, which has no MessagePack form");
    }
    duet_msgpack_write_bin(w, view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return 0;
}

static int encode_ext(duet_msgpack_writer *w, PyObject *obj, const path *p)
{
    /* Ext's own constructor makes two items, but tuple.__new__(Ext, ...) makes an Ext of any
     * length: look at the items only when both are there. */
    if (PyTuple_GET_SIZE(obj) != 2)
        return fail(PyExc_TypeError, p, "is an Ext that does not hold two items (type, data)");
    PyObject *type = PyTuple_GET_ITEM(obj, 0);
    PyObject *data = PyTuple_GET_ITEM(obj, 1);
    /* An int past a long long is out of range too (not -1, which PyLong_AsLong's overflow
     * error would have made it). */
    int overflow = 0;
    long long t = PyLong_Check(type) ? PyLong_AsLongLongAndOverflow(type, &overflow) : 1000;
    if (overflow || t < -128 || t > 127)
        return fail(PyExc_ValueError, p, "is an Ext whose type is not an int from -128 to 127");
    if (!PyBytes_Check(data))
        return fail(PyExc_TypeError, p, "is an Ext whose data is not bytes");
    duet_msgpack_write_ext(w, (int8_t)t, PyBytes_AS_STRING(data), (size_t)PyBytes_GET_SIZE(data));
    return 0;
}

static int encode_seq(duet_msgpack_writer *w, PyObject *obj, path *p, unsigned depth)
{
    Py_ssize_t n = PySequence_Fast_GET_SIZE(obj);
    if ((unsigned long long)n > 0xffffffffull)
        return fail(PyExc_ValueError, p, "is a list too long for MessagePack");
    duet_msgpack_write_array(w, (uint32_t)n);
    for (Py_ssize_t i = 0; i < n && !duet_msgpack_writer_error(w); i++) {
        path_push_index(p, i);
        int r = encode(w, PySequence_Fast_GET_ITEM(obj, i), p, depth + 1);
        path_pop(p);
        if (r < 0)
            return -1;
    }
    return 0;
}

static int encode_dict(duet_msgpack_writer *w, PyObject *obj, path *p, unsigned depth)
{
    Py_ssize_t n = PyDict_GET_SIZE(obj);
    duet_msgpack_write_map(w, (uint32_t)n);
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(obj, &pos, &key, &value) && !duet_msgpack_writer_error(w)) {
        path_push_key(p, " key %s", key);
        int r = encode(w, key, p, depth + 1);
        path_pop(p);
        if (r < 0)
            return -1;
        /* Out of room in the key: the value is not looked at either (as for a list's
         * elements), so a writer too small fails the way a large one does, or not at all. */
        if (duet_msgpack_writer_error(w))
            break;
        path_push_key(p, "[%s]", key);
        r = encode(w, value, p, depth + 1);
        path_pop(p);
        if (r < 0)
            return -1;
    }
    return 0;
}

static int encode(duet_msgpack_writer *w, PyObject *obj, path *p, unsigned depth)
{
    if (depth > DPY_MAX_DEPTH)
        return fail(PyExc_ValueError, p, "nests lists and dicts deeper than MessagePack's limit here (32 levels)");
    if (obj == Py_None) {
        duet_msgpack_write_nil(w);
        return 0;
    }
    if (PyBool_Check(obj)) {
        duet_msgpack_write_bool(w, obj == Py_True);
        return 0;
    }
    if (PyLong_Check(obj))
        return encode_int(w, obj, p);
    if (PyFloat_Check(obj)) {
        duet_msgpack_write_double(w, PyFloat_AS_DOUBLE(obj));
        return 0;
    }
    if (PyUnicode_Check(obj))
        return encode_str(w, obj, p);
    if (PyBytes_Check(obj) || PyByteArray_Check(obj) || PyMemoryView_Check(obj))
        return encode_bytes(w, obj, p);
    if (ext_type && PyObject_TypeCheck(obj, (PyTypeObject *)ext_type))
        return encode_ext(w, obj, p);
    if (PyList_Check(obj) || PyTuple_Check(obj)) {
        /* A list may not change size under us: no Python code runs while we encode (a
         * failure's text runs repr(), but nothing is looked at after it). */
        return encode_seq(w, obj, p, depth);
    }
    if (PyDict_Check(obj))
        return encode_dict(w, obj, p, depth);
    return no_form(p, obj);
}

int dpy_encode(duet_msgpack_writer *w, PyObject *obj, const char *what)
{
    path p = {.what = what, .n = 0};
    return encode(w, obj, &p, 0);
}

/* ------------------------------------------------------------ decoding */

static PyObject *bad(const char *what, const char *problem)
{
    PyErr_Format(PyExc_ValueError, "%s: %s", what, problem);
    return NULL;
}

/* Where a value is decoded: a map's key (and what it holds) must be hashable, so an array
 * there becomes a tuple, anywhere else a list. */
typedef enum { IN_VALUE, IN_KEY } place;

static PyObject *decode(duet_msgpack_reader *r, const char *what, unsigned depth, place at);

static PyObject *decode_array(duet_msgpack_reader *r, const char *what, unsigned depth, uint32_t n, place at)
{
    if (n > duet_msgpack_reader_remaining(r))
        return bad(what, "an array longer than its message (invalid MessagePack)");
    PyObject *seq = at == IN_KEY ? PyTuple_New((Py_ssize_t)n) : PyList_New((Py_ssize_t)n);
    if (!seq)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        PyObject *item = decode(r, what, depth + 1, at);
        if (!item) {
            Py_DECREF(seq);
            return NULL;
        }
        if (at == IN_KEY)
            PyTuple_SET_ITEM(seq, (Py_ssize_t)i, item);
        else
            PyList_SET_ITEM(seq, (Py_ssize_t)i, item);
    }
    return seq;
}

static PyObject *decode_map(duet_msgpack_reader *r, const char *what, unsigned depth, uint32_t n, place at)
{
    if (n > duet_msgpack_reader_remaining(r) / 2)
        return bad(what, "a map longer than its message (invalid MessagePack)");
    PyObject *dict = PyDict_New();
    if (!dict)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        PyObject *key = decode(r, what, depth + 1, IN_KEY);
        PyObject *value = key ? decode(r, what, depth + 1, at) : NULL;
        if (!value) {
            Py_XDECREF(key);
            Py_DECREF(dict);
            return NULL;
        }
        int err = PyDict_SetItem(dict, key, value);
        if (err < 0 && PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "%s: a map key of type %s, which a Python dict cannot hold", what,
                         Py_TYPE(key)->tp_name);
        }
        Py_DECREF(key);
        Py_DECREF(value);
        if (err < 0) {
            Py_DECREF(dict);
            return NULL;
        }
    }
    return dict;
}

PyObject *dpy_text(const char *s, size_t len)
{
    PyObject *str = PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "strict");
    if (str || !PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
        return str;
    PyErr_Clear();
    return PyObject_CallFunction(invalid_string_type, "y#", s, (Py_ssize_t)len);
}

static PyObject *decode(duet_msgpack_reader *r, const char *what, unsigned depth, place at)
{
    if (depth > DPY_MAX_DEPTH)
        return bad(what, "arrays and maps nested deeper than 32 levels");
    duet_msgpack_token t;
    if (!duet_msgpack_read_token(r, &t)) {
        PyErr_Format(PyExc_ValueError, "%s: not valid MessagePack (%s)", what,
                     duet_strerror(duet_msgpack_reader_error(r)));
        return NULL;
    }
    switch (t.type) {
    case DUET_MSGPACK_NIL: Py_RETURN_NONE;
    case DUET_MSGPACK_BOOL: return PyBool_FromLong(t.v.b);
    case DUET_MSGPACK_UINT: return PyLong_FromUnsignedLongLong(t.v.u);
    case DUET_MSGPACK_INT: return PyLong_FromLongLong(t.v.i);
    case DUET_MSGPACK_FLOAT32: return PyFloat_FromDouble((double)t.v.f);
    case DUET_MSGPACK_FLOAT64: return PyFloat_FromDouble(t.v.d);
    case DUET_MSGPACK_STR: return dpy_text((const char *)t.v.bytes.ptr, t.v.bytes.len);
    case DUET_MSGPACK_BIN: return PyBytes_FromStringAndSize((const char *)t.v.bytes.ptr, (Py_ssize_t)t.v.bytes.len);
    case DUET_MSGPACK_ARRAY: return decode_array(r, what, depth, t.v.count, at);
    case DUET_MSGPACK_MAP: return decode_map(r, what, depth, t.v.count, at);
    case DUET_MSGPACK_EXT:
        return PyObject_CallFunction(ext_type, "iy#", (int)t.v.bytes.ext_type, (const char *)t.v.bytes.ptr,
                                     (Py_ssize_t)t.v.bytes.len);
    default: return bad(what, "not a MessagePack value");
    }
}

PyObject *dpy_decode(duet_msgpack_reader *r, const char *what)
{
    return decode(r, what, 0, IN_VALUE);
}

PyObject *dpy_decode_bytes(const void *data, size_t len, const char *what)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, data, len);
    PyObject *v = decode(&r, what, 0, IN_VALUE);
    if (v && duet_msgpack_reader_remaining(&r)) {
        Py_DECREF(v);
        return bad(what, "more bytes after the value (invalid MessagePack)");
    }
    return v;
}

/* The largest packb() output: past it a value is refused (MemoryError). */
#define PACKB_MAX ((size_t)1 << 26)

PyObject *dpy_packb(PyObject *module, PyObject *obj)
{
    (void)module;
    for (size_t cap = 256;; cap *= 2) {
        uint8_t *buf = PyMem_Malloc(cap);
        if (!buf)
            return PyErr_NoMemory();
        duet_msgpack_writer w;
        duet_msgpack_writer_init(&w, buf, cap);
        PyObject *r = NULL;
        int err = dpy_encode(&w, obj, "packb: the value");
        if (err == 0 && duet_msgpack_writer_error(&w) == DUET_OK)
            r = PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)duet_msgpack_writer_size(&w));
        PyMem_Free(buf);
        if (err < 0 || r)
            return r;
        if (duet_msgpack_writer_error(&w) != DUET_ERR_NOSPACE || cap >= PACKB_MAX)
            return PyErr_Format(PyExc_MemoryError, "packb: the value takes more than %zu bytes", (size_t)PACKB_MAX);
    }
}

PyObject *dpy_unpackb(PyObject *module, PyObject *data)
{
    (void)module;
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    PyObject *v = dpy_decode_bytes(view.buf, (size_t)view.len, "unpackb: the data");
    PyBuffer_Release(&view);
    return v;
}

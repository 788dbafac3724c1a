/*
 * fuzz_python_convert.c - libFuzzer target for the Python module's MessagePack <-> Python
 * conversion (python/convert.c): what the other core sends is untrusted, and what a Python
 * program hands to call() may be any object; a mistake in either direction crashes the
 * user's interpreter. The target embeds CPython (initialised once, with Python's memory
 * allocated by malloc so that AddressSanitizer sees reads and writes of Python objects too)
 * and makes msgpackrpc.Ext with dpy_convert_init on a module of its own.
 *
 * Every input goes through two walks:
 *
 *   A. The input as one MessagePack value, read with dpy_decode_bytes.
 *      1. It returns an object with no exception set, or NULL with one set: never both,
 *         never neither. A failure is a ValueError whose message starts with the `what`
 *         given, and its kind is the first problem a reader meets in reading order, as
 *         scan() finds it on its own (its own depth count): invalid
 *         MessagePack (a bad or cut token, an array or map header that counts more elements
 *         than bytes remain, bytes after the value), nesting too deep, or a map key that is a map or
 *         holds one at any depth (a dict, or a tuple holding one, which Python cannot hash;
 *         checked after the key's and the value's own contents). Each kind is recognised by
 *         its message.
 *      2. Depth: a value inside more than DPY_MAX_DEPTH arrays and maps is refused with that
 *         ValueError (found by scan() before the decoder recurses further).
 *      3. A value that decodes is the input's value, element by element (check_decoded):
 *         nil None, bool the same bool, integers an exact int of the same value, a float32
 *         a float of the same value (bit for bit, NaN payloads included), float64 the same
 *         bits, str the same UTF-8 or, when it is not strict UTF-8 (its own check:
 *         surrogates and overlong forms are not), an InvalidString (the board's bytes
 *         subclass) of its bytes, bin bytes, ext an Ext(int type, bytes), array a list
 *         (a tuple in a map's key, and so are the arrays inside that key).
 *         Duplicate map keys: a dict is what inserting every pair in order gives, with
 *         Python's equality (1, 1.0 and True are one key): the first key object stays, in
 *         the first key's place, with the last value given for it. check_decoded builds
 *         that list of pairs itself (decoding each key and value on its own) and compares
 *         it, in order, with the dict.
 *      4. Round trip: dpy_encode of the object into a writer of twice the input's size
 *         (a float32 growing to a float64 is the most a value grows) succeeds; decoding
 *         those bytes gives an object the same as the first (same types, floats bit for
 *         bit, dicts in the same order); encoding that gives the same bytes again.
 *      5. Short writers: dpy_encode into a buffer of every size below the encoding's length
 *         (a sample of them for long encodings), allocated to exactly that size, returns 0
 *         with the writer's error DUET_ERR_NOSPACE (never success, never an exception), has
 *         written no more than fits, and what it wrote is a prefix of the whole encoding.
 *
 *   B. The input as a small program (run_program) that builds Python objects on a stack:
 *      None, bools, ints of any size (beyond 64 bits, negative), floats from any bits (and
 *      from float32s), str with lone surrogates, bytes, bytearray, memoryviews (contiguous,
 *      strided, cast, released), lists, tuples, dicts (with any hashable keys, int/str/dict
 *      subclasses among them), Ext (well formed, with a bad type or data, of the wrong
 *      length), objects with no MessagePack form (set, object(), complex, ...), values
 *      nested as deep as wanted and lists and dicts that hold themselves. Every object left
 *      on the stack is encoded:
 *      1. dpy_encode into a large writer returns 0 or -1 with an exception set (never both,
 *         never neither). expect() predicts, on its own, the first problem in encoding
 *         order: a value inside more than DPY_MAX_DEPTH lists and dicts (ValueError), an int
 *         outside -2**63 .. 2**64-1 (OverflowError), a str with a lone surrogate
 *         (ValueError), a memoryview that is released or not contiguous (TypeError), an Ext
 *         whose type is not an int in -128..127 (ValueError), whose data is not bytes or
 *         that does not hold two items (TypeError), any other type (TypeError). The
 *         exception is of that type, its message starts with `what` and names the problem.
 *      2. An object that encodes decodes back to a value matching it (tuple -> list,
 *         bytearray and memoryview -> bytes, an int subclass -> int, Ext with a bool type ->
 *         Ext with an int type, floats bit for bit; a dict's tuple key -> tuple). Its bytes
 *         encode again to the same bytes.
 *      3. Short writers, as in A.5, with one more outcome allowed for an object that fails:
 *         -1 with the same exception, when the problem comes before the room runs out.
 *      4. No Python code runs while a value encodes: the key of a dict made by the program
 *         may be a HostileKey (below), whose repr() empties that dict. Its repr() may only
 *         run to write a failure's text (the encoding has then failed, -1), and nothing
 *         may break when it does; the object has then changed under the checks, so only
 *         this and B.1's result-or-exception rule are checked for it.
 *
 * Leaks: CPython is not built with AddressSanitizer, but with its objects allocated by
 * malloc LeakSanitizer sees them: what CPython keeps for the life of the process (interned
 * strings, caches) stays reachable and is not reported, so leak detection stays on, and an
 * object convert.c forgets to release is reported as a leak. Every object made here is
 * released (lists and dicts that hold themselves by the cycle collector after each input).
 * Should a CPython version ever be reported, run this target with -detect_leaks=0.
 */
#include "convert.h" /* Python.h first, as CPython asks */

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/msgpack.h"

#include "fuzz_check.h"

#define WHAT "fuzz value"

static PyObject *ext_type;     /* msgpackrpc.Ext, as dpy_convert_init made it */
static PyObject *invalid_string_type; /* msgpackrpc.InvalidString, likewise */
static PyObject *hostile_type; /* an int subclass whose repr() empties HostileKey.victim */
static PyObject *int_sub_type, *str_sub_type, *dict_sub_type, *list_sub_type;
static PyObject *constants;    /* a tuple of objects the program pushes by index */

/* ------------------------------------------------------------------ set-up */

static const char setup_code[] =
    "class HostileKey(int):\n"
    "    victim = None\n"
    "    def __repr__(self):\n"
    "        v = HostileKey.victim\n"
    "        HostileKey.victim = None\n"
    "        if v is not None:\n"
    "            v.clear()\n"
    "        return 'HostileKey'\n"
    "class IntSub(int): pass\n"
    "class StrSub(str): pass\n"
    "class DictSub(dict): pass\n"
    "class ListSub(list): pass\n"
    "released = memoryview(b'gone')\n"
    "released.release()\n"
    "constants = (None, True, False, object(), {1, 2}, frozenset(), 0.0, -0.0, float('nan'),\n"
    "             float('inf'), '', b'', 1j, range(3), Ellipsis, released)\n";

static PyObject *get_global(PyObject *globals, const char *name)
{
    PyObject *o = PyDict_GetItemString(globals, name);
    CHECK(o);
    Py_INCREF(o);
    return o;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Python's objects from malloc, not from its own arenas: AddressSanitizer then puts them
     * in guarded blocks, and a read past a tuple's items or of a freed object is reported. */
    PyPreConfig pre;
    PyPreConfig_InitIsolatedConfig(&pre);
    pre.allocator = PYMEM_ALLOCATOR_MALLOC;
    CHECK(!PyStatus_Exception(Py_PreInitialize(&pre)));
    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    CHECK(!PyStatus_Exception(Py_InitializeFromConfig(&config)));
    PyConfig_Clear(&config);

    PyObject *module = PyModule_New("msgpackrpc");
    CHECK(module);
    CHECK(dpy_convert_init(module) == 0);
    ext_type = PyObject_GetAttrString(module, "Ext");
    CHECK(ext_type);
    invalid_string_type = PyObject_GetAttrString(module, "InvalidString");
    CHECK(invalid_string_type && PyType_Check(invalid_string_type));
    Py_DECREF(module);

    PyObject *globals = PyDict_New();
    CHECK(globals);
    CHECK(PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) == 0);
    PyObject *r = PyRun_String(setup_code, Py_file_input, globals, globals);
    if (!r)
        PyErr_Print();
    CHECK(r);
    Py_DECREF(r);
    hostile_type = get_global(globals, "HostileKey");
    int_sub_type = get_global(globals, "IntSub");
    str_sub_type = get_global(globals, "StrSub");
    dict_sub_type = get_global(globals, "DictSub");
    list_sub_type = get_global(globals, "ListSub");
    constants = get_global(globals, "constants");
    Py_DECREF(globals);
    return 0;
}

/* ------------------------------------------------------------------ helpers */

/* The pending exception taken: its type (a new reference) and its message copied into msg. */
static PyObject *take_error(char *msg, size_t cap)
{
    CHECK(PyErr_Occurred());
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    msg[0] = '\0';
    PyObject *s = value ? PyObject_Str(value) : NULL;
    const char *text = s ? PyUnicode_AsUTF8(s) : NULL;
    CHECK(text);
    snprintf(msg, cap, "%s", text);
    Py_XDECREF(s);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    CHECK(!PyErr_Occurred());
    return type;
}

/* The exception must be exactly `want`, its message must start with WHAT and hold `word`. */
static void expect_error(PyObject *type, const char *msg, PyObject *want, const char *word)
{
    if (type != want || strncmp(msg, WHAT, strlen(WHAT)) != 0 || (word && !strstr(msg, word))) {
        fprintf(stderr, "got %s: %s\nwanted %s with '%s'\n", ((PyTypeObject *)type)->tp_name, msg,
                ((PyTypeObject *)want)->tp_name, word ? word : "");
        CHECK(false);
    }
}

static bool float_bits_equal(double a, double b)
{
    uint64_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    return x == y;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. */
static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

/* A bytes-like object's bytes, contiguous, as a new bytes object; NULL (no exception) when it
 * has none: a released memoryview, or one that is not C-contiguous by its own c_contiguous
 * (an empty strided view is not, though PyBuffer_IsContiguous says it is). */
static PyObject *bytes_of(PyObject *obj)
{
    if (PyBytes_Check(obj) || PyByteArray_Check(obj)) {
        Py_buffer view;
        CHECK(PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) == 0);
        PyObject *b = PyBytes_FromStringAndSize(view.buf, view.len);
        PyBuffer_Release(&view);
        CHECK(b);
        return b;
    }
    PyObject *contiguous = PyObject_GetAttrString(obj, "c_contiguous");
    if (!contiguous) {
        PyErr_Clear();
        return NULL;
    }
    Py_buffer view;
    CHECK(PyObject_GetBuffer(obj, &view, PyBUF_FULL_RO) == 0);
    PyObject *b = NULL;
    if (contiguous == Py_True) {
        b = PyBytes_FromStringAndSize(view.buf, view.len);
        CHECK(b);
    }
    PyBuffer_Release(&view);
    Py_DECREF(contiguous);
    return b;
}

static bool is_ext(PyObject *obj)
{
    return PyObject_TypeCheck(obj, (PyTypeObject *)ext_type);
}

static bool matches_at(PyObject *orig, PyObject *dec, bool in_key);

/*
 * Does dec (something dpy_decode gave) match orig after a round trip? Types as the decoder
 * gives them (list for list and tuple, but a tuple in a dict's key; bytes for every
 * bytes-like object, an exact int for an int subclass, Ext(int, bytes)), floats bit for bit,
 * dicts pair by pair in order.
 */
static bool matches(PyObject *orig, PyObject *dec)
{
    return matches_at(orig, dec, false);
}

/* matches(), for a value inside a dict's key (in_key) or not. */
static bool matches_at(PyObject *orig, PyObject *dec, bool in_key)
{
    if (orig == Py_None || PyBool_Check(orig))
        return dec == orig;
    if (PyLong_Check(orig)) {
        if (!PyLong_CheckExact(dec))
            return false;
        int eq = PyObject_RichCompareBool(orig, dec, Py_EQ);
        CHECK(eq >= 0);
        return eq;
    }
    if (PyFloat_Check(orig))
        return PyFloat_CheckExact(dec) && float_bits_equal(PyFloat_AS_DOUBLE(orig), PyFloat_AS_DOUBLE(dec));
    if (PyUnicode_Check(orig)) {
        if (!PyUnicode_CheckExact(dec))
            return false;
        /* Compared as text (not through ==, which a subclass may change). */
        return PyUnicode_Compare(orig, dec) == 0;
    }
    if (PyBytes_Check(orig) || PyByteArray_Check(orig) || PyMemoryView_Check(orig)) {
        /* An InvalidString goes out as bin (bytes back), and is one when decoded again alone. */
        bool invalid = Py_TYPE(orig) == (PyTypeObject *)invalid_string_type;
        if (!PyBytes_CheckExact(dec) && !(invalid && Py_TYPE(dec) == Py_TYPE(orig)))
            return false;
        PyObject *b = bytes_of(orig);
        CHECK(b);
        bool same = PyBytes_GET_SIZE(b) == PyBytes_GET_SIZE(dec) &&
                    memcmp(PyBytes_AS_STRING(b), PyBytes_AS_STRING(dec), (size_t)PyBytes_GET_SIZE(b)) == 0;
        Py_DECREF(b);
        return same;
    }
    if (is_ext(orig)) {
        if (Py_TYPE(dec) != (PyTypeObject *)ext_type || PyTuple_GET_SIZE(dec) != 2 ||
            !PyLong_CheckExact(PyTuple_GET_ITEM(dec, 0)))
            return false;
        return PyLong_AsLong(PyTuple_GET_ITEM(orig, 0)) == PyLong_AsLong(PyTuple_GET_ITEM(dec, 0)) &&
               matches_at(PyTuple_GET_ITEM(orig, 1), PyTuple_GET_ITEM(dec, 1), in_key);
    }
    if (PyList_Check(orig) || PyTuple_Check(orig)) {
        if (in_key ? !PyTuple_CheckExact(dec) : !PyList_CheckExact(dec))
            return false;
        PyObject *seq = PySequence_Fast(orig, "");
        CHECK(seq);
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        bool same = PySequence_Fast_GET_SIZE(dec) == n;
        for (Py_ssize_t i = 0; same && i < n; i++)
            same = matches_at(PySequence_Fast_GET_ITEM(seq, i), PySequence_Fast_GET_ITEM(dec, i), in_key);
        Py_DECREF(seq);
        return same;
    }
    if (PyDict_Check(orig)) {
        if (!PyDict_CheckExact(dec) || PyDict_GET_SIZE(dec) != PyDict_GET_SIZE(orig))
            return false;
        Py_ssize_t p1 = 0, p2 = 0;
        PyObject *k1, *v1, *k2, *v2;
        while (PyDict_Next(orig, &p1, &k1, &v1)) {
            CHECK(PyDict_Next(dec, &p2, &k2, &v2));
            if (!matches_at(k1, k2, true) || !matches_at(v1, v2, in_key))
                return false;
        }
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ writers */

/* obj encoded into a writer of cap bytes (a buffer of exactly that size): dpy_encode's result,
 * the writer's error and the bytes in out (malloc'd, *len of them). */
static int encode_into(PyObject *obj, size_t cap, uint8_t **out, size_t *len, int *werr)
{
    uint8_t *buf = malloc(cap ? cap : 1);
    CHECK(buf);
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, cap);
    int r = dpy_encode(&w, obj, WHAT);
    CHECK(r == 0 || r == -1);
    CHECK((r == -1) == (PyErr_Occurred() != NULL));
    CHECK(duet_msgpack_writer_size(&w) <= cap);
    *werr = duet_msgpack_writer_error(&w);
    *len = duet_msgpack_writer_size(&w);
    *out = buf;
    return r;
}

/*
 * Short writers: every size below full_len (a sample when it is long), the length of obj's
 * encoding. The encoder must run out of room (0 and DUET_ERR_NOSPACE) having written a
 * prefix of full. When obj cannot be encoded (err_type not NULL; full_len is then what the
 * encoder wrote before it failed), it may instead fail the same way, and must with room
 * for full_len bytes.
 */
static void check_short_writers(PyObject *obj, const uint8_t *full, size_t full_len, PyObject *err_type,
                                const char *err_msg)
{
    for (size_t cap = 0; cap < full_len + (err_type != NULL); cap++) {
        if (full_len > 200 && cap > 64 && cap + 64 < full_len && cap % (full_len / 64 + 1) != 0)
            continue;
        uint8_t *buf;
        size_t len;
        int werr;
        int r = encode_into(obj, cap, &buf, &len, &werr);
        if (r == 0) {
            CHECK(cap < full_len);
            CHECK(werr == DUET_ERR_NOSPACE);
            CHECK(memcmp(buf, full, len) == 0);
        } else {
            CHECK(err_type);
            char msg[512];
            PyObject *type = take_error(msg, sizeof msg);
            if (type != err_type || strcmp(msg, err_msg) != 0)
                fprintf(stderr, "with %zu bytes of room: %s: %s\nwith all: %s: %s\n", cap,
                        ((PyTypeObject *)type)->tp_name, msg, ((PyTypeObject *)err_type)->tp_name, err_msg);
            CHECK(type == err_type);
            CHECK(strcmp(msg, err_msg) == 0);
            Py_DECREF(type);
        }
        free(buf);
    }
}

/*
 * The round trip of obj (whose encoding is the len bytes at bytes): decoding gives a value
 * that matches it, and encoding that gives the same bytes. Every encoded value decodes: a
 * dict's key is hashable, and so is what it decodes as (a tuple key comes back a tuple).
 */
static void check_round_trip(PyObject *obj, const uint8_t *bytes, size_t len)
{
    PyObject *back = dpy_decode_bytes(bytes, len, WHAT);
    CHECK((back != NULL) != (PyErr_Occurred() != NULL));
    if (!back) {
        char msg[512];
        Py_DECREF(take_error(msg, sizeof msg));
        fprintf(stderr, "encoded value does not decode: %s\n", msg);
        CHECK(false);
    }
    CHECK(matches(obj, back));
    uint8_t *again;
    size_t again_len;
    int werr;
    CHECK(encode_into(back, len, &again, &again_len, &werr) == 0);
    CHECK(werr == DUET_OK);
    CHECK(again_len == len && memcmp(again, bytes, len) == 0);
    free(again);
    Py_DECREF(back);
}

/* ------------------------------------------------------------------ walk A: decoding */

enum problem { P_OK, P_INVALID, P_DEPTH, P_KEY };

/* The first problem of the value at r (nested in depth arrays and maps), read in order;
 * *has_map: it is a map or holds one (a map key that does cannot be hashed: its arrays
 * decode as tuples, but a map as a dict). */
static enum problem scan(duet_msgpack_reader *r, unsigned depth, bool *has_map)
{
    if (depth > DPY_MAX_DEPTH)
        return P_DEPTH;
    duet_msgpack_token t;
    if (!duet_msgpack_read_token(r, &t))
        return P_INVALID;
    *has_map = t.type == DUET_MSGPACK_MAP;
    bool sub = false;
    switch (t.type) {
    case DUET_MSGPACK_ARRAY:
        if (t.v.count > duet_msgpack_reader_remaining(r))
            return P_INVALID;
        for (uint32_t i = 0; i < t.v.count; i++) {
            enum problem p = scan(r, depth + 1, &sub);
            if (p != P_OK)
                return p;
            *has_map = *has_map || sub;
        }
        return P_OK;
    case DUET_MSGPACK_MAP:
        if (t.v.count > duet_msgpack_reader_remaining(r) / 2)
            return P_INVALID;
        for (uint32_t i = 0; i < t.v.count; i++) {
            enum problem p = scan(r, depth + 1, &sub);
            if (p != P_OK)
                return p;
            bool unhashable = sub;
            p = scan(r, depth + 1, &sub);
            if (p != P_OK)
                return p;
            if (unhashable)
                return P_KEY;
        }
        return P_OK;
    default: return P_OK;
    }
}

/* The value at r (which decoded without error) is obj, element by element; r moves past it. */
static void check_decoded(duet_msgpack_reader *r, PyObject *obj)
{
    duet_msgpack_token t;
    CHECK(duet_msgpack_read_token(r, &t));
    switch (t.type) {
    case DUET_MSGPACK_NIL: CHECK(obj == Py_None); break;
    case DUET_MSGPACK_BOOL: CHECK(obj == (t.v.b ? Py_True : Py_False)); break;
    case DUET_MSGPACK_UINT:
    case DUET_MSGPACK_INT: { /* compared as Python ints: no C conversion that could wrap */
        PyObject *want = t.type == DUET_MSGPACK_UINT ? PyLong_FromUnsignedLongLong(t.v.u) : PyLong_FromLongLong(t.v.i);
        CHECK(want && PyLong_CheckExact(obj));
        CHECK(PyObject_RichCompareBool(obj, want, Py_EQ) == 1);
        Py_DECREF(want);
        break;
    }
    case DUET_MSGPACK_FLOAT32:
        CHECK(PyFloat_CheckExact(obj) && float_bits_equal(PyFloat_AS_DOUBLE(obj), (double)t.v.f));
        break;
    case DUET_MSGPACK_FLOAT64:
        CHECK(PyFloat_CheckExact(obj) && float_bits_equal(PyFloat_AS_DOUBLE(obj), t.v.d));
        break;
    case DUET_MSGPACK_STR: {
        Py_ssize_t len = 0;
        const char *s = NULL;
        if (utf8_valid(t.v.bytes.ptr, t.v.bytes.len)) /* a str; else the board's bytes subclass */
            s = PyUnicode_CheckExact(obj) ? PyUnicode_AsUTF8AndSize(obj, &len) : NULL;
        else if (Py_TYPE(obj) == (PyTypeObject *)invalid_string_type)
            s = PyBytes_AS_STRING(obj), len = PyBytes_GET_SIZE(obj);
        CHECK(s && (size_t)len == t.v.bytes.len && memcmp(s, t.v.bytes.ptr, (size_t)len) == 0);
        break;
    }
    case DUET_MSGPACK_BIN:
        CHECK(PyBytes_CheckExact(obj) && (size_t)PyBytes_GET_SIZE(obj) == t.v.bytes.len &&
              memcmp(PyBytes_AS_STRING(obj), t.v.bytes.ptr, t.v.bytes.len) == 0);
        break;
    case DUET_MSGPACK_EXT: {
        CHECK(Py_TYPE(obj) == (PyTypeObject *)ext_type && PyTuple_GET_SIZE(obj) == 2);
        PyObject *type = PyTuple_GET_ITEM(obj, 0), *data = PyTuple_GET_ITEM(obj, 1);
        CHECK(PyLong_CheckExact(type) && PyLong_AsLong(type) == t.v.bytes.ext_type);
        CHECK(PyBytes_CheckExact(data) && (size_t)PyBytes_GET_SIZE(data) == t.v.bytes.len &&
              memcmp(PyBytes_AS_STRING(data), t.v.bytes.ptr, t.v.bytes.len) == 0);
        break;
    }
    case DUET_MSGPACK_ARRAY:
        CHECK(PyList_CheckExact(obj) && PyList_GET_SIZE(obj) == (Py_ssize_t)t.v.count);
        for (uint32_t i = 0; i < t.v.count; i++)
            check_decoded(r, PyList_GET_ITEM(obj, i));
        break;
    case DUET_MSGPACK_MAP: {
        CHECK(PyDict_CheckExact(obj));
        /* The pairs as inserting them in order gives: an equal key keeps its first object
         * and place and takes the later value. */
        PyObject *keys = PyList_New(0), *values = PyList_New(0);
        CHECK(keys && values);
        for (uint32_t i = 0; i < t.v.count; i++) {
            PyObject *kv[2];
            for (int j = 0; j < 2; j++) {
                duet_msgpack_reader at = *r;
                kv[j] = dpy_decode(r, WHAT);
                CHECK(kv[j]);
                check_decoded(&at, kv[j]);
                CHECK(at.pos == r->pos);
            }
            Py_ssize_t n = PyList_GET_SIZE(keys), found = -1;
            for (Py_ssize_t k = 0; k < n && found < 0; k++) {
                int eq = PyObject_RichCompareBool(PyList_GET_ITEM(keys, k), kv[0], Py_EQ);
                CHECK(eq >= 0);
                if (eq)
                    found = k;
            }
            if (found >= 0) {
                CHECK(PyList_SetItem(values, found, kv[1]) == 0); /* steals kv[1] */
            } else {
                CHECK(PyList_Append(keys, kv[0]) == 0 && PyList_Append(values, kv[1]) == 0);
                Py_DECREF(kv[1]);
            }
            Py_DECREF(kv[0]);
        }
        CHECK(PyDict_GET_SIZE(obj) == PyList_GET_SIZE(keys));
        Py_ssize_t pos = 0, k = 0;
        PyObject *key, *value;
        while (PyDict_Next(obj, &pos, &key, &value)) {
            CHECK(matches_at(PyList_GET_ITEM(keys, k), key, true)); /* decoded alone: lists for tuples */
            CHECK(matches(PyList_GET_ITEM(values, k), value));
            k++;
        }
        Py_DECREF(keys);
        Py_DECREF(values);
        break;
    }
    default: CHECK(false);
    }
}

static void walk_decode(const uint8_t *data, size_t size)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, data, size);
    bool top_has_map = false;
    enum problem want = scan(&r, 0, &top_has_map);
    if (want == P_OK && duet_msgpack_reader_remaining(&r))
        want = P_INVALID;

    PyObject *v = dpy_decode_bytes(data, size, WHAT);
    CHECK((v != NULL) != (PyErr_Occurred() != NULL));
    if (!v) {
        char msg[512];
        PyObject *type = take_error(msg, sizeof msg);
        static const char *const words[] = {
            [P_INVALID] = "MessagePack", [P_DEPTH] = "nested deeper", [P_KEY] = "map key"};
        if (want == P_OK)
            fprintf(stderr, "refused a valid value: %s\n", msg);
        CHECK(want != P_OK);
        expect_error(type, msg, PyExc_ValueError, words[want]);
        Py_DECREF(type);
        return;
    }
    if (want != P_OK)
        fprintf(stderr, "accepted a value with problem %d\n", (int)want);
    CHECK(want == P_OK);
    duet_msgpack_reader_init(&r, data, size);
    check_decoded(&r, v);

    size_t cap = 2 * size + 16;
    uint8_t *bytes;
    size_t len;
    int werr;
    CHECK(encode_into(v, cap, &bytes, &len, &werr) == 0);
    CHECK(werr == DUET_OK);
    check_round_trip(v, bytes, len);
    check_short_writers(v, bytes, len, NULL, NULL);
    free(bytes);
    Py_DECREF(v);
}

/* ------------------------------------------------------------------ walk B: encoding */

/* What encoding an object must give: no problem, or the exception and a word of its message. */
typedef struct verdict {
    PyObject *type; /* NULL: encodes */
    const char *word;
    bool gave_up;        /* too big to predict */
} verdict;

static bool has_surrogate(PyObject *s)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(s, i);
        if (c >= 0xd800 && c <= 0xdfff)
            return true;
    }
    return false;
}

/* The first problem of obj (inside depth lists and dicts) in encoding order, into v; *budget
 * bounds the objects visited. Returns false when the first problem is found. */
static bool expect(PyObject *obj, unsigned depth, verdict *v, long *budget)
{
    if (--*budget < 0) {
        v->gave_up = true;
        return false;
    }
    if (depth > DPY_MAX_DEPTH) {
        v->type = PyExc_ValueError, v->word = "deeper";
        return false;
    }
    if (obj == Py_None || PyBool_Check(obj) || PyFloat_Check(obj) || PyBytes_Check(obj) || PyByteArray_Check(obj))
        return true;
    if (PyLong_Check(obj)) {
        int overflow = 0;
        PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (overflow > 0) {
            PyLong_AsUnsignedLongLong(obj);
            if (!PyErr_Occurred())
                overflow = 0;
            PyErr_Clear();
        }
        if (overflow) {
            v->type = PyExc_OverflowError, v->word = "int outside";
            return false;
        }
        return true;
    }
    if (PyUnicode_Check(obj)) {
        if (has_surrogate(obj)) {
            v->type = PyExc_ValueError, v->word = "surrogate";
            return false;
        }
        return true;
    }
    if (PyMemoryView_Check(obj)) {
        PyObject *b = bytes_of(obj);
        if (!b) {
            v->type = PyExc_TypeError, v->word = "memoryview";
            return false;
        }
        Py_DECREF(b);
        return true;
    }
    if (is_ext(obj)) {
        if (PyTuple_GET_SIZE(obj) != 2) {
            v->type = PyExc_TypeError, v->word = "Ext";
            return false;
        }
        PyObject *type = PyTuple_GET_ITEM(obj, 0), *data = PyTuple_GET_ITEM(obj, 1);
        int overflow = 0;
        long long t = PyLong_Check(type) ? PyLong_AsLongLongAndOverflow(type, &overflow) : 1000;
        if (overflow || t < -128 || t > 127) {
            v->type = PyExc_ValueError, v->word = "Ext whose type";
            return false;
        }
        if (!PyBytes_Check(data)) {
            v->type = PyExc_TypeError, v->word = "Ext whose data";
            return false;
        }
        return true;
    }
    if (PyList_Check(obj) || PyTuple_Check(obj)) {
        Py_ssize_t n = PyList_Check(obj) ? PyList_GET_SIZE(obj) : PyTuple_GET_SIZE(obj);
        for (Py_ssize_t i = 0; i < n; i++)
            if (!expect(PyList_Check(obj) ? PyList_GET_ITEM(obj, i) : PyTuple_GET_ITEM(obj, i), depth + 1, v, budget))
                return false;
        return true;
    }
    if (PyDict_Check(obj)) {
        Py_ssize_t pos = 0;
        PyObject *key, *value;
        while (PyDict_Next(obj, &pos, &key, &value)) {
            if (!expect(key, depth + 1, v, budget) || !expect(value, depth + 1, v, budget))
                return false;
        }
        return true;
    }
    v->type = PyExc_TypeError, v->word = "no MessagePack form";
    return false;
}

static void check_encode(PyObject *obj)
{
    verdict v = {0};
    long budget = 5000;
    expect(obj, 0, &v, &budget);
    if (v.gave_up)
        return;

    PyObject *victim = PyObject_GetAttrString(hostile_type, "victim");
    CHECK(victim);
    uint8_t *full;
    size_t len;
    int werr;
    int r = encode_into(obj, 1 << 16, &full, &len, &werr);
    PyObject *type, *value, *tb; /* the encoder's exception, kept while we look */
    PyErr_Fetch(&type, &value, &tb);
    PyObject *after = PyObject_GetAttrString(hostile_type, "victim");
    CHECK(after);
    PyErr_Restore(type, value, tb);
    bool repr_ran = after != victim;
    Py_DECREF(victim);
    Py_DECREF(after);
    if (repr_ran) {
        /* A HostileKey's repr() ran (only a failure's text may run it) and emptied its dict,
         * which obj may hold: obj is not what expect() saw. Only the crash and the
         * result-or-exception rule (encode_into) are checked. */
        CHECK(r < 0);
        PyErr_Clear();
        free(full);
        return;
    }
    if (r < 0) {
        char msg[512];
        PyObject *type = take_error(msg, sizeof msg);
        CHECK(v.type);
        expect_error(type, msg, v.type, v.word);
        check_short_writers(obj, full, len, type, msg);
        Py_DECREF(type);
    } else if (werr == DUET_OK) {
        if (v.type)
            fprintf(stderr, "encoded a value that should fail with %s ('%s')\n", ((PyTypeObject *)v.type)->tp_name,
                    v.word);
        CHECK(!v.type);
        check_round_trip(obj, full, len);
        check_short_writers(obj, full, len, NULL, NULL);
    } else {
        CHECK(werr == DUET_ERR_NOSPACE && len <= (1 << 16)); /* too big for this writer: no verdict */
    }
    free(full);
}

/* The program: bytes read in order, 0 past the end. */
typedef struct program {
    const uint8_t *p;
    size_t n, at;
} program;

static uint8_t next(program *pr)
{
    return pr->at < pr->n ? pr->p[pr->at++] : 0;
}

/* A length: arg itself below 15, else the next byte. */
static size_t length(program *pr, unsigned arg)
{
    return arg < 15 ? arg : next(pr);
}

/* The next n bytes of the program (fewer at its end) as a bytes object. */
static PyObject *take_bytes(program *pr, size_t n)
{
    if (n > pr->n - pr->at)
        n = pr->n - pr->at;
    PyObject *b = PyBytes_FromStringAndSize((const char *)pr->p + pr->at, (Py_ssize_t)n);
    pr->at += n;
    CHECK(b);
    return b;
}

#define STACK 64

typedef struct stack {
    PyObject *item[STACK];
    int n;
} stack;

/* Pushes a new reference (dropped when the stack is full). */
static void push(stack *s, PyObject *obj)
{
    CHECK(obj);
    if (s->n == STACK) {
        Py_DECREF(obj);
        return;
    }
    s->item[s->n++] = obj;
}

/* Pops a reference (None from an empty stack). */
static PyObject *pop(stack *s)
{
    if (s->n == 0)
        Py_RETURN_NONE;
    return s->item[--s->n];
}

static PyObject *int_from_bytes(program *pr, size_t n, bool negative)
{
    PyObject *v = PyLong_FromLong(0), *eight = PyLong_FromLong(8);
    CHECK(v && eight);
    for (size_t i = 0; i < n; i++) {
        PyObject *shifted = PyNumber_Lshift(v, eight);
        PyObject *byte = PyLong_FromLong(next(pr));
        CHECK(shifted && byte);
        Py_DECREF(v);
        v = PyNumber_Or(shifted, byte);
        CHECK(v);
        Py_DECREF(shifted);
        Py_DECREF(byte);
    }
    Py_DECREF(eight);
    if (negative) {
        PyObject *neg = PyNumber_Negative(v);
        CHECK(neg);
        Py_DECREF(v);
        v = neg;
    }
    return v;
}

static PyObject *boundary_int(unsigned arg)
{
    static const char *const text[16] = {
        "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
        "-9223372036854775808", "-9223372036854775809", "4294967296", "-2147483649",
        "1606938044258990275541962092341162602522202993782792835301376", "-340282366920938463463374607431768211456",
        "127", "128", "-32", "-33", "65535", "-129"};
    PyObject *v = PyLong_FromString(text[arg & 15], NULL, 10);
    CHECK(v);
    return v;
}

/* A str from the next n bytes: their UTF-8 with lone surrogates kept (surrogatepass) or,
 * where that fails, with bad bytes as surrogates (surrogateescape). */
static PyObject *make_str(program *pr, size_t n)
{
    PyObject *b = take_bytes(pr, n);
    const char *s = PyBytes_AS_STRING(b);
    Py_ssize_t len = PyBytes_GET_SIZE(b);
    PyObject *str = PyUnicode_DecodeUTF8(s, len, "surrogatepass");
    if (!str) {
        PyErr_Clear();
        str = PyUnicode_DecodeUTF8(s, len, "surrogateescape");
    }
    Py_DECREF(b);
    CHECK(str);
    return str;
}

static PyObject *call1(PyObject *callable, PyObject *arg)
{
    PyObject *r = PyObject_CallOneArg(callable, arg);
    CHECK(r);
    Py_DECREF(arg);
    return r;
}

static PyObject *make_memoryview(program *pr, unsigned arg)
{
    size_t n = next(pr) % 32;
    PyObject *b = take_bytes(pr, n);
    switch (arg % 5) {
    case 0: return call1((PyObject *)&PyMemoryView_Type, b);
    case 1: {
        PyObject *ba = PyByteArray_FromObject(b);
        CHECK(ba);
        Py_DECREF(b);
        return call1((PyObject *)&PyMemoryView_Type, ba);
    }
    case 2: { /* every second byte: not contiguous unless it has at most one */
        PyObject *mv = call1((PyObject *)&PyMemoryView_Type, b);
        PyObject *two = PyLong_FromLong(2);
        PyObject *slice = two ? PySlice_New(NULL, NULL, two) : NULL;
        CHECK(slice);
        Py_DECREF(two);
        PyObject *r = PyObject_GetItem(mv, slice);
        CHECK(r);
        Py_DECREF(slice);
        Py_DECREF(mv);
        return r;
    }
    case 3: { /* cast to 16-bit items: contiguous, its bytes as they are */
        if (PyBytes_GET_SIZE(b) % 2) {
            PyObject *even = PyBytes_FromStringAndSize(PyBytes_AS_STRING(b), PyBytes_GET_SIZE(b) - 1);
            Py_DECREF(b);
            b = even;
            CHECK(b);
        }
        PyObject *mv = call1((PyObject *)&PyMemoryView_Type, b);
        PyObject *r = PyObject_CallMethod(mv, "cast", "s", "H");
        CHECK(r);
        Py_DECREF(mv);
        return r;
    }
    default: { /* released */
        PyObject *mv = call1((PyObject *)&PyMemoryView_Type, b);
        PyObject *r = PyObject_CallMethod(mv, "release", NULL);
        CHECK(r);
        Py_DECREF(r);
        return mv;
    }
    }
}

/* A tuple of the top n items, in the order pushed. */
static PyObject *pop_tuple(stack *s, size_t n)
{
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    CHECK(t);
    for (size_t i = n; i-- > 0;)
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, pop(s));
    return t;
}

/* A dict of the top 2n items (key, value, key, value ...); unhashable keys are left out. */
static PyObject *pop_dict(stack *s, size_t n, PyObject *type)
{
    PyObject *items = pop_tuple(s, 2 * n);
    PyObject *d = PyObject_CallNoArgs(type);
    CHECK(d);
    for (size_t i = 0; i < n; i++) {
        if (PyObject_SetItem(d, PyTuple_GET_ITEM(items, 2 * i), PyTuple_GET_ITEM(items, 2 * i + 1)) < 0)
            PyErr_Clear();
    }
    Py_DECREF(items);
    return d;
}

/* Each byte: an operation (high 4 bits) and its argument (low 4 bits). */
static void run_program(stack *s, program *pr)
{
    while (pr->at < pr->n) {
        uint8_t b = next(pr);
        unsigned op = b >> 4, arg = b & 15;
        switch (op) {
        case 0: push(s, Py_NewRef(PyTuple_GET_ITEM(constants, arg))); break;
        case 1: push(s, PyLong_FromLong((long)arg - 8)); break;
        case 2: push(s, int_from_bytes(pr, arg + 1, false)); break;
        case 3: push(s, int_from_bytes(pr, arg + 1, true)); break;
        case 4: push(s, boundary_int(arg)); break;
        case 5: {
            if (arg & 1) {
                uint32_t bits = 0;
                for (int i = 0; i < 4; i++)
                    bits = bits << 8 | next(pr);
                float f;
                memcpy(&f, &bits, sizeof f);
                push(s, PyFloat_FromDouble((double)f));
            } else {
                uint64_t bits = 0;
                for (int i = 0; i < 8; i++)
                    bits = bits << 8 | next(pr);
                double d;
                memcpy(&d, &bits, sizeof d);
                push(s, PyFloat_FromDouble(d));
            }
            break;
        }
        case 6: push(s, make_str(pr, length(pr, arg))); break;
        case 7: push(s, take_bytes(pr, length(pr, arg))); break;
        case 8: {
            PyObject *bytes = take_bytes(pr, length(pr, arg));
            PyObject *ba = PyByteArray_FromObject(bytes);
            Py_DECREF(bytes);
            push(s, ba);
            break;
        }
        case 9: push(s, make_memoryview(pr, arg)); break;
        case 10: { /* a list of the top items */
            PyObject *t = pop_tuple(s, length(pr, arg) % (STACK + 1));
            push(s, PySequence_List(t));
            Py_DECREF(t);
            break;
        }
        case 11: push(s, pop_tuple(s, length(pr, arg) % (STACK + 1))); break;
        case 12: push(s, pop_dict(s, (length(pr, arg) % 33), (PyObject *)&PyDict_Type)); break;
        case 13: { /* Ext: Ext(type, data) of the top two, or a tuple.__new__(Ext, ...) of any length */
            if (arg < 4) {
                PyObject *args = pop_tuple(s, 2);
                PyObject *e = PyObject_Call(ext_type, args, NULL);
                if (!e) { /* Ext() refuses a bad type or data: tuple.__new__ still makes it */
                    PyErr_Clear();
                    PyObject *wrapped = PyTuple_Pack(1, args);
                    CHECK(wrapped);
                    e = PyTuple_Type.tp_new((PyTypeObject *)ext_type, wrapped, NULL);
                    Py_DECREF(wrapped);
                }
                CHECK(e);
                Py_DECREF(args);
                push(s, e);
            } else {
                PyObject *items = pop_tuple(s, (arg - 4) % 4);
                PyObject *args = PyTuple_Pack(1, items);
                CHECK(args);
                PyObject *e = PyTuple_Type.tp_new((PyTypeObject *)ext_type, args, NULL);
                CHECK(e);
                Py_DECREF(args);
                Py_DECREF(items);
                push(s, e);
            }
            break;
        }
        case 14: { /* the top item changed */
            PyObject *top = pop(s);
            switch (arg) {
            case 0: push(s, Py_NewRef(top)); push(s, top); break;
            case 1: /* a list or dict that holds itself */
                if (PyList_Check(top))
                    CHECK(PyList_Append(top, top) == 0);
                else if (PyDict_Check(top))
                    CHECK(PyDict_SetItem(top, Py_None, top) == 0);
                push(s, top);
                break;
            case 2: { /* {HostileKey(0): top}, which its key's repr() empties */
                PyObject *key = PyObject_CallFunction(hostile_type, "i", 0);
                PyObject *d = PyDict_New();
                CHECK(key && d && PyDict_SetItem(d, key, top) == 0);
                CHECK(PyObject_SetAttrString(hostile_type, "victim", d) == 0);
                Py_DECREF(key);
                Py_DECREF(top);
                push(s, d);
                break;
            }
            case 3: push(s, PyLong_Check(top) ? call1(int_sub_type, top) : top); break;
            case 4: push(s, PyUnicode_Check(top) ? call1(str_sub_type, top) : top); break;
            case 5: push(s, PyDict_Check(top) ? call1(dict_sub_type, top) : top); break;
            case 6: push(s, PyList_Check(top) ? call1(list_sub_type, top) : top); break;
            default: push(s, top); break;
            }
            break;
        }
        default: { /* the top item inside arg + 1 lists; 15: 28 to 43 lists */
            PyObject *v = pop(s);
            unsigned n = arg < 15 ? arg + 1 : 28 + next(pr) % 16;
            for (unsigned i = 0; i < n; i++) {
                PyObject *l = PyList_New(1);
                CHECK(l);
                PyList_SET_ITEM(l, 0, v);
                v = l;
            }
            push(s, v);
            break;
        }
        }
    }
}

static void walk_encode(const uint8_t *data, size_t size)
{
    stack s = {.n = 0};
    program pr = {.p = data, .n = size, .at = 0};
    run_program(&s, &pr);
    for (int i = 0; i < s.n; i++)
        check_encode(s.item[i]);
    for (int i = 0; i < s.n; i++)
        Py_DECREF(s.item[i]);
    CHECK(PyObject_SetAttrString(hostile_type, "victim", Py_None) == 0);
    CHECK(!PyErr_Occurred());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    walk_decode(data, size);
    CHECK(!PyErr_Occurred());
    walk_encode(data, size);
    /* Lists and dicts that hold themselves are only freed by the cycle collector. */
    PyGC_Collect();
    return 0;
}

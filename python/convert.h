/* convert.h - Python values to MessagePack and back, with errors that name the value. */
#ifndef DUET_PY_CONVERT_H
#define DUET_PY_CONVERT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "duet/msgpack.h"

/* Deepest nesting of lists and dicts converted either way. */
#define DPY_MAX_DEPTH DUET_MSGPACK_MAX_DEPTH

/* Makes msgpackrpc.Ext (a named tuple: type, data) and msgpackrpc.InvalidString (a bytes
 * subclass) and adds them to module. 0, or -1 with an exception. */
int dpy_convert_init(PyObject *module);

/*
 * Writes obj as one MessagePack value: None, bool, int (int64 or uint64), float (float64),
 * str (UTF-8), bytes/bytearray/memoryview (bin), list/tuple (array), dict (map), Ext (ext).
 * what names the value in errors ("call('led'): argument 1"): TypeError for a value with
 * no MessagePack form (a released or non-contiguous memoryview, an Ext that is not two
 * items or whose data is not bytes), OverflowError for an int past 64 bits, ValueError for
 * nesting deeper than DPY_MAX_DEPTH, a str with a lone surrogate or an Ext type outside
 * -128..127. Running out of room is left in the writer's error (and what follows is not
 * looked at). No Python code runs while a value is encoded, only to name it in an error.
 * Returns 0, or -1 with an exception set.
 */
int dpy_encode(duet_msgpack_writer *w, PyObject *obj, const char *what);

/* A str the M4 sent: a str if its bytes are UTF-8 (CPython's strict check), else an
 * InvalidString holding them, as on the board. New reference, or NULL with an exception. */
PyObject *dpy_text(const char *s, size_t len);

/*
 * Reads one value: nil None, bool, int, float, str (dpy_text: an InvalidString if not
 * UTF-8), bin bytes, array list, map dict, ext Ext. A value Python cannot hold (a map key
 * that cannot be a dict key, invalid MessagePack) is a ValueError naming what.
 * Returns a new reference, or NULL with an exception set.
 */
PyObject *dpy_decode(duet_msgpack_reader *r, const char *what);

/* dpy_decode over len bytes holding exactly one value. */
PyObject *dpy_decode_bytes(const void *data, size_t len, const char *what);

/* msgpackrpc._packb(obj): obj as MessagePack bytes (dpy_encode). */
PyObject *dpy_packb(PyObject *module, PyObject *obj);

/* msgpackrpc._unpackb(data): the one value that data (bytes-like) holds (dpy_decode_bytes). */
PyObject *dpy_unpackb(PyObject *module, PyObject *data);

#endif

#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpus of fuzz_python_convert (see the walks at the top of
fuzz_python_convert.c): python3 fuzz/python_convert/make_seeds.py fuzz/python_convert/seeds

Every input is read two ways: as one MessagePack value (walk A: decoding) and as a program
that builds Python objects (walk B: encoding), so each seed is written for one of them:
MessagePack values (mp_*: every type, the problems the decoder must refuse, duplicate map
keys) and programs (prog_*: every operation of run_program). The inputs that found bugs in
python/convert.c are kept as bug_* (the programs as they were written to show them).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import mp_str, write_seeds  # noqa: E402


def arr(*items):
    return bytes([0x90 | len(items)]) + b"".join(items)


def mp_map(*pairs):
    return bytes([0x80 | len(pairs)]) + b"".join(k + v for k, v in pairs)


def nested(levels, inner=b"\xc0"):
    return b"\x91" * levels + inner


f32 = lambda v: b"\xca" + struct.pack(">f", v)
f64 = lambda v: b"\xcb" + struct.pack(">d", v)

MSGPACK = {
    "mp_scalars": arr(b"\xc0", b"\xc2", b"\xc3", b"\x00", b"\x7f", b"\xe0", b"\xff", b"\xcc\x80", b"\xd0\x80",
                      b"\xd1\x80\x00", b"\xcd\xff\xff"),
    "mp_ints_wide": arr(b"\xcf" + struct.pack(">Q", 2**64 - 1), b"\xd3" + struct.pack(">q", -(2**63)),
                        b"\xd3" + struct.pack(">q", 5), b"\xcf" + struct.pack(">Q", 1)),
    "mp_floats": arr(f32(1.5), f32(0.1), f32(float("nan")), b"\xca\x7f\x80\x00\x01", f64(-0.0), f64(5e-324),
                     b"\xcb\x7f\xf0\x00\x00\x00\x00\x00\x01", f64(float("inf"))),
    "mp_strings": arr(mp_str(""), mp_str("h\u00e9\u20ac\U0001f600"), mp_str("x" * 40), mp_str("y" * 300),
                      b"\xdb\x00\x00\x00\x01z"),
    "mp_bin_ext": arr(b"\xc4\x03\x00\x01\x02", b"\xc5\x00\x01\xff", b"\xd4\x05\x78", b"\xd6\xff\x65\x53\xf1\x00",
                      b"\xc7\x03\x80abc", b"\xd8\x01" + bytes(16)),
    "mp_maps": arr(mp_map(), mp_map((mp_str("a"), b"\x01"), (b"\x02", arr(b"\xc0"))),
                   mp_map((b"\xd4\x01\x00", b"\xc3"), (mp_str(b"k\x00"), mp_map()))),
    # Duplicate keys: 1, 1.0 and True are one key (the first stays, the last value wins);
    # NaNs are never equal, so each stays.
    "mp_map_duplicates": mp_map((b"\x01", mp_str("one")), (f64(1.0), mp_str("float")), (b"\xc3", mp_str("true")),
                                (f64(float("nan")), b"\x01"), (f64(float("nan")), b"\x02"), (f64(-0.0), b"\x03"),
                                (b"\x00", b"\x04")),
    "mp_deepest": nested(32, b"\x90"),  # 32 arrays around an empty one: the limit
    "mp_deepest_map": b"\x81\xc0" * 32 + b"\x80",
    # Problems the decoder refuses, each with its own ValueError.
    "mp_too_deep": nested(33),
    "mp_too_deep_map": b"\x81\xc0" * 33 + b"\xc0",
    "mp_not_utf8": arr(mp_str(b"ok"), mp_str(b"\xed\xa0\x80"), mp_str(b"\xc0\x80")),
    # an InvalidString key equal to a bin key: one key, the first object, the last value
    "mp_not_utf8_key": mp_map((mp_str(b"\xe9t\xe9"), b"\x01"), (b"\xc4\x03\xe9t\xe9", b"\x02")),
    "mp_list_key": mp_map((arr(b"\x01"), b"\x02")),
    "mp_dict_key": mp_map((mp_map(), b"\x02")),
    "mp_nested_list_key": mp_map((arr(b"\x01", arr(b"\x02")), arr(b"\x03"))),  # {(1, (2,)): [3]}
    "mp_dict_in_list_key": mp_map((arr(b"\x01", mp_map()), b"\x02")),  # {(1, {}): 2}: unhashable
    "mp_key_after_bad_value": mp_map((arr(), mp_str(b"\xff"))),
    "mp_truncated": b"\x93\x01\x02",
    "mp_count_too_big": b"\xdd\xff\xff\xff\xff\x00",
    "mp_trailing": b"\xc0\xc0",
    "mp_reserved": b"\xc1",
}


# The program's operations (run_program): a byte is an operation (high 4 bits) and its
# argument (low 4 bits).
def const(i):
    return bytes([0x00 | i])


NONE, TRUE, FALSE, OBJECT, SET, FROZENSET, ZERO, NEG_ZERO, NAN, INF, EMPTY_STR, EMPTY_BYTES, COMPLEX, RANGE, \
    ELLIPSIS, RELEASED = (const(i) for i in range(16))


def small(v):
    return bytes([0x10 | (v + 8)])


def uint(b):
    return bytes([0x20 | (len(b) - 1)]) + b


def neg(b):
    return bytes([0x30 | (len(b) - 1)]) + b


def boundary(i):
    return bytes([0x40 | i])


def p_f64(v):
    return b"\x50" + struct.pack(">d", v)


def p_f32(v):
    return b"\x51" + struct.pack(">f", v)


def sized(op, b):
    return bytes([op | len(b)]) + b if len(b) < 15 else bytes([op | 15, len(b)]) + b


p_str = lambda b: sized(0x60, b)
p_bytes = lambda b: sized(0x70, b)
p_bytearray = lambda b: sized(0x80, b)


def memview(kind, b):
    return bytes([0x90 | kind, len(b)]) + b


def count(op, n):
    return bytes([op | n]) if n < 15 else bytes([op | 15, n])


p_list = lambda n: count(0xA0, n)
p_tuple = lambda n: count(0xB0, n)
p_dict = lambda n: count(0xC0, n)
EXT = b"\xd0"  # Ext(type, data) of the top two


def ext_items(n):  # tuple.__new__(Ext, top n items)
    return bytes([0xD4 + n])


DUP, SELF, HOSTILE, INT_SUB, STR_SUB, DICT_SUB, LIST_SUB = (bytes([0xE0 | i]) for i in range(7))


def wrap(n):  # the top item inside n lists
    return bytes([0xF0 | (n - 1)]) if n <= 15 else bytes([0xFF, n - 28])


PROGRAMS = {
    "prog_scalars": NONE + TRUE + FALSE + small(-8) + small(7) + ZERO + NEG_ZERO + NAN + INF + p_f64(0.1) + p_f32(1.5),
    "prog_ints": uint(b"\xff" * 8) + uint(b"\x01" + bytes(8)) + neg(b"\x80" + bytes(7)) + neg(b"\x80" + bytes(7) + b"\x01")
                 + b"".join(boundary(i) for i in range(16)),
    "prog_strings": p_str(b"plain") + p_str("h\u00e9\U0001f600".encode()) + p_str(b"\xed\xa0\x80") + p_str(b"\xff")
                    + p_str(b"x" * 40) + STR_SUB,
    "prog_bytes": p_bytes(b"\x00\xff") + p_bytearray(b"ab") + memview(0, b"cd") + memview(1, b"ef")
                  + memview(2, b"abcd") + memview(2, b"") + memview(2, b"a") + memview(3, b"abcd") + memview(4, b"gone")
                  + RELEASED,
    "prog_containers": small(1) + small(2) + p_list(2) + small(3) + p_tuple(1) + p_str(b"k") + NONE + p_dict(2)
                       + DICT_SUB + small(0) + small(1) + p_list(2) + LIST_SUB,
    "prog_tuple": small(1) + small(2) + p_str(b"three") + p_tuple(3),
    "prog_tuple_key": small(1) + small(2) + p_tuple(2) + p_str(b"v") + p_dict(1),
    "prog_ext": small(5) + p_bytes(b"xy") + EXT + boundary(11) + p_bytes(b"") + EXT + small(1) + p_str(b"s") + EXT
                + TRUE + p_bytes(b"b") + EXT,
    "prog_no_form": OBJECT + SET + FROZENSET + COMPLEX + RANGE + ELLIPSIS + small(0) + SET + p_list(2),
    "prog_deep": NONE + wrap(32) + NONE + wrap(33) + p_list(0) + wrap(32) + p_list(0) + wrap(33),
    "prog_self": p_list(0) + SELF + p_dict(0) + SELF,
    "prog_dup": small(1) + DUP + p_list(2) + DUP + p_list(2) + DUP + p_list(2) + DUP + p_list(2),
    "prog_int_sub_key": small(3) + INT_SUB + p_str(b"three") + p_dict(1),
    # The inputs that found bugs in python/convert.c.
    "bug_ext_no_items": ext_items(0),  # read past the tuple
    "bug_ext_one_item": small(4) + ext_items(1),  # read past the tuple
    "bug_ext_three_items": small(1) + small(2) + small(3) + ext_items(3),
    "bug_ext_type_huge": boundary(8) + EMPTY_BYTES + EXT,  # went out as ext type -1
    "bug_memoryview_released": RELEASED,  # ValueError not naming the value
    "bug_memoryview_strided": memview(2, b"abcd"),  # BufferError not naming the value
    "bug_hostile_key": NONE + HOSTILE,  # use after free
    "bug_hostile_key_error": SET + HOSTILE,
    "bug_hostile_key_nested_error": SET + p_list(1) + HOSTILE + p_list(1) + small(1) + small(2) + b"\xc1",
    # The fuzzer's: a dict key that ran out of room had its value looked at anyway.
    "bug_dict_value_after_full_key": bytes.fromhex("d4d40a000000d44040bbbb48c8787420776865736520743"
                                                   "0e2e2e2e2e2e2e2e2e239e27065"),
}

write_seeds(__file__, MSGPACK, PROGRAMS, width=32)

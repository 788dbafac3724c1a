#!/usr/bin/python3
"""make_seeds.py - writes the seed corpus of fuzz_arduino_number into seeds/ beside this file
(or the folder given as the first argument).

A seed is a list of 10-byte records (fuzz_arduino_number.cpp: LLVMFuzzerTestOneInput): the
overload (0 unsigned char, 1 int, 2 unsigned int, 3 long, 4 unsigned long, 5 long long,
6 unsigned long long, 7 + 8 * mode a double made by double_of()'s mode), the base or digits
(a signed byte) and 8 bytes of value, little-endian.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import write_seeds  # noqa: E402

TYPES = ["uchar", "int", "uint", "long", "ulong", "llong", "ullong"]


def integer(kind, value, base):
    return bytes([TYPES.index(kind), base % 256]) + struct.pack("<Q", value % 2**64)


def double(x, digits=2):
    return bytes([7, digits % 256]) + struct.pack("<d", x)


def mode(m, raw, digits=2):
    return bytes([7 + 8 * m, digits % 256]) + struct.pack("<Q", raw % 2**64)


SEEDS = {
    "bases": b"".join(integer(k, v, b) for k in TYPES for v, b in [(255, 16), (-1, 16), (10, 2), (8, 8), (35, 36)]),
    "decimal": b"".join(integer(k, v, 10) for k in TYPES for v in [0, -1, 2**63, 2**31, -2**31 - 1]),
    "base_0_1": b"".join(integer(k, v, b) for k in TYPES for v, b in [(65, 0), (-5, 1), (300, 0), (-5, 0)]),
    "base_odd": integer("int", -5, -3) + integer("long", 7, 37) + integer("ullong", 2**64 - 1, 127)
    + integer("uint", 123, 3) + integer("llong", -2**63, 36),
    "floats": b"".join(double(x, d) for x, d in [(3.14159, 2), (1.999, 2), (-0.001, 2), (-0.0, 3), (0.5, 0),
                                                 (1.5, 0), (2.5, 0), (123.456, 20), (1e-5, 30), (0.1, -1)]),
    "float_words": b"".join(double(x) for x in [float("nan"), float("inf"), float("-inf"), 4294967040.0,
                                                4294967040.5, -4294967041.0, 4294967295.0, 1e300]),
    "float_modes": mode(1, 0x123456789ABCDEF0, 5) + mode(2, 0x8000000080000001, 2) + mode(2, 0x7FFFFFFF, 9)
    + mode(3, 0x0000000012345605, 4) + mode(3, 0xFFFFFFFFFFFF0007, 7),
}

if __name__ == "__main__":
    write_seeds(__file__, SEEDS)

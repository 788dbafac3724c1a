#!/usr/bin/python3
"""make_seeds.py - writes the seed corpus of fuzz_number into seeds/ beside this file (or the
folder given as the first argument).

A seed is a list of 9-byte records (fuzz_number.c: values()): a mode byte (0: the 8 bytes'
bits as they are, 1: a double near the integers' range, 2: near the float range's ends,
3: an integer of any size) and 8 bytes, little-endian.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import write_seeds  # noqa: E402


def raw(bits, mode=0):
    return bytes([mode]) + struct.pack("<Q", bits % 2**64)


def dbl(x, mode=0):
    return raw(struct.unpack("<Q", struct.pack("<d", x))[0], mode)


def flt(x):
    """A record whose low 32 bits are the float x (and whose double is tiny)."""
    return raw(struct.unpack("<I", struct.pack("<f", x))[0])


SEEDS = {
    "integers": b"".join(raw(v) for v in [0, 1, 2**53 - 1, 2**53 + 1, 2**54 + 2, 2**63, 2**64 - 1,
                                           2**64 - 1024, 0x8000000000000400, 0x8000000000000c00, -1, -2**63]),
    "int_range": b"".join(dbl(x) for x in [2.0**63, -2.0**63, 2.0**63 - 1024, -(2.0**63 + 2048), 0.999,
                                           -0.999, 1.5, -1.5, 4503599627370497.0, float("inf"),
                                           float("-inf"), float("nan")]),
    "nan_payloads": raw(0x7FF0000000000001) + raw(0xFFF8000000000000) + raw(0x7FF4000000000000)
    + raw(0x7FC00001) + raw(0xFF800001) + raw(0x7FA00000),
    "float_edges": b"".join(dbl(x) for x in [3.4028235677973366e38, 3.4028235677973362e38, 3.40282357e38, 1e39,
                                             1.401298464324817e-45, 7.006492321624085e-46, 7.006492321624087e-46,
                                             1.1754942e-38, 1e-50, 5e-324, -0.0]),
    "floats": b"".join(flt(x) for x in [1.5, -0.0, 1e-45, 1.1754942e-38, 3.4e38, float("inf")]),
    "modes": raw(0x123456789ABCDEF0, 1) + raw(0x0FEDCBA987654321, 2) + raw(0x00FF00FF00FF00FF, 3)
    + raw(0xFFFFFFFFFFFFFFFF, 1) + raw(0xFFFFFFFFFFFFFFFF, 2) + raw(0xFFFFFFFFFFFFFFFF, 3),
}

if __name__ == "__main__":
    write_seeds(__file__, SEEDS)

#!/usr/bin/python3
"""make_seeds.py - writes the seed corpus of fuzz_format into seeds/ beside this file (or the
folder given as the first argument).

A seed is the harness's input (fuzz_format.c: LLVMFuzzerTestOneInput, items()): a capacity,
a callback limit, then items, each a kind byte and its fields. The helpers below write them.
The found_* seeds are inputs the fuzzer found a bug with, kept as it wrote them.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import write_seeds  # noqa: E402

LETTERS = "diuxXocspfFeEgGaAn"
LENGTHS = ["", "hh", "h", "l", "ll", "z", "j", "t"]
FLOAT_LENGTHS = ["", "L"]  # the first two of fuzz_format.c's float_lengths
UNKNOWN = "qwbBkmyYrRvV!{~"


def head(cap, limit=2999):
    """The capacity (below 128 in one byte, else three) and the callback's limit."""
    lead = bytes([cap]) if cap < 128 else b"\x80" + struct.pack("<H", cap)
    return lead + struct.pack("<H", limit)


def flags(text="", doubled=False, reverse=False):
    bits = sum(1 << "-0+ ".index(c) for c in text if c != "#") | (64 if "#" in text else 0)
    return bytes([bits | (16 if reverse else 0) | (32 if doubled else 0)])


def count(v=None, star=None, huge=None):
    """A width or precision: none, digits (v), '*' with an int (star), or huge digits."""
    if star is not None:
        return b"\x04" + struct.pack("<i", star)
    if huge is not None:
        return b"\x03" + bytes([huge - 10])
    if v is None:
        return b"\x00"
    return b"\x02" + struct.pack("<H", v)


def spec(fl="", width=None, prec=None, length="", with_length=True, letter=""):
    out = flags(fl) + (width if width is not None else count())
    out += b"\x01" + prec if prec is not None else b"\x00"
    lengths = FLOAT_LENGTHS if letter and letter in "fFeEgGaA" else LENGTHS
    return out + (bytes([lengths.index(length)]) if with_length else b"")


def conv(letter, value, **kw):
    """A documented conversion; value is an int (its 64 bits), a float, (k, mode) for a double
    near a rounding point, or a string (None: NULL)."""
    out = b"\x02" + bytes([LETTERS.index(letter)]) + spec(letter=letter, **kw)
    if letter == "s":
        if value is None:
            return out + b"\x00" + bytes(7)
        data = value.encode()
        return out + b"\x01" + bytes([len(data)]) + bytes(6) + data
    if isinstance(value, float):
        return out + struct.pack("<d", value) + b"\x00"
    if letter in "fFeEgGaA":  # (k, mode): a double near a rounding point (fuzz_format.c: float_of)
        return out + struct.pack("<Q", value[0]) + bytes([value[1]])
    return out + struct.pack("<Q", value % 2**64)


def literal(text):
    return b"\x00" + bytes([len(text)]) + text.encode()


def percent(**kw):
    return b"\x06" + spec(with_length=False, **kw)


def unknown(letter, **kw):
    return b"\x07" + spec(**kw) + bytes([UNKNOWN.index(letter)])


def cut(**kw):
    """A conversion cut by the end of fmt: the input ends within 4 bytes of its start."""
    return b"\x07" + spec(**kw)


SEEDS = {
    "integers": head(200) + conv("d", -42, fl="+") + literal(" ") + conv("u", 7, width=count(5))
    + conv("x", 0xBEEF, fl="0", width=count(8)) + conv("o", 8, prec=count(4)),
    "lengths": head(300) + conv("d", 300, length="hh") + conv("i", 70000, length="h")
    + conv("X", -1, length="ll") + conv("u", -1, length="z"),
    "lengths_jt": head(300) + conv("d", -2**63, length="j") + conv("x", 2**63, length="t")
    + conv("o", -1, length="l") + conv("i", -5, length="t"),
    "unsigned_plus_space": head(100) + conv("u", 5, fl="+ ") + conv("x", 255, fl=" ") + conv("o", 9, fl="+"),
    "chars": head(100) + conv("c", 0) + conv("c", ord("A"), fl="-0", width=count(4)) + conv("c", 0x141, prec=count(3)),
    "strings": head(100) + conv("s", "hello", prec=count(3)) + conv("s", None) + conv("s", None, prec=count(2))
    + conv("s", "x", fl="0", width=count(6)),
    "pointers": head(100) + conv("p", 0xDEADBEEF, fl="+ ") + conv("p", 0, width=count(8), fl="0")
    + conv("p", 0xAB, prec=count(9)) + conv("p", 1, fl="-", width=count(6)),
    "floats": head(300) + conv("f", 3.14159) + conv("f", -0.0) + conv("f", 1e-7, prec=count(9))
    + conv("f", 123456789.987654321, prec=count(12)),
    "float_ties": head(300) + conv("f", 0.5, prec=count(0)) + conv("f", 2.5, prec=count(0))
    + conv("f", -0.125, prec=count(2)) + conv("f", 2**50 + 0.25, prec=count(1)),
    "float_near_tie": head(300) + conv("f", 1.25005e-05, prec=count(9)) + conv("f", 0.0000000005, prec=count(9))
    + conv("f", 5e-324, prec=count(9)),
    "float_rounding_points": head(300) + conv("f", (12500, 0x80 | 0x40), prec=count(9))
    + conv("f", (2**63 | 7, 0x80 | 0x20), prec=count(0)) + conv("F", (123456789, 0x80 | 0x30), prec=count(3)),
    "float_large": head(300) + conv("f", 2.0**64) + conv("f", -(2.0**64 - 2048)) + conv("F", 1e300, fl="+"),
    "float_special": head(300) + conv("f", float("nan"), fl="+") + conv("F", -float("inf"), fl="0", width=count(6))
    + conv("F", float("nan"), width=count(5)) + conv("f", float("inf"), fl=" "),
    "exponents": head(400) + conv("e", 6.02214076e23) + conv("E", -1e-300, prec=count(3), fl="+")
    + conv("e", 9.96, prec=count(1)) + conv("e", 0.0, fl="#", prec=count(0)),
    "general": head(400) + conv("g", 100000.0) + conv("g", 1e6) + conv("G", 1e-5, fl="-", width=count(12))
    + conv("g", 0.0001, prec=count(3)),
    "general_alt_carry": head(400) + conv("g", 999999.5, fl="#") + conv("G", 9.9951, fl="#", prec=count(3))
    + conv("g", 0.0, fl="#", prec=count(0)),
    "hex": head(400) + conv("a", 1.0) + conv("A", -0.1, fl="0", width=count(20)) + conv("a", 5e-324)
    + conv("a", 1.96875, prec=count(1)),
    "hex_ties": head(400) + conv("a", (0x3FF8000000000000, 0x80 | 0x30 | 12), prec=count(0))
    + conv("a", (0x4004000000000000, 0x80 | 0x30 | 12), prec=count(0)),
    "decimal_ties": head(400) + conv("e", (2**40, 0x80 | 0x30 | 40), prec=count(2))
    + conv("g", (12345 << 20, 0x80 | 0x30 | 20), prec=count(5)),
    "long_double": head(400) + conv("f", 0.1, length="L") + conv("e", -2.5, length="L", prec=count(20))
    + conv("g", 1e-10, length="L"),
    "float_exact_long": head(5000, 2999) + conv("f", 5e-324, prec=count(1024)) + conv("e", 5e-324, prec=count(800)),
    "float_negative_nan": head(100) + conv("f", struct.unpack("<d", struct.pack("<Q", 0xFFF8000000000001))[0]),
    "widths_huge": head(5000) + conv("d", 1, width=count(huge=25)) + conv("s", "ab", prec=count(huge=12)),
    "widths_star": head(3000) + conv("d", 12, width=count(star=-7)) + conv("x", 1, width=count(star=-2**31)),
    "precision_star": head(3000) + conv("d", 5, prec=count(star=-3)) + conv("u", 0, prec=count(star=0))
    + conv("s", "abc", prec=count(star=2**31 - 1)),
    "precision_dot": head(100) + conv("d", 0, prec=count(0)) + conv("x", 0, fl="-", width=count(3), prec=count(0)),
    "left_zero": head(100) + conv("d", -3, fl="-0", width=count(6)) + conv("d", -3, fl="0", width=count(6))
    + conv("f", -1.5, fl="0+", width=count(10)),
    "percent": head(100) + percent() + percent(fl="-", width=count(5)) + percent(width=count(star=9)),
    "unknown": head(100) + unknown("q", fl="-", width=count(5), prec=count(2)) + unknown("q", length="l")
    + unknown("k") + literal("x") + unknown("w", width=count(star=3)),
    "counts": head(100, 6) + literal("abc") + conv("n", 0) + conv("d", 12345, width=count(8))
    + conv("n", 0, length="hh") + conv("n", 0, length="h"),
    "counts_wide": head(5) + conv("s", "xyz", width=count(300)) + conv("n", 0, length="ll")
    + conv("n", 0, length="z", width=count(star=2)),
    "cut_at_end": head(100) + literal("tail ") + cut(fl="-", width=count(star=4)),
    "cap_small_0": head(0) + literal("abc") + conv("d", 1234),
    "cap_small_1": head(1, 0) + conv("s", "abcdef"),
    "cap_small_3": head(3, 2) + conv("s", "abcdef"),
    "cap_4": head(4, 3) + conv("s", "abcdef"),
    "cap_exact": head(7, 6) + conv("s", "abcdef"),
    "cap_boundary": head(6, 5) + literal("abcde") + conv("c", ord("x")),
    "long_text": head(2000, 1500) + conv("d", 7, width=count(1000)) + conv("s", "y" * 200, width=count(1024))
    + conv("f", 1.0, fl="-", width=count(1100)),
}


if __name__ == "__main__":
    write_seeds(__file__, SEEDS)

#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpus of fuzz_arduino_text (the input is described at
LLVMFuzzerTestOneInput and run_strings / run_stream in fuzz_arduino_text.cpp):
python3 fuzz/arduino_text/make_seeds.py fuzz/arduino_text/seeds

String programs (str_*: a 0 byte, then operations) and Stream programs (stream_*: a 1 byte,
the timeout, the clock, the operations' length, the operations, then the input's pieces).
The inputs of the layer's fixes are among them: str_float_texts (String(float) is dtostrf's
text), str_char_nul (String('\\0') is empty), str_invalid (copies and sums of an invalid
String), str_nul_search (searches and comparisons take a C string), str_past_end (an index at
the end finds nothing), str_reserve_max (reserve(SIZE_MAX) freed the text), str_oom_replace
and str_oom_build (out of memory: a 2 byte first, each operation after the allocation that
fails; replace kept a part of its new text, a sum became its right side alone),
stream_find_repeat (a repeated prefix), stream_ignore_ff (an ignore char >= 0x80),
stream_int_wrap (parseInt's overflow), stream_float_digits (parseFloat gave a NaN).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import write_seeds  # noqa: E402

# The operation groups (the low 3 bits of an operation's first byte).
ASSIGN, NUMBER, CONCAT, PLUS, COMPARE, CHARS, SEARCH_PARSE, EDIT = range(8)
# The harness's list of texts (TEXTS in fuzz_arduino_text.cpp), by the ones used here.
T_EMPTY, T_SPACE, T_A = 0, 1, 2
T_AAB, T_ABAB = 5, 6
T_L, T_LL = 8, 9
T_MINUS12, T_42ABC = 10, 11
T_325, T_EXP = 13, 14
T_NAN, T_HEXFLOAT = 16, 18
T_MAXLONG, T_OVERLONG = 19, 20
T_SPACES, T_HELLO, T_HELLO2 = 22, 23, 24
T_FF, T_A_NUL_B, T_NUL = 25, 27, 28
T_TRIM = 30
NULL_TEXT = None
SIZE_MAX_INDEX = 0xF0


def op(group, kind, a=0, b=0, c=0):
    return bytes([(kind << 3) | group, a | b << 2 | c << 4])


def text(t):
    """A text operand: an int picks the harness's list, bytes are given as they are."""
    if t is NULL_TEXT:
        return b"\xff"
    if isinstance(t, int):
        return bytes([0xC0 + t])
    assert len(t) < 12
    return bytes([len(t)]) + t


def index(i):
    return bytes([i])


def double(v):
    return b"\xff" + struct.pack("<d", v)


def number(type_, base, value, wide=False):
    """op_number: type (0..6 integers, 7 float, 8 double), base byte, the value."""
    head = bytes([type_ | (0x80 if wide else 0), base])
    return head + (struct.pack("<Q", value & (2**64 - 1)) if wide else bytes([value & 0xFF]))


def program(*ops):
    return b"\x00" + b"".join(ops)


def oom_program(*steps):
    """A String program that runs out of memory: each step is (n, operation), the n-th
    allocation of the operation failing (0: none)."""
    return b"\x02" + b"".join(bytes([n]) + o for n, o in steps)


STRING_SEEDS = {
    "str_assign": program(op(ASSIGN, 0, 0), text(T_HELLO), op(ASSIGN, 1, 1), text(b"abc"),
                          op(ASSIGN, 2, 2), text(T_A_NUL_B), op(ASSIGN, 3, 3, 0), op(ASSIGN, 5, 1, 1),
                          op(ASSIGN, 0, 2), text(NULL_TEXT)),
    "str_numbers": program(op(NUMBER, 0, 0), number(1, 0x80, 255), op(NUMBER, 0, 1), number(1, 14, -1, True),
                           op(NUMBER, 0, 2), number(4, 0, 2**64 - 1, True), op(NUMBER, 0, 3),
                           number(5, 34, -(2**63), True), op(NUMBER, 0, 0), number(0, 6, 200)),
    "str_float_texts": program(op(NUMBER, 0, 0), number(8, 0, 0) + double(2.5), op(NUMBER, 0, 1),
                               number(8, 2, 0) + double(0.125), op(NUMBER, 0, 2), number(8, 2, 0) + double(5e9),
                               op(NUMBER, 0, 3), number(7, 12, 0) + double(1.5), op(NUMBER, 0, 0),
                               number(8, 3, 0) + double(float("nan")), op(NUMBER, 0, 1),
                               number(8, 0, 0) + double(1.7976931348623157e308), op(CONCAT, 11, 2), double(-0.001)),
    "str_char_nul": program(op(ASSIGN, 6, 0), b"\x00", op(ASSIGN, 6, 1), b"x", op(CONCAT, 3, 1), b"\x00"),
    "str_invalid": program(op(ASSIGN, 0, 0), text(T_A), op(ASSIGN, 5, 1, 0), op(ASSIGN, 3, 2, 0),
                           op(CONCAT, 0, 1, 0), op(CONCAT, 2, 0), text(b""), op(PLUS, 0, 3, 1, 0),
                           op(PLUS, 1, 2, 1), text(NULL_TEXT), op(COMPARE, 0, 1, 0), index(0)),
    "str_nul_search": program(op(ASSIGN, 2, 0), text(b"ab\x00ab"), op(ASSIGN, 2, 1), text(b"ab\x00c"),
                              op(COMPARE, 1, 0, 1), index(0), text(T_AAB), op(SEARCH_PARSE, 16, 0, 1), b"\x00" + index(1),
                              op(EDIT, 4, 0), op(EDIT, 1, 0), b"ba", op(CHARS, 6, 0), index(0) + b"z" + index(5) + index(0)),
    "str_past_end": program(op(ASSIGN, 0, 0), text(b"abc"), op(ASSIGN, 0, 1), text(T_EMPTY),
                            op(SEARCH_PARSE, 16, 0, 1), b"a" + index(3), op(SEARCH_PARSE, 16, 0, 1), b"c" + index(10),
                            op(SEARCH_PARSE, 16, 1, 1), b"\x00" + index(0)),
    "str_edits": program(op(ASSIGN, 0, 0), text(T_TRIM), op(EDIT, 6, 0), op(ASSIGN, 0, 1), text(T_HELLO),
                         op(ASSIGN, 0, 2), text(T_L), op(ASSIGN, 0, 3), text(T_LL), op(EDIT, 2, 1, 2, 3),
                         op(EDIT, 0, 0, 1), index(7) + index(2), op(EDIT, 8, 0, 1), index(3),
                         op(EDIT, 3, 1), index(2) + index(200), op(EDIT, 11, 1), index(4), op(EDIT, 5, 1),
                         op(EDIT, 2, 1, 1, 2)),
    "str_parse": program(op(ASSIGN, 0, 0), text(T_42ABC), op(SEARCH_PARSE, 0, 0), op(ASSIGN, 0, 0),
                         text(T_OVERLONG), op(SEARCH_PARSE, 0, 0), op(ASSIGN, 0, 0), text(T_EXP),
                         op(SEARCH_PARSE, 0, 0), op(ASSIGN, 0, 0), text(T_HEXFLOAT), op(SEARCH_PARSE, 0, 0),
                         op(ASSIGN, 0, 0), text(T_NAN), op(SEARCH_PARSE, 0, 0)),
    "str_concat": program(op(ASSIGN, 0, 0), text(T_ABAB), op(CONCAT, 0, 0, 0), op(CONCAT, 3, 0), b"\xff",
                          op(CONCAT, 5, 0), b"\x80", op(CONCAT, 20, 0), struct.pack("<Q", 2**63),
                          op(CONCAT, 10, 0), double(0.125), op(PLUS, 3, 1, 0), b"!", op(PLUS, 4, 2, 0),
                          struct.pack("<q", -5), op(PLUS, 2, 3, 0, 0), text(T_HELLO2)),
    "str_chars": program(op(ASSIGN, 0, 0), text(T_HELLO), op(CHARS, 0, 0), index(4) + b"O", op(CHARS, 1, 0),
                         index(50) + b"!", op(CHARS, 2, 0), index(6) + b"-" + index(5) + index(2),
                         op(CHARS, 6, 0), index(0) + b"-" + index(1) + index(20)),
    "str_reserve_max": program(op(ASSIGN, 0, 0), text(b"abc"), op(EDIT, 7, 0), index(SIZE_MAX_INDEX),
                               op(CONCAT, 1, 0), text(b"d"), op(EDIT, 7, 0), index(200)),
    "str_oom_replace": oom_program((0, op(ASSIGN, 0, 0) + text(T_HELLO)), (0, op(ASSIGN, 0, 1) + text(T_L)),
                                   (0, op(ASSIGN, 0, 2) + text(T_LL)), (1, op(EDIT, 2, 0, 1, 2)),
                                   (0, op(EDIT, 2, 0, 1, 2)), (1, op(EDIT, 2, 0, 2, 1)), (1, op(EDIT, 2, 0, 0, 0))),
    "str_oom_build": oom_program((1, op(ASSIGN, 0, 0) + text(T_HELLO)), (0, op(ASSIGN, 0, 0) + text(T_ABAB)),
                                 (1, op(NUMBER, 0, 1) + number(1, 14, -1, True)), (0, op(ASSIGN, 1, 1) + text(b"x")),
                                 (1, op(CONCAT, 0, 1, 0)), (2, op(CONCAT, 5, 1) + b"\x80"),
                                 (1, op(PLUS, 0, 2, 0, 1)), (2, op(PLUS, 2, 3, 0, 1) + text(T_HELLO2)),
                                 (3, op(PLUS, 4, 2, 1) + struct.pack("<q", -5)), (1, op(EDIT, 0, 3, 0) + index(1) + index(3)),
                                 (1, op(EDIT, 7, 1) + index(200)), (1, op(ASSIGN, 3, 1, 0)), (1, op(ASSIGN, 4, 2, 0))),
}


def stream(ops, pieces, timeout=0x03, clock=0x00):
    """A Stream program: the timeout byte (the harness's list or the byte itself), the clock
    byte (bit 7: start just before the clock wraps; bit 6: waits return after at most
    1 + (clock & 7) ms), the operations and the input's (gap, bytes) pieces."""
    feed = b""
    for gap, data in pieces:
        for at in range(0, max(len(data), 1), 31):  # a piece holds at most 31 bytes
            feed += bytes([gap if at == 0 else 0, len(data[at:at + 31])]) + data[at:at + 31]
    return b"\x01" + bytes([timeout, clock, len(ops)]) + ops + feed


FIND, FIND_BYTES, FIND_CHAR, FIND_UNTIL, PARSE_INT, PARSE_FLOAT = 0, 1, 2, 3, 4, 5
READ_BYTES, READ_BYTES_UNTIL, READ_STRING, READ_STRING_UNTIL, UNTIMED, SET_TIMEOUT = 6, 7, 8, 9, 10, 11
WITH_IGNORE = 12  # parseInt / parseFloat with the ignore char: op + 12 (bit 4 set)

STREAM_SEEDS = {
    "stream_reads": stream(bytes([PARSE_INT, 0, PARSE_FLOAT + 36, 0, UNTIMED, 0, READ_STRING_UNTIL, 10,
                                  FIND]) + text(b"OK") + bytes([READ_BYTES, 3, READ_BYTES, 5, READ_STRING]),
                           [(0, b"Temp: -12 C, rate 3.25\nsecond line\nOK done")]),
    "stream_pieces": stream(bytes([PARSE_INT, 0, PARSE_INT, 0, PARSE_FLOAT, 0, READ_STRING_UNTIL, 59]),
                            [(0, b"12"), (3, b"34"), (8, b" 5"), (1, b"6.2"), (9, b"5;x")], timeout=0x02, clock=0x41),
    "stream_lookahead": stream(bytes([PARSE_INT, 1, PARSE_INT, 2, UNTIMED, 0, PARSE_INT, 2, PARSE_FLOAT + 36, 1,
                                      PARSE_FLOAT + 36, 2, PARSE_INT + WITH_IGNORE, 3]),
                               [(0, b"x12 \t\n-7 ab .5 1,234,567")]),
    "stream_find_repeat": stream(bytes([FIND]) + text(T_AAB) + bytes([FIND_UNTIL]) + text(b"rest") + text(b"")
                                 + bytes([UNTIMED, 0, FIND_UNTIL]) + text(b"STOP") + text(b"END"),
                                 [(0, b"aaab;rest xx END yy")]),
    "stream_ignore_ff": stream(bytes([PARSE_INT + WITH_IGNORE, 21, PARSE_INT + WITH_IGNORE, 21,
                                      READ_STRING_UNTIL, 0xE9, READ_BYTES_UNTIL, 8, 0xE9]),
                               [(0, b"1\xff2 3\xff"), (5, b"ab\xe9cd\xe9ef")]),
    "stream_int_wrap": stream(bytes([PARSE_INT, 0, PARSE_INT, 0]),
                              [(0, b"123456789012345678901234567890 -9223372036854775808 ")]),
    "stream_float_digits": stream(bytes([PARSE_FLOAT, 0]), [(0, b"1." + b"1" * 400)]),
    "stream_clock_wraps": stream(bytes([SET_TIMEOUT, 5, READ_BYTES, 10, FIND_CHAR]) + text(b"z")
                                 + bytes([READ_STRING]), [(0, b"ab"), (9, b"cd"), (30, b"z"), (5, b"q")],
                                 timeout=0x84, clock=0x85),
}

if __name__ == "__main__":
    write_seeds(__file__, STRING_SEEDS, STREAM_SEEDS)

#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpus of fuzz_board_readers (the input format is at
next_event in fuzz_board_readers.c): python3 fuzz/board_readers/make_seeds.py fuzz/board_readers/seeds

Each seed is a sequence of events: a run's life (boot, run, pins, PWM, analog, servo, RTC,
Serial, end), Serial text in UTF-8 cut across events and frames, a Serial flood past the
Monitor's tail, cores' texts with newlines, control bytes and invalid UTF-8, pages opening,
times that go back and jump. texts_hostile is the input of the fixes of log.c (a newline in a
core's text made two log lines) and web_json.c (a why not UTF-8 took "cores" out of the JSON);
reset_then_state is the input the fuzzer found for a check of the harness that was wrong (a
state lists only the pins in use, not every pin a reset changed).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import write_seeds  # noqa: E402

BOARD, M4, M7, NOCORE = 0, 1, 2, 3  # h >> 5 & 3
BOOT, END, PIN_MODE, PIN, PWM, ANALOG, SERVO, RTC, SERIAL, STREAM, RPC, WARN, LINK, SERIAL_IN, RESET, \
    M4_STDOUT, RUN = range(1, 18)
PAGE_STATE, READ_STATE = 30, 31


def ev(kind, core=BOARD, data=b"", t=1, pin=-1, value=0, frame=False, kib=None, pattern=None):
    """kib: the data is pattern repeated to kib KiB (L = 239 + kib)."""
    h = kind | core << 5 | (128 if frame else 0)
    head = bytes([h, t, pin & 0xFF]) + struct.pack("<h", value)
    if kib:
        return head + bytes([239 + kib, len(pattern)]) + pattern
    assert len(data) < 240
    return head + bytes([len(data)]) + data


def text(s):
    return s.encode() if isinstance(s, str) else s


RUN_LIFE = (ev(BOOT, M7, value=0x0810) + ev(RUN, M7, frame=True)
            + ev(PIN_MODE, M7, pin=86, value=1) + ev(PIN, M7, pin=86, value=0) + ev(PIN, M7, pin=13, value=1)
            + ev(PWM, M7, pin=5, value=128) + ev(ANALOG, BOARD, pin=76, value=1023)
            + ev(ANALOG, BOARD, pin=76, value=5, t=100) + ev(ANALOG, BOARD, pin=76, value=6, t=239)
            + ev(ANALOG, BOARD, pin=76, value=7, t=239, frame=True)
            + ev(SERVO, M7, b"attach", pin=9, value=90) + ev(SERVO, M7, pin=9, value=90)
            + ev(SERVO, M7, pin=9, value=45, frame=True)
            + ev(RTC, M7, b"1700000000") + ev(BOOT, M7, value=0x0810) + ev(BOOT, M4)
            + ev(RUN, M4) + ev(SERIAL, M7, b"hello\r\n", frame=True) + ev(M4_STDOUT, M4, b"m4 says hi")
            + ev(WARN, BOARD, b"a warning") + ev(STREAM, M4, b"stream") + ev(RPC, M4, b"\x93\x02\xa1x\x90")
            + ev(SERIAL_IN, BOARD, b"typed\n") + ev(END, M4, b"the M4 stopped: SIGSEGV", value=139)
            + ev(END, M7, b"returned 0", frame=True) + ev(RESET) + ev(LINK, BOARD, b"link gone", frame=True))

euro, pile = "\u20ac".encode(), "\U0001F4A9".encode()
SEEDS = {
    "run_life": RUN_LIFE,
    # UTF-8 characters cut between events, a frame between the cut pieces.
    "serial_utf8_cut": ev(SERIAL, M7, b"a" + euro[:1], frame=True) + ev(SERIAL, M7, euro[1:2], frame=True)
    + ev(SERIAL, M7, euro[2:] + pile[:3], frame=True) + ev(SERIAL, M7, pile[3:] + "\u00e9".encode(), frame=True)
    + ev(SERIAL, M7, "\u00e9".encode()[:1]) + ev(PAGE_STATE) + ev(SERIAL, M7, b"\x80x", frame=True),
    # Not UTF-8: lone continuation bytes, overlong forms, surrogates, past U+10FFFF, NUL.
    "serial_invalid": ev(SERIAL, M7, b"\x80\xbf\xc0\xaf\xc1\x81\xe0\x80\x80\xed\xa0\x80\xf4\x90\x80\x80\xf5\xff\x00z",
                         frame=True) + ev(SERIAL, M7, b"\xe0\xa0", frame=True) + ev(SERIAL, M7, b"\x41", frame=True),
    # More than the Serial Monitor's tail (4 KiB) between two frames, then a state.
    "serial_flood": ev(SERIAL, M7, b"start", frame=True) + ev(SERIAL, M7, kib=5, pattern=b"\xe2\x82\xac.")
    + ev(SERIAL, M7, b"!", frame=True) + ev(SERIAL, M7, kib=16, pattern=b"0123456789") + ev(READ_STATE)
    + ev(PAGE_STATE) + ev(SERIAL, M7, b"after", frame=True),
    # Cores' texts with newlines, carriage returns, escapes, invalid UTF-8, NUL; long ones.
    "texts_hostile": ev(END, M7, b"line one\nline two\r\x1b[2J\x7f\xff\xfe") + ev(WARN, M4, b"warn\n[ 0.000 s] fake")
    + ev(M4_STDOUT, M4, b"tab\there\x00after nul") + ev(LINK, M7, b"\xc3") + ev(RTC, M7, b"-99999999999999999999")
    + ev(END, M4, kib=1, pattern="\u00e9t\u00e9 ".encode(), frame=True) + ev(WARN, BOARD, kib=2, pattern=b"\n")
    + ev(BOOT, M4, b"\xe2\x82", frame=True) + ev(READ_STATE),
    # Pins out of range, extreme values, unknown kinds and cores, times going back and jumping.
    "edges": ev(PIN, M7, pin=-128, value=1) + ev(PIN, M7, pin=127, value=-32768) + ev(PIN, M7, pin=102, value=32767)
    + ev(PIN, M7, pin=103, value=1) + ev(PWM, NOCORE, pin=0, value=-1, t=250) + ev(PWM, M4, pin=102, value=300, t=251)
    + ev(ANALOG, M4, pin=83, value=32767, t=252) + ev(ANALOG, M4, pin=84, value=1) + ev(SERVO, M7, pin=-1, value=-1, t=253)
    + ev(SERVO, M7, pin=200 - 256, value=181, t=254) + ev(RUN, M7, frame=True) + ev(END, NOCORE, b"?")
    + ev(0, M7, b"zero") + ev(18, M4, b"x") + ev(29, M7, t=255) + ev(PIN_MODE, M7, pin=50, value=7, frame=True)
    + ev(BOOT, M7, value=32767) + ev(RESET, frame=True) + ev(PAGE_STATE),
    # More than WEB_TRACE_LINES (200) trace lines between frames, then more after a state.
    "trace_many": b"".join(ev(WARN, BOARD, text(f"warning {i}")) for i in range(210)) + ev(BOOT, M7, frame=True)
    + ev(WARN, BOARD, b"x" * 239) + ev(WARN, BOARD, b"y" * 230 + euro * 3, frame=True),
    "reset_then_state": bytes.fromhex("6f 61 60 6000 00 fe"),
}


def main():
    write_seeds(__file__, SEEDS)


if __name__ == "__main__":
    main()

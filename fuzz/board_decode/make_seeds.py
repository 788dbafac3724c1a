#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpus of fuzz_board_decode (see the input formats at the
top of fuzz_board_decode.c): python3 fuzz/board_decode/make_seeds.py fuzz/board_decode/seeds

Every input is read four ways (a msgpack value, events on the feed, RPMsg buffers, an
--analog spec), so each seed is written for one of them: msgpack-RPC messages (value_*),
event sequences (events_*), RPMsg buffer sequences (rpmsg_*) and analog specs (analog_*).
The seeds the fuzzer found (empty, str_fills_cap7, serial_empty_null, rpmsg_buffer_4200)
are kept as they were found; rpmsg_buffer_4200 is rewritten here too.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import mp_str, notify, request, response, write_seeds  # noqa: E402

M4, M7 = 0, 1



# ------------------------------------------------------------ values (walk A)
add_1_2 = request(3, "add", b"\x92\x01\x02")
VALUES = {
    "value_request": add_1_2,
    "value_response": response(3, b"\x03"),
    "value_error": response(4, b"\xc0", mp_str("no such method")),
    "value_notify": notify("tty", b"\x91\xc4\x03abc"),
    "value_mixed": b"\x87" + mp_str("f") + b"\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00"
    + mp_str("s") + mp_str('q"\\\n\r\x01\x7f\xc3\xa9')
    + mp_str("n") + b"\xd3\x80\x00\x00\x00\x00\x00\x00\x00"
    + mp_str("u") + b"\xcf\xff\xff\xff\xff\xff\xff\xff\xff"
    + mp_str("e") + b"\xd6\xff\x00\x00\x00\x01"
    + mp_str("b") + b"\xc3"
    + b"\x01\xca\x3f\xc0\x00\x00",
    "value_deep": b"\x91" * 12 + b"\xc0",
    "value_long_str": b"\xd9\x80" + bytes(range(128)),
}


# ------------------------------------------------------------ events (walk B)
def event(core, data, kind=None, step=1, pin=-1, value=0, times=None):
    """h: bit 0 core, bits 1-2 kind (0 RPC, 2 STREAM, 3 record), bits 3-7 step in ms; times:
    data is the rest of the input, that many times over (the last event)."""
    if kind is None:
        h = core | (0 << 1) | (step << 3)
        head = bytes([h])
    elif kind == "stream":
        head = bytes([core | (2 << 1) | (step << 3)])
    else:
        head = bytes([core | (3 << 1) | (step << 3), kind, pin & 0xFF]) + struct.pack("<i", value)
    if times:
        return head + bytes([239 + times]) + data
    assert len(data) < 240
    return head + bytes([len(data)]) + data


EVENTS = {
    "events_call_answer": event(M4, add_1_2) + event(M7, response(3, b"\x03"), step=2),
    "events_answer_first": event(M7, response(5, b"\x2a")) + event(M4, request(5, "get"), step=31),
    "events_no_answer": event(M7, request(9, "sensorRead", b"\x91\x05")) + event(M4, notify("tick")),
    "events_stream_serial": event(M4, b"hello\n\x01", kind="stream")
    + event(M7, b"Serial out\r\n", kind=9)
    + event(0, b"1700000000", kind=8)
    + event(M7, b"", kind=4, pin=86, value=1)
    + event(M7, b"", kind=6, pin=77, value=512)
    + event(M4, b"SIGSEGV", kind=2, value=139)
    + event(M4, b"", kind=15),
    "events_two_messages": event(M4, request(1, "a") + request(2, "b", b"\x91\xa1x"))
    + event(M7, response(2) + response(1, b"\x01")),
    # The Serial Monitor's tail (4 KiB) overflows: 100 bytes, then 16 x 300.
    "events_serial_fills": event(M7, b"s" * 100, kind=9) + event(M7, bytes(range(44, 244)) + b"x" * 100, kind=9, times=16),
    "events_many_calls": b"".join(event(M4, request(i, "f")) for i in range(40))
    + b"".join(event(M7, response(i)) for i in range(40)),
}


# ------------------------------------------------------------ RPMsg buffers (walk C)
def buf(core, payload, dst_ns=False, src=0, dst=0, more=False, restart=False):
    """A buffer whose header the target makes: c bit 0 core, src 1024+src, dst 53 or 1024+dst;
    restart: flag 0x4000, which the target sets when the address the decoder does not read for
    that core (the M4's dst, the M7's src) is 3."""
    if restart:
        src, dst = (3, dst) if core == M7 else (src, 3)
    c = core | (src << 2) | (16 if dst_ns else 0) | (dst << 5) | (128 if more else 0)
    return bytes([c]) + struct.pack("<H", len(payload)) + payload


def raw_buf(core, src, dst, payload, flags=0, length=None):
    """A buffer given whole (c bit 1): the 16-byte RPMsg header, then the payload."""
    n = len(payload) if length is None else length
    b = struct.pack("<IIIHH", src, dst, 0, n, flags) + payload
    return bytes([core | 2]) + struct.pack("<H", len(b)) + b


def announce(name, addr, flags=0):
    return name.encode().ljust(32, b"\0") + struct.pack("<II", addr, flags)


RPMSG = {
    # The M4 announces "rpc" at 1024, the M7 answers (handshake), then a call and its answer.
    "rpmsg_rpc_exchange": buf(M4, announce("rpc", 1024), dst_ns=True)
    + buf(M7, b"\0")
    + buf(M4, add_1_2)
    + buf(M7, response(3, b"\x03")),
    # "raw" at 1025 with a duet marker after the name's NUL, stream text, a fragmented message.
    "rpmsg_raw_fragments": buf(M4, b"raw\0duet".ljust(32, b"\0") + struct.pack("<II", 1025, 0), dst_ns=True)
    + buf(M7, b"\0", dst=1)
    + buf(M4, b"text ", src=1, more=True)
    + buf(M4, b"on the stream\n", src=1),
    # Whole buffers: announcement at NS address 53, a destroy, a length past the buffer.
    "rpmsg_raw_headers": raw_buf(M4, 1024, 53, announce("rpc", 1024))
    + raw_buf(M7, 53, 1024, b"x")
    + raw_buf(M4, 1024, 1024, request(1, "m"), flags=0x8000)
    + raw_buf(M4, 1024, 1024, b"\x90")
    + raw_buf(M4, 1024, 53, announce("rpc", 1024, 1))
    + raw_buf(M4, 1024, 1024, b"\xc0", length=200),
    "rpmsg_nine_endpoints": b"".join(buf(M4, announce("rpc", 2000 + i), dst_ns=True) for i in range(9)),
    # A message given up part-way (its fragments out, then the sender's timeout): the next
    # message's first buffer is flagged 0x4000, and the trace shows it alone, each way.
    "rpmsg_cut_fragments": buf(M4, announce("rpc", 1024), dst_ns=True)
    + buf(M7, b"\0")
    + buf(M4, b"\x94\x00\x01\xa1", more=True)
    + buf(M4, add_1_2, restart=True)
    + buf(M7, b"\x94\x01", more=True)
    + buf(M7, b"\x94\x01\x01", more=True, restart=True)
    + buf(M7, b"\xc0\x03"),
    # One buffer of 4200 bytes: more than rpmsg_decode keeps (RPMSG_DECODE_MESSAGE).
    "rpmsg_buffer_4200": buf(M4, announce("rpc", 1024), dst_ns=True) + buf(M7, b"\0") + buf(M4, b"\xc0" * 4200),
}

# ------------------------------------------------------------ --analog (walk D)
ANALOG = {
    "analog_const": b"A0=512",
    "analog_sine": b"A3=sine:0:1023:1Hz",
    "analog_square_down": b"A7=square:1023:0:0.5hz",
    "analog_ramp": b"A1=ramp:10:20:1000",
    "analog_triangle": b"A2=triangle:0:1023:0.2Hz",
    "analog_bad_range": b"A0=sine:0:1024:1Hz",
    "analog_bad_input": b"A8=100",
    "analog_hex_freq": b"A5=sine:1:2:0x1p-3Hz",
}


def main():
    write_seeds(__file__, VALUES, EVENTS, RPMSG, ANALOG, width=28)


if __name__ == "__main__":
    main()

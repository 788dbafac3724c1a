#!/usr/bin/python3
"""make_seeds.py - writes the seed corpus of fuzz_msgpack_reader into seeds/ beside this file.

The seeds are raw MessagePack (valid, non-canonical, truncated and invalid), built by hand
with struct so that every byte is deliberate. Run it again after changing the list; it
removes the .bin files it no longer writes.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "seeds")


def u8(v): return struct.pack(">B", v)
def u16(v): return struct.pack(">H", v)
def u32(v): return struct.pack(">I", v)
def u64(v): return struct.pack(">Q", v)


def nil(): return b"\xc0"
def true(): return b"\xc3"
def false(): return b"\xc2"


def uint(v):
    if v < 0x80: return u8(v)
    if v <= 0xFF: return b"\xcc" + u8(v)
    if v <= 0xFFFF: return b"\xcd" + u16(v)
    if v <= 0xFFFFFFFF: return b"\xce" + u32(v)
    return b"\xcf" + u64(v)


def sint(v):
    if v >= 0: return uint(v)
    if v >= -32: return struct.pack(">b", v)
    if v >= -128: return b"\xd0" + struct.pack(">b", v)
    if v >= -32768: return b"\xd1" + struct.pack(">h", v)
    if v >= -2**31: return b"\xd2" + struct.pack(">i", v)
    return b"\xd3" + struct.pack(">q", v)


def f32(x): return b"\xca" + struct.pack(">f", x)
def f64(x): return b"\xcb" + struct.pack(">d", x)


def string(s):
    b = s.encode("utf-8") if isinstance(s, str) else s
    n = len(b)
    if n < 32: return u8(0xA0 | n) + b
    if n <= 0xFF: return b"\xd9" + u8(n) + b
    if n <= 0xFFFF: return b"\xda" + u16(n) + b
    return b"\xdb" + u32(n) + b


def binary(b):
    n = len(b)
    if n <= 0xFF: return b"\xc4" + u8(n) + b
    if n <= 0xFFFF: return b"\xc5" + u16(n) + b
    return b"\xc6" + u32(n) + b


def ext(t, b):
    n = len(b)
    fixed = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}
    if n in fixed: return u8(fixed[n]) + struct.pack(">b", t) + b
    if n <= 0xFF: return b"\xc7" + u8(n) + struct.pack(">b", t) + b
    if n <= 0xFFFF: return b"\xc8" + u16(n) + struct.pack(">b", t) + b
    return b"\xc9" + u32(n) + struct.pack(">b", t) + b


def array(*items):
    n = len(items)
    head = u8(0x90 | n) if n < 16 else b"\xdc" + u16(n) if n <= 0xFFFF else b"\xdd" + u32(n)
    return head + b"".join(items)


def mapping(*pairs):
    n = len(pairs)
    head = u8(0x80 | n) if n < 16 else b"\xde" + u16(n) if n <= 0xFFFF else b"\xdf" + u32(n)
    return head + b"".join(k + v for k, v in pairs)


def ts32(sec): return ext(-1, u32(sec))
def ts64(sec, nsec): return ext(-1, u64(nsec << 34 | sec))
def ts96(sec, nsec): return ext(-1, u32(nsec) + struct.pack(">q", sec))


def nested_arrays(levels, inner=b"\x2a"):
    return b"\x91" * levels + inner


def nested_maps(levels, inner=b"\x2a"):
    return b"\x81\xa1k" * levels + inner


SEEDS = {
    # scalars
    "nil": nil(),
    "true_false": true() + false(),
    "fixint_bounds": uint(0) + uint(0x7F) + sint(-1) + sint(-32),
    "uint_bounds": uint(0x80) + uint(0xFF) + uint(0x100) + uint(0xFFFF) + uint(0x10000)
    + uint(0xFFFFFFFF) + uint(0x100000000) + uint(2**64 - 1),
    "int_bounds": sint(-33) + sint(-128) + sint(-129) + sint(-32768) + sint(-32769)
    + sint(-2**31) + sint(-2**31 - 1) + sint(-2**63),
    "int_noncanonical": b"\xd3" + u64(5) + b"\xd0\x05" + b"\xcf" + u64(1) + b"\xcd\x00\x01"
    + b"\xd2" + u32(0x7FFFFFFF) + b"\xd3" + u64(2**63 - 1),
    "float32": f32(1.5) + f32(-0.0) + f32(float("inf")) + b"\xca\x7f\xc0\x00\x00" + b"\xca\x00\x00\x00\x01",
    "float64": f64(3.141592653589793) + f64(-0.0) + f64(float("-inf")) + b"\xcb\x7f\xf8" + b"\x00" * 6
    + f64(1e300) + f64(5e-324),
    "float64_as_float32_overflow": f64(1e300) + f64(-1e-300),
    # str / bin
    "str_fix": string("") + string("hello") + string("x" * 31),
    "str8": string("y" * 32) + string("z" * 255),
    "str16": string("w" * 256),
    "str32_small": b"\xdb" + u32(3) + b"abc",
    "str16_small": b"\xda" + u16(1) + b"q" + b"\xd9\x00",
    "str_utf8_nul": string("h\u00e9llo \u4e16\u754c \U0001f600") + string(b"a\x00b"),
    "bin": binary(b"") + binary(b"\x00\x01\x02") + binary(bytes(range(256))),
    "bin32_small": b"\xc6" + u32(2) + b"\xff\xfe",
    # ext and timestamps
    "fixext": ext(1, b"\x01") + ext(2, b"\x01\x02") + ext(3, b"abcd") + ext(4, b"abcdefgh")
    + ext(-128, bytes(16)),
    "ext8_16_32": ext(5, b"") + ext(6, b"abc") + b"\xc8" + u16(4) + b"\x07wxyz" + b"\xc9" + u32(1) + b"\x7fZ",
    "timestamps": ts32(0) + ts32(0xFFFFFFFF) + ts64(2**34 - 1, 999999999) + ts96(-1, 0) + ts96(-2**63, 5),
    "timestamp_bad_nsec": ts64(5, 1000000000) + ts96(0, 0xFFFFFFFF),
    "timestamp_bad_len": ext(-1, b"\x00" * 5) + ext(-1, b"") + ext(-1, bytes(16)),
    # containers
    "arrays": array() + array(uint(1), nil(), true()) + array(*[uint(i) for i in range(16)])
    + b"\xdd" + u32(2) + uint(1) + uint(2),
    "maps": mapping() + mapping((string("a"), uint(1)), (uint(2), array()))
    + mapping(*[(uint(i), nil()) for i in range(16)]) + b"\xdf" + u32(1) + nil() + nil(),
    "nested_mixed": array(uint(1), array(uint(2), mapping((string("a"), array(f64(3.0), nil())))), string("x"),
                          mapping((array(uint(1)), binary(b"k")), (nil(), ext(9, b"zz")))),
    "deep_arrays_32": nested_arrays(32),
    "deep_arrays_33": nested_arrays(33),
    "deep_arrays_200": nested_arrays(200),
    "deep_maps_32": nested_maps(32),
    "deep_maps_40": nested_maps(40),
    "deep_then_wide": b"\x91" * 31 + array(*[array() for _ in range(15)]),
    "empty_at_depth_limit": b"\x91" * 32 + b"\x90",
    # truncated and invalid
    "trunc_uint16": b"\xcd\x01",
    "trunc_float64": b"\xcb\x00\x00",
    "trunc_str8": b"\xd9\x05ab",
    "trunc_str_len": b"\xda\x01",
    "trunc_fixstr": b"\xa5abc",
    "trunc_array16": b"\xdc\x00\x03\x01",
    "trunc_array_items": b"\x92\x01",
    "trunc_map_value": b"\x82\x01\x02\x03",
    "trunc_ext": b"\xc7\x05\x01ab",
    "trunc_fixext": b"\xd8\x01" + bytes(5),
    "huge_lengths": b"\xdb\xff\xff\xff\xff" + b"ab",
    "huge_counts": b"\xdd\xff\xff\xff\xff\x01\x02",
    "huge_map": b"\xdf\xff\xff\xff\xff\x01",
    "c1": b"\xc1",
    "c1_in_array": array(uint(1), b"\xc1", uint(2)),
    "c1_after_values": uint(1) + string("ok") + b"\xc1" + nil(),
    # msgpack-RPC (request, response, error, notification) and a stream of them
    "rpc_request": array(uint(0), uint(1), string("add"), array(uint(1), uint(2))),
    "rpc_response": array(uint(1), uint(1), nil(), uint(3)),
    "rpc_error": array(uint(1), uint(2), string("no such method"), nil()),
    "rpc_notify": array(uint(2), string("log"), array(string("hello"), f64(0.5))),
    "rpc_stream": array(uint(0), uint(7), string("echo"), array(binary(b"\x00\x01"), mapping((string("k"), true()))))
    + array(uint(1), uint(7), nil(), array(binary(b"\x00\x01"), mapping((string("k"), true()))))
    + array(uint(2), string("tick"), array(ts64(1700000000, 123))),
    "rpc_bad_id": array(uint(0), sint(-1), string("add"), array()),
    "rpc_truncated": array(uint(0), uint(1), string("add"), array(uint(1), uint(2)))[:-1],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    wanted = set()
    for name, data in SEEDS.items():
        path = os.path.join(OUT, name + ".bin")
        wanted.add(os.path.basename(path))
        with open(path, "wb") as f:
            f.write(data)
    for old in os.listdir(OUT):
        if old.endswith(".bin") and old not in wanted:
            os.remove(os.path.join(OUT, old))
    print(f"{len(SEEDS)} seeds in {OUT}")


if __name__ == "__main__":
    main()

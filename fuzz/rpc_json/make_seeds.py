#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpus of fuzz_rpc_json (see the walks at the top of
fuzz_rpc_json.c): python3 fuzz/rpc_json/make_seeds.py fuzz/rpc_json/seeds

Every input is read three ways (a MessagePack value, an argument's text, base64), so each
seed is written for one of them: results as MessagePack (mp_*: every form of the mapping in
duet-rpc --help), arguments (arg_*) and base64 texts (b64_*). The seeds the fuzzer found
(arg_not_utf8, map_repeated_key, nested_too_deep) are kept as they were found.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import write_seeds  # noqa: E402


def s(text):
    b = text.encode() if isinstance(text, str) else text
    if len(b) < 32:
        return bytes([0xA0 | len(b)]) + b
    return b"\xd9" + bytes([len(b)]) + b


def arr(*items):
    return bytes([0x90 | len(items)]) + b"".join(items)


def mp_map(*pairs):
    return bytes([0x80 | len(pairs)]) + b"".join(k + v for k, v in pairs)


f32 = lambda v: b"\xca" + struct.pack(">f", v)
f64 = lambda v: b"\xcb" + struct.pack(">d", v)

MSGPACK = {
    # A response as duet-rpc call gets it, and its result alone.
    "mp_response": arr(b"\x01", b"\x07", b"\xc0", arr(b"\x01", s("a"), mp_map((s("b"), b"\xc3")))),
    "mp_ints": arr(b"\x00", b"\x7f", b"\xff", b"\xd0\x80", b"\xcc\xff", b"\xcd\x01\x00", b"\xd3" + struct.pack(">q", -2**63),
                   b"\xcf" + struct.pack(">Q", 2**63 - 1), b"\xd0\x05"),
    "mp_big_uint": b"\xcf\xff\xff\xff\xff\xff\xff\xff\xff",
    "mp_floats": arr(f32(1.5), f32(0.1), f32(16777216.0), f32(1e-45), f64(0.1), f64(1e300), f64(-0.0), f64(5e-324),
                     f64(1.0), f64(float("nan")), f32(float("inf")), f64(float("-inf"))),
    "mp_strings": arr(s("plain"), s('"\\/\b\f\n\r\t\x00\x1f\x7f'), s("h\u00e9\u20ac\U0001f600"), s(b"\xff\xfe"),
                      s(b"\xed\xa0\x80"), s("")),
    "mp_bin_ext": arr(b"\xc4\x03\x00\x01\x02", b"\xc4\x00", b"\xd6\xff\x65\x53\xf1\x00", b"\xd4\x07\x78",
                      b"\xc7\x03\x80abc", b"\xd8\x01" + bytes(16)),
    "mp_maps": arr(mp_map(), mp_map((s("a"), b"\x01"), (s("$bin"), b"\x02")), mp_map((s("$bin"), s("x"))),
                   mp_map((s("$ext"), b"\x01"), (s("data"), s("AA=="))), mp_map((b"\x01", s("one")), (b"\xc0", arr(b"\xc3"))),
                   mp_map((s(b"k\x00"), b"\x01")), mp_map((s(b"\xff"), b"\x01")), mp_map((arr(), mp_map()))),
    "mp_nested_32": b"\x91" * 31 + b"\x80",
    "mp_nested_33": b"\x91" * 32 + b"\x90",
    "mp_truncated": b"\x93\x01\xa5ab",
    "mp_long_str": s("a long text, longer than the limit a trace cuts values at: " * 2),
}

ARGS = {
    "arg_array_bin": b'[1,"a",{"$bin":"AAE="}]',
    "arg_uint": b'{"$uint": "18446744073709551615"}',
    "arg_bare_big": b"18446744073709551615",
    "arg_past_uint64": b"18446744073709551616",
    "arg_floats": b'[1.5, 1e3, -0.0, {"$float": "nan"}, {"$float": "-Infinity"}, {"$float": 2}]',
    "arg_map": b'{"$map": [[1, "one"], [null, [true]], [{"$bin": ""}, 2]]}',
    "arg_ext": b'[{"$ext": -1, "data": "ZVPxAA=="}, {"$ext": 7, "data": "eHk"}, {"$ext": 200, "data": ""}]',
    "arg_str_forms": b'[{"$str": "/w=="}, "nul \\u0000 in", "\\ud83d\\ude00", {"a": 1, "$bin": 2}]',
    "arg_text": b"hello world",
    "arg_bad_json": b"[1, 2",
    "arg_deep": b"[" * 31 + b"]" * 31,
    "arg_bad_b64": b'{"$bin": "not base64!"}',
    "arg_map_bad_pair": b'{"$map": [1]}',
}

BASE64 = {
    "b64_padded": b"AAE=",
    "b64_urlsafe": b"AAH_-w",
    "b64_text": b"aGVsbG8gd29ybGQ=",
    "b64_bad": b"A===",
}


def main():
    write_seeds(__file__, MSGPACK, ARGS, BASE64)


if __name__ == "__main__":
    main()

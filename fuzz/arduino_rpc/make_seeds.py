#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpus of fuzz_arduino_rpc (the input is at
LLVMFuzzerTestOneInput in fuzz_arduino_rpc.cpp): python3 fuzz/arduino_rpc/make_seeds.py fuzz/arduino_rpc/seeds

Every seed is a mode byte and MessagePack bytes. Results (res_*, mode 0; 4 adds the failed-call
checks): each type's edges, in every encoding, for as<T>(). Requests (req_*, mode 1: delivered at
once; 2: message by message; 3: results and requests both): every function the harness binds
called with values that fit, with values one past its type's range, with the wrong type and
the wrong count; notifications, responses, malformed and truncated messages among them.
res_int_as_bool is the input of the fix of rpc_type<bool>::decode (it wrote false on failure).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import mp_str, notify, request, response, write_seeds  # noqa: E402

RESULTS, AT_ONCE, ONE_BY_ONE, BOTH = 0, 1, 2, 3
FAILED_CALL = 4


def uint(v):
    """v in its smallest unsigned encoding."""
    if v < 0x80:
        return bytes([v])
    for tag, fmt, top in ((0xCC, ">B", 0xFF), (0xCD, ">H", 0xFFFF), (0xCE, ">I", 0xFFFFFFFF)):
        if v <= top:
            return bytes([tag]) + struct.pack(fmt, v)
    return b"\xcf" + struct.pack(">Q", v)


def sint(v):
    """v in its smallest encoding (unsigned when it is >= 0, as msgpack-c writes it)."""
    if v >= 0:
        return uint(v)
    if v >= -32:
        return struct.pack(">b", v)
    for tag, fmt, low in ((0xD0, ">b", -0x80), (0xD1, ">h", -0x8000), (0xD2, ">i", -0x80000000)):
        if v >= low:
            return bytes([tag]) + struct.pack(fmt, v)
    return b"\xd3" + struct.pack(">q", v)


def f32(v):
    return b"\xca" + struct.pack(">f", v)


def f64(v):
    return b"\xcb" + struct.pack(">d", v)


def arr(*items):
    return bytes([0x90 | len(items)]) + b"".join(items)


NIL, FALSE, TRUE = b"\xc0", b"\xc2", b"\xc3"

RESULT_SEEDS = {
    "res_nil": NIL,
    "res_true": TRUE,
    "res_false": FALSE,
    "res_zero": b"\x00",
    "res_int8_min": sint(-128),
    "res_int8_past": sint(-129),
    "res_uint8_max": uint(255),
    "res_uint8_past": uint(256),
    "res_int16_edges": sint(-32769),
    "res_uint16_past": uint(65536),
    "res_int32_past": uint(2**31),
    "res_int32_min": sint(-2**31),
    "res_uint32_past": uint(2**32),
    "res_int64_min": sint(-2**63),
    "res_uint64_max": uint(2**64 - 1),
    "res_int64_past": uint(2**63),
    "res_signed_positive": b"\xd3" + struct.pack(">q", 300),  # a signed encoding of a value >= 0
    "res_signed_8": b"\xd0\x05",
    "res_float": f32(1.5),
    "res_float_nan": f32(float("nan")),
    "res_float_neg_zero": f32(-0.0),
    "res_double": f64(0.1),
    "res_double_big": f64(1e300),
    "res_double_inf": f64(float("-inf")),
    "res_str": mp_str("hello"),
    "res_str_nul": mp_str(b"a\x00b"),
    "res_str8": mp_str("x" * 40),
    "res_str_truncated": b"\xd9\x10abc",
    "res_bin": b"\xc4\x02ab",
    "res_ext": b"\xd4\x01\x02",
    "res_array": arr(b"\x01"),
    "res_map": b"\x80",
    "res_c1": b"\xc1",
    "res_uint_truncated": b"\xcd\x01",
    "res_failed_call": b"\x01",
    # The input the fuzzer found first: an int read as a bool, which decode() set to false.
    "res_int_as_bool": b"\x05",
    # Containers and structs (rpc_values.h): a map of vectors, a map struct's {"x": 5, "name":
    # "n"}, a tuple, and a chain of nodes ([value, [kids]]) 16 levels deep (the limit) and 18.
    "res_map_of_vectors": b"\x81" + mp_str("k") + arr(b"\x01", b"\x02"),
    "res_map_struct": b"\x82" + mp_str("x") + b"\x05" + mp_str("name") + mp_str("n"),
    "res_tuple": arr(b"\x07", mp_str("t"), TRUE),
    "res_node_chain_16": b"\x92\x01\x91" * 7 + b"\x92\x01\x90",
    "res_node_chain_18": b"\x92\x01\x91" * 8 + b"\x92\x01\x90",
    # The rest of msgpack-c's types (rpc_values_std.h): a set with a repeated element, strings
    # of a multiset, a byte list with one past 255, an optional's nil, a vector of optionals,
    # byte std::arrays as bin and str, and a struct with MSGPACK_NVP and MSGPACK_BASE_MAP's
    # {"key": 3, "fuzz_named": {"x": 5, "name": "n"}}.
    "res_set_repeated": arr(b"\x02", b"\x01", b"\x02"),
    "res_multiset": arr(mp_str("m"), mp_str("a"), mp_str("m")),
    "res_bytes_past": arr(b"\x07", uint(255), uint(256)),
    "res_nil_optional": NIL,
    "res_optionals": arr(NIL, mp_str("o"), NIL),
    "res_std_bytes_bin": b"\xc4\x02\x01\x02",
    "res_std_bytes_str": mp_str("ab"),
    "res_keyed_struct": b"\x82" + mp_str("key") + b"\x03" + mp_str("fuzz_named")
    + b"\x82" + mp_str("x") + b"\x05" + mp_str("name") + mp_str("n"),
    "res_keyed_struct_no_base": b"\x81" + mp_str("key") + b"\x03",
}

# The harness's functions (bind_all) and values that fit each, one past its range, and the wrong type.
CALLS = [
    ("i8", [sint(-128)], [sint(128)], [f32(1.0)]),
    ("i16", [sint(-32768)], [sint(32768)], [TRUE]),
    ("i32", [sint(-2**31)], [uint(2**31)], [mp_str("1")]),
    ("i64", [sint(-2**63)], [uint(2**63)], [NIL]),
    ("u8", [uint(255)], [uint(256)], [sint(-1)]),
    ("u16", [uint(65535)], [uint(65536)], [f64(2.0)]),
    ("u32", [uint(2**32 - 1)], [uint(2**32)], [sint(-1)]),
    ("u64", [uint(2**64 - 1)], [sint(-1)], [mp_str("x")]),
    ("c", [sint(-128)], [uint(200)], [mp_str("c")]),
    ("l", [sint(-2**63)], [uint(2**63)], [FALSE]),
    ("ul", [uint(2**64 - 1)], [sint(-5)], [f32(0.5)]),
    ("b", [TRUE], [b"\x01"], [NIL]),
    ("f", [f32(2.5)], [f64(1e300)], [mp_str("f")]),
    ("d", [f64(-0.0)], [uint(2**64 - 1)], [TRUE]),
    ("s", [mp_str("text")], [mp_str(b"nul\x00inside")], [b"\xc4\x01a"]),
    ("ss", [mp_str("")], [mp_str("y" * 300)], [uint(3)]),
    ("cs", [mp_str("abc")], [mp_str(b"a\x00b")], [arr()]),
    ("none", [], [], [NIL]),
    ("s2", [mp_str("a"), mp_str("b")], [mp_str("a"), mp_str("b" * 40)], [mp_str("a"), b"\x01"]),
    ("all8", [sint(-1), uint(2), sint(-3), uint(4), sint(-5), uint(6), sint(-7), uint(8)],
     [sint(-1), uint(2), sint(-3), uint(4), sint(-5), uint(6), sint(-7), uint(2**64 - 1)],
     [sint(-1), sint(-2), sint(-3), uint(4), sint(-5), uint(6), sint(-7), uint(8)]),
    ("bdc", [TRUE, f32(3.0), mp_str("z")], [FALSE, uint(7), mp_str("")], [TRUE, mp_str("3"), mp_str("z")]),
    ("uf", [uint(9), f64(0.25)], [uint(300), f32(1.0)], [uint(9), NIL]),
    ("ls", [sint(-9), mp_str("w")], [uint(2**63 - 1), mp_str("")], [mp_str("w"), sint(-9)]),
    ("add", [uint(2), uint(3)], [uint(2**31), uint(3)], [uint(2)]),
    ("mix", [sint(-8), uint(65535), TRUE, f32(0.5), mp_str("m")], [uint(128), uint(1), TRUE, f32(0.5), mp_str("m")],
     [sint(-8), uint(65536), TRUE, f32(0.5), mp_str("m")]),
    ("fn", [f32(1.25), f64(2.5)], [uint(1), sint(-1)], [f32(1.25)]),
    ("ne", [mp_str("n"), uint(2**64 - 1)], [mp_str("n"), uint(0)], [mp_str("n"), sint(-1)]),
]


def calls(name, args_list, first_id):
    return b"".join(request((first_id + k) % 128, name, arr(*args)) for k, args in enumerate(args_list))


REQUEST_SEEDS = {}
for name, good, past, wrong in CALLS:
    REQUEST_SEEDS[f"req_{name}"] = bytes([AT_ONCE]) + calls(name, [good, past, wrong], 1)
    REQUEST_SEEDS[f"req_{name}_note"] = bytes([ONE_BY_ONE]) + notify(name, arr(*good)) + notify(name, arr(*past)) \
        + request(9, name, arr(*(good + [NIL])))

REQUEST_SEEDS.update({
    # Not bound, malformed, responses, a bin name, msgids in other encodings, a truncated last one.
    "req_unknown": bytes([AT_ONCE]) + request(1, "nope") + request(2, "I8", arr(b"\x01")),
    "req_malformed": bytes([ONE_BY_ONE]) + b"\x94\x00\x05\x07\x90" + b"\x94\x00\x06\xa2i8\x01"
    + b"\x93\x00\x07\xa2i8" + b"\x92\x01\x02",
    "req_responses": bytes([AT_ONCE]) + response(3, b"\x05") + response(4, NIL, mp_str("no")) + request(5, "i8", arr(b"\x05")),
    "req_bin_name": bytes([AT_ONCE]) + b"\x94\x00\x01\xc4\x02i8\x91\x05" + b"\x94\x00\x02\xc4\x02\xff\xfe\x91\x05",
    "req_msgids": bytes([AT_ONCE]) + b"\x94\x00\xff\xa2u8\x91\x05" + b"\x94\x00\xd3" + bytes(7) + b"\x01\xa1b\x91\xc3"
    + b"\x94\x00\xcf" + b"\xff" * 8 + b"\xa1d\x91\x01",
    "req_truncated": bytes([AT_ONCE]) + request(1, "i8", arr(b"\x05")) + request(2, "s", b"\x91\xd9\x20abc"),
    "req_deep": bytes([AT_ONCE]) + request(1, "none", arr(b"\x91" * 40 + b"\x90")),
    "req_too_many": bytes([AT_ONCE]) + request(1, "all8", arr(*[b"\x01"] * 12)),
    "req_long_echo": bytes([ONE_BY_ONE]) + request(1, "s", arr(mp_str("e" * 1100))) + request(2, "cs", arr(mp_str("e" * 1100))),
    "both_results_and_requests": bytes([BOTH | FAILED_CALL]) + request(1, "u8", arr(uint(7))),
})

for name, data in RESULT_SEEDS.items():
    mode = RESULTS | (FAILED_CALL if name == "res_failed_call" else 0)
    RESULT_SEEDS[name] = bytes([mode]) + data


def main():
    write_seeds(__file__, RESULT_SEEDS, REQUEST_SEEDS, width=26)


if __name__ == "__main__":
    main()

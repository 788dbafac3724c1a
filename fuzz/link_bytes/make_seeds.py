#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpus of fuzz_link_bytes (see the input's layout at the
top of fuzz_link_bytes.c): python3 fuzz/link_bytes/make_seeds.py fuzz/link_bytes/seeds

Each seed is 4 bytes of set-up (byte 0: buffer and limit in bits 0-2, chunk size in bits 3-5,
reads of nothing in bits 6-7; byte 1: refusals and nested polls; bytes 2-3: a seed) and then
a stream: msgpack-RPC requests, responses and notifications, alone and back to back, with
0xc1 garbage between and inside them, over the limit (a str8 body, a str32 header declaring
4 GiB, an array32 count), cut by the end of the input, and nested deeper than the codec's
limit. The inputs of the fixes the fuzzer led to (fix_*) are written here too.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seed_files import mp_str, notify, request, response, write_seeds  # noqa: E402

# Set-ups (byte 0, bits 0-2): max_in 16 (cap 16), 64, 16 (cap 64), 256, 100 (cap 256),
# 64 (cap 128), 32 (cap 33), 4096.
LIM16, LIM64, LIM16_CAP64, LIM256, LIM100, LIM64_CAP128, LIM32_CAP33, LIM4096 = range(8)


def cfg(setup, chunk=0, zeros=0, refuse=0, nest=0, seed=0x1234):
    return bytes([setup | chunk << 3 | zeros << 6, refuse | nest << 4, seed >> 8, seed & 0xFF])



ADD = request(1, "add", b"\x92\x01\x02")                  # [0, 1, "add", [1, 2]]
RESP = response(1, b"\x03")                               # [1, 1, nil, 3]
ERR = response(2, b"\xc0", mp_str("no such method"))      # [1, 2, "no such method", nil]
NOTE = notify("tty", b"\x91\xc4\x03abc")                  # [2, "tty", [bin "abc"]]
TRIO = ADD + RESP + NOTE

SEEDS = {
    "request": cfg(LIM64) + ADD,
    "response": cfg(LIM16, chunk=1) + RESP,
    "error_response": cfg(LIM256, chunk=2) + ERR,
    "notification": cfg(LIM64_CAP128, chunk=3, zeros=1) + NOTE,
    "back_to_back": cfg(LIM64, chunk=4, zeros=2) + TRIO * 3,
    "back_to_back_refused": cfg(LIM256, chunk=5, refuse=2) + TRIO * 4,
    "back_to_back_nested": cfg(LIM64_CAP128, chunk=2, nest=2, seed=7) + TRIO * 4,
    "garbage_between": cfg(LIM64, chunk=3) + b"\xc1" + ADD + b"\xc1\xc1" + RESP + b"\xc1" * 20 + NOTE + b"\xc1",
    "garbage_inside": cfg(LIM16_CAP64, chunk=1, zeros=1) + ADD[:5] + b"\xc1" + RESP,
    "garbage_only": cfg(LIM32_CAP33, chunk=6) + b"\xc1" * 40,
    "str8_over_limit": cfg(LIM64) + request(3, "echo", b"\x91" + mp_str("x" * 98)) + ADD,
    "str8_over_limit_bytewise": cfg(LIM16, chunk=1, zeros=1) + request(3, "echo", b"\x91" + mp_str("y" * 40)) + NOTE,
    "over_limit_broken": cfg(LIM16_CAP64, chunk=2) + b"\x9f" + b"\x01" * 20 + b"\xc1" + ADD,
    "str32_huge": cfg(LIM64) + b"\x94\x00\x01\xdb\xff\xff\xff\xff" + ADD,
    "array32_huge": cfg(LIM256, chunk=4) + b"\xdd\x00\x01\x00\x00" + ADD,
    "bin16_at_skip_limit": cfg(LIM16, chunk=5) + b"\xc5\x00\xfd" + b"z" * 253 + ADD,
    "truncated": cfg(LIM64, chunk=2) + ADD + RESP[:3],
    "truncated_header": cfg(LIM100, chunk=1) + NOTE + b"\x94\x00\xcd\x01",
    "truncated_over_limit": cfg(LIM16) + request(4, "echo", b"\x91" + mp_str("q" * 30))[:25],
    "deep_nesting": cfg(LIM256, chunk=3) + b"\x91" * 40 + b"\xc0" + ADD,
    "deep_maps": cfg(LIM100, nest=1) + b"\x81\x00" * 35 + b"\xc0" + RESP,
    "exactly_the_limit": cfg(LIM16, chunk=7) + b"\xc4\x0e" + bytes(range(14)) + b"\x07",
    "scalars": cfg(LIM4096, chunk=2) + b"\xcf" + b"\x01" * 8 + b"\xcb" + b"\x02" * 8 + b"\xd6\xff" + b"\x00" * 4 + b"\xe0\x7f\xc0\xc2\xc3",
    "empty": cfg(LIM64),
    # Found by the fuzzer, kept as found: [.., .., [18, 52, uint64, 1, 1, float64]] whose last
    # header (float64's, 9 bytes) takes it from 15 to 23 bytes over a 16-byte limit.
    "fix_last_header_over_limit": bytes.fromhex(
        "123494f7782f961234cf01010101010101010101cb0202020202020202d6ff0002020202d6ff00"),
    # The same, made: [bin "abcde", uint64 1] is 17 bytes over 16, then a message.
    "fix_last_header_over_limit_made": cfg(LIM16_CAP64, chunk=1) + b"\x92\xc4\x05abcde\xcf" + bytes(7) + b"\x01" + NOTE,
    # [bin of 12, uint16 1]: the uint16's header is cut by the end of the full 16-byte buffer.
    "fix_header_cut_by_full_buffer": cfg(LIM16, chunk=2) + b"\x92\xc4\x0c" + bytes(range(12)) + b"\xcd\x00\x01" + NOTE,
    "fix_header_cut_by_full_buffer_33": cfg(LIM32_CAP33, zeros=1) + b"\x92\xc4\x1b" + bytes(27) + b"\xcb" + bytes(8) + ADD,
    # Found by the fuzzer, kept as found: the 16-byte buffer full, an ext32 header cut by its
    # end; once refused, that header declares 13 MB while the message is skipped.
    "fix_header_cut_by_full_buffer_found": bytes.fromhex(
        "7823010100123801002b02a3616402a36164647a0102940101c403931234940001a311001ac900c9c9c9c9c9c9"
        "c9c9c9c9c9c9c9a3e164649201029401a3616464920102940101c4039302a374747991801212c4036162393663"
        "940001"),
    # Found by the fuzzer, kept as found: garbage, messages, then fixarrays nested 77 deep that
    # go over 64 bytes, then on past 16 times 64 while they are skipped, to a 0xc1.
    "fix_declares_too_much_while_skipped_found": bytes.fromhex(
        "19001234c1940001a3616464920102c1c1940101c1c136c1c103c1c1c0c1c1c1c1c1c1c1c1c1c1c1c1c1c162"
        "02a374" + "9f" * 77 + "63c1"),
    # [0, 1, "<20 x>", <str32 of 4 GiB>]: over 16 bytes at 25, then 4 GiB more while skipped.
    "fix_declares_too_much_while_skipped": cfg(LIM16_CAP64, chunk=3)
    + b"\x94\x00\x01\xb4" + b"x" * 20 + b"\xdb\xff\xff\xff\xff" + ADD,
}


def main():
    write_seeds(__file__, SEEDS)


if __name__ == "__main__":
    main()

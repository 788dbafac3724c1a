#!/usr/bin/python3
"""test_python_client.py DUET_RPC - python3-msgpack as the client, `DUET_RPC serve --stdio`
as the server: built-in functions, errors, notifications, pipelined requests, nested
call_back answered by Python, garbage on the stream, large messages, exit at end of input."""
import math
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402
from peer import NO_REPLY, Peer, RemoteError, pack  # noqa: E402

import msgpack  # noqa: E402

INT64_MAX = 2**63 - 1
INT64_MIN = -2**63


def raw_request(msgid, method, params_raw):
    """A request whose params are given as raw bytes (any encoding)."""
    return b"\x94\x00" + pack(msgid) + pack(method) + params_raw


def result_raw(msgid, response_raw):
    """The raw bytes of a success response's result."""
    head = b"\x94\x01" + pack(msgid) + b"\xc0"
    return response_raw[len(head):] if response_raw.startswith(head) else None


def error_of(peer, method, *params):
    try:
        result = peer.call(method, *params)
    except RemoteError as e:
        return e.error
    return "no error (result %r)" % (result,)


def stats(peer):
    return peer.call("stats")


# ------------------------------------------------------------ sections

def test_add(c, peer):
    c.equal("add(1, 2)", peer.call("add", 1, 2), 3)
    c.equal("add(-5, 3)", peer.call("add", -5, 3), -2)
    c.equal("add(2**62, 2**62 - 1) = INT64_MAX", peer.call("add", 2**62, 2**62 - 1), INT64_MAX)
    c.equal("add(INT64_MIN, 0)", peer.call("add", INT64_MIN, 0), INT64_MIN)
    c.equal("add(0xffffffff, 1) (uint32 + fixint)", peer.call("add", 0xffffffff, 1), 2**32)
    c.contains("add(INT64_MAX, 1) fails: overflow", error_of(peer, "add", INT64_MAX, 1), "does not fit an int64")
    c.contains("add(INT64_MIN, -1) fails: overflow", error_of(peer, "add", INT64_MIN, -1), "does not fit an int64")


def test_echo(c, peer):
    values = [
        [], [None], [True, False],
        [0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, INT64_MAX, 2**64 - 1],
        [-1, -32, -33, -128, -129, -32768, -32769, -2**31, -2**31 - 1, INT64_MIN],
        [0.0, -0.0, 1.5, -2.25, 1e300, 5e-324, float("inf"), float("-inf")],
        ["", "a", "x" * 31, "x" * 32, "y" * 255, "y" * 256, "z" * 65535, "z" * 65536, "héllo ✓ 🎉", "nul\x00inside",
         "\udcffnot utf-8"],  # a str holding the byte 0xff (surrogateescape)
        [b"", b"\x00\xff", b"b" * 255, b"b" * 256, b"c" * 65536],
        [[1, [2, [3, [4, []]]]], {"a": [1, {"b": None}], "": {}}, {1: "int key", -2: [b"k"], 2.5: "float key"}],
        [msgpack.ExtType(5, b"abc"), msgpack.ExtType(0, b""), msgpack.ExtType(127, b"\x01" * 16), msgpack.ExtType(1, b"q" * 300)],
        [list(range(20000))],
        [{"k%d" % i: i for i in range(1000)}],
    ]
    for i, params in enumerate(values):
        msgid = peer.request("echo", *params)
        error, result, raw = peer.wait(msgid)
        label = "echo #%d (%s)" % (i, pack(params)[:24].hex() + ("..." if len(pack(params)) > 24 else ""))
        if not c.check(label + " has no error", error is None, error):
            continue
        c.equal(label + ": result bytes = params bytes", result_raw(msgid, raw), pack(list(params)))
        c.check(label + ": result decodes equal to the input", result == list(params) or _same_floats(result, params))

    # NaN (never equal to itself): compare the bytes.
    msgid = peer.request("echo", float("nan"))
    _, result, raw = peer.wait(msgid)
    c.check("echo(nan) is nan", isinstance(result, list) and math.isnan(result[0]))
    c.equal("echo(nan): same bytes", result_raw(msgid, raw), pack([float("nan")]))

    # Non-canonical encodings come back as they were sent (only the array header is re-encoded).
    elements = (b"\xcd\x00\x01"            # uint16 1
                + b"\xd9\x02ab"            # str8 "ab"
                + b"\xca" + struct.pack(">f", 1.5)   # float32 1.5
                + b"\xd0\x05"              # int8 5
                + b"\xc5\x00\x01z"         # bin16 b"z"
                + b"\xde\x00\x01\xa1k\xc0"  # map16 {"k": nil}
                + b"\xd6\xff" + struct.pack(">I", 1700000000)  # timestamp32
                + b"\xc7\x00\x80")           # ext8, type -128, no bytes
    peer.send_bytes(raw_request(9001, "echo", b"\xdc\x00\x08" + elements))
    error, result, raw = peer.wait(9001)
    c.check("echo of non-canonical encodings has no error", error is None, error)
    c.equal("echo returns element bytes as received", result_raw(9001, raw), b"\x98" + elements)


def _same_floats(a, b):
    try:
        return pack(list(a)) == pack(list(b))
    except Exception:
        return False


def test_errors(c, peer):
    e = error_of(peer, "nope", 1, 2)
    c.contains("unknown method: rpclib's sentence", e,
               "rpclib: server could not find function 'nope' with argument count 2.")
    c.contains("unknown method: suggests a close name", error_of(peer, "ad", 1, 2), "Did you mean: add")
    c.contains("add(1): argument count", error_of(peer, "add", 1), "add: expected 2 arguments, got 1")
    c.contains("add(1, 2, 3): argument count", error_of(peer, "add", 1, 2, 3), "add: expected 2 arguments, got 3")
    c.contains("add(1, 'x'): argument type", error_of(peer, "add", 1, "x"), "add: argument 2: expected int64, got str")
    c.contains("add(1.5, 1): argument type", error_of(peer, "add", 1.5, 1), "add: argument 1: expected int64, got float64")
    c.contains("add(1, 2**64-1): out of range", error_of(peer, "add", 1, 2**64 - 1), "argument 2: expected int64, got an integer out of its range")
    c.contains("sleep_ms(-1): out of range", error_of(peer, "sleep_ms", -1), "expected uint32")
    c.contains("sleep_ms(None): type", error_of(peer, "sleep_ms", None), "expected uint32, got nil")
    c.contains("call_back(): no method", error_of(peer, "call_back"), "call_back: expected the method")
    c.contains("call_back(5): method must be str", error_of(peer, "call_back", 5), "expected str")
    c.contains("stats(1): argument count", error_of(peer, "stats", 1), "stats: expected 0 arguments, got 1")
    c.equal("the stream still works after errors", peer.call("add", 20, 22), 42)


def test_notifications(c, peer):
    before = stats(peer)
    peer.notify("add", 1, 2)
    peer.notify("nope", "x")
    peer.notify("echo", [1, 2, 3])
    peer.notify("add", "wrong", "types")
    order_before = len(peer.order)
    after = stats(peer)
    c.equal("only the stats response arrived (no response to notifications)", len(peer.order) - order_before, 1)
    c.equal("no unexpected message", peer.unexpected, [])
    c.equal("msgs_in counted the 4 notifications and the request", after["msgs_in"] - before["msgs_in"], 5)
    c.equal("msgs_out: only the first stats response was sent since", after["msgs_out"] - before["msgs_out"], 1)
    c.equal("errors_sent: none for failed notifications", after["errors_sent"] - before["errors_sent"], 0)


def test_pipelined(c, peer):
    expected = {}
    ids = []
    for i in range(30):
        kind = i % 3
        if kind == 0:
            msgid = peer.request("add", i, 1000)
            expected[msgid] = (None, i + 1000)
        elif kind == 1:
            msgid = peer.request("echo", i, "x" * i, b"\x01" * i)
            expected[msgid] = (None, [i, "x" * i, b"\x01" * i])
        else:
            msgid = peer.request("sleep_ms", 3)
            expected[msgid] = (None, None)
        ids.append(msgid)
    ids.append(peer.request("add", 1))
    expected[ids[-1]] = ("add: expected 2 arguments, got 1", None)
    # Ids as other peers use them: the largest uint32, past uint32, negative.
    for msgid, a in ((0xffffffff, 1), (2**40, 2), (-1, 3), (0, 4)):
        peer.request("add", a, a, msgid=msgid)
        ids.append(msgid)
        expected[msgid] = (None, 2 * a)
    first = len(peer.order)
    good = 0
    for msgid in ids:
        error, result, _ = peer.wait(msgid)
        good += (error, result) == expected[msgid]
        if (error, result) != expected[msgid]:
            c.equal("pipelined #%r" % msgid, (error, result), expected[msgid])
    c.equal("all %d pipelined requests answered right" % len(ids), good, len(ids))
    c.equal("answered in the order sent", peer.order[first:], ids)


def test_call_back(c, peer):
    async_ids = []

    def py_deep(p, n):
        return "bottom" if n == 0 else p.call("call_back", "py_deep", n - 1)

    def py_async(p, a):
        # Sends a request to duet while duet waits for this handler's answer.
        async_ids.append(p.request("add", a, a))
        return "sent"

    peer.handlers.update({
        "py_mul": lambda p, a, b: a * b,
        "py_echo": lambda p, *a: list(a),
        "py_fail": lambda p: (_ for _ in ()).throw(RemoteError("py_fail: the python side says no")),
        "py_add_via_duet": lambda p, a, b: p.call("add", a, b),
        "py_deep": py_deep,
        "py_async": py_async,
        "py_silent": lambda p: NO_REPLY,
    })
    c.equal("call_back(py_mul, 6, 7)", peer.call("call_back", "py_mul", 6, 7), 42)
    args = [b"\x00\xff", {"a": [1, None, 2.5]}, "s", -7, msgpack.ExtType(9, b"e")]
    c.equal("call_back(py_echo, ...) passes values through", peer.call("call_back", "py_echo", *args), args)
    e = error_of(peer, "call_back", "py_fail")
    c.contains("call_back(py_fail): python's error text comes back", e, "the python side says no")
    c.contains("call_back(py_fail): names the function", e, "py_fail failed")
    c.contains("call_back(unknown): python's unknown-method error", error_of(peer, "call_back", "py_nothing"), "peer.py: no method 'py_nothing'")
    c.equal("call_back(py_add_via_duet, 3, 4): duet -> python -> duet", peer.call("call_back", "py_add_via_duet", 3, 4), 7)
    for depth in (1, 3, 5):
        c.equal("call_back nested %d deep" % depth, peer.call("call_back", "py_deep", depth), "bottom")
    c.equal("call_back(py_async): python's handler returns first", peer.call("call_back", "py_async", 21), "sent")
    error, result, _ = peer.wait(async_ids[0])
    c.equal("...and the request it sent meanwhile is answered", (error, result), (None, 42))
    old = peer.call("stats")
    t0 = time.monotonic()
    e = error_of(peer, "call_back", "py_silent")
    c.contains("call_back(py_silent): times out (serve's --timeout 1000)", e, "timed out")
    c.check("...after about 1 s", 0.8 < time.monotonic() - t0 < 5, time.monotonic() - t0)
    c.equal("stream still fine", peer.call("add", 1, 1), 2)
    c.equal("nothing was counted malformed", peer.call("stats")["malformed"], old["malformed"])


def test_garbage(c, peer):
    before = stats(peer)
    peer.send_bytes(b"\xc1\xc1\xc1")                  # never a MessagePack byte
    peer.send_bytes(b"hello")                         # five positive fixints
    peer.send_bytes(pack("a stray string"))
    peer.send_bytes(pack({"not": "a message"}))
    peer.send_bytes(pack([5, 1, 2]))                  # no such message type
    peer.send_bytes(pack([0, "id", "add", [1, 2]]))   # msgid not an integer: nothing to answer to
    peer.send_bytes(pack([0, 77, 42, []]))            # method not a string
    peer.send_bytes(pack([0, 78, "add", 5]))          # params not an array
    peer.send_bytes(pack([1, 999999, None, 5]))       # a response to nothing
    peer.send_bytes(pack([2, "add"]))                 # notification without params
    c.equal("add(2, 3) after garbage", peer.call("add", 2, 3), 5)
    error, _, _ = peer.wait(77)
    c.contains("bad method -> error response", error, "malformed request: the method name must be a string")
    error, _, _ = peer.wait(78)
    c.contains("bad params -> error response", error, "malformed request: params must be an array")
    after = stats(peer)
    c.equal("garbage_bytes counted the 0xc1 bytes", after["garbage_bytes"] - before["garbage_bytes"], 3)
    c.check("malformed counted the rest", after["malformed"] - before["malformed"] >= 9, after["malformed"] - before["malformed"])
    c.equal("late_responses counted the stray response", after["late_responses"] - before["late_responses"], 1)
    c.equal("no unexpected message", peer.unexpected, [])


def test_large(c, peer):
    for n in (64 * 1024, 900 * 1024):
        blob = bytes(i % 253 for i in range(n))
        c.equal("echo of a %d KiB bin" % (n // 1024), peer.call("echo", blob), [blob])
    text = "é" * 40000
    c.equal("echo of an 80 KB str", peer.call("echo", text), [text])
    before = stats(peer)
    msgid = peer.request("echo", b"\x00" * (1536 * 1024))  # over duet-rpc's 1 MiB message limit
    c.equal("add after an oversized message", peer.call("add", 40, 2), 42)
    after = stats(peer)
    c.equal("the oversized message was dropped and counted", after["oversized"] - before["oversized"], 1)
    error, _, _ = peer.wait(msgid)
    c.contains("it got an error response naming the limit", error, "the limit is 1048576 bytes per message")


def main():
    duet = sys.argv[1]
    c = Checks("interop_rpc python client vs %s serve" % os.path.basename(duet))
    proc = subprocess.Popen([duet, "serve", "--stdio", "--timeout", "1000"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    peer = Peer(proc.stdout.fileno(), proc.stdin.fileno(), "python client")
    c.section("add", test_add, c, peer)
    c.section("echo", test_echo, c, peer)
    c.section("errors", test_errors, c, peer)
    c.section("notifications", test_notifications, c, peer)
    c.section("pipelined requests", test_pipelined, c, peer)
    c.section("nested call_back", test_call_back, c, peer)
    c.section("garbage on the stream", test_garbage, c, peer)
    c.section("large messages", test_large, c, peer)

    print("end of input:")
    proc.stdin.close()
    try:
        status = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        status = "still running after 10 s"
    c.equal("serve exits 0 at end of input", status, 0)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())

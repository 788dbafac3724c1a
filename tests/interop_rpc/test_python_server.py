#!/usr/bin/python3
"""test_python_server.py DUET_RPC - duet as the client: `DUET_RPC call --exec "python3 peer.py
serve"` against the python3-msgpack server: results as JSON, remote errors (exit 1),
timeouts and a peer that is gone (exit 2), notifications, nested calls from the server
into duet while duet waits, and the --trace lines."""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
PEER = "%s %s/peer.py serve" % (PYTHON, HERE)


def run(duet, *args, peer=PEER, timeout=30):
    """Runs duet-rpc call --exec PEER ARGS: (exit status, stdout, stderr, seconds)."""
    t0 = time.monotonic()
    p = subprocess.run([duet, "call", "--exec", peer] + list(args), capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode(), time.monotonic() - t0


def json_of(text):
    try:
        return json.loads(text)
    except ValueError as e:
        return "not JSON (%s): %r" % (e, text)


def test_results(c, duet):
    rc, out, err, _ = run(duet, "sum", "1", "2", "3")
    c.equal("sum 1 2 3: exit 0", rc, 0)
    c.equal("sum 1 2 3: prints 6", out, "6\n")
    c.equal("sum 1 2 3: nothing on stderr", err, "")
    rc, out, _, _ = run(duet, "sum", "-5", "2.5")
    c.equal("sum -5 2.5 (negative int, float)", (rc, out), (0, "-2.5\n"))

    args = ['[1, [2, [3]], {"k": null}]', '{"$bin": "AAH/"}', "bare words", '"quoted"', "true", "null",
            '{"$ext": 7, "data": "eHk="}', "18446744073709551615", '{"$map": [[1, "one"], [null, [true]]]}',
            '{"$str": "/w=="}', '{"$float": "-inf"}', "0.1", "1e300", "-9223372036854775808", '"\\u00e9\\u0000"']
    rc, out, err, _ = run(duet, "echo", *args)
    c.equal("echo of every JSON form: exit 0", rc, 0)
    c.equal("echo of every JSON form: printed as given back", json_of(out), [
        [1, [2, [3]], {"k": None}], {"$bin": "AAH/"}, "bare words", "quoted", True, None,
        {"$ext": 7, "data": "eHk="}, 18446744073709551615, {"$map": [[1, "one"], [None, [True]]]},
        {"$str": "/w=="}, {"$float": "-inf"}, 0.1, 1e300, -9223372036854775808, "é\u0000"])

    rc, out, err, _ = run(duet, "types")
    want = {"$map": [["nil", None], ["t", True], ["f", False], ["neg", -5], ["big", 2**64 - 1],
                     ["min", -2**63], ["float", 1.5], ["str", "héllo"], ["bin", {"$bin": "AAH/"}],
                     ["ext", {"$ext": 3, "data": "eHl6"}], ["list", [[], {}]], [7, "int key"]]}
    c.equal("types: every MessagePack type from python, as JSON", (rc, json_of(out)), (0, want))

    rc, out, err, _ = run(duet, "big", "200000")
    data = base64.b64decode(json_of(out).get("$bin", "")) if rc == 0 else b""
    c.equal("big 200000: a 200 kB bin result", data, bytes(i % 251 for i in range(200000)))

    rc, out, err, _ = run(duet, "ask_add", "5", "6")
    c.equal("ask_add 5 6: python calls duet's add while duet waits", (rc, out), (0, "11\n"))


def test_errors(c, duet):
    rc, out, err, _ = run(duet, "fail", "disk on fire")
    c.equal("fail: exit 1", rc, 1)
    c.equal("fail: nothing on stdout", out, "")
    c.contains("fail: python's error text on stderr", err, "boom: disk on fire")
    rc, out, err, _ = run(duet, "no_such_function")
    c.equal("unknown function: exit 1", rc, 1)
    c.contains("unknown function: python's text", err, "peer.py: no method 'no_such_function'")
    rc, out, err, _ = run(duet, "bad_error")
    c.equal("an error that is not a string: exit 1", rc, 1)
    c.equal("...and says what it was, as JSON (not only its type)", err, 'duet-rpc: remote error: [1, "not a string"]\n')
    rc, out, err, _ = run(duet, "fail", '"a\\u0000b\\u001b[2Jc"')  # JSON: a NUL, then ESC [2J
    c.equal("an error text with a NUL and an escape sequence: exit 1", rc, 1)
    c.equal("...printed whole and escaped, as a JSON string", err,
            'duet-rpc: remote error: "boom: a\\u0000b\\u001b[2Jc"\n')
    rc, out, err, secs = run(duet, "--timeout", "300", "hang")
    c.equal("hang --timeout 300: exit 2", rc, 2)
    c.contains("hang: says it timed out", err, "timed out")
    c.check("hang: gave up after about 300 ms", 0.25 < secs < 3, secs)
    rc, out, err, _ = run(duet, "sum", "1", peer="%s -c 'import sys; sys.exit(0)'" % PYTHON)
    c.equal("a peer that exits at once: exit 2", rc, 2)
    c.contains("...link down", err, "link down")
    rc, out, err, _ = run(duet, "sum", "1", peer="/nonexistent/program")
    c.equal("a command that does not exist: exit 2", rc, 2)
    rc, out, err, _ = run(duet, "echo", '{"$bin": "not base64!"}')
    c.equal("bad $bin: exit 3", rc, 3)
    c.contains("...says why", err, "invalid base64")
    rc, out, err, _ = run(duet, "echo", "[" * 40 + "]" * 40)
    c.equal("nested too deep: exit 3", rc, 3)
    rc, out, err, _ = run(duet, "echo", "[1, 2")
    c.equal("text that looks like JSON but is not: sent as a string", (rc, json_of(out)), (0, ["[1, 2"]))
    c.contains("...with a note on stderr", err, "not valid JSON")


def test_notify(c, duet):
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "notes.log")
        rc, out, err, _ = run(duet, "--notify", "note", "hello", '{"a": [1, 2]}', peer="%s --log %s" % (PEER, log))
        c.equal("--notify: exit 0", rc, 0)
        c.equal("--notify: prints nothing", out, "")
        with open(log) if os.path.exists(log) else open(os.devnull) as f:
            lines = f.read().splitlines()
        c.equal("--notify: python received the notification", [json.loads(x) for x in lines], [["hello", {"a": [1, 2]}]])
        rc, out, err, _ = run(duet, "--notify", "hang")
        c.equal("--notify of a function that never answers: exit 0 at once", rc, 0)


def test_trace(c, duet):
    rc, out, err, _ = run(duet, "--trace", "ask_add", "2", "3")
    c.equal("--trace: result unchanged", (rc, out), (0, "5\n"))
    lines = [x.split(" ", 4)[-1] for x in err.splitlines() if x.startswith("duet-rpc call: trace +")]
    c.equal("--trace: one line per message, decoded", lines, [
        "-> request id=0 method=ask_add params=[2, 3]",
        "<- request id=1 method=add params=[2, 3]",
        "-> response id=1 result=5",
        "<- response id=0 result=5",
    ])
    rc, out, err, _ = run(duet, "--trace", "fail", "x")
    c.contains("--trace: error responses", err, '<- response id=0 error="boom: x"')


def main():
    duet = sys.argv[1]
    c = Checks("interop_rpc %s call vs python server" % os.path.basename(duet))
    c.section("results", test_results, c, duet)
    c.section("errors and exit statuses", test_errors, c, duet)
    c.section("notifications", test_notify, c, duet)
    c.section("trace", test_trace, c, duet)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""test_tool.py DUET_RPC PLUGIN.so SLOW_FORK.so FAIL_GETSOCKNAME.so - duet-rpc against itself and over every transport:
TCP (serve --tcp / call --tcp), a pty as the serial port (call --port and serve --port
against python3-msgpack on the master side), plugins (--load), the JSON mapping through
a duet server, call_back into the calling duet-rpc, --trace on the server, exit statuses
and usage errors, and Ctrl-C or SIGTERM to call --exec (its child is ended too)."""
import base64
import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402
from peer import Peer  # noqa: E402


def run(cmd, timeout=30, stdin=None):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, timeout=timeout, input=stdin)
    return p.returncode, p.stdout.decode(), p.stderr.decode(), time.monotonic() - t0


def json_of(text):
    try:
        return json.loads(text)
    except ValueError as e:
        return "not JSON (%s): %r" % (e, text)


def test_tcp_port_unknown(c, duet, fail_getsockname):
    # serve --tcp 0 whose getsockname() fails (fail_getsockname.c) cannot say where it listens:
    # it says why and exits 2, as when it cannot listen at all, rather than "listening on
    # 127.0.0.1:0" and serving on a port nobody knows.
    env = dict(os.environ, LD_PRELOAD=fail_getsockname)
    p = subprocess.run([duet, "serve", "--tcp", "0", "--once"], capture_output=True, timeout=10, env=env)
    err = p.stderr.decode()
    c.equal("serve --tcp 0 without getsockname: exit 2", p.returncode, 2)
    c.contains("...says it cannot learn its port", err,
               "duet-rpc: listen 127.0.0.1:0: getsockname: No buffer space available (the port the system gave is "
               "unknown)")
    c.check("...and not that it listens", "listening on" not in err, err)


def test_tcp(c, duet):
    server = subprocess.Popen([duet, "serve", "--tcp", "0", "--once"], stderr=subprocess.PIPE)
    line = server.stderr.readline().decode()
    m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
    if not c.check("serve --tcp 0 --once says where it listens", m, line):
        server.kill()
        return
    # A second server on the port the first holds: a sentence that says what to do.
    rc, out, err, _ = run([duet, "serve", "--tcp", m.group(1), "--once"], timeout=10)
    c.equal("serve --tcp on a port in use: exit 2, nothing on stdout", (rc, out), (2, ""))
    c.equal("...saying it is taken and what to give instead", err,
            "duet-rpc serve: --tcp %s: cannot listen there (Address already in use): another program listens on "
            "that port; give another port, or 0 for any free one\n" % m.group(1))
    rc, out, err, _ = run([duet, "call", "--tcp", "127.0.0.1:%s" % m.group(1), "add", "2", "3"])
    c.equal("call --tcp 127.0.0.1:PORT add 2 3", (rc, out, err), (0, "5\n", ""))
    try:
        status = server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        status = "still running"
    c.equal("serve --tcp --once exits 0 when its connection closes", status, 0)
    server.stderr.close()
    rc, out, err, _ = run([duet, "call", "--tcp", "127.0.0.1:1", "add", "1", "2"])
    c.equal("call --tcp to a closed port: exit 2", rc, 2)
    c.contains("...Connection refused", err, "Connection refused")
    c.contains("...and what to do about it", err,
               "connect 127.0.0.1:1: Connection refused (nothing listens on that port: start the server first, or "
               "give the HOST:PORT it listens on)")
    rc, out, err, _ = run([duet, "call", "--port", "/dev/ttyNOSUCH0", "add", "1", "2"])
    c.equal("call --port of a device that is not there: exit 2, saying what to do", (rc, err),
            (2, "duet-rpc: open /dev/ttyNOSUCH0: No such file or directory (no such serial port: is the board "
                "plugged in? ls /dev/ttyACM* /dev/ttyUSB* lists the ports there are)\n"))
    rc, out, err, _ = run([duet, "call", "--tcp", "no-port-here", "add"])
    c.equal("call --tcp without a port: exit 2", rc, 2)


def test_pty(c, duet):
    # duet-rpc call --port on the pty's slave; a python3-msgpack server on the master.
    # (This process keeps the slave open meanwhile: a pty whose slave has no opener at
    # all reads as hung up on the master side.)
    master, slave = pty.openpty()
    tty.setraw(slave)
    name = os.ttyname(slave)
    peer = Peer(master, master, "pty server")
    peer.handlers = {"sum": lambda p, *n: sum(n), "echo": lambda p, *a: list(a)}
    t = threading.Thread(target=peer.serve_forever, daemon=True)
    t.start()
    rc, out, err, _ = run([duet, "call", "--port", name, "--baud", "115200", "sum", "1", "2", "39"])
    c.equal("call --port PTY sum 1 2 39 (python server on the master)", (rc, out, err), (0, "42\n", ""))
    blob = bytes(range(256)) * 200
    rc, out, err, _ = run([duet, "call", "--port", name, "echo", json.dumps({"$bin": base64.b64encode(blob).decode()})])
    c.equal("call --port PTY echo of 51 kB (raw mode: every byte value passes)",
            base64.b64decode(json_of(out)[0]["$bin"]) if rc == 0 else (rc, err), blob)
    rc, out, err, _ = run([duet, "call", "--port", name, "--baud", "12345", "sum"])
    c.equal("--baud 12345: exit 2 (not a standard rate)", rc, 2)
    rc, out, err, _ = run([duet, "call", "--port", name, "--baud", "0", "sum"])
    c.equal("--baud 0: exit 3, a usage error (it ran at 115200 before)", (rc, "--baud" in err), (3, True))
    os.close(slave)
    t.join(2)
    os.close(master)

    # duet-rpc serve --port on the slave; python3-msgpack as the client on the master.
    master, slave = pty.openpty()
    tty.setraw(slave)
    name = os.ttyname(slave)
    server = subprocess.Popen([duet, "serve", "--port", name])
    peer = Peer(master, master, "pty client")
    result = None
    for attempt in range(20):  # serve flushes stale input when it opens the port: retry until it listens
        msgid = peer.request("add", 40, 2)
        try:
            while msgid not in peer.responses:
                peer.pump(0.25)
            result = peer.responses.pop(msgid)[:2]
            break
        except TimeoutError:
            continue
    c.equal("serve --port PTY: python client calls add(40, 2)", result, (None, 42))
    c.equal("serve --port PTY: call_back into python", _call_back(peer), "from python")
    os.close(master)
    os.close(slave)
    try:
        status = server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        status = "still running"
    c.equal("serve --port exits 0 when the other end closes", status, 0)


def _call_back(peer):
    peer.handlers["hello"] = lambda p: "from python"
    try:
        return peer.call("call_back", "hello", timeout=5)
    except Exception as e:
        return repr(e)


def test_plugin(c, duet, plugin):
    server = "%s serve --load %s" % (duet, plugin)
    rc, out, err, _ = run([duet, "call", "--exec", server, "mul", "6", "7"])
    c.equal("--load: mul 6 7 from the plugin", (rc, out), (0, "42\n"))
    rc, out, err, _ = run([duet, "call", "--exec", server, "plugin.shout"])
    c.equal("--load: plugin.shout (a group member)", (rc, out), (0, '"HELLO"\n'))
    c.contains("...what it printed went to stderr, not into the stream", err, "this line goes to stderr")
    rc, out, err, _ = run([duet, "call", "--exec", server, "plugin.greet", "world"])
    c.equal("--load: plugin.greet world", (rc, out), (0, '"hello, world"\n'))
    rc, out, err, _ = run([duet, "call", "--exec", server, "mul", "9223372036854775807", "2"])
    c.equal("--load: the plugin's error: exit 1", rc, 1)
    c.contains("...with its text", err, "mul: the product does not fit an int64")
    rc, out, err, _ = run([duet, "call", "--exec", server, "add", "1", "2"])
    c.equal("--load keeps the built-ins", (rc, out), (0, "3\n"))
    # A plugin named without a directory, in the current one (as docs/rpc.md builds it:
    # -o plugin.so): dlopen looked for it in the library path only, "cannot open shared
    # object file: No such file or directory" for a file that is there.
    here = subprocess.run([duet, "call", "--exec", "%s serve --load %s" % (duet, os.path.basename(plugin)),
                           "mul", "6", "7"], capture_output=True, text=True, timeout=30, cwd=os.path.dirname(plugin))
    c.equal("--load NAME.so of the current directory: mul 6 7", (here.returncode, here.stdout, here.stderr),
            (0, "42\n", ""))
    # What a plugin prints (printf, no fflush) reaches serve's stderr as it is printed, in
    # order with serve's own lines, even when stderr is a pipe or a log file.
    srv = subprocess.Popen([duet, "serve", "--load", plugin], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    peer = Peer(srv.stdout.fileno(), srv.stdin.fileno(), "stdio client")
    c.equal("--load: plugin.say answers", peer.call("plugin.say", "as it happens", timeout=5), None)
    ready = select.select([srv.stderr], [], [], 2)[0]
    said = os.read(srv.stderr.fileno(), 4096).decode() if ready else ""
    c.contains("...and what it printed is on stderr while the server still runs", said, "plugin.say: as it happens")
    srv.stdin.close()
    c.equal("...which then exits 0", srv.wait(timeout=5), 0)
    srv.stdout.close()
    srv.stderr.close()
    # serve --tcp leaves stdout alone: what a plugin prints there reaches it as it is
    # printed too (a pipe or a log file), not when the server exits.
    srv = subprocess.Popen([duet, "serve", "--tcp", "0", "--once", "--load", plugin], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    m = re.search(r"listening on 127\.0\.0\.1:(\d+)", srv.stderr.readline().decode())
    sock = socket.create_connection(("127.0.0.1", int(m.group(1))), timeout=5)
    peer = Peer(sock.fileno(), sock.fileno(), "tcp client")
    c.equal("serve --tcp --load: plugin.say answers", peer.call("plugin.say", "over tcp", timeout=5), None)
    ready = select.select([srv.stdout], [], [], 2)[0]
    said = os.read(srv.stdout.fileno(), 4096).decode() if ready else ""
    c.contains("...and what it printed is on stdout (a pipe) while the server still runs", said,
               "plugin.say: over tcp")
    sock.close()
    c.equal("...which then exits 0 (--once)", srv.wait(timeout=5), 0)
    srv.stdout.close()
    srv.stderr.close()
    rc, out, err, _ = run([duet, "serve", "--load", "/nonexistent/plugin.so"], stdin=b"")
    c.equal("--load of a missing file: exit 3", rc, 3)
    c.contains("...says so", err, "--load /nonexistent/plugin.so")
    rc, out, err, _ = run([duet, "serve", "--load", "/lib/x86_64-linux-gnu/libc.so.6"], stdin=b"")
    c.equal("--load of a library without duet_rpc_register: exit 3", rc, 3)


def test_duet_to_duet(c, duet):
    server = "%s serve" % duet
    forms = ['[1, [2, [3]], {"k": null}]', '{"$bin": "AAH/"}', "bare words", "true", "null", "-7",
             '{"$ext": -1, "data": "ZVPxAA=="}', "18446744073709551615", '{"$map": [[1, "one"], [[2], {}]]}',
             '{"$str": "/w=="}', '{"$float": "nan"}', "0.1", "-0.0", "1e-300", '{"$uint": "5"}',
             '{"$bin": "AAH_-w"}', '{"a": 1, "$bin": 2}', '{"$map": [["$bin", "x"]]}', '{}', '[]', '""']
    rc, out, err, _ = run([duet, "call", "--exec", server, "echo"] + forms)
    c.equal("echo through a duet server: exit 0", (rc, err), (0, ""))
    c.equal("echo through a duet server: the JSON mapping round-trips", json_of(out), [
        [1, [2, [3]], {"k": None}], {"$bin": "AAH/"}, "bare words", True, None, -7,
        {"$ext": -1, "data": "ZVPxAA=="}, 18446744073709551615, {"$map": [[1, "one"], [[2], {}]]},
        {"$str": "/w=="}, {"$float": "nan"}, 0.1, -0.0, 1e-300, 5,
        {"$bin": "AAH/+w=="}, {"a": 1, "$bin": 2}, {"$map": [["$bin", "x"]]}, {}, [], ""])
    c.check("floats keep a decimal point (1.0 prints as 1.0)", run([duet, "call", "--exec", server, "echo", "1.0"])[1] == "[1.0]\n")

    blob = os.urandom(64 * 1024)
    rc, out, err, _ = run([duet, "call", "--exec", server, "echo", json.dumps({"$bin": base64.b64encode(blob).decode()})])
    c.equal("echo of a 64 KiB bin, duet to duet", base64.b64decode(json_of(out)[0]["$bin"]) if rc == 0 else err, blob)

    rc, out, err, _ = run([duet, "call", "--exec", server, "call_back", "echo", "1", '"x"'])
    c.equal("call_back: the server calls the calling duet-rpc's echo", (rc, json_of(out)), (0, [1, "x"]))
    rc, out, err, _ = run([duet, "call", "--exec", server, "call_back", "nope"])
    c.equal("call_back of a function the caller lacks: exit 1", rc, 1)
    c.contains("...with rpclib's sentence", err, "rpclib: server could not find function 'nope'")

    rc, out, err, secs = run([duet, "call", "--timeout", "200", "--exec", server, "sleep_ms", "3000"])
    c.equal("sleep_ms 3000 with --timeout 200: exit 2", rc, 2)
    c.check("...promptly (the child gets 1 s to exit, then SIGTERM)", secs < 2.5, secs)

    rc, out, err, _ = run([duet, "call", "--exec", "%s serve --trace" % duet, "add", "1", "2"])
    lines = [x.split(" ", 4)[-1] for x in err.splitlines() if x.startswith("duet-rpc serve: trace +")]
    c.equal("serve --trace: one line per message", lines, [
        "<- request id=0 method=add params=[1, 2]", "-> response id=0 result=3"])

    rc, out, err, _ = run([duet, "call", "--exec", server, "stats"])
    st = json_of(out)
    c.check("stats: a map of counters", isinstance(st, dict) and st.get("msgs_in") == 1, out)

    # serve --stdio on garbage then end of input inside a message.
    rc, out, err, _ = run([duet, "serve", "--stdio"], stdin=b"\xc1\x01garbage\x93\x00")
    c.equal("serve: garbage, then end of input inside a message: exit 4, nothing sent", (rc, out), (4, ""))
    c.contains("...says what was skipped", err, "skipped 1 byte that is not MessagePack (c1) at byte 0 of the input")
    c.contains("...and where the input ended", err, "the input ended inside a message: the 2 bytes of it that arrived (93 00, at byte 9)")
    rc, out, err, _ = run([duet, "serve", "--stdio"], stdin=b"\xc1\x01")
    c.equal("serve: garbage, then end of input between messages: exit 0", rc, 0)


def test_usage(c, duet):
    rc, out, err, _ = run([duet, "--help"])
    c.equal("--help: exit 0", rc, 0)
    for part in ('{"$bin": "<base64>"}', '{"$ext": TYPE, "data": "<base64>"}', "call_back(method, ...)", "Exit status", "--write-timeout MS"):
        c.contains("--help documents %s" % part, out, part)
    # The synopsis (printed by --help and with every usage error) names each option of its verb.
    rc, out, err, _ = run([duet], stdin=b"")
    synopsis = err[:err.find("Try 'duet-rpc --help'")]
    call_line, serve_line = synopsis.split("duet-rpc serve")[0], synopsis.split("duet-rpc serve")[1].split("duet-rpc --help")[0]
    for verb, line, options in (("call", call_line, ("--port", "--baud", "--tcp", "--exec", "--notify", "--timeout", "--trace", "--load")),
                                ("serve", serve_line, ("--stdio", "--tcp", "--port", "--baud", "--once", "--idle-timeout",
                                                       "--write-timeout", "--timeout", "--trace", "--load"))):
        for o in options:
            named = re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), line) is not None
            c.equal("the usage synopsis of %s names %s" % (verb, o), named, True)
    for args, why in ((["call", "add"], "no transport"), (["bogus"], "unknown command"), ([], "no command"),
                      (["call", "--exec", "true"], "no method"), (["call", "--tcp", "a:1", "--port", "/dev/null", "m"], "two transports"),
                      (["call", "--timeout", "x", "--exec", "true", "m"], "bad --timeout"),
                      (["serve", "--tcp", "70000"], "bad port"),
                      (["serve", "--once"], "--once without --tcp"), (["serve", "--tcp", "0", "--idle-timeout", "x"], "bad --idle-timeout"),
                      (["serve", "--tcp", "0", "--write-timeout", "-1"], "bad --write-timeout"), (["call", "--frobnicate"], "unknown option")):
        rc, out, err, _ = run([duet] + args, stdin=b"")
        c.equal("usage error (%s): exit 3" % why, rc, 3)
    # An option with a value given twice would keep the last in silence: refused, named.
    srv = "%s serve" % duet
    for args, name in ((["call", "--tcp", "127.0.0.1:1", "--tcp=127.0.0.1:2", "add"], "--tcp"),
                       (["call", "--exec", srv, "--exec", srv, "add", "1", "2"], "--exec"),
                       (["call", "--port", "/dev/null", "--port", "/dev/zero", "add"], "--port"),
                       (["call", "--exec", srv, "--timeout", "100", "--timeout", "200", "add", "1", "2"], "--timeout"),
                       (["serve", "--tcp", "0", "--tcp", "0"], "--tcp"),
                       (["serve", "--port", "/dev/null", "--baud", "9600", "--baud=19200"], "--baud"),
                       (["serve", "--tcp", "0", "--idle-timeout", "1", "--idle-timeout", "2"], "--idle-timeout")):
        rc, out, err, _ = run([duet] + args, stdin=b"", timeout=10)
        c.equal("%s given twice (%s): exit 3, nothing printed on stdout" % (name, " ".join(args[1:4])), (rc, out), (3, ""))
        c.contains("...naming the option", err, "%s given twice" % name)
    for arg in ("99999999999999999999999", "-9223372036854775809", "1e400", "[1, 18446744073709551615]"):
        rc, out, err, _ = run([duet, "call", "--exec", "%s serve" % duet, "echo", arg])
        c.equal("a number past 64 bits (%s) is refused: exit 3, nothing sent" % arg, (rc, out), (3, ""))
        c.contains("...saying so", err, "argument 1: a number past 64 bits")
    c.contains("...and how to send one past int64 in an array", err, '{"$uint": "N"}')
    for arg in ('{"$uint": "\\t5"}', '{"$uint": " 5"}', '{"$uint": "+5"}', '{"$uint": "-5"}', '{"$uint": "5 "}'):
        rc, out, err, _ = run([duet, "call", "--exec", "%s serve" % duet, "echo", arg])
        c.equal("$uint of anything but digits (%s) is refused: exit 3, nothing sent" % arg, (rc, out), (3, ""))
    rc, out, err, _ = run([duet, "call", "--exec", "%s serve" % duet, "echo", '{"$uint": "18446744073709551615"}'])
    c.equal("...and of digits taken", (rc, out), (0, "[18446744073709551615]\n"))
    rc, out, err, _ = run([duet, "call", "--exec", "%s serve" % duet, "echo", '"1e400"', "18446744073709551615"])
    c.equal("...while quoted it is a string, and a bare one to 2^64-1 an unsigned integer", (rc, out),
            (0, '["1e400", 18446744073709551615]\n'))
    # 22 arguments that fit the 1 MiB of arguments, but not with the request's own head
    # (one exec argument is at most 128 KiB).
    big = ["a" * 48000] * 21 + ["a" * 40505]
    rc, out, err, _ = run([duet, "call", "--exec", "%s serve" % duet, "echo"] + big)
    c.equal("a request just over 1 MiB: exit 3, saying so", (rc, out, err),
            (3, "", "duet-rpc: echo: the request does not fit one message (1048576 bytes at most)\n"))
    rc, out, err, _ = run([duet, "call", "--exec", "%s serve" % duet, "add", "--", "-5"])
    c.equal("arguments after METHOD may start with '-'", (rc, out), (1, ""))
    rc, out, err, _ = run([duet, "call", "--exec", "%s serve" % duet, "add", "-5", "-6"])
    c.equal("negative numbers are arguments, not options", (rc, out), (0, "-11\n"))


def test_unwritable_output(c, duet):
    # stdout on a full disk (/dev/full: every write fails with ENOSPC). The result of a call,
    # the responses of serve --stdio, --help and --version were lost with exit 0 and no word.
    if not os.path.exists("/dev/full"):
        c.check("/dev/full is there", False, "no /dev/full on this host")
        return
    with open("/dev/full", "wb") as full:
        p = subprocess.run([duet, "call", "--exec", "%s serve" % duet, "add", "1", "2"], stdout=full,
                           stderr=subprocess.PIPE, timeout=30)
        c.equal("call's result to a full stdout: exit 3, saying so", (p.returncode, p.stderr.decode()),
                (3, "duet-rpc: add: the result (2 bytes of JSON) could not be written to stdout: "
                    "No space left on device\n"))
        request = bytes([0x94, 0, 1, 0xa3]) + b"add" + bytes([0x92, 1, 2])
        p = subprocess.run([duet, "serve", "--stdio"], input=request * 2, stdout=full, stderr=subprocess.PIPE,
                           timeout=30)
        c.equal("serve --stdio with a full stdout: exit 5 (responses lost), saying so once",
                (p.returncode, p.stderr.decode()),
                (5, "duet-rpc serve: its responses could not be written (No space left on device): they are lost, "
                    "and nothing more is served\n"))
        for arg in ("--help", "--version"):
            p = subprocess.run([duet, arg], stdout=full, stderr=subprocess.PIPE, timeout=30)
            c.equal("%s to a full stdout: exit 3" % arg, p.returncode, 3)
            c.contains("...saying so", p.stderr.decode(), "could not be written to stdout: No space left on device")
    # A reader that went away is the end of serve's stream, as before: exit 0, nothing said.
    r, w = os.pipe()
    os.close(r)
    p = subprocess.run([duet, "serve", "--stdio"], input=request, stdout=w, stderr=subprocess.PIPE, timeout=30)
    os.close(w)
    c.equal("serve --stdio whose reader is gone (EPIPE): exit 0, nothing said", (p.returncode, p.stderr.decode()),
            (0, ""))
    # Input that cannot be read (here a folder: EISDIR) ended serve as the end of its input
    # does, exit 0 and no word.
    folder = os.open("/", os.O_RDONLY)
    try:
        p = subprocess.run([duet, "serve", "--stdio"], stdin=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
    finally:
        os.close(folder)
    c.equal("serve --stdio whose input cannot be read: exit 4, saying so", (p.returncode, p.stderr.decode()),
            (4, "duet-rpc serve: its input could not be read (Is a directory): nothing more is served\n"))


def test_exec_ended(c, duet):
    # The command --exec ran closed the stream by ending (not found, exited, crashed): call
    # said only 'link down: the other side closed the stream before answering'.
    for cmd, why in (("exit 3", "the command exited with status 3"),
                     ("/nonexistent/server", "the command exited with status 127"),
                     ("kill -SEGV $$", "the command ended with status 139: signal 11, Segmentation fault")):
        rc, out, err, took = run([duet, "call", "--exec", cmd, "add", "1", "2"])
        c.equal("call --exec '%s': exit 2, nothing on stdout" % cmd, (rc, out), (2, ""))
        # The request's write may find the pipe closed already (': Broken pipe') or not.
        said = re.search(r"duet-rpc: add: link down: the other side closed the stream before answering"
                         r"(: [A-Za-z ]+)? \((.*)\)\n", err)
        c.check("...saying how the command ended", said is not None and said.group(2) == why, err)
    # one that closed its output and runs on is not waited for past half a second (then ended)
    rc, out, err, took = run([duet, "call", "--exec", "exec 1>&-; sleep 30", "add", "1", "2"])
    c.equal("call --exec of a command that closes its output and runs on: exit 2", rc, 2)
    c.check("...at once (the command ended by call, under 3 s)", took < 3, "%.1f s" % took)
    c.check("...without a status it did not end with", "(the command" not in err, err)


def test_exec_without_stdin(c, duet):
    # call --exec from a program started with its stdin closed: pipe() gave the command's
    # stdin that descriptor (0), and the child closed it after dup2(0, 0), so the command read
    # nothing and call timed out ('add: timed out: no response within 3000 ms').
    p = subprocess.run([duet, "call", "--timeout", "3000", "--exec", "%s serve --stdio" % duet, "add", "1", "2"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=lambda: os.close(0), timeout=30)
    c.equal("call --exec with its stdin closed: the result, exit 0, no error",
            (p.returncode, p.stdout.decode(), p.stderr.decode()), (0, "3\n", ""))


def _alive(pid):
    """Whether pid runs (a zombie no one reaped does not)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_signals(c, duet, tmp, slow_fork):
    # Ctrl-C (SIGINT) or SIGTERM to call --exec while it waits: the child, in a process group
    # of its own that the terminal's Ctrl-C does not reach, must not be left running. Then
    # SIGTERM right after the fork (slow_fork.c holds duet-rpc there for half a second, the
    # command starting meanwhile): on a busy host a signal came there once, before duet-rpc
    # had caught the signals, and it ended by it leaving the command running.
    cases = [(signal.SIGINT, {}), (signal.SIGTERM, {}),
             (signal.SIGTERM, {"LD_PRELOAD": slow_fork, "SLOW_FORK_MS": "500"})]
    for sig, env in cases:
        pidfile = os.path.join(tmp, "child.pid")
        if os.path.exists(pidfile):
            os.unlink(pidfile)
        p = subprocess.Popen([duet, "call", "--timeout", "60000", "--exec", "echo $$ > %s; exec sleep 300" % pidfile, "add"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, **env))
        deadline = time.monotonic() + 5
        while not os.path.exists(pidfile) or not open(pidfile).read().strip():
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        child = int(open(pidfile).read())
        t0 = time.monotonic()
        p.send_signal(sig)
        try:
            status = p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            status = "still running"
        took = time.monotonic() - t0
        when = "right after the fork" if env else "while it waits"
        c.equal("call --exec, %s %s: it ends by that signal" % (sig.name, when), status, -sig)
        c.check("...at once (under 1 s, and the fork's 0.5 s wait)" if env else "...at once (under 1 s)",
                took < (1.5 if env else 1), "%.1f s" % took)
        # The command has the signal at once, and is gone as soon as it runs again: on a host
        # busy with other tests that may take a moment, so it is given up to 3 s.
        deadline = time.monotonic() + 3
        alive = _alive(child)
        while alive and time.monotonic() < deadline:
            time.sleep(0.05)
            alive = _alive(child)
        if alive:
            os.kill(child, signal.SIGKILL)
        c.check("...and the command it ran is ended too, not left running", not alive, "pid %d" % child)
        p.stdout.close()
        p.stderr.close()


def main():
    duet, plugin, slow_fork, fail_getsockname = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    c = Checks("interop_rpc duet-rpc tool")
    c.section("tcp", test_tcp, c, duet)
    c.section("tcp, its port unknown", test_tcp_port_unknown, c, duet, fail_getsockname)
    c.section("pty as a serial port", test_pty, c, duet)
    c.section("plugins", test_plugin, c, duet, plugin)
    c.section("duet to duet", test_duet_to_duet, c, duet)
    c.section("usage", test_usage, c, duet)
    c.section("output that cannot be written", test_unwritable_output, c, duet)
    c.section("a command --exec ran that ended", test_exec_ended, c, duet)
    c.section("call --exec without stdin", test_exec_without_stdin, c, duet)
    with tempfile.TemporaryDirectory() as tmp:
        c.section("signals", test_signals, c, duet, tmp, slow_fork)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())

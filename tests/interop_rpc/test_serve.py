#!/usr/bin/python3
"""test_serve.py DUET_RPC [--plugin PLUGIN.so] [CASE...] - `duet-rpc serve` as a server real clients can lean on, with the
python3-msgpack peer as the client, over stdio and over TCP. Each case checks the answer, the
exit status and that the next request is still served:
  1. a request over the 1 MiB message limit gets an error naming the limit; its body is skipped
  2. a header declaring gigabytes is refused at once: error by msgid, then the stream is closed
     (stdio: exit 4 and a sentence; TCP: the next connection is served)
  3. end of input is not end of output: a call_back whose nested answer came just before the
     end is answered, then serve exits 0
  4. reading goes on while a handler waits: a call_back whose request and nested answer pass
     1 MiB together, and 3 MB of requests sent before a nested answer
  5. many clients at once and one after another (TCP): an idle client, a waiting call_back or a
     sleep_ms blocks no one; idle timeout; --once; SIGTERM
  6. a method name sent as bin (old msgpack-RPC clients); a notification that fails is reported
  7. a client that sends 20 MB of requests and reads nothing stalls no one (TCP): the others'
     calls are answered at once while its requests wait; once it reads, it gets every
     response, in order, whole; the server's memory stays bounded
  8. a client that reads nothing is dropped after --write-timeout, and the others are served
  9. (with --plugin, tests/interop_rpc's plugin) one call whose handler sends 14 MB of
     notifications to a client that reads nothing: more than its output buffer holds; the
     others are served while the handler waits for room, then the client gets it all
 10. SIGTERM while a client's responses wait unread: no more is served, but the responses
     already made go out whole when it reads, then the server exits 0; a second SIGTERM
     ends it at once
 11. --once whose client is dropped by --write-timeout (it read nothing; responses were
     lost): exit 5, not the 0 of a connection that ended well; whose client is closed by
     --idle-timeout: exit 0 at once (both waited a minute more before)
 12. SIGTERM while a handler waits (a sleep_ms of 20 s, a call_back whose client never
     answers): the wait ends at once, its caller gets an error saying the server is
     stopping, and the server exits 0 within a second (it slept on, or waited out the
     nested call's timeout, before)
and bytes that are not MessagePack: said on stderr, counted, and exit 4 when the input ended
inside a message (case "garbage"). CASE: 1 2 3 4 5 6 7 8 9 10 11 12 garbage (default: all)."""
import errno
import fcntl
import os
import re
import select
import signal
import socket
import struct
import termios
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import Checks  # noqa: E402
from peer import Peer, RemoteError, pack  # noqa: E402
import msgpack  # noqa: E402  (peer.py says how to install it if it is missing)

LIMIT = 1 << 20
ADD = pack([0, 99, "add", [1, 2]])  # "the next request", id 99: answered with 3


class Stdio:
    """duet-rpc serve --stdio ARGS, with a peer on its stdin and stdout."""
    name = "stdio"

    def __init__(self, duet, *args):
        self.proc = subprocess.Popen([duet, "serve", "--stdio"] + list(args), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.peer = Peer(self.proc.stdout.fileno(), self.proc.stdin.fileno(), "stdio client")

    def end_input(self):
        self.proc.stdin.close()

    def finish(self, timeout=10):
        """Ends the input, takes every response until the server's end of output, and returns
        (exit status, stderr)."""
        if not self.proc.stdin.closed:
            self.end_input()
        drain(self.peer, timeout)
        self.proc.stdout.close()
        return outcome(self.proc, timeout)


def start_tcp(duet, *args):
    """duet-rpc serve --tcp 0 ARGS: (process, port)."""
    proc = subprocess.Popen([duet, "serve", "--tcp", "0"] + list(args), stderr=subprocess.PIPE)
    line = proc.stderr.readline().decode()
    m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
    if not m:
        proc.kill()
        raise RuntimeError("serve --tcp said %r" % line)
    return proc, int(m.group(1))


def connect(port, name="tcp client"):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    peer = Peer(sock.fileno(), sock.fileno(), name)
    peer.sock = sock
    return peer


class Tcp:
    """duet-rpc serve --tcp 0 --once ARGS and one connection to it."""
    name = "tcp"

    def __init__(self, duet, *args):
        self.proc, self.port = start_tcp(duet, "--once", *args)
        self.peer = connect(self.port)

    def end_input(self):
        try:
            self.peer.sock.shutdown(socket.SHUT_WR)
        except OSError as e:
            # The server may already have closed the connection (it does so on a header it
            # refuses); then there is no input left to end.
            if e.errno != errno.ENOTCONN:
                raise

    def finish(self, timeout=10):
        self.end_input()
        drain(self.peer, timeout)
        self.peer.sock.close()
        return outcome(self.proc, timeout)


def outcome(proc, timeout):
    """(exit status, stderr) of the server once it has exited (killed after timeout s)."""
    try:
        status = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        status = "still running"
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    return status, err


def drain(peer, timeout):
    """Takes messages until the other side closes the stream (or timeout)."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            peer.pump(deadline - time.monotonic())
    except (EOFError, TimeoutError, OSError):
        pass


def record_requests(peer):
    """Keeps the server's requests instead of answering them (our input may be closed)."""
    got = []
    peer.serve_request = lambda msgid, method, params: got.append((msgid, method, params))
    return got


def response(peer, msgid):
    """(error, result) of msgid's response if it came, else 'no response'."""
    r = peer.responses.get(msgid)
    return r[:2] if r else "no response"


def short(text):
    return text if len(text) < 300 else text[:300] + "..."


# ------------------------------------------------------------ the cases, per transport

def case_oversized(c, duet, T):
    t = T(duet)
    t.peer.send([0, 1, "echo", ["w" * LIMIT]])
    t.peer.send_bytes(ADD)
    error, _, _ = t.peer.wait(1, 20)
    c.contains("[%s] 1. a request over the limit gets an error naming the limit" % T.name, error, "1048576")
    c.equal("[%s] 1. ...and the next request is served" % T.name, t.peer.wait(99)[:2], (None, 3))
    st = t.peer.call("stats")
    c.equal("[%s] 1. ...counted as oversized" % T.name, st.get("oversized"), 1)
    status, err = t.finish()
    c.equal("[%s] 1. exit 0" % T.name, status, 0)
    c.contains("[%s] 1. stderr says what was skipped" % T.name, err, "over the limit")


def case_huge_header(c, duet, T):
    t = T(duet)
    t.peer.send_bytes(b"\x94\x00\x01\xdb\xff\xff\xff\xff")  # [0, 1, <str of 4 GiB>
    try:
        t.peer.send_bytes(ADD)
    except BrokenPipeError:
        pass  # the server answered and closed the stream already: what this case checks
    t0 = time.monotonic()
    status, err = t.finish()
    c.contains("[%s] 2. a 4 GiB header: error response at once, by its msgid" % T.name,
               response(t.peer, 1)[0], "1048576")
    c.check("[%s] 2. ...promptly" % T.name, time.monotonic() - t0 < 5, time.monotonic() - t0)
    c.equal("[%s] 2. ...the stream is closed: what followed is not taken as its body, nor served" % T.name,
            response(t.peer, 99), "no response")
    c.equal("[%s] 2. exit status 4" % T.name, status, 4)
    c.contains("[%s] 2. ...with a sentence on stderr" % T.name, err, "too large to skip")


def case_huge_header_next_connection(c, duet):
    proc, port = start_tcp(duet)
    peer = connect(port)
    peer.send_bytes(b"\x94\x00\x01\xdb\xff\xff\xff\xff")
    drain(peer, 5)
    c.check("[tcp] 2. the server closed that connection", peer.eof)
    peer.sock.close()
    peer = connect(port)
    c.equal("[tcp] 2. the next connection is served", peer.call("add", 1, 2), 3)
    peer.sock.close()
    proc.send_signal(signal.SIGTERM)
    c.equal("[tcp] SIGTERM: exit 0", proc.wait(timeout=5), 0)
    proc.stderr.close()


def case_end_of_input(c, duet, T):
    t = T(duet)
    nested = record_requests(t.peer)
    t.peer.send([0, 1, "call_back", ["hello"]])
    t.peer.send([1, 0, None, "from python"])  # the answer to the server's first call (msgid 0)
    t.peer.send_bytes(ADD)
    status, err = t.finish()
    c.equal("[%s] 3. the server called back" % T.name, [(m, p) for _, m, p in nested], [("hello", [])])
    c.equal("[%s] 3. the answer still owed at end of input is written" % T.name, response(t.peer, 1),
            (None, "from python"))
    c.equal("[%s] 3. ...and the next request's" % T.name, response(t.peer, 99), (None, 3))
    c.equal("[%s] 3. exit 0" % T.name, status, 0)
    c.check("[%s] 3. nothing said 'not sent'" % T.name, "not sent" not in err, short(err))


def case_reading_on(c, duet, T):
    t = T(duet, "--timeout", "20000")
    big = "x" * 700000
    t.peer.handlers["hello"] = lambda p, s: s
    c.equal("[%s] 4. call_back whose request and nested answer pass 1 MiB together" % T.name,
            t.peer.call("call_back", "hello", big, timeout=30) == big, True)
    # The nested answer comes after 3 MB of other requests (more than the receive buffer).
    t.peer.request("call_back", "later", msgid=1)
    msg, _ = t.peer.next_message(10)
    c.equal("[%s] 4. the server calls back 'later'" % T.name, msg[:3], [0, msg[1], "later"])
    blob = b"b" * 100000
    for i in range(30):
        t.peer.request("echo", blob, msgid=10 + i)
    t.peer.send([1, msg[1], None, "done"])
    c.equal("[%s] 4. ...3 MB of requests sent before the nested answer are served" % T.name,
            [t.peer.wait(10 + i, 30)[:2] == (None, [blob]) for i in range(30)], [True] * 30)
    c.equal("[%s] 4. ...and the call_back gets its answer" % T.name, t.peer.wait(1, 30)[:2], (None, "done"))
    t.peer.send_bytes(ADD)
    c.equal("[%s] 4. the next request is served" % T.name, t.peer.wait(99)[:2], (None, 3))
    status, _ = t.finish()
    c.equal("[%s] 4. exit 0" % T.name, status, 0)


def case_bin_method(c, duet, T):
    t = T(duet, "--trace")
    t.peer.send_bytes(b"\x94\x00\x01\xc4\x03add\x92\x01\x02")
    c.equal("[%s] 6. a method name sent as bin (old clients) is accepted" % T.name, t.peer.wait(1)[:2], (None, 3))
    t.peer.send_bytes(b"\x94\x00\x02\xc4\x02\xff\xfe\x90")
    c.contains("[%s] 6. a bin method name that is not UTF-8: error" % T.name, t.peer.wait(2)[0], "UTF-8")
    t.peer.notify("no_such_method", 1)
    t.peer.notify("add", "one", 2)
    t.peer.send_bytes(ADD)
    c.equal("[%s] 6. the next request is served" % T.name, t.peer.wait(99)[:2], (None, 3))
    status, err = t.finish()
    c.equal("[%s] 6. exit 0" % T.name, status, 0)
    c.check("[%s] 6. a failed notification is said on stderr" % T.name,
            re.search(r"notification no_such_method failed: .*no_such_method", err), short(err))
    c.check("[%s] 6. ...with why (a bad argument)" % T.name, re.search(r"notification add failed: .*argument 1", err),
            short(err))
    c.check("[%s] 6. ...and in --trace" % T.name, re.search(r"trace \+[0-9.]+s !! notification no_such_method", err),
            short(err))


def case_garbage(c, duet, T):
    t = T(duet)
    t.peer.send_bytes(b"\xc1\xc1")
    st = t.peer.call("stats")
    c.equal("[%s] garbage: 2 bytes that are not MessagePack are counted" % T.name, st.get("garbage_bytes"), 2)
    t.peer.send_bytes(b"\xc1\xc1\x94\x00")
    t.peer.send_bytes(ADD)
    status, err = t.finish()
    c.contains("[%s] garbage: stderr says what was skipped" % T.name, err, "skipped 2 bytes that are not MessagePack (c1 c1)")
    c.equal("[%s] garbage: input that ends inside a message: exit 4" % T.name, status, 4)
    c.contains("[%s] garbage: ...with a sentence" % T.name, err, "the input ended inside a message")


# ------------------------------------------------------------ many clients (TCP)

def case_many_clients(c, duet):
    proc, port = start_tcp(duet, "--idle-timeout", "3000")
    idle = connect(port, "idle client")
    a = connect(port, "client a")
    b = connect(port, "client b")
    t0 = time.monotonic()
    c.equal("5. an idle client blocks no one", b.call("add", 2, 3), 5)
    c.check("...answered at once (not after the idle client's 3 s)", time.monotonic() - t0 < 2, time.monotonic() - t0)

    a.request("call_back", "slow", msgid=1)
    msg, _ = a.next_message(5)
    c.equal("5. a call_back waits for client a's answer", msg[2], "slow")
    t0 = time.monotonic()
    c.equal("5. ...meanwhile client b is served", b.call("add", 20, 22), 42)
    c.check("...at once (not after call_back's 5 s timeout)", time.monotonic() - t0 < 2, time.monotonic() - t0)
    a.send([1, msg[1], None, "late but fine"])
    c.equal("5. client a's call_back gets its answer", a.wait(1)[:2], (None, "late but fine"))

    a.request("sleep_ms", 3000, msgid=2)
    time.sleep(0.1)
    t0 = time.monotonic()
    c.equal("5. while a sleep_ms runs for client a, client b is served", b.call("add", 1, 1), 2)
    c.check("...at once (not after the 3 s sleep)", time.monotonic() - t0 < 1.5, time.monotonic() - t0)
    c.equal("5. client a's sleep_ms ends", a.wait(2, 10)[:2], (None, None))

    results = {}

    def worker(k):
        p = connect(port, "client %d" % k)
        results[k] = [p.call("add", k, i) for i in range(50)]
        p.sock.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(20)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    c.equal("5. 20 clients at once, 50 calls each: every answer right",
            results, {k: [k + i for i in range(50)] for k in range(20)})

    a.sock.close()
    b.sock.close()
    time.sleep(3.2)
    drain(idle, 2)
    c.check("5. the idle client was closed after --idle-timeout", idle.eof)
    idle.sock.close()
    p = connect(port, "after")
    c.equal("5. a client after all that is served", p.call("add", 3, 4), 7)
    p.sock.close()
    proc.send_signal(signal.SIGTERM)
    c.equal("5. SIGTERM: exit 0", proc.wait(timeout=5), 0)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    c.contains("5. stderr says why the idle client was closed", err, "no input for")

    proc, port = start_tcp(duet, "--once")
    p = connect(port)
    c.equal("5. --once: the one client is served", p.call("add", 1, 2), 3)
    p.sock.close()
    c.equal("5. --once: exit 0 when it closes", proc.wait(timeout=5), 0)
    proc.stderr.close()


# ------------------------------------------------------------ a client that reads nothing (TCP)

UNREAD_CALLS = 200
UNREAD_BLOB = 100000  # 200 echo calls of 100 kB: 20 MB of requests, 20 MB of responses


def unread_blob(i):
    """The blob of call i: its own bytes, so that a response cut or swapped shows."""
    return (b"%06d" % i) * (UNREAD_BLOB // 6)


def connect_unread(port):
    """A raw socket with a small receive buffer (set before connecting, so the kernel holds
    few of the responses for it) that the test writes to from a thread and reads only later."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 128 * 1024)
    sock.connect(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class Flood(threading.Thread):
    """Writes UNREAD_CALLS echo requests (msgids 1..UNREAD_CALLS) to sock and reads nothing.
    sent counts the bytes written; error is why writing stopped early, if it did."""

    def __init__(self, sock):
        threading.Thread.__init__(self, daemon=True)
        self.data = b"".join(pack([0, i, "echo", [unread_blob(i)]]) for i in range(1, UNREAD_CALLS + 1))
        self.sock = sock
        self.sent = 0
        self.error = None
        self.wfd = os.dup(sock.fileno())  # its own descriptor: the reader may close sock first

    def run(self):
        view = memoryview(self.data)
        try:
            while self.sent < len(view):
                # (the reader's Peer makes the socket non-blocking: wait for room first)
                select.select([], [self.wfd], [], 30)
                try:
                    self.sent += os.write(self.wfd, view[self.sent:self.sent + (1 << 16)])
                except BlockingIOError:
                    pass
        except OSError as e:
            self.error = e
        finally:
            os.close(self.wfd)


def unread_bytes(sock):
    """How many bytes wait in sock's receive buffer, unread."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]


def wait_stuck(sock, flood, quiet=0.5, timeout=20):
    """Waits until neither what flood wrote nor what waits unread in sock moved for quiet s:
    the server holds the rest. Returns (bytes written, bytes arrived unread)."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = (flood.sent, unread_bytes(sock))
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.05)
    return last


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def timed_calls(peer, count, label):
    """Makes count add calls; returns (results, slowest call's seconds)."""
    results, slowest = [], 0.0
    for i in range(count):
        t0 = time.monotonic()
        try:
            results.append(peer.call("add", i, 1000, timeout=5))
        except (TimeoutError, RemoteError, EOFError, OSError) as e:
            results.append("%s: %s" % (label, e))
            slowest = max(slowest, time.monotonic() - t0)
            break  # the next would wait as long
        slowest = max(slowest, time.monotonic() - t0)
    return results, slowest


def on_server(c, duet, run, *args):
    """run(c, proc, port) against duet-rpc serve --tcp 0 ARGS; the server is killed if a
    check raised (none is left behind)."""
    proc, port = start_tcp(duet, *args)
    try:
        run(c, proc, port)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def case_unread(c, duet):
    # the default --write-timeout, 10 s: far longer than this takes
    on_server(c, duet, case_unread_run)


def case_unread_run(c, proc, port):
    stuck = connect_unread(port)
    flood = Flood(stuck)
    flood.start()
    other = connect(port, "client b")
    sent, arrived = wait_stuck(stuck, flood)
    responses = sum(len(pack([1, i, None, [unread_blob(i)]])) for i in range(1, UNREAD_CALLS + 1))
    c.check("7. a client sends 20 MB of requests and reads nothing: the server holds its responses back",
            arrived < responses // 2, "%d of %d response bytes arrived unread" % (arrived, responses))

    results, slowest = timed_calls(other, 20, "client b")
    c.equal("7. ...meanwhile client b's 20 calls are answered", results, [i + 1000 for i in range(20)])
    c.check("7. ...each at once (under 500 ms)", slowest < 0.5, "the slowest took %.3f s" % slowest)
    t0 = time.monotonic()
    c.equal("7. ...a sleep_ms of client b ends (its loop runs inside the handler)", other.call("sleep_ms", 300), None)
    c.check("7. ...on time", time.monotonic() - t0 < 0.8, time.monotonic() - t0)
    late = connect(port, "client c")
    results, slowest = timed_calls(late, 20, "client c")
    c.equal("7. ...a client that connects now is served", results, [i + 1000 for i in range(20)])
    c.check("7. ...at once (under 500 ms each)", slowest < 0.5, "the slowest took %.3f s" % slowest)
    c.equal("7. ...all while the first client's responses still wait (it is still stuck)",
            unread_bytes(stuck), arrived)
    rss = rss_kib(proc.pid)
    c.check("7. the server's memory stays bounded (VmRSS under 64 MiB)", 0 < rss < 64 * 1024, "%d KiB" % rss)

    reader = Peer(stuck.fileno(), stuck.fileno(), "the client that read nothing")
    deadline = time.monotonic() + 60
    try:
        while len(reader.order) < UNREAD_CALLS and time.monotonic() < deadline:
            reader.pump(deadline - time.monotonic())
    except (TimeoutError, EOFError, OSError) as e:
        c.check("7. reading, the first client gets its responses (raised %s)" % e, False)
    flood.join(10)
    c.equal("7. once it reads, it gets every response, in order (msgids 1..%d, no gap)" % UNREAD_CALLS,
            reader.order, list(range(1, UNREAD_CALLS + 1)))
    wrong = [i for i in range(1, UNREAD_CALLS + 1)
             if reader.responses.get(i, (None, None))[:2] != (None, [unread_blob(i)])]
    c.equal("7. ...each whole and right (its own 100 kB)", wrong, [])
    c.equal("7. ...and nothing else", reader.unexpected, [])
    c.equal("7. ...all its requests were taken", (flood.error, flood.sent), (None, len(flood.data)))
    c.equal("7. ...and it is served on", reader.wait(reader.request("add", 1, 2, msgid=9999))[:2], (None, 3))
    for sock in (stuck, other.sock, late.sock):
        sock.close()
    proc.send_signal(signal.SIGTERM)
    c.equal("7. SIGTERM: exit 0", proc.wait(timeout=5), 0)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    c.check("7. no client was dropped", "dropped" not in err, short(err))


def case_unread_dropped(c, duet):
    on_server(c, duet, case_unread_dropped_run, "--write-timeout", "1500")


def case_unread_dropped_run(c, proc, port):
    stuck = connect_unread(port)
    flood = Flood(stuck)
    flood.start()
    other = connect(port, "client b")
    wait_stuck(stuck, flood, quiet=0.3)
    t0 = time.monotonic()
    results, slowest = [], 0.0
    while time.monotonic() - t0 < 3.5:
        r, s = timed_calls(other, 5, "client b")
        results += r
        slowest = max(slowest, s)
        time.sleep(0.05)
    c.equal("8. while a client that reads nothing waits to be dropped, client b is served",
            [r for r in results if not isinstance(r, int)], [])
    c.check("8. ...at once (under 500 ms each)", slowest < 0.5, "the slowest took %.3f s" % slowest)
    flood.join(5)
    gone = False
    try:
        stuck.settimeout(5)
        while stuck.recv(1 << 20):
            pass
        gone = True
    except OSError as e:  # ECONNRESET: it closed with our requests unread
        gone = e.errno in (errno.ECONNRESET, errno.EPIPE)
    c.check("8. the client that read nothing was dropped after --write-timeout", gone)
    c.equal("8. ...and client b is still served", other.call("add", 2, 3), 5)
    after = connect(port, "client c")
    c.equal("8. ...and a new client", after.call("add", 3, 4), 7)
    for sock in (stuck, other.sock, after.sock):
        sock.close()
    proc.send_signal(signal.SIGTERM)
    c.equal("8. SIGTERM: exit 0", proc.wait(timeout=5), 0)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    c.check("8. stderr says why it was dropped", re.search(
        r"serve #1: dropped: it read nothing for (1[5-9]|2\d)\d\d ms while \d+ bytes of responses waited", err), short(err))


def case_unread_flood(c, duet, plugin):
    on_server(c, duet, case_unread_flood_run, "--load", plugin)


def case_unread_flood_run(c, proc, port):
    count, size = 16, 900000
    stuck = connect_unread(port)
    stuck.sendall(pack([0, 1, "plugin.flood", [count, size]]))
    other = connect(port, "client b")
    last, since = None, time.monotonic()
    while time.monotonic() - since < 0.5:
        now = unread_bytes(stuck)
        if now != last:
            last, since = now, time.monotonic()
        time.sleep(0.05)
    c.check("9. a handler sends 14 MB of notifications to a client that reads nothing: they wait",
            last < count * size // 2, "%d bytes arrived unread" % last)
    results, slowest = timed_calls(other, 20, "client b")
    c.equal("9. ...meanwhile client b's calls are answered (the handler waits for room)", results,
            [i + 1000 for i in range(20)])
    c.check("9. ...each at once (under 500 ms)", slowest < 0.5, "the slowest took %.3f s" % slowest)
    c.equal("9. ...while the first client is still stuck", unread_bytes(stuck), last)
    reader = Peer(stuck.fileno(), stuck.fileno(), "the client that read nothing")
    c.equal("9. once it reads, the call returns", reader.wait(1, 30)[:2], (None, count))
    c.equal("9. ...after every notification, in order and whole",
            [(m, p[0], p[1] == bytes([p[0] % 256]) * size) for m, p in reader.notifications],
            [("flood", i, True) for i in range(count)])
    c.equal("9. ...and it is served on", reader.wait(reader.request("add", 1, 2, msgid=2))[:2], (None, 3))
    for sock in (stuck, other.sock):
        sock.close()
    proc.send_signal(signal.SIGTERM)
    c.equal("9. SIGTERM: exit 0", proc.wait(timeout=5), 0)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    c.check("9. no client was dropped", "dropped" not in err, short(err))


def case_stop_sends(c, duet):
    on_server(c, duet, case_stop_sends_run)


def read_to_end(sock, timeout):
    """Every byte sock receives until the server closes it (or timeout s)."""
    sock.setblocking(True)
    sock.settimeout(timeout)
    data = bytearray()
    try:
        while True:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, OSError):
        pass
    return bytes(data)


def case_stop_sends_run(c, proc, port):
    stuck = connect_unread(port)
    flood = Flood(stuck)
    flood.start()
    wait_stuck(stuck, flood)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    c.equal("10. after SIGTERM the server waits while the responses it made still go out", proc.poll(), None)
    data = read_to_end(stuck, 20)
    unpacker = msgpack.Unpacker(raw=False)
    unpacker.feed(data)
    got = list(unpacker)
    c.equal("10. the client reading then gets them up to the server's close, and no message cut",
            unpacker.tell(), len(data))
    c.check("10. ...more than the socket held (the server's buffer too)", len(data) > 4 * UNREAD_BLOB,
            "%d bytes" % len(data))
    c.equal("10. ...each whole and right, in order from the first",
            got, [[1, i, None, [unread_blob(i)]] for i in range(1, len(got) + 1)])
    c.equal("10. ...then the server exits 0", outcome(proc, 10)[0], 0)
    stuck.close()


def case_stop_twice(c, duet):
    on_server(c, duet, case_stop_twice_run)


def case_stop_twice_run(c, proc, port):
    stuck = connect_unread(port)
    flood = Flood(stuck)
    flood.start()
    idle = connect(port, "an idle client")
    wait_stuck(stuck, flood)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    c.equal("10. a client that does not read keeps the server after SIGTERM", proc.poll(), None)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    c.equal("10. a second SIGTERM ends it: exit 0", outcome(proc, 5)[0], 0)
    c.check("10. ...at once (under 1 s)", time.monotonic() - t0 < 1, time.monotonic() - t0)
    for sock in (stuck, idle.sock):
        sock.close()


def case_once_dropped(c, duet):
    on_server(c, duet, case_once_dropped_run, "--once", "--write-timeout", "1000")


def case_once_dropped_run(c, proc, port):
    stuck = connect_unread(port)
    flood = Flood(stuck)
    flood.start()
    status, err = outcome(proc, 20)
    c.equal("11. --once: the server whose one client read nothing exits 5 once it dropped it", status, 5)
    c.check("11. ...and says why on stderr", re.search(
        r"serve #1: dropped: it read nothing for \d+ ms while \d+ bytes of responses waited \(--write-timeout\)", err),
        short(err))
    flood.join(5)
    stuck.close()


def case_once_idle(c, duet):
    on_server(c, duet, case_once_idle_run, "--once", "--idle-timeout", "300")


def case_once_idle_run(c, proc, port):
    idle = connect(port, "an idle client")
    t0 = time.monotonic()
    status, err = outcome(proc, 20)
    c.equal("11. --once: the server whose one client sent nothing closes it and exits 0", status, 0)
    c.check("11. ...at once after --idle-timeout (under 3 s), not after a minute", time.monotonic() - t0 < 3,
            "%.1f s" % (time.monotonic() - t0))
    c.contains("11. ...saying why", err, "no input for")
    idle.sock.close()


def case_stop_waiting(c, duet, method, params):
    on_server(c, duet, lambda c, proc, port: case_stop_waiting_run(c, proc, port, method, params), "--timeout", "60000")


def case_stop_waiting_run(c, proc, port, method, params):
    client = connect(port)
    record_requests(client)  # call_back's nested call is never answered
    other = connect(port, "another client")
    client.send([0, 1, method, params])
    time.sleep(0.5)
    c.equal("12. %s: the other clients are served meanwhile" % method, other.call("add", 1, 2, timeout=5), 3)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    status, err = outcome(proc, 10)
    took = time.monotonic() - t0
    c.equal("12. %s: SIGTERM while it waits: exit 0" % method, status, 0)
    c.check("12. ...at once (under 1 s), not when the wait would have ended", took < 1, "%.1f s" % took)
    drain(client, 5)
    got = response(client, 1)
    c.check("12. ...and its caller is told why", got != "no response" and "server is stopping" in str(got[0]),
            got)
    for peer in (client, other):
        peer.sock.close()


def read_stderr_for(proc, seconds):
    """What the server writes on stderr within seconds (it keeps running)."""
    got = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if select.select([proc.stderr], [], [], max(0.0, deadline - time.monotonic()))[0]:
            chunk = os.read(proc.stderr.fileno(), 65536)
            if not chunk:
                break
            got += chunk
    return got.decode(errors="replace")


def case_connection_limit(c, duet):
    on_server(c, duet, case_connection_limit_run)


def case_connection_limit_run(c, proc, port):
    full = "serving 128 connections, the most it serves at once"
    peers = [connect(port, "client %d" % k) for k in range(127)]
    c.equal("13. 127 clients: each is served", [p.call("add", k, 1) for k, p in enumerate(peers)],
            [k + 1 for k in range(127)])
    c.equal("13. ...and nothing said about a limit yet", full in read_stderr_for(proc, 0.2), False)
    peers.append(connect(port, "client 127"))
    c.equal("13. the 128th is served", peers[-1].call("add", 127, 1), 128)
    c.contains("13. ...and the server says on stderr that it serves the most it can", read_stderr_for(proc, 1), full)
    waiting = [connect(port, "client %d" % k) for k in (128, 129)]
    msgid = waiting[0].request("add", 1, 2)
    c.check("13. the 129th client's call is not answered while 128 are served",
            not select.select([waiting[0].sock], [], [], 0.5)[0])
    c.equal("13. ...and the limit is said once only", read_stderr_for(proc, 0.2).count(full), 0)
    peers.pop(0).sock.close()
    c.equal("13. once one of the 128 ends, the 129th is served (it waited, it lost nothing)",
            waiting[0].wait(msgid, 5)[:2], (None, 3))
    for p in peers + waiting:
        p.sock.close()


def main():
    duet = sys.argv[1]
    args = sys.argv[2:]
    plugin = None
    if args[:1] == ["--plugin"]:
        plugin, args = args[1], args[2:]
    only = set(args) or {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "garbage"}
    c = Checks("interop_rpc duet-rpc serve (%s)" % os.path.basename(duet))
    per_transport = (("1", "1. oversized request", case_oversized), ("2", "2. header declaring 4 GiB", case_huge_header),
                     ("3", "3. end of input", case_end_of_input), ("4", "4. reading while a handler waits", case_reading_on),
                     ("6", "6. bin method names, failed notifications", case_bin_method),
                     ("garbage", "bytes that are not MessagePack", case_garbage))
    for T in (Stdio, Tcp):
        for key, title, fn in per_transport:
            if key in only:
                c.section("%s [%s]" % (title, T.name), fn, c, duet, T)
    if "2" in only:
        c.section("2. the next connection after a refused one", case_huge_header_next_connection, c, duet)
    if "5" in only:
        c.section("5. many clients", case_many_clients, c, duet)
    if "7" in only:
        c.section("7. a client that reads nothing stalls no one", case_unread, c, duet)
    if "8" in only:
        c.section("8. a client that reads nothing is dropped", case_unread_dropped, c, duet)
    if "10" in only:
        c.section("10. SIGTERM sends the responses already made", case_stop_sends, c, duet)
        c.section("10. a second SIGTERM drops them", case_stop_twice, c, duet)
    if "11" in only:
        c.section("11. --once: a dropped client is a failure", case_once_dropped, c, duet)
        c.section("11. --once: an idle client is closed, and the server exits", case_once_idle, c, duet)
    if "12" in only:
        c.section("12. SIGTERM ends a sleep_ms at once", case_stop_waiting, c, duet, "sleep_ms", [20000])
        c.section("12. SIGTERM ends a call_back's wait at once", case_stop_waiting, c, duet, "call_back", ["never"])
    if "13" in only:
        c.section("13. the 129th client waits, and the server says so", case_connection_limit, c, duet)
    if "9" in only and plugin:
        c.section("9. one handler sends more than a client's output buffer holds", case_unread_flood, c, duet, plugin)
    return c.summary()


if __name__ == "__main__":
    sys.exit(main())

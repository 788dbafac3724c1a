#!/usr/bin/python3
"""peer.py - an independent msgpack-RPC peer written with python3-msgpack, for duet's
interop tests. Framing is msgpack.Unpacker.feed(): bytes in, whole messages out, no
length prefix (the rpclib / msgpack-rpc wire format).

As a library: Peer(read_fd, write_fd) is a client and a server at once: call() sends a
request and, while it waits, answers the other side's requests (nested calls) with the
functions in peer.handlers.

As a program:  peer.py serve [--log FILE]
serves on stdin/stdout until end of input. Functions:
  sum(*n)          the sum of its arguments
  echo(*args)      its arguments, as a list
  fail(text)       fails with error "boom: " + text
  hang()           never answers
  ask_add(a, b)    calls add(a, b) on the caller (a nested call) and returns the result
  types()          a map of values of every MessagePack type
  bad_error()      answers with an error that is an array, not a string
  big(n)           a bin of n bytes (i % 251)
  note(*args)      (notification) appends the arguments to --log FILE as a JSON line
"""
import json
import os
import select
import sys
import time

try:
    import msgpack
except ImportError:
    sys.stderr.write("peer.py: needs python3-msgpack (apt-get install python3-msgpack), "
                     "run by /usr/bin/python3\n")
    sys.exit(1)

REQUEST, RESPONSE, NOTIFY = 0, 1, 2
NO_REPLY = object()  # a handler's return value for "never answer"


def pack(value):
    """MessagePack of value; a str that came from invalid UTF-8 goes back as the same bytes."""
    return msgpack.packb(value, use_bin_type=True, unicode_errors="surrogateescape")


class NegativeExt(tuple):
    """An ext value of a negative type other than -1 (msgpack.ExtType only takes 0..127)."""
    def __new__(cls, code, data):
        return tuple.__new__(cls, (code, data))


def _ext_hook(code, data):
    return msgpack.ExtType(code, data) if code >= 0 else NegativeExt(code, data)


class RemoteError(Exception):
    def __init__(self, error):
        Exception.__init__(self, error)
        self.error = error


class Peer:
    def __init__(self, read_fd, write_fd, name="peer"):
        self.rfd = read_fd
        self.wfd = write_fd
        self.name = name
        self.unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=64 << 20,
                                         ext_hook=_ext_hook, unicode_errors="surrogateescape")
        self.stream = bytearray()  # every byte received, to slice out each message's raw bytes
        self.msg_start = 0         # where the next message starts in stream
        self.next_id = 1
        self.responses = {}        # msgid -> (error, result, raw bytes)
        self.handlers = {}
        self.notifications = []    # (method, params) received
        self.unexpected = []       # responses to no request of ours, and malformed messages
        self.order = []            # msgids of responses in arrival order
        self.eof = False
        os.set_blocking(self.wfd, False)

    # ------------------------------------------------------------ bytes

    def _feed(self, data):
        self.stream += data
        self.unpacker.feed(data)

    def _read_some(self, timeout):
        """Reads what is there (waiting up to timeout s). False on timeout."""
        if self.eof:
            raise EOFError("the other side closed the stream")
        r, _, _ = select.select([self.rfd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.rfd, 1 << 20)
        except OSError:  # EIO: a pty whose other end closed
            data = b""
        if not data:
            self.eof = True
            raise EOFError("the other side closed the stream")
        self._feed(data)
        return True

    def send_bytes(self, data):
        """Writes all of data, reading (and buffering) meanwhile so that neither side
        blocks on a full pipe."""
        view = memoryview(bytes(data))
        while view:
            r, w, _ = select.select([] if self.eof else [self.rfd], [self.wfd], [], 30)
            if not r and not w:
                raise TimeoutError("write stalled for 30 s")
            if r:
                try:
                    self._read_some(0)
                except EOFError:
                    pass
            if w:
                try:
                    n = os.write(self.wfd, view[:1 << 16])
                except BlockingIOError:
                    n = 0
                view = view[n:]

    def send(self, msg):
        self.send_bytes(pack(msg))

    # ------------------------------------------------------------ messages

    def next_message(self, timeout):
        """The next message received: (message, raw bytes). TimeoutError, EOFError."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                msg = next(self.unpacker)
                # (tell() moves inside a message that is not whole yet: keep our own start)
                start, self.msg_start = self.msg_start, self.unpacker.tell()
                return msg, bytes(self.stream[start:self.msg_start])
            except StopIteration:
                pass
            left = deadline - time.monotonic()
            if left <= 0 or not self._read_some(left):
                raise TimeoutError("no message within %.1f s" % timeout)

    def dispatch(self, msg, raw):
        if not isinstance(msg, (list, tuple)) or not msg:
            self.unexpected.append(msg)
            return
        if msg[0] == RESPONSE and len(msg) == 4:
            _, msgid, error, result = msg
            self.order.append(msgid)
            self.responses[msgid] = (error, result, raw)
        elif msg[0] == REQUEST and len(msg) == 4:
            _, msgid, method, params = msg
            self.serve_request(msgid, method, params)
        elif msg[0] == NOTIFY and len(msg) == 3:
            _, method, params = msg
            self.notifications.append((method, params))
            h = self.handlers.get(method)
            if h:
                try:
                    h(self, *params)
                except Exception:
                    pass
        else:
            self.unexpected.append(msg)

    def serve_request(self, msgid, method, params):
        h = self.handlers.get(method)
        if h is None:
            self.send([RESPONSE, msgid, "peer.py: no method '%s'" % method, None])
            return
        try:
            result = h(self, *params)
        except RemoteError as e:
            self.send([RESPONSE, msgid, e.error, None])
            return
        except Exception as e:
            self.send([RESPONSE, msgid, "%s: %s" % (method, e), None])
            return
        if result is not NO_REPLY:
            self.send([RESPONSE, msgid, None, result])

    def pump(self, timeout):
        """Handles one incoming message (waiting up to timeout)."""
        msg, raw = self.next_message(timeout)
        self.dispatch(msg, raw)

    # ------------------------------------------------------------ calling

    def request(self, method, *params, msgid=None):
        if msgid is None:
            msgid = self.next_id
            self.next_id += 1
        self.send([REQUEST, msgid, method, list(params)])
        return msgid

    def notify(self, method, *params):
        self.send([NOTIFY, method, list(params)])

    def wait(self, msgid, timeout=10.0):
        """(error, result, raw) of the response to msgid, serving requests meanwhile."""
        deadline = time.monotonic() + timeout
        while msgid not in self.responses:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no response to #%s" % msgid)
            self.pump(left)
        return self.responses.pop(msgid)

    def call(self, method, *params, timeout=10.0):
        error, result, _ = self.wait(self.request(method, *params), timeout)
        if error is not None:
            raise RemoteError(error)
        return result

    def serve_forever(self):
        while True:
            try:
                self.pump(3600)
            except TimeoutError:
                continue
            except EOFError:
                return


# ------------------------------------------------------------ the server program

def serve_main(argv):
    log = None
    if "--log" in argv:
        log = argv[argv.index("--log") + 1]
    # stdout is the stream: keep a private copy, and send print() to stderr.
    out_fd = os.dup(1)
    os.dup2(2, 1)
    p = Peer(0, out_fd, "peer.py serve")

    def note(peer, *args):
        if log:
            with open(log, "a") as f:
                f.write(json.dumps(list(args)) + "\n")

    def fail(peer, text="failed"):
        raise RemoteError("boom: " + text)

    def bad_error(peer):
        raise RemoteError([1, "not a string"])

    p.handlers = {
        "sum": lambda peer, *n: sum(n),
        "echo": lambda peer, *a: list(a),
        "fail": fail,
        "hang": lambda peer, *a: NO_REPLY,
        "ask_add": lambda peer, a, b: peer.call("add", a, b),
        "types": lambda peer: {
            "nil": None, "t": True, "f": False, "neg": -5, "big": 2**64 - 1, "min": -2**63,
            "float": 1.5, "str": "héllo", "bin": b"\x00\x01\xff",
            "ext": msgpack.ExtType(3, b"xyz"), "list": [[], {}], 7: "int key"},
        "bad_error": bad_error,
        "big": lambda peer, n: bytes(i % 251 for i in range(n)),
        "note": note,
    }
    p.serve_forever()
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "serve":
        sys.exit(serve_main(sys.argv[2:]))
    sys.stderr.write(__doc__)
    sys.exit(2)

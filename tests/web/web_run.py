"""web_run.py - one `duet-board run --web 0` for the web tests and benchmark: starts it,
finds the page's address in its stderr line, drains its output, and talks to its API."""
import http.client
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request


def wait_for(condition, timeout=20.0, what="the condition"):
    """Polls condition() until it returns something true; returns it, or fails after timeout."""
    end = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        time.sleep(0.05)


class Board:
    """duet-board run --web WEB (0: 127.0.0.1, a free port) with the given images and options (a
    context manager)."""

    def __init__(self, tool, m7, m4=None, args=(), seconds=120, web="0"):
        self.tmp = tempfile.TemporaryDirectory(prefix="duet-web.")
        env = dict(os.environ, DUET_BOARD_HOME=os.path.join(self.tmp.name, "home"), TMPDIR=self.tmp.name)
        cmd = [tool, "run", "--web", web, "--seconds", str(seconds), "--m7", m7]
        if m4:
            cmd += ["--m4", m4]
        cmd += list(args)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.stdout, self.stderr = bytearray(), bytearray()
        self.readers = [threading.Thread(target=self._drain, args=(self.proc.stdout, self.stdout), daemon=True),
                        threading.Thread(target=self._drain, args=(self.proc.stderr, self.stderr), daemon=True)]
        for t in self.readers:
            t.start()
        m = wait_for(lambda: re.search(rb"board at (http://([\d.]+|\[[\da-f:]+\]):(\d+)/)\n", self.stderr)
                     or self.proc.poll() is not None,
                     30, "the 'board at' line")
        if m is True:
            raise AssertionError(f"duet-board ended before serving: {self.stderr.decode(errors='replace')}")
        self.url = m.group(1).decode()
        self.host, self.port = m.group(2).decode(), int(m.group(3))

    @staticmethod
    def _drain(pipe, into):
        while True:
            chunk = pipe.read1(65536)
            if not chunk:
                return
            into += chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for t in self.readers:
            t.join(5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.tmp.cleanup()
        return self.proc.returncode

    def request(self, method, path, body=None, headers=None):
        """(status, parsed JSON or text) of one request."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(self.url.rstrip("/") + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                status, raw, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, raw, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        return status, (json.loads(raw) if ctype.startswith("application/json") else raw.decode())

    def state(self):
        status, s = self.request("GET", "/api/state")
        assert status == 200, (status, s)
        return s

    def serial_text(self):
        return self.state()["serial"]["text"]

    def type_line(self, text):
        status, answer = self.request("POST", "/api/serial", {"text": text + "\n"})
        assert status == 200, answer

    def loops(self):
        """(loops, ms) the test program has run, asked through its Serial."""
        before = self.serial_text().count("loops: ")
        self.type_line("loops")
        text = wait_for(lambda: (lambda t: t.count("loops: ") > before and t.rstrip().endswith("ms") and t)(self.serial_text()),
                        20, "the M7's answer to 'loops'")
        m = re.findall(r"loops: (\d+) at (\d+) ms", text)[-1]
        return int(m[0]), int(m[1])

    def events(self, headers=None):
        """An open /api/events stream (http.client response)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=20)
        conn.request("GET", "/api/events", headers=headers or {})
        return conn, conn.getresponse()


def read_event(resp):
    """The next (name, data) of an event stream, skipping comments and retry lines."""
    name, data = None, None
    while True:
        line = resp.readline()  # the stream is chunked: an event may straddle two chunks
        if not line:
            return None
        line = line.rstrip(b"\r\n").decode()
        if line == "":
            if name is not None:
                return name, json.loads(data)
            continue
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data = line[6:]

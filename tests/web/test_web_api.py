"""duet-board run --web over plain HTTP: the state, the event stream, the POSTs, bad input and
foreign pages refused while the board runs on, and a page that never reads its events.
usage: test_web_api.py DUET_BOARD WEB_BOARD_M7"""
import http.client
import json
import os
import re
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from web_run import Board, read_event, wait_for  # noqa: E402

TOOL, M7 = sys.argv[1], sys.argv[2]
WEB_MD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "web.md")


def documented_status(method, path):
    """The status docs/web.md's tables give `METHOD PATH`, or None."""
    with open(WEB_MD) as f:
        rows = re.findall(r"^\| (.+?) \| (\d{3})\b", f.read(), re.M)
    found = [int(status) for request, status in rows if f"`{method} {path}`" in request]
    return found[0] if len(found) == 1 else None


class WebApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.board = Board(TOOL, M7, args=["--quiet"])
        wait_for(lambda: "ready" in cls.board.serial_text(), 20, "the program's 'ready'")

    @classmethod
    def tearDownClass(cls):
        cls.board.stop()

    def assertRunsOn(self):
        """The board still runs: its M7 answers on its Serial."""
        s = self.board.state()
        self.assertEqual(s["cores"]["m7"]["state"], "running")
        n, _ = self.board.loops()
        self.assertGreater(n, 0)

    def test_address_and_state(self):
        self.assertEqual(self.board.host, "127.0.0.1")  # the default host
        self.assertNotEqual(self.board.port, 0)         # --web 0 took a free port and says which
        s = self.board.state()
        self.assertEqual(s["cores"]["m7"], {"state": "running", "why": ""})
        self.assertEqual(s["cores"]["m4"]["state"], "off")
        d2 = wait_for(lambda: self.board.state()["pins"].get("D2", {}).get("changes", 0) > 50 and
                      self.board.state()["pins"]["D2"], 20, "D2 toggling")
        self.assertEqual(d2["mode"], "OUTPUT")
        self.assertIn(d2["level"], (0, 1))
        self.assertEqual(sorted(s["analog"]), [f"A{i}" for i in range(8)])

    def test_page_is_built_in(self):
        status, html = self.board.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn('data-part="serial"', html)
        for path in ("/page.js", "/page.css", "/board.svg"):
            self.assertEqual(self.board.request("GET", path)[0], 200, path)
        # Nothing is served from the disk by path.
        for path in ("/../CMakeLists.txt", "/etc/passwd", "/web.c", "/index.html/.."):
            status, answer = self.board.request("GET", path)
            self.assertEqual(status, 404, path)
            self.assertIn("there is no", answer["error"])

    def test_analog_input(self):
        status, answer = self.board.request("POST", "/api/analog", {"pin": "A3", "value": 777})
        self.assertEqual((status, answer), (200, {"pin": "A3", "value": 777}))
        self.assertEqual(documented_status("POST", "/api/analog"), status)
        self.assertEqual(self.board.state()["analog"]["A3"], 777)

    def test_analog_value_is_a_json_number_with_a_whole_value(self):
        # JSON has one kind of number: 5e2 and 512.0 (Python's json.dumps of a float) are whole
        # numbers, and were refused as "value 500.0 is not an analog reading: give a whole number"
        for body, value in ((b'{"pin": "A4", "value": 5e2}', 500), (b'{"pin": "A4", "value": 512.0}', 512),
                            (b'{"pin": "A4", "value": 1.023E+3}', 1023), (b'{"pin": "A4", "value": -0.0}', 0)):
            with self.subTest(body=body):
                status, answer = self.board.request("POST", "/api/analog", body)
                self.assertEqual((status, answer), (200, {"pin": "A4", "value": value}))
                self.assertEqual(self.board.state()["analog"]["A4"], value)
        for body, shown in ((b'{"pin": "A4", "value": 511.5}', "511.5"), (b'{"pin": "A4", "value": 2e3}', "2000"),
                            (b'{"pin": "A4", "value": 1e-2}', "0.01"), (b'{"pin": "A4", "value": -1E0}', "-1")):
            with self.subTest(body=body):
                status, answer = self.board.request("POST", "/api/analog", body)
                self.assertEqual(status, 400, answer)
                self.assertEqual(answer["error"], f"value {shown} is not an analog reading: give a whole number "
                                                  "from 0 to 1023, e.g. {\"pin\":\"A0\",\"value\":512}")

    def test_serial_reaches_the_m7(self):
        self.board.type_line("hello board")
        wait_for(lambda: "M7 got: hello board" in self.board.serial_text(), 20, "the M7's answer")

    def test_serial_text_may_hold_a_nul_byte(self):
        # Serial carries any byte, and JSON writes NUL as \u0000: it was refused with
        # jansson's "\u0000 is not allowed without JSON_ALLOW_NUL"; a pin's name with one is not A0
        status, answer = self.board.request("POST", "/api/serial", b'{"text": "nul\\u0000byte\\n"}')
        self.assertEqual((status, answer), (200, {"typed": 9}))
        wait_for(lambda: "M7 got: nul" in self.board.serial_text(), 20, "the M7's answer")  # it prints up to the NUL
        status, answer = self.board.request("POST", "/api/analog", b'{"pin": "A0\\u0000x", "value": 5}')
        self.assertEqual(status, 400, answer)
        self.assertIn("unknown pin", answer["error"])

    def test_bad_input_is_refused_and_the_board_runs_on(self):
        before = self.board.state()["analog"]
        cases = [
            ("POST", "/api/analog", {"pin": "A9", "value": 5}, 400, "unknown pin \"A9\""),
            ("POST", "/api/analog", {"pin": "D3", "value": 5}, 400, "unknown pin"),
            ("POST", "/api/analog", {"value": 5}, 400, "unknown pin (none given)"),
            ("POST", "/api/analog", {"pin": "A1", "value": 1024}, 400, "from 0 to 1023"),
            ("POST", "/api/analog", {"pin": "A1", "value": -1}, 400, "from 0 to 1023"),
            ("POST", "/api/analog", {"pin": "A1", "value": 1.5}, 400, "whole number"),
            ("POST", "/api/analog", {"pin": "A1", "value": "9"}, 400, "whole number"),
            ("POST", "/api/analog", b"not json", 400, "not a JSON object"),
            ("POST", "/api/analog", b"[1, 2]", 400, "not a JSON object"),
            ("POST", "/api/analog", b"", 400, "not a JSON object"),
            ("POST", "/api/serial", {"txt": "x"}, 400, "give the text"),
            ("POST", "/api/serial", b'{"text": "' + b"x" * 70000 + b'"}', 413, "over 64 KiB"),
            ("POST", "/api/reset", b"{oops", 400, "not a JSON object"),
            ("GET", "/api/analog", None, 405, "takes POST"),
            ("DELETE", "/api/state", None, 405, "takes GET"),
            ("PUT", "/", b"x", 405, "takes GET"),
            ("POST", "/api/nothing", {}, 404, "there is no /api/nothing"),
            ("GET", "/nothing.html", None, 404, "there is no /nothing.html"),
        ]
        for method, path, body, status, words in cases:
            with self.subTest(method=method, path=path, body=str(body)[:40]):
                got, answer = self.board.request(method, path, body)
                self.assertEqual(got, status, answer)
                self.assertIn(words, answer["error"])
                self.assertTrue(answer["error"][0].islower() or answer["error"][0] in "/\"")
        self.assertEqual(self.board.state()["analog"], before)  # nothing changed the board
        self.assertRunsOn()

    def test_other_sites_may_not_drive_the_board(self):
        evil = {"Origin": "http://evil.example"}
        status, answer = self.board.request("POST", "/api/analog", {"pin": "A5", "value": 100}, evil)
        self.assertEqual(status, 403)
        self.assertIn("may not drive this board", answer["error"])
        self.assertEqual(self.board.request("POST", "/api/reset", {}, evil)[0], 403)
        self.assertEqual(self.board.request("POST", "/api/serial", {"text": "x\n"}, evil)[0], 403)
        conn, resp = self.board.events(evil)
        self.assertEqual(resp.status, 403)
        conn.close()
        # Another name for this address (DNS rebinding) is another site too.
        status, answer = self.board.request("GET", "/api/state", None, {"Host": f"evil.example:{self.board.port}"})
        self.assertEqual(status, 403)
        self.assertIn("not this board's address", answer["error"])
        # The board's own page may.
        own = {"Origin": f"http://127.0.0.1:{self.board.port}"}
        self.assertEqual(self.board.request("POST", "/api/analog", {"pin": "A5", "value": 101}, own)[0], 200)
        self.assertEqual(self.board.state()["analog"]["A5"], 101)
        self.assertRunsOn()

    def test_a_board_on_every_address_still_keeps_other_names_out(self):
        """With --web 0.0.0.0:PORT any Host was taken: a site that points its own name at the
        machine (DNS rebinding) read the board and drove it, its Origin matching its Host. Its
        addresses, localhost and the machine's name are taken; another name gets 403."""
        board = Board(TOOL, M7, args=["--quiet"], web="0.0.0.0:0")
        try:
            p = board.port
            hostname = socket.gethostname()
            for host, status in ((f"evil.example:{p}", 403), (f"127.0.0.1.evil.example:{p}", 403),
                                 (f"127.0.0.1:{p}", 200), (f"localhost:{p}", 200), (f"[::1]:{p}", 200),
                                 (f"192.168.1.20:{p}", 200), (f"{hostname}:{p}", 200), (f"{hostname}.local:{p}", 200)):
                got, answer = board.request("GET", "/api/state", headers={"Host": host})
                self.assertEqual(got, status, (host, answer))
                got, answer = board.request("POST", "/api/analog", {"pin": "A1", "value": 9},
                                            headers={"Host": host, "Origin": f"http://{host}"})
                self.assertEqual(got, status, (host, answer))
            _, answer = board.request("GET", "/api/state", headers={"Host": f"evil.example:{p}"})
            self.assertIn("is not this board's address", answer["error"])
        finally:
            board.stop()

    def test_a_board_on_every_ipv6_address_takes_a_link_local_host_with_its_zone(self):
        """With --web [::]:PORT a browser that opens the page at a link-local address names the
        interface in the URL, and sends it in Host percent-encoded: [fe80::1%25eth0]:PORT. That
        was refused (403) as not this board's address. A zone is taken on a link-local address
        that is otherwise taken; a zone that is empty, not percent-encoded, holds other bytes, or
        sits on another address (global, or a name) is still refused."""
        board = Board(TOOL, M7, args=["--quiet"], web="[::]:0")
        try:
            p = board.port
            for host, status in ((f"[fe80::1%25eth0]:{p}", 200), (f"[FE80::abcd:1%25enp0s31f6]:{p}", 200),
                                 (f"[fe80::1%2511]:{p}", 200), (f"[fe80::1]:{p}", 200),
                                 (f"[fe80::1%25]:{p}", 403), (f"[fe80::1%eth0]:{p}", 403),
                                 (f"[fe80::1%25eth0/x]:{p}", 403), (f"[fe80::1%25eth%200]:{p}", 403),
                                 (f"[fe80::1%25eth0%25eth1]:{p}", 403), (f"[2001:db8::1%25eth0]:{p}", 403),
                                 (f"[evil.example%25eth0]:{p}", 403), (f"[fe80::1%25eth0]:{p + 1}", 403)):
                with socket.create_connection(("::1", p), timeout=20) as s:
                    s.sendall(f"GET /api/state HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
                    answer = b""
                    while chunk := s.recv(65536):
                        answer += chunk
                got = int(answer.split(b" ", 2)[1])
                self.assertEqual(got, status, (host, answer[:300]))
                if status == 403:
                    self.assertIn(b"is not this board's address", answer)
        finally:
            board.stop()

    def test_events_start_with_the_state_then_bring_changes(self):
        conn, resp = self.board.events()
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "text/event-stream")
        name, state = read_event(resp)
        self.assertEqual(name, "state")
        self.assertEqual(state["cores"]["m7"]["state"], "running")
        t0 = time.monotonic()
        self.board.request("POST", "/api/analog", {"pin": "A6", "value": 321})
        while True:
            name, update = read_event(resp)
            self.assertEqual(name, "update")
            if update.get("analog", {}).get("A6") == 321:
                break
        self.assertLess(time.monotonic() - t0, 5)
        conn.close()

    def test_a_page_opened_while_serial_flows_gets_each_line_once(self):
        # Lines come on the Serial every few ms while pages open: a page's state, then its
        # updates, hold each line once (a state made between two frames held the bytes the
        # next frame brought again: 14 pages of 40 had a line twice).
        stop = threading.Event()
        def typer():
            i = 0
            while not stop.is_set():
                self.board.type_line(f"once {i}")
                i += 1
                time.sleep(0.002)
        thread = threading.Thread(target=typer)
        thread.start()
        try:
            time.sleep(0.2)
            for _ in range(20):
                conn, resp = self.board.events()
                name, state = read_event(resp)
                self.assertEqual(name, "state")
                text, t0 = state["serial"]["text"], time.monotonic()
                while time.monotonic() - t0 < 0.1:
                    serial = read_event(resp)[1].get("serial")
                    if serial:
                        text = serial["text"] if serial["reset"] else text + serial["text"]
                conn.close()
                seen = [int(n) for n in re.findall(r"M7 got: once (\d+)\r\n", text)]
                self.assertEqual(seen, list(range(seen[0], seen[0] + len(seen))) if seen else [], text)
        finally:
            stop.set()
            thread.join()

    def test_a_serial_burst_reaches_the_page_whole(self):
        """The M7 prints 200 lines of 115 bytes (23 KiB) in one loop: more than 4 KiB between two
        frames. Each update held only the Serial Monitor's last 4 KiB then (reset: true), so a
        page lost the rest of the burst without a word. Now every line comes, in order, and
        each piece of text says where it starts and ends in the Serial output (from, end), so
        that a gap, if the server ever had to make one, shows."""
        conn, resp = self.board.events()
        name, state = read_event(resp)
        self.assertEqual(name, "state")
        pieces = []
        self.board.type_line("flood 200")
        t0 = time.monotonic()
        while "flood    199" not in "".join(p["text"] for p in pieces[-2:]):
            self.assertLess(time.monotonic() - t0, 30, pieces[-1:])
            serial = read_event(resp)[1].get("serial")
            if serial:
                pieces.append(serial)
        conn.close()
        text = "".join(p["text"] for p in pieces)
        seen = [int(n) for n in re.findall(r"flood +(\d+) y{95}\r\n", text)]
        self.assertEqual(seen, list(range(200)))
        self.assertEqual([p["reset"] for p in pieces], [False] * len(pieces), "an update replaced the page's text")
        end = state["serial"]["end"]
        for p in pieces:
            self.assertEqual(p["from"], end, "a gap in the Serial text")
            end = p["end"]
        # Every piece says which run of duet-board it comes from; another run says another.
        self.assertEqual({p["run"] for p in pieces}, {state["serial"]["run"]})
        other = Board(TOOL, M7, args=["--quiet"])
        try:
            self.assertNotEqual(other.state()["serial"]["run"], state["serial"]["run"])
        finally:
            other.stop()

    def test_a_serial_flood_comes_whole_or_says_where_bytes_were_dropped(self):
        """575 KB printed as fast as the M7 can (here within one frame, 25 ms): it comes in
        updates of 64 KiB, every line in order, except where a piece of text starts past the
        last one's end (over 1 MiB waited, or this reader was too slow and got the state):
        the gap is in the stream, and nothing is missing anywhere else. (A reader that keeps
        up, as here on an idle machine, gets all 5000 lines.)"""
        conn, resp = self.board.events()
        name, state = read_event(resp)
        self.assertEqual(name, "state")
        end, text, gaps = state["serial"]["end"], "", 0
        self.board.type_line("flood 5000")
        t0 = time.monotonic()
        while "flood   4999" not in text[-300:]:
            self.assertLess(time.monotonic() - t0, 60, text[-300:])
            name, event = read_event(resp)
            serial = event.get("serial")
            if not serial:
                continue
            if serial["from"] > end:  # a gap, said
                text, gaps = text + "\n<gap>\n", gaps + 1
                text += serial["text"]
            else:  # contiguous, or a state that repeats bytes the reader has (ASCII here)
                self.assertTrue(serial["from"] == end or name == "state", (name, serial["from"], end))
                text += serial["text"][end - serial["from"]:]
            end = serial["end"]
        conn.close()
        for part in text.split("\n<gap>\n"):
            seen = [int(n) for n in re.findall(r"flood +(\d+) y{95}\r\n", part)]
            self.assertEqual(seen, list(range(seen[0], seen[0] + len(seen))) if seen else [], "a silent cut")
        seen = [int(n) for n in re.findall(r"flood +(\d+) y{95}\r\n", text)]
        self.assertEqual(seen, sorted(set(seen)))
        if not gaps:
            self.assertEqual(seen, list(range(5000)))

    def test_reset_starts_the_cores_again(self):
        _, ms_before = self.board.loops()
        conn, resp = self.board.events()
        self.assertEqual(read_event(resp)[0], "state")
        status, answer = self.board.request("POST", "/api/reset")
        t0 = time.monotonic()
        # 202: the reset is done after the answer, in the board's loop (docs/web.md did not say)
        self.assertEqual(documented_status("POST", "/api/reset"), status)
        self.assertEqual((status, answer), (202, {"reset": True}))
        # The event stream brings each state the M7 passes through, in order, however short:
        # off (held in reset), booting (released, its program not started yet), running.
        states = []
        def back_running():
            return "off" in states and "running" in states[states.index("off"):]
        while not back_running():
            event = read_event(resp)
            self.assertIsNotNone(event, f"the stream ended: {states}")
            if "cores" in event[1]:
                states.append(event[1]["cores"]["m7"]["state"])
        conn.close()
        self.assertLess(time.monotonic() - t0, 20)
        # stopped (the reset stops it), off (held in reset), booting, running: in this order, none left out
        after = states[states.index("stopped"):]
        self.assertEqual(sorted(set(after), key=after.index), ["stopped", "off", "booting", "running"], states)
        self.assertEqual(self.board.state()["cores"]["m7"], {"state": "running", "why": ""})
        # The trace pane says the same, with the times.
        lines = self.board.state()["trace"]["lines"]
        steps = [re.sub(r"^\[ *[\d.]+ s\] +", "", line) for line in lines]
        reset = max(i for i, line in enumerate(steps) if line.startswith("board reset"))
        self.assertEqual([line for line in steps[:reset] if line.startswith("M7")][-1:],
                         ["M7    stopped: the board was powered off"], lines)
        self.assertEqual([line for line in steps[reset:] if line.startswith("M7")][:2],
                         ["M7    boots from 0x08040000", "M7    running (its program started)"], lines)
        n, ms = self.board.loops()
        # millis() restarted with the core: it counts from the reset, not from the first start.
        self.assertLessEqual(ms, (time.monotonic() - t0) * 1000 + 50, (ms_before, ms))
        self.assertRunsOn()

    def raw(self, data, port=None):
        """The bytes answered to data sent on one connection, until it closes or is quiet."""
        s = socket.create_connection((self.board.host, port or self.board.port), timeout=20)
        s.sendall(data)
        s.settimeout(1.5)
        got = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            pass
        s.close()
        return got

    def test_one_connection_many_requests(self):
        """Found by fuzz/web_request: every request is answered once, on a connection kept alive
        (GETs used to close it), HEAD /api/events sends nothing after its headers, a refusal
        that quotes bytes that are not UTF-8 is answered, and Host's port is the port."""
        port = self.board.port
        host = f"Host: 127.0.0.1:{port}\r\n".encode()
        got = self.raw(b"GET /api/state HTTP/1.1\r\n" + host + b"\r\n"
                       + b"HEAD /api/events HTTP/1.1\r\n" + host + b"\r\n"
                       + b"GET /%FF%C3 HTTP/1.1\r\n" + host + b"\r\n"
                       + f"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:{port}x\r\n\r\n".encode()
                       + f"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:{port + (1 << 32)}\r\n\r\n".encode()
                       + b"GET /page.css HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n")
        self.assertEqual(re.findall(rb"HTTP/1\.1 (\d{3}) ", got), [b"200", b"200", b"404", b"403", b"403", b"200"], got[:3000])
        head = got.index(b"text/event-stream")
        self.assertTrue(got[got.index(b"\r\n\r\n", head) + 4:].startswith(b"HTTP/1.1 404 "), got[head:head + 300])
        self.assertIn(b'"error":"there is no /?? here', got)
        self.assertRunsOn()

    def test_streams_opened_while_the_board_stops(self):
        """Found by fuzz/web_request: a second GET /api/events on one connection opens its stream
        while the board stops; duet-board used to abort in MHD_stop_daemon then."""
        board = Board(TOOL, M7, args=["--quiet"])
        try:
            s = socket.create_connection((board.host, board.port), timeout=20)
            get = f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{board.port}\r\n\r\n".encode()
            s.sendall(get + get)
            wait_for(lambda: board.request("GET", "/api/state")[1]["pages"]["open"] >= 1, 20, "the stream to open")
        finally:
            status = board.stop()
            s.close()
        self.assertGreaterEqual(status, 0, board.stderr.decode(errors="replace")[-2000:])
        self.assertNotIn(b"Fatal error", board.stderr)

    def test_pages_that_went_away_free_their_places_on_an_idle_board(self):
        """A stream waiting for news (suspended) was not watched for its page going away: on a
        board with nothing changing, a closed page kept its place until the next ping (10 s), so
        that a page reloaded 16 times in 10 s was refused (503), and the page, whose
        EventSource does not retry after a 503, stayed "board not reachable"."""
        board = Board(TOOL, M7, args=["--quiet"])
        try:
            wait_for(lambda: "ready" in board.serial_text(), 20, "the program's 'ready'")
            board.type_line("crash")  # the M7 stops: nothing changes on the board any more
            wait_for(lambda: board.state()["cores"]["m7"]["state"] == "stopped", 20, "the M7 to stop")
            get = f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{board.port}\r\n\r\n".encode()
            for round in range(3):
                pages = []
                for _ in range(16):
                    s = socket.create_connection((board.host, board.port), timeout=20)
                    s.sendall(get)
                    self.assertTrue(s.recv(65536).startswith(b"HTTP/1.1 200 "), f"round {round}")
                    pages.append(s)
                time.sleep(0.2)  # each stream has its state and waits for news
                for s in pages:
                    s.close()
                wait_for(lambda: board.state()["pages"]["open"] == 0, 3, f"the closed pages' places (round {round})")
        finally:
            board.stop()

    def test_half_sent_requests_do_not_hold_the_server(self):
        """64 clients that connect and send half a request's header (or its header and half its
        body) held all of the server's 64 connections (libmicrohttpd waits 60 s for the rest,
        and has no deadline for a whole request): no page, from this machine or another address, was served meanwhile. A page
        from another address and one from this machine are served at once now, the slow
        clients are cut off after the deadline for a request, and a page's event stream,
        which never ends, goes on throughout."""
        board = Board(TOOL, M7, args=["--quiet"], web="0.0.0.0:0")
        slow = []
        try:
            wait_for(lambda: "ready" in board.serial_text(), 20, "the program's 'ready'")
            conn, resp = board.events()
            self.assertEqual(read_event(resp)[0], "state")
            half = f"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:{board.port}\r\nX-Slow: ".encode()
            # and half a body: the header whole, the body not
            body = (f"POST /api/serial HTTP/1.1\r\nHost: 127.0.0.1:{board.port}\r\n"
                    "Content-Length: 100\r\n\r\n{\"text\": \"").encode()
            for i in range(64):
                s = socket.create_connection(("127.0.0.1", board.port), timeout=20)
                s.sendall(body if i % 2 else half)
                slow.append(s)
            time.sleep(0.5)  # the server has taken them in (it may have let some go already)

            def get_state(source):
                c = http.client.HTTPConnection("127.0.0.1", board.port, timeout=10, source_address=(source, 0))
                try:
                    c.request("GET", "/api/state")
                    r = c.getresponse()
                    return r.status, json.loads(r.read())
                finally:
                    c.close()
            for source in ("127.0.0.2", "127.0.0.1"):  # another address, then this machine's
                t0 = time.monotonic()
                status, state = get_state(source)
                self.assertEqual(status, 200)
                self.assertLess(time.monotonic() - t0, 5, source)
            self.assertEqual(state["pages"]["open"], 1)

            def cut_off(s):
                try:
                    s.settimeout(0.05)
                    return s.recv(1) == b""
                except socket.timeout:
                    return False
                except OSError:
                    return True
            wait_for(lambda: all(cut_off(s) for s in slow), 30, "the slow clients to be cut off")
            # The stream opened before them still brings what changes.
            board.request("POST", "/api/analog", {"pin": "A5", "value": 345})
            while read_event(resp)[1].get("analog", {}).get("A5") != 345:
                pass
            conn.close()
        finally:
            for s in slow:
                s.close()
            board.stop()

    def test_a_page_that_never_reads_does_not_slow_the_board(self):
        n0, ms0 = self.board.loops()
        time.sleep(1.0)
        n1, ms1 = self.board.loops()
        pace_alone = (n1 - n0) / max(1, ms1 - ms0)
        stuck = socket.socket()
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stuck.connect((self.board.host, self.board.port))
        stuck.sendall(f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{self.board.port}\r\n\r\n".encode())
        try:
            wait_for(lambda: self.board.state()["pages"]["open"] >= 1, 10, "the stuck page to open")
            # What the stuck page does not read piles up: the M7 floods its Serial.
            def flooded():
                s = self.board.state()
                if s["pages"]["resyncs"] > 0:
                    return s
                self.board.type_line("flood 5000")
                return None
            s = wait_for(flooded, 40, "the stuck page's queue to overflow")
            self.assertGreaterEqual(s["pages"]["open"], 1)
            # The loop's pace (loops per ms) with the stuck page is that without (within what
            # a loaded machine varies): in one of up to three seconds (the M7 may still be
            # printing the flood in the first, and a busy machine take a second from it; a
            # board held up by the page would reach it in none).
            paces = []
            while len(paces) < 3 and (not paces or paces[-1] <= 0.6 * pace_alone):
                n2, ms2 = self.board.loops()
                time.sleep(1.0)
                n3, ms3 = self.board.loops()
                paces.append((n3 - n2) / max(1, ms3 - ms2))
            self.assertGreater(max(paces), 0.6 * pace_alone, (pace_alone, paces))
        finally:
            stuck.close()


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)

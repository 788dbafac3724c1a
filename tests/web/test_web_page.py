"""duet-board run --web in a real browser (headless chromium through selenium): the servo's
dial follows A0's slider (keyboard, click, drag), core identify's LEDs change (after the
page's reset button) and each core goes off, booting, running, a crashed core shows why it
stopped until the reset starts it again, the RTC shows the date the M4 set and runs on, the
Serial Monitor's input line reaches the M7 and its answer shows, a second page sees the same
board, and a kHz pin is drawn at the screen's rate with its count.
usage: test_web_page.py DUET_BOARD WEB_BOARD_M7 CORE_IDENTIFY RPC_SERVO_M7 RPC_SERVO_M4 RTC_M7 RTC_M4"""
import os
import re
import socket
import sys
import time
import unittest

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import open_page, start_browser  # noqa: E402
from web_run import Board, wait_for  # noqa: E402

TOOL, WEB_BOARD, CORE_IDENTIFY, SERVO_M7, SERVO_M4, RTC_M7, RTC_M4 = sys.argv[1:8]


class WebPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = start_browser()

    @classmethod
    def tearDownClass(cls):
        cls.d.quit()

    def part(self, name):
        return self.d.find_element(By.CSS_SELECTOR, f'[data-part="{name}"]')

    def value(self, name):
        els = self.d.find_elements(By.CSS_SELECTOR, f'[data-part="{name}"]')
        return els[0].get_attribute("data-value") if els else None

    def wait_value(self, name, want, timeout=20):
        ok = want if callable(want) else (lambda v: v == want)
        return wait_for(lambda: (lambda v: v if v is not None and ok(v) else None)(self.value(name)), timeout,
                        f"{name} to show {want if not callable(want) else 'the value'} (it shows {self.value(name)})")

    def open(self, board):
        open_page(self.d, board.url, wait_for)
        self.wait_value("m7", "running")

    def test_servo_dial_follows_the_A0_slider(self):
        with Board(TOOL, SERVO_M7, SERVO_M4) as board:
            self.open(board)
            # Attached at 90, then the M4 asks for map(A0=0) = 0 each second (a page that opens
            # late on a busy host may first see 0).
            self.wait_value("servo", lambda v: v in ("90", "0"))
            slider = self.part("A0")
            self.assertEqual(slider.get_attribute("type"), "range")
            self.assertIn("A0", slider.get_attribute("aria-label"))
            slider.send_keys(Keys.END)  # the keyboard
            self.wait_value("A0", "1023")
            self.wait_value("servo", "180")
            slider.send_keys(Keys.HOME)
            self.wait_value("servo", "0")
            # A click on the slider's middle
            ActionChains(self.d).move_to_element(slider).click().perform()
            v = int(self.wait_value("A0", lambda v: 400 <= int(v) <= 620))
            self.wait_value("servo", str(v * 180 // 1023))
            # A drag to the left quarter
            width = slider.size["width"]
            ActionChains(self.d).click_and_hold(slider).move_by_offset(-width // 4, 0).release().perform()
            v = int(self.wait_value("A0", lambda v: 150 <= int(v) <= 380))
            self.wait_value("servo", str(v * 180 // 1023))
            self.assertEqual(board.state()["servo"]["angle"], v * 180 // 1023)
            label = self.part("servo").get_attribute("aria-label")
            self.assertEqual(label, f"servo on D5 at {v * 180 // 1023} degrees")

    def test_core_identify_leds_change(self):
        with Board(TOOL, CORE_IDENTIFY, CORE_IDENTIFY) as board:
            self.open(board)
            # The M4 boots once the M7's program has begun: its first boot (off, booting,
            # running) must be over before the record starts, or it passes for the reset's.
            self.wait_value("m4", "running")
            # Watch the LEDs, then press the page's reset button: both cores start again.
            # Every value a part takes is recorded (each change's old value, then the one it has
            # now), with the accessible names the cores' parts had: a state that lasts a few
            # milliseconds, such as booting, is in the record even if no screen would show it.
            self.d.execute_script("""
                window.seen = {LEDB: [], LEDG: [], m4: [], m7: []};
                window.labels = {m4: [], m7: []};
                window.parts = {};
                for (const name of Object.keys(window.seen)) {
                  const el = document.querySelector(`[data-part="${name}"]`);
                  window.parts[name] = el;
                  new MutationObserver((changes) => {
                    for (const c of changes) {
                      if (c.attributeName === 'data-value') window.seen[name].push(c.oldValue);
                      else window.labels[name].push(c.oldValue);
                    }
                  }).observe(el, {attributes: true, attributeOldValue: true,
                                  attributeFilter: name in window.labels ? ['data-value', 'aria-label'] : ['data-value']});
                }""")
            self.part("reset").click()
            seen = lambda: self.d.execute_script(  # noqa: E731
                "const s = {}; for (const n in window.seen) s[n] = [...window.seen[n], window.parts[n].dataset.value];"
                "return s")
            labels = lambda core: self.d.execute_script(  # noqa: E731
                f"return [...window.labels.{core}, window.parts.{core}.getAttribute('aria-label')]")
            # What each part did after the reset (the values before it are in the lists too).
            since_reset = lambda part: (lambda s: s[s.index("off"):] if "off" in s else [])(seen()[part])  # noqa: E731
            for core in ("m7", "m4"):
                wait_for(lambda: "running" in since_reset(core), 20, f"the {core} to start again: {seen()}")
            wait_for(lambda: {"on", "off"} <= set(seen()["LEDB"]), 20, f"the blue LED (M7) to blink: {seen()}")
            # Each core after the reset: off, booting (released, its program not started), running.
            for core in ("m7", "m4"):
                states = seen()[core]
                after = states[states.index("off"):]
                self.assertEqual(sorted(set(after), key=after.index), ["off", "booting", "running"], (core, states))
                said = labels(core)
                said = said[said.index(f"{core.upper()} core: off"):]
                self.assertEqual(sorted(set(said), key=said.index),
                                 [f"{core.upper()} core: {state}" for state in ("off", "booting", "running")], said)
            wait_for(lambda: {"on", "off"} <= set(seen()["LEDG"]), 20, f"the green LED (M4) to blink: {seen()}")
            self.assertIn(self.part("LEDG").get_attribute("aria-label"), ("green LED: on", "green LED: off"))

    def test_a_stopped_core_shows_why_and_the_reset_starts_it_again(self):
        with Board(TOOL, WEB_BOARD, args=["--quiet"]) as board:
            self.open(board)
            box = self.part("serial-input")
            box.send_keys("crash", Keys.ENTER)  # the M7's program ends with SIGSEGV
            self.wait_value("m7", "stopped")
            self.assertEqual(self.part("m7").get_attribute("aria-label"), "M7 core: stopped (SIGSEGV)")
            self.assertEqual(self.d.find_element(By.ID, "m7-state").text, "stopped")
            # Typed text has no reader now: the page says so, and what to do.
            box.send_keys("anyone there?", Keys.ENTER)
            wait_for(lambda: "press reset to start it again" in self.part("message").text, 20,
                     f"the page to say why the text was not taken (it says {self.part('message').text!r})")
            self.part("reset").click()
            self.wait_value("m7", "running")
            self.assertEqual(self.part("m7").get_attribute("aria-label"), "M7 core: running")
            box.send_keys("back again", Keys.ENTER)
            wait_for(lambda: "M7 got: back again" in self.part("serial").text, 20, "the M7's answer after the reset")

    def test_a_page_past_the_sixteenth_says_so_and_comes_in_when_one_leaves(self):
        """The 17th page's event stream is refused (503): its EventSource gives up for good on a
        status that is not 200, and the page said "board not reachable" (the board stopped, or is
        starting again) and stayed so, its place never taken when another page left. It says
        the board's sentence now, and tries again."""
        with Board(TOOL, WEB_BOARD, args=["--quiet"]) as board:
            get = f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{board.port}\r\n\r\n".encode()
            others = []
            try:
                for _ in range(16):
                    s = socket.create_connection((board.host, board.port), timeout=20)
                    s.sendall(get)
                    others.append(s)
                wait_for(lambda: board.state()["pages"]["open"] == 16, 20, "16 pages")
                self.d.get(board.url)
                wait_for(lambda: "event streams are open already" in self.part("message").text, 20,
                         f"the page to say why it has no events (it says {self.part('message').text!r})")
                self.assertEqual(self.value("connection"), "lost")
                others.pop().close()
                self.wait_value("connection", "live")
                self.wait_value("m7", "running")
                self.assertEqual(self.part("message").text, "")
            finally:
                for s in others:
                    s.close()

    def test_hidden_tabs_leave_the_browser_room_for_the_shown_one(self):
        """A browser keeps at most six connections to one address and each page's event stream
        held one: with six tabs of the board open, no page's POST (slider, input line, reset)
        left the browser, and a seventh tab did not load. A hidden page gives its stream up
        and takes the board again when shown. (Headless chromium shows every tab: the test
        hides them as a browser's window does when another tab is chosen.) The pages share one
        stream now (a SharedWorker's): a hidden page still reads no events, and shown again it
        has the board as it is."""
        hide = """Object.defineProperty(document, 'hidden', {value: arguments[0], configurable: true});
                  Object.defineProperty(document, 'visibilityState', {value: arguments[0] ? 'hidden' : 'visible', configurable: true});
                  document.dispatchEvent(new Event('visibilitychange'));"""
        post = """const c = new AbortController(); setTimeout(() => c.abort(), 5000);
                  return fetch('/api/analog', {method: 'POST', body: JSON.stringify({pin: 'A3', value: arguments[0]}), signal: c.signal})
                    .then((r) => r.status, (e) => 'no answer: ' + e.message);"""
        with Board(TOOL, WEB_BOARD, args=["--quiet"]) as board:
            first = self.d.current_window_handle
            try:
                for tab in range(6):
                    if tab:
                        self.d.execute_script(hide, True)
                        self.d.switch_to.new_window("tab")
                    self.open(board)
                wait_for(lambda: board.state()["pages"]["open"] == 1, 10, "the hidden pages to give their streams up")
                self.assertEqual(self.d.execute_script(post, 77), 200)
                self.assertEqual(board.state()["analog"]["A3"], 77)
                self.d.execute_script(hide, True)
                self.d.switch_to.window(first)
                self.d.execute_script(hide, False)  # the first tab shown again: the board as it is now
                self.wait_value("connection", "live")
                self.wait_value("A3", "77")
                self.assertEqual(self.d.execute_script(post, 78), 200)
            finally:
                for handle in self.d.window_handles:
                    if handle != first:
                        self.d.switch_to.window(handle)
                        self.d.close()
                self.d.switch_to.window(first)

    def test_seven_windows_of_one_browser_all_drive_and_see_the_board(self):
        """Seven windows of the board shown at once in one browser. Each page held an event
        stream of its own, and a browser opens at most six connections to one address: the
        seventh page did not load, and no page's POST (slider, input line, reset) left the
        browser. The pages of one browser share one stream now (a SharedWorker holds it), so
        every page's hands act and every page sees the board."""
        with Board(TOOL, WEB_BOARD, args=["--quiet"]) as board:
            first = self.d.current_window_handle
            try:
                self.open(board)
                for _ in range(6):
                    self.d.switch_to.new_window("window")
                    self.open(board)
                handles = self.d.window_handles
                self.assertEqual(len(handles), 7)
                for i, handle in enumerate(handles):
                    self.d.switch_to.window(handle)
                    self.assertFalse(self.d.execute_script("return document.hidden"))
                    self.part("serial-input").send_keys(f"window {i}", Keys.ENTER)
                    wait_for(lambda: f"M7 got: window {i}\r\n" in board.serial_text(), 20,
                             f"window {i}'s line to reach the M7 (the page says {self.part('message').text!r})")
                    self.part(f"A{i}").send_keys(Keys.END)
                    wait_for(lambda: board.state()["analog"][f"A{i}"] == 1023, 20, f"window {i}'s slider A{i}")
                self.assertEqual(board.state()["pages"]["open"], 1)  # one stream for the browser
                for i, handle in enumerate(handles):
                    self.d.switch_to.window(handle)
                    for j in range(7):
                        wait_for(lambda: f"M7 got: window {j}" in self.part("serial").text, 20,
                                 f"window {j}'s answer on window {i}")
                        self.wait_value(f"A{j}", "1023")
                    self.wait_value("connection", "live")
            finally:
                for handle in self.d.window_handles:
                    if handle != first:
                        self.d.switch_to.window(handle)
                        self.d.close()
                self.d.switch_to.window(first)

    def test_without_shared_workers_each_page_reads_a_stream_of_its_own(self):
        """A browser without SharedWorker: each page holds its stream, as before."""
        no_worker = {"source": "delete window.SharedWorker;"}
        with Board(TOOL, WEB_BOARD, args=["--quiet"]) as board:
            first = self.d.current_window_handle
            try:
                for _ in range(2):
                    self.d.switch_to.new_window("window")
                    self.d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", no_worker)
                    self.open(board)
                    self.assertEqual(self.d.execute_script("return typeof SharedWorker"), "undefined")
                wait_for(lambda: board.state()["pages"]["open"] == 2, 10, "a stream for each page")
                self.part("serial-input").send_keys("on my own", Keys.ENTER)
                wait_for(lambda: "M7 got: on my own" in self.part("serial").text, 20, "the M7's answer")
            finally:
                for handle in self.d.window_handles:
                    if handle != first:
                        self.d.switch_to.window(handle)
                        self.d.close()
                self.d.switch_to.window(first)

    def test_the_rtc_shows_the_date_and_time_the_m4_set(self):
        with Board(TOOL, RTC_M7, RTC_M4) as board:
            self.open(board)
            # The M4 sets the clock to 2024-10-01 11:58:00; the page's clock runs on from there.
            first = self.wait_value("rtc", lambda v: v.startswith("2024-10-01 11:58:"))
            # The value and the label read at once (the clock may tick between two reads).
            value, label = self.d.execute_script(
                'const e = document.querySelector(\'[data-part="rtc"]\');'
                "return [e.dataset.value, e.getAttribute('aria-label')]")
            self.assertEqual(label, f"RTC: {value}")
            later = self.wait_value("rtc", lambda v: v.startswith("2024-10-01 11:58:") and v > first, 10)
            self.assertEqual(self.part("rtc").text, later)

    def test_serial_monitor_talks_to_the_m7(self):
        with Board(TOOL, WEB_BOARD, args=["--quiet"]) as board:
            self.open(board)
            box = self.part("serial-input")
            box.send_keys("hello from the page", Keys.ENTER)
            wait_for(lambda: "M7 got: hello from the page" in self.part("serial").text, 20,
                     "the M7's answer in the Serial Monitor")
            self.assertEqual(box.get_attribute("value"), "")

    def test_a_serial_burst_shows_whole(self):
        """23 KiB printed at once (over 4 KiB between two updates) showed as its last 4 KiB."""
        with Board(TOOL, WEB_BOARD, args=["--quiet"]) as board:
            self.open(board)
            self.part("serial-input").send_keys("flood 200", Keys.ENTER)
            wait_for(lambda: "flood    199" in self.part("serial").get_attribute("textContent"), 20, "the burst's end")
            text = self.part("serial").get_attribute("textContent")
            self.assertEqual([int(n) for n in re.findall(r"flood +(\d+) y{95}\r\n", text)], list(range(200)))
            self.assertNotIn("dropped", text)
            # A window opened now in the same browser has what the first has (the shared
            # stream's copy), not only the server's last 4 KiB.
            first = self.d.current_window_handle
            self.d.switch_to.new_window("window")
            try:
                self.open(board)
                wait_for(lambda: "flood    199" in self.part("serial").get_attribute("textContent"), 20, "the burst")
                self.assertEqual(self.part("serial").get_attribute("textContent"), text)
            finally:
                self.d.close()
                self.d.switch_to.window(first)
            # Bytes the server could not keep (over 64 KiB in one update) are said where they were.
            joined = self.d.execute_script("""
                const a = joinSerial(null, {text: 'one\\n', reset: true, from: 0, end: 4});
                const b = joinSerial(a, {text: 'two\\n', reset: false, from: 4, end: 8});
                return joinSerial(b, {text: 'five\\n', reset: false, from: 70008, end: 70013}).text;""")
            self.assertEqual(joined, "one\ntwo\n\n[70000 bytes of the Serial output dropped here: the page did not keep up]\nfive\n")
            # A duet-board started again on the same port, whose Serial text is ahead of the
            # old one's: its text, not a gap in the old one's (that was said as one).
            joined = self.d.execute_script("""
                const a = joinSerial(null, {text: 'old\\n', reset: true, from: 0, end: 4, run: 1});
                const b = joinSerial(a, {text: 'new\\n', reset: true, from: 9000, end: 9004, run: 2});
                return joinSerial(b, {text: 'more\\n', reset: false, from: 9004, end: 9009, run: 2}).text;""")
            self.assertEqual(joined, "new\nmore\n")

    def test_second_page_sees_the_same_board_and_a_khz_pin_at_screen_rate(self):
        with Board(TOOL, WEB_BOARD, args=["--quiet"]) as board:
            board.request("POST", "/api/analog", {"pin": "A2", "value": 600})
            board.type_line("before the pages")
            wait_for(lambda: "M7 got: before the pages" in board.serial_text(), 20, "the M7's answer")
            self.open(board)
            first = self.d.current_window_handle
            # A window of its own: both pages shown (a tab behind another gives its stream up)
            self.d.switch_to.new_window("window")
            try:
                self.open(board)
                # The late page shows the board as it is, not a blank board.
                self.wait_value("A2", "600")
                self.assertIn("M7 got: before the pages", self.part("serial").text)
                self.wait_value("D13", lambda v: v in ("0", "1"))
                self.assertEqual(board.state()["pages"]["open"], 1)  # one browser: one stream for both
                # D2 toggles every millisecond: the page shows it at the screen's rate, with its count.
                counts = self.d.execute_script("""
                    const el = document.querySelector('[data-part="D2"]');
                    let redraws = 0;
                    new MutationObserver(() => redraws++).observe(el, {attributes: true, childList: true, subtree: true, characterData: true});
                    const before = Number(el.textContent.match(/(\\d+) changes/)[1]);
                    return new Promise((done) => setTimeout(() => done([redraws, before,
                      Number(el.textContent.match(/(\\d+) changes/)[1])]), 2000));""")
                redraws, before, after = counts
                self.assertGreater(after - before, 40, counts)       # it changes at the loop's pace
                self.assertLess(redraws, 2 * 2 * 60, counts)         # drawn at most at the screen's rate
                self.assertGreater(redraws, 0, counts)
                self.assertGreater(after - before, redraws, counts)  # not once a change
                # A change made from one page shows on the other.
                self.d.switch_to.window(first)
                self.part("serial-input").send_keys("from the first page", Keys.ENTER)
                self.d.switch_to.window(self.d.window_handles[-1])
                wait_for(lambda: "M7 got: from the first page" in self.part("serial").text, 20,
                         "the answer on the second page")
            finally:
                self.d.close()
                self.d.switch_to.window(first)

    def test_the_page_loads_with_nothing_in_the_console(self):
        self.d.get_log("browser")  # what earlier tests left
        with Board(TOOL, SERVO_M7, SERVO_M4) as board:
            self.open(board)
            self.wait_value("servo", lambda v: v != "none")
            time.sleep(1)
            # no error, no warning: the page asked for /favicon.ico, a 404 in every console
            self.assertEqual([e["message"] for e in self.d.get_log("browser")], [])

    def test_a_stopped_board_stops_the_pages_clocks(self):
        board = Board(TOOL, RTC_M7, RTC_M4)
        try:
            self.open(board)
            self.wait_value("rtc", lambda v: v.startswith("2024-10-01 11:58:"))
            board.stop()
            self.wait_value("connection", "lost")
            shown = (self.part("time").text, self.value("rtc"))
            time.sleep(2.2)
            # the board is gone: its time and its RTC stay where they were (they counted on)
            self.assertEqual((self.part("time").text, self.value("rtc")), shown)
        finally:
            board.stop()

    def test_every_part_has_an_accessible_name(self):
        with Board(TOOL, SERVO_M7, SERVO_M4) as board:
            self.open(board)
            self.wait_value("servo", lambda v: v != "none")
            names = self.d.execute_script("""
                return [...document.querySelectorAll('[data-part]')].map((el) =>
                  [el.dataset.part, el.getAttribute('aria-label') || (el.labels && el.labels.length ? el.labels[0].textContent : '')]);""")
            parts = {p for p, _ in names}
            for want in ("m7", "m4", "LEDR", "LEDG", "LEDB", "servo", "rtc", "serial", "serial-input", "trace",
                         "reset", *(f"A{i}" for i in range(8))):
                self.assertIn(want, parts)
            for p, label in names:
                if p != "message":
                    self.assertTrue(label, f"{p} has no accessible name")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)

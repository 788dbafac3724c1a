#!/usr/bin/env python3
"""make demo, as it runs: scripts/demo.sh on the build's duet-board and RPC servo example.
What a person sees: the Serial Monitor's lines, the servo following the sine on A0 in the
event log, the RPC trace, and the demo stopping by itself with status 0."""
import math
import os
import re
import subprocess
import sys
import tempfile
import unittest

SOURCE, BUILD = sys.argv.pop(1), sys.argv.pop(1)
LOG_LINE = re.compile(r"^\[ *(\d+\.\d+) s\] (\S+) +(.*)$")


def a0_at(t):
    """The demo's --analog A0=sine:0:1023:0.2Hz at t seconds after power-on."""
    return 1023 * (0.5 + 0.5 * math.sin(2 * math.pi * 0.2 * t))


def angle_of(raw):
    return int(raw * 180 / 1023)  # Arduino's map(raw, 0, 1023, 0, 180)


class Demo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with tempfile.TemporaryDirectory(prefix="duet-demo.") as tmp:
            p = subprocess.run(["sh", os.path.join(SOURCE, "scripts", "demo.sh"), BUILD], capture_output=True,
                               text=True, timeout=60, stdin=subprocess.DEVNULL, env=dict(os.environ, TMPDIR=tmp))
            cls.left = os.listdir(tmp)
        cls.status, cls.out, cls.err = p.returncode, p.stdout, p.stderr
        cls.log = [(float(m.group(1)), m.group(2), m.group(3)) for m in map(LOG_LINE.match, p.stderr.splitlines()) if m]

    def test_it_stops_by_itself_with_status_0_and_leaves_nothing_behind(self):
        self.assertEqual(self.status, 0, self.err)
        self.assertTrue(self.out.startswith("duet demo: the RPC servo example"), self.out)
        self.assertEqual(self.out.splitlines()[-1], "demo: the board ran for 5 seconds and stopped by itself (status 0)")
        self.assertEqual({c for _, c, text in self.log if text == "stopped: the board was powered off"}, {"M4", "M7"})
        self.assertEqual(self.left, [])

    def test_the_serial_monitor_shows_each_angle_the_servo_turned_to(self):
        angles = [int(a) for a in re.findall(r"^Servo angle is: (\d+)\r?$", self.out, re.M)]
        self.assertGreaterEqual(len(angles), 3, self.out)
        turned = [int(re.fullmatch(r"servo on D5 at (\d+) degrees", text).group(1))
                  for _, core, text in self.log if core == "M7" and text.startswith("servo on D5 at")]
        # the servo turns (and the log says so) when the angle differs from where it is: it
        # was attached at 90
        moves = [a for prev, a in zip([90] + angles, angles) if a != prev]
        self.assertEqual(moves, turned[:len(moves)])

    def test_the_servo_follows_the_sine_on_a0(self):
        turns = [(t, int(re.fullmatch(r"servo on D5 at (\d+) degrees", text).group(1)))
                 for t, core, text in self.log if core == "M7" and text.startswith("servo on D5 at")]
        self.assertGreaterEqual(len(turns), 3)
        self.assertGreater(max(a for _, a in turns) - min(a for _, a in turns), 40, "the sine moves the servo")
        for t, angle in turns:
            # the M4 read A0 a second (its delay) and a call before the servo turned
            window = [angle_of(a0_at(t - 1.3 + i / 100)) for i in range(0, 36)]
            self.assertTrue(min(window) - 1 <= angle <= max(window) + 1, (t, angle, min(window), max(window)))

    def test_the_trace_shows_each_call_and_the_stream(self):
        calls = [text for _, core, text in self.log if core == "trace" and " call #" in text]
        self.assertGreaterEqual(len(calls), 3, self.err)
        for i, text in enumerate(calls):
            self.assertRegex(text, rf"^M4->M7 call #{i} servoMove\((\d+)\) -> \1 in \d+ us$")
        self.assertTrue(any(re.fullmatch(r'M4->M7 stream "Servo angle is: \d+\\n"', text)
                            for _, core, text in self.log if core == "trace"))


if __name__ == "__main__":
    unittest.main(verbosity=2)

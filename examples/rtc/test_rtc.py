#!/usr/bin/env python3
"""RTC: the M4 sets the board's clock to 2024-10-01 11:58:00 and prints it every second
through the M7; the seconds advance."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from board_test import Run  # noqa: E402

TOOL, M7, M4 = sys.argv.pop(1), sys.argv.pop(1), sys.argv.pop(1)


class Rtc(unittest.TestCase):
    def test_the_clock_is_set_and_its_seconds_advance(self):
        run = Run(TOOL, M7, M4, seconds=4.5)
        self.assertEqual(run.status, 0, run.stderr)
        lines = run.serial_lines()
        self.assertIn("M7: Serial connection initiated", lines)
        self.assertIn("M4: Reading the RTC.", lines)
        clock = [line for line in lines if line.startswith("M4 System Clock: ")]
        self.assertGreaterEqual(len(clock), 4, run.serial)
        seconds = []
        for line in clock:
            m = re.fullmatch(r"M4 System Clock: 2024-10-01 11:58:(\d\d)", line)
            self.assertIsNotNone(m, line)
            seconds.append(int(m.group(1)))
        self.assertEqual(seconds[0], 0)
        for a, b in zip(seconds, seconds[1:]):
            self.assertIn(b - a, (1, 2), seconds)
        self.assertEqual(len(run.events(r"RTC set to 1727783880 \(seconds since 1970\)", core="M4")), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""Core identify on the board: the M7 blinks the blue LED ten times, then boots the M4,
which blinks the green LED ten times; nothing on the Serial Monitor."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from board_test import Run  # noqa: E402

TOOL, IMAGE = sys.argv.pop(1), sys.argv.pop(1)


class CoreIdentify(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.board = Run(TOOL, IMAGE, IMAGE, seconds=6, split="75_25")

    def blinks(self, led):
        """The LED's changes after it was first switched off: [(time_us, 0 on / 1 off)]."""
        changes = self.board.vcd.values(led)
        self.assertEqual(changes[0][1], 1, f"{led} starts off")
        return changes[1:]

    def check_blinking(self, led):
        changes = self.blinks(led)
        self.assertEqual([v for _, v in changes], [0, 1] * 10, f"{led}: on, off, ten times")
        gaps = [(b - a) / 1000 for (a, _), (b, _) in zip(changes, changes[1:])]
        for gap in gaps:
            self.assertTrue(95 <= gap <= 400, f"{led} changes {gap} ms apart, expected about 100 ms: {gaps}")
        return changes

    def test_runs_to_the_end(self):
        self.assertEqual(self.board.status, 0, self.board.stderr)
        self.assertEqual(self.board.serial, "")

    def test_m7_blinks_blue_then_boots_the_m4_which_blinks_green(self):
        blue = self.check_blinking("LEDB")
        green = self.check_blinking("LEDG")
        m4_boot = self.board.events(r"boots from 0x08180000", core="M4")
        self.assertEqual(len(m4_boot), 1, self.board.stderr)
        boot_us = m4_boot[0][0] * 1e6
        self.assertGreater(boot_us, blue[-1][0] - 1000, "the M4 boots after the M7's blinking")
        self.assertGreater(green[0][0], boot_us - 1000, "the green LED blinks after the M4 boots")
        # who drove them, as the event log says
        self.assertEqual(len(self.board.events(r"LEDB on", core="M7")), 10)
        self.assertEqual(len(self.board.events(r"LEDG on", core="M4")), 10)

    def test_both_cores_configure_both_leds_and_the_board_says_so(self):
        warnings = self.board.events(r"warning: both cores drive pin (LED[BG]).*")
        self.assertEqual(sorted(m.group(1) for _, m in warnings), ["LEDB", "LEDG"])


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""MicroPython RPC LED, M4 side: the M7 starts the M4 from 0x08180000 and calls led(True) /
led(False) every 500 ms; the green LED blinks."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from board_test import Run  # noqa: E402

TOOL, M7, M4 = sys.argv.pop(1), sys.argv.pop(1), sys.argv.pop(1)


class MicroPythonLed(unittest.TestCase):
    def test_the_green_led_blinks_at_the_m7s_call(self):
        run = Run(TOOL, M7, M4, seconds=3.2, split="75_25")
        self.assertEqual(run.status, 0, run.stderr)
        self.assertEqual(run.serial, "")
        self.assertEqual(len(run.events(r"boots from 0x08180000", core="M4")), 1)
        changes = run.vcd.values("LEDG")[1:]  # after pinMode left it off
        self.assertGreaterEqual(len(changes), 5)
        self.assertEqual([v for _, v in changes], [0, 1] * (len(changes) // 2) + [0] * (len(changes) % 2))
        gaps = [(b - a) / 1000 for (a, _), (b, _) in zip(changes, changes[1:])]
        for gap in gaps:
            self.assertTrue(450 <= gap <= 800, f"LEDG changes {gap} ms apart, expected about 500 ms: {gaps}")
        self.assertEqual(len(run.events(r"LEDG on", core="M4")), (len(changes) + 1) // 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""RPC servo: the M4 reads A0, maps it to 0..180 and calls servoMove(angle) on the M7 every
second; the servo on D5 follows the input, and the M4 reports each angle."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from board_test import Run  # noqa: E402

TOOL, M7, M4 = sys.argv.pop(1), sys.argv.pop(1), sys.argv.pop(1)


def arduino_map(x, in_min, in_max, out_min, out_max):
    return int((x - in_min) * (out_max - out_min) / (in_max - in_min)) + out_min


class RpcServo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.board = Run(TOOL, M7, M4, seconds=5.5, analog=["A0=ramp:0:1023:0.1Hz"])

    def test_the_m4_reports_each_angle(self):
        self.assertEqual(self.board.status, 0, self.board.stderr)
        angles = [int(re.fullmatch(r"Servo angle is: (\d+)", line).group(1)) for line in self.board.serial_lines()]
        self.assertGreaterEqual(len(angles), 4, self.board.serial)
        self.assertEqual(angles, sorted(angles), "a rising input turns the servo one way")
        moved = [int(m.group(1)) for _, m in self.board.events(r"servo on D5 at (\d+) degrees", core="M7")]
        for a in angles:
            self.assertIn(a, moved + [90], "each reported angle is one the servo turned to")

    def test_the_servo_follows_a0(self):
        self.assertEqual(len(self.board.events(r"servo attached to D5 \(at 90 degrees\)", core="M7")), 1)
        a0 = self.board.vcd.values("A0")
        servo = self.board.vcd.values("servo_angle")
        self.assertGreaterEqual(len(servo), 4)
        for t, angle in servo[1:]:  # the first is the attach at 90
            # the M4 read A0 about one second before the call turned the servo
            window = [v for ta, v in a0 if t - 1_400_000 <= ta <= t - 900_000]
            self.assertTrue(window, f"no A0 samples before the servo turned at {t} us")
            lo, hi = arduino_map(min(window), 0, 1023, 0, 180), arduino_map(max(window), 0, 1023, 0, 180)
            self.assertTrue(lo - 1 <= angle <= hi + 1, f"servo at {angle} at {t} us; A0 a second before maps to "
                                                        f"{lo}..{hi}")


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""RPC sensor: every second the M4 calls sensorRead() on the M7, which reads A0; the M4's
"Result is N" lines reach the Serial Monitor through the M7."""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from board_test import Run  # noqa: E402

TOOL, M7, M4 = sys.argv.pop(1), sys.argv.pop(1), sys.argv.pop(1)


class RpcSensor(unittest.TestCase):
    def test_the_m4_reads_the_m7s_sensor_every_second(self):
        run = Run(TOOL, M7, M4, seconds=3.6, analog=["A0=512"], trace=True)
        self.assertEqual(run.status, 0, run.stderr)
        self.assertIn(run.serial_lines(), (["Result is 512"] * 2, ["Result is 512"] * 3))
        calls = run.events(r"M4->M7 call #(\d+) sensorRead\(\) -> 512 in (\d+) us", core="trace")
        self.assertEqual(len(calls), len(run.serial_lines()), run.stderr)
        for _, m in calls:
            self.assertLess(int(m.group(2)), 500000)

    def test_readings_follow_the_input(self):
        run = Run(TOOL, M7, M4, seconds=4.6, analog=["A0=ramp:100:900:0.2Hz"])
        self.assertEqual(run.status, 0, run.stderr)
        values = [int(re.fullmatch(r"Result is (\d+)", line).group(1)) for line in run.serial_lines()]
        self.assertGreaterEqual(len(values), 3)
        self.assertTrue(all(100 <= v <= 900 for v in values), values)
        self.assertEqual(values, sorted(values), "a rising ramp gives rising readings")
        self.assertGreater(values[-1] - values[0], 300)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""USB serial through RPC: the M4's lines reach the Serial Monitor through the M7, one a
second."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from board_test import Run  # noqa: E402

TOOL, M7, M4 = sys.argv.pop(1), sys.argv.pop(1), sys.argv.pop(1)


class RpcSerial(unittest.TestCase):
    def test_the_m4_prints_through_the_m7_once_a_second(self):
        run = Run(TOOL, M7, M4, seconds=3.5)
        self.assertEqual(run.status, 0, run.stderr)
        lines = run.serial_lines()
        self.assertIn(len(lines), (3, 4), run.serial)
        self.assertEqual(set(lines), {"Printed from M4 core"})
        self.assertEqual(len(run.events(r"boots from 0x08100000", core="M4")), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""duet-board --vcd, opened by GTKWave's own reader: vcd2fst reads the file into GTKWave's
FST format and fst2vcd writes it back; every signal and every change GTKWave read must be
the ones the board wrote (read by examples/board_test.py's strict reader)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(sys.argv[2], "examples"))
from board_test import Run, Vcd  # noqa: E402

TOOL, _, M7, M4 = sys.argv.pop(1), sys.argv.pop(1), sys.argv.pop(1), sys.argv.pop(1)


class VcdInGtkwave(unittest.TestCase):
    def test_gtkwave_reads_every_signal_and_change(self):
        for tool in ("vcd2fst", "fst2vcd"):
            self.assertIsNotNone(shutil.which(tool), f"{tool} missing: scripts/deps.sh test installs gtkwave")
        # 4 s: on a loaded machine the M4 can take a second or more to boot and bind servo.
        # The M4 reads A0 about once a second: a 1 Hz sine would read nearly the same value
        # (the servo's 90) each time, and the servo turn only when the calls' delays drift
        # (a test that failed at random under load); at 0.3 Hz each read is another angle.
        board = Run(TOOL, M7, M4, seconds=4, analog=["A0=sine:0:1023:0.3Hz"], keep_vcd=True)
        self.assertEqual(board.status, 0, board.stderr)
        with tempfile.TemporaryDirectory(prefix="duet-vcd.") as tmp:
            fst = os.path.join(tmp, "board.fst")
            r = subprocess.run(["vcd2fst", board.vcd_path, fst], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = subprocess.run(["fst2vcd", fst], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            seen = Vcd(r.stdout)
        os.unlink(board.vcd_path)
        self.assertEqual(seen.timescale, "1us")
        self.assertEqual({n: w for n, (_, w) in seen.signals.items()},
                         {n: w for n, (_, w) in board.vcd.signals.items()})
        for name in ("A0", "servo_angle", "m7_running", "m4_running"):
            self.assertIn(name, seen.signals)
        for name in board.vcd.signals:
            self.assertEqual(seen.values(name), board.vcd.values(name), name)
        self.assertGreater(len(seen.values("A0")), 20, "the sine on A0")
        self.assertGreater(len(seen.values("servo_angle")), 1, "the servo turned")


if __name__ == "__main__":
    unittest.main(verbosity=2)

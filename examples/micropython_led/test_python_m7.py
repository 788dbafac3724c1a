#!/usr/bin/env python3
"""MicroPython RPC LED with the guide's own script as the M7: `duet-board run --m7
guide_led.py --m4 IMAGE` and `duet-board upload --core m7 guide_led.py` make the script the
M7's program (the M7's Python program in flash, the script next to it); the green LED of the
guide's M4 program toggles every 500 ms."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from board_test import Run  # noqa: E402

TOOL, SCRIPT, M7_C, M4 = sys.argv.pop(1), sys.argv.pop(1), sys.argv.pop(1), sys.argv.pop(1)


class PythonM7(unittest.TestCase):
    def assert_led_toggles_every_500_ms(self, run):
        self.assertEqual(run.status, 0, run.stderr)
        self.assertEqual(run.serial, "")
        self.assertEqual(len(run.events(r"boots from 0x08180000", core="M4")), 1, run.stderr)
        changes = run.vcd.values("LEDG")[1:]  # after pinMode left it off
        self.assertGreaterEqual(len(changes), 4, run.stderr)
        self.assertEqual([v for _, v in changes], [0, 1] * (len(changes) // 2) + [0] * (len(changes) % 2))
        gaps = [(b - a) / 1000 for (a, _), (b, _) in zip(changes, changes[1:])]
        for gap in gaps:
            self.assertTrue(430 <= gap <= 900, f"LEDG changes {gap} ms apart, expected about 500 ms: {gaps}")
        self.assertEqual(len(run.events(r"stopped: the board was powered off", core="M7")), 1, run.stderr)

    def test_run_with_the_script_as_the_m7_and_the_split_the_guide_asks_for(self):
        self.assert_led_toggles_every_500_ms(Run(TOOL, SCRIPT, M4, seconds=3.2, split="75_25"))

    def test_a_script_takes_micropythons_split_by_itself(self):
        self.assert_led_toggles_every_500_ms(Run(TOOL, SCRIPT, M4, seconds=3.2))

    def test_a_script_that_ends_prints_on_the_serial_monitor_and_holds_the_m4_in_reset(self):
        with tempfile.TemporaryDirectory(prefix="duet-python-m7.") as tmp:
            script = os.path.join(tmp, "blink_twice.py")
            with open(script, "w") as f:
                f.write("import time\nimport msgpackrpc\nrpc = msgpackrpc.MsgPackRPC()\n"
                        "rpc.start(firmware=0x08180000)\nprint('started')\n"
                        "for on in (True, False):\n    rpc.call('led', on)\n    print('led', on)\n"
                        "    time.sleep_ms(200)\n")
            run = Run(TOOL, script, M4, seconds=20)
        self.assertEqual(run.status, 0, run.stderr)
        self.assertEqual(run.serial, "started\nled True\nled False\n")
        self.assertEqual([m.group(0) for _, m in run.events(r"stopped: .*", core="M4")],
                         ["stopped: the M4 was held in reset (stopped)"])
        self.assertEqual(len(run.events(r"stopped: the M7 program returned 0", core="M7")), 1, run.stderr)
        self.assertLess(run.log[-1][0], 15, "the run ends with the script")

    def test_upload_stores_the_script_in_flash_and_a_c_program_replaces_it(self):
        with tempfile.TemporaryDirectory(prefix="duet-python-m7.") as tmp:
            board = os.path.join(tmp, "board")

            def tool(*args):
                return subprocess.run([TOOL, *args, "--board", board], capture_output=True, text=True, timeout=60,
                                      stdin=subprocess.DEVNULL)

            r = tool("upload", "--core", "m7", SCRIPT)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stderr, r"guide_led\.py \(\d+ bytes of Python, run by .*duet-m7-python: .*\) to the M7 "
                                       r"at 0x08040000 \(split 75_25: 1\.5MB M7 \+ 0\.5MB M4\)")
            with open(SCRIPT) as a, open(os.path.join(board, "flash", "0x08040000.py")) as b:
                self.assertEqual(a.read(), b.read())
            r = tool("upload", "--core", "m4", M4)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("to the M4 at 0x08180000 (split 75_25", r.stderr)
            r = tool("status")
            self.assertRegex(r.stdout, r"M7  0x08040000  guide_led\.py ")
            self.assertRegex(r.stdout, r"M4  0x08180000  micropython_led_m4 .*<- the M7 boots the M4 from here")
            p = subprocess.run([TOOL, "run", "--board", board, "--seconds", "2.2"], capture_output=True, text=True,
                               timeout=60, stdin=subprocess.DEVNULL)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertGreaterEqual(p.stderr.count("M4    LEDG on"), 2, p.stderr)
            r = tool("upload", "--core", "m7", M7_C)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertFalse(os.path.exists(os.path.join(board, "flash", "0x08040000.py")),
                             "a C program for the M7 replaces the script")
            r = tool("upload", "--core", "m4", SCRIPT)
            self.assertEqual(r.returncode, 1)
            self.assertIn("the M4 runs C programs; a Python script runs on the M7 (--core m7)", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)

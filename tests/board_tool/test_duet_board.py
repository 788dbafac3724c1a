#!/usr/bin/env python3
"""duet-board's verbs on the emulated board: build, upload (splits, sizes, persisted flash),
status, run (Serial Monitor on stdout both ways, event log, exit status, crashes of either core,
Ctrl-C), reset, and its errors."""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import sys
import tempfile
import unittest

TOOL = sys.argv.pop(1)
SOURCE = sys.argv.pop(1)
FAIL_FORK = sys.argv.pop(1)  # an LD_PRELOAD library: fork() fails, the pipes left at exit counted
FAIL_IO = sys.argv.pop(1)  # an LD_PRELOAD library: read(), unlink(), fopen() for writing fail (fail_io.c)

M7 = r'''
#include <stdio.h>
#include "duet/board.h"
#include "duet/duet.h"
static int sensor_read(duet_req *r) { return duet_return_int(r, analogRead(A0)); }
void setup(void)
{
    duet_bind("sensorRead", ":i", sensor_read);
    printf("M7 up\n");
    if (!duet_begin())
        printf("begin failed: %s\n", duet_error_text());
}
void loop(void)
{
    while (duet_available())
        putchar(duet_read());
    delay(1);
}
'''

CRASH_M4 = r'''
#include <stdlib.h>
#include "duet/board.h"
#include "duet/duet.h"
static int die(duet_req *r) { (void)r; volatile int *p = NULL; *p = 1; return 0; }
void setup(void) { duet_bind("die", ":", die); duet_begin(); }
void loop(void) { delay(10); }
'''

CALLER_M7 = r'''
#include <stdio.h>
#include <string.h>
#include "duet/board.h"
#include "duet/duet.h"
void setup(void)
{
    duet_begin();
    unsigned long t0 = millis();
    int err = duet_call("die", ":");
    printf("die: %d after %lu ms: %s\n", err, millis() - t0, duet_error_text());
    int n = duet_poll();
    printf("poll: %d %s\n", n, duet_error_text());
}
void loop(void)
{
    int c = duet_serial_read();
    if (c >= 0)
        printf("got %c\n", c);
    delay(1);
}
'''

RETURNING_M7 = r'''
#include <stdio.h>
#include "duet/board.h"
#include "duet/duet.h"
int main(void)
{
    if (!duet_begin())
        return 1;
    delay(300);
    printf("M7 returns\n");
    return 0;
}
'''

SHARE_M7 = r'''
#include "duet/board.h"
#include "duet/duet.h"
static duet_servo servo;
void setup(void)
{
    duet_begin();
    duet_rtc_set(1700000000);
    duet_servo_attach(&servo, 5);
}
void loop(void) { (void)analogRead(A1); delay(20); }
'''

SHARE_M4 = r'''
#include <stdio.h>
#include "duet/board.h"
#include "duet/duet.h"
static duet_servo servo;
void setup(void)
{
    duet_begin();
    printf("M4 says hi\n");
    printf("half ");
    printf("a line\n");
    printf("tab\tcr\rbell\a\n");
    delay(200);
    duet_rtc_set(1700000100);
    duet_servo_attach(&servo, 5);
    printf("no newline at the end");
}
void loop(void) { (void)analogRead(A0); delay(20); }
'''

IDLE_M7 = r'''
#include <stdio.h>
#include "duet/board.h"
#include "duet/duet.h"
static unsigned long loops;
static int report(duet_req *r) { printf("loops %lu\n", loops); return duet_return_int(r, 0); }
void setup(void) { duet_bind("report", ":i", report); duet_begin(); }
void loop(void) { loops++; }
'''

IDLE_M4 = r'''
#include "duet/board.h"
#include "duet/duet.h"
void setup(void)
{
    duet_begin();
    delay(1500);
    int32_t v;
    duet_call("report", ":i", &v);
}
void loop(void) { delay(1000); }
'''

# The M4 crashes before its duet_begin(); the M7's duet_begin() fails with why, and the M7's
# program returns at once.
EARLY_CRASH_M4 = r'''
#include "duet/board.h"
void setup(void) { delay(100); volatile int *p = NULL; *p = 1; }
void loop(void) {}
'''

BEGIN_OR_QUIT_M7 = r'''
#include "duet/duet.h"
int main(void) { return duet_begin() ? 0 : 4; }
'''

BOOT_75_M7 = r'''
#include <stdio.h>
#include "duet/duet.h"
int main(void)
{
    duet_set_boot_address(0x08180000); /* as the guide's MicroPython script starts the M4 */
    if (!duet_begin())
        printf("begin failed: %s\n", duet_error_text());
    return 0;
}
'''

M7_CRASH = r'''
#include "duet/board.h"
void setup(void) { delay(100); volatile int *p = NULL; *p = 1; }
void loop(void) {}
'''

BURST_M7 = r'''
#include "duet/board.h"
int main(void)
{
    pinMode(2, OUTPUT);
    for (int i = 0; i < 2000; i++)
        digitalWrite(2, (i + 1) & 1); /* HIGH first: each a change */
    return 0;
}
'''

M4 = r'''
#include "duet/board.h"
#include "duet/duet.h"
void setup(void)
{
    duet_begin();
    int32_t v = -1;
    duet_call("sensorRead", ":i", &v);
    duet_printf("sensor %d\n", (int)v);
}
void loop(void) { delay(100); }
'''


def run(*args, **kw):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=60, **kw)


class DuetBoard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="duet-board-test.")
        cls.dir = cls.tmp.name
        cls.env = dict(os.environ, DUET_BOARD_HOME=os.path.join(cls.dir, "home"),
                       TMPDIR=os.path.join(cls.dir, "tmp"))
        os.mkdir(cls.env["TMPDIR"])
        for core, text in (("m7", M7), ("m4", M4), ("crash_m4", CRASH_M4), ("caller_m7", CALLER_M7),
                           ("m7_crash", M7_CRASH), ("returning_m7", RETURNING_M7), ("share_m7", SHARE_M7),
                           ("share_m4", SHARE_M4), ("idle_m7", IDLE_M7), ("idle_m4", IDLE_M4),
                           ("burst_m7", BURST_M7), ("early_crash_m4", EARLY_CRASH_M4),
                           ("begin_or_quit_m7", BEGIN_OR_QUIT_M7), ("boot75_m7", BOOT_75_M7)):
            src = os.path.join(cls.dir, f"p_{core}.c")
            with open(src, "w") as f:
                f.write(text)
            r = run("build", "--core", core[-2:] if core.endswith(("m4", "m7")) else core[:2], "-o",
                    os.path.join(cls.dir, f"p_{core}"), src, env=cls.env)
            assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def tool(self, *args, **kw):
        return run(*args, env=self.env, **kw)

    def image(self, core):
        return os.path.join(self.dir, f"p_{core}")

    def test_upload_then_run_on_the_default_board(self):
        self.assertEqual(self.tool("upload", "--core", "m7", self.image("m7")).returncode, 0)
        r = self.tool("upload", "--core", "m4", self.image("m4"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("to the M4 at 0x08100000 (split 50_50: 1MB M7 + 1MB M4)", r.stderr)
        r = self.tool("status")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"M7  0x08040000  p_m7 .* of 768\.0 KiB")
        self.assertRegex(r.stdout, r"M4  0x08100000  p_m4 .*<- the M7 boots the M4 from here")
        r = self.tool("run", "--seconds", "2", "--analog", "A0=700")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "M7 up\nsensor 700\n")
        self.assertRegex(r.stderr, r"M7 +boots from 0x08040000")
        self.assertRegex(r.stderr, r"M4 +boots from 0x08100000")
        # each core boots from its release until its program starts, then runs: in this order
        steps = [re.sub(r"^\[ *[\d.]+ s\] ", "", line) for line in r.stderr.splitlines()
                 if re.search(r"\] M[47] +(boots|running|stopped)", line)]
        steps = [re.sub(r" from .*| \(.*|:.*", "", s) for s in steps]
        self.assertEqual(steps[:4], ["M7    boots", "M7    running", "M4    boots", "M4    running"], steps)
        self.assertEqual(sorted(steps[4:]), ["M4    stopped", "M7    stopped"], steps)
        self.assertIn("A0 = 700", r.stderr)
        # power-off at the end of --seconds: an end line for each core, the M4's before the run ends
        self.assertRegex(r.stderr, r"\] M4 +stopped: the board was powered off\n")
        self.assertRegex(r.stderr, r"\] M7 +stopped: the board was powered off\n")
        # the flash persists: a second run needs no upload
        r = self.tool("run", "--seconds", "1", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "M7 up\nsensor 0\n")
        self.assertEqual(r.stderr, "")

    def test_one_shot_board_leaves_nothing_behind(self):
        for split, address in (("75_25", "0x08180000"), ("100_0", "0x60000000")):
            r = self.tool("run", "--seconds", "1", "--m7", self.image("m7"), "--m4", self.image("m4"),
                          "--split", split, "--analog", "A0=5")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, "M7 up\nsensor 5\n")
            self.assertIn(f"M4    boots from {address}", r.stderr)
        self.assertEqual(os.listdir(self.env["TMPDIR"]), [])

    def test_m4_missing_fails_begin_as_on_the_board(self):
        r = self.tool("run", "--seconds", "1", "--m7", self.image("m7"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("begin failed: booting the M4: no program at the boot address", r.stdout)

    def test_a_boot_where_no_m4_program_is_says_where_it_is(self):
        # The M7 boots the M4 from the 75_25 split's address, the M4's program is the 50_50
        # split's: the board's log says where it is and which --split puts it in place.
        r = self.tool("run", "--seconds", "1", "--m7", self.image("boot75_m7"), "--m4", self.image("m4"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("begin failed: booting the M4: no program at the boot address", r.stdout)
        self.assertIn("M7    warning: boot 0x08180000: no M4 program there (the 75_25 split's place); the M4's "
                      "program is at 0x08100000 (the 50_50 split's): upload it for the 75_25 split (duet-board "
                      "upload --core m4 --split 75_25 IMAGE, or run --m7 IMAGE --m4 IMAGE --split 75_25), or boot "
                      "from 0x08100000\n", r.stderr)
        self.assertNotIn("M4    boots", r.stderr)
        r = self.tool("run", "--seconds", "1", "--m7", self.image("boot75_m7"), "--m4", self.image("m4"),
                      "--split", "75_25")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("begin failed", r.stdout)
        self.assertIn("M4    boots from 0x08180000", r.stderr)
        # No M4 program at all: the warning says to upload one for the split.
        r = self.tool("run", "--seconds", "1", "--m7", self.image("boot75_m7"))
        self.assertIn("M7    warning: boot 0x08180000: no M4 program there (the 75_25 split's place): upload one "
                      "(duet-board upload --core m4 --split 75_25 IMAGE)\n", r.stderr)

    def test_an_m4_that_cannot_start_boots_then_stops_with_the_reason(self):
        board = os.path.join(self.dir, "b_bad_m4")
        for core in ("m7", "m4"):
            r = self.tool("upload", "--board", board, "--core", core, self.image(core))
            self.assertEqual(r.returncode, 0, r.stderr)
        # The M4's flash spoiled behind the tool's back: not a program the board can start.
        with open(os.path.join(board, "flash", "0x08100000"), "wb") as f:
            f.write(b"not a program\n")
        r = self.tool("run", "--board", board, "--seconds", "1")
        self.assertEqual(r.returncode, 0, r.stderr)  # the M7's program goes on, as on the board
        self.assertIn("begin failed: booting the M4: ", r.stdout)
        self.assertRegex(r.stderr, r"M4 +boots from 0x08100000\n(.*\n)*.*M4 +stopped: the M4 could not start: "
                                   r"boot 0x08100000: cannot run .*0x08100000: Exec format error\n")
        self.assertNotRegex(r.stderr, r"M4 +running")

    def test_upload_without_split_takes_the_m7_programs(self):
        # docs/board.md and --help: upload's default split is that of the M7's program already
        # on the board, 50_50 on a board with none
        board = os.path.join(self.dir, "b_split")
        r = self.tool("upload", "--board", board, "--core", "m7", "--split", "100_0", self.image("m7"))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.tool("upload", "--board", board, "--core", "m4", self.image("m4"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("to the M4 at 0x60000000 (split 100_0: 2MB M7 + M4 in SDRAM)", r.stderr)
        self.assertNotIn("note:", r.stderr)
        r = self.tool("upload", "--board", os.path.join(self.dir, "b_split_fresh"), "--core", "m4", self.image("m4"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("to the M4 at 0x08100000 (split 50_50: 1MB M7 + 1MB M4)", r.stderr)

    def test_a_program_built_for_the_other_core_is_refused(self):
        # duet-board build marks a program with its core: upload and run refuse it in the other
        # core's place, and say what to do; a program it did not build (no mark) is taken
        board = os.path.join(self.dir, "b_swapped")
        r = self.tool("upload", "--board", board, "--core", "m7", self.image("m4"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("p_m4 was built for the M4 (duet-board build --core m4), not the M7: give the M7 a program "
                      "built with --core m7", r.stderr)
        r = self.tool("run", "--seconds", "1", "--m7", self.image("m7"), "--m4", self.image("caller_m7"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("p_caller_m7 was built for the M7 (duet-board build --core m7), not the M4", r.stderr)
        self.assertEqual(r.stdout, "")
        unmarked = os.path.join(self.dir, "unmarked_m4")
        shutil.copy(self.image("m4"), unmarked)
        subprocess.run(["strip", unmarked], check=True)
        r = self.tool("upload", "--board", board, "--core", "m4", unmarked)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_a_cortex_m_program_is_refused_saying_where_it_runs(self):
        # an image duet-board build --target an521 or giga made was refused as "not a program
        # built for this PC (build it with duet-board build)", which is how it was built
        import struct

        def arm_elf(name, entry):
            path = os.path.join(self.dir, name)
            header = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)  # 32-bit, little-endian, version 1
            header += struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, entry, 52, 0, 0x5000200, 52, 32, 0, 40, 0, 0)
            with open(path, "wb") as f:
                f.write(header)
            return path

        an521 = arm_elf("an521_m7.elf", 0x10000101)  # EM_ARM, ET_EXEC, entry in the AN521's ssram-0
        giga = arm_elf("giga_m7.elf", 0x08040201)
        for verb in (("run", "--seconds", "1", "--m7"), ("upload", "--board", os.path.join(self.dir, "b_arm"),
                                                          "--core", "m7")):
            r = self.tool(*verb, an521)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(r.stderr, f"duet-board {verb[0]}: {an521} is a program for the AN521 under QEMU (duet-board "
                                       "build --target an521), not for this PC: run it with duet-board run --target "
                                       "an521, or build it again without --target\n")
            r = self.tool(*verb, giga)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(r.stderr, f"duet-board {verb[0]}: {giga} is a program for a Cortex-M board (the GIGA R1 "
                                       "itself: duet-board build --target giga), not for this PC: build it again "
                                       "without --target\n")

    def test_image_too_large_is_refused_with_both_sizes(self):
        src = os.path.join(self.dir, "big.c")
        with open(src, "w") as f:
            f.write("const char big[400000] = {1};\nint main(void) { return big[0] - 1; }\n")
        img = os.path.join(self.dir, "big")
        self.assertEqual(self.tool("build", "--core", "m4", "-o", img, src).returncode, 0)
        board = os.path.join(self.dir, "b_big")
        r = self.tool("upload", "--board", board, "--core", "m4", "--split", "100_0", img)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"big is 39\d\.\d KiB \(\d+ bytes\) but the M4's partition of split 100_0 "
                                   r"\(2MB M7 \+ M4 in SDRAM\) holds 256\.0 KiB \(262144 bytes\)")
        r = self.tool("upload", "--board", board, "--core", "m4", "--split", "75_25", img)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_a_compiler_that_is_not_there_is_said_once(self):
        # "duet-board: cannot run nonexistent-cc: No such file or directory" came first, from
        # the child, then the verb's own sentence said it again with what to do
        src = os.path.join(self.dir, "p_m7.c")
        r = run("build", "--core", "m7", "-o", os.path.join(self.dir, "never"), src,
                env=dict(self.env, CC="nonexistent-cc"))
        self.assertEqual((r.returncode, r.stderr), (1, "duet-board build: could not run the C compiler 'nonexistent-cc' "
                                                       "(install gcc, or set CC)\n"))

    def test_missing_cross_tools_are_named_as_debian_packages(self):
        # the sentences said "scripts/deps.sh qemu", a script of duet's source tree that an
        # installed duet-board (make install, the Debian packages) does not come with
        env = dict(self.env, PATH="/nonexistent")
        src = os.path.join(self.dir, "p_m7.c")
        out = os.path.join(self.dir, "never.elf")
        r = run("build", "--target", "an521", "--core", "m7", "-o", out, src, env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("could not run arm-none-eabi-gcc (install the cross compiler: apt-get install "
                      "gcc-arm-none-eabi libnewlib-arm-none-eabi)\n", r.stderr)
        sketch = os.path.join(self.dir, "cross.ino")
        with open(sketch, "w") as f:
            f.write("void setup() {}\nvoid loop() {}\n")
        r = run("build", "--target", "an521", "--core", "m7", "-o", out, sketch,
                env=dict(env, DUET_BOARD_CACHE=os.path.join(self.dir, "cross_cache")))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("(install the cross compiler and newlib's C++ library: apt-get install gcc-arm-none-eabi "
                      "libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib)\n", r.stderr)
        self.assertNotIn("deps.sh", r.stderr)

    def test_verbose_commands_run_again_in_a_shell(self):
        # build -v printed each word as it stands, so a path with a space or a quote made a
        # line that a shell splits or refuses (copied to run the compiler by hand)
        folder = os.path.join(self.dir, "it's a dir $HOME")
        os.makedirs(folder, exist_ok=True)
        src = os.path.join(folder, "p m7.c")
        shutil.copy(os.path.join(self.dir, "p_m7.c"), src)
        out = os.path.join(folder, "out image")
        r = self.tool("build", "-v", "--core", "m7", "-o", out, src)
        self.assertEqual(r.returncode, 0, r.stderr)
        line = [l for l in r.stderr.splitlines() if "p m7.c" in l][-1]
        os.unlink(out)
        again = subprocess.run(["sh", "-c", line], capture_output=True, text=True, env=self.env)
        self.assertEqual(again.returncode, 0, line + "\n" + again.stderr)
        self.assertTrue(os.path.exists(out), line)

    def test_a_file_build_cannot_compile_is_refused_with_a_sentence(self):
        # a text file went to the linker ("file format not recognized; treating as linker
        # script"), a built program too ("stdout: invalid version 2 (max 0)")
        notes = os.path.join(self.dir, "notes.txt")
        with open(notes, "w") as f:
            f.write("hi\n")
        r = self.tool("build", "--core", "m7", "-o", os.path.join(self.dir, "never"), notes)
        self.assertEqual((r.returncode, r.stderr),
                         (2, f"duet-board build: {notes}: not a file build takes: give C sources (.c), assembly "
                             "(.S, .s), objects and libraries (.o, .a, .so), or an Arduino sketch (.ino, .cpp)\n"))
        r = self.tool("build", "--core", "m7", "-o", os.path.join(self.dir, "never"), self.image("m7"))
        self.assertEqual((r.returncode, r.stderr),
                         (2, f"duet-board build: {self.image('m7')} is a program built already, not a source: give "
                             "build the program's source files, or run it with duet-board run\n"))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "never")))
        r = self.tool("build", "--target", "an521", "--core", "m7", "-o", os.path.join(self.dir, "never"), notes)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("not a file build takes", r.stderr)

    def test_an_output_that_is_a_source_is_refused_before_it_is_written(self):
        # -o NAME.ino NAME.ino linked the program over the sketch: its text was lost
        sketch = os.path.join(self.dir, "keep.ino")
        text = "void setup() {}\nvoid loop() { delay(100); }\n"
        with open(sketch, "w") as f:
            f.write(text)
        for target in ("posix", "an521"):
            r = self.tool("build", "--target", target, "--core", "m7", "-o", sketch, sketch)
            self.assertEqual((r.returncode, r.stderr),
                             (2, f"duet-board build: -o {sketch} is one of the sources: give the program another "
                                 "name, or leave -o out (the image is then named after the first source)\n"), target)
            with open(sketch) as f:
                self.assertEqual(f.read(), text, target)
        # the same file by another path
        r = self.tool("build", "--core", "m7", "-o", os.path.join(self.dir, ".", "keep.ino"), sketch)
        self.assertEqual(r.returncode, 2, r.stderr)

    def test_headers_among_the_sources_are_left_to_the_includes(self):
        # a sketch folder's files given as Tabs/* (its .h tab among them) were refused: "a
        # sketch is built from .ino, .cpp, .c and .S files"; a C build handed the .h to cc
        folder = os.path.join(self.dir, "Tabs")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "Tabs.ino"), "w") as f:
            f.write('#include "util.h"\nvoid setup() { Serial.begin(9600); Serial.println(half(10)); }\n'
                    "void loop() { delay(100); }\n")
        with open(os.path.join(folder, "util.h"), "w") as f:
            f.write("int half(int v);\n")
        with open(os.path.join(folder, "util.cpp"), "w") as f:
            f.write('#include "util.h"\nint half(int v) { return v / 2; }\n')
        files = sorted(os.path.join(folder, n) for n in os.listdir(folder))
        out = os.path.join(self.dir, "tabs_star_m7")
        r = self.tool("build", "--core", "m7", "-o", out, *files)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.tool("run", "--seconds", "0.5", "--quiet", "--m7", out)
        self.assertEqual((r.returncode, r.stdout), (0, "5\n"), r.stderr)  # text mode: println's "\r\n" reads as "\n"
        # Its tabs alone: util.cpp is not built, and the note says so and how to build it whole.
        r = self.tool("build", "--core", "m7", "-o", out, os.path.join(folder, "Tabs.ino"))
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"duet-board build: note: {folder} holds 1 source that was not given ({folder}/util.cpp): give "
                      f"the folder to build the sketch whole, as the IDE does (duet-board build --core m7 {folder})\n",
                      r.stderr)
        # The same on the Cortex-M targets: their link failed with no note
        for target in ("an521", "giga"):
            r = self.tool("build", "--target", target, "--core", "m7", "-o", os.path.join(self.dir, f"tabs_{target}"),
                          os.path.join(folder, "Tabs.ino"))
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("undefined reference to `half(int)'", r.stderr)
            self.assertIn(f"duet-board build: note: {folder} holds 1 source that was not given ({folder}/util.cpp): "
                          "give the folder to build the sketch whole, as the IDE does (duet-board build --target "
                          f"{target} --core m7 {folder})\n", r.stderr)
        c = os.path.join(self.dir, "with_header.c")
        h = os.path.join(self.dir, "with_header.h")
        with open(h, "w") as f:
            f.write("#define ANSWER 42\n")
        with open(c, "w") as f:
            f.write('#include "with_header.h"\nint main(void) { return ANSWER - 42; }\n')
        r = self.tool("build", "--core", "m7", "-o", os.path.join(self.dir, "with_header"), h, c)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.tool("build", "--core", "m7", h)
        self.assertEqual((r.returncode, r.stderr),
                         (2, f"duet-board build: {h} is a header: give build the sources that include it\n"))

    def test_compiler_errors_show_as_the_compiler_prints_them(self):
        src = os.path.join(self.dir, "broken.c")
        with open(src, "w") as f:
            f.write("void setup(void) { undeclared_thing(); }\nvoid loop(void) {}\n")
        r = self.tool("build", "--core", "m7", "-o", os.path.join(self.dir, "broken"), src)
        self.assertEqual(r.returncode, 1)
        self.assertIn("broken.c:1:", r.stderr)
        self.assertIn("undeclared_thing", r.stderr)
        self.assertIn("duet-board build: the compiler failed", r.stderr)

    def test_wrong_options_say_what_to_do(self):
        cases = [
            (("build", "x.c"), "say which core with --core m7 or --core m4"),
            (("upload", "--core", "m5", "x"), "--core m5: the GIGA R1's cores are m7 and m4"),
            (("upload", "--core", "m4", "--split", "60_40", "x"), "--split 60_40: the flash splits are"),
            (("run", "--seconds", "-1"), "--seconds -1: give a decimal number of seconds above 0"),
            # too long a run is refused saying what the limit is, not "above 0"
            (("run", "--seconds", "2e6"), "--seconds 2e6: give a decimal number of seconds above 0 and at most 1000000"),
            (("run", "--m4", "x"), "--m4 needs --m7 too"),
            (("frobnicate",), "unknown verb 'frobnicate'"),
            # an option before the verb was taken for a verb: "unknown verb '--target'"
            (("--target", "an521", "build", "--core", "m7", "x.c"),
             "duet-board: the verb comes first, then the options: duet-board VERB [--target NAME] [options], "
             "e.g. duet-board build --target an521 (duet-board --help)"),
            (("run", "--target", "z80"), "--target z80: no such target (there are: posix"),
            (("status", "--bogus"), "unknown option --bogus"),
        ]
        for args, text in cases:
            r = self.tool(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(text, r.stderr, args)
        r = self.tool("run", "--m7", self.image("m7"), "--analog", "A9=3")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--analog A9=3: start with the input A0..A7", r.stderr)
        r = self.tool("status", "--board", os.path.join(self.dir, "nowhere"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("no board at", r.stderr)

    def test_an_option_and_its_value_may_be_joined_by_an_equals_sign(self):
        # "--seconds=1" was "unknown option --seconds=1", an option duet-board has
        out = os.path.join(self.dir, "joined_m7")
        r = self.tool("build", "--core=m7", f"--output={out}", os.path.join(self.dir, "p_m7.c"))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.tool("run", "--seconds=0.5", "--quiet", f"--m7={out}", "--analog=A0=512")
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        r = self.tool("run", "--seconds=abc", f"--m7={out}")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--seconds abc: give a decimal number of seconds", r.stderr)

    def test_seconds_takes_a_decimal_number_only(self):
        # strtod took hexadecimal (0x10: 16 s), "inf", "nan" and white space before the number
        for value in ("0x10", "0x1p3", "inf", "nan", " 5", "5 ", "1,5", ""):
            r = self.tool("run", "--seconds", value)
            self.assertEqual(r.returncode, 2, value)
            self.assertIn(f"--seconds {value}: give a decimal number of seconds", r.stderr, value)
        r = self.tool("run", "--seconds", "5e-1", "--quiet", "--m7", self.image("m7"))
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_analog_takes_decimal_numbers_only(self):
        # strtol and strtod took a sign and white space before a level, and a frequency in
        # hexadecimal (0x10Hz: 16 Hz), as --seconds did
        for spec, words in (("A0=+512", "the value must be 0..1023"), ("A0= 7", "the value must be 0..1023"),
                            ("A0=sine:+0:1023:1Hz", "give the waveform as NAME:MIN:MAX:FREQ"),
                            ("A0=ramp:0: 1023:1Hz", "give the waveform as NAME:MIN:MAX:FREQ"),
                            ("A0=sine:0:1023:0x10Hz", "the frequency must be a decimal number"),
                            ("A0=sine:0:1023: 1Hz", "the frequency must be a decimal number"),
                            ("A0=sine:0:1023:Hz", "the frequency must be a decimal number")):
            r = self.tool("run", "--seconds", "1", "--m7", self.image("m7"), "--analog", spec)
            self.assertEqual(r.returncode, 2, spec)
            self.assertIn(f"--analog {spec}: {words}", r.stderr, spec)
        r = self.tool("run", "--seconds", "0.5", "--m7", self.image("m7"), "--analog", "A0=sine:0:1023:2.5e-1Hz",
                      "--analog", "A1=0512")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("A1 = 512", r.stderr)

    def test_web_takes_a_port_in_digits_and_a_host_before_its_colon(self):
        # strtoul took "+8080" and " 8080" for 8080; ":8080" said ":8080:  is not an IP address"
        for spec, words in (("+8080", "give a port from 0 to 65535"), (" 8080", "give a port from 0 to 65535"),
                            ("127.0.0.1:+80", "give a port from 0 to 65535"), ("0x50", "give a port from 0 to 65535"),
                            (":8080", "give the host before the ':' (e.g. 127.0.0.1:8080), or the port alone")):
            r = self.tool("run", "--seconds", "1", "--m7", self.image("m7"), "--web", spec)
            self.assertEqual(r.returncode, 2, spec)
            self.assertIn(f"duet-board run: --web {spec}: {words}", r.stderr, spec)
            self.assertEqual(r.stdout, "", spec)

    def test_a_web_port_in_use_is_a_failure_not_a_wrong_option(self):
        # a port another program listens on exited 2, as a mistyped option does; the
        # command line was right, the machine said no: 1, as docs/board.md's table has it
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            r = self.tool("run", "--seconds", "1", "--m7", self.image("m7"), "--web", str(port))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"duet-board run: --web {port}: cannot listen there (", r.stderr)
        self.assertEqual(r.stdout, "")

    def test_a_web_address_not_this_machines_says_so(self):
        # it said "give another port", which no port helps: the address is the wrong one
        r = self.tool("run", "--seconds", "1", "--m7", self.image("m7"), "--web", "192.0.2.1:8080")
        self.assertEqual((r.returncode, r.stdout), (1, ""), r.stderr)
        self.assertIn("duet-board run: --web 192.0.2.1:8080: cannot listen there (Cannot assign requested address): "
                      "192.0.2.1 is no address of this machine: give 127.0.0.1 (this machine alone), 0.0.0.0 (all of "
                      "its addresses) or one of its own\n", r.stderr)

    def test_two_analogs_for_one_input_are_refused(self):
        # the last one was kept, silently: a typo in the input's number lost a waveform
        r = self.tool("run", "--seconds", "1", "--m7", self.image("m7"), "--analog", "A0=700",
                      "--analog", "A1=3", "--analog", "A0=sine:0:1023:1Hz")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr, "duet-board run: --analog A0=700 and --analog A0=sine:0:1023:1Hz both set A0: "
                                   "give one --analog for each input\n")
        self.assertEqual(r.stdout, "")

    def test_an_upload_of_a_missing_image_makes_no_board(self):
        # the board was made before the image was looked at: a typo left an empty board
        board = os.path.join(self.dir, "b_typo")
        missing = os.path.join(self.dir, "p_m7_typo")
        r = self.tool("upload", "--board", board, "--core", "m7", missing)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, f"duet-board upload: {missing}: No such file or directory\n")
        self.assertFalse(os.path.exists(board))

    def test_a_board_that_is_a_plain_file_is_not_a_directory(self):
        # --board naming a file: status, reset and run said "no board at ... yet: upload a
        # program first", and upload "FILE/flash: Not a directory"
        path = os.path.join(self.dir, "a_file")
        with open(path, "w") as f:
            f.write("not a board\n")
        for verb in (("status",), ("reset",), ("run", "--seconds", "1"), ("upload", "--core", "m7", self.image("m7"))):
            r = self.tool(*verb, "--board", path)
            self.assertEqual(r.returncode, 1, verb)
            self.assertEqual(r.stderr, f"duet-board {verb[0]}: {path} is not a directory: give --board a board's "
                                       "directory, or a path that does not exist yet for a new board\n", verb)
        with open(path) as f:
            self.assertEqual(f.read(), "not a board\n")

    def test_an_upload_the_board_refuses_names_the_boards_file_once(self):
        # a board whose flash is read-only: upload said "upload: upload: BOARD/flash/.0x08040000.PID:
        # Permission denied", the library's verb after the tool's, and a temporary file's name
        top = tempfile.mkdtemp(dir=self.dir)
        os.chmod(self.dir, 0o755)  # the user below reaches top
        os.chmod(top, 0o755)
        board, image = os.path.join(top, "board"), os.path.join(top, "p_m7")
        shutil.copy(self.image("m7"), image)
        self.assertEqual(self.tool("upload", "--board", board, "--core", "m7", image).returncode, 0)
        os.chmod(os.path.join(board, "flash"), 0o555)
        # root writes there anyway: the upload runs as nobody then, to whom the flash is read-only
        as_user = dict(user=65534, group=65534, extra_groups=[]) if os.geteuid() == 0 else {}
        for core, address in (("m7", "0x08040000"), ("m4", "0x08100000")):
            r = self.tool("upload", "--board", board, "--core", core, image if core == "m7" else self.image("m4"),
                          **as_user)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(r.stderr, f"duet-board upload: cannot write {board}/flash/{address}: Permission denied\n")
        os.chmod(os.path.join(board, "flash"), 0o755)

    def test_a_failed_fork_leaves_no_pipes_open(self):
        # when the M7's process could not be made, the run's pipes to it stayed open
        env = dict(self.env, LD_PRELOAD=FAIL_FORK)
        r = run("run", "--seconds", "1", "--m7", self.image("m7"), env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("duet-board run: cannot start the M7: Resource temporarily unavailable\n", r.stderr)
        self.assertTrue(r.stderr.endswith("open pipes at exit: 0\n"), r.stderr)
        self.assertEqual(os.listdir(self.env["TMPDIR"]), [])

    def test_output_that_cannot_be_written_is_a_failure_said(self):
        # stdout, --log or --vcd on a full disk (/dev/full: every write fails with ENOSPC):
        # what went there was lost, with exit 0 and no word
        one_shot = ["run", "--seconds", "0.5", "--m7", self.image("m7"), "--m4", self.image("m4")]

        def tool_to(stdout, *args):
            return subprocess.run([TOOL, *args], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60,
                                  env=self.env)

        full = "No space left on device"
        with open("/dev/full", "w") as dev_full:
            r = tool_to(dev_full, *one_shot)
            self.assertEqual(r.returncode, 1, r.stderr)
            said = ("duet-board run: the Serial output could not be written to stdout (%s): what the M7 prints "
                    "from here is lost\n" % full)
            self.assertEqual(r.stderr.count(said), 1, r.stderr)
            self.assertRegex(r.stderr, r"\] M7 +stopped: the board was powered off\n")
            board = os.path.join(self.dir, "full_board")
            self.assertEqual(self.tool("upload", "--core", "m7", "--board", board, self.image("m7")).returncode, 0)
            for args in (["status", "--board", board], ["--help"], ["--version"]):
                r = tool_to(dev_full, *args)
                self.assertEqual(r.returncode, 1, (args, r.stderr))
                self.assertIn("what it printed could not be written to stdout: %s\n" % full, r.stderr)
        for option, what in (("--log", "the event log"), ("--vcd", "the waveform")):
            r = tool_to(subprocess.DEVNULL, *one_shot, option, "/dev/full", *(["--quiet"] if option == "--vcd" else []))
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(r.stderr, "duet-board run: %s /dev/full: %s could not be written whole: %s\n"
                             % (option, what, full))
        # a reader that went away (EPIPE) is no failure of the run: the event log goes on
        rfd, wfd = os.pipe()
        os.close(rfd)
        r = tool_to(wfd, *one_shot)
        os.close(wfd)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("could not be written", r.stderr)
        self.assertEqual(os.listdir(self.env["TMPDIR"]), [])

    def test_a_full_non_blocking_stdout_is_waited_for_not_dropped(self):
        # a stdout made non-blocking by whoever shares it, and full when the Serial output
        # came: the write's EAGAIN dropped that output (as if nobody read stdout)
        import fcntl
        import threading
        rfd, wfd = os.pipe()
        fcntl.fcntl(wfd, fcntl.F_SETFL, fcntl.fcntl(wfd, fcntl.F_GETFL) | os.O_NONBLOCK)
        filler = 0
        try:
            while True:
                filler += os.write(wfd, b"x" * 4096)
        except BlockingIOError:
            pass
        got = []

        def read_later():
            time.sleep(0.5)
            while True:
                chunk = os.read(rfd, 65536)
                if not chunk:
                    break
                got.append(chunk)

        reader = threading.Thread(target=read_later)
        reader.start()
        r = subprocess.run([TOOL, "run", "--quiet", "--seconds", "1", "--analog", "A0=9", "--m7", self.image("m7"),
                            "--m4", self.image("m4")], stdout=wfd, stderr=subprocess.PIPE, text=True, timeout=60,
                           env=self.env)
        os.close(wfd)
        reader.join()
        os.close(rfd)
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        self.assertEqual(b"".join(got)[filler:], b"M7 up\nsensor 9\n")

    def test_a_split_record_that_cannot_be_read_is_said(self):
        # flash/m7.split (the split the M7's program was uploaded for) that could not be read
        # was taken as no M7 program: run booted the M4 from 50_50's address, status said 'none
        # yet (no M7 program uploaded)', and an M4 upload went to 50_50's partition, all in silence
        board = os.path.join(self.dir, "split_board")
        for core in ("m7", "m4"):
            r = self.tool("upload", "--core", core, "--split", "75_25", "--board", board, self.image(core))
            self.assertEqual(r.returncode, 0, r.stderr)
        record = os.path.join(board, "flash", "m7.split")
        os.unlink(record)
        os.mkdir(record)  # read() of it fails: EISDIR
        want = (f"{record}: Is a directory: cannot tell the split the M7's program was uploaded for")
        r = self.tool("run", "--board", board, "--seconds", "0.5")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"duet-board run: {want}, so nor where it boots the M4 from: upload it again", r.stderr)
        self.assertNotIn("boots from", r.stderr)
        r = self.tool("upload", "--core", "m4", "--board", board, self.image("m4"))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"duet-board upload: {want}: upload it again", r.stderr)
        r = self.tool("status", "--board", board)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"flash split: cannot tell ({record}: Is a directory): upload the M7's program again\n", r.stdout)
        os.rmdir(record)
        with open(record, "w") as f:
            f.write("75_52\n")
        r = self.tool("run", "--board", board, "--seconds", "0.5")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(f"{record} holds '75_52', which is no split", r.stderr)
        # the M7's upload writes it anew
        r = self.tool("upload", "--core", "m7", "--split", "75_25", "--board", board, self.image("m7"))
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.tool("run", "--board", board, "--seconds", "1", "--analog", "A0=3")
        self.assertEqual((r.returncode, r.stdout), (0, "M7 up\nsensor 3\n"), r.stderr)

    def test_a_build_that_cannot_start_the_compiler_or_write_says_so(self):
        # fork failed (the process limit): 'could not run the C compiler 'cc' (install gcc,
        # or set CC)' sent the user to install what was there
        env = dict(self.env, LD_PRELOAD=FAIL_FORK)
        src = os.path.join(self.dir, "p_m4.c")
        sketch = os.path.join(SOURCE, "tests", "arduino", "sketches", "tabs")
        for args, cc in ((["--core", "m4", src], "cc"), (["--core", "m7", sketch], "c++")):
            r = run("build", "-o", os.path.join(self.dir, "unbuilt"), *args, env=env)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(f"duet-board: cannot start {cc}: Resource temporarily unavailable\n", r.stderr)
            self.assertNotIn("install g", r.stderr)
        # the sketch's preprocessing (which lines each core keeps) could not write its input (a
        # full $TMPDIR): the build went on without it and failed on the other core's code,
        # 'helpers.ino uses M4Only, which neither the sketch nor duet's Arduino layer defines'
        env = dict(self.env, LD_PRELOAD=FAIL_IO, FAIL_WRITE_SUFFIX=".lines.cpp")
        r = run("build", "--core", "m7", "-o", os.path.join(self.dir, "unbuilt"), sketch, env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"^duet-board build: cannot write \S+/duet-sketch-\w+/tabs\.ino\.lines\.cpp: "
                                   r"No space left on device\n$")
        self.assertEqual(os.listdir(self.env["TMPDIR"]), [])
        # a sketch folder whose listing failed (EIO) was said to hold no tabs, as a usage error
        env = dict(self.env, LD_PRELOAD=FAIL_IO, FAIL_READDIR="1")
        r = run("build", "--core", "m7", "-o", os.path.join(self.dir, "unbuilt"), sketch, env=env)
        self.assertEqual((r.returncode, r.stderr),
                         (1, f"duet-board build: cannot read the folder {sketch}: Input/output error\n"))

    def test_a_cross_build_out_of_memory_says_so(self):
        # a name of duet's Arduino layer that strdup() could not copy stayed NULL in the list
        # compile_layer (sketch_cross.c) sorted: duet-board crashed in qsort (SIGSEGV). The
        # layer is built only when the cache lacks it: an empty cache here.
        cache = os.path.join(self.dir, "empty_cache")
        env = dict(self.env, LD_PRELOAD=FAIL_IO, FAIL_STRDUP_SUFFIX="Print.cpp", DUET_BOARD_CACHE=cache)
        sketch = os.path.join(SOURCE, "tests", "arduino", "sketches", "led_m7.ino")
        r = run("build", "--target", "an521", "--core", "m7", "-o", os.path.join(self.dir, "unbuilt.elf"), sketch,
                env=env)
        self.assertEqual((r.returncode, r.stderr), (1, "duet-board build: out of memory\n"))
        # The GIGA's compile commands: a copy of one of their words that could not be made was
        # said as "too many files for one command (at most N)"
        env = dict(self.env, LD_PRELOAD=FAIL_IO, FAIL_STRDUP_SUFFIX="-DCORE_CM7")
        r = run("build", "--target", "giga", "--core", "m7", "-o", os.path.join(self.dir, "unbuilt_giga"),
                os.path.join(self.dir, "p_m7.c"), env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"^duet-board build: [^\n]*: out of memory\n$")

    def test_an_image_that_cannot_be_read_is_named_not_the_flash(self):
        # a read of the program that failed (a failing disk) was said as 'cannot write
        # BOARD/flash/0x08040000: Input/output error', which sent the user to the board
        image = os.path.realpath(self.image("m7"))
        board = os.path.join(self.dir, "read_board")
        env = dict(self.env, LD_PRELOAD=FAIL_IO, FAIL_READ_PATH=image)
        r = run("upload", "--core", "m7", "--board", board, image, env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stderr, f"duet-board upload: cannot read {image}: Input/output error\n")
        self.assertEqual(sorted(os.listdir(os.path.join(board, "flash"))), [])
        # the board's flash that could not be looked at (EIO) was said to be no board, with the
        # advice to remove the board (its flash with it)
        env = dict(self.env, LD_PRELOAD=FAIL_IO, FAIL_STAT_SUFFIX="/flash")
        r = run("upload", "--core", "m7", "--board", board, self.image("m7"), env=env)
        self.assertEqual((r.returncode, r.stderr),
                         (1, f"duet-board upload: {board}/flash: Input/output error\n"))

    def test_a_one_shot_board_that_cannot_be_removed_is_said(self):
        # the one-shot board's directory was left in $TMPDIR in silence when a file of it could
        # not be removed (and the removal stopped there)
        env = dict(self.env, LD_PRELOAD=FAIL_IO, FAIL_UNLINK_NAME="sram4")
        r = run("run", "--quiet", "--seconds", "0.3", "--m7", self.image("m7"), "--m4", self.image("m4"), env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        left = os.listdir(self.env["TMPDIR"])
        self.assertEqual(len(left), 1, left)
        board = os.path.join(self.env["TMPDIR"], left[0])
        self.assertEqual(r.stderr, f"duet-board run: the one-shot board {board} could not be removed "
                                   "(Input/output error): remove it by hand\n")
        self.assertEqual(os.listdir(board), ["sram4"])  # the rest was removed
        shutil.rmtree(board)

    def test_m4_crash_reaches_the_m7_at_once(self):
        r = self.tool("run", "--seconds", "3", "--m7", self.image("caller_m7"), "--m4", self.image("crash_m4"))
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("duet-board run: the M4 crashed: SIGSEGV", r.stderr)
        self.assertRegex(r.stderr, r"M4 +stopped: SIGSEGV\n")
        m = re.search(r"die: (-?\d+) after (\d+) ms: (.*)", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        self.assertEqual(int(m.group(1)), -9)  # DUET_ERR_LINK_DOWN
        self.assertLess(int(m.group(2)), 1000, "the M7 learns at once, not after the call's 5 s timeout")
        # the failing call's own text says why, not only the next duet_poll()
        self.assertEqual(m.group(3), "die: link down: the M4 stopped: SIGSEGV")
        self.assertIn("poll: -9 link: the M4 stopped: SIGSEGV", r.stdout)

    def test_an_m4_crash_the_m7_learned_is_never_lost_when_the_m7_ends_at_once(self):
        # the M7's thread that reaps the M4 told the M7 first and wrote the M4's end to the
        # board's log after: an M7 whose duet_begin() failed for it and returned at once took
        # that thread with it (about one run in four), and the log said "M4 stopped: the M7
        # stopped, and the M4 with it", the run "the M7 program returned 4": the crash lost
        for _ in range(12):
            r = self.tool("run", "--seconds", "5", "--m7", self.image("begin_or_quit_m7"), "--m4",
                          self.image("early_crash_m4"))
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertRegex(r.stderr, r"\] M4 +stopped: SIGSEGV\n")
            self.assertTrue(r.stderr.endswith("duet-board run: the M4 crashed: SIGSEGV\n"), r.stderr)

    def test_the_m4_stops_with_the_m7_and_both_have_an_end_line(self):
        r = self.tool("run", "--seconds", "10", "--m7", self.image("returning_m7"), "--m4", self.image("m4"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "M7 returns\n")
        self.assertRegex(r.stderr, r"M7 +stopped: the M7 program returned 0\n")
        self.assertRegex(r.stderr, r"M4 +stopped: the M7 stopped, and the M4 with it\n")

    def test_the_m7s_end_comes_after_what_it_did(self):
        # the M7 drives D2 2000 times and returns at once: its records were still in the pipe
        # when duet-board saw its process end, and its end line came among them (after a few
        # hundred of the changes); the VCD and the page read the same feed
        r = self.tool("run", "--seconds", "10", "--m7", self.image("burst_m7"))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stderr.splitlines()
        d2 = [i for i, line in enumerate(lines) if re.search(r"M7 +D2 (HIGH|LOW)$", line)]
        self.assertEqual(len(d2), 2000, r.stderr[-2000:])
        end = [i for i, line in enumerate(lines) if "M7    stopped: the M7 program returned 0" in line]
        self.assertEqual(len(end), 1, r.stderr[-2000:])
        self.assertGreater(end[0], d2[-1], "the M7's end line must come after its last change")

    def test_both_cores_on_one_peripheral_warn_once_naming_it_and_both_cores(self):
        r = self.tool("run", "--seconds", "1.5", "--m7", self.image("share_m7"), "--m4", self.image("share_m4"))
        self.assertEqual(r.returncode, 0, r.stderr)
        warnings = [line.split("warning: ", 1)[1] for line in r.stderr.splitlines() if "warning: " in line]
        adc = [w for w in warnings if w.startswith("both cores use the ADC (analogRead of A")]
        self.assertEqual(len(adc), 1, warnings)  # once, though both read it every 20 ms
        self.assertIn(": the M4 and the M7 (the board's ADC is one for both", adc[0])
        rtc = [w for w in warnings if w.startswith("both cores use the RTC (setting the time): the M4 and the M7")]
        self.assertEqual(len(rtc), 1, warnings)
        servo = [w for w in warnings if w.startswith("both cores drive pin D5: the M4 (a servo) and the M7 (a servo)")]
        self.assertEqual(len(servo), 1, warnings)
        self.assertEqual(len(warnings), 3, warnings)

    def test_the_m4s_own_stdout_is_a_line_of_the_event_log(self):
        r = self.tool("run", "--seconds", "1.5", "--m7", self.image("share_m7"), "--m4", self.image("share_m4"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "", "the M4 has no USB Serial: nothing of it on the Serial Monitor")
        said = [line for line in r.stderr.splitlines()
                if "M4 says hi" in line or "a line" in line or "bell" in line or "newline" in line]
        self.assertEqual(len(said), 4, r.stderr)
        self.assertRegex(said[0], r"^\[ *\d+\.\d+ s\] M4 +stdout: M4 says hi$")
        self.assertRegex(said[1], r"^\[ *\d+\.\d+ s\] M4 +stdout: half a line$")  # two printf, one line
        # control bytes but tab escaped: a carriage return does not overwrite the line's start
        self.assertRegex(said[2], r"^\[ *\d+\.\d+ s\] M4 +stdout: tab\tcr\\rbell\\x07$")
        # a line never ended is shown after a moment (or at power-off)
        self.assertRegex(said[3], r"^\[ *\d+\.\d+ s\] M4 +stdout: no newline at the end$")
        r = self.tool("run", "--seconds", "1", "--quiet", "--m7", self.image("share_m7"), "--m4",
                      self.image("share_m4"))
        self.assertEqual((r.returncode, r.stderr), (0, ""), "--quiet: no event log, the M4's stdout included")

    def test_an_empty_loop_sleeps_until_a_doorbell(self):
        r = self.tool("run", "--seconds", "2.5", "--quiet", "--m7", self.image("idle_m7"), "--m4", self.image("idle_m4"))
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.fullmatch(r"loops (\d+)\n", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        # 1.5 s of an empty loop(): woken by the M4's few rings (and at most once a second),
        # not every millisecond (1500 calls)
        self.assertLess(int(m.group(1)), 60, "an empty loop() must not wake every millisecond")

    def test_a_sketch_outside_a_board_says_how_to_run_it_and_runs_no_loop(self):
        # Without a board there is no core to be and no doorbell to sleep on: setup() and
        # loop() never run (no loop() waking every millisecond), and one line says what to do.
        env = {k: v for k, v in self.env.items() if not k.startswith("DUET_")}
        t0 = time.monotonic()
        r = subprocess.run([self.image("idle_m7")], capture_output=True, text=True, timeout=30, env=env)
        self.assertEqual((r.returncode, r.stdout), (2, ""), r.stderr)
        self.assertEqual(r.stderr, "duet: this program runs on the emulated GIGA R1: duet-board run --m7 M7_PROGRAM "
                                   "--m4 M4_PROGRAM (docs/board.md)\n")
        self.assertLess(time.monotonic() - t0, 10)

    def test_m7_crash_is_reported(self):
        r = self.tool("run", "--seconds", "3", "--m7", self.image("m7_crash"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("duet-board run: the M7 crashed: SIGSEGV", r.stderr)

    def test_serial_input_reaches_the_m7(self):
        r = subprocess.run([TOOL, "run", "--seconds", "2", "--quiet", "--m7", self.image("caller_m7")],
                           input="hi", capture_output=True, text=True, timeout=30, env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("got h\ngot i\n", r.stdout)

    def test_ctrl_c_stops_the_board_and_leaves_nothing_behind(self):
        p = subprocess.Popen([TOOL, "run", "--m7", self.image("m7"), "--m4", self.image("m4")],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)
        time.sleep(1.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("M7 up", out)
        self.assertEqual(os.listdir(self.env["TMPDIR"]), [])

    def test_a_power_off_right_after_the_boot_is_prompt(self):
        # --seconds 1e-9 ends the run as the M7's process is being started: the SIGTERM that
        # powers it off must reach it then too (it was caught by duet-board's own handler,
        # still set in the child before its exec, and the M7 ran on until the SIGKILL a
        # second later)
        for _ in range(3):
            t0 = time.monotonic()
            r = self.tool("run", "--seconds", "1e-9", "--m7", self.image("m7"), "--m4", self.image("m4"))
            took = time.monotonic() - t0
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertLess(took, 0.5, r.stderr)
        self.assertEqual(os.listdir(self.env["TMPDIR"]), [])

    def test_a_damaged_board_says_what_to_do(self):
        # a board directory whose memory files are damaged (here control, cut to nothing):
        # run and reset say so, and what a person does about it, not which C function
        # would make a board
        board = os.path.join(self.dir, "b_damaged")
        self.assertEqual(self.tool("upload", "--board", board, "--core", "m7", self.image("m7")).returncode, 0)
        open(os.path.join(board, "control"), "w").close()
        for verb in (("run", "--seconds", "1"), ("reset",)):
            r = self.tool(*verb, "--board", board)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(r.stderr, f"duet-board {verb[0]}: {board}/control: 0 bytes, not 4096: not a duet board: "
                                       f"remove {board} and upload the programs again, or give another --board\n")

    def test_reset_and_a_second_run_on_a_running_board(self):
        # duet-board reset while a run ran the board cleared the board under it: the M4 was
        # stopped ("held in reset"), the M7 went on with its memory gone, and reset said "both
        # cores stopped"; a second run on the same board did the same to the first. Now reset
        # is the running board's reset button, and a second run is refused.
        board = os.path.join(self.dir, "b_running")
        for core in ("m7", "m4"):
            self.assertEqual(self.tool("upload", "--board", board, "--core", core, self.image(core)).returncode, 0)
        p = subprocess.Popen([TOOL, "run", "--board", board, "--seconds", "4"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=self.env)
        try:
            for _ in range(100):  # until its M4 runs
                time.sleep(0.05)
                if "the M4 runs" in self.tool("status", "--board", board).stdout:
                    break
            r = self.tool("status", "--board", board)
            self.assertIn(f"running: yes (duet-board run, pid {p.pid}; the M4 runs)\n", r.stdout)
            # an upload to the running board said nothing of when its program would run
            r = self.tool("upload", "--board", board, "--core", "m4", self.image("m4"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"duet-board upload: note: the board runs (duet-board run, pid {p.pid}): its cores go on "
                          "with the programs they started with; this one runs from the board's next reset "
                          "(duet-board reset)\n", r.stderr)
            r = self.tool("run", "--board", board, "--seconds", "1")
            self.assertEqual((r.returncode, r.stdout), (1, ""), r.stderr)
            self.assertEqual(r.stderr, f"duet-board run: the board at {board} is running already (duet-board run, pid "
                                       f"{p.pid}): stop that run first, press its reset with duet-board reset, or give "
                                       "another --board\n")
            time.sleep(0.3)
            r = self.tool("reset", "--board", board)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stderr, f"duet-board reset: {board}: the reset button of the running board (duet-board "
                                       f"run, pid {p.pid}): both cores stop and the M7 starts again from flash\n")
            out, err = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertEqual(p.returncode, 0, err)
        self.assertNotIn("held in reset", err)
        self.assertIn("] board reset: both cores start again from flash\n", err)
        self.assertEqual(len(re.findall(r"\] M7 +boots from", err)), 2, err)
        self.assertEqual(len(re.findall(r"\] M4 +running", err)), 2, err)
        self.assertEqual(out, "M7 up\nsensor 0\nM7 up\nsensor 0\n")
        r = self.tool("status", "--board", board)
        self.assertTrue(r.stdout.endswith("running: no\n"), r.stdout)

    def test_reset_keeps_the_flash(self):
        board = os.path.join(self.dir, "b_reset")
        self.assertEqual(self.tool("upload", "--board", board, "--core", "m7", self.image("m7")).returncode, 0)
        r = self.tool("reset", "--board", board)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.tool("status", "--board", board)
        self.assertIn("p_m7", r.stdout)

    def test_a_long_path_keeps_the_advice_after_it(self):
        # Error texts were cut at 1024 bytes (and 512 for an image's), so a long --board or
        # image path lost the sentence after it: what to do.
        deep = os.path.join(self.dir, *(["d" * 200] * 8))  # about 1,650 characters, not there
        r = self.tool("status", "--board", deep)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, f"duet-board status: no board at {deep} yet: upload a program first "
                         "(duet-board upload --core m7 IMAGE)\n")
        os.makedirs(deep)
        image = os.path.join(deep, "notes.txt")  # there, and no program
        with open(image, "w") as f:
            f.write("not a program\n")
        r = self.tool("upload", "--core", "m7", "--board", os.path.join(self.dir, "long"), image)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, f"duet-board upload: {image} is not a program built for this PC (build it with "
                         "duet-board build)\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)

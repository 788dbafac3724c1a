#!/usr/bin/env python3
"""test_target_sketches.py - the guide's Arduino sketches, unchanged, on the Cortex-M targets.

    test_target_sketches.py DUET_BOARD an521|giga SOURCE_DIR

Takes the sketches out of the guide (guide.txt, with guide_sketches.py) and builds them with
`duet-board build --target TARGET` for the core(s) each is written for, as a user would, with
sketches of this folder's own (threads, mbed's Mutex/join/callback, RPC.attach, one .ino for
both cores, containers and a MSGPACK_DEFINE struct, the M4 booted with bootM4() or
LL_RCC_ForceCM4Boot(), calls as forum sketches make them, analogReadResolution and
analogWriteResolution; on the an521 also a .cpp sketch and argument types). A build that
breaks fails the test.

giga: each image is checked as the C examples' are (tests/giga/check_image.py: vector table,
reset and doorbell vectors, sections inside the partition and the core's RAM, the .bin).

an521: the pairs that need no part the AN521 lacks run under QEMU (scripts/an521-qemu.sh, in
virtual time), and what a person would see on the M7's Serial is checked: the USB serial and
RTC pairs of the guide, the MicroPython LED sketch's LED as the M7 reads it back, core
identify running to its end without a fault, and this folder's sketches. (The sensor and
servo pairs need analog inputs and a servo, which the AN521 has not, and the booting sketch
shows nothing: the giga test builds them.)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import guide_sketches  # noqa: E402

GUIDE_SKETCHES = guide_sketches.GUIDE_SKETCHES
# The guide's MicroPython example runs with the 1.5 MB + 0.5 MB split.
SPLITS = {"micropython_rpc_led_m4": "75_25"}
# The an521 builds what it runs; the giga builds every guide sketch, and the sketches of ours
# that use threads, mbed's Mutex/join/callback and RPC.attach.
AN521_GUIDE = ["identifying_the_current_cpu_core", "usb_serial_using_rpc_m4", "usb_serial_using_rpc_m7",
               "rtc_rpc_m4", "rtc_rpc_m7", "micropython_rpc_led_m4"]
OWN_SKETCHES = {
    "an521": {"types_m4.ino": ["m4"], "types_m7.ino": ["m7"], "thread_m4.ino": ["m4"], "thread_m7.ino": ["m7"],
              "attach_m7.ino": ["m7"], "mbed_m4.ino": ["m4"], "hello_m7.cpp": ["m7"], "led_check_m7.ino": ["m7"],
              "both_cores.ino": ["m7", "m4"], "serial_rpc.ino": ["m7", "m4"], "shapes_m4.ino": ["m4"],
              "shapes_m7.ino": ["m7"], "users/boot_m4.ino": ["m7", "m4"], "users/force_boot.ino": ["m7", "m4"],
              "users/calls_m7.ino": ["m7"], "users/calls_m4.ino": ["m4"], "users/robot.ino": ["m7", "m4"],
              "users/resolution_m7.ino": ["m7"], "users/resolution_m4.ino": ["m4"]},
    "giga": {"attach_m7.ino": ["m7"], "mbed_m4.ino": ["m4"], "both_cores.ino": ["m7", "m4"],
             "serial_rpc.ino": ["m7", "m4"], "shapes_m4.ino": ["m4"], "shapes_m7.ino": ["m7"],
             "users/boot_m4.ino": ["m7", "m4"], "users/force_boot.ino": ["m7", "m4"],
             "users/calls_m7.ino": ["m7"], "users/calls_m4.ino": ["m4"], "users/robot.ino": ["m7", "m4"],
             "users/resolution_m7.ino": ["m7"], "users/resolution_m4.ino": ["m4"]},
}

from guide_sketches import check, summary  # noqa: E402


class Target:
    def __init__(self, tool, target, source_dir, work):
        self.tool, self.target, self.source_dir, self.work = tool, target, source_dir, work
        self.images = {}

    def build(self, name, source, core):
        image = os.path.join(self.work, "%s_%s.elf" % (name, core))
        cmd = [self.tool, "build", "--target", self.target, "--core", core, source, "-o", image]
        split = SPLITS.get(name, "50_50")
        if self.target == "giga":
            cmd[4:4] = ["--split", split]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if not check(p.returncode == 0, "build %s for the %s (--target %s)" % (name, core.upper(), self.target),
                     p.stdout + p.stderr):
            return
        self.images[(name, core)] = image
        if self.target == "giga":
            checker = os.path.join(self.source_dir, "tests", "giga", "check_image.py")
            bin_path = image[:-len(".elf")] + ".bin"
            c = subprocess.run(["/usr/bin/python3", checker, "--core", core, "--split", split, image, bin_path],
                               capture_output=True, text=True, timeout=120)
            check(c.returncode == 0, "the giga image of %s for the %s is placed right" % (name, core.upper()),
                  c.stdout + c.stderr)

    def run(self, m7, m4, seconds):
        """(status, M7's Serial, M4's UART) of a pair run for at most seconds of virtual time."""
        images = [self.images.get((m7, "m7")), self.images.get((m4, "m4"))]
        if None in images:
            return None, "", ""
        script = os.path.join(self.source_dir, "scripts", "an521-qemu.sh")
        p = subprocess.run([script, "--seconds", str(seconds)] + images, capture_output=True, timeout=seconds + 120)
        out = p.stdout.decode("utf-8", "replace")
        m7_lines = [l for l in out.split("\n") if not l.startswith("M4| ")]
        m4_lines = [l[4:] for l in out.split("\n") if l.startswith("M4| ")]
        print("  %s + %s: exit %d\n    %s\n  stderr: %s" % (m7, m4, p.returncode, out.replace("\n", "\n    ")[-1500:],
                                                          p.stderr.decode("utf-8", "replace")[-600:]))
        return p.returncode, "\n".join(m7_lines), "\n".join(m4_lines)


def lines_of(text):
    """The whole lines of text: a last line without its newline was cut off when the time
    limit stopped QEMU, and does not count."""
    return [l.rstrip("\r") for l in text.split("\n")[:-1] if l.rstrip("\r")]


def run_an521(t):
    # Pairs run in QEMU's virtual time (-icount): seconds of the sketch, not of the host.
    status, out, _ = t.run("usb_serial_using_rpc_m7", "usb_serial_using_rpc_m4", 6)
    lines = lines_of(out)
    # (How many lines come depends on how fast the host runs QEMU: the time limit is the host's.
    # One loaded 5 times over its 2 cores showed fewer than 3 in 4 s.)
    check(status == 124 and len(lines) >= 2 and all(l == "Printed from M4 core" for l in lines),
          "an521 USB serial: the M7 shows the M4's 'Printed from M4 core' lines", repr(out))

    status, out, _ = t.run("rtc_rpc_m7", "rtc_rpc_m4", 4)
    lines = lines_of(out)
    check(lines[:2] == ["M7: Serial connection initiated", "M4: Reading the RTC."],
          "an521 RTC: the M7's greeting, then the M4's", repr(out))
    # Seconds since 11:58:00, the time the sketch sets: in virtual time an idle machine may
    # run past the minute (or the hour) within the host's limit.
    seconds = [(int(m.group(1)) - 11) * 3600 + (int(m.group(2)) - 58) * 60 + int(m.group(3))
               for m in (re.fullmatch(r"M4 System Clock: 2024-10-01 (\d\d):(\d\d):(\d\d)", l) for l in lines[2:]) if m]
    check(status == 124 and len(seconds) >= 3 and len(seconds) == len(lines) - 2 and seconds[0] <= 1
          and all(0 <= b - a <= 2 for a, b in zip(seconds, seconds[1:])) and seconds[-1] - seconds[0] >= 2,
          "an521 RTC: the M4 prints the clock from the date it set, a second per line", repr(out))

    status, out, m4 = t.run("identifying_the_current_cpu_core", "identifying_the_current_cpu_core", 5)
    check(status == 124 and "duet:" not in out + m4,
          "an521 core identify: both cores blink and the M4 boots, without a fault, until the time is up",
          "exit %s: %r %r" % (status, out, m4))

    status, out, _ = t.run("led_check_m7", "micropython_rpc_led_m4", 4)
    check(status == 124 and lines_of(out) == ["LEDG on", "LEDG off"] * 3 + ["done"],
          "an521 MicroPython LED: the M4's led() switches its green LED as the M7 calls it", repr(out))

    status, out, _ = t.run("types_m7", "types_m4", 4)
    check(lines_of(out) == ["2.167", "LED#7", "5.00", "-42", "refused: scale: argument 1: expected double, got str",
                            "refused: scale: argument 2: the value does not fit uint8",
                            "refused: average: expected 3 arguments, got 2", "done"],
          "an521 types: arguments and results of every type, wrong calls refused with the function's name",
          repr(out))

    status, out, _ = t.run("shapes_m7", "shapes_m4", 4)
    check(lines_of(out) == ["11,12", "3 0 -3", "2 2", "1 2 3 (3)", "4 none", "F0", "p! -5,6",
                            "refused: move: argument 1: expected a map, got array",
                            "refused: sums: argument 1: element 2: element 1: expected int32, got str",
                            "refused: merge: argument 2: element 1: expected int32, got str",
                            "refused: flip: argument 1: the value does not fit std::byte",
                            "refused: rename: argument 1: expected a map, got int", "done"],
          "an521 shapes: MSGPACK_DEFINE_MAP structs (with MSGPACK_NVP and MSGPACK_BASE_MAP), a vector of vectors, "
          "a map, a tuple, a set, a list, an optional and a std::byte both ways; a value of the wrong shape refused "
          "saying where", repr(out))

    status, out, _ = t.run("hello_m7", "types_m4", 3)
    check(lines_of(out) == ["hello from a .cpp sketch", "-7"], "an521: a .cpp sketch builds and runs", repr(out))

    status, out, _ = t.run("thread_m7", "thread_m4", 4)
    got = [re.fullmatch(r"M4 thread: tally (\d+), served (\d+)", l) for l in lines_of(out)]
    served = [int(m.group(2)) for m in got if m]
    check(len(got) == 5 and all(got) and [int(m.group(1)) for m in got] == [1, 3, 6, 10, 15]
          and served == sorted(served) and served[-1] > served[0],
          "an521 thread: the M4's rtos::Thread calls the M7 five times while the M4 serves the M7's calls",
          repr(out))

    status, out, _ = t.run("both_cores", "both_cores", 4)
    check(lines_of(out) == ["M4: twice 1 is 2", "M4: twice 2 is 4", "M4: twice 3 is 6"],
          "an521 both cores: one .ino with #ifdef CORE_CM7 / #else, built for each core, runs as a pair",
          repr(out))

    status, out, _ = t.run("serial_rpc", "serial_rpc", 4)
    check(lines_of(out) == ["M4: checksum of 300 bytes: 92 5E 14 2C"],
          "an521 serial_rpc: the M4's SerialRPC prints on the M7's Serial, bytes go both ways as "
          "std::vector<uint8_t>", repr(out))

    status, out, _ = t.run("force_boot", "force_boot", 3)
    check(status == 124 and len(lines_of(out)) >= 2
          and lines_of(out) == ["M4 says %d" % (i + 1) for i in range(len(lines_of(out)))],
          "an521 force_boot: the M4 started by LL_RCC_ForceCM4Boot() (bootM4()) runs, and RPC.begin() after it "
          "links the cores", repr(out))

    status, out, _ = t.run("calls_m7", "calls_m4", 3)
    check(lines_of(out) == ["%d,%d,%d,%d first=%d item %d sum=%d t=21 scaled=3.75" % (
              1000 + i, 150 + i, 1200 + i, 300 + i, 1000 + i, i + 1, 4000000001 + i) for i in range(3)],
          "an521 calls: char *, String and uint32_t results, lambdas, a call without .as<>(), Serial.printf",
          repr(out))

    status, out, _ = t.run("robot", "robot", 3)
    got = [re.fullmatch(r"front (\d+) back (\d+)", l) for l in lines_of(out)]
    check(len(got) >= 2 and all(got) and all(2 * int(m.group(1)) == int(m.group(2)) for m in got)
          and all(int(a.group(1)) < int(c.group(1)) for a, c in zip(got, got[1:])),
          "an521 robot: one sketch whose setup() runs each core's loop forever; the M7 reads the M4's "
          "MSGPACK_DEFINE_ARRAY struct twice a second", repr(out))

    status, out, _ = t.run("attach_m7", "mbed_m4", 6)
    check(lines_of(out) == ["M4 says joined: count 1000", "M4 says callback: duet #7", "M4 says lambda: 43"],
          "an521 mbed: two threads count under a Mutex and are joined, mbed::callback calls a method and a "
          "lambda; RPC.attach's function shows each line on the M7", repr(out))


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("an521", "giga"):
        sys.exit("usage: test_target_sketches.py DUET_BOARD an521|giga SOURCE_DIR")
    tool, target, source_dir = os.path.abspath(sys.argv[1]), sys.argv[2], os.path.abspath(sys.argv[3])
    work = tempfile.mkdtemp(prefix="duet-%s-sketches-" % target)
    # duet-board's cache of compiled libraries, fresh for this run (the layer and the GIGA's
    # duet library are compiled once per core, then reused by the other builds).
    os.environ["DUET_BOARD_CACHE"] = os.path.join(work, "cache")
    try:
        guide = open(os.path.join(HERE, "guide.txt"), encoding="utf-8").read()
        found = dict(guide_sketches.sketches(guide))
        check(sorted(found) == sorted(GUIDE_SKETCHES), "the guide has the 11 sketches this test knows",
              "found: %s" % sorted(found))
        t = Target(tool, target, source_dir, work)
        for name, cores in sorted(GUIDE_SKETCHES.items()):
            path = os.path.join(work, name + ".ino")
            with open(path, "w", encoding="utf-8") as f:
                f.write(found.get(name, ""))
            for core in cores:
                if target == "giga" or name in AN521_GUIDE:
                    t.build(name, path, core)
        for file, cores in sorted(OWN_SKETCHES[target].items()):
            for core in cores:
                t.build(os.path.splitext(os.path.basename(file))[0], os.path.join(HERE, "sketches", file), core)
        if target == "an521":
            run_an521(t)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary()


if __name__ == "__main__":
    main()

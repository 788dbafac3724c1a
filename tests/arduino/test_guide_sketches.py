#!/usr/bin/env python3
"""test_guide_sketches.py - the guide's Arduino sketches, unchanged, on the emulated board.

Takes every sketch out of the guide (guide.txt, with guide_sketches.py), builds each with
`duet-board build` for the core(s) it is written for, and runs the guide's pairs with
`duet-board run`, checking what a person would see: the Serial Monitor (stdout), the LEDs,
the servo and the RTC in the event log. Then sketches of this folder's own (sketches/):
several argument types, float and string results, refusals, a thread that calls while
loop() runs, a halt on a wrong as<T>(), one .ino for both cores (#ifdef CORE_CM7 / #else),
one that tells the cores apart as it runs and prints through SerialRPC with bytes sent as
std::vector<uint8_t>, and builds that fail with a clear message.

usage: test_guide_sketches.py DUET_BOARD
"""
import os
import re
import statistics
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import guide_sketches  # noqa: E402

GUIDE_SKETCHES = guide_sketches.GUIDE_SKETCHES
OWN_SKETCHES = {
    "types_m4.ino": ["m4"], "types_m7.ino": ["m7"], "halt_m7.ino": ["m7"],
    "thread_m4.ino": ["m4"], "thread_m7.ino": ["m7"], "led_m7.ino": ["m7"], "hello_m7.cpp": ["m7"],
    "attach_m7.ino": ["m7"], "mbed_m4.ino": ["m4"], "both_cores.ino": ["m7", "m4"],
    "serial_rpc.ino": ["m7", "m4"], "shapes_m4.ino": ["m4"], "shapes_m7.ino": ["m7"],
}

from guide_sketches import check, failures, summary  # noqa: E402


class Board:
    def __init__(self, tool, work):
        self.tool, self.work = tool, work
        self.images = {}

    def build(self, name, source, core, expect_ok=True):
        image = os.path.join(self.work, "%s.%s" % (name, core))
        p = subprocess.run([self.tool, "build", "--core", core, source, "-o", image],
                           capture_output=True, text=True, timeout=180)
        if expect_ok:
            check(p.returncode == 0, "build %s for the %s" % (name, core.upper()), p.stderr)
        self.images[(name, core)] = image
        return p

    def run(self, m7, m4, seconds, *extra):
        """(status, Serial Monitor text, event lines) of a one-shot run."""
        log = os.path.join(self.work, "events.log")
        board = os.path.join(self.work, "board")
        shutil.rmtree(board, ignore_errors=True)
        cmd = [self.tool, "run", "--board", board, "--m7", self.images[(m7, "m7")],
               "--m4", self.images[(m4, "m4")], "--seconds", str(seconds), "--log", log] + list(extra)
        p = subprocess.run(cmd, capture_output=True, timeout=seconds + 60)
        # Bytes as the board wrote them: the Serial Monitor's "\r\n" stays.
        p.stdout, p.stderr = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        with open(log, encoding="utf-8", errors="replace") as f:
            events = f.read().splitlines()
        print("  $ %s\n  exit %d; Serial Monitor:\n    %s\n  stderr:\n    %s\n  events (%d):\n    %s" % (
            " ".join(os.path.basename(c) if c.startswith(self.work) else c for c in cmd), p.returncode,
            p.stdout.replace("\n", "\n    ")[-1500:], p.stderr.replace("\n", "\n    ")[-1500:], len(events),
            "\n    ".join(events[:12] + (["..."] if len(events) > 24 else []) + events[max(12, len(events) - 12):])))
        return p.returncode, p.stdout, p.stderr, events


EVENT = re.compile(r"^\[\s*([0-9.]+) s\]\s+(\S+)\s+(.*)$")


def events_of(events, core, pattern):
    """(time in ms, match) of each event of core whose text matches pattern."""
    out = []
    for line in events:
        m = EVENT.match(line)
        if m and m.group(2) == core:
            t = re.fullmatch(pattern, m.group(3))
            if t:
                out.append((float(m.group(1)) * 1000.0, t))
    return out


def serial_lines(text):
    return [line for line in text.split("\r\n")]


def test_extraction(sketch_dir):
    found = dict(guide_sketches.sketches(open(os.path.join(HERE, "guide.txt"), encoding="utf-8").read()))
    check(sorted(found) == sorted(GUIDE_SKETCHES), "the guide has the 11 sketches this test knows",
          "found: %s" % sorted(found))
    for name, code in found.items():
        with open(os.path.join(sketch_dir, name + ".ino"), "w", encoding="utf-8") as f:
            f.write(code)
    # Unchanged: each file is the guide's block byte for byte.
    guide = open(os.path.join(HERE, "guide.txt"), encoding="utf-8").read()
    check(all("```arduino\n" + code + "```" in guide for code in found.values()),
          "each extracted sketch is the guide's text unchanged")


def test_booting(b):
    status, out, err, ev = b.run("booting_m4_core", "usb_serial_using_rpc_m4", 2)
    check(status == 0, "booting sketch: the run ends normally", err)
    check(len(events_of(ev, "M4", r"boots.*")) == 1, "booting sketch: RPC.begin() on the M7 boots the M4 once")


def test_core_identify(b):
    status, out, err, ev = b.run("identifying_the_current_cpu_core", "identifying_the_current_cpu_core", 6)
    check(status == 0, "core identify: the run ends normally", err)
    blue = events_of(ev, "M7", r"LEDB on")
    green = events_of(ev, "M4", r"LEDG on")
    check(len(blue) == 10, "core identify: the M7 blinks the blue LED 10 times", "%d times" % len(blue))
    check(len(green) == 10, "core identify: the M4 blinks the green LED 10 times", "%d times" % len(green))
    check(not events_of(ev, "M7", r"LEDG on") and not events_of(ev, "M4", r"LEDB on"),
          "core identify: each core lights only its own LED")
    gaps = [b2[0] - b1[0] for b1, b2 in zip(blue, blue[1:])] + [g2[0] - g1[0] for g1, g2 in zip(green, green[1:])]
    # Never early; late only as a loaded machine makes it (a gap of 400 ms or more, one in
    # several runs beside the other tests): most gaps are 200 ms.
    check(gaps and all(150 <= g <= 1500 for g in gaps) and 150 <= statistics.median(gaps) <= 300,
          "core identify: a blink every 200 ms (LOW 100 ms, HIGH 100 ms)", "gaps: %s" % [round(g) for g in gaps])
    boot = events_of(ev, "M4", r"boots.*")
    check(boot and blue and green and blue[-1][0] <= boot[0][0] <= green[0][0],
          "core identify: the M4 boots when the M7's blinking ends (RPC.begin()), then blinks")


def test_usb_serial(b):
    status, out, err, ev = b.run("usb_serial_using_rpc_m7", "usb_serial_using_rpc_m4", 3.5)
    lines = [l for l in serial_lines(out) if l]
    check(status == 0, "USB serial: the run ends normally", err)
    check(3 <= len(lines) <= 5 and all(l == "Printed from M4 core" for l in lines) and out.endswith("\r\n"),
          "USB serial: the Serial Monitor shows 'Printed from M4 core' once a second", repr(out))


def test_sensor(b):
    status, out, err, ev = b.run("rpc_sensor_m7", "rpc_sensor_m4", 3.5, "--analog", "A0=512")
    lines = [l for l in serial_lines(out) if l]
    check(status == 0, "RPC sensor: the run ends normally", err)
    check(2 <= len(lines) <= 4 and all(l == "Result is 512" for l in lines),
          "RPC sensor: the M4 prints the M7's reading of A0 once a second", repr(out))


def test_servo(b):
    # (Not 90: the servo starts there when attached.)
    for a0, angle in ((0, 0), (256, 45), (1023, 180)):
        status, out, err, ev = b.run("rpc_servo_motor_m7", "rpc_servo_motor_m4", 2.6, "--analog", "A0=%d" % a0)
        lines = [l for l in serial_lines(out) if l]
        check(status == 0, "RPC servo, A0=%d: the run ends normally" % a0, err)
        check(len(lines) >= 1 and all(l == "Servo angle is: %d" % angle for l in lines),
              "RPC servo, A0=%d: the Serial Monitor shows the angle %d" % (a0, angle), repr(out))
        moves = events_of(ev, "M7", r"servo on (\S+) at (\d+) degrees")
        check(moves and all(m.group(1) == "D5" and int(m.group(2)) == angle for _, m in moves),
              "RPC servo, A0=%d: the M7 turns the servo on pin 5 to %d degrees" % (a0, angle),
              "\n".join(e for e in ev if "servo" in e))


def test_rtc(b):
    status, out, err, ev = b.run("rtc_rpc_m7", "rtc_rpc_m4", 3.5)
    lines = [l for l in serial_lines(out) if l]
    check(status == 0, "RTC: the run ends normally", err)
    check(lines[:2] == ["M7: Serial connection initiated", "M4: Reading the RTC."],
          "RTC: the M7's greeting, then the M4's", repr(out))
    clock = [re.fullmatch(r"M4 System Clock: 2024-10-01 11:58:(\d\d)", l) for l in lines[2:]]
    seconds = [int(m.group(1)) for m in clock if m]
    check(len(clock) >= 3 and all(clock), "RTC: the M4 prints the clock from the date it set (2024-10-01 11:58)",
          repr(out))
    check(seconds and seconds[0] <= 1 and all(0 <= s2 - s1 <= 2 for s1, s2 in zip(seconds, seconds[1:]))
          and seconds[-1] - seconds[0] >= 2, "RTC: the clock advances a second per line", str(seconds))
    check(events_of(ev, "M4", r"RTC set to .*"), "RTC: the event log shows the M4 setting the clock")


def test_micropython_led(b):
    status, out, err, ev = b.run("led_m7", "micropython_rpc_led_m4", 3.2, "--split", "75_25")
    check(status == 0, "MicroPython LED: the run ends normally", err)
    changes = events_of(ev, "M4", r"LEDG (on|off)")
    # pinMode(LEDG, OUTPUT) leaves the LED off (active low); then the calls switch it.
    while changes and changes[0][1].group(1) == "off":
        changes.pop(0)
    states = [m.group(1) for _, m in changes]
    check(len(states) >= 5 and states[0] == "on" and all(s1 != s2 for s1, s2 in zip(states, states[1:])),
          "MicroPython LED: the M4's green LED goes on and off as the M7 calls led(true/false)", str(states))
    gaps = [t2 - t1 for (t1, _), (t2, _) in zip(changes, changes[1:])]
    check(gaps and all(400 <= g <= 2000 for g in gaps) and 400 <= statistics.median(gaps) <= 700,
          "MicroPython LED: a change every 500 ms", str([round(g) for g in gaps]))
    check(events_of(ev, "M4", r"boots from 0x08180000"), "MicroPython LED: the M4 boots from the 1.5MB + 0.5MB split")


def test_types(b):
    status, out, err, ev = b.run("types_m7", "types_m4", 2)
    check(status == 0, "types: the run ends normally", err)
    check(serial_lines(out) == ["2.167", "LED#7", "5.00", "-42",
                                "refused: scale: argument 1: expected double, got str",
                                "refused: scale: argument 2: the value does not fit uint8",
                                "refused: average: expected 3 arguments, got 2", "done", ""],
          "types: int, long, float, double, bool, String and uint8 arguments; float, String, double and int "
          "results; wrong calls refused with the function's name", repr(out))


SHAPES_LINES = ["11,12", "3 0 -3", "2 2", "1 2 3 (3)", "4 none", "F0", "p! -5,6",
                "refused: move: argument 1: expected a map, got array",
                "refused: sums: argument 1: element 2: element 1: expected int32, got str",
                "refused: merge: argument 2: element 1: expected int32, got str",
                "refused: flip: argument 1: the value does not fit std::byte",
                "refused: rename: argument 1: expected a map, got int", "done"]


def test_shapes(b):
    status, out, err, ev = b.run("shapes_m7", "shapes_m4", 2)
    check(status == 0 and serial_lines(out) == SHAPES_LINES + [""],
          "shapes: MSGPACK_DEFINE_MAP structs (with MSGPACK_NVP and MSGPACK_BASE_MAP), a vector of vectors, a map, "
          "a tuple, a set, a list, an optional and a std::byte both ways; a value of the wrong shape refused saying "
          "where", repr(out) + err)


def test_cpp_sketch(b):
    status, out, err, ev = b.run("hello_m7", "types_m4", 2)
    check(status == 0 and serial_lines(out) == ["hello from a .cpp sketch", "-7", ""],
          "a .cpp sketch builds and runs as a .ino does", repr(out) + err)


def test_halt(b):
    status, out, err, ev = b.run("halt_m7", "types_m4", 2)
    check(serial_lines(out) == ["calling label", ""], "halt: the sketch stops at the wrong as<int>()", repr(out))
    check('M7: RPC.call("label").as<int32>(): label returned str, which is no int32' in err,
          "halt: the line names the call, the function and the types", err)
    check(status != 0, "halt: the run reports that the M7 stopped", "exit %d" % status)


def test_thread(b):
    status, out, err, ev = b.run("thread_m7", "thread_m4", 3)
    check(status == 0, "thread: the run ends normally", err)
    lines = [l for l in serial_lines(out) if l]
    got = [re.fullmatch(r"M4 thread: tally (\d+), served (\d+)", l) for l in lines]
    check(len(got) == 5 and all(got) and [int(m.group(1)) for m in got] == [1, 3, 6, 10, 15],
          "thread: the M4's thread calls the M7 five times and gets each answer", repr(out))
    served = [int(m.group(2)) for m in got if m]
    check(served and served == sorted(served) and served[-1] > served[0],
          "thread: the M4 serves the M7's calls while its thread calls", str(served))


def test_mbed(b):
    status, out, err, ev = b.run("attach_m7", "mbed_m4", 2)
    check(status == 0, "mbed: the run ends normally", err)
    check(serial_lines(out) == ["M4 says joined: count 1000", "M4 says callback: duet #7", "M4 says lambda: 43", ""],
          "mbed: two threads count under a Mutex and are joined, mbed::callback calls a method and a lambda; "
          "RPC.attach's function shows each line on the M7", repr(out))


def test_both_cores(b):
    # Each half has a type of its own and a function used before its definition: each core's
    # prototypes must be its own half's, in that half (the preprocessor's pass).
    status, out, err, ev = b.run("both_cores", "both_cores", 2)
    check(status == 0, "both cores: the run ends normally", err)
    check(serial_lines(out) == ["M4: twice 1 is 2", "M4: twice 2 is 4", "M4: twice 3 is 6", ""],
          "both cores: one .ino with #ifdef CORE_CM7 / #else builds for each core, and the pair runs: the M4 "
          "calls the M7's twice() and the M7 shows what the M4 prints", repr(out))


def test_serial_rpc(b):
    # The M4 prints through SerialRPC (the "tty" notification) and gets a checksum of 300 bytes
    # from the M7 (std::vector<uint8_t> both ways): 300 bytes of i * 7 sum to 0x925E, xor to 0x14.
    status, out, err, ev = b.run("serial_rpc", "serial_rpc", 2)
    check(status == 0, "serial_rpc: the run ends normally", err)
    check(serial_lines(out) == ["M4: checksum of 300 bytes: 92 5E 14 2C", ""],
          "serial_rpc: one .ino for both cores (RPC.cpu_id()), the M4's SerialRPC prints on the M7's Serial and "
          "its std::vector<uint8_t> call returns the M7's bytes", repr(out))


def test_build_errors(b):
    p = b.build("missing", os.path.join(HERE, "sketches", "missing.ino"), "m7", expect_ok=False)
    check(p.returncode != 0, "missing: the build fails")
    check("duet-board build: missing.ino uses WiFi, which neither the sketch nor duet's Arduino layer defines" in p.stderr
          and "duet-board build: missing.ino uses rtos::Thread::get_id," in p.stderr,
          "missing: the build names what the layer lacks", p.stderr)
    p = b.build("typo", os.path.join(HERE, "sketches", "typo.ino"), "m4", expect_ok=False)
    check(p.returncode != 0 and re.search(r"typo\.ino:6:1: error: expected", p.stderr),
          "typo: the compiler's message points at the sketch's own line", p.stderr)
    # C++ without exceptions and RTTI, as the GIGA's Arduino core builds a sketch: a throw or a
    # typeid fails on the PC as on the board.
    for name, body, lacks in (("throws", "  if (millis() > 1000)\n    throw 1;\n", "exceptions"),
                              ("rtti", "  Serial.println(typeid(Serial).name());\n", "RTTI")):
        path = os.path.join(b.work, name + ".ino")
        with open(path, "w", encoding="utf-8") as f:
            f.write("#include <typeinfo>\nvoid setup() {\n" + body + "}\nvoid loop() {\n}\n")
        p = b.build(name, path, "m7", expect_ok=False)
        check(p.returncode != 0 and re.search(r"%s\.ino:\d+:\d+: error: .*-f(no-)?(exceptions|rtti)" % name, p.stderr),
              "%s: the sketch is compiled without %s, as on the board" % (name, lacks), p.stderr)
    # A sketch with #if whose preprocessor pass fails (a missing header): the build says so
    # once, as the compile says it, with the line naming what the layer lacks.
    wifi = os.path.join(b.work, "wifi_m7.ino")
    with open(wifi, "w", encoding="utf-8") as f:
        f.write("#ifdef CORE_CM7\n#include <WiFi.h>\n#endif\nvoid setup() {\n}\nvoid loop() {\n}\n")
    p = b.build("wifi", wifi, "m7", expect_ok=False)
    check(p.returncode != 0 and p.stderr.count("WiFi.h: No such file or directory") == 1
          and "duet-board build: wifi_m7.ino includes WiFi.h, which duet's Arduino layer does not have" in p.stderr
          and re.search(r"wifi_m7\.ino:2:10: fatal error", p.stderr),
          "wifi: a failed preprocessor pass leaves the compile's own message, once, at the sketch's line", p.stderr)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: test_guide_sketches.py DUET_BOARD")
    tool = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="duet-guide-sketches-")
    try:
        sketch_dir = os.path.join(work, "guide")
        os.makedirs(sketch_dir)
        test_extraction(sketch_dir)
        b = Board(tool, work)
        for name, cores in sorted(GUIDE_SKETCHES.items()):
            for core in cores:
                b.build(name, os.path.join(sketch_dir, name + ".ino"), core)
        for file, cores in sorted(OWN_SKETCHES.items()):
            for core in cores:
                b.build(os.path.splitext(file)[0], os.path.join(HERE, "sketches", file), core)
        if failures:
            sys.exit("%d failed: %s" % (len(failures), failures))
        for test in (test_booting, test_core_identify, test_usb_serial, test_sensor, test_servo, test_rtc,
                     test_micropython_led, test_types, test_shapes, test_cpp_sketch, test_halt, test_thread, test_mbed,
                     test_both_cores, test_serial_rpc):
            test(b)
        test_build_errors(b)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary()


if __name__ == "__main__":
    main()

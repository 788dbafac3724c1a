#!/usr/bin/env python3
"""test_user_sketches.py - dual-core sketches as GIGA R1 and Portenta H7 users write them.

    test_user_sketches.py DUET_BOARD

The sketches in sketches/users/ are ours, each written to a pattern that sketches on
Arduino's forum and docs use beyond the guide's (docs/arduino.md, "How it is tested"):
booting the M4 with bootM4() or LL_RCC_ForceCM4Boot(), a core that never waits, the ways
they call between the cores and print (a setup() that runs each core's loop forever too),
and what duet has not. Each is built with `duet-board build` for the emulated board and
run, and what a person would see (the Serial Monitor, the LEDs in the event log) is checked.
test_target_sketches.py builds them for the GIGA R1 and the AN521.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from guide_sketches import check, summary  # noqa: E402
from test_guide_sketches import Board, events_of, serial_lines  # noqa: E402

USERS = os.path.join(HERE, "sketches", "users")


def build_both(b, name):
    ok = True
    for core in ("m7", "m4"):
        p = b.build(name, os.path.join(USERS, name + ".ino"), core)
        ok = ok and p.returncode == 0
    return ok


def test_boot_m4(b):
    """bootM4() on the M7 starts the M4 at once, with no RPC on either core."""
    if not build_both(b, "boot_m4"):
        return
    status, out, err, ev = b.run("boot_m4", "boot_m4", 2)
    check(status == 0, "boot_m4: the run ends normally", err)
    check(serial_lines(out)[:2] == ["M7: starting the M4", "M7: the M4 is on its way"],
          "boot_m4: the M7's setup() goes on after bootM4()", repr(out))
    boots = events_of(ev, "M4", r"boots.*")
    red = events_of(ev, "M4", r"LEDR on")
    blue = events_of(ev, "M7", r"LEDB on")
    check(len(boots) == 1 and boots[0][0] < 500, "boot_m4: bootM4() boots the M4 once, at once",
          "boots at %s ms" % [round(t) for t, _ in boots])
    check(len(red) >= 2 and len(blue) >= 2, "boot_m4: both cores blink their LEDs",
          "%d red, %d blue" % (len(red), len(blue)))
    # With no M4 program on the board, bootM4() says so and the M7 goes on.
    board = os.path.join(b.work, "empty_board")
    p = subprocess.run([b.tool, "run", "--board", board, "--m7", b.images[("boot_m4", "m7")], "--seconds", "1"],
                       capture_output=True, text=True, timeout=60)
    check(p.returncode == 0 and "M7: bootM4(): no program at 0x08100000 to boot (upload one for the M4)" in p.stderr
          and "M7: the M4 is on its way" in p.stdout,
          "boot_m4: without an M4 program bootM4() says so, and the M7's sketch goes on", p.stdout + p.stderr)


def test_force_boot(b):
    """LL_RCC_ForceCM4Boot() on the M7, then RPC.begin() on both: the M4's prints arrive."""
    if not build_both(b, "force_boot"):
        return
    status, out, err, ev = b.run("force_boot", "force_boot", 2)
    check(status == 0, "force_boot: the run ends normally", err)
    lines = [l for l in serial_lines(out) if l]
    check(2 <= len(lines) <= 5 and lines == ["M4 says %d" % (i + 1) for i in range(len(lines))],
          "force_boot: the M4 started by LL_RCC_ForceCM4Boot() prints through RPC", repr(out))
    check(len(events_of(ev, "M4", r"boots.*")) == 1, "force_boot: the M4 boots once (RPC.begin() after it)")


def test_busy_loop(b):
    """The M4 never waits, so it never answers: the M7's call times out saying why."""
    if not build_both(b, "busy_loop"):
        return
    status, out, err, ev = b.run("busy_loop", "busy_loop", 8, "--analog", "A0=300")
    check(status != 0 and out == "" and "M7: RPC.call(\"sample\").as<int32>(): the call failed: sample: timed out "
          "(the M4 answers a call only where its sketch waits: in delay(), between two loop() calls, in a call or "
          "read of its own; a loop that never waits keeps it from answering)" in err,
          "busy_loop: a call the M4 never serves stops the M7 saying where the M4 would answer", err)


def test_robot(b):
    """setup() runs each core's loop forever, the M4's waiting in delay(): calls are served."""
    if not build_both(b, "robot"):
        return
    status, out, err, ev = b.run("robot", "robot", 2.2)
    lines = [l for l in serial_lines(out) if l]
    got = [re.fullmatch(r"front (\d+) back (\d+)", l) for l in lines]
    check(status == 0 and 2 <= len(got) <= 6 and all(got)
          and all(2 * int(m.group(1)) == int(m.group(2)) for m in got)
          and all(int(a.group(1)) < int(c.group(1)) for a, c in zip(got, got[1:])),
          "robot: a MSGPACK_DEFINE_ARRAY struct read .as<struct ranges>() twice a second from an M4 whose setup() "
          "never returns", repr(out) + err)


def test_current_cpu(b):
    """One sketch for both cores that tells them apart with a String from HAL_GetCurrentCPUID()."""
    if not build_both(b, "current_cpu"):
        return
    status, out, err, ev = b.run("current_cpu", "current_cpu", 2)
    lines = [l for l in serial_lines(out) if l]
    check(status == 0 and 2 <= len(lines) <= 5
          and lines == ["hello from the M4 #%d" % (i + 1) for i in range(len(lines))],
          "current_cpu: currentCPU() == \"M4\" on the M4 prints through the M7, whose own branch forwards it",
          repr(out) + err)


def test_calls(b):
    """The ways forum sketches call between the cores, and Serial.printf on the M7."""
    for core in ("m7", "m4"):
        if b.build("calls_" + core, os.path.join(USERS, "calls_%s.ino" % core), core).returncode != 0:
            return
    status, out, err, ev = b.run("calls_m7", "calls_m4", 2)
    check(status == 0, "calls: the run ends normally", err)
    want = ["%d,%d,%d,%d first=%d item %d sum=%d t=21 scaled=3.75" % (1000 + i, 150 + i, 1200 + i, 300 + i, 1000 + i,
                                                                     i + 1, 4000000001 + i)
            for i in range(3)]
    check(out == "\n".join(want) + "\n",
          "calls: a char * result (values packed in a text), a String, a uint32_t, lambdas and a call without "
          ".as<>(), printed with Serial.printf", repr(out))
    leds = [t.group(0) for _, t in events_of(ev, "M4", r"LEDG (on|off)")]
    check(leds[-3:] == ["LEDG on", "LEDG off", "LEDG on"], "calls: setLed(bool), called without .as<>(), runs",
          repr(leds))
    check("RPC failed" not in out + err and "failed" not in err, "calls: no call fails", err)
    # The M4's Serial is a UART on Arduino's core, which has no printf: neither has it here.
    path = os.path.join(b.work, "printf_m4.ino")
    with open(path, "w", encoding="utf-8") as f:
        f.write('void setup() {\n  Serial.printf("%d\\n", 1);\n}\nvoid loop() {\n}\n')
    p = b.build("printf_m4", path, "m4", expect_ok=False)
    check(p.returncode != 0 and "printf_m4.ino uses HardwareSerial::printf" in p.stderr,
          "calls: Serial.printf in a sketch for the M4 fails to build, as in the IDE", p.stderr)


def test_no_begin(b):
    """An M4 that never calls RPC.begin(): the M7's begin fails, and its call says so."""
    for core in ("m7", "m4"):
        if b.build("no_begin_" + core, os.path.join(USERS, "no_begin_%s.ino" % core), core).returncode != 0:
            return
    status, out, err, ev = b.run("no_begin_m7", "no_begin_m4", 7)
    check(status != 0 and out == "RPC.begin() failed\r\n"
          and "M7: RPC.begin() failed: handshake: the other core did not answer within 5 s (the M4's sketch must "
          "call RPC.begin() too)" in err
          and "M7: RPC.call(\"answer\").as<int32>(): the call failed: answer: RPC.begin() has not succeeded on "
          "this core (the line of its failure is above)" in err,
          "no_begin: the M7's RPC.begin() fails saying the M4 must call it too, and its call says RPC.begin() failed",
          repr(out) + "\n" + err)
    # A call on a core whose sketch never called RPC.begin().
    path = os.path.join(b.work, "never_begun_m7.ino")
    with open(path, "w", encoding="utf-8") as f:
        f.write('#include <RPC.h>\nvoid setup() {\n}\nvoid loop() {\n  RPC.call("answer").as<int>();\n}\n')
    if b.build("never_begun", path, "m7").returncode != 0:
        return
    p = subprocess.run([b.tool, "run", "--board", os.path.join(b.work, "never_begun_board"), "--m7",
                        b.images[("never_begun", "m7")], "--seconds", "2"], capture_output=True, text=True, timeout=60)
    check(p.returncode != 0 and "M7: RPC.call(\"answer\").as<int32>(): the call failed: answer: RPC.begin() has not "
          "succeeded on this core (call it first)" in p.stderr,
          "no_begin: a call on a core that never called RPC.begin() says to call it first", p.stderr)


def test_flood(b):
    """An M4 that calls and prints with no delay: every line reaches the Serial Monitor, in order."""
    for core in ("m7", "m4"):
        if b.build("flood_" + core, os.path.join(USERS, "flood_%s.ino" % core), core).returncode != 0:
            return
    status, out, err, ev = b.run("flood_m7", "flood_m4", 2)
    check(status == 0 and "failed" not in err, "flood: the run ends normally", err)
    lines = out.split("\r\n")[:-1]  # the last, cut off by the end of the run, does not count
    check(len(lines) >= 50 and lines == [str(i + 1) for i in range(len(lines))],
          "flood: every answer the M4 prints as fast as it can reaches the M7's Serial, in order, none lost",
          "%d lines, first %r, last %r" % (len(lines), lines[:3], lines[-3:]))


def test_resolution(b):
    """analogReadResolution(12) on the M7 and analogWriteResolution(12) on the M4, as GIGA sketches
    ask for a finer reading: A0's 10-bit input reads at 12 bits, the duty is a fraction of 4095."""
    for core in ("m7", "m4"):
        if b.build("resolution_" + core, os.path.join(USERS, "resolution_%s.ino" % core), core).returncode != 0:
            return
    status, out, err, ev = b.run("resolution_m7", "resolution_m4", 2, "--analog", "A0=700")
    check(status == 0 and "failed" not in err, "resolution: the run ends normally", err)
    lines = [l for l in serial_lines(out) if l]
    # 700 of 1023 at 12 bits: 700 << 2 with 700's top two bits below it, as a 16-bit reading
    # shifted down; the M4 writes it at 12 bits: 2802 / 4095 of 255 is 174.
    check(len(lines) >= 3 and lines[0] == "A0 at 12 bits: 2802" and "D6 at 2802/4095" in lines,
          "resolution: the M7 reads A0=700 at 12 bits as 2802 and the M4 gets it", repr(out))
    check(len(events_of(ev, "M4", r"D6 PWM 174/255")) >= 1 and len(events_of(ev, "M4", r"D7 PWM 175/255")) >= 1,
          "resolution: the event log shows the 12-bit duty 2802 and the 8-bit duty 175 as fractions of 255",
          "\n".join(ev))
    check(len(events_of(ev, "M7", r"warning: analogReadResolution: 17 bits is not 1\.\.16 .*"
                        r"the resolution stays 12 bits.*")) == 1,
          "resolution: analogReadResolution(17) is refused with a line on the event log", "\n".join(ev))


def test_not_there(b):
    """What users' sketches use that duet has not: the build names each, and says it is not there."""
    cases = (("msgpack_m7", '#include <RPC.h>\n#include <MsgPack.h>\nvoid setup() {\n}\nvoid loop() {\n}\n',
              ["duet-board build: msgpack_m7.ino includes MsgPack.h, which duet's Arduino layer does not have"]),
             ("pins_m4", "volatile int ticks = 0;\nvoid tick() {\n  ticks++;\n}\nvoid setup() {\n"
              "  tone(5, 440);\n  attachInterrupt(digitalPinToInterrupt(2), tick, RISING);\n"
              "  Serial1.begin(9600);\n  Serial1.println(pulseIn(3, HIGH));\n}\nvoid loop() {\n}\n",
              ["duet-board build: pins_m4.ino uses %s, which neither the sketch nor duet's Arduino layer defines" % n
               for n in ("tone", "attachInterrupt", "Serial1", "pulseIn")]))
    for name, text, lines in cases:
        path = os.path.join(b.work, name + ".ino")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        p = b.build(name, path, name[-2:], expect_ok=False)
        check(p.returncode != 0 and all(l in p.stderr for l in lines),
              "not there: %s fails to build with a line naming each thing duet has not" % name, p.stderr)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: test_user_sketches.py DUET_BOARD")
    tool = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="duet-user-sketches-")
    try:
        b = Board(tool, work)
        for test in (test_boot_m4, test_force_boot, test_busy_loop, test_robot, test_current_cpu, test_calls,
                     test_no_begin, test_flood, test_resolution, test_not_there):
            test(b)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary()


if __name__ == "__main__":
    main()

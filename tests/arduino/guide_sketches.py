#!/usr/bin/env python3
"""guide_sketches.py - the Arduino sketches of the GIGA R1 dual-core guide, taken from the guide.

Reads the guide (Markdown) and writes every ```arduino block that is a whole sketch (it has
setup() and loop()) to OUTDIR/<name>.ino, unchanged. A sketch is named after the section it
appears in, plus _m4 or _m7 when a "**M4 sketch:**" / "**M7 Sketch:**" label comes before it:
"### RPC Sensor" + "**M4 Sketch:**" -> rpc_sensor_m4.ino. Prints the names, one a line.

usage: guide_sketches.py GUIDE OUTDIR
"""
import os
import re
import sys

# Every whole sketch the guide has, by the name sketches() gives it, and the cores it is
# written for (the tests check that the guide still has exactly these).
GUIDE_SKETCHES = {
    "booting_m4_core": ["m7"],
    "identifying_the_current_cpu_core": ["m7", "m4"],
    "usb_serial_using_rpc_m4": ["m4"], "usb_serial_using_rpc_m7": ["m7"],
    "rpc_sensor_m4": ["m4"], "rpc_sensor_m7": ["m7"],
    "rpc_servo_motor_m4": ["m4"], "rpc_servo_motor_m7": ["m7"],
    "rtc_rpc_m4": ["m4"], "rtc_rpc_m7": ["m7"],
    "micropython_rpc_led_m4": ["m4"],
}


# What the sketch tests checked and failed: check() prints one line per check.
failures = []


def check(cond, what, detail=""):
    if cond:
        print("ok:   " + what)
    else:
        print("FAIL: " + what + ("\n      " + detail.replace("\n", "\n      ") if detail else ""))
        failures.append(what)
    return cond


def summary():
    """Ends a run of checks: the failed ones named and status 1, else 'all passed'."""
    if failures:
        sys.exit("%d failed: %s" % (len(failures), failures))
    print("all passed")


def slug(title):
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


def sketches(text):
    """(name, code) for each whole sketch, in the guide's order."""
    section, core, found = None, None, []
    fence = re.compile(r"^```(\w*)\s*$")
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = re.match(r"^#{2,4}\s+(.*?)\s*$", line)
        label = re.match(r"^\*\*(M4|M7) [Ss]ketch:?\*\*", line)
        opening = fence.match(line)
        if heading:
            section, core = slug(heading.group(1)), None
        elif label:
            core = label.group(1).lower()
        elif opening:
            body = []
            i += 1
            while i < len(lines) and not fence.match(lines[i]):
                body.append(lines[i])
                i += 1
            code = "".join(body)
            if opening.group(1) == "arduino" and re.search(r"\bvoid\s+setup\s*\(", code) \
                    and re.search(r"\bvoid\s+loop\s*\(", code):
                found.append((section + ("_" + core if core else ""), code))
            core = None if opening.group(1) == "arduino" else core
        i += 1
    return found


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: guide_sketches.py GUIDE OUTDIR")
    with open(sys.argv[1], encoding="utf-8") as f:
        found = sketches(f.read())
    os.makedirs(sys.argv[2], exist_ok=True)
    names = [name for name, _ in found]
    if len(set(names)) != len(names):
        sys.exit("guide_sketches.py: two sketches would get the same name: %s" % names)
    for name, code in found:
        with open(os.path.join(sys.argv[2], name + ".ino"), "w", encoding="utf-8") as f:
            f.write(code)
        print(name)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""check_weights.py CTEST BUILD_DIR [LIGHT_TEST...] - every test of the build has a weight.

make test runs ctest with two slots per core, and each test takes the slots of the share
of a core it keeps busy (cmake/test_weights.cmake): 2, or 1 for the light tests, those in
DUET_LIGHT_TESTS (given here). Fails when a test has no weight (its directory does not
call duet_weigh_tests()), or when a light test's weight is not 1 or a busy one's not 2.
Names in the light list that are no test of this build (a build without the QEMU tests, or
a test renamed) are said, not failed.
"""
import json
import subprocess
import sys


def main():
    ctest, build, light = sys.argv[1], sys.argv[2], set(sys.argv[3:])
    listing = subprocess.run([ctest, "--show-only=json-v1"], cwd=build, capture_output=True, text=True, check=True)
    weights = {}
    for test in json.loads(listing.stdout)["tests"]:
        props = {p["name"]: p["value"] for p in test.get("properties", [])}
        # (ctest leaves out a PROCESSORS of 1, the default)
        weights[test["name"]] = ([w for w in props.get("LABELS", []) if w in ("light", "busy")],
                                 props.get("PROCESSORS", 1))
    problems = []
    for name, (labels, slots) in sorted(weights.items()):
        want = ("light", 1) if name in light else ("busy", 2)
        if not labels:
            problems.append("%s has no weight: its CMakeLists.txt must call "
                            "cmake_language(DEFER CALL duet_weigh_tests)" % name)
        elif labels != [want[0]] or slots != want[1]:
            problems.append("%s is weighed %s with %s slots, not %s with %d" % (name, "+".join(labels), slots, *want))
    for name in sorted(light - set(weights)):
        print("note: DUET_LIGHT_TESTS names %s, which is no test of this build" % name)
    for p in problems:
        print("FAIL: " + p)
    print("%d tests weighed (%d light): %d problems" % (len(weights), len(light & set(weights)), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""check_core.py CPPCHECK COMPILE_COMMANDS REPO FALSE_POSITIVES - static analysis of the core.

Runs cppcheck (--enable=warning,portability) over every compilation of src/ that the build
makes, as CMake records them in COMPILE_COMMANDS (each file once per set of -D and -I flags:
the configurations src/ is built in, DUET_SMALL among them), with the known false positives
of FALSE_POSITIVES (a cppcheck suppressions file, each entry said why) left out.

Prints each finding as FILE:LINE: severity: id: message, then one summary line; exits 1 on
any finding, if cppcheck is missing or fails, or if no compilation of src/ is found. A
self-test first runs cppcheck the same way on a small made-up file with a NULL dereference,
and fails the run unless cppcheck finds it (a cppcheck that checks nothing passes nothing).
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

NAME = "static_analysis_core"
TEMPLATE = "{file}:{line}: {severity}: {id}: {message}"
FINDING = re.compile(r"^(.+?):(\d+): (\w+): (\w+): (.*)$")
PLANTED = """#include <stddef.h>
int planted(int x)
{
    int *p = NULL;
    if (x > 0)
        return x;
    return *p;
}
"""


def cppcheck_args(cppcheck, false_positives):
    # One process: 3 s over src/, and cppcheck 2.10 with -j2 drops a suppression's
    # symbolName (the false positives' entries would then hide nothing).
    return [cppcheck, "--enable=warning,portability", "--quiet", "-j1", "--template=" + TEMPLATE,
            "--suppress-xml=" + false_positives]


def run(args):
    """cppcheck's exit status and its findings (it writes them to stderr)."""
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    findings = [line for line in p.stderr.splitlines() if FINDING.match(line)]
    others = [line for line in p.stderr.splitlines() if line and not FINDING.match(line)]
    return p.returncode, findings, others


def core_compilations(compile_commands, repo):
    """The entries of compile_commands.json for files under repo/src, one per file and set
    of -D and -I flags."""
    src = os.path.join(os.path.realpath(repo), "src") + os.sep
    with open(compile_commands) as f:
        entries = json.load(f)
    seen, out = set(), []
    for e in entries:
        path = os.path.realpath(os.path.join(e["directory"], e["file"]))
        if not path.startswith(src):
            continue
        args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
        key = (path, tuple(sorted(a for a in args if a.startswith(("-D", "-I")))))
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def self_test(base, tmp):
    planted = os.path.join(tmp, "planted.c")
    with open(planted, "w") as f:
        f.write(PLANTED)
    rc, findings, others = run(base + [planted])
    if rc != 0 or not any(":7: " in line and "nullPointer" in line for line in findings):
        print(f"{NAME}: self-test failed: cppcheck did not find the NULL dereference planted at "
              f"planted.c:7 (exit {rc}; it said: {findings + others})")
        return False
    return True


def main():
    if len(sys.argv) != 5:
        print(__doc__.strip().splitlines()[0])
        return 2
    cppcheck, compile_commands, repo, false_positives = sys.argv[1:]
    found = shutil.which(cppcheck)
    if not found:
        print(f"{NAME}: {cppcheck} not found: install it (scripts/deps.sh test, Debian package cppcheck)")
        return 1
    if not os.path.exists(compile_commands):
        print(f"{NAME}: {compile_commands} missing: configure with CMAKE_EXPORT_COMPILE_COMMANDS ON "
              "(the top CMakeLists.txt sets it with the tests)")
        return 1
    version = subprocess.run([found, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    base = cppcheck_args(found, false_positives)
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        if not self_test(base, tmp):
            return 1
        entries = core_compilations(compile_commands, repo)
        if not entries:
            print(f"{NAME}: no compilation of {repo}/src in {compile_commands}")
            return 1
        project = os.path.join(tmp, "compile_commands.json")
        with open(project, "w") as f:
            json.dump(entries, f)
        rc, findings, others = run(base + ["--project=" + project])
    seconds = time.monotonic() - start
    root = os.path.realpath(repo) + os.sep
    for line in findings:
        print(line.replace(root, ""))
    if rc != 0:
        print("\n".join(others))
    files = len({e["file"] for e in entries})
    print(f"{NAME}: {version} --enable=warning,portability over {len(entries)} compilations of {files} "
          f"files of src/: {len(findings)} finding(s) (known false positives: "
          f"{os.path.basename(false_positives)}), {seconds:.1f} s")
    return 1 if findings or rc != 0 else 0


if __name__ == "__main__":
    sys.exit(main())

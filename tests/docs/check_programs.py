#!/usr/bin/python3
"""check_programs.py REPO DUET_BOARD [--cross] - the whole programs the docs show, copied out as
a reader copies them, built with duet-board and run where the docs say what they do.

1. README.md's first pair: the two columns of its first ```c block, saved under the names the
   text gives them, built and run with the ```sh block that follows it (duet-board from the
   build tree in place of build/bin/duet-board), with a time limit. What the sentence after
   that block says the run shows must show: the Serial line, once a second, on stdout; the
   value it has without --analog; each core's boot, run and stop in the event log (stderr).
2. Every other whole program of docs/*.md (a ```c or ```cpp block with an `int main(` or a
   `void setup(`) has a recipe in PROGRAMS below that builds it (and runs it where the doc
   says what it does); a program without one, or a recipe whose program is gone, fails.
   --cross (arm-none-eabi-gcc is there): the recipes for the boards run too.

Prints a line for each check, then `N checks passed, N failed`; exits 1 on any failure.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\w*)\s*$")
TIME_LEEWAY = 30  # seconds a run may take beyond its --seconds before it counts as hung


class Checks:
    """Counts the checks and prints each failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok: {what}")
        else:
            self.failed += 1
            print(f"FAILED: {what}" + (f"\n{detail}" if detail else ""))
        return ok


def blocks(text):
    """(first line number, language, lines, line after the block) of every fenced block."""
    found, lines, start = [], text.split("\n"), None
    for n, line in enumerate(lines, 1):
        m = FENCE.match(line)
        if start is None and m:
            start, lang = n, m.group(1)
        elif start is not None and line.strip() == "```":
            found.append((start, lang, lines[start:n - 1], n))
            start = None
    return found


def whole_programs(text):
    """The fenced C/C++ blocks that are a whole program: (line, lines)."""
    return [(n, body) for n, lang, body, _ in blocks(text)
            if lang in ("c", "cpp") and re.search(r"\bint main\s*\(|\bvoid setup\s*\(", "\n".join(body))]


def columns(body):
    """The two programs of a two-column block, as a reader copies each column: the right one
    starts where the second comment of the first line does."""
    col = body[0].find("/*", 1)
    if col < 0:
        return None
    left = [line[:col].rstrip() for line in body]
    right = [line[col:].rstrip() for line in body]
    return "\n".join(left).rstrip() + "\n", "\n".join(right).rstrip() + "\n"


def run(cmd, cwd, timeout):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, DUET_BOARD_HOME=cwd))


def board_command(line, board):
    """A ```sh line of the docs as argv, build/bin/duet-board (or duet-board) replaced by the
    duet-board under test."""
    argv = shlex.split(line.split(" #")[0])
    if argv and os.path.basename(argv[0]) == "duet-board":
        argv[0] = board
    return argv


def run_seconds(argv):
    i = argv.index("--seconds") if "--seconds" in argv else -1
    return float(argv[i + 1]) if i >= 0 else None


def event_lines(stderr, core, pattern):
    return [l for l in stderr.split("\n") if re.match(r"^\[ *[\d.]+ s\] %s +%s" % (core, pattern), l)]


def check_events(c, stderr, words, where):
    """The event log shows each core doing each of words (booting, running, stopping)."""
    known = {"booting": "boots from", "running": r"running \(its program started\)",
             "stopping": "stopped: the board was powered off"}
    for word in words:
        if not c.check(word in known, f"{where}: the test knows how to check '{word}' in the event log"):
            continue
        for core in ("M7", "M4"):
            c.check(len(event_lines(stderr, core, known[word])) == 1,
                    f"{where}: the event log shows the {core} {word}", stderr)


def readme_promise(prose):
    """What the sentence after the run says: (serial line, once a second, value without
    --analog or None, event words)."""
    serial = re.search(r"Serial Monitor \(stdout\) shows `([^`]+)`( once a second)?", prose)
    no_analog = re.search(r"without `--analog`, A0 reads (\d+)", prose)
    events = re.search(r"event log \(stderr\)[^.]*? each core ((?:\w+(?:, | and )?)+)", prose)
    words = re.split(r", | and ", events.group(1)) if events else []
    return (serial.group(1) if serial else None, bool(serial and serial.group(2)),
            no_analog.group(1) if no_analog else None, words)


def check_serial(c, stdout, line, seconds, once_a_second, where):
    """stdout is line, over and over (once a second: at most one more than the seconds, and
    at least one, two fewer at most: a loaded machine may take a second to start the pair);
    a last line without its newline that starts the same, the run's end cut short."""
    got = stdout.split("\n")
    if got and line.startswith(got[-1]):
        got.pop()
    c.check(got and all(l == line for l in got), f"{where}: stdout shows `{line}` and nothing else", stdout)
    if once_a_second:
        c.check(max(1, seconds - 2) <= len(got) <= seconds + 1,
                f"{where}: `{line}` once a second ({len(got)} times in {seconds:g} s)")


def readme_pair(c, repo, board, work):
    """README.md's first pair: copied, built and run as the README says."""
    with open(os.path.join(repo, "README.md")) as f:
        text = f.read()
    found = blocks(text)
    pair = next((b for b in found if b[1] == "c"), None)
    if not c.check(pair is not None, "README.md has a ```c block (the first pair)"):
        return
    start, _, body, end = pair
    names = re.search(r"save the left column as `([^`]+)` and the right one as\s+`([^`]+)`", text)
    progs = columns(body)
    if not c.check(names and progs, f"README.md:{start}: two columns, and the text names their files"):
        return
    for name, prog in zip(names.groups(), progs):
        with open(os.path.join(work, name), "w") as f:
            f.write(prog)
    sh = next((b for b in found if b[0] > end and b[1] == "sh"), None)
    if not c.check(sh is not None, f"README.md:{start}: a ```sh block after the pair"):
        return
    after = text.split("\n")[sh[3]:sh[3] + 6]
    serial, once, no_analog, words = readme_promise(" ".join(after))
    c.check(serial is not None and words, f"README.md:{sh[3]}: the text says what the run shows",
            "\n".join(after))
    for line in sh[2]:
        argv = board_command(line, board)
        seconds = run_seconds(argv)
        where = f"README.md:{sh[0]}: {line}"
        p = run(argv, work, (seconds or 0) + TIME_LEEWAY)
        if not c.check(p.returncode == 0, f"{where}: exits 0", p.stdout + p.stderr) or seconds is None:
            continue
        if serial:
            check_serial(c, p.stdout, serial, seconds, once, where)
        check_events(c, p.stderr, words, where)
        if no_analog is not None and "--analog" in argv:
            check_without_analog(c, argv, work, serial, no_analog, where)


def check_without_analog(c, argv, work, serial, value, where):
    """The README's `without --analog, A0 reads V`: the same run, 2.5 s, without it."""
    i = argv.index("--analog")
    given = argv[i + 1].split("=")[1]
    plain = argv[:i] + argv[i + 2:]
    plain[plain.index("--seconds") + 1] = "2.5"
    p = run(plain, work, 3 + TIME_LEEWAY)
    check_serial(c, p.stdout, serial.replace(given, value), 2, False, f"{where} (without --analog)")


def build(c, board, work, where, args):
    p = run([board, "build"] + args, work, 300)
    c.check(p.returncode == 0, f"{where}: duet-board build {' '.join(args)}", p.stdout + p.stderr)
    return p.returncode == 0


def rpc_one_line(c, board, work, where, program, cross):
    """docs/rpc.md's one-line forms: the same program on both cores; each calls add(1, 2) on the
    other (3), sends blink(3), and prints no error text (the stream stays empty)."""
    with open(os.path.join(work, "add.c"), "w") as f:
        f.write(program)
    if not (build(c, board, work, where, ["--core", "m7", "-o", "add_m7", "add.c"])
            and build(c, board, work, where, ["--core", "m4", "-o", "add_m4", "add.c"])):
        return
    p = run([board, "run", "--trace", "--seconds", "1", "--m7", "add_m7", "--m4", "add_m4"], work,
            1 + TIME_LEEWAY)
    for a, b in (("M4", "M7"), ("M7", "M4")):
        c.check(re.search(r"trace %s->%s call #\d+ add\(1, 2\) -> 3 in" % (a, b), p.stderr),
                f"{where}: the {b} answers the {a}'s add(1, 2) with 3", p.stderr)
        c.check(re.search(r"trace %s->%s notify blink\(3\)" % (b, a), p.stderr),
                f"{where}: the {b} sends blink(3)", p.stderr)
    c.check(" stream " not in p.stderr, f"{where}: no error text printed", p.stderr)


def giga_sdram(c, board, work, where, program, cross):
    """docs/giga.md's M7 program that runs the M4 from SDRAM: built for the GIGA R1 (split
    100_0) with an M4 image (README's M4 program) in m4_image[], as the doc's comments say."""
    if not cross:
        print(f"skipped: {where} (no --cross: arm-none-eabi-gcc is not there)")
        return
    m4 = os.path.join(work, "m4.c")
    if not c.check(os.path.exists(m4), f"{where}: README's m4.c for the M4 image"):
        return
    if not build(c, board, work, where, ["--target", "giga", "--core", "m4", "--split", "100_0",
                                         "-o", "sdram_m4.elf", "m4.c"]):
        return
    with open(os.path.join(work, "sdram_m4.bin"), "rb") as f:
        image = f.read()
    with open(os.path.join(work, "m4_image.c"), "w") as f:
        f.write("#include <stdint.h>\nconst uint8_t m4_image[] = {%s};\n"
                "const uint32_t m4_image_size = %d;\n" % (",".join(str(b) for b in image), len(image)))
    with open(os.path.join(work, "sdram_m7.c"), "w") as f:
        f.write(program)
    build(c, board, work, where, ["--target", "giga", "--core", "m7", "--split", "100_0",
                                  "-o", "sdram_m7.elf", "sdram_m7.c", "m4_image.c"])


# Each whole program of docs/*.md: (doc, the block's first line) -> its recipe.
PROGRAMS = {
    ("docs/rpc.md", '#include "duet/duet.h"'): rpc_one_line,
    ("docs/giga.md", '#include "duet/duet.h"'): giga_sdram,
}


def doc_programs(c, repo, board, work, cross):
    seen = set()
    docs = sorted(f for f in os.listdir(os.path.join(repo, "docs")) if f.endswith(".md"))
    for doc in docs:
        with open(os.path.join(repo, "docs", doc)) as f:
            text = f.read()
        for n, body in whole_programs(text):
            key = ("docs/" + doc, body[0])
            where = f"docs/{doc}:{n}"
            if not c.check(key in PROGRAMS, f"{where}: a whole program that a recipe in "
                           "check_programs.py builds"):
                continue
            seen.add(key)
            PROGRAMS[key](c, board, work, where, "\n".join(body) + "\n", cross)
    for key in sorted(set(PROGRAMS) - seen):
        c.check(False, f"{key[0]}: the program starting `{key[1]}` that PROGRAMS names")


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["--cross"]):
        sys.exit("usage: check_programs.py REPO DUET_BOARD [--cross]")
    repo, board = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    c = Checks()
    with tempfile.TemporaryDirectory(prefix="duet-docs-") as work:
        readme_pair(c, repo, board, work)
        doc_programs(c, repo, board, work, sys.argv[3:] == ["--cross"])
    print(f"{c.passed} checks passed, {c.failed} failed")
    return 1 if c.failed or not c.passed else 0


if __name__ == "__main__":
    sys.exit(main())

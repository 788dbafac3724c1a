#!/usr/bin/env python3
"""test_tabs.py - a sketch of several .ino tabs, built as the Arduino IDE builds a sketch folder.

sketches/tabs/ has two tabs: tabs.ino (the main one, named after its folder) calls functions
of helpers.ino, which use the main tab's type and global; helpers.ino has a function of an
M4-only type under #ifdef CORE_CM4 (the preprocessor's pass over the joined tabs must give it
no prototype on the M7). For the target given:

posix: the sketch is built for both cores (tabs given in either order, or its folder) and the M7's image runs
       on the emulated board, its Serial Monitor checked; without -o the image is named after
       the main tab (the namesake of the folder, else the first given, also when named from
       the folder itself); a compile error in the second tab names that tab and its own line; two
       tabs of one name from two folders, or tabs of two folders, are refused.
giga:  built for both cores, each image checked as placed right (tests/giga/check_image.py).
an521: built for both cores and run under QEMU, the M7's Serial checked.

A sketch folder with a src/ subfolder (src_sketch): its .cpp, .c and .S files, at any depth,
two of one base name, and a .S file beside the .ino, are built with the .ino, which calls them
(posix: run; giga: placed right; an521: run under QEMU); a .ino, hidden files and folders
under src/, and files in other subfolders are not compiled (each would fail the build); on
posix an error in a src/ file names its path, and Arm assembly fails with a sentence on why.

usage: test_tabs.py DUET_BOARD posix|giga|an521 SOURCE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TABS = os.path.join(HERE, "sketches", "tabs")
MAIN, HELPERS = os.path.join(TABS, "tabs.ino"), os.path.join(TABS, "helpers.ino")
EXPECTED = ["alpha = 2", "beta = 4", "gamma = 6", "total 12"]
failures = []


def check(cond, what, detail=""):
    print("%s: %s" % ("ok" if cond else "FAIL", what))
    if not cond:
        if detail:
            print("  " + detail.replace("\n", "\n  ")[-3000:])
        failures.append(what)
    return cond


def build(tool, target, core, sources, out=None, cwd=None):
    cmd = [tool, "build", "--target", target, "--core", core] + sources + (["-o", out] if out else [])
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=cwd)


def serial_lines(text):
    return [l.rstrip("\r") for l in text.split("\n") if l.rstrip("\r")]


SRC_EXPECTED = ["twice 21 = 42", "square 7 = 49", "half 42 = 21", "triple 14 = 42", "negate 5 = -5"]

# Assembly for the Cortex-M (giga, an521) and for this PC (posix), each under its #if: v * 3.
TRIPLE_S = """#if defined(__arm__)
    .syntax unified
    .thumb
    .text
    .global triple
    .type triple, %function
triple:
    add r0, r0, r0, lsl #1
    bx lr
#elif defined(__x86_64__)
    .text
    .globl triple
triple:
    leal (%rdi,%rdi,2), %eax
    ret
    .section .note.GNU-stack,"",@progbits
#else
#error "no triple for this processor"
#endif
"""

# The same for -v, in src/ (a .S file there is compiled too).
NEGATE_S = TRIPLE_S.replace("triple", "negate").replace("add r0, r0, r0, lsl #1", "rsbs r0, r0, #0").replace(
    "leal (%rdi,%rdi,2), %eax", "movl %edi, %eax\n    negl %eax")

# Arm assembly alone: the emulated board (this PC) cannot assemble it.
ARM_ONLY_S = ".syntax unified\n.thumb\n.text\n.global arm_only\narm_only:\n    bx lr\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def src_sketch(work):
    """A sketch folder whose .ino uses src/x.h, defined by src/util/x.cpp, src/more/x.cpp
    (the same base name) and src/more/deep/half.c; what arduino-cli does not compile (a .ino,
    hidden files and folders under src/, a file in another subfolder) would fail to."""
    sketch = os.path.join(work, "srcdir")
    write(os.path.join(sketch, "srcdir.ino"),
          '#include "src/x.h"\n\nvoid setup() {\n  Serial.begin(115200);\n'
          '  Serial.print("twice 21 = ");\n  Serial.println(twice(21));\n'
          '  Serial.print("square 7 = ");\n  Serial.println(square_of(7));\n'
          '  Serial.print("half 42 = ");\n  Serial.println(half(42));\n'
          '  Serial.print("triple 14 = ");\n  Serial.println(triple(14));\n'
          '  Serial.print("negate 5 = ");\n  Serial.println(negate(5));\n}\n\nvoid loop() {\n}\n')
    write(os.path.join(sketch, "src", "x.h"),
          '#pragma once\nint twice(int v);\nint square_of(int v);\nextern "C" int half(int v);\n'
          'extern "C" int triple(int v);\nextern "C" int negate(int v);\n')
    write(os.path.join(sketch, "src", "util", "x.cpp"), '#include "../x.h"\nint twice(int v) { return 2 * v; }\n')
    write(os.path.join(sketch, "src", "more", "x.cpp"),
          '#include "../x.h"\nint square_of(int v) { return v * v; }\n')
    write(os.path.join(sketch, "src", "more", "deep", "half.c"), "int half(int v) { return v / 2; }\n")
    write(os.path.join(sketch, "triple.S"), TRIPLE_S)
    write(os.path.join(sketch, "src", "asm", "negate.S"), NEGATE_S)
    broken = "this is not C or C++ (a build that compiles this file fails)\n"
    for never in (("src", "notatab.ino"), ("src", ".hidden.cpp"), ("src", ".hidden", "h.cpp"),
                  ("src", "CVS", "c.cpp"), ("src", ".hidden.S"), ("lib", "other.cpp"), ("data", "d.c"),
                  ("data", "d.S")):
        write(os.path.join(sketch, *never), broken)
    return sketch


def legacy_sketch(work):
    """A sketch folder whose main tab has the deprecated .pde extension, beside a .ino tab."""
    sketch = os.path.join(work, "legacy")
    write(os.path.join(sketch, "legacy.pde"),
          "void setup() {\n  Serial.begin(115200);\n  Serial.print(\"answer \");\n  Serial.println(answer());\n}\n"
          "\nvoid loop() {\n}\n")
    write(os.path.join(sketch, "extra.ino"), "int answer() {\n  return 42;\n}\n")
    return sketch


PDE_NOTE = "legacy.pde: the .pde extension is deprecated, as in arduino-cli (built all the same)"


def test_posix(tool, work):
    for core in ("m7", "m4"):
        # Given helper first: the tab named after the folder is the main one all the same.
        p = build(tool, "posix", core, [HELPERS, MAIN], cwd=work)
        image = os.path.join(work, "tabs_" + core)
        check(p.returncode == 0 and os.path.exists(image),
              "posix %s: the two tabs build into tabs_%s, named after the main tab" % (core, core), p.stderr)
    board = os.path.join(work, "board")
    p = subprocess.run([tool, "run", "--board", board, "--seconds", "1", "--quiet", "--m7",
                        os.path.join(work, "tabs_m7")], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0 and serial_lines(p.stdout) == EXPECTED,
          "posix: the main tab calls the second tab's functions, which use the main tab's type and global",
          repr(p.stdout) + p.stderr)

    # The sketch folder itself, as arduino-cli takes it: its .ino tabs (and .cpp, .c files).
    p = build(tool, "posix", "m7", [TABS], out=os.path.join(work, "folder_m7"))
    check(p.returncode == 0, "posix: the sketch folder builds, its tabs joined", p.stderr)
    p = subprocess.run([tool, "run", "--board", os.path.join(work, "board2"), "--seconds", "1", "--quiet", "--m7",
                        os.path.join(work, "folder_m7")], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0 and serial_lines(p.stdout) == EXPECTED, "posix: ...and runs as the tabs given do",
          repr(p.stdout) + p.stderr)
    p = build(tool, "posix", "m7", [TABS + "/"], cwd=work)
    check(p.returncode == 0 and os.path.exists(os.path.join(work, "tabs_m7")),
          "posix: without -o the folder's image is named after its main tab (tabs_m7)", p.stderr)
    empty = os.path.join(work, "empty")
    os.makedirs(empty)
    p = build(tool, "posix", "m7", [empty], out=os.path.join(work, "x"))
    check(p.returncode == 2 and "holds its .ino tabs (and .cpp, .c, .S files); this one has none" in p.stderr,
          "posix: a folder without sources is refused, naming every kind of file it takes", p.stderr)
    p = build(tool, "posix", "m7", [TABS, MAIN], out=os.path.join(work, "x"))
    check(p.returncode == 2 and "give a sketch folder alone" in p.stderr,
          "posix: a folder among other sources is refused", p.stderr)

    # src/: compiled recursively, as arduino-cli does; other subfolders, hidden files and
    # .ino there are not.
    sketch = src_sketch(work)
    p = build(tool, "posix", "m7", [sketch], out=os.path.join(work, "srcdir_m7"))
    check(p.returncode == 0,
          "posix: a folder's .S and src/ files (two named x.cpp, a .S) are built with it, nothing else", p.stderr)
    p = subprocess.run([tool, "run", "--board", os.path.join(work, "board3"), "--seconds", "1", "--quiet", "--m7",
                        os.path.join(work, "srcdir_m7")], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0 and serial_lines(p.stdout) == SRC_EXPECTED,
          "posix: ...and the .ino calls the functions of src/util/x.cpp, src/more/x.cpp, src/more/deep/half.c, "
          "triple.S and src/asm/negate.S",
          repr(p.stdout) + p.stderr)
    write(os.path.join(sketch, "src", "more", "deep", "broken.cpp"), "int broken() { return ; }\n")
    p = build(tool, "posix", "m7", [sketch], out=os.path.join(work, "x"))
    check(p.returncode == 1 and "src/more/deep/broken.cpp:1:" in p.stderr,
          "posix: a compile error in a src/ file names its path", p.stderr)
    os.remove(os.path.join(sketch, "src", "more", "deep", "broken.cpp"))
    write(os.path.join(sketch, "src", "arm_only.S"), ARM_ONLY_S)
    p = build(tool, "posix", "m7", [sketch], out=os.path.join(work, "x"))
    check(p.returncode == 1 and "src/arm_only.S" in p.stderr and "Arm assembly builds for --target giga or an521"
          in p.stderr, "posix: Arm assembly fails with the assembler's messages and why", p.stderr)

    # A main tab named .pde, as arduino-cli still takes it: built with a note, run.
    p = build(tool, "posix", "m7", [legacy_sketch(work)], cwd=work)
    check(p.returncode == 0 and PDE_NOTE in p.stderr and os.path.exists(os.path.join(work, "legacy_m7")),
          "posix: a .pde main tab builds (into legacy_m7), with a note that the extension is deprecated", p.stderr)
    p = subprocess.run([tool, "run", "--board", os.path.join(work, "board4"), "--seconds", "1", "--quiet", "--m7",
                        os.path.join(work, "legacy_m7")], capture_output=True, text=True, timeout=120)
    check(p.returncode == 0 and serial_lines(p.stdout) == ["answer 42"],
          "posix: ...and runs, calling its .ino tab's function", repr(p.stdout) + p.stderr)

    # Named without a folder, from the sketch's folder: the namesake is still the main tab.
    p = build(tool, "posix", "m7", ["helpers.ino", "tabs.ino"], out=os.path.join(work, "here_m7"), cwd=TABS)
    check(p.returncode == 0, "posix: tabs named from their folder build, tabs.ino as the main tab", p.stderr)
    # No tab named after its folder: the first given is the main tab, and names the image.
    plain = os.path.join(work, "plain")
    os.makedirs(plain)
    with open(os.path.join(plain, "zmain.ino"), "w") as f:
        f.write("void setup() {\n  Serial.begin(115200);\n  greet();\n}\nvoid loop() {\n}\n")
    with open(os.path.join(plain, "greet.ino"), "w") as f:
        f.write("void greet() {\n  Serial.println(\"hello from greet.ino\");\n}\n")
    p = build(tool, "posix", "m7", ["zmain.ino", "greet.ino"], cwd=plain)
    check(p.returncode == 0 and os.path.exists(os.path.join(plain, "zmain_m7")),
          "posix: without a tab named after the folder, the first given is the main tab (zmain_m7)", p.stderr)

    # A compile error in the second tab: the message names that tab and its own line.
    sketch = os.path.join(work, "broken")
    os.makedirs(sketch)
    with open(os.path.join(sketch, "broken.ino"), "w") as f:
        f.write("void setup() {\n  helper();\n}\nvoid loop() {\n}\n")
    with open(os.path.join(sketch, "more.ino"), "w") as f:
        f.write("// more.ino\n\nvoid helper() {\n  int x = ;\n}\n")
    p = build(tool, "posix", "m7", [os.path.join(sketch, "more.ino"), os.path.join(sketch, "broken.ino")],
              out=os.path.join(work, "broken_m7"))
    check(p.returncode != 0 and re.search(r"more\.ino:4:11: error: expected primary-expression", p.stderr)
          and "broken.ino:" not in p.stderr,
          "posix: an error in the second tab is reported at that tab's line (more.ino:4:11)", p.stderr)

    # A name the Arduino layer lacks, used in the second tab: duet-board's line names that tab.
    with open(os.path.join(sketch, "more.ino"), "w") as f:
        f.write("// more.ino\n\nvoid helper() {\n  WiFi.begin();\n}\n")
    p = build(tool, "posix", "m7", [os.path.join(sketch, "more.ino"), os.path.join(sketch, "broken.ino")],
              out=os.path.join(work, "broken_m7"))
    check(p.returncode != 0 and "duet-board build: more.ino uses WiFi, which" in p.stderr,
          "posix: a name the layer lacks, used in the second tab, is said of that tab (more.ino uses WiFi)", p.stderr)

    # Two tabs of one name from two folders; tabs from two folders.
    other = os.path.join(work, "other")
    os.makedirs(other)
    shutil.copy(HELPERS, os.path.join(other, "helpers.ino"))
    shutil.copy(HELPERS, os.path.join(other, "extra.ino"))
    p = build(tool, "posix", "m7", [MAIN, HELPERS, os.path.join(other, "helpers.ino")], out=os.path.join(work, "x"))
    check(p.returncode == 2 and "two tabs named helpers.ino" in p.stderr,
          "posix: two tabs named helpers.ino from two folders are refused", p.stderr)
    p = build(tool, "posix", "m7", [MAIN, HELPERS, os.path.join(other, "extra.ino")], out=os.path.join(work, "x"))
    check(p.returncode == 2 and "the .ino tabs of a sketch are the files of one folder" in p.stderr,
          "posix: tabs from two folders are refused", p.stderr)


def test_giga(tool, work, source_dir):
    checker = os.path.join(source_dir, "tests", "giga", "check_image.py")
    for core in ("m7", "m4"):
        elf = os.path.join(work, "tabs_%s.elf" % core)
        p = build(tool, "giga", core, [MAIN, HELPERS], out=elf)
        if not check(p.returncode == 0, "giga %s: the two tabs build" % core, p.stderr):
            continue
        c = subprocess.run(["/usr/bin/python3", checker, "--core", core, "--split", "50_50", elf,
                            elf[:-len(".elf")] + ".bin"], capture_output=True, text=True, timeout=120)
        check(c.returncode == 0, "giga %s: the image is placed right" % core, c.stdout + c.stderr)
    elf = os.path.join(work, "legacy_m7.elf")
    p = build(tool, "giga", "m7", [legacy_sketch(work)], out=elf)
    check(p.returncode == 0 and PDE_NOTE in p.stderr and os.path.exists(elf), "giga m7: a .pde main tab builds",
          p.stderr)
    elf = os.path.join(work, "srcdir_m7.elf")
    p = build(tool, "giga", "m7", [src_sketch(work)], out=elf)
    if check(p.returncode == 0, "giga m7: a folder's .S and src/ files are built with it, nothing else", p.stderr):
        c = subprocess.run(["/usr/bin/python3", checker, "--core", "m7", "--split", "50_50", elf,
                            elf[:-len(".elf")] + ".bin"], capture_output=True, text=True, timeout=120)
        check(c.returncode == 0, "giga m7: ...and the image is placed right", c.stdout + c.stderr)


def test_an521(tool, work, source_dir):
    images = []
    for core in ("m7", "m4"):
        elf = os.path.join(work, "tabs_%s.elf" % core)
        p = build(tool, "an521", core, [HELPERS, MAIN], out=elf)
        check(p.returncode == 0, "an521 %s: the two tabs build" % core, p.stderr)
        images.append(elf)
    if failures:
        return
    script = os.path.join(source_dir, "scripts", "an521-qemu.sh")
    p = subprocess.run([script, "--seconds", "3"] + images, capture_output=True, timeout=180)
    out = p.stdout.decode("utf-8", "replace")
    m7 = [l.rstrip("\r") for l in out.split("\n")[:-1] if l.rstrip("\r") and not l.startswith("M4| ")]
    check(all(line in m7 for line in EXPECTED), "an521: the M7's two tabs run under QEMU",
          out[-1500:] + p.stderr.decode("utf-8", "replace")[-600:])
    elf = os.path.join(work, "srcdir_m7.elf")
    p = build(tool, "an521", "m7", [src_sketch(work)], out=elf)
    if not check(p.returncode == 0, "an521 m7: a folder's .S and src/ files are built with it, nothing else", p.stderr):
        return
    p = subprocess.run([script, "--seconds", "3", elf], capture_output=True, timeout=180)
    out = p.stdout.decode("utf-8", "replace")
    check(all(line in out.replace("\r", "").split("\n") for line in SRC_EXPECTED),
          "an521: ...and the .ino calls the functions of src/ and the .S files under QEMU",
          out[-1500:] + p.stderr.decode("utf-8", "replace")[-600:])


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("posix", "giga", "an521"):
        sys.exit("usage: test_tabs.py DUET_BOARD posix|giga|an521 SOURCE_DIR")
    tool, target, source_dir = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    work = tempfile.mkdtemp(prefix="duet-tabs-")
    try:
        if target == "posix":
            test_posix(tool, work)
        elif target == "giga":
            test_giga(tool, work, source_dir)
        else:
            test_an521(tool, work, source_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        sys.exit("%d failed: %s" % (len(failures), failures))
    print("all passed")


if __name__ == "__main__":
    main()

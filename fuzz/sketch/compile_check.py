#!/usr/bin/env python3
"""compile_check.py - run by hand (too slow for the fuzz target): random sketches made of
valid C++ file-scope items, each function calling the ones defined after it (so it needs its
prototype), split across lines and comments at random, translated by tools/sketch and
compiled with g++ -fsyntax-only (an Arduino.h of standard headers stands in for the layer).
Half of them begin with halves for each core (#ifdef CORE_CM7 / #else / #endif, each half
with a type of its own and a function called before its definition); some items are
functions inside #if 0 whose parameter type exists nowhere. Each
sketch is built for both cores as duet-board builds it, g++ -E telling the translator which
lines it keeps (duet_sketch_kept_lines, duet_sketch_translate_kept).

usage: compile_check.py [COUNT [SEED]]   (from the repository's top folder; needs gcc, g++)
"""
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DRIVER = r'''
#include <stdio.h>
#include <stdlib.h>
#include "sketch.h"
/* translate SKETCH PATH [PREPROCESSED]: the C++ for SKETCH, with the lines the
 * preprocessor's output PREPROCESSED (of the sketch after `#line 1 "<sketch>"`) kept. */
int main(int argc, char **argv) {
    static char text[1 << 20], pre[1 << 24];
    FILE *in = fopen(argv[1], "rb");
    size_t len = fread(text, 1, sizeof text, in), lines = 2;
    fclose(in);
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    bool *kept = NULL;
    if (argc > 3) {
        in = fopen(argv[3], "rb");
        size_t plen = fread(pre, 1, sizeof pre, in);
        fclose(in);
        kept = calloc(lines, sizeof *kept);
        if (!duet_sketch_kept_lines(pre, plen, "<sketch>", kept, lines))
            return 2;
    }
    return duet_sketch_translate_kept(text, len, argv[2], kept, lines, stdout) < 0;
}
'''

SEPS = [" ", " ", " ", "\n", " /* c */ ", "\n/* a\n   comment */ ", " // c\n", "\n\n", " \\\n"]


def split(tokens, rnd):
    return "".join(t + (rnd.choice(SEPS) if i + 1 < len(tokens) else "") for i, t in enumerate(tokens))


# Function heads by kind (f%d is the name), and the arguments a call gives each kind.
HEADS = [
    ["static", "int", "f%d", "(", "int", "a", ",", "int", "b", "=", "2", ")"],
    ["int", "f%d", "(", "int", "a", ",", "std::map<int,", "int>", "b", "=", "std::map<int,", "int>()", ")"],
    ["[[maybe_unused]]", "int", "f%d", "(", "int", "a", ",", "std::array<int,", "2", "==", "2", "?", "1", ":", "2>",
     "b", "=", "{}", ")"],
    ["inline", "int", "f%d", "(", "int", "a", "=", "(1", ">", "2)", ",", "long", "b", "=", "1", "<", "2", ")"],
    ["int", "f%d", "(", "const", "char", "*", "a", ",", "int", "b", "=", "'{'", ")"],
    ["int", "f%d", "(", "int", "(*a)(int)", ",", "int", "b", ")"],
]
ARGS = ["1, 2", "1, {}", "1, {}", "1, 2", '"x", 2', "nullptr, 2"]


def function(rnd, n, kinds):
    """Function n, calling function n + 1 (defined after it) when there is one."""
    head = [t.replace("%d", str(n)) for t in HEADS[kinds[n]]]
    call = ["f%d" % (n + 1), "(", ARGS[kinds[n + 1]], ")"] if n + 1 < len(kinds) else ["0"]
    return split(head + ["{", "return", "0", "+"] + call + [";", "}"], rnd)


OTHERS = [
    lambda r, n: split(["int", "g%d" % n, "=", "\n", "%d" % n, ";"], r),
    lambda r, n: 'const char *s%d = "a{b\\"c(";' % n,
    lambda r, n: 'const char *r%d = R"x(a " { \n )x";' % n,
    lambda r, n: split(["struct", "S%d" % n, "{", "int", "x", ";", "int", "get", "(", ")", "{", "return", "x", ";", "}", "}", ";"], r),
    lambda r, n: "#define M%d(a) \\\n  ((a) + 1) /* a\n comment */" % n,
    lambda r, n: "/* a comment\n   with { and ( */",
    lambda r, n: "// a comment \\\n continued {",
    lambda r, n: "namespace n%d { int f(int v) { return v; } }" % n,
    lambda r, n: 'extern "C" { int c%d(void) { return 1; } }' % n,
    lambda r, n: "template <typename T>\nT t%d(T a) { return a; }" % n,
    lambda r, n: split(["int", "arr%d" % n, "[", "]", "=", "{", "1", ",", "2", "}", ";"], r),
    lambda r, n: "auto l%d = [](int x) { return x + 1; };" % n,
    lambda r, n: "std::vector<std::vector<int>> v%d(int k = 1) { return {}; }" % n,
    lambda r, n: "#ifdef NOT_DEFINED\nint hidden%d = 1;\n#endif" % n,
]


def both_cores(rnd, n):
    """Item n as a half for each core: a type of the half's own, k<n>() calling h<n>(), which
    takes that type and is defined after it."""
    halves = []
    for core, of in (("7", "int"), ("4", "long")):
        t = "T%s_%d" % (core, n)
        halves.append("\n".join([split(["struct", t, "{", of, "v", ";", "}", ";"], rnd),
                                 split(["int", "k%d" % n, "(", ")", "{", "return", "h%d" % n, "(", t, "{", "1", "}",
                                        ")", ";", "}"], rnd),
                                 split(["int", "h%d" % n, "(", t, "t", ")", "{", "return", "(int)t.v", ";", "}"], rnd)]))
    return "#ifdef CORE_CM7\n%s\n#else\n%s\n#endif" % tuple(halves)


def sketch(rnd):
    kinds = [rnd.randrange(len(HEADS)) for _ in range(rnd.randrange(1, 6))]
    items = [None] * rnd.randrange(0, 8)
    for n in range(len(kinds)):
        items.insert(rnd.randrange(len(items) + 1), "f")
    out, n, calls = [], 0, ["f0(%s);" % ARGS[kinds[0]]]
    # The halves first: the prototypes go before the first function, so (as in the IDE) a
    # type in one must be defined before it.
    if rnd.randrange(2):
        out.append(both_cores(rnd, 99))
        calls.append("k99();")
    for k, item in enumerate(items):
        choice = rnd.randrange(len(OTHERS) + 1)
        if item == "f":
            out.append(function(rnd, n, kinds))
            n += 1
        elif choice == len(OTHERS):
            out.append("#if 0\nint dead%d(Undefined%d u) { return 0; }\n#endif" % (k, k))
        else:
            out.append(OTHERS[choice](rnd, k))
    return "\n".join(out) + "\nvoid setup() { %s }\nvoid loop() {}\n" % " ".join(calls)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    tmp = tempfile.mkdtemp(prefix="sketch_compile_")
    inc = os.path.join(tmp, "include")
    os.makedirs(inc)
    with open(os.path.join(inc, "Arduino.h"), "w") as f:
        f.write("#include <stdint.h>\n#include <array>\n#include <map>\n#include <vector>\n")
    with open(os.path.join(tmp, "driver.c"), "w") as f:
        f.write(DRIVER)
    exe = os.path.join(tmp, "translate")
    subprocess.run(["gcc", "-std=c11", "-I" + os.path.join(ROOT, "tools", "sketch"), os.path.join(tmp, "driver.c"),
                    os.path.join(ROOT, "tools", "sketch", "sketch.c"), "-o", exe], check=True)
    failed = 0
    for i in range(count):
        ino = os.path.join(tmp, "s%d.ino" % i)
        text = sketch(rnd)
        with open(ino, "w") as f:
            f.write(text)
        for core in ("-DCORE_CM7", "-DCORE_CM4"):
            # The preprocessor's pass, as duet-board runs it.
            lines, ii = os.path.join(tmp, "lines.cpp"), os.path.join(tmp, "lines.ii")
            with open(lines, "w") as f:
                f.write('#include <Arduino.h>\n#line 1 "<sketch>"\n' + text)
            subprocess.run(["g++", "-std=gnu++17", core, "-I" + inc, "-E", lines, "-o", ii], check=True)
            cpp = subprocess.run([exe, ino, 'dir "q"\\s%d.ino' % i, ii], capture_output=True, check=True).stdout
            r = subprocess.run(["g++", "-std=gnu++17", core, "-fsyntax-only", "-I" + inc, "-x", "c++", "-"],
                               input=cpp, capture_output=True)
            if r.returncode:
                failed += 1
                print("FAIL", ino, core, r.stderr.decode(errors="replace")[:600])
    print("%d of %d builds (each sketch for both cores) compiled" % (2 * count - failed, 2 * count))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

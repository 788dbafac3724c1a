#!/usr/bin/python3
"""check_shape.py REPO - the code's shape rules, checked on every file git tracks.

1. No file of the core (src/) is over 600 lines.
2. No C or C++ function outside the tests (tests/ and the fuzz targets in fuzz/, which make
   test runs) is over 60 lines, counted from the line that opens its body to the line that
   closes it.
3. No run of six or more lines stands twice in src/, letter for letter once comments, blank
   lines and lines of braces alone are left out (same-shape repeats with other names need a
   reader's judgement and are reviewed with a tool, not here).
4. No build product is tracked: compiled Python (__pycache__, .pyc), objects and libraries.

Prints each breach as FILE:LINE: what, then `N checks, N failed`; exits 1 on any breach.
The C scanner is a small one: it skips comments, strings and character literals and treats a
brace at depth 0 (namespaces and extern "C" blocks do not count) that follows a ')' (a
parameter list, perhaps with attributes) as a function body. Struct, union, enum and
initializer braces follow no ')' and are not functions.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from repo_files import tracked  # noqa: E402 (the tests folder, put on the path above)

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 60
REPEAT_LINES = 6


def blank_out(text, strings=True):
    """The text with comments (and strings and char literals, unless strings is False)
    replaced by spaces, newlines kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            if not strings:
                out.append(text[i:j])
                i = j
                continue
        else:
            out.append(c)
            i += 1
            continue
        out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
        i = j
    return "".join(out)


def functions(text):
    """(name, first line, last line) of each function body in C/C++ text, lines from 1."""
    code = blank_out(text)
    code = re.sub(r"^[ \t]*#.*$", "", code, flags=re.M)  # preprocessor lines
    found = []
    stack = []  # per open brace: "ns" (namespace, extern "C": transparent), "fn", or "other"
    start, name = None, None
    for m in re.finditer(r"[{}]", code):
        depth = stack.count("fn") + stack.count("other")
        if m.group() == "{":
            head = code[:m.start()].rstrip()
            kind = "other"
            if depth == 0 and re.search(r"(\bnamespace(\s+\w+)?|\bextern\s*)$", head):
                kind = "ns"
            elif depth == 0:
                head = re.sub(r"(__attribute__\s*\(\(.*?\)\)|\b(const|noexcept|override))\s*$",
                              "", head).rstrip()
                if head.endswith(")") and not re.search(r"=\s*\([^()]*\)$", head):
                    call = re.search(r"([A-Za-z_][A-Za-z0-9_:~]*)\s*\([^;{}]*\)$", head, re.S)
                    if call and call.group(1) not in ("if", "for", "while", "switch"):
                        kind, start, name = "fn", m.start(), call.group(1)
            stack.append(kind)
        elif stack:
            if stack.pop() == "fn":
                first = code.count("\n", 0, start) + 1
                found.append((name, first, code.count("\n", 0, m.start()) + 1))
    return found


def significant_lines(text):
    """(line number, stripped text) of lines that carry code."""
    code = blank_out(text, strings=False)
    keep = []
    for number, line in enumerate(code.split("\n"), 1):
        s = " ".join(line.split())
        if s and not re.fullmatch(r"[{}();,\s]*", s):
            keep.append((number, s))
    return keep


def self_test():
    """The checker finds each kind of breach in a small repository made for it, and no more."""
    import tempfile
    body = "".join(f"    x += {i};\n" for i in range(58))
    files = {
        "src/long.c": "void ok(int x)\n{\n" + body + "}\n" + "\n" * 540,
        "tools/f.c": "static int f(int x)\n{\n" + body + "    x++;\n    return x;\n}\n",
        "tools/g.cpp": "namespace n {\nint g(int x) {\n" + body + "    x++;\n    return x;\n}\n}\n",
        "tests/t.c": "int t(int x)\n{\n" + body * 2 + "    return x;\n}\n",
        "src/a.c": "int a(int *p)\n{\n    p[0] = 1;\n    p[1] = 2; /* one */\n    p[2] = 3;\n"
                   "    p[3] = 4;\n\n    p[4] = 5;\n    p[5] = 6;\n}\n",
        "src/b.c": "int b(int *p)\n{\n    p[0] = 1;\n    p[1] = 2;\n    p[2] = 3;\n"
                   "    p[3] = 4;\n    p[4] = 5; // five\n    p[5] = 6;\n    return 0;\n}\n",
        "src/c.c": "const char *c(int i)\n{\n" + "".join(
            f'    if (i == {i}) return "{i}";\n' for i in range(8)) + "    return 0;\n}\n",
    }
    with tempfile.TemporaryDirectory() as repo:
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(repo, path)), exist_ok=True)
            with open(os.path.join(repo, path), "w") as f:
                f.write(text)
        subprocess.run(["git", "init", "-q", repo], check=True)
        subprocess.run(["git", "-C", repo, "add", "."], check=True)
        found = check(repo)[1]
    expected = ["src/long.c:1: 601 lines", "tools/f.c:2: f is 62 lines",
                "tools/g.cpp:2: g is 62 lines", "src/b.c:3: 6 or more lines repeat src/a.c:3"]
    ok = len(found) == len(expected) and all(
        any(b.startswith(e) for b in found) for e in expected)
    for b in found:
        print("self-test found:", b)
    print(f"self-test: {'passed' if ok else 'FAILED'} (expected {len(expected)} breaches: "
          + "; ".join(expected) + ")")
    return ok


def check(repo):
    """(number of checks, breaches) of the repository at repo."""
    files = tracked(repo)
    breaches = []
    checks = 0
    for p in files:
        checks += 1
        if "__pycache__/" in p or p.endswith((".pyc", ".o", ".a", ".so")):
            breaches.append(f"{p}:1: a build product, tracked (.gitignore leaves them out)")
    core = [p for p in files if p.startswith("src/") and p.endswith((".c", ".h"))]
    for p in core:
        checks += 1
        with open(os.path.join(repo, p), errors="replace") as f:
            n = f.read().count("\n")
        if n > MAX_FILE_LINES:
            breaches.append(f"{p}:1: {n} lines, more than {MAX_FILE_LINES} in a file of the core")
    sources = [p for p in files if p.endswith((".c", ".h", ".cpp", ".hpp", ".ino"))
               and not p.startswith(("tests/", "fuzz/"))]
    for p in sources:
        with open(os.path.join(repo, p), errors="replace") as f:
            text = f.read()
        for name, first, last in functions(text):
            checks += 1
            if last - first + 1 > MAX_FUNCTION_LINES:
                breaches.append(f"{p}:{first}: {name} is {last - first + 1} lines, "
                                f"more than {MAX_FUNCTION_LINES}")
    seen = {}
    for p in core:
        with open(os.path.join(repo, p), errors="replace") as f:
            lines = significant_lines(f.read())
        last_end = {}
        for i in range(len(lines) - REPEAT_LINES + 1):
            window = tuple(s for _, s in lines[i:i + REPEAT_LINES])
            here = (p, lines[i][0])
            if window in seen:
                other = seen[window]
                key = (other[0], p)
                # report a run once, not each of its overlapping windows
                if last_end.get(key, -1) < i:
                    breaches.append(f"{p}:{here[1]}: {REPEAT_LINES} or more lines repeat "
                                    f"{other[0]}:{other[1]}")
                last_end[key] = i + REPEAT_LINES - 1
            else:
                seen[window] = here
    checks += 1  # the repeats of src/ as a whole
    return checks, breaches


def main():
    if not self_test():
        print("0 checks passed, 1 failed (the checker's self-test)")
        return 1
    checks, breaches = check(sys.argv[1] if len(sys.argv) > 1 else ".")
    for b in breaches:
        print(b)
    print(f"{checks - len(breaches)} checks passed, {len(breaches)} failed")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())

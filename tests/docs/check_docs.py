#!/usr/bin/python3
"""check_docs.py REPO DUET_BOARD DUET_RPC - the docs' references, checked against the code.

For every Markdown file git tracks (and the man pages, packaging/man/*.1):
1. Each relative link, [text](path) or ![alt](path), names a file or folder that exists
   (relative to the Markdown file; an #anchor is left off).
2. Each repository path written in backticks or in a code block (`src/rpc/call.c`,
   `tools/board/`) exists: a path counts as one when its first part is a top-level file or
   folder of the repository. A `*` in it, or a placeholder in capitals (`target_NAME.c`),
   must match at least one file. A header named from its include folder (`duet/board.h`,
   `duet/posix/events.h`) must be in one of the include folders. A file name alone in
   backticks (`setup.c`, `test_rpc_sensor.py`) must be the name of a file somewhere in the
   repository (or of a template, NAME.in, the build fills in).
3. Each `make TARGET` (in backticks or a code block) is a target of the Makefile.
4. Each option of a `duet-board VERB ...` or `duet-rpc call|serve ...` command (in backticks
   or a code block; in the man pages, every option) is one that the tool's --help lists,
   and the verb is one of the tool's verbs. Each long option the --help lists is in the
   tool's man page.
5. Each DUET_... name (a macro, an enumerator, an environment variable, a CMake option) is
   in the code: include/, src/, ports/, tools/, compat/, python/, examples/ or the build
   files. A name ending in _* (`DUET_ERR_*`) must start at least one.
6. Each duet_... name (a function, a type, a CMake target) is in the code, as in 5.

Prints each breach as FILE:LINE: what, then `N checks passed, N failed`; exits 1 on any
breach. A self-test first runs the checks on a small made-up document that has one breach of
each kind, and fails the run unless every one is found.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from repo_files import tracked  # noqa: E402 (the tests folder, put on the path above)

# Paths that docs name on purpose although they are not in the repository. Keep it short, and
# say why. (Paths under build/ and other folders git does not track are never checked: their
# first part is no top-level part of the repository.)
ALLOWED_PATHS = {
    # docs/install.md's table of what an install puts under its prefix: these three are
    # there, not here (the repository has them in ports/*/include/ and compat/arduino/)
    "include/duet/posix/*.h",
    "include/duet/arduino/*.h",
    "include/duet/an521.h",
}

# File names alone (rule 2) that are not in the repository on purpose.
ALLOWED_NAMES = {
    # docs/arduino.md: the guide's sketches, which the reader brings
    "sensor_m4.ino", "sensor_m7.ino", "usb_m4.ino", "usb_m7.ino",
    # docs/install.md: written by CMake's write_basic_package_version_file at install
    "duetConfigVersion.cmake",
}

# Where a DUET_ name must be found (rule 5).
CODE_PLACES = ["include", "src", "ports", "tools", "compat", "python", "examples", "cmake",
               "CMakeLists.txt", "Makefile", "scripts"]
CODE_SUFFIXES = (".h", ".c", ".cpp", ".hpp", ".py", ".cmake", ".txt", ".sh", ".in", ".ino", "Makefile")

# Header folders for rule 2's `duet/...h` form; a header the build makes (duet/version.h)
# is there as its template, cmake/NAME.h.in.
INCLUDE_DIRS = ["include", "ports/*/include", "compat/*/include", "compat/*"]

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
SPAN = re.compile(r"(`+)(.+?)\1")
PATH = re.compile(r"(?<![\w./~$-])([A-Za-z0-9_.*-]+(?:/[A-Za-z0-9_.*-]+)+/?"
                  r"|[A-Za-z0-9_-]+\.(?:md|c|h|py|sh|cmake|txt|cpp|ino))(?![\w/])")
HEADER = re.compile(r"(?<![\w./-])(duet/[A-Za-z0-9_/]+\.h)\b")
MAKE = re.compile(r"(?:^|[\s`(;&|$])make((?:\s+[^\s;&|#`)]+)+)")
TOOL = re.compile(r"(?:^|(?<=[\s(\"'/]))(duet-board|duet-rpc)(?=\s|$)")
DUET_NAME = re.compile(r"(?<![A-Za-z0-9_])(DUET_[A-Z0-9_]*[A-Z0-9](?:_\*)?)(?![a-z0-9])")
DUET_LOWER = re.compile(r"(?<![A-Za-z0-9_])(duet_[a-z0-9_]*[a-z0-9])(?![A-Za-z0-9_])")
PLACEHOLDER = re.compile(r"(?<![A-Za-z])[A-Z][A-Z0-9]+(?![a-z])")
FILE_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.(?:c|h|py|sh|cmake|cpp|ino|md)$")


class Repo:
    """What the checks compare against: the files, the Makefile's targets, the tools' --help,
    the code's DUET_ and duet_ names."""

    def __init__(self, files, make_targets, helps, code_text):
        self.files = set(files)
        self.dirs = {os.path.dirname(f) for f in files}
        for d in list(self.dirs):
            while d:
                d = os.path.dirname(d)
                self.dirs.add(d)
        self.tops = {f.split("/")[0] for f in files} - {""}
        self.names = {os.path.basename(f) for f in files}
        self.make_targets = make_targets
        self.helps = helps          # tool -> (verbs, {verb or "": options})
        self.code_names = set(DUET_NAME.findall(code_text)) | set(DUET_LOWER.findall(code_text))

    def exists(self, path):
        path = os.path.normpath(path)
        return path in self.files or path in self.dirs

    def matches(self, path):
        """A path that exists, or whose * and capital placeholders match a file or folder."""
        path = path.rstrip("/")
        if path.endswith("..."):
            path = path[:-3].rstrip("/")
        if self.exists(path):
            return True
        pattern = re.escape(path).replace(r"\*", "[^/]*")
        pattern = PLACEHOLDER.sub("[^/]+", pattern)
        rx = re.compile(pattern + "$")
        return any(rx.match(f) for f in self.files | self.dirs)


def makefile_targets(text):
    targets = set()
    for line in text.split("\n"):
        m = re.match(r"^([A-Za-z0-9_.%/ -]+?)\s*:(?!=)", line)
        if m and not line.startswith("\t"):
            targets.update(t for t in m.group(1).split() if not t.startswith("."))
    return targets


def parse_help(text, verbs_hint):
    """The options a --help text lists: {section: options}, section "" for all of them and
    one per verb whose block of option lines starts with the verb's name and a colon
    (duet-rpc's "call:" and "serve:"). Verbs: the words of verbs_hint found in the text."""
    options = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", text))
    options |= {o[:2] for o in options if re.match(r"^-[A-Z]", o)}  # -IDIR: -I
    sections = {"": options}
    heads = list(re.finditer(r"(?m)^(\w+):(?: |$)", text))
    for h, after in zip(heads, heads[1:] + [None]):
        if h.group(1) in verbs_hint:
            body = text[h.start():after.start() if after else len(text)]
            sections[h.group(1)] = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", body))
    verbs = {v for v in verbs_hint if re.search(r"\b%s\b" % v, text)}
    return verbs, sections


def run_help(tool):
    """The tool's --help text, and --help itself (which the text does not name)."""
    out = subprocess.run([tool, "--help"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        sys.exit(f"{tool} --help: exit status {out.returncode}\n{out.stderr}")
    return out.stdout + out.stderr + "\n--help\n"


def code_spans(text):
    """(line, text) of every inline code span and every line of a fenced code block (a line
    that ends in a backslash joined with the next, as the shell reads it)."""
    found = []
    fenced = False
    held = None
    for n, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            if held:
                line = held[1] + " " + line
                n = held[0]
            held = (n, line[:-1]) if line.endswith("\\") else None
            if not held:
                found.append((n, line))
        else:
            found += [(n, m.group(2)) for m in SPAN.finditer(line)]
    return found


def check_links(name, text, repo, breaches):
    base = os.path.dirname(name)
    count = 0
    for n, line in enumerate(text.split("\n"), 1):
        for m in LINK.finditer(line):
            target = m.group(1).split("#")[0]
            if not target or re.match(r"^[a-z]+:", target):
                continue
            count += 1
            if not repo.exists(os.path.join(base, target)):
                breaches.append(f"{name}:{n}: link to {target}, which does not exist")
    return count


def check_file_names(name, text, repo, breaches):
    """Rule 2's file names alone in backticks (outside code blocks)."""
    count = 0
    fenced = False
    for n, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced:
            continue
        for m in SPAN.finditer(line):
            f = m.group(2)
            if not FILE_NAME.match(f) or f in ALLOWED_NAMES or f.split("/")[0] in repo.tops:
                continue
            count += 1
            rx = re.compile(PLACEHOLDER.sub("[^/]+", re.escape(f)) + "$")
            if f + ".in" not in repo.names and not any(rx.match(b) for b in repo.names):
                breaches.append(f"{name}:{n}: {f}, a file name that is nowhere in the repository")
    return count


def check_paths(name, spans, repo, breaches):
    count = 0
    for n, span in spans:
        for p in PATH.findall(span):
            top = p.split("/")[0]
            if top not in repo.tops or p in ALLOWED_PATHS:
                continue
            count += 1
            if not repo.matches(p):
                breaches.append(f"{name}:{n}: path {p}, which does not exist")
        for h in HEADER.findall(span):
            count += 1
            if not any(repo.matches(os.path.join(d, h)) for d in INCLUDE_DIRS) \
                    and not repo.exists("cmake/" + os.path.basename(h) + ".in"):
                breaches.append(f"{name}:{n}: header {h}, which is in no include folder")
    return count


def without_comment(span):
    """A line of shell without its # comment (a # that starts a word)."""
    return re.split(r"(?:^|\s)#", span)[0]


def check_make(name, spans, repo, breaches):
    count = 0
    for n, span in spans:
        span = without_comment(span)
        for m in MAKE.finditer(span):
            for word in m.group(1).split():
                if word.startswith("-") or "=" in word:
                    continue
                if not re.match(r"^[a-z][\w-]*$", word):
                    break
                count += 1
                if word not in repo.make_targets:
                    breaches.append(f"{name}:{n}: make {word}, which the Makefile has no target for")
    return count


def commands(span):
    """The pieces of a line of shell between |, ||, &&, ; and $( ), each one command
    (a | with no space around it, as in --core m7|m4, is an alternative, not a pipe)."""
    return re.split(r"\s+(?:\|\|?|&&)\s+|;|\$\(|\)\s", span)


def check_tool_options(name, spans, repo, breaches):
    count = 0
    for n, span in spans:
        for command in commands(without_comment(span)):
            m = TOOL.search(command)
            if m:
                count += check_command(name, n, m.group(1), command[m.end(1):], repo, breaches)
    return count


def check_command(name, n, tool, args, repo, breaches):
    """One duet-board or duet-rpc command: its verb and its options."""
    verbs, sections = repo.helps[tool]
    words = args.split()
    verb = words[0] if words and re.match(r"^[a-z]+$", words[0]) else None
    if words and verb is None and not words[0].startswith(("-", "[")):
        return 0  # a file name such as duet-board/posix, not a command
    count = 0
    if verb is not None:
        count += 1
        if verb not in verbs:
            breaches.append(f"{name}:{n}: {tool} {verb}: no such verb in {tool} --help")
            return count
    allowed = sections.get(verb, sections[""])
    for o in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", args):
        if re.match(r"^-[ID]\w", o):
            o = o[:2]
        count += 1
        if o not in sections[""]:
            breaches.append(f"{name}:{n}: {tool} {verb or ''} {o}: {tool} --help lists no such option")
        elif o not in allowed:
            breaches.append(f"{name}:{n}: {tool} {verb} {o}: an option of another verb in {tool} --help")
    return count


def check_man_options(name, text, repo, breaches):
    """Every option a man page names is one its tool's --help lists, and every long option
    the --help lists is in the man page."""
    tool = os.path.basename(name)[:-2]
    if tool not in repo.helps:
        return 0
    count = 0
    plain = re.sub(r"\\f[BIRP]", "", text.replace("\\-", "-"))
    named = set()
    for n, line in enumerate(plain.split("\n"), 1):
        if line.startswith(".\\\""):
            continue
        for o in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", line):
            count += 1
            named.add(o)
            if o not in repo.helps[tool][1][""]:
                breaches.append(f"{name}:{n}: {o}: {tool} --help lists no such option")
    for o in sorted(o for o in repo.helps[tool][1][""] if o.startswith("--")):
        count += 1
        if o not in named:
            breaches.append(f"{name}: {o}, which {tool} --help lists, is not in the man page")
    return count


def check_duet_names(name, text, repo, breaches):
    count = 0
    for n, line in enumerate(text.split("\n"), 1):
        for d in DUET_NAME.findall(line) + DUET_LOWER.findall(line):
            count += 1
            if d.endswith("_*"):
                ok = any(c.startswith(d[:-1]) for c in repo.code_names)
            else:
                ok = d in repo.code_names
            if not ok:
                breaches.append(f"{name}:{n}: {d}, a name the code does not have")
    return count


def check_document(name, text, repo, breaches):
    if name.endswith(".1"):
        return check_man_options(name, text, repo, breaches) + check_duet_names(name, text, repo, breaches)
    spans = code_spans(text)
    return (check_links(name, text, repo, breaches) + check_paths(name, spans, repo, breaches)
            + check_file_names(name, text, repo, breaches)
            + check_make(name, spans, repo, breaches) + check_tool_options(name, spans, repo, breaches)
            + check_duet_names(name, text, repo, breaches))


def self_test():
    """The checks on a made-up repository and document with one breach of each kind."""
    repo = Repo(["docs/a.md", "src/rpc/call.c", "tools/board/target_posix.c", "include/duet/board.h",
                 "Makefile"],
                {"test", "demo"},
                {"duet-board": ({"build", "run"}, {"": {"--core", "--seconds", "-o", "-I", "-D"}}),
                 "duet-rpc": ({"call", "serve"}, {"": {"--tcp", "--notify", "--once"},
                                                   "call": {"--tcp", "--notify"}, "serve": {"--tcp", "--once"}})},
                "#define DUET_SMALL 1\nenum { DUET_ERR_LINK_DOWN };\nint duet_begin(void);")
    doc = "\n".join([
        "[good](a.md) and [bad](missing.md), `src/rpc/call.c`, `tools/board/target_NAME.c`,",
        "`src/rpc/cal.c`, `duet/board.h`, `duet/nothing.h`, `make test`, `make tests`, `call.c`, `cal.c`,",
        "`duet-board run --seconds 2`, `duet-board run --second 2`, `duet-board flash`,",
        "`duet-rpc serve --notify`, `DUET_SMALL`, `DUET_ERR_*`, `DUET_LARGE`, duet_begin(), duet_end().",
        "```sh",
        "duet-board build --core m7 -o m7 -DX=1 m7.c \\",
        "    --bogus",
        "make demo && make bench",
        "```",
    ])
    expected = ["link to missing.md", "path src/rpc/cal.c", "header duet/nothing.h", "make tests,",
                "--second:", "no such verb", "an option of another verb", "DUET_LARGE", "make bench,",
                "--bogus:", "duet_end,", "cal.c, a file name"]
    breaches = []
    check_document("docs/a.md", doc, repo, breaches)
    man = ".TP\n\\fB\\-\\-core\\fR M7\n.TP\n\\fB\\-\\-cores\\fR\n"
    check_document("packaging/man/duet-board.1", man, repo, breaches)
    expected += ["--cores: duet-board --help lists no such option",
                 "--seconds, which duet-board --help lists, is not in the man page"]
    ok = len(breaches) == len(expected) and all(any(e in b for b in breaches) for e in expected)
    if not ok:
        for b in breaches:
            print("self-test found:", b)
    print(f"self-test: {'passed' if ok else 'FAILED'} (expected {len(expected)} breaches, "
          f"found {len(breaches)})")
    return ok


def main():
    repo_dir, board, rpc = sys.argv[1:4]
    if not self_test():
        print("0 checks passed, 1 failed (the checker's self-test)")
        return 1
    files = tracked(repo_dir)
    with open(os.path.join(repo_dir, "Makefile")) as f:
        targets = makefile_targets(f.read())
    helps = {"duet-board": parse_help(run_help(board), {"build", "upload", "run", "reset", "status"}),
             "duet-rpc": parse_help(run_help(rpc), {"call", "serve"})}
    code = []
    for f in files:
        if f.split("/")[0] in CODE_PLACES and f.endswith(CODE_SUFFIXES):
            with open(os.path.join(repo_dir, f), errors="replace") as fh:
                code.append(fh.read())
    repo = Repo(files, targets, helps, "\n".join(code))
    docs = sorted(f for f in files if f.endswith(".md") or re.match(r"packaging/man/.*\.1$", f))
    breaches, checks = [], 0
    for name in docs:
        with open(os.path.join(repo_dir, name)) as fh:
            checks += check_document(name, fh.read(), repo, breaches)
    for b in breaches:
        print(b)
    print(f"{len(docs)} documents; {checks - len(breaches)} checks passed, {len(breaches)} failed")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())

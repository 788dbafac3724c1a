#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpus of fuzz_sketch (the input format is at the top of
fuzz_sketch.c: a byte with the path's length, the path, the sketch's text):
python3 fuzz/sketch/make_seeds.py fuzz/sketch/seeds

Real sketches (ino_*: the repository's .ino files and the guide's sketches, as they are),
fragments with what makes a translator stumble (frag_*: comments, literals, raw strings,
directives with continuations and comments, splices, templates, namespaces, classes,
extern "C", default arguments, lambdas, attributes, operators, function pointers, CRLF, NUL
bytes, paths with quotes and backslashes), and compiler messages for duet_sketch_explain
(msg_*), sketches with conditionals and a mask of kept lines (kept_*; kept_markers is
preprocessor output for duet_sketch_kept_lines). fix_* are the inputs of the fixes of sketch.c, each a prototype that went to a
wrong place or came out wrong, or a path or name the output got wrong. The seeds the fuzzer
found (found_unterminated_literal, found_stray_bracket, found_raw_string_head, and
found_number_in_prototype, which the target's own check got wrong, and
found_stray_else_nothing_kept, where the check's stretches left out the one before any
conditional, and found_name_holding_uses, a sketch named with " uses " in it, which the
check's reading of an explain line got wrong) are kept as they were found.
"""
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "arduino"))
from seed_files import write_seeds  # noqa: E402
import guide_sketches  # noqa: E402


def seed(text, path="s.ino", kept=None, half=False):
    """An input: kept (a byte) is the mask of kept lines (line n kept when bit n % 8 is set),
    half leaves the second half of the lines out of the kept set."""
    p = path.encode() if isinstance(path, str) else path
    t = text.encode() if isinstance(text, str) else text
    assert len(p) < 32
    if kept is None:
        return bytes([len(p)]) + p + t
    return bytes([len(p) | 0x20 | (0x40 if half else 0)]) + p + bytes([kept]) + t


INO = {}
for f in sorted(glob.glob(os.path.join(ROOT, "tests", "**", "*.ino"), recursive=True)):
    name = os.path.splitext(os.path.basename(f))[0]
    with open(f, "rb") as fh:
        INO["ino_" + name] = seed(fh.read(), os.path.basename(f))
with open(os.path.join(ROOT, "tests", "arduino", "guide.txt"), encoding="utf-8") as fh:
    for name, code in guide_sketches.sketches(fh.read()):
        INO["ino_guide_" + name] = seed(code, name[:27] + ".ino")

FRAG = {
    "frag_plain": seed("int led = 13;\nvoid setup() {\n  pinMode(led, OUTPUT);\n}\nvoid loop() { blink(); }\n"
                       "void blink() { digitalWrite(led, !digitalRead(led)); delay(500); }\n"),
    "frag_defaults": seed("int f(int a = 1, const char *s = \"x, y\", char c = ',', int d = g(1, 2)) { return a; }\n"
                          "void h(std::map<int, int> m = std::map<int, int>(), int e = (1 > 2), int k = 1 < 2) {}\n"),
    "frag_no_function": seed("struct P { int x; int get() { return x; } };\nclass L { public: void on(); };\n"
                             "void L::on() { }\nnamespace u { int twice(int v) { return 2 * v; } }\n"
                             "extern \"C\" { int c_side(void) { return 1; } }\n"
                             "template <typename T> T pick(T a) { return a; }\nint table[] = { 1, 2 };\n"
                             "auto lam = [](int x) { return x + 1; };\nbool operator==(P a, P b) { return a.x == b.x; }\n"
                             "void (*get_handler(int n))(int) { return 0; }\n[[nodiscard]] int attr() { return 1; }\n"
                             "__attribute__((weak)) void weak_one() {}\nvoid setup() {}\n"),
    "frag_comments": seed("/* a comment\n   that goes on */ void setup() {}\n// a // comment \\\ncontinued f() {}\n"
                          "void loop() { /* { */ }\n"),
    "frag_literals": seed("const char *s = \"{ \\\" }\"; char c = '{';\nconst char *r = R\"x(a \" ) { \n b)x\";\n"
                          "const char *u = u8R\"(\n)\"; int n = 1'000; double e = 1e+5;\nvoid setup() {}\n"),
    "frag_unterminated": seed("const char *s = \"no end;\nvoid setup() {}\nchar c = ';\nvoid loop() {}\n/* open"),
    "frag_raw_unterminated": seed("void setup() {}\nconst char *r = R\"(never closed\nvoid loop() {}\n"),
    "frag_directives": seed("#include <RPC.h>\n#define SQUARE(x) \\\n  ((x) * (x))\n#define ONE 1 /* the\n  one */\n"
                            "#if 0\nvoid hidden() {}\n#endif\n  # define SPACED 2\nvoid setup() {}\n"),
    "frag_crlf": seed("#define TWO(x) \\\r\n  do { } while (0)\r\nint x = 1;\r\nvoid setup() {\r\n}\r\n"),
    "frag_splice": seed("int x; \\\nvoid f() {}\nint y = \\\n 2; void g() {}\n"),
    "frag_mid_declaration": seed("int x =\n  5; void f() {}\nint arr[] = {\n 1, 2 }; void g() {}\n"),
    "frag_nul": seed(b"int a;\x00\nvoid f() {\x00}\nvoid g() {}"),
    "frag_no_newline": seed("void setup() {}"),
    "frag_empty": seed(""),
    "frag_path_quote": seed("void setup() {}\n", 'my "dir"\\s.ino'),
    "frag_path_control": seed("void setup() {}\n", b"a\nb\tc\x7f.ino"),
    "frag_nested": seed("namespace a { namespace b { void f() {} } }\nstruct S { struct T { void g() {} }; };\n"
                        "extern \"C\" void c_fn() {}\nstatic inline int sq(int v) { return v * v; }\n"),
    "frag_templates": seed("template <typename T, int N = 2>\nstruct A { T v[N]; };\n"
                           "std::vector<std::vector<int>> grid(int n) { return {}; }\n"
                           "void take(std::array<int, 3 == 3 ? 1 : 2> a) {}\nA<int, (3 > 2)> make(int k = 1) { return {}; }\n"),
    "frag_number_quote": seed("int a = 1';'\n+ 2; void f() {}\nchar c = 1'2 ? 'x' : 'y';\n"),
    "frag_parens": seed("int v = f(\n  1); void g() {}\nvoid h(int a,\n       int b) {\n}\n"),
}

# With kept lines (the lines the preprocessor kept, as duet_sketch_translate_kept takes them).
BOTH_CORES = ("#include <RPC.h>\n#ifdef CORE_CM7\nstruct Led { int pin; };\nvoid setup() { blink(Led{1}); }\n"
              "void blink(Led l) { }\n#else\nstruct Motor { int speed; };\nvoid setup() { spin(Motor{2}); }\n"
              "void spin(Motor m) { }\n#endif\nvoid loop() { }\n")
NESTED = ("int x =\n#if 0\n;\nint z;\n#else\n5\n#endif\n; void f() {}\n#ifdef A\n# /* c */ ifdef B\nvoid ab() {}\n"
          "#elif C\nvoid a_only() {}\n#endif\nvoid a() {}\n#endif\n/* a\n */ void setup() {}\n")
KEPT = {
    "kept_both_cores_none": seed(BOTH_CORES, kept=0x00),
    "kept_both_cores_odd": seed(BOTH_CORES, kept=0xAA),
    "kept_both_cores_all": seed(BOTH_CORES, kept=0xFF),
    "kept_nested_even": seed(NESTED, kept=0x55),
    "kept_nested_half": seed(NESTED, kept=0x6C, half=True),
    "kept_renumbered": seed("#line 40\n#if 0\nvoid f() {}\n#endif\nvoid g() {}\n", kept=0x00),
    "kept_markers": seed('# 1 "<sketch>"\nint a;\n\n# 7 "<sketch>" 2\nvoid f() {}\n#line 3 "other"\nint b;\n'),
}

MSG = {
    "msg_gcc": seed("wifi.ino: In function \xe2\x80\x98void setup()\xe2\x80\x99:\n"
                    "wifi.ino:4:3: error: \xe2\x80\x98WiFi\xe2\x80\x99 was not declared in this scope\n"
                    "wifi.ino:6:7: error: 'class arduino::RPCClass' has no member named 'attach'\n"
                    "wifi.ino:7:9: error: 'Mutex' is not a member of 'rtos'\n"
                    "wifi.ino:8:1: error: 'EthernetClient' does not name a type\n"
                    "wifi.ino:9:1: error: 'Udp' has not been declared\n"
                    "/usr/bin/ld: s.o: in function `loop':\nwifi.ino:12: undefined reference to `analogReadResolution'\n",
                    "wifi.ino"),
    "msg_header": seed("wifi.ino:1:10: fatal error: WiFi.h: No such file or directory\ncompilation terminated.\n",
                       "wifi.ino"),
    "msg_headers": seed("w.ino:1:1: error: 'A' was not declared in this scope\n"
                        "w.ino:2:10: fatal error: B.h: No such file or directory\n"
                        "w.ino:3:10: fatal error: C.h: No such file or directory\n", "wifi.ino"),
    "msg_many": seed("".join("a.ino:%d:1: error: 'n%d' was not declared in this scope\n" % (i, i) for i in range(20)) +
                     "a.ino:30:1: error: 'n17' was not declared in this scope\n", "a.ino"),
    "msg_odd": seed("error: '\nerror: 'x' is not a member of\nfatal error: : No such file or directory\n"
                    "undefined reference to `\xe2\x80\n", "o.ino"),
}

FIX = {
    "fix_comment_line": seed("/* a\n */ void f() {}\n"),
    "fix_declaration_lines": seed("int x =\n5; void f() {}\n"),
    "fix_directive_comment": seed("#define X 1 /* a\n b */\nvoid f() {}\n"),
    "fix_path_quote": seed("void f() {}\n", 'a"b'),
    "fix_equal_equal": seed("void take(std::array<int, N == 1> a) {}\n"),
    "fix_angle_depth": seed("int f(T<(1>2)> a, int b = 1) {}\n"),
    "fix_line_comment_splice": seed("// note \\\nint x =\nvoid g() {}\n"),
    "fix_braces_in_parameters": seed("int f(int a, std::array<int, 2> b = {}) {}\nauto t = T(1, [] { return 2; });\n"
                                     "void g() {}\n"),
}

write_seeds(__file__, INO, FRAG, KEPT, MSG, FIX, width=34)

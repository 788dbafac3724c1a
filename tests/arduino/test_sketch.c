/* test_sketch.c - a .ino sketch as C++ (tools/sketch): the IDE's prototypes, placed before the
 * first function and without default arguments, #line for the sketch's own lines, nothing
 * for what is no plain function; and compiler messages turned into what the sketch lacks. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sketch.h"

/* What fn wrote to a FILE, in a string the caller frees. */
typedef int (*writer)(const char *in, FILE *out);

static char *written(writer fn, const char *in, int *result)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    *result = fn(in, out);
    fclose(out);
    return text;
}

static int translate_to(const char *sketch, FILE *out)
{
    return duet_sketch_translate(sketch, strlen(sketch), "s.ino", out);
}

static int explain_to(const char *messages, FILE *out)
{
    return duet_sketch_explain(messages, "wifi.ino", out);
}

/* The C++ for a sketch, and what explain() writes for messages. */
static char *translate(const char *sketch, int *prototypes) { return written(translate_to, sketch, prototypes); }
static char *explain(const char *messages, int *count) { return written(explain_to, messages, count); }

static void test_prototypes_before_first_function(void **state)
{
    (void)state;
    const char *sketch = "#include <RPC.h>\n"           /* 1 */
                         "// a comment with f() { }\n"   /* 2 */
                         "int counter = 0;\n"            /* 3 */
                         "void setup() {\n"              /* 4 */
                         "  blink(LEDB, 100);\n"         /* 5 */
                         "}\n"                           /* 6 */
                         "void loop() {\n"               /* 7 */
                         "}\n"                           /* 8 */
                         "static long blink(int led,\n"  /* 9 */
                         "   int ms = 10 /* ten */) {\n" /* 10 */
                         "  if (led) { return 1; }\n"    /* 11 */
                         "  return 0;\n"                 /* 12 */
                         "}\n";                          /* 13 */
    int n;
    char *cpp = translate(sketch, &n);
    assert_int_equal(n, 3);
    assert_string_equal(cpp, "#include <Arduino.h>\n"
                             "#line 1 \"s.ino\"\n"
                             "#include <RPC.h>\n"
                             "// a comment with f() { }\n"
                             "int counter = 0;\n"
                             "#line 4 \"s.ino\"\n"
                             "void setup ( );\n"
                             "#line 7 \"s.ino\"\n"
                             "void loop ( );\n"
                             "#line 9 \"s.ino\"\n"
                             "static long blink ( int led , int ms );\n"
                             "#line 4 \"s.ino\"\n"
                             "void setup() {\n"
                             "  blink(LEDB, 100);\n"
                             "}\n"
                             "void loop() {\n"
                             "}\n"
                             "static long blink(int led,\n"
                             "   int ms = 10 /* ten */) {\n"
                             "  if (led) { return 1; }\n"
                             "  return 0;\n"
                             "}\n");
    free(cpp);
}

static void test_what_is_no_plain_function(void **state)
{
    (void)state;
    const char *sketch = "struct Point { int x; int get() { return x; } };\n"
                         "class Led { public: void on(); };\n"
                         "void Led::on() { }\n"
                         "namespace util { int twice(int v) { return 2 * v; } }\n"
                         "extern \"C\" { int c_side(void) { return 1; } }\n"
                         "template <typename T> T pick(T a) { return a; }\n"
                         "int table[] = { 1, 2 };\n"
                         "constexpr unsigned long interval{ 1000 };\n"
                         "#define SQUARE(x) { (x) * (x) }\n"
                         "String text(\"(\");\n"
                         "const char *brace = \"{\";\n"
                         "std::vector<std::vector<int>> grid(int n = f(1, 2), char c = '}') { return {}; }\n"
                         "void setup() { if (true) { } }\n";
    int n;
    char *cpp = translate(sketch, &n);
    assert_int_equal(n, 2);
    assert_non_null(strstr(cpp, "#line 12 \"s.ino\"\nstd :: vector < std :: vector < int >> grid ( int n , char c );\n"));
    assert_non_null(strstr(cpp, "#line 13 \"s.ino\"\nvoid setup ( );\n#line 12 \"s.ino\"\nstd::vector"));
    assert_null(strstr(cpp, "twice ("));
    assert_null(strstr(cpp, "get ("));
    assert_null(strstr(cpp, "pick ("));
    free(cpp);
}

static void test_sketch_without_functions(void **state)
{
    (void)state;
    int n;
    char *cpp = translate("int x = 1;", &n);
    assert_int_equal(n, 0);
    assert_string_equal(cpp, "#include <Arduino.h>\n#line 1 \"s.ino\"\nint x = 1;\n");
    free(cpp);
}

static void test_explain_what_the_layer_lacks(void **state)
{
    (void)state;
    const char *messages =
        "wifi.ino: In function \xe2\x80\x98void setup()\xe2\x80\x99:\n"
        "wifi.ino:4:3: error: \xe2\x80\x98WiFi\xe2\x80\x99 was not declared in this scope\n"
        "wifi.ino:5:3: error: 'WiFi' was not declared in this scope\n"
        "wifi.ino:6:7: error: 'class arduino::RPCClass' has no member named 'attach'\n"
        "wifi.ino:7:9: error: 'Mutex' is not a member of 'rtos'\n"
        "wifi.ino:8:1: error: 'EthernetClient' does not name a type\n"
        "wifi.ino:9:4: error: expected ';' before '}' token\n"
        "/usr/bin/ld: s.o: in function `loop':\n"
        "wifi.ino:12: undefined reference to `analogReadResolution'\n";
    int count;
    char *text = explain(messages, &count);
    assert_int_equal(count, 5);
    assert_non_null(strstr(text, "duet-board build: wifi.ino uses WiFi, which neither the sketch nor duet's Arduino layer "
                                 "defines (docs/arduino.md lists what the layer has)\n"));
    assert_non_null(strstr(text, "uses RPCClass::attach,"));
    assert_non_null(strstr(text, "uses rtos::Mutex,"));
    assert_non_null(strstr(text, "uses EthernetClient,"));
    assert_non_null(strstr(text, "uses analogReadResolution,"));
    free(text);

    text = explain("wifi.ino:1:10: fatal error: WiFi.h: No such file or directory\ncompilation terminated.\n", &count);
    assert_int_equal(count, 1);
    assert_non_null(strstr(text, "duet-board build: wifi.ino includes WiFi.h, which duet's Arduino layer does not have"));
    free(text);

    text = explain("wifi.ino:9:4: error: expected ';' before '}' token\n", &count);
    assert_int_equal(count, 0);
    assert_string_equal(text, "");
    free(text);
}

/* A name the layer declares in a header the sketch did not include (RPC.h, Servo.h...) is
 * no name the layer lacks: the line says which #include to add. */
static void test_explain_names_the_header_to_include(void **state)
{
    (void)state;
    const char *messages =
        "blink.ino:6:3: error: \xe2\x80\x98RPC\xe2\x80\x99 was not declared in this scope\n"
        "blink.ino:2:1: error: 'Servo' does not name a type\n"
        "blink.ino:3:17: error: 'rtos' is not a namespace-name\n"
        "blink.ino:9:3: error: 'SerialRPC' was not declared in this scope\n"
        "blink.ino:10:3: error: 'WiFi' was not declared in this scope\n";
    int count;
    char *text = explain(messages, &count);
    assert_int_equal(count, 5);
    assert_non_null(strstr(text, "duet-board build: blink.ino uses RPC, which duet's Arduino layer declares in RPC.h: "
                                 "add #include <RPC.h> to the sketch (the Arduino IDE needs it too)\n"));
    assert_non_null(strstr(text, "uses Servo, which duet's Arduino layer declares in Servo.h: add #include <Servo.h>"));
    assert_non_null(strstr(text, "uses rtos, which duet's Arduino layer declares in mbed.h: add #include <mbed.h>"));
    assert_non_null(strstr(text, "uses SerialRPC, which duet's Arduino layer declares in SerialRPC.h"));
    assert_non_null(strstr(text, "uses WiFi, which neither the sketch nor duet's Arduino layer defines"));
    assert_null(strstr(text, "uses RPC, which neither"));
    free(text);
}

/* What the fuzz target (fuzz/sketch) found: prototypes put inside a comment, a declaration or
 * a directive's comment; a path with quotes; operators split; a default argument kept. */
static void test_prototypes_between_declarations(void **state)
{
    (void)state;
    int n;
    char *cpp = translate("/* a\n */ void f() {}\n", &n);
    assert_int_equal(n, 1);
    assert_string_equal(cpp, "#include <Arduino.h>\n#line 1 \"s.ino\"\n"
                             "#line 2 \"s.ino\"\nvoid f ( );\n#line 1 \"s.ino\"\n/* a\n */ void f() {}\n");
    free(cpp);

    cpp = translate("int y;\nint x =\n  5; void f() {}\n", &n);
    assert_int_equal(n, 1);
    assert_string_equal(cpp, "#include <Arduino.h>\n#line 1 \"s.ino\"\nint y;\n"
                             "#line 3 \"s.ino\"\nvoid f ( );\n#line 2 \"s.ino\"\nint x =\n  5; void f() {}\n");
    free(cpp);

    cpp = translate("#define ONE 1 /* the\n  one */\nvoid f() {}\n", &n);
    assert_int_equal(n, 1);
    assert_string_equal(cpp, "#include <Arduino.h>\n#line 1 \"s.ino\"\n#define ONE 1 /* the\n  one */\n"
                             "#line 3 \"s.ino\"\nvoid f ( );\n#line 3 \"s.ino\"\nvoid f() {}\n");
    free(cpp);

    /* A splice continues a // comment: "int x =" is the comment's, no declaration. */
    cpp = translate("// note \\\nint x =\nvoid g() {}\n", &n);
    assert_int_equal(n, 1);
    assert_non_null(strstr(cpp, "int x =\n#line 3 \"s.ino\"\nvoid g ( );\n#line 3 \"s.ino\"\nvoid g() {}\n"));
    free(cpp);

    /* A raw string's quotes and braces are its own. */
    cpp = translate("const char *r = R\"x(\" {\n)x\";\nvoid f() {}\n", &n);
    assert_int_equal(n, 1);
    assert_non_null(strstr(cpp, "#line 3 \"s.ino\"\nvoid f ( );\n#line 3 \"s.ino\"\nvoid f() {}\n"));
    free(cpp);

    cpp = translate("void take(std::array<int, N == 1> a, T<(1>2)> b, int c = 1) {}\n", &n);
    assert_int_equal(n, 1);
    assert_non_null(strstr(cpp, "void take ( std :: array < int , N == 1 > a , T < ( 1 > 2 ) > b , int c );\n"));
    free(cpp);

    /* Braces in a default argument are no body: the definition is still found whole. */
    cpp = translate("int x;\nint f(int a, std::array<int, 2> b = {}) {}\nauto t = T(1, [] { return 2; });\nvoid g() {}\n", &n);
    assert_int_equal(n, 2);
    assert_non_null(strstr(cpp, "#line 2 \"s.ino\"\nint f ( int a , std :: array < int , 2 > b );\n"
                                "#line 4 \"s.ino\"\nvoid g ( );\n"));
    free(cpp);

    /* A raw string over lines in a function's head: no prototype (it would be several lines). */
    cpp = translate("[[deprecated(R\"(\n#line 9\n)\")]] void f() {}\n", &n);
    assert_int_equal(n, 0);
    free(cpp);

    /* Broken parameters or an unterminated literal: no prototype. */
    cpp = translate("void h(a}b = 1) {}\nvoid k(const char *s = \"x) {}\n", &n);
    assert_int_equal(n, 0);
    free(cpp);

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_int_equal(duet_sketch_translate("void f() {}", 11, "my \"dir\"\\a\n.ino", out), 1);
    fclose(out);
    assert_string_equal(text, "#include <Arduino.h>\n#line 1 \"my \\\"dir\\\"\\\\a\\012.ino\"\n"
                              "#line 1 \"my \\\"dir\\\"\\\\a\\012.ino\"\nvoid f ( );\n"
                              "#line 1 \"my \\\"dir\\\"\\\\a\\012.ino\"\nvoid f() {}\n");
    free(text);
}

/* Checks that translate() gives the sketch of one function, on one line, the prototype. */
static void assert_prototype(const char *sketch, const char *prototype)
{
    int n;
    char *cpp = translate(sketch, &n);
    char expected[512];
    snprintf(expected, sizeof expected,
             "#include <Arduino.h>\n#line 1 \"s.ino\"\n#line 1 \"s.ino\"\n%s\n#line 1 \"s.ino\"\n%s\n", prototype,
             sketch);
    assert_int_equal(n, 1);
    assert_string_equal(cpp, expected);
    free(cpp);
}

/* A '<' in a default value that is a comparison opens no template's brackets: the parameters
 * after it stay in the prototype (they were dropped: the ',' after "x < y" was taken for one
 * inside brackets). */
static void test_default_value_with_a_comparison(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"void f(int a = x < y, int b) {}", "void f ( int a , int b );"},
        {"int g(bool c = 1 < 2, int d = 3) { return d; }", "int g ( bool c , int d );"},
        {"void h(bool a = f(x < y, z), int b) {}", "void h ( bool a , int b );"},
        {"void k(bool a = x < y, std::array<int, 2> b) {}", "void k ( bool a , std :: array < int , 2 > b );"},
        {"void m(bool a = x < y, bool b = y > z) {}", "void m ( bool a , bool b );"},
        {"void n(bool a = x < y, T<int> b, int c = 0) {}", "void n ( bool a , T < int > b , int c );"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_prototype(cases[i][0], cases[i][1]);
}

/* Templates in parameter types and default values keep working: the ',' inside their
 * brackets ends no parameter. */
static void test_default_value_with_a_template(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"void p(std::pair<int, int> p, Foo<Bar<int>> q = {}) {}",
         "void p ( std :: pair < int , int > p , Foo < Bar < int >> q );"},
        {"void r(int a = b<c>(d), int e) {}", "void r ( int a , int e );"},
        {"void s(std::map<int, int> m = std::map<int, int>(), int n = 1) {}",
         "void s ( std :: map < int , int > m , int n );"},
        {"void u(int a = std::numeric_limits<int>::max(), int b) {}", "void u ( int a , int b );"},
        {"void v(int a = Foo<(1 > 2), 3>::value, int b) {}", "void v ( int a , int b );"},
        {"void w(Foo<Bar<int>> q = Foo<Bar<int>>{}, int z = 2) {}", "void w ( Foo < Bar < int >> q , int z );"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_prototype(cases[i][0], cases[i][1]);
}

/* A trailing return type (auto f(int x) -> int): no prototype, as in the IDE, whose ctags
 * makes no tag of such a function; a function after it still gets one, put before that
 * function (the first with a prototype), as the IDE puts it. */
static void test_trailing_return_type_gets_no_prototype(void **state)
{
    (void)state;
    int n;
    char *cpp = translate("auto f(int x) -> int { return x; }\nvoid g() {}\n", &n);
    assert_int_equal(n, 1);
    assert_string_equal(cpp, "#include <Arduino.h>\n#line 1 \"s.ino\"\nauto f(int x) -> int { return x; }\n"
                             "#line 2 \"s.ino\"\nvoid g ( );\n#line 2 \"s.ino\"\nvoid g() {}\n");
    free(cpp);
}

/* Past 16 names, a name that comes again is still explained once. */
static void test_explain_each_name_once(void **state)
{
    (void)state;
    char messages[4096] = "";
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 20; i++)
            snprintf(messages + strlen(messages), sizeof messages - strlen(messages),
                     "wifi.ino:%d:1: error: 'name%d' was not declared in this scope\n", i, i);
    int count;
    char *text = explain(messages, &count);
    assert_int_equal(count, 20);
    int lines = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, 20);
    free(text);
}

static void test_explain_names_the_file_of_each_message(void **state)
{
    (void)state;
    const char *messages =
        "/tmp/sketch/more.ino:4:3: error: 'WiFi' was not declared in this scope\n"
        "/tmp/sketch/src/util/x.cpp:2:1: error: 'EthernetClient' does not name a type\n"
        "/usr/bin/ld: /tmp/cc1.o: in function `loop':\n"
        "helpers.ino:12: undefined reference to `analogReadResolution'\n"
        "/usr/bin/ld: /tmp/cc2.o:(.text+0x8): undefined reference to `attachInterrupt'\n"
        "/tmp/sketch/more.ino:9:1: error: 'WiFi' was not declared in this scope\n";
    int count;
    char *text = explain(messages, &count);
    assert_int_equal(count, 4);
    assert_non_null(strstr(text, "duet-board build: more.ino uses WiFi, which"));
    assert_non_null(strstr(text, "duet-board build: x.cpp uses EthernetClient, which"));
    assert_non_null(strstr(text, "duet-board build: helpers.ino uses analogReadResolution, which"));
    /* the joined tabs' C++ (duet-board's NAME.ino.cpp in a temporary folder) is the tab */
    char *joined = explain("/tmp/duet-sketch-x/Tabs.ino.cpp:2: undefined reference to `half(int)'\n", &count);
    assert_int_equal(count, 1);
    assert_non_null(strstr(joined, "duet-board build: Tabs.ino uses half(int), which"));
    free(joined);
    /* the linker's own line names no file of the sketch: the sketch's name */
    assert_non_null(strstr(text, "duet-board build: wifi.ino uses attachInterrupt, which"));
    free(text);
}

/* ------------------------------------------------------------ the lines the preprocessor kept */

/* The C++ for a sketch whose kept lines are the numbers in lines (ending at 0); *prototypes
 * gets the count. The caller frees. */
static char *translate_kept(const char *sketch, const int *lines, int *prototypes)
{
    bool kept[64] = {false};
    for (; *lines; lines++)
        kept[*lines] = true;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    *prototypes = duet_sketch_translate_kept(sketch, strlen(sketch), "s.ino", kept, 64, out);
    fclose(out);
    return text;
}

/* A sketch for both cores (a common GIGA pattern): each branch a type of its own and a
 * function used before its definition. Each core gets the prototypes of its own branch,
 * inside that branch, which the compiler compiles for it. */
static const char *const both_cores = "#include <RPC.h>\n"                   /* 1 */
                                      "#ifdef CORE_CM7\n"                    /* 2 */
                                      "struct Led { int pin; };\n"           /* 3 */
                                      "void setup() { blink(Led{1}); }\n"    /* 4 */
                                      "void blink(Led l) { }\n"              /* 5 */
                                      "#else\n"                              /* 6 */
                                      "struct Motor { int speed; };\n"       /* 7 */
                                      "void setup() { spin(Motor{2}); }\n"   /* 8 */
                                      "void spin(Motor m) { }\n"             /* 9 */
                                      "#endif\n"                             /* 10 */
                                      "void loop() { }\n";                   /* 11 */

static void test_kept_branch_of_each_core(void **state)
{
    (void)state;
    int n;
    char *cpp = translate_kept(both_cores, (const int[]){7, 8, 9, 11, 0}, &n);
    assert_int_equal(n, 3);
    assert_string_equal(cpp, "#include <Arduino.h>\n#line 1 \"s.ino\"\n"
                             "#include <RPC.h>\n#ifdef CORE_CM7\nstruct Led { int pin; };\n"
                             "void setup() { blink(Led{1}); }\nvoid blink(Led l) { }\n#else\n"
                             "struct Motor { int speed; };\n"
                             "#line 8 \"s.ino\"\nvoid setup ( );\n"
                             "#line 9 \"s.ino\"\nvoid spin ( Motor m );\n"
                             "#line 11 \"s.ino\"\nvoid loop ( );\n"
                             "#line 8 \"s.ino\"\n"
                             "void setup() { spin(Motor{2}); }\nvoid spin(Motor m) { }\n#endif\nvoid loop() { }\n");
    free(cpp);

    cpp = translate_kept(both_cores, (const int[]){3, 4, 5, 11, 0}, &n);
    assert_int_equal(n, 3);
    assert_non_null(strstr(cpp, "struct Led { int pin; };\n"
                                "#line 4 \"s.ino\"\nvoid setup ( );\n"
                                "#line 5 \"s.ino\"\nvoid blink ( Led l );\n"
                                "#line 11 \"s.ino\"\nvoid loop ( );\n"
                                "#line 4 \"s.ino\"\nvoid setup() { blink(Led{1}); }\n"));
    assert_null(strstr(cpp, "spin ("));
    free(cpp);
}

/* "#if 0" and nested conditionals: a stretch is compiled when a line of it is kept, or when
 * it is outside every conditional (below, setup() after "#if 0" gets its prototype with no
 * line kept at all). */
static void test_kept_nested_and_if_0(void **state)
{
    (void)state;
    int n;
    char *cpp = translate_kept("#if 0\nvoid old() { }\n#endif\n// the one\nvoid setup() { }\n", (const int[]){0}, &n);
    assert_int_equal(n, 1);
    assert_string_equal(cpp, "#include <Arduino.h>\n#line 1 \"s.ino\"\n#if 0\nvoid old() { }\n#endif\n// the one\n"
                             "#line 5 \"s.ino\"\nvoid setup ( );\n#line 5 \"s.ino\"\nvoid setup() { }\n");
    free(cpp);

    const char *nested = "#ifdef A\n"          /* 1 */
                         "#ifdef B\n"          /* 2 */
                         "void ab() {}\n"      /* 3 */
                         "#else\n"             /* 4 */
                         "void a_only() {}\n"  /* 5 */
                         "#endif\n"            /* 6 */
                         "void a() {}\n"       /* 7 */
                         "#endif\n"            /* 8 */
                         "void setup() {}\n";  /* 9 */
    cpp = translate_kept(nested, (const int[]){5, 7, 9, 0}, &n); /* A, not B */
    assert_int_equal(n, 3);
    assert_non_null(strstr(cpp, "#else\n#line 5 \"s.ino\"\nvoid a_only ( );\n#line 7 \"s.ino\"\nvoid a ( );\n"
                                "#line 9 \"s.ino\"\nvoid setup ( );\n#line 5 \"s.ino\"\nvoid a_only() {}\n"));
    free(cpp);

    cpp = translate_kept(nested, (const int[]){3, 7, 9, 0}, &n); /* A and B */
    assert_int_equal(n, 3);
    assert_non_null(strstr(cpp, "#ifdef B\n#line 3 \"s.ino\"\nvoid ab ( );\n#line 7 \"s.ino\"\nvoid a ( );\n"));
    free(cpp);

    cpp = translate_kept(nested, (const int[]){9, 0}, &n); /* neither */
    assert_int_equal(n, 1);
    assert_non_null(strstr(cpp, "#endif\n#line 9 \"s.ino\"\nvoid setup ( );\n#line 9 \"s.ino\"\nvoid setup() {}\n"));
    free(cpp);
}

/* The prototypes go at a line the compiler compiles, between the declarations it sees: not
 * into a skipped branch (whose ';' ends no declaration for the compiler), nor into
 * "int x = 5;" that the branches make. */
static void test_kept_placement(void **state)
{
    (void)state;
    const char *sketch = "int x =\n"         /* 1 */
                         "#if 0\n"           /* 2 */
                         ";\n"               /* 3 */
                         "int z;\n"          /* 4 */
                         "#else\n"           /* 5 */
                         "5\n"               /* 6 */
                         "#endif\n"          /* 7 */
                         "; void f() {}\n";  /* 8 */
    int n;
    char *cpp = translate_kept(sketch, (const int[]){1, 6, 8, 0}, &n);
    assert_int_equal(n, 1);
    assert_string_equal(cpp, "#include <Arduino.h>\n#line 1 \"s.ino\"\n"
                             "#line 8 \"s.ino\"\nvoid f ( );\n#line 1 \"s.ino\"\n"
                             "int x =\n#if 0\n;\nint z;\n#else\n5\n#endif\n; void f() {}\n");
    free(cpp);

    /* A comment's line in a kept branch is a place (the line itself has nothing the
     * preprocessor prints); the lines after it are not (inside the comment, inside
     * "int x = 5;"). */
    cpp = translate_kept("int y;\n#ifdef CORE_CM7\n/* M7\n */ int x =\n  5; void f() {}\n#else\nvoid g() {}\n#endif\n",
                         (const int[]){1, 4, 5, 0}, &n);
    assert_int_equal(n, 1);
    assert_non_null(strstr(cpp, "#ifdef CORE_CM7\n#line 5 \"s.ino\"\nvoid f ( );\n#line 3 \"s.ino\"\n/* M7\n"));
    free(cpp);
}

/* Every line kept, or a sketch with a #line of its own: what duet_sketch_translate gives,
 * byte for byte. */
static void test_all_kept_is_the_old_translation(void **state)
{
    (void)state;
    const char *sketches[] = {
        both_cores,
        "#if 0\nvoid old() { }\n#endif\nvoid setup() { }\n",
        "int x =\n#if 0\n;\nint z;\n#else\n5\n#endif\n; void f() {}\n",
        "struct P { int x; };\n#define TWO 2\nvoid f(int a = TWO) {}\n",
    };
    bool all[64];
    for (int i = 0; i < 64; i++)
        all[i] = true;
    for (size_t k = 0; k < sizeof sketches / sizeof sketches[0]; k++) {
        int n, m;
        char *old = translate(sketches[k], &n);
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        assert_non_null(out);
        m = duet_sketch_translate_kept(sketches[k], strlen(sketches[k]), "s.ino", all, 64, out);
        fclose(out);
        assert_int_equal(m, n);
        assert_string_equal(text, old);
        free(text);
        free(old);
    }
    /* #line renumbers the lines: the kept set (none here) cannot be trusted. */
    int n;
    char *cpp = translate_kept("#line 40\n#if 0\nvoid f() {}\n#endif\n", (const int[]){0}, &n);
    assert_int_equal(n, 1);
    free(cpp);
}

/* The preprocessor's output read back: the lines of the sketch it printed something of, by
 * its line markers (blank lines count, the header's lines do not). */
static void test_kept_lines_from_the_preprocessor(void **state)
{
    (void)state;
    const char *output = "# 0 \"/tmp/d/s.ino.lines.cpp\"\n"
                         "# 1 \"/usr/include/Arduino.h\" 1 3\n"
                         "void pinMode(int, int);\n"
                         "# 2 \"/tmp/d/s.ino.lines.cpp\" 2\n"
                         "# 1 \"<sketch>\"\n"
                         "\n"
                         "struct A { int a; };\n"
                         "void f(A a) {}\n"
                         "   \n"
                         "# 12 \"<sketch>\"\n"
                         "void setup() {\n"
                         "#pragma once\n"
                         "#line 30 \"<sketch>\"\n"
                         "}";
    bool kept[40];
    memset(kept, 1, sizeof kept);
    assert_true(duet_sketch_kept_lines(output, strlen(output), "<sketch>", kept, 40));
    for (int line = 0; line < 40; line++)
        assert_int_equal(kept[line], line == 2 || line == 3 || line == 12 || line == 13 || line == 30);
    assert_false(duet_sketch_kept_lines(output, strlen(output), "<other>", kept, 40));
    for (int line = 0; line < 40; line++)
        assert_false(kept[line]);
    /* A line past kept_lines, a huge line number, and no marker at all. */
    const char *far = "# 99999999999999999999999 \"<sketch>\"\nint a;\n# 5 \"<sketch>\"\nint b;\n";
    assert_true(duet_sketch_kept_lines(far, strlen(far), "<sketch>", kept, 4));
    assert_false(kept[0] || kept[1] || kept[2] || kept[3]);
    assert_false(duet_sketch_kept_lines("int a;\n", 7, "<sketch>", kept, 4));

    assert_int_equal(duet_sketch_conditionals(both_cores, strlen(both_cores)), 1);
    const char *quiet = "// #if 0\nconst char *s = \"\\n#ifdef A\";\n#define IF #if\n";
    assert_int_equal(duet_sketch_conditionals(quiet, strlen(quiet)), 0);
    assert_int_equal(duet_sketch_conditionals("# /* */ ifndef X\n#  if 1\n", 25), 2);
}


/* ------------------------------------------------------------ several tabs */

/* What duet_sketch_translate_tabs writes for count tabs, its result in *result. */
static char *translate_tabs(const duet_sketch_tab *tabs, size_t count, int *result)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    *result = duet_sketch_translate_tabs(tabs, count, out);
    fclose(out);
    return text;
}

static duet_sketch_tab tab(const char *text, const char *path)
{
    return (duet_sketch_tab){text, strlen(text), path, NULL, 0};
}

static void test_tabs_joined_with_all_prototypes_once(void **state)
{
    (void)state;
    /* The main tab calls helper() of the second; the second uses the main tab's type and
     * global. The second tab has no newline at its end. */
    const duet_sketch_tab tabs[] = {
        tab("struct Point { int x; };\n" /* 1 */
            "Point origin = {0};\n"      /* 2 */
            "void setup() {\n"           /* 3 */
            "  helper(origin);\n"        /* 4 */
            "}\n"                        /* 5 */
            "void loop() { }\n",         /* 6 */
            "dir/tabs.ino"),
        tab("// helpers\n"                    /* 1 */
            "int helper(Point p, int n = 2) {\n" /* 2 */
            "  return p.x + n;\n"              /* 3 */
            "}",                               /* 4 */
            "dir/helpers.ino"),
    };
    int n;
    char *cpp = translate_tabs(tabs, 2, &n);
    assert_int_equal(n, 3);
    assert_string_equal(cpp, "#include <Arduino.h>\n"
                             "#line 1 \"dir/tabs.ino\"\n"
                             "struct Point { int x; };\n"
                             "Point origin = {0};\n"
                             "#line 3 \"dir/tabs.ino\"\n"
                             "void setup ( );\n"
                             "#line 6 \"dir/tabs.ino\"\n"
                             "void loop ( );\n"
                             "#line 2 \"dir/helpers.ino\"\n"
                             "int helper ( Point p , int n );\n"
                             "#line 3 \"dir/tabs.ino\"\n"
                             "void setup() {\n"
                             "  helper(origin);\n"
                             "}\n"
                             "void loop() { }\n"
                             "#line 1 \"dir/helpers.ino\"\n"
                             "// helpers\n"
                             "int helper(Point p, int n = 2) {\n"
                             "  return p.x + n;\n"
                             "}\n");
    free(cpp);
}

static void test_tabs_prototypes_in_first_tab_with_a_function(void **state)
{
    (void)state;
    /* The main tab declares only; the prototypes go where the second tab's first function
     * starts, and an empty tab is just its #line. */
    const duet_sketch_tab tabs[] = {tab("int shared = 1;\n", "a.ino"), tab("", "b.ino"),
                                    tab("int twice(int v) { return 2 * v; }\nvoid setup() { twice(shared); }\n",
                                        "c.ino"),
                                    tab("void loop() { }\n", "d.ino")};
    int n;
    char *cpp = translate_tabs(tabs, 4, &n);
    assert_int_equal(n, 3);
    assert_string_equal(cpp, "#include <Arduino.h>\n"
                             "#line 1 \"a.ino\"\n"
                             "int shared = 1;\n"
                             "#line 1 \"b.ino\"\n"
                             "#line 1 \"c.ino\"\n"
                             "#line 1 \"c.ino\"\n"
                             "int twice ( int v );\n"
                             "#line 2 \"c.ino\"\n"
                             "void setup ( );\n"
                             "#line 1 \"d.ino\"\n"
                             "void loop ( );\n"
                             "#line 1 \"c.ino\"\n"
                             "int twice(int v) { return 2 * v; }\n"
                             "void setup() { twice(shared); }\n"
                             "#line 1 \"d.ino\"\n"
                             "void loop() { }\n");
    free(cpp);
    /* No function anywhere: the tabs joined, no prototype. */
    const duet_sketch_tab plain[] = {tab("int a;", "a.ino"), tab("int b;\n", "b.ino")};
    cpp = translate_tabs(plain, 2, &n);
    assert_int_equal(n, 0);
    assert_string_equal(cpp, "#include <Arduino.h>\n#line 1 \"a.ino\"\nint a;\n#line 1 \"b.ino\"\nint b;\n");
    free(cpp);
}

static void test_tabs_kept_lines_per_tab(void **state)
{
    (void)state;
    /* The second tab's M4 half is not compiled for the M7: its function gets no prototype.
     * The kept lines come from one preprocessor run over the joined tabs. */
    const char *main_tab = "void setup() {\n  on_core();\n}\nvoid loop() { }\n";
    const char *second = "#ifdef CORE_CM4\n"     /* 1 */
                         "void on_core(M4Only x) { }\n" /* 2 */
                         "#else\n"               /* 3 */
                         "void on_core() { }\n"  /* 4 */
                         "#endif\n";             /* 5 */
    const char *output = "# 1 \"<tab 1>\"\n"
                         "void setup() {\n"
                         "  on_core();\n"
                         "}\n"
                         "void loop() { }\n"
                         "# 1 \"<tab 2>\"\n"
                         "\n\n\n"
                         "void on_core() { }\n";
    bool kept1[8], kept2[8];
    assert_true(duet_sketch_kept_lines(output, strlen(output), "<tab 1>", kept1, 8));
    assert_true(duet_sketch_kept_lines(output, strlen(output), "<tab 2>", kept2, 8));
    for (int line = 0; line < 8; line++) {
        assert_int_equal(kept1[line], line >= 1 && line <= 4);
        assert_int_equal(kept2[line], line == 4);
    }
    const duet_sketch_tab tabs[] = {{main_tab, strlen(main_tab), "m.ino", kept1, 8},
                                    {second, strlen(second), "s.ino", kept2, 8}};
    int n;
    char *cpp = translate_tabs(tabs, 2, &n);
    assert_int_equal(n, 3);
    assert_non_null(strstr(cpp, "#line 4 \"s.ino\"\nvoid on_core ( );\n#line 1 \"m.ino\"\nvoid setup() {\n"));
    assert_null(strstr(cpp, "M4Only x );"));
    free(cpp);
}

static void test_one_tab_is_the_single_translation(void **state)
{
    (void)state;
    const char *sketches[] = {both_cores, "int x;\n", "void f() {}", ""};
    for (size_t k = 0; k < sizeof sketches / sizeof sketches[0]; k++) {
        int n, m;
        char *old = translate(sketches[k], &n);
        duet_sketch_tab one = tab(sketches[k], "s.ino");
        char *cpp = translate_tabs(&one, 1, &m);
        assert_int_equal(m, n);
        assert_string_equal(cpp, old);
        free(cpp);
        free(old);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prototypes_before_first_function),
        cmocka_unit_test(test_what_is_no_plain_function),
        cmocka_unit_test(test_sketch_without_functions),
        cmocka_unit_test(test_explain_what_the_layer_lacks),
        cmocka_unit_test(test_prototypes_between_declarations),
        cmocka_unit_test(test_explain_names_the_header_to_include),
        cmocka_unit_test(test_explain_each_name_once),
        cmocka_unit_test(test_explain_names_the_file_of_each_message),
        cmocka_unit_test(test_default_value_with_a_comparison),
        cmocka_unit_test(test_default_value_with_a_template),
        cmocka_unit_test(test_trailing_return_type_gets_no_prototype),
        cmocka_unit_test(test_kept_branch_of_each_core),
        cmocka_unit_test(test_kept_nested_and_if_0),
        cmocka_unit_test(test_kept_placement),
        cmocka_unit_test(test_all_kept_is_the_old_translation),
        cmocka_unit_test(test_kept_lines_from_the_preprocessor),
        cmocka_unit_test(test_tabs_joined_with_all_prototypes_once),
        cmocka_unit_test(test_tabs_prototypes_in_first_tab_with_a_function),
        cmocka_unit_test(test_tabs_kept_lines_per_tab),
        cmocka_unit_test(test_one_tab_is_the_single_translation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

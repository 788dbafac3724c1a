/* test_sketch.c - a .ino sketch as C++ (tools/sketch): the IDE's prototypes, placed before the
 * first function and without default arguments, #line for the sketch's own lines, nothing
 * for what is no plain function; and compiler messages turned into what the sketch lacks. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
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
    assert_non_null(strstr(text, "duet-board: wifi.ino uses WiFi, which neither the sketch nor duet's Arduino layer "
                                 "defines (docs/arduino.md lists what the layer has)\n"));
    assert_non_null(strstr(text, "uses RPCClass::attach,"));
    assert_non_null(strstr(text, "uses rtos::Mutex,"));
    assert_non_null(strstr(text, "uses EthernetClient,"));
    assert_non_null(strstr(text, "uses analogReadResolution,"));
    free(text);

    text = explain("wifi.ino:1:10: fatal error: WiFi.h: No such file or directory\ncompilation terminated.\n", &count);
    assert_int_equal(count, 1);
    assert_non_null(strstr(text, "duet-board: wifi.ino includes WiFi.h, which duet's Arduino layer does not have"));
    free(text);

    text = explain("wifi.ino:9:4: error: expected ';' before '}' token\n", &count);
    assert_int_equal(count, 0);
    assert_string_equal(text, "");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prototypes_before_first_function),
        cmocka_unit_test(test_what_is_no_plain_function),
        cmocka_unit_test(test_sketch_without_functions),
        cmocka_unit_test(test_explain_what_the_layer_lacks),
        cmocka_unit_test(test_prototypes_between_declarations),
        cmocka_unit_test(test_explain_each_name_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

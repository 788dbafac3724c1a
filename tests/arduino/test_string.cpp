/* test_string.cpp - what Arduino's String does when memory runs out: every operation that
 * allocates is run with each of its allocations failing in turn (failing_alloc.h), and what
 * it leaves is checked against the rule docs/arduino.md gives: a failed append or reserve
 * returns false and keeps the text, replace keeps the text, a failed construction, copy,
 * assignment, sum, substring or readString gives an invalid String. The _asan build checks
 * that nothing leaks on the way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <string>

extern "C" {
#include <cmocka.h>
}

#include "Arduino.h"
#include "failing_alloc.h"

namespace {

/* What a String holds after a failure: its text as before, or nothing (invalid). */
enum Outcome { KEEPS, INVALID };

/* An operation that says nothing about its own success (replace, an assignment). */
constexpr int NO_RESULT = -1;

void expect_text(const String &s, const char *text)
{
    assert_true((bool)s);
    assert_int_equal(s.length(), strlen(text));
    assert_string_equal(s.c_str(), text);
}

void expect_invalid(const String &s)
{
    assert_false((bool)s);
    assert_int_equal(s.length(), 0);
    assert_string_equal(s.c_str(), "");
}

/*
 * Runs op on a String holding before, once with each of its first allocs allocations failing
 * (the first, then the second, ...) and once with none failing, which must make no more than
 * allocs. op returns its own result (1 or 0: concat, reserve) or NO_RESULT. A failed run
 * returns 0 and leaves the text as the outcome says; the run with no failure returns 1 and
 * leaves after.
 */
template <typename Op> void check_failures(const char *before, unsigned allocs, Outcome outcome, const char *after, Op op)
{
    for (unsigned nth = 1; nth <= allocs + 1; nth++) {
        String s(before);
        failing_alloc_start(nth);
        int result = op(s);
        bool failed = failing_alloc_stop() >= nth;
        assert_int_equal(failed, nth <= allocs);
        if (result != NO_RESULT)
            assert_int_equal(result, !failed);
        if (!failed)
            expect_text(s, after);
        else if (outcome == KEEPS)
            expect_text(s, before);
        else
            expect_invalid(s);
    }
}

/* A constructor or a function that makes a new String: invalid when it cannot get memory. */
template <typename Make> void check_made(unsigned allocs, const char *text, Make make)
{
    check_failures("old", allocs, INVALID, text, [&](String &s) {
        s = make();
        return NO_RESULT;
    });
}

void test_constructors(void **)
{
    String source("abc");
    check_made(1, "", [] { return String(); });
    check_made(1, "abc", [] { return String("abc"); });
    check_made(1, "ab", [] { return String("abc", 2); });
    check_made(1, "abc", [&] { return String(source); });
    check_made(1, "x", [] { return String('x'); });
    check_made(1, "ff", [] { return String(255, HEX); });
    check_made(1, "-5", [] { return String(-5); });
    check_made(1, "7", [] { return String(7u); });
    check_made(1, "-5", [] { return String(-5L); });
    check_made(1, "4000000000", [] { return String(4000000000UL); });
    check_made(1, "-5", [] { return String(-5LL); });
    check_made(1, "1010", [] { return String(10ULL, BIN); });
    check_made(1, "200", [] { return String((unsigned char)200); });
    check_made(1, "3.14", [] { return String(3.14159); });
    check_made(1, "2.500", [] { return String(2.5f, 3); });
    expect_text(source, "abc");
}

/* A copy or an assignment that needs more room and cannot get it leaves the String invalid,
 * as Arduino's does; one that fits the room it has allocates nothing. */
void test_assignment(void **)
{
    String longer("a longer text");
    check_failures("ab", 1, INVALID, "a longer text", [&](String &s) {
        s = longer;
        return NO_RESULT;
    });
    check_failures("ab", 1, INVALID, "a longer text", [](String &s) {
        s = "a longer text";
        return NO_RESULT;
    });
    check_failures("a longer text", 0, INVALID, "ab", [](String &s) {
        s = "ab";
        return NO_RESULT;
    });
    expect_text(longer, "a longer text");
}

/* reserve and every append return false and keep the text when memory runs out; a number is
 * appended from a buffer on the stack, so its text's growth is the only allocation. */
void test_appending(void **)
{
    String tail("def");
    check_failures("abc", 1, KEEPS, "abc", [](String &s) { return (int)s.reserve(100); });
    check_failures("abc", 1, KEEPS, "abcdef", [&](String &s) { return (int)s.concat(tail); });
    check_failures("abc", 1, KEEPS, "abcdef", [](String &s) { return (int)s.concat("def"); });
    check_failures("abc", 1, KEEPS, "abcd", [](String &s) { return (int)s.concat("def", 1); });
    check_failures("abc", 1, KEEPS, "abc!", [](String &s) { return (int)s.concat('!'); });
    check_failures("abc", 1, KEEPS, "abc-42", [](String &s) { return (int)s.concat(-42); });
    check_failures("abc", 1, KEEPS, "abc42", [](String &s) { return (int)s.concat(42u); });
    check_failures("abc", 1, KEEPS, "abc-42", [](String &s) { return (int)s.concat(-42L); });
    check_failures("abc", 1, KEEPS, "abc42", [](String &s) { return (int)s.concat(42UL); });
    check_failures("abc", 1, KEEPS, "abc-42", [](String &s) { return (int)s.concat(-42LL); });
    check_failures("abc", 1, KEEPS, "abc42", [](String &s) { return (int)s.concat(42ULL); });
    check_failures("abc", 1, KEEPS, "abc7", [](String &s) { return (int)s.concat((unsigned char)7); });
    check_failures("abc", 1, KEEPS, "abc1.50", [](String &s) { return (int)s.concat(1.5f); });
    check_failures("abc", 1, KEEPS, "abc1.50", [](String &s) { return (int)s.concat(1.5); });
    /* With room reserved, a number is appended with no allocation at all. */
    String roomy("abc");
    assert_true(roomy.reserve(40));
    failing_alloc_start(1);
    bool appended = roomy.concat(-1234567890123LL) && roomy.concat(2.25) && roomy.concat(7u);
    assert_int_equal(failing_alloc_stop(), 0);
    assert_true(appended);
    expect_text(roomy, "abc-12345678901232.257");
    check_failures("abc", 1, KEEPS, "abcdef", [](String &s) {
        s += "def";
        return NO_RESULT;
    });
    expect_text(tail, "def");
    /* A length that no memory holds together with the text is refused before anything is
     * read (it wrapped around to a small size and copied past the end). */
    for (size_t length : {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 3, SIZE_MAX - 4}) {
        String s("abc");
        failing_alloc_start(0);
        assert_false(s.concat("x", length));
        assert_int_equal(failing_alloc_stop(), 0);
        expect_text(s, "abc");
    }
}

/* A sum that cannot get memory for its copy of the left side, or for the append, is invalid,
 * never the right side alone or a part; its operands stay as they were. */
void test_sums(void **)
{
    String left("abc"), right("def");
    check_made(2, "abcdef", [&] { return left + right; });
    check_made(2, "abcdef", [&] { return left + "def"; });
    check_made(2, "abcdef", [&] { return "abc" + right; });
    check_made(2, "abc!", [&] { return left + '!'; });
    check_made(2, "abc-42", [&] { return left + -42; });
    check_made(2, "abc42", [&] { return left + 42u; });
    check_made(2, "abc-42", [&] { return left + -42L; });
    check_made(2, "abc42", [&] { return left + 42UL; });
    check_made(2, "abc1.50", [&] { return left + 1.5f; });
    check_made(2, "abc1.50", [&] { return left + 1.5; });
    expect_text(left, "abc");
    expect_text(right, "def");
    /* Not memory: an invalid left side takes the right side's text, as in Arduino. */
    String gone = static_cast<String &&>(left);
    expect_text(left + right, "def");
}

void test_substring(void **)
{
    String source("hello world");
    check_made(1, "world", [&] { return source.substring(6); });
    check_made(1, "lo w", [&] { return source.substring(7, 3); });
    check_made(1, "", [&] { return source.substring(20); });
    expect_text(source, "hello world");
}

/* replace computes the new text's length first and allocates once, and only when the new text
 * does not fit the memory the String has: when that fails the text is as it was, never a part
 * of the new one. */
void test_replace(void **)
{
    String find("l"), longer("LL"), same("L"), none("");
    check_failures("hello world", 1, KEEPS, "heLLLLo worLLd", [&](String &s) {
        s.replace(find, longer);
        return NO_RESULT;
    });
    check_failures("hello world", 0, KEEPS, "heLLo worLd", [&](String &s) {
        s.replace(find, same);
        return NO_RESULT;
    });
    check_failures("hello world", 0, KEEPS, "heo word", [&](String &s) {
        s.replace(find, none);
        return NO_RESULT;
    });
    check_failures("abc", 0, KEEPS, "abc", [&](String &s) {
        s.replace(find, longer);
        return NO_RESULT;
    });
    /* The String itself as what is found, or as what replaces. */
    String b("b");
    check_failures("ab", 1, KEEPS, "aab", [&](String &s) {
        s.replace(b, s);
        return NO_RESULT;
    });
    check_failures("ab", 1, KEEPS, "b", [&](String &s) {
        s.replace(s, b);
        return NO_RESULT;
    });
    expect_text(find, "l");

    /* Room reserved: the text grows in its own buffer, with no allocation that could fail,
     * and reads as when it got a new one (found left to right, not overlapping). */
    struct Case {
        const char *before, *find, *with, *after;
    } const cases[] = {
        {"hello world", "l", "LL", "heLLLLo worLLd"}, {"aaaa", "aa", "bbb", "bbbbbb"},
        {"aaa", "aa", "aaaa", "aaaaa"},               {"xyz", "xyz", "0123456789", "0123456789"},
        {"-a-", "-", "<->", "<->a<->"},              {"abcabc", "c", "cc", "abccabcc"},
    };
    for (const Case &c : cases) {
        String want(c.before);
        want.replace(String(c.find), String(c.with)); /* the text it gets a new buffer for */
        expect_text(want, c.after);
        String s(c.before), find_it(c.find), with(c.with);
        assert_true(s.reserve(strlen(c.after)));
        const char *buffer = s.c_str();
        failing_alloc_start(1); /* every allocation fails from here */
        s.replace(find_it, with);
        assert_int_equal(failing_alloc_stop(), 0); /* none was asked for */
        expect_text(s, c.after);
        assert_ptr_equal(s.c_str(), buffer);
    }
}

/* A Stream over a fixed text that never waits. */
struct TextStream : Stream {
    std::string in;
    size_t pos = 0;
    explicit TextStream(const char *text) : in(text) { setTimeout(0); }
    int available() override { return (int)(in.size() - pos); }
    int read() override { return pos < in.size() ? (unsigned char)in[pos++] : -1; }
    int peek() override { return pos < in.size() ? (unsigned char)in[pos] : -1; }
    size_t write(uint8_t) override { return 0; }
};

/* readString and readStringUntil read as far as Arduino's do whatever happens, and give an
 * invalid String when an append failed, never a text with a byte left out. */
void test_read_string(void **)
{
    check_failures("old", 5, INVALID, "hello", [](String &s) {
        TextStream in("hello");
        s = in.readString();
        assert_int_equal(in.pos, 5);
        return NO_RESULT;
    });
    check_failures("old", 4, INVALID, "line", [](String &s) {
        TextStream in("line\nrest");
        s = in.readStringUntil('\n');
        assert_int_equal(in.pos, 5);
        return NO_RESULT;
    });
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constructors), cmocka_unit_test(test_assignment),
        cmocka_unit_test(test_appending),    cmocka_unit_test(test_sums),
        cmocka_unit_test(test_substring),    cmocka_unit_test(test_replace),
        cmocka_unit_test(test_read_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_print.cpp - Arduino's String, Print and Stream as the layer has them: every print
 * overload's text and count, String's conversions and edits, Stream's reads with a timeout. */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <cmath>
#include <string>

extern "C" {
#include <cmocka.h>
}

#include "Arduino.h"
#include "mbed_mktime.h"

namespace {

/* A Print that keeps what it is given. */
struct Sink : Print {
    std::string out;
    using Print::write;
    size_t write(uint8_t c) override
    {
        out += (char)c;
        return 1;
    }
};

/* A Stream over a fixed text. */
struct TextStream : Stream {
    std::string in;
    size_t pos = 0;
    explicit TextStream(const char *text) : in(text) {}
    int available() override { return (int)(in.size() - pos); }
    int read() override { return pos < in.size() ? (unsigned char)in[pos++] : -1; }
    int peek() override { return pos < in.size() ? (unsigned char)in[pos] : -1; }
    size_t write(uint8_t) override { return 0; }
};

struct Point : Printable {
    int x, y;
    Point(int x_, int y_) : x(x_), y(y_) {}
    size_t printTo(Print &p) const override
    {
        size_t n = p.print('(');
        n += p.print(x);
        n += p.print(',');
        n += p.print(y);
        return n + p.print(')');
    }
};

/* The text one print call makes, and checks that the count it returned is its length. */
template <typename... A> std::string printed(A... args)
{
    Sink s;
    size_t n = s.print(args...);
    assert_int_equal(n, s.out.size());
    return s.out;
}

void test_print_integers(void **)
{
    assert_string_equal(printed(0).c_str(), "0");
    assert_string_equal(printed(-42).c_str(), "-42");
    assert_string_equal(printed(255, HEX).c_str(), "FF");
    assert_string_equal(printed(255, OCT).c_str(), "377");
    assert_string_equal(printed(5, BIN).c_str(), "101");
    assert_string_equal(printed(-1, HEX).c_str(), "FFFFFFFF"); /* an int's own 32 bits */
    assert_string_equal(printed(4000000000u).c_str(), "4000000000");
    assert_string_equal(printed(-9223372036854775807LL - 1).c_str(), "-9223372036854775808");
    assert_string_equal(printed(18446744073709551615ULL).c_str(), "18446744073709551615");
    assert_string_equal(printed(123456789L, 36).c_str(), "21I3V9");
    assert_string_equal(printed((unsigned char)65).c_str(), "65");
    assert_string_equal(printed('A').c_str(), "A");
    assert_string_equal(printed(66, 0).c_str(), "B"); /* base 0: the byte itself */
    /* Arduino's printNumber takes the base as a byte, 1 as 10, and writes a digit d above 9
     * as the byte 'A' + d - 10: past 'Z' for a base above 36. */
    assert_string_equal(printed(255, 37).c_str(), "6X");
    assert_string_equal(printed(36u, 37).c_str(), "[");
    assert_string_equal(printed(254L, 255).c_str(), "5"); /* 'A' + 244 as a byte */
    assert_string_equal(printed(10, 256).c_str(), "10"); /* the byte 0: base 10 */
    assert_string_equal(printed(10, 266).c_str(), "10"); /* the byte 10 */
    assert_string_equal(printed(-5, 266).c_str(), "4294967291"); /* base 10, not written as 10 */
    assert_string_equal(printed(10, -2).c_str(), "A");   /* the byte 254 */
    assert_string_equal(printed(5, 1).c_str(), "5");
    assert_string_equal(printed(1234567ULL, 200).c_str(), "U\xe3\xde"); /* 30, 172, 167 */
}

void test_print_floats(void **)
{
    assert_string_equal(printed(3.14159).c_str(), "3.14");
    assert_string_equal(printed(3.14159, 4).c_str(), "3.1416");
    assert_string_equal(printed(2.5, 0).c_str(), "3");
    assert_string_equal(printed(-0.005).c_str(), "-0.01");
    assert_string_equal(printed(1.0f).c_str(), "1.00");
    assert_string_equal(printed(NAN).c_str(), "nan");
    assert_string_equal(printed(-INFINITY).c_str(), "inf");
    assert_string_equal(printed(5e9).c_str(), "ovf");
    assert_string_equal(printed(123.456, 1).c_str(), "123.5");
    /* Arduino's printFloat: fewer than 0 digits are its default 2, and it writes every digit
     * asked for (its rest times ten, one digit at a time), not 20 at most. */
    assert_string_equal(printed(3.14159, -1).c_str(), "3.14");
    assert_string_equal(printed(-2.5, -7).c_str(), "-2.50");
    assert_string_equal(printed(1.0 / 3, 30).c_str(), "0.333333333333333303727386009995");
    assert_string_equal(printed(0.1, 100).c_str(), ("0." + std::string(99, '0')).insert(2, "1").c_str());
    Sink s;
    assert_int_equal(s.println(0.5, -1), 6);
    assert_string_equal(s.out.c_str(), "0.50\r\n");
}

void test_print_text(void **)
{
    Sink s;
    assert_int_equal(s.println("hello"), 7); /* the guide: hello (5) + new line (2) */
    assert_string_equal(s.out.c_str(), "hello\r\n");
    assert_int_equal(s.println(), 2);
    assert_int_equal(s.print(F("flash")), 5);
    assert_int_equal(s.println(String("str")), 5);
    assert_int_equal(s.println(Point(3, -4)), 8);
    assert_int_equal(s.println(12, HEX), 3);
    assert_int_equal(s.println(1.5, 1), 5);
    assert_int_equal(s.write("ab", 2), 2);
    assert_int_equal(s.write('c'), 1);
    assert_int_equal(s.write((const char *)nullptr), 0);
    assert_string_equal(s.out.c_str(), "hello\r\n\r\nflashstr\r\n(3,-4)\r\nC\r\n1.5\r\nabc");
}

void test_string_numbers(void **)
{
    assert_string_equal(String(42).c_str(), "42");
    assert_string_equal(String(-5).c_str(), "-5");
    assert_string_equal(String(255, HEX).c_str(), "ff");
    assert_string_equal(String(-1, HEX).c_str(), "ffffffff");
    assert_string_equal(String(10, BIN).c_str(), "1010");
    assert_string_equal(String(3.14159).c_str(), "3.14");
    assert_string_equal(String(3.14159f, 3).c_str(), "3.142");
    assert_string_equal(String('x').c_str(), "x");
    assert_string_equal(String(4000000000UL).c_str(), "4000000000");
    assert_int_equal(String("  -123abc").toInt(), -123);
    assert_true(fabs(String("2.75").toFloat() - 2.75) < 1e-6);
    assert_int_equal(String("abc").toInt(), 0);
}

void test_string_building(void **)
{
    int result = 512;
    String line = "Result is " + String(result);
    assert_string_equal(line.c_str(), "Result is 512");
    String buffer = "";
    for (char c : std::string("M4 says hi\r\n"))
        buffer += c;
    assert_int_equal(buffer.length(), 12);
    assert_string_equal(buffer.c_str(), "M4 says hi\r\n");
    String s = String("a") + 1 + 'b' + 2.5 + "c" + String("d");
    assert_string_equal(s.c_str(), "a1b2.50cd");
    s += s; /* appending itself */
    assert_string_equal(s.c_str(), "a1b2.50cda1b2.50cd");
    String moved = static_cast<String &&>(s);
    assert_string_equal(moved.c_str(), "a1b2.50cda1b2.50cd");
    String copy = moved;
    copy += 7;
    assert_string_equal(copy.c_str(), "a1b2.50cda1b2.50cd7");
    assert_true((bool)copy);
}

void test_string_edits(void **)
{
    String s = "  Hello, World  ";
    s.trim();
    assert_string_equal(s.c_str(), "Hello, World");
    assert_int_equal(s.indexOf('o'), 4);
    assert_int_equal(s.indexOf('o', 5), 8);
    assert_int_equal(s.lastIndexOf('o'), 8);
    assert_int_equal(s.indexOf("World"), 7);
    assert_int_equal(s.indexOf("xyz"), -1);
    assert_int_equal(s.lastIndexOf("l"), 10);
    assert_string_equal(s.substring(7).c_str(), "World");
    assert_string_equal(s.substring(0, 5).c_str(), "Hello");
    assert_string_equal(s.substring(5, 0).c_str(), "Hello");
    assert_string_equal(s.substring(50).c_str(), "");
    assert_true(s.startsWith("Hello"));
    assert_true(s.endsWith("World"));
    assert_false(s.endsWith("Hello"));
    assert_int_equal(s.charAt(1), 'e');
    assert_int_equal(s.charAt(100), 0);
    s.setCharAt(0, 'J');
    s[1] = 'a';
    assert_string_equal(s.c_str(), "Jallo, World");
    s.replace("l", "LL");
    assert_string_equal(s.c_str(), "JaLLLLo, WorLLd");
    s.replace('L', 'l');
    s.remove(2, 2);
    assert_string_equal(s.c_str(), "Jallo, Worlld");
    s.remove(5);
    assert_string_equal(s.c_str(), "Jallo");
    s.toUpperCase();
    assert_true(s == "JALLO");
    assert_true(s.equalsIgnoreCase(String("jallo")));
    s.toLowerCase();
    assert_true("jallo" == s);
    assert_true(String("abc") < String("abd"));
    assert_true(String("ab") < String("abc"));
    assert_int_equal(String("abc").compareTo(String("abc")), 0);
    char out[4];
    String("abcdef").toCharArray(out, sizeof out);
    assert_string_equal(out, "abc");
}

void test_stream_reads(void **)
{
    TextStream in("Temp: -12 C, rate 3.25\nsecond line\nOK done");
    in.setTimeout(20);
    assert_int_equal(in.parseInt(), -12);
    assert_true(fabs(in.parseFloat() - 3.25f) < 1e-6);
    assert_int_equal(in.read(), '\n');
    assert_string_equal(in.readStringUntil('\n').c_str(), "second line");
    assert_true(in.find("OK"));
    char buf[8] = {0};
    assert_int_equal(in.readBytes(buf, 3), 3);
    assert_string_equal(buf, " do");
    /* Only "ne" is left: readBytes gives what came before the timeout. */
    assert_int_equal(in.readBytes(buf, 5), 2);
    assert_int_equal(in.parseInt(), 0);
    assert_false(in.find("never"));

    TextStream rest("abc;def");
    rest.setTimeout(20);
    char word[8] = {0};
    assert_int_equal(rest.readBytesUntil(';', word, sizeof word), 3);
    assert_string_equal(word, "abc");
    assert_string_equal(rest.readString().c_str(), "def");
    TextStream until("xx END yy STOP");
    until.setTimeout(20);
    assert_false(until.findUntil("STOP", "END"));
    assert_true(until.findUntil("STOP", "NEVER"));
}

/* String(float, decimals) is Arduino's dtostrf: "%*.*f" with width decimals + 2, rounded
 * exactly (a tie to even), at most 10 decimals, every digit (fuzz_arduino_text found the
 * layer writing print's "ovf" and rounding half up). */
void test_string_floats(void **)
{
    assert_string_equal(String(5.0, 0).c_str(), " 5");
    assert_string_equal(String(2.5, 0).c_str(), " 2");
    assert_string_equal(String(3.5, 0).c_str(), " 4");
    assert_string_equal(String(0.125, 2).c_str(), "0.12");
    assert_string_equal(String(1.005, 2).c_str(), "1.00"); /* 1.00499999999999989... */
    assert_string_equal(String(5e9).c_str(), "5000000000.00");
    assert_string_equal(String(1e20, 0).c_str(), "100000000000000000000");
    assert_string_equal(String(1.5, 12).c_str(), "1.5000000000");
    assert_string_equal(String(-0.001).c_str(), "-0.00");
    assert_string_equal(String(NAN).c_str(), " nan");
    assert_string_equal(String(-INFINITY, 3).c_str(), " -inf");
    assert_string_equal(String(5e-324, 10).c_str(), "0.0000000000");
    assert_int_equal(String(1.7976931348623157e308, 0).length(), 309);
    String s("x");
    s += 0.125f; /* a tie: to even */
    assert_string_equal(s.c_str(), "x0.12");
}

/* Arduino's String rules the layer missed (found by fuzz_arduino_text): String('\0') is
 * empty, invalid Strings stay invalid through copies and sums, searches and comparisons take
 * the text as a C string, an index at or past the end finds nothing. */
void test_string_arduino_rules(void **)
{
    assert_int_equal(String('\0').length(), 0);
    String a("abc");
    String gone = static_cast<String &&>(a);
    assert_false((bool)a);
    String copy(a);
    assert_false((bool)copy);
    copy = "x";
    copy = a;
    assert_false((bool)copy);
    assert_false(gone.concat(a));
    assert_true(a.concat(""));
    assert_false((bool)a);
    assert_false((bool)(gone + a));
    assert_false(a.startsWith(String("")));
    assert_int_equal(a.indexOf(String("")), -1); /* was memcmp(nullptr, ...): UB */

    String nul("a\0b", 3);
    assert_true(nul.equals(String("a\0c", 3)));
    assert_int_equal(nul.compareTo(String("a")), 0);
    assert_true(String("\0a", 2).equals(static_cast<const char *>(nullptr)));
    assert_int_equal(nul.indexOf('\0'), 1);
    assert_int_equal(nul.indexOf('b'), -1);
    assert_int_equal(gone.indexOf('\0'), 3);
    assert_int_equal(gone.indexOf(String(""), 3), -1);
    assert_int_equal(gone.indexOf(String(""), 1), 1);
    assert_int_equal(gone.lastIndexOf('a', 10), -1);
    assert_int_equal(gone.lastIndexOf('\0', 1), 2);
    assert_int_equal(gone.lastIndexOf(String("")), -1);
    unsigned char bytes[4];
    memset(bytes, 0x55, sizeof bytes);
    nul.getBytes(bytes, sizeof bytes);
    assert_memory_equal(bytes, "a\0\0\0", 4);
    nul.toUpperCase();
    nul.replace('b', 'x');
    assert_memory_equal(nul.c_str(), "A\0b", 4);
}

/* reserve(SIZE_MAX) fails and keeps the text (found by fuzz_arduino_text: realloc(p, 0)
 * freed the buffer the String went on using). */
void test_string_reserve_max(void **)
{
    String s("abc");
    assert_false(s.reserve(SIZE_MAX));
    assert_string_equal(s.c_str(), "abc");
    s += "d";
    assert_string_equal(s.c_str(), "abcd");
}

/* A stream that counts its peeks past the end and fails a test that spins on them. */
struct CountingStream : TextStream {
    int empty_peeks = 0;
    explicit CountingStream(const char *text) : TextStream(text) {}
    int peek() override
    {
        int c = TextStream::peek();
        if (c < 0 && ++empty_peeks > 1000)
            fail_msg("a read spins on the end of the input");
        return c;
    }
};

/* find finds a target whose start repeats ("aab" in "aaab": a match restarted at the byte
 * that broke it), an empty terminator stops findUntil at once (found by fuzz_arduino_text). */
void test_stream_find_repeat(void **)
{
    TextStream repeat("aaab;rest");
    repeat.setTimeout(5);
    assert_true(repeat.find("aab"));
    assert_false(repeat.findUntil("rest", ""));
    assert_int_equal(repeat.read(), ';');
    TextStream abab("abaabab!");
    abab.setTimeout(5);
    assert_true(abab.find("abab"));
    assert_int_equal(abab.read(), '!');
}

/* A Stream of the sketch's own that uses Stream's protected parts, as Arduino's allow:
 * findMulti over several targets and parseInt/parseFloat with only an ignore char. */
struct Replies : TextStream {
    explicit Replies(const char *text) : TextStream(text) {}
    int reply()
    {
        MultiTarget t[] = {{"OK", 2, 0}, {"ERROR", 5, 0}, {"BUSY", 4, 0}};
        return findMulti(t, 3);
    }
    long number() { return parseInt(','); }
    float decimal() { return parseFloat(','); }
};

/* The overloads of Arduino's Stream: find and findUntil of uint8_t text and of a length (a
 * NUL inside the target is a byte like any other), and the protected ones above. */
void test_stream_overloads(void **)
{
    const uint8_t nul_target[] = {'a', 0, 'b'};
    static const char input[] = "xxa\0b;OK;END;zz";
    TextStream bytes("");
    bytes.in.assign(input, sizeof input - 1);
    bytes.setTimeout(5);
    assert_true(bytes.find(nul_target, sizeof nul_target));
    assert_true(bytes.find(reinterpret_cast<const uint8_t *>("OK")));
    assert_false(bytes.findUntil("zz", 2, "END;", 3));
    assert_int_equal(bytes.read(), ';');
    assert_true(bytes.findUntil(reinterpret_cast<const uint8_t *>("z"), ";"));

    Replies r("AT+X\r\nBUSY\r\nERROR\r\n1,234 5,678.5 OK");
    r.setTimeout(5);
    assert_int_equal(r.reply(), 2);
    assert_int_equal(r.reply(), 1);
    assert_int_equal(r.number(), 1234);
    assert_true(fabs(r.decimal() - 5678.5f) < 1e-3);
    assert_int_equal(r.reply(), 0);
    assert_int_equal(r.reply(), -1);
}

/* Found by fuzz_arduino_text: an ignore char or terminator >= 0x80 is compared as a char and
 * the timeout is never taken for it, parseInt wraps without overflowing, parseFloat of many
 * decimals is no NaN. */
void test_stream_parse_rules(void **)
{
    CountingStream ignore("1\xff" "2 3\xff");
    ignore.setTimeout(5);
    assert_int_equal(ignore.parseInt(SKIP_ALL, '\xff'), 12);
    assert_int_equal(ignore.parseInt(SKIP_ALL, '\xff'), 3);
    TextStream until("ab\xe9" "cd\xe9" "ef");
    until.setTimeout(5);
    assert_string_equal(until.readStringUntil('\xe9').c_str(), "ab");
    char buf[8] = {0};
    assert_int_equal(until.readBytesUntil('\xe9', buf, sizeof buf), 2);
    assert_string_equal(buf, "cd");

    TextStream big("123456789012345678901234567890 -9223372036854775808");
    big.setTimeout(5);
    big.parseInt(); /* wraps, with no undefined overflow (UBSan in _asan) */
    assert_true(big.parseInt() == LONG_MIN);

    std::string many = "1." + std::string(400, '1');
    TextStream digits(many.c_str());
    digits.setTimeout(5);
    float f = digits.parseFloat();
    assert_false(std::isnan(f));
    assert_true(fabs(f - 1.1111111f) < 1e-6);
}

void test_avr_stdlib(void **)
{
    /* AVR's itoa family and dtostrf, as Arduino's cores give them. */
    char buf[400];
    assert_ptr_equal(itoa(-255, buf, 10), buf);
    assert_string_equal(buf, "-255");
    assert_string_equal(itoa(-255, buf, 16), "ffffff01"); /* an int's bits, as on the board */
    assert_string_equal(itoa(255, buf, 2), "11111111");
    assert_null(itoa(5, buf, 37));
    assert_null(itoa(5, buf, 1));
    assert_null(itoa(5, nullptr, 10));
    assert_string_equal(ltoa(-1L, buf, 10), "-1");
    assert_string_equal(ltoa(35L, buf, 36), "z");
    assert_string_equal(utoa(4000000000u, buf, 10), "4000000000");
    assert_string_equal(ultoa(0ul, buf, 36), "0");
    assert_ptr_equal(dtostrf(3.14159, 7, 2, buf), buf);
    assert_string_equal(buf, "   3.14");
    assert_string_equal(dtostrf(-2.5, -6, 1, buf), "-2.5  ");
    assert_string_equal(dtostrf(2.5, 0, 0, buf), "2"); /* C's rounding: a tie to even */
    assert_string_equal(dtostrf(1e20, 1, 0, buf), "100000000000000000000");
    assert_string_equal(dtostrf(-NAN, 5, 1, buf), "  nan");
    assert_string_equal(dtostrf(0.1, 3, 20, buf), "0.10000000000000000555");
    assert_int_equal(strlen(dtostrf(1.0, 0, 255, buf)), 257); /* every digit asked for */
}

void test_helpers(void **)
{
    /* What the Arduino API's Common.h and WCharacter.h have besides. */
    assert_true(isDigit('7') && !isDigit('x') && isAlpha('q') && isAlphaNumeric('Z') && !isAlphaNumeric('_'));
    assert_true(isWhitespace('\t') && !isWhitespace('\n') && isSpace('\n') && isPunct('!') && !isPunct(' '));
    assert_true(isUpperCase('A') && !isLowerCase('A') && isHexadecimalDigit('f') && isAscii(0x7f) && !isAscii(0x80));
    assert_true(isControl('\r') && isGraph('#') && !isGraph(' ') && isPrintable(' '));
    assert_int_equal(toUpperCase('a'), 'A');
    assert_int_equal(toLowerCase('Q'), 'q');
    assert_int_equal(toAscii(0xC1), 'A');
    assert_int_equal(word(0x12, 0x34), 0x1234);
    assert_int_equal(makeWord(0xBEEF), 0xBEEF);
    unsigned flags = 0x5;
    bitToggle(flags, 1);
    bitToggle(flags, 0);
    assert_int_equal(flags, 0x6);
    /* Never shorter than asked, not rounded up to a millisecond's tick, and a sleep on the PC
     * rather than a loop (the process's own time stays far below the wait's). */
    unsigned long t0 = micros();
    delayMicroseconds(300);
    unsigned long took = micros() - t0;
    assert_true(took >= 300);
    assert_true(took < 20000);
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    t0 = micros();
    delayMicroseconds(2500);
    assert_true(micros() - t0 >= 2500);
    for (int i = 0; i < 100; i++)
        delayMicroseconds(200);
    getrusage(RUSAGE_SELF, &after);
    long cpu_us = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) * 1000000L +
                  (after.ru_utime.tv_usec - before.ru_utime.tv_usec) +
                  (after.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1000000L +
                  (after.ru_stime.tv_usec - before.ru_stime.tv_usec);
    assert_true(cpu_us < 12000); /* the waits took 22.5 ms at least */

    assert_int_equal(map(512, 0, 1023, 0, 180), 90);
    assert_int_equal(map(1023, 0, 1023, 0, 180), 180);
    assert_int_equal(map(0, 0, 1023, 0, 180), 0);
    assert_int_equal(constrain(300, 0, 255), 255);
    assert_int_equal(constrain(-3, 0, 255), 0);
    assert_int_equal(min(3, 7), 3);
    assert_int_equal(max(3, 7), 7);
    randomSeed(42);
    long first = random(100);
    randomSeed(42);
    assert_int_equal(random(100), first);
    for (int i = 0; i < 100; i++) {
        long r = random(10, 20);
        assert_true(r >= 10 && r < 20);
    }
}

/* The RTC sketch's conversions: 2024-10-01 11:58:00 (a Tuesday, day 274 of a leap year). */
void test_rtc_conversions(void **)
{
    struct tm t = {};
    t.tm_sec = 0;
    t.tm_min = 58;
    t.tm_hour = 11;
    t.tm_mday = 1;
    t.tm_mon = 9;
    t.tm_year = 124;
    time_t seconds = 0;
    assert_true(_rtc_maketime(&t, &seconds, RTC_4_YEAR_LEAP_YEAR_SUPPORT));
    assert_int_equal(seconds, 1727783880);
    struct tm back;
    memset(&back, 0x55, sizeof back);
    assert_true(_rtc_localtime(seconds + 61, &back, RTC_4_YEAR_LEAP_YEAR_SUPPORT));
    assert_int_equal(back.tm_year, 124);
    assert_int_equal(back.tm_mon, 9);
    assert_int_equal(back.tm_mday, 1);
    assert_int_equal(back.tm_hour, 11);
    assert_int_equal(back.tm_min, 59);
    assert_int_equal(back.tm_sec, 1);
    assert_int_equal(back.tm_wday, 2);
    assert_int_equal(back.tm_yday, 274);
    assert_int_equal(back.tm_isdst, 0);
    char text[32];
    strftime(text, sizeof text, "%Y-%m-%d %k:%M:%S", &back);
    assert_string_equal(text, "2024-10-01 11:59:01");
    assert_false(_rtc_localtime(-1, &back, RTC_4_YEAR_LEAP_YEAR_SUPPORT));
    t.tm_mon = 12;
    assert_false(_rtc_maketime(&t, &seconds, RTC_FULL_LEAP_YEAR_SUPPORT));
    assert_true(_rtc_is_leap_year(124, RTC_FULL_LEAP_YEAR_SUPPORT));
    assert_false(_rtc_is_leap_year(200, RTC_FULL_LEAP_YEAR_SUPPORT));
    assert_true(_rtc_is_leap_year(200, RTC_4_YEAR_LEAP_YEAR_SUPPORT));
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print_integers), cmocka_unit_test(test_print_floats),
        cmocka_unit_test(test_print_text),     cmocka_unit_test(test_string_numbers),
        cmocka_unit_test(test_string_building), cmocka_unit_test(test_string_edits),
        cmocka_unit_test(test_stream_reads),   cmocka_unit_test(test_helpers), cmocka_unit_test(test_avr_stdlib),
        cmocka_unit_test(test_string_floats),  cmocka_unit_test(test_string_arduino_rules),
        cmocka_unit_test(test_string_reserve_max),
        cmocka_unit_test(test_stream_find_repeat), cmocka_unit_test(test_stream_overloads), cmocka_unit_test(test_stream_parse_rules),
        cmocka_unit_test(test_rtc_conversions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

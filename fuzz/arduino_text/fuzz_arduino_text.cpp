/*
 * fuzz_arduino_text.cpp - libFuzzer target for the Arduino layer's text classes
 * (compat/arduino: String in WString.h/.cpp with number_text.cpp, Stream in Stream.h/.cpp),
 * which take text the other core or a user sends.
 *
 * The input's first byte picks the half: even, (A) on the bytes after it (with bit 1 set,
 * out of memory too); odd, (B). Each
 * half runs a small program the input spells and checks every step against a model written
 * here from Arduino's documented behaviour (the Arduino core's String and Stream, which the
 * layer's comments and docs/arduino.md say it follows), not with the layer's code.
 *
 *   A. String: a program of operations on four Strings, mirrored on four models (a
 *      std::string and whether the String is valid: a moved-from String, or one assigned
 *      from nullptr, is invalid, as in Arduino). Texts come from the input (any bytes, NULs
 *      too) or a list of tricky ones, indexes from the input or a list of huge ones. The
 *      model follows Arduino's rules, which treat a String as a C string where Arduino's
 *      use the C library (a NUL inside stops a search, a comparison, a case change):
 *      - construction and assignment from a C string (to its NUL, nullptr: invalid), from
 *        bytes with a length (NULs kept), from a char (String('\0') is empty), copies (of
 *        an invalid String: invalid), moves (the source becomes invalid), self-assignment;
 *      - numbers: String(v, base) for unsigned char, int, unsigned, long, unsigned long,
 *        long long, unsigned long long in bases 2..36 (base 10 signed, other bases the bits
 *        of v's own type, digits in lower case); String(float/double, decimals) is
 *        "%*.*f" with width decimals+2 and at most 10 decimals ("nan" for a NaN), as
 *        Arduino's dtostrf makes it, with nothing clipped ("ovf" is print's, not String's);
 *      - concat / += / + of a String (itself too), a C string (nullptr: false), bytes with
 *        a length, a char (a NUL char too: the length grows by one), each number type
 *        (a float with 2 decimals); concat's result (false for nullptr or an invalid
 *        String), and + gives an invalid String when its concat fails;
 *      - compareTo (the sign of strcmp), equals (same length and strcmp 0), equals(const
 *        char *), equalsIgnoreCase, the six comparison operators, startsWith (with an
 *        offset too), endsWith;
 *      - charAt, operator[] (0 past the end), setCharAt and operator[] writes (nothing past
 *        the end), getBytes/toCharArray into a buffer of exactly the size given (strncpy:
 *        NUL-padded, at most size-1 bytes, NUL-terminated);
 *      - indexOf/lastIndexOf of a char and of a String, with and without a from-index
 *        (-1 from an index at or past the end; lastIndexOf(String) clips it), the char
 *        found as strchr/strrchr find it (a NUL finds the end), an empty String never;
 *      - substring (swapped indexes swapped, clipped at the end), replace of chars (up to
 *        the first NUL) and of Strings (left to right, not overlapping; an empty find does
 *        nothing; texts without NULs, itself as find or replacement too), remove (clipped),
 *        toLowerCase / toUpperCase (up to the first NUL), trim;
 *      - toInt (strtol's rules: spaces, sign, digits, saturated), toFloat / toDouble (the C
 *        library's strtod of the text, the float rounded from it);
 *      - reserve (true and nothing changes; SIZE_MAX, which cannot be had: false and
 *        nothing changes, as WString.h documents);
 *      - out of memory (bit 1 of the first byte): a byte before each operation picks which
 *        of its allocations fails (failing_alloc.h: the target is linked with --wrap of
 *        malloc, calloc and realloc), as when the heap is used up. Then, by Arduino's rules
 *        as docs/arduino.md gives them, a construction, assignment, copy, number, sum or
 *        substring gives an invalid String; concat and += return false and keep the text;
 *        reserve returns false and changes nothing; replace keeps the text. An operation
 *        that makes fewer allocations than the one picked runs as without;
 *      and after every operation, for every String: length() and the bytes agree with the
 *      model, c_str() has a NUL at length(), begin()/end() span length() bytes, operator
 *      bool says whether it is valid. ASan sees a String's memory leaked.
 *   B. Stream: a Stream of the harness over bytes that arrive in pieces (a gap in ms before
 *      each piece), with a fake clock (streamMillis, which may start just before it wraps)
 *      moved only by waitForData (which may return before the time asked), and a program of
 *      reads under a timeout the input picks (changed by setTimeout mid-way). The model
 *      gives every byte its arrival time: a timed read gets the next byte when it arrives
 *      within the timeout (counted from when that read began) and fails after exactly the
 *      timeout otherwise. Checked after each read: its result, how many bytes it consumed
 *      (what read() sees next) and the clock, for
 *      - find(text), find(char), find(bytes, length), findUntil(target, terminator): true
 *        once the bytes read end with the target (a repeated prefix found too), false at
 *        the terminator (target first when both end together; an empty terminator: false at
 *        once) or the timeout; an empty target is true at once;
 *      - parseInt and parseFloat in each LookaheadMode, with and without an ignore char (a
 *        byte >= 0x80 too): what is skipped before the number (SKIP_ALL: anything but a
 *        digit, '-' and for parseFloat '.'; SKIP_WHITESPACE: spaces, tabs and line ends
 *        only; SKIP_NONE: nothing), 0 when no number came before the timeout, '-' anywhere
 *        in the number making it negative, the ignore char skipped inside the number, a
 *        timeout ending it; parseInt's value wrapping as a long does on the board (never
 *        UB), parseFloat's value built as Arduino's (each fraction digit added times a
 *        tenth that shrinks), bit for bit as a float;
 *      - readBytes and readBytesUntil into a buffer of exactly the length asked (ASan sees
 *        an overrun; the bytes after the count are untouched), readString,
 *        readStringUntil (NUL bytes kept; the terminator consumed, not kept; with one of
 *        the String's allocations failing, as the input picks: an invalid String, every
 *        byte read all the same);
 *      - read(), peek() and available() untimed.
 *      No read waits when its byte has come, none waits past its timeout, and every wait
 *      asks for more than 0 ms.
 * Everything runs under ASan and UBSan. A concat, sum or replace that would make a text
 * longer than TEXT_MAX is skipped (a String doubled again and again).
 */
#include <cmath>
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "Stream.h"
#include "WString.h"
#include "duet/board.h"

#include "failing_alloc.h"
#include "fuzz_check.h"

using arduino::LookaheadMode;
using arduino::String;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stream's default clock is the board's; the harness's stream replaces it, so these must
 * never run. */
unsigned long millis(void)
{
    CHECK(!"Stream used the board's clock");
    return 0;
}
void delay(unsigned long ms)
{
    (void)ms;
    CHECK(!"Stream waited on the board's clock");
}

/* ------------------------------------------------------------ reading the input */

/* The input's bytes in order; 0 once they run out. */
struct Input {
    const uint8_t *p;
    size_t n;
    uint8_t byte()
    {
        if (!n)
            return 0;
        n--;
        return *p++;
    }
    uint64_t word(unsigned bytes)
    {
        uint64_t v = 0;
        for (unsigned i = 0; i < bytes; i++)
            v |= (uint64_t)byte() << (8 * i);
        return v;
    }
};

/* A text operand: bytes of the input (NULs too), one of these, or nullptr. */
static const std::string TEXTS[] = {
    "", " ", "a", "A", "ab", "aab", "abab", "ba", "l", "ll", "-12", "  42abc", "+7", "3.25",
    "-0.5e3", "1e400", "nan", "-inf", "0x1p3", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", " \t\n\v\f\r", "Hello, World", "hello, WORLD", "\xff", "\x80z",
    std::string("a\0b", 3), std::string("\0", 1), std::string("\0a", 2), "  x  ",
};
constexpr size_t TEXT_COUNT = sizeof TEXTS / sizeof TEXTS[0];

struct Text {
    std::string bytes;
    bool null = false;
    const char *c() const { return null ? nullptr : bytes.c_str(); }
};

static Text text_operand(Input &in)
{
    uint8_t t = in.byte();
    Text text;
    if (t < 0xc0) {
        for (unsigned i = 0, len = t % 12; i < len && in.n; i++)
            text.bytes += (char)in.byte();
    } else if (t - 0xc0u < TEXT_COUNT) {
        text.bytes = TEXTS[t - 0xc0];
    } else {
        text.null = true;
    }
    return text;
}

/* An index: small, or one of the huge ones. */
static size_t index_operand(Input &in)
{
    static const size_t HUGE_INDEXES[] = {SIZE_MAX,          SIZE_MAX - 1, UINT_MAX, (size_t)INT_MAX + 1,
                                          (size_t)INT_MAX, SIZE_MAX / 2, 1u << 20, 100};
    uint8_t b = in.byte();
    return b < 0xf0 ? b % 24 : HUGE_INDEXES[b & 7];
}

/* A double: the input's bits, or one of these. */
static double double_operand(Input &in)
{
    static const double VALUES[] = {0.0,   -0.0,      0.5,        1.5,         2.5,
                                     0.125, 1.005,     3.14159,    -2.675,      1e10,
                                     4294967040.0, 4294967296.0, 1e300, 5e-324, NAN,
                                     INFINITY, -INFINITY, 123456789.987654321, 0.045, -0.001,
                                     9.995, 1e-5, 99.5, 0.05};
    uint8_t b = in.byte();
    if (b < sizeof VALUES / sizeof VALUES[0])
        return VALUES[b];
    uint64_t bits = in.word(8);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* ------------------------------------------------------------ the String model */

/* What a String holds by Arduino's rules. */
struct Model {
    std::string s;
    bool valid = true;
    const char *c() const { return s.c_str(); }
    size_t clen() const { return strlen(s.c_str()); }
};

static const char DIGITS[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/* v's text in base (2..36) as Arduino's String makes it: base 10 signed, other bases the
 * bits of v's own type. */
template <typename T> static std::string model_integer(T v, unsigned base)
{
    if (base == 10)
        return std::is_signed<T>::value ? std::to_string((long long)v) : std::to_string((unsigned long long)v);
    auto u = (typename std::make_unsigned<T>::type)v;
    std::string out;
    do {
        out.insert(out.begin(), DIGITS[u % base]);
        u = (decltype(u))(u / base);
    } while (u);
    return out;
}

/* v with decimals after the point as Arduino's String(v, decimals) makes it: dtostrf, that
 * is "%*.*f" with width decimals+2, at most 10 decimals; a NaN is "nan" whatever its sign. */
static std::string model_float(double v, unsigned decimals)
{
    unsigned d = decimals > 10 ? 10 : decimals;
    char out[400];
    if (std::isnan(v))
        snprintf(out, sizeof out, "%*s", (int)d + 2, "nan");
    else
        snprintf(out, sizeof out, "%*.*f", (int)d + 2, (int)d, v);
    return out;
}

/* The longest text the program builds: a String doubled again and again stops here. */
constexpr size_t TEXT_MAX = 1u << 16;

static int sign(long v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

/* strtol's rules for base 10, by hand: spaces, a sign, digits, saturated at long's ends. */
static long model_to_int(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    unsigned long limit = negative ? (unsigned long)LONG_MAX + 1 : (unsigned long)LONG_MAX;
    unsigned long v = 0;
    bool over = false;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (over || v > (limit - d) / 10)
            over = true;
        else
            v = v * 10 + d;
    }
    if (over)
        return negative ? LONG_MIN : LONG_MAX;
    return negative ? (long)(0 - v) : (long)v;
}

/* The position strchr/strstr-style searches return, as an int, or -1. */
static int found_at(const char *base, const char *p) { return p ? (int)(p - base) : -1; }

static int model_index_of_char(const Model &m, char c, size_t from)
{
    if (from >= m.s.size())
        return -1;
    return found_at(m.c(), strchr(m.c() + from, c));
}

static int model_index_of(const Model &m, const Model &find, size_t from)
{
    if (from >= m.s.size())
        return -1;
    return found_at(m.c(), strstr(m.c() + from, find.c()));
}

/* lastIndexOf(c, from): strrchr over the first from+1 bytes taken as a C string. */
static int model_last_index_of_char(const Model &m, char c, size_t from)
{
    if (from >= m.s.size())
        return -1;
    std::string head = m.s.substr(0, from + 1);
    return found_at(head.c_str(), strrchr(head.c_str(), c));
}

/* lastIndexOf(find, from): the last place at or before from (clipped to the end) where the
 * text, as a C string, holds find as a C string; an empty find (by length) never. */
static int model_last_index_of(const Model &m, const Model &find, size_t from)
{
    size_t len = m.s.size();
    if (find.s.empty() || len == 0 || find.s.size() > len)
        return -1;
    if (from >= len)
        from = len - 1;
    size_t flen = find.clen(), clen = m.clen();
    if (flen == 0)
        return (int)from;
    for (size_t i = from + 1; i-- > 0;)
        if (i + flen <= clen && memcmp(m.c() + i, find.c(), flen) == 0)
            return (int)i;
    return -1;
}

static bool model_starts_with(const Model &m, const Model &prefix, size_t offset)
{
    if (!m.valid || !prefix.valid || prefix.s.size() > m.s.size() || offset > m.s.size() - prefix.s.size())
        return false;
    return strncmp(m.c() + offset, prefix.c(), prefix.s.size()) == 0;
}

static bool model_ends_with(const Model &m, const Model &suffix)
{
    if (!m.valid || !suffix.valid || suffix.s.size() > m.s.size())
        return false;
    return strcmp(m.c() + m.s.size() - suffix.s.size(), suffix.c()) == 0;
}

static bool model_equals_ignore_case(const Model &a, const Model &b)
{
    if (a.s.size() != b.s.size())
        return false;
    for (size_t i = 0; a.s[i]; i++)
        if (tolower((unsigned char)a.s[i]) != tolower((unsigned char)b.s[i]))
            return false;
    return true;
}

static std::string model_substring(const Model &m, size_t left, size_t right)
{
    if (left > right)
        std::swap(left, right);
    if (left >= m.s.size())
        return "";
    if (right > m.s.size())
        right = m.s.size();
    return m.s.substr(left, right - left);
}

static void model_replace(Model &m, const std::string &find, const std::string &with)
{
    if (m.s.empty() || find.empty())
        return;
    std::string out;
    size_t i = 0;
    for (size_t at; (at = m.s.find(find, i)) != std::string::npos; i = at + find.size())
        out += m.s.substr(i, at - i) + with;
    m.s = out + m.s.substr(i);
}

static void model_remove(Model &m, size_t index, size_t count)
{
    if (index >= m.s.size() || count == 0)
        return;
    m.s.erase(index, count > m.s.size() - index ? m.s.size() - index : count);
}

static void model_trim(Model &m)
{
    size_t b = 0, e = m.s.size();
    while (b < e && isspace((unsigned char)m.s[b]))
        b++;
    while (e > b && isspace((unsigned char)m.s[e - 1]))
        e--;
    m.s = m.s.substr(b, e - b);
}

/* ------------------------------------------------------------ the String program */

struct Strings {
    String s[4];
    Model m[4];
};

/* Out of memory: which allocation of the operation under way fails (1 for its first, 0 for
 * none), chosen by the input for each operation, and whether it did fail. Only the String
 * calls run between oom_begin and oom_end; the harness's own memory (std::string, new) is
 * never counted. */
static unsigned long oom_nth;
static bool oom_failed;

static void oom_begin() { failing_alloc_start(oom_nth); }

static void oom_end() { oom_failed = failing_alloc_stop() >= oom_nth && oom_nth != 0; }

static const Model INVALID{"", false};

/* Every String agrees with its model: bytes, length, the NUL after them, validity. */
static void check_strings(const Strings &st)
{
    for (int i = 0; i < 4; i++) {
        const String &s = st.s[i];
        const Model &m = st.m[i];
        if (s.length() != m.s.size() || memcmp(s.c_str(), m.s.data(), m.s.size()) != 0 ||
            (bool)s != m.valid) {
            fprintf(stderr, "String %d: \"%s\" (%zu, valid %d), model \"%s\" (%zu, valid %d)\n", i, s.c_str(),
                    s.length(), (int)(bool)s, m.s.c_str(), m.s.size(), (int)m.valid);
            CHECK(!"String and model disagree");
        }
        CHECK(s.c_str()[s.length()] == '\0');
        CHECK(s.begin() == s.c_str() && s.end() == s.c_str() + s.length());
    }
}

/* Sets a model to a C string's text (nullptr: invalid). */
static void model_assign_cstr(Model &m, const Text &t)
{
    m.valid = !t.null;
    m.s = t.null ? "" : std::string(t.c());
}

/* Construction and assignment: invalid when memory ran out. */
static void op_assign(Strings &st, Input &in, unsigned kind, int a, int b)
{
    oom_begin();
    switch (kind % 7) {
    case 6: { /* a char, as a C string of it */
        char ch = (char)in.byte();
        st.s[a] = String(ch);
        st.m[a] = Model{ch ? std::string(1, ch) : "", true};
        break;
    }
    case 0: {
        Text t = text_operand(in);
        st.s[a] = String(t.c());
        model_assign_cstr(st.m[a], t);
        break;
    }
    case 1: {
        Text t = text_operand(in);
        st.s[a] = t.c();
        model_assign_cstr(st.m[a], t);
        break;
    }
    case 2: {
        Text t = text_operand(in);
        if (t.null)
            break;
        st.s[a] = String(t.bytes.data(), t.bytes.size());
        st.m[a].s = t.bytes;
        st.m[a].valid = true;
        break;
    }
    case 3: { /* copy assignment, itself too */
        st.s[a] = st.s[b];
        st.m[a] = st.m[b];
        if (!st.m[a].valid)
            st.m[a].s.clear();
        break;
    }
    case 4: { /* copy construction, then a move in */
        String copy(st.s[b]);
        st.s[a] = std::move(copy);
        st.m[a] = st.m[b];
        CHECK(!copy && copy.length() == 0);
        break;
    }
    default: { /* a move, from itself too */
        st.s[a] = std::move(st.s[b]);
        if (a != b) {
            st.m[a] = st.m[b];
            st.m[b] = Model{"", false};
        }
        break;
    }
    }
    oom_end();
    if (oom_failed)
        st.m[a] = INVALID;
}

/* The number constructors: one integer type in a base, or a float or double; invalid when
 * memory runs out. */
static void op_number(Strings &st, Input &in, int a)
{
    uint8_t type = in.byte(), base = in.byte();
    unsigned b = base < 0x80 ? 2 + base % 35 : (base & 1 ? 16 : 10);
    uint64_t v = in.word(type & 0x80 ? 8 : 1);
    if (type & 0x40)
        v = (uint64_t)(int64_t)(int8_t)v;
    std::string want;
    oom_begin();
    switch ((type & 0x3f) % 9) {
    case 0: st.s[a] = String((unsigned char)v, (unsigned char)b); want = model_integer((unsigned char)v, b); break;
    case 1: st.s[a] = String((int)v, (unsigned char)b); want = model_integer((int)v, b); break;
    case 2: st.s[a] = String((unsigned)v, (unsigned char)b); want = model_integer((unsigned)v, b); break;
    case 3: st.s[a] = String((long)v, (unsigned char)b); want = model_integer((long)v, b); break;
    case 4: st.s[a] = String((unsigned long)v, (unsigned char)b); want = model_integer((unsigned long)v, b); break;
    case 5: st.s[a] = String((long long)v, (unsigned char)b); want = model_integer((long long)v, b); break;
    case 6: st.s[a] = String((unsigned long long)v, (unsigned char)b); want = model_integer((unsigned long long)v, b); break;
    case 7: {
        float f = (float)double_operand(in);
        st.s[a] = String(f, (unsigned char)base);
        want = model_float(f, base);
        break;
    }
    default: {
        double d = double_operand(in);
        st.s[a] = String(d, (unsigned char)base);
        want = model_float(d, base);
        break;
    }
    }
    oom_end();
    st.m[a] = oom_failed ? INVALID : Model{want, true};
}

/* Appends the model's text of a concat; ok says whether Arduino's concat succeeds. */
static bool model_concat(Model &m, const std::string &text, bool ok)
{
    if (!ok)
        return false;
    if (!text.empty()) {
        m.s += text;
        m.valid = true;
    }
    return true;
}

/* concat and +=: of a String, a C string, bytes, a char, each number type. When memory runs
 * out concat returns false and the text stays as it was. */
static void op_concat(Strings &st, Input &in, unsigned kind, int a, int b)
{
    String &s = st.s[a];
    Model &m = st.m[a];
    bool got = false, ok = true, reports = true;
    std::string text; /* what the model appends; ok: whether Arduino's concat can */
    uint64_t v = kind % 12 >= 3 && kind % 12 <= 9 ? in.word(kind & 0x10 ? 8 : 1) : 0;
    Text t = kind % 12 == 1 || kind % 12 == 2 ? text_operand(in) : Text{};
    double d = kind % 12 >= 10 ? double_operand(in) : 0;
    if (kind % 12 == 0) {
        if (m.s.size() + st.m[b].s.size() > TEXT_MAX)
            return;
        text = st.m[b].s;
        ok = st.m[b].valid;
    }
    oom_begin();
    switch (kind % 12) {
    case 0: got = s.concat(st.s[b]); break;
    case 1:
        got = s.concat(t.c());
        text = t.null ? "" : std::string(t.c());
        ok = !t.null;
        break;
    case 2: got = s.concat(t.bytes.data(), t.bytes.size()); text = t.bytes; break;
    case 3: got = s.concat((char)v); text = std::string(1, (char)v); break;
    case 4: got = s.concat((unsigned char)v); text = model_integer((unsigned char)v, 10); break;
    case 5: got = s.concat((int)v); text = model_integer((int)v, 10); break;
    case 6: got = s.concat((unsigned)v); text = model_integer((unsigned)v, 10); break;
    case 7: got = s.concat((long)v); text = model_integer((long)v, 10); break;
    case 8: got = s.concat((unsigned long long)v); text = model_integer((unsigned long long)v, 10); break;
    case 9: got = s.concat((long long)v); text = model_integer((long long)v, 10); break;
    case 10: got = s.concat((float)d); text = model_float((float)d, 2); break;
    default: s += d; text = model_float(d, 2); reports = false; break;
    }
    oom_end();
    bool want = model_concat(m, text, ok && !oom_failed);
    CHECK(!reports || got == want);
}

/* operator+: a copy of the left side with the right side's concat; invalid if that failed
 * (memory too: for the copy or the append). */
static void op_plus(Strings &st, Input &in, unsigned kind, int a, int b, int c)
{
    Model left = st.m[b];
    std::string right; /* what the model appends; ok: whether Arduino's concat can */
    bool ok = true;
    Text t = kind % 5 == 1 || kind % 5 == 2 ? text_operand(in) : Text{};
    char ch = kind % 5 == 3 ? (char)in.byte() : 0;
    long v = kind % 5 == 4 ? (long)in.word(8) : 0;
    if ((kind % 5 == 0 && left.s.size() + st.m[c].s.size() > TEXT_MAX) || (kind % 5 == 2 && t.null))
        return;
    String result;
    oom_begin();
    switch (kind % 5) {
    case 0: result = st.s[b] + st.s[c]; break;
    case 1: result = st.s[b] + t.c(); break;
    case 2: result = t.c() + st.s[c]; break;
    case 3: result = st.s[b] + ch; break;
    default: result = st.s[b] + v; break;
    }
    oom_end();
    switch (kind % 5) {
    case 0: right = st.m[c].s; ok = st.m[c].valid; break;
    case 1: right = t.null ? "" : std::string(t.c()); ok = !t.null; break;
    case 2: left = Model{t.c(), true}; right = st.m[c].s; ok = st.m[c].valid; break;
    case 3: right = std::string(1, ch); break;
    default: right = model_integer(v, 10); break;
    }
    st.s[a] = std::move(result);
    st.m[a] = model_concat(left, right, ok && !oom_failed) ? left : INVALID;
}

/* Comparisons between two Strings, or a String and a C string. */
static void op_compare(Strings &st, Input &in, unsigned kind, int a, int b)
{
    const String &x = st.s[a], &y = st.s[b];
    const Model &mx = st.m[a], &my = st.m[b];
    int cmp = sign(strcmp(mx.c(), my.c()));
    bool eq = mx.s.size() == my.s.size() && cmp == 0;
    CHECK(sign(x.compareTo(y)) == cmp);
    CHECK(x.equals(y) == eq && (x == y) == eq && (x != y) == !eq);
    CHECK((x < y) == (cmp < 0) && (x > y) == (cmp > 0) && (x <= y) == (cmp <= 0) && (x >= y) == (cmp >= 0));
    CHECK(x.equalsIgnoreCase(y) == model_equals_ignore_case(mx, my));
    CHECK(x.startsWith(y) == model_starts_with(mx, my, 0));
    CHECK(x.endsWith(y) == model_ends_with(mx, my));
    size_t offset = index_operand(in);
    CHECK(x.startsWith(y, offset) == model_starts_with(mx, my, offset));
    if (kind & 1) {
        Text t = text_operand(in);
        bool want = t.null ? mx.s.empty() || mx.s[0] == '\0' : strcmp(mx.c(), t.c()) == 0;
        CHECK(x.equals(t.c()) == want);
        if (!t.null)
            CHECK((x == t.c()) == want && (t.c() == x) == want && (x != t.c()) == !want);
    }
}

/* charAt, operator[], setCharAt, writes through operator[], getBytes / toCharArray. */
static void op_chars(Strings &st, Input &in, unsigned kind, int a)
{
    String &s = st.s[a];
    Model &m = st.m[a];
    size_t i = index_operand(in);
    char want = i < m.s.size() ? m.s[i] : '\0';
    CHECK(s.charAt(i) == want);
    CHECK(static_cast<const String &>(s)[i] == want);
    char c = (char)in.byte();
    switch (kind % 4) {
    case 0: s.setCharAt(i, c); break;
    case 1: s[i] = c; break;
    case 2: {
        size_t size = index_operand(in) % 40;
        size_t from = index_operand(in);
        unsigned char *buf = size ? (unsigned char *)malloc(size) : nullptr;
        if (size)
            memset(buf, 0xa5, size);
        if (kind & 4)
            s.getBytes(buf, size, from);
        else
            s.toCharArray(reinterpret_cast<char *>(buf), size, from);
        if (size) {
            size_t n = from >= m.s.size() ? 0 : m.s.size() - from < size - 1 ? m.s.size() - from : size - 1;
            std::string want_bytes(n + 1, '\0');
            if (n)
                strncpy(&want_bytes[0], m.c() + from, n);
            CHECK(memcmp(buf, want_bytes.data(), n + 1) == 0);
            for (size_t k = n + 1; k < size; k++)
                CHECK(buf[k] == 0xa5);
        }
        free(buf);
        return;
    }
    default: return;
    }
    if (i < m.s.size())
        m.s[i] = c; /* past the end: nothing changes */
}

/* indexOf and lastIndexOf of chars and Strings, with and without a from-index. */
static void op_search(Strings &st, Input &in, int a, int b)
{
    const String &s = st.s[a], &f = st.s[b];
    const Model &m = st.m[a], &mf = st.m[b];
    char c = (char)in.byte();
    size_t from = index_operand(in);
    CHECK(s.indexOf(c) == model_index_of_char(m, c, 0));
    CHECK(s.indexOf(c, from) == model_index_of_char(m, c, from));
    CHECK(s.lastIndexOf(c) == model_last_index_of_char(m, c, m.s.size() - 1));
    CHECK(s.lastIndexOf(c, from) == model_last_index_of_char(m, c, from));
    CHECK(s.indexOf(f) == model_index_of(m, mf, 0));
    CHECK(s.indexOf(f, from) == model_index_of(m, mf, from));
    CHECK(s.lastIndexOf(f) == model_last_index_of(m, mf, m.s.size() - mf.s.size()));
    CHECK(s.lastIndexOf(f, from) == model_last_index_of(m, mf, from));
}

static bool has_nul(const Model &m) { return m.clen() != m.s.size(); }

/* substring (invalid when memory runs out), replace (the text kept then), remove, case, trim,
 * reserve (false and nothing changed then). */
static void op_edit(Strings &st, Input &in, unsigned kind, int a, int b, int c)
{
    String &s = st.s[a];
    Model &m = st.m[a];
    switch (kind % 8) {
    case 0: {
        size_t left = index_operand(in), right = kind & 8 ? SIZE_MAX : index_operand(in);
        std::string want = kind & 8 ? model_substring(st.m[b], left, SIZE_MAX) : model_substring(st.m[b], left, right);
        oom_begin();
        s = kind & 8 ? st.s[b].substring(left) : st.s[b].substring(left, right);
        oom_end();
        m = oom_failed ? INVALID : Model{want, true};
        break;
    }
    case 1: {
        char f = (char)in.byte(), r = (char)in.byte();
        s.replace(f, r);
        for (size_t i = 0, n = m.clen(); i < n; i++)
            if (m.s[i] == f)
                m.s[i] = r;
        break;
    }
    case 2: {
        if (has_nul(m) || has_nul(st.m[b]) || has_nul(st.m[c]))
            break; /* Arduino's replace is only defined for texts without NULs */
        if (m.s.size() * (st.m[c].s.size() + 1) > TEXT_MAX)
            break;
        std::string find = st.m[b].s, with = st.m[c].s;
        oom_begin();
        s.replace(st.s[b], st.s[c]);
        oom_end();
        if (!oom_failed)
            model_replace(m, find, with); /* else the text stays as it was */
        break;
    }
    case 3: {
        size_t index = index_operand(in);
        if (kind & 8) {
            s.remove(index);
            model_remove(m, index, SIZE_MAX);
        } else {
            size_t count = index_operand(in);
            s.remove(index, count);
            model_remove(m, index, count);
        }
        break;
    }
    case 4:
        s.toLowerCase();
        for (size_t i = 0, n = m.clen(); i < n; i++)
            m.s[i] = (char)tolower((unsigned char)m.s[i]);
        break;
    case 5:
        s.toUpperCase();
        for (size_t i = 0, n = m.clen(); i < n; i++)
            m.s[i] = (char)toupper((unsigned char)m.s[i]);
        break;
    case 6: s.trim(); model_trim(m); break;
    default: {
        size_t size = index_operand(in);
        if (size != SIZE_MAX && size > (1u << 20))
            size = 1u << 20; /* SIZE_MAX is the size that cannot be had */
        oom_begin();
        bool got = s.reserve(size);
        oom_end();
        bool can = size != SIZE_MAX && !oom_failed; /* else false and nothing changes */
        CHECK(got == can);
        if (can)
            m.valid = true;
        break;
    }
    }
}

/* toInt, toFloat, toDouble. */
static void op_parse(Strings &st, int a)
{
    const String &s = st.s[a];
    const Model &m = st.m[a];
    CHECK(s.toInt() == model_to_int(m.c()));
    double d = strtod(m.c(), nullptr);
    double got = s.toDouble();
    CHECK(got == d || (std::isnan(got) && std::isnan(d)));
    float f = s.toFloat();
    CHECK(f == (float)d || (std::isnan(f) && std::isnan(d)));
}

/* The String program; with oom, a byte before each operation picks which of its allocations
 * fails (its low 3 bits: 1 for the first, ..., 0 for none). */
static void run_strings(Input &in, bool oom)
{
    Strings st;
    for (unsigned steps = 0; in.n && steps < 64; steps++) {
        oom_nth = oom ? in.byte() & 7 : 0;
        uint8_t op = in.byte(), vars = in.byte();
        int a = vars & 3, b = (vars >> 2) & 3, c = (vars >> 4) & 3;
        unsigned kind = op >> 3;
        switch (op & 7) {
        case 0: op_assign(st, in, kind, a, b); break;
        case 1: op_number(st, in, a); break;
        case 2: op_concat(st, in, kind, a, b); break;
        case 3: op_plus(st, in, kind, a, b, c); break;
        case 4: op_compare(st, in, kind, a, b); break;
        case 5: op_chars(st, in, kind, a); break;
        case 6: kind & 16 ? op_search(st, in, a, b) : op_parse(st, a); break;
        default: op_edit(st, in, kind, a, b, c); break;
        }
        check_strings(st);
    }
}

/* ------------------------------------------------------------ the Stream and its model */

/* A Stream over bytes that arrive at given times on a fake clock. */
struct FeedStream : arduino::Stream {
    std::vector<uint8_t> bytes;
    std::vector<uint64_t> at; /* each byte's arrival, ms after the start */
    size_t pos = 0;
    uint64_t now = 0;
    unsigned long base = 0; /* what streamMillis says at the start */
    unsigned step = 0;      /* the longest one waitForData waits (0: as long as asked) */
    size_t waits = 0;

    bool ready() const { return pos < bytes.size() && at[pos] <= now; }
    int available() override
    {
        size_t n = 0;
        while (pos + n < bytes.size() && at[pos + n] <= now)
            n++;
        return (int)n;
    }
    int read() override { return ready() ? bytes[pos++] : -1; }
    int peek() override { return ready() ? bytes[pos] : -1; }
    size_t write(uint8_t) override { return 0; }
    void waitForData(unsigned long ms) override
    {
        CHECK(ms > 0);
        CHECK(!ready()); /* waits only when its byte has not come */
        CHECK(++waits < 1000000);
        uint64_t until = now + ms;
        if (pos < bytes.size() && at[pos] < until)
            until = at[pos];
        if (step && until - now > step)
            until = now + step;
        now = until;
    }
    unsigned long streamMillis() override { return base + (unsigned long)now; }
    using Stream::timedPeek;
    using Stream::timedRead;
};

/* The model: the same bytes and times, its own position and clock, the timeout. */
struct StreamModel {
    const FeedStream *feed;
    size_t pos = 0;
    uint64_t now = 0;
    unsigned long timeout = 1000;

    /* The next byte, waiting up to the timeout for it (consumed if take), or -1. */
    int timed(bool take)
    {
        if (pos < feed->bytes.size() && feed->at[pos] <= now + timeout) {
            if (feed->at[pos] > now)
                now = feed->at[pos];
            return take ? feed->bytes[pos++] : feed->bytes[pos];
        }
        now += timeout;
        return -1;
    }
    int untimed(bool take)
    {
        if (pos < feed->bytes.size() && feed->at[pos] <= now)
            return take ? feed->bytes[pos++] : feed->bytes[pos];
        return -1;
    }
};

/* Whether text ends with the len bytes at t. */
static bool ends_with(const std::string &text, const char *t, size_t len)
{
    return text.size() >= len && memcmp(text.data() + text.size() - len, t, len) == 0;
}

/* find / findUntil: true once the bytes read end with the target, false at the terminator
 * (an empty one at once) or the timeout. */
static bool model_find(StreamModel &m, const std::string &target, const std::string *terminator)
{
    if (target.empty())
        return true;
    if (terminator && terminator->empty())
        return false;
    std::string seen;
    for (;;) {
        int c = m.timed(true);
        if (c < 0)
            return false;
        seen += (char)c;
        if (ends_with(seen, target.data(), target.size()))
            return true;
        if (terminator && ends_with(seen, terminator->data(), terminator->size()))
            return false;
    }
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

/* What comes before a number: skipped as the mode says; the byte that may start it or -1. */
static int model_skip(StreamModel &m, LookaheadMode mode, bool decimal)
{
    for (;;) {
        int c = m.timed(false);
        if (c < 0 || c == '-' || is_digit(c) || (decimal && c == '.'))
            return c;
        bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (mode == arduino::SKIP_NONE || (mode == arduino::SKIP_WHITESPACE && !space))
            return -1;
        m.pos++;
    }
}

/* Whether c is the ignore char (a byte, never the timeout). */
static bool is_ignored(int c, char ignore) { return c >= 0 && (char)c == ignore; }

static long model_parse_int(StreamModel &m, LookaheadMode mode, char ignore)
{
    int c = model_skip(m, mode, false);
    if (c < 0)
        return 0;
    bool negative = false;
    unsigned long v = 0;
    do {
        if (is_ignored(c, ignore)) {
        } else if (c == '-') {
            negative = true;
        } else if (is_digit(c)) {
            v = v * 10 + (unsigned long)(c - '0');
        }
        m.pos++;
        c = m.timed(false);
    } while (is_digit(c) || is_ignored(c, ignore));
    return (long)(negative ? 0 - v : v);
}

static float model_parse_float(StreamModel &m, LookaheadMode mode, char ignore)
{
    int c = model_skip(m, mode, true);
    if (c < 0)
        return 0;
    bool negative = false, fraction = false;
    double v = 0, tenth = 1.0;
    do {
        if (is_ignored(c, ignore)) {
        } else if (c == '-') {
            negative = true;
        } else if (c == '.') {
            fraction = true;
        } else if (is_digit(c) && fraction) {
            tenth *= 0.1;
            v += tenth * (c - '0');
        } else if (is_digit(c)) {
            v = v * 10 + c - '0';
        }
        m.pos++;
        c = m.timed(false);
    } while (is_digit(c) || (c == '.' && !fraction) || is_ignored(c, ignore));
    return (float)(negative ? -v : v);
}

/* Reads up to length bytes, stopping before a terminator (consumed) if there is one. */
static std::string model_read_until(StreamModel &m, const int *terminator, size_t length)
{
    std::string out;
    while (out.size() < length) {
        int c = m.timed(true);
        if (c < 0 || (terminator && (char)c == (char)*terminator))
            break;
        out += (char)c;
    }
    return out;
}

/* A LookaheadMode and an ignore char from the input. */
static void parse_operands(Input &in, LookaheadMode &mode, char &ignore)
{
    uint8_t b = in.byte();
    static const LookaheadMode MODES[] = {arduino::SKIP_ALL, arduino::SKIP_NONE, arduino::SKIP_WHITESPACE};
    mode = MODES[b % 3];
    static const char IGNORES[] = {NO_IGNORE_CHAR, ',', '_', '.', '-', '5', ' ', '\xff', '\x80', '\0'};
    ignore = b / 3 % 12 < 10 ? IGNORES[b / 3 % 12] : (char)in.byte();
}

/* Runs the stream's reads that wait (find, parse, readBytes, readString...). */
static void stream_op(FeedStream &s, StreamModel &m, Input &in, uint8_t op)
{
    switch (op % 12) {
    case 0: case 1: case 2: {
        Text target = text_operand(in);
        if (target.null)
            target.null = false;
        bool got = op % 3 == 0 ? s.find(target.c()) : op % 3 == 1 ? s.find(target.bytes.data(), target.bytes.size())
                                                                   : s.find(target.bytes.empty() ? 'x' : target.bytes[0]);
        std::string want_target = op % 3 == 0 ? std::string(target.c()) : op % 3 == 1 ? target.bytes
                                  : std::string(1, target.bytes.empty() ? 'x' : target.bytes[0]);
        CHECK(got == model_find(m, want_target, nullptr));
        break;
    }
    case 3: {
        Text target = text_operand(in), terminator = text_operand(in);
        target.null = terminator.null = false;
        std::string t = target.c(), e = terminator.c();
        CHECK(s.findUntil(t.c_str(), e.c_str()) == model_find(m, t, &e));
        break;
    }
    case 4: {
        LookaheadMode mode;
        char ignore;
        parse_operands(in, mode, ignore);
        long got = op & 0x10 ? s.parseInt(mode, ignore) : s.parseInt(mode);
        CHECK(got == model_parse_int(m, mode, op & 0x10 ? ignore : NO_IGNORE_CHAR));
        break;
    }
    case 5: {
        LookaheadMode mode;
        char ignore;
        parse_operands(in, mode, ignore);
        float got = op & 0x10 ? s.parseFloat(mode, ignore) : op & 0x20 ? s.parseFloat(mode) : s.parseFloat();
        float want = model_parse_float(m, op & 0x30 ? mode : arduino::SKIP_ALL, op & 0x10 ? ignore : NO_IGNORE_CHAR);
        if (memcmp(&got, &want, sizeof got) != 0) {
            fprintf(stderr, "parseFloat: %.9g, model %.9g\n", (double)got, (double)want);
            CHECK(!"parseFloat disagrees");
        }
        break;
    }
    case 6: case 7: {
        size_t length = in.byte() % 40;
        int terminator = op % 12 == 7 ? (char)in.byte() : 0;
        char *buf = (char *)malloc(length ? length : 1);
        memset(buf, 0x5a, length ? length : 1);
        size_t n = op % 12 == 6 ? s.readBytes(buf, length) : s.readBytesUntil((char)terminator, buf, length);
        std::string want = model_read_until(m, op % 12 == 6 ? nullptr : &terminator, length);
        CHECK(n == want.size() && memcmp(buf, want.data(), n) == 0);
        for (size_t k = n; k < length; k++)
            CHECK(buf[k] == 0x5a);
        free(buf);
        break;
    }
    case 8: case 9: {
        int terminator = op % 12 == 9 ? (char)in.byte() : 0;
        /* Out of memory: the input picks which of the String's allocations fails (its low 3
         * bits: 1 for the first, 0 for none). The harness's stream allocates nothing. */
        unsigned long nth = in.byte() & 7;
        failing_alloc_start(nth);
        String got = op % 12 == 8 ? s.readString() : s.readStringUntil((char)terminator);
        bool failed = failing_alloc_stop() >= nth && nth != 0;
        std::string want = model_read_until(m, op % 12 == 8 ? nullptr : &terminator, SIZE_MAX);
        if (failed) /* invalid, never a text with bytes left out; the bytes are read all the same */
            CHECK(!got && got.length() == 0 && got.c_str()[0] == '\0');
        else
            CHECK(got && got.length() == want.size() && memcmp(got.c_str(), want.data(), want.size()) == 0);
        CHECK(got.c_str()[got.length()] == '\0');
        break;
    }
    case 10: {
        int which = in.byte() % 3;
        int got = which == 0 ? s.read() : which == 1 ? s.peek() : s.available();
        int want;
        if (which == 2) {
            StreamModel probe = m;
            for (want = 0; probe.untimed(true) >= 0; want++) {
            }
        } else {
            want = m.untimed(which == 0);
        }
        CHECK(got == want);
        break;
    }
    default: {
        static const unsigned long TIMEOUTS[] = {0, 1, 2, 3, 7, 10, 50, 1000};
        uint8_t b = in.byte();
        unsigned long t = b < 0x80 ? TIMEOUTS[b & 7] : b;
        s.setTimeout(t);
        m.timeout = t;
        CHECK(s.getTimeout() == t);
        break;
    }
    }
}

/* The stream's input: pieces of up to 31 bytes, each after a gap of some ms. */
static void fill_feed(FeedStream &s, Input &feed)
{
    uint64_t t = 0;
    while (feed.n) {
        uint8_t gap = feed.byte(), len = feed.byte() % 32;
        t += gap < 0xf0 ? gap % 60 : (uint64_t)(gap & 15) * 500;
        for (unsigned i = 0; i < len && feed.n; i++) {
            s.bytes.push_back(feed.byte());
            s.at.push_back(t);
        }
    }
}

static void run_stream(Input &in)
{
    static const unsigned long TIMEOUTS[] = {0, 1, 5, 10, 20, 100, 1000, 3};
    uint8_t t = in.byte(), clock = in.byte(), ops_len = in.byte();
    FeedStream s;
    s.base = clock & 0x80 ? ULONG_MAX - (clock & 0x3f) : (unsigned long)(clock & 0x3f) * 1000;
    s.step = clock & 0x40 ? 1 + (clock & 7) : 0;
    unsigned long timeout = t < 0x80 ? TIMEOUTS[t & 7] : t;
    s.setTimeout(timeout);
    Input ops{in.p, ops_len < in.n ? ops_len : in.n};
    Input feed{in.p + ops.n, in.n - ops.n};
    fill_feed(s, feed);
    StreamModel m{&s, 0, 0, timeout};
    CHECK(s.getTimeout() == timeout);
    for (unsigned steps = 0; ops.n && steps < 48; steps++) {
        stream_op(s, m, ops, ops.byte());
        if (s.pos != m.pos || s.now != m.now) {
            fprintf(stderr, "stream at %zu (model %zu), clock %llu (model %llu)\n", s.pos, m.pos,
                    (unsigned long long)s.now, (unsigned long long)m.now);
            CHECK(!"the read consumed or waited other than the model");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    Input in{data + 1, size - 1};
    if (data[0] & 1)
        run_stream(in);
    else
        run_strings(in, data[0] & 2);
    return 0;
}

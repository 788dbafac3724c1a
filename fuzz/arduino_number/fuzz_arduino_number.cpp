/*
 * fuzz_arduino_number.cpp - libFuzzer target for the Arduino layer's numbers as text
 * (compat/arduino: number_text.cpp, through Print's print() and String's constructors), against
 * a model of Arduino's own Print written here.
 *
 * The input is a list of 10-byte records: the overload (a byte), the base or digits (a signed
 * byte) and 8 bytes of value, which make an integer of the overload's type or a double (its
 * bits as they are, or a value near Arduino's float range: see double_of()). For each:
 *
 *   1. print(n, base) for unsigned char, int, unsigned int, long, unsigned long, long long and
 *      unsigned long long, into a Print that keeps what it is written; it returns the count
 *      of bytes written and writes what Arduino's print does: base 0 the byte (uint8_t)n;
 *      base 10 the value in decimal, '-' first when negative; any other base the bits of n's
 *      own type as an unsigned number, in the base as a byte (Arduino's printNumber takes a
 *      uint8_t: -2 is 254), 1 being 10. The text of a base up to 36 is checked by reading it
 *      back (strtoull in its base gives the number; only the base's digits, upper case; no
 *      leading zero) and for bases 8, 10 and 16 against snprintf's %llo %llu %llX; above 36,
 *      each digit d above 9 is the byte 'A' + d - 10, past 'Z';
 *   2. String(n, base) for the same types (base an unsigned char): the same text with lower
 *      case digits, except that base 0 is not special (it is decimal, as any base outside
 *      2..36);
 *   3. print(double, digits): Arduino's printFloat, written here from its description: "nan",
 *      "inf", "ovf" above 4294967040.0 or below -4294967040.0; else '-' for a value below 0,
 *      then the magnitude plus 0.5 divided by ten digits times, its integer part (as an
 *      unsigned 32-bit number) in decimal, '.' if digits > 0, and digits decimals, each the
 *      integer part of the rest times ten; digits below 0 are 2 (the API's default), and
 *      every digit asked for is written (the digits byte goes up to 127);
 *   4. String(double, decimals) (decimals an unsigned char): Arduino's dtostrf text, C's
 *      "%*.*f" with width decimals + 2 and decimals (at most 10: number_text.h's
 *      fixed_digits_max), exactly rounded: glibc's snprintf writes the reference (of a NaN
 *      without its sign: "nan" whatever its sign, as number_text.h says).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <type_traits>

#include "Print.h"
#include "WString.h"

#include "fuzz_check.h"

using arduino::Print;
using arduino::String;

/* A Print that keeps every byte written. */
class KeepingPrint : public Print {
public:
    std::string text;
    size_t write(uint8_t c) override
    {
        text.push_back((char)c);
        return 1;
    }
    size_t write(const uint8_t *buffer, size_t size) override
    {
        text.append(reinterpret_cast<const char *>(buffer), size);
        return size;
    }
};

/* The digits of a base, upper case. */
static const char digit_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* Checks that text is v in base, as a number is written: the base's digits only (upper or
 * lower case), no leading zero, and reading it back gives v. */
static void check_digits(const std::string &text, unsigned long long v, unsigned base, bool upper)
{
    CHECK(!text.empty());
    CHECK(text == "0" || text[0] != '0');
    for (char c : text) {
        const char *at = strchr(digit_chars, upper ? c : toupper((unsigned char)c));
        CHECK(c != '\0' && at && (unsigned)(at - digit_chars) < base);
        CHECK(upper ? !(c >= 'a' && c <= 'z') : !(c >= 'A' && c <= 'Z'));
    }
    char *end;
    errno = 0;
    unsigned long long back = strtoull(text.c_str(), &end, (int)base);
    CHECK(errno == 0 && *end == '\0' && back == v);
    char printed[80];
    const char *form = base == 8 ? "%llo" : base == 10 ? "%llu" : base == 16 ? (upper ? "%llX" : "%llx") : NULL;
    if (form) {
        snprintf(printed, sizeof printed, form, v);
        CHECK(text == printed);
    }
}

/* Checks text as Arduino writes the integer n (as_unsigned: its type's bits) in base (not 0). */
static void check_integer_text(const std::string &text, long long n, bool is_signed, unsigned long long as_unsigned,
                               long base, bool upper)
{
    if (base == 10 && is_signed && n < 0) {
        CHECK(text.size() > 1 && text[0] == '-');
        check_digits(text.substr(1), 0 - (unsigned long long)n, 10, upper);
    } else {
        check_digits(text, base == 10 ? (unsigned long long)n : as_unsigned, base >= 2 && base <= 36 ? (unsigned)base : 10,
                     upper);
    }
}

/* v in a base above 36 as Arduino's printNumber writes it: each digit d the byte
 * d < 10 ? '0' + d : 'A' + d - 10 (past 'Z'), most significant first. */
static std::string past_z_text(unsigned long long v, unsigned base)
{
    std::string reversed;
    do {
        unsigned d = (unsigned)(v % base);
        reversed += (char)(uint8_t)(d < 10 ? '0' + d : 'A' + d - 10);
        v /= base;
    } while (v);
    return std::string(reversed.rbegin(), reversed.rend());
}

/* Properties 1 and 2 for one value of type T. */
template <typename T> static void check_integer(T n, int base)
{
    bool is_signed = (T)-1 < (T)0;
    unsigned long long as_unsigned = (unsigned long long)(typename std::make_unsigned<T>::type)n;
    KeepingPrint p;
    size_t written = p.print(n, base);
    CHECK(written == p.text.size());
    unsigned print_base = (uint8_t)base < 2 ? 10 : (uint8_t)base; /* print takes a byte */
    if (base == 0)
        CHECK(p.text.size() == 1 && (uint8_t)p.text[0] == (uint8_t)n);
    else if (print_base > 36)
        CHECK(p.text == past_z_text(as_unsigned, print_base));
    else
        check_integer_text(p.text, (long long)n, is_signed, as_unsigned, base, true); /* base 1..36 */
    unsigned char string_base = (unsigned char)base;
    String s(n, string_base);
    CHECK(s.length() == strlen(s.c_str()));
    check_integer_text(s.c_str(), (long long)n, is_signed, as_unsigned, string_base, false);
}

/* Arduino's printFloat(v, digits), as described at the top of this file. */
static std::string model_float(double v, int digits)
{
    if (isnan(v))
        return "nan";
    if (isinf(v))
        return "inf";
    if (v > 4294967040.0 || v < -4294967040.0)
        return "ovf";
    digits = digits < 0 ? 2 : digits;
    std::string out;
    if (v < 0.0) {
        out += '-';
        v = -v;
    }
    double rounding = 0.5;
    for (int i = 0; i < digits; i++)
        rounding /= 10.0;
    v += rounding;
    unsigned long whole = (unsigned long)(uint32_t)v;
    out += std::to_string(whole);
    double rest = v - (double)whole;
    if (digits > 0)
        out += '.';
    for (int i = 0; i < digits; i++) {
        rest *= 10.0;
        unsigned int d = (unsigned int)rest;
        out += std::to_string(d);
        rest -= d;
    }
    return out;
}

/* Properties 3 and 4. */
static void check_float(double v, int digits)
{
    KeepingPrint p;
    size_t written = p.print(v, digits);
    CHECK(written == p.text.size());
    std::string want = model_float(v, digits);
    if (p.text != want)
        fprintf(stderr, "print(%.17g, %d): [%s], want [%s]\n", v, digits, p.text.c_str(), want.c_str());
    CHECK(p.text == want);
    unsigned char decimals = (unsigned char)digits;
    int places = decimals > 10 ? 10 : decimals;
    char dtostrf_text[400];
    snprintf(dtostrf_text, sizeof dtostrf_text, "%*.*f", places + 2, places, isnan(v) ? fabs(v) : v);
    String s(v, decimals);
    if (std::string(s.c_str()) != dtostrf_text)
        fprintf(stderr, "String(%.17g, %d): [%s], want [%s]\n", v, decimals, s.c_str(), dtostrf_text);
    CHECK(std::string(s.c_str()) == dtostrf_text);
}

/* The double a record makes: mode 0 its bits; 1 a whole number of up to 33 bits and a
 * fraction; 2 a value near +-4294967040; 3 a decimal near a rounding point (n / 10^k). */
static double double_of(unsigned mode, uint64_t raw)
{
    double d;
    switch (mode % 4) {
    case 1:
        return (double)(int64_t)(raw >> 30 | (raw >> 63) * (UINT64_C(0x3fffffff) << 34)) / 4294967296.0 +
               (double)(raw & 0x3fffffff) / 1073741824.0;
    case 2:
        return (raw >> 63 ? -1 : 1) * (4294967040.0 + (double)(int32_t)(uint32_t)raw / 65536.0);
    case 3:
        d = (double)(int64_t)(raw >> 8) / 1e3;
        for (unsigned k = 0; k < (raw & 15); k++)
            d /= 10.0;
        return d;
    default:
        memcpy(&d, &raw, sizeof d);
        return d;
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t at = 0; at + 10 <= size; at += 10) {
        unsigned kind = data[at];
        int base = (int8_t)data[at + 1];
        uint64_t raw;
        memcpy(&raw, data + at + 2, sizeof raw);
        switch (kind % 8) {
        case 0: check_integer((unsigned char)raw, base); break;
        case 1: check_integer((int)raw, base); break;
        case 2: check_integer((unsigned int)raw, base); break;
        case 3: check_integer((long)raw, base); break;
        case 4: check_integer((unsigned long)raw, base); break;
        case 5: check_integer((long long)raw, base); break;
        case 6: check_integer((unsigned long long)raw, base); break;
        default: check_float(double_of(kind / 8, raw), base); break;
        }
    }
    return 0;
}

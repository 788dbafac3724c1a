/* number_text.cpp - numbers as Arduino's print and String write them. */
#include "number_text.h"

#include <math.h>
#include <string.h>

namespace arduino {
namespace detail {

size_t format_unsigned(uint64_t v, unsigned base, char *out, bool upper)
{
    if (base < 2 || base > 36)
        base = 10;
    char tmp[number_text_size];
    size_t n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        tmp[n++] = (char)(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
        v /= base;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
    return n;
}

size_t format_signed(int64_t v, unsigned base, char *out, bool upper)
{
    if (v >= 0)
        return format_unsigned((uint64_t)v, base, out, upper);
    out[0] = '-';
    return 1 + format_unsigned(0 - (uint64_t)v, base, out + 1, upper);
}

static size_t put_word(char *out, const char *word)
{
    size_t n = 0;
    while (word[n]) {
        out[n] = word[n];
        n++;
    }
    out[n] = '\0';
    return n;
}

size_t format_float(double v, unsigned digits, char *out)
{
    if (isnan(v))
        return put_word(out, "nan");
    if (isinf(v))
        return put_word(out, "inf");
    if (v > 4294967040.0 || v < -4294967040.0)
        return put_word(out, "ovf");
    if (digits > float_digits_max)
        digits = float_digits_max;
    size_t n = 0;
    if (v < 0.0) {
        out[n++] = '-';
        v = -v;
    }
    double rounding = 0.5;
    for (unsigned i = 0; i < digits; i++)
        rounding /= 10.0;
    v += rounding;
    uint32_t whole = (uint32_t)v;
    double rest = v - (double)whole;
    n += format_unsigned(whole, 10, out + n);
    if (digits)
        out[n++] = '.';
    for (unsigned i = 0; i < digits; i++) {
        rest *= 10.0;
        unsigned d = (unsigned)rest;
        out[n++] = (char)('0' + d);
        rest -= d;
    }
    out[n] = '\0';
    return n;
}

/* ------------------------------------------------------------ a double's exact decimal text */

/* An unsigned integer of up to 36 32-bit words, least significant first: a double's exact
 * value times 10^10 fits (it is below 2^1024 * 10^10 < 2^1058). */
struct Big {
    uint32_t w[36];
    unsigned n;
};

/* Drops the zero words at the top. */
static void big_trim(Big &x)
{
    while (x.n && !x.w[x.n - 1])
        x.n--;
}

/* x = x * mul + add. */
static void big_mul_add(Big &x, uint32_t mul, uint32_t add)
{
    uint64_t carry = add;
    for (unsigned i = 0; i < x.n; i++) {
        uint64_t t = (uint64_t)x.w[i] * mul + carry;
        x.w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry)
        x.w[x.n++] = (uint32_t)carry;
}

/* x = x / d; returns the remainder. */
static uint32_t big_div(Big &x, uint32_t d)
{
    uint64_t r = 0;
    for (unsigned i = x.n; i-- > 0;) {
        uint64_t t = (r << 32) | x.w[i];
        x.w[i] = (uint32_t)(t / d);
        r = t % d;
    }
    big_trim(x);
    return (uint32_t)r;
}

/* Bit i of x. */
static bool big_bit(const Big &x, unsigned i) { return i / 32 < x.n && ((x.w[i / 32] >> (i % 32)) & 1); }

/* Whether a bit of x below bit i is set. */
static bool big_any_below(const Big &x, unsigned i)
{
    for (unsigned k = 0; k < x.n && k * 32 < i; k++) {
        uint32_t mask = i - k * 32 >= 32 ? 0xffffffffu : (1u << (i - k * 32)) - 1;
        if (x.w[k] & mask)
            return true;
    }
    return false;
}

/* x = x * 2^bits, or, for a negative bits, x / 2^-bits rounded to the nearest (a tie to even). */
static void big_scale2(Big &x, int bits)
{
    for (; bits >= 16; bits -= 16)
        big_mul_add(x, 1u << 16, 0);
    if (bits >= 0) {
        big_mul_add(x, 1u << bits, 0);
        return;
    }
    unsigned down = (unsigned)-bits, words = down / 32, rest = down % 32, n = 0;
    bool half = big_bit(x, down - 1), sticky = down > 1 && big_any_below(x, down - 1);
    for (unsigned i = words; i < x.n; i++) {
        uint64_t t = x.w[i] >> rest;
        if (rest && i + 1 < x.n)
            t |= (uint64_t)x.w[i + 1] << (32 - rest);
        x.w[n++] = (uint32_t)t;
    }
    x.n = n;
    big_trim(x);
    if (half && (sticky || (x.n && (x.w[0] & 1))))
        big_mul_add(x, 1, 1);
}

/* v's text as "%.*f" writes it, without padding, at the start of out (fixed_text_size bytes);
 * digits is at most fixed_digits_max. The digits are made at the end of out, least
 * significant first, then moved to the front (no second buffer on a thread's small stack). */
static size_t fixed_text(double v, unsigned digits, char *out)
{
    if (isnan(v))
        return put_word(out, "nan");
    size_t n = 0;
    if (signbit(v))
        out[n++] = '-';
    if (isinf(v))
        return n + put_word(out + n, "inf");
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int exp = (int)((bits >> 52) & 0x7ff);
    uint64_t mantissa = bits & ((1ull << 52) - 1);
    if (exp)
        mantissa |= 1ull << 52;
    else
        exp = 1; /* a subnormal */
    Big x = {{(uint32_t)mantissa, (uint32_t)(mantissa >> 32)}, 2};
    big_trim(x);
    for (unsigned i = 0; i < digits; i++)
        big_mul_add(x, 10, 0);
    big_scale2(x, exp - 1075); /* now v * 10^digits, rounded to a whole number */
    size_t at = fixed_text_size; /* the digits are out[at..fixed_text_size) */
    while (x.n || fixed_text_size - at <= digits)
        out[--at] = (char)('0' + big_div(x, 10));
    for (size_t whole = fixed_text_size - at - digits; whole > 0; whole--)
        out[n++] = out[at++]; /* n stays below at: at starts 5 or more bytes in */
    if (digits)
        out[n++] = '.';
    while (at < fixed_text_size)
        out[n++] = out[at++];
    out[n] = '\0';
    return n;
}

size_t format_fixed(double v, unsigned digits, unsigned width, char *out)
{
    size_t n = fixed_text(v, digits > fixed_digits_max ? fixed_digits_max : digits, out);
    size_t pad = width > n ? width - n : 0;
    memmove(out + pad, out, n + 1);
    memset(out, ' ', pad);
    return pad + n;
}

} // namespace detail
} // namespace arduino

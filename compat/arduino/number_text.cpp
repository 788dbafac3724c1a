/* number_text.cpp - numbers as Arduino's print and String write them. */
#include "number_text.h"

#include <math.h>

#include "duet/format.h"

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

size_t format_float_whole(double v, unsigned digits, char *out, double *rest)
{
    *rest = -1.0;
    if (isnan(v))
        return put_word(out, "nan");
    if (isinf(v))
        return put_word(out, "inf");
    if (v > 4294967040.0 || v < -4294967040.0)
        return put_word(out, "ovf");
    size_t n = 0;
    if (v < 0.0) {
        out[n++] = '-';
        v = -v;
    }
    double rounding = 0.5;
    for (unsigned i = 0; i < digits && rounding > 0.0; i++)
        rounding /= 10.0;
    v += rounding;
    uint32_t whole = (uint32_t)v;
    *rest = v - (double)whole;
    n += format_unsigned(whole, 10, out + n);
    if (digits)
        out[n++] = '.';
    out[n] = '\0';
    return n;
}

char format_float_next(double *rest)
{
    *rest *= 10.0;
    unsigned d = (unsigned)*rest;
    *rest -= d;
    return (char)('0' + d);
}

size_t format_fixed(double v, unsigned digits, unsigned width, char *out)
{
    if (isnan(v)) /* newlib's printf, the board's, writes a NaN without its sign */
        v = fabs(v);
    unsigned d = digits > fixed_digits_max ? fixed_digits_max : digits;
    return duet_format_text(out, fixed_text_size, "%*.*f", (int)width, (int)d, v);
}

} // namespace detail
} // namespace arduino

/* number.c - see number.h. Doubles are sign:1, exponent:11 (bias 1023), fraction:52; floats
 * sign:1, exponent:8 (bias 127), fraction:23. */
#include "number.h"

#include <stdbool.h>

static uint64_t bits_of(double d)
{
    union { double d; uint64_t b; } u = {d};
    return u.b;
}

int64_t duet_number_to_int64(double d)
{
    uint64_t b = bits_of(d);
    int exp = (int)((b >> 52) & 0x7ff) - 1023;
    bool negative = b >> 63;
    if (exp < 0)
        return 0;
    if (exp >= 63) /* out of range, an infinity, or a NaN (above the infinity's bits) */
        return (b << 1) > (UINT64_C(0x7ff) << 53) ? 0 : negative ? INT64_MIN : INT64_MAX;
    /* The significand, its leading 1 at bit 63, shifted down to its integer part. */
    uint64_t v = ((b << 11) | UINT64_C(1) << 63) >> (63 - exp);
    return negative ? (int64_t)(0 - v) : (int64_t)v;
}

#if DUET_NUMBER_SOFT

static double double_of(uint64_t b)
{
    union { uint64_t b; double d; } u = {b};
    return u.d;
}

/* Shifts v right by n (1..32), rounding to nearest, ties to even. */
static uint32_t shift_round(uint32_t v, unsigned n)
{
    uint32_t kept = n < 32 ? v >> n : 0, rest = v << (32 - n); /* the bits shifted out, at the top */
    return kept + ((rest >> 31) & ((rest << 1 != 0) | (kept & 1)));
}

/* The top 32 bits of v, the lowest of them set if any bit below them is (a "sticky" bit:
 * rounding those 32 bits to fewer gives the rounding of v). */
static uint32_t top32(uint64_t v)
{
    return (uint32_t)(v >> 32) | ((uint32_t)v != 0);
}

/* The leading zero bits of v (not 0). */
static unsigned leading_zeros(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_clzll(v);
#else
    unsigned n = 0;
    for (; !(v >> 63); v <<= 1)
        n++;
    return n;
#endif
}

double duet_number_from_uint64(uint64_t v)
{
    if (v == 0)
        return 0.0;
    unsigned z = leading_zeros(v);
    /* v = 1.f * 2^(63 - z), rounded to 53 bits (ties to even); the leading 1 adds one to
     * the exponent field, and a round up to 2^53 carries into it: adding does both. */
    uint64_t m = v << z, kept = m >> 11;
    kept += (m >> 10 & 1) & ((m & 0x3ff) != 0 || (kept & 1));
    return double_of(((uint64_t)(1085 - z) << 52) + kept);
}

double duet_number_from_int64(int64_t v)
{
    uint64_t sign = v < 0 ? UINT64_C(1) << 63 : 0;
    return double_of(sign | bits_of(duet_number_from_uint64(v < 0 ? 0 - (uint64_t)v : (uint64_t)v)));
}

double duet_number_widen(float f)
{
    union { float f; uint32_t b; } u = {f};
    uint64_t sign = (uint64_t)(u.b >> 31) << 63;
    uint32_t exp = (u.b >> 23) & 0xff, frac = u.b & 0x7fffff;
    /* The exponent rebiased (127 -> 1023: + 896), the fraction widened (23 -> 52 bits). */
    if (exp == 0xff) { /* infinity, NaN: all ones */
        exp = 0x7ff - 896;
    } else if (exp == 0) { /* zero, or a subnormal float: a normal double, its leading 1 dropped */
        if (frac == 0)
            return double_of(sign);
        unsigned z = leading_zeros(frac) - 40; /* the shift that brings its leading 1 to bit 23 */
        frac = (frac << z) & 0x7fffff;
        exp = 1 - z;
    }
    return double_of(sign | (uint64_t)(exp + 896) << 52 | (uint64_t)frac << 29);
}

float duet_number_narrow(double d)
{
    uint64_t b = bits_of(d);
    uint32_t out;
    int exp = (int)((b >> 52) & 0x7ff), e = exp - 1023 + 127;
    uint64_t frac = b & ((UINT64_C(1) << 52) - 1);
    if (exp == 0x7ff)
        out = 0x7f800000u | (frac ? 0x400000u | (uint32_t)(frac >> 29) : 0);
    else if (e >= 0xff)
        out = 0x7f800000u;
    else if (e < -23) /* below half the smallest subnormal (or a double subnormal): zero */
        out = 0;
    else /* 24 bits of the significand rounded (fewer for a subnormal float), the leading
          * 1 and a carry adding to the exponent field, up to the infinity */
        out = ((uint32_t)(e > 0 ? e - 1 : 0) << 23) +
              shift_round(top32((frac | UINT64_C(1) << 52) << 11), (unsigned)(e > 0 ? 8 : 9 - e));
    union { uint32_t b; float f; } u = {(uint32_t)(b >> 63) << 31 | out};
    return u.f;
}

#else /* a double-precision FPU: C's conversions are its instructions */

double duet_number_from_uint64(uint64_t v)
{
    /* Both halves and the product convert exactly: the sum is the one rounding. */
    return (double)(uint32_t)(v >> 32) * 4294967296.0 + (double)(uint32_t)v;
}

double duet_number_from_int64(int64_t v)
{
    return (double)(int32_t)(v >> 32) * 4294967296.0 + (double)(uint32_t)v;
}

double duet_number_widen(float f)
{
    return (double)f;
}

float duet_number_narrow(double d)
{
    return (float)d;
}

#endif

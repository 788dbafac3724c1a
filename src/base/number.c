/* number.c - see number.h. Doubles are sign:1, exponent:11 (bias 1023), fraction:52; floats
 * sign:1, exponent:8 (bias 127), fraction:23. */
#include "number.h"

#include <stdbool.h>
#include <string.h>

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static double double_of(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* Shifts v right by n (1..63), rounding to nearest, ties to even. */
static uint64_t shift_round(uint64_t v, unsigned n)
{
    uint64_t kept = v >> n, rest = v & ((UINT64_C(1) << n) - 1), half = UINT64_C(1) << (n - 1);
    if (rest > half || (rest == half && (kept & 1)))
        kept++;
    return kept;
}

double duet_number_from_uint64(uint64_t v)
{
    if (v == 0)
        return 0.0;
    unsigned top = 63;
    while (!(v >> top))
        top--;
    /* v = 1.f * 2^top: 52 fraction bits, rounded when top > 52. */
    uint64_t m = top > 52 ? shift_round(v, top - 52) : v << (52 - top);
    /* A round up to 2^53 carries into the exponent: adding the fields does that. */
    return double_of(((uint64_t)(top + 1022) << 52) + m);
}

double duet_number_from_int64(int64_t v)
{
    if (v >= 0)
        return duet_number_from_uint64((uint64_t)v);
    return double_of(bits_of(duet_number_from_uint64(0 - (uint64_t)v)) | UINT64_C(1) << 63);
}

double duet_number_widen(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    uint64_t sign = (uint64_t)(b >> 31) << 63;
    uint32_t exp = (b >> 23) & 0xff, frac = b & 0x7fffff;
    if (exp == 0xff) /* infinity, NaN */
        return double_of(sign | UINT64_C(0x7ff) << 52 | (uint64_t)frac << 29);
    if (exp == 0) {
        if (frac == 0)
            return double_of(sign);
        /* Subnormal (frac * 2^-149): normalise it, one exponent step per shift. */
        int e = 1;
        while (!(frac & 0x800000)) {
            frac <<= 1;
            e--;
        }
        return double_of(sign | (uint64_t)(e + 896) << 52 | (uint64_t)(frac & 0x7fffff) << 29);
    }
    return double_of(sign | (uint64_t)(exp + 896) << 52 | (uint64_t)frac << 29);
}

float duet_number_narrow(double d)
{
    uint64_t b = bits_of(d);
    uint32_t sign = (uint32_t)(b >> 63) << 31, out;
    int exp = (int)((b >> 52) & 0x7ff);
    uint64_t frac = b & ((UINT64_C(1) << 52) - 1);
    if (exp == 0x7ff) {
        out = sign | 0x7f800000u | (frac ? 0x400000u | (uint32_t)(frac >> 29) : 0);
    } else {
        int e = exp - 1023 + 127;
        if (e >= 0xff) {
            out = sign | 0x7f800000u;
        } else if (e > 0) {
            /* Normal: the rounded fraction may carry into the exponent, up to infinity. */
            out = sign | (((uint32_t)e << 23) + (uint32_t)shift_round(frac, 29));
        } else if (exp == 0 || e < -24) {
            out = sign; /* below half the smallest subnormal (or a double subnormal): zero */
        } else {
            /* Subnormal float: the whole significand, shifted into place and rounded. */
            out = sign | (uint32_t)shift_round(frac | UINT64_C(1) << 52, (unsigned)(30 - e));
        }
    }
    float f;
    memcpy(&f, &out, sizeof f);
    return f;
}

int64_t duet_number_to_int64(double d)
{
    uint64_t b = bits_of(d);
    int exp = (int)((b >> 52) & 0x7ff) - 1023;
    bool negative = b >> 63;
    if (exp == 0x7ff - 1023 && (b & ((UINT64_C(1) << 52) - 1)))
        return 0; /* NaN */
    if (exp < 0)
        return 0;
    if (exp >= 63)
        return negative ? INT64_MIN : INT64_MAX;
    uint64_t m = (b & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52;
    uint64_t v = exp >= 52 ? m << (exp - 52) : m >> (52 - exp);
    return negative ? (int64_t)(0 - v) : (int64_t)v;
}

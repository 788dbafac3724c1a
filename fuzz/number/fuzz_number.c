/*
 * fuzz_number.c - libFuzzer target for duet's number conversions (src/base/number.h), both as
 * this PC builds them (its FPU converts; the core's number.c) and done on the bits, as a core
 * without a double-precision FPU builds them (number.c compiled into this file a second time
 * with DUET_NUMBER_SOFT=1, its functions renamed soft_*).
 *
 * The input is a list of 9-byte records: a byte that picks how the 8 after it make the
 * values (their bits as they are; a double of an exponent near the integers' range; a double
 * near the float range's ends, subnormals included; an integer shifted down to any size and
 * moved by a few around a power of two), see values(). For each, against C's conversions on
 * this PC (IEEE 754, rounding to nearest, ties to even), checked for both builds:
 *   1. duet_number_from_uint64(u), duet_number_from_int64(i): bit for bit (double)u, (double)i;
 *   2. duet_number_widen(f): bit for bit (double)f; a NaN stays a NaN;
 *   3. duet_number_narrow(d): bit for bit (float)d (an infinity where it overflows); a NaN
 *      stays a NaN;
 *   4. duet_number_to_int64(d): (int64_t)d toward zero where d is in range; INT64_MAX at or
 *      above 2^63 (+infinity), INT64_MIN below -2^63 (-infinity), 0 for a NaN.
 */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/number.h"

#include "fuzz_check.h"

/* number.c again, done on the bits, under other names. */
#undef DUET_NUMBER_SOFT
#define DUET_NUMBER_SOFT 1
#define duet_number_from_uint64 soft_from_uint64
#define duet_number_from_int64 soft_from_int64
#define duet_number_widen soft_widen
#define duet_number_narrow soft_narrow
#define duet_number_to_int64 soft_to_int64
#include "base/number.c"
#undef duet_number_from_uint64
#undef duet_number_from_int64
#undef duet_number_widen
#undef duet_number_narrow
#undef duet_number_to_int64

/* One build's conversions. */
typedef struct conversions {
    const char *name;
    double (*from_uint64)(uint64_t);
    double (*from_int64)(int64_t);
    double (*widen)(float);
    float (*narrow)(double);
    int64_t (*to_int64)(double);
} conversions;

static const conversions builds[] = {
    {"fpu", duet_number_from_uint64, duet_number_from_int64, duet_number_widen, duet_number_narrow,
     duet_number_to_int64},
    {"soft", soft_from_uint64, soft_from_int64, soft_widen, soft_narrow, soft_to_int64},
};

static uint64_t bits_of_double(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static uint32_t bits_of_float(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static double as_double(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static float as_float(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

/* What number.h documents for duet_number_to_int64(d). */
static int64_t model_to_int64(double d)
{
    if (isnan(d))
        return 0;
    if (d >= 9223372036854775808.0)
        return INT64_MAX;
    if (d < -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)d;
}

/* Checks one build's conversions of the values u (as unsigned and signed), d and f. */
static void check(const conversions *c, uint64_t u, double d, float f)
{
    CHECK(bits_of_double(c->from_uint64(u)) == bits_of_double((double)u));
    CHECK(bits_of_double(c->from_int64((int64_t)u)) == bits_of_double((double)(int64_t)u));
    double wide = c->widen(f);
    CHECK(isnan(f) ? isnan(wide) : bits_of_double(wide) == bits_of_double((double)f));
    float narrow = c->narrow(d);
    CHECK(isnan(d) ? isnan(narrow) : bits_of_float(narrow) == bits_of_float((float)d));
    CHECK(c->to_int64(d) == model_to_int64(d));
}

/* The bits of the values a record makes: mode picks how (see the top of this file). */
static void values(unsigned mode, uint64_t raw, uint64_t *u, uint64_t *d, uint32_t *f)
{
    uint64_t sign = raw & UINT64_C(1) << 63, mantissa = raw & ((UINT64_C(1) << 52) - 1);
    unsigned pick = (unsigned)(raw >> 52 & 0xff);
    *u = raw;
    *d = raw;
    *f = (uint32_t)raw;
    switch (mode % 4) {
    case 1: /* a double from 2^-3 to 2^66: the integers' range and its ends */
        *d = sign | (uint64_t)(1020 + pick % 70) << 52 | mantissa;
        break;
    case 2: /* a double near the float range's ends, and a float near its own */
        *d = sign | (uint64_t)(pick & 1 ? 1023 + 110 + pick / 2 % 40 : 1023 - 160 + pick / 2 % 40) << 52 | mantissa;
        *f = (uint32_t)(raw >> 32 & 0x80000000u) | (pick & 1 ? 0xff - pick / 2 % 8 : pick / 2 % 8) << 23 |
             ((uint32_t)raw & 0x7fffffu);
        break;
    case 3: /* an integer of any size, or a power of two moved by a few */
        *u = pick & 1 ? (raw & 0xff00000000000000u) >> (pick / 2 % 64) : (UINT64_C(1) << (pick / 2 % 64)) + (raw & 7) - 4;
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t at = 0; at + 9 <= size; at += 9) {
        uint64_t raw, u, d;
        uint32_t f;
        memcpy(&raw, data + at + 1, sizeof raw);
        values(data[at], raw, &u, &d, &f);
        for (size_t i = 0; i < sizeof builds / sizeof builds[0]; i++)
            check(&builds[i], u, as_double(d), as_float(f));
    }
    return 0;
}

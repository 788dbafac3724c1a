/* test_number.c - src/base/number.c gives the results of C's own conversions (on this PC,
 * done by the FPU): edge cases, then a few hundred thousand pseudo-random bit patterns.
 * Built twice (CMakeLists.txt): as this PC builds number.c, and with DUET_NUMBER_SOFT=1,
 * the conversions on the bits that a core without a double-precision FPU runs. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/number.h"

static uint64_t state = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static uint64_t dbits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

static uint32_t fbits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static double dof(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static float fof(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static void check_u64(uint64_t v)
{
    assert_int_equal(dbits(duet_number_from_uint64(v)), dbits((double)v));
}

static void check_i64(int64_t v)
{
    assert_int_equal(dbits(duet_number_from_int64(v)), dbits((double)v));
}

static void check_widen(float f)
{
    if (isnan(f))
        assert_true(isnan(duet_number_widen(f)));
    else
        assert_int_equal(dbits(duet_number_widen(f)), dbits((double)f));
}

static void check_narrow(double d)
{
    if (isnan(d))
        assert_true(isnan(duet_number_narrow(d)));
    else
        assert_int_equal(fbits(duet_number_narrow(d)), fbits((float)d));
}

static void check_to_int64(double d)
{
    if (isnan(d)) {
        assert_int_equal(duet_number_to_int64(d), 0);
    } else if (d >= 9223372036854775808.0) {
        assert_int_equal(duet_number_to_int64(d), INT64_MAX);
    } else if (d < -9223372036854775808.0) {
        assert_int_equal(duet_number_to_int64(d), INT64_MIN);
    } else {
        assert_int_equal(duet_number_to_int64(d), (int64_t)d);
    }
}

static void test_integers(void **state_)
{
    (void)state_;
    static const uint64_t edges[] = {0, 1, 2, 3, (UINT64_C(1) << 53) - 1, UINT64_C(1) << 53, (UINT64_C(1) << 53) + 1,
                                     (UINT64_C(1) << 53) + 3, (UINT64_C(1) << 54) + 2, (UINT64_C(1) << 54) + 6,
                                     UINT64_MAX, UINT64_MAX - 1024, UINT64_C(0x8000000000000400),
                                     UINT64_C(0x8000000000000c00), INT64_MAX};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        check_u64(edges[i]);
        check_i64((int64_t)edges[i]);
        check_i64(-(int64_t)(edges[i] >> 1));
    }
    check_i64(INT64_MIN);
    for (int i = 0; i < 200000; i++) {
        uint64_t v = next() >> (next() % 64);
        check_u64(v);
        check_i64((int64_t)v);
    }
}

static void test_widen(void **state_)
{
    (void)state_;
    static const uint32_t edges[] = {0, 0x80000000u, 1, 0x80000001u, 0x007fffffu, 0x00400000u, 0x00800000u,
                                     0x7f7fffffu, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x3f800000u};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        check_widen(fof(edges[i]));
    for (int i = 0; i < 200000; i++)
        check_widen(fof((uint32_t)next()));
}

static void test_narrow(void **state_)
{
    (void)state_;
    static const double edges[] = {0.0, -0.0, 1.0, -1.5, FLT_MAX, -FLT_MAX, (double)FLT_MAX * 1.0000001, 1e39, -1e39,
                                   FLT_MIN, FLT_MIN / 2, FLT_MIN / 3, 1e-45, 7e-46, 1.4e-45, 2.1e-45, 1e-46, DBL_MIN,
                                   DBL_MAX, 0.1, 16777217.0, 16777219.0, 3.4028235677973366e38};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        check_narrow(edges[i]);
    check_narrow(dof(UINT64_C(0x7ff0000000000000)));
    check_narrow(dof(UINT64_C(0x7ff8000000000001)));
    for (int i = 0; i < 200000; i++) {
        check_narrow(dof(next()));
        /* doubles in and near the float range, where rounding matters */
        uint64_t b = next();
        b = (b & ~(UINT64_C(0x7ff) << 52)) | (uint64_t)(1023 - 160 + next() % 300) << 52;
        check_narrow(dof(b));
    }
}

static void test_to_int64(void **state_)
{
    (void)state_;
    static const double edges[] = {0.0, -0.0, 0.5, -0.5, 1.99, -1.99, 4503599627370497.0, 9007199254740993.0,
                                   9223372036854775807.0, 9223372036854774784.0, -9223372036854775808.0,
                                   1e30, -1e30, INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        check_to_int64(edges[i]);
    for (int i = 0; i < 200000; i++) {
        uint64_t b = next();
        b = (b & ~(UINT64_C(0x7ff) << 52)) | (uint64_t)(1023 - 5 + next() % 70) << 52;
        check_to_int64(dof(b));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_widen),
        cmocka_unit_test(test_narrow),
        cmocka_unit_test(test_to_int64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* armv7m.c - duet compiled as for the GIGA R1's cores (hard-float ABI, -Os, LTO), run on
 * QEMU's Cortex-M7 (mps2-an500) and Cortex-M4 (mps2-an386): src/base/number.c's
 * conversions, duet_format_text's numbers, (stdio_checks.c) C's printf family on the same
 * formatter, and (rpc_checks.c) two RPC engines over the in-memory link calling each other
 * with every type the C API has. Ends with "N passed, M failed" and exits with status 1 on
 * any failure. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/number.h"
#include "check.h"
#include "duet/cortex_m.h"
#include "duet/format.h"

static unsigned passed, failed;

void say(const char *text)
{
    duet_cortex_m_port_console_write(text, strlen(text));
}

/* Counts one check; on a failure prints "FAIL what: detail". */
static void count(bool ok, const char *what, const char *detail)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    say("FAIL ");
    say(what);
    say(": ");
    say(detail);
    say("\n");
}

void check_true(bool ok, const char *what)
{
    count(ok, what, "false");
}

void check_int(int64_t got, int64_t want, const char *what)
{
    char d[80];
    duet_format_text(d, sizeof d, "got %lld, expected %lld", (long long)got, (long long)want);
    count(got == want, what, d);
}

void check_uint(uint64_t got, uint64_t want, const char *what)
{
    char d[80];
    duet_format_text(d, sizeof d, "got %llu, expected %llu", (unsigned long long)got, (unsigned long long)want);
    count(got == want, what, d);
}

static uint64_t bits64(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static uint32_t bits32(float v)
{
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

void check_double(double got, uint64_t want, const char *what)
{
    char d[80];
    uint64_t b = bits64(got);
    duet_format_text(d, sizeof d, "got bits %08lx%08lx, expected %08lx%08lx", (unsigned long)(b >> 32),
                     (unsigned long)(uint32_t)b, (unsigned long)(want >> 32), (unsigned long)(uint32_t)want);
    count(b == want, what, d);
}

void check_float(float got, uint32_t want, const char *what)
{
    char d[80];
    duet_format_text(d, sizeof d, "got bits %08lx, expected %08lx", (unsigned long)bits32(got), (unsigned long)want);
    count(bits32(got) == want, what, d);
}

void check_double_nan(double got, const char *what)
{
    uint64_t b = bits64(got);
    check_true((b & 0x7ff0000000000000u) == 0x7ff0000000000000u && (b & 0x000fffffffffffffu) != 0, what);
}

void check_float_nan(float got, const char *what)
{
    uint32_t b = bits32(got);
    check_true((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0, what);
}

void check_str(const char *got, const char *want, const char *what)
{
    bool ok = strcmp(got, want) == 0;
    if (!ok) {
        say("FAIL ");
        say(what);
        say(": got \"");
        say(got);
        say("\", expected \"");
        say(want);
        say("\"\n");
        failed++;
    } else {
        passed++;
    }
}

void check_bytes(const void *got, size_t got_len, const void *want, size_t want_len, const char *what)
{
    char d[80];
    size_t at = 0;
    while (at < got_len && at < want_len && ((const uint8_t *)got)[at] == ((const uint8_t *)want)[at])
        at++;
    duet_format_text(d, sizeof d, "%u bytes, expected %u; first difference at byte %u", (unsigned)got_len,
                     (unsigned)want_len, (unsigned)at);
    count(got_len == want_len && at == want_len, what, d);
}

/* Bit patterns as values. */
static double dbl(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static float flt(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

/* src/base/number.c: on the M4 the conversions are done on the bits (DUET_NUMBER_SOFT),
 * on the M7 by the FPU (64-bit integers as two halves). Expected: C's conversions with
 * rounding to nearest, ties to even (worked out on a PC's FPU). */
void check_numbers(void)
{
    check_double(duet_number_from_uint64(0), 0, "from_uint64(0)");
    check_double(duet_number_from_uint64(UINT64_MAX), 0x43f0000000000000u, "from_uint64(UINT64_MAX)");
    check_double(duet_number_from_uint64((1ull << 53) + 1), 0x4340000000000000u, "from_uint64(2^53+1) ties to even");
    check_double(duet_number_from_uint64((1ull << 53) + 3), 0x4340000000000002u, "from_uint64(2^53+3) ties to even");
    check_double(duet_number_from_uint64(0x8000000000000401u), 0x43e0000000000001u, "from_uint64(2^63+1025)");
    check_double(duet_number_from_uint64(0x8000000000000400u), 0x43e0000000000000u, "from_uint64(2^63+1024)");
    check_double(duet_number_from_uint64(0x8000000000000c00u), 0x43e0000000000002u, "from_uint64(2^63+3072)");
    check_double(duet_number_from_int64(INT64_MIN), 0xc3e0000000000000u, "from_int64(INT64_MIN)");
    check_double(duet_number_from_int64(INT64_MAX), 0x43e0000000000000u, "from_int64(INT64_MAX)");
    check_double(duet_number_from_int64(-1), 0xbff0000000000000u, "from_int64(-1)");
    check_double(duet_number_from_int64(-(int64_t)((1ull << 53) + 1)), 0xc340000000000000u, "from_int64(-(2^53+1))");
    check_double(duet_number_from_int64(-(int64_t)((1ull << 53) + 3)), 0xc340000000000002u, "from_int64(-(2^53+3))");

    check_double(duet_number_widen(flt(0x00000001u)), 0x36a0000000000000u, "widen(smallest subnormal)");
    check_double(duet_number_widen(flt(0x007fffffu)), 0x380fffffc0000000u, "widen(largest subnormal)");
    check_double(duet_number_widen(flt(0x80000000u)), 0x8000000000000000u, "widen(-0)");
    check_double(duet_number_widen(flt(0x7f800000u)), 0x7ff0000000000000u, "widen(inf)");
    check_double(duet_number_widen(flt(0xff800000u)), 0xfff0000000000000u, "widen(-inf)");
    check_double(duet_number_widen(flt(0x7f7fffffu)), 0x47efffffe0000000u, "widen(FLT_MAX)");
    check_double(duet_number_widen(flt(0x3dcccccdu)), 0x3fb99999a0000000u, "widen(0.1f)");
    check_double_nan(duet_number_widen(flt(0x7fc00000u)), "widen(NaN) is a NaN");
    check_double_nan(duet_number_widen(flt(0xffc00001u)), "widen(-NaN with payload) is a NaN");

    check_float(duet_number_narrow(dbl(0x3fb999999999999au)), 0x3dcccccdu, "narrow(0.1)");
    check_float(duet_number_narrow(1e-45), 0x00000001u, "narrow(1e-45) to the smallest subnormal");
    check_float(duet_number_narrow(1e-46), 0x00000000u, "narrow(1e-46) to 0");
    check_float(duet_number_narrow(1e-40), 0x000116c2u, "narrow(1e-40) subnormal");
    check_float(duet_number_narrow(0x1p-150), 0x00000000u, "narrow(2^-150) ties to even (0)");
    check_float(duet_number_narrow(0x1.8p-149), 0x00000002u, "narrow(1.5 * 2^-149) ties to even");
    check_float(duet_number_narrow(dbl(0x47efffffefffffffu)), 0x7f7fffffu, "narrow(just under FLT_MAX + half ulp)");
    check_float(duet_number_narrow(dbl(0x47effffff0000000u)), 0x7f800000u, "narrow(FLT_MAX + half ulp) overflows");
    check_float(duet_number_narrow(1.0 + 0x1p-24), 0x3f800000u, "narrow(1 + 2^-24) ties to even");
    check_float(duet_number_narrow(1.0 + 3 * 0x1p-24), 0x3f800002u, "narrow(1 + 3 * 2^-24) ties to even");
    check_float(duet_number_narrow(1e300), 0x7f800000u, "narrow(1e300)");
    check_float(duet_number_narrow(-1e300), 0xff800000u, "narrow(-1e300)");
    check_float(duet_number_narrow(dbl(0x8000000000000000u)), 0x80000000u, "narrow(-0)");
    check_float(duet_number_narrow(dbl(0x0000000000000001u)), 0x00000000u, "narrow(5e-324)");
    check_float(duet_number_narrow(16777217.0), 0x4b800000u, "narrow(16777217)");
    check_float_nan(duet_number_narrow(dbl(0x7ff8000000000000u)), "narrow(NaN) is a NaN");
    check_float_nan(duet_number_narrow(dbl(0x7ff0000000000001u)), "narrow(NaN, low payload bit only) is a NaN");

    check_int(duet_number_to_int64(9.2233720368547748e18), 9223372036854774784, "to_int64(2^63 - 1024)");
    check_int(duet_number_to_int64(0x1p63), INT64_MAX, "to_int64(2^63) saturates");
    check_int(duet_number_to_int64(-0x1p63), INT64_MIN, "to_int64(-2^63)");
    check_int(duet_number_to_int64(-1e300), INT64_MIN, "to_int64(-1e300) saturates");
    check_int(duet_number_to_int64(1e300), INT64_MAX, "to_int64(1e300) saturates");
    check_int(duet_number_to_int64(dbl(0x7ff8000000000000u)), 0, "to_int64(NaN)");
    check_int(duet_number_to_int64(-1.9), -1, "to_int64(-1.9) toward zero");
    check_int(duet_number_to_int64(4503599627370497.0), 4503599627370497, "to_int64(2^52+1)");
}

/* One formatted text against the text expected (as glibc's snprintf writes it), from
 * duet_format_text and from C's snprintf (ports/cortex_m/stdio_printf.c: the same formatter). */
#define FORMAT(want, ...)                                    \
    do {                                                     \
        char got_[400];                                      \
        duet_format_text(got_, sizeof got_, __VA_ARGS__);    \
        check_str(got_, want, "format " #__VA_ARGS__);       \
        snprintf(got_, sizeof got_, __VA_ARGS__);            \
        check_str(got_, want, "snprintf " #__VA_ARGS__);     \
    } while (0)

void check_format(void)
{
    FORMAT("1.500000", "%f", 1.5);
    FORMAT("-0.00", "%.2f", -0.0);
    FORMAT("0.000000", "%f", 1e-7);
    FORMAT("0.000000001", "%.9f", 1e-9);
    FORMAT("+2.001", "%+.3f", 2.0005);
    FORMAT("     3.142|3.142     |000003.142", "%10.3f|%-10.3f|%010.3f", 3.14159, 3.14159, 3.14159);
    FORMAT("1000000000000000000.000000", "%f", 1e18);
    FORMAT("0.000000", "%f", (double)flt(0x00000001u));
    FORMAT("16777216.000000000", "%.9f", (double)16777217.0f);
    FORMAT("123456789.123457", "%f", 123456789.123456789);
    FORMAT("18446744073709549568.000000", "%f", 18446744073709549568.0);
    FORMAT("0.000", "%.3f", dbl(1));
    FORMAT("-001.500", "%08.3f", -1.5);
    FORMAT("0.2|0.4|0|2|4", "%.1f|%.1f|%.0f|%.0f|%.0f", 0.25, 0.375, 0.5, 2.5, 3.5); /* ties to even */
    FORMAT("-INF|inf|+inf|nan", "%F|%f|%+f|%f", -(double)INFINITY, (double)INFINITY, (double)INFINITY, (double)NAN);
    FORMAT("1000000000000000019884624838656.00", "%.2f", 1e30);
    FORMAT("0.1000000000000000055511151231257827", "%.34f", 0.1);
    FORMAT("6.022141e+23|-1.00E-300|1.0e+01|4.940656e-324", "%e|%.2E|%.1e|%e", 6.02214076e23, -1e-300, 9.96,
           dbl(1));
    FORMAT("100000|1e+06|0.0001|1e-05|3.14159|1.00000e+06", "%g|%g|%g|%g|%g|%#g", 1e5, 1e6, 1e-4, 1e-5,
           3.14159265, 999999.5);
    FORMAT("0x1p+0|-0X1.999999999999AP-4|0x2p+0|0x0.0000000000001p-1022", "%a|%A|%.0a|%a", 1.0, -0.1, 1.5,
           dbl(1));
    FORMAT("179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171"
           "540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508"
           "455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858"
           "368",
           "%.0f", 1.7976931348623157e308);
    FORMAT("-9223372036854775808 18446744073709551615 -1 -1 deadbeef 10", "%lld %llu %hhd %hd %x %o",
           (long long)INT64_MIN, (unsigned long long)UINT64_MAX, 255, 65535, 0xdeadbeefu, 8u);
    FORMAT("7|-2.50|x|-9000000000|0.125", "%d|%.2f|%c|%lld|%.3f", 7, -2.5, 'x', -9000000000LL, 0.125);
}

int main(void)
{
#if defined(__ARM_FP) && (__ARM_FP & 8)
    say("duet on a Cortex-M with a double-precision FPU (the M7's flags)\n");
#elif defined(__ARM_FP)
    say("duet on a Cortex-M with a single-precision FPU (the M4's flags)\n");
#endif
    /* Built as the GIGA's images are: the hard-float calling convention, and each core's FPU. */
#if defined(__ARM_PCS_VFP)
    check_true(true, "hard-float calling convention");
#else
    check_true(false, "hard-float calling convention");
#endif
#if defined(CORE_CM7) && defined(__ARM_FP) && (__ARM_FP & 8) && defined(__ARM_ARCH_7EM__)
    check_true(true, "M7: Armv7E-M with a double-precision FPU");
#elif defined(CORE_CM4) && defined(__ARM_FP) && !(__ARM_FP & 8) && defined(__ARM_ARCH_7EM__)
    check_true(true, "M4: Armv7E-M with a single-precision FPU");
#else
    check_true(false, "built for the M7 or the M4 with its FPU");
#endif
    check_numbers();
    check_format();
    check_stdio();
    check_rpc();
    char line[64];
    duet_format_text(line, sizeof line, "%u passed, %u failed\n", passed, failed);
    say(line);
    return failed || !passed ? 1 : 0;
}

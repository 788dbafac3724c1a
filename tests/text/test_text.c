/* test_text.c - src/base/text.h: duet's own strlen and memcmp (which let a firmware leave
 * libc's out) agree with libc's, and the text builder cuts what does not fit with "...";
 * duet/format.h: printf-style text into a buffer, as snprintf writes it where it fits. */
#define _GNU_SOURCE /* mmap's MAP_ANONYMOUS */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/text.h"
#include "duet/format.h"

static void test_length_is_strlen(void **state)
{
    (void)state;
    char s[300];
    for (size_t n = 0; n < sizeof s; n++) {
        memset(s, 'x', n);
        s[n] = '\0';
        assert_int_equal(duet_text_length(s), n);
        assert_int_equal(duet_text_length(s + n / 2), strlen(s + n / 2));
    }
    assert_int_equal(duet_text_length("a\0b"), 1);
}

static void test_bytes_equal_is_memcmp(void **state)
{
    (void)state;
    uint8_t a[64], b[64];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (uint8_t)(i * 37);
    assert_true(duet_bytes_equal(a, b, sizeof a));
    assert_true(duet_bytes_equal(a, b, 0));
    for (size_t at = 0; at < sizeof a; at++) {
        b[at] ^= 0x80; /* a difference in the high bit, where a signed compare would err */
        for (size_t n = 0; n <= sizeof a; n++)
            assert_int_equal(duet_bytes_equal(a, b, n), memcmp(a, b, n) == 0);
        b[at] ^= 0x80;
    }
    assert_true(duet_bytes_equal("ab\0c", "ab\0c", 4)); /* bytes, not a string: past the NUL */
    assert_false(duet_bytes_equal("ab\0c", "ab\0d", 4));
}

static void test_contains_and_nth(void **state)
{
    (void)state;
    assert_true(duet_text_contains("rpc serial", "serial"));
    assert_true(duet_text_contains("rpc serial", ""));
    assert_true(duet_text_contains("abc", "abc"));
    assert_false(duet_text_contains("abc", "abcd"));
    assert_false(duet_text_contains("abc", "bd"));
    static const char list[] = "zero\0one\0\0three";
    assert_string_equal(duet_text_nth(list, sizeof list, 0), "zero");
    assert_string_equal(duet_text_nth(list, sizeof list, 1), "one");
    assert_string_equal(duet_text_nth(list, sizeof list, 2), "");
    assert_string_equal(duet_text_nth(list, sizeof list, 3), "three");
    assert_null(duet_text_nth(list, sizeof list, 4));
}

static void test_builder_cuts_with_dots(void **state)
{
    (void)state;
    char buf[12];
    duet_text t;
    duet_text_init(&t, buf, sizeof buf);
    duet_text_add(&t, "add");
    duet_text_add(&t, ": ");
    duet_text_add_uint(&t, 4294967295u);
    assert_string_equal(buf, "add: 429...");
    assert_int_equal(t.len, sizeof buf - 1);
    duet_text_init(&t, buf, sizeof buf);
    duet_text_add_uint(&t, 0);
    duet_text_addn(&t, "xyz", 2);
    assert_string_equal(buf, "0xy");
}

static void test_format_text_is_snprintf_where_it_fits(void **state)
{
    (void)state;
    char got[64], want[64];
    size_t n = duet_format_text(got, sizeof got, "%04d-%02d-%02d %2d:%02d:%02d", 2024, 10, 1, 9, 58, 7);
    snprintf(want, sizeof want, "%04d-%02d-%02d %2d:%02d:%02d", 2024, 10, 1, 9, 58, 7);
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
    n = duet_format_text(got, sizeof got, "%s: pin %d does not exist (pins are 0..%u), %lx %c%%", "pinMode", -3, 102u,
                         0xbeefUL, '!');
    snprintf(want, sizeof want, "%s: pin %d does not exist (pins are 0..%u), %lx %c%%", "pinMode", -3, 102u, 0xbeefUL,
             '!');
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
}

static void test_format_text_cuts_with_dots(void **state)
{
    (void)state;
    char buf[10];
    size_t n = duet_format_text(buf, sizeof buf, "argument %u: %s", 12u, "the value does not fit");
    assert_string_equal(buf, "argume...");
    assert_int_equal(n, sizeof buf - 1);
    char none[1] = {'x'};
    assert_int_equal(duet_format_text(none, 1, "%d", 42), 0);
    assert_int_equal(none[0], '\0');
}

/* + and space are flags of signed conversions: %u %x %X %o have no sign (fuzz_format's find). */
static void test_format_unsigned_has_no_sign(void **state)
{
    (void)state;
    char got[64], want[64];
    const char *fmt = "%+u|% x|%+ X|% o|%+d|% i"; /* not a literal: the compiler warns of the flags */
    size_t n = duet_format_text(got, sizeof got, fmt, 5u, 255u, 255u, 8u, 5, 5);
    snprintf(want, sizeof want, fmt, 5u, 255u, 255u, 8u, 5, 5);
    assert_string_equal(got, "5|ff|FF|10|+5| 5");
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
}

/* An infinity takes the + and space flags as a number does; %F writes INF and NAN; a NaN
 * has its sign, as glibc writes it; a finite value is written whole however large (the
 * formatter once wrote an infinity from 2^64 up). */
static void test_format_float_infinity_and_nan(void **state)
{
    (void)state;
    char got[96], want[96];
    const char *fmt = "%+f|% f|%F|%+F|%-5f|%f|%+F";
    duet_format_text(got, sizeof got, fmt, INFINITY, INFINITY, INFINITY, -INFINITY, -INFINITY, NAN, NAN);
    snprintf(want, sizeof want, fmt, INFINITY, INFINITY, INFINITY, -INFINITY, -INFINITY, NAN, NAN);
    assert_string_equal(got, "+inf| inf|INF|-INF|-inf |nan|+NAN");
    assert_string_equal(got, want);
    fmt = "%+.2f|%F|%f|%E|%+A";
    duet_format_text(got, sizeof got, fmt, 1e30, -18446744073709551616.0, -NAN, -INFINITY, NAN);
    snprintf(want, sizeof want, fmt, 1e30, -18446744073709551616.0, -NAN, -INFINITY, NAN);
    assert_string_equal(got, "+1000000000000000019884624838656.00|-18446744073709551616.000000|-nan|-INF|+NAN");
    assert_string_equal(got, want);
}

/* %f rounds the value's exact decimals: a value below 2^-12 with a digit to round just
 * above a half rounds up, as snprintf does (fuzz_format's find: its bits were shifted out
 * before the rounding). */
static void test_format_float_rounds_small_values(void **state)
{
    (void)state;
    char got[64], want[64];
    const char *fmt = "%.9f %.9f %.8f %.9f";
    duet_format_text(got, sizeof got, fmt, 1.25005e-05, 5e-10, 2.5e-9, 1e-10);
    snprintf(want, sizeof want, fmt, 1.25005e-05, 5e-10, 2.5e-9, 1e-10);
    assert_string_equal(got, "0.000012501 0.000000001 0.00000000 0.000000000");
    assert_string_equal(got, want);
}

/* %e %f %g %a write the value's exact digits, rounded to nearest with ties to even, as
 * glibc's snprintf does: the smallest subnormal's 751 significant digits (and its first
 * 1024 decimals, the most a precision gives), the largest double's 309 integer digits, ties
 * in each conversion, a long double through L. */
static void test_format_float_exact_digits(void **state)
{
    (void)state;
    static char got[2048], want[2048];
    static const char *const fmts[] = {"%.760e", "%.1024f", "%f", "%.17g", "%.0f|%.0f|%.0f|%.1f|%.1f",
                                       "%.0e|%.1e|%.2g|%.3g", "%.0a|%.0a|%.1a|%.1a", "%Lf|%Le|%Lg"};
    double smallest = 4.9406564584124654e-324, largest = 1.7976931348623157e308;
    for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        switch (i) {
        case 4: /* ties: 0.5 2.5 to even 0 2, 3.5 to 4; 0.25 0.375 exactly between two decimals */
            duet_format_text(got, sizeof got, fmts[i], 0.5, 2.5, 3.5, 0.25, 0.375);
            snprintf(want, sizeof want, fmts[i], 0.5, 2.5, 3.5, 0.25, 0.375);
            assert_string_equal(got, "0|2|4|0.2|0.4");
            break;
        case 5:
            duet_format_text(got, sizeof got, fmts[i], 25.0, 1.25, 0.125, 1.0625);
            snprintf(want, sizeof want, fmts[i], 25.0, 1.25, 0.125, 1.0625);
            assert_string_equal(got, "2e+01|1.2e+00|0.12|1.06");
            break;
        case 6: /* hex digits: 0x1.8 to 0x2, 0x1.4p+1 to 0x1p+1, 0x1.08 to 0x1.0, 0x1.18 to 0x1.2 */
            duet_format_text(got, sizeof got, fmts[i], 1.5, 2.5, 1.03125, 1.09375);
            snprintf(want, sizeof want, fmts[i], 1.5, 2.5, 1.03125, 1.09375);
            assert_string_equal(got, "0x2p+0|0x1p+1|0x1.0p+0|0x1.2p+0");
            break;
        case 7:
            duet_format_text(got, sizeof got, fmts[i], (long double)0.1, (long double)-2.5, (long double)1e-10);
            snprintf(want, sizeof want, fmts[i], (long double)0.1, (long double)-2.5, (long double)1e-10);
            assert_string_equal(got, "0.100000|-2.500000e+00|1e-10");
            break;
        default:
            duet_format_text(got, sizeof got, fmts[i], i < 2 ? smallest : largest);
            snprintf(want, sizeof want, fmts[i], i < 2 ? smallest : largest);
        }
        assert_string_equal(got, want);
    }
    assert_int_equal(strlen(got), strlen(want));
}

/* Rounding that carries past the first digit: %f gains an integer digit, %e's power of ten
 * grows by one, %g takes the form the rounded value's power of ten asks for, %a's leading
 * digit becomes 2 (as glibc writes it). With # %g keeps its zeros after such a carry as C
 * says (the %e form with precision P - 1): glibc writes "1.e+06" for the last one. */
static void test_format_float_rounding_carries(void **state)
{
    (void)state;
    char got[128], want[128];
    const char *fmt = "%.1f|%.0f|%.2e|%.0e|%g|%.2g|%g|%.1a|%09.1f|%-9.0e|";
    duet_format_text(got, sizeof got, fmt, 9.96, 99.5, 9.9999, 9.5, 999999.5, 0.000099999, 9.99999e-5, 1.96875,
                     -9.96, 95.0);
    snprintf(want, sizeof want, fmt, 9.96, 99.5, 9.9999, 9.5, 999999.5, 0.000099999, 9.99999e-5, 1.96875, -9.96,
             95.0);
    assert_string_equal(got, "10.0|100|1.00e+01|1e+01|1e+06|0.0001|9.99999e-05|0x2.0p+0|-000010.0|1e+02    |");
    assert_string_equal(got, want);
    duet_format_text(got, sizeof got, "%#g|%#.3g|%#.0g", 999999.5, 9.9951, 0.0);
    assert_string_equal(got, "1.00000e+06|10.0|0.");
}

/* duet_format_vtext_nofloat through a va_list, as a program's own printf-like function calls it. */
static void va_list_nofloat(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    duet_format_vtext_nofloat(buf, cap, fmt, ap);
    va_end(ap);
}

/* The formatter without floating conversions writes them as they stand and takes their
 * argument (the next conversion reads the next one); the rest as duet_format_text. */
static void test_format_nofloat_skips_floating_conversions(void **state)
{
    (void)state;
    char got[96], want[96];
    size_t n = duet_format_text_nofloat(got, sizeof got, "%d|%-8.3e|%s|%Lf|%x|%G|%a", 7, 2.5, "s", (long double)1.5,
                                        255u, 1e10, 0.5);
    assert_string_equal(got, "7|%-8.3e|s|%Lf|ff|%G|%a");
    assert_int_equal(n, strlen(got));
    const char *fmt = "%+05d|%.2s|%#o|%c|%lld|%p";
    duet_format_text_nofloat(got, sizeof got, fmt, 42, "abc", 8u, 'z', -5LL, (void *)0x10);
    duet_format_text(want, sizeof want, fmt, 42, "abc", 8u, 'z', -5LL, (void *)0x10);
    assert_string_equal(got, want);
    va_list_nofloat(got, sizeof got, "%.1f|%u", 9.75, 3u);
    assert_string_equal(got, "%.1f|3");
    assert_int_equal(duet_format_text_nofloat(got, 6, "%s", "abcdefgh"), 5); /* cut as duet_format_text cuts */
    assert_string_equal(got, "ab...");
}

/* The # flag: 0x / 0X before a hex value that is not 0, a leading 0 for an octal one (not
 * added where the value is 0 or the precision's zeros give it), a point always for %f;
 * ignored by the other conversions. */
static void test_format_alternate_form(void **state)
{
    (void)state;
    char got[128], want[128];
    const char *fmt = "%#x|%#X|%#x|%#08x|%#-6x|%#o|%#o|%#.0o|%#.4o|%#5o|%#.0f|%#.1f|%#5.0f|%#d|%#u";
    size_t n = duet_format_text(got, sizeof got, fmt, 255u, 255u, 0u, 255u, 10u, 8u, 0u, 0u, 8u, 8u, 2.6, 2.26, -3.0,
                                7, 7u);
    snprintf(want, sizeof want, fmt, 255u, 255u, 0u, 255u, 10u, 8u, 0u, 0u, 8u, 8u, 2.6, 2.26, -3.0, 7, 7u);
    assert_string_equal(got, "0xff|0XFF|0|0x0000ff|0xa   |010|0|0|0010|  010|3.|2.3|  -3.|7|7");
    assert_string_equal(got, want);
    assert_int_equal(n, strlen(want));
}

/* %n stores the count of bytes written before it, in its length's type, and takes its
 * argument, so that those after it read theirs; after the text is cut it stores nothing. */
static void test_format_count(void **state)
{
    (void)state;
    char got[64];
    int at = -1;
    signed char small = -1;
    long long wide = -1;
    size_t n = duet_format_text(got, sizeof got, "ab%n%5d%hhn|%s%lln", &at, 42, &small, "xyz", &wide);
    assert_string_equal(got, "ab   42|xyz");
    assert_int_equal(n, 11);
    assert_int_equal(at, 2);
    assert_int_equal(small, 7);
    assert_int_equal(wide, 11);
    at = -1;
    duet_format_text(got, 6, "abcdefgh%n", &at); /* cut: "ab..." */
    assert_int_equal(at, -1);
    int *volatile none = NULL; /* unknown to the compiler's check */
    assert_int_equal(duet_format_text(got, sizeof got, "%n%d", none, 5), 1); /* nothing stored */
    assert_string_equal(got, "5");
}

/* %p as glibc writes it: %#x of the address with the flags and the precision, (nil) for
 * NULL, padded with spaces only. */
static void test_format_pointer(void **state)
{
    (void)state;
    static const char *const formats[] = {"[%p]", "[%8p]", "[%-8p]", "[%08p]", "[%+p]", "[% p]", "[%.6p]",
                                          "[%#p]", "[%.0p]", "[%+08p]", "[%-+10.6p]", "[%3p]", "[% 010p]"};
    void *const values[] = {NULL, (void *)(uintptr_t)0x1234, (void *)(uintptr_t)0xfff0};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        for (size_t j = 0; j < sizeof values / sizeof values[0]; j++) {
            char got[32], want[32];
            /* flags C leaves undefined for %p, which glibc defines: the compiler's check
             * would refuse them */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
            int n = snprintf(want, sizeof want, formats[i], values[j]);
            size_t len = duet_format_text(got, sizeof got, formats[i], values[j]);
#pragma GCC diagnostic pop
            assert_string_equal(got, want);
            assert_int_equal(len, (size_t)n);
        }
    }
    char got[32];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    duet_format_text(got, sizeof got, "%p|%7p|%-7p|%.6p", NULL, NULL, NULL, (void *)(uintptr_t)0x1234);
#pragma GCC diagnostic pop
    assert_string_equal(got, "(nil)|  (nil)|(nil)  |0x001234");
}

/* %s with a precision reads no more bytes than it: the text may be an array without a NUL
 * (fuzz_format's find: it read the byte after). The array ends where a page that cannot be
 * read begins, so that reading past it stops the test. */
static void test_format_string_reads_up_to_its_precision(void **state)
{
    (void)state;
    long page = sysconf(_SC_PAGESIZE);
    char *pages = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(pages != MAP_FAILED);
    assert_int_equal(mprotect(pages + page, (size_t)page, PROT_NONE), 0);
    char *abc = pages + page - 3;
    memcpy(abc, "abc", 3);
    char got[16];
    assert_int_equal(duet_format_text(got, sizeof got, "[%.3s|%.2s]", abc, abc), 8);
    assert_string_equal(got, "[abc|ab]");
    munmap(pages, 2 * (size_t)page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length_is_strlen),
        cmocka_unit_test(test_bytes_equal_is_memcmp),
        cmocka_unit_test(test_contains_and_nth),
        cmocka_unit_test(test_builder_cuts_with_dots),
        cmocka_unit_test(test_format_text_is_snprintf_where_it_fits),
        cmocka_unit_test(test_format_text_cuts_with_dots),
        cmocka_unit_test(test_format_unsigned_has_no_sign),
        cmocka_unit_test(test_format_float_infinity_and_nan),
        cmocka_unit_test(test_format_float_rounds_small_values),
        cmocka_unit_test(test_format_float_exact_digits),
        cmocka_unit_test(test_format_float_rounding_carries),
        cmocka_unit_test(test_format_nofloat_skips_floating_conversions),
        cmocka_unit_test(test_format_string_reads_up_to_its_precision),
        cmocka_unit_test(test_format_alternate_form),
        cmocka_unit_test(test_format_count),
        cmocka_unit_test(test_format_pointer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_version.c - duet/version.h and duet_version(): one version, the same everywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "duet/version.h"

/* The library this test links says the version its headers say. */
static void test_library_matches_headers(void **state)
{
    (void)state;
    assert_int_equal(duet_version(), DUET_VERSION_NUMBER);
    assert_string_equal(duet_version_string(), DUET_VERSION_STRING);
}

/* The string is MAJOR.MINOR.PATCH of the three numbers, and the number encodes them. */
static void test_parts_agree(void **state)
{
    (void)state;
    char text[32];
    snprintf(text, sizeof text, "%d.%d.%d", DUET_VERSION_MAJOR, DUET_VERSION_MINOR, DUET_VERSION_PATCH);
    assert_string_equal(DUET_VERSION_STRING, text);
    uint32_t v = duet_version();
    assert_int_equal(v >> 16, DUET_VERSION_MAJOR);
    assert_int_equal((v >> 8) & 0xff, DUET_VERSION_MINOR);
    assert_int_equal(v & 0xff, DUET_VERSION_PATCH);
}

/* Encoded versions compare as versions do. */
static void test_encode_orders(void **state)
{
    (void)state;
    assert_true(DUET_VERSION_ENCODE(0, 9, 9) < DUET_VERSION_ENCODE(1, 0, 0));
    assert_true(DUET_VERSION_ENCODE(1, 2, 3) < DUET_VERSION_ENCODE(1, 3, 0));
    assert_true(DUET_VERSION_ENCODE(1, 2, 3) < DUET_VERSION_ENCODE(1, 2, 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library_matches_headers),
        cmocka_unit_test(test_parts_agree),
        cmocka_unit_test(test_encode_orders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

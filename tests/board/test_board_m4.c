/* test_board_m4.c - duet/board.h as the M4: USB Serial is the M7's, every call says so. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "duet/board.h"

static void serial_is_an_error_on_the_m4(void **state)
{
    (void)state;
    assert_int_equal(duet_serial_begin(9600), DUET_ERR_NOT_SUPPORTED);
    assert_non_null(strstr(duet_board_error_text(), "the M4 has no USB Serial"));
    assert_non_null(strstr(duet_board_error_text(), "duet_print"));
    assert_int_equal(duet_serial_print("x"), 0);
    assert_int_equal(duet_serial_println("x"), 0);
    assert_int_equal(duet_serial_printf("%d", 1), 0);
    assert_int_equal(duet_serial_write("x", 1), 0);
    assert_int_equal(duet_serial_available(), 0);
    assert_int_equal(duet_serial_read(), -1);
    assert_int_equal(duet_serial_peek(), -1);
    assert_non_null(strstr(duet_board_error_text(), "duet_serial_peek"));
}

static void pins_work_on_the_m4(void **state)
{
    (void)state;
    pinMode(LEDG, OUTPUT);
    digitalWrite(LEDG, LOW);
    assert_int_equal(digitalRead(LEDG), LOW);
}

int main(void)
{
    unsetenv("DUET_BOARD");
    unsetenv("DUET_BOARD_EVENTS");
    setenv("DUET_CORE", "m4", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(serial_is_an_error_on_the_m4),
        cmocka_unit_test(pins_work_on_the_m4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

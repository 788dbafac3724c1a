/* tests/top/test_top.c - the top level's errors before duet_begin() and for bad bindings:
 * each says what to do, once (no doubled prefixes). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "duet/duet.h"

#define BEGIN_FIRST "call duet_begin() first (it sets up the link to the other core)"

static int h_nop(duet_req *c)
{
    (void)c;
    return DUET_OK;
}

static void test_call_before_begin(void **state)
{
    (void)state;
    int32_t sum = 0;
    assert_int_equal(duet_call("add", "ii:i", 1, 2, &sum), DUET_ERR_STATE);
    assert_int_equal(duet_error(), DUET_ERR_STATE);
    assert_string_equal(duet_error_text(), "add: " BEGIN_FIRST);
    duet_future f;
    assert_int_equal(duet_call_async(&f, "mul", "ii:i", 1, 2), DUET_ERR_STATE);
    assert_string_equal(duet_error_text(), "mul: " BEGIN_FIRST);
    assert_int_equal(duet_notify("tick", ""), DUET_ERR_STATE);
    assert_string_equal(duet_error_text(), "tick: " BEGIN_FIRST);
    assert_int_equal(DUET_CALL("add", &sum, 1, 2), DUET_ERR_STATE);
    assert_string_equal(duet_error_text(), "add: " BEGIN_FIRST);
    /* A poll before duet_begin() (delay loops poll) keeps the last error. */
    assert_int_equal(duet_poll(), DUET_ERR_STATE);
    assert_int_equal(duet_error(), DUET_ERR_STATE);
    assert_string_equal(duet_error_text(), "add: " BEGIN_FIRST);
    assert_int_equal(duet_print("hello"), 0);
    assert_string_equal(duet_error_text(), "stream: " BEGIN_FIRST);
    assert_int_equal(sum, 0);
}

static void test_engine_call_before_begin(void **state)
{
    (void)state;
    /* The engine itself, used before duet_begin(), says what to do too. */
    duet_rpc *rpc = duet_rpc_instance();
    int32_t sum = 0;
    assert_int_equal(duet_rpc_call(rpc, "add", "ii:i", 1, 2, &sum), DUET_ERR_STATE);
    assert_string_equal(duet_rpc_error_text(rpc), "add: " BEGIN_FIRST);
    assert_int_equal(duet_rpc_notify(rpc, "tick", ""), DUET_ERR_STATE);
    assert_string_equal(duet_rpc_error_text(rpc), "tick: " BEGIN_FIRST);
    assert_int_equal(DUET_RPC_CALL(rpc, "add", &sum, 1, 2), DUET_ERR_STATE);
    assert_string_equal(duet_rpc_error_text(rpc), "add: " BEGIN_FIRST);
    assert_int_equal(sum, 0);
}

static void test_bind_errors_name_the_method_once(void **state)
{
    (void)state;
    /* Binding works before duet_begin(); its errors come from the engine, unprefixed. */
    assert_int_equal(duet_bind("ok", "i:i", h_nop), DUET_OK);
    assert_int_equal(duet_bind("ok", "i:i", h_nop), DUET_ERR_EXISTS);
    assert_string_equal(duet_error_text(), "ok: already bound");
    assert_int_equal(duet_bind(NULL, "", h_nop), DUET_ERR_ARG);
    assert_string_equal(duet_error_text(), "bind: a name and a function are required");
    assert_int_equal(duet_bind("f", "iiiiiiiii:i", h_nop), DUET_ERR_ARG);
    char want[200];
    snprintf(want, sizeof want,
             "f: signature \"iiiiiiiii:i\": 9 parameters, more than DUET_RPC_MAX_ARGS (%d): "
             "pass them as one array ('v') or raise DUET_RPC_MAX_ARGS",
             DUET_RPC_MAX_ARGS);
    assert_string_equal(duet_error_text(), want);
}

static void test_begin_without_board(void **state)
{
    (void)state;
    /* No DUET_BOARD: the posix port has no board to open; duet_begin says where to run. */
    unsetenv("DUET_BOARD");
    unsetenv("DUET_CORE");
    assert_int_equal(duet_begin(), 0);
    assert_int_equal(duet_error(), DUET_ERR_NOT_SUPPORTED);
    assert_string_equal(duet_error_text(), "duet_begin: no port for this core (on a PC: run it on duet-board)");
    /* The reason survives the polls of a delay loop. */
    assert_int_equal(duet_poll(), DUET_ERR_STATE);
    assert_int_equal(duet_error(), DUET_ERR_NOT_SUPPORTED);
    assert_string_equal(duet_error_text(), "duet_begin: no port for this core (on a PC: run it on duet-board)");
    int32_t sum = 0;
    assert_int_equal(duet_call("add", "ii:i", 1, 2, &sum), DUET_ERR_STATE);
    assert_string_equal(duet_error_text(), "add: " BEGIN_FIRST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_call_before_begin),
        cmocka_unit_test(test_engine_call_before_begin),
        cmocka_unit_test(test_bind_errors_name_the_method_once),
        cmocka_unit_test(test_begin_without_board),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

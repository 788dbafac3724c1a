/* tests/rpc/test_rpc_bind.c - duet_rpc_init, bind, bind_group, unbind, unbind_group, lock hooks. */
#include <stdio.h>
#include <string.h>

#include "fixture.h"

/* ------------------------------------------------------------ handlers */

static int add_calls;

static int h_add(duet_req *c)
{
    add_calls++;
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

static int h_sub(duet_req *c)
{
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) - duet_arg_int(c, 1));
}

/* Returns the user pointer's int, to show which binding ran. */
static int h_user(duet_req *c)
{
    const int *v = (const int *)duet_req_user(c);
    return duet_return_int(c, v ? *v : -1);
}

/* Returns the method name as called. */
static int h_name(duet_req *c)
{
    uint32_t len;
    const char *name = duet_req_method(c, &len);
    duet_msgpack_write_str(duet_req_result(c), name, len);
    return duet_msgpack_writer_error(duet_req_result(c));
}

/* Raw handler: sums any number of integer arguments read with duet_req_params. */
static int h_sum_raw(duet_req *c)
{
    duet_msgpack_reader *r = duet_req_params(c);
    int64_t sum = 0;
    for (uint32_t i = 0; i < duet_arg_count(c); i++) {
        int64_t v;
        if (!duet_msgpack_read_i64(r, &v))
            return duet_req_fail(c, DUET_ERR_ARG_TYPE, "arguments must be integers");
        sum += v;
    }
    duet_msgpack_writer *w = duet_req_result(c);
    duet_msgpack_write_int(w, sum);
    return duet_msgpack_writer_error(w);
}

static int h_nop(duet_req *c)
{
    (void)c;
    return DUET_OK;
}

/* ------------------------------------------------------------ init */

static void test_init_errors(void **state)
{
    (void)state;
    fx_pair(0, 0, FX_MAX_MESSAGE);
    duet_rpc_config cfg = fx_config(&FA);
    duet_rpc rpc;

    cfg.tx_buffer = NULL;
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(&rpc),
                        "duet_rpc_init: needs a link with send and poll, a tx buffer and a result buffer");
    cfg = fx_config(&FA);
    cfg.result_buffer = NULL;
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_ERR_ARG);
    cfg = fx_config(&FA);
    assert_int_equal(duet_rpc_init(&rpc, NULL, &cfg), DUET_ERR_ARG);
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, NULL), DUET_ERR_ARG);

    cfg.tx_size = 47; /* below one frame of a short error response */
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(&rpc), "duet_rpc_init: tx or result buffer too small");
    cfg.tx_size = 48;
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_OK);
    cfg.result_size = 16 * DUET_RPC_MAX_INFLIGHT - 1;
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(&rpc), "duet_rpc_init: tx or result buffer too small");
    cfg.result_size = 16 * DUET_RPC_MAX_INFLIGHT;
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_OK);
    /* A max_message that no message fits: refused here, not by every call later ("calls
     * nested too deep"). */
    cfg = fx_config(&FA);
    cfg.max_message = 47;
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(&rpc), "duet_rpc_init: max_message below 48 bytes, the smallest message");
    cfg.max_message = 48;
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_OK);

    cfg = fx_config(&FA);
    cfg.lock = (void (*)(void *))fx_idle_poll; /* any function: only its presence matters here */
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(&rpc), "duet_rpc_init: lock and unlock hooks go together");

    /* Defaults: timeout and max_message from the link. */
    cfg = fx_config(&FA);
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_OK);
    assert_int_equal(rpc.cfg.timeout_ms, DUET_RPC_DEFAULT_TIMEOUT_MS);
    assert_int_equal(rpc.cfg.max_message, FX_MAX_MESSAGE);
    assert_string_equal(duet_rpc_error_text(&rpc), "no error");
    assert_stats(&rpc, 0, 0, 0, 0, 0, 0);
    /* max_message: as asked, else the link's, never more than the tx buffer. */
    cfg.max_message = 100;
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_OK);
    assert_int_equal(rpc.cfg.max_message, 100);
    cfg.max_message = 100000;
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_OK);
    assert_int_equal(rpc.cfg.max_message, FX_TX);
    cfg.max_message = 0;
    fx_pair(0, 0, 0); /* a link without a limit: a quarter of the tx buffer, for nesting */
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_OK);
    assert_int_equal(rpc.cfg.max_message, FX_TX / 4);
    fx_pair(0, 0, 100000); /* a link limit over the tx buffer: as without a limit */
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_OK);
    assert_int_equal(rpc.cfg.max_message, FX_TX / 4);
    /* set_link follows the new link's limit unless one was asked for. */
    static duet_link_mem other_a, other_b;
    static uint8_t qa[256], qb[256];
    duet_link_mem_pair(&other_a, qa, sizeof qa, &other_b, qb, sizeof qb, 64);
    duet_rpc_set_link(&rpc, &other_a.link);
    assert_int_equal(rpc.cfg.max_message, 64);
    assert_ptr_equal(other_a.link.up, &rpc);
    cfg.max_message = 200;
    assert_int_equal(duet_rpc_init(&rpc, &FA.link.link, &cfg), DUET_OK);
    duet_rpc_set_link(&rpc, &other_a.link);
    assert_int_equal(rpc.cfg.max_message, 200);
}

/* ------------------------------------------------------------ bind */

static void test_bind_plain(void **state)
{
    (void)state;
    int32_t r = 0;
    add_calls = 0;
    assert_int_equal(duet_rpc_bind(RB, "add", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 2, 40, &r), DUET_OK);
    assert_int_equal(r, 42);
    assert_int_equal(add_calls, 1);

    /* The user pointer reaches the handler. */
    static int seven = 7;
    assert_int_equal(duet_rpc_bind(RB, "user", ":i", h_user, &seven), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "user", ":i", &r), DUET_OK);
    assert_int_equal(r, 7);
    assert_int_equal(duet_rpc_bind(RB, "nouser", ":i", h_user, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "nouser", ":i", &r), DUET_OK);
    assert_int_equal(r, -1);
}

static void test_bind_raw_handler(void **state)
{
    (void)state;
    int64_t sum = -1;
    assert_int_equal(duet_rpc_bind(RB, "sum", NULL, h_sum_raw, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "sum", ":l", &sum), DUET_OK);
    assert_int_equal(sum, 0);
    assert_int_equal(duet_rpc_call(RA, "sum", "i:l", -5, &sum), DUET_OK);
    assert_int_equal(sum, -5);
    assert_int_equal(duet_rpc_call(RA, "sum", "iulk:l", 1, 2u, (int64_t)3000000000LL, (uint64_t)4, &sum), DUET_OK);
    assert_int_equal(sum, 3000000007LL);
    /* No signature: nothing is checked before the handler, which rejects it itself. */
    assert_int_equal(duet_rpc_call(RA, "sum", "is:l", 1, "x", &sum), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "sum: arguments must be integers");
}

static const duet_rpc_method foo_table[] = {
    {"add", "ii:i", h_add, NULL},
    {"sub", "ii:i", h_sub, NULL},
    {"name", NULL, h_name, NULL},
};

static void test_bind_group(void **state)
{
    (void)state;
    int32_t r = 0;
    char name[32];
    assert_int_equal(duet_rpc_bind_group(RB, "foo1", foo_table, 3), DUET_OK);
    assert_int_equal(FB.rpc.method_count, 3);
    assert_int_equal(duet_rpc_call(RA, "foo1.add", "ii:i", 7, 3, &r), DUET_OK);
    assert_int_equal(r, 10);
    assert_int_equal(duet_rpc_call(RA, "foo1.sub", "ii:i", 7, 3, &r), DUET_OK);
    assert_int_equal(r, 4);
    assert_int_equal(duet_rpc_call(RA, "foo1.name", ":s", name, sizeof name), DUET_OK);
    assert_string_equal(name, "foo1.name");

    /* Members are only reachable under their prefix. */
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 7, 3, &r), DUET_ERR_REMOTE);
    assert_string_equal(duet_rpc_error_text(RA), "rpclib: server could not find function 'add' with argument count 2.");
    assert_int_equal(duet_rpc_call(RA, "foo1.", "ii:i", 7, 3, &r), DUET_ERR_REMOTE);
    assert_int_equal(duet_rpc_call(RA, "foo1add", "ii:i", 7, 3, &r), DUET_ERR_REMOTE);
    assert_int_equal(duet_rpc_call(RA, "foo.add", "ii:i", 7, 3, &r), DUET_ERR_REMOTE);
    assert_int_equal(duet_rpc_call(RA, "foo12.add", "ii:i", 7, 3, &r), DUET_ERR_REMOTE);

    /* The same table again under another prefix, and a prefix that extends the first one. */
    assert_int_equal(duet_rpc_bind_group(RB, "foo2", foo_table, 2), DUET_OK);
    assert_int_equal(duet_rpc_bind_group(RB, "foo", foo_table, 1), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "foo2.sub", "ii:i", 1, 3, &r), DUET_OK);
    assert_int_equal(r, -2);
    assert_int_equal(duet_rpc_call(RA, "foo.add", "ii:i", 1, 3, &r), DUET_OK);
    assert_int_equal(r, 4);
    assert_int_equal(duet_rpc_call(RA, "foo.sub", "ii:i", 1, 3, &r), DUET_ERR_REMOTE);
    /* A plain binding whose name looks like a member. */
    assert_int_equal(duet_rpc_bind(RB, "bar.add", "ii:i", h_sub, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "bar.add", "ii:i", 1, 3, &r), DUET_OK);
    assert_int_equal(r, -2);
    assert_int_equal(FB.rpc.method_count, 7);
}

static void test_unbind(void **state)
{
    (void)state;
    int32_t r = 0;
    assert_int_equal(duet_rpc_bind(RB, "add", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "sub", "ii:i", h_sub, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind_group(RB, "foo1", foo_table, 2), DUET_OK);
    assert_int_equal(duet_rpc_bind_group(RB, "foo", foo_table, 2), DUET_OK);
    assert_int_equal(FB.rpc.method_count, 6);

    assert_int_equal(duet_rpc_unbind(RB, "add"), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 1, 1, &r), DUET_ERR_REMOTE);
    assert_int_equal(duet_rpc_call(RA, "sub", "ii:i", 5, 1, &r), DUET_OK);
    assert_int_equal(r, 4);
    /* A failed unbind says why in the error text (not an older failure's text). */
    assert_int_equal(duet_rpc_bind(RB, "sub", "ii:i", h_sub, NULL), DUET_ERR_EXISTS);
    assert_int_equal(duet_rpc_unbind(RB, "add"), DUET_ERR_NOT_FOUND);
    assert_string_equal(duet_rpc_error_text(RB), "add: not bound");
    assert_int_equal(duet_rpc_unbind(RB, NULL), DUET_ERR_NOT_FOUND);
    assert_string_equal(duet_rpc_error_text(RB), "unbind: no method name (NULL)");
    assert_int_equal(duet_rpc_unbind(RB, "foo1"), DUET_ERR_NOT_FOUND); /* a prefix is no name */
    assert_string_equal(duet_rpc_error_text(RB), "foo1: not bound");
    assert_int_equal(FB.rpc.method_count, 5);

    /* One group member. */
    assert_int_equal(duet_rpc_unbind(RB, "foo1.add"), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "foo1.add", "ii:i", 1, 1, &r), DUET_ERR_REMOTE);
    assert_int_equal(duet_rpc_call(RA, "foo1.sub", "ii:i", 5, 1, &r), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "foo.add", "ii:i", 5, 1, &r), DUET_OK);
    assert_int_equal(r, 6);

    /* A whole group: "foo" is no prefix of "foo1" and stays. */
    assert_int_equal(duet_rpc_unbind_group(RB, "foo1"), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "foo1.sub", "ii:i", 5, 1, &r), DUET_ERR_REMOTE);
    assert_int_equal(duet_rpc_call(RA, "foo.sub", "ii:i", 5, 1, &r), DUET_OK);
    assert_int_equal(duet_rpc_unbind_group(RB, "foo1"), DUET_ERR_NOT_FOUND);
    assert_int_equal(duet_rpc_unbind_group(RB, "fo"), DUET_ERR_NOT_FOUND);
    assert_string_equal(duet_rpc_error_text(RB), "fo: no group bound under this prefix");
    assert_int_equal(duet_rpc_unbind_group(RB, NULL), DUET_ERR_NOT_FOUND);
    assert_string_equal(duet_rpc_error_text(RB), "unbind_group: no prefix (NULL)");
    assert_int_equal(duet_rpc_unbind_group(RB, "sub"), DUET_ERR_NOT_FOUND); /* plain bindings are no group */
    assert_int_equal(FB.rpc.method_count, 3);
    assert_int_equal(duet_rpc_unbind_group(RB, "foo"), DUET_OK);
    assert_int_equal(FB.rpc.method_count, 1);

    /* Names can be bound again once free. */
    assert_int_equal(duet_rpc_bind(RB, "add", "ii:i", h_sub, NULL), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 5, 1, &r), DUET_OK);
    assert_int_equal(r, 4);
    assert_int_equal(duet_rpc_bind_group(RB, "foo1", foo_table, 2), DUET_OK);
    assert_int_equal(duet_rpc_call(RA, "foo1.add", "ii:i", 5, 1, &r), DUET_OK);
    assert_int_equal(r, 6);
}

static void test_bind_duplicate(void **state)
{
    (void)state;
    int32_t r = 0;
    assert_int_equal(duet_rpc_bind(RB, "add", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "add", "ii:i", h_sub, NULL), DUET_ERR_EXISTS);
    assert_string_equal(duet_rpc_error_text(RB), "add: already bound");
    assert_int_equal(duet_rpc_bind(RB, "add", NULL, h_sub, NULL), DUET_ERR_EXISTS);
    assert_int_equal(duet_rpc_call(RA, "add", "ii:i", 5, 1, &r), DUET_OK);
    assert_int_equal(r, 6); /* the first binding stays */
    /* A name longer than an error text is compared whole: bound once only. */
    static char longer[DUET_RPC_ERROR_TEXT + 40];
    memset(longer, 'n', sizeof longer - 1);
    assert_int_equal(duet_rpc_bind(RB, longer, "", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, longer, "", h_sub, NULL), DUET_ERR_EXISTS);
    assert_int_equal(duet_rpc_unbind(RB, longer), DUET_OK);
    assert_int_equal(duet_rpc_unbind(RB, longer), DUET_ERR_NOT_FOUND);
    /* A group member's full name too, against a member and against a plain name. */
    static const duet_rpc_method m_table[] = {{"m", "", h_add, NULL}}, n_table[] = {{"n", "", h_add, NULL}};
    static char dotted[sizeof longer]; /* "nnn...n.n", a plain name */
    memcpy(dotted, longer, sizeof longer);
    dotted[sizeof dotted - 3] = '.';
    longer[sizeof longer - 3] = '\0'; /* the prefix "nnn...n" */
    assert_int_equal(duet_rpc_bind(RB, dotted, "", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind_group(RB, longer, m_table, 1), DUET_OK); /* "nnn...n.m" */
    assert_int_equal(duet_rpc_bind_group(RB, longer, m_table, 1), DUET_ERR_EXISTS);
    assert_int_equal(duet_rpc_bind_group(RB, longer, n_table, 1), DUET_ERR_EXISTS); /* the plain name */
    assert_int_equal(duet_rpc_unbind_group(RB, longer), DUET_OK);
    assert_int_equal(duet_rpc_unbind(RB, dotted), DUET_OK);

    /* A plain name that equals a group member's full name, both ways round. */
    assert_int_equal(duet_rpc_bind(RB, "foo1.sub", "ii:i", h_add, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind_group(RB, "foo1", foo_table, 2), DUET_ERR_EXISTS);
    assert_string_equal(duet_rpc_error_text(RB), "sub: already bound");
    assert_int_equal(duet_rpc_call(RA, "foo1.add", "ii:i", 5, 1, &r), DUET_ERR_REMOTE); /* nothing bound */
    assert_int_equal(duet_rpc_bind_group(RB, "foo2", foo_table, 2), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "foo2.add", "ii:i", h_add, NULL), DUET_ERR_EXISTS);
    assert_int_equal(duet_rpc_bind_group(RB, "foo2", foo_table, 1), DUET_ERR_EXISTS);

    /* A table that lists a name twice. */
    const duet_rpc_method twice[] = {{"x", "", h_nop, NULL}, {"y", "", h_nop, NULL}, {"x", "i:", h_nop, NULL}};
    assert_int_equal(duet_rpc_bind_group(RB, "t", twice, 3), DUET_ERR_EXISTS);
    assert_string_equal(duet_rpc_error_text(RB), "x: listed twice in the table");
    assert_int_equal(FB.rpc.method_count, 4);
}

static void test_bind_full(void **state)
{
    (void)state;
    static char names[DUET_RPC_MAX_METHODS + 1][8];
    for (int i = 0; i <= DUET_RPC_MAX_METHODS; i++)
        snprintf(names[i], sizeof names[i], "m%02d", i);
    static int values[DUET_RPC_MAX_METHODS + 1];
    for (int i = 0; i < DUET_RPC_MAX_METHODS; i++) {
        values[i] = 1000 + i;
        assert_int_equal(duet_rpc_bind(RB, names[i], ":i", h_user, &values[i]), DUET_OK);
    }
    assert_int_equal(duet_rpc_bind(RB, names[DUET_RPC_MAX_METHODS], ":i", h_user, NULL), DUET_ERR_FULL);
    assert_string_equal(duet_rpc_error_text(RB), "bind: method table full (DUET_RPC_MAX_METHODS)");
    assert_int_equal(duet_rpc_bind_group(RB, "g", foo_table, 1), DUET_ERR_FULL);
    /* Every one of them answers with its own value. */
    for (int i = 0; i < DUET_RPC_MAX_METHODS; i++) {
        int32_t r = 0;
        assert_int_equal(duet_rpc_call(RA, names[i], ":i", &r), DUET_OK);
        assert_int_equal(r, 1000 + i);
    }
    /* One free place: a group of two does not fit, and binds nothing. */
    assert_int_equal(duet_rpc_unbind(RB, names[5]), DUET_OK);
    assert_int_equal(duet_rpc_bind_group(RB, "g", foo_table, 2), DUET_ERR_FULL);
    assert_int_equal(FB.rpc.method_count, DUET_RPC_MAX_METHODS - 1);
    assert_int_equal(duet_rpc_bind_group(RB, "g", foo_table, 1), DUET_OK);
    int32_t r = 0;
    assert_int_equal(duet_rpc_call(RA, "g.add", "ii:i", 20, 22, &r), DUET_OK);
    assert_int_equal(r, 42);
    assert_int_equal(duet_rpc_call(RA, names[31], ":i", &r), DUET_OK);
    assert_int_equal(r, 1031);
}

static void test_bind_bad_signature(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "x", "i:x", "i:ii", "ii:i:", "::", ":ii", "I:i", "i i:i", "iiiiiiiii:", "iiiiiiiii", "i:-", ";", "s:s ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(duet_rpc_bind(RB, "f", bad[i], h_nop, NULL), DUET_ERR_ARG);
        char want[96];
        snprintf(want, sizeof want, "f: signature \"%s\": ", bad[i]);
        assert_memory_equal(duet_rpc_error_text(RB), want, strlen(want));
    }
    /* Each error says what is wrong and what to do. */
    assert_int_equal(duet_rpc_bind(RB, "f", "ix:i", h_nop, NULL), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RB), "f: signature \"ix:i\": 'x' is not a type letter "
                                                 "(use i u l k b f d s y n v, and one ':' before the result)");
    assert_int_equal(duet_rpc_bind(RB, "f", "i:ii", h_nop, NULL), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RB), "f: signature \"i:ii\": one result letter at most after ':' "
                                                 "(return several values as one 'v')");
    assert_int_equal(duet_rpc_bind(RB, "f", "iiiiiiiii:i", h_nop, NULL), DUET_ERR_ARG);
    char limit[160];
    snprintf(limit, sizeof limit, "f: signature \"iiiiiiiii:i\": 9 parameters, more than DUET_RPC_MAX_ARGS (%d): "
             "pass them as one array ('v') or raise DUET_RPC_MAX_ARGS", DUET_RPC_MAX_ARGS);
    assert_string_equal(duet_rpc_error_text(RB), limit);
    assert_int_equal(FB.rpc.method_count, 0);
    static const char *const good[] = {
        "", ":", "n:n", "i", "iulkbfdsynv:v", "iiiiiiii:i", ":s", "v:", "y:y",
    };
    /* "iulkbfdsynv" lists 11 parameters: more than DUET_RPC_MAX_ARGS (8) when that is the default. */
    static char names[sizeof good / sizeof good[0]][8]; /* bound names must stay valid */
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *name = names[i];
        snprintf(name, sizeof names[i], "g%zu", i);
        int want = (i == 4 && DUET_RPC_MAX_ARGS < 11) ? DUET_ERR_ARG : DUET_OK;
        assert_int_equal(duet_rpc_bind(RB, name, good[i], h_nop, NULL), want);
    }

    /* Name and function are required. */
    assert_int_equal(duet_rpc_bind(RB, NULL, "", h_nop, NULL), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RB), "bind: a name and a function are required");
    assert_int_equal(duet_rpc_bind(RB, "", "", h_nop, NULL), DUET_ERR_ARG);
    assert_int_equal(duet_rpc_bind(RB, "f", "", NULL, NULL), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RB), "bind: a name and a function are required");

    /* The caller side checks its signature too, and sends nothing. */
    int32_t r;
    assert_int_equal(duet_rpc_call(RA, "g0", "ii:x", 1, 2, &r), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RA), "g0: signature \"ii:x\": 'x' is not a type letter "
                                                 "(use i u l k b f d s y n v, and one ':' before the result)");
    assert_int_equal(duet_rpc_call(RA, "g0", NULL), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RA), "g0: no signature (NULL): give \"\" for no parameters");
    assert_int_equal(duet_rpc_call(RA, NULL, ""), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RA), "call: no method name (NULL)");
    assert_int_equal(duet_rpc_call(RA, "g0", "iiiiiiiii:", 1, 2, 3, 4, 5, 6, 7, 8, 9), DUET_ERR_ARG);
    assert_int_equal(duet_rpc_notify(RA, "g0", "q"), DUET_ERR_ARG);
    duet_future f;
    assert_int_equal(duet_rpc_call_async(RA, &f, "g0", "i:i:", 1), DUET_ERR_ARG);
    assert_stats(RA, 0, 0, 0, 0, 0, 0);
    assert_stats(RB, 0, 0, 0, 0, 0, 0);
}

static void test_bind_group_all_or_nothing(void **state)
{
    (void)state;
    int32_t r;
    const duet_rpc_method bad_sig[] = {{"a", "ii:i", h_add, NULL}, {"b", "ii:q", h_add, NULL}, {"c", "", h_nop, NULL}};
    assert_int_equal(duet_rpc_bind_group(RB, "grp", bad_sig, 3), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RB), "b: signature \"ii:q\": 'q' is not a type letter "
                                                 "(use i u l k b f d s y n v, and one ':' before the result)");
    assert_int_equal(FB.rpc.method_count, 0);
    assert_int_equal(duet_rpc_call(RA, "grp.a", "ii:i", 1, 2, &r), DUET_ERR_REMOTE);

    const duet_rpc_method no_fn[] = {{"a", "ii:i", h_add, NULL}, {"b", "", NULL, NULL}};
    assert_int_equal(duet_rpc_bind_group(RB, "grp", no_fn, 2), DUET_ERR_ARG);
    const duet_rpc_method no_name[] = {{"a", "ii:i", h_add, NULL}, {"", "", h_nop, NULL}};
    assert_int_equal(duet_rpc_bind_group(RB, "grp", no_name, 2), DUET_ERR_ARG);
    assert_int_equal(FB.rpc.method_count, 0);

    /* The last entry clashes with an existing binding. */
    assert_int_equal(duet_rpc_bind(RB, "grp.c", "", h_nop, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind_group(RB, "grp", bad_sig + 2, 1), DUET_ERR_EXISTS);
    const duet_rpc_method clash[] = {{"a", "ii:i", h_add, NULL}, {"c", "", h_nop, NULL}};
    assert_int_equal(duet_rpc_bind_group(RB, "grp", clash, 2), DUET_ERR_EXISTS);
    assert_int_equal(FB.rpc.method_count, 1);
    assert_int_equal(duet_rpc_call(RA, "grp.a", "ii:i", 1, 2, &r), DUET_ERR_REMOTE);

    /* Prefix and table are required. */
    assert_int_equal(duet_rpc_bind_group(RB, NULL, clash, 2), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RB), "bind_group: a prefix is required");
    assert_int_equal(duet_rpc_bind_group(RB, "", clash, 2), DUET_ERR_ARG);
    assert_string_equal(duet_rpc_error_text(RB), "bind_group: a prefix and a table are required");
    assert_int_equal(duet_rpc_bind_group(RB, "grp", NULL, 2), DUET_ERR_ARG);
    assert_int_equal(FB.rpc.method_count, 1);

    /* An empty table binds nothing and succeeds. */
    assert_int_equal(duet_rpc_bind_group(RB, "empty", clash, 0), DUET_OK);
    assert_int_equal(FB.rpc.method_count, 1);
}

/* A handler may unbind itself (a one-shot function): its own call still completes as bound. */
static int h_other(duet_req *c) { return duet_return_str(c, "other"); }

static int h_once(duet_req *c)
{
    assert_int_equal(duet_rpc_unbind(duet_req_rpc(c), "once"), DUET_OK);
    return duet_return_int(c, 1);
}

static void test_handler_unbinds_itself(void **state)
{
    (void)state;
    int32_t r = 0;
    char s[8];
    assert_int_equal(duet_rpc_bind(RB, "once", ":i", h_once, NULL), DUET_OK);
    assert_int_equal(duet_rpc_bind(RB, "other", ":s", h_other, NULL), DUET_OK);
    int err = duet_rpc_call(RA, "once", ":i", &r);
    assert_int_equal(err, DUET_OK);
    assert_int_equal(r, 1);
    assert_int_equal(duet_rpc_call(RA, "once", ":i", &r), DUET_ERR_REMOTE);
    assert_int_equal(duet_rpc_call(RA, "other", ":s", s, sizeof s), DUET_OK);
    assert_string_equal(s, "other");
}

/* ------------------------------------------------------------ lock hooks */

typedef struct lock_state {
    int depth;     /* current recursion depth */
    int max_depth;
    unsigned takes;
} lock_state;

static lock_state lock_a, lock_b;

static void do_lock(void *arg)
{
    lock_state *l = (lock_state *)arg;
    l->depth++;
    l->takes++;
    if (l->depth > l->max_depth)
        l->max_depth = l->depth;
}

static void do_unlock(void *arg)
{
    lock_state *l = (lock_state *)arg;
    assert_true(l->depth > 0);
    l->depth--;
}

static int depth_in_handler;

static int h_lock_probe(duet_req *c)
{
    depth_in_handler = lock_b.depth;
    return duet_return_int(c, duet_arg_int(c, 0) * 2);
}

static int a_depth_while_waiting = -1;

static void idle_check_a_unlocked(void *arg)
{
    /* wait() runs with A's lock released. */
    if (a_depth_while_waiting < 0)
        a_depth_while_waiting = lock_a.depth;
    fx_idle_poll(arg);
}

static void test_lock_hooks(void **state)
{
    (void)state;
    memset(&lock_a, 0, sizeof lock_a);
    memset(&lock_b, 0, sizeof lock_b);
    fx_pair(0, 0, FX_MAX_MESSAGE);
    duet_rpc_config ca = fx_config(&FA), cb = fx_config(&FB);
    ca.lock = do_lock;
    ca.unlock = do_unlock;
    ca.lock_arg = &lock_a;
    cb.lock = do_lock;
    cb.unlock = do_unlock;
    cb.lock_arg = &lock_b;
    fx_init(&FA, &ca);
    fx_init(&FB, &cb);
    duet_link_mem_set_idle(&FA.link, idle_check_a_unlocked, RB);
    duet_link_mem_set_idle(&FB.link, fx_idle_poll, RA);

    assert_int_equal(duet_rpc_bind(RB, "dbl", "i:i", h_lock_probe, NULL), DUET_OK);
    assert_int_equal(lock_b.depth, 0);
    assert_true(lock_b.takes >= 1);
    int32_t r = 0;
    assert_int_equal(duet_rpc_call(RA, "dbl", "i:i", 21, &r), DUET_OK);
    assert_int_equal(r, 42);
    assert_int_equal(lock_a.depth, 0);
    assert_int_equal(lock_b.depth, 0);
    assert_int_equal(depth_in_handler, 1); /* handlers run with the lock held */
    assert_int_equal(a_depth_while_waiting, 0);
    assert_true(lock_a.takes >= 2);
    duet_future f;
    assert_int_equal(duet_rpc_call_async(RA, &f, "dbl", "i:i", 5), DUET_OK);
    assert_int_equal(duet_future_poll(RA, &f), DUET_ERR_AGAIN);
    assert_int_equal(duet_future_wait(RA, &f, 100, &r), DUET_OK);
    assert_int_equal(r, 10);
    assert_int_equal(duet_rpc_unbind(RB, "dbl"), DUET_OK);
    assert_int_equal(lock_a.depth, 0);
    assert_int_equal(lock_b.depth, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test_setup_teardown(test_bind_plain, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bind_raw_handler, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bind_group, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_unbind, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bind_duplicate, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bind_full, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bind_bad_signature, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bind_group_all_or_nothing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_handler_unbinds_itself, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_lock_hooks, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

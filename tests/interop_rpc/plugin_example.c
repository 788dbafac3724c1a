/* plugin_example.c - a plugin for `duet-rpc serve --load`: binds C functions into the tool's
 * engine through duet_rpc_register (tools/rpc/duet_rpc_plugin.h). */
#include <stdio.h>
#include <string.h>

#include "duet/rpc.h"
#include "duet_rpc_plugin.h"

/* mul(a, b): a * b as int64, an error if it overflows. */
static int mul(duet_req *c)
{
    int64_t p;
    if (__builtin_mul_overflow(duet_arg_int64(c, 0), duet_arg_int64(c, 1), &p))
        return duet_req_fail(c, DUET_ERR_RANGE, "the product does not fit an int64");
    return duet_return_int(c, p);
}

/* plugin.shout(): prints on stdout (which must not reach the stream), returns "HELLO". */
static int shout(duet_req *c)
{
    printf("plugin.shout: this line goes to stderr, not into the stream\n");
    fflush(stdout);
    return duet_return_str(c, "HELLO");
}

/* plugin.greet(name): "hello, NAME". */
static int greet(duet_req *c)
{
    uint32_t n;
    const char *name = duet_arg_str(c, 0, &n);
    char text[128];
    snprintf(text, sizeof text, "hello, %.*s", (int)(n < 100 ? n : 100), name);
    return duet_return_str(c, text);
}

static const duet_rpc_method group[] = {
    {"shout", ":s", shout, NULL},
    {"greet", "s:s", greet, NULL},
};

int duet_rpc_register(duet_rpc *rpc)
{
    int err = duet_rpc_bind(rpc, "mul", "ll:l", mul, NULL);
    if (err)
        return err;
    return duet_rpc_bind_group(rpc, "plugin", group, sizeof group / sizeof group[0]);
}

/* plugin_example.c - a plugin for `duet-rpc serve --load`: binds C functions into the tool's
 * engine through duet_rpc_register (duet/rpc_plugin.h). */
#include <stdio.h>
#include <string.h>

#include "duet/rpc.h"
#include "duet/rpc_plugin.h"

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

/* plugin.say(text): prints text on stdout as plugins do, without fflush, and returns nil:
 * what it prints goes to serve's stderr as it is printed, not when the server exits. */
static int say(duet_req *c)
{
    uint32_t n;
    const char *text = duet_arg_str(c, 0, &n);
    printf("plugin.say: %.*s\n", (int)n, text);
    return DUET_OK;
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

/* plugin.flood(n, size): sends n notifications flood(i, <size bytes, all i % 256>) before
 * it returns n: one handler sending more than a client's output buffer holds at once. */
static int flood(duet_req *c)
{
    static uint8_t bytes[1000000];
    uint32_t n = duet_arg_uint(c, 0), size = duet_arg_uint(c, 1);
    if (size > sizeof bytes)
        return duet_req_fail(c, DUET_ERR_RANGE, "size: at most 1000000 bytes");
    duet_rpc *rpc = duet_req_rpc(c);
    for (uint32_t i = 0; i < n; i++) {
        memset(bytes, (int)(i % 256), size);
        int err = duet_rpc_notify(rpc, "flood", "uy", i, bytes, (size_t)size);
        if (err)
            return duet_req_fail(c, err, duet_rpc_error_text(rpc));
    }
    return duet_return_int(c, n);
}

static const duet_rpc_method group[] = {
    {"shout", ":s", shout, NULL},
    {"greet", "s:s", greet, NULL},
    {"say", "s:", say, NULL},
    {"flood", "uu:l", flood, NULL},
};

int duet_rpc_register(duet_rpc *rpc)
{
    int err = duet_rpc_bind(rpc, "mul", "ll:l", mul, NULL);
    if (err)
        return err;
    return duet_rpc_bind_group(rpc, "plugin", group, sizeof group / sizeof group[0]);
}

/* plugin.c - a duet-rpc plugin built against an installed duet (consumer.sh's plugin way):
 * mul(a, b) = a * b, loaded by the installed `duet-rpc serve --load`. */
#include "duet/rpc.h"
#include "duet/rpc_plugin.h"

static int mul(duet_req *c)
{
    return duet_return_int(c, duet_arg_int64(c, 0) * duet_arg_int64(c, 1));
}

int duet_rpc_register(duet_rpc *rpc)
{
    return duet_rpc_bind(rpc, "mul", "ll:l", mul, NULL);
}

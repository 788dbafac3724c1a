/* duet/rpc_plugin.h - what a shared object loaded by `duet-rpc serve --load LIB.so` defines.
 *
 *   #include "duet/rpc.h"
 *   #include "duet/rpc_plugin.h"
 *
 *   static int mul(duet_req *c) { return duet_return_int(c, duet_arg_int64(c, 0) * duet_arg_int64(c, 1)); }
 *
 *   int duet_rpc_register(duet_rpc *rpc) { return duet_rpc_bind(rpc, "mul", "ll:l", mul, NULL); }
 *
 * Build it against the same duet headers and configuration (DUET_RPC_* sizes) as duet-rpc:
 *   cc -shared -fPIC $(pkg-config --cflags duet) plugin.c -o plugin.so   (an installed duet)
 *   cc -shared -fPIC -I include plugin.c -o plugin.so                     (from the repository)
 * Do not link duet's libraries into it: the duet functions it calls are those of duet-rpc,
 * which exports the whole core. duet-rpc calls duet_rpc_register once for every engine it
 * sets up (once per connection); names and tables given to bind must stay valid (static). */
#ifndef DUET_RPC_PLUGIN_H
#define DUET_RPC_PLUGIN_H

#include "duet/rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Binds the plugin's functions. @retval DUET_OK, or a negative duet_err (duet-rpc then stops). */
int duet_rpc_register(duet_rpc *rpc);

#ifdef __cplusplus
}
#endif
#endif

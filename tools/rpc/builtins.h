/* builtins.h - the functions duet-rpc binds on every engine it sets up (call and serve). */
#ifndef DUET_RPC_BUILTINS_H
#define DUET_RPC_BUILTINS_H

#include <stdbool.h>
#include <stdint.h>

#include "duet/link_bytes.h"
#include "duet/rpc.h"

/* What the built-ins need from the program around their engine. */
typedef struct builtin_host {
    duet_link_bytes *bytes;   /* the link whose counters stats() reports */
    uint32_t timeout_ms;      /* timeout of call_back's nested call */
    /* Waits ms milliseconds (a server serves its other clients meanwhile); false when it
     * ended early because the server is stopping. NULL: nanosleep. */
    bool (*sleep_ms)(struct builtin_host *host, uint32_t ms);
    /* Whether the server is stopping (a stop signal came): call_back's wait then ends at
     * once. NULL: it never stops while a call waits. */
    bool (*stopping)(struct builtin_host *host);
} builtin_host;

/* Binds add, echo, sleep_ms, call_back and stats on rpc, with host as their context.
 * @retval DUET_OK, or the error of the bind that failed (its text printed on stderr). */
int builtins_bind(duet_rpc *rpc, builtin_host *host);

#endif

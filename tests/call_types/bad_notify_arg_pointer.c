/* bad_notify_arg_pointer.c - DUET_RPC_NOTIFY refuses a pointer to a number (a value is sent,
 * never an address).
 * expect: not compatible with any */
#include "duet/duet.h"

int bad(void);

int bad(void)
{
    int32_t level = 3;
    return DUET_RPC_NOTIFY(duet_rpc_instance(), "level", &level);
}

/* bad_nine_args.c - nine arguments: more than a signature may list (DUET_RPC_MAX_ARGS).
 * expect: DUET_CALL_takes_at_most_8_arguments */
#include "duet/duet.h"

int bad(void);

int bad(void)
{
    int32_t r;
    return DUET_CALL("sum9", &r, 1, 2, 3, 4, 5, 6, 7, 8, 9);
}

/* bad_wait_result_type.c - DUET_FUTURE_WAIT fills no int16_t: the result pointer's type is
 * refused, as DUET_CALL's.
 * expect: not compatible with any */
#include "duet/duet.h"

int bad(void);

int bad(void)
{
    duet_future f;
    int16_t r;
    return DUET_FUTURE_WAIT(duet_rpc_instance(), &f, 100, &r);
}

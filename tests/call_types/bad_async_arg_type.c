/* bad_async_arg_type.c - DUET_CALL_ASYNC checks its arguments as DUET_CALL does: a struct
 * is no value duet can send.
 * expect: not compatible with any */
#include "duet/duet.h"

struct point {
    int x, y;
};

int bad(void);

int bad(void)
{
    struct point p = {1, 2};
    duet_future f;
    return DUET_CALL_ASYNC(&f, "plot", p);
}

/* bad_arg_type.c - a struct is no value duet can send.
 * expect: not compatible with any */
#include "duet/duet.h"

struct point {
    int x, y;
};

int bad(void);

int bad(void)
{
    struct point p = {1, 2};
    int32_t r;
    return DUET_CALL("plot", &r, p);
}

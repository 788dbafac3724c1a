/* bad_arg_pointer.c - a pointer to a number is no value (the number is meant).
 * expect: not compatible with any */
#include "duet/duet.h"

int bad(void);

int bad(void)
{
    int32_t x = 1, r;
    return DUET_CALL("add", &r, &x, 2);
}

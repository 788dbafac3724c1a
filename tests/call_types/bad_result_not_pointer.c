/* bad_result_not_pointer.c - the result is given by value, not by its address.
 * expect: not compatible with any */
#include "duet/duet.h"

int bad(void);

int bad(void)
{
    int32_t r = 0;
    return DUET_CALL("add", r, 1, 2);
}

/* bad_result_type.c - duet fills no int16_t: the result pointer's type is refused.
 * expect: not compatible with any */
#include "duet/duet.h"

int bad(void);

int bad(void)
{
    int16_t r;
    return DUET_CALL("add", &r, 1, 2);
}

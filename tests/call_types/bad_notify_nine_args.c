/* bad_notify_nine_args.c - DUET_NOTIFY takes at most 8 arguments too.
 * expect: DUET_CALL_takes_at_most_8_arguments */
#include "duet/duet.h"

int bad(void);

int bad(void)
{
    return DUET_NOTIFY("sum9", 1, 2, 3, 4, 5, 6, 7, 8, 9);
}

/* The consumer pair, M4 side: asks the M7 for add(40, 2) and prints the answer, with the
 * version of duet it was compiled with and the one it runs with. */
#include "duet/duet.h"

int main(void)
{
    if (!duet_begin())
        return 1;
    int32_t sum = 0;
    if (duet_call("add", "ii:i", 40, 2, &sum) == DUET_OK)
        duet_printf("M4: add(40, 2) = %d (duet %s, headers %s)\n", (int)sum, duet_version_string(),
                    DUET_VERSION_STRING);
    else
        duet_printf("M4: add failed: %s\n", duet_error_text());
    duet_end();
    return 0;
}

/* RPC serial, M7 side: boots the M4 and copies what it prints to this core's console.
 * The guide's sketch: RPC.begin(); then while (RPC.available()) Serial.print(RPC.read()). */
#include <stdio.h>

#include "duet/duet.h"

#include "board_time.h"

int main(void)
{
    if (!duet_begin()) {
        fprintf(stderr, "M7: duet_begin failed: %s\n", duet_error_text());
        return 1;
    }
    int lines = board_print_from_m4(5, 5000);
    return lines == 5 ? 0 : 1;
}

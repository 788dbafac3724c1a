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
    int lines = 0;
    uint32_t start = board_millis();
    while (lines < 5 && board_millis() - start < 5000) {
        duet_poll();
        while (duet_available()) {
            int c = duet_read();
            putchar(c);
            if (c == '\n')
                lines++;
        }
        board_delay_ms(1);
    }
    fflush(stdout);
    return lines == 5 ? 0 : 1;
}

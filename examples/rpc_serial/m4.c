/* RPC serial, M4 side: the M4 has no USB serial, so it prints through the RPC stream.
 * The guide's sketch: RPC.begin(); then RPC.println("Printed from M4 core") every second. */
#include "duet/duet.h"

#include "board_time.h"

int main(void)
{
    if (!duet_begin())
        return 1;
    for (int i = 1; i <= 5; i++) {
        duet_printf("Printed from M4 core (%d)\n", i);
        board_delay_ms(200);
    }
    duet_end();
    return 0;
}

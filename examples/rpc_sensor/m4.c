/* RPC sensor, M4 side: asks the M7 for a reading and prints the result through the stream.
 * The guide's sketch: auto result = RPC.call("sensorRead").as<int>(); RPC.println(...). */
#include "duet/duet.h"

#include "board_time.h"

int main(void)
{
    if (!duet_begin())
        return 1;
    for (int i = 0; i < 3; i++) {
        board_delay_ms(100);
        int32_t result;
        if (duet_call("sensorRead", ":i", &result) == DUET_OK)
            duet_printf("Result is %d\n", (int)result);
        else
            duet_printf("sensorRead failed: %s\n", duet_error_text());
    }
    duet_end();
    return 0;
}

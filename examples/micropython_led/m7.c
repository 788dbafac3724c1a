/* MicroPython RPC LED, M7 side: the guide's MicroPython script in C. It starts the M4 from
 * 0x08180000 (the "1.5MB M7 + 0.5MB M4" split, rpc.start(firmware=0x08180000)) and toggles
 * the M4's green LED every 500 ms through led(True) / led(False). */
#include "duet/board.h"
#include "duet/duet.h"

void setup(void)
{
    duet_set_boot_address(0x08180000);
    if (!duet_begin())
        duet_serial_printf("M7: starting the M4 failed: %s\n", duet_error_text());
}

void loop(void)
{
    duet_call("led", "b:", 1);
    delay(500);
    duet_call("led", "b:", 0);
    delay(500);
}

/* USB serial through RPC, M4 side: the M4 has no USB Serial, so it prints into the RPC
 * stream, which the M7 forwards. The guide's sketch: RPC.println() every second. */
#include "duet/board.h"
#include "duet/duet.h"

void setup(void)
{
    duet_begin();
}

void loop(void)
{
    duet_println("Printed from M4 core");
    delay(1000);
}

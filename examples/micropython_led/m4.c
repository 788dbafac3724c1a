/* MicroPython RPC LED, M4 side: binds led(on), which lights or darkens the green LED. In
 * the guide a MicroPython script on the M7 calls it; here m7.c does the same in C, and
 * a MicroPython M7 would too (duet speaks its msgpackrpc wire format). */
#include "duet/board.h"
#include "duet/duet.h"

/* led(on: bool): the green LED on or off (active low). */
static int led(duet_req *req)
{
    digitalWrite(LEDG, duet_arg_bool(req, 0) ? LOW : HIGH);
    return DUET_OK;
}

void setup(void)
{
    pinMode(LEDG, OUTPUT);
    duet_bind("led", "b:", led);
    duet_begin();
}

void loop(void)
{
}

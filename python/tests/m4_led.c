/* m4_led.c - the guide's "MicroPython RPC LED" sketch for the M4, in C on duet/board.h:
 * led(bool) lights the green LED (active low) or puts it out. */
#include "duet/board.h"
#include "duet/duet.h"

static int led(duet_req *r)
{
    if (duet_arg_bool(r, 0))
        digitalWrite(LEDG, LOW);
    else
        digitalWrite(LEDG, HIGH);
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

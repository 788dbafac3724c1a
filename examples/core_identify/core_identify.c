/* Core identify: one program for both cores (upload it to the M7 and to the M4). It asks
 * which core it runs on and blinks the blue LED on the M7, the green one on the M4, ten
 * times; the M7's duet_begin() then boots the M4, whose program does the same and then
 * answers the M7's handshake. The guide's sketch, with RPC.cpu_id() as duet_cpu_id(). */
#include "duet/board.h"
#include "duet/duet.h"

static void blink(int led, unsigned long ms)
{
    for (int i = 0; i < 10; i++) {
        digitalWrite(led, LOW); /* on: the LEDs are active low */
        delay(ms);
        digitalWrite(led, HIGH);
        delay(ms);
    }
    duet_begin(); /* on the M7 this boots the M4 */
}

void setup(void)
{
    pinMode(LEDB, OUTPUT);
    pinMode(LEDG, OUTPUT);
    if (duet_cpu_id() == DUET_CPU_M7)
        blink(LEDB, 100); /* blue LED: the M7 */
    else
        blink(LEDG, 100); /* green LED: the M4 */
}

void loop(void)
{
}

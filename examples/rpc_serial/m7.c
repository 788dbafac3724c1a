/* USB serial through RPC, M7 side: boots the M4 and copies what it prints to USB Serial
 * (the Serial Monitor). The guide's sketch: while (RPC.available()) ... Serial.print(). */
#include "duet/board.h"
#include "duet/duet.h"

void setup(void)
{
    duet_serial_begin(9600);
    duet_begin(); /* boots the M4 */
}

void loop(void)
{
    /* Gather what arrived, then print it at once, so that other prints do not cut in. */
    char buffer[256];
    size_t n = 0;
    while (n < sizeof buffer && duet_available())
        buffer[n++] = (char)duet_read();
    if (n > 0)
        duet_serial_write(buffer, n);
}

/* RTC, M7 side: boots the M4 and forwards what it prints to USB Serial, byte by byte. */
#include "duet/board.h"
#include "duet/duet.h"

void setup(void)
{
    duet_begin();
    duet_serial_begin(9600);
    duet_serial_println("M7: Serial connection initiated");
}

void loop(void)
{
    if (duet_available()) {
        char incoming = (char)duet_read();
        duet_serial_write(&incoming, 1);
    }
}

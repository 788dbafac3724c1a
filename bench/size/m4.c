/* m4.c - the minimal M4 program `make size` links (scripts/size-firmware.sh): begin, one
 * call, one println, the poll loop. */
#include "duet/call.h"
#include "duet/duet.h"

int main(void)
{
    duet_begin();
    int32_t sum = 0;
    DUET_CALL("add", &sum, 1, 2);
    duet_println("M4 up");
    duet_port *port = duet_port_default();
    for (;;)
        if (duet_poll() == 0)
            port->wait(port, 1000);
}

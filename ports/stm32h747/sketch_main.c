/* sketch_main.c - main() for a program written as setup() and loop(). It sits alone in
 * its object file of the port's library, so a program with its own main() never pulls
 * it in. Between two loop() calls it serves the other core and sleeps until a doorbell
 * or the next millisecond. */
#include "duet/board.h"
#include "duet/duet.h"

int main(void)
{
    duet_port *port = duet_port_default();
    setup();
    for (;;) {
        loop();
        if (duet_poll() == 0)
            port->wait(port, 1);
    }
}

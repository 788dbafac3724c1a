/* sketch_main.c - main() for a program written as setup() and loop() (duet/board.h). The
 * linker takes it from the library only when the program has no main() of its own. */
#include "duet/board.h"
#include "duet/duet.h"

int main(void)
{
    setup();
    duet_port *port = duet_port_default();
    for (;;) {
        loop();
        /* Serve the other core, then sleep until its doorbell or the next millisecond. */
        duet_poll();
        port->wait(port, 1);
    }
}

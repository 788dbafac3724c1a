/* sketch_main.c - main() for a program written as setup() and loop() (duet/board.h). It
 * lives alone in the library duet_posix_main, so a program with its own main() keeps it. */
#include "duet/board.h"
#include "duet/duet.h"
#include "board_io.h"

int main(void)
{
    /* Outside a board a sketch has no core to be: say in one line how to run it. */
    if (!duet_port_default())
        return 2;
    setup();
    duet_port *port = duet_posix_io_port();
    for (;;) {
        loop();
        /* Serve the other core, then sleep until its doorbell or the next millisecond
         * (the earliest anything loop() can see, millis() included, changes). */
        duet_posix_io_serve();
        if (port)
            port->wait(port, 1);
        else
            delay(1);
    }
}

/* sketch_main.c - main() for a program written as setup() and loop() (duet/board.h). It
 * lives alone in the library duet_posix_main, so a program with its own main() keeps it. */
#include "duet/board.h"
#include "duet/duet.h"
#include "duet/posix/board.h"
#include "board_io.h"

int main(void)
{
    /* Outside a board a sketch has no core to be: it says in one line how to run it, and
     * setup() and loop() never run. So every loop() below has the board's port, and sleeps
     * on its doorbell. */
    duet_port *port = duet_port_default();
    if (!port)
        return 2;
    setup();
    for (;;) {
        uint32_t rings = duet_posix_port_get_stats(port).rings;
        duet_posix_io_loop_start();
        loop();
        /* Send what loop() wrote and answer what arrived; then sleep until the other core
         * rings or until what loop() looked at may have changed (the next millisecond for
         * the time or an input; none after a delay(), which slept already). Nothing busy-
         * waits: an empty loop() sleeps until a doorbell. */
        duet_posix_io_serve();
        /* Sending, or stream text left unread, keeps loop() coming every millisecond. */
        bool busy = duet_posix_port_get_stats(port).rings != rings || duet_available() > 0;
        uint32_t ms = duet_posix_io_loop_idle_ms(busy);
        if (ms) {
            port->wait(port, ms);
            duet_posix_io_serve(); /* what woke us, taken in before loop() looks */
        }
    }
}

/* board_loop.c - serving the other core between loop() calls and inside delay(). */
#include <stdlib.h>

#include "duet/duet.h"
#include "board_io.h"

duet_port *duet_posix_io_port(void)
{
    const char *dir = getenv("DUET_BOARD");
    const char *core = getenv("DUET_CORE");
    if (!dir || !dir[0] || !core || !core[0])
        return NULL;
    return duet_port_default();
}

void duet_posix_io_serve(void)
{
    /* Before duet_begin() this only records "call duet_begin first", and changes nothing. */
    duet_poll();
}

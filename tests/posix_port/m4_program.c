/* m4_program.c - the M4 image the posix port tests boot: it opens the default port from its
 * environment, leaves what it saw in SRAM4, rings the M7 and ends (or stays until told). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "duet/posix/board.h"
#include "m4_program.h"

int main(void)
{
    duet_port *port = duet_port_default();
    if (!port)
        return 2;
    volatile uint8_t *m = port->shm;
    const char *board = getenv("DUET_BOARD"), *core = getenv("DUET_CORE");
    struct stat in, null;
    m[M4_CPU] = (uint8_t)port->cpu_id;
    m[M4_ENV] = board && board[0] == '/' && core && strcmp(core, "m4") == 0;
    m[M4_STDIN] = fstat(0, &in) == 0 && stat("/dev/null", &null) == 0 && in.st_rdev == null.st_rdev &&
                  S_ISCHR(in.st_mode);
    __atomic_store_n(&m[M4_HELLO], M4_HELLO_VALUE, __ATOMIC_SEQ_CST);
    port->ring(port);
    if (m[M4_STAY] == 1)
        while (__atomic_load_n(&m[M4_QUIT], __ATOMIC_SEQ_CST) == 0)
            port->wait(port, 100);
    duet_posix_port_close(port);
    return 0;
}

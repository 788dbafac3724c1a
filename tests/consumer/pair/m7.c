/* The consumer pair, M7 side: serves add(a, b), boots the M4 and prints the line it prints.
 * A program of an outside project, built against an installed duet (tests/consumer/). */
#include <stdio.h>

#include "duet/duet.h"

static int add(duet_req *r)
{
    return duet_return_int(r, (int64_t)duet_arg_int(r, 0) + duet_arg_int(r, 1));
}

int main(void)
{
    duet_bind("add", "ii:i", add);
    if (!duet_begin()) {
        fprintf(stderr, "M7: duet_begin failed: %s\n", duet_error_text());
        return 1;
    }
    duet_port *port = duet_port_default();
    uint32_t start = port->now_ms(port);
    int done = 0;
    while (!done && port->now_ms(port) - start < 10000) {
        duet_poll();
        while (duet_available()) {
            int c = duet_read();
            putchar(c);
            done = done || c == '\n';
        }
        if (!done)
            port->wait(port, 100);
    }
    fflush(stdout);
    if (!done)
        fprintf(stderr, "M7: no line from the M4 within 10 s\n");
    return done ? 0 : 1;
}

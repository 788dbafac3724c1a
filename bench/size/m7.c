/* m7.c - the minimal M7 program `make size` links (scripts/size-firmware.sh): one bound
 * function, begin, one println, the poll loop. */
#include "duet/duet.h"

static int add(duet_req *r)
{
    return duet_return_int(r, (int64_t)duet_arg_int(r, 0) + duet_arg_int(r, 1));
}

int main(void)
{
    duet_bind("add", "ii:i", add);
    duet_begin();
    duet_println("M7 up");
    duet_port *port = duet_port_default();
    for (;;)
        if (duet_poll() == 0)
            port->wait(port, 1000);
}

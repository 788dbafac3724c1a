/* m4.c - CPU1's program of the QEMU benchmark: answers the M7's bare doorbell pings, then
 * serves duet calls (add) until the emulator ends. */
#include "bench_qemu.h"
#include "duet/duet.h"

static int on_add(duet_req *c)
{
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

int main(void)
{
    duet_port *port = duet_port_default();
    struct bench_words *w = bench_words();
    for (uint32_t i = 1; i <= BENCH_WARMUP + BENCH_ROUNDS; i++) {
        while (w->ping != i)
            port->wait(port, 1000);
        w->pong = i;
        port->ring(port);
    }
    duet_bind("add", "ii:i", on_add);
    if (!duet_begin())
        return 1;
    for (;;)
        if (duet_poll() == 0)
            port->wait(port, 1000);
}

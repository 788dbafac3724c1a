/* m7.c - CPU0's program of the QEMU benchmark. Under -icount shift=0 one guest instruction
 * is one nanosecond of virtual time, and SysTick counts that time (20 MHz: 50 ns a tick),
 * so both figures count the instructions of both cores together:
 *   qemu.pingpong.ns   one bare round trip: a word in shared SRAM and the MHU doorbell each
 *                      way, each core sleeping in WFI until its doorbell (the baseline)
 *   qemu.roundtrip.ns  one duet_call("add", 1, 2) from the M7 to the M4 and back
 *   qemu.roundtrip.ratio  the second over the first */
#include <stdio.h>

#include "bench_qemu.h"
#include "duet/cortex_m.h"
#include "duet/duet.h"

static uint64_t now_ns(void)
{
    return duet_cortex_m_ticks() * 50u;
}

int main(void)
{
    duet_port *port = duet_port_default();
    struct bench_words *w = bench_words();
    w->ping = w->pong = 0;
    if (port->boot(port, port->boot_address) != DUET_OK) {
        printf("bench: could not start the M4\n");
        return 1;
    }
    uint64_t start = 0;
    for (uint32_t i = 1; i <= BENCH_WARMUP + BENCH_ROUNDS; i++) {
        if (i == BENCH_WARMUP + 1)
            start = now_ns();
        w->ping = i;
        port->ring(port);
        while (w->pong != i)
            port->wait(port, 1000);
    }
    uint64_t pingpong = (now_ns() - start) / BENCH_ROUNDS;

    if (!duet_begin()) { /* the M4 runs already: duet_begin finds it */
        printf("bench: duet_begin: %s\n", duet_error_text());
        return 1;
    }
    int32_t sum = 0;
    for (uint32_t i = 0; i < BENCH_WARMUP + BENCH_ROUNDS; i++) {
        if (i == BENCH_WARMUP)
            start = now_ns();
        if (duet_call("add", "ii:i", 1, 2, &sum) != DUET_OK || sum != 3) {
            printf("bench: add(1, 2): %s\n", duet_error_text());
            return 1;
        }
    }
    uint64_t roundtrip = (now_ns() - start) / BENCH_ROUNDS;

    printf("figure: qemu.pingpong.ns = %lu ns\n", (unsigned long)pingpong);
    printf("figure: qemu.roundtrip.ns = %lu ns\n", (unsigned long)roundtrip);
    unsigned long ratio100 = (unsigned long)(roundtrip * 100 / (pingpong ? pingpong : 1));
    printf("figure: qemu.roundtrip.ratio = %lu.%02lu\n", ratio100 / 100, ratio100 % 100);
    return 0;
}

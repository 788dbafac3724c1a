/* board_time.h - millis(), delay() and the M7's console loop for the examples. */
#ifndef BOARD_TIME_H
#define BOARD_TIME_H

#include <stdint.h>
#include <stdio.h>

#include "duet/duet.h"

/* Milliseconds since some start, as Arduino's millis(). */
static inline uint32_t board_millis(void)
{
    duet_port *port = duet_port_default();
    return port ? port->now_ms(port) : 0;
}

/* Waits ms milliseconds, serving the other core meanwhile (Arduino's delay() lets other
 * threads run; here the loop keeps RPC alive). */
static inline void board_delay_ms(uint32_t ms)
{
    uint32_t start = board_millis();
    for (;;) {
        duet_poll();
        uint32_t elapsed = board_millis() - start;
        duet_port *port = duet_port_default();
        if (elapsed >= ms || !port)
            break;
        port->wait(port, ms - elapsed);
    }
}

/* The guide's M7 loop: copies what the M4 prints (the RPC stream) to this core's console,
 * until it has seen `lines` lines or timeout_ms passed. Returns the lines seen. */
static inline int board_print_from_m4(int lines, uint32_t timeout_ms)
{
    int seen = 0;
    uint32_t start = board_millis();
    while (seen < lines && board_millis() - start < timeout_ms) {
        duet_poll();
        while (duet_available()) {
            int c = duet_read();
            putchar(c);
            if (c == '\n')
                seen++;
        }
        board_delay_ms(1);
    }
    fflush(stdout);
    return seen;
}

#endif

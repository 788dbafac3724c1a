/* board_time.h - millis() and delay() for the examples, from the port's clock. */
#ifndef BOARD_TIME_H
#define BOARD_TIME_H

#include <stdint.h>

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
    while (board_millis() - start < ms) {
        duet_poll();
        duet_port *port = duet_port_default();
        if (port)
            port->wait(port, ms - (board_millis() - start));
    }
}

#endif

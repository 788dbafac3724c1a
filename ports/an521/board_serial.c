/* board_serial.c - duet/board.h's USB Serial on the AN521: CPU0's UART0 (the first -serial
 * of QEMU, duet-board run's stdout), which is also C's stdout on that core. CPU1 (the M4)
 * has none, as on the GIGA R1. */

#include "board_error.h"
#include "duet/an521.h"
#include "duet/board.h"
#include "duet/cortex_m.h"

static int peeked = -1; /* a byte read from the UART by peek, not yet taken */

static bool on_m7(const char *what)
{
    if (duet_an521_core() == 0)
        return true;
    duet_an521_board_fail(what, "the M4 has no USB Serial: print through the RPC stream (duet_print) instead", 0);
    return false;
}

int duet_serial_begin(unsigned long baud)
{
    (void)baud;
    return on_m7("duet_serial_begin") ? DUET_OK : DUET_ERR_NOT_SUPPORTED;
}

size_t duet_serial_write(const void *data, size_t len)
{
    if (!on_m7("duet_serial_write"))
        return 0;
    duet_cortex_m_port_console_write(data, len);
    return len;
}

/* print, println and printf: ports/cortex_m/serial_text.c, over duet_serial_write. */

int duet_serial_available(void)
{
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    if (!on_m7("duet_serial_available"))
        return 0;
    if (peeked < 0) {
        uint8_t b;
        if (duet_cortex_m_port_console_read(&b, 1) == 1)
            peeked = b;
    }
    return peeked >= 0 ? 1 : 0;
}

int duet_serial_peek(void)
{
    return duet_serial_available() ? peeked : -1;
}

int duet_serial_read(void)
{
    int b = duet_serial_peek();
    peeked = -1;
    return b;
}

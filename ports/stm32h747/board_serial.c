/* board_serial.c - the M7's Serial. The GIGA's USB CDC port is not written yet, so the
 * Serial is USART1 on D0/D1 (115200 8N1): a USB-serial adapter on those pins shows it
 * (docs/giga.md). As on the board, the M4 has no Serial. */
#include "board_impl.h"
#include "chip.h"

#include "duet/cortex_m.h"


static int peeked = -1;

static bool on_m7(const char *fn)
{
    if (giga_is_m7())
        return true;
    giga_board_fail("%s: the M4 has no Serial; print through the RPC stream (duet_print) and "
                    "let the M7 show it", fn);
    return false;
}

int duet_serial_begin(unsigned long baud)
{
    (void)baud; /* the console runs at 115200 */
    if (!on_m7("duet_serial_begin"))
        return DUET_ERR_NOT_SUPPORTED;
    giga_uart_init();
    return DUET_OK;
}

size_t duet_serial_write(const void *data, size_t len)
{
    if (!on_m7("duet_serial_write"))
        return 0;
    giga_uart_write(data, (uint32_t)len);
    return len;
}

/* print, println and printf: ports/cortex_m/serial_text.c, over duet_serial_write. */

int duet_serial_peek(void)
{
    duet_cortex_m_loop_watch(DUET_CORTEX_M_WATCHED_INPUT);
    if (!on_m7("duet_serial_peek"))
        return -1;
    if (peeked < 0)
        peeked = giga_uart_read_byte();
    return peeked;
}

int duet_serial_available(void)
{
    return duet_serial_peek() >= 0 ? 1 : 0;
}

int duet_serial_read(void)
{
    int c = duet_serial_peek();
    peeked = -1;
    return c;
}

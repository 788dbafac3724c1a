/* boot_m4.cpp - bootM4(): the M7 starts the M4 without RPC, as the Arduino core's does. */
#include "Arduino.h"
#include "duet/duet.h"
#include "halt.h"

void bootM4()
{
    duet_port *port = duet_port_default();
    if (!port || port->cpu_id != DUET_CPU_M7)
        return; /* only the M7 starts the M4 */
    uint32_t at = port->boot_address ? port->boot_address : DUET_BOOT_ADDRESS;
    int err = port->boot(port, at);
    if (err == DUET_ERR_BOOT)
        arduino::detail::report("bootM4(): no program at 0x%08x to boot (upload one for the M4)", (unsigned)at);
    else if (err && err != DUET_ERR_STATE) /* DUET_ERR_STATE: it runs already */
        arduino::detail::report("bootM4(): the M4 did not boot: %s", duet_strerror(err));
}

/* faulty_main.c - main() of the port check's programs for its own tests: the port with the
 * fault PORT_CHECK_FAULT names put in (a definition of the build, or the environment). */
#include <stdlib.h>

#include "faults.h"
#include "port_check.h"

#ifndef PORT_CHECK_FAULT
#define PORT_CHECK_FAULT getenv("PORT_CHECK_FAULT")
#endif

int main(void)
{
    duet_port *port = duet_port_default();
    duet_port *checked = pc_fault(port, PORT_CHECK_FAULT, PORT_CHECK_M7);
    if (port && !checked)
        return 2;
    return PORT_CHECK_M7 ? port_check_m7(checked) : port_check_m4(checked);
}

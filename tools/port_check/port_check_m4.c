/* port_check_m4.c - main() of the port check's M4 program (docs/porting.md), which the M7's
 * boots. */
#include "port_check.h"

int main(void)
{
    return port_check_m4(duet_port_default());
}

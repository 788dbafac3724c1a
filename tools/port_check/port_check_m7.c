/* port_check_m7.c - main() of the port check's M7 program (docs/porting.md): its status is 0
 * when every check passed on both cores. */
#include "port_check.h"

int main(void)
{
    return port_check_m7(duet_port_default());
}

/* sketch_main.c - main() for a program written as setup() and loop(). It sits alone in
 * its object file of the port's library, so a program with its own main() never pulls
 * it in. Between two loop() calls it serves the other core and sleeps until a doorbell
 * or until what loop() looked at may have changed (ports/cortex_m/loop.c). */
#include "duet/board.h"
#include "duet/cortex_m.h"
#include "duet/duet.h"

int main(void)
{
    duet_port_default();
    setup();
    duet_cortex_m_loop();
}

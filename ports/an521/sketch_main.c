/* sketch_main.c - main() for a program written as setup() and loop() (duet/board.h). The
 * linker takes it from the library only when the program has no main() of its own. */
#include "duet/board.h"
#include "duet/cortex_m.h"

int main(void)
{
    setup();
    duet_cortex_m_loop(); /* loop() for ever, sleeping between calls */
}

/* Core identify: one program for both cores; it asks which core it runs on, as the guide's
 * RPC.cpu_id() sketch does, and the M7 then boots the M4, which reports through the stream. */
#include <stdio.h>

#include "duet/duet.h"

#include "board_time.h"

int main(void)
{
    if (duet_cpu_id() == DUET_CPU_M7) {
        printf("M7: cpu_id %d (CM7_CPUID), blinking the blue LED, then booting the M4\n", duet_cpu_id());
        if (!duet_begin()) {
            fprintf(stderr, "M7: duet_begin failed: %s\n", duet_error_text());
            return 1;
        }
        int got_line = board_print_from_m4(1, 5000);
        return got_line ? 0 : 1;
    }
    if (!duet_begin())
        return 1;
    duet_printf("M4: cpu_id %d (CM4_CPUID), blinking the green LED\n", duet_cpu_id());
    duet_end();
    return 0;
}

/* RPC sensor, M7 side: serves sensorRead() and prints what the M4 prints.
 * The guide's sketch: RPC.bind("sensorRead", sensorRead); then prints RPC.read(). */
#include <stdio.h>

#include "duet/duet.h"

#include "board_time.h"

/* Stands in for analogRead(A0): a slowly rising value. */
static int sensor_read(duet_req *r)
{
    static int value = 500;
    value += 7;
    return duet_return_int(r, value);
}

int main(void)
{
    duet_bind("sensorRead", ":i", sensor_read);
    if (!duet_begin()) {
        fprintf(stderr, "M7: duet_begin failed: %s\n", duet_error_text());
        return 1;
    }
    int lines = board_print_from_m4(3, 10000);
    return lines == 3 ? 0 : 1;
}

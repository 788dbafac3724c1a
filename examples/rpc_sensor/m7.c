/* RPC sensor, M7 side (the server): serves sensorRead(), an analog reading of A0, and
 * forwards what the M4 prints to USB Serial. */
#include "duet/board.h"
#include "duet/duet.h"

/* sensorRead() -> int: the reading of A0, 0..1023. */
static int sensor_read(duet_req *req)
{
    return duet_return_int(req, analogRead(A0));
}

void setup(void)
{
    /* Bound before the M4 boots, so that its first call finds it. */
    duet_bind("sensorRead", ":i", sensor_read);
    duet_begin();
    duet_serial_begin(115200);
}

void loop(void)
{
    char buffer[256];
    size_t n = 0;
    while (n < sizeof buffer && duet_available())
        buffer[n++] = (char)duet_read();
    if (n > 0)
        duet_serial_write(buffer, n);
}

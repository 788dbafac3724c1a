/* RPC sensor, M4 side (the client): a thread calls sensorRead() on the M7 every second and
 * prints the result into the RPC stream. The guide's sketch runs it in an rtos::Thread. */
#include "duet/board.h"
#include "duet/duet.h"

static void request_reading(void *arg)
{
    (void)arg;
    for (;;) {
        delay(1000);
        int32_t result;
        if (duet_call("sensorRead", ":i", &result) == DUET_OK)
            duet_printf("Result is %d\n", (int)result);
        else
            duet_printf("sensorRead failed: %s\n", duet_error_text());
    }
}

void setup(void)
{
    duet_begin();
    duet_thread_start(request_reading, NULL);
}

void loop(void)
{
}

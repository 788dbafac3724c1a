/* RPC servo, M4 side (the client): a thread reads a potentiometer on A0, maps it to an
 * angle 0..180, and every second asks the M7 to turn its servo there (servoMove). */
#include "duet/board.h"
#include "duet/duet.h"

static void request_servo_move(void *arg)
{
    (void)arg;
    for (;;) {
        int raw = analogRead(A0);
        int angle = (int)map(raw, 0, 1023, 0, 180);
        delay(1000);
        int32_t result;
        if (duet_call("servoMove", "i:i", angle, &result) == DUET_OK)
            duet_printf("Servo angle is: %d\n", (int)result);
        else
            duet_printf("servoMove failed: %s\n", duet_error_text());
    }
}

void setup(void)
{
    duet_begin();
    duet_thread_start(request_servo_move, NULL);
}

void loop(void)
{
}

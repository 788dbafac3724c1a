/* RPC servo, M7 side (the server): a servo on pin 5, turned by servoMove(angle) calls from
 * the M4; what the M4 prints goes to USB Serial. */
#include "duet/board.h"
#include "duet/duet.h"

static duet_servo servo;

/* servoMove(angle) -> angle: turns the servo and returns the angle, so the caller sees it
 * arrived. */
static int servo_move(duet_req *req)
{
    int angle = (int)duet_arg_int(req, 0);
    duet_servo_write(&servo, angle);
    delay(10);
    return duet_return_int(req, angle);
}

void setup(void)
{
    duet_servo_attach(&servo, 5);
    duet_bind("servoMove", "i:i", servo_move);
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

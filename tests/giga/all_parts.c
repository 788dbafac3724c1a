/* all_parts.c - a program that uses every part of duet/board.h and duet.h, so that the
 * GIGA R1 build links all of the port (tests/giga builds it for both cores and every split).
 * On a board: the green LED blinks, A0 is read, a servo on D5 sweeps, D6 dims, the M7 serves
 * add() and prints what the M4 prints, the M4 calls add() and prints the RTC's time. */
#include "duet/board.h"
#include "duet/duet.h"
#include "duet/giga.h"

static duet_servo servo;
static int angle;

static int add(duet_req *r)
{
    return duet_return_int(r, duet_arg_int(r, 0) + duet_arg_int(r, 1));
}

void setup(void)
{
    pinMode(LEDG, OUTPUT);
    pinMode(2, INPUT_PULLUP);
    duet_servo_attach(&servo, 5);
    if (duet_cpu_id() == DUET_CPU_M7) {
        duet_serial_begin(115200);
        duet_rtc_set(1767225600); /* 2026-01-01 */
        duet_bind("add", "ii:i", add);
        /* the SDRAM, where the 100_0 split's M4 runs (its image copied there with
         * duet_giga_m4_to_sdram before duet_begin) */
        int sdram = duet_giga_sdram_begin();
        if (sdram != DUET_OK)
            duet_serial_printf("SDRAM: %s\n", duet_strerror(sdram));
    }
    if (!duet_begin())
        duet_serial_printf("duet_begin: %s\n", duet_error_text());
}

void loop(void)
{
    digitalWrite(LEDG, digitalRead(LEDG) == LOW ? HIGH : LOW);
    analogWrite(6, map(analogRead(A0), 0, DUET_ANALOG_MAX, 0, DUET_PWM_MAX));
    angle = (angle + 10) % 180;
    duet_servo_write(&servo, angle);
    if (duet_cpu_id() == DUET_CPU_M4) {
        int32_t sum = 0;
        duet_call("add", "ii:i", 1, 2, &sum);
        duet_rtc_time t;
        duet_rtc_to_time(duet_rtc_get(), &t);
        duet_printf("add(1, 2) = %d at %02d:%02d:%02d, %lu us\n", (int)sum, t.hour, t.minute, t.second,
                    micros());
    } else {
        while (duet_available() || duet_serial_available())
            duet_serial_printf("%c", duet_available() ? duet_read() : duet_serial_read());
    }
    delay(500);
}

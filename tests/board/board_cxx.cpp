// board_cxx.cpp - duet/board.h compiles as C++ (the Arduino-compatible layer sits on it),
// and a sketch's setup()/loop() defined in C++ get the header's C linkage.
#include "duet/board.h"

static duet_servo servo = {-1, 0};

void setup()
{
    pinMode(LEDB, OUTPUT);
    digitalWrite(LEDB, LOW);
    duet_servo_attach(&servo, 5);
    duet_rtc_time t = {2024, 10, 1, 11, 58, 0};
    duet_rtc_set(duet_rtc_from_time(&t));
}

void loop()
{
    int angle = static_cast<int>(map(analogRead(A0), 0, DUET_ANALOG_MAX, 0, 180));
    duet_servo_write(&servo, angle);
    if (duet_serial_available() > 0)
        duet_serial_printf("%c", duet_serial_read());
    delay(millis() % 2 + micros() % 2);
}

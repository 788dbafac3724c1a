/* Servo.h - Arduino's Servo library over the board's servo (duet/board.h). */
#ifndef DUET_ARDUINO_SERVO_H
#define DUET_ARDUINO_SERVO_H

#include "Arduino.h"

/* The pulse widths Arduino's Servo library maps 0 and 180 degrees to, by default. */
#define MIN_PULSE_WIDTH 544
#define MAX_PULSE_WIDTH 2400
#define DEFAULT_PULSE_WIDTH 1500

/*
 * A hobby servo: attach it to a pin, then write an angle (0..180, clamped) or a pulse width
 * in microseconds. On the emulated board every angle written is an event a person sees in
 * the board's log.
 */
class Servo {
public:
    Servo();
    /* Attaches to pin; returns the servo's channel (0 on success), or 255 (INVALID_SERVO) if
     * the board has no such pin (the board's error text says why). */
    uint8_t attach(int pin);
    /* As attach(pin), with the pulse widths of 0 and 180 degrees for writeMicroseconds. */
    uint8_t attach(int pin, int min_us, int max_us);
    void detach();
    /* Turns to angle degrees (0..180); a value of min_us or more is taken as microseconds,
     * as Arduino's Servo does. */
    void write(int value);
    void writeMicroseconds(int us);
    /* The last angle written (0..180), or the pulse width it stands for. */
    int read();
    int readMicroseconds();
    bool attached();

private:
    duet_servo servo_;
    int min_us_ = MIN_PULSE_WIDTH;
    int max_us_ = MAX_PULSE_WIDTH;
};

#define INVALID_SERVO 255

#endif

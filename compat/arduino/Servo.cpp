/* Servo.cpp - the Servo library over duet_servo_*. */
#include "Servo.h"

Servo::Servo() : servo_{-1, 0} {}

uint8_t Servo::attach(int pin) { return attach(pin, MIN_PULSE_WIDTH, MAX_PULSE_WIDTH); }

uint8_t Servo::attach(int pin, int min_us, int max_us)
{
    if (min_us < max_us) {
        min_us_ = min_us;
        max_us_ = max_us;
    }
    return duet_servo_attach(&servo_, pin) == DUET_OK ? 0 : INVALID_SERVO;
}

void Servo::detach() { duet_servo_detach(&servo_); }

void Servo::write(int value)
{
    if (value >= min_us_) {
        writeMicroseconds(value);
        return;
    }
    duet_servo_write(&servo_, value);
}

void Servo::writeMicroseconds(int us)
{
    us = constrain(us, min_us_, max_us_);
    duet_servo_write(&servo_, (int)map(us, min_us_, max_us_, 0, 180));
}

int Servo::read() { return duet_servo_read(&servo_); }

int Servo::readMicroseconds()
{
    int angle = read();
    return angle < 0 ? 0 : (int)map(angle, 0, 180, min_us_, max_us_);
}

bool Servo::attached() { return servo_.pin >= 0; }

/* Arduino.cpp - Arduino's random numbers and delayMicroseconds. */
#include "Arduino.h"

#if !defined(__arm__)
#include <time.h>
#endif

namespace arduino {

/* A small xorshift generator: the same sequence for the same seed, on every target. */
static uint32_t random_state = 2463534242u;

void randomSeed(unsigned long seed)
{
    if (seed != 0)
        random_state = (uint32_t)seed;
}

static uint32_t next_random(void)
{
    uint32_t x = random_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return random_state = x;
}

long random(long max) { return max <= 0 ? 0 : (long)(next_random() % (unsigned long)max); }
long random(long min, long max) { return min >= max ? min : min + random(max - min); }

/* Waits out what is left of a delayMicroseconds: on a Cortex-M core by reading the clock, as
 * Arduino's core does for less than a millisecond; on a PC the process sleeps, where a loop
 * would take one of the PC's processors for the whole wait. */
static void wait_left(unsigned long us)
{
#if defined(__arm__)
    (void)us;
#else
    struct timespec left = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    nanosleep(&left, nullptr);
#endif
}

void delayMicroseconds(unsigned int us)
{
    unsigned long start = micros();
    if (us >= 1000u)
        delay(us / 1000u); /* whole milliseconds sleep, serving the other core */
    unsigned long elapsed;
    while ((elapsed = micros() - start) < us)
        wait_left(us - elapsed);
}

} // namespace arduino

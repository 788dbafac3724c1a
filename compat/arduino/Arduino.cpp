/* Arduino.cpp - Arduino's random numbers. */
#include "Arduino.h"

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

} // namespace arduino

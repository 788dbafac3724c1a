/* Arduino.h - what an Arduino sketch gets without asking: the board (pins, LEDs, analogRead,
 * delay, millis, map: duet/board.h), Serial, String, Print, Stream and Arduino's helpers. */
#ifndef DUET_ARDUINO_H
#define DUET_ARDUINO_H

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <type_traits>

#include "duet/board.h"

#include "HardwareSerial.h"
#include "Print.h"
#include "Printable.h"
#include "Stream.h"
#include "WString.h"

/* Defined for sketches that use what duet adds to the Arduino API (RPCResult::ok() & co). */
#define DUET_ARDUINO 1

typedef bool boolean;
typedef uint8_t byte;
typedef uint16_t word;

#ifndef PI
#define PI 3.1415926535897932384626433832795
#define HALF_PI 1.5707963267948966192313216916398
#define TWO_PI 6.283185307179586476925286766559
#define DEG_TO_RAD 0.017453292519943295769236907684886
#define RAD_TO_DEG 57.295779513082320876798154814105
#endif

/* AVR's C library's number-to-text functions, as Arduino's cores give them: radix 2..36 in
 * lower case, '-' only in radix 10 (NULL for another radix); dtostrf is C's "%*.*f" of val.
 * The buffer must hold the text (avr_stdlib.cpp). */
extern "C" {
char *itoa(int value, char *string, int radix);
char *ltoa(long value, char *string, int radix);
char *utoa(unsigned value, char *string, int radix);
char *ultoa(unsigned long value, char *string, int radix);
char *dtostrf(double val, signed char width, unsigned char prec, char *sout);
}

namespace arduino {

template <typename T, typename L, typename H> typename std::common_type<T, L, H>::type constrain(T x, L low, H high)
{
    return x < low ? low : (x > high ? high : x);
}
template <typename A, typename B> typename std::common_type<A, B>::type min(A a, B b) { return a < b ? a : b; }
template <typename A, typename B> typename std::common_type<A, B>::type max(A a, B b) { return a > b ? a : b; }
template <typename T> T sq(T x) { return x * x; }
inline double radians(double deg) { return deg * DEG_TO_RAD; }
inline double degrees(double rad) { return rad * RAD_TO_DEG; }

/* The Arduino API's WCharacter.h: C's <ctype.h> tests as bool, and its own few. */
inline bool isAlphaNumeric(int c) { return isalnum(c) != 0; }
inline bool isAlpha(int c) { return isalpha(c) != 0; }
inline bool isAscii(int c) { return (c & ~0x7f) == 0; }
inline bool isWhitespace(int c) { return c == '\t' || c == ' '; }
inline bool isControl(int c) { return iscntrl(c) != 0; }
inline bool isDigit(int c) { return isdigit(c) != 0; }
inline bool isGraph(int c) { return isgraph(c) != 0; }
inline bool isLowerCase(int c) { return c >= 'a' && c <= 'z'; }
inline bool isPrintable(int c) { return isprint(c) != 0; }
inline bool isSpace(int c) { return isspace(c) != 0; }
inline bool isPunct(int c) { return isPrintable(c) && !isSpace(c) && !isAlphaNumeric(c); }
inline bool isUpperCase(int c) { return isupper(c) != 0; }
inline bool isHexadecimalDigit(int c) { return isxdigit(c) != 0; }
inline int toAscii(int c) { return c & 0x7f; }
inline int toLowerCase(int c) { return tolower(c); }
inline int toUpperCase(int c) { return toupper(c); }

/* A 16-bit word from itself or from its high and low bytes (word() is the same). */
inline uint16_t makeWord(uint16_t w) { return w; }
inline uint16_t makeWord(uint8_t h, uint8_t l) { return (uint16_t)((h << 8) | l); }

/* Pseudo-random numbers, as Arduino's random(): [0, max) and [min, max). */
void randomSeed(unsigned long seed);
long random(long max);
long random(long min, long max);

} // namespace arduino

#define lowByte(w) ((uint8_t)((w) & 0xff))
#define highByte(w) ((uint8_t)((w) >> 8))
#define bitRead(value, bit) (((value) >> (bit)) & 0x01)
#define bitSet(value, bit) ((value) |= (1UL << (bit)))
#define bitClear(value, bit) ((value) &= ~(1UL << (bit)))
#define bitToggle(value, bit) ((value) ^= (1UL << (bit)))
#define word(...) makeWord(__VA_ARGS__)
#define bitWrite(value, bit, bitvalue) ((bitvalue) ? bitSet(value, bit) : bitClear(value, bit))
#define bit(b) (1UL << (b))

/* Starts the M4 at the flash split's address, at once and without RPC, as the Arduino core's
 * bootM4() does (its GIGA and Portenta variants declare it for every sketch): the M4's sketch
 * runs from its setup(), and RPC.begin() on the M7 afterwards finds it running and does not
 * boot it again. The M7's alone: on the M4 it does nothing. */
void bootM4();

/* STM32's LL function that older Portenta sketches call to start the M4: bootM4(). */
inline void LL_RCC_ForceCM4Boot() { bootM4(); }

using namespace arduino;

#endif

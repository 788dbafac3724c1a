/* avr_stdlib.cpp - the number-to-text functions of AVR's C library that Arduino's cores give
 * every sketch (Arduino.h declares them): itoa, ltoa, utoa, ultoa and dtostrf. As there, the
 * caller's buffer must hold the text: these do not know its size. */
#include "Arduino.h"

#include <stdarg.h>

#include "duet/format.h"
#include "number_text.h"

/* Writes v in radix (2..36, lower-case letters) at out: '-' only for a negative v in radix 10,
 * any other negative v as its unsigned bits (as Arduino's ltoa). NULL for a radix outside
 * 2..36 or no buffer. */
static char *to_text(long long v, unsigned long long bits, int radix, char *out)
{
    if (!out || radix < 2 || radix > 36)
        return nullptr;
    if (radix == 10 && v < 0)
        arduino::detail::format_signed(v, 10, out, false);
    else
        arduino::detail::format_unsigned(bits, (unsigned)radix, out, false);
    return out;
}

extern "C" char *itoa(int value, char *string, int radix)
{
    return to_text(value, (unsigned)value, radix, string);
}

extern "C" char *ltoa(long value, char *string, int radix)
{
    return to_text(value, (unsigned long)value, radix, string);
}

extern "C" char *utoa(unsigned value, char *string, int radix)
{
    return to_text(0, value, radix, string);
}

extern "C" char *ultoa(unsigned long value, char *string, int radix)
{
    return to_text(0, value, radix, string);
}

/* dtostrf's text, appended at the end of the caller's buffer. */
static size_t append(void *arg, const char *s, size_t n)
{
    char **at = static_cast<char **>(arg);
    memcpy(*at, s, n);
    *at += n;
    return n;
}

static void format_into(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *at = out;
    duet_format_vout(append, &at, fmt, ap);
    va_end(ap);
    *at = '\0';
}

/* As Arduino's: C's "%*.*f" of val with width (negative: left-justified) and prec digits
 * after the point; a NaN is "nan" whatever its sign, as the board's C library writes it. */
extern "C" char *dtostrf(double val, signed char width, unsigned char prec, char *sout)
{
    if (isnan(val))
        val = fabs(val);
    format_into(sout, "%*.*f", (int)width, (int)prec, val);
    return sout;
}

/* Print.cpp - Arduino's print() and println() over one write(). */
#include "Print.h"

#include "number_text.h"

namespace arduino {

size_t Print::write(const uint8_t *buffer, size_t size)
{
    size_t n = 0;
    while (n < size && write(buffer[n]))
        n++;
    return n;
}

/* n in a base above 36, as Arduino's printNumber writes it: a digit d above 9 is the byte
 * 'A' + d - 10, past 'Z'. Into out (number_text_size bytes); the length. */
static size_t format_past_z(unsigned long long n, unsigned base, char *out)
{
    char tmp[detail::number_text_size];
    size_t len = 0;
    do {
        unsigned d = (unsigned)(n % base);
        tmp[len++] = (char)(uint8_t)(d < 10 ? '0' + d : 'A' + d - 10);
        n /= base;
    } while (n);
    for (size_t i = 0; i < len; i++)
        out[i] = tmp[len - 1 - i];
    return len;
}

/* Base 0 writes the byte itself; base 10 keeps the sign; other bases print the bits of the
 * argument's own type, as Arduino's print does, which takes the base as a byte (256 is 0,
 * -2 is 254) and 1 as 10. */
size_t Print::print_unsigned(unsigned long long n, int base)
{
    if (base == 0)
        return write((uint8_t)n);
    unsigned b = (uint8_t)base;
    if (b < 2)
        b = 10;
    char text[detail::number_text_size];
    size_t len = b <= 36 ? detail::format_unsigned(n, b, text) : format_past_z(n, b, text);
    return write(text, len);
}

size_t Print::print_signed(long long n, unsigned long long as_unsigned, int base)
{
    if (base == 0)
        return write((uint8_t)n);
    if (base != 10)
        return print_unsigned(as_unsigned, base);
    char text[detail::number_text_size];
    size_t len = detail::format_signed(n, 10, text);
    return write(text, len);
}

size_t Print::print(const __FlashStringHelper *text) { return print(reinterpret_cast<const char *>(text)); }
size_t Print::print(const String &s) { return write(s.c_str(), s.length()); }
size_t Print::print(const char text[]) { return write(text); }
size_t Print::print(char c) { return write((uint8_t)c); }
size_t Print::print(unsigned char n, int base) { return print_unsigned(n, base); }
size_t Print::print(int n, int base) { return print_signed(n, (unsigned int)n, base); }
size_t Print::print(unsigned int n, int base) { return print_unsigned(n, base); }
size_t Print::print(long n, int base) { return print_signed(n, (unsigned long)n, base); }
size_t Print::print(unsigned long n, int base) { return print_unsigned(n, base); }
size_t Print::print(long long n, int base) { return print_signed(n, (unsigned long long)n, base); }
size_t Print::print(unsigned long long n, int base) { return print_unsigned(n, base); }

/* As Arduino's printFloat: a negative number of digits is 2; every digit asked for is written,
 * a buffer at a time. */
size_t Print::print(double n, int digits)
{
    unsigned left = digits < 0 ? 2 : (unsigned)digits;
    char text[detail::number_text_size];
    double rest;
    size_t count = write(text, detail::format_float_whole(n, left, text, &rest));
    if (rest < 0.0)
        return count;
    while (left > 0) {
        size_t len = 0;
        for (; left > 0 && len < sizeof text; left--)
            text[len++] = detail::format_float_next(&rest);
        count += write(text, len);
    }
    return count;
}

size_t Print::print(const Printable &x) { return x.printTo(*this); }

size_t Print::println(void) { return write("\r\n", 2); }

} // namespace arduino

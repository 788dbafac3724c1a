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

/* Base 0 writes the byte itself; base 10 keeps the sign; other bases print the bits of the
 * argument's own type, as Arduino's print does. */
size_t Print::print_unsigned(unsigned long long n, int base)
{
    if (base == 0)
        return write((uint8_t)n);
    char text[detail::number_text_size];
    size_t len = detail::format_unsigned(n, (unsigned)base, text);
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

size_t Print::print(double n, int digits)
{
    char text[detail::number_text_size];
    size_t len = detail::format_float(n, digits < 0 ? 0 : (unsigned)digits, text);
    return write(text, len);
}

size_t Print::print(const Printable &x) { return x.printTo(*this); }

size_t Print::println(void) { return write("\r\n", 2); }

} // namespace arduino

/* Print.h - Arduino's Print: everything print() and println() take, over one write(). */
#ifndef DUET_ARDUINO_PRINT_H
#define DUET_ARDUINO_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "Printable.h"
#include "WString.h"

namespace arduino {

/* Arduino's F("text"): on a PC flash and RAM are one, so the text is used as it is. */
class __FlashStringHelper;
#ifndef F
#define F(text) (reinterpret_cast<const arduino::__FlashStringHelper *>(text))
#endif

/*
 * A class that can print implements write(uint8_t) (and write(buffer, size) when it can do
 * better than byte by byte). print() writes numbers as Arduino does: integers in a base (DEC,
 * HEX, OCT, BIN; base 0 writes the byte itself), floats with a number of digits after the
 * point (2 by default and when negative; every digit asked for). println() ends the line
 * with "\r\n". Each returns the bytes written.
 */
class Print {
public:
    virtual ~Print() {}

    virtual size_t write(uint8_t c) = 0;
    virtual size_t write(const uint8_t *buffer, size_t size);
    size_t write(const char *str) { return str ? write(reinterpret_cast<const uint8_t *>(str), strlen(str)) : 0; }
    size_t write(const char *buffer, size_t size) { return write(reinterpret_cast<const uint8_t *>(buffer), size); }
    /* Bytes that can be written without waiting (0: unknown). */
    virtual int availableForWrite() { return 0; }
    /* Sends what is gathered. */
    virtual void flush() {}

    /* The error flag a failed write may set (Arduino's getWriteError). */
    int getWriteError() { return write_error_; }
    void clearWriteError() { write_error_ = 0; }

    size_t print(const __FlashStringHelper *text);
    size_t print(const String &s);
    size_t print(const char text[]);
    size_t print(char c);
    size_t print(unsigned char n, int base = DEC);
    size_t print(int n, int base = DEC);
    size_t print(unsigned int n, int base = DEC);
    size_t print(long n, int base = DEC);
    size_t print(unsigned long n, int base = DEC);
    size_t print(long long n, int base = DEC);
    size_t print(unsigned long long n, int base = DEC);
    size_t print(double n, int digits = 2);
    size_t print(const Printable &x);

    /* println(x) and println(x, base or digits): print's output, then "\r\n". One template
     * for every print() overload above, so the two lists cannot drift apart. */
    template <typename T> size_t println(const T &x)
    {
        size_t n = print(x);
        return n + println();
    }
    template <typename T> size_t println(const T &x, int base_or_digits)
    {
        size_t n = print(x, base_or_digits);
        return n + println();
    }
    size_t println(void);

protected:
    void setWriteError(int err = 1) { write_error_ = err; }

private:
    int write_error_ = 0;

    size_t print_signed(long long n, unsigned long long as_unsigned, int base);
    size_t print_unsigned(unsigned long long n, int base);
};

} // namespace arduino

#endif

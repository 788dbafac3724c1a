/* Printable.h - a class that knows how to print itself (Arduino's Printable). */
#ifndef DUET_ARDUINO_PRINTABLE_H
#define DUET_ARDUINO_PRINTABLE_H

#include <stddef.h>

namespace arduino {

class Print;

/* Derive from it and implement printTo; print(x) and println(x) then take the object. */
class Printable {
public:
    virtual ~Printable() {}
    virtual size_t printTo(Print &p) const = 0;
};

} // namespace arduino

#endif

/* HardwareSerial.cpp - Serial over duet_serial_*. */
#include "HardwareSerial.h"

#include <stdarg.h>

#include "duet/board.h"
#include "duet/duet.h"
#include "duet/format.h"

arduino::HardwareSerial Serial;

namespace arduino {

void HardwareSerial::begin(unsigned long baud)
{
    begun_ = true;
    (void)duet_serial_begin(baud);
}

HardwareSerial::operator bool() { return duet_cpu_id() == DUET_CPU_M7 || begun_; }

int HardwareSerial::available() { return duet_serial_available(); }
int HardwareSerial::read() { return duet_serial_read(); }
int HardwareSerial::peek() { return duet_serial_peek(); }
size_t HardwareSerial::write(uint8_t c) { return duet_serial_write(&c, 1); }
size_t HardwareSerial::write(const uint8_t *buffer, size_t size) { return duet_serial_write(buffer, size); }

#ifndef CORE_CM4
/* printf's text, piece by piece, to the serial. */
static size_t serial_out(void *arg, const char *s, size_t n)
{
    return static_cast<HardwareSerial *>(arg)->write(reinterpret_cast<const uint8_t *>(s), n);
}

int HardwareSerial::printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = duet_format_vout(serial_out, this, fmt, ap);
    va_end(ap);
    return (int)n;
}
#endif

} // namespace arduino

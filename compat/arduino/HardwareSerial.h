/* HardwareSerial.h - Serial: the M7's USB Serial (the Serial Monitor) as an Arduino Stream,
 * over duet_serial_* (duet/board.h). */
#ifndef DUET_ARDUINO_HARDWARE_SERIAL_H
#define DUET_ARDUINO_HARDWARE_SERIAL_H

#include "Stream.h"

namespace arduino {

/*
 * Only the M7 has USB Serial, as on the GIGA R1. On the M4 Serial.begin() is accepted (the
 * guide's M4 sketches call it) and the board's log says it has no effect; print() there
 * writes nothing: the M4 prints through RPC.
 */
class HardwareSerial : public Stream {
public:
    void begin(unsigned long baud);
    void begin(unsigned long baud, uint16_t config) { (void)config; begin(baud); }
    void end() {}
    /* True on the M7, where the Serial Monitor is. On the M4, true once begin() was called,
     * as the M4's Serial (a UART there) is on Arduino's core: `while (!Serial) {}` after
     * Serial.begin() goes on, on both cores. */
    explicit operator bool();

    int available() override;
    int read() override;
    int peek() override;
    void flush() override {}
    size_t write(uint8_t c) override;
    size_t write(const uint8_t *buffer, size_t size) override;
    using Print::write;
    int availableForWrite() override { return 4096; }
#ifndef CORE_CM4
    /* C's printf to the Serial Monitor, as the GIGA's USB Serial (an mbed Stream) has it: no
     * "\r" added, any length; returns the bytes written. The M4's Serial, a UART on Arduino's
     * core, has none, and neither has it here. */
    int printf(const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif

private:
    bool begun_ = false;
};

} // namespace arduino

extern arduino::HardwareSerial Serial;

#endif

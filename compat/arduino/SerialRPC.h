/* SerialRPC.h - the Arduino library's SerialRPC: a Stream from one core to the other over RPC,
 * which sketches use as the M4's Serial. What a core writes goes to the other core as the
 * notification "tty" carrying the bytes (a bin, as the Arduino library sends its
 * std::vector<uint8_t>); begin() binds "tty" on this core, whose bytes wait in a ring of 1024
 * for available()/peek()/read() (what arrives while it is full is dropped, as there). So a
 * duet core and one running Arduino's library talk through it either way. */
#ifndef DUET_ARDUINO_SERIAL_RPC_H
#define DUET_ARDUINO_SERIAL_RPC_H

#include <stddef.h>
#include <stdint.h>
#include <vector>

#include "Arduino.h"
#include "RPC.h"

namespace arduino {

class SerialRPCClass : public Stream {
public:
    /* RPC.begin() (on the M7 it boots the M4), then binds "tty". 1, or 0 if RPC did not begin.
     * The arguments are a Serial's and are not used. */
    int begin(unsigned long baud = 0, uint16_t config = 0);
    void end() {}
    operator bool() { return RPC; }

    /* The other core's bytes: how many wait, the next one (without or with taking it; -1 if
     * none). */
    int available() override { return (int)count_; }
    int peek() override;
    int read() override;
    void flush() override {}

    /* Sends the bytes to the other core ("tty"); returns len, as the library does (a failure
     * to send is reported on the error output). */
    size_t write(uint8_t c) override { return write(&c, 1); }
    size_t write(const uint8_t *buf, size_t len) override;
    using Print::write;

    /* fn runs each time bytes have arrived (in the "tty" handler, where this core serves the
     * other one). A null fn is ignored, as in the library. */
    void attach(void (*fn)(void))
    {
        if (fn)
            rx_fn_ = fn;
    }

private:
    static constexpr size_t ring_size = 1024;
    uint8_t ring_[ring_size];
    size_t head_ = 0;  /* the next byte to read */
    size_t count_ = 0; /* bytes waiting */
    bool bound_ = false;
    void (*rx_fn_)(void) = nullptr;
    std::vector<uint8_t> tx_;

    void on_write(const std::vector<uint8_t> &bytes);
};

} // namespace arduino

extern arduino::SerialRPCClass SerialRPC;

#endif

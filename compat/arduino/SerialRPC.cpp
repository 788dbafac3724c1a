/* SerialRPC.cpp - the Arduino library's SerialRPC over RPC's "tty" notification. */
#include "SerialRPC.h"

namespace arduino {

int SerialRPCClass::begin(unsigned long, uint16_t)
{
    if (!RPC.begin())
        return 0;
    if (!bound_)
        bound_ = RPC.bind("tty", [this](const std::vector<uint8_t> &bytes) { on_write(bytes); });
    return 1;
}

void SerialRPCClass::on_write(const std::vector<uint8_t> &bytes)
{
    for (uint8_t b : bytes) {
        if (count_ == ring_size)
            break;
        ring_[(head_ + count_) % ring_size] = b;
        count_++;
    }
    if (rx_fn_)
        rx_fn_();
}

int SerialRPCClass::peek()
{
    return count_ ? ring_[head_] : -1;
}

int SerialRPCClass::read()
{
    if (!count_)
        return -1;
    uint8_t b = ring_[head_];
    head_ = (head_ + 1) % ring_size;
    count_--;
    return b;
}

size_t SerialRPCClass::write(const uint8_t *buf, size_t len)
{
    tx_.assign(buf, buf + len);
    RPC.send("tty", tx_);
    return len;
}

} // namespace arduino

arduino::SerialRPCClass SerialRPC;

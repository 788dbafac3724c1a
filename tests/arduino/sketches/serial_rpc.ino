// One sketch for both cores that tells them apart as it runs (RPC.cpu_id()), as the Arduino
// library's examples do: the M4 prints through SerialRPC, a Stream to the M7, and asks the M7
// for a checksum of 300 bytes, sent and returned as std::vector<uint8_t> (bin on the wire);
// the M7 binds the checksum and copies what SerialRPC brings to its Serial.
#include <RPC.h>
#include <SerialRPC.h>
#include <vector>

typedef std::vector<uint8_t> bytes;

// Two bytes: the sum of the data's bytes (big-endian, 16 bits) and their xor, then the count.
bytes checksum(bytes &data) {
  uint16_t sum = 0;
  uint8_t x = 0;
  for (uint8_t b : data) {
    sum += b;
    x ^= b;
  }
  return bytes{(uint8_t)(sum >> 8), (uint8_t)sum, x, (uint8_t)data.size()};
}

bool onM7() {
  return RPC.cpu_id() == CM7_CPUID;
}

void setup() {
  // Both cores, as the library's examples do: the M4's Serial (a UART on the board) is
  // there once begun, so the M4 goes on too.
  Serial.begin(115200);
  while (!Serial) {
  }
  if (onM7()) {
    RPC.bind("checksum", checksum);
  }
  if (!SerialRPC.begin()) {
    Serial.println("SerialRPC.begin() failed");
    return;
  }
  if (!onM7()) {
    bytes data(300);
    for (size_t i = 0; i < data.size(); i++) {
      data[i] = (uint8_t)(i * 7);
    }
    bytes sum = RPC.call("checksum", data).as<bytes>();
    SerialRPC.print("M4: checksum of ");
    SerialRPC.print((int)data.size());
    SerialRPC.print(" bytes:");
    for (uint8_t b : sum) {
      SerialRPC.print(' ');
      SerialRPC.print(b, HEX);
    }
    SerialRPC.println();
  }
}

void loop() {
  if (onM7()) {
    String text;
    while (SerialRPC.available()) {
      text += (char)SerialRPC.read();
    }
    Serial.print(text);
  } else {
    delay(100);
  }
}

// M7 of the pair: calls each function of calls_m4.ino three times, waiting for the
// Serial Monitor with a millis() timeout as sketches do, and prints with
// Serial.printf (the GIGA's USB Serial is an mbed Stream, which has printf).
#include <RPC.h>

int rounds = 0;

void setup() {
  Serial.begin(115200);
  const unsigned long start = millis();
  while (!Serial && millis() - start < 3000) {
  }
  RPC.begin();
}

void loop() {
  if (rounds == 3) {
    return;
  }
  rounds++;
  RPC.call("setLed", rounds % 2 == 1);
  String text = RPC.call("readings").as<String>();
  int first = text.substring(0, text.indexOf(',')).toInt();
  String item = RPC.call("label", rounds).as<String>();
  uint32_t sum = RPC.call("add32", (uint32_t)4000000000u, (uint32_t)rounds).as<uint32_t>();
  int t = RPC.call("temperature").as<int>();
  float scaled = RPC.call("scale", 1.5f).as<float>();
  Serial.printf("%s first=%d %s sum=%lu t=%d scaled=%.2f\n", text.c_str(), first, item.c_str(),
                (unsigned long)sum, t, scaled);
  delay(100);
}

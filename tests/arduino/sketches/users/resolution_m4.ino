// The M4 of resolution_m7.ino: the M7's 12-bit reading as a 12-bit PWM duty on D6, and an
// 8-bit one on D7 (the reading's top 8 bits), each written at its own resolution.
#include <RPC.h>

int dim(int level) {
  analogWriteResolution(12);
  analogWrite(6, level);  // 0..4095
  analogWriteResolution(8);
  analogWrite(7, level >> 4);  // 0..255
  RPC.println("D6 at " + String(level) + "/4095");
  return level;
}

void setup() {
  RPC.bind("dim", dim);
  RPC.begin();
}

void loop() {
  delay(100);
}

// The consumer's sketch pair, M7 side: serves add(a, b) and shows on Serial what the M4
// prints. Built with an installed duet-board (tests/consumer/consumer.sh, way sketch).
#include <RPC.h>

int add(int a, int b) {
  return a + b;
}

void setup() {
  Serial.begin(115200);
  RPC.bind("add", add);
  RPC.begin();
}

void loop() {
  while (RPC.available()) {
    Serial.write(RPC.read());
  }
  delay(20);
}

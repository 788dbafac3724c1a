// M4 of a pair as forum sketches often are: loop() calls the M7 and prints the answer
// with no delay at all, as fast as the cores go.
#include "Arduino.h"
#include "RPC.h"

void setup() {
  RPC.begin();
}

void loop() {
  int angle = RPC.call("nextAngle").as<int>();
  RPC.println(angle);
}

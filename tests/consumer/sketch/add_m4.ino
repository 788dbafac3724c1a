// The consumer's sketch pair, M4 side: asks the M7 for add(40, 2) once and prints the answer.
#include <RPC.h>

void setup() {
  RPC.begin();
  int sum = RPC.call("add", 40, 2).as<int>();
  RPC.println("M4 sketch: add(40, 2) = " + String(sum));
}

void loop() {
  delay(1000);
}

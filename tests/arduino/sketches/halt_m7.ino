// Reads a String result as an int: the sketch stops with a line naming the function, as an
// error halts an Mbed core, instead of going on with a wrong value.
#include <RPC.h>

void setup() {
  Serial.begin(115200);
  RPC.begin();
  Serial.println("calling label");
  int n = RPC.call("label", String("x"), 1, false).as<int>();
  Serial.println("never printed: " + String(n));
}

void loop() {
}

// Calls the M4's functions (types_m4.ino) with several argument types and prints what comes
// back, refusals included: a wrong type is an error naming the function, never a value.
#include <RPC.h>

void setup() {
  Serial.begin(115200);
  RPC.begin();
  Serial.println(RPC.call("average", 1, 2L, 3.5f).as<float>(), 3);
  Serial.println(RPC.call("label", String("led"), 7, true).as<String>());
  Serial.println(RPC.call("scale", 1.25, 4).as<double>());
  Serial.println(RPC.call("negate", 42).as<int>());
  report(RPC.call("scale", "big", 4));
  report(RPC.call("scale", 1.0, 300));
  report(RPC.call("average", 1, 2));
  Serial.println("done");
}

void loop() {
}

void report(const RPCResult &result) {
  Serial.print("refused: ");
  Serial.println(result.ok() ? "no" : result.errorText());
}

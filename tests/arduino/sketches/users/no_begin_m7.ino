// The M7 of no_begin_m4.ino: it calls RPC.begin() and then the M4's answer().
#include <RPC.h>

void setup() {
  Serial.begin(115200);
  if (!RPC.begin()) {
    Serial.println("RPC.begin() failed");
  }
}

void loop() {
  Serial.println(RPC.call("answer").as<int>());
  delay(1000);
}

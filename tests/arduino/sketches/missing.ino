// Uses what duet's Arduino layer does not have: the build names each thing.
#include <RPC.h>

void setup() {
  WiFi.begin("network", "password");
  RPC.attach(nullptr);
}

void loop() {
}

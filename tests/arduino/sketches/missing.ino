// Uses what duet's Arduino layer does not have: the build names each thing.
#include <RPC.h>

rtos::Thread worker;

void setup() {
  WiFi.begin("network", "password");
  Serial.println((unsigned long)worker.get_id());
}

void loop() {
}

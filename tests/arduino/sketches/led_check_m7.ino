// Drives the guide's MicroPython LED sketch (micropython_rpc_led_m4) as its Python script does,
// and reads the green LED back after each call: where the board's pins are shared state (the
// AN521 under QEMU), what the M4 drives is what the M7 reads.
#include <RPC.h>

void setup() {
  Serial.begin(115200);
  RPC.begin();
  for (int i = 0; i < 3; i++) {
    RPC.call("led", true);
    Serial.println(digitalRead(LEDG) == LOW ? "LEDG on" : "LEDG off");
    delay(100);
    RPC.call("led", false);
    Serial.println(digitalRead(LEDG) == LOW ? "LEDG on" : "LEDG off");
    delay(100);
  }
  Serial.println("done");
}

void loop() {
}

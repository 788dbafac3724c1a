// The guide's MicroPython M7 script as a sketch: toggles the M4's LED (micropython_rpc_led_m4)
// every 500 ms through RPC.
#include <RPC.h>

void setup() {
  RPC.begin();
}

void loop() {
  RPC.call("led", true);
  delay(500);
  RPC.call("led", false);
  delay(500);
}

// The same with the STM32 LL call that older Portenta sketches use to start the M4,
// LL_RCC_ForceCM4Boot(); the M4 then starts RPC and prints through the M7.
#include <RPC.h>

#ifdef CORE_CM7
void setup() {
  Serial.begin(115200);
  LL_RCC_ForceCM4Boot();
  RPC.begin();
}

void loop() {
  while (RPC.available()) {
    Serial.write(RPC.read());
  }
}
#else
int n = 0;

void setup() {
  RPC.begin();
}

void loop() {
  RPC.println("M4 says " + String(++n));
  delay(500);
}
#endif

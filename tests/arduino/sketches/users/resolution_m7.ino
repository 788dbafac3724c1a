// A finer reading, as GIGA R1 sketches ask for one: the M7 reads a potentiometer on A0 at
// 12 bits (the GIGA's ADC gives up to 16; Arduino's default is 10) and hands each reading to
// the M4, which dims a LED with it at a 12-bit PWM duty.
#include <RPC.h>

void setup() {
  Serial.begin(115200);
  RPC.begin();
  analogReadResolution(12);
  analogReadResolution(17);  // more than the ADC's 16 bits: refused, the reading stays at 12
}

void loop() {
  int raw = analogRead(A0);
  Serial.println("A0 at 12 bits: " + String(raw));
  RPC.call("dim", raw);
  while (RPC.available()) {
    Serial.write(RPC.read());
  }
  delay(500);
}

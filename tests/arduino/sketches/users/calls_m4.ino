// M4 of a pair written as forum sketches call between the cores: functions that
// return a char * (several readings packed in one text), a String and a uint32_t,
// lambdas, a function with no result called without .as<>(), and the M4's own
// Serial, which goes nowhere (the M4 prints through RPC).
#include <RPC.h>

int counter = 0;
char packed[32];

char *readings() {
  snprintf(packed, sizeof packed, "%d,%d,%d,%d", 1000 + counter, 150 + counter, 1200 + counter, 300 + counter);
  counter++;
  return packed;
}

String label(int n) {
  return String("item ") + n;
}

uint32_t add32(uint32_t a, uint32_t b) {
  return a + b;
}

void setLed(bool on) {
  digitalWrite(LEDG, on ? LOW : HIGH);
}

void setup() {
  Serial.begin(115200);
  while (!Serial) {
  }
  if (!RPC.begin()) {
    Serial.println("RPC failed");
  }
  RPC.bind("readings", readings);
  RPC.bind("label", label);
  RPC.bind("add32", add32);
  RPC.bind("setLed", setLed);
  RPC.bind("temperature", [] { return 21; });
  RPC.bind("scale", [](float v) { return v * 2.5f; });
  pinMode(LEDG, OUTPUT);
}

void loop() {
  Serial.println("lost: the M4 has no Serial Monitor");
  delay(200);
}

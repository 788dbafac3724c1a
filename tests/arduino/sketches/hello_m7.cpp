// A sketch as a .cpp file: it includes Arduino.h itself and defines what it uses first, as
// C++ wants (no prototypes are made for a .cpp, as in the IDE).
#include <Arduino.h>
#include <RPC.h>

static void greet(const char *who) {
  Serial.println(String("hello ") + who);
}

void setup() {
  Serial.begin(115200);
  RPC.begin();
  greet("from a .cpp sketch");
  Serial.println(RPC.call("negate", 7).as<int>());
}

void loop() {
}

// M7 of flood_m4.ino: counts the calls and copies what the M4 prints to the Serial
// Monitor, a String filled from RPC.read() at a time, as the guide's sketch does.
#include "Arduino.h"
#include "RPC.h"

int calls = 0;

int nextAngle() {
  return ++calls;
}

void setup() {
  Serial.begin(115200);
  RPC.begin();
  RPC.bind("nextAngle", nextAngle);
}

void loop() {
  String buffer = "";
  while (RPC.available()) {
    buffer += (char)RPC.read();
  }
  if (buffer.length() > 0) {
    Serial.print(buffer);
  }
}

// RPC.attach: a function runs each time text from the M4 arrives, and shows it on the Serial
// Monitor line by line. loop() only sleeps.
#include <RPC.h>

String line;

void fromM4() {
  while (RPC.available()) {
    char c = RPC.read();
    if (c == '\n') {
      Serial.println("M4 says " + line);
      line = "";
    } else if (c != '\r') {
      line += c;
    }
  }
}

void setup() {
  Serial.begin(115200);
  RPC.attach(fromM4);
  RPC.begin();
}

void loop() {
  delay(100);
}

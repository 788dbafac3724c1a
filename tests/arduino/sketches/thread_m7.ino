// Serves the M4 thread's calls (thread_m4.ino) while calling the M4's ping from loop().
#include <RPC.h>

int sum = 0;
int pings = 0;

int tally(int v) {
  sum += v;
  return sum;
}

void setup() {
  Serial.begin(115200);
  RPC.bind("tally", tally);
  RPC.begin();
}

void loop() {
  if (pings < 40) {
    if (RPC.call("ping", pings).as<int>() != pings + 1) {
      Serial.println("ping answered wrong");
    }
    pings++;
  }
  while (RPC.available()) {
    Serial.write(RPC.read());
  }
  delay(25);
}

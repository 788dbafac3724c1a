// One sketch for both cores, as the single-sketch robots on the forum are written:
// setup() runs each core's own loop forever and never returns. The M4's loop samples
// A0 as fast as it can and never waits, so on duet it never serves the M7's call
// (on the board, the RPC library's thread would): the M7's call times out and the
// M7 stops with a line that says where the M4 would have answered.
#include <RPC.h>

volatile int latest = 0;

int sample() {
  return latest;
}

void setupM7() {
  Serial.begin(115200);
}

void loopM7() {
  int v = RPC.call("sample").as<int>();
  Serial.println(v);
  delay(500);
}

void setupM4() {
  RPC.bind("sample", sample);
}

void loopM4() {
  latest = analogRead(A0);
}

void setup() {
  RPC.begin();
  if (HAL_GetCurrentCPUID() == CM7_CPUID) {
    setupM7();
    while (1) loopM7();
  } else {
    setupM4();
    while (1) loopM4();
  }
}

void loop() {
}

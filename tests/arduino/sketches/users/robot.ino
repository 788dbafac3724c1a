// One sketch for both cores, written as the single-sketch robots on the forum are: setup()
// tells the cores apart with HAL_GetCurrentCPUID() and runs that core's own loop forever.
// The M4 keeps the latest range readings in a MSGPACK_DEFINE_ARRAY struct and serves it;
// the M7 asks for it twice a second and prints it.
#include <RPC.h>

struct ranges {
  int front;
  int back;
  MSGPACK_DEFINE_ARRAY(front, back);
} latest;

struct ranges read_ranges() {
  return latest;
}

void setupM7() {
  Serial.begin(115200);
}

void loopM7() {
  struct ranges r = RPC.call("read_ranges").as<struct ranges>();
  Serial.print("front ");
  Serial.print(r.front);
  Serial.print(" back ");
  Serial.println(r.back);
  delay(500);
}

void setupM4() {
  RPC.bind("read_ranges", read_ranges);
}

void loopM4() {
  latest.front += 1;
  latest.back += 2;
  delay(100);
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

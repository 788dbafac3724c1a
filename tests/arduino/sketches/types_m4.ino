// Functions of several argument and result types, bound on the M4 for types_m7.ino.
#include <RPC.h>

void setup() {
  RPC.bind("average", average);
  RPC.bind("label", label);
  RPC.bind("scale", scale);
  RPC.bind("negate", [](int v) { return -v; });
  RPC.begin();
}

void loop() {
}

float average(int a, long b, float c) {
  return (a + b + c) / 3.0f;
}

String label(String name, int n, bool loud) {
  String s = name + "#" + String(n);
  if (loud) {
    s.toUpperCase();
  }
  return s;
}

double scale(double v, uint8_t factor) {
  return v * factor;
}

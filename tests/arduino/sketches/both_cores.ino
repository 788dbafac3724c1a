// One sketch for both cores, as GIGA sketches often are: each core's half between
// #ifdef CORE_CM7, #else and #endif, each with a type of its own and a function called
// before its definition. As the IDE does, each core gets the prototypes of the half it
// compiles, inside that half: both halves build, for either core.
#include <RPC.h>

#ifdef CORE_CM7
// The M7 doubles numbers for the M4 and shows what the M4 prints.
struct Line {
  String text;
};

void setup() {
  Serial.begin(115200);
  RPC.bind("twice", twice);
  RPC.begin();
}

void loop() {
  Line line = nextLine();
  if (line.text.length() > 0) {
    Serial.print(line.text);
  }
}

Line nextLine() {
  Line line;
  while (RPC.available()) {
    line.text += (char)RPC.read();
  }
  return line;
}

int twice(int v) {
  return 2 * v;
}

#else
// The M4 asks the M7 to double 1, 2 and 3, and prints each answer.
struct Count {
  int n;
};

void setup() {
  RPC.begin();
  for (Count c{1}; c.n <= 3; c.n++) {
    show(c);
  }
}

void loop() {
}

void show(Count c) {
  RPC.print("M4: twice ");
  RPC.print(c.n);
  RPC.print(" is ");
  RPC.println(RPC.call("twice", c.n).as<int>());
}
#endif

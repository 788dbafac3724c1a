// A plain mistake: the compiler's own message, pointing at this file's lines (5 and 6).
#include <RPC.h>

void setup() {
  int x = 1
}

void loop() {
}

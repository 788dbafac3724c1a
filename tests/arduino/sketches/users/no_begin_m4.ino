// An M4 sketch that binds a function but never calls RPC.begin(), as a forum sketch did:
// the M4 never links to the M7, so the M7's RPC.begin() fails and its call cannot be made.
#include <RPC.h>

int answer() {
  return 42;
}

void setup() {
  RPC.bind("answer", answer);
}

void loop() {
}

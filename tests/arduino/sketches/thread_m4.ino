// A thread calls the M7 while loop() keeps running and the M4 serves the M7's calls.
#include <RPC.h>

using namespace rtos;

Thread worker;
volatile int served = 0;

int ping(int v) {
  served++;
  return v + 1;
}

void work() {
  for (int i = 1; i <= 5; i++) {
    int total = RPC.call("tally", i).as<int>();
    RPC.println("M4 thread: tally " + String(total) + ", served " + String(served));
    delay(200);
  }
}

void setup() {
  RPC.bind("ping", ping);
  RPC.begin();
  worker.start(work);
}

void loop() {
}

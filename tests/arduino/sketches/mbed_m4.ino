// mbed's Thread::join, Mutex and callback on the M4: two threads count under a mutex, the
// sketch joins them, then calls an object's method and a lambda through mbed::callback.
#include <RPC.h>

using namespace rtos;

Mutex counting;
long count = 0;
Thread first, second;

void countMany() {
  for (int i = 0; i < 500; i++) {
    counting.lock();
    long c = count;
    ThisThread::yield();  // the other thread runs here; the mutex keeps it out
    count = c + 1;
    counting.unlock();
  }
}

struct Greeter {
  String name;
  String greet(int n) { return name + " #" + String(n); }
};

void setup() {
  RPC.begin();
  first.start(countMany);
  second.start(mbed::callback(countMany));
  first.join();
  second.join();
  RPC.println("joined: count " + String(count));
  Greeter g{"duet"};
  mbed::Callback<String(int)> hello = mbed::callback(&g, &Greeter::greet);
  RPC.println("callback: " + hello(7));
  int offset = 3;
  auto twice = mbed::callback([offset](int x) { return 2 * x + offset; });
  RPC.println("lambda: " + String(twice(20)));
}

void loop() {
  delay(1000);
}

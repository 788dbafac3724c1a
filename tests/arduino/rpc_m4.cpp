/* rpc_m4.cpp - the M4 program of test_arduino_rpc: binds callables of every kind and type with
 * RPC.bind, calls back into the M7 from inside a handler, prints through RPC, and serves
 * until the M7 sends "quit". Exit status 0 when it was told to quit. */
#include <algorithm>
#include <stdio.h>
#include <string>
#include <functional>
#include <unistd.h>
#include <vector>

#include "RPC.h"
#include "SerialRPC.h"
#include "duet/duet.h"

static bool quit;
static String last_note = "(none)";
static int counted;

/* Free functions of several signatures. */
static int add(int a, int b) { return a + b; }
static float half(int v) { return v / 2.0f; }
static String greet(String name) { return "hello " + name; }
static int small(uint8_t v) { return v * 2; }
static void note(const String &text) { last_note = text; }

/* Every argument type at once; the result spells them out. */
static String mix(int8_t a, uint16_t b, int64_t c, uint64_t d, bool e, float f, double g, const char *h)
{
    return String((int)a) + " " + String((unsigned)b) + " " + String((long long)c) + " " + String((unsigned long long)d) +
           " " + (e ? "true" : "false") + " " + String(f, 3) + " " + String(g, 6) + " " + h;
}

/* A functor with state. */
struct Accumulator {
    long total = 0;
    long operator()(long v) { return total += v; }
};

int main()
{
    int base = 1000;
    /* Serial on the M4: false until begun, then true, as the M4's UART on Arduino's core. */
    bool serial_before = (bool)Serial;
    Serial.begin(115200);
    int serial_state = (serial_before ? 10 : 0) + ((bool)Serial ? 1 : 0);
    bool ok = RPC.bind("add", add) && RPC.bind("half", half) && RPC.bind("greet", greet) &&
              RPC.bind("small", small) && RPC.bind("note", note) && RPC.bind("mix", mix) &&
              RPC.bind("last_note", [] { return last_note; }) &&
              RPC.bind("offset", [base](int v) { return v + base; }) &&            /* a capture */
              RPC.bind("count", [&] { return ++counted; }) &&                       /* by reference */
              RPC.bind("accumulate", Accumulator()) &&
              RPC.bind("twice", std::function<double(double)>([](double v) { return 2 * v; })) &&
              RPC.bind("std_upper", [](std::string s) {
                  for (char &c : s)
                      c = (char)toupper((unsigned char)c);
                  return s;
              }) &&
              RPC.bind("ask_m7", [](int v) { return RPC.call("m7_square", v).as<long>() + 1; }) &&
              RPC.bind("ask_m7_raw", [](const String &name, const std::vector<uint8_t> &value) {
                  /* name(value) on the M7, value its MessagePack: the result's int, or why it failed */
                  uint8_t raw[16];
                  size_t len = 0;
                  int err = duet_call(name.c_str(), "v:v", (const void *)value.data(), value.size(), raw, sizeof raw, &len);
                  return err == DUET_OK ? String("ok") : String(duet_error_text());
              }) &&
              RPC.bind("ask_m7_bytes", [](const std::vector<uint8_t> &request, int n) {
                  /* m7_bytes(n) from the handler of a request of any size: how many of its
                   * bytes are 0xab, or why the call failed */
                  (void)request;
                  auto r = RPC.call("m7_bytes", n);
                  if (!r.ok())
                      return String(r.errorText());
                  std::vector<uint8_t> v = r.as<std::vector<uint8_t>>();
                  return String((int)std::count(v.begin(), v.end(), (uint8_t)0xab));
              }) &&
              RPC.bind("ask_m7_length", [](const char *text) { /* the M7's answer, or why it failed */
                  auto r = RPC.call("m7_length", text);
                  return r.ok() ? String(r.as<int>()) : String(r.errorText());
              }) &&
              RPC.bind("say", [](int n) {
                  for (int i = 0; i < n; i++)
                      RPC.println("line " + String(i));
                  RPC.print(255, HEX);
                  RPC.print(' ');
                  RPC.print(-2.5, 3);
                  RPC.print(' ');
                  RPC.println(F("end"));
                  return n;
              }) &&
              RPC.bind("heard", [] { /* what the M7 wrote to the stream, as it waits */
                  String text;
                  while (RPC.available())
                      text += (char)RPC.read();
                  return text;
              }) &&
              RPC.bind("sleepy", [](int ms) { usleep((useconds_t)ms * 1000); return ms; }) &&
              RPC.bind("bytes_reverse", [](std::vector<uint8_t> &v) { /* bytes both ways */
                  std::reverse(v.begin(), v.end());
                  return v;
              }) &&
              RPC.bind("chars_sum", [](const std::vector<char> &v) {
                  int sum = 0;
                  for (char c : v)
                      sum += (unsigned char)c;
                  return sum;
              }) &&
              RPC.bind("ints_sum", [](const std::vector<int> &v) { /* arrays both ways */
                  long sum = 0;
                  for (int x : v)
                      sum += x;
                  return sum;
              }) &&
              RPC.bind("scaled", [](std::vector<double> v, float by) {
                  for (double &x : v)
                      x *= by;
                  return v;
              }) &&
              RPC.bind("words", [](const std::vector<String> &v, uint8_t times) {
                  std::vector<std::string> out;
                  for (uint8_t t = 0; t < times; t++)
                      for (const String &w : v)
                          out.push_back(std::string(w.c_str()) + "!");
                  return out;
              }) &&
              RPC.bind("serial_rpc_say", [](int n) { /* SerialRPC as the M4's Serial */
                  for (int i = 0; i < n; i++)
                      SerialRPC.println("tty " + String(i));
                  return n;
              }) &&
              RPC.bind("serial_rpc_heard", [] {
                  String text;
                  while (SerialRPC.available())
                      text += (char)SerialRPC.read();
                  return text;
              }) &&
              RPC.bind("serial_state", [serial_state] { return serial_state; }) &&
              RPC.bind("quit", [] { quit = true; });
    /* A second binding of a name is refused (and reported), the first one stays. */
    if (!ok || RPC.bind("add", half))
        return 2;
    if (RPC.cpu_id() != CM4_CPUID || !RPC.begin() || !SerialRPC.begin())
        return 3;
    duet_port *port = duet_port_default();
    while (!quit) {
        if (duet_poll() < 0)
            return 4;
        port->wait(port, 50);
    }
    RPC.flush();
    return 0;
}

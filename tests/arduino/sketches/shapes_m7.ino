// Calls the M4's functions (shapes_m4.ino) with structs, a vector of vectors, a map, a set, a
// list, an optional and a std::byte, and prints what comes back; a value of the wrong shape is
// refused saying where.
#include <RPC.h>
#include <cstddef>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

struct Point {
  int x;
  int y;
  MSGPACK_DEFINE_MAP(x, y);
};

struct Labeled : Point {
  String label;
  MSGPACK_DEFINE_MAP(MSGPACK_NVP("name", label), MSGPACK_BASE_MAP(Point));
};

void setup() {
  Serial.begin(115200);
  RPC.begin();
  Point p = RPC.call("move", Point{1, 2}, 10).as<Point>();
  Serial.println(String(p.x) + "," + String(p.y));
  std::vector<long> sums = RPC.call("sums", std::vector<std::vector<int>>{{1, 2}, {}, {-3}}).as<std::vector<long>>();
  Serial.println(String(sums[0]) + " " + String(sums[1]) + " " + String(sums[2]));
  std::map<String, int> stock = {{"a", 1}, {"b", 2}};
  std::tuple<int, int> counted = RPC.call("count", stock, String("b")).as<std::tuple<int, int>>();
  Serial.println(String(std::get<0>(counted)) + " " + String(std::get<1>(counted)));
  std::set<int> merged = RPC.call("merge", std::set<int>{3, 1}, std::list<int>{2, 3}).as<std::set<int>>();
  String line;
  for (int v : merged) {
    line += String(v) + " ";
  }
  Serial.println(line + "(" + String((unsigned)merged.size()) + ")");
  std::optional<int> half = RPC.call("half", std::optional<int>(8)).as<std::optional<int>>();
  std::optional<int> none = RPC.call("half", 7).as<std::optional<int>>();
  Serial.println(String(half.value_or(-1)) + " " + (none ? "some" : "none"));
  Serial.println((unsigned)RPC.call("flip", std::byte{0x0f}).as<std::byte>(), HEX);
  Labeled l;
  l.x = 5;
  l.y = 6;
  l.label = "p";
  Labeled renamed = RPC.call("rename", l).as<Labeled>();
  Serial.println(renamed.label + " " + String(renamed.x) + "," + String(renamed.y));
  report(RPC.call("move", std::vector<int>{1, 2}, 1));
  report(RPC.call("sums", std::vector<std::vector<String>>{{}, {"x"}}));
  report(RPC.call("merge", std::set<int>{}, std::list<String>{"x"}));
  report(RPC.call("flip", 256));
  report(RPC.call("rename", l.x));
  Serial.println("done");
}

void loop() {
}

void report(const RPCResult &result) {
  Serial.print("refused: ");
  Serial.println(result.ok() ? "no" : result.errorText());
}

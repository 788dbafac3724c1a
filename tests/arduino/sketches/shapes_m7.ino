// Calls the M4's functions (shapes_m4.ino) with a struct, a vector of vectors and a map, and
// prints what comes back; a value of the wrong shape is refused saying where.
#include <RPC.h>
#include <map>
#include <tuple>
#include <vector>

struct Point {
  int x;
  int y;
  MSGPACK_DEFINE_MAP(x, y);
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
  report(RPC.call("move", std::vector<int>{1, 2}, 1));
  report(RPC.call("sums", std::vector<std::vector<String>>{{}, {"x"}}));
  Serial.println("done");
}

void loop() {
}

void report(const RPCResult &result) {
  Serial.print("refused: ");
  Serial.println(result.ok() ? "no" : result.errorText());
}

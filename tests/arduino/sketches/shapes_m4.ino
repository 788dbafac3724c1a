// Containers and a MSGPACK_DEFINE struct as arguments and results, bound on the M4 for
// shapes_m7.ino, as a sketch for the Arduino RPC library passes them (msgpack-c's types).
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
  RPC.bind("move", [](Point p, int by) {
    p.x += by;
    p.y += by;
    return p;
  });
  RPC.bind("sums", [](const std::vector<std::vector<int>> &rows) {
    std::vector<long> out;
    for (const auto &row : rows) {
      long sum = 0;
      for (int v : row) {
        sum += v;
      }
      out.push_back(sum);
    }
    return out;
  });
  RPC.bind("count", [](std::map<String, int> m, String key) { return std::make_tuple((int)m.size(), m[key]); });
  RPC.begin();
}

void loop() {
}

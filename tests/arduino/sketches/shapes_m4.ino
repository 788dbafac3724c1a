// Containers and MSGPACK_DEFINE structs as arguments and results, bound on the M4 for
// shapes_m7.ino, as a sketch for the Arduino RPC library passes them (msgpack-c's types).
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
  RPC.bind("merge", [](std::set<int> a, std::list<int> b) {
    a.insert(b.begin(), b.end());
    return a;
  });
  RPC.bind("half", [](std::optional<int> v) { return v && *v % 2 == 0 ? std::optional<int>(*v / 2) : std::nullopt; });
  RPC.bind("flip", [](std::byte b) { return ~b; });
  RPC.bind("rename", [](Labeled l) {
    l.label += "!";
    l.x = -l.x;
    return l;
  });
  RPC.begin();
}

void loop() {
}

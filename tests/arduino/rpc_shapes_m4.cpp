/* rpc_shapes_m4.cpp - the M4 program of test_arduino_rpc_shapes: binds functions that take
 * and return containers and MSGPACK_DEFINE structs (rpc_shapes.h) and serves until the M7
 * sends "quit". Exit status 0 when it was told to quit. */
#include <algorithm>
#include <array>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "RPC.h"
#include "duet/duet.h"
#include "rpc_shapes.h"

static bool quit;

static long tree_sum(const Node &n)
{
    long sum = n.value;
    for (const Node &k : n.kids)
        sum += tree_sum(k);
    return sum;
}

static bool bind_shapes()
{
    return RPC.bind("row_sums", [](const std::vector<std::vector<int>> &rows) {
               std::vector<long> sums;
               for (const auto &row : rows) {
                   long sum = 0;
                   for (int x : row)
                       sum += x;
                   sums.push_back(sum);
               }
               return sums;
           }) &&
           RPC.bind("nested_echo", [](std::vector<std::vector<String>> v) { return v; }) &&
           RPC.bind("map_double", [](std::map<String, int> m) {
               for (auto &kv : m)
                   kv.second *= 2;
               return m;
           }) &&
           RPC.bind("umap_sorted", [](const std::unordered_map<int, std::string> &m) {
               return std::map<int, std::string>(m.begin(), m.end());
           }) &&
           RPC.bind("tuple_turn", [](std::tuple<int, String, double> t) {
               return std::make_tuple(std::get<2>(t), std::get<1>(t), std::get<0>(t));
           }) &&
           RPC.bind("pair_flip", [](std::pair<String, bool> p) { return std::make_pair(!p.second, p.first); }) &&
           RPC.bind("array_reverse", [](std::array<int, 3> a) {
               std::reverse(a.begin(), a.end());
               return a;
           }) &&
           RPC.bind("bytes4_reverse", [](std::array<uint8_t, 4> a) {
               std::reverse(a.begin(), a.end());
               return a;
           }) &&
           RPC.bind("point_move", [](Point p, int by) {
               p.x += by;
               p.y -= by;
               return p;
           }) &&
           RPC.bind("points_named", [](const std::vector<Point> &ps) { /* each under a name: p0, p1 ... */
               std::map<String, Point> out;
               for (size_t i = 0; i < ps.size(); i++)
                   out["p" + String((unsigned)i)] = ps[i];
               return out;
           }) &&
           RPC.bind("record_grow", [](Record r) {
               r.name += "+";
               r.values.push_back((int)r.values.size());
               return r;
           }) &&
           RPC.bind("tree_sum", [](const Node &n) { return tree_sum(n); }) &&
           RPC.bind("tree_chain", [](int depth) { return node_chain(depth); });
}

int main()
{
    if (!bind_shapes() || !RPC.bind("quit", [] { quit = true; }))
        return 2;
    if (RPC.cpu_id() != CM4_CPUID || !RPC.begin())
        return 3;
    duet_port *port = duet_port_default();
    while (!quit) {
        if (duet_poll() < 0)
            return 4;
        port->wait(port, 50);
    }
    return 0;
}

/* rpc_shapes_m4.cpp - the M4 program of test_arduino_rpc_shapes: binds functions that take
 * and return containers and MSGPACK_DEFINE structs (rpc_shapes.h) and serves until the M7
 * sends "quit". Exit status 0 when it was told to quit. */
#include <algorithm>
#include <array>
#include <cstddef>
#include <deque>
#include <forward_list>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "RPC.h"
#include "duet/duet.h"
#include "rpc_shapes.h"

static bool quit;
static std::list<std::optional<std::byte>> kept; /* what the last "keep" notification carried */

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

static bool bind_struct_items();

/* msgpack-c's other standard types and struct items: sets, lists, std::optional, std::byte,
 * const char * in containers, MSGPACK_NVP and MSGPACK_BASE. */
static bool bind_more_shapes()
{
    return RPC.bind("set_grow", [](std::set<int> s, int v) {
               s.insert(v);
               return s;
           }) &&
           RPC.bind("multiset_echo", [](const std::multiset<String> &m) { return m; }) &&
           RPC.bind("uset_sorted", [](const std::unordered_set<std::string> &u) {
               return std::set<std::string>(u.begin(), u.end());
           }) &&
           RPC.bind("list_reverse", [](std::list<String> l) {
               l.reverse();
               return l;
           }) &&
           RPC.bind("deque_rotate", [](std::deque<int> d) {
               if (!d.empty()) {
                   d.push_back(d.front());
                   d.pop_front();
               }
               return d;
           }) &&
           RPC.bind("flist_bytes", [](const std::forward_list<std::byte> &f) { /* each one's complement */
               std::forward_list<std::byte> out;
               auto tail = out.before_begin();
               for (std::byte b : f)
                   tail = out.insert_after(tail, ~b);
               return out;
           }) &&
           RPC.bind("maybe_half", [](std::optional<int> v) {
               return v && *v % 2 == 0 ? std::optional<int>(*v / 2) : std::nullopt;
           }) &&
           RPC.bind("byte_not", [](std::byte b) { return ~b; }) &&
           RPC.bind("std_bytes_reverse", [](std::vector<std::byte> v, std::array<std::byte, 2> a) {
               std::reverse(v.begin(), v.end());
               v.insert(v.end(), a.begin(), a.end());
               return std::make_pair(v, std::array<std::byte, 2>{a[1], a[0]});
           }) &&
           bind_struct_items();
}

/* Structs with MSGPACK_NVP and MSGPACK_BASE, and a notification's value kept for the M7. */
static bool bind_struct_items()
{
    return RPC.bind("named_swap", [](Named n) {
               n.a = -n.a;
               n.b += "!";
               return n;
           }) &&
           RPC.bind("derived_next", [](Derived d) {
               d.id++;
               return d;
           }) &&
           RPC.bind("literals", [](int n) { /* texts the M4 keeps: sent as str */
               static const char *const words[] = {"zero", "one", ""};
               std::vector<const char *> out(words, words + (n < 0 || n > 3 ? 0 : n));
               return std::make_tuple(out, std::array<const char *, 1>{nullptr});
           }) &&
           RPC.bind("keep", [](std::list<std::optional<std::byte>> v) { kept = std::move(v); }) &&
           RPC.bind("kept", [] { return kept; }) &&
           RPC.bind("derived_map_next", [](DerivedMap d) {
               d.id++;
               d.w *= 2;
               return d;
           });
}

int main()
{
    if (!bind_shapes() || !bind_more_shapes() || !RPC.bind("quit", [] { quit = true; }))
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

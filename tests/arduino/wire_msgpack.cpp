/* wire_msgpack.cpp - test_arduino_rpc_wire's msgpack-c side (MessagePack for C++, the Arduino
 * library's MessagePack): each case's value packed with msgpack::pack, and bytes read back
 * with msgpack::unpack and converted, as a sketch on the Arduino library's core does. */
#include <array>
#include <cstddef>
#include <deque>
#include <forward_list>
#include <list>
#include <map>
#include <msgpack.hpp>
#include <optional>
#include <set>
#include <string>
#include <strings.h>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "wire_cases.h"

namespace {

struct Point {
    int x;
    int y;
    MSGPACK_DEFINE_MAP(x, y);
    bool operator==(const Point &o) const { return x == o.x && y == o.y; }
};

struct Record {
    std::string name;
    std::vector<int> values;
    MSGPACK_DEFINE(name, values);
    bool operator==(const Record &o) const { return name == o.name && values == o.values; }
};

struct Node {
    int value;
    std::vector<Node> kids;
    MSGPACK_DEFINE_ARRAY(value, kids);
    bool operator==(const Node &o) const { return value == o.value && kids == o.kids; }
};

/* Keys from member expressions as written, spaces and all. */
struct Odd {
    struct {
        int z;
    } inner;
    double w;
    MSGPACK_DEFINE_MAP( inner.z ,  w );
    bool operator==(const Odd &o) const { return inner.z == o.inner.z && w == o.w; }
};

/* msgpack-c's other items: a member under a key of its own, a base class's part. */
struct Named {
    int a;
    std::string b;
    MSGPACK_DEFINE_MAP(MSGPACK_NVP("first", a), MSGPACK_NVP( "second key" , b));
    bool operator==(const Named &o) const { return a == o.a && b == o.b; }
};

struct Base {
    int id;
    MSGPACK_DEFINE(id);
};

struct Derived : Base {
    std::string label;
    MSGPACK_DEFINE(MSGPACK_BASE(Base), label);
    bool operator==(const Derived &o) const { return id == o.id && label == o.label; }
};

struct Keyed {
    int id;
    MSGPACK_DEFINE_MAP(id);
};

struct DerivedMap : Keyed {
    double w;
    MSGPACK_DEFINE_MAP(w, MSGPACK_BASE_MAP( Keyed ));
    bool operator==(const DerivedMap &o) const { return id == o.id && w == o.w; }
};

template <typename T> struct value_case {
    static std::string pack(const T &v)
    {
        msgpack::sbuffer buf;
        msgpack::pack(buf, v);
        return std::string(buf.data(), buf.size());
    }
    static bool reads(const T &v, const std::string &bytes)
    {
        try {
            msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
            return oh.get().as<T>() == v;
        } catch (const std::exception &) {
            return false;
        }
    }
};

struct wire_case {
    const char *name;
    std::string (*pack)();
    bool (*reads)(const std::string &);
};

#define CASE(name, T, ...)                                                                                           \
    {name, [] { return value_case<T>::pack(T __VA_ARGS__); },                                                         \
     [](const std::string &b) { return value_case<T>::reads(T __VA_ARGS__, b); }}

typedef std::vector<std::vector<int>> ints2;
typedef std::vector<std::vector<std::string>> texts2;
typedef std::vector<std::vector<unsigned char>> bins;
typedef std::map<std::string, int> text_map;
typedef std::map<int, std::vector<double>> int_map;
typedef std::unordered_map<std::string, long> unordered;
typedef std::tuple<int, std::string, double, bool> tuple4;
typedef std::tuple<float, long long, unsigned long long, signed char> numbers;
typedef std::pair<std::string, unsigned char> pair2;
typedef std::array<int, 3> ints3;
typedef std::array<unsigned char, 4> bytes4;
typedef std::array<char, 2> chars2;
typedef std::vector<Point> points;
typedef std::map<std::string, Record> records;
typedef std::tuple<> nothing;
typedef std::tuple<double, float> whole;
typedef std::set<int> int_set;
typedef std::set<std::string> text_set;
typedef std::multiset<int> int_multiset;
typedef std::unordered_set<int> int_uset;
typedef std::list<std::string> text_list;
typedef std::list<unsigned char> byte_list;
typedef std::deque<double> number_deque;
typedef std::forward_list<int> int_flist;
typedef std::optional<int> maybe_int;
typedef std::vector<std::optional<std::string>> maybe_texts;
typedef std::map<std::string, std::set<int>> map_of_sets;
typedef std::vector<std::byte> std_bytes;
typedef std::array<std::byte, 3> std_bytes3;
typedef std::tuple<std::byte, std::byte> two_bytes;

const wire_case cases[] = {
    CASE("vector of vectors", ints2, {{1, -2}, {}, {300, 70000, -40000}}),
    CASE("vector of vectors of strings", texts2, {{"a"}, {"bc", ""}}),
    CASE("vector of bins", bins, {{0, 255}, {}}),
    CASE("map of str to int", text_map, {{"a", 1}, {"b", -1}, {"long key", 100000}}),
    CASE("map of int to vector", int_map, {{1, {1.5, -2.25}}, {-3, {}}}),
    CASE("unordered_map", unordered, {{"only", -7}}),
    CASE("empty map", text_map, {}),
    CASE("tuple", tuple4, {-5, "x", 2.5, true}),
    CASE("tuple of numbers", numbers, {1.5f, -(1LL << 40), 18446744073709551615ULL, -128}),
    CASE("empty tuple", nothing, {}),
    CASE("pair", pair2, {"p", 200}),
    CASE("std::array", ints3, {{1, 2, 3}}),
    CASE("std::array of bytes", bytes4, {{0, 1, 254, 255}}),
    CASE("std::array of chars", chars2, {{'h', 'i'}}),
    CASE("MSGPACK_DEFINE_MAP", Point, {3, -4}),
    CASE("MSGPACK_DEFINE", Record, {"rec", {1, 2}}),
    CASE("vector of structs", points, {{1, 2}, {3, 4}}),
    CASE("map of structs", records, {{"a", {"x", {}}}, {"b", {"y", {7}}}}),
    CASE("recursive struct", Node, {1, {{2, {}}, {3, {{4, {}}}}}}),
    CASE("member expressions as keys", Odd, {{5}, 0.25}),
    CASE("read only: whole numbers in float and double", whole, {-2.0, 3.0f}),
    CASE("std::set", int_set, {3, -1, 200}),
    CASE("std::set of strings", text_set, {"b", "a", ""}),
    CASE("std::multiset", int_multiset, {2, 1, 2, 2}),
    CASE("std::unordered_set", int_uset, {5, 70000, -5}),
    CASE("std::list", text_list, {"x", "", "yz"}),
    CASE("std::list of bytes", byte_list, {0, 255}),
    CASE("std::deque", number_deque, {0.5, -1.25}),
    CASE("std::forward_list", int_flist, {1, 2, 3}),
    CASE("std::optional", maybe_int, {-9}),
    CASE("empty std::optional", maybe_int, {}),
    CASE("vector of optionals", maybe_texts, {{"a"}, std::nullopt, {""}}),
    CASE("map of sets", map_of_sets, {{"k", {2, 1}}, {"l", {}}}),
    CASE("std::vector<std::byte>", std_bytes, {std::byte{0}, std::byte{0x80}, std::byte{0xff}}),
    CASE("std::array<std::byte, 3>", std_bytes3, {{std::byte{1}, std::byte{2}, std::byte{0xfe}}}),
    CASE("std::byte", two_bytes, {std::byte{0x7f}, std::byte{0xff}}),
    CASE("MSGPACK_NVP", Named, {7, "seven"}),
    CASE("MSGPACK_BASE", Derived, {{4}, "four"}),
    CASE("MSGPACK_BASE_MAP", DerivedMap, {{9}, 0.5}),
};

} // namespace

int wire_case_count() { return (int)(sizeof cases / sizeof cases[0]); }
const char *wire_case_name(int i) { return cases[i].name; }
std::string wire_msgpack_pack(int i) { return cases[i].pack(); }
bool wire_msgpack_reads(int i, const std::string &bytes) { return cases[i].reads(bytes); }

namespace {
/* Orders strings without regard to case: "A" and "a" are equivalent. */
struct nocase {
    bool operator()(const std::string &a, const std::string &b) const { return strcasecmp(a.c_str(), b.c_str()) < 0; }
};
template <typename S> std::string reread(const std::string &bytes)
{
    msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
    return value_case<S>::pack(oh.get().as<S>());
}
} // namespace

std::string wire_msgpack_nocase(bool multi, const std::string &bytes)
{
    return multi ? reread<std::multiset<std::string, nocase>>(bytes) : reread<std::set<std::string, nocase>>(bytes);
}

std::string wire_msgpack_pack_literals()
{
    return value_case<std::vector<const char *>>::pack({"one", "", "three"});
}

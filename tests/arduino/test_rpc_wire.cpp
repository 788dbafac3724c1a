/* test_rpc_wire.cpp - RPC.h's containers and structs on the wire are msgpack-c's: each case's
 * value as RPC.call encodes an argument (and a bound function its result) is byte for byte
 * what msgpack::pack packs (wire_msgpack.cpp), msgpack-c reads it back as the value, and
 * RPC.h reads msgpack-c's bytes as the value. */
#include <array>
#include <map>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

extern "C" {
#include <cmocka.h>
}

#include "RPC.h"
#include "wire_cases.h"

namespace {

struct Point {
    int x;
    int y;
    MSGPACK_DEFINE_MAP(x, y);
    bool operator==(const Point &o) const { return x == o.x && y == o.y; }
};

struct Record {
    String name;
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

struct Odd {
    struct {
        int z;
    } inner;
    double w;
    MSGPACK_DEFINE_MAP( inner.z ,  w );
    bool operator==(const Odd &o) const { return inner.z == o.inner.z && w == o.w; }
};


/* One case on RPC.h's side: its encoding, and whether bytes decode to its value. */
struct duet_case {
    const char *name;
    std::string (*encode)();
    bool (*decodes)(const std::string &);
};

template <typename T> std::string encode(const T &v)
{
    std::vector<uint8_t> out;
    arduino::detail::rpc_value_encode(v, out);
    return std::string(out.begin(), out.end());
}

template <typename T> bool decodes(const T &v, const std::string &bytes)
{
    T got{};
    arduino::detail::rpc_problem problem;
    if (!arduino::detail::rpc_value_decode(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), got, &problem))
        return false;
    return got == v;
}

#define CASE(name, T, ...)                                                                                           \
    {name, [] { return encode(T __VA_ARGS__); }, [](const std::string &b) { return decodes(T __VA_ARGS__, b); }}

typedef std::vector<std::vector<int>> ints2;
typedef std::vector<std::vector<String>> texts2;
typedef std::vector<std::vector<uint8_t>> bins;
typedef std::map<String, int> text_map;
typedef std::map<int, std::vector<double>> int_map;
typedef std::unordered_map<std::string, long> unordered;
typedef std::tuple<int, std::string, double, bool> tuple4;
typedef std::tuple<float, long long, unsigned long long, signed char> numbers;
typedef std::pair<String, uint8_t> pair2;
typedef std::array<int, 3> ints3;
typedef std::array<uint8_t, 4> bytes4;
typedef std::array<char, 2> chars2;
typedef std::vector<Point> points;
typedef std::map<std::string, Record> records;
typedef std::tuple<> nothing;
typedef std::tuple<double, float> whole;

/* The same values as wire_msgpack.cpp's, in the same order. */
const duet_case cases[] = {
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
};

std::string hex(const std::string &bytes)
{
    std::string out;
    char two[4];
    for (unsigned char c : bytes) {
        snprintf(two, sizeof two, "%02x ", c);
        out += two;
    }
    return out;
}

void test_same_cases(void **)
{
    assert_int_equal(wire_case_count(), (int)(sizeof cases / sizeof cases[0]));
    for (int i = 0; i < wire_case_count(); i++)
        assert_string_equal(wire_case_name(i), cases[i].name);
}

/* RPC.h writes what msgpack::pack packs. But for a float or double of a whole value, which
 * msgpack-c 4 packs as an integer (-2.0 as -2) and RPC.h, as duet's C core, as float32 or
 * float64: each reads the other's (test_each_reads_the_other). */
void test_bytes_are_msgpack_cs(void **)
{
    int wrong = 0;
    for (int i = 0; i < wire_case_count(); i++) {
        if (strncmp(cases[i].name, "read only:", 10) == 0)
            continue;
        std::string theirs = wire_msgpack_pack(i), ours = cases[i].encode();
        if (theirs != ours) {
            printf("%s: msgpack-c %s, RPC.h %s\n", cases[i].name, hex(theirs).c_str(), hex(ours).c_str());
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

/* Each side reads the other's bytes as the value. */
void test_each_reads_the_other(void **)
{
    int wrong = 0;
    for (int i = 0; i < wire_case_count(); i++) {
        if (!wire_msgpack_reads(i, cases[i].encode())) {
            printf("%s: msgpack-c does not read RPC.h's bytes as the value\n", cases[i].name);
            wrong++;
        }
        if (!cases[i].decodes(wire_msgpack_pack(i))) {
            printf("%s: RPC.h does not read msgpack-c's bytes as the value\n", cases[i].name);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

/* Maps of several entries in another order (an unordered_map's own) read the same. */
void test_unordered_read_whole(void **)
{
    std::unordered_map<std::string, long> many = {{"a", 1}, {"bb", -2}, {"ccc", 1LL << 40}};
    std::unordered_map<std::string, long> back;
    arduino::detail::rpc_problem problem;
    std::string bytes = encode(many);
    assert_true(arduino::detail::rpc_value_decode(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), back,
                                                  &problem));
    assert_true(back == many);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_cases),
        cmocka_unit_test(test_bytes_are_msgpack_cs),
        cmocka_unit_test(test_each_reads_the_other),
        cmocka_unit_test(test_unordered_read_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

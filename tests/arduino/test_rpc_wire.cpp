/* test_rpc_wire.cpp - RPC.h's containers and structs on the wire are msgpack-c's: each case's
 * value as RPC.call encodes an argument (and a bound function its result) is byte for byte
 * what msgpack::pack packs (wire_msgpack.cpp), msgpack-c reads it back as the value, and
 * RPC.h reads msgpack-c's bytes as the value. */
#include <array>
#include <cstddef>
#include <deque>
#include <forward_list>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <string>
#include <strings.h>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
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

/* msgpack-c's other items: a member under a key of its own, a base class's part. */
struct Named {
    int a;
    String b;
    MSGPACK_DEFINE_MAP(MSGPACK_NVP("first", a), MSGPACK_NVP( "second key" , b));
    bool operator==(const Named &o) const { return a == o.a && b == o.b; }
};

struct Base {
    int id;
    MSGPACK_DEFINE(id);
};

struct Derived : Base {
    String label;
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
typedef std::set<int> int_set;
typedef std::set<String> text_set;
typedef std::multiset<int> int_multiset;
typedef std::unordered_set<int> int_uset;
typedef std::list<String> text_list;
typedef std::list<unsigned char> byte_list;
typedef std::deque<double> number_deque;
typedef std::forward_list<int> int_flist;
typedef std::optional<int> maybe_int;
typedef std::vector<std::optional<std::string>> maybe_texts;
typedef std::map<std::string, std::set<int>> map_of_sets;
typedef std::vector<std::byte> std_bytes;
typedef std::array<std::byte, 3> std_bytes3;
typedef std::tuple<std::byte, std::byte> two_bytes;

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

/* Orders strings without regard to case: "A" and "a" are equivalent. */
struct nocase {
    bool operator()(const std::string &a, const std::string &b) const { return strcasecmp(a.c_str(), b.c_str()) < 0; }
};

template <typename S> std::string reread(const std::string &bytes)
{
    S got;
    arduino::detail::rpc_problem problem;
    if (!arduino::detail::rpc_value_decode(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), got, &problem))
        return "(not read)";
    return encode(got);
}

/* Of equivalent elements a set keeps the last and a multiset holds them in the reverse of
 * their order in the array, as msgpack-c reads them (from the last element to the first). */
void test_sets_keep_what_msgpack_c_keeps(void **)
{
    const std::vector<std::vector<std::string>> arrays = {
        {"A", "a"}, {"b", "A", "B", "a", "c"}, {"x"}, {}, {"Q", "q", "Q"}};
    for (const auto &array : arrays) {
        std::string bytes = encode(array);
        std::string set = reread<std::set<std::string, nocase>>(bytes);
        std::string multiset = reread<std::multiset<std::string, nocase>>(bytes);
        assert_string_equal(hex(set).c_str(), hex(wire_msgpack_nocase(false, bytes)).c_str());
        assert_string_equal(hex(multiset).c_str(), hex(wire_msgpack_nocase(true, bytes)).c_str());
    }
    /* The first array as each keeps it: "a"; "a" then "A". */
    assert_string_equal(hex(reread<std::set<std::string, nocase>>(encode(arrays[0]))).c_str(), "91 a1 61 ");
    assert_string_equal(hex(reread<std::multiset<std::string, nocase>>(encode(arrays[0]))).c_str(),
                        "92 a1 61 a1 41 ");
}

/* A const char * in a container is written as msgpack-c packs it, and read as a string. */
void test_literals_are_msgpack_cs(void **)
{
    std::string ours = encode(std::vector<const char *>{"one", "", "three"});
    assert_string_equal(hex(ours).c_str(), hex(wire_msgpack_pack_literals()).c_str());
    assert_true(decodes(std::vector<std::string>{"one", "", "three"}, ours));
}

/* The key of each item of a MSGPACK_DEFINE_MAP list, as msgpack-c names it: MSGPACK_BASE
 * (the map form where MSGPACK_USE_DEFINE_MAP is defined) and MSGPACK_BASE_MAP by the base's
 * name, MSGPACK_NVP by its literal, any other item by its text. */
void test_member_keys(void **)
{
    const char *list = "w, MSGPACK_BASE( ns::Keyed ), MSGPACK_NVP( \"a b\" , m.x), MSGPACK_BASE_MAP(B), p.q";
    const char *want[] = {"w", "ns::Keyed", "a b", "B", "p.q"};
    static_assert(arduino::detail::rpc_names_keyed("x, MSGPACK_BASE(B)") && !arduino::detail::rpc_names_keyed("x, y"), "");
    static_assert(arduino::detail::rpc_nvp_names_plain("MSGPACK_NVP(\"k\", v)") &&
                      !arduino::detail::rpc_nvp_names_plain("MSGPACK_NVP(name, v)") &&
                      !arduino::detail::rpc_nvp_names_plain("MSGPACK_NVP(\"a\\\"b\", v)") &&
                      !arduino::detail::rpc_nvp_names_plain("MSGPACK_NVP(\"a\" \"b\", v)"),
                  "");
    for (size_t i = 0; i < 5; i++) {
        const char *key;
        size_t len;
        assert_true(arduino::detail::rpc_member_key(list, i, &key, &len));
        assert_string_equal(std::string(key, len).c_str(), want[i]);
    }
    const char *key;
    size_t len;
    assert_false(arduino::detail::rpc_member_key(list, 5, &key, &len));
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_cases),
        cmocka_unit_test(test_bytes_are_msgpack_cs),
        cmocka_unit_test(test_each_reads_the_other),
        cmocka_unit_test(test_unordered_read_whole),
        cmocka_unit_test(test_sets_keep_what_msgpack_c_keeps),
        cmocka_unit_test(test_literals_are_msgpack_cs),
        cmocka_unit_test(test_member_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

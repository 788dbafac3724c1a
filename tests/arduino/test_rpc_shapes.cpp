/* test_rpc_shapes.cpp - containers and MSGPACK_DEFINE structs through RPC.h on both cores of
 * the emulated board. This program is the M7: it boots the M4 (rpc_shapes_m4.cpp) with
 * RPC.begin() and calls its functions with nested vectors, maps, tuples, pairs, std::arrays
 * and structs, checking the results, their bytes on the wire, and each refusal word for word
 * (test_rpc.cpp has the M4 of the other types, whose table of functions is full). */
#include <array>
#include <cstddef>
#include <deque>
#include <forward_list>
#include <ftw.h>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <string>
#include <sys/wait.h>
#include <tuple>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

extern "C" {
#include <cmocka.h>
}

#include "RPC.h"
#include "duet/posix/board.h"
#include "m7_fixture.h"
#include "rpc_shapes.h"

namespace {

using namespace m7_fixture;

char tmp_dir[] = "/tmp/duet-arduino-shapes-XXXXXX";
char board_dir[sizeof tmp_dir + 8];

int setup(void **)
{
    if (board_for_m7(tmp_dir, board_dir, sizeof board_dir, ARDUINO_RPC_M4) != 0)
        return -1;
    return RPC.begin() == 1 ? 0 : -1;
}

int teardown(void **) { return board_end(tmp_dir); }

/* Nested vectors, maps, tuples, pairs, std::arrays and MSGPACK_DEFINE structs travel both
 * ways, as arguments and results. */
void test_containers(void **)
{
    auto sums = RPC.call("row_sums", std::vector<std::vector<int>>{{1, 2}, {}, {-3, 70000}}).as<std::vector<long>>();
    assert_true(sums == (std::vector<long>{3, 0, 69997}));
    std::vector<std::vector<String>> texts = {{"a", "bc"}, {}, {""}};
    assert_true(RPC.call("nested_echo", texts).as<std::vector<std::vector<String>>>() == texts);
    auto doubled = RPC.call("map_double", std::map<String, int>{{"a", 1}, {"b", -20}}).as<std::map<std::string, long>>();
    assert_true(doubled == (std::map<std::string, long>{{"a", 2}, {"b", -40}}));
    std::unordered_map<int, std::string> umap = {{3, "three"}, {-1, "minus"}, {10, ""}};
    auto sorted = RPC.call("umap_sorted", umap).as<std::map<int, String>>();
    assert_true(sorted == (std::map<int, String>{{-1, "minus"}, {3, "three"}, {10, ""}}));
    assert_true((RPC.call("umap_sorted", umap).as<std::unordered_map<long, std::string>>().at(-1)) == "minus");
    auto turned = RPC.call("tuple_turn", std::make_tuple(7, String("x"), 2.5)).as<std::tuple<double, std::string, int>>();
    assert_true(turned == std::make_tuple(2.5, std::string("x"), 7));
    auto flipped = RPC.call("pair_flip", std::make_pair(String("p"), false)).as<std::pair<bool, String>>();
    assert_true(flipped.first && flipped.second == "p");
    assert_true((RPC.call("array_reverse", std::array<int, 3>{1, 2, 3}).as<std::array<int, 3>>()) ==
                (std::array<int, 3>{3, 2, 1}));
    assert_true((RPC.call("bytes4_reverse", std::array<uint8_t, 4>{0, 1, 0xfe, 0xff}).as<std::array<uint8_t, 4>>()) ==
                (std::array<uint8_t, 4>{0xff, 0xfe, 1, 0}));
    Point moved = RPC.call("point_move", Point{3, -4}, 10).as<Point>();
    assert_int_equal(moved.x, 13);
    assert_int_equal(moved.y, -14);
    auto named = RPC.call("points_named", std::vector<Point>{{1, 2}, {3, 4}}).as<std::map<String, Point>>();
    assert_int_equal(named.size(), 2);
    assert_int_equal(named["p1"].x, 3);
    assert_int_equal(named["p1"].y, 4);
    Record grown = RPC.call("record_grow", Record{"r", {5}}).as<Record>();
    assert_string_equal(grown.name.c_str(), "r+");
    assert_true(grown.values == (std::vector<int>{5, 1}));
    Node tree{1, {Node{2, {}}, Node{3, {Node{4, {}}}}}};
    assert_int_equal(RPC.call("tree_sum", tree).as<long>(), 10);
    Node chain = RPC.call("tree_chain", 8).as<Node>(); /* 16 levels: as deep as may be */
    assert_int_equal(chain.value, 8);
    assert_int_equal(RPC.call("tree_sum", chain).as<long>(), 36);
    RPC.send("point_move", Point{1, 1}, 1); /* a notification carries them too */
    /* On the wire as msgpack-c packs them: a MSGPACK_DEFINE_MAP struct as a map from the
     * members' names, a MSGPACK_DEFINE one as an array. */
    uint8_t raw[64];
    size_t raw_len = 0;
    const uint8_t point[] = {0x82, 0xa1, 'x', 0x01, 0xa1, 'y', 0xff};
    assert_int_equal(duet_call("point_move", "vi:v", (const void *)point, sizeof point, 2, raw, sizeof raw, &raw_len),
                     DUET_OK);
    assert_int_equal(raw_len, 7);
    assert_memory_equal(raw, "\x82\xa1x\x03\xa1y\xfd", 7);
    const uint8_t record[] = {0x92, 0xa1, 'r', 0x90};
    assert_int_equal(duet_call("record_grow", "v:v", (const void *)record, sizeof record, raw, sizeof raw, &raw_len),
                     DUET_OK);
    assert_int_equal(raw_len, 6);
    assert_memory_equal(raw, "\x92\xa2r+\x91\x00", 6);
}

/* msgpack-c's other standard types (sets, lists, std::optional, std::byte) and struct items
 * (MSGPACK_NVP, MSGPACK_BASE) travel both ways, as arguments and results, and in a notification. */
void test_more_types(void **)
{
    assert_true((RPC.call("set_grow", std::set<int>{3, -1}, 2).as<std::set<long>>()) == (std::set<long>{-1, 2, 3}));
    std::multiset<String> m = {"b", "a", "b"};
    assert_true(RPC.call("multiset_echo", m).as<std::multiset<String>>() == m);
    assert_true((RPC.call("uset_sorted", std::unordered_set<std::string>{"z", "", "y"}).as<std::list<String>>()) ==
                (std::list<String>{"", "y", "z"}));
    assert_true((RPC.call("uset_sorted", std::unordered_set<std::string>{"k"}).as<std::unordered_set<std::string>>()) ==
                (std::unordered_set<std::string>{"k"}));
    assert_true((RPC.call("list_reverse", std::list<String>{"1", "", "3"}).as<std::deque<std::string>>()) ==
                (std::deque<std::string>{"3", "", "1"}));
    assert_true((RPC.call("deque_rotate", std::deque<int>{1, 2, 3}).as<std::forward_list<int>>()) ==
                (std::forward_list<int>{2, 3, 1}));
    assert_true((RPC.call("flist_bytes", std::forward_list<std::byte>{std::byte{0}, std::byte{0x0f}})
                     .as<std::list<int>>()) == (std::list<int>{0xff, 0xf0})); /* an array of integers, no bin */
    assert_true(RPC.call("maybe_half", std::optional<int>(8)).as<std::optional<int>>() == 4);
    assert_false(RPC.call("maybe_half", std::optional<int>(7)).as<std::optional<int>>().has_value());
    assert_false(RPC.call("maybe_half", std::optional<int>()).as<std::optional<long>>().has_value());
    assert_true(RPC.call("maybe_half", 6).as<int>() == 3); /* a plain int is a present value */
    assert_true(RPC.call("byte_not", std::byte{0x0f}).as<std::byte>() == std::byte{0xf0});
    assert_int_equal(RPC.call("byte_not", 0).as<uint8_t>(), 0xff);
    auto reversed = RPC.call("std_bytes_reverse", std::vector<std::byte>{std::byte{1}, std::byte{2}},
                             std::array<std::byte, 2>{std::byte{3}, std::byte{4}})
                        .as<std::pair<std::vector<uint8_t>, std::array<std::byte, 2>>>();
    assert_true(reversed.first == (std::vector<uint8_t>{2, 1, 3, 4}));
    assert_true(reversed.second == (std::array<std::byte, 2>{std::byte{4}, std::byte{3}}));
    auto bytes4 = RPC.call("bytes4_reverse", std::array<std::byte, 4>{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}})
                      .as<std::vector<std::byte>>(); /* bin both ways */
    assert_true(bytes4 == (std::vector<std::byte>{std::byte{4}, std::byte{3}, std::byte{2}, std::byte{1}}));
    Named named = RPC.call("named_swap", Named{5, "n"}).as<Named>();
    assert_int_equal(named.a, -5);
    assert_string_equal(named.b.c_str(), "n!");
    Derived derived;
    derived.id = 41;
    derived.label = "d";
    Derived next = RPC.call("derived_next", derived).as<Derived>();
    assert_int_equal(next.id, 42);
    assert_string_equal(next.label.c_str(), "d");
    DerivedMap dm;
    dm.id = 9;
    dm.w = 0.25;
    DerivedMap dm_next = RPC.call("derived_map_next", dm).as<DerivedMap>();
    assert_int_equal(dm_next.id, 10);
    assert_true(dm_next.w == 0.5);
    /* A const char * in a container is sent as a str, both ways (read as String or std::string). */
    assert_true((RPC.call("list_reverse", std::vector<const char *>{"a", "", "c"}).as<std::vector<std::string>>()) ==
                (std::vector<std::string>{"c", "", "a"}));
    auto words = RPC.call("literals", 3).as<std::tuple<std::list<String>, std::array<std::string, 1>>>();
    assert_true(std::get<0>(words) == (std::list<String>{"zero", "one", ""}));
    assert_true(std::get<1>(words)[0].empty()); /* a null pointer is "" */
    RPC.send("set_grow", std::set<int>{1}, 2); /* a notification carries them too */
    RPC.send("maybe_half", std::optional<int>());
    RPC.send("keep", std::list<std::optional<std::byte>>{std::byte{9}, std::nullopt});
    auto kept = RPC.call("kept").as<std::vector<std::optional<int>>>(); /* the notification arrived whole */
    assert_int_equal(kept.size(), 2);
    assert_true(kept[0] == 9 && !kept[1]);
}

/* The other types and struct items on the wire, as msgpack-c packs them. */
void test_more_types_on_the_wire(void **)
{
    uint8_t raw[64];
    size_t raw_len = 0;
    const uint8_t nil[] = {0xc0};
    assert_int_equal(duet_call("maybe_half", "v:v", (const void *)nil, sizeof nil, raw, sizeof raw, &raw_len), DUET_OK);
    assert_int_equal(raw_len, 1);
    assert_int_equal(raw[0], 0xc0);
    const uint8_t keyed[] = {0x82, 0xa5, 'f', 'i', 'r', 's', 't', 0x02, 0xaa, 's', 'e', 'c', 'o', 'n', 'd', ' ', 'k', 'e', 'y', 0xa0};
    assert_int_equal(duet_call("named_swap", "v:v", (const void *)keyed, sizeof keyed, raw, sizeof raw, &raw_len), DUET_OK);
    assert_int_equal(raw_len, sizeof keyed + 1);
    assert_memory_equal(raw, "\x82\xa5" "first\xfe\xaa" "second key\xa1!", sizeof keyed + 1);
    const uint8_t based[] = {0x92, 0x91, 0x07, 0xa1, 'b'};
    assert_int_equal(duet_call("derived_next", "v:v", (const void *)based, sizeof based, raw, sizeof raw, &raw_len), DUET_OK);
    assert_int_equal(raw_len, sizeof based);
    assert_memory_equal(raw, "\x92\x91\x08\xa1" "b", sizeof based);
    const uint8_t byte_set[] = {0x93, 0x02, 0xcc, 0x80, 0x01}; /* a byte is an integer, 0x80 as uint8 */
    assert_int_equal(duet_call("flist_bytes", "v:v", (const void *)byte_set, sizeof byte_set, raw, sizeof raw, &raw_len),
                     DUET_OK);
    assert_int_equal(raw_len, 6);
    assert_memory_equal(raw, "\x93\xcc\xfd\x7f\xcc\xfe", 6);
}

/* A text in place of Point's int x. */
struct PointText {
    String x;
    int y = 0;
    MSGPACK_DEFINE_MAP(x, y);
};

/* Each call's refusal, word for word (after the function's name). */
void expect_refusal(const RPCResult &r, const char *method, const char *text)
{
    char want[256];
    snprintf(want, sizeof want, "%s: %s", method, text);
    assert_false(r.ok());
    if (!contains(r.errorText(), want))
        fail_msg("got \"%s\", wanted \"%s\"", r.errorText(), want);
}

/* A value of the wrong shape is refused before the function runs, naming the argument and
 * where in it. */
void test_container_refusals(void **)
{
    expect_refusal(RPC.call("point_move", std::vector<PointText>{{"1", 2}}, 1), "point_move",
                   "argument 1: expected a map, got array");
    expect_refusal(RPC.call("point_move", PointText{"1", 2}, 1), "point_move",
                   "argument 1: key \"x\": expected int32, got str");
    expect_refusal(RPC.call("points_named", std::vector<PointText>{{"", 1}}), "points_named",
                   "argument 1: element 1: key \"x\": expected int32, got str");
    expect_refusal(RPC.call("points_named", std::make_tuple(Point{}, PointText{})), "points_named",
                   "argument 1: element 2: key \"x\": expected int32, got str");
    expect_refusal(RPC.call("point_move", std::map<String, int>{{"x", 1}}, 1), "point_move",
                   "argument 1: key \"y\": missing");
    expect_refusal(RPC.call("point_move", std::map<int, int>{{1, 2}}, 1), "point_move",
                   "argument 1: key of entry 1: expected str, got int");
    expect_refusal(RPC.call("point_move", std::map<String, long long>{{"x", 1}, {"y", 1LL << 40}}, 1), "point_move",
                   "argument 1: key \"y\": expected int32, got int out of its range");
    expect_refusal(RPC.call("map_double", std::map<int, int>{{5, 1}}), "map_double",
                   "argument 1: key of entry 1: expected String, got int");
    expect_refusal(RPC.call("map_double", std::map<String, String>{{"k", "v"}}), "map_double",
                   "argument 1: key \"k\": expected int32, got str");
    expect_refusal(RPC.call("umap_sorted", std::map<int, int>{{-7, 1}}), "umap_sorted",
                   "argument 1: key -7: expected std::string, got int");
    expect_refusal(RPC.call("map_double", 5), "map_double", "argument 1: expected a map, got int");
    expect_refusal(RPC.call("row_sums", std::vector<int>{1}), "row_sums",
                   "argument 1: element 1: expected an array of int32, got int");
    expect_refusal(RPC.call("row_sums", std::vector<std::vector<String>>{{}, {"1"}}), "row_sums",
                   "argument 1: element 2: element 1: expected int32, got str");
    expect_refusal(RPC.call("tuple_turn", std::make_tuple(1, String("x"))), "tuple_turn",
                   "argument 1: expected an array of 3, got an array of 2");
    expect_refusal(RPC.call("tuple_turn", std::make_tuple(1, 2, 3.0)), "tuple_turn",
                   "argument 1: element 2: expected String, got int");
    expect_refusal(RPC.call("pair_flip", String("p")), "pair_flip", "argument 1: expected an array of 2, got str");
    expect_refusal(RPC.call("record_grow", std::make_tuple(String("r"))), "record_grow",
                   "argument 1: expected an array of 2, got an array of 1");
    expect_refusal(RPC.call("array_reverse", std::array<int, 2>{1, 2}), "array_reverse",
                   "argument 1: expected an array of 3, got an array of 2");
    expect_refusal(RPC.call("bytes4_reverse", std::vector<uint8_t>{1, 2, 3}), "bytes4_reverse",
                   "argument 1: expected 4 bytes, got bin of 3");
    expect_refusal(RPC.call("bytes4_reverse", std::array<int, 4>{}), "bytes4_reverse",
                   "argument 1: expected bin, got array");
    /* A hostile nesting is refused where it passes DUET_ARDUINO_RPC_DEPTH (16): a chain of 9
     * nodes is 18 levels deep. */
    expect_refusal(RPC.call("tree_sum", node_chain(9)), "tree_sum",
                   "argument 1: nested deeper than 16 levels (DUET_ARDUINO_RPC_DEPTH)");
    assert_int_equal(RPC.call("tree_sum", node_chain(8)).as<long>(), 36);
    /* A result of the wrong shape stops the sketch, saying where. */
    std::string err;
    auto deep = RPC.call("tree_chain", 9);
    assert_true(deep.ok());
    assert_int_equal(in_child([&] { (void)deep.as<Node>(); }, err), 1);
    assert_true(contains(err.c_str(), "RPC.call(\"tree_chain\").as<struct>(): the result of tree_chain does not fit: "
                                      "nested deeper than 16 levels (DUET_ARDUINO_RPC_DEPTH)"));
    auto half = RPC.call("map_double", std::map<String, int>{{"x", 1}});
    assert_int_equal(in_child([&] { (void)half.as<Point>(); }, err), 1);
    assert_true(contains(err.c_str(), "RPC.call(\"map_double\").as<struct>(): the result of map_double does not fit: "
                                      "key \"y\": missing"));
    auto number = RPC.call("tree_sum", Node{});
    assert_int_equal(in_child([&] { (void)number.as<std::map<int, int>>(); }, err), 1);
    assert_true(contains(err.c_str(), "RPC.call(\"tree_sum\").as<std::map>(): tree_sum returned int, which is no std::map"));
    assert_int_equal(RPC.call("tree_sum", Node{5, {}}).as<int>(), 5); /* the M4 goes on */
}

/* The other standard types and struct items are refused as the containers above are. */
void test_more_refusals(void **)
{
    expect_refusal(RPC.call("set_grow", std::map<int, int>{}, 1), "set_grow",
                   "argument 1: expected an array of int32, got map");
    expect_refusal(RPC.call("set_grow", std::list<String>{"x"}, 1), "set_grow",
                   "argument 1: element 1: expected int32, got str");
    expect_refusal(RPC.call("multiset_echo", std::multiset<int>{1}), "multiset_echo",
                   "argument 1: element 1: expected String, got int");
    expect_refusal(RPC.call("uset_sorted", std::vector<std::vector<int>>{{}}), "uset_sorted",
                   "argument 1: element 1: expected std::string, got array");
    expect_refusal(RPC.call("list_reverse", std::string("l")), "list_reverse",
                   "argument 1: expected an array of String, got str");
    expect_refusal(RPC.call("deque_rotate", std::deque<double>{1.5}), "deque_rotate",
                   "argument 1: element 1: expected int32, got float64");
    expect_refusal(RPC.call("flist_bytes", std::set<int>{-1}), "flist_bytes",
                   "argument 1: element 1: expected std::byte, got int out of its range");
    expect_refusal(RPC.call("flist_bytes", std::deque<int>{1, 256}), "flist_bytes",
                   "argument 1: element 2: expected std::byte, got int out of its range");
    expect_refusal(RPC.call("maybe_half", String("x")), "maybe_half", "argument 1: expected int32, got str");
    expect_refusal(RPC.call("byte_not", 256), "byte_not", "argument 1: the value does not fit std::byte");
    expect_refusal(RPC.call("std_bytes_reverse", std::list<int>{1}, std::array<std::byte, 2>{}), "std_bytes_reverse",
                   "argument 1: expected bin, got array");
    expect_refusal(RPC.call("std_bytes_reverse", std::vector<std::byte>{}, std::array<std::byte, 3>{}),
                   "std_bytes_reverse", "argument 2: expected 2 bytes, got bin of 3");
    expect_refusal(RPC.call("named_swap", std::map<String, int>{{"first", 1}}), "named_swap",
                   "argument 1: key \"second key\": missing");
    expect_refusal(RPC.call("named_swap", std::map<String, int>{{"a", 1}, {"b", 2}}), "named_swap",
                   "argument 1: key \"first\": missing");
    expect_refusal(RPC.call("named_swap", std::map<String, String>{{"first", "1"}}), "named_swap",
                   "argument 1: key \"first\": expected int32, got str");
    expect_refusal(RPC.call("named_swap", std::map<int, int>{{1, 1}}), "named_swap",
                   "argument 1: key of entry 1: expected str, got int");
    expect_refusal(RPC.call("derived_next", std::make_tuple(1, String("l"))), "derived_next",
                   "argument 1: element 1: expected an array of 1, got int");
    expect_refusal(RPC.call("derived_next", std::make_tuple(std::make_tuple(String("x")), String("l"))), "derived_next",
                   "argument 1: element 1: element 1: expected int32, got str");
    expect_refusal(RPC.call("derived_map_next", std::map<String, double>{{"w", 1}}), "derived_map_next",
                   "argument 1: key \"Keyed\": missing");
    expect_refusal(RPC.call("derived_map_next", std::map<String, std::map<String, String>>{{"Keyed", {{"id", "x"}}}}),
                   "derived_map_next", "argument 1: key \"Keyed\": key \"id\": expected int32, got str");
    /* A result of the wrong shape stops the sketch, saying where. */
    std::string err;
    auto texts = RPC.call("list_reverse", std::list<String>{"a"});
    assert_int_equal(in_child([&] { (void)texts.as<std::set<int>>(); }, err), 1);
    assert_true(contains(err.c_str(), "RPC.call(\"list_reverse\").as<std::set>(): the result of list_reverse does not fit: "
                                      "element 1: expected int32, got str"));
    assert_int_equal(in_child([&] { (void)texts.as<std::optional<int>>(); }, err), 1);
    assert_true(contains(err.c_str(), "RPC.call(\"list_reverse\").as<std::optional>(): list_reverse returned array, "
                                      "which is no std::optional"));
    auto big = RPC.call("maybe_half", 600);
    assert_int_equal(in_child([&] { (void)big.as<std::byte>(); }, err), 1);
    assert_true(contains(err.c_str(), "RPC.call(\"maybe_half\").as<std::byte>(): maybe_half returned 300, which does "
                                      "not fit std::byte"));
    auto named = RPC.call("named_swap", Named{1, "x"});
    assert_int_equal(in_child([&] { (void)named.as<DerivedMap>(); }, err), 1);
    assert_true(contains(err.c_str(), "RPC.call(\"named_swap\").as<struct>(): the result of named_swap does not fit: "
                                      "key \"w\": missing"));
    assert_int_equal(RPC.call("byte_not", 1).as<int>(), 0xfe); /* the M4 goes on */
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_container_refusals),
        cmocka_unit_test(test_more_types),
        cmocka_unit_test(test_more_types_on_the_wire),
        cmocka_unit_test(test_more_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/* rpc_shapes.h - the structs test_arduino_rpc's two cores (test_rpc.cpp, rpc_m4.cpp) send each
 * other, declared as a sketch for the Arduino library declares them (msgpack-c's macros). */
#ifndef DUET_TEST_RPC_SHAPES_H
#define DUET_TEST_RPC_SHAPES_H

#include <vector>

#include "RPC.h"

/* A map on the wire: {"x": 3, "y": -4}. */
struct Point {
    int x = 0;
    int y = 0;
    MSGPACK_DEFINE_MAP(x, y);
};

/* An array on the wire: ["name", [1, 2]]. */
struct Record {
    String name;
    std::vector<int> values;
    MSGPACK_DEFINE(name, values);
};

/* A tree: [1, [[2, []], [3, []]]], each level two levels of nesting. */
struct Node {
    int value = 0;
    std::vector<Node> kids;
    MSGPACK_DEFINE_ARRAY(value, kids);
};

/* msgpack-c's other items: members under keys of their own, {"first": 1, "second key": "s"}. */
struct Named {
    int a = 0;
    String b;
    MSGPACK_DEFINE_MAP(MSGPACK_NVP("first", a), MSGPACK_NVP("second key", b));
};

/* A base's part, nested: [[id], "label"]. */
struct Base {
    int id = 0;
    MSGPACK_DEFINE(id);
};
struct Derived : Base {
    String label;
    MSGPACK_DEFINE(MSGPACK_BASE(Base), label);
};

/* In a map, under the base's name: {"w": 0.5, "Keyed": {"id": 9}}. */
struct Keyed {
    int id = 0;
    MSGPACK_DEFINE_MAP(id);
};
struct DerivedMap : Keyed {
    double w = 0;
    MSGPACK_DEFINE_MAP(w, MSGPACK_BASE_MAP(Keyed));
};

/* A chain of depth nodes, each the only child of the one before. */
inline Node node_chain(int depth)
{
    Node n;
    n.value = depth;
    if (depth > 1)
        n.kids.push_back(node_chain(depth - 1));
    return n;
}

#endif

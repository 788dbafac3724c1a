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

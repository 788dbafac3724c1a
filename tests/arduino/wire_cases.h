/* wire_cases.h - test_arduino_rpc_wire's cases: the same values built with msgpack-c's C++ API
 * (wire_msgpack.cpp) and with RPC.h's types (test_rpc_wire.cpp), which cannot meet in one
 * file: both define MSGPACK_DEFINE. Case i is the same value on both sides. */
#ifndef DUET_TEST_WIRE_CASES_H
#define DUET_TEST_WIRE_CASES_H

#include <string>

/* How many cases msgpack-c's side has. */
int wire_case_count();
/* Case i's name. */
const char *wire_case_name(int i);
/* Case i's value as msgpack::pack packs it. */
std::string wire_msgpack_pack(int i);
/* Whether bytes unpack with msgpack-c and convert (msgpack::object::as) to case i's value. */
bool wire_msgpack_reads(int i, const std::string &bytes);
/* bytes read by msgpack-c as a std::set (multi false) or std::multiset (true) of strings
 * ordered without regard to case, and packed again: which of equivalent elements it keeps, in
 * which order. */
std::string wire_msgpack_nocase(bool multi, const std::string &bytes);
/* {"one", "", "three"} as std::vector<const char *>, packed by msgpack::pack (which packs a
 * const char * but cannot read one). */
std::string wire_msgpack_pack_literals();

#endif

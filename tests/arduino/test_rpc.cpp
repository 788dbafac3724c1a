/* test_rpc.cpp - RPC.h on both cores of the emulated board. This program is the M7: it binds
 * its own functions, boots the M4 (rpc_m4.cpp) with RPC.begin(), and calls the M4's functions
 * the way sketches do, checking every result, every refusal and the text the M4 prints. */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <deque>
#include <forward_list>
#include <list>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include <string.h>
#include <sys/wait.h>
#include <atomic>
#include <thread>
#include <unistd.h>

extern "C" {
#include <cmocka.h>
}

#include "RPC.h"
#include "SerialRPC.h"
#include "duet/posix/board.h"
#include "m7_fixture.h"
#include "failing_alloc.h"

namespace {

using namespace m7_fixture;

char tmp_dir[] = "/tmp/duet-arduino-rpc-XXXXXX";
char board_dir[sizeof tmp_dir + 8];

long m7_square(int v) { return (long)v * v; }

int m7_length_runs, m7_length_invalid;
int m7_length(const String &text)
{
    m7_length_runs++;
    m7_length_invalid += !text;
    return (int)text.length();
}

/* Functions of std::string and std::vector arguments, and of containers of nodes (one
 * allocation per element), each counting its runs. */
int m7_copies_runs;
template <typename C> int m7_count(const C &c) { return (int)(++m7_copies_runs, std::distance(c.begin(), c.end())); }
bool bind_m7_nodes()
{
    return RPC.bind("m7_set_count", m7_count<std::set<int>>) &&
           RPC.bind("m7_multiset_count", m7_count<std::multiset<int>>) &&
           RPC.bind("m7_uset_count", m7_count<std::unordered_set<int>>) &&
           RPC.bind("m7_list_count", m7_count<std::list<int>>) &&
           RPC.bind("m7_deque_count", m7_count<std::deque<int>>) &&
           RPC.bind("m7_flist_count", m7_count<std::forward_list<int>>) &&
           RPC.bind("m7_map_count", m7_count<std::map<int, int>>) &&
           RPC.bind("m7_umap_count", m7_count<std::unordered_map<int, int>>) &&
           RPC.bind("m7_words_list", m7_count<std::list<std::string>>);
}
bool bind_m7_copies()
{
    return RPC.bind("m7_std_length", [](const std::string &s) { return (int)(++m7_copies_runs, s.size()); }) &&
           RPC.bind("m7_bytes_count", [](const std::vector<uint8_t> &v) { return (int)(++m7_copies_runs, v.size()); }) &&
           RPC.bind("m7_ints_count", [](const std::vector<int> &v) { return (int)(++m7_copies_runs, v.size()); }) &&
           RPC.bind("m7_words_count", [](const std::vector<std::string> &v) { return (int)(++m7_copies_runs, v.size()); }) &&
           RPC.bind("m7_texts_count", [](const std::vector<String> &v) { return (int)(++m7_copies_runs, v.size()); }) &&
           bind_m7_nodes();
}

int setup(void **)
{
    if (board_for_m7(tmp_dir, board_dir, sizeof board_dir, ARDUINO_RPC_M4) != 0)
        return -1;
    if (!RPC.bind("m7_square", m7_square) || !RPC.bind("m7_length", m7_length) || !bind_m7_copies() ||
        !RPC.bind("m7_bytes", [](int n) { return std::vector<uint8_t>((size_t)n, 0xab); }))
        return -1;
    return RPC.begin() == 1 ? 0 : -1;
}

int teardown(void **) { return board_end(tmp_dir); }

void test_cpu_id(void **)
{
    assert_int_equal(RPC.cpu_id(), CM7_CPUID);
    assert_int_equal(HAL_GetCurrentCPUID(), 3);
    assert_true((bool)RPC);
    assert_true((bool)Serial); /* the M7's: the Serial Monitor */
    assert_int_equal(RPC.call("serial_state").as<int>(), 1); /* the M4's: false, then true once begun */
}

void test_int_calls(void **)
{
    assert_int_equal(RPC.call("add", 2, 3).as<int>(), 5);
    assert_int_equal(RPC.call("add", -2000000000, -147483648).as<int>(), INT32_MIN);
    int x = 10, y = 10;
    assert_int_equal(RPC.call("add", x, y).as<long>(), 20); /* the guide's addFunction */
    assert_int_equal(RPC.call("small", 100).as<int>(), 200);
    assert_int_equal(RPC.call("offset", 7).as<int>(), 1007);
    assert_int_equal(RPC.call("accumulate", 5L).as<long>(), 5);
    assert_int_equal(RPC.call("accumulate", 6L).as<long>(), 11);
    int first = RPC.call("count").as<int>();
    assert_int_equal(RPC.call("count").as<int>(), first + 1);
}

void test_every_argument_type(void **)
{
    String s = RPC.call("mix", (int8_t)-5, (uint16_t)60000, (int64_t)-1234567890123LL, (uint64_t)18446744073709551615ULL,
                        true, 1.25f, 2.5e-3, "text")
                   .as<String>();
    assert_string_equal(s.c_str(), "-5 60000 -1234567890123 18446744073709551615 true 1.250 0.002500 text");
}

void test_float_results(void **)
{
    assert_true(RPC.call("half", 5).as<float>() == 2.5f);
    assert_true(RPC.call("half", -3).as<double>() == -1.5);
    assert_true(RPC.call("twice", 1.25).as<double>() == 2.5);
    /* An integer result reads as a float too. */
    assert_true(RPC.call("add", 1, 2).as<float>() == 3.0f);
}

void test_string_results(void **)
{
    assert_string_equal(RPC.call("greet", String("duet")).as<String>().c_str(), "hello duet");
    assert_string_equal(RPC.call("greet", "board").as<std::string>().c_str(), "hello board");
    assert_string_equal(RPC.call("std_upper", "MiXed").as<String>().c_str(), "MIXED");
    String long_name(' ');
    for (int i = 0; i < 300; i++)
        long_name += (char)('a' + i % 26);
    String back = RPC.call("greet", long_name).as<String>();
    assert_int_equal(back.length(), 6 + 301);
    assert_true(back.endsWith(long_name));
}

void test_send_and_void(void **)
{
    RPC.send("note", String("sent without waiting"));
    assert_string_equal(RPC.call("last_note").as<String>().c_str(), "sent without waiting");
    auto r = RPC.call("note", "called");
    assert_true(r.ok());
    assert_true(r.isNil());
    assert_string_equal(RPC.call("last_note").as<String>().c_str(), "called");
}

void test_wrong_calls_are_errors(void **)
{
    auto wrong_type = RPC.call("add", "two", 3);
    assert_false(wrong_type.ok());
    assert_int_equal(wrong_type.error(), DUET_ERR_REMOTE);
    assert_true(contains(wrong_type.errorText(), "add: argument 1: expected int32, got str"));

    auto too_few = RPC.call("add", 1);
    assert_false(too_few.ok());
    assert_true(contains(too_few.errorText(), "add"));

    auto out_of_range = RPC.call("small", 300);
    assert_false(out_of_range.ok());
    assert_true(contains(out_of_range.errorText(), "small"));
    assert_true(contains(out_of_range.errorText(), "argument 1: the value does not fit uint8"));

    auto unknown = RPC.call("nope", 1);
    assert_false(unknown.ok());
    assert_true(contains(unknown.errorText(), "nope"));

    /* The M4 keeps serving after refusing. */
    assert_int_equal(RPC.call("add", 40, 2).as<int>(), 42);
}

void test_as_never_gives_a_wrong_value(void **)
{
    std::string err;
    RPCResult text = RPC.call("greet", "x");
    RPCResult number = RPC.call("add", 200, 100);
    RPCResult failed = RPC.call("add", "x", 1);
    assert_true(failed.error() == DUET_ERR_REMOTE);
    /* Each of these stops the sketch (here a child of the test) with a line naming the call. */
    assert_int_equal(in_child([&] { (void)text.as<int>(); }, err), 1);
    assert_true(contains(err.c_str(), "M7: RPC.call(\"greet\").as<int32>(): greet returned str, which is no int32"));
    assert_int_equal(in_child([&] { (void)number.as<uint8_t>(); }, err), 1);
    assert_true(contains(err.c_str(), "M7: RPC.call(\"add\").as<uint8>(): add returned 300, which does not fit uint8"));
    assert_int_equal(in_child([&] { (void)number.as<bool>(); }, err), 1);
    assert_true(contains(err.c_str(), "as<bool>(): add returned int, which is no bool"));
    assert_int_equal(in_child([&] { (void)failed.as<int>(); }, err), 1);
    assert_true(contains(err.c_str(), "RPC.call(\"add\").as<int32>(): the call failed: add: argument 1"));
    /* A failed call that nobody looks at is reported when its result goes away. (The child
     * only drops the result: a forked copy of the link must never talk to the M4.) */
    RPCResult *unseen = new RPCResult(RPC.call("add", "x", 1));
    assert_int_equal(in_child([&] { delete unseen; }, err), 0);
    assert_true(contains(err.c_str(), "M7: RPC.call(\"add\") failed: add: argument 1: expected int32, got str"));
    assert_int_equal(unseen->error(), DUET_ERR_REMOTE);
    delete unseen;
    /* The values themselves read fine. */
    assert_int_equal(number.as<int>(), 300);
    assert_string_equal(text.as<String>().c_str(), "hello x");
}

/* rpc_type<T>::decode, what as<T>() reads a result with, writes nothing when the value does
 * not fit T: a bool read from an int or a nil used to be set to false on the way out (as<T>()
 * then halted, so no sketch saw it; fuzz/arduino_rpc checks every type). */
void test_decode_leaves_output_on_failure(void **)
{
    static const uint8_t five[] = {0x05}, nil[] = {0xc0}, yes[] = {0xc3}, text[] = {0xa1, 'x'};
    detail::rpc_value v;
    bool b = true;
    assert_true(detail::rpc_read_value(five, sizeof five, &v));
    assert_false(detail::rpc_type<bool>::decode(v, b));
    assert_true(b);
    assert_true(detail::rpc_read_value(nil, sizeof nil, &v));
    assert_false(detail::rpc_type<bool>::decode(v, b));
    assert_true(b);
    int i = 7;
    assert_false(detail::rpc_type<int>::decode(v, i));
    assert_int_equal(i, 7);
    String s("kept");
    assert_false(detail::rpc_type<String>::decode(v, s));
    assert_string_equal(s.c_str(), "kept");
    assert_true(detail::rpc_read_value(text, sizeof text, &v));
    float f = 1.5f;
    assert_false(detail::rpc_type<float>::decode(v, f));
    assert_true(f == 1.5f);
    /* What fits is still written. */
    b = false;
    assert_true(detail::rpc_read_value(yes, sizeof yes, &v));
    assert_true(detail::rpc_type<bool>::decode(v, b));
    assert_true(b);
    assert_true(detail::rpc_read_value(five, sizeof five, &v));
    assert_true(detail::rpc_type<int>::decode(v, i));
    assert_int_equal(i, 5);
}

void test_nested_call(void **)
{
    /* The M4's handler calls back into the M7 while the M7 waits for it. */
    assert_int_equal(RPC.call("ask_m7", 7).as<int>(), 50);
    assert_int_equal(RPC.call("ask_m7", -3).as<int>(), 10);
}


/* A String argument that cannot get memory on the M7 is refused with an error that says so
 * and the function does not run: the M4 asks the M7 once with each allocation the M7 makes
 * while it serves that call failing in turn. A failure the call does not need (the empty
 * String fetch then replaces) changes nothing; the function never sees an invalid String. */
void test_string_argument_out_of_memory(void **)
{
    assert_string_equal(RPC.call("ask_m7_length", "four").as<String>().c_str(), "4");
    assert_int_equal(m7_length_runs, 1);
    failing_alloc_start(0);
    {
        auto counted = RPC.call("ask_m7_length", "four");
    }
    unsigned long allocs = failing_alloc_stop(), refused = 0;
    for (unsigned long nth = 1; nth <= allocs; nth++) {
        int runs = m7_length_runs;
        failing_alloc_start(nth);
        auto result = RPC.call("ask_m7_length", "four");
        failing_alloc_stop();
        String answer = result.as<String>();
        if (strcmp(answer.c_str(), "4") == 0) {
            assert_int_equal(m7_length_runs, runs + 1);
        } else {
            assert_string_equal(answer.c_str(), "m7_length: out of memory for a String argument");
            assert_int_equal(m7_length_runs, runs);
            refused++;
        }
    }
    assert_true(refused >= 1);
    assert_int_equal(m7_length_invalid, 0);
    /* A String result that cannot get memory is an invalid String, as Arduino's sign of it. */
    auto result = RPC.call("ask_m7_length", "four");
    unsigned long invalid = 0;
    for (unsigned long nth = 1;; nth++) {
        failing_alloc_start(nth);
        String answer = result.as<String>();
        if (failing_alloc_stop() < nth)
            break;
        if (answer)
            assert_string_equal(answer.c_str(), "4");
        invalid += !answer;
    }
    assert_true(invalid >= 1);
}

/* The MessagePack of a str or bin of n (< 256) bytes 'x', an array of n of them (each a str of
 * 40 'w', an int 1000, a str of 20 't' or an int 1000 + its index: 'n'), or a map of n entries
 * (1000 + index to its index (its low byte): 'm'). */
std::vector<uint8_t> raw_value(char kind, size_t n)
{
    std::vector<uint8_t> v;
    if (kind == 's' || kind == 'b')
        v = {kind == 's' ? (uint8_t)0xd9 : (uint8_t)0xc4, (uint8_t)n};
    else if (n < 16)
        v = {(uint8_t)((kind == 'm' ? 0x80 : 0x90) | n)};
    else /* array 16, map 16 */
        v = {kind == 'm' ? (uint8_t)0xde : (uint8_t)0xdc, (uint8_t)(n >> 8), (uint8_t)n};
    for (size_t i = 0; i < n; i++) {
        if (kind == 's' || kind == 'b') {
            v.push_back('x');
        } else if (kind == 'i' || kind == 'n' || kind == 'm') {
            unsigned x = kind == 'i' ? 1000 : 1000 + (unsigned)i;
            v.insert(v.end(), {0xcd, (uint8_t)(x >> 8), (uint8_t)x});
            if (kind == 'm')
                v.push_back((uint8_t)i);
        } else {
            size_t len = kind == 'w' ? 40 : 20;
            v.push_back((uint8_t)(0xa0 | (len & 0x1f)));
            if (len > 31)
                v.back() = 0xd9, v.push_back((uint8_t)len);
            v.insert(v.end(), len, kind == 'w' ? 'w' : 't');
        }
    }
    return v;
}

/* The M4's ask_m7_raw(method, value) through duet_call, which allocates nothing: its str. */
std::string ask_raw(const char *method, const std::vector<uint8_t> &value)
{
    uint8_t raw[DUET_RPC_ERROR_TEXT + 8];
    size_t len = 0;
    if (duet_call("ask_m7_raw", "sy:v", method, (const void *)value.data(), value.size(), raw, sizeof raw, &len) != DUET_OK)
        return std::string("the call failed: ") + duet_error_text();
    detail::rpc_value v;
    std::string text;
    if (!detail::rpc_read_value(raw, len, &v) || !detail::rpc_type<std::string>::decode(v, text))
        return "no str";
    return text;
}

/* A call nested in the handler of a message over one RPMsg buffer (reassembled from its
 * fragments, and read in place while the handler runs) gets its answer: the M4's handler of
 * a 935-byte request calls the M7 with the 903 bytes and waits for the M7's answer. */
void test_nested_call_in_a_large_request(void **)
{
    std::vector<uint8_t> value = raw_value('n', 300);
    assert_true(value.size() > 496); /* one buffer's payload on the GIGA's layout */
    int runs = m7_copies_runs;
    assert_string_equal(ask_raw("m7_ints_count", value).c_str(), "ok");
    assert_int_equal(m7_copies_runs, runs + 1);
}

/* A call nested in the handler of a large request gets a large answer: the M4's handler of
 * a 900-byte request calls the M7, whose 600-byte result (over one RPMsg buffer too) is
 * reassembled above the request, which is still being delivered. Before, the answer's
 * fragments waited until the handler returned, and the call timed out. */
void test_large_answer_to_a_call_in_a_large_request(void **)
{
    std::vector<uint8_t> request(900, 0x5a);
    assert_string_equal(RPC.call("ask_m7_bytes", request, 600).as<String>().c_str(), "600");
    /* and the large request behind it still comes through, as does a small answer */
    assert_string_equal(RPC.call("ask_m7_bytes", request, 10).as<String>().c_str(), "10");
}

/* Whether answer is one of the refusals (an element's, "element 1" or "element 3" too). */
bool refused_as(const std::string &answer, const char *refusal, const char *also)
{
    if (answer == refusal || (also && answer == also))
        return true;
    const char *at = strstr(refusal, "element 2: ");
    size_t digit = at ? (size_t)(at - refusal) + strlen("element ") : 0;
    if (!at || answer.size() <= digit || (answer[digit] != '1' && answer[digit] != '3'))
        return false;
    std::string element = answer;
    element[digit] = '2';
    return element == refusal;
}

/* A std::string or std::vector argument (or a string in one), or a container of nodes (a
 * set's, a list's, a map's, a deque's blocks), that cannot get memory on the M7 is refused
 * saying so, never aborts the M7: the M4 passes it on (ask_m7_raw) once with each allocation
 * the M7 makes while it serves the call failing in turn. */
void test_copies_out_of_memory(void **)
{
    struct {
        const char *method;
        char kind;
        size_t n;
        const char *refusal;
        const char *also; /* a container's own memory, when the refusal is an element's */
    } cases[] = {
        {"m7_ints_count", 'i', 12, "m7_ints_count: argument 1: out of memory for a std::vector", nullptr},
        {"m7_bytes_count", 'b', 100, "m7_bytes_count: out of memory for a std::vector<uint8_t> argument", nullptr},
        {"m7_std_length", 's', 100, "m7_std_length: out of memory for a std::string argument", nullptr},
        {"m7_words_count", 'w', 3, "m7_words_count: argument 1: element 2: out of memory for a std::string",
         "m7_words_count: argument 1: out of memory for a std::vector"},
        {"m7_texts_count", 't', 3, "m7_texts_count: argument 1: element 2: out of memory for a String",
         "m7_texts_count: argument 1: out of memory for a std::vector"},
        {"m7_set_count", 'n', 5, "m7_set_count: argument 1: out of memory for a std::set", nullptr},
        {"m7_multiset_count", 'i', 5, "m7_multiset_count: argument 1: out of memory for a std::multiset", nullptr},
        {"m7_uset_count", 'n', 15, "m7_uset_count: argument 1: out of memory for a std::unordered_set", nullptr},
        {"m7_list_count", 'n', 5, "m7_list_count: argument 1: out of memory for a std::list", nullptr},
        /* 150 ints: a deque of two blocks of 128 */
        {"m7_deque_count", 'n', 150, "m7_deque_count: argument 1: out of memory for a std::deque", nullptr},
        {"m7_flist_count", 'n', 5, "m7_flist_count: argument 1: out of memory for a std::forward_list", nullptr},
        {"m7_map_count", 'm', 5, "m7_map_count: argument 1: out of memory for a std::map", nullptr},
        {"m7_umap_count", 'm', 15, "m7_umap_count: argument 1: out of memory for a std::unordered_map", nullptr},
        {"m7_words_list", 'w', 3, "m7_words_list: argument 1: element 2: out of memory for a std::string",
         "m7_words_list: argument 1: out of memory for a std::list"},
    };
    for (const auto &c : cases) {
        std::vector<uint8_t> value = raw_value(c.kind, c.n);
        assert_string_equal(ask_raw(c.method, value).c_str(), "ok");
        failing_alloc_start(0);
        (void)ask_raw(c.method, value);
        unsigned long allocs = failing_alloc_stop(), refused = 0;
        for (unsigned long nth = 1; nth <= allocs; nth++) {
            int runs = m7_copies_runs;
            failing_alloc_start(nth);
            std::string answer = ask_raw(c.method, value);
            failing_alloc_stop();
            if (answer == "ok") {
                assert_int_equal(m7_copies_runs, runs + 1);
                continue;
            }
            if (!refused_as(answer, c.refusal, c.also))
                fail_msg("%s, allocation %lu failing: \"%s\"", c.method, nth, answer.c_str());
            assert_int_equal(m7_copies_runs, runs);
            refused += answer == c.refusal;
        }
        if (refused == 0) /* the refusal above came once at least */
            fail_msg("%s: no allocation's failure was refused as \"%s\" (%lu allocations)", c.method, c.refusal, allocs);
    }
}

/* A result of len bytes of MessagePack, as RPC.call("r") would leave it. */
struct raw_result : RPCResult {
    explicit raw_result(const std::vector<uint8_t> &raw)
        : RPCResult("r", [&](void *buf, size_t cap, size_t *len) {
              assert_true(raw.size() <= cap);
              memcpy(buf, raw.data(), raw.size());
              *len = raw.size();
              return DUET_OK;
          })
    {
    }
};

/* as<T>() of value with each of its allocations failing in turn (in a child, which it may
 * stop): T's value, or a stop with the line "...as<name>(): the result of r could not be
 * kept: " and one of the refusals, never an abort. */
template <typename T> void result_out_of_memory(const char *name, const std::vector<uint8_t> &value, const char *refusal,
                                                const char *also = nullptr)
{
    raw_result r(value);
    const T whole = r.as<T>();
    size_t size = (size_t)std::distance(whole.begin(), whole.end());
    failing_alloc_start(0);
    (void)r.as<T>();
    unsigned long allocs = failing_alloc_stop(), stopped = 0;
    std::string head = std::string("M7: RPC.call(\"r\").as<") + name + ">(): the result of r could not be kept: ", err;
    for (unsigned long nth = 1; nth <= allocs; nth++) {
        int status = in_child([&] {
            failing_alloc_start(nth);
            T got = r.as<T>();
            failing_alloc_stop();
            _exit((size_t)std::distance(got.begin(), got.end()) == size ? 0 : 2);
        }, err);
        if (status == 0)
            continue;
        std::string line = err.substr(0, err.find('\n'));
        if (status != 1 || line.compare(0, head.size(), head) != 0 ||
            !refused_as(line.substr(head.size()), refusal, also))
            fail_msg("as<%s>(), allocation %lu failing: status %d, \"%s\"", name, nth, status, err.c_str());
        stopped += line.substr(head.size()) == refusal;
    }
    if (stopped == 0)
        fail_msg("as<%s>(): no allocation's failure stopped it as \"%s\" (%lu allocations)", name, refusal, allocs);
}

/* A result the M7 cannot get memory for stops the sketch with a line saying so, as a result
 * of the wrong type does (as<T>() never gives a wrong value), never an abort. */
void test_results_out_of_memory(void **)
{
    result_out_of_memory<std::string>("std::string", raw_value('s', 100), "out of memory for a std::string");
    result_out_of_memory<std::vector<uint8_t>>("std::vector<uint8_t>", raw_value('b', 100),
                                               "out of memory for a std::vector<uint8_t>");
    result_out_of_memory<std::vector<int>>("std::vector", raw_value('i', 12), "out of memory for a std::vector");
    result_out_of_memory<std::vector<std::string>>("std::vector", raw_value('w', 3),
                                                   "element 2: out of memory for a std::string",
                                                   "out of memory for a std::vector");
    result_out_of_memory<std::set<int>>("std::set", raw_value('n', 5), "out of memory for a std::set");
    result_out_of_memory<std::multiset<int>>("std::multiset", raw_value('i', 5), "out of memory for a std::multiset");
    result_out_of_memory<std::unordered_set<int>>("std::unordered_set", raw_value('n', 15),
                                                  "out of memory for a std::unordered_set");
    result_out_of_memory<std::list<int>>("std::list", raw_value('n', 5), "out of memory for a std::list");
    result_out_of_memory<std::deque<int>>("std::deque", raw_value('n', 150), "out of memory for a std::deque");
    result_out_of_memory<std::forward_list<int>>("std::forward_list", raw_value('n', 5),
                                                 "out of memory for a std::forward_list");
    result_out_of_memory<std::map<int, int>>("std::map", raw_value('m', 5), "out of memory for a std::map");
    result_out_of_memory<std::unordered_map<int, int>>("std::unordered_map", raw_value('m', 15),
                                                       "out of memory for a std::unordered_map");
    result_out_of_memory<std::list<std::string>>("std::list", raw_value('w', 3), "element 2: out of memory for a std::string",
                                                 "out of memory for a std::list");
}

void test_stream_both_ways(void **)
{
    RPC.setTimeout(2000);
    assert_int_equal(RPC.call("say", 3).as<int>(), 3);
    assert_string_equal(RPC.readStringUntil('\n').c_str(), "line 0\r");
    assert_string_equal(RPC.readStringUntil('\n').c_str(), "line 1\r");
    assert_string_equal(RPC.readStringUntil('\n').c_str(), "line 2\r");
    assert_string_equal(RPC.readStringUntil('\n').c_str(), "FF -2.500 end\r");
    assert_int_equal(RPC.available(), 0);
    assert_int_equal(RPC.read(), -1);
    assert_int_equal(RPC.peek(), -1);
    RPC.setTimeout(DUET_RPC_DEFAULT_TIMEOUT_MS);
}

std::string raw_text;
int raw_pieces;
void raw_receiver(const uint8_t *buf, size_t len)
{
    raw_text.append(reinterpret_cast<const char *>(buf), len);
    raw_pieces++;
}

/* The Arduino library's raw stream: attach(fn(buf, len)) gets the other core's text instead
 * of read(), and write(buf, len, true) writes to the stream (false is refused). */
void test_raw_stream(void **)
{
    RPC.attach(raw_receiver);
    assert_int_equal(RPC.call("say", 1).as<int>(), 1);
    for (int waited = 0; waited < 2000 && raw_text.find("end") == std::string::npos; waited += 10)
        delay(10);
    assert_string_equal(raw_text.c_str(), "line 0\r\nFF -2.500 end\r\n");
    assert_true(raw_pieces >= 1);
    assert_int_equal(RPC.available(), 0);
    RPC.attach(static_cast<void (*)(const uint8_t *, size_t)>(nullptr)); /* ignored, as there */
    RPC.attach(nullptr); /* duet's: no function any more */

    const uint8_t ping[] = "Ping!";
    assert_int_equal(RPC.write(ping, 5, true), 5);
    std::string err;
    assert_int_equal(in_child([&] { _exit((int)RPC.write(ping, 5, false)); }, err), 0);
    assert_true(contains(err.c_str(), "RPC.write(buffer, 5, false)"));
    RPC.flush();
    assert_string_equal(RPC.call("heard").as<String>().c_str(), "Ping!");

    assert_int_equal(RPC.call("say", 0).as<int>(), 0);
    RPC.setTimeout(2000);
    assert_string_equal(RPC.readStringUntil('\n').c_str(), "FF -2.500 end\r");
    RPC.setTimeout(DUET_RPC_DEFAULT_TIMEOUT_MS);
    assert_string_equal(raw_text.c_str(), "line 0\r\nFF -2.500 end\r\n");
}

/* std::vector<uint8_t> and std::vector<char> travel as bin, both ways, any length. */
void test_byte_vectors(void **)
{
    std::vector<uint8_t> in = {0x00, 0x01, 0xff, 0x80, 0x7f};
    std::vector<uint8_t> out = RPC.call("bytes_reverse", in).as<std::vector<uint8_t>>();
    const uint8_t reversed[] = {0x7f, 0x80, 0xff, 0x01, 0x00};
    assert_int_equal(out.size(), sizeof reversed);
    assert_memory_equal(out.data(), reversed, sizeof reversed);
    std::vector<uint8_t> big(300);
    for (size_t i = 0; i < big.size(); i++)
        big[i] = (uint8_t)i;
    out = RPC.call("bytes_reverse", big).as<std::vector<uint8_t>>();
    assert_int_equal(out.size(), 300);
    assert_int_equal(out[0], (uint8_t)299);
    assert_int_equal(out[299], 0);
    assert_int_equal(RPC.call("bytes_reverse", std::vector<uint8_t>()).as<std::vector<uint8_t>>().size(), 0);
    /* On the wire a bin both ways: duet's own 'y' (bin only) takes the result. */
    uint8_t raw[8];
    size_t raw_len = 0;
    assert_int_equal(duet_call("bytes_reverse", "y:y", (const void *)"ab", (size_t)2, raw, sizeof raw, &raw_len), DUET_OK);
    assert_int_equal(raw_len, 2);
    assert_memory_equal(raw, "ba", 2);
    assert_int_equal(RPC.call("chars_sum", std::vector<char>{'a', 'b', '\xff'}).as<int>(), 'a' + 'b' + 255);
    /* A str result reads as bytes too, as the Arduino library's MessagePack reads it. */
    std::vector<char> hello = RPC.call("greet", "x").as<std::vector<char>>();
    assert_int_equal(hello.size(), 7);
    assert_memory_equal(hello.data(), "hello x", 7);
    /* Anything else where bytes are bound is refused before the function runs. */
    auto wrong = RPC.call("bytes_reverse", 5);
    assert_false(wrong.ok());
    assert_non_null(strstr(wrong.errorText(), "bytes_reverse: argument 1: expected bin, got"));
    RPC.send("chars_sum", std::vector<char>{'x'}); /* a notification carries bytes too */
    assert_int_equal(RPC.call("add", 1, 1).as<int>(), 2);
}

/* std::vector of numbers and texts travels as a MessagePack array, both ways, each element
 * checked as a value of its type. */
void test_arrays(void **)
{
    assert_int_equal(RPC.call("ints_sum", std::vector<int>{1, -2, 300, 70000}).as<long>(), 1 - 2 + 300 + 70000);
    assert_int_equal(RPC.call("ints_sum", std::vector<int>()).as<long>(), 0);
    std::vector<int> many(1000, 3);
    assert_int_equal(RPC.call("ints_sum", many).as<long>(), 3000);
    std::vector<double> scaled = RPC.call("scaled", std::vector<double>{1.5, -2, 1e300}, 2.0f).as<std::vector<double>>();
    assert_int_equal(scaled.size(), 3);
    assert_true(scaled[0] == 3.0 && scaled[1] == -4.0 && scaled[2] == 2e300);
    std::vector<std::string> words =
        RPC.call("words", std::vector<String>{"ab", "", "c d"}, 2).as<std::vector<std::string>>();
    assert_int_equal(words.size(), 6);
    assert_string_equal(words[0].c_str(), "ab!");
    assert_string_equal(words[1].c_str(), "!");
    assert_string_equal(words[5].c_str(), "c d!");
    std::vector<String> as_strings = RPC.call("words", std::vector<std::string>{"x"}, 1).as<std::vector<String>>();
    assert_int_equal(as_strings.size(), 1);
    assert_string_equal(as_strings[0].c_str(), "x!");
    /* On the wire an array, as msgpack-c packs std::vector<int>: [1, -2, 300]. */
    uint8_t raw[32];
    size_t raw_len = 0;
    const uint8_t ints[] = {0x93, 0x01, 0xfe, 0xcd, 0x01, 0x2c};
    assert_int_equal(duet_call("ints_sum", "v:v", (const void *)ints, sizeof ints, raw, sizeof raw, &raw_len), DUET_OK);
    assert_int_equal(raw_len, 3);
    assert_memory_equal(raw, "\xcd\x01\x2b", 3); /* 299, as msgpack-c packs it too */
    /* Wrong elements are refused before the function runs, naming the argument and element. */
    auto wrong = RPC.call("ints_sum", std::vector<String>{"1"});
    assert_false(wrong.ok());
    assert_non_null(strstr(wrong.errorText(), "ints_sum: argument 1: element 1: expected int32, got str"));
    auto not_array = RPC.call("ints_sum", 5);
    assert_non_null(strstr(not_array.errorText(), "ints_sum: argument 1: expected an array of int32, got"));
    auto too_big = RPC.call("ints_sum", std::vector<long long>{1, 1LL << 40});
    assert_non_null(strstr(too_big.errorText(), "ints_sum: argument 1: element 2: expected int32, got int out of its range"));
    auto words_range = RPC.call("words", std::vector<String>{"a"}, 300);
    assert_false(words_range.ok());
    /* A result that is no array of the type asked for stops the sketch, as as<T>() does. */
    std::string err;
    auto number = RPC.call("add", 1, 2); /* (the child only reads it: it must not talk to the M4) */
    assert_int_equal(in_child([&] { (void)number.as<std::vector<int>>(); }, err), 1);
    assert_true(contains(err.c_str(), "RPC.call(\"add\").as<std::vector>(): add returned int, which is no std::vector"));
    RPC.send("ints_sum", std::vector<int>{4}); /* a notification carries arrays too */
    assert_int_equal(RPC.call("add", 1, 1).as<int>(), 2);
}

static int serial_rpc_arrivals;

/* SerialRPC: the M4's println reaches this core's SerialRPC, and this core's print the M4's. */
void test_serial_rpc(void **)
{
    assert_int_equal(SerialRPC.begin(), 1);
    assert_true((bool)SerialRPC);
    SerialRPC.attach([] { serial_rpc_arrivals++; });
    assert_int_equal(RPC.call("serial_rpc_say", 3).as<int>(), 3);
    const char want[] = "tty 0\r\ntty 1\r\ntty 2\r\n";
    unsigned long start = millis();
    while (SerialRPC.available() < (int)strlen(want) && millis() - start < 3000)
        delay(5);
    assert_int_equal(SerialRPC.available(), strlen(want));
    assert_int_equal(SerialRPC.peek(), 't');
    String got;
    while (SerialRPC.available())
        got += (char)SerialRPC.read();
    assert_string_equal(got.c_str(), want);
    assert_int_equal(SerialRPC.read(), -1);
    assert_int_equal(SerialRPC.peek(), -1);
    assert_true(serial_rpc_arrivals >= 3); /* println sends its text and its line end apart */
    assert_int_equal(SerialRPC.print("to the M4 "), 10);
    SerialRPC.println(42);
    assert_string_equal(RPC.call("serial_rpc_heard").as<String>().c_str(), "to the M4 42\r\n");
}

void test_timeout(void **)
{
    RPC.setTimeout(50);
    auto r = RPC.call("sleepy", 300);
    assert_true(RPC.timedOut());
    assert_int_equal(r.error(), DUET_ERR_TIMEOUT);
    assert_true(contains(r.errorText(), "sleepy"));
    RPC.setTimeout(DUET_RPC_DEFAULT_TIMEOUT_MS);
    /* The late answer is dropped; the next call gets its own. */
    assert_int_equal(RPC.call("add", 1, 1).as<int>(), 2);
    assert_false(RPC.timedOut());
}

void test_threads_call_at_once(void **)
{
    /* A second thread calls while this one calls too and polls in between: the port's lock
     * keeps them apart, and each thread's wait ends when its own answer came, whichever
     * thread took the message in. */
    std::atomic<int> wrong{0}, done{0}, mine_calls{0}, in_call{0}, both_in_call{0};
    auto call_counted = [&](const char *name, int x) {
        if (++in_call == 2)
            both_in_call++;
        int v = RPC.call(name, x, 1000).as<int>();
        in_call--;
        return v;
    };
    std::thread other([&] {
        /* Both threads call at once: this one starts once the main thread is calling, and the
         * main thread calls until this one is done (however the host schedules them). */
        while (mine_calls < 5)
            std::this_thread::yield();
        for (int i = 0; i < 300; i++)
            if (call_counted("add", i) != i + 1000)
                wrong++;
        done = 1;
    });
    int mine = 0;
    while (!done) {
        if (call_counted("add", mine) != mine + 1000)
            wrong++;
        mine++;
        mine_calls = mine;
        duet_poll();
        (void)RPC.available();
    }
    other.join();
    assert_int_equal(wrong.load(), 0);
    /* the case under test happened: at some moment both threads were waiting for an answer */
    assert_true(both_in_call.load() > 0);
}

void test_error_text_per_thread(void **)
{
    /* Each thread reads its own last failure: another thread failing afterwards changes
     * nothing for it, and calls failing at the same moment never swap their texts. */
    std::atomic<int> step{0}, wrong{0};
    std::thread other([&] {
        assert_false(RPC.call("nope_other", 1).ok());
        step = 1;
        while (step != 2)
            std::this_thread::yield();
        if (!contains(duet_error_text(), "'nope_other'"))
            wrong++;
        for (int i = 0; i < 300; i++) {
            RPCResult r = RPC.call("nope_b", i);
            if (!contains(r.errorText(), "'nope_b'") || !contains(duet_error_text(), "'nope_b'"))
                wrong++;
        }
    });
    while (step != 1)
        std::this_thread::yield();
    assert_false(RPC.call("nope_main").ok());
    assert_true(contains(duet_error_text(), "'nope_main'")); /* the M4 names the function */
    step = 2;
    for (int i = 0; i < 300; i++) {
        int32_t v = 0;
        if (duet_call("nope_a", "i:i", i, &v) != DUET_ERR_REMOTE || !contains(duet_error_text(), "'nope_a'"))
            wrong++;
    }
    other.join();
    assert_int_equal(wrong.load(), 0);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpu_id),
        cmocka_unit_test(test_int_calls),
        cmocka_unit_test(test_every_argument_type),
        cmocka_unit_test(test_float_results),
        cmocka_unit_test(test_string_results),
        cmocka_unit_test(test_send_and_void),
        cmocka_unit_test(test_wrong_calls_are_errors),
        cmocka_unit_test(test_as_never_gives_a_wrong_value),
        cmocka_unit_test(test_decode_leaves_output_on_failure),
        cmocka_unit_test(test_nested_call),
        cmocka_unit_test(test_nested_call_in_a_large_request),
        cmocka_unit_test(test_large_answer_to_a_call_in_a_large_request),
        cmocka_unit_test(test_string_argument_out_of_memory),
        cmocka_unit_test(test_copies_out_of_memory),
        cmocka_unit_test(test_results_out_of_memory),
        cmocka_unit_test(test_stream_both_ways),
        cmocka_unit_test(test_raw_stream),
        cmocka_unit_test(test_byte_vectors),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_serial_rpc),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_threads_call_at_once),
        cmocka_unit_test(test_error_text_per_thread),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * fuzz_arduino_rpc.cpp - libFuzzer target for the values the Arduino layer's RPC object
 * (compat/arduino: RPC.h, rpc_types.h, rpc_values.h, rpc_bind.h, RPC.cpp) takes from the other core, which
 * may send anything.
 *
 * The input's first byte picks what runs on the bytes after it: its low two bits 0, (A)
 * alone; 1, (B) with the bytes delivered at once; 2, (B) with each whole value delivered alone
 * (what is left after the last whole one as one more piece); 3, (A) then (B), delivered as 2
 * does when bit 3 is set, else as 1 does. Bit 2 adds the failed-call checks of (A). Each half
 * checks against a model written here from the MessagePack spec and docs/arduino.md, not with
 * the layer's own code:
 *
 *   A. The bytes as the result of a call, read as every type as<T>() takes: int8..int64 and
 *      uint8..uint64 (as int8_t.., and as char, long, unsigned long, long long), bool, float,
 *      double, String and std::string. The model decodes the first value's header by the
 *      spec: an integer fits T when its value is in T's range, whatever its encoding (a
 *      signed encoding of a value >= 0 too); bool takes a bool only; float and double take
 *      any integer or float (an integer converts to double first, then to float, as the C
 *      core's 'f' does); String and std::string take a str only, every byte of it; nil and
 *      every other type fit nothing. Checked for each T:
 *      - rpc_read_value fails exactly when the first value's header (or a str, bin or ext
 *        body) is not all there or is 0xc1; rpc_type<T>::decode, as as<T>() calls it,
 *        succeeds exactly when the model says it fits, with the model's value (floats bit for
 *        bit, a NaN as a NaN), and on failure leaves its output as it was;
 *      - as<T>() itself on an RPCResult holding the bytes: it returns the model's value when
 *        it fits, else it halts (the harness's halt throws) with the one line the model
 *        expects: "the result of M could not be read", "M returned 300, which does not fit
 *        uint8" for an integer of T's kind, "M returned str, which is no int32" otherwise;
 *        ok() holds, isNil() says whether the bytes are exactly one nil, and nothing is
 *        reported when the result goes away;
 *      - as<std::vector<E>>() for E int64_t, uint16_t, bool, float and String (decode_raw):
 *        a vector only when the first value is an array (else the output is left alone),
 *        and that vector, written as an array again (rpc_value_encode), reads back equal;
 *      - the containers and structs of rpc_values.h (a map of vectors, an unordered_map, a
 *        tuple, a vector of bins, a byte std::array, a MSGPACK_DEFINE_MAP struct and a
 *        recursive MSGPACK_DEFINE one) and of rpc_values_std.h (a set, a multiset, an
 *        unordered_set, a list, a deque, a forward_list of std::byte, a std::byte std::array,
 *        a vector of optionals, a struct with MSGPACK_NVP and MSGPACK_BASE_MAP): a value only
 *        when the first value is an array or map (a bin or str for the byte std::arrays), else
 *        the output is left alone, and on
 *        failure a problem text that is not empty; a value read, written again, reads back
 *        equal, its nesting within DUET_ARDUINO_RPC_DEPTH; a std::optional of a vector is
 *        empty only from a nil and a value only from an array;
 *      - with the flag bit: an RPC.call() that nothing answers fails (DUET_ERR_TIMEOUT,
 *        timedOut()) with an errorText() that names the function, as<T>() halts with "the
 *        call failed", and a failed result nobody looked at is reported exactly once when it
 *        goes away.
 *   B. The bytes as messages from the other core to duet's own engine (duet_rpc_instance(),
 *      on a link of the harness), with functions bound by RPC.bind as a sketch binds them: a
 *      plain function, lambdas with captures, a functor, a std::function, a noexcept
 *      function; every parameter type (int8_t..uint64_t, char, long, unsigned long, bool,
 *      float, double, String, const String &, std::string, const std::string &, const char *)
 *      and results of each, void, no arguments and eight. Each records its arguments and
 *      returns its first argument when that has the result's type, else a fixed value. The
 *      model walks the bytes as the engine frames them (a message that is no whole value
 *      ends what was delivered with it) and for each request and notification predicts:
 *      - a request with a msgid gets exactly one response, [1, msgid, error, result], whole,
 *        alone in its message, with the msgid's bytes as sent, in the order of the requests;
 *      - a call whose name is bound, whose argument count matches and whose every argument
 *        fits its C++ parameter (an integer in the parameter type's own range, so 300 never
 *        reaches an int8_t; a bool for bool; a number for float and double; a str for text)
 *        runs the function once with exactly the values sent (a const char * up to the
 *        first NUL), and the response holds nil and the function's result (an integer of
 *        that value, a float as a float32, a double as a float64, a bool, a str), or, when
 *        that does not fit one message, an error saying so ("output buffer too small": put()
 *        returns the writer's error);
 *      - any other request gets an error (a str, with a nil result) and runs nothing: a wrong
 *        count says "expected N argument..", a wrong type or range names the function and an
 *        argument that is wrong ("argument K:"); a name that is not bound or a malformed
 *        request gets some error;
 *      - notifications run the same way and are never answered; responses from the other
 *        side run nothing and are never answered;
 *      - no function runs that the model did not predict, and afterwards the engine has no
 *        handler running and no frame held.
 * Everything runs under ASan and UBSan. The layer's halt and report are the harness's (a
 * halt throws; reports are kept and checked), and the port (duet_port_default, millis,
 * delay) is a stub: RPC.begin() is never called.
 */
#include <cmath>
#include <cstddef>
#include <deque>
#include <forward_list>
#include <functional>
#include <array>
#include <list>
#include <optional>
#include <set>
#include <unordered_set>
#include <limits>
#include <map>
#include <memory>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "RPC.h"
#include "halt.h"

#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ------------------------------------------------------------ the stubs of the port and halt */

/* No port: duet_begin() is never called, and the engine runs on the harness's link. */
extern "C" duet_port *duet_port_default(void) { return nullptr; }
unsigned long millis(void) { return 0; }
void delay(unsigned long ms) { (void)ms; }

/* What halt() throws: the line a sketch would have stopped with. */
struct halted {
    std::string line;
};

/* The lines report() printed since the harness last looked. */
static std::vector<std::string> g_reports;

static std::string format_line(const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    return line;
}

namespace arduino {
namespace detail {

void report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_reports.push_back(format_line(fmt, ap));
    va_end(ap);
}

void halt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    std::string line = format_line(fmt, ap);
    va_end(ap);
    throw halted{line};
}

} // namespace detail
} // namespace arduino

static bool starts_with(const std::string &s, const std::string &prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

/* ------------------------------------------------------------ values */

/* A value as the model and the recorders see it: an integer ('i' signed, 'u' unsigned), a
 * bool, a float, a double, a str or nil. */
struct val {
    char kind = 'n';
    int64_t i = 0;
    uint64_t u = 0;
    bool b = false;
    float f = 0;
    double d = 0;
    std::string s;
};

static bool same_float(float a, float b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    uint32_t x, y;
    memcpy(&x, &a, 4);
    memcpy(&y, &b, 4);
    return x == y;
}

static bool same_double(double a, double b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    uint64_t x, y;
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    return x == y;
}

/* The same integer, whichever kind holds it. */
static bool same_integer(const val &a, const val &b)
{
    bool an = a.kind == 'i' && a.i < 0, bn = b.kind == 'i' && b.i < 0;
    if (an || bn)
        return an && bn && a.i == b.i;
    uint64_t x = a.kind == 'i' ? (uint64_t)a.i : a.u, y = b.kind == 'i' ? (uint64_t)b.i : b.u;
    return x == y;
}

static bool same(const val &a, const val &b)
{
    bool ai = a.kind == 'i' || a.kind == 'u', bi = b.kind == 'i' || b.kind == 'u';
    if (ai || bi)
        return ai && bi && same_integer(a, b);
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case 'b': return a.b == b.b;
    case 'f': return same_float(a.f, b.f);
    case 'd': return same_double(a.d, b.d);
    case 's': return a.s == b.s;
    default: return true;
    }
}

static std::string show(const val &v)
{
    char buf[64];
    switch (v.kind) {
    case 'i': snprintf(buf, sizeof buf, "%lld", (long long)v.i); return buf;
    case 'u': snprintf(buf, sizeof buf, "%llu", (unsigned long long)v.u); return buf;
    case 'b': return v.b ? "true" : "false";
    case 'f': snprintf(buf, sizeof buf, "%a (float)", (double)v.f); return buf;
    case 'd': snprintf(buf, sizeof buf, "%a", v.d); return buf;
    case 's': return "str of " + std::to_string(v.s.size()) + " bytes";
    default: return "nil";
    }
}

/* A C++ value as a val. */
template <typename T> static val val_of(const T &x)
{
    val v;
    typedef typename std::decay<T>::type D;
    if constexpr (std::is_same<D, bool>::value) {
        v.kind = 'b';
        v.b = x;
    } else if constexpr (std::is_integral<D>::value && std::is_signed<D>::value) {
        v.kind = 'i';
        v.i = (int64_t)x;
    } else if constexpr (std::is_integral<D>::value) {
        v.kind = 'u';
        v.u = (uint64_t)x;
    } else if constexpr (std::is_same<D, float>::value) {
        v.kind = 'f';
        v.f = x;
    } else if constexpr (std::is_same<D, double>::value) {
        v.kind = 'd';
        v.d = x;
    } else if constexpr (std::is_same<D, String>::value) {
        v.kind = 's';
        v.s.assign(x.c_str(), x.length());
    } else if constexpr (std::is_same<D, std::string>::value) {
        v.kind = 's';
        v.s = x;
    } else {
        static_assert(std::is_same<D, const char *>::value || std::is_same<D, char *>::value, "a type to record");
        v.kind = 's';
        v.s = x ? x : "(null)";
    }
    return v;
}

/* ------------------------------------------------------------ the MessagePack model */

/* The first value of some bytes as the spec says it is: its kind ('n' nil, 'b' bool, 'u' an
 * unsigned encoding, 'i' a signed one, 'f' float32, 'd' float64, 's' str, 'o' any other
 * type, named in other), or 'x' when its header (or a str, bin or ext body) is not all there
 * or it is 0xc1. len: the bytes it takes (header and body; an array or map's header only). */
struct mp_head {
    char kind = 'x';
    const char *other = "";
    int64_t i = 0;
    uint64_t u = 0;
    bool b = false;
    float f = 0;
    double d = 0;
    std::string s;
    size_t len = 0;
};

static uint64_t load_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t k = 0; k < n; k++)
        v = v << 8 | p[k];
    return v;
}

static mp_head mp_decode(const uint8_t *p, size_t n)
{
    mp_head h;
    if (n == 0)
        return h;
    uint8_t b = p[0];
    size_t head = 1;      /* header bytes */
    uint64_t body = 0;    /* bytes after the header (str, bin, ext) */
    char kind = 'o';
    const char *other = "";
    if (b <= 0x7f) {
        kind = 'u';
        h.u = b;
    } else if (b <= 0x8f) {
        other = "map";
    } else if (b <= 0x9f) {
        other = "array";
    } else if (b <= 0xbf) {
        kind = 's';
        body = b & 0x1f;
    } else if (b >= 0xe0) {
        kind = 'i';
        h.i = (int8_t)b;
    } else {
        switch (b) {
        case 0xc0: kind = 'n'; break;
        case 0xc1: return h;
        case 0xc2: case 0xc3: kind = 'b'; h.b = b == 0xc3; break;
        case 0xc4: case 0xc5: case 0xc6: /* bin 8, 16, 32 */
            other = "bin";
            head = 1 + ((size_t)1 << (b - 0xc4));
            if (n < head)
                return h;
            body = load_be(p + 1, head - 1);
            break;
        case 0xc7: case 0xc8: case 0xc9: /* ext 8, 16, 32: the length, then the type byte */
            other = "ext";
            head = 2 + ((size_t)1 << (b - 0xc7));
            if (n < head)
                return h;
            body = load_be(p + 1, head - 2);
            break;
        case 0xca: kind = 'f'; head = 5; break;
        case 0xcb: kind = 'd'; head = 9; break;
        case 0xcc: case 0xcd: case 0xce: case 0xcf: kind = 'u'; head = 1 + ((size_t)1 << (b - 0xcc)); break;
        case 0xd0: case 0xd1: case 0xd2: case 0xd3: kind = 'i'; head = 1 + ((size_t)1 << (b - 0xd0)); break;
        case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: /* fixext 1..16 */
            other = "ext";
            head = 2;
            body = (uint64_t)1 << (b - 0xd4);
            break;
        case 0xd9: case 0xda: case 0xdb: /* str 8, 16, 32 */
            kind = 's';
            head = 1 + ((size_t)1 << (b - 0xd9));
            if (n < head)
                return h;
            body = load_be(p + 1, head - 1);
            break;
        case 0xdc: case 0xdd: other = "array"; head = b == 0xdc ? 3 : 5; break;
        default: other = "map"; head = b == 0xde ? 3 : 5; break; /* 0xde, 0xdf */
        }
    }
    if (n < head || body > n - head)
        return h;
    const uint8_t *q = p + 1;
    size_t w = head - 1;
    if (kind == 'u' && b >= 0xcc) {
        h.u = load_be(q, w);
    } else if (kind == 'i' && b < 0xe0) {
        uint64_t raw = load_be(q, w);
        unsigned bits = (unsigned)w * 8;
        /* Sign-extend the w bytes. */
        if (bits < 64 && (raw >> (bits - 1) & 1))
            raw |= ~(uint64_t)0 << bits;
        h.i = (int64_t)raw;
    } else if (kind == 'f') {
        uint32_t bits = (uint32_t)load_be(q, 4);
        memcpy(&h.f, &bits, 4);
    } else if (kind == 'd') {
        uint64_t bits = load_be(q, 8);
        memcpy(&h.d, &bits, 8);
    } else if (kind == 's') {
        h.s.assign(reinterpret_cast<const char *>(p + head), (size_t)body);
    }
    h.kind = kind;
    h.other = other;
    h.len = head + (size_t)body;
    return h;
}

/* How the layer names a type in its texts (rpc_types.h's names). */
static const char *mp_type_name(const mp_head &h)
{
    switch (h.kind) {
    case 'n': return "nil";
    case 'b': return "bool";
    case 'u': case 'i': return "int";
    case 'f': return "float32";
    case 'd': return "float64";
    case 's': return "str";
    default: return h.other;
    }
}

/* ------------------------------------------------------------ what a C++ type takes */

/* A parameter or result type as the model sees it: its class ('I' integer, 'B' bool, 'F'
 * float, 'D' double, 'S' a String or std::string, 'C' a char pointer, 'V' void), an
 * integer's range and the name the layer gives it in texts. */
struct cxx_type {
    char cls = 'V';
    bool is_signed = false;
    int64_t min = 0;
    uint64_t max = 0;
    std::string name;
};

template <typename T> static cxx_type cxx_type_of()
{
    typedef typename std::decay<T>::type D;
    cxx_type t;
    if constexpr (std::is_void<D>::value) {
        t.cls = 'V';
    } else if constexpr (std::is_same<D, bool>::value) {
        t.cls = 'B';
        t.name = "bool";
    } else if constexpr (std::is_integral<D>::value) {
        t.cls = 'I';
        t.is_signed = std::is_signed<D>::value;
        t.min = (int64_t)std::numeric_limits<D>::min();
        t.max = (uint64_t)std::numeric_limits<D>::max();
        t.name = std::string(t.is_signed ? "int" : "uint") + std::to_string(8 * sizeof(D));
    } else if constexpr (std::is_same<D, float>::value) {
        t.cls = 'F';
        t.name = "float";
    } else if constexpr (std::is_same<D, double>::value) {
        t.cls = 'D';
        t.name = "double";
    } else if constexpr (std::is_same<D, String>::value) {
        t.cls = 'S';
        t.name = "String";
    } else if constexpr (std::is_same<D, std::string>::value) {
        t.cls = 'S';
        t.name = "std::string";
    } else {
        t.cls = 'C';
        t.name = "const char *";
    }
    return t;
}

/* Whether a value of the spec fits type t, and the value t receives (the model's rules,
 * from docs/arduino.md: see the top of this file). */
static bool model_fits(const cxx_type &t, const mp_head &h, val *out)
{
    switch (t.cls) {
    case 'I':
        if (h.kind == 'u' && h.u <= t.max) {
            out->kind = 'u';
            out->u = h.u;
            return true;
        }
        if (h.kind == 'i' && h.i >= t.min && (h.i < 0 || (uint64_t)h.i <= t.max)) {
            out->kind = 'i';
            out->i = h.i;
            return true;
        }
        return false;
    case 'B':
        out->kind = 'b';
        out->b = h.b;
        return h.kind == 'b';
    case 'F':
    case 'D': {
        /* A number as a double: an integer rounded once to nearest, a float32 exactly. */
        double d;
        if (h.kind == 'u')
            d = (double)h.u;
        else if (h.kind == 'i')
            d = (double)h.i;
        else if (h.kind == 'f')
            d = (double)h.f;
        else if (h.kind == 'd')
            d = h.d;
        else
            return false;
        out->kind = t.cls == 'F' ? 'f' : 'd';
        if (t.cls == 'F')
            out->f = h.kind == 'f' ? h.f : (float)d; /* a float32 as it was */
        else
            out->d = d;
        return true;
    }
    case 'S':
    case 'C':
        if (h.kind != 's')
            return false;
        out->kind = 's';
        out->s = t.cls == 'C' ? std::string(h.s.c_str()) : h.s; /* a char pointer ends at a NUL */
        return true;
    default:
        return false;
    }
}

/* ------------------------------------------------------------ A: results */

static const char *const RESULT_METHOD = "peer";

/* A value of T that is no decoded value's (to see that a failed decode writes nothing). */
template <typename T> static T sentinel()
{
    if constexpr (std::is_same<T, bool>::value)
        return true;
    else if constexpr (std::is_arithmetic<T>::value)
        return (T)42;
    else
        return T("sentinel");
}

template <typename T> static void check_result_type(const uint8_t *data, size_t size, const mp_head &h)
{
    typedef arduino::detail::rpc_type<T> type;
    const cxx_type t = cxx_type_of<T>();
    val want;
    bool fits = h.kind != 'x' && model_fits(t, h, &want);
    CHECK(std::string(type::name) == t.name);

    /* The functions as<T>() uses. */
    arduino::detail::rpc_value v;
    bool read = arduino::detail::rpc_read_value(data, size, &v);
    CHECK(read == (h.kind != 'x'));
    if (read) {
        T out = sentinel<T>();
        bool ok = type::decode(v, out);
        if (ok != fits || (ok && !same(val_of(out), want))) {
            fprintf(stderr, "decode as %s: %s %s, the model: %s %s\n", t.name.c_str(), ok ? "took" : "refused",
                    ok ? show(val_of(out)).c_str() : mp_type_name(h), fits ? "takes" : "refuses",
                    fits ? show(want).c_str() : "");
            CHECK(ok == fits);
            CHECK(same(val_of(out), want));
        }
        if (!ok)
            CHECK(same(val_of(out), val_of(sentinel<T>()))); /* nothing written on failure */
    }

    /* as<T>() itself, on a result that holds the bytes. */
    if (size > DUET_RESULT_SIZE)
        return;
    arduino::RPCResult res(RESULT_METHOD, [&](void *buf, size_t cap, size_t *len) {
        CHECK(size <= cap);
        if (size)
            memcpy(buf, data, size);
        *len = size;
        return (int)DUET_OK;
    });
    CHECK(res.ok());
    CHECK(res.isNil() == (size == 1 && data[0] == 0xc0));
    std::string prefix = std::string("RPC.call(\"") + RESULT_METHOD + "\").as<" + t.name + ">(): ";
    try {
        T got = res.template as<T>();
        if (!fits) {
            fprintf(stderr, "as<%s>() returned %s for %s\n", t.name.c_str(), show(val_of(got)).c_str(), mp_type_name(h));
            CHECK(fits);
        }
        CHECK(same(val_of(got), want));
    } catch (const halted &e) {
        std::string expect = prefix + RESULT_METHOD;
        if (h.kind == 'x')
            expect = prefix + "the result of " + RESULT_METHOD + " could not be read";
        else if (t.cls == 'I' && (h.kind == 'u' || h.kind == 'i'))
            expect += " returned " + (h.kind == 'u' ? std::to_string(h.u) : std::to_string(h.i)) + ", which does not fit " +
                      t.name;
        else
            expect += std::string(" returned ") + mp_type_name(h) + ", which is no " + t.name;
        if (fits || e.line != expect) {
            fprintf(stderr, "as<%s>() halted: %s\nexpected: %s\n", t.name.c_str(), e.line.c_str(),
                    fits ? "no halt" : expect.c_str());
            CHECK(!fits);
            CHECK(e.line == expect);
        }
    }
}

/* A call that fails (nothing answers on the harness's link: it times out): as<T>() halts,
 * naming the call. */
template <typename T> static void check_failed_call()
{
    const cxx_type t = cxx_type_of<T>();
    arduino::RPCResult res = RPC.call(RESULT_METHOD, 1, "two");
    CHECK(!res.ok());
    CHECK(res.error() == DUET_ERR_TIMEOUT && RPC.timedOut());
    CHECK(starts_with(res.errorText(), std::string(RESULT_METHOD) + ": "));
    CHECK(!res.isNil());
    try {
        (void)res.template as<T>();
        CHECK(!"as<T>() of a failed call returned");
    } catch (const halted &e) {
        CHECK(starts_with(e.line, std::string("RPC.call(\"") + RESULT_METHOD + "\").as<" + t.name +
                                      ">(): the call failed: " + RESULT_METHOD + ": "));
    }
}

/* The bytes as a result read as<std::vector<E>>(): never a vector unless the first value is
 * an array (left alone otherwise), as many elements as the array has, and the vector
 * written again as an array (as a call's argument is) reads back as the same vector. */
template <typename E> static void check_array_result(const uint8_t *data, size_t size, const mp_head &h)
{
    typedef arduino::detail::rpc_type<std::vector<E>> t;
    std::vector<E> out(1);
    bool ok = t::decode_raw(data, size, out);
    if (strcmp(h.other, "array") != 0 || !ok) {
        CHECK(!ok && out.size() == 1);
        return;
    }
    std::vector<uint8_t> again;
    arduino::detail::rpc_value_encode(out, again);
    std::vector<E> back;
    CHECK(t::decode_raw(again.data(), again.size(), back) && back.size() == out.size());
    for (size_t i = 0; i < out.size(); i++)
        CHECK(back[i] == out[i] || (back[i] != back[i] && out[i] != out[i])); /* NaN stays NaN */
}

/* A struct of each form, as sketches declare them. */
struct fuzz_named {
    int32_t x = 0;
    String name;
    MSGPACK_DEFINE_MAP(x, name);
    bool operator==(const fuzz_named &o) const { return x == o.x && name == o.name; }
};
struct fuzz_node {
    int64_t value = 0;
    std::vector<fuzz_node> kids;
    MSGPACK_DEFINE(value, kids);
    bool operator==(const fuzz_node &o) const { return value == o.value && kids == o.kids; }
    unsigned depth() const /* its nesting: 2 a level, the last one's kids 1 */
    {
        unsigned most = 0;
        for (const fuzz_node &k : kids)
            most = std::max(most, k.depth());
        return 2 + most;
    }
};

/* The bytes as a result read as<T>() for a container or struct T: a value only when the first
 * value is of T's kind (kind, or also kind2), the output left alone otherwise; a value read
 * and written again reads back equal. */
template <typename T>
static void check_shape_result(const uint8_t *data, size_t size, const mp_head &h, const char *kind,
                               const char *kind2, const T &before)
{
    typedef arduino::detail::rpc_type<T> t;
    T out = before;
    arduino::detail::rpc_problem problem;
    bool ok = t::decode_raw(data, size, out, &problem);
    if (!ok) {
        char text[DUET_RPC_ERROR_TEXT];
        arduino::detail::rpc_problem_text(problem, text, sizeof text);
        CHECK(out == before && text[0] != '\0');
        return;
    }
    bool str = h.kind == 's' && strcmp(kind2, "str") == 0;
    CHECK(strcmp(h.other, kind) == 0 || str || (kind2[0] && strcmp(h.other, kind2) == 0));
    std::vector<uint8_t> again;
    arduino::detail::rpc_value_encode(out, again);
    T back{};
    CHECK(t::decode_raw(again.data(), again.size(), back) && back == out);
}

/* msgpack-c's other items: keys of their own, a base's part nested. */
struct fuzz_keyed : fuzz_named {
    int16_t k = 0;
    MSGPACK_DEFINE_MAP(MSGPACK_NVP("key", k), MSGPACK_BASE_MAP(fuzz_named));
    bool operator==(const fuzz_keyed &o) const { return k == o.k && fuzz_named::operator==(o); }
};

/* An optional: empty only from a nil, a value only from an array (of its vector), the
 * output left alone otherwise; a value read and written again reads back equal. */
static void check_optional_result(const uint8_t *data, size_t size, const mp_head &h)
{
    typedef std::optional<std::vector<int16_t>> T;
    typedef arduino::detail::rpc_type<T> t;
    T out = std::vector<int16_t>{5};
    if (!t::decode_raw(data, size, out)) {
        CHECK(out == T(std::vector<int16_t>{5}));
        return;
    }
    CHECK(out ? strcmp(h.other, "array") == 0 : h.kind == 'n');
    std::vector<uint8_t> again;
    arduino::detail::rpc_value_encode(out, again);
    T back{std::vector<int16_t>{}};
    CHECK(t::decode_raw(again.data(), again.size(), back) && back == out);
}

/* The rest of msgpack-c's standard types (rpc_values_std.h). */
static void run_std_shapes(const uint8_t *data, size_t size, const mp_head &h)
{
    check_shape_result(data, size, h, "array", "", std::set<int32_t>{1, 2});
    check_shape_result(data, size, h, "array", "", std::multiset<String>{"m", "m"});
    check_shape_result(data, size, h, "array", "", std::unordered_set<int16_t>{-3});
    check_shape_result(data, size, h, "array", "", std::list<int64_t>{1, -1});
    check_shape_result(data, size, h, "array", "", std::deque<bool>{true});
    check_shape_result(data, size, h, "array", "", std::forward_list<std::byte>{std::byte{7}});
    check_shape_result(data, size, h, "bin", "str", std::array<std::byte, 2>{{std::byte{1}, std::byte{2}}});
    check_shape_result(data, size, h, "array", "", std::vector<std::optional<std::string>>{std::nullopt, {"o"}});
    check_shape_result(data, size, h, "map", "", fuzz_keyed{});
    check_optional_result(data, size, h);
}

static void run_shapes(const uint8_t *data, size_t size, const mp_head &h)
{
    run_std_shapes(data, size, h);
    check_shape_result(data, size, h, "map", "", std::map<String, std::vector<int64_t>>{{"k", {1}}});
    check_shape_result(data, size, h, "map", "", std::unordered_map<int32_t, bool>{{-1, true}});
    check_shape_result(data, size, h, "array", "", std::tuple<int16_t, std::string, bool>{7, "t", true});
    check_shape_result(data, size, h, "array", "", std::vector<std::vector<uint8_t>>{{9}});
    check_shape_result(data, size, h, "bin", "str", std::array<uint8_t, 4>{{1, 2, 3, 4}});
    check_shape_result(data, size, h, "map", "", fuzz_named{5, "n"});
    fuzz_node node{3, {fuzz_node{4, {}}}};
    check_shape_result(data, size, h, "array", "", node);
    fuzz_node read;
    if (arduino::detail::rpc_type<fuzz_node>::decode_raw(data, size, read))
        CHECK(read.depth() <= DUET_ARDUINO_RPC_DEPTH);
}

static void run_results(const uint8_t *data, size_t size, bool failed_call)
{
    mp_head h = mp_decode(data, size);
    g_reports.clear();
    check_result_type<int8_t>(data, size, h);
    check_result_type<int16_t>(data, size, h);
    check_result_type<int32_t>(data, size, h);
    check_result_type<int64_t>(data, size, h);
    check_result_type<uint8_t>(data, size, h);
    check_result_type<uint16_t>(data, size, h);
    check_result_type<uint32_t>(data, size, h);
    check_result_type<uint64_t>(data, size, h);
    check_result_type<char>(data, size, h);
    check_result_type<long>(data, size, h);
    check_result_type<unsigned long>(data, size, h);
    check_result_type<long long>(data, size, h);
    check_result_type<bool>(data, size, h);
    check_result_type<float>(data, size, h);
    check_result_type<double>(data, size, h);
    check_result_type<String>(data, size, h);
    check_result_type<std::string>(data, size, h);
    check_array_result<int64_t>(data, size, h);
    check_array_result<uint16_t>(data, size, h);
    check_array_result<bool>(data, size, h);
    check_array_result<float>(data, size, h);
    check_array_result<String>(data, size, h);
    run_shapes(data, size, h);
    CHECK(g_reports.empty()); /* results that were read are never reported */
    if (!failed_call)
        return;
    check_failed_call<int>();
    check_failed_call<uint8_t>();
    check_failed_call<bool>();
    check_failed_call<double>();
    check_failed_call<String>();
    CHECK(g_reports.empty()); /* looked at: not reported */
    {
        arduino::RPCResult dropped = RPC.call(RESULT_METHOD, 3);
        (void)dropped;
    }
    CHECK(g_reports.size() == 1); /* failed and never looked at: reported once */
    CHECK(starts_with(g_reports[0], std::string("RPC.call(\"") + RESULT_METHOD + "\") failed: "));
    g_reports.clear();
}

/* ------------------------------------------------------------ B: the bound functions */

/* What each bound function takes and returns, and whether it returns its first argument. */
struct method {
    std::string name;
    std::vector<cxx_type> params;
    cxx_type result;
    bool echo;
    val fixed; /* the result when it does not echo */
};

static std::vector<method> g_methods;

/* One run of a bound function: which, and the arguments it got. */
struct call_record {
    size_t id;
    std::vector<val> args;
};

static std::vector<call_record> g_calls;

/* The fixed result of each type. */
template <typename R> static R fixed_result()
{
    typedef typename std::decay<R>::type D;
    if constexpr (std::is_same<D, bool>::value)
        return true;
    else if constexpr (std::is_integral<D>::value)
        return std::numeric_limits<D>::is_signed ? std::numeric_limits<D>::min() : std::numeric_limits<D>::max();
    else if constexpr (std::is_floating_point<D>::value)
        return (D)-2.5;
    else if constexpr (std::is_same<D, const char *>::value)
        return "fixed";
    else
        return D("fixed text");
}

/* What a bound function does: records its arguments, returns per its method's rule. */
template <typename R, typename... A> static R respond(size_t id, const A &...a)
{
    g_calls.push_back(call_record{id, {val_of(a)...}});
    if constexpr (std::is_void<R>::value) {
        return;
    } else if constexpr (sizeof...(A) > 0) {
        typedef typename std::tuple_element<0, std::tuple<A...>>::type first;
        if constexpr (std::is_same<typename std::decay<first>::type, typename std::decay<R>::type>::value)
            return std::get<0>(std::forward_as_tuple(a...));
        else
            return fixed_result<R>();
    } else {
        return fixed_result<R>();
    }
}

/* Adds the model's entry for a function R(A...) bound as name; its id. */
template <typename R, typename... A> static size_t describe(const char *name)
{
    method m;
    m.name = name;
    m.params = {cxx_type_of<A>()...};
    m.result = cxx_type_of<R>();
    m.echo = false;
    if constexpr (sizeof...(A) > 0) {
        typedef typename std::tuple_element<0, std::tuple<A...>>::type first;
        m.echo = std::is_same<typename std::decay<first>::type, typename std::decay<R>::type>::value;
    }
    if constexpr (!std::is_void<R>::value)
        m.fixed = val_of(fixed_result<R>());
    g_methods.push_back(m);
    return g_methods.size() - 1;
}

/* Binds a lambda (capturing its id) of R(A...) as name. */
template <typename R, typename... A> static void bind_lambda(const char *name)
{
    size_t id = describe<R, A...>(name);
    CHECK(RPC.bind(name, [id](A... a) -> R { return respond<R, A...>(id, a...); }));
}

/* The other kinds of callables a sketch binds. */
static size_t g_add_id, g_functor_id, g_function_id, g_noexcept_id;

static int add(int a, int b) { return respond<int>(g_add_id, a, b); }

struct Mixer {
    void operator()(int8_t a, uint16_t b, bool c, float d, const String &e) const
    {
        respond<void>(g_functor_id, a, b, c, d, e);
    }
};

static uint8_t count_noexcept(const String &s, uint64_t n) noexcept { return respond<uint8_t>(g_noexcept_id, s, n); }

static void bind_all(void)
{
    bind_lambda<int8_t, int8_t>("i8");
    bind_lambda<int16_t, int16_t>("i16");
    bind_lambda<int32_t, int32_t>("i32");
    bind_lambda<int64_t, int64_t>("i64");
    bind_lambda<uint8_t, uint8_t>("u8");
    bind_lambda<uint16_t, uint16_t>("u16");
    bind_lambda<uint32_t, uint32_t>("u32");
    bind_lambda<uint64_t, uint64_t>("u64");
    bind_lambda<char, char>("c");
    bind_lambda<long, long>("l");
    bind_lambda<unsigned long, unsigned long>("ul");
    bind_lambda<bool, bool>("b");
    bind_lambda<float, float>("f");
    bind_lambda<double, double>("d");
    bind_lambda<String, String>("s");
    bind_lambda<std::string, const std::string &>("ss");
    bind_lambda<const char *, const char *>("cs");
    bind_lambda<void>("none");
    bind_lambda<String, std::string, const String &>("s2");
    bind_lambda<double, int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, int64_t, uint64_t>("all8");
    bind_lambda<bool, bool, double, const char *>("bdc");
    bind_lambda<float, uint8_t, float>("uf");
    bind_lambda<std::string, int64_t, std::string>("ls");
    g_add_id = describe<int, int, int>("add");
    CHECK(RPC.bind("add", add));
    g_functor_id = describe<void, int8_t, uint16_t, bool, float, const String &>("mix");
    CHECK(RPC.bind(String("mix"), Mixer()));
    g_function_id = describe<double, float, double>("fn");
    size_t fn_id = g_function_id;
    std::function<double(float, double)> fn = [fn_id](float a, double b) { return respond<double>(fn_id, a, b); };
    CHECK(RPC.bind("fn", fn));
    g_noexcept_id = describe<uint8_t, const String &, uint64_t>("ne");
    CHECK(RPC.bind("ne", count_noexcept));

    /* A name bound already is refused with a line, and its table stays as it was. */
    g_reports.clear();
    CHECK(!RPC.bind("i8", [](int v) { return v; }));
    CHECK(g_reports.size() == 1 && g_reports[0].find("bound under this name already") != std::string::npos);
    g_reports.clear();
}

/* ------------------------------------------------------------ B: the link */

/* Messages the engine sent, and the pieces of the input waiting to be delivered. */
static std::vector<std::vector<uint8_t>> g_sent;
static std::vector<std::pair<std::unique_ptr<uint8_t[]>, size_t>> g_inbox;

static int link_send(duet_link *l, const uint8_t *d, size_t n)
{
    (void)l;
    g_sent.emplace_back(d, d + n);
    return DUET_OK;
}

/* Delivers each waiting piece (each in a heap block of its exact size). */
static int link_poll(duet_link *l)
{
    int n = 0;
    for (auto &piece : g_inbox) {
        CHECK(duet_link_deliver(l, piece.first.get(), piece.second));
        n++;
    }
    g_inbox.clear();
    return n;
}

/* A clock that runs a second at each look: a call from the harness (A's failed calls) times
 * out after a few polls, as one to a core that never answers. */
static uint32_t g_now;

static uint32_t link_now(duet_link *l)
{
    (void)l;
    return g_now += 1000;
}

static duet_link g_link;

/* ------------------------------------------------------------ B: the model of the engine */

/* A response the model expects: to which msgid (its bytes as sent), and either the result
 * or an error whose text holds every one of needles (one of any_of, when any are given). */
struct expected_response {
    std::vector<uint8_t> msgid;
    bool ok;
    val result;
    std::vector<std::string> needles;
    std::vector<std::string> any_of;
};

static std::vector<expected_response> g_expect_responses;
static std::vector<call_record> g_expect_calls;

/* Well-formed UTF-8 (no overlong form, surrogate or value past U+10FFFF). */
static bool utf8_ok(const uint8_t *s, size_t n)
{
    size_t k = 0;
    while (k < n) {
        uint8_t b = s[k];
        size_t more;
        uint32_t cp;
        if (b < 0x80) {
            k++;
            continue;
        } else if (b >= 0xc2 && b <= 0xdf) {
            more = 1;
            cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
            more = 2;
            cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
            more = 3;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (n - k - 1 < more)
            return false;
        for (size_t j = 1; j <= more; j++) {
            if ((s[k + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[k + j] & 0x3f);
        }
        if ((more == 2 && cp < 0x800) || (more == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        k += more + 1;
    }
    return true;
}

/* The size of a str of n bytes, by the spec's smallest header. */
static size_t str_size(size_t n)
{
    return n + (n < 32 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5);
}

/* What serving one request (msgid set) or notification to name with args does. */
static void model_serve(const uint8_t *msgid, size_t msgid_len, bool notification, const std::string &name,
                        const std::vector<std::pair<const uint8_t *, size_t>> &args)
{
    expected_response e;
    e.msgid.assign(msgid, msgid + msgid_len);
    e.ok = false;
    const method *m = nullptr;
    size_t id = 0;
    for (size_t k = 0; k < g_methods.size(); k++)
        if (g_methods[k].name == name) {
            m = &g_methods[k];
            id = k;
        }
    if (!m) {
        if (!notification)
            g_expect_responses.push_back(e); /* not bound: some error */
        return;
    }
    e.needles.push_back(name + ": ");
    if (args.size() != m->params.size()) {
        e.needles.push_back("expected " + std::to_string(m->params.size()) + " argument");
        if (!notification)
            g_expect_responses.push_back(e);
        return;
    }
    call_record c{id, {}};
    for (size_t k = 0; k < args.size(); k++) {
        mp_head h = mp_decode(args[k].first, args[k].second);
        CHECK(h.kind != 'x'); /* the engine read it whole */
        val v;
        if (!model_fits(m->params[k], h, &v))
            e.any_of.push_back("argument " + std::to_string(k + 1) + ":");
        c.args.push_back(v);
    }
    if (!e.any_of.empty()) {
        if (!notification)
            g_expect_responses.push_back(e);
        return;
    }
    g_expect_calls.push_back(c);
    val result;
    if (m->result.cls != 'V')
        result = m->echo ? c.args[0] : m->fixed;
    /* [1, msgid, nil, result] must fit one message. */
    size_t result_len = result.kind == 's' ? str_size(result.s.size()) : 9;
    if (3 + msgid_len + result_len > duet_rpc_instance()->cfg.max_message) {
        /* put() returns the writer's error: the engine's text for it, or its own. */
        e.any_of = {"output buffer too small", "too large"};
    } else {
        e.ok = true;
        e.result = result;
        e.needles.clear();
    }
    if (!notification)
        g_expect_responses.push_back(e);
}

/* A value whole at r, read as the engine reads one inside `inside` arrays. */
static bool read_whole(duet_msgpack_reader *r, duet_msgpack_token *t, unsigned inside)
{
    return duet_msgpack_read_value(r, t, inside);
}

static bool is_int(const duet_msgpack_token &t) { return t.type == DUET_MSGPACK_UINT || t.type == DUET_MSGPACK_INT; }

/* The kind of the message at r (0 request, 1 response, 2 notification), or -1. */
static int model_kind(duet_msgpack_reader *r)
{
    duet_msgpack_token head, type;
    if (!duet_msgpack_read_token(r, &head) || head.type != DUET_MSGPACK_ARRAY)
        return -1;
    if (!read_whole(r, &type, 1) || !is_int(type) || type.v.u > 2 || head.v.count != (type.v.u == 2 ? 3u : 4u))
        return -1;
    return (int)type.v.u;
}

/* A message that is no whole value ends the piece: a request whose head and msgid can be
 * read still gets an error. */
static void model_tail(const uint8_t *p, size_t n)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, p, n);
    if (model_kind(&r) != 0)
        return;
    const uint8_t *at = duet_msgpack_reader_pos(&r);
    duet_msgpack_token id;
    if (!read_whole(&r, &id, 1) || !is_int(id))
        return;
    expected_response e;
    e.msgid.assign(at, duet_msgpack_reader_pos(&r));
    e.ok = false;
    g_expect_responses.push_back(e);
}

/* Skips the message at msg whole (a malformed one); false if it is not one whole value. */
static bool skip_from(duet_msgpack_reader *r, const uint8_t *msg, const uint8_t *end)
{
    duet_msgpack_reader_init(r, msg, (size_t)(end - msg));
    return duet_msgpack_skip(r);
}

/* What the engine does with one delivered piece of bytes. */
static void model_piece(const uint8_t *p, size_t n)
{
    const uint8_t *end = p + n;
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, p, n);
    while (duet_msgpack_reader_remaining(&r) > 0) {
        const uint8_t *msg = duet_msgpack_reader_pos(&r);
        int kind = model_kind(&r);
        if (kind < 0) {
            if (!skip_from(&r, msg, end))
                return model_tail(msg, (size_t)(end - msg));
            continue;
        }
        duet_msgpack_token t;
        if (kind == 1) { /* a response: nothing waits for it, nothing answers it */
            if (!read_whole(&r, &t, 1) || !is_int(t) || (t.type == DUET_MSGPACK_INT && t.v.i < 0)) {
                if (!skip_from(&r, msg, end))
                    return model_tail(msg, (size_t)(end - msg));
                continue;
            }
            if (!read_whole(&r, &t, 1) || !read_whole(&r, &t, 1))
                return model_tail(msg, (size_t)(end - msg));
            continue;
        }
        bool notification = kind == 2;
        const uint8_t *msgid = duet_msgpack_reader_pos(&r);
        size_t msgid_len = 0;
        if (!notification) {
            if (!read_whole(&r, &t, 1) || !is_int(t)) {
                if (!skip_from(&r, msg, end))
                    return model_tail(msg, (size_t)(end - msg));
                continue;
            }
            msgid_len = (size_t)(duet_msgpack_reader_pos(&r) - msgid);
        }
        bool malformed = false;
        std::string name;
        if (!read_whole(&r, &t, 1) || (t.type != DUET_MSGPACK_STR && t.type != DUET_MSGPACK_BIN) ||
            (t.type == DUET_MSGPACK_BIN && !utf8_ok(t.v.bytes.ptr, t.v.bytes.len)))
            malformed = true;
        else
            name.assign(reinterpret_cast<const char *>(t.v.bytes.ptr), t.v.bytes.len);
        if (!malformed && (!duet_msgpack_read_token(&r, &t) || t.type != DUET_MSGPACK_ARRAY))
            malformed = true;
        if (malformed) {
            if (!skip_from(&r, msg, end))
                return model_tail(msg, (size_t)(end - msg));
            if (!notification) {
                expected_response e;
                e.msgid.assign(msgid, msgid + msgid_len);
                e.ok = false;
                g_expect_responses.push_back(e);
            }
            continue;
        }
        std::vector<std::pair<const uint8_t *, size_t>> args;
        for (uint32_t k = 0; k < t.v.count; k++) {
            const uint8_t *at = duet_msgpack_reader_pos(&r);
            duet_msgpack_token a;
            if (!read_whole(&r, &a, 2))
                return model_tail(msg, (size_t)(end - msg));
            if (args.size() < DUET_RPC_MAX_ARGS)
                args.emplace_back(at, (size_t)(duet_msgpack_reader_pos(&r) - at));
            else
                args.emplace_back(nullptr, 0); /* counted only: never read (a count error) */
        }
        model_serve(msgid, msgid_len, notification, name, args);
    }
}

/* ------------------------------------------------------------ B: checking what happened */

static void check_response(const std::vector<uint8_t> &msg, const expected_response &e)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, msg.data(), msg.size());
    uint32_t n = 0, type = 9;
    CHECK(duet_msgpack_read_array(&r, &n) && n == 4);
    CHECK(duet_msgpack_read_u32(&r, &type) && type == 1);
    const uint8_t *id = duet_msgpack_reader_pos(&r);
    CHECK(duet_msgpack_skip(&r));
    CHECK(std::vector<uint8_t>(id, duet_msgpack_reader_pos(&r)) == e.msgid);
    const uint8_t *err_at = duet_msgpack_reader_pos(&r);
    CHECK(duet_msgpack_skip(&r));
    const uint8_t *res_at = duet_msgpack_reader_pos(&r);
    CHECK(duet_msgpack_skip(&r));
    CHECK(duet_msgpack_reader_remaining(&r) == 0); /* whole, and alone */
    mp_head error = mp_decode(err_at, (size_t)(res_at - err_at));
    mp_head result = mp_decode(res_at, (size_t)(msg.data() + msg.size() - res_at));
    if (e.ok) {
        if (error.kind != 'n')
            fprintf(stderr, "error response where a result was due: %s\n", error.s.c_str());
        CHECK(error.kind == 'n');
        val got;
        switch (result.kind) {
        case 'n': got.kind = 'n'; break;
        case 'b': got.kind = 'b'; got.b = result.b; break;
        case 'u': got.kind = 'u'; got.u = result.u; break;
        case 'i': got.kind = 'i'; got.i = result.i; break;
        case 'f': got.kind = 'f'; got.f = result.f; break;
        case 'd': got.kind = 'd'; got.d = result.d; break;
        case 's': got.kind = 's'; got.s = result.s; break;
        default: CHECK(!"a result of no type a function returns");
        }
        if (!same(got, e.result)) {
            fprintf(stderr, "result %s, expected %s\n", show(got).c_str(), show(e.result).c_str());
            CHECK(same(got, e.result));
        }
        return;
    }
    if (error.kind != 's')
        fprintf(stderr, "a result where an error was due\n");
    CHECK(error.kind == 's');
    CHECK(!error.s.empty() && error.s.size() < DUET_RPC_ERROR_TEXT);
    CHECK(result.kind == 'n');
    for (const std::string &needle : e.needles) {
        if (error.s.find(needle) == std::string::npos)
            fprintf(stderr, "error \"%s\" does not say \"%s\"\n", error.s.c_str(), needle.c_str());
        CHECK(error.s.find(needle) != std::string::npos);
    }
    if (!e.any_of.empty()) {
        bool found = false;
        for (const std::string &needle : e.any_of)
            found = found || error.s.find(needle) != std::string::npos;
        if (!found)
            fprintf(stderr, "error \"%s\" names no argument that is wrong (first: %s)\n", error.s.c_str(),
                    e.any_of[0].c_str());
        CHECK(found);
    }
}

static void check_served(void)
{
    if (g_calls.size() != g_expect_calls.size())
        fprintf(stderr, "%zu functions ran, the model expects %zu\n", g_calls.size(), g_expect_calls.size());
    for (size_t k = 0; k < g_calls.size() && k < g_expect_calls.size(); k++) {
        const call_record &got = g_calls[k], &want = g_expect_calls[k];
        if (got.id != want.id)
            fprintf(stderr, "run %zu: %s ran, the model expects %s\n", k, g_methods[got.id].name.c_str(),
                    g_methods[want.id].name.c_str());
        CHECK(got.id == want.id);
        CHECK(got.args.size() == want.args.size());
        for (size_t a = 0; a < got.args.size(); a++) {
            if (!same(got.args[a], want.args[a]))
                fprintf(stderr, "%s argument %zu: got %s, sent %s\n", g_methods[got.id].name.c_str(), a + 1,
                        show(got.args[a]).c_str(), show(want.args[a]).c_str());
            CHECK(same(got.args[a], want.args[a]));
        }
    }
    CHECK(g_calls.size() == g_expect_calls.size());
    if (g_sent.size() != g_expect_responses.size())
        fprintf(stderr, "%zu responses sent, the model expects %zu\n", g_sent.size(), g_expect_responses.size());
    for (size_t k = 0; k < g_sent.size() && k < g_expect_responses.size(); k++)
        check_response(g_sent[k], g_expect_responses[k]);
    CHECK(g_sent.size() == g_expect_responses.size());
    duet_rpc *rpc = duet_rpc_instance();
    CHECK(rpc->depth == 0 && rpc->tx_used == 0);
    CHECK(g_reports.empty());
}

static void run_requests(const uint8_t *data, size_t size, bool split)
{
    g_calls.clear();
    g_sent.clear();
    g_expect_calls.clear();
    g_expect_responses.clear();
    g_reports.clear();
    /* The pieces: the whole input, or each whole value alone (the rest, if it is not one, as
     * one last piece). */
    std::vector<std::pair<size_t, size_t>> pieces;
    if (!split) {
        pieces.emplace_back(0, size);
    } else {
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, data, size);
        size_t at = 0;
        while (at < size) {
            if (!duet_msgpack_skip(&r)) {
                pieces.emplace_back(at, size - at);
                break;
            }
            size_t next = duet_msgpack_reader_offset(&r);
            pieces.emplace_back(at, next - at);
            at = next;
        }
    }
    for (auto &piece : pieces) {
        std::unique_ptr<uint8_t[]> copy(new uint8_t[piece.second ? piece.second : 1]);
        if (piece.second)
            memcpy(copy.get(), data + piece.first, piece.second);
        model_piece(copy.get(), piece.second);
        g_inbox.emplace_back(std::move(copy), piece.second);
    }
    CHECK(duet_rpc_poll(duet_rpc_instance()) == (int)pieces.size());
    check_served();
}

/* ------------------------------------------------------------ the input */

static void setup_once(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    bind_all();
    g_link.send = link_send;
    g_link.poll = link_poll;
    g_link.now_ms = link_now;
    duet_rpc_set_link(duet_rpc_instance(), &g_link);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    switch (mode & 3) {
    case 0: run_results(data, size, (mode & 4) != 0); break;
    case 1: run_requests(data, size, false); break;
    case 2: run_requests(data, size, true); break;
    default:
        run_results(data, size, (mode & 4) != 0);
        run_requests(data, size, (mode & 8) != 0);
        break;
    }
    return 0;
}

/* rpc_types.h - which C++ types travel over RPC, and how (internal to RPC.h).
 *
 * Each supported type T has an rpc_type<T> with:
 *   letter      its letter in a duet signature (duet/rpc.h): i u l k b f d s y
 *   name        how error texts name it
 *   holder      what a handler keeps a received argument in
 *   fetch()     reads argument n of a request into a holder (a narrow integer is range-checked)
 *   use()       the argument as the bound function takes it
 *   pass()      the value as duet_rpc_call's variadic arguments take it (rpc_pass() makes
 *               a tuple of it; a byte vector's is two: its data and length)
 *   put()       writes a handler's result
 *   decode()    reads a result value for as<T>(); false if its type or range does not fit
 *   write()     writes the value into a container's encoding, size() or most the bytes it
 *               takes at most (not for const char *)
 * Containers (std::vector, std::array, std::map, std::tuple, std::set, std::list, std::optional
 * ...) and MSGPACK_DEFINE structs travel as one value of letter 'v' (rpc_values.h,
 * rpc_values_std.h); std::byte is an integer of letter 'u' (rpc_values_std.h). Anything else fails to compile with a
 * message naming what is allowed.
 */
#ifndef DUET_ARDUINO_RPC_TYPES_H
#define DUET_ARDUINO_RPC_TYPES_H

#include <cstddef>
#include <limits>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "WString.h"
#include "duet/rpc.h"

namespace arduino {
namespace detail {

template <typename T, typename = void> struct rpc_type {
    static constexpr bool supported = false;
};

/* A result value as read for as<T>(): its type, and its value when it is a scalar or a str. */
typedef duet_msgpack_token rpc_value;

/* Reads one value into *out; false (with the reason in the reader) if there is none. */
bool rpc_read_value(const uint8_t *data, size_t len, rpc_value *out);

/* Holds bytes of the heap for the copy of an argument about to be made, which gets them when
 * the heap has no other room: false when there are not that many (the argument is then
 * refused). rpc_room_release() gives back what the copy did not take. */
bool rpc_room_hold(size_t bytes);
void rpc_room_release();

/* The bytes a std::string of len bytes asks for when it is assigned them (none when they fit
 * in the string itself), at least as many as libstdc++'s growth takes. */
inline size_t rpc_string_room(size_t len)
{
    const size_t inside = std::string().capacity();
    return len <= inside ? 0 : (len < 2 * inside ? 2 * inside : len) + 1;
}

/* ------------------------------------------------------------ integers */

template <typename T>
struct rpc_type<T, typename std::enable_if<std::is_integral<T>::value && !std::is_same<T, bool>::value>::type> {
    static constexpr bool supported = true;
    static constexpr bool is_signed = std::is_signed<T>::value;
    static constexpr bool wide = sizeof(T) > 4;
    static constexpr char letter = is_signed ? (wide ? 'l' : 'i') : (wide ? 'k' : 'u');
    static constexpr const char *name = is_signed ? (sizeof(T) == 1 ? "int8" : sizeof(T) == 2 ? "int16" : wide ? "int64" : "int32")
                                                  : (sizeof(T) == 1 ? "uint8" : sizeof(T) == 2 ? "uint16" : wide ? "uint64" : "uint32");
    typedef T holder;
    /* What duet_rpc_call's variadic arguments take for this letter. */
    typedef typename std::conditional<is_signed, typename std::conditional<wide, int64_t, int>::type,
                                      typename std::conditional<wide, uint64_t, unsigned>::type>::type passed;

    static bool fits_signed(int64_t v)
    {
        return !is_signed ? v >= 0 && (uint64_t)v <= (uint64_t)std::numeric_limits<T>::max()
                          : v >= (int64_t)std::numeric_limits<T>::min() && v <= (int64_t)std::numeric_limits<T>::max();
    }
    static bool fits_unsigned(uint64_t v) { return v <= (uint64_t)std::numeric_limits<T>::max(); }

    static int fetch(duet_req *r, unsigned n, holder &out)
    {
        if (is_signed) {
            int64_t v = wide ? duet_arg_int64(r, n) : duet_arg_int(r, n);
            if (!fits_signed(v))
                return range_error(r, n);
            out = (T)v;
        } else {
            uint64_t v = wide ? duet_arg_uint64(r, n) : duet_arg_uint(r, n);
            if (!fits_unsigned(v))
                return range_error(r, n);
            out = (T)v;
        }
        return DUET_OK;
    }
    static T &use(holder &h) { return h; }
    static passed pass(T v) { return (passed)v; }
    static int put(duet_req *r, T v) { return is_signed ? duet_return_int(r, (int64_t)v) : duet_return_uint(r, (uint64_t)v); }
    static constexpr size_t most = 9; /* bytes write() takes at most */
    static void write(duet_msgpack_writer *w, T v)
    {
        if (is_signed)
            duet_msgpack_write_int(w, (int64_t)v);
        else
            duet_msgpack_write_uint(w, (uint64_t)v);
    }
    static bool decode(const rpc_value &v, T &out)
    {
        if (v.type == DUET_MSGPACK_UINT && fits_unsigned(v.v.u)) {
            out = (T)v.v.u;
            return true;
        }
        if (v.type == DUET_MSGPACK_INT && fits_signed(v.v.i)) {
            out = (T)v.v.i;
            return true;
        }
        return false;
    }

private:
    static int range_error(duet_req *r, unsigned n);
};

/* Fails a request whose argument n does not fit the bound function's parameter type. */
int rpc_fail_range(duet_req *r, unsigned n, const char *type_name);

template <typename T>
int rpc_type<T, typename std::enable_if<std::is_integral<T>::value && !std::is_same<T, bool>::value>::type>::range_error(
    duet_req *r, unsigned n)
{
    return rpc_fail_range(r, n, name);
}

/* ------------------------------------------------------------ bool, float, double */

template <> struct rpc_type<bool> {
    static constexpr bool supported = true;
    static constexpr char letter = 'b';
    static constexpr const char *name = "bool";
    typedef bool holder;
    static int fetch(duet_req *r, unsigned n, holder &out) { out = duet_arg_bool(r, n); return DUET_OK; }
    static bool &use(holder &h) { return h; }
    static int pass(bool v) { return v ? 1 : 0; }
    static int put(duet_req *r, bool v) { return duet_return_bool(r, v); }
    static constexpr size_t most = 1;
    static void write(duet_msgpack_writer *w, bool v) { duet_msgpack_write_bool(w, v); }
    static bool decode(const rpc_value &v, bool &out)
    {
        /* out is written only for a bool, as every decode() leaves it alone on failure. */
        if (v.type != DUET_MSGPACK_BOOL)
            return false;
        out = v.v.b;
        return true;
    }
};

/* float and double accept any number, as the C core's 'f' and 'd' do. */
bool rpc_decode_number(const rpc_value &v, double &out);

/* Writes a float32 result, as rpclib packs a float. */
int rpc_put_float(duet_req *r, float v);

template <typename T> struct rpc_type<T, typename std::enable_if<std::is_floating_point<T>::value>::type> {
    static constexpr bool supported = true;
    static constexpr bool single = sizeof(T) == sizeof(float);
    static constexpr char letter = single ? 'f' : 'd';
    static constexpr const char *name = single ? "float" : "double";
    typedef T holder;
    static int fetch(duet_req *r, unsigned n, holder &out)
    {
        out = single ? (T)duet_arg_float(r, n) : (T)duet_arg_double(r, n);
        return DUET_OK;
    }
    static T &use(holder &h) { return h; }
    static double pass(T v) { return (double)v; }
    static int put(duet_req *r, T v) { return single ? rpc_put_float(r, (float)v) : duet_return_double(r, (double)v); }
    static constexpr size_t most = 9;
    static void write(duet_msgpack_writer *w, T v)
    {
        if (single)
            duet_msgpack_write_float(w, (float)v);
        else
            duet_msgpack_write_double(w, (double)v);
    }
    static bool decode(const rpc_value &v, T &out)
    {
        double d;
        if (!rpc_decode_number(v, d))
            return false;
        out = (T)d;
        return true;
    }
};

/* ------------------------------------------------------------ text */

/* Writes a str result of len bytes. */
int rpc_put_str(duet_req *r, const char *s, size_t len);

template <> struct rpc_type<String> {
    static constexpr bool supported = true;
    static constexpr char letter = 's';
    static constexpr const char *name = "String";
    typedef String holder;
    static int fetch(duet_req *r, unsigned n, holder &out)
    {
        uint32_t len = 0;
        const char *s = duet_arg_str(r, n, &len);
        out = String(s, len);
        return out ? DUET_OK : duet_req_fail(r, DUET_ERR_NOSPACE, "out of memory for a String argument");
    }
    static String &use(holder &h) { return h; }
    static const char *pass(const String &v) { return v.c_str(); }
    static int put(duet_req *r, const String &v) { return rpc_put_str(r, v.c_str(), v.length()); }
    static size_t size(const String &v) { return 5 + v.length(); }
    static void write(duet_msgpack_writer *w, const String &v) { duet_msgpack_write_str(w, v.c_str(), v.length()); }
    static bool decode(const rpc_value &v, String &out)
    {
        if (v.type != DUET_MSGPACK_STR)
            return false;
        out = String(reinterpret_cast<const char *>(v.v.bytes.ptr), v.v.bytes.len);
        return true;
    }
};

template <> struct rpc_type<std::string> {
    static constexpr bool supported = true;
    static constexpr char letter = 's';
    static constexpr const char *name = "std::string";
    typedef std::string holder;
    static int fetch(duet_req *r, unsigned n, holder &out)
    {
        uint32_t len = 0;
        const char *s = duet_arg_str(r, n, &len);
        if (!rpc_room_hold(rpc_string_room(len)))
            return duet_req_fail(r, DUET_ERR_NOSPACE, "out of memory for a std::string argument");
        out.assign(s, len);
        rpc_room_release();
        return DUET_OK;
    }
    /* The bytes decode() asks the heap for (rpc_decode_held holds them first). */
    static size_t room(const rpc_value &v) { return v.type == DUET_MSGPACK_STR ? rpc_string_room(v.v.bytes.len) : 0; }
    static std::string &use(holder &h) { return h; }
    static const char *pass(const std::string &v) { return v.c_str(); }
    static int put(duet_req *r, const std::string &v) { return rpc_put_str(r, v.data(), v.size()); }
    static size_t size(const std::string &v) { return 5 + v.size(); }
    static void write(duet_msgpack_writer *w, const std::string &v) { duet_msgpack_write_str(w, v.data(), v.size()); }
    static bool decode(const rpc_value &v, std::string &out)
    {
        if (v.type != DUET_MSGPACK_STR)
            return false;
        out.assign(reinterpret_cast<const char *>(v.v.bytes.ptr), v.v.bytes.len);
        return true;
    }
};

/* A const char * argument is kept in a String for the handler's run (the received text is
 * not NUL-terminated); a const char * result is copied into the response at once. */
template <typename C>
struct rpc_type<C *, typename std::enable_if<std::is_same<typename std::remove_cv<C>::type, char>::value>::type> {
    static constexpr bool supported = true;
    static constexpr char letter = 's';
    static constexpr const char *name = "const char *";
    typedef String holder;
    static int fetch(duet_req *r, unsigned n, holder &out) { return rpc_type<String>::fetch(r, n, out); }
    static C *use(holder &h) { return const_cast<C *>(h.c_str()); }
    static const char *pass(const char *v) { return v ? v : ""; }
    static int put(duet_req *r, const char *v) { return v ? rpc_put_str(r, v, strlen(v)) : rpc_put_str(r, "", 0); }
};

/* ------------------------------------------------------------ bytes */

/* Writes a bin result of len bytes. */
int rpc_put_bin(duet_req *r, const void *data, size_t len);

/* std::vector<uint8_t> (byte), std::vector<char> and std::vector<std::byte> travel as bin, as
 * the Arduino library's MessagePack (msgpack-c) packs them; a result is read from a bin or a
 * str, as it reads it. */
template <typename E>
struct rpc_type<std::vector<E>, typename std::enable_if<std::is_same<E, unsigned char>::value ||
                                                        std::is_same<E, char>::value ||
                                                        std::is_same<E, std::byte>::value>::type> {
    static constexpr bool supported = true;
    static constexpr char letter = 'y';
    static constexpr const char *name = std::is_same<E, char>::value        ? "std::vector<char>"
                                        : std::is_same<E, std::byte>::value ? "std::vector<std::byte>"
                                                                            : "std::vector<uint8_t>";
    typedef std::vector<E> holder;
    static int fetch(duet_req *r, unsigned n, holder &out)
    {
        uint32_t len = 0;
        const E *p = reinterpret_cast<const E *>(duet_arg_bin(r, n, &len));
        if (!rpc_room_hold(len))
            return duet_req_fail(r, DUET_ERR_NOSPACE,
                                 std::is_same<E, char>::value        ? "out of memory for a std::vector<char> argument"
                                 : std::is_same<E, std::byte>::value ? "out of memory for a std::vector<std::byte> argument"
                                                                     : "out of memory for a std::vector<uint8_t> argument");
        out.assign(p, p + len);
        rpc_room_release();
        return DUET_OK;
    }
    /* The bytes decode() asks the heap for (rpc_decode_held holds them first). */
    static size_t room(const rpc_value &v)
    {
        return v.type == DUET_MSGPACK_BIN || v.type == DUET_MSGPACK_STR ? v.v.bytes.len : 0;
    }
    static holder &use(holder &h) { return h; }
    static std::tuple<const void *, size_t> pass(const holder &v) { return std::make_tuple((const void *)v.data(), v.size()); }
    static int put(duet_req *r, const holder &v) { return rpc_put_bin(r, v.data(), v.size()); }
    static size_t size(const holder &v) { return 5 + v.size(); }
    static void write(duet_msgpack_writer *w, const holder &v) { duet_msgpack_write_bin(w, v.data(), v.size()); }
    static bool decode(const rpc_value &v, holder &out)
    {
        if (v.type != DUET_MSGPACK_BIN && v.type != DUET_MSGPACK_STR)
            return false;
        const E *p = reinterpret_cast<const E *>(v.v.bytes.ptr);
        out.assign(p, p + v.v.bytes.len);
        return true;
    }
};

/* ------------------------------------------------------------ passing */

/* What a call's arrays are encoded into, kept until the call has sent them. */
typedef std::vector<std::vector<uint8_t>> rpc_arena;

/* The variadic arguments one value gives duet_call and duet_notify, as a tuple. */
template <typename R> std::tuple<R> rpc_pass_tuple(R v) { return std::tuple<R>(v); }
template <typename... R> std::tuple<R...> rpc_pass_tuple(std::tuple<R...> v) { return v; }

template <typename T>
auto rpc_pass(rpc_arena &, const T &v) -> decltype(rpc_pass_tuple(rpc_type<typename std::decay<T>::type>::pass(v)))
{
    return rpc_pass_tuple(rpc_type<typename std::decay<T>::type>::pass(v));
}

/* ------------------------------------------------------------ signatures */

template <typename T> using rpc_decayed = typename std::decay<T>::type;

template <typename T> struct rpc_checked {
    static_assert(rpc_type<T>::supported,
                  "RPC: this type cannot travel between the cores. Arguments and results may be bool, "
                  "integers, std::byte, float, double, String, std::string, const char *, a std::vector of "
                  "uint8_t, char or std::byte (bytes), and std::vector, std::array, std::map, std::unordered_map, "
                  "std::set, std::multiset, std::unordered_set, std::list, std::deque, std::forward_list, "
                  "std::tuple, std::pair, std::optional and MSGPACK_DEFINE structs of these (a const char * in "
                  "them is only sent) (see docs/arduino.md)");
    static constexpr char letter = rpc_type<T>::letter;
};

template <typename R> struct rpc_result_letter {
    static constexpr char letter = rpc_checked<rpc_decayed<R>>::letter;
};
template <> struct rpc_result_letter<void> {
    static constexpr char letter = 'n';
};

/* "PARAMS:RESULT" for a function R(A...). */
template <typename R, typename... A> struct rpc_signature {
    static_assert(sizeof...(A) <= DUET_RPC_MAX_ARGS, "RPC: a bound function takes at most DUET_RPC_MAX_ARGS (8) arguments");
    static constexpr char text[] = {rpc_checked<rpc_decayed<A>>::letter..., ':', rpc_result_letter<R>::letter, '\0'};
};

/* "PARAMS:v" for a call with these arguments: the result is kept raw until as<T>(). */
template <typename... A> struct rpc_call_signature {
    static_assert(sizeof...(A) <= DUET_RPC_MAX_ARGS, "RPC: a call takes at most DUET_RPC_MAX_ARGS (8) arguments");
    static constexpr char text[] = {rpc_checked<rpc_decayed<A>>::letter..., ':', 'v', '\0'};
};

/* "PARAMS" for a notification. */
template <typename... A> struct rpc_send_signature {
    static_assert(sizeof...(A) <= DUET_RPC_MAX_ARGS, "RPC: send takes at most DUET_RPC_MAX_ARGS (8) arguments");
    static constexpr char text[] = {rpc_checked<rpc_decayed<A>>::letter..., '\0'};
};

} // namespace detail
} // namespace arduino

/* Containers and structs (letter 'v'), after all of the above, which they build on. */
#include "rpc_values.h"

#endif

/* rpc_values_std.h - the rest of the standard types msgpack-c packs, as it packs and reads
 * them (internal to RPC.h, included at the end of rpc_values.h, whose scheme it follows):
 *   std::set, std::multiset, std::unordered_set   array, in the container's order; read as
 *                                  msgpack-c reads one, from the last element to the first: of
 *                                  equivalent elements a set keeps the last, a multiset holds
 *                                  them in the reverse of their order in the array
 *   std::list, std::deque, std::forward_list      array, in order (of bytes too: no bin)
 *   std::optional<T>               nil when empty, else T's value; nil reads as empty
 *   std::byte                      an integer 0..255 (rpc_types.h's uint8); a std::vector or
 *                                  std::array of std::byte is bin, as one of uint8_t
 *   const char * in a container    str, sent only (a compile-time error where one is read)
 */
#ifndef DUET_ARDUINO_RPC_VALUES_STD_H
#define DUET_ARDUINO_RPC_VALUES_STD_H

#include <cstddef>
#include <deque>
#include <forward_list>
#include <iterator>
#include <list>
#include <optional>
#include <set>
#include <stdint.h>
#include <string.h>
#include <unordered_set>
#include <utility>

#include "duet/rpc.h"
#include "rpc_values.h"

namespace arduino {
namespace detail {

/* ------------------------------------------------------------ std::byte */

/* std::byte: an integer of 0..255 (letter 'u'), as msgpack-c packs an unsigned char. */
template <> struct rpc_type<std::byte> {
    static constexpr bool supported = true;
    static constexpr char letter = 'u';
    static constexpr const char *name = "std::byte";
    typedef std::byte holder;
    static int fetch(duet_req *r, unsigned n, holder &out)
    {
        uint32_t v = duet_arg_uint(r, n);
        if (v > 0xff)
            return rpc_fail_range(r, n, name);
        out = (std::byte)v;
        return DUET_OK;
    }
    static std::byte &use(holder &h) { return h; }
    static unsigned pass(std::byte v) { return (unsigned)v; }
    static int put(duet_req *r, std::byte v) { return duet_return_uint(r, (uint64_t)v); }
    static size_t size(std::byte) { return 2; }
    static void write(duet_msgpack_writer *w, std::byte v) { duet_msgpack_write_uint(w, (uint64_t)v); }
    static bool decode(const rpc_value &v, std::byte &out)
    {
        if (v.type != DUET_MSGPACK_UINT || v.v.u > 0xff)
            return false;
        out = (std::byte)v.v.u;
        return true;
    }
};

/* ------------------------------------------------------------ sets */

/* Puts e into a set: an equivalent element already there gives way, so that the last of the
 * array's stays, as msgpack-c, which inserts from the last element, keeps it. */
template <typename S> void rpc_set_put(S &out, typename S::value_type &&e)
{
    auto at = out.find(e);
    if (at != out.end())
        out.erase(at);
    out.insert(std::move(e));
}
/* A multiset: before its equivalents, so that they end in the reverse of the array's order. */
template <typename T, typename C, typename A> void rpc_set_put(std::multiset<T, C, A> &out, T &&e)
{
    auto at = out.lower_bound(e);
    out.emplace_hint(at, std::move(e));
}

template <typename S> struct rpc_set_codec {
    typedef typename S::value_type E;
    static constexpr bool supported = rpc_codec<E>::supported;
    static size_t size(const S &v) { return rpc_size_all(v); }
    static void write(duet_msgpack_writer *w, const S &v) { rpc_write_all(w, v); }
    static bool read(duet_msgpack_reader *r, S &out, rpc_problem *p)
    {
        duet_msgpack_token t;
        if (!rpc_open(r, p, DUET_MSGPACK_ARRAY, "an array of ", rpc_codec<E>::name, &t))
            return false;
        out.clear();
        for (uint32_t i = 0; i < t.v.count; i++) {
            E e{};
            if (!rpc_codec<E>::read(r, e, p))
                return rpc_in_element(p, i);
            if (!rpc_room_put(out, p, rpc_codec<S>::name, [&] { rpc_set_put(out, std::move(e)); }))
                return false;
        }
        rpc_close(p);
        return true;
    }
};
template <typename T, typename C, typename A> struct rpc_codec<std::set<T, C, A>> : rpc_set_codec<std::set<T, C, A>> {
    static constexpr const char *name = "std::set";
};
template <typename T, typename C, typename A>
struct rpc_codec<std::multiset<T, C, A>> : rpc_set_codec<std::multiset<T, C, A>> {
    static constexpr const char *name = "std::multiset";
};
template <typename T, typename H, typename E, typename A>
struct rpc_codec<std::unordered_set<T, H, E, A>> : rpc_set_codec<std::unordered_set<T, H, E, A>> {
    static constexpr const char *name = "std::unordered_set";
};

/* ------------------------------------------------------------ lists */

/* std::list, std::deque, std::forward_list: an array of any length, in order (Named: the
 * container, whose name a refusal gives). */
template <typename L, typename Named = L> struct rpc_list_codec {
    typedef typename L::value_type E;
    static constexpr bool supported = rpc_codec<E>::supported;
    static size_t size(const L &v) { return rpc_size_all(v); }
    static void write(duet_msgpack_writer *w, const L &v)
    {
        duet_msgpack_write_array(w, (uint32_t)std::distance(v.begin(), v.end()));
        for (const auto &e : v)
            rpc_codec<E>::write(w, e);
    }
    static bool read(duet_msgpack_reader *r, L &out, rpc_problem *p)
    {
        duet_msgpack_token t;
        if (!rpc_open(r, p, DUET_MSGPACK_ARRAY, "an array of ", rpc_codec<E>::name, &t))
            return false;
        out.clear();
        auto tail = out.before_begin();
        for (uint32_t i = 0; i < t.v.count; i++) {
            E e{};
            if (!rpc_codec<E>::read(r, e, p))
                return rpc_in_element(p, i);
            if (!rpc_room_put(out, p, rpc_codec<Named>::name, [&] { tail = out.insert_after(tail, std::move(e)); }))
                return false;
        }
        rpc_close(p);
        return true;
    }
};

/* A list or deque as the reads above take a forward_list: appended at its end. */
template <typename L> struct rpc_back_inserter {
    L &list;
    typedef typename L::value_type value_type;
    void clear() { list.clear(); }
    int before_begin() { return 0; }
    int insert_after(int, value_type &&e)
    {
        list.push_back(std::move(e));
        return 0;
    }
};
template <typename L> struct rpc_back_codec : rpc_list_codec<L> {
    static bool read(duet_msgpack_reader *r, L &out, rpc_problem *p)
    {
        rpc_back_inserter<L> at{out};
        return rpc_list_codec<rpc_back_inserter<L>, L>::read(r, at, p);
    }
};
/* Its room is the list's or deque's. */
template <typename L> struct rpc_room_of<rpc_back_inserter<L>> {
    static constexpr size_t made = 0;
    static size_t insert(const rpc_back_inserter<L> &at) { return rpc_room_of<L>::insert(at.list); }
};

template <typename T, typename A> struct rpc_codec<std::list<T, A>> : rpc_back_codec<std::list<T, A>> {
    static constexpr const char *name = "std::list";
};
template <typename T, typename A> struct rpc_codec<std::deque<T, A>> : rpc_back_codec<std::deque<T, A>> {
    static constexpr const char *name = "std::deque";
};
template <typename T, typename A> struct rpc_codec<std::forward_list<T, A>> : rpc_list_codec<std::forward_list<T, A>> {
    static constexpr const char *name = "std::forward_list";
};

/* ------------------------------------------------------------ std::optional */

/* nil when empty, else the value as T travels; nil reads as empty, anything else as a T. */
template <typename T> struct rpc_codec<std::optional<T>> {
    static constexpr bool supported = rpc_codec<T>::supported;
    static constexpr const char *name = "std::optional";
    static size_t size(const std::optional<T> &v) { return v ? rpc_codec<T>::size(*v) : 1; }
    static void write(duet_msgpack_writer *w, const std::optional<T> &v)
    {
        if (v)
            rpc_codec<T>::write(w, *v);
        else
            duet_msgpack_write_nil(w);
    }
    static bool read(duet_msgpack_reader *r, std::optional<T> &out, rpc_problem *p)
    {
        if (duet_msgpack_reader_remaining(r) > 0 && *duet_msgpack_reader_pos(r) == 0xc0) {
            duet_msgpack_token nil;
            duet_msgpack_read_token(r, &nil);
            out.reset();
            return true;
        }
        T v{};
        if (!rpc_codec<T>::read(r, v, p))
            return false;
        out = std::move(v);
        return true;
    }
};

/* ------------------------------------------------------------ const char * */

template <typename T> constexpr bool rpc_never = false;

/* A const char * (or char *) in a container or struct: sent as a str of its text, as msgpack-c
 * packs one (a null pointer as ""), never read: a received str is not NUL-terminated and
 * nothing would keep a copy (msgpack-c cannot read into one either). */
template <typename C>
struct rpc_codec<C *, typename std::enable_if<std::is_same<typename std::remove_cv<C>::type, char>::value>::type> {
    static constexpr bool supported = true;
    static constexpr const char *name = "const char *";
    static size_t size(const C *v) { return 5 + (v ? strlen(v) : 0); }
    static void write(duet_msgpack_writer *w, const C *v) { duet_msgpack_write_str(w, v ? v : "", v ? strlen(v) : 0); }
    template <typename U = C> static bool read(duet_msgpack_reader *, C *&, rpc_problem *)
    {
        static_assert(rpc_never<U>, "RPC: a const char * in a container or struct is only sent, never received: "
                                    "nothing would keep its text; take String or std::string there (see docs/arduino.md)");
        return false;
    }
};

/* ------------------------------------------------------------ as an argument or result */

template <typename T, typename C, typename A> struct rpc_is_value<std::set<T, C, A>> : std::true_type {};
template <typename T, typename C, typename A> struct rpc_is_value<std::multiset<T, C, A>> : std::true_type {};
template <typename T, typename H, typename E, typename A>
struct rpc_is_value<std::unordered_set<T, H, E, A>> : std::true_type {};
template <typename T, typename A> struct rpc_is_value<std::list<T, A>> : std::true_type {};
template <typename T, typename A> struct rpc_is_value<std::deque<T, A>> : std::true_type {};
template <typename T, typename A> struct rpc_is_value<std::forward_list<T, A>> : std::true_type {};
template <typename T> struct rpc_is_value<std::optional<T>> : std::true_type {};

} // namespace detail
} // namespace arduino

#endif

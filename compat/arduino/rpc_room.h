/* rpc_room.h - room on the heap for what an argument or result is read into (internal to
 * RPC.h, included by rpc_values.h after the primary rpc_codec): a sketch has no exceptions,
 * so before each allocation a read makes, the bytes it takes are held (rpc_room_hold,
 * rpc_room.cpp) and given to it if the heap has no other room; when they are not there the
 * value is refused ("out of memory for a std::set") rather than std::bad_alloc aborting.
 *   a std::string, String or byte vector   its text (rpc_types.h's room())
 *   a node of a set, list or map           its value and links (rpc_room_of below)
 *   an unordered set's or map's buckets    when an element may make it rehash
 *   a deque's blocks                       as it grows, and the first one it is made with
 * The bytes are an estimate from libstdc++'s layout, at least what it takes.
 */
/* Included on its own, this file's place is inside rpc_values.h, which includes it there: so
 * rpc_values.h comes first, outside this file's guard (from rpc_values.h, it is guarded). */
#include "rpc_values.h"

#ifndef DUET_ARDUINO_RPC_ROOM_H
#define DUET_ARDUINO_RPC_ROOM_H

#include <cstddef>
#include <deque>
#include <stddef.h>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "WString.h"
#include "duet/rpc.h"

namespace arduino {
namespace detail {

/* The bytes of one node holding a V (a set's, a list's, a map's entry): the value, up to
 * four links (or three and a colour; a hash) and the alignment the heap adds. */
template <typename V> constexpr size_t rpc_node_room()
{
    return sizeof(V) + 4 * sizeof(void *) + alignof(std::max_align_t);
}

/* What one more element of a container C may ask the heap for (insert), and what C takes
 * when it is made empty (made: a deque's first block). */
template <typename C> struct rpc_room_of {
    static constexpr size_t made = 0;
    static size_t insert(const C &) { return rpc_node_room<typename C::value_type>(); }
};

/* A rehash, when the next element may pass the load factor: a bucket array of the next
 * prime past twice the buckets (three times, with room for libstdc++'s table of primes). */
template <typename C> size_t rpc_bucket_room(const C &c)
{
    bool grows = (float)(c.size() + 1) >= c.max_load_factor() * (float)c.bucket_count();
    return grows ? (3 * c.bucket_count() + 16) * sizeof(void *) : 0;
}
template <typename T, typename H, typename E, typename A> struct rpc_room_of<std::unordered_set<T, H, E, A>> {
    static constexpr size_t made = 0;
    static size_t insert(const std::unordered_set<T, H, E, A> &c) { return rpc_node_room<T>() + rpc_bucket_room(c); }
};
template <typename K, typename V, typename H, typename E, typename A>
struct rpc_room_of<std::unordered_map<K, V, H, E, A>> {
    static constexpr size_t made = 0;
    static size_t insert(const std::unordered_map<K, V, H, E, A> &c)
    {
        return rpc_node_room<std::pair<const K, V>>() + rpc_bucket_room(c);
    }
};

/* A deque: blocks of 512 bytes (one element, when it is larger) and a map of pointers to
 * them, which grows to at most twice the blocks and a few more; made with a map of 8. */
template <typename T, typename A> struct rpc_room_of<std::deque<T, A>> {
    static constexpr size_t block = sizeof(T) < 512 ? 512 / sizeof(T) * sizeof(T) : sizeof(T);
    static constexpr size_t made = block + 8 * sizeof(void *) + 2 * alignof(std::max_align_t);
    static size_t insert(const std::deque<T, A> &c)
    {
        size_t blocks = c.size() * sizeof(T) / block + 2;
        return block + (4 * blocks + 20) * sizeof(void *) + 2 * alignof(std::max_align_t);
    }
};

/* Whether rpc_type<T> has room(): a std::string or byte vector, read with its room held. */
template <typename T, typename = void> struct rpc_has_room : std::false_type {};
template <typename T> struct rpc_has_room<T, std::void_t<decltype(&rpc_type<T>::room)>> : std::true_type {};

/* Puts one element into a container with put(), its room held: false (no memory for the
 * container, named name) when the room is not there, and put() is not run. */
template <typename C, typename Put> bool rpc_room_put(C &out, rpc_problem *p, const char *name, Put &&put)
{
    if (!rpc_room_hold(rpc_room_of<C>::insert(out)))
        return rpc_no_memory(p, name);
    put();
    rpc_room_release();
    return true;
}

/* Reads a std::string or byte vector from v into out with its room held: false with the
 * problem (no memory, or a value of another type) when it cannot. */
template <typename T> bool rpc_decode_held(const rpc_value &v, T &out, rpc_problem *p)
{
    if (!rpc_room_hold(rpc_type<T>::room(v)))
        return rpc_no_memory(p, rpc_type<T>::name);
    bool ok = rpc_type<T>::decode(v, out);
    rpc_room_release();
    return ok;
}

/* A std::string or byte vector in a container: refused, never an abort, when the heap has
 * no room for it (the primary template, rpc_codec<T, bool>, does the rest). */
template <typename T> struct rpc_held_codec : rpc_codec<T, bool> {
    static bool read(duet_msgpack_reader *r, T &out, rpc_problem *p)
    {
        duet_msgpack_reader at = *r;
        duet_msgpack_token t;
        if (!duet_msgpack_read_token(&at, &t))
            return rpc_codec<T, bool>::read(r, out, p);
        if (!rpc_room_hold(rpc_type<T>::room(t)))
            return rpc_no_memory(p, rpc_type<T>::name);
        bool ok = rpc_type<T>::decode(t, out);
        rpc_room_release();
        if (!ok)
            return rpc_codec<T, bool>::read(r, out, p); /* says what it found */
        *r = at;
        return true;
    }
};
template <> struct rpc_codec<std::string> : rpc_held_codec<std::string> {};
template <typename E>
struct rpc_codec<std::vector<E>, typename std::enable_if<rpc_is_byte<E>()>::type> : rpc_held_codec<std::vector<E>> {};

/* A String in a container: refused, never left invalid (String has no room to hold: it
 * says when it got no memory). */
template <> struct rpc_codec<String> : rpc_codec<String, bool> {
    static bool read(duet_msgpack_reader *r, String &out, rpc_problem *p)
    {
        if (!rpc_codec<String, bool>::read(r, out, p))
            return false;
        return out ? true : rpc_no_memory(p, name);
    }
};

} // namespace detail
} // namespace arduino

#endif

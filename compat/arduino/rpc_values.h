/* rpc_values.h - values that travel as one MessagePack value (duet/rpc.h's letter 'v'), as
 * msgpack-c, the Arduino library's MessagePack, packs them (internal to RPC.h, included at
 * the end of rpc_types.h, whose types it builds on):
 *   std::vector<E>                 array (bytes, E uint8_t or char, are rpc_types.h's bin)
 *   std::array<E, N>               array of N (E uint8_t or char: bin of N bytes)
 *   std::map, std::unordered_map   map, in the container's order
 *   std::tuple, std::pair          array of their elements
 *   a MSGPACK_DEFINE(_ARRAY) struct  array of its members; MSGPACK_DEFINE_MAP: map from each
 *                                  member's name (the text between the commas) to its value
 *   (sets, lists, std::optional and std::byte: rpc_values_std.h)
 * nested in one another and holding any type of rpc_types.h (a const char * is only sent:
 * rpc_values_std.h). A struct's list may hold msgpack-c's MSGPACK_BASE (the base's value,
 * nested) and, in a map, MSGPACK_NVP.
 *
 * Each such type T has an rpc_codec<T> with:
 *   supported   whether T and all it holds may travel
 *   name        how error texts name T
 *   size()      the most bytes write() takes
 *   write()     writes a value
 *   read()      reads one value, checking all of it; false with an rpc_problem saying where
 *               and what (the output may be partly written then: callers read into a copy)
 * rpc_types.h's scalars, texts and bytes have one too (rpc_codec's primary template), so
 * containers read and write their elements alike. rpc_type<T> for these types (letter 'v')
 * is rpc_value_type<T>.
 */
#ifndef DUET_ARDUINO_RPC_VALUES_H
#define DUET_ARDUINO_RPC_VALUES_H

#include <array>
#include <map>
#include <stddef.h>
#include <string.h>
#include <stdint.h>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "duet/rpc.h"
#include "rpc_keys.h"
#include "rpc_types.h"

/* How deep values may nest in one another (a vector of vectors is 2): a value nested deeper
 * is refused before it is read further, so that a hostile one cannot exhaust the stack. */
#ifndef DUET_ARDUINO_RPC_DEPTH
#define DUET_ARDUINO_RPC_DEPTH 16
#endif

/* msgpack-c's macros that make a struct travel (the Arduino library's headers bring them),
 * defined here for the sketches written for it, unless msgpack-c's own are defined already.
 * Each gives the struct duet_rpc_members(): a tuple of references to the members listed, and
 * duet_rpc_member_names(): nullptr for an array, else the list as written ("x, y"), whose
 * items are the map's keys as msgpack-c names them (each member expression's text). */
#define DUET_RPC_MEMBERS(names, ...)                                                                                  \
    auto duet_rpc_members() { return std::tie(__VA_ARGS__); }                                                        \
    auto duet_rpc_members() const { return std::tie(__VA_ARGS__); }                                                  \
    static constexpr const char *duet_rpc_member_names() { return names; }
#ifndef MSGPACK_DEFINE_ARRAY
#define MSGPACK_DEFINE_ARRAY(...) DUET_RPC_MEMBERS(nullptr, __VA_ARGS__)
#endif
#ifndef MSGPACK_DEFINE_MAP
#define MSGPACK_DEFINE_MAP(...) DUET_RPC_MEMBERS(#__VA_ARGS__, __VA_ARGS__)
#endif
#ifndef MSGPACK_DEFINE /* an array, unless MSGPACK_USE_DEFINE_MAP says a map, as in msgpack-c */
#ifdef MSGPACK_USE_DEFINE_MAP
#define MSGPACK_DEFINE MSGPACK_DEFINE_MAP
#else
#define MSGPACK_DEFINE MSGPACK_DEFINE_ARRAY
#endif
#endif
namespace arduino {
namespace detail {

/* ------------------------------------------------------------ what went wrong */

/* Why a value could not be read: what was expected and found where. The path ("element 2:
 * key \"x\": ") is written from its end as the reads return, innermost first. */
struct rpc_problem {
    enum kind_t : uint8_t { MISMATCH, RANGE, COUNT, MISSING, DEEP, NOMEM } kind = MISMATCH;
    duet_msgpack_token found{};    /* MISMATCH, RANGE, COUNT: the value found (its header) */
    const char *want = "";         /* MISMATCH, RANGE: "int32", "an array of " ... */
    const char *want_of = "";      /*   ... and what follows it ("int32"); NOMEM: the type */
    uint32_t count = 0;            /* COUNT: the elements (or bytes) expected */
    bool bytes = false;            /* COUNT: of a bin (a byte std::array) */
    const char *key = "";          /* MISSING: the member's name */
    size_t key_len = 0;
    unsigned depth = 0;            /* containers open at the value being read */
    char path[72];
    size_t path_at = sizeof path - 1; /* the path is path[path_at..], NUL-terminated */
    rpc_problem() { path[sizeof path - 1] = '\0'; }
    rpc_problem(kind_t k, const char *of) : rpc_problem() { kind = k, want_of = of; }
    bool cut = false;                 /* an outer part of the path did not fit */
    /* The path as text. */
    const char *where() const { return path + path_at; }
    bool at_top() const { return path_at == sizeof path - 1 && !cut; }
};

/* Each sets the problem and returns false. */
bool rpc_mismatch(rpc_problem *p, const duet_msgpack_token &found, const char *want, const char *want_of, bool range);
bool rpc_wrong_count(rpc_problem *p, const duet_msgpack_token &found, uint32_t want);
bool rpc_wrong_length(rpc_problem *p, const duet_msgpack_token &found, uint32_t want);
bool rpc_missing(rpc_problem *p, const char *key, size_t len);
/* No memory for a value of the type named. */
bool rpc_no_memory(rpc_problem *p, const char *type_name);
/* Puts "element i+1: " before the path. */
bool rpc_in_element(rpc_problem *p, uint32_t i);
/* Puts "key of entry i+1: " before the path. */
bool rpc_in_key(rpc_problem *p, uint32_t i);
/* Puts the key of a map's value before the path: `key "x": ` for a str, `key 5: ` for an
 * integer, else "value of entry i+1: " (key_at: where the key's encoding starts). */
bool rpc_in_value(rpc_problem *p, const uint8_t *key_at, size_t avail, uint32_t i);

/* Reads a container's header: false (with the problem) when it is nested too deep or is no
 * want (then want_text and want_of say what was expected). Opens one level. */
bool rpc_open(duet_msgpack_reader *r, rpc_problem *p, duet_msgpack_type want, const char *want_text,
              const char *want_of, duet_msgpack_token *t);
/* Reads an array's header: false (with the problem) when it is nested too deep or is no
 * array of n elements. Opens one level. */
bool rpc_open_array(duet_msgpack_reader *r, rpc_problem *p, uint32_t n, duet_msgpack_token *t);
inline void rpc_close(rpc_problem *p) { p->depth--; }

/* The problem as text: "element 2: expected int32, got str". */
void rpc_problem_text(const rpc_problem &p, char *buf, size_t cap);
/* Fails a request whose argument n is not what the bound function takes. */
int rpc_fail_value(duet_req *r, unsigned n, const rpc_problem &p);

/* A MSGPACK_DEFINE_MAP list's item i (its text, trimmed); false past the last. */
bool rpc_member_name(const char *list, size_t i, const char **name, size_t *len);
/* The index of the item of list that is name, or -1. */
long rpc_member_find(const char *list, const char *name, size_t len);

/* ------------------------------------------------------------ the codecs */

/* Whether T is one of rpc_types.h's single values (a scalar, a text, bytes). */
template <typename T> constexpr bool rpc_is_plain()
{
    if constexpr (!rpc_type<T>::supported)
        return false;
    else
        return rpc_type<T>::letter != 'v' && !std::is_pointer<T>::value;
}

template <typename T> constexpr const char *rpc_plain_name()
{
    if constexpr (rpc_is_plain<T>())
        return rpc_type<T>::name;
    else
        return "";
}

template <typename T> constexpr bool rpc_is_byte()
{
    return std::is_same<T, unsigned char>::value || std::is_same<T, char>::value || std::is_same<T, std::byte>::value;
}

/* A single value: read as a token and checked as rpc_type<T>::decode checks a result. */
template <typename T, typename = void> struct rpc_codec {
    static constexpr bool supported = rpc_is_plain<T>();
    static constexpr const char *name = rpc_plain_name<T>();
    static size_t size(const T &v)
    {
        if constexpr (std::is_arithmetic<T>::value) {
            (void)v;
            return rpc_type<T>::most;
        } else {
            return rpc_type<T>::size(v);
        }
    }
    static void write(duet_msgpack_writer *w, const T &v) { rpc_type<T>::write(w, v); }
    static bool read(duet_msgpack_reader *r, T &out, rpc_problem *p)
    {
        duet_msgpack_token t;
        if (!duet_msgpack_read_token(r, &t))
            t.type = DUET_MSGPACK_NONE;
        if (t.type != DUET_MSGPACK_NONE && rpc_type<T>::decode(t, out))
            return true;
        constexpr bool integer =
            (std::is_integral<T>::value && !std::is_same<T, bool>::value) || std::is_same<T, std::byte>::value;
        return rpc_mismatch(p, t, "", name, integer && (t.type == DUET_MSGPACK_INT || t.type == DUET_MSGPACK_UINT));
    }
};

} // namespace detail
} // namespace arduino

/* Room on the heap for what a read allocates, and the codecs of std::string, String and
 * byte vectors, which hold theirs (rpc_room.h, built on the above). */
#include "rpc_room.h"

namespace arduino {
namespace detail {

/* The elements of a container, one after the other (a tuple's, a struct's). */
template <typename Tuple, size_t... I> size_t rpc_size_each(const Tuple &t, std::index_sequence<I...>)
{
    (void)t;
    return (rpc_codec<std::decay_t<std::tuple_element_t<I, Tuple>>>::size(std::get<I>(t)) + ... + (size_t)0);
}
template <typename Tuple, size_t... I> void rpc_write_each(duet_msgpack_writer *w, const Tuple &t, std::index_sequence<I...>)
{
    (void)w; /* (unused when there is no element) */
    (void)t;
    (rpc_codec<std::decay_t<std::tuple_element_t<I, Tuple>>>::write(w, std::get<I>(t)), ...);
}
template <typename Tuple, size_t... I>
bool rpc_read_each(duet_msgpack_reader *r, Tuple &&t, rpc_problem *p, std::index_sequence<I...>)
{
    typedef std::remove_reference_t<Tuple> tuple;
    (void)r;
    (void)t;
    (void)p;
    return (... && (rpc_codec<std::decay_t<std::tuple_element_t<I, tuple>>>::read(r, std::get<I>(t), p) ||
                    rpc_in_element(p, (uint32_t)I)));
}
template <typename Tuple, size_t... I> constexpr bool rpc_all_supported(std::index_sequence<I...>)
{
    return (... && rpc_codec<std::decay_t<std::tuple_element_t<I, Tuple>>>::supported);
}

/* An array of the same elements (a vector's, a std::array's). */
template <typename C> size_t rpc_size_all(const C &v)
{
    size_t most = 5;
    for (const auto &e : v)
        most += rpc_codec<typename C::value_type>::size(e);
    return most;
}
template <typename C> void rpc_write_all(duet_msgpack_writer *w, const C &v)
{
    duet_msgpack_write_array(w, (uint32_t)v.size());
    for (const auto &e : v)
        rpc_codec<typename C::value_type>::write(w, e);
}

/* std::vector<E> (not bytes): an array of any length. */
template <typename E> struct rpc_codec<std::vector<E>, typename std::enable_if<!rpc_is_byte<E>()>::type> {
    static constexpr bool supported = rpc_codec<E>::supported;
    static constexpr const char *name = "std::vector";
    static size_t size(const std::vector<E> &v) { return rpc_size_all(v); }
    static void write(duet_msgpack_writer *w, const std::vector<E> &v) { rpc_write_all(w, v); }
    static bool read(duet_msgpack_reader *r, std::vector<E> &out, rpc_problem *p)
    {
        duet_msgpack_token t;
        if (!rpc_open(r, p, DUET_MSGPACK_ARRAY, "an array of ", rpc_codec<E>::name, &t))
            return false;
        /* rpc_open checked that as many values may follow; the heap may still have no room */
        if (!rpc_room_hold(t.v.count * sizeof(E)))
            return rpc_no_memory(p, name);
        out.assign(t.v.count, E{});
        rpc_room_release();
        for (uint32_t i = 0; i < t.v.count; i++) {
            bool ok;
            if constexpr (std::is_same<E, bool>::value) { /* (a bit, not a bool &) */
                bool b = false;
                ok = rpc_codec<bool>::read(r, b, p);
                out[i] = b;
            } else {
                ok = rpc_codec<E>::read(r, out[i], p);
            }
            if (!ok)
                return rpc_in_element(p, i);
        }
        rpc_close(p);
        return true;
    }
};

/* std::array<E, N>: an array of N; of bytes, a bin of N (a str too, as msgpack-c reads it). */
template <typename E, size_t N> struct rpc_codec<std::array<E, N>> {
    static constexpr bool bytes = rpc_is_byte<E>();
    static constexpr bool supported = rpc_codec<E>::supported;
    static constexpr const char *name = "std::array";
    static size_t size(const std::array<E, N> &v)
    {
        if constexpr (bytes)
            return 5 + N;
        else
            return rpc_size_all(v);
    }
    static void write(duet_msgpack_writer *w, const std::array<E, N> &v)
    {
        if constexpr (bytes)
            duet_msgpack_write_bin(w, v.data(), N);
        else
            rpc_write_all(w, v);
    }
    static bool read(duet_msgpack_reader *r, std::array<E, N> &out, rpc_problem *p)
    {
        duet_msgpack_token t;
        if constexpr (bytes) {
            if (!duet_msgpack_read_token(r, &t) || (t.type != DUET_MSGPACK_BIN && t.type != DUET_MSGPACK_STR))
                return rpc_mismatch(p, t, "bin", "", false);
            if (t.v.bytes.len != N)
                return rpc_wrong_length(p, t, (uint32_t)N);
            memcpy(out.data(), t.v.bytes.ptr, N);
            return true;
        } else {
            if (!rpc_open_array(r, p, (uint32_t)N, &t))
                return false;
            for (uint32_t i = 0; i < N; i++)
                if (!rpc_codec<E>::read(r, out[i], p))
                    return rpc_in_element(p, i);
            rpc_close(p);
            return true;
        }
    }
};

/* std::map and std::unordered_map: a map. A key that comes twice: the last value stays, as
 * msgpack-c reads it. */
template <typename M> struct rpc_map_codec {
    typedef typename M::key_type K;
    typedef typename M::mapped_type V;
    static constexpr bool supported = rpc_codec<K>::supported && rpc_codec<V>::supported;
    static size_t size(const M &v)
    {
        size_t most = 5;
        for (const auto &kv : v)
            most += rpc_codec<K>::size(kv.first) + rpc_codec<V>::size(kv.second);
        return most;
    }
    static void write(duet_msgpack_writer *w, const M &v)
    {
        duet_msgpack_write_map(w, (uint32_t)v.size());
        for (const auto &kv : v) {
            rpc_codec<K>::write(w, kv.first);
            rpc_codec<V>::write(w, kv.second);
        }
    }
    static bool read(duet_msgpack_reader *r, M &out, rpc_problem *p)
    {
        duet_msgpack_token t;
        if (!rpc_open(r, p, DUET_MSGPACK_MAP, "a map", "", &t))
            return false;
        out.clear();
        for (uint32_t i = 0; i < t.v.count; i++) {
            const uint8_t *key_at = duet_msgpack_reader_pos(r);
            size_t avail = duet_msgpack_reader_remaining(r);
            K k{};
            if (!rpc_codec<K>::read(r, k, p))
                return rpc_in_key(p, i);
            V v{};
            if (!rpc_codec<V>::read(r, v, p))
                return rpc_in_value(p, key_at, avail, i);
            if (!rpc_room_put(out, p, rpc_codec<M>::name, [&] { out[std::move(k)] = std::move(v); }))
                return false;
        }
        rpc_close(p);
        return true;
    }
};
template <typename K, typename V, typename C, typename A>
struct rpc_codec<std::map<K, V, C, A>> : rpc_map_codec<std::map<K, V, C, A>> {
    static constexpr const char *name = "std::map";
};
template <typename K, typename V, typename H, typename E, typename A>
struct rpc_codec<std::unordered_map<K, V, H, E, A>> : rpc_map_codec<std::unordered_map<K, V, H, E, A>> {
    static constexpr const char *name = "std::unordered_map";
};

/* std::tuple and std::pair: an array of exactly their elements. */
template <typename T> struct rpc_tuple_codec {
    typedef std::make_index_sequence<std::tuple_size<T>::value> each;
    static constexpr bool supported = rpc_all_supported<T>(each{});
    static size_t size(const T &v) { return 5 + rpc_size_each(v, each{}); }
    static void write(duet_msgpack_writer *w, const T &v)
    {
        duet_msgpack_write_array(w, (uint32_t)std::tuple_size<T>::value);
        rpc_write_each(w, v, each{});
    }
    static bool read(duet_msgpack_reader *r, T &out, rpc_problem *p)
    {
        duet_msgpack_token t;
        if (!rpc_open_array(r, p, (uint32_t)std::tuple_size<T>::value, &t) ||
            !rpc_read_each(r, out, p, each{}))
            return false;
        rpc_close(p);
        return true;
    }
};
template <typename... E> struct rpc_codec<std::tuple<E...>> : rpc_tuple_codec<std::tuple<E...>> {
    static constexpr const char *name = "std::tuple";
};
template <typename A, typename B> struct rpc_codec<std::pair<A, B>> : rpc_tuple_codec<std::pair<A, B>> {
    static constexpr const char *name = "std::pair";
};

/* A struct with MSGPACK_DEFINE, MSGPACK_DEFINE_ARRAY or MSGPACK_DEFINE_MAP. */
template <typename T, typename = void> struct rpc_has_members : std::false_type {};
template <typename T>
struct rpc_has_members<T, std::void_t<decltype(std::declval<T &>().duet_rpc_members())>> : std::true_type {};

/* Reads the key of a MSGPACK_DEFINE_MAP struct's entry i: *member is its index in names, or -1
 * for a name not there. False (with the problem) when the key is no str. */
bool rpc_read_member_key(duet_msgpack_reader *r, rpc_problem *p, uint32_t i, const char *names, long *member);
/* Passes over a value (a key a struct does not have), within the nesting left. */
bool rpc_skip(duet_msgpack_reader *r, rpc_problem *p);

template <typename T> struct rpc_codec<T, typename std::enable_if<rpc_has_members<T>::value>::type> {
    typedef decltype(std::declval<const T &>().duet_rpc_members()) members;
    static constexpr size_t count = std::tuple_size<members>::value;
    typedef std::make_index_sequence<count> each;
    /* True here, so that a struct may hold a vector of itself; its members are checked where
     * it is written or read. */
    static constexpr bool supported = true;
    static constexpr const char *name = "struct";
    static constexpr const char *names = T::duet_rpc_member_names();
    static constexpr bool keyed = rpc_names_keyed(names);
    static void check()
    {
        static_assert(rpc_all_supported<members>(each{}),
                      "RPC: a member named in MSGPACK_DEFINE cannot travel between the cores (see docs/arduino.md)");
        static_assert(rpc_nvp_names_plain(names),
                      "RPC: MSGPACK_NVP's name must be one string literal without escapes, MSGPACK_NVP(\"key\", member) "
                      "(the key is read from the list's text; see docs/arduino.md)");
    }
    static size_t size(const T &v)
    {
        check();
        size_t keys = 0; /* a map's: each key's head and text */
        if constexpr (names != nullptr)
            keys = 5 * count + strlen(names);
        return 5 + keys + rpc_size_each(v.duet_rpc_members(), each{});
    }
    static void write(duet_msgpack_writer *w, const T &v)
    {
        check();
        if constexpr (names == nullptr) {
            duet_msgpack_write_array(w, (uint32_t)count);
            rpc_write_each(w, v.duet_rpc_members(), each{});
        } else {
            duet_msgpack_write_map(w, (uint32_t)count);
            write_named(w, v.duet_rpc_members(), each{});
        }
    }
    static bool read(duet_msgpack_reader *r, T &out, rpc_problem *p)
    {
        check();
        duet_msgpack_token t;
        if constexpr (names == nullptr) {
            if (!rpc_open_array(r, p, (uint32_t)count, &t) ||
                !rpc_read_each(r, out.duet_rpc_members(), p, each{}))
                return false;
        } else if (!rpc_open(r, p, DUET_MSGPACK_MAP, "a map", "", &t) || !read_named(r, t.v.count, out, p)) {
            return false;
        }
        rpc_close(p);
        return true;
    }

private:
    template <size_t... I> static void write_named(duet_msgpack_writer *w, const members &m, std::index_sequence<I...>)
    {
        const char *key;
        size_t len;
        (((keyed ? rpc_member_key(names, I, &key, &len) : rpc_member_name(names, I, &key, &len)),
          duet_msgpack_write_str(w, key, len),
          rpc_codec<std::decay_t<std::tuple_element_t<I, members>>>::write(w, std::get<I>(m))),
         ...);
    }
    /* Member k of the map's entry i (its key read already). */
    template <size_t... I>
    static bool read_member(duet_msgpack_reader *r, size_t k, T &out, rpc_problem *p, std::index_sequence<I...>)
    {
        auto m = out.duet_rpc_members();
        bool ok = true;
        ((ok = k == I ? rpc_codec<std::decay_t<std::tuple_element_t<I, members>>>::read(r, std::get<I>(m), p) : ok), ...);
        return ok;
    }
    /* Every member's key must come; the first value of a key counts and unknown keys are
     * passed over, as msgpack-c reads such a map. */
    static bool read_named(duet_msgpack_reader *r, uint32_t entries, T &out, rpc_problem *p)
    {
        bool seen[count + 1] = {};
        for (uint32_t i = 0; i < entries; i++) {
            const uint8_t *key_at = duet_msgpack_reader_pos(r);
            size_t avail = duet_msgpack_reader_remaining(r);
            long k;
            if (!(keyed ? rpc_read_keyed_member(r, p, i, names, &k) : rpc_read_member_key(r, p, i, names, &k)))
                return false;
            if (k < 0 || seen[k]) {
                if (!rpc_skip(r, p))
                    return rpc_in_value(p, key_at, avail, i);
                continue;
            }
            seen[k] = true;
            if (!read_member(r, (size_t)k, out, p, each{}))
                return rpc_in_value(p, key_at, avail, i);
        }
        for (size_t k = 0; k < count; k++) {
            const char *key;
            size_t len;
            if (!seen[k] && (keyed ? rpc_member_key(names, k, &key, &len) : rpc_member_name(names, k, &key, &len)))
                return rpc_missing(p, key, len);
        }
        return true;
    }
};

/* ------------------------------------------------------------ as an argument or result */

/* Whether T travels as one of these values. */
template <typename T, typename = void> struct rpc_is_value : std::false_type {};
template <typename E> struct rpc_is_value<std::vector<E>, typename std::enable_if<!rpc_is_byte<E>()>::type> : std::true_type {};
template <typename E, size_t N> struct rpc_is_value<std::array<E, N>> : std::true_type {};
template <typename K, typename V, typename C, typename A> struct rpc_is_value<std::map<K, V, C, A>> : std::true_type {};
template <typename K, typename V, typename H, typename E, typename A>
struct rpc_is_value<std::unordered_map<K, V, H, E, A>> : std::true_type {};
template <typename... E> struct rpc_is_value<std::tuple<E...>> : std::true_type {};
template <typename A, typename B> struct rpc_is_value<std::pair<A, B>> : std::true_type {};
template <typename T> struct rpc_is_value<T, typename std::enable_if<rpc_has_members<T>::value>::type> : std::true_type {};

/* Reads the one value in data into out (left alone unless the whole value fits). */
template <typename T> bool rpc_value_decode(const uint8_t *data, size_t len, T &out, rpc_problem *p)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, data, len);
    if constexpr (rpc_room_of<T>::made > 0) { /* a deque: made with a block, swapped without one */
        if (!rpc_room_hold(rpc_room_of<T>::made))
            return rpc_no_memory(p, rpc_codec<T>::name);
        T got{};
        rpc_room_release();
        if (!rpc_codec<T>::read(&r, got, p))
            return false;
        out.swap(got);
    } else {
        T got{};
        if (!rpc_codec<T>::read(&r, got, p))
            return false;
        out = std::move(got);
    }
    return true;
}

/* Writes v into out (sized for it): a call's argument. */
template <typename T> void rpc_value_encode(const T &v, std::vector<uint8_t> &out)
{
    out.resize(rpc_codec<T>::size(v));
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, out.data(), out.size());
    rpc_codec<T>::write(&w, v);
    out.resize(duet_msgpack_writer_size(&w));
}

template <typename T> struct rpc_value_type {
    static constexpr bool supported = rpc_codec<T>::supported;
    static constexpr char letter = 'v';
    static constexpr const char *name = rpc_codec<T>::name;
    typedef T holder;
    static int fetch(duet_req *r, unsigned n, holder &out)
    {
        uint32_t len = 0;
        const uint8_t *data = duet_arg_value(r, n, &len);
        rpc_problem problem;
        if (!rpc_value_decode(data, len, out, &problem))
            return rpc_fail_value(r, n, problem);
        return DUET_OK;
    }
    static holder &use(holder &h) { return h; }
    static int put(duet_req *r, const T &v)
    {
        duet_msgpack_writer *w = duet_req_result(r); /* straight into the response */
        rpc_codec<T>::write(w, v);
        return duet_msgpack_writer_error(w);
    }
    /* A result, read whole (the token alone does not hold the elements). */
    static bool decode_raw(const uint8_t *data, size_t len, holder &out, rpc_problem *problem = nullptr)
    {
        rpc_problem unused;
        return rpc_value_decode(data, len, out, problem ? problem : &unused);
    }
};

template <typename T> struct rpc_type<T, typename std::enable_if<rpc_is_value<T>::value>::type> : rpc_value_type<T> {};

/* A container or struct: its encoding (in the arena) and length, as 'v' takes a value. */
template <typename T, typename std::enable_if<rpc_is_value<T>::value, int>::type = 0>
std::tuple<const void *, size_t> rpc_pass(rpc_arena &arena, const T &v)
{
    arena.emplace_back();
    rpc_value_encode(v, arena.back());
    return std::make_tuple((const void *)arena.back().data(), arena.back().size());
}

} // namespace detail
} // namespace arduino

/* The rest of the standard types (sets, lists, std::optional, std::byte), which build on the above. */
#include "rpc_values_std.h"

#endif

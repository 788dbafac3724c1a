/* rpc_bind.h - RPC.bind's machinery: a callable's signature deduced from its type, kept in a
 * fixed slot, run by a handler that unpacks the request into its arguments (internal). */
#ifndef DUET_ARDUINO_RPC_BIND_H
#define DUET_ARDUINO_RPC_BIND_H

#include <new>
#include <stddef.h>
#include <tuple>
#include <type_traits>
#include <utility>

#include "duet/rpc.h"
#include "rpc_types.h"

/* Longest name RPC.bind keeps (it keeps a copy, so a String's text may go away). */
#ifndef DUET_ARDUINO_NAME_MAX
#define DUET_ARDUINO_NAME_MAX 48
#endif
/* Bytes a bound callable may take (a lambda's captures, a std::function). */
#ifndef DUET_ARDUINO_CALLABLE_SIZE
#define DUET_ARDUINO_CALLABLE_SIZE 64
#endif

namespace arduino {
namespace detail {

/* What a callable takes and returns: function pointers, lambdas, functors, std::function. */
template <typename Fn> struct fn_traits : fn_traits<decltype(&Fn::operator())> {};
template <typename R, typename... A> struct fn_traits<R (*)(A...)> {
    typedef R result;
    typedef rpc_signature<R, A...> signature;
    typedef std::tuple<A...> args;
};
template <typename R, typename... A> struct fn_traits<R (*)(A...) noexcept> : fn_traits<R (*)(A...)> {};
template <typename C, typename R, typename... A> struct fn_traits<R (C::*)(A...)> : fn_traits<R (*)(A...)> {};
template <typename C, typename R, typename... A> struct fn_traits<R (C::*)(A...) const> : fn_traits<R (*)(A...)> {};
template <typename C, typename R, typename... A> struct fn_traits<R (C::*)(A...) noexcept> : fn_traits<R (*)(A...)> {};
template <typename C, typename R, typename... A>
struct fn_traits<R (C::*)(A...) const noexcept> : fn_traits<R (*)(A...)> {};

/* One binding: the name as bound, and the callable copied into fixed storage. */
struct rpc_slot {
    char name[DUET_ARDUINO_NAME_MAX + 1];
    alignas(max_align_t) unsigned char callable[DUET_ARDUINO_CALLABLE_SIZE];
    void (*destroy)(void *callable);
    bool used;
};

/* Takes a free slot for name (copied). NULL, with a line on the error output, if the name is
 * too long or every slot is taken. */
rpc_slot *rpc_slot_claim(const char *name);

/* Binds the slot's name with signature and handler (the slot is the handler's user pointer);
 * on failure frees the slot (destroying its callable) and reports why. */
bool rpc_slot_bind(rpc_slot *slot, const char *signature, duet_rpc_handler fn);

/* The first of the arguments A that takes memory when it is made (a deque), or -1. */
template <typename... A> constexpr int rpc_first_made()
{
    const size_t made[] = {rpc_room_of<rpc_decayed<A>>::made..., 0};
    for (size_t i = 0; i < sizeof...(A); i++)
        if (made[i] > 0)
            return (int)i;
    return -1;
}

/* Reads the request's arguments into holders, calls f, writes its result. */
template <typename Fn, typename R, typename... A, size_t... I>
int rpc_invoke(duet_req *r, Fn &f, std::tuple<A...> *, std::index_sequence<I...>)
{
    constexpr int first_made = rpc_first_made<A...>();
    if constexpr (first_made >= 0) { /* a deque's first block: held, as its elements are */
        typedef rpc_decayed<std::tuple_element_t<(size_t)first_made, std::tuple<A...>>> made;
        if (!rpc_room_hold((rpc_room_of<rpc_decayed<A>>::made + ... + 0)))
            return rpc_fail_value(r, (unsigned)first_made, rpc_problem(rpc_problem::NOMEM, rpc_type<made>::name));
    }
    std::tuple<typename rpc_type<rpc_decayed<A>>::holder...> held;
    if constexpr (first_made >= 0)
        rpc_room_release();
    int err = DUET_OK;
    (void)r;
    /* Each argument in turn; after one that does not fit, the rest are left alone. */
    ((err = err != DUET_OK ? err : rpc_type<rpc_decayed<A>>::fetch(r, (unsigned)I, std::get<I>(held))), ...);
    if (err != DUET_OK)
        return err;
    if constexpr (std::is_void<R>::value) {
        f(rpc_type<rpc_decayed<A>>::use(std::get<I>(held))...);
        return DUET_OK;
    } else {
        return rpc_type<rpc_decayed<R>>::put(r, f(rpc_type<rpc_decayed<A>>::use(std::get<I>(held))...));
    }
}

/* The duet handler of every callable of type Fn. */
template <typename Fn> int rpc_handler(duet_req *r)
{
    typedef fn_traits<Fn> traits;
    typedef typename traits::args args;
    rpc_slot *slot = static_cast<rpc_slot *>(duet_req_user(r));
    Fn &f = *std::launder(reinterpret_cast<Fn *>(slot->callable));
    return rpc_invoke<Fn, typename traits::result>(r, f, static_cast<args *>(nullptr),
                                                  std::make_index_sequence<std::tuple_size<args>::value>{});
}

template <typename Fn> void rpc_destroy(void *callable) { static_cast<Fn *>(callable)->~Fn(); }

template <typename Fn> bool rpc_bind(const char *name, Fn f)
{
    static_assert(sizeof(Fn) <= DUET_ARDUINO_CALLABLE_SIZE,
                  "RPC.bind: this callable is larger than DUET_ARDUINO_CALLABLE_SIZE bytes (its captures); "
                  "capture a pointer or a reference instead");
    static_assert(alignof(Fn) <= alignof(max_align_t), "RPC.bind: this callable needs a stricter alignment");
    rpc_slot *slot = rpc_slot_claim(name);
    if (!slot)
        return false;
    new (slot->callable) Fn(std::move(f));
    slot->destroy = rpc_destroy<Fn>;
    return rpc_slot_bind(slot, fn_traits<Fn>::signature::text, rpc_handler<Fn>);
}

} // namespace detail
} // namespace arduino

#endif

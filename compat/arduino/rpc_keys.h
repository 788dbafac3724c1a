/* rpc_keys.h - msgpack-c's MSGPACK_NVP and MSGPACK_BASE items of a MSGPACK_DEFINE list, and the
 * map keys they give a MSGPACK_DEFINE_MAP struct (internal to RPC.h, for rpc_values.h). */
#ifndef DUET_ARDUINO_RPC_KEYS_H
#define DUET_ARDUINO_RPC_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "duet/msgpack.h"

/* msgpack-c's items of a MSGPACK_DEFINE list besides a member: a base class's part (a value of its own,
 * nested: the base's MSGPACK_DEFINE), and in a map a member under another key
 * (MSGPACK_NVP("key", member)). Here each is the value alone; the map's key is read from the
 * list's text (rpc_member_key): the base's name, or the NVP's string literal. */
#ifndef MSGPACK_BASE_ARRAY
#define MSGPACK_BASE_ARRAY(base) (*const_cast<base *>(static_cast<base const *>(this)))
#endif
#ifndef MSGPACK_BASE_MAP
#define MSGPACK_BASE_MAP(base) (*const_cast<base *>(static_cast<base const *>(this)))
#endif
#ifndef MSGPACK_NVP
#define MSGPACK_NVP(name, value) (value)
#endif
#ifndef MSGPACK_BASE
#ifdef MSGPACK_USE_DEFINE_MAP
#define MSGPACK_BASE MSGPACK_BASE_MAP
#else
#define MSGPACK_BASE MSGPACK_BASE_ARRAY
#endif
#endif

namespace arduino {
namespace detail {

struct rpc_problem;

/* Whether text starts with prefix. */
constexpr bool rpc_starts(const char *text, const char *prefix)
{
    for (; *prefix; text++, prefix++)
        if (*text != *prefix)
            return false;
    return true;
}
/* Whether a MSGPACK_DEFINE_MAP list has an item of msgpack-c's macros (MSGPACK_NVP,
 * MSGPACK_BASE, MSGPACK_BASE_MAP), whose key is not its text. */
constexpr bool rpc_names_keyed(const char *list)
{
    for (const char *s = list; s && *s; s++)
        if (rpc_starts(s, "MSGPACK_NVP(") || rpc_starts(s, "MSGPACK_BASE"))
            return true;
    return false;
}
/* Whether each MSGPACK_NVP of the list names its key with one string literal without escapes
 * (the key is read from the list's text). */
constexpr bool rpc_nvp_names_plain(const char *list)
{
    for (const char *s = list; s && *s; s++) {
        if (!rpc_starts(s, "MSGPACK_NVP("))
            continue;
        const char *q = s + 12;
        while (*q == ' ')
            q++;
        if (*q++ != '"')
            return false;
        while (*q && *q != '"' && *q != '\\')
            q++;
        if (*q++ != '"')
            return false;
        while (*q == ' ')
            q++;
        if (*q != ',')
            return false;
    }
    return true;
}
/* A keyed list's item i: the key msgpack-c gives it (an NVP's literal, a base's name, else
 * the item's text); false past the last. */
bool rpc_member_key(const char *list, size_t i, const char **name, size_t *len);
/* Reads the key of a keyed struct's entry i (rpc_read_member_key for a list whose keys are
 * rpc_member_key's): *member is its index in names, or -1. False (with the problem) when the
 * key is no str. */
bool rpc_read_keyed_member(duet_msgpack_reader *r, rpc_problem *p, uint32_t i, const char *names, long *member);

} // namespace detail
} // namespace arduino

#endif

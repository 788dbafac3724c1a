/* rpc_keys.cpp - the map keys of a MSGPACK_DEFINE_MAP list with msgpack-c's MSGPACK_NVP and
 * MSGPACK_BASE items (rpc_values.h): an NVP's key is its string literal, a base's its name. */
#include <string.h>

#include "RPC.h"

namespace arduino {
namespace detail {

/* The text between the first '(' of item and its matching ')', spaces around it left out. */
static void inside(const char *item, size_t n, const char **name, size_t *len)
{
    const char *s = (const char *)memchr(item, '(', n) + 1, *end = item + n;
    while (end > s && end[-1] != ')')
        end--;
    if (end > s)
        end--;
    while (s < end && *s == ' ')
        s++;
    while (end > s && end[-1] == ' ')
        end--;
    *name = s;
    *len = (size_t)(end - s);
}

bool rpc_member_key(const char *list, size_t i, const char **name, size_t *len)
{
    const char *item;
    size_t n;
    if (!rpc_member_name(list, i, &item, &n))
        return false;
    if (rpc_starts(item, "MSGPACK_NVP(")) { /* its literal (rpc_nvp_names_plain checked it) */
        const char *open = (const char *)memchr(item, '"', n);
        const char *close = (const char *)memchr(open + 1, '"', n - (size_t)(open + 1 - item));
        *name = open + 1;
        *len = (size_t)(close - open - 1);
    } else if (rpc_starts(item, "MSGPACK_BASE_MAP(") || rpc_starts(item, "MSGPACK_BASE(")) {
        inside(item, n, name, len);
    } else {
        *name = item;
        *len = n;
    }
    return true;
}

bool rpc_read_keyed_member(duet_msgpack_reader *r, rpc_problem *p, uint32_t i, const char *names, long *member)
{
    duet_msgpack_token t;
    if (!duet_msgpack_read_token(r, &t) || t.type != DUET_MSGPACK_STR) {
        rpc_mismatch(p, t, "str", "", false);
        return rpc_in_key(p, i);
    }
    const char *key;
    size_t len;
    *member = -1;
    for (size_t k = 0; rpc_member_key(names, k, &key, &len); k++)
        if (len == t.v.bytes.len && memcmp(key, t.v.bytes.ptr, len) == 0) {
            *member = (long)k;
            break;
        }
    return true;
}

} // namespace detail
} // namespace arduino

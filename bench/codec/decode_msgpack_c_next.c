/* decode_msgpack_c_next.c - informational: msgpack-c's msgpack_unpacked + msgpack_unpack_next(),
 * the pair its documentation leads with (a fresh zone is allocated for every message). */
#include "msgpack_c_fields.h"

BENCH_NOINLINE int decode_msgpack_c_next(bench_ctx *c)
{
    size_t off = 0;
    if (msgpack_unpack_next(&c->unpacked, (const char *)c->in, c->in_len, &off) != MSGPACK_UNPACK_SUCCESS ||
        off != c->in_len)
        return 0;
    return fields_from_object(&c->unpacked.data, &c->dec);
}

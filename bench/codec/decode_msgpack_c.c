/*
 * decode_msgpack_c.c - the request through msgpack-c's unpacker at its fastest: the figure
 * scripts/bench.sh reports as codec.decode.msgpack_c.
 *
 * msgpack_unpack() into one msgpack_zone that lives for the whole run and is emptied with
 * msgpack_zone_clear() before each message; clear keeps the zone's first chunk, so after the
 * first message unpacking allocates nothing, and the fields are read out of the object tree.
 * The pair msgpack-c's documentation leads with, msgpack_unpacked + msgpack_unpack_next(),
 * frees its zone and mallocs a new one (zone header and an 8 KiB chunk) on every call, which
 * costs about twice as much per message this small; decode_msgpack_c_next.c measures it as
 * an informational case.
 */
#include "msgpack_c_fields.h"

BENCH_NOINLINE int decode_msgpack_c(bench_ctx *c)
{
    msgpack_object obj;
    size_t off = 0;
    msgpack_zone_clear(&c->zone);
    /* MSGPACK_UNPACK_SUCCESS only when the whole input is one value (else EXTRA_BYTES). */
    if (msgpack_unpack((const char *)c->in, c->in_len, &off, &c->zone, &obj) != MSGPACK_UNPACK_SUCCESS)
        return 0;
    return fields_from_object(&obj, &c->dec);
}

/*
 * encode_msgpack_c_sbuffer_kept.c - informational: as encode_msgpack_c_sbuffer.c, but with
 * the packer set up once and kept next to its sbuffer in a long-lived struct (as a
 * connection object would hold it), so that every write is an indirect call.
 */
#include "bench_codec.h"

BENCH_NOINLINE int encode_msgpack_c_sbuffer_kept(bench_ctx *c)
{
    msgpack_packer *pk = &c->pk;
    msgpack_sbuffer_clear(&c->sbuf);
    if (msgpack_pack_array(pk, 4) != 0 || msgpack_pack_int(pk, 0) != 0 ||
        msgpack_pack_uint32(pk, c->msgid) != 0 || msgpack_pack_str(pk, c->method_len) != 0 ||
        msgpack_pack_str_body(pk, c->method, c->method_len) != 0 || msgpack_pack_array(pk, 2) != 0 ||
        msgpack_pack_int64(pk, c->a) != 0 || msgpack_pack_int64(pk, c->b) != 0)
        return 0;
    c->out_ptr = (const uint8_t *)c->sbuf.data;
    c->out_len = c->sbuf.size;
    return 1;
}

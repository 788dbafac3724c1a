/*
 * encode_msgpack_c_sbuffer.c - informational: msgpack-c's packer into a msgpack_sbuffer, as
 * its examples show it. The sbuffer lives for the whole run and is emptied with
 * msgpack_sbuffer_clear() before each message, so it does not reallocate after the first
 * one; the packer is local, so msgpack_sbuffer_write (inline in sbuffer.h) can be inlined.
 */
#include "bench_codec.h"

BENCH_NOINLINE int encode_msgpack_c_sbuffer(bench_ctx *c)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, &c->sbuf, msgpack_sbuffer_write);
    msgpack_sbuffer_clear(&c->sbuf);
    if (msgpack_pack_array(&pk, 4) != 0 || msgpack_pack_int(&pk, 0) != 0 ||
        msgpack_pack_uint32(&pk, c->msgid) != 0 || msgpack_pack_str(&pk, c->method_len) != 0 ||
        msgpack_pack_str_body(&pk, c->method, c->method_len) != 0 || msgpack_pack_array(&pk, 2) != 0 ||
        msgpack_pack_int64(&pk, c->a) != 0 || msgpack_pack_int64(&pk, c->b) != 0)
        return 0;
    c->out_ptr = (const uint8_t *)c->sbuf.data;
    c->out_len = c->sbuf.size;
    return 1;
}

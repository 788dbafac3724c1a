/* encode_duet.c - the request through duet's writer (inline functions from duet/msgpack.h). */
#include "bench_codec.h"

#include "duet/msgpack.h"

BENCH_NOINLINE int encode_duet(bench_ctx *c)
{
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, c->out, sizeof c->out);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 0);
    duet_msgpack_write_uint(&w, c->msgid);
    duet_msgpack_write_str(&w, c->method, c->method_len);
    duet_msgpack_write_array(&w, 2);
    duet_msgpack_write_int(&w, c->a);
    duet_msgpack_write_int(&w, c->b);
    c->out_ptr = c->out;
    c->out_len = duet_msgpack_writer_size(&w);
    return duet_msgpack_writer_error(&w) == DUET_OK; /* the error is sticky: one check */
}

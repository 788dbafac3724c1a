/* decode_duet.c - the request through duet's reader: typed reads straight off the bytes. */
#include "bench_codec.h"

#include "duet/msgpack.h"

BENCH_NOINLINE int decode_duet(bench_ctx *c)
{
    duet_msgpack_reader r;
    uint32_t n = 0, nparams = 0;
    decoded *d = &c->dec;
    duet_msgpack_reader_init(&r, c->in, c->in_len);
    /* The error is sticky (later reads fail and zero their outputs): one check at the end. */
    (void)duet_msgpack_read_array(&r, &n);
    (void)duet_msgpack_read_u32(&r, &d->type);
    (void)duet_msgpack_read_u32(&r, &d->msgid);
    (void)duet_msgpack_read_str(&r, &d->method, &d->method_len);
    (void)duet_msgpack_read_array(&r, &nparams);
    (void)duet_msgpack_read_i64(&r, &d->a);
    (void)duet_msgpack_read_i64(&r, &d->b);
    return duet_msgpack_reader_error(&r) == DUET_OK && n == 4 && nparams == 2 &&
           duet_msgpack_reader_remaining(&r) == 0; /* the whole input, as msgpack_unpack checks */
}

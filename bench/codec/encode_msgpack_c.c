/*
 * encode_msgpack_c.c - the request through msgpack-c's packer at its fastest: the figure
 * scripts/bench.sh reports as codec.encode.msgpack_c.
 *
 * The packer's write callback appends to a fixed buffer, and the packer is set up on the
 * stack for each message (msgpack_packer_init is two stores). This is how msgpack-c is used
 * where speed and memory matter - on an MCU, or wherever a malloc'ed buffer is unwelcome -
 * and it is the like-for-like match for duet, whose writer fills a caller's buffer without
 * allocating. As the packer is local, the compiler sees which callback it holds and can
 * inline it into the pack calls. The pack functions themselves are static inline in
 * msgpack-c's headers, so they are compiled here at -O2.
 *
 * msgpack-c's examples lead with a msgpack_sbuffer instead; measured here it costs more per
 * message than this callback (sbuffer's growth check and bookkeeping on every write), so it
 * is kept as an informational case (encode_msgpack_c_sbuffer.c, and the same with the packer
 * kept in a long-lived struct, encode_msgpack_c_sbuffer_kept.c).
 *
 * The msgid goes through the narrower msgpack_pack_uint32 (duet's writer takes a uint64),
 * the parameters through msgpack_pack_int64, as they are int64 values here as for duet.
 */
#include <string.h>

#include "bench_codec.h"

/* A caller's fixed buffer as a msgpack-c write target. */
typedef struct fixed_out {
    uint8_t *buf;
    size_t cap;
    size_t len;
} fixed_out;

static int fixed_write(void *data, const char *buf, size_t len)
{
    fixed_out *f = (fixed_out *)data;
    if (len > f->cap - f->len)
        return -1;
    memcpy(f->buf + f->len, buf, len);
    f->len += len;
    return 0;
}

BENCH_NOINLINE int encode_msgpack_c(bench_ctx *c)
{
    fixed_out out = {c->out, sizeof c->out, 0};
    msgpack_packer pk;
    msgpack_packer_init(&pk, &out, fixed_write);
    if (msgpack_pack_array(&pk, 4) != 0 || msgpack_pack_int(&pk, 0) != 0 ||
        msgpack_pack_uint32(&pk, c->msgid) != 0 || msgpack_pack_str(&pk, c->method_len) != 0 ||
        msgpack_pack_str_body(&pk, c->method, c->method_len) != 0 || msgpack_pack_array(&pk, 2) != 0 ||
        msgpack_pack_int64(&pk, c->a) != 0 || msgpack_pack_int64(&pk, c->b) != 0)
        return 0;
    c->out_ptr = c->out;
    c->out_len = out.len;
    return 1;
}

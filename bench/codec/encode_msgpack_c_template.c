/*
 * encode_msgpack_c_template.c - the request through msgpack-c's packer generated for a fixed
 * buffer: msgpack-c's own way to get its fastest encoder. Its pack functions are a template
 * (msgpack/pack_template.h) that a program instantiates with its own append operation; here
 * the append is an inline bounds check and memcpy into the caller's buffer, so nothing goes
 * through a function pointer and the compiler sees every store. This is msgpack-c at its
 * best for duet's job (a caller's buffer, no allocation), and scripts/bench.sh compares
 * duet with the better of this and the callback packer (encode_msgpack_c.c).
 */
#include <string.h>

#include "bench_codec.h"

typedef struct tpl_out {
    uint8_t *buf;
    size_t cap;
    size_t len;
} tpl_out;

static inline int tpl_append(tpl_out *o, const void *src, size_t len)
{
    if (len > o->cap - o->len)
        return -1;
    memcpy(o->buf + o->len, src, len);
    o->len += len;
    return 0;
}

/* The template's hooks: every generated function is tpl_pack_<type>(tpl_out *, value). */
#define msgpack_pack_inline_func(name) static inline int tpl_pack##name
#define msgpack_pack_inline_func_cint(name) static inline int tpl_pack##name
#define msgpack_pack_inline_func_fixint(name) static inline int tpl_pack_fix##name
#define msgpack_pack_user tpl_out *
#define msgpack_pack_append_buffer(user, buf, len) return tpl_append(user, buf, len)

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <msgpack/pack_template.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

BENCH_NOINLINE int encode_msgpack_c_template(bench_ctx *c)
{
    tpl_out out = {c->out, sizeof c->out, 0};
    if (tpl_pack_array(&out, 4) != 0 || tpl_pack_int(&out, 0) != 0 || tpl_pack_uint32(&out, c->msgid) != 0 ||
        tpl_pack_str(&out, c->method_len) != 0 || tpl_pack_str_body(&out, c->method, c->method_len) != 0 ||
        tpl_pack_array(&out, 2) != 0 || tpl_pack_int64(&out, c->a) != 0 || tpl_pack_int64(&out, c->b) != 0)
        return 0;
    c->out_ptr = c->out;
    c->out_len = out.len;
    return 1;
}

/* msgpack_c_fields.h - a request's fields out of msgpack-c's object tree, with the type
 * checks its union needs before any field may be read. */
#ifndef MSGPACK_C_FIELDS_H
#define MSGPACK_C_FIELDS_H

#include "bench_codec.h"

/* msgpack-c stores every non-negative integer as POSITIVE_INTEGER (u64). */
static inline int object_i64(const msgpack_object *o, int64_t *out)
{
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= (uint64_t)INT64_MAX) {
        *out = (int64_t)o->via.u64;
        return 1;
    }
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return 1;
    }
    return 0;
}

static inline int object_u32(const msgpack_object *o, uint32_t *out)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER || o->via.u64 > UINT32_MAX)
        return 0;
    *out = (uint32_t)o->via.u64;
    return 1;
}

static inline int fields_from_object(const msgpack_object *obj, decoded *d)
{
    if (obj->type != MSGPACK_OBJECT_ARRAY || obj->via.array.size != 4)
        return 0;
    const msgpack_object *e = obj->via.array.ptr;
    if (!object_u32(&e[0], &d->type) || !object_u32(&e[1], &d->msgid) || e[2].type != MSGPACK_OBJECT_STR ||
        e[3].type != MSGPACK_OBJECT_ARRAY || e[3].via.array.size != 2)
        return 0;
    d->method = e[2].via.str.ptr; /* msgpack-c points into the input too: no copy */
    d->method_len = e[2].via.str.size;
    const msgpack_object *p = e[3].via.array.ptr;
    return object_i64(&p[0], &d->a) && object_i64(&p[1], &d->b);
}

#endif

/* rpc/request.c - inside a handler: its arguments, its result, its failure. */
#include "rpc/internal.h"
#include "rpc/signature.h"

uint32_t duet_arg_count(const duet_req *call) { return call->argc; }

/* The decoded argument n, or NULL if there is none (raw handler or n out of range). */
static const duet_msgpack_token *arg(const duet_req *c, unsigned n)
{
    return c->typed && n < c->argc ? &c->args[n] : NULL;
}

static int64_t arg_int64(const duet_req *c, unsigned n)
{
    const duet_msgpack_token *t = arg(c, n);
    if (!t)
        return 0;
    if (t->type == DUET_MSGPACK_UINT) /* the commonest */
        return (int64_t)t->v.u;
    if (t->type == DUET_MSGPACK_INT)
        return t->v.i;
    /* A float (an 'f' or 'd' argument) toward zero, without the conversions of integers to
     * double that duet_rpc_token_double links. */
    if (t->type == DUET_MSGPACK_FLOAT32)
        return duet_number_to_int64(duet_number_widen(t->v.f));
    return t->type == DUET_MSGPACK_FLOAT64 ? duet_number_to_int64(t->v.d) : 0;
}

int32_t duet_arg_int(const duet_req *call, unsigned n) { return (int32_t)arg_int64(call, n); }
uint32_t duet_arg_uint(const duet_req *call, unsigned n) { return (uint32_t)arg_int64(call, n); }
int64_t duet_arg_int64(const duet_req *call, unsigned n) { return arg_int64(call, n); }

uint64_t duet_arg_uint64(const duet_req *call, unsigned n)
{
    const duet_msgpack_token *t = arg(call, n);
    return t && t->type == DUET_MSGPACK_UINT ? t->v.u : (uint64_t)arg_int64(call, n);
}

bool duet_arg_bool(const duet_req *call, unsigned n)
{
    const duet_msgpack_token *t = arg(call, n);
    return t && t->type == DUET_MSGPACK_BOOL && t->v.b;
}

double duet_arg_double(const duet_req *call, unsigned n)
{
    const duet_msgpack_token *t = arg(call, n);
    return t ? duet_rpc_token_double(t) : 0;
}

float duet_arg_float(const duet_req *call, unsigned n) { return duet_number_narrow(duet_arg_double(call, n)); }

static const uint8_t *arg_bytes(const duet_req *c, unsigned n, duet_msgpack_type type, uint32_t *len)
{
    const duet_msgpack_token *t = arg(c, n);
    if (!t || t->type != type) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = t->v.bytes.len;
    return t->v.bytes.ptr;
}

const char *duet_arg_str(const duet_req *call, unsigned n, uint32_t *len)
{
    return (const char *)arg_bytes(call, n, DUET_MSGPACK_STR, len);
}

const uint8_t *duet_arg_bin(const duet_req *call, unsigned n, uint32_t *len)
{
    return arg_bytes(call, n, DUET_MSGPACK_BIN, len);
}

const uint8_t *duet_arg_value(const duet_req *call, unsigned n, uint32_t *len)
{
    return arg_bytes(call, n, DUET_MSGPACK_NONE, len);
}

duet_msgpack_reader *duet_req_params(duet_req *call)
{
    if (!call->params_read) { /* set up when a handler first asks: most never do */
        duet_msgpack_reader_init(&call->params, call->params_start, (size_t)(call->params_end - call->params_start));
        call->params_read = true;
    }
    return &call->params;
}
duet_msgpack_writer *duet_req_result(duet_req *call) { return &call->out; }

/* Notes the result a duet_return_* wrote from `at` (its value in c->returned, its type),
 * so that its check needs no read-back (unless something was written before it: then the
 * check reads back all of it). Built for size the check always reads it back
 * (DUET_RPC_FOR_SIZE), so nothing is noted: not the type here, nor the value in the
 * duet_return_* functions. */
static int returned(duet_req *c, size_t at, duet_msgpack_type type)
{
    if (!DUET_RPC_FOR_SIZE) {
        c->returned.type = type;
        c->returned_end = at == c->result_start ? duet_msgpack_writer_size(&c->out) : 0;
    }
    return duet_msgpack_writer_error(&c->out);
}

int duet_return_int(duet_req *call, int64_t v)
{
    size_t at = duet_msgpack_writer_size(&call->out);
    duet_msgpack_write_int(&call->out, v);
    if (!DUET_RPC_FOR_SIZE)
        call->returned.v.i = v;
    return returned(call, at, v < 0 ? DUET_MSGPACK_INT : DUET_MSGPACK_UINT);
}

int duet_return_uint(duet_req *call, uint64_t v)
{
    size_t at = duet_msgpack_writer_size(&call->out);
    duet_msgpack_write_uint(&call->out, v);
    if (!DUET_RPC_FOR_SIZE)
        call->returned.v.u = v;
    return returned(call, at, DUET_MSGPACK_UINT);
}

int duet_return_bool(duet_req *call, bool v)
{
    size_t at = duet_msgpack_writer_size(&call->out);
    duet_msgpack_write_tag(&call->out, v ? 0xc3 : 0xc2);
    if (!DUET_RPC_FOR_SIZE)
        call->returned.v.b = v;
    return returned(call, at, DUET_MSGPACK_BOOL);
}

int duet_return_double(duet_req *call, double v)
{
    size_t at = duet_msgpack_writer_size(&call->out);
    duet_msgpack_write_double(&call->out, v);
    if (!DUET_RPC_FOR_SIZE)
        call->returned.v.d = v;
    return returned(call, at, DUET_MSGPACK_FLOAT64);
}

int duet_return_str(duet_req *call, const char *s)
{
    size_t at = duet_msgpack_writer_size(&call->out);
    s = s ? s : "";
    duet_msgpack_write_str(&call->out, s, duet_text_length(s));
    if (!DUET_RPC_FOR_SIZE) {
        call->returned.v.bytes.ptr = NULL;
        call->returned.v.bytes.len = 0;
    }
    return returned(call, at, DUET_MSGPACK_STR);
}

int duet_req_fail(duet_req *call, int err, const char *text)
{
    duet_text t;
    duet_text_init(&t, call->error, sizeof call->error);
    duet_rpc_say(&t, "%.*s: %s", (int)call->method_len, call->method, text ? text : duet_strerror(err));
    return err < 0 ? err : DUET_ERR_REMOTE;
}

const char *duet_req_method(const duet_req *call, uint32_t *len)
{
    if (len)
        *len = call->method_len;
    return call->method;
}

void *duet_req_user(const duet_req *call) { return call->bound.user; }
duet_rpc *duet_req_rpc(duet_req *call) { return call->rpc; }
bool duet_req_is_notification(const duet_req *call) { return call->notification; }

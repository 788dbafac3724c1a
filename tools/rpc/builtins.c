/* builtins.c - add, echo, sleep_ms, call_back and stats: duet-rpc's own functions. */
#include "builtins.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "duet/msgpack.h"

static int h_add(duet_req *c)
{
    int64_t a = duet_arg_int64(c, 0), b = duet_arg_int64(c, 1), sum;
    if (__builtin_add_overflow(a, b, &sum))
        return duet_req_fail(c, DUET_ERR_RANGE, "the sum does not fit an int64");
    return duet_return_int(c, sum);
}

/* The params array back, element bytes as received. */
static int h_echo(duet_req *c)
{
    duet_msgpack_reader *r = duet_req_params(c);
    uint32_t argc = duet_arg_count(c);
    const uint8_t *start = r->pos;
    for (uint32_t i = 0; i < argc; i++)
        if (!duet_msgpack_skip(r))
            return duet_req_fail(c, DUET_ERR_BAD_MESSAGE, "malformed params");
    duet_msgpack_writer *w = duet_req_result(c);
    duet_msgpack_write_array(w, argc);
    duet_msgpack_write_raw(w, start, (size_t)(r->pos - start));
    return DUET_OK; /* a result that does not fit is reported by the engine */
}

static int h_sleep_ms(duet_req *c)
{
    builtin_host *host = (builtin_host *)duet_req_user(c);
    uint32_t ms = duet_arg_uint(c, 0);
    if (ms > 600000)
        return duet_req_fail(c, DUET_ERR_RANGE, "at most 600000 ms");
    if (host->sleep_ms) {
        if (!host->sleep_ms(host, ms))
            return duet_req_fail(c, DUET_ERR_STATE, "interrupted: the server is stopping");
        return DUET_OK;
    }
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return DUET_OK;
}

/* How often call_back's wait asks a host that can stop whether it is stopping. */
#define STOP_LOOK_MS 100u

/* Waits up to host->timeout_ms for call_back's nested call, its result going to out's free
 * room (*len bytes). A host that can stop is asked every STOP_LOOK_MS: once it stops, the
 * wait ends (DUET_ERR_TIMEOUT, *stopped set) instead of lasting out the timeout. */
static int wait_nested(builtin_host *host, duet_rpc *rpc, duet_future *f, duet_msgpack_writer *out, size_t *len,
                       bool *stopped)
{
    uint32_t left = host->timeout_ms;
    for (;;) {
        uint32_t slice = host->stopping && left > STOP_LOOK_MS ? STOP_LOOK_MS : left;
        int err = duet_future_wait_raw(rpc, f, slice, out->buf + out->len, out->cap - out->len, len);
        left -= slice;
        if (err != DUET_ERR_TIMEOUT || !left)
            return err;
        if (host->stopping(host)) {
            *stopped = true;
            return DUET_ERR_TIMEOUT;
        }
    }
}

/* call_back(method, args...): method(args...) on the caller, nested on the same link. */
static int h_call_back(duet_req *c)
{
    builtin_host *host = (builtin_host *)duet_req_user(c);
    duet_rpc *rpc = duet_req_rpc(c);
    duet_msgpack_reader *r = duet_req_params(c);
    uint32_t argc = duet_arg_count(c);
    const char *m;
    uint32_t mlen;
    char name[256];
    if (argc < 1)
        return duet_req_fail(c, DUET_ERR_ARG_COUNT, "expected the method to call back, then its arguments");
    if (!duet_msgpack_read_str(r, &m, &mlen))
        return duet_req_fail(c, DUET_ERR_ARG_TYPE, "argument 1: expected str (the method to call back)");
    if (mlen >= sizeof name)
        return duet_req_fail(c, DUET_ERR_ARG, "argument 1: method name too long");
    memcpy(name, m, mlen);
    name[mlen] = '\0';
    const uint8_t *args = r->pos;
    for (uint32_t i = 1; i < argc; i++)
        if (!duet_msgpack_skip(r))
            return duet_req_fail(c, DUET_ERR_BAD_MESSAGE, "malformed params");

    duet_future f;
    duet_msgpack_writer *w = duet_rpc_begin_call(rpc, &f, name);
    if (!w)
        return duet_req_fail(c, DUET_ERR_STATE, duet_rpc_error_text(rpc));
    duet_msgpack_write_array(w, argc - 1);
    duet_msgpack_write_raw(w, args, (size_t)(r->pos - args));
    int err = duet_rpc_end(rpc, w);
    char text[512];
    bool stopped = false;
    if (!err) {
        /* The nested result goes straight into this call's result. */
        duet_msgpack_writer *out = duet_req_result(c);
        size_t len = 0;
        err = wait_nested(host, rpc, &f, out, &len, &stopped);
        if (err == DUET_ERR_TIMEOUT)
            duet_future_drop(rpc, &f);
        if (!err) {
            duet_msgpack_writer_reserve(out, len); /* the bytes are already there */
            return DUET_OK;
        }
    }
    if (stopped)
        snprintf(text, sizeof text, "calling back %s: interrupted: the server is stopping", name);
    else if (err == DUET_ERR_REMOTE)
        snprintf(text, sizeof text, "%s failed: %s", name, duet_rpc_error_text(rpc));
    else
        snprintf(text, sizeof text, "calling back %s: %s", name, duet_rpc_error_text(rpc));
    return duet_req_fail(c, err, text);
}

static void put_stat(duet_msgpack_writer *w, const char *key, uint64_t v)
{
    duet_msgpack_write_cstr(w, key);
    duet_msgpack_write_uint(w, v);
}

static int h_stats(duet_req *c)
{
    builtin_host *host = (builtin_host *)duet_req_user(c);
    duet_rpc_stats s = duet_rpc_get_stats(duet_req_rpc(c));
    duet_link_bytes_stats b = duet_link_bytes_get_stats(host->bytes);
    duet_msgpack_writer *w = duet_req_result(c);
    duet_msgpack_write_map(w, 9);
    put_stat(w, "msgs_in", s.msgs_in);
    put_stat(w, "msgs_out", s.msgs_out);
    put_stat(w, "malformed", s.malformed);
    put_stat(w, "late_responses", s.late_responses);
    put_stat(w, "errors_sent", s.errors_sent);
    put_stat(w, "send_failures", s.send_failures);
    put_stat(w, "garbage_bytes", b.garbage_bytes);
    put_stat(w, "oversized", b.oversized);
    put_stat(w, "truncated", b.truncated);
    return DUET_OK;
}

int builtins_bind(duet_rpc *rpc, builtin_host *host)
{
    const duet_rpc_method table[] = {
        {"add", "ll:l", h_add, host},
        {"echo", NULL, h_echo, host},
        {"sleep_ms", "u:", h_sleep_ms, host},
        {"call_back", NULL, h_call_back, host},
        {"stats", ":v", h_stats, host},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int err = duet_rpc_bind(rpc, table[i].name, table[i].signature, table[i].fn, table[i].user);
        if (err != DUET_OK) {
            fprintf(stderr, "duet-rpc: bind %s: %s\n", table[i].name, duet_rpc_error_text(rpc));
            return err;
        }
    }
    return DUET_OK;
}

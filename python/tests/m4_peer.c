/* m4_peer.c - the M4 program the Python tests boot. $DUET_PY_M4 picks what it does (the board
 * passes the M7's environment on):
 *   serve (default)  binds the functions below and serves the M7 until the link goes down
 *   silent           never starts duet (the M7's start() must time out)
 *   exit             exits at once with status 3
 *   call_first       calls the M7's py_add(1, 2) as soon as duet is up, prints the answer
 *                    to the stream, then serves
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "duet/duet.h"

static uint8_t result_buf[2048];
static uint32_t notes;               /* notifications "m4_note" received */
static uint8_t last_note[512];       /* the params of the last one */
static uint32_t last_note_len;

static int add(duet_req *r)
{
    return duet_return_int(r, (int64_t)duet_arg_int(r, 0) + duet_arg_int(r, 1));
}

static int echo(duet_req *r)
{
    uint32_t len;
    const uint8_t *v = duet_arg_value(r, 0, &len);
    duet_msgpack_write_raw(duet_req_result(r), v, len);
    return DUET_OK;
}

/* Fails r with the n bytes at s as the error text (at most 127 of them). */
static int fail_with(duet_req *r, const char *s, uint32_t n)
{
    static char text[128];
    snprintf(text, sizeof text, "%.*s", (int)n, s);
    return duet_req_fail(r, DUET_ERR_ARG, text);
}

static int fail(duet_req *r)
{
    uint32_t len;
    const char *s = duet_arg_str(r, 0, &len);
    return fail_with(r, s, len);
}

/* answer_raw(bytes): answers with those bytes as the result's MessagePack (any value). */
static int answer_raw(duet_req *r)
{
    uint32_t n;
    const uint8_t *value = duet_arg_bin(r, 0, &n);
    duet_msgpack_write_raw(duet_req_result(r), value, n);
    return DUET_OK;
}

/* fail_raw(bytes): fails with those bytes as the error text (not UTF-8, say). */
static int fail_raw(duet_req *r)
{
    uint32_t n;
    const uint8_t *s = duet_arg_bin(r, 0, &n);
    return fail_with(r, (const char *)s, n);
}

static int sleep_ms(duet_req *r)
{
    int32_t ms = duet_arg_int(r, 0);
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    return duet_return_int(r, ms);
}

static int print(duet_req *r)
{
    uint32_t len;
    const char *s = duet_arg_str(r, 0, &len);
    size_t n = duet_write(s, len);
    duet_stream_flush(duet_stream_instance());
    return duet_return_int(r, (int64_t)n);
}

static int cpu(duet_req *r)
{
    return duet_return_int(r, duet_cpu_id());
}

/* Calls the M7's function name with params (an encoded array, used as the params as they
 * are) and returns [true, result] or [false, "error text"]. */
static int call_m7(duet_req *r, const char *name, const uint8_t *params, uint32_t len)
{
    duet_rpc *rpc = duet_req_rpc(r);
    duet_future f;
    duet_msgpack_writer *w = duet_rpc_begin_call(rpc, &f, name);
    int err = DUET_ERR_STATE;
    size_t got = 0;
    if (w) {
        duet_msgpack_write_raw(w, params, len);
        err = duet_rpc_end(rpc, w);
        if (!err)
            err = duet_future_wait_raw(rpc, &f, 10000, result_buf, sizeof result_buf, &got);
    }
    duet_msgpack_writer *out = duet_req_result(r);
    duet_msgpack_write_array(out, 2);
    duet_msgpack_write_bool(out, err == DUET_OK);
    if (err == DUET_OK)
        duet_msgpack_write_raw(out, result_buf, got);
    else
        duet_msgpack_write_cstr(out, duet_rpc_error_text(rpc));
    return DUET_OK;
}

/* call_py(name, args): calls the Python function name(*args). */
static int call_py(duet_req *r)
{
    char name[64];
    uint32_t len, n;
    const char *s = duet_arg_str(r, 0, &len);
    snprintf(name, sizeof name, "%.*s", (int)len, s);
    const uint8_t *params = duet_arg_value(r, 1, &n);
    return call_m7(r, name, params, n);
}

/* call_py_after(ms, name, args): waits ms (serving nothing), then calls name(*args). */
static int call_py_after(duet_req *r)
{
    int32_t ms = duet_arg_int(r, 0);
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    char name[64];
    uint32_t len, n;
    const char *s = duet_arg_str(r, 1, &len);
    snprintf(name, sizeof name, "%.*s", (int)len, s);
    const uint8_t *params = duet_arg_value(r, 2, &n);
    return call_m7(r, name, params, n);
}

/* call_py_raw(name, bytes): the same with params given as bytes (anything, hostile too). */
static int call_py_raw(duet_req *r)
{
    char name[64];
    uint32_t len, n;
    const char *s = duet_arg_str(r, 0, &len);
    snprintf(name, sizeof name, "%.*s", (int)len, s);
    const uint8_t *params = duet_arg_bin(r, 1, &n);
    return call_m7(r, name, params, n);
}

/* Sends the M7 the notification named by r's first argument, params (n bytes of MessagePack)
 * its arguments. */
static int notify_m7(duet_req *r, const uint8_t *params, uint32_t n)
{
    char name[64];
    uint32_t len;
    const char *s = duet_arg_str(r, 0, &len);
    snprintf(name, sizeof name, "%.*s", (int)len, s);
    duet_rpc *rpc = duet_req_rpc(r);
    duet_msgpack_writer *w = duet_rpc_begin_notify(rpc, name);
    if (!w)
        return duet_req_fail(r, DUET_ERR_STATE, duet_rpc_error_text(rpc));
    duet_msgpack_write_raw(w, params, n);
    int err = duet_rpc_end(rpc, w);
    return err ? duet_req_fail(r, err, duet_rpc_error_text(rpc)) : DUET_OK;
}

/* notify_py_raw(name, bytes): sends the M7 a notification, its arguments given as bytes (a str
 * that is not UTF-8 among them). */
static int notify_py_raw(duet_req *r)
{
    uint32_t n;
    const uint8_t *params = duet_arg_bin(r, 1, &n);
    return notify_m7(r, params, n);
}

/* notify_py(name, args): sends the M7 a notification. */
static int notify_py(duet_req *r)
{
    uint32_t n;
    const uint8_t *params = duet_arg_value(r, 1, &n);
    return notify_m7(r, params, n);
}

/* m4_note(...): a notification from the M7 (raw handler: any arguments). */
static int m4_note(duet_req *r)
{
    duet_msgpack_reader *in = duet_req_params(r);
    notes++;
    /* Keep the (integer) arguments as an array, to hand back through notes(). */
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, last_note, sizeof last_note);
    uint32_t count = duet_arg_count(r);
    duet_msgpack_write_array(&w, count);
    for (uint32_t i = 0; i < count; i++) {
        int64_t v;
        if (duet_msgpack_read_i64(in, &v))
            duet_msgpack_write_int(&w, v);
        else
            return DUET_ERR_ARG_TYPE;
    }
    last_note_len = (uint32_t)duet_msgpack_writer_size(&w);
    return DUET_OK;
}

/* notes(): [how many m4_note notifications came, the arguments of the last one]. */
static int get_notes(duet_req *r)
{
    duet_msgpack_writer *w = duet_req_result(r);
    duet_msgpack_write_array(w, 2);
    duet_msgpack_write_uint(w, notes);
    if (last_note_len)
        duet_msgpack_write_raw(w, last_note, last_note_len);
    else
        duet_msgpack_write_nil(w);
    return DUET_OK;
}

/* bad(kind): a value Python has to refuse or take with care. */
static int bad(duet_req *r)
{
    uint32_t len;
    const char *kind = duet_arg_str(r, 0, &len);
    duet_msgpack_writer *w = duet_req_result(r);
    if (len == 4 && !memcmp(kind, "utf8", 4)) {
        duet_msgpack_write_str(w, "ok\xff\xfe", 4);
    } else if (len == 6 && !memcmp(kind, "mapkey", 6)) {
        duet_msgpack_write_map(w, 1);
        duet_msgpack_write_array(w, 1);
        duet_msgpack_write_int(w, 1);
        duet_msgpack_write_int(w, 2);
    } else if (len == 10 && !memcmp(kind, "mapkey_map", 10)) {
        duet_msgpack_write_map(w, 1);
        duet_msgpack_write_map(w, 1);
        duet_msgpack_write_int(w, 1);
        duet_msgpack_write_int(w, 2);
        duet_msgpack_write_int(w, 3);
    } else if (len == 3 && !memcmp(kind, "ext", 3)) {
        duet_msgpack_write_ext(w, 5, "\x01\x02\x03", 3);
    } else if (len == 7 && !memcmp(kind, "float32", 7)) {
        duet_msgpack_write_float(w, 1.5f);
    } else if (len == 6 && !memcmp(kind, "u64max", 6)) {
        duet_msgpack_write_uint(w, UINT64_MAX);
    } else if (len == 6 && !memcmp(kind, "i64min", 6)) {
        duet_msgpack_write_int(w, INT64_MIN);
    } else if (len == 4 && !memcmp(kind, "deep", 4)) {
        for (int i = 0; i < 20; i++)
            duet_msgpack_write_array(w, 1);
        duet_msgpack_write_nil(w);
    } else {
        return duet_req_fail(r, DUET_ERR_ARG, "unknown kind");
    }
    return DUET_OK;
}

/* say_and_exit(text): the M4 writes text to the M7's stream and ends at once, without an
 * answer: the text is in shared memory before the M7 learns of the end. */
static int say_and_exit(duet_req *r)
{
    uint32_t len;
    const char *s = duet_arg_str(r, 0, &len);
    duet_write(s, len);
    duet_stream_flush(duet_stream_instance());
    fflush(stdout);
    _exit(0);
}

/* exit(status): the M4 program ends at once, as if it crashed. */
static int exit_now(duet_req *r)
{
    fflush(stdout);
    _exit(duet_arg_int(r, 0));
}

static const duet_rpc_method functions[] = {
    {"add", "ii:i", add, NULL},
    {"echo", "v:v", echo, NULL},
    {"fail", "s:", fail, NULL},
    {"fail_raw", "y:", fail_raw, NULL},
    {"answer_raw", "y:v", answer_raw, NULL},
    {"sleep_ms", "i:i", sleep_ms, NULL},
    {"print", "s:i", print, NULL},
    {"cpu", ":i", cpu, NULL},
    {"call_py", "sv:v", call_py, NULL},
    {"call_py_after", "isv:v", call_py_after, NULL},
    {"call_py_raw", "sy:v", call_py_raw, NULL},
    {"notify_py", "sv:", notify_py, NULL},
    {"notify_py_raw", "sy:", notify_py_raw, NULL},
    {"m4_note", NULL, m4_note, NULL},
    {"notes", ":v", get_notes, NULL},
    {"bad", "s:v", bad, NULL},
    {"exit", "i:", exit_now, NULL},
    {"say_and_exit", "s:", say_and_exit, NULL},
};

/* Serves the M7 until the link goes down (the M7 ended or reset the board). */
static int serve(void)
{
    if (!duet_begin()) {
        fprintf(stderr, "M4: duet_begin: %s\n", duet_error_text());
        return 1;
    }
    duet_port *port = duet_port_default();
    for (;;) {
        int n = duet_poll();
        if (n < 0)
            return 0;
        if (n == 0)
            port->wait(port, 1000);
    }
}

int main(void)
{
    const char *what = getenv("DUET_PY_M4");
    if (!what || !what[0])
        what = "serve";
    if (!strcmp(what, "silent")) {
        sleep(10);
        return 0;
    }
    if (!strcmp(what, "exit"))
        return 3;
    if (!strcmp(what, "call_first")) {
        if (!duet_begin())
            return 1;
        int32_t sum = 0;
        if (duet_call("py_add", "ii:i", 1, 2, &sum) == DUET_OK)
            duet_printf("py_add = %d\n", (int)sum);
        else
            duet_printf("py_add failed: %s\n", duet_error_text());
        return serve();
    }
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        if (duet_bind(functions[i].name, functions[i].signature, functions[i].fn) != DUET_OK) {
            fprintf(stderr, "M4: bind %s: %s\n", functions[i].name, duet_error_text());
            return 1;
        }
    }
    return serve();
}

/* RPC.cpp - the RPC object over duet's static instance. */
#include "RPC.h"

#include <stdlib.h>

#include "duet/duet.h"
#include "duet/format.h"
#include "halt.h"

arduino::RPCClass RPC;

uint32_t HAL_GetCurrentCPUID(void) { return (uint32_t)duet_cpu_id(); }

namespace arduino {

/* ------------------------------------------------------------ the result of a call */

/* Copies at most cap - 1 bytes of src and a NUL. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n > cap - 1)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void RPCResult::start(const char *method)
{
    copy_text(method_, sizeof method_, method ? method : "");
    text_[0] = '\0';
}

/* Whether RPC.begin() was called on this core and failed (it said why then). */
static bool begin_failed = false;

void RPCResult::finish(int err)
{
    err_ = err;
    if (err == DUET_OK)
        return;
    if (err == DUET_ERR_STATE && !RPC) { /* duet's own text would name duet_begin() */
        duet_format_text_nofloat(text_, sizeof text_, "%s: RPC.begin() has not succeeded on this core (%s)", method_,
                                 begin_failed ? "the line of its failure is above" : "call it first");
        return;
    }
    /* The calling thread's own error (duet_error_text is per thread). The engine's text names
     * the function for remote and type errors; local failures (timeout, link down) get the
     * name here. */
    const char *why = duet_error_text();
    if (!why[0])
        why = duet_strerror(err);
    if (strncmp(why, method_, strlen(method_)) == 0 && why[strlen(method_)] == ':')
        copy_text(text_, sizeof text_, why);
    else
        duet_format_text_nofloat(text_, sizeof text_, "%s: %s", method_, why);
}

/* What a timed-out call's line adds: the other core answers only where its sketch waits, and
 * a loop that never waits (on the board the RPC library's thread would answer) is the usual
 * reason. "" for another failure. */
static const char *timeout_hint(int err, char *buf, size_t cap)
{
    if (err != DUET_ERR_TIMEOUT)
        return "";
    duet_format_text_nofloat(buf, cap,
                             " (the %s answers a call only where its sketch waits: in delay(), between two loop() "
                             "calls, in a call or read of its own; a loop that never waits keeps it from answering)",
                             HAL_GetCurrentCPUID() == CM7_CPUID ? "M4" : "M7");
    return buf;
}

RPCResult::~RPCResult()
{
    char hint[200];
    if (err_ != DUET_OK && !looked_)
        detail::report("RPC.call(\"%s\") failed: %s%s", method_, text_, timeout_hint(err_, hint, sizeof hint));
}

void RPCResult::fail_call(const char *type_name) const
{
    char hint[200];
    detail::halt("RPC.call(\"%s\").as<%s>(): the call failed: %s%s", method_, type_name, text_,
                 timeout_hint(err_, hint, sizeof hint));
}

/* An integer asked for gets the value that did not fit; anything else the type found. */
void RPCResult::fail_type(const char *type_name, bool integer) const
{
    detail::rpc_value v;
    if (!detail::rpc_read_value(raw_, len_, &v))
        detail::halt("RPC.call(\"%s\").as<%s>(): the result of %s could not be read", method_, type_name, method_);
    if (integer && v.type == DUET_MSGPACK_UINT)
        detail::halt("RPC.call(\"%s\").as<%s>(): %s returned %llu, which does not fit %s", method_, type_name, method_,
                     (unsigned long long)v.v.u, type_name);
    if (integer && v.type == DUET_MSGPACK_INT)
        detail::halt("RPC.call(\"%s\").as<%s>(): %s returned %lld, which does not fit %s", method_, type_name, method_,
                     (long long)v.v.i, type_name);
    detail::halt("RPC.call(\"%s\").as<%s>(): %s returned %s, which is no %s", method_, type_name, method_,
                 duet_msgpack_type_name(v.type), type_name);
}

/* A container or struct asked for: a value of another type is told as fail_type tells it;
 * one whose inside does not fit gets where and what. */
void RPCResult::fail_value(const char *type_name, const detail::rpc_problem &p) const
{
    if (p.kind == detail::rpc_problem::MISMATCH && p.at_top())
        fail_type(type_name, false);
    char text[DUET_RPC_ERROR_TEXT];
    detail::rpc_problem_text(p, text, sizeof text);
    if (p.kind == detail::rpc_problem::NOMEM) /* (the heap had no room for it, or a part of it) */
        detail::halt("RPC.call(\"%s\").as<%s>(): the result of %s could not be kept: %s", method_, type_name, method_,
                     text);
    detail::halt("RPC.call(\"%s\").as<%s>(): the result of %s does not fit: %s", method_, type_name, method_, text);
}

/* ------------------------------------------------------------ the RPC object */

int RPCClass::begin()
{
    if (begun_)
        return 1;
    if (!duet_begin()) {
        begin_failed = true;
        /* The other core never answered: most often its sketch has no RPC.begin(). */
        bool silent = duet_error() == DUET_ERR_TIMEOUT;
        detail::report("RPC.begin() failed: %s%s%s%s", duet_error_text(), silent ? " (the " : "",
                       silent ? (HAL_GetCurrentCPUID() == CM7_CPUID ? "M4" : "M7") : "",
                       silent ? "'s sketch must call RPC.begin() too)" : "");
        return 0;
    }
    begin_failed = false;
    begun_ = true;
    listen();
    return 1;
}

/* Has the stream run on_receive when an attached function wants the text. */
void RPCClass::listen()
{
    rx_seen_ = 0;
    if (begun_)
        duet_stream_on_receive(duet_stream_instance(), rx_ || raw_rx_ ? on_receive : nullptr, this);
}

void RPCClass::attach(void (*fn)(void))
{
    rx_ = fn;
    raw_rx_ = nullptr;
    listen();
}

void RPCClass::attach(void (*fn)(const uint8_t *buf, size_t len))
{
    if (!fn)
        return;
    raw_rx_ = fn;
    rx_ = nullptr;
    listen();
}

/* The stream runs this at every poll while text waits: a raw receiver gets all of it; the
 * attached function runs when more has arrived than waited after its last run. */
void RPCClass::on_receive(duet_stream *s, void *self)
{
    RPCClass *rpc = static_cast<RPCClass *>(self);
    if (rpc->raw_rx_) {
        uint8_t buf[256];
        size_t n;
        while (rpc->raw_rx_ && (n = duet_stream_read_bytes(s, buf, sizeof buf)) > 0)
            rpc->raw_rx_(buf, n);
        return;
    }
    size_t waiting = duet_stream_available(s);
    if (!rpc->rx_ || waiting <= rpc->rx_seen_)
        return;
    rpc->rx_();
    rpc->rx_seen_ = duet_stream_available(s);
}

void RPCClass::end()
{
    if (begun_)
        duet_end();
    begun_ = false;
}

void RPCClass::setTimeout(uint32_t milliseconds)
{
    timeout_ = milliseconds;
    Stream::setTimeout(milliseconds);
}

void RPCClass::report_send(const char *name, int err)
{
    if (err != DUET_OK)
        detail::report("RPC.send(\"%s\") failed: %s", name, duet_error_text());
}

int RPCClass::available() { return (int)duet_available(); }
int RPCClass::read()
{
    int c = duet_read();
    if (c >= 0 && rx_seen_ > 0)
        rx_seen_--; /* read outside the attached function: that text is no longer waiting */
    return c;
}
int RPCClass::peek() { return duet_peek(); }
void RPCClass::flush() { duet_stream_flush(duet_stream_instance()); }
size_t RPCClass::write(uint8_t c) { return duet_write(&c, 1); }
size_t RPCClass::write(const uint8_t *buffer, size_t size) { return duet_write(buffer, size); }
size_t RPCClass::write(const uint8_t *buffer, size_t size, bool raw)
{
    if (raw)
        return write(buffer, size);
    detail::report("RPC.write(buffer, %u, false): msgpack written to the RPC endpoint is not there; "
                   "call functions with RPC.call and RPC.send",
                   (unsigned)size);
    return 0;
}

/* Serves the other core and sleeps until its doorbell (new text) or ms pass. */
void RPCClass::waitForData(unsigned long ms)
{
    duet_poll();
    duet_port *port = duet_port_default();
    if (port && !duet_available())
        port->wait(port, (uint32_t)ms);
}

/* ------------------------------------------------------------ bindings */

namespace detail {

static rpc_slot slots[DUET_RPC_MAX_METHODS];

rpc_slot *rpc_slot_claim(const char *name)
{
    if (!name || !name[0]) {
        report("RPC.bind: the name is empty; give the function a name to be called by");
        return nullptr;
    }
    if (strlen(name) > DUET_ARDUINO_NAME_MAX) {
        report("RPC.bind(\"%s\"): the name is longer than %d characters (DUET_ARDUINO_NAME_MAX)", name,
               DUET_ARDUINO_NAME_MAX);
        return nullptr;
    }
    for (rpc_slot &s : slots) {
        if (!s.used) {
            s.used = true;
            copy_text(s.name, sizeof s.name, name);
            return &s;
        }
    }
    report("RPC.bind(\"%s\"): %d functions are bound already (DUET_RPC_MAX_METHODS)", name, DUET_RPC_MAX_METHODS);
    return nullptr;
}

bool rpc_slot_bind(rpc_slot *slot, const char *signature, duet_rpc_handler fn)
{
    duet_rpc *rpc = duet_rpc_instance();
    int err = duet_rpc_bind(rpc, slot->name, signature, fn, slot);
    if (err == DUET_OK)
        return true;
    if (err == DUET_ERR_EXISTS)
        report("RPC.bind(\"%s\"): a function is bound under this name already", slot->name);
    else
        report("RPC.bind(\"%s\"): %s", slot->name, duet_rpc_error_text(rpc));
    slot->destroy(slot->callable);
    slot->used = false;
    return false;
}

/* ------------------------------------------------------------ values */

int rpc_fail_range(duet_req *r, unsigned n, const char *type_name)
{
    char text[64];
    duet_format_text_nofloat(text, sizeof text, "argument %u: the value does not fit %s", n + 1, type_name);
    return duet_req_fail(r, DUET_ERR_RANGE, text);
}

int rpc_put_float(duet_req *r, float v)
{
    duet_msgpack_writer *w = duet_req_result(r);
    duet_msgpack_write_float(w, v);
    return duet_msgpack_writer_error(w);
}

int rpc_put_str(duet_req *r, const char *s, size_t len)
{
    duet_msgpack_writer *w = duet_req_result(r);
    duet_msgpack_write_str(w, s, len);
    return duet_msgpack_writer_error(w);
}

int rpc_put_bin(duet_req *r, const void *data, size_t len)
{
    duet_msgpack_writer *w = duet_req_result(r);
    duet_msgpack_write_bin(w, data, len);
    return duet_msgpack_writer_error(w);
}

/* ------------------------------------------------------------ containers (rpc_values.h) */

bool rpc_mismatch(rpc_problem *p, const duet_msgpack_token &found, const char *want, const char *want_of, bool range)
{
    p->kind = range ? rpc_problem::RANGE : rpc_problem::MISMATCH;
    p->found = found;
    p->want = want;
    p->want_of = want_of;
    return false;
}

bool rpc_wrong_count(rpc_problem *p, const duet_msgpack_token &found, uint32_t want)
{
    p->kind = rpc_problem::COUNT;
    p->found = found;
    p->count = want;
    return false;
}

bool rpc_wrong_length(rpc_problem *p, const duet_msgpack_token &found, uint32_t want)
{
    p->bytes = true;
    return rpc_wrong_count(p, found, want);
}

bool rpc_missing(rpc_problem *p, const char *key, size_t len)
{
    p->kind = rpc_problem::MISSING;
    p->key = key;
    p->key_len = len;
    return false;
}

bool rpc_no_memory(rpc_problem *p, const char *type_name)
{
    p->kind = rpc_problem::NOMEM;
    p->want_of = type_name;
    return false;
}

/* Puts text before the path (what does not fit is cut, and "...: " says so). */
static bool prepend(rpc_problem *p, const char *text)
{
    size_t n = strlen(text);
    if (p->cut)
        return false;
    if (n > p->path_at) {
        p->cut = true;
        return false;
    }
    p->path_at -= n;
    memcpy(p->path + p->path_at, text, n);
    return false;
}

bool rpc_in_element(rpc_problem *p, uint32_t i)
{
    char text[24];
    duet_format_text_nofloat(text, sizeof text, "element %lu: ", (unsigned long)i + 1);
    return prepend(p, text);
}

bool rpc_in_key(rpc_problem *p, uint32_t i)
{
    char text[32];
    duet_format_text_nofloat(text, sizeof text, "key of entry %lu: ", (unsigned long)i + 1);
    return prepend(p, text);
}

bool rpc_in_value(rpc_problem *p, const uint8_t *key_at, size_t avail, uint32_t i)
{
    char text[48];
    duet_msgpack_token key;
    if (!rpc_read_value(key_at, avail, &key))
        key.type = DUET_MSGPACK_NONE;
    if (key.type == DUET_MSGPACK_STR && key.v.bytes.len <= 32)
        duet_format_text_nofloat(text, sizeof text, "key \"%.*s\": ", (int)key.v.bytes.len,
                                 (const char *)key.v.bytes.ptr);
    else if (key.type == DUET_MSGPACK_UINT)
        duet_format_text_nofloat(text, sizeof text, "key %llu: ", (unsigned long long)key.v.u);
    else if (key.type == DUET_MSGPACK_INT)
        duet_format_text_nofloat(text, sizeof text, "key %lld: ", (long long)key.v.i);
    else
        duet_format_text_nofloat(text, sizeof text, "value of entry %lu: ", (unsigned long)i + 1);
    return prepend(p, text);
}

/* A container found opens one level deeper (false past DUET_ARDUINO_RPC_DEPTH); its count is
 * checked against what remains: each element takes a byte at least (a map's entry two), and
 * a count beyond that is no value (and must not size a container). */
static bool enter(duet_msgpack_reader *r, rpc_problem *p, duet_msgpack_token *t, const char *want_text,
                  const char *want_of)
{
    if (++p->depth > DUET_ARDUINO_RPC_DEPTH) {
        p->kind = rpc_problem::DEEP;
        return false;
    }
    if ((uint64_t)t->v.count * (t->type == DUET_MSGPACK_MAP ? 2 : 1) > duet_msgpack_reader_remaining(r)) {
        t->type = DUET_MSGPACK_NONE;
        return rpc_mismatch(p, *t, want_text, want_of, false);
    }
    return true;
}

bool rpc_open(duet_msgpack_reader *r, rpc_problem *p, duet_msgpack_type want, const char *want_text,
              const char *want_of, duet_msgpack_token *t)
{
    if (!duet_msgpack_read_token(r, t))
        t->type = DUET_MSGPACK_NONE;
    if (t->type != want)
        return rpc_mismatch(p, *t, want_text, want_of, false);
    return enter(r, p, t, want_text, want_of);
}

bool rpc_open_array(duet_msgpack_reader *r, rpc_problem *p, uint32_t n, duet_msgpack_token *t)
{
    if (!duet_msgpack_read_token(r, t))
        t->type = DUET_MSGPACK_NONE;
    if (t->type != DUET_MSGPACK_ARRAY || t->v.count != n)
        return rpc_wrong_count(p, *t, n);
    return enter(r, p, t, "an array", "");
}

bool rpc_skip(duet_msgpack_reader *r, rpc_problem *p)
{
    unsigned left = p->depth < DUET_ARDUINO_RPC_DEPTH ? DUET_ARDUINO_RPC_DEPTH - p->depth : 1;
    duet_msgpack_reader_set_max_depth(r, left);
    if (duet_msgpack_skip(r))
        return true;
    p->kind = rpc_problem::DEEP;
    return false;
}

bool rpc_member_name(const char *list, size_t i, const char **name, size_t *len)
{
    const char *s = list;
    for (;;) {
        int nest = 0;
        while (*s == ' ')
            s++;
        const char *start = s;
        for (; *s && (nest > 0 || *s != ','); s++)
            nest += (*s == '(' || *s == '[' || *s == '{') - (*s == ')' || *s == ']' || *s == '}');
        const char *end = s;
        while (end > start && end[-1] == ' ')
            end--;
        if (i == 0 && (end > start || *s)) {
            *name = start;
            *len = (size_t)(end - start);
            return true;
        }
        if (!*s)
            return false;
        s++;
        i--;
    }
}

long rpc_member_find(const char *list, const char *name, size_t len)
{
    const char *item;
    size_t n;
    for (size_t i = 0; rpc_member_name(list, i, &item, &n); i++)
        if (n == len && memcmp(item, name, len) == 0)
            return (long)i;
    return -1;
}

bool rpc_read_member_key(duet_msgpack_reader *r, rpc_problem *p, uint32_t i, const char *names, long *member)
{
    duet_msgpack_token t;
    if (!duet_msgpack_read_token(r, &t) || t.type != DUET_MSGPACK_STR) {
        rpc_mismatch(p, t, "str", "", false);
        return rpc_in_key(p, i);
    }
    *member = rpc_member_find(names, (const char *)t.v.bytes.ptr, t.v.bytes.len);
    return true;
}

void rpc_problem_text(const rpc_problem &p, char *buf, size_t cap)
{
    const char *path = p.cut ? "...: " : "";
    const char *found = duet_msgpack_type_name(p.found.type);
    switch (p.kind) {
    case rpc_problem::DEEP:
        duet_format_text_nofloat(buf, cap, "nested deeper than %d levels (DUET_ARDUINO_RPC_DEPTH)", DUET_ARDUINO_RPC_DEPTH);
        return;
    case rpc_problem::NOMEM:
        duet_format_text_nofloat(buf, cap, "%s%sout of memory for a %s", path, p.where(), p.want_of);
        return;
    case rpc_problem::MISSING:
        duet_format_text_nofloat(buf, cap, "%s%skey \"%.*s\": missing", path, p.where(), (int)p.key_len, p.key);
        return;
    case rpc_problem::COUNT:
        if (p.bytes)
            duet_format_text_nofloat(buf, cap, "%s%sexpected %lu bytes, got %s of %lu", path, p.where(),
                                     (unsigned long)p.count, found, (unsigned long)p.found.v.bytes.len);
        else if (p.found.type == DUET_MSGPACK_ARRAY)
            duet_format_text_nofloat(buf, cap, "%s%sexpected an array of %lu, got an array of %lu", path, p.where(),
                                     (unsigned long)p.count, (unsigned long)p.found.v.count);
        else
            duet_format_text_nofloat(buf, cap, "%s%sexpected an array of %lu, got %s", path, p.where(),
                                     (unsigned long)p.count, found);
        return;
    default:
        duet_format_text_nofloat(buf, cap, "%s%sexpected %s%s, got %s%s", path, p.where(), p.want, p.want_of, found,
                                 p.kind == rpc_problem::RANGE ? " out of its range" : "");
    }
}

int rpc_fail_value(duet_req *r, unsigned n, const rpc_problem &p)
{
    char text[DUET_RPC_ERROR_TEXT];
    size_t head = duet_format_text_nofloat(text, sizeof text, "argument %u: ", n + 1);
    rpc_problem_text(p, text + head, sizeof text - head);
    return duet_req_fail(r, p.kind == rpc_problem::NOMEM ? DUET_ERR_NOSPACE : DUET_ERR_TYPE, text);
}

bool rpc_read_value(const uint8_t *data, size_t len, rpc_value *out)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, data, len);
    if (!duet_msgpack_read_token(&r, out)) {
        out->type = DUET_MSGPACK_NONE;
        return false;
    }
    return true;
}

bool rpc_decode_number(const rpc_value &v, double &out)
{
    switch (v.type) {
    case DUET_MSGPACK_FLOAT32: out = v.v.f; return true;
    case DUET_MSGPACK_FLOAT64: out = v.v.d; return true;
    case DUET_MSGPACK_UINT: out = (double)v.v.u; return true;
    case DUET_MSGPACK_INT: out = (double)v.v.i; return true;
    default: return false;
    }
}

} // namespace detail
} // namespace arduino

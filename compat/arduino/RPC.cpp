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

void RPCResult::finish(int err)
{
    err_ = err;
    if (err == DUET_OK)
        return;
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

RPCResult::~RPCResult()
{
    if (err_ != DUET_OK && !looked_)
        detail::report("RPC.call(\"%s\") failed: %s", method_, text_);
}

void RPCResult::fail_call(const char *type_name) const
{
    detail::halt("RPC.call(\"%s\").as<%s>(): the call failed: %s", method_, type_name, text_);
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

/* ------------------------------------------------------------ the RPC object */

int RPCClass::begin()
{
    if (begun_)
        return 1;
    if (!duet_begin()) {
        detail::report("RPC.begin() failed: %s", duet_error_text());
        return 0;
    }
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

int rpc_fail_array(duet_req *r, unsigned n, const char *elem_name, bool integer, const rpc_array_problem &problem)
{
    char text[96];
    const char *found = duet_msgpack_type_name(problem.found.type);
    if (problem.at < 0)
        duet_format_text_nofloat(text, sizeof text, "argument %u: expected an array of %s, got %s", n + 1, elem_name,
                                 found);
    else
        duet_format_text_nofloat(text, sizeof text, "argument %u: element %ld: expected %s, got %s%s", n + 1,
                                 problem.at + 1, elem_name, found,
                                 integer && (problem.found.type == DUET_MSGPACK_INT || problem.found.type == DUET_MSGPACK_UINT)
                                     ? " out of its range"
                                     : "");
    return duet_req_fail(r, DUET_ERR_TYPE, text);
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

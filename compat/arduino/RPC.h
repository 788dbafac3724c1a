/* RPC.h - the Arduino RPC library's API (RPC.begin, bind, call(...).as<T>(), send, and the
 * stream as a Stream) over duet's C core (duet/duet.h). */
#ifndef DUET_ARDUINO_RPC_H
#define DUET_ARDUINO_RPC_H

#include "Arduino.h"
#include "duet/duet.h"
#include "mbed.h"
#include "rpc_bind.h"
#include "rpc_types.h"

/* What cpu_id() and HAL_GetCurrentCPUID() return on each core. */
#ifndef CM7_CPUID
#define CM7_CPUID DUET_CPU_M7
#define CM4_CPUID DUET_CPU_M4
#endif
/* The core this program runs on: CM7_CPUID or CM4_CPUID. */
uint32_t HAL_GetCurrentCPUID(void);

namespace arduino {

/*
 * What RPC.call returns: the call is over (it ran when call() was made); the result waits here
 * as it arrived until as<T>() reads it as a T.
 *
 * as<T>() never gives a wrong value. When the call failed (unknown function, wrong arguments,
 * timeout, link down), the result is not a T (a str read as<int>(), 300 read as<uint8_t>()) or
 * the heap has no room for it (a std::string, a container: rpc_room.h), it stops the sketch with a line naming the function and the reason, as an error halts an
 * mbed core. A sketch that wants to go on after a failure asks ok() first (duet's addition
 * to the Arduino API), and a failed call whose result nobody reads is reported once on the
 * error output, never dropped in silence.
 */
class RPCResult {
public:
    /* Runs do_call(buf, cap, &len) -> duet error, keeping what it leaves. */
    template <typename Call> RPCResult(const char *method, Call &&do_call)
    {
        start(method);
        finish(do_call(raw_, sizeof raw_, &len_));
    }
    RPCResult(const RPCResult &) = delete;
    RPCResult &operator=(const RPCResult &) = delete;
    ~RPCResult();

    /* The result as a T (bool, an integer, float, double, String, std::string, a container
     * or a MSGPACK_DEFINE struct: rpc_types.h, rpc_values.h). */
    template <typename T> T as() const
    {
        typedef detail::rpc_type<detail::rpc_decayed<T>> type;
        static_assert(detail::rpc_checked<detail::rpc_decayed<T>>::letter != 0, "");
        constexpr size_t made = detail::rpc_room_of<detail::rpc_decayed<T>>::made; /* a deque's first block */
        detail::rpc_value v;
        if constexpr (made > 0)
            if (!detail::rpc_room_hold(made))
                fail_value(type::name, detail::rpc_problem(detail::rpc_problem::NOMEM, type::name));
        T out{};
        if constexpr (made > 0)
            detail::rpc_room_release();
        looked_ = true;
        if (err_ != DUET_OK)
            fail_call(type::name);
        if constexpr (type::letter == 'v') { /* a container or struct: read whole */
            (void)v;
            detail::rpc_problem problem;
            if (!type::decode_raw(raw_, len_, out, &problem))
                fail_value(type::name, problem);
        } else if constexpr (detail::rpc_has_room<detail::rpc_decayed<T>>::value) { /* text or bytes: room held */
            detail::rpc_problem problem;
            if (!detail::rpc_read_value(raw_, len_, &v) || !detail::rpc_decode_held(v, out, &problem))
                fail_value(type::name, problem);
        } else if (!detail::rpc_read_value(raw_, len_, &v) || !type::decode(v, out)) {
            fail_type(type::name, (std::is_integral<T>::value && !std::is_same<T, bool>::value) ||
                                      std::is_same<detail::rpc_decayed<T>, std::byte>::value);
        }
        return out;
    }

    /* Whether the call succeeded (the result may still be of another type than asked). */
    bool ok() const { looked_ = true; return err_ == DUET_OK; }
    explicit operator bool() const { return ok(); }
    /* The duet error code (DUET_OK, DUET_ERR_REMOTE, DUET_ERR_TIMEOUT, ...). */
    int error() const { looked_ = true; return err_; }
    /* Why the call failed, starting with the function's name ("" when it succeeded). */
    const char *errorText() const { looked_ = true; return text_; }
    /* Whether the result is nil (a function that returns nothing). */
    bool isNil() const { return err_ == DUET_OK && len_ == 1 && raw_[0] == 0xc0; }

private:
    char method_[DUET_ARDUINO_NAME_MAX + 1];
    int err_ = DUET_OK;
    char text_[DUET_RPC_ERROR_TEXT + DUET_ARDUINO_NAME_MAX + 8];
    uint8_t raw_[DUET_RESULT_SIZE];
    size_t len_ = 0;
    mutable bool looked_ = false;

    void start(const char *method);
    void finish(int err);
    [[noreturn]] void fail_call(const char *type_name) const;
    [[noreturn]] void fail_type(const char *type_name, bool integer) const;
    [[noreturn]] void fail_value(const char *type_name, const detail::rpc_problem &p) const;
};

/*
 * The RPC object of the Arduino library, over duet's one static instance (duet/duet.h).
 * begin() boots the M4 on the M7 and announces this core on the M4; bind() and call() as in
 * the guide; print/println/write send text to the other core, available/read/peek read
 * what it sent.
 *
 * Handlers run inside RPC's own calls: a call that waits for its answer, a write that waits
 * for room, available()/read() and delay() (which keep serving the other core).
 */
class RPCClass : public Stream {
public:
    /* Sets up the link and (on the M7) boots the M4. 1 on success, 0 on failure (and a line on
     * the error output saying why). */
    int begin();
    void end();
    operator bool() { return begun_; }

    /* CM7_CPUID or CM4_CPUID. */
    uint32_t cpu_id() { return HAL_GetCurrentCPUID(); }

    /* Binds name to a function, a lambda (with or without captures), a functor or a
     * std::function; the types of its arguments and result are checked at every call.
     * False (and a line on the error output) when the name is taken or the table full. */
    template <typename Fn> bool bind(const char *name, Fn f) { return detail::rpc_bind(name, std::move(f)); }
    template <typename Fn> bool bind(const String &name, Fn f) { return bind(name.c_str(), std::move(f)); }

    /* Calls name on the other core with args and waits for its result (serving the other
     * core's calls meanwhile), up to the timeout (setTimeout; 5000 ms by default). */
    template <typename... A> RPCResult call(const char *name, A... args)
    {
        uint32_t timeout = timeout_;
        detail::rpc_arena arena; /* the arrays' encodings, until the request has gone */
        return RPCResult(name, [&](void *buf, size_t cap, size_t *len) {
            int err = std::apply(
                [&](auto... passed) {
                    return duet_call_timeout(name, timeout, detail::rpc_call_signature<A...>::text, passed..., buf, cap,
                                             len);
                },
                std::tuple_cat(detail::rpc_pass(arena, args)...));
            timed_out_ = err == DUET_ERR_TIMEOUT;
            return err;
        });
    }
    template <typename... A> RPCResult call(const String &name, A... args) { return call(name.c_str(), args...); }

    /* Sends name(args) without waiting: nothing comes back (a failure to send is reported on
     * the error output). */
    template <typename... A> void send(const char *name, A... args)
    {
        detail::rpc_arena arena;
        report_send(name, std::apply(
                              [&](auto... passed) {
                                  return duet_notify(name, detail::rpc_send_signature<A...>::text, passed...);
                              },
                              std::tuple_cat(detail::rpc_pass(arena, args)...)));
    }
    template <typename... A> void send(const String &name, A... args) { send(name.c_str(), args...); }

    /* Calls fn each time text from the other core has arrived, as the Arduino library does
     * (fn may read it with read()). It runs where this core serves the other one: in delay(),
     * between two loop() calls, in a call that waits. nullptr: no function is called. */
    void attach(void (*fn)(void));
    /* The Arduino library's raw receiver: fn gets the text from the other core as it arrives
     * (where attach(fn) above would run), in pieces of up to 256 bytes, and read() does not
     * see it. A null fn is ignored, as there; attach(nullptr) calls no function any more. */
    void attach(void (*fn)(const uint8_t *buf, size_t len));
    void attach(std::nullptr_t) { attach(static_cast<void (*)(void)>(nullptr)); }

    /* The timeout of call() (and of Stream's reads), in milliseconds. */
    void setTimeout(uint32_t milliseconds);
    /* Whether the last call() timed out. */
    bool timedOut() { return timed_out_; }

    /* The stream: what the other core printed, and text to it. */
    int available() override;
    int read() override;
    int peek() override;
    void flush() override;
    size_t write(uint8_t c) override;
    size_t write(const uint8_t *buffer, size_t size) override;
    /* The Arduino library's write: raw (true) is the stream; false, its RPC endpoint's raw
     * msgpack, is not there (0, and a line on the error output). */
    size_t write(const uint8_t *buffer, size_t size, bool raw);
    using Print::write;

protected:
    void waitForData(unsigned long ms) override;

private:
    bool begun_ = false;
    bool timed_out_ = false;
    uint32_t timeout_ = DUET_RPC_DEFAULT_TIMEOUT_MS;
    void (*rx_)(void) = nullptr;
    void (*raw_rx_)(const uint8_t *buf, size_t len) = nullptr;
    size_t rx_seen_ = 0; /* bytes waiting when rx_ last ran (so it runs for new text only) */

    static void on_receive(duet_stream *s, void *self);
    void listen();

    void report_send(const char *name, int err);
};

} // namespace arduino

extern arduino::RPCClass RPC;

#endif

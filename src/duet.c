/* duet.c - the top level: one static instance of transport, rpc and stream. */
#include "duet/duet.h"

#include <string.h>

#include "base/text.h"

/* Everything duet_begin sets up, in one place. */
static struct {
    duet_port *port;
    duet_rpmsg dev;
    duet_rpmsg_endpoint ep_raw;
    duet_rpmsg_endpoint ep_rpc;
    duet_rpc rpc;
    duet_stream stream;
    uint32_t boot_address;
    int error;                   /* the last error, where the port keeps none per thread */
    bool rpc_ready;              /* the engine is initialised (bindings may precede begin) */
    bool begun;
    uint8_t rpc_tx[DUET_RPC_NESTING * DUET_MAX_MESSAGE]; /* a frame per nesting level */
    uint8_t rpc_results[DUET_RPC_MAX_INFLIGHT * DUET_RESULT_SIZE];
    uint8_t rpc_reasm[DUET_REASM_DEPTH * DUET_MAX_MESSAGE]; /* a large message per level */
    uint8_t stream_rx[DUET_STREAM_RX_SIZE];
    uint8_t stream_tx[DUET_STREAM_TX_SIZE];
} duet;

_Static_assert(sizeof duet.rpc_tx + sizeof duet.rpc_results + sizeof duet.rpc_reasm + sizeof duet.stream_rx +
                       sizeof duet.stream_tx ==
                   DUET_BUFFER_BYTES,
               "DUET_BUFFER_BYTES (duet.h) counts the buffers duet holds");

/* duet_rpc_start (rpc_setup) checks nothing: the sizes pass duet_rpc_init's checks here. */
_Static_assert(DUET_RPC_NESTING * DUET_MAX_MESSAGE >= 48 && DUET_RESULT_SIZE >= 16,
               "DUET_MAX_MESSAGE and DUET_RESULT_SIZE (duet/config.h) leave room for at least one message and result");

/* What a function that needs the link says before duet_begin() succeeded. */
#if DUET_LONG_TEXTS
#define BEGIN_FIRST "call duet_begin() first (it sets up the link to the other core)"
#else
#define BEGIN_FIRST "call duet_begin() first"
#endif

/* A link for the time before duet_begin: nothing can be sent yet, and a call on the engine
 * (duet_rpc_instance()) says what to do. */
static int idle_send(duet_link *l, const uint8_t *d, size_t n) { (void)l; (void)d; (void)n; return DUET_ERR_STATE; }
static int idle_poll(duet_link *l) { (void)l; return 0; }
static const char *idle_text(duet_link *l) { (void)l; return BEGIN_FIRST; }
/* Const (in flash): it is set up attached to the engine, which then writes nothing into it
 * (duet_rpc_set_link). */
static const duet_link idle_link = {.send = idle_send, .poll = idle_poll, .error_text = idle_text,
                                    .deliver = duet_rpc_receive, .up = &duet.rpc, .dropped = duet_rpc_dropped};

/* The calling thread's own last error where the port has threads (duet_port.thread_error;
 * from duet_begin() on, once the port is known), else NULL: the core's, whose code is
 * duet.error and whose text the engine's own (one text, not two: a failed call's text is
 * already there). */
static duet_port_error *thread_error(void)
{
    return duet.port && duet.port->thread_error ? duet.port->thread_error(duet.port) : NULL;
}

/* The text (DUET_RPC_ERROR_TEXT bytes) and the code of the last error e (thread_error). */
static char *error_why(duet_port_error *e)
{
    return e ? e->why : duet_rpc_error_buffer(&duet.rpc);
}

static int *error_code(duet_port_error *e)
{
    return e ? &e->err : &duet.error;
}

/* Records err as duet's error with the text "what: detail" (what NULL: detail alone, for
 * a layer's text that already names what failed; detail NULL: err's own text). The error's
 * own text may be what (then detail is appended to it) or, what NULL, detail (then it stays). */
static int fail(int err, const char *what, const char *detail)
{
    duet_port_error *e = thread_error();
    char *why = error_why(e);
    *error_code(e) = err;
    duet_text t = {why, DUET_RPC_ERROR_TEXT, 0};
    if (what == why || detail == why) /* the error's own text: kept */
        t.len = duet_text_length(t.buf);
    else if (what)
        duet_text_add(&t, what);
    if (what)
        duet_text_add(&t, ": ");
    if (detail != why)
        duet_text_add(&t, detail ? detail : duet_strerror(err));
    return err;
}

/* What a function that needs the link says before duet_begin() succeeded. */
static int not_begun(const char *what)
{
    return fail(DUET_ERR_STATE, what, BEGIN_FIRST);
}

/* The port's lock (duet_port.lock), where programs have threads: held while the layers run. */
static void top_lock(void *arg)
{
    (void)arg;
    if (duet.port && duet.port->lock)
        duet.port->lock(duet.port);
}

/* The engine's error text is one for all threads. While a thread's call runs, each release
 * of the lock keeps the engine's text in the call's own buffer (capture): the last release
 * is the engine's own at the call's end, under the lock its failure was recorded under, so
 * the buffer then holds that call's text whatever other threads do next. */
static void top_unlock(void *arg)
{
    (void)arg;
    if (duet.port && duet.port->unlock) {
        duet_port_error *e = thread_error();
        char *capture = e ? e->capture : NULL; /* the core's text is the engine's */
        if (capture) {
            duet_text t;
            duet_text_init(&t, capture, DUET_RPC_ERROR_TEXT);
            duet_text_add(&t, duet_rpc_error_text(&duet.rpc));
        }
        duet.port->unlock(duet.port);
    }
}

/* The engine's configuration, in flash: duet's buffers and lock hooks. The engine takes the
 * lock in each of its functions and releases it while a call waits, so another thread may
 * poll meanwhile. */
static const duet_rpc_config rpc_config = {
    .tx_buffer = duet.rpc_tx,
    .tx_size = sizeof duet.rpc_tx,
    .result_buffer = duet.rpc_results,
    .result_size = sizeof duet.rpc_results,
    .lock = top_lock,
    .unlock = top_unlock,
};

static void rpc_setup(void)
{
    if (duet.rpc_ready)
        return;
    duet_rpc_start(&duet.rpc, (duet_link *)&idle_link, &rpc_config); /* it passes duet_rpc_init's checks */
    duet.rpc_ready = true;
}

void duet_set_boot_address(uint32_t address)
{
    duet.boot_address = address;
}

int duet_begin(void)
{
    duet_port *port = duet_port_default();
    if (!port) {
        fail(DUET_ERR_NOT_SUPPORTED, "duet_begin",
             duet_text_pick("no port for this core (on a PC: run it on duet-board)", "no port"));
        return 0;
    }
    return duet_begin_port(port) == DUET_OK; /* 1 or 0, as Arduino's RPC.begin() */
}

/* Records err as duet's error with the transport's text: "what: <why the transport failed>". */
static int transport_fail(int err, const char *what)
{
    return fail(err, what, duet_rpmsg_error_text(&duet.dev));
}

/* Sets up the transport for this core's role and waits for the handshake. */
static int transport_up(duet_port *port)
{
    const duet_rpmsg_layout *lay = &duet_rpmsg_giga_layout;
    int err;
    /* A program built for one core (DUET_RPMSG_ROLES, duet/config.h) links that core's
     * set-up only. */
    bool m7 = DUET_RPMSG_ROLES ? DUET_RPMSG_ROLES == 1 : port->cpu_id == DUET_CPU_M7;
    if (DUET_RPMSG_ROLES && m7 != (port->cpu_id == DUET_CPU_M7))
        return fail(DUET_ERR_NOT_SUPPORTED, "duet_begin",
                    duet_text_pick("built for the other core (CORE_CM7, CORE_CM4)", "wrong core"));
    if (m7) {
        err = duet_rpmsg_init_host(&duet.dev, port, lay);
        if (err)
            return transport_fail(err, "shared memory");
    } else {
        err = duet_rpmsg_init_remote(&duet.dev, port, lay, DUET_HANDSHAKE_TIMEOUT_MS);
        if (err)
            return transport_fail(err, "waiting for the M7");
    }
    /* The M4 announces "raw" first, then "rpc", as the Arduino library does. */
    err = duet_rpmsg_endpoint_create(&duet.dev, &duet.ep_raw, "raw", NULL, 0);
    if (!err)
        err = duet_rpmsg_endpoint_create(&duet.dev, &duet.ep_rpc, "rpc", duet.rpc_reasm, DUET_MAX_MESSAGE);
    if (err)
        return transport_fail(err, "endpoints");
    if (DUET_REASM_DEPTH > 1) /* room above a large message being delivered for the next */
        duet_rpmsg_endpoint_reasm_room(&duet.ep_rpc, sizeof duet.rpc_reasm);
    if (m7) {
        uint32_t at = duet.boot_address ? duet.boot_address
                      : port->boot_address ? port->boot_address
                                           : DUET_BOOT_ADDRESS;
        err = port->boot(port, at);
        if (err && err != DUET_ERR_STATE) /* already running: it will answer the new table */
            return fail(err, "booting the M4",
                        err == DUET_ERR_BOOT ? duet_text_pick("no program at the boot address (upload one for the M4)",
                                                              "no M4 program")
                                             : NULL);
    }
    err = duet_rpmsg_wait_ready(&duet.dev, DUET_HANDSHAKE_TIMEOUT_MS);
    if (err == DUET_ERR_TIMEOUT)
        return fail(err, "handshake", duet_text_pick("the other core did not answer within 5 s", "no answer"));
    if (err)
        return transport_fail(err, "handshake");
    return DUET_OK;
}

/* Clears the calling thread's last error (its code DUET_OK, its text empty). */
static void error_clear(void)
{
    fail(DUET_OK, NULL, "");
}

int duet_begin_port(duet_port *port)
{
    error_clear();
    if (duet.begun)
        return DUET_OK;
    rpc_setup();
    duet.port = port;
    error_clear(); /* the thread's own, now that the port is known */
    int err = transport_up(port);
    if (err)
        return err;
    duet_rpc_set_link(&duet.rpc, &duet.ep_rpc.link);
    err = duet_stream_init(&duet.stream, &duet.ep_raw.link, duet.stream_rx, sizeof duet.stream_rx,
                           duet.stream_tx, sizeof duet.stream_tx);
    if (err)
        return fail(err, "stream", NULL);
    duet.begun = true;
    return DUET_OK;
}

void duet_end(void)
{
    if (!duet.begun)
        return;
    top_lock(NULL);
    duet_stream_flush(&duet.stream);
    duet_rpmsg_shutdown(&duet.dev);
    duet_rpc_set_link(&duet.rpc, (duet_link *)&idle_link);
    duet.begun = false;
    top_unlock(NULL);
}

int duet_cpu_id(void)
{
    duet_port *port = duet.port ? duet.port : duet_port_default();
    return port ? port->cpu_id : 0;
}

static int poll_locked(void);

int duet_poll(void)
{
    top_lock(NULL);
    int n = poll_locked();
    top_unlock(NULL);
    return n;
}

static int poll_locked(void)
{
    /* Before duet_begin(), a poll (the ports' delay loops poll) keeps the error recorded
     * last, so the reason a duet_begin() or a call failed survives it. */
    if (!duet.begun)
        return *error_code(thread_error()) ? DUET_ERR_STATE : not_begun("duet_poll");
    /* Gathered text goes out only if a buffer is free now: a poll never waits. */
    int err = duet_stream_flush_now(&duet.stream);
    int n = duet_rpmsg_poll(&duet.dev);
    if (n < 0)
        return transport_fail(n, "link");
    if (err && err != DUET_ERR_TIMEOUT && err != DUET_ERR_STATE)
        return fail(err, "stream", NULL);
    duet_stream_notify(&duet.stream);
    return n;
}

int duet_error(void)
{
    return *error_code(thread_error());
}

const char *duet_error_text(void)
{
    duet_port_error *e = thread_error();
    const char *why = error_why(e);
    return why[0] ? why : duet_strerror(*error_code(e));
}

duet_rpc *duet_rpc_instance(void)
{
    rpc_setup();
    return &duet.rpc;
}

duet_stream *duet_stream_instance(void)
{
    return &duet.stream;
}

duet_rpmsg *duet_rpmsg_instance(void)
{
    return &duet.dev;
}

int duet_bind(const char *name, const char *signature, duet_rpc_handler fn)
{
    rpc_setup();
    int err = duet_rpc_bind(&duet.rpc, name, signature, fn, NULL);
    if (err)
        fail(err, NULL, duet_rpc_error_text(&duet.rpc)); /* it names the method */
    return err;
}

/* Before a call: the engine's text of the calling thread's call is kept in text from now on
 * (top_unlock). Before duet_begin() the engine's link is the idle one, whose refusal says
 * what to do ("add: call duet_begin() first ..."). */
static void call_begin(char *text)
{
    rpc_setup();
    text[0] = '\0';
    duet_port_error *e = thread_error();
    if (e)
        e->capture = text;
}

/* Ends a call (begun with call_begin, or not): a failure's text (which names the method)
 * becomes the thread's error. Without the port's lock there is one thread, and the engine's
 * text is its. A call the link failed carries the transport's reason at once: "die: link
 * down: the M4 stopped: SIGSEGV", "add: shared memory corrupt: ring index jumped past the
 * ring". */
static int call_result(int err)
{
    duet_port_error *e = thread_error();
    const char *text = e && e->capture && e->capture[0] ? e->capture : NULL;
    if (e)
        e->capture = NULL;
    if (err) {
        top_lock(NULL);
        const char *call = text ? text : duet_rpc_error_text(&duet.rpc);
        const char *why = duet_rpmsg_error_text(&duet.dev);
        /* The transport's reason, unless it has none ("no error") or the call's text has
         * it already (its "link down" too). */
        bool down = err == DUET_ERR_LINK_DOWN || err == DUET_ERR_CORRUPT;
        bool reason = down && !duet_text_contains("no error", why) && !duet_text_contains(call, why);
        fail(err, reason ? call : NULL, reason ? why : call);
        top_unlock(NULL);
    }
    return err;
}

static int vcall(const char *method, uint32_t timeout_ms, const char *signature, va_list ap)
{
    char text[DUET_RPC_ERROR_TEXT];
    call_begin(text);
    return call_result(duet_rpc_vcall(&duet.rpc, timeout_ms, method, signature, ap));
}

/* duet_call_async (notify false) and duet_notify. */
static int vsend(bool notify, duet_future *future, const char *method, const char *signature, va_list ap)
{
    char text[DUET_RPC_ERROR_TEXT];
    call_begin(text);
    return call_result(notify ? duet_rpc_vnotify(&duet.rpc, method, signature, ap)
                              : duet_rpc_vcall_async(&duet.rpc, future, method, signature, ap));
}

int duet_call(const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = vcall(method, duet_rpc_timeout(&duet.rpc), signature, ap);
    va_end(ap);
    return err;
}

int duet_call_timeout(const char *method, uint32_t timeout_ms, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = vcall(method, timeout_ms, signature, ap);
    va_end(ap);
    return err;
}

int duet_call_async(duet_future *future, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = vsend(false, future, method, signature, ap);
    va_end(ap);
    return err;
}

int duet_notify(const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = vsend(true, NULL, method, signature, ap);
    va_end(ap);
    return err;
}

int duet_call_values(const char *method, duet_result result, const duet_value *args, unsigned nargs)
{
    char text[DUET_RPC_ERROR_TEXT];
    call_begin(text);
    return call_result(duet_rpc_call_values(&duet.rpc, method, result, args, nargs));
}

int duet_call_async_values(duet_future *future, const char *method, const duet_value *args, unsigned nargs)
{
    char text[DUET_RPC_ERROR_TEXT];
    call_begin(text);
    return call_result(duet_rpc_call_async_values(&duet.rpc, future, method, args, nargs));
}

int duet_notify_values(const char *method, const duet_value *args, unsigned nargs)
{
    char text[DUET_RPC_ERROR_TEXT];
    call_begin(text);
    return call_result(duet_rpc_notify_values(&duet.rpc, method, args, nargs));
}

/* The stream works once duet_begin has set it up; before that writes take nothing. */
static bool stream_up(void)
{
    if (duet.begun)
        return true;
    not_begun("stream");
    return false;
}

size_t duet_write(const void *data, size_t len)
{
    top_lock(NULL);
    size_t n = stream_up() ? duet_stream_write(&duet.stream, data, len) : 0;
    top_unlock(NULL);
    return n;
}

/* duet_print and duet_println: put (the stream's print or println) under the lock. */
static size_t print_with(size_t (*put)(duet_stream *s, const char *str), const char *str)
{
    top_lock(NULL);
    size_t n = stream_up() ? put(&duet.stream, str) : 0;
    top_unlock(NULL);
    return n;
}

size_t duet_print(const char *str)
{
    return print_with(duet_stream_print, str);
}

size_t duet_println(const char *str)
{
    return print_with(duet_stream_println, str);
}

size_t duet_printf(const char *fmt, ...)
{
    top_lock(NULL);
    size_t n = 0;
    if (stream_up()) {
        va_list ap;
        va_start(ap, fmt);
        n = duet_stream_vprintf(&duet.stream, fmt, ap);
        va_end(ap);
    }
    top_unlock(NULL);
    return n;
}

size_t duet_available(void)
{
    top_lock(NULL);
    size_t n = duet.begun ? duet_stream_available(&duet.stream) : 0;
    top_unlock(NULL);
    return n;
}

/* duet_read and duet_peek: get (the stream's read or peek) under the lock; -1 before
 * duet_begin(). */
static int read_with(int (*get)(duet_stream *s))
{
    top_lock(NULL);
    int c = duet.begun ? get(&duet.stream) : -1;
    top_unlock(NULL);
    return c;
}

int duet_read(void)
{
    return read_with(duet_stream_read);
}

int duet_peek(void)
{
    return read_with(duet_stream_peek);
}

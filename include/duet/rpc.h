/* duet/rpc.h - msgpack-RPC: bind, call, call_async + future, notify, dispatch, errors. */
#ifndef DUET_RPC_H
#define DUET_RPC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/call.h"
#include "duet/config.h"
#include "duet/error.h"
#include "duet/link.h"
#include "duet/msgpack.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Signatures
 * ----------
 * A signature is a string "PARAMS:RESULT" with one letter per value:
 *   i int32_t   u uint32_t   l int64_t   k uint64_t   b bool
 *   f float     d double     s str       y bin (bytes)  n nil
 *   v any one value (raw MessagePack)
 * "ii:i" takes two int32 and returns one; "s:" takes a string and returns nothing (nil);
 * ":" or "" takes nothing. A handler bound with a signature only runs when the request
 * matches it: the argument count, then each argument's type (an integer must fit the
 * C type), else the caller gets an error naming the function, the argument, what was
 * expected and what was found. A handler bound with signature NULL checks nothing and
 * reads its arguments itself (duet_req_params).
 *
 * Variadic arguments of duet_rpc_call and friends follow the signature:
 *   params   i,u: int/unsigned   l,k: int64_t/uint64_t   b: int (0/1)   f,d: double
 *            s: const char * (NUL-terminated)   y: const void *, size_t   n: nothing
 *            v: const void *, size_t (one encoded value)
 *   result   i: int32_t *   u: uint32_t *   l: int64_t *   k: uint64_t *   b: bool *
 *            f: float *   d: double *   s: char *buf, size_t cap (copied, NUL-terminated)
 *            y: void *buf, size_t cap, size_t *len   v: void *buf, size_t cap, size_t *len
 *            n or empty: nothing
 *   Any result pointer may be NULL to ignore the value (still type-checked).
 */

typedef struct duet_rpc duet_rpc;
typedef struct duet_req duet_req;
struct duet_text;          /* internal: an error text being built */
typedef struct duet_rpc_response duet_rpc_response; /* internal: a response as received */

/*
 * A bound function. Runs in the context that called duet_rpc_poll(), or inside a call
 * that is waiting for its own response (nested calls). Returns DUET_OK, or a negative
 * error: the caller then gets an error response with the text given to duet_req_fail()
 * (or duet_strerror of the code).
 */
typedef int (*duet_rpc_handler)(duet_req *call);

/* One entry of a method table (duet_rpc_bind_group), or one binding. */
typedef struct duet_rpc_method {
    const char *name;       /* must stay valid while bound */
    const char *signature;  /* NULL: the handler reads its own arguments */
    duet_rpc_handler fn;
    void *user;             /* handed to the handler through duet_req_user() */
} duet_rpc_method;

/* Counters, all since duet_rpc_init (they wrap). */
typedef struct duet_rpc_stats {
    uint32_t msgs_in;          /* well-formed messages received */
    uint32_t msgs_out;         /* messages sent */
    uint32_t malformed;        /* received bytes that were no valid msgpack-RPC message */
    uint32_t late_responses;   /* responses to no waiting call (dropped future, timed out, unknown id) */
    uint32_t errors_sent;      /* error responses sent */
    uint32_t send_failures;    /* messages the link refused */
} duet_rpc_stats;

/* What duet_rpc_init needs. Zero fields take their defaults. */
typedef struct duet_rpc_config {
    void *tx_buffer;            /* where outgoing messages are encoded (required) */
    size_t tx_size;             /* its size; nested calls stack frames in it */
    void *result_buffer;        /* where responses wait for their caller (required) */
    size_t result_size;         /* split evenly among DUET_RPC_MAX_INFLIGHT calls */
    uint32_t timeout_ms;        /* default call timeout (0: DUET_RPC_DEFAULT_TIMEOUT_MS) */
    size_t max_message;         /* largest message sent, one tx frame, at least 48 bytes (0: the link's
                                 * max_message if the tx buffer holds it, else tx_size / DUET_RPC_NESTING) */
    /* Optional lock hooks for engines shared by threads: taken by every public function,
     * released while a call waits. Handlers run with it held, so it must be recursive. */
    void (*lock)(void *lock_arg);
    void (*unlock)(void *lock_arg);
    void *lock_arg;
    /* Optional: told, in one sentence, of a failure no response can carry (a notification
     * whose function is unknown, refused its arguments or failed). */
    void (*report)(void *report_arg, const char *text);
    void *report_arg;
} duet_rpc_config;

/* An asynchronous call's handle, returned by duet_rpc_call_async. */
typedef struct duet_future {
    uint32_t msgid;
    uint8_t slot;
} duet_future;

/* One waiting call. Internal to the engine, public only for its size. */
typedef struct duet_rpc_slot {
    uint8_t state;
    char result_sig;
    int16_t err;
    uint32_t msgid;
    uint32_t len;            /* bytes of result (or error text) in the slot's storage */
    void *out;               /* while a caller waits: where a scalar result goes at once */
} duet_rpc_slot;

/* One binding (16 bytes). Internal, public only for its size. A plain binding (duet_rpc_bind)
 * keeps its method's fields; a group member (duet_rpc_bind_group) points at its entry of the
 * caller's table, which stays valid while bound, and at its group's prefix. The signature is
 * parsed again where a request needs it (a few letters), so nothing else is kept. */
typedef union duet_rpc_binding {
    duet_rpc_method own;                /* a plain binding: own.name is never NULL */
    struct {
        const char *none;               /* NULL: this is a group member */
        const duet_rpc_method *method;  /* its entry of the group's table */
        const char *prefix;             /* the group's prefix */
    } member;
} duet_rpc_binding;

/* The engine: all its state, owned by the caller. */
struct duet_rpc {
    duet_link *link;
    duet_rpc_config cfg;
    size_t max_message_asked;  /* cfg.max_message as given (0: follow the link) */
    duet_rpc_binding methods[DUET_RPC_MAX_METHODS];
    uint16_t method_count;
    uint16_t depth;          /* handlers running (nesting) */
    int16_t link_err;        /* DUET_ERR_LINK_DOWN once the link reported it */
    int16_t open_slot;       /* the open message's slot (below), or -1 for a notification */
    /* Serves a request for a bound method: set by the first bind, so that a program that
     * binds nothing (it only calls) links none of that code. NULL: nothing was bound. */
    bool (*serve_bound)(duet_req *call, struct duet_text *text);
    /* Takes a response to the call that waits for it: set by the first call, so that a
     * program that only serves links none of that code. NULL: no call was made. */
    bool (*take_response)(duet_rpc *rpc, uint64_t msgid, const duet_rpc_response *response);
    duet_rpc_slot slots[DUET_RPC_MAX_INFLIGHT];
    size_t tx_used;          /* bytes of tx_buffer held by frames of running handlers */
    uint32_t next_msgid;
    duet_rpc_stats stats;
    char error_text[DUET_RPC_ERROR_TEXT];
    /* The message opened by duet_rpc_begin_call or duet_rpc_begin_notify. */
    duet_msgpack_writer open_writer;
    size_t open_frame;       /* 0: none open */
    const char *open_method; /* its method, for error texts */
};

/* ------------------------------------------------------------ set-up */

/* Sets up an engine over link. @retval DUET_OK, DUET_ERR_ARG (missing or too small buffers,
 * a max_message below 48 bytes). */
int duet_rpc_init(duet_rpc *rpc, duet_link *link, const duet_rpc_config *cfg) DUET_MUST_CHECK;

/* duet_rpc_init without its checks, for a caller whose link and configuration are fixed when
 * it is compiled and known to pass them (duet.c's): a firmware then carries none of their
 * texts. */
void duet_rpc_start(duet_rpc *rpc, duet_link *link, const duet_rpc_config *cfg);

/* Moves the engine to another link (e.g. once a transport is up), keeping its bindings.
 * Calls in flight are failed with DUET_ERR_LINK_DOWN. A link whose deliver, up and dropped
 * already are the engine's (duet_rpc_receive, rpc, duet_rpc_dropped) is not written to: it
 * may be a const one. */
void duet_rpc_set_link(duet_rpc *rpc, duet_link *link);

/* Binds fn under name with a signature (see above; NULL for a raw handler).
 * @retval DUET_OK, DUET_ERR_EXISTS (name bound), DUET_ERR_FULL (table full),
 *         DUET_ERR_ARG (bad name or signature). */
int duet_rpc_bind(duet_rpc *rpc, const char *name, const char *signature, duet_rpc_handler fn, void *user);

/* Binds every entry of table as "prefix.name" (MicroPython's bind("foo1", Foo())).
 * All or nothing: on an error no entry is bound. The table must stay valid while bound. */
int duet_rpc_bind_group(duet_rpc *rpc, const char *prefix, const duet_rpc_method *table, size_t count);

/* Removes the binding of name ("prefix.name" for a group member). @retval DUET_OK, DUET_ERR_NOT_FOUND. */
int duet_rpc_unbind(duet_rpc *rpc, const char *name);

/* Removes every member of a group. @retval DUET_OK, DUET_ERR_NOT_FOUND. */
int duet_rpc_unbind_group(duet_rpc *rpc, const char *prefix);

/* ------------------------------------------------------------ calling */

/*
 * Calls method with the arguments the signature lists, waits for the response (serving
 * the other side's requests meanwhile) up to the default timeout, and stores the result.
 * @retval DUET_OK
 * @retval DUET_ERR_REMOTE      the function failed or is unknown there: duet_rpc_error_text() has its text
 * @retval DUET_ERR_TIMEOUT     no response in time (a late one is counted and dropped)
 * @retval DUET_ERR_LINK_DOWN   the link is down
 * @retval DUET_ERR_TOO_LARGE   the request does not fit one message, or the result its slot
 * @retval DUET_ERR_FULL        DUET_RPC_MAX_INFLIGHT calls are already waiting
 * @retval DUET_ERR_TYPE, DUET_ERR_RANGE, DUET_ERR_NOSPACE  the result does not match the signature or buffer
 * @retval DUET_ERR_ARG         bad signature
 */
int duet_rpc_call(duet_rpc *rpc, const char *method, const char *signature, ...);

/* duet_rpc_call with a timeout in milliseconds. */
int duet_rpc_call_timeout(duet_rpc *rpc, uint32_t timeout_ms, const char *method, const char *signature, ...);

/* duet_rpc_call_timeout with a va_list. */
int duet_rpc_vcall(duet_rpc *rpc, uint32_t timeout_ms, const char *method, const char *signature, va_list ap);

/* Sends a request and returns at once; *future waits for the response. Takes the
 * parameter arguments only; the result's are given to duet_future_wait. Errors as duet_rpc_call,
 * and DUET_ERR_ARG without a future (NULL: for no answer, send a notification). */
int duet_rpc_call_async(duet_rpc *rpc, duet_future *future, const char *method, const char *signature, ...);

/* Whether the response is there, without blocking (serves incoming messages first).
 * @retval DUET_ERR_AGAIN still waiting; DUET_OK a result is there; <0 the call failed. */
int duet_future_poll(duet_rpc *rpc, const duet_future *future);

/* Waits up to timeout_ms for the response, stores the result (arguments as the result part of
 * the signature given to call_async) and frees the future. On DUET_ERR_TIMEOUT the future
 * stays valid: wait again or drop it. Other returns as duet_rpc_call. */
int duet_future_wait(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, ...);

/* duet_rpc_call_async and duet_rpc_notify with a va_list. */
int duet_rpc_vcall_async(duet_rpc *rpc, duet_future *future, const char *method, const char *signature, va_list ap);
int duet_rpc_vnotify(duet_rpc *rpc, const char *method, const char *signature, va_list ap);

/* Forgets the call; a late response is counted in late_responses and discarded. */
void duet_future_drop(duet_rpc *rpc, duet_future *future);

/* Sends a notification: no response, nothing waits. Errors as for sending a call. */
int duet_rpc_notify(duet_rpc *rpc, const char *method, const char *signature, ...);

/*
 * Low-level calls, for arguments a signature cannot describe: begin writes the message
 * head and returns the writer for the params array (write the array header yourself);
 * end sends it. A future from begin_call is then waited on with duet_future_wait_raw.
 * begin returns NULL (duet_rpc_error_text() says why) without a method, without a future
 * for begin_call, or while another low-level message is open.
 */
duet_msgpack_writer *duet_rpc_begin_call(duet_rpc *rpc, duet_future *future, const char *method);
duet_msgpack_writer *duet_rpc_begin_notify(duet_rpc *rpc, const char *method);
int duet_rpc_end(duet_rpc *rpc, duet_msgpack_writer *w);

/* Waits like duet_future_wait, then copies the raw result value (MessagePack) into buf.
 * @retval DUET_ERR_NOSPACE the result is larger than cap (the future is freed). */
int duet_future_wait_raw(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, void *buf, size_t cap, size_t *len);

/* ------------------------------------------------------------ serving */

/* Handles every message that has arrived, running handlers. Never blocks.
 * @retval >=0 messages handled; DUET_ERR_LINK_DOWN. */
int duet_rpc_poll(duet_rpc *rpc);

/* Feeds received bytes (one or more whole messages) to the engine. Links do this from
 * their poll through deliver; exposed for links written outside duet. Always returns
 * true: the engine takes every message (what it cannot use it counts). */
bool duet_rpc_receive(void *rpc, const uint8_t *data, size_t len);

/* Told by the link of a message it did not deliver because it is over its limit (see
 * duet_link_dropped_fn): a request whose msgid is in head gets an error response naming the
 * limit. Engines attach it to their link; exposed for links written outside duet. */
void duet_rpc_dropped(void *rpc, const uint8_t *head, size_t head_len, uint64_t size, size_t limit);

/* Text of the last failure: the remote error, or what was wrong locally. Never NULL. */
const char *duet_rpc_error_text(const duet_rpc *rpc);

/* The engine's error text as a buffer of DUET_RPC_ERROR_TEXT bytes, for the layer above to
 * keep its own last error in the same place (duet.c does: one text, not two). */
char *duet_rpc_error_buffer(duet_rpc *rpc);

/* The counters. */
duet_rpc_stats duet_rpc_get_stats(const duet_rpc *rpc);

/* DUET_ERR_LINK_DOWN once the link has gone down (calls then fail at once), else DUET_OK. */
int duet_rpc_link_error(const duet_rpc *rpc);

/* The timeout duet_rpc_call uses, in milliseconds (duet_rpc_config.timeout_ms or its default). */
uint32_t duet_rpc_timeout(const duet_rpc *rpc);

/* ------------------------------------------------------------ inside a handler */

/* Number of arguments received. */
uint32_t duet_arg_count(const duet_req *call);

/* Typed argument n (0-based), already checked against the signature. */
int32_t duet_arg_int(const duet_req *call, unsigned n);
uint32_t duet_arg_uint(const duet_req *call, unsigned n);
int64_t duet_arg_int64(const duet_req *call, unsigned n);
uint64_t duet_arg_uint64(const duet_req *call, unsigned n);
bool duet_arg_bool(const duet_req *call, unsigned n);
double duet_arg_double(const duet_req *call, unsigned n);
float duet_arg_float(const duet_req *call, unsigned n);
/* A str or bin argument: pointer into the received message (valid until the handler returns). */
const char *duet_arg_str(const duet_req *call, unsigned n, uint32_t *len);
const uint8_t *duet_arg_bin(const duet_req *call, unsigned n, uint32_t *len);

/* A 'v' argument: its MessagePack encoding, pointing into the received message. */
const uint8_t *duet_arg_value(const duet_req *call, unsigned n, uint32_t *len);

/* A reader over the params array's elements (positioned at the first one). */
duet_msgpack_reader *duet_req_params(duet_req *call);

/* The writer for the result: write exactly one value (none: nil). */
duet_msgpack_writer *duet_req_result(duet_req *call);

/* Shorthands that write the result. Return DUET_OK (or the writer's error). */
int duet_return_int(duet_req *call, int64_t v);
int duet_return_uint(duet_req *call, uint64_t v);
int duet_return_bool(duet_req *call, bool v);
int duet_return_double(duet_req *call, double v);
int duet_return_str(duet_req *call, const char *s);

/* Sets the error text the caller receives, and returns err (or DUET_ERR_REMOTE if err >= 0),
 * for `return duet_req_fail(c, DUET_ERR_ARG, "no such pin");`. */
int duet_req_fail(duet_req *call, int err, const char *text);

/* The method name as called, the user pointer given at bind, the engine, whether a reply is expected. */
const char *duet_req_method(const duet_req *call, uint32_t *len);
void *duet_req_user(const duet_req *call);
duet_rpc *duet_req_rpc(duet_req *call);
bool duet_req_is_notification(const duet_req *call);

#ifdef __cplusplus
}
#endif
#endif

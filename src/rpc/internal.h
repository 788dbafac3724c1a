/* rpc/internal.h - what the files of the rpc layer share; not a public header. */
#ifndef DUET_RPC_INTERNAL_H
#define DUET_RPC_INTERNAL_H

#include "duet/rpc.h"

#include <string.h>

#include "base/text.h"

/* Keeps a function out of its callers' line (a large frame the common path should not pay). */
#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* Puts a function of the round trip's path into its caller's line where the compiler would
 * not, except in a build for size (see DUET_RPC_FOR_SIZE below). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
#define HOT_INLINE __attribute__((always_inline)) inline
#else
#define HOT_INLINE inline
#endif

/* The compiler checks the arguments of duet_rpc_say, duet_rpc_fail and the like against the
 * format (parameter fmt, its arguments from parameter args on). */
#if defined(__GNUC__) || defined(__clang__)
#define DUET_RPC_FORMAT(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define DUET_RPC_FORMAT(fmt, args)
#endif
#define DUET_RPC_SAY_FORMAT DUET_RPC_FORMAT(2, 3)
#define DUET_RPC_FAIL_FORMAT DUET_RPC_FORMAT(3, 4)

enum { MSG_REQUEST = 0, MSG_RESPONSE = 1, MSG_NOTIFY = 2 };
enum { SLOT_FREE = 0, SLOT_PENDING, SLOT_DONE };

/* How the error of a request that cannot be served because it is malformed begins. */
#define MALFORMED "malformed request: "

/* Smallest frame worth encoding into: a response with a short error. */
#define MIN_FRAME 48

/* A request being served; handlers see it through the duet_arg_*, duet_return_* and duet_req_* functions. */
struct duet_req {
    duet_rpc *rpc;
    duet_rpc_method bound;                 /* the method found: a copy, so a handler may unbind itself */
    const char *method;
    uint32_t method_len;
    uint32_t argc;
    const uint8_t *msgid;                  /* the request's msgid as it came (none: a notification) */
    size_t msgid_len;
    duet_msgpack_reader params;            /* over the params' elements, once params_read */
    bool params_read;                      /* duet_req_params has set up params */
    duet_msgpack_token args[DUET_RPC_MAX_ARGS]; /* the first arguments, decoded */
    const uint8_t *arg_at[DUET_RPC_MAX_ARGS];   /* where each starts */
    const uint8_t *params_start, *params_end;
    duet_msgpack_writer out;               /* the response, result last */
    size_t result_start;                   /* where the result starts in out */
    duet_msgpack_token returned;           /* the result a duet_return_* wrote... */
    size_t returned_end;                   /* ...ending here in out (else 0) */
    bool notification;
    bool typed;                            /* bound with a signature: args checked */
    char error[DUET_RPC_ERROR_TEXT];       /* set by duet_req_fail */
};

/* ------------------------------------------------------------ small helpers */



static inline uint32_t now_ms(duet_rpc *rpc)
{
    return rpc->link->now_ms ? rpc->link->now_ms(rpc->link) : 0;
}

/* The bytes of each waiting call's result (or error text): a share of the result buffer. */
static inline size_t slot_size(const duet_rpc *rpc)
{
    return rpc->cfg.result_size / DUET_RPC_MAX_INFLIGHT;
}

/* Where the result (or error text) of a waiting call is kept. */
static inline uint8_t *slot_store(duet_rpc *rpc, const duet_rpc_slot *s)
{
    return (uint8_t *)rpc->cfg.result_buffer + (size_t)(s - rpc->slots) * slot_size(rpc);
}

/* Starts the engine's error text; the caller appends details. */
static inline duet_text error_begin(duet_rpc *rpc)
{
    duet_text t;
    duet_text_init(&t, rpc->error_text, sizeof rpc->error_text);
    return t;
}

/* The most bytes of a name (a method's) an error text quotes, "..." standing for the rest:
 * a long name leaves room for the reason. */
#define DUET_RPC_NAME_SHOWN 48

/* Appends fmt to t with its conversions: %s (a string), %.*s (a name: an int length and its
 * bytes, at most DUET_RPC_NAME_SHOWN of them, then "..." if there are more) and %u (an
 * unsigned); nothing else. The error texts' one builder. */
void duet_rpc_say(duet_text *t, const char *fmt, ...) DUET_RPC_SAY_FORMAT;

/* Appends "name: " (name as %.*s: cut when long). */
void duet_rpc_say_name(duet_text *t, const char *name);

/* duet_rpc_say with a va_list. */
void duet_rpc_vsay(duet_text *t, const char *fmt, va_list ap);

/* Sets the engine's error text to fmt (as duet_rpc_say) and returns err. */
int duet_rpc_fail(duet_rpc *rpc, int err, const char *fmt, ...) DUET_RPC_FAIL_FORMAT;

/* Texts said in more than one place (engine.c): a frame that does not fit the tx buffer (a
 * call's, or a response's), and a message without a method name. */
extern const char duet_rpc_text_no_frame[];
extern const char duet_rpc_text_no_method[];

/* Sets the engine's error text to "what: detail" (detail NULL: err's text); returns err. */
int duet_rpc_set_error(duet_rpc *rpc, int err, const char *what, const char *detail);

/* Sets the engine's error text to "what: " and what is wrong with the signature sig;
 * returns DUET_ERR_ARG. */
int duet_rpc_signature_error(duet_rpc *rpc, const char *what, const char *sig);

/* ------------------------------------------------------------ fast paths */

/* Built for size (-Os, as firmware is built), the engine leaves out its own fast paths (the
 * commonest encodings read in place, a scalar result stored straight for its caller) and
 * goes through the codec's functions; built for speed (-O2, -O3: the tests, the benchmarks,
 * the QEMU images), it keeps them. The same bytes and checks either way. (Writing, the codec
 * makes the same choice itself: DUET_MSGPACK_INLINE, duet/msgpack.h.) */
#if defined(__OPTIMIZE_SIZE__)
#define DUET_RPC_FOR_SIZE 1
#else
#define DUET_RPC_FOR_SIZE 0
#endif

/* ------------------------------------------------------------ locking */

/* The engine's lock hooks (duet_rpc_config.lock), if it has them. */
static inline void lock_hooks(duet_rpc *rpc, bool take)
{
    void (*hook)(void *arg) = take ? rpc->cfg.lock : rpc->cfg.unlock;
    if (hook)
        hook(rpc->cfg.lock_arg);
}

/* Every public function takes the lock: inline where built for speed, one out-of-line copy
 * (engine.c) where built for size. */
#if DUET_RPC_FOR_SIZE
void duet_rpc_lock(duet_rpc *rpc);
void duet_rpc_unlock(duet_rpc *rpc);
#else
static inline void duet_rpc_lock(duet_rpc *rpc) { lock_hooks(rpc, true); }
static inline void duet_rpc_unlock(duet_rpc *rpc) { lock_hooks(rpc, false); }
#endif

/* ------------------------------------------------------------ frames (engine.c) */

/* Claims the next frame of the tx buffer: a writer over at most max_message bytes. */
static inline bool frame_push(duet_rpc *rpc, duet_msgpack_writer *w, size_t *size)
{
    size_t room = rpc->cfg.tx_size - rpc->tx_used;
    size_t n = room < rpc->cfg.max_message ? room : rpc->cfg.max_message;
    if (n < MIN_FRAME)
        return false;
    duet_msgpack_writer_init(w, (uint8_t *)rpc->cfg.tx_buffer + rpc->tx_used, n);
    rpc->tx_used += n;
    *size = n;
    return true;
}

static inline void frame_pop(duet_rpc *rpc, size_t size)
{
    rpc->tx_used -= size;
}

/* Sends a finished message (or says why not: link down, too large, encoding error). */
int duet_rpc_send_frame(duet_rpc *rpc, duet_msgpack_writer *w);

/* ------------------------------------------------------------ the other files */

/* bind.c: the method bound under the full method name, or NULL. */
const duet_rpc_method *duet_rpc_find_binding(duet_rpc *rpc, const char *name, size_t len);



/* bind.c: whether the NUL-terminated name bound is the len bytes at name (which may hold
 * anything, a NUL too). */
bool duet_rpc_same_name(const char *bound, const char *name, size_t len);

/* bind.c: appends the full name of a method: prefix "." name, or name alone (prefix NULL). */
void duet_rpc_add_name(duet_text *t, const char *prefix, const char *name);

/* serve.c: appends rpclib's sentence for a method that is not bound. */
void duet_rpc_unknown_text(duet_req *c, duet_text *t);

/* Writes the head of a response, [1, msgid, then the error and result, into w: the array
 * header, the type and the msgid's bytes as they came, in one piece. */
static HOT_INLINE void response_head(duet_msgpack_writer *w, const uint8_t *msgid, size_t msgid_len)
{
    uint8_t *p = duet_msgpack_writer_reserve(w, 2 + msgid_len);
    if (!p)
        return;
    p[0] = 0x94; /* an array of 4 */
    p[1] = MSG_RESPONSE;
    if (!DUET_RPC_FOR_SIZE && msgid_len == 5) /* a uint32, duet's msgid in a long run: copied in place */
        memcpy(p + 2, msgid, 5);
    else if (!DUET_RPC_FOR_SIZE && msgid_len == 3) /* a uint16: a program's first 65536 calls */
        memcpy(p + 2, msgid, 3);
    else
        memcpy(p + 2, msgid, msgid_len);
}

/* dispatch.c: serves a request for a bound method (duet_rpc.serve_bound, set by the first
 * bind) and answers it; false with the error text in t (nothing sent), also when nothing
 * answers to its name. */
bool duet_rpc_serve_bound(duet_req *c, duet_text *t);

/* serve.c: serves one request or notification (its msgid in c) whose params were read
 * (malformed: why it cannot be served, after MALFORMED, or NULL): the bound method answers,
 * or an error response says why not (a notification's failure goes to the report hook). */
void duet_rpc_serve(duet_rpc *rpc, duet_req *c, const char *malformed);

/* serve.c: sends [1, msgid, text, nil] from a small buffer of its own (no frame needed). */
void duet_rpc_reply_error(duet_rpc *rpc, const uint8_t *msgid, size_t msgid_len, const char *text);

/* call.c: writes the head of a request (with a new msgid in *slot) or notification, into a
 * new frame; DUET_OK, or the error (link down, no slot, no frame) with its text set. */
int duet_rpc_begin_message(duet_rpc *rpc, duet_msgpack_writer *w, size_t *frame, duet_rpc_slot **slot, const char *method);

/* call.c: sends a finished message; on success the slot (if any) starts waiting. */
int duet_rpc_finish_message(duet_rpc *rpc, duet_msgpack_writer *w, size_t frame, duet_rpc_slot *slot, const char *method, char result);

/* Where a call's result goes: a pointer as its letter says, for str, bin and raw results a
 * capacity and where the length goes, for a scalar the function that stores it (NULL:
 * nowhere). */
typedef struct duet_rpc_out {
    void *p;
    size_t cap;
    size_t *lenp;
    void (*store)(void *p, const duet_msgpack_token *t);
} duet_rpc_out;

/* result.c: reads the result pointers for result letter c from a va_list, with the store
 * of a scalar's kind (the one duet/call.h chooses for a pointer's type). */
duet_rpc_out duet_rpc_out_from_va(char c, va_list *ap);

/* A response as receive.c read it: its error (type nil: none; a str's text) and its result
 * (len bytes at result, decoded in tok). */
struct duet_rpc_response {
    duet_msgpack_type error_type; /* DUET_MSGPACK_NONE: no response came whole (text says why) */
    const char *text;
    uint32_t text_len;
    const uint8_t *result;
    size_t len;
    duet_msgpack_token tok;
};

/* result.c: hands a response to the call that waits for msgid id (duet_rpc.take_response,
 * set by the first call); false if none does. */
bool duet_rpc_take_response(duet_rpc *rpc, uint64_t id, const duet_rpc_response *resp);

/* result.c: waits for a slot and stores its result in o (method names the call in error
 * texts); frees the slot unless it timed out. */
int duet_rpc_join(duet_rpc *rpc, duet_rpc_slot *s, uint32_t timeout_ms, const char *method, const duet_rpc_out *o);

#endif

/* duet/call.h - calls whose argument and result types the compiler checks (DUET_CALL). */
#ifndef DUET_CALL_H
#define DUET_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * DUET_RPC_CALL(rpc, "add", &sum, 1, 2) calls "add" with two integers and stores the
 * result in sum, with no signature string: C11 _Generic derives each letter from the
 * type of the value (or, for the result, of the pointer), so the signature and the values
 * cannot disagree. A value of a type duet cannot send, or a result pointer of a type it
 * cannot fill, is a compile error (no association for that type in _Generic), and so is a
 * ninth argument (DUET_RPC_MAX_ARGS is 8 here whatever its setting).
 *
 *   arguments  bool; char, signed char, short, int, long*, long long* (int32 / int64);
 *              the unsigned ones (uint32 / uint64); float; double; char * and const char *
 *              (str, NULL sends ""); DUET_BIN(data, len) (bin)
 *   result     int32_t *, uint32_t *, int64_t *, uint64_t *, bool *, float *, double *,
 *              DUET_STR_OUT(array) (a str into a char array), or NULL (no result kept)
 *   (* long is int32 or int64 as it is wide. C's true and false are ints: a bool goes
 *   as a bool variable or (bool)x.)
 *
 * The same checks cover asynchronous calls and notifications: DUET_RPC_CALL_ASYNC(rpc,
 * &future, "add", 1, 2) sends the call, DUET_FUTURE_WAIT(rpc, &future, timeout_ms, &sum)
 * waits for it and takes the result as its pointer's type says; DUET_RPC_NOTIFY(rpc,
 * "tick", 1) sends a notification.
 *
 * What _Generic cannot express - a raw MessagePack value ('v'), a bin result - keeps the
 * explicit-signature functions of duet/rpc.h.
 */

struct duet_msgpack_writer;
struct duet_msgpack_token;

/* One argument: its signature letter, the function that writes it (chosen with its C type,
 * so that a program links the writers of the types it sends and no other), its value. */
typedef struct duet_value {
    char letter;
    void (*put)(struct duet_msgpack_writer *w, const struct duet_value *v);
    union {
        int64_t i;
        uint64_t u;
        double d;
        const char *s;
        struct {
            const void *data;
            size_t len;
        } bin;
    } v;
} duet_value;

/* Where the result goes: its letter (0: not kept), a pointer, a capacity for strings, and
 * for a number or bool the function that stores it there (chosen with the pointer's type,
 * as a value's writer: a program that takes no float links no float conversion). */
typedef struct duet_result {
    char letter;
    void *p;
    size_t cap;
    void (*store)(void *p, const struct duet_msgpack_token *t);
} duet_result;

/* Bytes to send as bin, and a char array to receive a str result into. */
typedef struct duet_bin {
    const void *data;
    size_t len;
} duet_bin;
typedef struct duet_str_out {
    char *buf;
    size_t cap;
} duet_str_out;
#define DUET_BIN(data, len) ((duet_bin){(data), (len)})
#define DUET_STR_OUT(array) ((duet_str_out){(array), sizeof(array)})

/* The writers of the values (src/rpc/call.c) and the stores of the results (src/rpc/result.c),
 * one per kind of C type. */
void duet_value_put_int(struct duet_msgpack_writer *w, const duet_value *v);
void duet_value_put_uint(struct duet_msgpack_writer *w, const duet_value *v);
void duet_value_put_bool(struct duet_msgpack_writer *w, const duet_value *v);
void duet_value_put_float(struct duet_msgpack_writer *w, const duet_value *v);
void duet_value_put_double(struct duet_msgpack_writer *w, const duet_value *v);
void duet_value_put_str(struct duet_msgpack_writer *w, const duet_value *v);
void duet_value_put_bin(struct duet_msgpack_writer *w, const duet_value *v);
void duet_result_store_32(void *p, const struct duet_msgpack_token *t);
void duet_result_store_64(void *p, const struct duet_msgpack_token *t);
void duet_result_store_bool(void *p, const struct duet_msgpack_token *t);
void duet_result_store_float(void *p, const struct duet_msgpack_token *t);
void duet_result_store_double(void *p, const struct duet_msgpack_token *t);

/* A value of letter, written by put; the caller sets the union's member it uses (set after,
 * not with a designated initializer, which C++ has only from C++20: a C++ program includes
 * this header through duet.h; nor zeroed first, which costs code on every call). */
static inline duet_value duet_value_of(char letter, void (*put)(struct duet_msgpack_writer *, const duet_value *))
{
    duet_value x;
    x.letter = letter;
    x.put = put;
    return x;
}

/* One function per type: the compiler converts the value to the parameter's type. */
static inline duet_value duet_value_int(int64_t v) { duet_value x = duet_value_of('i', duet_value_put_int); x.v.i = v; return x; }
static inline duet_value duet_value_int64(int64_t v) { duet_value x = duet_value_of('l', duet_value_put_int); x.v.i = v; return x; }
static inline duet_value duet_value_uint(uint64_t v) { duet_value x = duet_value_of('u', duet_value_put_uint); x.v.u = v; return x; }
static inline duet_value duet_value_uint64(uint64_t v) { duet_value x = duet_value_of('k', duet_value_put_uint); x.v.u = v; return x; }
static inline duet_value duet_value_long(long v) { return sizeof v > 4 ? duet_value_int64(v) : duet_value_int(v); }
static inline duet_value duet_value_ulong(unsigned long v) { return sizeof v > 4 ? duet_value_uint64(v) : duet_value_uint(v); }
static inline duet_value duet_value_bool(bool v) { duet_value x = duet_value_of('b', duet_value_put_bool); x.v.u = v; return x; }
static inline duet_value duet_value_float(float v) { duet_value x = duet_value_of('f', duet_value_put_float); x.v.d = v; return x; }
static inline duet_value duet_value_double(double v) { duet_value x = duet_value_of('d', duet_value_put_double); x.v.d = v; return x; }
static inline duet_value duet_value_str(const char *v) { duet_value x = duet_value_of('s', duet_value_put_str); x.v.s = v ? v : ""; return x; }
static inline duet_value duet_value_bin(duet_bin v)
{
    duet_value x = duet_value_of('y', duet_value_put_bin);
    x.v.bin.data = v.data;
    x.v.bin.len = v.len;
    return x;
}

static inline duet_result duet_result_int(int32_t *p) { duet_result r = {'i', p, 0, duet_result_store_32}; return r; }
static inline duet_result duet_result_uint(uint32_t *p) { duet_result r = {'u', p, 0, duet_result_store_32}; return r; }
static inline duet_result duet_result_int64(int64_t *p) { duet_result r = {'l', p, 0, duet_result_store_64}; return r; }
static inline duet_result duet_result_uint64(uint64_t *p) { duet_result r = {'k', p, 0, duet_result_store_64}; return r; }
static inline duet_result duet_result_bool(bool *p) { duet_result r = {'b', p, 0, duet_result_store_bool}; return r; }
static inline duet_result duet_result_float(float *p) { duet_result r = {'f', p, 0, duet_result_store_float}; return r; }
static inline duet_result duet_result_double(double *p) { duet_result r = {'d', p, 0, duet_result_store_double}; return r; }
static inline duet_result duet_result_str(duet_str_out s) { duet_result r = {'s', s.buf, s.cap, NULL}; return r; }
static inline duet_result duet_result_none(const void *p) { duet_result r = {0, NULL, 0, NULL}; (void)p; return r; }

/* The typed value of x, and where a result goes for the pointer p. */
#define DUET_VALUE(x)                                                                     \
    _Generic((x),                                                                         \
        bool: duet_value_bool,                                                            \
        char: duet_value_int, signed char: duet_value_int, short: duet_value_int,         \
        int: duet_value_int, long: duet_value_long, long long: duet_value_int64,          \
        unsigned char: duet_value_uint, unsigned short: duet_value_uint,                  \
        unsigned int: duet_value_uint, unsigned long: duet_value_ulong,                   \
        unsigned long long: duet_value_uint64,                                            \
        float: duet_value_float, double: duet_value_double,                               \
        char *: duet_value_str, const char *: duet_value_str,                             \
        duet_bin: duet_value_bin)(x)
#define DUET_RESULT(p)                                                                    \
    _Generic((p),                                                                         \
        int32_t *: duet_result_int, uint32_t *: duet_result_uint,                         \
        int64_t *: duet_result_int64, uint64_t *: duet_result_uint64,                     \
        bool *: duet_result_bool, float *: duet_result_float, double *: duet_result_double, \
        duet_str_out: duet_result_str, void *: duet_result_none)(p)

/* The macros' machinery: the number of arguments after the result, and their array. */
#define DUET_CALL_CAT_(a, b) a##b
#define DUET_CALL_CAT(a, b) DUET_CALL_CAT_(a, b)
#define DUET_CALL_COUNT_(r, a1, a2, a3, a4, a5, a6, a7, a8, a9, n, ...) n
#define DUET_CALL_COUNT(...) DUET_CALL_COUNT_(__VA_ARGS__, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, ~)
#define DUET_CALL_FIRST_(r, ...) r
#define DUET_CALL_FIRST(...) DUET_CALL_FIRST_(__VA_ARGS__, ~)
#define DUET_CALL_V(...) ((const duet_value[]){__VA_ARGS__})
#define DUET_CALL_ARGS_0(r) NULL
#define DUET_CALL_ARGS_1(r, a) DUET_CALL_V(DUET_VALUE(a))
#define DUET_CALL_ARGS_2(r, a, b) DUET_CALL_V(DUET_VALUE(a), DUET_VALUE(b))
#define DUET_CALL_ARGS_3(r, a, b, c) DUET_CALL_V(DUET_VALUE(a), DUET_VALUE(b), DUET_VALUE(c))
#define DUET_CALL_ARGS_4(r, a, b, c, d) DUET_CALL_V(DUET_VALUE(a), DUET_VALUE(b), DUET_VALUE(c), DUET_VALUE(d))
#define DUET_CALL_ARGS_5(r, a, b, c, d, e) \
    DUET_CALL_V(DUET_VALUE(a), DUET_VALUE(b), DUET_VALUE(c), DUET_VALUE(d), DUET_VALUE(e))
#define DUET_CALL_ARGS_6(r, a, b, c, d, e, f) \
    DUET_CALL_V(DUET_VALUE(a), DUET_VALUE(b), DUET_VALUE(c), DUET_VALUE(d), DUET_VALUE(e), DUET_VALUE(f))
#define DUET_CALL_ARGS_7(r, a, b, c, d, e, f, g)                                                      \
    DUET_CALL_V(DUET_VALUE(a), DUET_VALUE(b), DUET_VALUE(c), DUET_VALUE(d), DUET_VALUE(e), DUET_VALUE(f), \
                DUET_VALUE(g))
#define DUET_CALL_ARGS_8(r, a, b, c, d, e, f, g, h)                                                   \
    DUET_CALL_V(DUET_VALUE(a), DUET_VALUE(b), DUET_VALUE(c), DUET_VALUE(d), DUET_VALUE(e), DUET_VALUE(f), \
                DUET_VALUE(g), DUET_VALUE(h))
#define DUET_CALL_ARGS_9(...) DUET_CALL_takes_at_most_8_arguments
#define DUET_CALL_ARGS(...) DUET_CALL_CAT(DUET_CALL_ARGS_, DUET_CALL_COUNT(__VA_ARGS__))(__VA_ARGS__)

/* The calls with their values already typed (what the macros expand to).
 * @retval as duet_rpc_call (duet_rpc_call_async, duet_rpc_notify, duet_future_wait);
 *         DUET_ERR_ARG for more than DUET_RPC_MAX_ARGS values. */
struct duet_rpc;
struct duet_future;
int duet_rpc_call_values(struct duet_rpc *rpc, const char *method, duet_result result, const duet_value *args,
                         unsigned nargs);
int duet_rpc_call_async_values(struct duet_rpc *rpc, struct duet_future *future, const char *method,
                               const duet_value *args, unsigned nargs);
int duet_rpc_notify_values(struct duet_rpc *rpc, const char *method, const duet_value *args, unsigned nargs);
int duet_future_wait_value(struct duet_rpc *rpc, struct duet_future *future, uint32_t timeout_ms, duet_result result);

/* DUET_RPC_CALL(rpc, method, result, args...): a call on an engine; the result pointer
 * (or NULL) comes first, then up to 8 arguments. Returns as duet_rpc_call. */
#define DUET_RPC_CALL(rpc, method, ...)                                                     \
    duet_rpc_call_values((rpc), (method), DUET_RESULT(DUET_CALL_FIRST(__VA_ARGS__)),       \
                         DUET_CALL_ARGS(__VA_ARGS__), DUET_CALL_COUNT(__VA_ARGS__))

/* DUET_RPC_CALL_ASYNC(rpc, future, method, args...): an asynchronous call of up to 8
 * arguments; its result is taken by DUET_FUTURE_WAIT. Returns as duet_rpc_call_async.
 * (The method is the first of the macro's variable arguments, so that a call without
 * arguments needs none.) */
#define DUET_RPC_CALL_ASYNC(rpc, future, ...)                                               \
    duet_rpc_call_async_values((rpc), (future), DUET_CALL_FIRST(__VA_ARGS__), DUET_CALL_ARGS(__VA_ARGS__), \
                               DUET_CALL_COUNT(__VA_ARGS__))

/* DUET_RPC_NOTIFY(rpc, method, args...): a notification of up to 8 arguments. Returns as
 * duet_rpc_notify. */
#define DUET_RPC_NOTIFY(rpc, ...)                                                           \
    duet_rpc_notify_values((rpc), DUET_CALL_FIRST(__VA_ARGS__), DUET_CALL_ARGS(__VA_ARGS__), \
                           DUET_CALL_COUNT(__VA_ARGS__))

/* DUET_FUTURE_WAIT(rpc, future, timeout_ms, result): waits for a call's response and stores
 * its result where the pointer (as DUET_RPC_CALL's) says, checked against its type. Returns
 * as duet_future_wait. */
#define DUET_FUTURE_WAIT(rpc, future, timeout_ms, result) \
    duet_future_wait_value((rpc), (future), (timeout_ms), DUET_RESULT(result))

#ifdef __cplusplus
}
#endif
#endif

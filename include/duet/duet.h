/* duet/duet.h - one include for programs: duet_begin() and friends, the RPC.begin() of C. */
#ifndef DUET_DUET_H
#define DUET_DUET_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/config.h"
#include "duet/error.h"
#include "duet/port.h"
#include "duet/rpc.h"
#include "duet/rpmsg.h"
#include "duet/stream.h"
#include "duet/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The bytes duet_begin's static instance holds for the sizes in duet/config.h: RPC frames
 * for calls nested DUET_RPC_NESTING deep, a result slot per waiting call, the reassembly of
 * DUET_REASM_DEPTH large messages, received stream text, and one RPMsg buffer's payload of
 * stream text being gathered.
 * (`make size` counts duet's RAM beyond these.) */
#define DUET_BUFFER_BYTES                                                                     \
    (DUET_RPC_NESTING * DUET_MAX_MESSAGE + DUET_RPC_MAX_INFLIGHT * DUET_RESULT_SIZE +          \
     DUET_REASM_DEPTH * DUET_MAX_MESSAGE + DUET_STREAM_RX_SIZE + DUET_STREAM_TX_SIZE)

/*
 * A program for either core reads like the guide's sketches:
 *
 *     static int add(duet_req *c) { return duet_return_int(c, duet_arg_int(c, 0) + duet_arg_int(c, 1)); }
 *
 *     duet_bind("add", "ii:i", add);      // M7
 *     duet_begin();                        // M7: boots the M4; M4: announces itself
 *     int32_t sum;
 *     duet_call("add", "ii:i", 1, 2, &sum); // M4
 *     duet_println("Printed from M4 core");
 *
 * Everything here works on one static instance (no malloc) over the port that
 * duet_port_default() gives (ports/<target>/). Handlers run inside duet_poll(), inside
 * a duet_call() that waits for its answer, and inside stream writes that wait for room.
 * Nothing here is safe to call from an interrupt.
 */

/* Sets up the shared memory, starts the M4 (on the M7) and waits for the handshake.
 * Returns 1 on success, 0 on failure (duet_error_text() says why), like RPC.begin(). */
int duet_begin(void);

/* duet_begin on an explicit port (tests, boards with several instances).
 * @retval DUET_OK (also when already begun) or the error duet_error_text() explains. */
int duet_begin_port(duet_port *port);

/* Sets the M4's boot address used by duet_begin on the M7 (default DUET_BOOT_ADDRESS). */
void duet_set_boot_address(uint32_t address);

/* Takes the link down; duet_begin may be called again after a board reset. */
void duet_end(void);

/* DUET_CPU_M7 (3) or DUET_CPU_M4 (1): which core runs this program. */
int duet_cpu_id(void);

/* Serves what arrived (runs handlers) and sends gathered stream text if a buffer is free
 * (else it stays gathered for the next poll). Never blocks.
 * Returns the number of messages handled, or a negative error once the link is down.
 * Before duet_begin() it returns DUET_ERR_STATE and keeps the error recorded last (the
 * reason a duet_begin() failed survives the polls of a delay loop). */
int duet_poll(void);

/* Why the last duet_* call failed: an error code and a sentence. On a port with threads each
 * thread has its own (duet_port.thread_error): what one thread reads is the failure of its
 * own last call, whatever the others do meanwhile. */
int duet_error(void);
const char *duet_error_text(void);

/* The layers underneath, for everything the shorthands below do not cover. */
duet_rpc *duet_rpc_instance(void);
duet_stream *duet_stream_instance(void);
duet_rpmsg *duet_rpmsg_instance(void);

/* RPC shorthands: see duet/rpc.h for signatures and errors. bind works before duet_begin. */
int duet_bind(const char *name, const char *signature, duet_rpc_handler fn);
int duet_call(const char *method, const char *signature, ...);
/* duet_call with its own timeout in milliseconds instead of the default. */
int duet_call_timeout(const char *method, uint32_t timeout_ms, const char *signature, ...);
int duet_call_async(duet_future *future, const char *method, const char *signature, ...);
int duet_notify(const char *method, const char *signature, ...);

/* DUET_CALL("add", &sum, 1, 2): duet_call without a signature string; the compiler derives
 * it from the types of the result pointer (or NULL) and of up to 8 arguments, and refuses
 * a type duet cannot send or fill (duet/call.h lists them). Returns as duet_call. */
#define DUET_CALL(method, ...)                                                              \
    duet_call_values((method), DUET_RESULT(DUET_CALL_FIRST(__VA_ARGS__)), DUET_CALL_ARGS(__VA_ARGS__), \
                     DUET_CALL_COUNT(__VA_ARGS__))
int duet_call_values(const char *method, duet_result result, const duet_value *args, unsigned nargs);

/* DUET_CALL_ASYNC(&future, "add", 1, 2) and DUET_NOTIFY("tick", 1): duet_call_async and
 * duet_notify with the types checked the same way; a future is waited with
 * DUET_FUTURE_WAIT(duet_rpc_instance(), &future, timeout_ms, &sum) (duet/call.h). */
#define DUET_CALL_ASYNC(future, ...)                                                        \
    duet_call_async_values((future), DUET_CALL_FIRST(__VA_ARGS__), DUET_CALL_ARGS(__VA_ARGS__), \
                           DUET_CALL_COUNT(__VA_ARGS__))
#define DUET_NOTIFY(...) \
    duet_notify_values(DUET_CALL_FIRST(__VA_ARGS__), DUET_CALL_ARGS(__VA_ARGS__), DUET_CALL_COUNT(__VA_ARGS__))
int duet_call_async_values(duet_future *future, const char *method, const duet_value *args, unsigned nargs);
int duet_notify_values(const char *method, const duet_value *args, unsigned nargs);

/* Stream shorthands (the guide's RPC.print / RPC.read): see duet/stream.h. */
size_t duet_write(const void *data, size_t len);
size_t duet_print(const char *str);
size_t duet_println(const char *str);
size_t duet_printf(const char *fmt, ...) DUET_FORMAT_CHECK(1, 2);
size_t duet_available(void);
int duet_read(void);
int duet_peek(void);

#ifdef __cplusplus
}
#endif
#endif

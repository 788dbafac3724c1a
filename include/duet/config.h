/* duet/config.h - compile-time configuration: every size and time duet uses, with safe defaults. */
#ifndef DUET_CONFIG_H
#define DUET_CONFIG_H

/*
 * Override any of these with -D on the compiler's command line or in a header named by
 * DUET_CONFIG_FILE (included first). Every size is fixed at compile time: duet never
 * allocates memory.
 */
#ifdef DUET_CONFIG_FILE
#include DUET_CONFIG_FILE
#endif

/* ------------------------------------------------------------ the small configuration */

/* DUET_SMALL 1 builds the smallest firmware: short error texts and no messages over one
 * RPMsg buffer (as with Arduino's library, 496 bytes on the GIGA). Each switch below that it
 * sets can also be set on its own. */
#ifndef DUET_SMALL
#define DUET_SMALL 0
#endif

/* 1: errors say what went wrong and what to do in sentences; 0: in a few words (the texts of
 * duet_strerror, the rpc engine's and duet_begin's too), which a small firmware does not carry. */
#ifndef DUET_LONG_TEXTS
#define DUET_LONG_TEXTS (!DUET_SMALL)
#endif

/* ------------------------------------------------------------ codec (msgpack.h) */

/* Deepest nesting of arrays and maps the reader accepts when it skips or checks a value. */
#ifndef DUET_MSGPACK_MAX_DEPTH
#define DUET_MSGPACK_MAX_DEPTH 32
#endif

#if DUET_MSGPACK_MAX_DEPTH < 1 || DUET_MSGPACK_MAX_DEPTH > 255
#error "DUET_MSGPACK_MAX_DEPTH must be between 1 and 255"
#endif

/* ------------------------------------------------------------ transport (rpmsg.h) */

/* Largest vring (descriptors) a device can use; the layout's vring_num must not exceed it. */
#ifndef DUET_RPMSG_MAX_RING
#define DUET_RPMSG_MAX_RING 64
#endif
/* Most endpoints on one device. */
#ifndef DUET_RPMSG_MAX_ENDPOINTS
#define DUET_RPMSG_MAX_ENDPOINTS 4
#endif
/* How deep polls may nest when sends wait for buffers and deliver meanwhile (stack bound). */
#ifndef DUET_RPMSG_MAX_NESTED_POLL
#define DUET_RPMSG_MAX_NESTED_POLL 2
#endif
/* How long send() waits for a free buffer before it fails with DUET_ERR_TIMEOUT. */
#ifndef DUET_RPMSG_SEND_TIMEOUT_MS
#define DUET_RPMSG_SEND_TIMEOUT_MS 2000
#endif

/* 1: messages larger than one buffer travel between two duet cores in several buffers
 * (docs/wire.md); 0 leaves that code out, and a message must fit one buffer. */
#ifndef DUET_RPMSG_FRAGMENTS
#define DUET_RPMSG_FRAGMENTS (!DUET_SMALL)
#endif

/* Which RPMsg roles are linked: 0 both, the role following the core at run time (one
 * library for both cores, as the PC board and the QEMU board build it); 1 the host's only
 * (an M7 program); 2 the remote's only (an M4 program), so that --gc-sections drops the
 * other role's code. By default it follows CORE_CM7 / CORE_CM4, which Arduino's GIGA core
 * and duet-board define when they build a program for one core. */
#ifndef DUET_RPMSG_ROLES
#if defined(CORE_CM7)
#define DUET_RPMSG_ROLES 1
#elif defined(CORE_CM4)
#define DUET_RPMSG_ROLES 2
#else
#define DUET_RPMSG_ROLES 0
#endif
#endif

#if DUET_RPMSG_ROLES < 0 || DUET_RPMSG_ROLES > 2
#error "DUET_RPMSG_ROLES must be 0 (both), 1 (host, the M7) or 2 (remote, the M4)"
#endif

#if DUET_RPMSG_MAX_RING < 2 || DUET_RPMSG_MAX_RING > 32768 || (DUET_RPMSG_MAX_RING & (DUET_RPMSG_MAX_RING - 1))
#error "DUET_RPMSG_MAX_RING must be a power of two between 2 and 32768"
#endif

/* ------------------------------------------------------------ rpc engine (rpc.h) */

/* Most functions bound at once (plain and group members alike). Each costs 16 bytes of RAM
 * in the engine (duet_rpc_binding): 512 by default, as many as the Arduino library's sketches
 * and duet's tests bind; the small configuration keeps 8 (128 bytes), which a program that
 * binds a few functions, like the guide's sketches, does not reach. */
#ifndef DUET_RPC_MAX_METHODS
#define DUET_RPC_MAX_METHODS (DUET_SMALL ? 8 : 32)
#endif
/* Most calls waiting for a response at once (sync and async together); each has a result
 * slot of DUET_RESULT_SIZE bytes. The small configuration keeps 2: a call and one more (a
 * call made inside a handler while the other core waits, or one asynchronous call). */
#ifndef DUET_RPC_MAX_INFLIGHT
#define DUET_RPC_MAX_INFLIGHT (DUET_SMALL ? 2 : 8)
#endif
/* Most arguments a typed signature may list. */
#ifndef DUET_RPC_MAX_ARGS
#define DUET_RPC_MAX_ARGS 8
#endif
/* Length of the text kept for the last error (remote error text or local detail): 96 in
 * the small configuration, whose texts are a few words. */
#ifndef DUET_RPC_ERROR_TEXT
#define DUET_RPC_ERROR_TEXT (DUET_SMALL ? 96 : 160)
#endif
/* Default timeout of a call, in milliseconds. */
#ifndef DUET_RPC_DEFAULT_TIMEOUT_MS
#define DUET_RPC_DEFAULT_TIMEOUT_MS 5000
#endif

#if DUET_RPC_MAX_METHODS < 1 || DUET_RPC_MAX_METHODS > 65535
#error "DUET_RPC_MAX_METHODS must be between 1 and 65535"
#endif
#if DUET_RPC_MAX_INFLIGHT < 1 || DUET_RPC_MAX_INFLIGHT > 255
#error "DUET_RPC_MAX_INFLIGHT must be between 1 and 255"
#endif
#if DUET_RPC_MAX_ARGS < 1 || DUET_RPC_MAX_ARGS > 15
#error "DUET_RPC_MAX_ARGS must be between 1 and 15 (a call's params are one fixarray)"
#endif

/* How deep calls may nest (a handler that calls the other core, whose handler calls back...):
 * the engine's tx buffer holds one frame per level. */
#ifndef DUET_RPC_NESTING
#define DUET_RPC_NESTING 4
#endif

#if DUET_RPC_NESTING < 1
#error "DUET_RPC_NESTING must be at least 1"
#endif

/* ------------------------------------------------------------ a small configuration */

/* The rpc engine's part of the small configuration (DUET_SMALL, at the top): every error
 * keeps a sentence that says what to do; what goes is the detail (docs/design.md). */
/* An unknown method's error lists the bound names closest to it ("Did you mean: add?"). */
#ifndef DUET_RPC_HINTS
#define DUET_RPC_HINTS (!DUET_SMALL)
#endif
/* A bad signature's error says what is wrong with it (the letter, the result, the count),
 * not only that it is bad and where the letters are listed. */
#ifndef DUET_RPC_EXPLAIN
#define DUET_RPC_EXPLAIN (!DUET_SMALL)
#endif

/* ------------------------------------------------------------ top level (duet.h) */

/* Where the M7 starts the M4 by default: the "1MB M7 + 1MB M4" flash split.
 * 0x08180000 for "1.5MB M7 + 0.5MB M4", 0x60000000 for the M4 in SDRAM. */
#ifndef DUET_BOOT_ADDRESS
#define DUET_BOOT_ADDRESS 0x08100000u
#endif
/* How long duet_begin waits for the other core's handshake (as the Arduino library). */
#ifndef DUET_HANDSHAKE_TIMEOUT_MS
#define DUET_HANDSHAKE_TIMEOUT_MS 5000
#endif
/* Largest RPC message between two duet cores (carried in several RPMsg buffers). With an
 * Arduino or MicroPython core on the other side it is one buffer's payload, 496 bytes, as in
 * the small configuration, which carries no message over one buffer (DUET_RPMSG_FRAGMENTS). */
#ifndef DUET_MAX_MESSAGE
#define DUET_MAX_MESSAGE (DUET_SMALL ? 496 : 1024)
#endif
/* How many messages over one RPMsg buffer (reassembled from their fragments, up to
 * DUET_MAX_MESSAGE bytes each) a core holds at once, each DUET_MAX_MESSAGE bytes of RAM: one
 * being delivered, and above it one that arrives while its handler waits for a call's
 * answer (that answer, or a request of the other core). 2 lets a handler of a large request
 * get a large answer; each further level of large requests served in each other's handlers
 * takes one more. A message that finds no room waits until the delivery below it ends
 * (docs/design.md). 1 without fragments (DUET_RPMSG_FRAGMENTS 0). */
#ifndef DUET_REASM_DEPTH
#define DUET_REASM_DEPTH (DUET_RPMSG_FRAGMENTS ? 2 : 1)
#endif

#if DUET_REASM_DEPTH < 1
#error "DUET_REASM_DEPTH must be at least 1"
#endif

/* Bytes of each waiting call's result (DUET_RPC_MAX_INFLIGHT of them): by default as large
 * as the largest message, so that any result that arrives fits. */
#ifndef DUET_RESULT_SIZE
#define DUET_RESULT_SIZE DUET_MAX_MESSAGE
#endif
/* Bytes of received stream text kept until read. */
#ifndef DUET_STREAM_RX_SIZE
#define DUET_STREAM_RX_SIZE 2048
#endif
/* Bytes of stream text gathered before they are sent: one RPMsg buffer's payload on the
 * GIGA (a 512-byte buffer less its 16-byte header), so that a flush is one message. */
#ifndef DUET_STREAM_TX_SIZE
#define DUET_STREAM_TX_SIZE 496
#endif

/* ------------------------------------------------------------ threads (Cortex-M ports) */

/* Bytes of stack each thread of duet_thread_start() gets on a Cortex-M port (ports/cortex_m/
 * thread.c keeps DUET_THREAD_MAX of them; the program's main thread keeps the image's own).
 * A thread's C++ and printf calls and the interrupts it takes all use it. */
#ifndef DUET_THREAD_STACK_SIZE
#define DUET_THREAD_STACK_SIZE 4096
#endif

#if DUET_THREAD_STACK_SIZE < 512 || DUET_THREAD_STACK_SIZE % 8 != 0
#error "DUET_THREAD_STACK_SIZE must be a multiple of 8, at least 512"
#endif

#endif

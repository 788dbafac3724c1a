/* scenario.h - what the M7 and M4 programs of the QEMU tests agree on. */
#ifndef AN521_SCENARIO_H
#define AN521_SCENARIO_H

#include "duet/config.h"

#define STREAM_BYTES 32768u       /* the stream scenario's pattern, M4 -> M7 */
#define STREAM_SEED 7u
#define NOTIFICATIONS 100
#define SILENT_TIMEOUT_MS 300     /* a call to a core that stopped answering */

/* garbage: each core in turn moves the index of a ring the other reads this far ahead,
 * further than the ring has entries; the M4 raises this pin once the link works and
 * nothing is left for it to read, so that the M7 scribbles only then. */
#define GARBAGE_JUMP 200
#define GARBAGE_PIN 8
/* What the core that reads such an index says (the small configuration's few words). */
#if DUET_LONG_TEXTS
#define GARBAGE_TEXT "ring index jumped past the ring"
#else
#define GARBAGE_TEXT "bad ring index"
#endif

/* Payload sizes of echo(bin) such that the whole request is 496, 497, 1024 and 1025 bytes
 * (the small configuration, whose messages are one buffer: 496 and 497):
 * [0, msgid, "echo", [bin]] takes 12 bytes besides a bin of 256..65535 bytes (msgid < 128). */
#define ECHO_OVERHEAD 12u
#define ONE_BUFFER 496u           /* one RPMsg buffer's payload on the GIGA layout */
#define MAX_MESSAGE DUET_MAX_MESSAGE /* 1024, or 496 in the small configuration */

/* nested: f(v) on the M7 calls g(v + 1) on the M4, which calls h(2 v) on the M7. */
#define H(v) (3 * (v))
#define G(v) (H(2 * (v)) + 5)
#define F(v) (G((v) + 1) - 7)

#endif

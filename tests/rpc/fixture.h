/* tests/rpc/fixture.h - two rpc engines A and B in one thread, joined by duet_link_mem_pair.
 *
 * Each engine's link has an idle hook that polls the other engine, so a call on A lets B
 * serve it while A waits; every wait() advances the shared virtual clock by 1 ms, which
 * makes timeouts exact. Tests that want a peer that never answers clear the hook.
 *
 * A raw end: fx_capture_attach() takes one link end away from its engine and records every
 * message that arrives there, so a test can speak bytes to the other engine and read the
 * exact bytes it answers.
 */
#ifndef DUET_TEST_RPC_FIXTURE_H
#define DUET_TEST_RPC_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "duet/link_mem.h"
#include "duet/rpc.h"

#define FX_QUEUE 16384
#define FX_TX 2048
#define FX_SLOT 256
#define FX_RESULT (DUET_RPC_MAX_INFLIGHT * FX_SLOT)
#define FX_MAX_MESSAGE 256

typedef struct fx_side {
    duet_link_mem link;
    uint8_t queue[FX_QUEUE];
    uint8_t tx[FX_TX];
    uint8_t result[FX_RESULT];
    duet_rpc rpc;
} fx_side;

extern fx_side FA, FB;
#define RA (&FA.rpc)
#define RB (&FB.rpc)

/* Joins FA and FB with queues of the given sizes (0: FX_QUEUE) and a link max_message. */
void fx_pair(size_t queue_a, size_t queue_b, size_t link_max);
/* The default config of a side: its own tx and result buffers, FX_TX and FX_RESULT bytes. */
duet_rpc_config fx_config(fx_side *s);
/* duet_rpc_init of the side with cfg (NULL: fx_config), asserting success. */
void fx_init(fx_side *s, const duet_rpc_config *cfg);
/* Sets the idle hooks: each side polls the other while it waits. */
void fx_cross_idle(void);
/* The standard setup: fx_pair(0, 0, FX_MAX_MESSAGE), both engines with defaults, cross idle. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* An idle hook that polls the duet_rpc given as arg. */
void fx_idle_poll(void *rpc);

/* The shared virtual clock. */
uint32_t fx_now(void);

/* Every counter at once. */
#define assert_stats(rpc, in, out, bad, late, errs, sendfail)                  \
    do {                                                                       \
        duet_rpc_stats st_ = duet_rpc_get_stats(rpc);                          \
        assert_int_equal(st_.msgs_in, (in));                                   \
        assert_int_equal(st_.msgs_out, (out));                                 \
        assert_int_equal(st_.malformed, (bad));                                \
        assert_int_equal(st_.late_responses, (late));                          \
        assert_int_equal(st_.errors_sent, (errs));                             \
        assert_int_equal(st_.send_failures, (sendfail));                       \
    } while (0)

/* ------------------------------------------------------------ raw end */

#define FX_CAP_MSGS 64
#define FX_CAP_BYTES 1024

typedef struct fx_capture {
    unsigned n;                      /* messages recorded */
    unsigned offered;                /* deliver() calls */
    unsigned refuse;                 /* refuse this many offers first */
    size_t len[FX_CAP_MSGS];
    uint8_t msg[FX_CAP_MSGS][FX_CAP_BYTES];
} fx_capture;

/* Clears c and makes it the layer above link l (replacing the engine that was there). */
void fx_capture_attach(duet_link *l, fx_capture *c);
bool fx_capture_deliver(void *c, const uint8_t *data, size_t len);

/* Sends raw bytes from the side's link end (one link message). */
void fx_send_raw(fx_side *from, const uint8_t *data, size_t len);
/* Polls the raw end's link so that what arrived reaches the capture. */
int fx_poll_raw(fx_side *s);

/* A response [1, msgid, error, result] taken apart; pointers into the message. */
typedef struct fx_response {
    const uint8_t *id;               /* msgid bytes as encoded */
    size_t id_len;
    bool has_error;                  /* error is not nil */
    const char *error;               /* error text when it is a str, else NULL */
    uint32_t error_len;
    const uint8_t *result;           /* result encoding */
    size_t result_len;
} fx_response;

/* Parses one response message; fails the test if it is not one. */
void fx_parse_response(const uint8_t *msg, size_t len, fx_response *out);
/* Asserts that the error of r is exactly text. */
void fx_assert_error(const fx_response *r, const char *text);

#endif

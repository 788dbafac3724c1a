/* rpmsg_decode.h - turns the RPMsg buffers the cores report (--trace) into the feed's RPC
 * messages and stream text: learns the endpoints from the name service, skips the
 * handshake, joins the fragments of large messages (and drops those of one its sender gave
 * up on: docs/wire.md's flag 0x4000). */
#ifndef DUET_BOARD_RPMSG_DECODE_H
#define DUET_BOARD_RPMSG_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"

#define RPMSG_DECODE_ENDPOINTS 8
#define RPMSG_DECODE_MESSAGE 4096

typedef struct rpmsg_endpoint_seen {
    uint32_t addr;           /* the M4's address of the endpoint */
    char name[32];           /* "rpc", "raw" */
    bool answered;           /* the M7 answered its announcement (the handshake) */
    uint8_t part[2][RPMSG_DECODE_MESSAGE]; /* a message being joined, per sender (0: M4, 1: M7) */
    size_t part_len[2];
} rpmsg_endpoint_seen;

typedef struct rpmsg_decoder {
    rpmsg_endpoint_seen eps[RPMSG_DECODE_ENDPOINTS];
    int count;
} rpmsg_decoder;

void rpmsg_decoder_init(rpmsg_decoder *d);

/* One reported buffer (RPMsg header + payload) sent by core at time_us: publishes what it
 * carries to feed (BOARD_EV_RPC for the "rpc" endpoint, BOARD_EV_STREAM for "raw"). */
void rpmsg_decode(rpmsg_decoder *d, board_feed *feed, int core, uint64_t time_us, const uint8_t *buf, size_t len);

#endif

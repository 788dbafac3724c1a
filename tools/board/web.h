/* web.h - duet-board run --web [HOST:]PORT: the board's page in a browser. A reader of the
 * board's one event feed (feed.h) like the log, --vcd and --trace: it serves the page (built
 * into the tool), the board as JSON (GET /api/state), its changes as Server-Sent Events
 * (GET /api/events), and takes the page's hands on the board (POST /api/analog, /api/serial,
 * /api/reset). Served with libmicrohttpd on the board's own thread: the run's loop polls
 * board_web_fd() and calls board_web_run(); nothing here blocks, and no page can hold the
 * board up (each page's queue is bounded; a page too slow for the events gets the board as
 * it is now instead of the backlog). docs/web.md describes the page and the API. */
#ifndef DUET_BOARD_WEB_H
#define DUET_BOARD_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"

typedef struct board_web board_web;

/* What the page can do to the board; the run provides these. Each runs on the board's thread,
 * from board_web_run. */
typedef struct board_web_actions {
    /* The board's time now (microseconds since power-on). */
    uint64_t (*now_us)(void *ctx);
    /* Sets analog input A<input> (0..7) to value (0..1023), as --analog does. */
    void (*analog)(void *ctx, int input, int value);
    /* Types bytes into the M7's Serial. Returns true, or false with a sentence in why. */
    bool (*serial)(void *ctx, const uint8_t *data, size_t len, char *why, size_t cap);
    /* Presses the reset button: both cores start again from their flash (soon, not within
     * this call). */
    void (*reset)(void *ctx);
    void *ctx;
} board_web_actions;

/* Starts serving at spec ("8080", "0" for a free port, "127.0.0.1:8080", "0.0.0.0:8080",
 * "[::1]:8080") and subscribes to feed. Returns the server, or NULL with a sentence in why and
 * *wrong_spec true when spec itself is wrong (a usage error), false when it is right but
 * serving there failed (the port taken, the address not this machine's). */
board_web *board_web_start(const char *spec, board_feed *feed, const board_web_actions *actions, char *why,
                           size_t cap, bool *wrong_spec);

/* The page's address, e.g. "http://127.0.0.1:8080/". */
const char *board_web_url(const board_web *w);

/* A descriptor to poll for reading: when it is ready (or the timeout below passed), call
 * board_web_run. */
int board_web_fd(const board_web *w);

/* The poll timeout to use instead of timeout_ms (-1: none) so the server keeps its pace. */
int board_web_timeout(const board_web *w, int timeout_ms);

/* Serves what is ready and sends the pages what changed (at most once a frame). Never blocks. */
void board_web_run(board_web *w);

/* Ends the pages' event streams and stops serving. */
void board_web_stop(board_web *w);

#endif

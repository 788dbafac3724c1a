/* web_json.h - the board as the page and GET /api/state see it: JSON made from the feed's
 * state (feed.h), all of it or only what changed since the last frame. */
#ifndef DUET_BOARD_WEB_JSON_H
#define DUET_BOARD_WEB_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "feed.h"

/* Which parts changed (bits of web_changes.parts). */
enum {
    WEB_PART_CORES = 1,   /* cores, link */
    WEB_PART_SERVO = 2,
    WEB_PART_ANALOG = 4,
    WEB_PART_RTC = 8,
    WEB_PART_WARN = 16,
    WEB_PART_ALL = 31
};

#define WEB_TRACE_LINES 200
#define WEB_TRACE_LINE 240
/* The Serial bytes kept for the pages until the frames have sent them, and the most one frame
 * sends: a burst comes whole, in as many frames as it takes (a megabyte in 16 frames, 0.4 s).
 * Only when more than WEB_SERIAL_RING bytes wait does a frame's text start later than where
 * the last one ended: the pages see the gap ("from" and "end" in each piece of text). */
#ifndef WEB_SERIAL_RING /* fuzz/board_readers builds them smaller, to reach their ends */
#define WEB_SERIAL_RING (1024 * 1024)
#endif
#ifndef WEB_SERIAL_FRAME
#define WEB_SERIAL_FRAME 65536
#endif

/* What changed since the last frame; the values themselves are read from the feed's state. */
typedef struct web_changes {
    unsigned parts;
    uint8_t pin[BOARD_PINS];  /* 1: this pin's level, mode, PWM or count changed */
    uint64_t run;             /* this run of duet-board (its start, in us since 1970): a
                               * page that reads another's Serial text starts afresh */
    uint64_t serial_total;    /* bytes the Serial Monitor showed since power-on */
    uint64_t serial_sent;     /* of which the pages have (in the frames sent) */
    /* The last Serial bytes, a ring: byte k (since power-on) is serial_ring[k % size] while
     * k >= serial_total - WEB_SERIAL_RING. */
    uint8_t serial_ring[WEB_SERIAL_RING];
    /* The trace pane's last lines (the --trace lines, warnings), a ring. */
    char trace[WEB_TRACE_LINES][WEB_TRACE_LINE];
    uint64_t trace_total, trace_sent;
} web_changes;

/* The pages' counters, shown in the state. */
typedef struct web_pages {
    int open;            /* event streams open now (the pages of one browser share one) */
    uint64_t resyncs;    /* times a page too slow for the events got the state instead */
} web_pages;

/* The board as JSON: everything (all), or only what ch says changed since the last frame
 * (then the serial text and trace lines are those after ch's *_sent). The Serial text says
 * where it starts and ends among the bytes the M7 wrote since power-on ("from", "end"): a
 * state's is the last BOARD_SERIAL_TAIL bytes the frames sent (it ends where the next frame
 * starts), a frame's the bytes after the last frame's, WEB_SERIAL_FRAME at most
 * (web_changes_serial_next; from is past the last frame's end only when the ring lost bytes:
 * a gap a page can show). now_us: the board's time now. The caller owns the result.
 * Everything holds the trace lines not sent yet too, so a page that gets it must get it
 * right after a frame (web_changes_sent): else the next frame brings it some of them again. */
json_t *web_json_board(const board_state *s, const web_changes *ch, bool all, uint64_t now_us,
                       const web_pages *pages);

/* Notes what one event of the feed changed (the web server's reader of the feed; the feed's
 * state is already updated): the parts, the pins, the Serial Monitor's byte count, and a line
 * of the trace pane for a board warning, the link going down and each step in a core's life
 * (its boot, its program's start, its end, the reset). Returns whether the pages have
 * something new to be sent (not for RPC messages, stream text and Serial input: the --trace
 * reader's lines bring those). */
bool web_changes_event(web_changes *ch, const board_event *ev);

/* A frame made from s and ch went to the pages: what it held is sent (the Serial bytes
 * web_changes_serial_next gave, the trace lines), no part or pin changed since. Returns
 * whether Serial bytes wait for the next frame (not a character's start alone). */
bool web_changes_sent(web_changes *ch, const board_state *s);

/* Adds a line to the trace pane's ring. */
void web_changes_trace(web_changes *ch, const char *line, size_t len);

/* Where the next frame's Serial text starts (*from: serial_sent, or the oldest byte the ring
 * still has) and ends: WEB_SERIAL_FRAME bytes on at most, not inside a character, and not past
 * web_changes_serial_ready. Those bytes go in the frame; more wait when the end is short of
 * web_changes_serial_ready (the frame after sends them). */
uint64_t web_changes_serial_next(const board_state *s, const web_changes *ch, uint64_t *from);

/* The count of the Serial Monitor's bytes to send now (all those after serial_sent, less an
 * unfinished UTF-8 character at the end, which waits for its last bytes). */
uint64_t web_changes_serial_ready(const board_state *s, const web_changes *ch);

/* The length of the whole UTF-8 character at p (of at most left bytes, left > 0), or 0 if
 * the bytes are not one; *partial is set when they are the start of one cut short. */
size_t web_utf8_char(const uint8_t *p, size_t left, bool *partial);

#endif

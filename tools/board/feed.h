/* feed.h - the board's ONE event feed: every change on the board (a core booting or
 * stopping, a pin, an LED, the servo, an analog input, the RTC, Serial output, an RPC
 * message, a warning) is published here once, and every reader (the event log, --vcd,
 * --trace, the web page) subscribes to it. The feed also keeps the board's current state,
 * so that a reader that comes late (a page opened later) starts from the board as it is. */
#ifndef DUET_BOARD_FEED_H
#define DUET_BOARD_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What changed. The values are those of the posix board's event records
 * (duet/posix/events.h); other targets translate their own reports into these. */
typedef enum board_event_kind {
    BOARD_EV_BOOT = 1,      /* a core is released from reset and boots (value: the address it boots
                               from): power-on for the M7, the M7's boot of the M4, the reset */
    BOARD_EV_END = 2,       /* a core stopped (value: exit status, or 128 + signal, or -1 when its
                               program never started; data: why) */
    BOARD_EV_PIN_MODE = 3,  /* pinMode (value: 0 INPUT, 1 OUTPUT, 2 INPUT_PULLUP) */
    BOARD_EV_PIN = 4,       /* a pin's level (value: 0 or 1); LEDR/LEDG/LEDB are pins 86..88 */
    BOARD_EV_PWM = 5,       /* analogWrite (value: duty 0..255) */
    BOARD_EV_ANALOG = 6,    /* an analog input A0..A7 (pin 76..83, value 0..1023) */
    BOARD_EV_SERVO = 7,     /* the servo on pin turned (value: angle 0..180) */
    BOARD_EV_RTC = 8,       /* the RTC was set (data: decimal seconds since 1970) */
    BOARD_EV_SERIAL = 9,    /* bytes on the M7's USB Serial (data), as the Serial Monitor shows them */
    BOARD_EV_STREAM = 10,   /* RPC stream text a core sent (data) */
    BOARD_EV_RPC = 11,      /* one RPC message a core sent (data: msgpack bytes) */
    BOARD_EV_WARN = 12,     /* a board warning (data: the sentence) */
    BOARD_EV_LINK = 13,     /* the link between the cores went down (data: why) */
    BOARD_EV_SERIAL_IN = 14, /* bytes typed into the Serial Monitor, to the M7 (data) */
    BOARD_EV_RESET = 15,    /* the reset button: the cores stop and start again from flash */
    BOARD_EV_M4_STDOUT = 16, /* a line the M4's program wrote to C's stdout (data, without the newline):
                               the M4 has no USB Serial, so this is its UART, shown in the log */
    BOARD_EV_RUN = 17       /* a core's program started (it was booting since BOARD_EV_BOOT) */
} board_event_kind;

/* The cores, as duet_cpu_id() numbers them; BOARD_CORE_NONE is the board itself. */
#define BOARD_CORE_NONE 0
#define BOARD_CORE_M4 1
#define BOARD_CORE_M7 3

/* One event. data is valid only during the call that hands it over. */
typedef struct board_event {
    uint64_t time_us;     /* since the board's power-on */
    int kind;             /* board_event_kind */
    int core;             /* BOARD_CORE_* : which core made the change */
    int pin;              /* the pin it is about, or -1 */
    int32_t value;
    const uint8_t *data;  /* text or bytes, per kind; may be NULL when len is 0 */
    size_t len;
} board_event;

/* A reader of the feed. on_event runs for every event, in order, on the board's thread;
 * it must not block (a reader that can be slow keeps its own bounded queue). on_close runs
 * once when the board stops, after the last event. */
typedef struct board_sink {
    void (*on_event)(void *ctx, const board_event *ev);
    void (*on_close)(void *ctx);
    void *ctx;
} board_sink;

/* A core's state, as a person would name it. */
typedef enum board_core_state {
    BOARD_CORE_OFF = 0,      /* not started (the M4 until the M7's duet_begin boots it) */
    BOARD_CORE_RUNNING = 1,  /* its program runs */
    BOARD_CORE_STOPPED = 2,  /* ended; why says how ("the M4 stopped: SIGSEGV", "returned 0") */
    BOARD_CORE_BOOTING = 3   /* released from reset, its program not started yet */
} board_core_state;

#define BOARD_PINS 103
#define BOARD_SERIAL_TAIL 4096

/* The board as it is now, kept by the feed from the events. */
typedef struct board_state {
    board_core_state m7, m4;
    char m7_why[128], m4_why[128];
    int8_t pin_level[BOARD_PINS];   /* -1: never driven or read, else 0 or 1 */
    int8_t pin_mode[BOARD_PINS];    /* -1: never set, else INPUT/OUTPUT/INPUT_PULLUP */
    uint32_t pin_changes[BOARD_PINS];
    int16_t pwm[BOARD_PINS];        /* -1: none */
    int servo_pin;                  /* -1: no servo attached */
    int servo_angle;
    int analog[8];                  /* A0..A7 */
    bool rtc_set;
    int64_t rtc_seconds;            /* what it was set to, at rtc_set_us */
    uint64_t rtc_set_us;
    char serial_tail[BOARD_SERIAL_TAIL]; /* the Serial Monitor's last bytes */
    size_t serial_len;
    uint64_t now_us;                /* the time of the last event */
    uint32_t warnings;
    bool link_down;
} board_state;

#define BOARD_FEED_MAX_SINKS 8

typedef struct board_feed {
    board_state state;
    board_sink sinks[BOARD_FEED_MAX_SINKS];
    int sink_count;
} board_feed;

/* An empty board: cores off, nothing driven. */
void board_feed_init(board_feed *feed);

/* Adds a reader. Returns 0, or -1 if BOARD_FEED_MAX_SINKS readers are there already. */
int board_feed_subscribe(board_feed *feed, board_sink sink);

/* Publishes one event: updates the state first, then hands it to every reader in order. */
void board_feed_publish(board_feed *feed, const board_event *ev);

/* Calls every reader's on_close (the board stopped). */
void board_feed_close(board_feed *feed);

/* The board as it is now. */
const board_state *board_feed_state(const board_feed *feed);

/* "M7", "M4" or "board". */
const char *board_core_name(int core);

/* The board's name of a pin: "LEDR", "A0", "D5" (into buf, which it returns). */
const char *board_pin_name(int pin, char *buf, size_t cap);

#endif

/* duet/posix/events.h - the emulated board's event records: what the cores tell duet-board
 * (pins, LEDs, servo, RTC, RPC messages, warnings), and the board's shared I/O state. */
#ifndef DUET_POSIX_EVENTS_H
#define DUET_POSIX_EVENTS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every change a core makes to the board is one record written with one write() to the
 * file descriptor named by $DUET_BOARD_EVENTS (a pipe that duet-board reads; both cores
 * write to the same pipe, and a record is never larger than PIPE_BUF, so records of the
 * two cores never mix). Without $DUET_BOARD_EVENTS nothing is written.
 *
 * duet-board turns these records, and what it sees itself (a core's process ending, the
 * M7's Serial output, the analog inputs it sets), into the board's ONE event feed, which
 * the event log, --vcd, --trace and the web page all read.
 *
 * A record: this header, then `len` bytes of data (text or message bytes).
 */
typedef struct duet_posix_event {
    uint32_t len;      /* bytes of data after the header, at most DUET_POSIX_EVENT_DATA_MAX */
    uint8_t kind;      /* duet_posix_event_kind */
    uint8_t core;      /* DUET_CPU_M7 (3), DUET_CPU_M4 (1), or 0: the board itself */
    uint16_t pin;      /* the pin, when the event is about one */
    int32_t value;     /* level, mode, duty, angle, ... (per kind) */
    uint32_t reserved;
    uint64_t time_us;  /* microseconds since the board's power-on (CLOCK_MONOTONIC based) */
} duet_posix_event;

#define DUET_POSIX_EVENT_DATA_MAX 2048u

typedef enum duet_posix_event_kind {
    DUET_EV_BOOT = 1,      /* a core is released from reset and boots (value: boot address) */
    DUET_EV_END = 2,       /* a core stopped (value: exit status, or 128 + signal; -1: its
                              program never started; data: why) */
    DUET_EV_PIN_MODE = 3,  /* pinMode (value: INPUT, OUTPUT, INPUT_PULLUP) */
    DUET_EV_PIN = 4,       /* a pin's level changed (value: 0 or 1) */
    DUET_EV_PWM = 5,       /* analogWrite (value: duty 0..255) */
    DUET_EV_ANALOG = 6,    /* an analog input changed (value: 0..1023) */
    DUET_EV_SERVO = 7,     /* a servo turned (value: angle), or attached (data "attach") */
    DUET_EV_RTC = 8,       /* the RTC was set (data: decimal seconds since 1970) */
    DUET_EV_SERIAL = 9,    /* bytes the M7 wrote to its USB Serial (data) */
    DUET_EV_STREAM = 10,   /* RPC stream text from a core (data) */
    DUET_EV_RPC = 11,      /* an RPC message a core sent (data: its msgpack bytes) */
    DUET_EV_WARN = 12,     /* a board warning or a misuse (data: the sentence) */
    DUET_EV_LINK = 13,     /* the link between the cores went down (data: why) */
    /* 14 is duet-board's own (Serial input), and 16 (a line the M4 wrote to its stdout) */
    DUET_EV_RPMSG = 15,    /* --trace ($DUET_BOARD_TRACE=1): an RPMsg buffer a core handed to the
                              other (data: its 16-byte header, then the payload) */
    DUET_EV_RUN = 17       /* a core's program started: the C runtime hands over to it (just
                              before main(); a setup()/loop() program's main() calls setup()
                              at once). Between DUET_EV_BOOT and this, the core is booting. */
} duet_posix_event_kind;

/* The shared I/O state of the board: the file `io` in the board directory, mmap'ed by both
 * cores and by duet-board. It holds what a core reads back (levels, analog inputs, the
 * RTC), so both cores see one board. */
#define DUET_POSIX_IO_MAGIC 0x4f494244u /* "DBIO" */
#define DUET_POSIX_IO_VERSION 1u
#define DUET_POSIX_IO_SIZE 4096u
#define DUET_POSIX_IO_PINS 103u

typedef struct duet_posix_io_pin {
    uint8_t level;     /* the level the pin is at: 0 or 1 */
    uint8_t mode[2];   /* per core (0: M4, 1: M7): 0 unset, 1 + INPUT/OUTPUT/INPUT_PULLUP */
    uint8_t drivers;   /* bit 0: the M4 drives it, bit 1: the M7 */
    uint8_t warned;    /* 1 once the board warned that both cores drive it */
    uint8_t use[2];    /* per core: how it drives the pin (duet_posix_io_use), for the warning */
    uint8_t pad;
} duet_posix_io_pin;

/* How a core drives a pin. */
typedef enum duet_posix_io_use {
    DUET_POSIX_USE_DIGITAL = 1, /* pinMode OUTPUT, digitalWrite */
    DUET_POSIX_USE_PWM = 2,     /* analogWrite */
    DUET_POSIX_USE_SERVO = 3    /* a servo attached to it */
} duet_posix_io_use;

/* A peripheral both cores can reach, other than a pin: who used it, and whether the board
 * warned (once) that both did. */
typedef struct duet_posix_io_shared {
    uint8_t users;     /* bit 0: the M4 used it, bit 1: the M7 */
    uint8_t warned;
    uint8_t pad[2];
} duet_posix_io_shared;

#define DUET_POSIX_SHARED_ADC 0u   /* the ADC: analogRead of A0..A7 */
#define DUET_POSIX_SHARED_RTC 1u   /* setting the real-time clock */
#define DUET_POSIX_SHARED_COUNT 16u

typedef struct duet_posix_io {
    uint32_t magic;           /* DUET_POSIX_IO_MAGIC */
    uint32_t version;         /* DUET_POSIX_IO_VERSION */
    uint64_t power_on_ns;     /* CLOCK_MONOTONIC of the board's power-on (its last reset) */
    int64_t rtc_offset_ns;    /* RTC ns since 1970 = CLOCK_MONOTONIC ns + this; 0: never set
                                 (then it counts from 2000-01-01 at power-on) */
    uint32_t analog[8];       /* A0..A7: 0..1023, written by duet-board */
    duet_posix_io_pin pins[DUET_POSIX_IO_PINS];
    duet_posix_io_shared shared[DUET_POSIX_SHARED_COUNT];
} duet_posix_io;

#ifdef __cplusplus
}
#endif
#endif

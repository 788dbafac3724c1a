/* duet/board.h - the board in C: pins, LEDs, analog inputs, time, servo, real-time clock,
 * USB Serial and threads, with Arduino's names where Arduino has plain functions. */
#ifndef DUET_BOARD_H
#define DUET_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "duet/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One header for every target. Each port implements it for its board (ports/posix: the
 * emulated GIGA R1 on a PC; ports/an521: QEMU; ports/stm32h747: the GIGA R1 itself); a
 * port whose board lacks a part returns DUET_ERR_NOT_SUPPORTED (or the neutral value said
 * below) and says so in duet_board_error_text().
 *
 * Pins use the GIGA R1's Arduino numbering: D0..D101 are 0..101, A0..A7 are 76..83, and
 * the RGB LED is LEDR 86, LEDG 87, LEDB 88 (LED_BUILTIN is the green one). The LEDs are
 * active low, as on the board: digitalWrite(LEDG, LOW) lights the green LED.
 *
 * Both cores share every pin and peripheral, as on the board: a level one core writes is
 * what the other reads, and the board warns (once per pin) when both cores drive the same
 * pin or use the same peripheral. There is one real-time clock for both cores.
 *
 * A misuse (a pin that does not exist, USB Serial on the M4, a mode that is not one of
 * INPUT/OUTPUT/INPUT_PULLUP) changes nothing; the call returns its neutral value, and
 * duet_board_error_text() says what happened and what to do. Functions that return an int
 * status return DUET_OK or a negative duet_err.
 *
 * Thread safety: every function here may be called from the program's main thread and from
 * threads started with duet_thread_start(). None may be called from an interrupt handler.
 */

/* ------------------------------------------------------------ Arduino's constants */

#define LOW 0
#define HIGH 1

#define INPUT 0
#define OUTPUT 1
#define INPUT_PULLUP 2

#define LEDR 86
#define LEDG 87
#define LEDB 88
#define LED_BUILTIN LEDG

#define A0 76
#define A1 77
#define A2 78
#define A3 79
#define A4 80
#define A5 81
#define A6 82
#define A7 83

/* Pins 0 .. DUET_BOARD_PIN_COUNT - 1 exist (the GIGA R1's NUM_DIGITAL_PINS). */
#define DUET_BOARD_PIN_COUNT 103

/* analogRead() returns 0 .. DUET_ANALOG_MAX (10 bits, Arduino's default resolution) until
 * analogReadResolution() sets another. */
#define DUET_ANALOG_MAX 1023
/* analogWrite() takes a duty of 0 .. DUET_PWM_MAX (8 bits, Arduino's default) until
 * analogWriteResolution() sets another. */
#define DUET_PWM_MAX 255

/* ------------------------------------------------------------ a program: setup() and loop() */

/*
 * A program may be written as an Arduino sketch: setup() runs once, then loop() runs again
 * and again. The port supplies main() for such a program (a program that defines its own
 * main() keeps it). Between two loop() calls the port serves the other core's RPC calls
 * and sleeps until something can have changed (a doorbell, the next millisecond), so an
 * empty loop() does not burn a host core.
 */
void setup(void);
void loop(void);

/* ------------------------------------------------------------ digital and analog pins */

/* Sets a pin's mode: INPUT, OUTPUT or INPUT_PULLUP. An OUTPUT pin starts LOW (an LED pin
 * starts HIGH, that is off, as the board's start-up code leaves it). */
void pinMode(int pin, int mode);

/* Drives an OUTPUT pin HIGH (any value but LOW) or LOW. On an INPUT pin it sets the pull-up
 * as on Arduino (HIGH: INPUT_PULLUP, LOW: INPUT). */
void digitalWrite(int pin, int value);

/* The level of a pin: HIGH or LOW. A pin that nothing drives reads HIGH with the pull-up
 * and LOW without; a pin the other core drives reads that core's level. */
int digitalRead(int pin);

/* The analog input on A0..A7: 0..DUET_ANALOG_MAX, or 0..2^bits - 1 after
 * analogReadResolution(bits). On the emulated board the value is set from outside
 * (duet-board run --analog A0=512 or a waveform, 10 bits). Other pins: 0 and an error. */
int analogRead(int pin);

/* PWM output on a pin: duty 0..DUET_PWM_MAX (clamped), or 0..2^bits - 1 after
 * analogWriteResolution(bits), as Arduino's analogWrite. */
void analogWrite(int pin, int value);

/* The resolution of analogRead() on this core from now on: 1..16 bits (it starts at 10),
 * one setting for every pin, as on Arduino. A reading is the ADC's 16-bit one shifted down,
 * as Arduino's core for the GIGA R1 gives it (12 bits: 0..4095 for the same voltages).
 * Another number changes nothing and says so in duet_board_error_text(). */
void analogReadResolution(int bits);

/* The resolution of analogWrite()'s duty on this core from now on: 1..31 bits (it starts at
 * 8), one setting for every pin: the duty is a fraction of 2^bits - 1, as on Arduino's core
 * for the GIGA R1 (12 bits: 4095 is high all the time). Another number changes nothing and
 * says so in duet_board_error_text(). */
void analogWriteResolution(int bits);

/* Arduino's map(): value scaled from [in_min, in_max] to [out_min, out_max] in integers. */
static inline long map(long value, long in_min, long in_max, long out_min, long out_max)
{
    if (in_max == in_min)
        return out_min;
    return (value - in_min) * (out_max - out_min) / (in_max - in_min) + out_min;
}

/* ------------------------------------------------------------ time */

/* Waits ms milliseconds. The core keeps serving the other core meanwhile (RPC calls to this
 * core run inside delay(), as the Arduino core's delay() lets other threads run) and sleeps
 * between them. */
void delay(unsigned long ms);

/* Waits us microseconds, never fewer: whole milliseconds as delay(), then the rest asleep.
 * A Cortex-M core sleeps in WFI to the clock's tick (at least 256 processor-clock ticks:
 * 0.5 us at 480 MHz, 13 us on the 20 MHz AN521) and serves a doorbell from the other core
 * meanwhile, as delay() does, so a call to this core can make the wait longer; where the
 * program has started threads, the rest lasts until the next millisecond's start (the
 * other threads run meanwhile). On the emulated board the process sleeps through the rest,
 * and a call from the other core waits for its end. */
void delayMicroseconds(unsigned int us);

/* Milliseconds since this core started (wraps at 2^32 on a 32-bit board). */
unsigned long millis(void);

/* Microseconds since this core started (wraps at 2^32 on a 32-bit board). */
unsigned long micros(void);

/* ------------------------------------------------------------ servo */

/* A hobby servo on a pin (the Servo library's object). Fill it with duet_servo_attach(). */
typedef struct duet_servo {
    int pin;    /* the pin, or -1 when detached */
    int angle;  /* the last angle written, 0..180 */
} duet_servo;

/* Attaches the servo to a pin (0..DUET_BOARD_PIN_COUNT-1); its angle starts at 90.
 * @retval DUET_OK, DUET_ERR_ARG (no such pin), DUET_ERR_NOT_SUPPORTED */
int duet_servo_attach(duet_servo *servo, int pin);

/* Turns an attached servo to angle degrees, clamped to 0..180 as Servo.write() does.
 * @retval DUET_OK, DUET_ERR_STATE (not attached) */
int duet_servo_write(duet_servo *servo, int angle);

/* The angle last written (0..180), or -1 if the servo is not attached. */
int duet_servo_read(const duet_servo *servo);

/* Stops driving the servo's pin. */
void duet_servo_detach(duet_servo *servo);

/* ------------------------------------------------------------ real-time clock */

/* A calendar date and time (UTC), as the RTC counts it. */
typedef struct duet_rtc_time {
    int year;    /* e.g. 2024 */
    int month;   /* 1..12 */
    int day;     /* 1..31 */
    int hour;    /* 0..23 */
    int minute;  /* 0..59 */
    int second;  /* 0..59 */
} duet_rtc_time;

/* Sets the board's real-time clock (one for both cores) to seconds since 1970-01-01 UTC;
 * it counts on from there, and the other core reads the same time.
 * @retval DUET_OK, DUET_ERR_ARG (before 1970 or after 2099, which the RTC cannot hold) */
int duet_rtc_set(int64_t unix_seconds);

/* The clock's time in seconds since 1970-01-01 UTC. Until a core sets it, it counts from
 * 2000-01-01 00:00:00 at power-on, the STM32 RTC's reset value. 0 (1970-01-01) if the
 * clock does not run (on the GIGA R1: its 32.768 kHz crystal did not start, or the RTC
 * never copied its calendar out within a few milliseconds), and duet_board_error_text()
 * says which. */
int64_t duet_rtc_get(void);

/*
 * floor(n / d), with n - floor(n / d) * d (0 .. d-1) in *rem, for d from 1 to 2^24 - 1,
 * dividing 32-bit numbers only: a Cortex-M divides those in one instruction, and 64-bit ones
 * with a library routine (700 bytes of flash) that the calendar functions below need not
 * pull into a firmware. Long division a byte at a time: the remainder carried into each step
 * is below d, so the step's dividend fits 32 bits.
 */
static inline int64_t duet_rtc_floor_div(int64_t n, uint32_t d, uint32_t *rem)
{
    /* A negative n divides as -n - 1 (which cannot overflow): floor(n / d) is then
     * -1 - floor((-n - 1) / d). */
    uint64_t m = n < 0 ? ~(uint64_t)n : (uint64_t)n;
    uint32_t words[2] = {(uint32_t)(m >> 32), (uint32_t)m};
    uint32_t r = 0;
    for (int i = 0; i < 2; i++) {
        uint32_t q = 0;
        for (int shift = 24; shift >= 0; shift -= 8) {
            uint32_t step = r << 8 | (words[i] >> shift & 0xFFu);
            q = q << 8 | step / d;
            r = step % d;
        }
        words[i] = q;
    }
    int64_t quotient = (int64_t)((uint64_t)words[0] << 32 | words[1]);
    *rem = n < 0 ? d - 1u - r : r;
    return n < 0 ? -1 - quotient : quotient;
}

/* Seconds since 1970-01-01 UTC of a date and time (no time zone, no leap seconds). */
static inline int64_t duet_rtc_from_time(const duet_rtc_time *t)
{
    /* Days since 1970-01-01 of a civil date, counting years from March so that the leap
     * day ends a year (the well-known "days from civil" arithmetic), in 400-year eras. */
    uint32_t yoe; /* the year of its era, 0..399 */
    int64_t era = duet_rtc_floor_div((int64_t)t->year - (t->month <= 2), 400, &yoe);
    int mp = (t->month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)t->day - 1;
    int64_t days = era * 146097 + (yoe * 365 + yoe / 4 - yoe / 100) + doy - 719468;
    return days * 86400 + t->hour * 3600 + t->minute * 60 + t->second;
}

/* The date and time of seconds since 1970-01-01 UTC. */
static inline void duet_rtc_to_time(int64_t unix_seconds, duet_rtc_time *t)
{
    uint32_t secs, doe; /* the second of its day; the day of its 400-year era */
    int64_t days = duet_rtc_floor_div(unix_seconds, 86400, &secs);
    t->hour = (int)(secs / 3600);
    t->minute = (int)(secs / 60 % 60);
    t->second = (int)(secs % 60);
    int64_t era = duet_rtc_floor_div(days + 719468, 146097, &doe);
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    t->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    t->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    t->year = (int)((int64_t)yoe + era * 400 + (t->month <= 2));
}

/* ------------------------------------------------------------ USB Serial (M7 only) */

/*
 * The M7's USB Serial: what a person sees in the Serial Monitor. On the M7, C's own
 * stdout (printf, putchar) is this Serial too, unbuffered. The M4 has no USB Serial, as on
 * the board: there every duet_serial_* call fails with DUET_ERR_NOT_SUPPORTED (or 0 / -1),
 * and duet_board_error_text() says to print through the RPC stream (duet_print) instead.
 */

/* Opens the Serial (the baud rate is accepted and has no effect on USB).
 * @retval DUET_OK, DUET_ERR_NOT_SUPPORTED (on the M4) */
int duet_serial_begin(unsigned long baud);

/* Writes len bytes to the Serial Monitor as they are (no buffering). Returns len, or 0 on
 * the M4. */
size_t duet_serial_write(const void *data, size_t len);

/* Writes a C string; returns the bytes written (0 on the M4). */
size_t duet_serial_print(const char *str);

/* Writes a C string and "\r\n", as Serial.println(); returns the bytes written. */
size_t duet_serial_println(const char *str);

/* printf to the Serial Monitor, formatted as duet_printf formats (duet/format.h: no libc
 * printf in the image; at most 255 bytes, a longer text cut with "..."); returns the bytes
 * written (0 on the M4). */
size_t duet_serial_printf(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Bytes typed into the Serial Monitor that are waiting to be read (0 on the M4). */
int duet_serial_available(void);

/* The next byte typed into the Serial Monitor (0..255), or -1 if there is none (and on
 * the M4). */
int duet_serial_read(void);

/* The next byte without taking it, or -1. */
int duet_serial_peek(void);

/* ------------------------------------------------------------ threads */

/* At most this many threads per core, besides the program's main one. */
#define DUET_THREAD_MAX 4

/*
 * Starts fn(arg) in a new thread of this core (the guide's rtos::Thread::start). The thread
 * may call every duet_ and board function; RPC calls it makes wait for their answer while
 * the loop keeps running. A thread that returns ends.
 * @retval DUET_OK, DUET_ERR_FULL (DUET_THREAD_MAX threads already), DUET_ERR_NOT_SUPPORTED
 */
int duet_thread_start(void (*fn)(void *arg), void *arg);

/* duet_thread_start that also gives the thread's number in *id (never 0, never given twice
 * on a core), for duet_thread_join. */
int duet_thread_create(void (*fn)(void *arg), void *arg, unsigned *id);

/* Waits until thread id (from duet_thread_create) has returned; at once if it has. The
 * other threads of the core run meanwhile.
 * @retval DUET_OK, DUET_ERR_ARG (no thread of this core had that number), DUET_ERR_STATE
 *         (the thread would wait for itself) */
int duet_thread_join(unsigned id);

/* Lets the core's other threads run before this one goes on. */
void duet_thread_yield(void);

/* The number duet_thread_create gave the calling thread, or 0 in the program's main thread. */
unsigned duet_thread_self(void);

/* A lock that the threads of one core share (mbed's Mutex): recursive, as mbed's is (the
 * thread that holds it may lock it again, and unlocks it as often). Zeroed storage is not a
 * lock: set it up with duet_mutex_init(). */
typedef struct duet_mutex {
    union {
        long long align;
        void *pointer;
        unsigned char bytes[64];
    } opaque;
} duet_mutex;

/* Sets up an unlocked mutex. */
void duet_mutex_init(duet_mutex *m);

/* Takes the mutex, waiting as long as another thread holds it. */
void duet_mutex_lock(duet_mutex *m);

/* Takes the mutex if it is free within ms milliseconds (0: only if it is free now); returns
 * whether it was taken. */
bool duet_mutex_trylock_for(duet_mutex *m, uint32_t ms);

/* Gives the mutex back once (a thread that locked it n times unlocks it n times).
 * @retval DUET_OK, DUET_ERR_STATE (the calling thread does not hold it; nothing changes) */
int duet_mutex_unlock(duet_mutex *m);

/* The number of the thread holding the mutex (duet_thread_self's), or -1 if it is free. */
int duet_mutex_owner(duet_mutex *m);

/* Releases what duet_mutex_init set up; the mutex must be free. */
void duet_mutex_destroy(duet_mutex *m);

/* ------------------------------------------------------------ errors */

/* The last misuse of a board function on this core, as a sentence that says what to do
 * (e.g. "digitalWrite: pin 200 does not exist on the GIGA R1 (pins are 0..102)"), or ""
 * if there was none. */
const char *duet_board_error_text(void);

#ifdef __cplusplus
}
#endif
#endif

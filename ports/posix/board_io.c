/* board_io.c - duet/board.h on the emulated GIGA R1: pins, LEDs, analog inputs, time, servo,
 * RTC and USB Serial over the board's shared `io` file, each change an event record. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "duet/board.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "duet/duet.h"
#include "duet/posix/board.h"
#include "duet/posix/events.h"
#include "board_io.h"

_Static_assert(sizeof(duet_posix_event) == 24, "event header layout");
_Static_assert(sizeof(duet_posix_io) <= DUET_POSIX_IO_SIZE, "io layout");

/* 2000-01-01 00:00:00 UTC: the STM32 RTC's reset value. */
#define RTC_RESET_SECONDS 946684800LL

static struct {
    pthread_once_t once;
    int cpu;                /* DUET_CPU_M7 or DUET_CPU_M4 */
    int event_fd;           /* -1: no duet-board listens */
    duet_posix_io *io;      /* the board's io file, or `local` outside a board */
    duet_posix_io local;
    uint64_t start_ns;      /* this core's start, for millis() and micros() */
    pthread_mutex_t serial_lock;
    unsigned char rx[256];  /* Serial input read from stdin, not yet taken */
    size_t rx_head, rx_len;
    bool rx_eof;
} B = {.once = PTHREAD_ONCE_INIT, .event_fd = -1, .serial_lock = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local char error_text[256];

/* analogRead's and analogWrite's resolutions on this core, in bits (Arduino's defaults). */
static int read_bits = 10;
static int write_bits = 8;

/* What this thread looked at since duet_posix_io_loop_start: loop() of the sketch's main
 * (sketch_main.c) sleeps after it according to these. */
#define WATCHED_INPUT 1u /* the time, a pin, an analog input, the RTC, Serial input */
#define WATCHED_SLEPT 2u /* it slept in delay() */
static _Thread_local unsigned watched;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ opening the board's io */

static duet_posix_io *map_io(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/io", dir) >= (int)sizeof path)
        return NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || (st.st_size < DUET_POSIX_IO_SIZE && ftruncate(fd, DUET_POSIX_IO_SIZE) != 0)) {
        close(fd);
        return NULL;
    }
    void *p = mmap(NULL, DUET_POSIX_IO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

void duet_posix_io_init(duet_posix_io *io)
{
    memset(io, 0, sizeof *io);
    io->version = DUET_POSIX_IO_VERSION;
    io->power_on_ns = mono_ns();
    for (unsigned i = 0; i < DUET_POSIX_IO_PINS; i++)
        io->pins[i].level = 0;
    __atomic_store_n(&io->magic, DUET_POSIX_IO_MAGIC, __ATOMIC_RELEASE);
}

static void open_board(void)
{
    B.start_ns = mono_ns();
    const char *core = getenv("DUET_CORE");
    B.cpu = (core && strcasecmp(core, "m4") == 0) ? DUET_CPU_M4 : DUET_CPU_M7;
    const char *fd = getenv("DUET_BOARD_EVENTS");
    if (fd && fd[0]) {
        char *end;
        long n = strtol(fd, &end, 10);
        if (!*end && n >= 0 && fcntl((int)n, F_GETFD) != -1)
            B.event_fd = (int)n;
    }
    const char *dir = getenv("DUET_BOARD");
    B.io = (dir && dir[0]) ? map_io(dir) : NULL;
    if (!B.io)
        B.io = &B.local;
    /* A board made before the io file existed (or outside a board): set it up now. */
    uint32_t zero = 0;
    if (__atomic_compare_exchange_n(&B.io->magic, &zero, 1u, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        duet_posix_io_init(B.io);
    while (__atomic_load_n(&B.io->magic, __ATOMIC_ACQUIRE) != DUET_POSIX_IO_MAGIC)
        sched_yield();
}

static void board(void)
{
    pthread_once(&B.once, open_board);
}

int duet_posix_io_cpu(void)
{
    board();
    return B.cpu;
}

/* ------------------------------------------------------------ events and errors */

void duet_posix_event_emit(int kind, int pin, int32_t value, const void *data, size_t len)
{
    board();
    duet_posix_event_emit_as(B.cpu, kind, pin, value, data, len);
}

void duet_posix_event_emit_as(int core, int kind, int pin, int32_t value, const void *data, size_t len)
{
    board();
    if (B.event_fd < 0)
        return;
    if (len > DUET_POSIX_EVENT_DATA_MAX)
        len = DUET_POSIX_EVENT_DATA_MAX;
    unsigned char rec[sizeof(duet_posix_event) + DUET_POSIX_EVENT_DATA_MAX];
    duet_posix_event ev = {
        .len = (uint32_t)len,
        .kind = (uint8_t)kind,
        .core = (uint8_t)core,
        .pin = (uint16_t)(pin < 0 ? 0xffff : pin),
        .value = value,
        .time_us = (mono_ns() - B.io->power_on_ns) / 1000u,
    };
    memcpy(rec, &ev, sizeof ev);
    if (len)
        memcpy(rec + sizeof ev, data, len);
    size_t total = sizeof ev + len;
    /* One write: a pipe keeps it whole (total <= PIPE_BUF). */
    for (;;) {
        ssize_t w = write(B.event_fd, rec, total);
        if (w >= 0 || errno != EINTR)
            break;
    }
}

/* Records a misuse: the sentence for duet_board_error_text(), and a warning event. */
static void misuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void misuse(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_text, sizeof error_text, fmt, ap);
    va_end(ap);
    duet_posix_event_emit(DUET_EV_WARN, -1, 0, error_text, strlen(error_text));
}

const char *duet_board_error_text(void)
{
    return error_text;
}

static bool pin_ok(const char *fn, int pin)
{
    if (pin >= 0 && pin < DUET_BOARD_PIN_COUNT)
        return true;
    misuse("%s: pin %d does not exist on the GIGA R1 (pins are 0..%d)", fn, pin, DUET_BOARD_PIN_COUNT - 1);
    return false;
}

static int core_index(void)
{
    return B.cpu == DUET_CPU_M7 ? 1 : 0;
}

/* ------------------------------------------------------------ pins */

/* This core uses something both cores can reach (users: bit 0 the M4, bit 1 the M7). True
 * once: the first time both have used it, when the board warns. */
static bool both_use(uint8_t *users, uint8_t *warned)
{
    uint8_t mine = (uint8_t)(1u << core_index());
    uint8_t was = __atomic_fetch_or(users, mine, __ATOMIC_ACQ_REL);
    return (was | mine) == 3u && !__atomic_exchange_n(warned, 1, __ATOMIC_ACQ_REL);
}

static const char *use_text(uint8_t use)
{
    return use == DUET_POSIX_USE_SERVO ? " (a servo)" : use == DUET_POSIX_USE_PWM ? " (analogWrite)" : "";
}

/* This core drives the pin from now on (use: duet_posix_io_use); the board warns once if
 * the other core does too. */
static void drive(int pin, uint8_t use)
{
    duet_posix_io_pin *p = &B.io->pins[pin];
    __atomic_store_n(&p->use[core_index()], use, __ATOMIC_RELEASE);
    if (both_use(&p->drivers, &p->warned)) {
        char text[200];
        int n = snprintf(text, sizeof text, "both cores drive pin %s: the M4%s and the M7%s (which one wins is "
                                            "random on the board; give each core its own pins)",
                         duet_posix_pin_name(pin), use_text(__atomic_load_n(&p->use[0], __ATOMIC_ACQUIRE)),
                         use_text(__atomic_load_n(&p->use[1], __ATOMIC_ACQUIRE)));
        duet_posix_event_emit(DUET_EV_WARN, pin, 0, text, (size_t)n);
    }
}

/* This core uses a peripheral other than a pin (DUET_POSIX_SHARED_*) in the way how says
 * (of pin, or -1); the board warns once, naming both, if the other core uses it too. */
static void share(unsigned peripheral, const char *name, const char *how, int pin, const char *advice)
{
    duet_posix_io_shared *p = &B.io->shared[peripheral];
    if (both_use(&p->users, &p->warned)) {
        char text[256];
        int n = snprintf(text, sizeof text, "both cores use %s (%s%s%s): the M4 and the M7 (%s)", name, how,
                         pin >= 0 ? " of " : "", pin >= 0 ? duet_posix_pin_name(pin) : "", advice);
        duet_posix_event_emit(DUET_EV_WARN, pin, 0, text, (size_t)n);
    }
}

static void set_level(int pin, int level)
{
    uint8_t v = level ? 1 : 0;
    uint8_t was = __atomic_exchange_n(&B.io->pins[pin].level, v, __ATOMIC_ACQ_REL);
    if (was != v)
        duet_posix_event_emit(DUET_EV_PIN, pin, v, NULL, 0);
}

static bool is_led(int pin)
{
    return pin == LEDR || pin == LEDG || pin == LEDB;
}

void pinMode(int pin, int mode)
{
    board();
    if (!pin_ok("pinMode", pin))
        return;
    if (mode != INPUT && mode != OUTPUT && mode != INPUT_PULLUP) {
        misuse("pinMode: mode %d is not INPUT, OUTPUT or INPUT_PULLUP", mode);
        return;
    }
    duet_posix_io_pin *p = &B.io->pins[pin];
    uint8_t was = __atomic_exchange_n(&p->mode[core_index()], (uint8_t)(mode + 1), __ATOMIC_ACQ_REL);
    if (was != mode + 1)
        duet_posix_event_emit(DUET_EV_PIN_MODE, pin, mode, NULL, 0);
    if (mode == OUTPUT) {
        drive(pin, DUET_POSIX_USE_DIGITAL);
        /* An LED starts off (HIGH, active low), as the board's start-up code leaves it. */
        if (was != OUTPUT + 1)
            set_level(pin, is_led(pin) ? 1 : 0);
    } else {
        __atomic_fetch_and(&p->drivers, (uint8_t)~(1u << core_index()), __ATOMIC_ACQ_REL);
        if (!p->drivers)
            set_level(pin, mode == INPUT_PULLUP);
    }
}

void digitalWrite(int pin, int value)
{
    board();
    if (!pin_ok("digitalWrite", pin))
        return;
    duet_posix_io_pin *p = &B.io->pins[pin];
    uint8_t mode = __atomic_load_n(&p->mode[core_index()], __ATOMIC_ACQUIRE);
    if (mode == INPUT + 1 || mode == INPUT_PULLUP + 1) {
        pinMode(pin, value ? INPUT_PULLUP : INPUT);
        return;
    }
    /* A pin written without pinMode: Arduino's mbed core makes it an output. */
    if (mode == 0)
        pinMode(pin, OUTPUT);
    drive(pin, DUET_POSIX_USE_DIGITAL);
    set_level(pin, value != LOW);
}

int digitalRead(int pin)
{
    board();
    watched |= WATCHED_INPUT;
    if (!pin_ok("digitalRead", pin))
        return LOW;
    return __atomic_load_n(&B.io->pins[pin].level, __ATOMIC_ACQUIRE) ? HIGH : LOW;
}

int analogRead(int pin)
{
    board();
    watched |= WATCHED_INPUT;
    if (pin >= 0 && pin <= 7)
        pin += A0; /* analogRead(0) means A0, as on Arduino */
    if (pin < A0 || pin > A7) {
        misuse("analogRead: pin %d is not an analog input (use A0..A7)", pin);
        return 0;
    }
    share(DUET_POSIX_SHARED_ADC, "the ADC", "analogRead", pin,
          "the board's ADC is one for both: read the inputs on one core and hand the values to the other by RPC");
    uint32_t v = __atomic_load_n(&B.io->analog[pin - A0], __ATOMIC_ACQUIRE);
    if (v > DUET_ANALOG_MAX)
        v = DUET_ANALOG_MAX;
    /* The 10-bit input as the ADC's 16-bit reading (its top bits repeated below it, so that
     * 1023 reads 65535), shifted down to the resolution asked for, as Arduino's core shifts
     * the GIGA's: at 10 bits the input itself. */
    uint32_t v16 = v << 6 | v >> 4;
    return (int)(v16 >> (16 - __atomic_load_n(&read_bits, __ATOMIC_RELAXED)));
}

void analogReadResolution(int bits)
{
    board();
    if (bits < 1 || bits > 16) {
        misuse("analogReadResolution: %d bits is not 1..16 (the ADC's reading has 16; the resolution stays %d bits)",
               bits, __atomic_load_n(&read_bits, __ATOMIC_RELAXED));
        return;
    }
    __atomic_store_n(&read_bits, bits, __ATOMIC_RELAXED);
}

void analogWrite(int pin, int value)
{
    board();
    if (!pin_ok("analogWrite", pin))
        return;
    uint32_t max = (1u << __atomic_load_n(&write_bits, __ATOMIC_RELAXED)) - 1u;
    uint32_t duty = value < 0 ? 0u : (uint32_t)value > max ? max : (uint32_t)value;
    drive(pin, DUET_POSIX_USE_PWM);
    /* The record carries the duty as 0..255 whatever the resolution (rounded): the event
     * log, the VCD and the web page show it as a fraction of 255. */
    uint64_t duty8 = ((uint64_t)duty * DUET_PWM_MAX + max / 2u) / max;
    duet_posix_event_emit(DUET_EV_PWM, pin, (int32_t)duty8, NULL, 0);
}

void analogWriteResolution(int bits)
{
    board();
    if (bits < 1 || bits > 31) {
        misuse("analogWriteResolution: %d bits is not 1..31 (the resolution stays %d bits)", bits,
               __atomic_load_n(&write_bits, __ATOMIC_RELAXED));
        return;
    }
    __atomic_store_n(&write_bits, bits, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ time */

unsigned long millis(void)
{
    board();
    watched |= WATCHED_INPUT;
    return (unsigned long)(uint32_t)((mono_ns() - B.start_ns) / 1000000u);
}

unsigned long micros(void)
{
    board();
    watched |= WATCHED_INPUT;
    return (unsigned long)(uint32_t)((mono_ns() - B.start_ns) / 1000u);
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void delay(unsigned long ms)
{
    board();
    if (ms)
        watched |= WATCHED_SLEPT;
    uint64_t end = mono_ns() + (uint64_t)ms * 1000000u;
    duet_port *port = duet_posix_io_port();
    for (;;) {
        uint64_t now = mono_ns();
        if (now >= end)
            return;
        uint64_t left = end - now;
        if (!port) {
            sleep_ns(left);
            continue;
        }
        /* Serve the other core, then sleep until its doorbell or the end of the delay. */
        duet_posix_io_serve();
        uint64_t left_ms = (left + 999999u) / 1000000u;
        port->wait(port, (uint32_t)(left_ms > 1000 ? 1000 : left_ms));
    }
}

void delayMicroseconds(unsigned int us)
{
    board();
    uint64_t end = mono_ns() + (uint64_t)us * 1000u;
    if (us >= 1000u)
        delay(us / 1000u); /* whole milliseconds serve the other core */
    else if (us)
        watched |= WATCHED_SLEPT;
    /* The rest (under a millisecond) asleep: the other core's calls wait for its end. */
    uint64_t now = mono_ns();
    if (now < end)
        sleep_ns(end - now);
}

/* ------------------------------------------------------------ servo */

int duet_servo_attach(duet_servo *servo, int pin)
{
    board();
    if (!pin_ok("duet_servo_attach", pin))
        return DUET_ERR_ARG;
    servo->pin = pin;
    servo->angle = 90;
    drive(pin, DUET_POSIX_USE_SERVO);
    duet_posix_event_emit(DUET_EV_SERVO, pin, 90, "attach", 6);
    return DUET_OK;
}

int duet_servo_write(duet_servo *servo, int angle)
{
    board();
    if (servo->pin < 0 || servo->pin >= DUET_BOARD_PIN_COUNT) {
        misuse("duet_servo_write: the servo is not attached (call duet_servo_attach first)");
        return DUET_ERR_STATE;
    }
    if (angle < 0)
        angle = 0;
    if (angle > 180)
        angle = 180;
    if (angle != servo->angle)
        duet_posix_event_emit(DUET_EV_SERVO, servo->pin, angle, NULL, 0);
    servo->angle = angle;
    return DUET_OK;
}

int duet_servo_read(const duet_servo *servo)
{
    return (servo->pin < 0 || servo->pin >= DUET_BOARD_PIN_COUNT) ? -1 : servo->angle;
}

void duet_servo_detach(duet_servo *servo)
{
    servo->pin = -1;
}

/* ------------------------------------------------------------ RTC */

int duet_rtc_set(int64_t unix_seconds)
{
    board();
    /* 2100-01-01 00:00:00 UTC: the RTC holds two-digit years of the 2000s. */
    if (unix_seconds < 0 || unix_seconds >= 4102444800LL) {
        misuse("duet_rtc_set: %" PRId64 " is outside 1970..2099, which the RTC holds", unix_seconds);
        return DUET_ERR_ARG;
    }
    share(DUET_POSIX_SHARED_RTC, "the RTC", "setting the time", -1,
          "the board has one real-time clock for both: set it on one core, the other reads it");
    int64_t offset = unix_seconds * 1000000000LL - (int64_t)mono_ns();
    if (offset == 0)
        offset = 1; /* 0 means never set */
    __atomic_store_n(&B.io->rtc_offset_ns, offset, __ATOMIC_RELEASE);
    char text[32];
    int n = snprintf(text, sizeof text, "%" PRId64, unix_seconds);
    duet_posix_event_emit(DUET_EV_RTC, -1, 0, text, (size_t)n);
    return DUET_OK;
}

int64_t duet_rtc_get(void)
{
    board();
    watched |= WATCHED_INPUT;
    int64_t offset = __atomic_load_n(&B.io->rtc_offset_ns, __ATOMIC_ACQUIRE);
    if (offset == 0)
        return RTC_RESET_SECONDS + (int64_t)((mono_ns() - B.io->power_on_ns) / 1000000000u);
    return ((int64_t)mono_ns() + offset) / 1000000000LL;
}

/* ------------------------------------------------------------ USB Serial */

static bool serial_core(const char *fn)
{
    board();
    if (B.cpu == DUET_CPU_M7)
        return true;
    misuse("%s: the M4 has no USB Serial (as on the GIGA R1): print through the RPC stream with duet_print() "
           "and let the M7 forward it",
           fn);
    return false;
}

int duet_serial_begin(unsigned long baud)
{
    (void)baud;
    return serial_core("duet_serial_begin") ? DUET_OK : DUET_ERR_NOT_SUPPORTED;
}

size_t duet_serial_write(const void *data, size_t len)
{
    if (!serial_core("duet_serial_write"))
        return 0;
    const unsigned char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(STDOUT_FILENO, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    return done;
}

size_t duet_serial_print(const char *str)
{
    return duet_serial_write(str, strlen(str));
}

size_t duet_serial_println(const char *str)
{
    if (!serial_core("duet_serial_println"))
        return 0;
    size_t n = duet_serial_write(str, strlen(str));
    return n + duet_serial_write("\r\n", 2);
}

size_t duet_serial_printf(const char *fmt, ...)
{
    if (!serial_core("duet_serial_printf"))
        return 0;
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return 0;
    if ((size_t)n < sizeof small)
        return duet_serial_write(small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big)
        return 0;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    size_t w = duet_serial_write(big, (size_t)n);
    free(big);
    return w;
}

/* Moves what stdin holds now into the receive buffer, without waiting. Locked by caller. */
static void serial_fill(void)
{
    if (B.rx_eof || B.rx_len == sizeof B.rx)
        return;
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP)))
        return;
    if (B.rx_head + B.rx_len == sizeof B.rx) {
        memmove(B.rx, B.rx + B.rx_head, B.rx_len);
        B.rx_head = 0;
    }
    ssize_t r = read(STDIN_FILENO, B.rx + B.rx_head + B.rx_len, sizeof B.rx - B.rx_head - B.rx_len);
    if (r > 0)
        B.rx_len += (size_t)r;
    else if (r == 0)
        B.rx_eof = true;
}

int duet_serial_available(void)
{
    if (!serial_core("duet_serial_available"))
        return 0;
    watched |= WATCHED_INPUT;
    pthread_mutex_lock(&B.serial_lock);
    serial_fill();
    int n = (int)B.rx_len;
    pthread_mutex_unlock(&B.serial_lock);
    return n;
}

static int serial_take(bool consume)
{
    watched |= WATCHED_INPUT;
    pthread_mutex_lock(&B.serial_lock);
    serial_fill();
    int c = -1;
    if (B.rx_len) {
        c = B.rx[B.rx_head];
        if (consume) {
            B.rx_head++;
            B.rx_len--;
            if (!B.rx_len)
                B.rx_head = 0;
        }
    }
    pthread_mutex_unlock(&B.serial_lock);
    return c;
}

int duet_serial_read(void)
{
    return serial_core("duet_serial_read") ? serial_take(true) : -1;
}

int duet_serial_peek(void)
{
    return serial_core("duet_serial_peek") ? serial_take(false) : -1;
}

/* ------------------------------------------------------------ threads */

/* A slot per thread; a slot is free again once its thread has returned. */
typedef struct thread_slot {
    void (*fn)(void *arg);
    void *arg;
    unsigned id;   /* 0: free */
} thread_slot;

static thread_slot threads[DUET_THREAD_MAX];
static unsigned thread_last_id;
static pthread_mutex_t thread_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thread_ended = PTHREAD_COND_INITIALIZER;
static _Thread_local unsigned thread_self;

static void *thread_main(void *p)
{
    thread_slot *slot = p;
    pthread_mutex_lock(&thread_lock);
    thread_self = slot->id;
    void (*fn)(void *) = slot->fn;
    void *arg = slot->arg;
    pthread_mutex_unlock(&thread_lock);
    fn(arg);
    pthread_mutex_lock(&thread_lock);
    slot->id = 0;
    pthread_cond_broadcast(&thread_ended);
    pthread_mutex_unlock(&thread_lock);
    return NULL;
}

int duet_thread_create(void (*fn)(void *arg), void *arg, unsigned *id)
{
    board();
    if (!fn) {
        misuse("duet_thread_start: no function given");
        return DUET_ERR_ARG;
    }
    pthread_mutex_lock(&thread_lock);
    thread_slot *slot = NULL;
    for (int i = 0; i < DUET_THREAD_MAX && !slot; i++)
        if (!threads[i].id)
            slot = &threads[i];
    if (!slot) {
        pthread_mutex_unlock(&thread_lock);
        misuse("duet_thread_start: this core already runs %d threads, the most it can (DUET_THREAD_MAX)",
               DUET_THREAD_MAX);
        return DUET_ERR_FULL;
    }
    slot->fn = fn;
    slot->arg = arg;
    slot->id = ++thread_last_id;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t tid;
    int e = pthread_create(&tid, &attr, thread_main, slot);
    pthread_attr_destroy(&attr);
    if (e != 0)
        slot->id = 0;
    else if (id)
        *id = slot->id;
    pthread_mutex_unlock(&thread_lock);
    if (e != 0) {
        misuse("duet_thread_start: the system could not start a thread (%s)", strerror(e));
        return DUET_ERR_STATE;
    }
    return DUET_OK;
}

int duet_thread_start(void (*fn)(void *arg), void *arg)
{
    return duet_thread_create(fn, arg, NULL);
}

/* Whether the thread in slot i runs (thread_lock held). */
static bool threads_run_one(int i)
{
    return threads[i].id != 0;
}

/* Whether thread id still runs (thread_lock held). */
static bool thread_running(unsigned id)
{
    for (int i = 0; i < DUET_THREAD_MAX; i++)
        if (threads[i].id == id)
            return true;
    return false;
}

int duet_thread_join(unsigned id)
{
    if (id == thread_self) {
        misuse("duet_thread_join: a thread cannot wait for itself to end");
        return DUET_ERR_STATE;
    }
    pthread_mutex_lock(&thread_lock);
    bool known = id != 0 && id <= thread_last_id;
    while (known && thread_running(id))
        pthread_cond_wait(&thread_ended, &thread_lock);
    pthread_mutex_unlock(&thread_lock);
    if (!known) {
        misuse("duet_thread_join: no thread of this core has the number %u", id);
        return DUET_ERR_ARG;
    }
    return DUET_OK;
}

void duet_thread_yield(void)
{
    sched_yield();
}

unsigned duet_thread_self(void)
{
    return thread_self;
}

/* ------------------------------------------------------------ mutexes */

/* What a duet_mutex holds on this port. */
typedef struct posix_mutex {
    pthread_mutex_t lock;
    int owner;      /* duet_thread_self() of the holder, -1 when free */
    unsigned depth; /* how often the holder locked it */
} posix_mutex;

_Static_assert(sizeof(posix_mutex) <= sizeof(((duet_mutex *)0)->opaque), "duet_mutex holds a posix_mutex");

static posix_mutex *posix_mutex_of(duet_mutex *m)
{
    return (posix_mutex *)(void *)m->opaque.bytes;
}

void duet_mutex_init(duet_mutex *m)
{
    posix_mutex *p = posix_mutex_of(m);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&p->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    p->owner = -1;
    p->depth = 0;
}

/* Records the caller as the holder of a mutex it has just locked. */
static void mutex_taken(posix_mutex *p)
{
    p->owner = (int)thread_self;
    p->depth++;
}

void duet_mutex_lock(duet_mutex *m)
{
    posix_mutex *p = posix_mutex_of(m);
    pthread_mutex_lock(&p->lock);
    mutex_taken(p);
}

bool duet_mutex_trylock_for(duet_mutex *m, uint32_t ms)
{
    posix_mutex *p = posix_mutex_of(m);
    int e;
    if (ms == 0) {
        e = pthread_mutex_trylock(&p->lock);
    } else {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += ms / 1000;
        until.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while ((e = pthread_mutex_timedlock(&p->lock, &until)) == EINTR)
            ;
    }
    if (e != 0)
        return false;
    mutex_taken(p);
    return true;
}

int duet_mutex_unlock(duet_mutex *m)
{
    posix_mutex *p = posix_mutex_of(m);
    /* Only the holder writes its own number into owner, so another thread never sees it
     * there: the check needs no lock. */
    if (p->owner != (int)thread_self || p->depth == 0) {
        misuse("duet_mutex_unlock: this thread does not hold the mutex (unlock only what you locked)");
        return DUET_ERR_STATE;
    }
    if (--p->depth == 0)
        p->owner = -1;
    pthread_mutex_unlock(&p->lock);
    return DUET_OK;
}

int duet_mutex_owner(duet_mutex *m)
{
    return posix_mutex_of(m)->owner;
}

void duet_mutex_destroy(duet_mutex *m)
{
    pthread_mutex_destroy(&posix_mutex_of(m)->lock);
}

/* ------------------------------------------------------------ the sketch's loop */

/* How long a loop() that looked at nothing may sleep when no doorbell comes: with threads of
 * its own on this core, what loop() watches may be theirs to change. */
#define IDLE_MS 1000u
#define IDLE_THREADS_MS 50u

void duet_posix_io_loop_start(void)
{
    watched = 0;
}

uint32_t duet_posix_io_loop_idle_ms(bool busy)
{
    if (watched & WATCHED_SLEPT)
        return 0;
    if ((watched & WATCHED_INPUT) || busy)
        return 1;
    pthread_mutex_lock(&thread_lock);
    bool threads = false;
    for (int i = 0; i < DUET_THREAD_MAX; i++)
        threads |= threads_run_one(i);
    pthread_mutex_unlock(&thread_lock);
    return threads ? IDLE_THREADS_MS : IDLE_MS;
}

/* ------------------------------------------------------------ for the port */

const char *duet_posix_pin_name(int pin)
{
    static const char *const names[] = {"A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7"};
    static _Thread_local char text[8];
    if (pin >= A0 && pin <= A7)
        return names[pin - A0];
    if (pin == LEDR)
        return "LEDR";
    if (pin == LEDG)
        return "LEDG";
    if (pin == LEDB)
        return "LEDB";
    snprintf(text, sizeof text, "D%d", pin);
    return text;
}

const char *duet_posix_core_name(int cpu)
{
    return cpu == DUET_CPU_M7 ? "M7" : cpu == DUET_CPU_M4 ? "M4" : "board";
}

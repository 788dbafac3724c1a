/* test_board_api.c - duet/board.h on the posix port, as the M7, outside a board: pins and
 * LEDs, analog inputs, time, servo, RTC, USB Serial both ways, threads, event records. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "duet/board.h"
#include "duet/posix/events.h"

static int events_rd = -1;   /* the read end of the pipe given as $DUET_BOARD_EVENTS */
static int serial_in_wr = -1; /* what the test types into the Serial Monitor (our stdin) */

/* Reads the next event record (header and data) from the events pipe, or fails. */
static duet_posix_event next_event(char *data, size_t cap)
{
    duet_posix_event ev;
    assert_int_equal(read(events_rd, &ev, sizeof ev), (ssize_t)sizeof ev);
    assert_true(ev.len < cap);
    if (ev.len)
        assert_int_equal(read(events_rd, data, ev.len), (ssize_t)ev.len);
    data[ev.len] = 0;
    return ev;
}

/* Skips records until one of kind arrives (at most 16). */
static duet_posix_event event_of(int kind, char *data, size_t cap)
{
    for (int i = 0; i < 16; i++) {
        duet_posix_event ev = next_event(data, cap);
        if (ev.kind == kind)
            return ev;
    }
    fail_msg("no event of kind %d", kind);
    return (duet_posix_event){0};
}

static void led_is_active_low_and_reported(void **state)
{
    (void)state;
    char data[256];
    pinMode(LEDB, OUTPUT);
    assert_int_equal(digitalRead(LEDB), HIGH); /* off at start, as the board leaves it */
    duet_posix_event ev = event_of(DUET_EV_PIN_MODE, data, sizeof data);
    assert_int_equal(ev.pin, LEDB);
    assert_int_equal(ev.value, OUTPUT);
    ev = event_of(DUET_EV_PIN, data, sizeof data);
    assert_int_equal(ev.pin, LEDB);
    assert_int_equal(ev.value, 1);
    digitalWrite(LEDB, LOW); /* on */
    assert_int_equal(digitalRead(LEDB), LOW);
    ev = event_of(DUET_EV_PIN, data, sizeof data);
    assert_int_equal(ev.pin, LEDB);
    assert_int_equal(ev.core, 3);
    assert_int_equal(ev.value, 0);
    digitalWrite(LEDB, HIGH);
    ev = event_of(DUET_EV_PIN, data, sizeof data);
    assert_int_equal(ev.pin, LEDB);
    assert_int_equal(ev.value, 1);
}

static void inputs_read_their_pull(void **state)
{
    (void)state;
    pinMode(2, INPUT_PULLUP);
    assert_int_equal(digitalRead(2), HIGH);
    pinMode(3, INPUT);
    assert_int_equal(digitalRead(3), LOW);
    digitalWrite(3, HIGH); /* on an input: the pull-up, as on Arduino */
    assert_int_equal(digitalRead(3), HIGH);
    pinMode(4, OUTPUT);
    assert_int_equal(digitalRead(4), LOW);
    digitalWrite(4, 7);
    assert_int_equal(digitalRead(4), HIGH);
}

static void bad_pins_change_nothing_and_say_why(void **state)
{
    (void)state;
    char data[256];
    digitalWrite(200, HIGH);
    assert_non_null(strstr(duet_board_error_text(), "digitalWrite: pin 200 does not exist"));
    duet_posix_event ev = event_of(DUET_EV_WARN, data, sizeof data);
    assert_non_null(strstr(data, "pin 200"));
    assert_int_equal(digitalRead(-1), LOW);
    assert_non_null(strstr(duet_board_error_text(), "digitalRead: pin -1"));
    pinMode(5, 9);
    assert_non_null(strstr(duet_board_error_text(), "mode 9 is not INPUT"));
    assert_int_equal(analogRead(13), 0);
    assert_non_null(strstr(duet_board_error_text(), "not an analog input"));
    (void)ev;
}

static void analog_inputs_start_at_zero(void **state)
{
    (void)state;
    for (int pin = A0; pin <= A7; pin++)
        assert_int_equal(analogRead(pin), 0);
    assert_int_equal(analogRead(0), 0); /* 0 means A0 */
}

static void delay_waits_and_millis_counts(void **state)
{
    (void)state;
    unsigned long m0 = millis(), u0 = micros();
    delay(30);
    unsigned long m1 = millis(), u1 = micros();
    assert_true(m1 - m0 >= 30 && m1 - m0 < 500);
    assert_true(u1 - u0 >= 30000 && u1 - u0 < 500000);
}

static void servo_clamps_and_reports(void **state)
{
    (void)state;
    char data[256];
    duet_servo s = {.pin = -1};
    assert_int_equal(duet_servo_write(&s, 10), DUET_ERR_STATE);
    assert_int_equal(duet_servo_read(&s), -1);
    assert_int_equal(duet_servo_attach(&s, 5), DUET_OK);
    assert_int_equal(duet_servo_read(&s), 90);
    assert_int_equal(duet_servo_write(&s, 45), DUET_OK);
    duet_posix_event ev = event_of(DUET_EV_SERVO, data, sizeof data);
    assert_string_equal(data, "attach");
    ev = event_of(DUET_EV_SERVO, data, sizeof data);
    assert_int_equal(ev.pin, 5);
    assert_int_equal(ev.value, 45);
    duet_servo_write(&s, 500);
    assert_int_equal(duet_servo_read(&s), 180);
    duet_servo_write(&s, -3);
    assert_int_equal(duet_servo_read(&s), 0);
    assert_int_equal(duet_servo_attach(&s, 103), DUET_ERR_ARG);
    duet_servo_detach(&s);
    assert_int_equal(duet_servo_read(&s), -1);
}

static void rtc_calendar_round_trips(void **state)
{
    (void)state;
    static const duet_rtc_time dates[] = {
        {1970, 1, 1, 0, 0, 0}, {2000, 2, 29, 23, 59, 59}, {2024, 10, 1, 11, 58, 0},
        {2099, 12, 31, 23, 59, 59}, {2100, 3, 1, 0, 0, 0}, {1969, 12, 31, 23, 59, 59},
    };
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        int64_t s = duet_rtc_from_time(&dates[i]);
        /* against the C library's own conversion */
        struct tm tm = {.tm_year = dates[i].year - 1900, .tm_mon = dates[i].month - 1, .tm_mday = dates[i].day,
                        .tm_hour = dates[i].hour, .tm_min = dates[i].minute, .tm_sec = dates[i].second};
        assert_int_equal(s, (int64_t)timegm(&tm));
        duet_rtc_time back;
        duet_rtc_to_time(s, &back);
        assert_memory_equal(&back, &dates[i], sizeof back);
    }
}

/* floor(n / d) and its remainder by the C library's 64-bit division. */
static int64_t reference_floor_div(int64_t n, int64_t d, int64_t *rem)
{
    int64_t q = n / d, r = n % d;
    if (r < 0) {
        r += d;
        q--;
    }
    *rem = r;
    return q;
}

/* A 64-bit pseudo-random sequence (splitmix64): the same numbers every run. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static void rtc_floor_div_matches_64_bit_division(void **state)
{
    (void)state;
    static const uint32_t divisors[] = {1, 2, 7, 255, 256, 400, 86400, 146097, 0xFFFFFF};
    int64_t edges[] = {INT64_MIN, INT64_MIN + 1, -86401, -86400, -86399, -1, 0, 1, 86399, 86400, INT64_MAX - 1,
                       INT64_MAX};
    uint64_t seed = 1;
    for (size_t i = 0; i < sizeof divisors / sizeof divisors[0]; i++) {
        for (size_t k = 0; k < 2000 + sizeof edges / sizeof edges[0]; k++) {
            int64_t n = k < sizeof edges / sizeof edges[0] ? edges[k] : (int64_t)next_random(&seed);
            if (k % 3 == 0 && k >= sizeof edges / sizeof edges[0])
                n >>= next_random(&seed) % 63; /* small numbers too, of either sign */
            uint32_t rem;
            int64_t want_rem, want = reference_floor_div(n, divisors[i], &want_rem);
            assert_int_equal(duet_rtc_floor_div(n, divisors[i], &rem), want);
            assert_int_equal(rem, want_rem);
        }
    }
}

static void rtc_calendar_matches_the_c_library(void **state)
{
    (void)state;
    /* From 1900 to 2400, every 104,729 seconds (a prime: every time of day comes up). */
    for (int64_t s = -2208988800; s < 13569465600; s += 104729) {
        time_t t = (time_t)s;
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        duet_rtc_time c;
        duet_rtc_to_time(s, &c);
        duet_rtc_time want = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
        assert_memory_equal(&c, &want, sizeof c);
        assert_int_equal(duet_rtc_from_time(&c), s);
    }
    /* Far from now, both ways (years within an int: 2^55 seconds is a billion years). */
    uint64_t seed = 7;
    for (int i = 0; i < 20000; i++) {
        int64_t s = (int64_t)next_random(&seed) >> 9;
        duet_rtc_time c;
        duet_rtc_to_time(s, &c);
        assert_true(c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= 31);
        assert_true(c.hour >= 0 && c.hour < 24 && c.minute >= 0 && c.minute < 60 && c.second >= 0 && c.second < 60);
        int64_t second_of_day;
        reference_floor_div(s, 86400, &second_of_day);
        assert_int_equal((int64_t)c.hour * 3600 + c.minute * 60 + c.second, second_of_day);
        assert_int_equal(duet_rtc_from_time(&c), s);
    }
}

static void rtc_counts_from_what_was_set(void **state)
{
    (void)state;
    char data[256];
    assert_true(duet_rtc_get() >= 946684800); /* unset: from 2000-01-01 */
    duet_rtc_time t = {2024, 10, 1, 11, 58, 0};
    int64_t s = duet_rtc_from_time(&t);
    assert_int_equal(duet_rtc_set(s), DUET_OK);
    int64_t now = duet_rtc_get();
    assert_true(now >= s && now <= s + 1);
    event_of(DUET_EV_RTC, data, sizeof data);
    assert_int_equal(strtoll(data, NULL, 10), s);
    assert_int_equal(duet_rtc_set(-1), DUET_ERR_ARG);
    assert_int_equal(duet_rtc_set(4102444800LL), DUET_ERR_ARG);
    assert_true(duet_rtc_get() >= s); /* unchanged */
}

static void serial_writes_stdout_and_reads_stdin(void **state)
{
    (void)state;
    int out[2];
    assert_int_equal(pipe(out), 0);
    int saved = dup(STDOUT_FILENO);
    dup2(out[1], STDOUT_FILENO);
    assert_int_equal(duet_serial_begin(115200), DUET_OK);
    assert_int_equal(duet_serial_print("M7: "), 4);
    assert_int_equal(duet_serial_println("hello"), 7);
    assert_int_equal(duet_serial_printf("%d%%", 42), 3);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(out[1]);
    char got[64] = {0};
    assert_int_equal(read(out[0], got, sizeof got - 1), 14);
    assert_string_equal(got, "M7: hello\r\n42%");
    close(out[0]);

    assert_int_equal(duet_serial_available(), 0);
    assert_int_equal(duet_serial_read(), -1);
    assert_int_equal(write(serial_in_wr, "ok", 2), 2);
    assert_int_equal(duet_serial_available(), 2);
    assert_int_equal(duet_serial_peek(), 'o');
    assert_int_equal(duet_serial_read(), 'o');
    assert_int_equal(duet_serial_read(), 'k');
    assert_int_equal(duet_serial_read(), -1);
}

static int ran[DUET_THREAD_MAX];
static int release;

/* Waits until the test releases it, then marks that it ran. */
static void thread_fn(void *arg)
{
    while (!__atomic_load_n(&release, __ATOMIC_ACQUIRE))
        delay(1);
    __atomic_store_n((int *)arg, 1, __ATOMIC_RELEASE);
}

static void threads_run_up_to_the_limit(void **state)
{
    (void)state;
    for (int i = 0; i < DUET_THREAD_MAX; i++)
        assert_int_equal(duet_thread_start(thread_fn, &ran[i]), DUET_OK);
    /* DUET_THREAD_MAX run at once: one more is refused while they run. */
    assert_int_equal(duet_thread_start(thread_fn, NULL), DUET_ERR_FULL);
    assert_non_null(strstr(duet_board_error_text(), "DUET_THREAD_MAX"));
    assert_int_equal(duet_thread_start(NULL, NULL), DUET_ERR_ARG);
    __atomic_store_n(&release, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < DUET_THREAD_MAX; i++) {
        for (int t = 0; t < 2000 && !__atomic_load_n(&ran[i], __ATOMIC_ACQUIRE); t++)
            delay(1);
        assert_int_equal(ran[i], 1);
    }
    /* A thread that returned frees its place for a new one, which can be joined. */
    static int again;
    unsigned id = 0;
    int rc = DUET_ERR_FULL;
    for (int t = 0; t < 2000 && rc == DUET_ERR_FULL; t++) {
        rc = duet_thread_create(thread_fn, &again, &id);
        if (rc == DUET_ERR_FULL)
            delay(1);
    }
    assert_int_equal(rc, DUET_OK);
    assert_int_equal(duet_thread_join(id), DUET_OK);
    assert_int_equal(__atomic_load_n(&again, __ATOMIC_ACQUIRE), 1);
}

static void map_scales_like_arduino(void **state)
{
    (void)state;
    assert_int_equal(map(0, 0, 1023, 0, 180), 0);
    assert_int_equal(map(1023, 0, 1023, 0, 180), 180);
    assert_int_equal(map(512, 0, 1023, 0, 180), 90);
    assert_int_equal(map(5, 3, 3, 7, 9), 7);
}

int main(void)
{
    /* Outside a board, as the M7, with the event records and Serial input on pipes. */
    unsetenv("DUET_BOARD");
    unsetenv("DUET_CORE");
    int ev[2], in[2];
    if (pipe(ev) != 0 || pipe(in) != 0)
        return 1;
    fcntl(ev[0], F_SETFL, fcntl(ev[0], F_GETFL)); /* blocking reads: a missing record fails by timeout */
    char fd[16];
    snprintf(fd, sizeof fd, "%d", ev[1]);
    setenv("DUET_BOARD_EVENTS", fd, 1);
    events_rd = ev[0];
    dup2(in[0], STDIN_FILENO);
    close(in[0]);
    serial_in_wr = in[1];

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(led_is_active_low_and_reported),
        cmocka_unit_test(inputs_read_their_pull),
        cmocka_unit_test(bad_pins_change_nothing_and_say_why),
        cmocka_unit_test(analog_inputs_start_at_zero),
        cmocka_unit_test(delay_waits_and_millis_counts),
        cmocka_unit_test(servo_clamps_and_reports),
        cmocka_unit_test(rtc_calendar_round_trips),
        cmocka_unit_test(rtc_floor_div_matches_64_bit_division),
        cmocka_unit_test(rtc_calendar_matches_the_c_library),
        cmocka_unit_test(rtc_counts_from_what_was_set),
        cmocka_unit_test(serial_writes_stdout_and_reads_stdin),
        cmocka_unit_test(threads_run_up_to_the_limit),
        cmocka_unit_test(map_scales_like_arduino),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

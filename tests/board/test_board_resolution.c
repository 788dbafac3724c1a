/* test_board_resolution.c - analogReadResolution() and analogWriteResolution() on the posix
 * port, as the M7 on a board directory of its own: A0 set to a 10-bit value in the board's
 * io file (as duet-board run --analog A0=700 sets it), read at other resolutions; analogWrite
 * duties at other resolutions in the PWM event records (always 0..255); bad resolutions. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "duet/board.h"
#include "duet/posix/events.h"

static int events_rd = -1;       /* the read end of the pipe given as $DUET_BOARD_EVENTS */
static duet_posix_io *io;         /* the board's io file, mapped as duet-board maps it */

/* Skips records until one of kind arrives (at most 16); its data (text) in data. */
static duet_posix_event event_of(int kind, char *data, size_t cap)
{
    for (int i = 0; i < 16; i++) {
        duet_posix_event ev;
        assert_int_equal(read(events_rd, &ev, sizeof ev), (ssize_t)sizeof ev);
        assert_true(ev.len < cap);
        if (ev.len)
            assert_int_equal(read(events_rd, data, ev.len), (ssize_t)ev.len);
        data[ev.len] = 0;
        if (ev.kind == kind)
            return ev;
    }
    fail_msg("no event of kind %d", kind);
    return (duet_posix_event){0};
}

/* The duty the PWM event of analogWrite(6, value) carries. */
static int pwm_event_of(int value)
{
    char data[256];
    analogWrite(6, value);
    duet_posix_event ev = event_of(DUET_EV_PWM, data, sizeof data);
    assert_int_equal(ev.pin, 6);
    return ev.value;
}

static int input_at_700(void **state)
{
    (void)state;
    io->analog[0] = 700;
    return 0;
}

static int back_to_defaults(void **state)
{
    analogReadResolution(10);
    analogWriteResolution(8);
    return input_at_700(state);
}

static void resolutions_start_at_arduinos_defaults(void **state)
{
    (void)state;
    assert_int_equal(analogRead(A0), 700);
    assert_int_equal(pwm_event_of(128), 128);
    assert_int_equal(pwm_event_of(300), 255); /* clamped, as before */
}

/* The 10-bit input as a 16-bit reading (its bits repeated below it: 1023 reads 65535), then
 * shifted down to the bits asked for, as Arduino's core shifts the ADC's 16-bit reading. */
static void reads_follow_the_read_resolution(void **state)
{
    (void)state;
    analogReadResolution(12);
    assert_int_equal(analogRead(A0), 2802);  /* 700 << 2 = 2800, and 700's top bits below */
    analogReadResolution(16);
    assert_int_equal(analogRead(A0), 44843); /* 700 << 6 | 700 >> 4 */
    analogReadResolution(8);
    assert_int_equal(analogRead(A0), 175);
    analogReadResolution(1);
    assert_int_equal(analogRead(A0), 1);
    io->analog[0] = 1023; /* full scale reads full scale at every resolution */
    for (int bits = 1; bits <= 16; bits++) {
        analogReadResolution(bits);
        assert_int_equal(analogRead(A0), (1 << bits) - 1);
    }
    io->analog[0] = 0;
    assert_int_equal(analogRead(A0), 0);
}

static void bad_read_resolutions_change_nothing_and_say_why(void **state)
{
    (void)state;
    char data[256];
    analogReadResolution(12);
    const int bad[] = {0, 17, 32, -1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        analogReadResolution(bad[i]);
        char want[128];
        snprintf(want, sizeof want, "analogReadResolution: %d bits is not 1..16", bad[i]);
        assert_non_null(strstr(duet_board_error_text(), want));
        assert_non_null(strstr(duet_board_error_text(), "the resolution stays 12 bits"));
        event_of(DUET_EV_WARN, data, sizeof data);
        assert_non_null(strstr(data, want));
        assert_int_equal(analogRead(A0), 2802);
    }
}

/* A duty at another resolution: the event carries it as a fraction of 255, rounded. */
static void writes_follow_the_write_resolution(void **state)
{
    (void)state;
    analogWriteResolution(12);
    assert_int_equal(pwm_event_of(2048), 128);
    assert_int_equal(pwm_event_of(4095), 255);
    assert_int_equal(pwm_event_of(5000), 255); /* clamped to 4095 */
    assert_int_equal(pwm_event_of(8), 0);
    assert_int_equal(pwm_event_of(9), 1);
    assert_int_equal(pwm_event_of(-3), 0);
    analogWriteResolution(16);
    assert_int_equal(pwm_event_of(32768), 128);
    assert_int_equal(pwm_event_of(65535), 255);
    analogWriteResolution(1);
    assert_int_equal(pwm_event_of(1), 255);
    assert_int_equal(pwm_event_of(0), 0);
    analogWriteResolution(31);
    assert_int_equal(pwm_event_of(0x7FFFFFFF), 255);
    assert_int_equal(pwm_event_of(0x40000000), 128);
}

static void bad_write_resolutions_change_nothing_and_say_why(void **state)
{
    (void)state;
    char data[256];
    analogWriteResolution(12);
    const int bad[] = {0, 32, -8};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        analogWriteResolution(bad[i]);
        char want[128];
        snprintf(want, sizeof want, "analogWriteResolution: %d bits is not 1..31", bad[i]);
        assert_non_null(strstr(duet_board_error_text(), want));
        assert_non_null(strstr(duet_board_error_text(), "the resolution stays 12 bits"));
        event_of(DUET_EV_WARN, data, sizeof data);
        assert_non_null(strstr(data, want));
        assert_int_equal(pwm_event_of(2048), 128);
    }
}

/* A board directory with the io file, as duet-board makes it; the events on a pipe. */
static int open_board(void)
{
    char dir[] = "/tmp/duet-resolution-XXXXXX";
    char path[64];
    int ev[2];
    if (!mkdtemp(dir) || pipe(ev) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/io", dir);
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0 || ftruncate(fd, DUET_POSIX_IO_SIZE) != 0)
        return -1;
    io = mmap(NULL, DUET_POSIX_IO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (io == MAP_FAILED)
        return -1;
    setenv("DUET_BOARD", dir, 1);
    unsetenv("DUET_CORE");
    char fdtext[16];
    snprintf(fdtext, sizeof fdtext, "%d", ev[1]);
    setenv("DUET_BOARD_EVENTS", fdtext, 1);
    events_rd = ev[0];
    (void)analogRead(A0); /* the port maps the io file and sets it up */
    unlink(path); /* the mappings keep it */
    rmdir(dir);
    return io->magic == DUET_POSIX_IO_MAGIC ? 0 : -1;
}

int main(void)
{
    if (open_board() != 0) {
        fprintf(stderr, "test_board_resolution: could not make a board directory\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(resolutions_start_at_arduinos_defaults, input_at_700),
        cmocka_unit_test_setup(reads_follow_the_read_resolution, back_to_defaults),
        cmocka_unit_test_setup(bad_read_resolutions_change_nothing_and_say_why, back_to_defaults),
        cmocka_unit_test_setup(writes_follow_the_write_resolution, back_to_defaults),
        cmocka_unit_test_setup(bad_write_resolutions_change_nothing_and_say_why, back_to_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

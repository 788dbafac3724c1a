/* test_systick.c - ports/cortex_m/systick.c (the millisecond clock without a tick, and the
 * alarm that ends a sleep), wait.c (the port's wait and the sleep to a tick) and
 * board_time.c (millis(), micros(), and delay(), which sleeps on them) on the host, over a
 * simulated SysTick (fake_systick.c).
 *
 * The clock may run late by the few ticks a restart takes, never early. Under QEMU on a
 * loaded host, a core can be paused at any instruction while its SysTick runs on; a pause
 * in the alarm's restart once made the clock count a count twice or a count gone negative
 * (a jump of hours). The pause tests put one at every register access of a sleep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "duet/board.h"
#include "duet/cortex_m.h"
#include "duet/duet.h"
#include "fake_systick.h"

#define TPM 1000u                               /* ticks a millisecond: a 1 MHz clock */
#define LONGEST (0x1000000u / TPM * TPM)        /* ticks of the clock's longest count */
#define SHORTEST 256u                           /* systick.c's shortest count */
#define SLACK 8u                                /* ticks between a register read and ours */

static uint64_t true0, clock0, paused;
static char where[80] = "no pause"; /* the case, for a failure's message */

static void start(void)
{
    duet_cortex_m_systick_stop();
    fake_systick_reset();
    duet_cortex_m_systick_start(TPM);
    clock0 = duet_cortex_m_ticks();
    true0 = fake_systick_now();
    paused = 0;
}

/* The clock is never ahead of the time that passed, and late by at most the pauses and
 * two milliseconds (a pause after an alarm restarted costs that count's time). */
static void check_clock(void)
{
    uint64_t before = fake_systick_now() - true0;
    uint64_t clock = duet_cortex_m_ticks() - clock0;
    uint64_t after = fake_systick_now() - true0;
    if (clock > after + SLACK)
        fail_msg("%s: clock ahead: %llu ticks counted, %llu passed", where,
                 (unsigned long long)clock, (unsigned long long)after);
    if (before > clock + paused + 2u * TPM)
        fail_msg("%s: clock late: %llu ticks counted, %llu passed, %llu paused", where,
                 (unsigned long long)clock, (unsigned long long)before,
                 (unsigned long long)paused);
}

/* What duet_cortex_m_wait does with no doorbell: alarm, WFI, until timeout_ms have passed
 * by the clock. */
static void sleep_ms(uint32_t timeout_ms)
{
    uint32_t since = duet_cortex_m_millis();
    uint32_t mask = duet_cortex_m_irq_save();
    for (;;) {
        uint32_t spent = duet_cortex_m_millis() - since;
        if (spent >= timeout_ms)
            break;
        duet_cortex_m_clock_alarm(timeout_ms - spent);
        assert_true(fake_systick_wfi(2ull * LONGEST)); /* a count ends: it wakes */
        duet_cortex_m_irq_restore(mask);
        check_clock();
        mask = duet_cortex_m_irq_save();
    }
    duet_cortex_m_irq_restore(mask);
}

static void test_clock_follows_time_through_sleeps_and_idling(void **state)
{
    (void)state;
    start();
    for (uint32_t i = 0; i < 300; i++) {
        sleep_ms(1u + i % 7u);
        check_clock();
        fake_systick_idle((i * 7919u) % 5000u);
        check_clock();
    }
    fake_systick_idle(3ull * LONGEST + 12345u); /* counts end with nobody asleep */
    check_clock();
    uint32_t before = duet_cortex_m_millis();
    fake_systick_idle(LONGEST / 2u);
    assert_int_equal(duet_cortex_m_millis() - before, LONGEST / 2u / TPM);
}

static void test_sleep_wakes_when_its_milliseconds_have_passed(void **state)
{
    (void)state;
    start();
    fake_systick_idle(12345u); /* into a millisecond */
    for (uint32_t ms = 1; ms <= 40; ms += 3) {
        uint64_t t = fake_systick_now();
        uint32_t interrupts = fake_systick_interrupts();
        sleep_ms(ms);
        uint64_t slept = fake_systick_now() - t;
        assert_true(slept > (ms - 1u) * TPM);
        assert_true(slept <= (ms + 1u) * TPM + SHORTEST);
        /* the alarm's interrupt (and the shortest count's), not one a millisecond */
        assert_true(fake_systick_interrupts() - interrupts <= 3u);
    }
}

/* A sleep that begins lead ticks before the running count ends, paused at its access-th
 * register access for pause ticks, then more sleeping and idling. */
static void sleep_paused(uint32_t lead, uint64_t access, uint32_t pause)
{
    start();
    fake_systick_idle(LONGEST - lead);
    fake_systick_pause(access, pause);
    paused = pause;
    snprintf(where, sizeof where, "%u ticks before a count ends, paused %u at access %u",
             (unsigned)lead, (unsigned)pause, (unsigned)access);
    sleep_ms(1);
    check_clock();
    for (int i = 0; i < 3; i++) {
        sleep_ms(3);
        check_clock();
        fake_systick_idle(50000u);
        check_clock();
    }
    fake_systick_idle(2ull * LONGEST);
    check_clock();
}

static void test_a_pause_anywhere_in_a_sleep_keeps_the_clock(void **state)
{
    (void)state;
    static const uint32_t leads[] = {300u, 1100u, 2500u};
    static const uint32_t pauses[] = {400u, 1500u, 4000u, 25000u};
    for (size_t l = 0; l < sizeof leads / sizeof leads[0]; l++)
        for (size_t p = 0; p < sizeof pauses / sizeof pauses[0]; p++)
            for (uint64_t access = 1; access <= 60; access++)
                sleep_paused(leads[l], access, pauses[p]);
}

/* A free-running counter for the clock (duet_cortex_m_clock_counter): it counts down at
 * SysTick's rate from counter_start, and wraps. */
static uint32_t counter_start;

static uint32_t fake_counter(void)
{
    return counter_start - (uint32_t)fake_systick_now();
}

/* With the counter, the clock is the counter's time to the tick, whatever SysTick's alarms
 * and pauses do, across the counter's wraps; it goes on from where SysTick's clock stood. */
static void test_counter_clock_follows_time_to_the_tick(void **state)
{
    (void)state;
    start();
    snprintf(where, sizeof where, "the counter's clock");
    sleep_ms(3);
    fake_systick_idle(5555u);
    uint64_t before = duet_cortex_m_ticks();
    /* The counter wraps 2.5 longest counts from now. */
    counter_start = (uint32_t)fake_systick_now() + (uint32_t)(5u * LONGEST / 2u);
    duet_cortex_m_clock_counter(fake_counter);
    uint64_t clock_s = duet_cortex_m_ticks(), true_s = fake_systick_now();
    assert_true(clock_s >= before && clock_s - before <= SLACK);
    for (uint32_t i = 0; i < 200; i++) {
        if (i % 10 == 3)
            fake_systick_pause(1u + i % 7u, 1500u); /* a paused core: no time lost */
        sleep_ms(1u + i % 5u);
        fake_systick_idle((i * 7919u) % 30000u);
        uint64_t clock = duet_cortex_m_ticks() - clock_s, passed = fake_systick_now() - true_s;
        if (clock != passed)
            fail_msg("sleep %u: %llu ticks counted, %llu passed", (unsigned)i, (unsigned long long)clock,
                     (unsigned long long)passed);
    }
    fake_systick_idle(3ull * LONGEST); /* past the counter's wrap, nobody asleep */
    assert_true(fake_systick_now() - true_s > 5u * LONGEST / 2u);
    uint64_t passed = fake_systick_now() - true_s;
    assert_int_equal(duet_cortex_m_ticks() - clock_s, passed);
    assert_int_equal(duet_cortex_m_millis(), (uint32_t)((clock_s + passed) / TPM));
}

/* ------------------------------------------------------------ board_time.c */

/* What delay() calls: the port's wait (wait.c's duet_cortex_m_wait on the test's doorbell,
 * as the ports call it), wait.c's sleep to a tick, duet_poll, and the threads' wait. */
static unsigned polls, waits, tick_sleeps;
static bool in_port_wait;
static volatile uint32_t bell;      /* the doorbell's flag, which its interrupt sets */
static unsigned ring_after_poll;    /* the poll after which the doorbell rings (0: none) */
static uint64_t rang_at, served_at; /* when it rang, and the first poll after that */
unsigned duet_cortex_m_loop_watched;

/* The WFI of wait.c: one outside the port's wait is a sleep to a tick. */
void duet_cortex_m_wfi(void)
{
    if (!in_port_wait)
        tick_sleeps++;
    assert_true(fake_systick_wfi(2ull * LONGEST));
}

static void port_wait(duet_port *port, uint32_t timeout_ms)
{
    (void)port;
    waits++;
    in_port_wait = true;
    duet_cortex_m_wait(&bell, timeout_ms);
    in_port_wait = false;
}

static duet_port port = {.wait = port_wait};

duet_port *duet_port_default(void)
{
    return &port;
}

int duet_poll(void)
{
    polls++;
    if (rang_at && !served_at)
        served_at = fake_systick_now();
    if (polls == ring_after_poll) {
        bell = 1; /* its interrupt ran just after this poll */
        rang_at = fake_systick_now();
    }
    return 0;
}

/* The threads' scheduler's wait (thread.c), in whole milliseconds. */
static bool thread_wait(volatile uint32_t *flag, uint32_t timeout_ms)
{
    (void)flag;
    sleep_ms(timeout_ms);
    return false;
}

/* delay(ms) from offset ticks into a millisecond: how many ticks it took. It served the other
 * core at least once, and slept (at most three sleeps, not a loop of looks). */
static uint64_t timed_delay(uint32_t offset, uint32_t ms)
{
    start();
    fake_systick_idle(7u * TPM + offset);
    polls = waits = tick_sleeps = 0;
    bell = 0;
    rang_at = served_at = 0;
    uint64_t t = fake_systick_now();
    delay(ms);
    uint64_t took = fake_systick_now() - t;
    assert_true(polls >= 1);
    assert_true(waits + tick_sleeps <= 3u);
    assert_int_equal(polls, waits + tick_sleeps + 1u);
    return took;
}

/* Never shorter than asked (Arduino's rule), and, without threads, over at the asked tick:
 * late by no more than the shortest count an alarm sets and the clock's few ticks. */
static void test_delay_ends_at_its_tick(void **state)
{
    (void)state;
    duet_cortex_m_wait_by(NULL);
    const uint32_t offsets[] = {0, 1, 300, TPM / 2u, TPM - 1u};
    const uint32_t lengths[] = {0, 1, 2, 3, 17, 1000};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        for (size_t j = 0; j < sizeof lengths / sizeof lengths[0]; j++) {
            uint64_t took = timed_delay(offsets[i], lengths[j]), want = (uint64_t)lengths[j] * TPM;
            if (took < want || took > want + SHORTEST + 4u * SLACK)
                fail_msg("delay(%u) from tick %u of a millisecond took %llu ticks", (unsigned)lengths[j],
                         (unsigned)offsets[i], (unsigned long long)took);
        }
}

/* Where threads wait through their scheduler (in whole milliseconds), a delay is still never
 * shorter than asked, and over within the millisecond after. */
static void test_delay_with_threads_ends_within_a_millisecond(void **state)
{
    (void)state;
    duet_cortex_m_wait_by(thread_wait);
    for (uint32_t offset = 0; offset < TPM; offset += 333u)
        for (uint32_t ms = 0; ms < 5; ms++) {
            uint64_t took = timed_delay(offset, ms);
            if (took < ms * TPM || took > (ms + 1u) * TPM + 4u * SLACK)
                fail_msg("delay(%u) from tick %u took %llu ticks", (unsigned)ms, (unsigned)offset,
                         (unsigned long long)took);
            assert_int_equal(tick_sleeps, 0);
        }
    duet_cortex_m_wait_by(NULL);
}

/* A ring that comes between a delay's last look and its sleep to the tick (its interrupt ran
 * just after that poll) is served at once, not when the delay ends; the delay still ends at
 * its tick. delay(2) from offset ticks into a millisecond: a poll, the port's wait to the
 * start of the millisecond it ends in, a poll (the doorbell rings here), the sleep to the
 * tick. */
static void test_a_ring_before_the_sleep_to_the_tick_is_served_at_once(void **state)
{
    (void)state;
    duet_cortex_m_wait_by(NULL);
    const uint32_t offsets[] = {300, TPM / 2u, TPM - 100u}; /* a sleep to the tick follows */
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        ring_after_poll = 2;
        start();
        fake_systick_idle(7u * TPM + offsets[i]);
        polls = waits = tick_sleeps = 0;
        bell = 0;
        rang_at = served_at = 0;
        uint64_t t = fake_systick_now();
        delay(2);
        uint64_t took = fake_systick_now() - t;
        ring_after_poll = 0;
        if (!rang_at || !served_at)
            fail_msg("from tick %u: rang at %llu, served at %llu", (unsigned)offsets[i],
                     (unsigned long long)rang_at, (unsigned long long)served_at);
        if (served_at - rang_at > 4u * SLACK)
            fail_msg("from tick %u: a ring served %llu ticks after it came", (unsigned)offsets[i],
                     (unsigned long long)(served_at - rang_at));
        if (took < 2u * TPM || took > 2u * TPM + SHORTEST + 4u * SLACK)
            fail_msg("from tick %u: delay(2) took %llu ticks", (unsigned)offsets[i], (unsigned long long)took);
        assert_int_equal(bell, 0); /* the ring was taken */
        /* Each look is followed by a wait, a sleep or the end, and the ring by one more look. */
        assert_int_equal(polls, waits + tick_sleeps + 2u);
    }
}

/* delayMicroseconds(us) from offset ticks into a millisecond: how many ticks it took. */
static uint64_t timed_delay_us(uint32_t offset, unsigned us)
{
    start();
    fake_systick_idle(7u * TPM + offset);
    polls = waits = tick_sleeps = 0;
    rang_at = served_at = 0;
    uint64_t t = fake_systick_now();
    delayMicroseconds(us);
    return fake_systick_now() - t;
}

/* delayMicroseconds is never shorter than asked and over at its tick, as delay(): what is
 * under a millisecond is a sleep (one or two, not a loop of looks at the clock), and a
 * doorbell that rang is served within it. The test's clock runs at 1 MHz: a tick is a
 * microsecond. */
static void test_delay_microseconds_sleeps_to_its_tick(void **state)
{
    (void)state;
    duet_cortex_m_wait_by(NULL);
    const uint32_t offsets[] = {0, 1, TPM / 2u, TPM - 1u};
    const unsigned lengths[] = {0, 1, 100, 300, 999, 1000, 1001, 2500};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        for (size_t j = 0; j < sizeof lengths / sizeof lengths[0]; j++) {
            unsigned us = lengths[j];
            bell = 0;
            uint64_t took = timed_delay_us(offsets[i], us);
            if (took < us || took > us + SHORTEST + 4u * SLACK)
                fail_msg("delayMicroseconds(%u) from tick %u of a millisecond took %llu ticks", us,
                         (unsigned)offsets[i], (unsigned long long)took);
            if (us < 1000u) /* no delay() part: sleeps only, no look at the other core */
                assert_int_equal(polls, 0);
            /* delay()'s three at most, and as many for the rest (the short count after an
             * alarm can end a sleep early, systick.c) */
            if (tick_sleeps + waits > 6u)
                fail_msg("delayMicroseconds(%u) from tick %u: %u sleeps and %u waits", us,
                         (unsigned)offsets[i], tick_sleeps, waits);
            if (us >= 100u && us < 1000u) /* (a microsecond passes in the clock's reads) */
                assert_true(tick_sleeps >= 1u);
        }
    /* A doorbell that rang before the sleep is served, and the wait still ends at its tick. */
    bell = 1;
    uint64_t took = timed_delay_us(300, 500);
    assert_int_equal(bell, 0);
    assert_int_equal(polls, 1);
    assert_true(took >= 500u && took <= 500u + SHORTEST + 4u * SLACK);
}

/* Where threads wait through their scheduler, what is under a millisecond lasts to the next
 * millisecond's start: never shorter than asked, no sleep of the whole core. */
static void test_delay_microseconds_with_threads(void **state)
{
    (void)state;
    duet_cortex_m_wait_by(thread_wait);
    for (uint32_t offset = 0; offset < TPM; offset += 250u)
        for (unsigned us = 1; us < 3000u; us += 700u) {
            bell = 0;
            uint64_t took = timed_delay_us(offset, us);
            if (took < us || took > us + TPM + 4u * SLACK)
                fail_msg("delayMicroseconds(%u) from tick %u took %llu ticks", us, (unsigned)offset,
                         (unsigned long long)took);
            assert_int_equal(tick_sleeps, 0);
        }
    duet_cortex_m_wait_by(NULL);
}

/* A delay that waits marks loop() as having slept (the loop then calls it again at once); a
 * delay of 0 waits for nothing and marks nothing, or a loop() of delay(0) alone would run
 * again and again without a sleep. */
static void test_only_a_delay_that_waits_counts_as_sleeping(void **state)
{
    (void)state;
    duet_cortex_m_wait_by(NULL);
    start();
    duet_cortex_m_loop_watched = 0;
    delay(0);
    delayMicroseconds(0);
    assert_int_equal(duet_cortex_m_loop_watched, 0);
    delay(1);
    assert_int_equal(duet_cortex_m_loop_watched, DUET_CORTEX_M_WATCHED_SLEPT);
    duet_cortex_m_loop_watched = 0;
    delayMicroseconds(5);
    assert_int_equal(duet_cortex_m_loop_watched, DUET_CORTEX_M_WATCHED_SLEPT);
    duet_cortex_m_loop_watched = 0;
}

/* millis() and micros() are the clock's time, to the millisecond and to the microsecond (the
 * clock's ticks times 1000 over its rate, in 32 bits), wrapping micros() at 2^32. */
static void test_millis_and_micros_follow_the_clock(void **state)
{
    (void)state;
    start();
    for (uint32_t i = 0; i < 200; i++) {
        fake_systick_idle(1u + (i * 7919u) % 5000u);
        uint64_t t0 = duet_cortex_m_ticks();
        unsigned long ms = millis(), us = micros();
        uint64_t t1 = duet_cortex_m_ticks();
        assert_true(ms >= t0 / TPM && ms <= t1 / TPM);
        assert_true(us >= (uint32_t)(t0 * 1000u / TPM) && us <= (uint32_t)(t1 * 1000u / TPM));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_follows_time_through_sleeps_and_idling),
        cmocka_unit_test(test_sleep_wakes_when_its_milliseconds_have_passed),
        cmocka_unit_test(test_a_pause_anywhere_in_a_sleep_keeps_the_clock),
        cmocka_unit_test(test_counter_clock_follows_time_to_the_tick),
        cmocka_unit_test(test_millis_and_micros_follow_the_clock),
        cmocka_unit_test(test_delay_ends_at_its_tick),
        cmocka_unit_test(test_delay_with_threads_ends_within_a_millisecond),
        cmocka_unit_test(test_a_ring_before_the_sleep_to_the_tick_is_served_at_once),
        cmocka_unit_test(test_delay_microseconds_sleeps_to_its_tick),
        cmocka_unit_test(test_delay_microseconds_with_threads),
        cmocka_unit_test(test_only_a_delay_that_waits_counts_as_sleeping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_mbed.cpp - what the layer has of Mbed OS beyond the guide's sketches: mbed::Callback and
 * callback() for every kind of callable, rtos::Thread's join (and a thread's place freed when it
 * returns), rtos::Mutex (recursive, trylock, trylock_for, the owner), and the board's thread
 * and mutex functions underneath (duet/board.h), in one process on the posix port. */
#include <atomic>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

extern "C" {
#include <cmocka.h>
}

#include "Arduino.h"
#include "mbed.h"

namespace {

int add(int a, int b) { return a + b; }
int scaled(int *factor, int x) { return *factor * x; }

struct Counter {
    int total = 0;
    int add(int n) { return total += n; }
    int get() const { return total; }
};

void test_callback(void **state)
{
    (void)state;
    mbed::Callback<int(int, int)> empty;
    assert_false((bool)empty);
    assert_false((bool)mbed::Callback<void()>(nullptr));

    mbed::Callback<int(int, int)> f = mbed::callback(add);
    assert_true((bool)f);
    assert_int_equal(f(2, 3), 5);
    assert_int_equal(f.call(-4, 1), -3);

    int factor = 7;
    mbed::Callback<int(int)> bound = mbed::callback(scaled, &factor);
    assert_int_equal(bound(6), 42);
    factor = 2;
    assert_int_equal(bound(6), 12); /* the pointer is bound, not the value */

    Counter c;
    mbed::Callback<int(int)> method = mbed::callback(&c, &Counter::add);
    assert_int_equal(method(5), 5);
    assert_int_equal(method(5), 10);
    mbed::Callback<int()> getter = mbed::callback(static_cast<const Counter *>(&c), &Counter::get);
    assert_int_equal(getter(), 10);

    /* A lambda with captures (a String among them: not trivially copyable), copied around. */
    String prefix("n=");
    int offset = 100;
    mbed::Callback<String(int)> text = mbed::callback([prefix, offset](int n) { return prefix + String(n + offset); });
    mbed::Callback<String(int)> copy = text;
    mbed::Callback<String(int)> assigned;
    assigned = copy;
    text = nullptr;
    assert_false((bool)text);
    assert_string_equal(copy(1).c_str(), "n=101");
    assert_string_equal(assigned(2).c_str(), "n=102");

    /* A Callback<void()> takes a function whose result it drops. */
    static int calls;
    calls = 0;
    mbed::Callback<void()> drop([] { return ++calls; });
    drop();
    drop();
    assert_int_equal(calls, 2);
}

std::atomic<int> steps;

void slow_task()
{
    delay(50);
    steps.fetch_add(1);
}

void test_thread_join(void **state)
{
    (void)state;
    steps = 0;
    rtos::Thread t;
    assert_int_equal(t.join(), osErrorResource); /* never started */
    uint32_t before = millis();
    assert_int_equal(t.start(slow_task), osOK);
    assert_int_equal(t.start(slow_task), osErrorResource); /* one thread per object */
    assert_int_equal(t.join(), osOK);
    assert_int_equal(steps.load(), 1);
    assert_true(millis() - before >= 50);
    assert_int_equal(t.join(), osOK); /* again: it has ended */

    /* A thread's place is free once it returned: DUET_THREAD_MAX at a time, twice over. */
    for (int round = 0; round < 2; round++) {
        rtos::Thread threads[DUET_THREAD_MAX];
        for (rtos::Thread &th : threads) /* they run together: each adds in one atomic step */
            assert_int_equal(th.start(mbed::callback([] { steps.fetch_add(1); })), osOK);
        for (rtos::Thread &th : threads)
            assert_int_equal(th.join(), osOK);
    }
    assert_int_equal(steps.load(), 1 + 2 * DUET_THREAD_MAX);
}

void test_thread_limits(void **state)
{
    (void)state;
    unsigned ids[DUET_THREAD_MAX];
    static std::atomic<bool> go;
    go = false;
    auto wait_for_go = [](void *) {
        while (!go)
            delay(1);
    };
    for (unsigned &id : ids)
        assert_int_equal(duet_thread_create(wait_for_go, nullptr, &id), DUET_OK);
    for (int i = 1; i < DUET_THREAD_MAX; i++)
        assert_true(ids[i] > ids[i - 1]); /* numbers are never given twice */
    assert_int_equal(duet_thread_start(wait_for_go, nullptr), DUET_ERR_FULL);
    assert_non_null(strstr(duet_board_error_text(), "DUET_THREAD_MAX"));
    go = true;
    for (unsigned id : ids)
        assert_int_equal(duet_thread_join(id), DUET_OK);
    assert_int_equal(duet_thread_join(ids[DUET_THREAD_MAX - 1] + 1000), DUET_ERR_ARG);
    assert_int_equal(duet_thread_join(0), DUET_ERR_STATE); /* the main thread is 0 */
    assert_int_equal(duet_thread_self(), 0u);
}

rtos::Mutex shared("shared");
long count;

void add_many()
{
    for (int i = 0; i < 2000; i++) {
        shared.lock();
        long c = count;
        rtos::ThisThread::yield(); /* the other thread runs here; the mutex keeps it out */
        count = c + 1;
        shared.unlock();
    }
}

void test_mutex(void **state)
{
    (void)state;
    count = 0;
    rtos::Thread a, b;
    assert_int_equal(a.start(add_many), osOK);
    assert_int_equal(b.start(add_many), osOK);
    assert_int_equal(a.join(), osOK);
    assert_int_equal(b.join(), osOK);
    assert_int_equal(count, 4000);
    assert_string_equal(shared.get_name(), "shared");

    /* Recursive; free again after as many unlocks as locks. */
    assert_int_equal(shared.get_owner(), -1);
    shared.lock();
    assert_true(shared.trylock());
    assert_int_equal(shared.get_owner(), 0);
    shared.unlock();
    assert_int_equal(shared.get_owner(), 0);
    /* Another thread cannot take it meanwhile, and waits out its time. */
    static std::atomic<int> result;
    static std::atomic<uint32_t> waited;
    rtos::Thread other;
    other.start([] {
        uint32_t t0 = millis();
        bool now = shared.trylock();
        bool later = shared.trylock_for(std::chrono::milliseconds(60));
        waited = millis() - t0;
        result = (now ? 1 : 0) + (later ? 2 : 0);
        /* Nor can it unlock what it does not hold. */
        duet_mutex m;
        duet_mutex_init(&m);
        duet_mutex_lock(&m);
        result = result + (duet_mutex_unlock(&m) == DUET_OK ? 4 : 0);
        duet_mutex_destroy(&m);
    });
    other.join();
    assert_int_equal(result.load(), 4);
    assert_true(waited.load() >= 60);
    shared.unlock();
    assert_int_equal(shared.get_owner(), -1);

    /* Held by a thread: the main thread's unlock is refused and changes nothing. */
    static duet_mutex held;
    duet_mutex_init(&held);
    static std::atomic<bool> locked, release;
    locked = release = false;
    rtos::Thread holder;
    holder.start([] {
        duet_mutex_lock(&held);
        locked = true;
        while (!release)
            delay(1);
        duet_mutex_unlock(&held);
    });
    while (!locked)
        delay(1);
    assert_int_equal(duet_mutex_unlock(&held), DUET_ERR_STATE);
    assert_non_null(strstr(duet_board_error_text(), "does not hold"));
    assert_false(duet_mutex_trylock_for(&held, 0));
    release = true;
    holder.join();
    assert_true(duet_mutex_trylock_for(&held, 0));
    assert_int_equal(duet_mutex_unlock(&held), DUET_OK);
    duet_mutex_destroy(&held);
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_callback),
        cmocka_unit_test(test_thread_join),
        cmocka_unit_test(test_thread_limits),
        cmocka_unit_test(test_mutex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* threads_m4.c - CPU1's part of the QEMU thread test (ports/cortex_m/thread.c): threads that
 * call the M7 and sleep while the core keeps serving the M7's calls, two threads counting
 * under a mutex, joins, the limits, and duet_error_text() per thread. It reports on the RPC
 * stream; the M7 checks. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "duet/board.h"
#include "duet/duet.h"

static volatile int served;   /* ping calls this core answered */
static volatile int tally;    /* the caller thread's last answer from the M7 */
static volatile int sleeps;   /* the sleeper's delays that lasted as long as asked */
static duet_mutex counting;
static volatile long count;

static int on_ping(duet_req *c)
{
    served++;
    return duet_return_int(c, duet_arg_int(c, 0) + 1);
}

/* Calls the M7 five times; each call waits for its answer while the other threads run. Then
 * a call that fails: its text stays this thread's while the sleeper's call fails too. */
static void caller(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 5; i++) {
        int32_t total = 0;
        CHECK_EQ(duet_call("tally", "i:i", i, &total), DUET_OK);
        tally = total;
        delay(20);
    }
    CHECK_EQ(duet_call("nope_caller", ""), DUET_ERR_REMOTE);
    delay(150);
    CHECK(strstr(duet_error_text(), "'nope_caller'") != NULL); /* the M7 names the function */
}

/* Sleeps three times 100 ms; the core serves the M7 meanwhile. Its failed call's text is
 * its own, whatever the caller's says. */
static void sleeper(void *arg)
{
    (void)arg;
    CHECK_EQ(duet_call("nope_sleeper", ""), DUET_ERR_REMOTE);
    for (int i = 0; i < 3; i++) {
        unsigned long t0 = millis();
        delay(100);
        if (millis() - t0 >= 100)
            sleeps++;
    }
    CHECK(strstr(duet_error_text(), "'nope_sleeper'") != NULL);
}

/* Adds 1 to count 200 times, letting the other threads run between reading and writing it:
 * only the mutex keeps the two counters from losing updates. */
static void counter(void *arg)
{
    (void)arg;
    for (int i = 0; i < 200; i++) {
        duet_mutex_lock(&counting);
        long c = count;
        duet_thread_yield();
        count = c + 1;
        CHECK_EQ(duet_mutex_unlock(&counting), DUET_OK);
    }
}

int main(void)
{
    duet_mutex_init(&counting);
    CHECK_EQ(duet_bind("ping", "i:i", on_ping), DUET_OK);
    CHECK(duet_begin());
    CHECK_EQ(duet_thread_self(), 0);

    unsigned ids[4];
    CHECK_EQ(duet_thread_create(caller, NULL, &ids[0]), DUET_OK);
    CHECK_EQ(duet_thread_create(sleeper, NULL, &ids[1]), DUET_OK);
    CHECK_EQ(duet_thread_create(counter, NULL, &ids[2]), DUET_OK);
    CHECK_EQ(duet_thread_create(counter, NULL, &ids[3]), DUET_OK);
    CHECK_EQ(duet_thread_start(counter, NULL), DUET_ERR_FULL); /* DUET_THREAD_MAX is 4 */
    /* The main thread holds the mutex a while: the counters wait (no thread busy-waits). */
    duet_mutex_lock(&counting);
    delay(50);
    CHECK_EQ(count, 0);
    CHECK_EQ(duet_mutex_unlock(&counting), DUET_OK);
    CHECK_EQ(duet_mutex_unlock(&counting), DUET_ERR_STATE);

    for (int i = 0; i < 4; i++)
        CHECK_EQ(duet_thread_join(ids[i]), DUET_OK);
    CHECK_EQ(duet_thread_join(ids[0]), DUET_OK); /* ended: at once */
    CHECK_EQ(duet_thread_join(ids[3] + 1), DUET_ERR_ARG);
    /* A freed place takes a new thread. */
    unsigned again;
    CHECK_EQ(duet_thread_create(sleeper, NULL, &again), DUET_OK);
    CHECK(again > ids[3]);
    CHECK_EQ(duet_thread_join(again), DUET_OK);

    printf("M4: tally %d, sleeps %d, count %ld, served %d\n", tally, sleeps, count, served);
    duet_printf("tally %d sleeps %d count %ld served %d\n", tally, sleeps, count, served);
    duet_port *port = duet_port_default();
    for (;;) {
        CHECK(duet_poll() >= 0);
        port->wait(port, 100);
    }
}

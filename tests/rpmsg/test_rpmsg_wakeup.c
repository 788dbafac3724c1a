/*
 * test_rpmsg_wakeup.c - notification suppression never loses a wake-up.
 *
 * Two threads, a host and a remote device on one 64 KiB region, each with a doorbell of its
 * own (a counter under a mutex and a condition variable: ring() counts and wakes, wait()
 * sleeps until the count moved since its last return, as the board's doorbells behave).
 * Neither thread spins: each sleeps on its doorbell whenever a poll found nothing (and a
 * send that finds no free buffer sleeps there too). Every wait has a long time limit; one
 * that runs out means a ring was skipped while the other side slept, and fails the test.
 *
 * Traffic: both directions at once with every message size, a ping-pong (each side sleeps
 * between messages: the worst case for a lost ring), a one-way burst whose reader refuses
 * some offers (held messages), and the same with a side that never sets its flags (as a
 * peer that does not suppress notifications, e.g. an older OpenAMP). And a call nested in
 * a handler: its wait is woken by the answer although the poll around it asked for quiet.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "duet/rpmsg.h"

#define DA 0x38000000u
#define SIZE 0x10000u
#define WAIT_MS 2000u     /* an application's wait: never runs out unless a ring was lost */

typedef struct side {
    duet_port port;
    duet_rpmsg dev;
    duet_rpmsg_endpoint ep;
    struct side *other;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint32_t rings;        /* rings of this side's doorbell */
    uint32_t seen;         /* rings when its last wait() returned */
    uint32_t timeouts;     /* waits that ran out (lost wake-ups) */
    /* traffic */
    uint32_t to_send, sent, expect, got;
    bool ping;             /* send the next only when the answer to the last came */
    bool refuse;           /* refuse the first offer of every 7th message */
    bool no_flags;         /* keep this side's flags clear in shared memory */
    bool refused;          /* a message was refused: poll again before sleeping */
    uint32_t refused_seq;
    uint32_t jitter_us;    /* spin up to this long before each poll */
    uint32_t rand;
    const char *failed;
} side;

static uint8_t *shm;
static side host, remote;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void bell_ring(duet_port *port)
{
    side *o = ((side *)port->ctx)->other;
    pthread_mutex_lock(&o->mu);
    o->rings++;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
}

static void bell_wait(duet_port *port, uint32_t timeout_ms)
{
    side *s = port->ctx;
    struct timespec end;
    clock_gettime(CLOCK_REALTIME, &end);
    end.tv_sec += timeout_ms / 1000;
    end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (end.tv_nsec >= 1000000000L) {
        end.tv_sec++;
        end.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    while (s->rings == s->seen) {
        if (pthread_cond_timedwait(&s->cv, &s->mu, &end) == ETIMEDOUT) {
            if (s->rings == s->seen && timeout_ms >= 1000)
                s->timeouts++;
            break;
        }
    }
    s->seen = s->rings;
    pthread_mutex_unlock(&s->mu);
}

static uint32_t bell_now(duet_port *port)
{
    (void)port;
    return (uint32_t)(now_ns() / 1000000u);
}

/* A message: its sequence number, then bytes that depend on it, 4 to 496 bytes long. */
static size_t msg_len(uint32_t seq) { return 4 + (seq * 37u) % 493u; }

static bool on_message(void *arg, const uint8_t *data, size_t len)
{
    side *s = arg;
    uint32_t seq;
    if (len < 4) {
        s->failed = "a message shorter than its sequence number";
        return true;
    }
    memcpy(&seq, data, 4);
    if (s->refuse && seq % 7 == 3 && !(s->refused_seq == seq + 1)) {
        s->refused_seq = seq + 1;
        s->refused = true;
        return false;
    }
    if (seq != s->got || len != msg_len(seq))
        s->failed = "a message out of order or of the wrong length";
    for (size_t i = 4; i < len; i++)
        if (data[i] != (uint8_t)(seq + i))
            s->failed = "a message's bytes changed";
    s->got++;
    return true;
}

static void clear_flags(side *s)
{
    if (!s->no_flags)
        return;
    /* Both rings' flag words this side would write: avail for the host, used for the remote. */
    volatile uint8_t *a = (volatile uint8_t *)s->dev.rx.avail, *b = (volatile uint8_t *)s->dev.tx.avail;
    if (s->dev.role == DUET_RPMSG_REMOTE) {
        a = s->dev.rx.used;
        b = s->dev.tx.used;
    }
    a[0] = a[1] = b[0] = b[1] = 0;
}

/* Whether s may send its next message now (in a ping-pong: the host when every answer came,
 * the remote when a message it has not answered came). */
static bool can_send(const side *s)
{
    if (s->sent >= s->to_send)
        return false;
    if (!s->ping)
        return true;
    return s->dev.role == DUET_RPMSG_HOST ? s->got == s->sent : s->sent < s->got;
}

static void *run(void *arg)
{
    side *s = arg;
    uint8_t buf[496];
    while (!s->failed && (s->got < s->expect || s->sent < s->to_send)) {
        if (can_send(s)) {
            uint32_t seq = s->sent;
            size_t len = msg_len(seq);
            memcpy(buf, &seq, 4);
            for (size_t i = 4; i < len; i++)
                buf[i] = (uint8_t)(seq + i);
            int err = duet_rpmsg_send(&s->ep, buf, len);
            clear_flags(s);
            if (err) {
                s->failed = duet_strerror(err);
                break;
            }
            s->sent++;
        }
        s->refused = false;
        if (s->jitter_us) {
            /* A while (0 to jitter_us) before the poll, so that polls end at every moment
             * of the other side's sending, the race a lost wake-up needs. */
            s->rand = s->rand * 1103515245u + 12345u;
            uint64_t until = now_ns() + (s->rand >> 8) % (s->jitter_us * 1000u);
            while (now_ns() < until) {
            }
        }
        int n = duet_rpmsg_poll(&s->dev);
        clear_flags(s);
        if (n < 0) {
            s->failed = duet_rpmsg_error_text(&s->dev);
            break;
        }
        if (n == 0 && !s->refused && !can_send(s) && (s->got < s->expect || s->sent < s->to_send))
            s->port.wait(&s->port, WAIT_MS);
    }
    return NULL;
}

/* Runs the host side (on_host(&host)) and the remote side (on_remote(&remote)) on a thread
 * each until both end; returns the nanoseconds they took. */
static uint64_t run_both(void *(*on_host)(void *), void *(*on_remote)(void *))
{
    uint64_t t0 = now_ns();
    pthread_t th, tr;
    assert_int_equal(pthread_create(&th, NULL, on_host, &host), 0);
    assert_int_equal(pthread_create(&tr, NULL, on_remote, &remote), 0);
    pthread_join(th, NULL);
    pthread_join(tr, NULL);
    return now_ns() - t0;
}

static void side_init(side *s, side *other, int cpu)
{
    memset(s, 0, sizeof *s);
    s->other = other;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->port.shm = shm;
    s->port.shm_da = DA;
    s->port.shm_size = SIZE;
    s->port.ring = bell_ring;
    s->port.wait = bell_wait;
    s->port.now_ms = bell_now;
    s->port.cpu_id = cpu;
    s->port.ctx = s;
}

/* Sets both sides up (the handshake on this thread), then runs them on two threads. */
static void exchange(uint32_t to_remote, uint32_t to_host, bool ping, bool refuse, bool remote_no_flags,
                     uint32_t jitter_us)
{
    memset(shm, 0, SIZE);
    side_init(&host, &remote, DUET_CPU_M7);
    side_init(&remote, &host, DUET_CPU_M4);
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    assert_int_equal(duet_rpmsg_init_host(&host.dev, &host.port, &l), DUET_OK);
    assert_int_equal(duet_rpmsg_init_remote(&remote.dev, &remote.port, &l, 100), DUET_OK);
    assert_int_equal(duet_rpmsg_endpoint_create(&remote.dev, &remote.ep, "raw", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_endpoint_create(&host.dev, &host.ep, "raw", NULL, 0), DUET_OK);
    for (int i = 0; i < 100 && !(host.ep.ready && remote.ep.ready); i++) {
        assert_true(duet_rpmsg_poll(&host.dev) >= 0);
        assert_true(duet_rpmsg_poll(&remote.dev) >= 0);
    }
    assert_true(host.ep.ready && remote.ep.ready);
    duet_rpmsg_set_send_timeout(&host.dev, 10000);
    duet_rpmsg_set_send_timeout(&remote.dev, 10000);
    duet_link_attach(&host.ep.link, on_message, &host);
    duet_link_attach(&remote.ep.link, on_message, &remote);
    host.to_send = remote.expect = to_remote;
    remote.to_send = host.expect = to_host;
    host.ping = remote.ping = ping;
    host.refuse = remote.refuse = refuse;
    remote.no_flags = remote_no_flags;
    host.jitter_us = remote.jitter_us = jitter_us;
    host.rand = 1;
    remote.rand = 2;

    double ms = (double)run_both(run, run) / 1e6;
    duet_rpmsg_stats hs = duet_rpmsg_get_stats(&host.dev), rs = duet_rpmsg_get_stats(&remote.dev);
    printf("# %u + %u messages in %.0f ms; doorbell rings: host %u, remote %u; held %u + %u\n", to_remote, to_host,
           ms, host.rings, remote.rings, hs.held, rs.held);
    if (host.failed || remote.failed)
        fail_msg("host: %s; remote: %s", host.failed ? host.failed : "ok", remote.failed ? remote.failed : "ok");
    assert_int_equal(host.timeouts, 0);
    assert_int_equal(remote.timeouts, 0);
    assert_int_equal(host.got, to_host);
    assert_int_equal(remote.got, to_remote);
    if (refuse && to_remote > 7)
        assert_true(rs.held > 0);
}

static void test_both_ways(void **state)
{
    (void)state;
    exchange(20000, 20000, false, false, false, 0);
    exchange(5000, 5000, false, false, false, 5);
}

static void test_ping_pong(void **state)
{
    (void)state;
    exchange(5000, 5000, true, false, false, 0);
    exchange(10000, 10000, true, false, false, 25);
}

static void test_one_way_with_refusals(void **state)
{
    (void)state;
    exchange(30000, 0, false, true, false, 0);
    exchange(0, 30000, false, true, false, 0);
}

static void test_peer_without_flags(void **state)
{
    (void)state;
    exchange(20000, 20000, false, false, true, 0);
    exchange(3000, 3000, true, false, true, 25);
}

/* ------------------------------------------------------------ a call nested in a handler */

/*
 * The shape of a bound function that calls the other core: the remote sends a call; the
 * host's handler, inside the poll that delivers it, asks the remote a question and polls and
 * waits (nested) until the answer comes, then sends the result. The ports give no lock here,
 * so the host's outer poll has asked the remote not to ring; the nested poll must ask again,
 * else its wait sleeps until its time limit (counted in timeouts, which fails the test).
 */
enum { NESTED_CALLS = 10 };

static void nested_send(side *s, char kind, uint32_t seq)
{
    uint8_t msg[5] = {(uint8_t)kind};
    memcpy(msg + 1, &seq, 4);
    int err = duet_rpmsg_send(&s->ep, msg, sizeof msg);
    if (err)
        s->failed = duet_strerror(err);
}

/* Polls and waits until *count reaches n (or the side failed). */
static void nested_wait_for(side *s, const uint32_t *count, uint32_t n)
{
    while (!s->failed && *count < n) {
        int got = duet_rpmsg_poll(&s->dev);
        if (got < 0)
            s->failed = duet_rpmsg_error_text(&s->dev);
        else if (got == 0 && *count < n)
            s->port.wait(&s->port, WAIT_MS);
    }
}

static bool nested_on_message(void *arg, const uint8_t *data, size_t len)
{
    side *s = arg;
    uint32_t seq;
    if (len != 5) {
        s->failed = "a message of the wrong length";
        return true;
    }
    memcpy(&seq, data + 1, 4);
    switch (data[0]) {
    case 'C': /* host: a call, served with a question to the remote */
        nested_send(s, 'Q', seq);
        nested_wait_for(s, &s->got, seq + 1);
        nested_send(s, 'R', seq);
        s->sent++;
        break;
    case 'Q': /* remote: a question, answered from inside its poll */
        nested_send(s, 'A', seq);
        break;
    case 'A': /* host: the answer (delivered by the nested poll) */
    case 'R': /* remote: the call's result */
        if (seq != s->got)
            s->failed = "an answer out of order";
        s->got++;
        break;
    default:
        s->failed = "a message of an unknown kind";
    }
    return true;
}

static void *nested_remote(void *arg)
{
    side *s = arg;
    for (uint32_t i = 0; i < NESTED_CALLS && !s->failed; i++) {
        nested_send(s, 'C', i);
        nested_wait_for(s, &s->got, i + 1);
    }
    return NULL;
}

static void *nested_host(void *arg)
{
    side *s = arg;
    nested_wait_for(s, &s->sent, NESTED_CALLS);
    return NULL;
}

static void test_nested_call_without_lock(void **state)
{
    (void)state;
    exchange(0, 0, false, false, false, 0); /* sets both sides up; no traffic */
    assert_null(host.port.lock);
    duet_link_attach(&host.ep.link, nested_on_message, &host);
    duet_link_attach(&remote.ep.link, nested_on_message, &remote);
    uint64_t took = run_both(nested_host, nested_remote);
    printf("# %d nested calls in %.1f ms\n", NESTED_CALLS, (double)took / 1e6);
    if (host.failed || remote.failed)
        fail_msg("host: %s; remote: %s", host.failed ? host.failed : "ok", remote.failed ? remote.failed : "ok");
    assert_int_equal(host.got, NESTED_CALLS);
    assert_int_equal(remote.got, NESTED_CALLS);
    assert_int_equal(host.timeouts, 0); /* every nested wait woken by the answer's ring */
    assert_int_equal(remote.timeouts, 0);
}

int main(void)
{
    shm = malloc(SIZE);
    if (!shm)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_ways),
        cmocka_unit_test(test_ping_pong),
        cmocka_unit_test(test_one_way_with_refusals),
        cmocka_unit_test(test_peer_without_flags),
        cmocka_unit_test(test_nested_call_without_lock),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(shm);
    return rc;
}

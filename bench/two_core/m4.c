/*
 * m4.c - the M4 image of the two-core benchmark (main.c uploads it to the board's flash and
 * duet_begin on the M7 boots it). It pins itself to CPU 1 when the M7 asks (BT_PIN_ENV in the
 * environment the board passes on), binds
 *
 *   add(a, b)     "ii:i"  a + b: the round-trip benchmark's call, M7 -> M4
 *   stream(n)     "u:"    from the main loop: writes n bytes of the pattern (bench_two_core.h)
 *                         with duet_write, BT_CHUNK bytes at a time, then flushes
 *   mark()        ":"     remembers the doorbell and RPMsg counters: the measurement starts
 *   quit()        ":"     leaves the loop; before it ends, the program prints on stderr what
 *                         its doorbell and RPMsg layer did since mark (for "where time goes")
 *
 * and serves them: duet_poll, and when nothing came, the port's wait() (DUET_WAIT says how,
 * the M7's environment sets it). Exit status 0, or 1 if a write failed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_two_core.h"
#include "duet/duet.h"
#include "duet/posix/board.h"

static volatile int quit;
static volatile uint32_t stream_request;
static uint32_t served_add, served_add_at_mark;
static duet_posix_port_stats port_at_mark;
static duet_rpmsg_stats rpmsg_at_mark;

static int on_add(duet_req *c)
{
    served_add++;
    return duet_return_int(c, (int64_t)duet_arg_int(c, 0) + duet_arg_int(c, 1));
}

static int on_stream(duet_req *c)
{
    stream_request = duet_arg_uint(c, 0);
    return DUET_OK;
}

static int on_mark(duet_req *c)
{
    (void)c;
    port_at_mark = duet_posix_port_get_stats(duet_port_default());
    rpmsg_at_mark = duet_rpmsg_get_stats(duet_rpmsg_instance());
    served_add_at_mark = served_add;
    return DUET_OK;
}

static int on_quit(duet_req *c)
{
    (void)c;
    quit = 1;
    return DUET_OK;
}

/* Writes n pattern bytes through the stream; false if the stream refused some. */
static bool write_stream(uint32_t n)
{
    static uint8_t buf[BT_CHUNK] __attribute__((aligned(64)));
    for (uint32_t off = 0; off < n; off += BT_CHUNK) {
        size_t k = n - off < BT_CHUNK ? n - off : BT_CHUNK;
        bt_fill(buf, off, k);
        if (duet_write(buf, k) != k) {
            fprintf(stderr, "M4: duet_write failed at byte %" PRIu32 ": %s\n", off,
                    duet_strerror(duet_stream_error(duet_stream_instance())));
            return false;
        }
    }
    int err = duet_stream_flush(duet_stream_instance());
    if (err) {
        fprintf(stderr, "M4: flush: %s\n", duet_strerror(err));
        return false;
    }
    return true;
}

/* What happened on this side since mark, per served add call when there were some. */
static void report(void)
{
    duet_posix_port_stats p = duet_posix_port_get_stats(duet_port_default());
    duet_rpmsg_stats r = duet_rpmsg_get_stats(duet_rpmsg_instance());
    uint32_t calls = served_add - served_add_at_mark;
    fprintf(stderr,
            "M4 since mark: %" PRIu32 " add calls served; doorbell: rings %" PRIu32 " (futex wakes %" PRIu32
            "), waits %" PRIu32 " (pending %" PRIu32 ", spun %" PRIu32 ", slept %" PRIu32 ", timeouts %" PRIu32
            "); rpmsg: rx %" PRIu32 ", tx %" PRIu32 ", buffer waits %" PRIu32 ", held %" PRIu32 "\n",
            calls, p.rings - port_at_mark.rings, p.wakes - port_at_mark.wakes, p.waits - port_at_mark.waits,
            p.pending - port_at_mark.pending, p.spun - port_at_mark.spun, p.slept - port_at_mark.slept,
            p.timeouts - port_at_mark.timeouts, r.rx_msgs - rpmsg_at_mark.rx_msgs, r.tx_msgs - rpmsg_at_mark.tx_msgs,
            r.buffer_waits - rpmsg_at_mark.buffer_waits, r.held - rpmsg_at_mark.held);
}

int main(void)
{
    const char *pin = getenv(BT_PIN_ENV);
    if (pin && strcmp(pin, "1") == 0 && bt_pin(BT_CPU_M4) != 0) {
        perror("M4: sched_setaffinity(CPU 1)");
        return 3;
    }
    if (duet_bind("add", "ii:i", on_add) || duet_bind("stream", "u:", on_stream) || duet_bind("mark", ":", on_mark) ||
        duet_bind("quit", ":", on_quit)) {
        fprintf(stderr, "M4: bind: %s\n", duet_error_text());
        return 2;
    }
    if (!duet_begin()) {
        fprintf(stderr, "M4: duet_begin: %s\n", duet_error_text());
        return 2;
    }
    duet_port *port = duet_port_default();
    int status = 0;
    while (!quit) {
        if (stream_request) {
            uint32_t n = stream_request;
            stream_request = 0;
            if (!write_stream(n)) {
                status = 1;
                break;
            }
            continue;
        }
        int n = duet_poll();
        if (n < 0) {
            fprintf(stderr, "M4: duet_poll: %s\n", duet_error_text());
            status = 1;
            break;
        }
        if (n == 0)
            port->wait(port, 100);
    }
    report();
    duet_end();
    return status;
}

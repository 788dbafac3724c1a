/* test_trace_link.c - duet-rpc's --trace link (tools/rpc/trace_link.c) under a layer that
 * refuses a message for a while, as serve's back-pressure gate does: the link offers it
 * again at each poll, and the trace prints it once, with one line saying it waits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/msgpack.h"
#include "trace_link.h"

static int failures;

static void check(const char *what, bool ok, const char *detail)
{
    printf("  %s  %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) {
        printf("        %s\n", detail);
        failures++;
    }
}

static int no_send(duet_link *link, const uint8_t *data, size_t len)
{
    (void)link, (void)data, (void)len;
    return DUET_OK;
}

static int no_poll(duet_link *link)
{
    (void)link;
    return 0;
}

static uint32_t clock_zero(duet_link *link)
{
    (void)link;
    return 0;
}

/* The layer above: refuses the first `refusals` offers, then takes every message. */
typedef struct above {
    int refusals;
    int offers;
    int taken;
} above;

static bool above_deliver(void *up, const uint8_t *data, size_t len)
{
    above *a = (above *)up;
    (void)data, (void)len;
    a->offers++;
    if (a->refusals > 0) {
        a->refusals--;
        return false;
    }
    a->taken++;
    return true;
}

static size_t count_of(const char *text, const char *part)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, part)) != NULL; p += strlen(part))
        n++;
    return n;
}

/* A request [0, id, "echo", [id]] into buf; its length. */
static size_t request(uint8_t *buf, size_t cap, uint32_t id)
{
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, cap);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, 0);
    duet_msgpack_write_uint(&w, id);
    duet_msgpack_write_str(&w, "echo", 4);
    duet_msgpack_write_array(&w, 1);
    duet_msgpack_write_uint(&w, id);
    return duet_msgpack_writer_size(&w);
}

int main(void)
{
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    if (!out)
        return 2;
    duet_link inner;
    memset(&inner, 0, sizeof inner);
    inner.send = no_send;
    inner.poll = no_poll;
    inner.now_ms = clock_zero;
    inner.max_message = 1024;
    trace_link t;
    trace_link_init(&t, &inner, out, "test", 2000);
    above a = {3, 0, 0};
    duet_link_attach(&t.link, above_deliver, &a);

    uint8_t msg[64], moved[64];
    size_t n = request(msg, sizeof msg, 7);
    /* Offered four times (the link moves its bytes between offers: the same message at
     * another address), refused three times, taken the fourth. */
    for (int i = 0; i < 4; i++) {
        memcpy(i % 2 ? moved : msg, msg, n);
        duet_link_deliver(&inner, i % 2 ? moved : msg, n);
    }
    /* The next message, and the one after it again the same bytes as one before: each is
     * a message of its own, printed. */
    size_t n8 = request(moved, sizeof moved, 8);
    duet_link_deliver(&inner, moved, n8);
    duet_link_deliver(&inner, msg, n);
    fflush(out);

    char counts[200];
    snprintf(counts, sizeof counts, "offers %d, taken %d", a.offers, a.taken);
    check("the layer above had the message offered four times and took it once, then two more",
          a.offers == 6 && a.taken == 3, counts);
    check("the message refused three times is printed once (twice in all: it came again as a new one)",
          count_of(text, "<- request id=7 method=echo params=[7]") == 2, text);
    check("...with one line saying it waits", count_of(text, "refused by the layer above") == 1, text);
    check("the next message is printed", count_of(text, "<- request id=8 method=echo params=[8]") == 1, text);
    fclose(out);
    free(text);
    printf("trace_link: %s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}

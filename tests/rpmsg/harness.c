/* tests/rpmsg/harness.c - see harness.h. */
#include "harness.h"

#include <stdlib.h>

hx_side HX_H, HX_R;
uint8_t *hx_shm;
uint32_t hx_clock;
uint8_t hx_reasm_h[HX_REASM], hx_reasm_r[HX_REASM];

static unsigned depth;

static hx_side *other_of(duet_port *p)
{
    return p == &HX_H.port ? &HX_R : &HX_H;
}

static void hx_ring(duet_port *p)
{
    ((hx_side *)p->ctx)->rings++;
}

static void hx_wait(duet_port *p, uint32_t timeout_ms)
{
    hx_side *s = (hx_side *)p->ctx;
    uint32_t step = s->step_ms ? s->step_ms : 1;
    if (timeout_ms && timeout_ms < step)
        step = timeout_ms;
    s->waits++;
    hx_clock += step;
    if (depth >= HX_MAX_DEPTH)
        return;
    depth++;
    hx_side *o = other_of(p);
    if (s->poll_other && o->live)
        (void)duet_rpmsg_poll(&o->dev);
    if (s->idle)
        s->idle(s->idle_arg);
    depth--;
}

static uint32_t hx_now(duet_port *p)
{
    (void)p;
    return hx_clock;
}

static void side_reset(hx_side *s, int cpu)
{
    memset(s, 0, sizeof *s);
    s->port.shm = hx_shm;
    s->port.shm_da = HX_DA;
    s->port.shm_size = HX_SIZE;
    s->port.ring = hx_ring;
    s->port.wait = hx_wait;
    s->port.boot = NULL;
    s->port.now_ms = hx_now;
    s->port.cpu_id = cpu;
    s->port.ctx = s;
    s->poll_other = true;
}

void hx_reset(void)
{
    free(hx_shm);
    hx_shm = malloc(HX_SIZE);
    assert_non_null(hx_shm);
    memset(hx_shm, 0, HX_SIZE);
    hx_clock = 0;
    depth = 0;
    side_reset(&HX_H, DUET_CPU_M7);
    side_reset(&HX_R, DUET_CPU_M4);
}

void hx_pair(const hx_opts *opts)
{
    static const hx_opts none;
    if (!opts)
        opts = &none;
    hx_reset();
    duet_rpmsg_layout l = duet_rpmsg_layout_giga();
    assert_int_equal(duet_rpmsg_init_host(&HX_H.dev, &HX_H.port, &l), DUET_OK);
    HX_H.live = true;
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_H.dev, &HX_H.raw, "raw", NULL, 0), DUET_OK);
    size_t host_cap = opts->host_rpc_cap ? opts->host_rpc_cap : sizeof hx_reasm_h;
    assert_true(opts->host_rpc_room <= sizeof hx_reasm_h);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_H.dev, &HX_H.rpc, "rpc", opts->host_rpc_no_reasm ? NULL : hx_reasm_h,
                                                opts->host_rpc_no_reasm ? 0 : host_cap),
                     DUET_OK);
    duet_rpmsg_endpoint_reasm_room(&HX_H.rpc, opts->host_rpc_room);
    assert_int_equal(duet_rpmsg_init_remote(&HX_R.dev, &HX_R.port, &l, 100), DUET_OK);
    HX_R.live = true;
    if (opts->remote_no_fragments)
        duet_rpmsg_set_fragments(&HX_R.dev, false);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &HX_R.raw, "raw", NULL, 0), DUET_OK);
    assert_int_equal(duet_rpmsg_endpoint_create(&HX_R.dev, &HX_R.rpc, "rpc",
                                                opts->remote_rpc_no_reasm ? NULL : hx_reasm_r,
                                                opts->remote_rpc_no_reasm ? 0 : sizeof hx_reasm_r),
                     DUET_OK);
    assert_int_equal(duet_rpmsg_wait_ready(&HX_H.dev, 100), DUET_OK);
    assert_int_equal(duet_rpmsg_wait_ready(&HX_R.dev, 100), DUET_OK);
    assert_true(HX_H.raw.ready && HX_H.rpc.ready && HX_R.raw.ready && HX_R.rpc.ready);
    assert_int_equal(duet_rpmsg_get_stats(&HX_H.dev).corrupt, 0);
    assert_int_equal(duet_rpmsg_get_stats(&HX_R.dev).corrupt, 0);
}

int hx_setup(void **state)
{
    (void)state;
    hx_pair(NULL);
    return 0;
}

int hx_teardown(void **state)
{
    (void)state;
    free(hx_shm);
    hx_shm = NULL;
    return 0;
}

uint8_t *hx_at(uint32_t da)
{
    assert_true(da >= HX_DA && da - HX_DA < HX_SIZE);
    return hx_shm + (da - HX_DA);
}

uint32_t hx_ld32(uint32_t da)
{
    assert_true(da - HX_DA <= HX_SIZE - 4);
    uint32_t v;
    memcpy(&v, hx_at(da), 4);
    return v;
}

uint16_t hx_ld16(uint32_t da)
{
    assert_true(da - HX_DA <= HX_SIZE - 2);
    uint16_t v;
    memcpy(&v, hx_at(da), 2);
    return v;
}

void hx_st32(uint32_t da, uint32_t v)
{
    assert_true(da - HX_DA <= HX_SIZE - 4);
    memcpy(hx_at(da), &v, 4);
}

void hx_st16(uint32_t da, uint16_t v)
{
    assert_true(da - HX_DA <= HX_SIZE - 2);
    memcpy(hx_at(da), &v, 2);
}

void hx_st8(uint32_t da, uint8_t v)
{
    *hx_at(da) = v;
}

uint32_t hx_last_sent_by_remote(void)
{
    uint16_t idx = hx_ld16(HX_USED_IDX(HX_VRING0));
    uint32_t id = hx_ld32(HX_USED_ID(HX_VRING0, (uint16_t)(idx - 1) % HX_NUM));
    assert_true(id < HX_NUM);
    return (uint32_t)hx_ld32(HX_DESC(HX_VRING0, id));
}

uint32_t hx_last_sent_by_host(void)
{
    uint16_t idx = hx_ld16(HX_AVAIL_IDX(HX_VRING1));
    uint16_t id = hx_ld16(HX_AVAIL_RING(HX_VRING1, (uint16_t)(idx - 1) % HX_NUM));
    assert_true(id < HX_NUM);
    return (uint32_t)hx_ld32(HX_DESC(HX_VRING1, id));
}

bool hx_cap_deliver(void *up, const uint8_t *data, size_t len)
{
    hx_cap *c = (hx_cap *)up;
    if (c->refuse) {
        c->refused++;
        return false;
    }
    if (c->buf && len && len <= c->cap - c->len) {
        memcpy(c->buf + c->len, data, len);
        c->len += len;
    }
    c->msgs++;
    c->last_len = len;
    return true;
}

unsigned hx_early_count(const duet_rpmsg *dev)
{
    return dev->ns_count;
}

const char *hx_early_name(const duet_rpmsg *dev, unsigned k)
{
    unsigned id = dev->ns_held;
    while (k-- > 0)
        id = dev->rx_next[id];
    return (const char *)(uintptr_t)(dev->pool + (size_t)id * dev->lay.buf_size + DUET_RPMSG_HEADER_SIZE);
}

void hx_expect_corrupt(duet_rpmsg *dev, duet_rpmsg_endpoint *ep)
{
    const char *why = duet_rpmsg_error_text(dev);
    assert_non_null(why);
    assert_true(strlen(why) > 0);
    assert_string_not_equal(why, "no error");
    assert_true(duet_rpmsg_get_stats(dev).corrupt > 0);
    assert_int_equal(dev->err, DUET_ERR_CORRUPT);
    assert_int_equal(duet_rpmsg_poll(dev), DUET_ERR_CORRUPT);
    assert_int_equal(duet_rpmsg_poll(dev), DUET_ERR_CORRUPT);
    if (ep) {
        assert_int_equal(duet_rpmsg_send(ep, "x", 1), DUET_ERR_CORRUPT);
        static uint8_t big[2000];
        assert_int_equal(duet_rpmsg_send(ep, big, sizeof big), DUET_ERR_CORRUPT);
    }
    assert_int_equal(duet_rpmsg_wait_ready(dev, 10), DUET_ERR_CORRUPT);
    static duet_rpmsg_endpoint extra;
    assert_int_equal(duet_rpmsg_endpoint_create(dev, &extra, "extra", NULL, 0), DUET_ERR_CORRUPT);
    /* The reason stays the first one. */
    assert_string_equal(duet_rpmsg_error_text(dev), why);
}

/* tests/rpc/fixture.c - see fixture.h. */
#include "fixture.h"

fx_side FA, FB;

void fx_pair(size_t queue_a, size_t queue_b, size_t link_max)
{
    memset(&FA, 0, sizeof FA);
    memset(&FB, 0, sizeof FB);
    assert_true(queue_a <= FX_QUEUE && queue_b <= FX_QUEUE);
    duet_link_mem_pair(&FA.link, FA.queue, queue_a ? queue_a : FX_QUEUE, &FB.link, FB.queue,
                       queue_b ? queue_b : FX_QUEUE, link_max);
}

duet_rpc_config fx_config(fx_side *s)
{
    duet_rpc_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.tx_buffer = s->tx;
    cfg.tx_size = sizeof s->tx;
    cfg.result_buffer = s->result;
    cfg.result_size = sizeof s->result;
    return cfg;
}

void fx_init(fx_side *s, const duet_rpc_config *cfg)
{
    duet_rpc_config def = fx_config(s);
    assert_int_equal(duet_rpc_init(&s->rpc, &s->link.link, cfg ? cfg : &def), DUET_OK);
    assert_string_equal(duet_rpc_error_text(&s->rpc), "no error");
}

void fx_idle_poll(void *rpc)
{
    (void)duet_rpc_poll((duet_rpc *)rpc);
}

void fx_cross_idle(void)
{
    duet_link_mem_set_idle(&FA.link, fx_idle_poll, RB);
    duet_link_mem_set_idle(&FB.link, fx_idle_poll, RA);
}

int fx_setup(void **state)
{
    (void)state;
    fx_pair(0, 0, FX_MAX_MESSAGE);
    fx_init(&FA, NULL);
    fx_init(&FB, NULL);
    fx_cross_idle();
    return 0;
}

int fx_teardown(void **state)
{
    (void)state;
    /* Nothing may be left half-open between tests. */
    assert_int_equal(FA.rpc.depth, 0);
    assert_int_equal(FB.rpc.depth, 0);
    assert_int_equal(FA.rpc.tx_used, 0);
    assert_int_equal(FB.rpc.tx_used, 0);
    return 0;
}

uint32_t fx_now(void)
{
    return FA.link.clock_ms;
}

/* ------------------------------------------------------------ raw end */

bool fx_capture_deliver(void *up, const uint8_t *data, size_t len)
{
    fx_capture *c = (fx_capture *)up;
    c->offered++;
    if (c->refuse) {
        c->refuse--;
        return false;
    }
    assert_true(c->n < FX_CAP_MSGS);
    assert_true(len <= FX_CAP_BYTES);
    memcpy(c->msg[c->n], data, len);
    c->len[c->n] = len;
    c->n++;
    return true;
}

void fx_capture_attach(duet_link *l, fx_capture *c)
{
    memset(c, 0, sizeof *c);
    duet_link_attach(l, fx_capture_deliver, c);
}

void fx_send_raw(fx_side *from, const uint8_t *data, size_t len)
{
    assert_int_equal(from->link.link.send(&from->link.link, data, len), DUET_OK);
}

int fx_poll_raw(fx_side *s)
{
    return s->link.link.poll(&s->link.link);
}

void fx_parse_response(const uint8_t *msg, size_t len, fx_response *out)
{
    duet_msgpack_reader r;
    uint32_t n, type;
    memset(out, 0, sizeof *out);
    duet_msgpack_reader_init(&r, msg, len);
    assert_true(duet_msgpack_read_array(&r, &n));
    assert_int_equal(n, 4);
    assert_true(duet_msgpack_read_u32(&r, &type));
    assert_int_equal(type, 1);
    out->id = r.pos;
    assert_true(duet_msgpack_skip(&r));
    out->id_len = (size_t)(r.pos - out->id);
    duet_msgpack_type et = duet_msgpack_peek_type(&r);
    out->has_error = et != DUET_MSGPACK_NIL;
    if (et == DUET_MSGPACK_STR)
        assert_true(duet_msgpack_read_str(&r, &out->error, &out->error_len));
    else
        assert_true(duet_msgpack_skip(&r));
    out->result = r.pos;
    assert_true(duet_msgpack_skip(&r));
    out->result_len = (size_t)(r.pos - out->result);
    assert_int_equal(duet_msgpack_reader_remaining(&r), 0);
}

void fx_assert_error(const fx_response *r, const char *text)
{
    char buf[512];
    assert_true(r->has_error);
    assert_non_null(r->error);
    assert_true(r->error_len < sizeof buf);
    memcpy(buf, r->error, r->error_len);
    buf[r->error_len] = '\0';
    assert_string_equal(buf, text);
    /* An error response carries nil as its result. */
    assert_int_equal(r->result_len, 1);
    assert_int_equal(r->result[0], 0xc0);
}

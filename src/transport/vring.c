/* transport/vring.c - virtio split rings in shared memory: their layout, and taking and
 * handing back the buffers they carry, checking everything the other side wrote. */
#include "transport/internal.h"

/* Offsets inside a vring. */
static size_t avail_size(uint32_t num) { return 6 + 2 * (size_t)num; }

size_t duet_rpmsg_vring_size(uint32_t num, uint32_t align)
{
    size_t used_off = (16 * (size_t)num + avail_size(num) + align - 1) & ~((size_t)align - 1);
    return used_off + 6 + 8 * (size_t)num;
}

static bool pow2(uint32_t v) { return v && !(v & (v - 1)); }

/* Checks one vring's parameters and maps it. False with dev->why set if they break a rule. */
bool duet_rpmsg_vring_setup(duet_rpmsg *dev, duet_vring *v, uint32_t da, uint32_t num, uint32_t align)
{
    if (!pow2(num) || num < 2 || num > DUET_RPMSG_MAX_RING) {
        dev->why = "vring size is not a power of two within DUET_RPMSG_MAX_RING";
        return false;
    }
    if (!pow2(align) || align < 4 || align > 4096 || da % 16 || da % align) {
        dev->why = "vring address or alignment invalid";
        return false;
    }
    size_t size = duet_rpmsg_vring_size(num, align);
    volatile uint8_t *base = duet_port_map(dev->port, da, size);
    if (!base) {
        dev->why = "vring lies outside the shared region";
        return false;
    }
    v->desc = base;
    v->avail = base + 16 * (size_t)num;
    v->used = base + (size - 6 - 8 * (size_t)num);
    v->num = (uint16_t)num;
    v->last = 0;
    v->shadow = 0;
    return true;
}

/* ------------------------------------------------------------ buffers */

/* Hands a received buffer back to the other side. */
void duet_rpmsg_rx_release(duet_rpmsg *dev, uint16_t id, uint32_t len)
{
    duet_vring *v = &dev->rx;
    uint16_t slot = (uint16_t)(v->shadow & (v->num - 1));
    if (dev->role == DUET_RPMSG_HOST) {
        /* Rewritten from our own values: the remote may have scribbled on the descriptor. */
        volatile uint8_t *d = v->desc + 16 * (size_t)id;
        st32(d + 0, dev->lay.pool_da + (uint32_t)id * dev->lay.buf_size);
        st32(d + 4, 0);
        st32(d + 8, dev->lay.buf_size);
        st16(d + 12, DESC_F_WRITE);
        st16(v->avail + 4 + 2 * (size_t)slot, id);
        dev->rx_out[id] = 1;
        publish_fence();
        st16(v->avail + 2, ++v->shadow);
    } else {
        st32(v->used + 4 + 8 * (size_t)slot, id);
        st32(v->used + 8 + 8 * (size_t)slot, len);
        dev->rx_out[id] = 0;
        publish_fence();
        st16(v->used + 2, ++v->shadow);
    }
    dev->notify_pending = true;
}

/* Takes the next received buffer, checking everything the other side wrote.
 * @retval 1 got one, 0 none, DUET_ERR_CORRUPT */
int duet_rpmsg_rx_take(duet_rpmsg *dev, rx_buf *b)
{
    duet_vring *v = &dev->rx;
    const duet_rpmsg_layout *l = &dev->lay;
    bool host = dev->role == DUET_RPMSG_HOST;
    uint16_t idx = ld16(host ? v->used + 2 : v->avail + 2);
    uint16_t ahead = (uint16_t)(idx - v->last);
    if (ahead == 0)
        return 0;
    if (ahead > v->num)
        return duet_rpmsg_corrupt(dev, "receive ring index jumped by more than the ring size");
    consume_fence();
    uint16_t slot = (uint16_t)(v->last & (v->num - 1));
    if (host) {
        uint32_t id = ld32(v->used + 4 + 8 * (size_t)slot);
        uint32_t len = ld32(v->used + 8 + 8 * (size_t)slot);
        if (id >= v->num || !dev->rx_out[id])
            return duet_rpmsg_corrupt(dev, "used ring returned a descriptor that was not posted");
        if (len > l->buf_size)
            return duet_rpmsg_corrupt(dev, "used ring length larger than a buffer");
        dev->rx_out[id] = 0;
        b->id = (uint16_t)id;
        b->len = l->buf_size;
        b->p = duet_port_map(dev->port, l->pool_da + id * l->buf_size, l->buf_size);
    } else {
        uint16_t id = ld16(v->avail + 4 + 2 * (size_t)slot);
        if (id >= v->num || dev->rx_out[id])
            return duet_rpmsg_corrupt(dev, "avail ring names a descriptor out of range or already held");
        volatile const uint8_t *d = v->desc + 16 * (size_t)id;
        uint64_t addr = ld64(d);
        uint32_t len = ld32(d + 8);
        if (len < DUET_RPMSG_HEADER_SIZE || len > l->buf_size || addr < l->pool_da ||
            addr - l->pool_da > l->pool_size - len)
            return duet_rpmsg_corrupt(dev, "descriptor address or length outside the buffer pool");
        dev->rx_out[id] = 1;
        b->id = id;
        b->len = len;
        b->p = duet_port_map(dev->port, addr, len);
    }
    v->last++;
    if (!b->p)
        return duet_rpmsg_corrupt(dev, "buffer outside the shared region");
    /* Read once: the other core may change it, and only the checked copy is used. */
    b->msg_len = ld16(b->p + 12);
    if (b->msg_len > b->len - DUET_RPMSG_HEADER_SIZE)
        return duet_rpmsg_corrupt(dev, "message length larger than its buffer");
    return 1;
}

/* Host: takes back the send buffers the remote is done with. */
int duet_rpmsg_tx_reclaim(duet_rpmsg *dev)
{
    duet_vring *v = &dev->tx;
    uint16_t idx = ld16(v->used + 2);
    uint16_t ahead = (uint16_t)(idx - v->last);
    if (ahead > v->num)
        return duet_rpmsg_corrupt(dev, "send ring used index jumped by more than the ring size");
    if (ahead)
        consume_fence();
    while (v->last != idx) {
        uint16_t slot = (uint16_t)(v->last & (v->num - 1));
        uint32_t id = ld32(v->used + 4 + 8 * (size_t)slot);
        if (id >= dev->tx_bufs || !dev->tx_out[id])
            return duet_rpmsg_corrupt(dev, "used ring returned a send descriptor that was not sent");
        dev->tx_out[id] = 0;
        dev->tx_free[dev->tx_free_count++] = (uint16_t)id;
        v->last++;
    }
    return DUET_OK;
}

/* Takes a free send buffer. @retval 1 got one, 0 none free now, DUET_ERR_CORRUPT */
int duet_rpmsg_tx_take(duet_rpmsg *dev, tx_buf *b)
{
    const duet_rpmsg_layout *l = &dev->lay;
    duet_vring *v = &dev->tx;
    if (dev->role == DUET_RPMSG_HOST) {
        int err = duet_rpmsg_tx_reclaim(dev);
        if (err)
            return err;
        if (dev->tx_free_count == 0)
            return 0;
        b->id = dev->tx_free[--dev->tx_free_count];
        b->cap = l->buf_size;
        b->p = duet_port_map(dev->port, l->pool_da + ((uint32_t)v->num + b->id) * l->buf_size, l->buf_size);
        return 1;
    }
    uint16_t idx = ld16(v->avail + 2);
    uint16_t ahead = (uint16_t)(idx - v->last);
    if (ahead == 0)
        return 0;
    if (ahead > v->num)
        return duet_rpmsg_corrupt(dev, "send ring avail index jumped by more than the ring size");
    consume_fence();
    uint16_t id = ld16(v->avail + 4 + 2 * (size_t)(v->last & (v->num - 1)));
    if (id >= v->num)
        return duet_rpmsg_corrupt(dev, "avail ring names a descriptor out of range");
    volatile const uint8_t *d = v->desc + 16 * (size_t)id;
    uint64_t addr = ld64(d);
    uint32_t len = ld32(d + 8);
    if (len < l->buf_size || addr < l->pool_da || addr - l->pool_da > l->pool_size - l->buf_size)
        return duet_rpmsg_corrupt(dev, "send descriptor address or length outside the buffer pool");
    v->last++;
    b->id = id;
    b->cap = l->buf_size;
    b->p = duet_port_map(dev->port, addr, l->buf_size);
    return b->p ? 1 : duet_rpmsg_corrupt(dev, "send buffer outside the shared region");
}

/* Fills a send buffer with a header and payload, and hands it to the other side. */
void duet_rpmsg_tx_put(duet_rpmsg *dev, tx_buf *b, uint32_t src, uint32_t dst, const uint8_t *data, uint16_t len,
                       uint16_t flags)
{
    duet_vring *v = &dev->tx;
    volatile uint8_t *p = b->p;
    st32(p + 0, src);
    st32(p + 4, dst);
    st32(p + 8, 0);
    st16(p + 12, len);
    st16(p + 14, flags);
    /* The payload is plain bytes: copied in one go. The fence before the index is
     * published orders it, as it does the header. */
    memcpy((uint8_t *)(uintptr_t)(p + DUET_RPMSG_HEADER_SIZE), data, len);
    uint16_t slot = (uint16_t)(v->shadow & (v->num - 1));
    uint32_t total = DUET_RPMSG_HEADER_SIZE + (uint32_t)len;
    if (dev->role == DUET_RPMSG_HOST) {
        volatile uint8_t *d = v->desc + 16 * (size_t)b->id;
        st32(d + 0, dev->lay.pool_da + ((uint32_t)v->num + b->id) * dev->lay.buf_size);
        st32(d + 4, 0);
        st32(d + 8, total);
        st16(d + 12, 0);
        st16(v->avail + 4 + 2 * (size_t)slot, b->id);
        dev->tx_out[b->id] = 1;
        publish_fence();
        st16(v->avail + 2, ++v->shadow);
    } else {
        st32(v->used + 4 + 8 * (size_t)slot, b->id);
        st32(v->used + 8 + 8 * (size_t)slot, total);
        publish_fence();
        st16(v->used + 2, ++v->shadow);
    }
    dev->stats.tx_msgs++;
}

/* rpmsg.c - RPMsg over virtio split rings in shared memory, host and remote roles. */
#include "duet/rpmsg.h"

#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "duet's rpmsg reads shared memory as little endian, as the Cortex-M cores write it"
#endif

/*
 * Memory ordering. Each side publishes work in two steps: it writes the buffer and the
 * ring entry, then the ring's index. The other side reads the index, then the entry and
 * the buffer. A release fence sits before the index store and an acquire fence after the
 * index load, so an index is never seen before what it covers. On Cortex-M both are a
 * DMB; on x86, whose stores are seen in order, they only stop the compiler reordering.
 */
static void publish_fence(void)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
}

static void consume_fence(void)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static uint16_t ld16(volatile const uint8_t *p) { return *(volatile const uint16_t *)(const volatile void *)p; }
static uint32_t ld32(volatile const uint8_t *p) { return *(volatile const uint32_t *)(const volatile void *)p; }
static void st16(volatile uint8_t *p, uint16_t v) { *(volatile uint16_t *)(volatile void *)p = v; }
static void st32(volatile uint8_t *p, uint32_t v) { *(volatile uint32_t *)(volatile void *)p = v; }

static uint64_t ld64(volatile const uint8_t *p)
{
    return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static void zero(volatile uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = 0;
}

/* Resource table and virtio constants (OpenAMP / Linux remoteproc). */
enum {
    RSC_VDEV = 3,
    VIRTIO_ID_RPMSG = 7,
    VIRTIO_RPMSG_F_NS = 1u << 0,
    STATUS_DRIVER_OK = 4,
    STATUS_ALL = 1 | 2 | 4, /* ACKNOWLEDGE | DRIVER | DRIVER_OK */
    DESC_F_WRITE = 2,
    VDEV_SIZE = 28,         /* struct fw_rsc_vdev without its vrings */
    VRING_ENTRY_SIZE = 20,  /* struct fw_rsc_vdev_vring */
    TABLE_HEAD = 16,        /* ver, num, reserved[2] */
    NS_MSG_SIZE = 40,       /* name[32], addr, flags */
    NS_DESTROY = 1,
};

/* Header flag of a duet fragment that more fragments follow (duet peers only). */

static void host_answer(struct duet_rpmsg *dev, duet_rpmsg_endpoint *ep, uint32_t addr, uint32_t cap);
#define FRAG_MORE 0x8000u

/* After the NUL of an announced name, a duet side writes this and its reassembly capacity. */
static const char duet_marker[6] = {'d', 'u', 'e', 't', '/', '1'};

/* Offsets inside a vring. */
static size_t avail_size(uint32_t num) { return 6 + 2 * (size_t)num; }

size_t duet_rpmsg_vring_size(uint32_t num, uint32_t align)
{
    size_t used_off = (16 * (size_t)num + avail_size(num) + align - 1) & ~((size_t)align - 1);
    return used_off + 6 + 8 * (size_t)num;
}

duet_rpmsg_layout duet_rpmsg_layout_giga(void)
{
    duet_rpmsg_layout l = {
        .rsc_da = 0x38000000u,
        .rsc_size = 0x400,
        .vring0_da = 0x38001400u,
        .vring1_da = 0x38000400u,
        .vring_num = 64,
        .vring_align = 32,
        .pool_da = 0x38002400u,
        .pool_size = 0xdc00,
        .buf_size = 512,
    };
    return l;
}

/* ------------------------------------------------------------ errors */

/* The link goes down for good: shared memory broke a rule. */
static int corrupt(duet_rpmsg *dev, const char *why)
{
    dev->stats.corrupt++;
    if (!dev->err) {
        dev->err = DUET_ERR_CORRUPT;
        dev->why = why;
    }
    return DUET_ERR_CORRUPT;
}

const char *duet_rpmsg_why(const duet_rpmsg *dev)
{
    if (!dev->err)
        return "no error";
    return dev->why ? dev->why : duet_strerror(dev->err);
}

duet_rpmsg_stats duet_rpmsg_get_stats(const duet_rpmsg *dev)
{
    return dev->stats;
}

void duet_rpmsg_shutdown(duet_rpmsg *dev)
{
    if (!dev->err) {
        dev->err = DUET_ERR_LINK_DOWN;
        dev->why = "shut down";
    }
}

uint32_t duet_rpmsg_set_send_timeout(duet_rpmsg *dev, uint32_t timeout_ms)
{
    uint32_t old = dev->send_timeout_ms;
    dev->send_timeout_ms = timeout_ms;
    return old;
}

void duet_rpmsg_set_fragments(duet_rpmsg *dev, bool on)
{
    dev->fragments = on;
}

/* ------------------------------------------------------------ layout checks */

static bool pow2(uint32_t v) { return v && !(v & (v - 1)); }

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Checks one vring's parameters and maps it. NULL with dev->why set if they break a rule. */
static bool vring_setup(duet_rpmsg *dev, duet_vring *v, uint32_t da, uint32_t num, uint32_t align)
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

/* Checks that the table, both vrings and the pool are pairwise apart. */
static bool regions_apart(duet_rpmsg *dev, uint32_t v0, uint32_t v1, uint32_t num, uint32_t align)
{
    const duet_rpmsg_layout *l = &dev->lay;
    uint64_t vs = duet_rpmsg_vring_size(num, align);
    uint64_t start[4] = {l->rsc_da, v0, v1, l->pool_da};
    uint64_t len[4] = {l->rsc_size, vs, vs, l->pool_size};
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            if (overlap(start[i], len[i], start[j], len[j])) {
                dev->why = "resource table, vrings and buffer pool overlap";
                return false;
            }
    return true;
}

static void dev_reset(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay, duet_rpmsg_role role)
{
    memset(dev, 0, sizeof *dev);
    dev->port = port;
    dev->lay = *lay;
    dev->role = role;
    dev->next_addr = DUET_RPMSG_FIRST_ADDR;
    dev->send_timeout_ms = DUET_RPMSG_SEND_TIMEOUT_MS;
    dev->fragments = true;
}

static bool layout_ok(duet_rpmsg *dev)
{
    const duet_rpmsg_layout *l = &dev->lay;
    if (l->buf_size <= DUET_RPMSG_HEADER_SIZE || l->buf_size > 0xffff + DUET_RPMSG_HEADER_SIZE || l->buf_size % 4) {
        dev->why = "buffer size invalid";
        return false;
    }
    if (l->pool_da % 4 || !duet_port_map(dev->port, l->pool_da, l->pool_size) ||
        l->pool_size / l->buf_size < (uint64_t)l->vring_num + 1) {
        dev->why = "buffer pool outside the region or too small for the rings";
        return false;
    }
    if (l->rsc_da % 4 || l->rsc_size < TABLE_HEAD + 4 + VDEV_SIZE + 2 * VRING_ENTRY_SIZE ||
        !duet_port_map(dev->port, l->rsc_da, l->rsc_size)) {
        dev->why = "resource table outside the region or too small";
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ host set-up */

int duet_rpmsg_init_host(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay)
{
    dev_reset(dev, port, lay, DUET_RPMSG_HOST);
    const duet_rpmsg_layout *l = &dev->lay;
    if (!layout_ok(dev) || !vring_setup(dev, &dev->rx, l->vring0_da, l->vring_num, l->vring_align) ||
        !vring_setup(dev, &dev->tx, l->vring1_da, l->vring_num, l->vring_align) ||
        !regions_apart(dev, l->vring0_da, l->vring1_da, l->vring_num, l->vring_align)) {
        dev->err = DUET_ERR_ARG;
        return DUET_ERR_ARG;
    }
    size_t vsize = duet_rpmsg_vring_size(l->vring_num, l->vring_align);
    volatile uint8_t *t = duet_port_map(port, l->rsc_da, l->rsc_size);
    zero(t, l->rsc_size);
    zero(dev->rx.desc, vsize);
    zero(dev->tx.desc, vsize);

    /* Resource table: one vdev entry with its two vrings, status last. */
    uint32_t vdev = TABLE_HEAD + 4;
    st32(t + 0, 1);
    st32(t + 4, 1);
    st32(t + TABLE_HEAD, vdev);
    st32(t + vdev + 0, RSC_VDEV);
    st32(t + vdev + 4, VIRTIO_ID_RPMSG);
    st32(t + vdev + 8, 0);                  /* notifyid */
    st32(t + vdev + 12, VIRTIO_RPMSG_F_NS); /* dfeatures */
    st32(t + vdev + 16, VIRTIO_RPMSG_F_NS); /* gfeatures */
    st32(t + vdev + 20, 0);                 /* config_len */
    t[vdev + 25] = 2;                       /* num_of_vrings */
    const uint32_t da[2] = {l->vring0_da, l->vring1_da};
    for (uint32_t i = 0; i < 2; i++) {
        volatile uint8_t *v = t + vdev + VDEV_SIZE + i * VRING_ENTRY_SIZE;
        st32(v + 0, da[i]);
        st32(v + 4, l->vring_align);
        st32(v + 8, l->vring_num);
        st32(v + 12, i); /* notifyid */
    }

    /* Every receive descriptor gets its pool buffer and goes to the remote. */
    for (uint16_t i = 0; i < dev->rx.num; i++) {
        volatile uint8_t *d = dev->rx.desc + 16 * (size_t)i;
        uint32_t addr = l->pool_da + (uint32_t)i * l->buf_size;
        st32(d + 0, addr);
        st32(d + 4, 0);
        st32(d + 8, l->buf_size);
        st16(d + 12, DESC_F_WRITE);
        st16(dev->rx.avail + 4 + 2 * (size_t)i, i);
        dev->rx_out[i] = 1;
    }
    dev->rx.shadow = dev->rx.num;
    /* Send buffers: the pool's buffers after the receive ones, one per descriptor at most. */
    uint32_t spare = l->pool_size / l->buf_size - l->vring_num;
    dev->tx_bufs = (uint16_t)(spare < l->vring_num ? spare : l->vring_num);
    for (uint16_t i = 0; i < dev->tx_bufs; i++)
        dev->tx_free[i] = (uint16_t)(dev->tx_bufs - 1 - i);
    dev->tx_free_count = dev->tx_bufs;
    publish_fence();
    st16(dev->rx.avail + 2, dev->rx.shadow);
    publish_fence();
    t[vdev + 24] = STATUS_ALL;
    publish_fence();
    port->ring(port);
    return DUET_OK;
}

/* ------------------------------------------------------------ remote set-up */

/* Finds and checks the vdev entry of the table; its offset, or 0 with dev->why set. */
static uint32_t table_vdev(duet_rpmsg *dev, volatile const uint8_t *t)
{
    uint32_t size = dev->lay.rsc_size;
    uint32_t num = ld32(t + 4);
    if (ld32(t) != 1) {
        dev->why = "resource table version is not 1";
        return 0;
    }
    if (num == 0 || num > (size - TABLE_HEAD) / 4) {
        dev->why = "resource table entry count out of range";
        return 0;
    }
    for (uint32_t i = 0; i < num; i++) {
        uint32_t off = ld32(t + TABLE_HEAD + 4 * i);
        if (off % 4 || off < TABLE_HEAD + 4 * num || off > size - 4) {
            dev->why = "resource table offset out of range or unaligned";
            return 0;
        }
        if (ld32(t + off) != RSC_VDEV)
            continue;
        if (off > size - (VDEV_SIZE + 2 * VRING_ENTRY_SIZE)) {
            dev->why = "vdev entry runs past the resource table";
            return 0;
        }
        if (ld32(t + off + 4) != VIRTIO_ID_RPMSG || t[off + 25] != 2) {
            dev->why = "vdev entry is not RPMsg with two vrings";
            return 0;
        }
        return off;
    }
    dev->why = "resource table has no vdev entry";
    return 0;
}

int duet_rpmsg_init_remote(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay, uint32_t timeout_ms)
{
    dev_reset(dev, port, lay, DUET_RPMSG_REMOTE);
    if (!layout_ok(dev)) {
        dev->err = DUET_ERR_ARG;
        return DUET_ERR_ARG;
    }
    volatile const uint8_t *t = duet_port_map(port, dev->lay.rsc_da, dev->lay.rsc_size);
    uint32_t start = port->now_ms(port);
    uint32_t vdev = 0;
    for (;;) {
        /* Status is written last by the host: once DRIVER_OK shows, the rest is there. */
        uint32_t off = ld32(t + TABLE_HEAD);
        if (ld32(t) == 1 && off % 4 == 0 && off <= dev->lay.rsc_size - VDEV_SIZE &&
            (t[off + 24] & STATUS_DRIVER_OK)) {
            consume_fence();
            vdev = table_vdev(dev, t);
            break;
        }
        uint32_t elapsed = port->now_ms(port) - start;
        if (elapsed >= timeout_ms) {
            /* Something is there but never became valid: say what is wrong with it. */
            if (ld32(t) != 0 && !table_vdev(dev, t))
                return corrupt(dev, dev->why);
            dev->err = DUET_ERR_TIMEOUT;
            dev->why = "the host did not set up the shared memory in time";
            return DUET_ERR_TIMEOUT;
        }
        port->wait(port, timeout_ms - elapsed < 10 ? timeout_ms - elapsed : 10);
    }
    if (!vdev)
        return corrupt(dev, dev->why);
    volatile const uint8_t *v0 = t + vdev + VDEV_SIZE;
    volatile const uint8_t *v1 = v0 + VRING_ENTRY_SIZE;
    uint32_t num = ld32(v0 + 8), align = ld32(v0 + 4);
    if (ld32(v1 + 8) != num || ld32(v1 + 4) != align)
        return corrupt(dev, "the two vrings differ in size or alignment");
    /* The remote receives on vring1 and sends on vring0. */
    if (!vring_setup(dev, &dev->tx, ld32(v0), num, align) || !vring_setup(dev, &dev->rx, ld32(v1), num, align) ||
        !regions_apart(dev, ld32(v0), ld32(v1), num, align))
        return corrupt(dev, dev->why);
    return DUET_OK;
}

/* ------------------------------------------------------------ buffers */

/* Hands a received buffer back to the other side. */
static void rx_release(duet_rpmsg *dev, uint16_t id, uint32_t len)
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

/* A received buffer: its descriptor id, where it is, and its length as the ring says. */
typedef struct rx_buf {
    uint16_t id;
    uint32_t len;
    uint16_t msg_len;           /* the header's length, read once and checked */
    volatile uint8_t *p;
} rx_buf;

/* Takes the next received buffer, checking everything the other side wrote.
 * @retval 1 got one, 0 none, DUET_ERR_CORRUPT */
static int rx_take(duet_rpmsg *dev, rx_buf *b)
{
    duet_vring *v = &dev->rx;
    const duet_rpmsg_layout *l = &dev->lay;
    bool host = dev->role == DUET_RPMSG_HOST;
    uint16_t idx = ld16(host ? v->used + 2 : v->avail + 2);
    uint16_t ahead = (uint16_t)(idx - v->last);
    if (ahead == 0)
        return 0;
    if (ahead > v->num)
        return corrupt(dev, "receive ring index jumped by more than the ring size");
    consume_fence();
    uint16_t slot = (uint16_t)(v->last & (v->num - 1));
    if (host) {
        uint32_t id = ld32(v->used + 4 + 8 * (size_t)slot);
        uint32_t len = ld32(v->used + 8 + 8 * (size_t)slot);
        if (id >= v->num || !dev->rx_out[id])
            return corrupt(dev, "used ring returned a descriptor that was not posted");
        if (len > l->buf_size)
            return corrupt(dev, "used ring length larger than a buffer");
        dev->rx_out[id] = 0;
        b->id = (uint16_t)id;
        b->len = l->buf_size;
        b->p = duet_port_map(dev->port, l->pool_da + id * l->buf_size, l->buf_size);
    } else {
        uint16_t id = ld16(v->avail + 4 + 2 * (size_t)slot);
        if (id >= v->num || dev->rx_out[id])
            return corrupt(dev, "avail ring names a descriptor out of range or already held");
        volatile const uint8_t *d = v->desc + 16 * (size_t)id;
        uint64_t addr = ld64(d);
        uint32_t len = ld32(d + 8);
        if (len < DUET_RPMSG_HEADER_SIZE || len > l->buf_size || addr < l->pool_da ||
            addr - l->pool_da > l->pool_size - len)
            return corrupt(dev, "descriptor address or length outside the buffer pool");
        dev->rx_out[id] = 1;
        b->id = id;
        b->len = len;
        b->p = duet_port_map(dev->port, addr, len);
    }
    v->last++;
    if (!b->p)
        return corrupt(dev, "buffer outside the shared region");
    /* Read once: the other core may change it, and only the checked copy is used. */
    b->msg_len = ld16(b->p + 12);
    if (b->msg_len > b->len - DUET_RPMSG_HEADER_SIZE)
        return corrupt(dev, "message length larger than its buffer");
    return 1;
}

/* Host: takes back the send buffers the remote is done with. */
static int tx_reclaim(duet_rpmsg *dev)
{
    duet_vring *v = &dev->tx;
    uint16_t idx = ld16(v->used + 2);
    uint16_t ahead = (uint16_t)(idx - v->last);
    if (ahead > v->num)
        return corrupt(dev, "send ring used index jumped by more than the ring size");
    if (ahead)
        consume_fence();
    while (v->last != idx) {
        uint16_t slot = (uint16_t)(v->last & (v->num - 1));
        uint32_t id = ld32(v->used + 4 + 8 * (size_t)slot);
        if (id >= dev->tx_bufs || !dev->tx_out[id])
            return corrupt(dev, "used ring returned a send descriptor that was not sent");
        dev->tx_out[id] = 0;
        dev->tx_free[dev->tx_free_count++] = (uint16_t)id;
        v->last++;
    }
    return DUET_OK;
}

/* A buffer to send in: its descriptor id and where it is. */
typedef struct tx_buf {
    uint16_t id;
    uint32_t cap;
    volatile uint8_t *p;
} tx_buf;

/* Takes a free send buffer. @retval 1 got one, 0 none free now, DUET_ERR_CORRUPT */
static int tx_take(duet_rpmsg *dev, tx_buf *b)
{
    const duet_rpmsg_layout *l = &dev->lay;
    duet_vring *v = &dev->tx;
    if (dev->role == DUET_RPMSG_HOST) {
        int err = tx_reclaim(dev);
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
        return corrupt(dev, "send ring avail index jumped by more than the ring size");
    consume_fence();
    uint16_t id = ld16(v->avail + 4 + 2 * (size_t)(v->last & (v->num - 1)));
    if (id >= v->num)
        return corrupt(dev, "avail ring names a descriptor out of range");
    volatile const uint8_t *d = v->desc + 16 * (size_t)id;
    uint64_t addr = ld64(d);
    uint32_t len = ld32(d + 8);
    if (len < l->buf_size || addr < l->pool_da || addr - l->pool_da > l->pool_size - l->buf_size)
        return corrupt(dev, "send descriptor address or length outside the buffer pool");
    v->last++;
    b->id = id;
    b->cap = l->buf_size;
    b->p = duet_port_map(dev->port, addr, l->buf_size);
    return b->p ? 1 : corrupt(dev, "send buffer outside the shared region");
}

/* Fills a send buffer with a header and payload, and hands it to the other side. */
static void tx_put(duet_rpmsg *dev, tx_buf *b, uint32_t src, uint32_t dst, const uint8_t *data, uint16_t len,
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

/* ------------------------------------------------------------ sending */

/*
 * Sends one buffer's worth. Waits for a free buffer up to the send timeout; while it
 * waits it serves what arrives (deliver = true), so that two sides that both send
 * cannot block each other, or only reclaims buffers (deliver = false, for fragments).
 */
static int send_one(duet_rpmsg *dev, uint32_t src, uint32_t dst, const uint8_t *data, uint16_t len, uint16_t flags,
                    bool deliver)
{
    tx_buf b = {0, 0, NULL};
    uint32_t start = 0;
    bool waited = false;
    for (;;) {
        if (dev->err)
            return dev->err;
        int got = tx_take(dev, &b);
        if (got < 0)
            return got;
        if (got)
            break;
        if (!waited) {
            waited = true;
            dev->stats.buffer_waits++;
            start = dev->port->now_ms(dev->port);
        }
        if (deliver && dev->polling < DUET_RPMSG_MAX_NESTED_POLL)
            duet_rpmsg_poll(dev);
        else if (dev->role == DUET_RPMSG_HOST)
            tx_reclaim(dev);
        if (dev->err)
            return dev->err;
        if (tx_take(dev, &b) == 1)
            break;
        uint32_t elapsed = dev->port->now_ms(dev->port) - start;
        if (elapsed >= dev->send_timeout_ms)
            return DUET_ERR_TIMEOUT;
        dev->port->wait(dev->port, dev->send_timeout_ms - elapsed);
    }
    tx_put(dev, &b, src, dst, data, len, flags);
    /* One doorbell covers everything published before it (it does not name a ring), so
     * buffers handed back earlier in this poll need no ring of their own. */
    dev->notify_pending = false;
    dev->port->ring(dev->port);
    return DUET_OK;
}

static size_t payload_max(const duet_rpmsg *dev)
{
    return dev->lay.buf_size - DUET_RPMSG_HEADER_SIZE;
}

size_t duet_rpmsg_endpoint_max_message(const duet_rpmsg_endpoint *ep)
{
    size_t one = payload_max(ep->dev);
    return ep->peer_cap > one ? ep->peer_cap : one;
}

int duet_rpmsg_send(duet_rpmsg_endpoint *ep, const void *data, size_t len)
{
    duet_rpmsg *dev = ep->dev;
    const uint8_t *p = (const uint8_t *)data;
    if (dev->err)
        return dev->err;
    if (!ep->ready)
        return DUET_ERR_STATE;
    size_t one = payload_max(dev);
    if (len <= one)
        return send_one(dev, ep->addr, ep->dest, p, (uint16_t)len, 0, true);
    if (len > ep->peer_cap)
        return DUET_ERR_TOO_LARGE;
    /* Fragments must not interleave with another message: wait without delivering. */
    while (len) {
        size_t n = len < one ? len : one;
        int err = send_one(dev, ep->addr, ep->dest, p, (uint16_t)n, len > n ? FRAG_MORE : 0, false);
        if (err)
            return err;
        p += n;
        len -= n;
    }
    return DUET_OK;
}

/* Builds the announcement of an endpoint: name, marker and capacity after the NUL, address. */
static void ns_message(const duet_rpmsg *dev, const duet_rpmsg_endpoint *ep, uint8_t msg[NS_MSG_SIZE])
{
    memset(msg, 0, NS_MSG_SIZE);
    size_t n = strlen(ep->name);
    memcpy(msg, ep->name, n);
    if (dev->fragments && ep->reasm_cap && n + 1 + sizeof duet_marker + 4 <= DUET_RPMSG_NAME_SIZE) {
        uint32_t cap = (uint32_t)ep->reasm_cap;
        memcpy(msg + n + 1, duet_marker, sizeof duet_marker);
        memcpy(msg + n + 1 + sizeof duet_marker, &cap, 4);
    }
    memcpy(msg + 32, &ep->addr, 4);
}

/* Reads a duet marker and capacity at p (n bytes); 0 if there is none. */
static uint32_t marker_cap(const uint8_t *p, size_t n)
{
    uint32_t cap;
    if (n < sizeof duet_marker + 4 || memcmp(p, duet_marker, sizeof duet_marker) != 0)
        return 0;
    memcpy(&cap, p + sizeof duet_marker, 4);
    return cap;
}

/* ------------------------------------------------------------ endpoints */

static int ep_send(duet_link *link, const uint8_t *data, size_t len)
{
    return duet_rpmsg_send((duet_rpmsg_endpoint *)link, data, len);
}

static int ep_poll(duet_link *link)
{
    return duet_rpmsg_poll(((duet_rpmsg_endpoint *)link)->dev);
}

static void ep_wait(duet_link *link, uint32_t timeout_ms)
{
    duet_port *port = ((duet_rpmsg_endpoint *)link)->dev->port;
    port->wait(port, timeout_ms);
}

static uint32_t ep_now(duet_link *link)
{
    duet_port *port = ((duet_rpmsg_endpoint *)link)->dev->port;
    return port->now_ms(port);
}

int duet_rpmsg_endpoint_create(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const char *name, void *reasm_buf,
                               size_t reasm_cap)
{
    if (dev->err)
        return dev->err;
    if (!name || !name[0] || strlen(name) >= DUET_RPMSG_NAME_SIZE || (reasm_cap && !reasm_buf))
        return DUET_ERR_ARG;
    if (dev->ep_count >= DUET_RPMSG_MAX_ENDPOINTS)
        return DUET_ERR_FULL;
    for (unsigned i = 0; i < dev->ep_count; i++)
        if (strcmp(dev->eps[i]->name, name) == 0)
            return DUET_ERR_EXISTS;
    memset(ep, 0, sizeof *ep);
    ep->link.send = ep_send;
    ep->link.poll = ep_poll;
    ep->link.wait = ep_wait;
    ep->link.now_ms = ep_now;
    ep->link.max_message = payload_max(dev);
    ep->dev = dev;
    memcpy(ep->name, name, strlen(name) + 1);
    ep->addr = dev->next_addr++;
    ep->dest = DUET_RPMSG_ADDR_ANY;
    ep->reasm = (uint8_t *)reasm_buf;
    ep->reasm_cap = reasm_buf ? reasm_cap : 0;
    dev->eps[dev->ep_count++] = ep;
    if (dev->role == DUET_RPMSG_REMOTE) {
        uint8_t msg[NS_MSG_SIZE];
        ns_message(dev, ep, msg);
        return send_one(dev, ep->addr, DUET_RPMSG_NS_ADDR, msg, NS_MSG_SIZE, 0, true);
    }
    /* The remote may have announced this name already. */
    for (unsigned i = 0; i < dev->early_count; i++) {
        if (strcmp(dev->early[i].name, name) == 0) {
            duet_rpmsg_announce a = dev->early[i];
            dev->early[i] = dev->early[--dev->early_count];
            host_answer(dev, ep, a.addr, a.cap);
            break;
        }
    }
    return dev->err;
}

int duet_rpmsg_wait_ready(duet_rpmsg *dev, uint32_t timeout_ms)
{
    uint32_t start = dev->port->now_ms(dev->port);
    for (;;) {
        int n = duet_rpmsg_poll(dev);
        if (n < 0)
            return n;
        bool all = true;
        for (unsigned i = 0; i < dev->ep_count; i++)
            all = all && dev->eps[i]->ready;
        if (all)
            return DUET_OK;
        uint32_t elapsed = dev->port->now_ms(dev->port) - start;
        if (elapsed >= timeout_ms)
            return DUET_ERR_TIMEOUT;
        if (n == 0)
            dev->port->wait(dev->port, timeout_ms - elapsed);
    }
}

/* ------------------------------------------------------------ receiving */

static duet_rpmsg_endpoint *ep_by_addr(duet_rpmsg *dev, uint32_t addr)
{
    for (unsigned i = 0; i < dev->ep_count; i++)
        if (dev->eps[i]->addr == addr)
            return dev->eps[i];
    return NULL;
}

/* Host: a name-service message from the remote. */
static void ns_receive(duet_rpmsg *dev, const uint8_t *msg, uint16_t len)
{
    if (len < NS_MSG_SIZE) {
        dev->stats.bad_messages++;
        return;
    }
    const uint8_t *nul = memchr(msg, 0, DUET_RPMSG_NAME_SIZE);
    if (!nul) {
        dev->stats.bad_messages++; /* a name without its terminating NUL */
        return;
    }
    size_t name_len = (size_t)(nul - msg);
    uint32_t addr, flags;
    memcpy(&addr, msg + 32, 4);
    memcpy(&flags, msg + 36, 4);
    duet_rpmsg_endpoint *ep = NULL;
    for (unsigned i = 0; i < dev->ep_count; i++)
        if (strlen(dev->eps[i]->name) == name_len && memcmp(dev->eps[i]->name, msg, name_len) == 0)
            ep = dev->eps[i];
    if (addr < DUET_RPMSG_FIRST_ADDR || addr == DUET_RPMSG_ADDR_ANY) {
        dev->stats.bad_messages++; /* a reserved address */
        return;
    }
    uint32_t cap = marker_cap(nul + 1, DUET_RPMSG_NAME_SIZE - name_len - 1);
    if (!ep) {
        /* No endpoint by that name yet: remember it for endpoint_create. */
        if (flags & NS_DESTROY || dev->early_count >= DUET_RPMSG_MAX_ENDPOINTS) {
            dev->stats.bad_messages++;
            return;
        }
        duet_rpmsg_announce *a = &dev->early[dev->early_count++];
        memcpy(a->name, msg, name_len + 1);
        a->addr = addr;
        a->cap = cap;
        return;
    }
    if (flags & NS_DESTROY) {
        ep->ready = false;
        ep->dest = DUET_RPMSG_ADDR_ANY;
        return;
    }
    host_answer(dev, ep, addr, cap);
}

/* Host: binds ep to the remote's address and answers with the handshake. */
static void host_answer(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, uint32_t addr, uint32_t cap)
{
    ep->dest = addr;
    ep->ready = true;
    /* Answer with one byte so the remote learns our address; a duet remote that announced
     * its reassembly capacity hears ours back, and both may then send large messages. */
    uint8_t hello[1 + sizeof duet_marker + 4] = {0};
    uint16_t hello_len = 1;
    if (cap && dev->fragments && ep->reasm_cap) {
        uint32_t mine = (uint32_t)ep->reasm_cap;
        memcpy(hello + 1, duet_marker, sizeof duet_marker);
        memcpy(hello + 1 + sizeof duet_marker, &mine, 4);
        hello_len = sizeof hello;
        ep->peer_cap = cap;
    }
    send_one(dev, ep->addr, ep->dest, hello, hello_len, 0, false);
}

/* Copies a fragment into the endpoint's reassembly buffer; true when a whole message is there. */
static bool reassemble(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const uint8_t *data, uint16_t len, bool more)
{
    if (!ep->reasm_overflow && len <= ep->reasm_cap - ep->reasm_len) {
        memcpy(ep->reasm + ep->reasm_len, data, len);
        ep->reasm_len += len;
    } else {
        ep->reasm_overflow = true;
    }
    if (more)
        return false;
    if (ep->reasm_overflow) {
        dev->stats.dropped_large++;
        ep->reasm_overflow = false;
        ep->reasm_len = 0;
        return false;
    }
    return true;
}

/* Offers the reassembled message. While it is delivered, new fragments wait (held). */
static bool offer_reassembled(duet_rpmsg *dev, duet_rpmsg_endpoint *ep)
{
    ep->reasm_busy = true;
    bool taken = duet_link_deliver(&ep->link, ep->reasm, ep->reasm_len);
    ep->reasm_busy = false;
    if (!taken)
        return false; /* kept in reasm, offered again at the next poll */
    ep->reasm_ready = false;
    ep->reasm_len = 0;
    dev->stats.rx_msgs++;
    return true;
}

/*
 * Takes one received message for an endpoint: delivers it, or adds it (a fragment) to the
 * reassembly. False if it cannot be taken now: it stays held, in order, and its buffer
 * stays with us, so the sender feels the backpressure.
 */
static bool consume(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const duet_rpmsg_held *m)
{
    bool fragment = (m->flags & FRAG_MORE) || ep->reasm_len || ep->reasm_overflow;
    if (!fragment) {
        if (!duet_link_deliver(&ep->link, m->data, m->len))
            return false;
        rx_release(dev, m->id, m->ret_len);
        dev->stats.rx_msgs++;
        return true;
    }
    if (!ep->reasm_cap) {
        dev->stats.bad_messages++; /* a fragment to an endpoint that announced no reassembly */
        rx_release(dev, m->id, m->ret_len);
        return true;
    }
    if (ep->reasm_busy || ep->reasm_ready) {
        ep->retry = ep->reasm_busy; /* busy in a nested poll: try again when it returns */
        return false; /* the previous whole message is still being taken */
    }
    bool whole = reassemble(dev, ep, m->data, m->len, (m->flags & FRAG_MORE) != 0);
    rx_release(dev, m->id, m->ret_len);
    if (whole) {
        ep->reasm_ready = true;
        offer_reassembled(dev, ep);
    }
    return true;
}

static void hold(duet_rpmsg *dev, duet_rpmsg_endpoint *ep, const duet_rpmsg_held *m)
{
    uint16_t tail = (uint16_t)((ep->held_head + ep->held_count) % DUET_RPMSG_MAX_RING);
    ep->held[tail] = *m;
    ep->held_count++;
    ep->retry |= ep->reasm_busy; /* held behind a delivery in progress, not a refusal */
    dev->stats.held++;
}

/* Offers an endpoint's kept messages again, in order. Returns how many it took. */
static int offer_held(duet_rpmsg *dev, duet_rpmsg_endpoint *ep)
{
    int n = 0;
    if (ep->reasm_ready && !ep->reasm_busy) {
        if (!offer_reassembled(dev, ep))
            return 0;
        n++;
    }
    while (ep->held_count) {
        /* Taken off the queue before it is offered: a nested poll must not offer it again. */
        duet_rpmsg_held m = ep->held[ep->held_head];
        ep->held_head = (uint16_t)((ep->held_head + 1) % DUET_RPMSG_MAX_RING);
        ep->held_count--;
        if (!consume(dev, ep, &m)) {
            /* Back to the front. A layer that refuses has not polled, so nothing was added. */
            ep->held_head = (uint16_t)((ep->held_head + DUET_RPMSG_MAX_RING - 1) % DUET_RPMSG_MAX_RING);
            ep->held_count++;
            break;
        }
        n++;
    }
    return n;
}

/* Handles one received buffer. Returns 1 if a message was delivered. */
static int dispatch(duet_rpmsg *dev, rx_buf *b)
{
    volatile uint8_t *p = b->p;
    uint32_t src = ld32(p), dst = ld32(p + 4);
    uint16_t len = b->msg_len, flags = ld16(p + 14);
    /* The payload stays in shared memory; the layers above read it in place. They must
     * treat it as untrusted bytes, which the codec does. */
    const uint8_t *data = (const uint8_t *)(uintptr_t)(p + DUET_RPMSG_HEADER_SIZE);
    uint32_t ret_len = b->len;

    if (dev->role == DUET_RPMSG_HOST && dst == DUET_RPMSG_NS_ADDR) {
        uint8_t msg[NS_MSG_SIZE];
        uint16_t n = len < NS_MSG_SIZE ? len : NS_MSG_SIZE;
        for (uint16_t i = 0; i < n; i++)
            msg[i] = data[i];
        rx_release(dev, b->id, ret_len);
        ns_receive(dev, msg, len);
        return 0;
    }
    duet_rpmsg_endpoint *ep = ep_by_addr(dev, dst);
    if (!ep) {
        dev->stats.bad_messages++;
        rx_release(dev, b->id, ret_len);
        return 0;
    }
    if (!ep->ready) {
        if (dev->role == DUET_RPMSG_REMOTE && src >= DUET_RPMSG_FIRST_ADDR && src != DUET_RPMSG_ADDR_ANY) {
            /* The host's first message tells us its address; it carries no data. */
            ep->dest = src;
            ep->ready = true;
            if (len >= 1 + sizeof duet_marker + 4 && dev->fragments && ep->reasm_cap) {
                uint8_t hello[1 + sizeof duet_marker + 4];
                for (size_t i = 0; i < sizeof hello; i++)
                    hello[i] = data[i];
                ep->peer_cap = marker_cap(hello + 1, sizeof hello - 1);
            }
        } else {
            dev->stats.bad_messages++;
        }
        rx_release(dev, b->id, ret_len);
        return 0;
    }
    duet_rpmsg_held m = {data, len, b->id, flags, ret_len};
    uint32_t before = dev->stats.rx_msgs;
    if (ep->held_count == 0 && !ep->reasm_ready && consume(dev, ep, &m))
        return dev->stats.rx_msgs != before;
    hold(dev, ep, &m);
    return 0;
}

int duet_rpmsg_poll(duet_rpmsg *dev)
{
    if (dev->err)
        return dev->err;
    int count = 0;
    dev->polling++;
    for (unsigned i = 0; i < dev->ep_count; i++)
        count += offer_held(dev, dev->eps[i]);
    for (;;) {
        rx_buf b = {0, 0, 0, NULL};
        int got = rx_take(dev, &b);
        if (got <= 0)
            break;
        count += dispatch(dev, &b);
        if (dev->err)
            break;
    }
    /* Fragments held while their endpoint was busy in a nested poll may be taken now. */
    for (unsigned i = 0; i < dev->ep_count && !dev->err; i++) {
        if (dev->eps[i]->retry && !dev->eps[i]->reasm_busy) {
            dev->eps[i]->retry = false;
            count += offer_held(dev, dev->eps[i]);
        }
    }
    if (dev->role == DUET_RPMSG_HOST && !dev->err)
        tx_reclaim(dev);
    dev->polling--;
    if (dev->notify_pending && !dev->err) {
        dev->notify_pending = false;
        dev->port->ring(dev->port);
    }
    return dev->err ? dev->err : count;
}

/* transport/setup.c - bringing RPMsg up: the host writes the resource table and the rings,
 * the remote waits for them and checks them. */
#include "transport/internal.h"

const duet_rpmsg_layout duet_rpmsg_giga_layout = {
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

duet_rpmsg_layout duet_rpmsg_layout_giga(void)
{
    return duet_rpmsg_giga_layout;
}

/* Fails the set-up: dev->why says why. */
static bool refuse(duet_rpmsg *dev, const char *why)
{
    dev->why = why;
    return false;
}

/* Places one vring of vs bytes at da (num descriptors, the used ring at used); false if it
 * does not lie inside the shared region. */
static bool ring_place(duet_rpmsg *dev, duet_vring *v, uint32_t da, uint32_t num, size_t used, size_t vs)
{
    volatile uint8_t *desc = duet_rpmsg_map(dev, da, vs);
    if (!desc)
        return false;
    v->desc = desc;
    v->avail = desc + 16 * (size_t)num;
    v->used = desc + used;
    v->num = (uint16_t)num;
    return true;
}

/* Checks the layout's vrings and places them (vring0 carries the remote's messages to the
 * host): num descriptors, a power of two within DUET_RPMSG_MAX_RING; used rings aligned to
 * align, a power of two from 4 to 4096; each vring at an address aligned to it and to 16,
 * inside the shared region. Returns the size of a vring; 0 with dev->why set if not: nothing
 * reads the rings before the set-up has succeeded (a failed one leaves dev->err set). */
static size_t vrings_place(duet_rpmsg *dev, const duet_rpmsg_layout *l)
{
    uint32_t num = l->vring_num, align = l->vring_align;
    if ((num & (num - 1)) || num - 2 > DUET_RPMSG_MAX_RING - 2)
        return refuse(dev, duet_text_pick("vring size is not a power of two within DUET_RPMSG_MAX_RING", "bad vring"));
    /* With an align refused here, vs is garbage but unused. */
    size_t used = vring_used_off(num, align), vs = used + 6 + 8 * (size_t)num; /* duet_rpmsg_vring_size */
    bool host = is_host(dev);
    if ((align & (align - 1)) || align - 4 > 4096 - 4 || ((l->vring0_da | l->vring1_da) & ((align - 1) | 15)) ||
        !ring_place(dev, host ? &dev->rx : &dev->tx, l->vring0_da, num, used, vs) ||
        !ring_place(dev, host ? &dev->tx : &dev->rx, l->vring1_da, num, used, vs))
        return refuse(dev, duet_text_pick("vring address or alignment invalid, or outside the region", "bad vring"));
    return vs;
}

/*
 * Host: checks that the table, both vrings (vs bytes each) and the pool are pairwise apart.
 * Each of them lies inside the region (dev_reset checked), so none wraps past the end of
 * the 32-bit address space. False with dev->why set if they overlap.
 */
static bool rings_apart(duet_rpmsg *dev, const duet_rpmsg_layout *l, size_t vs)
{
    /* None starts inside another (each is at least a byte long): none overlap. Start j lies
     * inside i if it is less than len[i] past start[i] (unsigned: one before it is far past). */
    const uint32_t start[4] = {l->rsc_da, l->vring0_da, l->vring1_da, l->pool_da};
    const uint32_t len[4] = {l->rsc_size, (uint32_t)vs, (uint32_t)vs, l->pool_size};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            if (i != j && start[j] - start[i] < len[i])
                return refuse(dev, duet_text_pick("table, vrings and pool overlap", "regions overlap"));
    return true;
}

/* Starts dev afresh for role, checks the layout's vrings (and places them; *vs: the size of
 * each), buffers, pool and table. Returns the table, mapped; NULL with dev->err set:
 * DUET_ERR_NOT_SUPPORTED if this program was built without role's code (DUET_RPMSG_ROLES);
 * DUET_ERR_ARG (dev->why says why) if the layout breaks a rule. */
static volatile uint8_t *dev_reset(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay,
                                   duet_rpmsg_role role, size_t *vs)
{
    memset(dev, 0, sizeof *dev);
    if (!role_linked(role)) {
        dev->why = duet_text_pick("built for the other core (CORE_CM7, CORE_CM4)", "wrong core");
        dev->err = DUET_ERR_NOT_SUPPORTED;
        return NULL;
    }
    dev->port = port;
    dev->lay.pool_da = lay->pool_da;
    dev->lay.pool_size = lay->pool_size;
    dev->lay.buf_size = lay->buf_size;
    dev->role = (uint8_t)role;
    dev->tx_free = DUET_RPMSG_ID_NONE;
    dev->send_timeout_ms = DUET_RPMSG_SEND_TIMEOUT_MS;
    dev->fragments = true;
    const duet_rpmsg_layout *l = lay;
    volatile uint8_t *t = NULL;
    if ((*vs = vrings_place(dev, l)) != 0) {
        dev->pool = duet_rpmsg_map(dev, l->pool_da, l->pool_size);
        /* Buffers, pool and table aligned to 4. */
        if (l->buf_size > DUET_RPMSG_HEADER_SIZE && l->buf_size <= 0xffff + DUET_RPMSG_HEADER_SIZE &&
            (l->buf_size | l->pool_da | l->rsc_da) % 4 == 0 && dev->pool && l->pool_size / l->buf_size > l->vring_num &&
            l->rsc_size >= TABLE_HEAD + 4 + VDEV_SIZE + 2 * VRING_ENTRY_SIZE &&
            (t = duet_rpmsg_map(dev, l->rsc_da, l->rsc_size)))
            return t;
        dev->why = duet_text_pick("buffer size, pool or table invalid, too small or outside the region", "bad layout");
    }
    dev->err = DUET_ERR_ARG;
    return NULL;
}

/* ------------------------------------------------------------ host set-up */

/* Host: writes the resource table (one vdev entry with its two vrings) into t, zeroed (what
 * is 0 is left as it is), the status still 0; returns the vdev entry's offset. */
static uint32_t write_table(const duet_rpmsg_layout *l, volatile uint8_t *t)
{
    uint32_t vdev = TABLE_HEAD + 4;
    st32(t + 0, 1);
    st32(t + 4, 1);
    st32(t + TABLE_HEAD, vdev);
    st32(t + vdev + 0, RSC_VDEV);
    st32(t + vdev + 4, VIRTIO_ID_RPMSG);
    st32(t + vdev + 12, VIRTIO_RPMSG_F_NS); /* dfeatures */
    st32(t + vdev + 16, VIRTIO_RPMSG_F_NS); /* gfeatures */
    t[vdev + 25] = 2;                       /* num_of_vrings; notifyid and config_len stay 0 */
    const uint32_t da[2] = {l->vring0_da, l->vring1_da};
    for (uint32_t i = 0; i < 2; i++) {
        volatile uint8_t *v = t + vdev + VDEV_SIZE + i * VRING_ENTRY_SIZE;
        st32(v + 0, da[i]);
        st32(v + 4, l->vring_align);
        st32(v + 8, l->vring_num);
        if (i)
            st32(v + 12, i); /* notifyid (the table is zeroed: vring0's is 0) */
    }
    return vdev;
}

int duet_rpmsg_init_host(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay)
{
    size_t vsize;
    volatile uint8_t *t = dev_reset(dev, port, lay, DUET_RPMSG_HOST, &vsize);
    if (!t)
        return dev->err;
    const duet_rpmsg_layout *l = lay;
    if (!rings_apart(dev, l, vsize))
        return dev->err = DUET_ERR_ARG;
    zero(t, l->rsc_size);
    zero(dev->rx.desc, vsize);
    zero(dev->tx.desc, vsize);

    uint32_t vdev = write_table(l, t);

    /* Every receive descriptor gets its pool buffer and goes to the remote. */
    for (uint16_t i = 0; i < dev->rx.num; i++)
        duet_rpmsg_rx_release(dev, i, 0);
    dev->rx.published = dev->rx.shadow;
    /* Send buffers: the pool's buffers after the receive ones, one per descriptor at most. */
    uint32_t spare = l->pool_size / l->buf_size - l->vring_num;
    dev->tx_bufs = (uint16_t)(spare < l->vring_num ? spare : l->vring_num);
    for (uint16_t i = dev->tx_bufs; i-- > 0;) {
        dev->tx_next[i] = dev->tx_free;
        dev->tx_free = (duet_rpmsg_id)i;
    }
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

/*
 * Remote: finds the table's first vdev entry and checks it; its offset, or 0 with dev->why
 * set. The table is version 1 with 1.. entries whose offsets fit it; every offset up to the
 * vdev's is aligned and lies after the offsets and inside the table; the vdev is RPMsg's,
 * with two vrings, all of it inside the table.
 */
static uint32_t table_vdev(duet_rpmsg *dev, volatile const uint8_t *t, uint32_t size)
{
    uint32_t num = ld32(t + 4);
    if (ld32(t) != 1 || num - 1u >= (size - TABLE_HEAD) / 4)
        return refuse(dev, duet_text_pick("table version or entry count invalid", "bad table"));
    for (uint32_t i = 0; i < num; i++) {
        uint32_t off = ld32(t + TABLE_HEAD + 4 * i);
        if (off % 4 || off < TABLE_HEAD + 4 * num || off > size - 4 ||
            (ld32(t + off) == RSC_VDEV && off > size - (VDEV_SIZE + 2 * VRING_ENTRY_SIZE)))
            return refuse(dev, duet_text_pick("table entry outside the table", "bad table"));
        if (ld32(t + off) == RSC_VDEV) {
            if (ld32(t + off + 4) == VIRTIO_ID_RPMSG && t[off + 25] == 2)
                return off;
            break;
        }
    }
    return refuse(dev, duet_text_pick("table has no RPMsg vdev with two vrings", "bad table"));
}

/* Remote: waits up to timeout_ms for the host's table to show DRIVER_OK, then checks it;
 * the vdev entry's offset, or DUET_ERR_TIMEOUT, or DUET_ERR_CORRUPT for a table that breaks
 * a rule (or never became valid). */
static int32_t wait_table(duet_rpmsg *dev, volatile const uint8_t *t, uint32_t size, uint32_t timeout_ms)
{
    duet_port *port = dev->port;
    uint32_t start = port->now_ms(port);
    for (;;) {
        /* Status is written last by the host: once DRIVER_OK shows, the rest is there. */
        uint32_t off = ld32(t + TABLE_HEAD);
        if (ld32(t) == 1 && off <= size - VDEV_SIZE && (t[off + 24] & STATUS_DRIVER_OK)) {
            consume_fence();
            uint32_t vdev = table_vdev(dev, t, size);
            return vdev ? (int32_t)vdev : duet_rpmsg_corrupt(dev, dev->why);
        }
        uint32_t elapsed = port->now_ms(port) - start;
        if (elapsed >= timeout_ms) {
            /* Something is there but never became valid: say what is wrong with it. */
            if (ld32(t) != 0 && !table_vdev(dev, t, size))
                return duet_rpmsg_corrupt(dev, dev->why);
            dev->why = duet_text_pick("the host did not set up the shared memory in time", "host late");
            return dev->err = DUET_ERR_TIMEOUT;
        }
        port->wait(port, timeout_ms - elapsed < 10 ? timeout_ms - elapsed : 10);
    }
}

int duet_rpmsg_init_remote(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay, uint32_t timeout_ms)
{
    size_t vsize;
    volatile const uint8_t *t = dev_reset(dev, port, lay, DUET_RPMSG_REMOTE, &vsize);
    if (!t)
        return dev->err;
    /* Every receive buffer starts with the host (who hands its own over in init_host). */
    for (size_t i = 0; i < DUET_RPMSG_MAX_RING; i++)
        dev->rx_next[i] = DUET_RPMSG_ID_AWAY;
    int32_t vdev = wait_table(dev, t, lay->rsc_size, timeout_ms);
    if (vdev < 0)
        return (int)vdev;
    volatile const uint8_t *v0 = t + vdev + VDEV_SIZE;
    volatile const uint8_t *v1 = v0 + VRING_ENTRY_SIZE;
    /* The host's vrings must be where this core's layout has them, as its pool is (both
     * cores are built for the board's one layout, which dev_reset checked). The remote
     * receives on vring1 and sends on vring0. */
    if (ld32(v0) != lay->vring0_da || ld32(v1) != lay->vring1_da || ld32(v0 + 4) != lay->vring_align ||
        ld32(v1 + 4) != lay->vring_align || ld32(v0 + 8) != lay->vring_num || ld32(v1 + 8) != lay->vring_num)
        return duet_rpmsg_corrupt(dev, duet_text_pick("vrings not where this core's layout has them", "bad vring"));
    return DUET_OK; /* the rings are where dev_reset placed them */
}

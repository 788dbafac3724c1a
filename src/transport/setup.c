/* transport/setup.c - bringing RPMsg up: the host writes the resource table and the rings,
 * the remote waits for them and checks them. */
#include "transport/internal.h"

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

/* Checks that the table, both vrings and the pool are pairwise apart. Each lies inside the
 * shared region already, so their offsets in it and their ends cannot overflow. */
static bool regions_apart(duet_rpmsg *dev, uint32_t v0, uint32_t v1, uint32_t num, uint32_t align)
{
    const duet_rpmsg_layout *l = &dev->lay;
    size_t vs = duet_rpmsg_vring_size(num, align);
    uint32_t da = dev->port->shm_da;
    size_t start[4] = {l->rsc_da - da, v0 - da, v1 - da, l->pool_da - da};
    size_t len[4] = {l->rsc_size, vs, vs, l->pool_size};
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            if (start[i] < start[j] + len[j] && start[j] < start[i] + len[i]) {
                dev->why = text("table, vrings and pool overlap", "regions overlap");
                return false;
            }
    return true;
}

/* Starts dev afresh for role. DUET_OK, or DUET_ERR_NOT_SUPPORTED if this program was built
 * without role's code (DUET_RPMSG_ROLES). */
static int dev_reset(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay, duet_rpmsg_role role)
{
    memset(dev, 0, sizeof *dev);
    if (!role_linked(role)) {
        dev->err = DUET_ERR_NOT_SUPPORTED;
        dev->why = text("this program was built for the other core (CORE_CM7/CORE_CM4, DUET_RPMSG_ROLES)", "wrong core");
        return DUET_ERR_NOT_SUPPORTED;
    }
    dev->tx_free = DUET_RPMSG_ID_NONE;
    dev->port = port;
    dev->lay = *lay;
    dev->role = role;
    dev->next_addr = DUET_RPMSG_FIRST_ADDR;
    dev->send_timeout_ms = DUET_RPMSG_SEND_TIMEOUT_MS;
    dev->fragments = true;
    return DUET_OK;
}

static bool layout_ok(duet_rpmsg *dev)
{
    const duet_rpmsg_layout *l = &dev->lay;
    if (l->buf_size <= DUET_RPMSG_HEADER_SIZE || l->buf_size > 0xffff + DUET_RPMSG_HEADER_SIZE || l->buf_size % 4) {
        dev->why = "buffer size invalid";
        return false;
    }
    dev->pool = duet_rpmsg_map(dev, l->pool_da, l->pool_size);
    if (l->pool_da % 4 || !dev->pool || l->pool_size / l->buf_size <= l->vring_num) {
        dev->why = text("pool outside the region or too small", "bad pool");
        return false;
    }
    if (l->rsc_da % 4 || l->rsc_size < TABLE_HEAD + 4 + VDEV_SIZE + 2 * VRING_ENTRY_SIZE ||
        !duet_rpmsg_map(dev, l->rsc_da, l->rsc_size)) {
        dev->why = text("table outside the region or too small", "bad table");
        return false;
    }
    return true;
}

/* ------------------------------------------------------------ host set-up */

/* Host: writes the resource table (one vdev entry with its two vrings) into t, the status
 * still 0; returns the vdev entry's offset. */
static uint32_t write_table(const duet_rpmsg_layout *l, volatile uint8_t *t)
{
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
    return vdev;
}

int duet_rpmsg_init_host(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay)
{
    if (dev_reset(dev, port, lay, DUET_RPMSG_HOST))
        return dev->err;
    const duet_rpmsg_layout *l = &dev->lay;
    if (!layout_ok(dev) || !duet_rpmsg_vring_setup(dev, &dev->rx, l->vring0_da, l->vring_num, l->vring_align) ||
        !duet_rpmsg_vring_setup(dev, &dev->tx, l->vring1_da, l->vring_num, l->vring_align) ||
        !regions_apart(dev, l->vring0_da, l->vring1_da, l->vring_num, l->vring_align)) {
        dev->err = DUET_ERR_ARG;
        return DUET_ERR_ARG;
    }
    size_t vsize = duet_rpmsg_vring_size(l->vring_num, l->vring_align);
    volatile uint8_t *t = duet_rpmsg_map(dev, l->rsc_da, l->rsc_size);
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

/* Finds and checks the vdev entry of the table; its offset, or 0 with dev->why set. */
static uint32_t table_vdev(duet_rpmsg *dev, volatile const uint8_t *t)
{
    uint32_t size = dev->lay.rsc_size;
    uint32_t num = ld32(t + 4);
    if (ld32(t) != 1) {
        dev->why = text("table version is not 1", "bad table");
        return 0;
    }
    if (num == 0 || num > (size - TABLE_HEAD) / 4) {
        dev->why = text("table entry count out of range", "bad table");
        return 0;
    }
    for (uint32_t i = 0; i < num; i++) {
        uint32_t off = ld32(t + TABLE_HEAD + 4 * i);
        if (off % 4 || off < TABLE_HEAD + 4 * num || off > size - 4) {
            dev->why = text("table offset out of range", "bad table");
            return 0;
        }
        if (ld32(t + off) != RSC_VDEV)
            continue;
        if (off > size - (VDEV_SIZE + 2 * VRING_ENTRY_SIZE)) {
            dev->why = text("vdev runs past the table", "bad table");
            return 0;
        }
        if (ld32(t + off + 4) != VIRTIO_ID_RPMSG || t[off + 25] != 2) {
            dev->why = text("vdev is not RPMsg with two vrings", "bad table");
            return 0;
        }
        return off;
    }
    dev->why = text("table has no vdev", "bad table");
    return 0;
}

int duet_rpmsg_init_remote(duet_rpmsg *dev, duet_port *port, const duet_rpmsg_layout *lay, uint32_t timeout_ms)
{
    if (dev_reset(dev, port, lay, DUET_RPMSG_REMOTE))
        return dev->err;
    if (!layout_ok(dev)) {
        dev->err = DUET_ERR_ARG;
        return DUET_ERR_ARG;
    }
    /* Every receive buffer starts with the host (who hands its own over in init_host). */
    for (size_t i = 0; i < DUET_RPMSG_MAX_RING; i++)
        dev->rx_next[i] = DUET_RPMSG_ID_AWAY;
    volatile const uint8_t *t = duet_rpmsg_map(dev, dev->lay.rsc_da, dev->lay.rsc_size);
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
                return duet_rpmsg_corrupt(dev, dev->why);
            dev->err = DUET_ERR_TIMEOUT;
            dev->why = text("the host did not set up the shared memory in time", "host late");
            return DUET_ERR_TIMEOUT;
        }
        port->wait(port, timeout_ms - elapsed < 10 ? timeout_ms - elapsed : 10);
    }
    if (!vdev)
        return duet_rpmsg_corrupt(dev, dev->why);
    volatile const uint8_t *v0 = t + vdev + VDEV_SIZE;
    volatile const uint8_t *v1 = v0 + VRING_ENTRY_SIZE;
    uint32_t num = ld32(v0 + 8), align = ld32(v0 + 4);
    if (ld32(v1 + 8) != num || ld32(v1 + 4) != align)
        return duet_rpmsg_corrupt(dev, text("vrings differ in size or alignment", "bad vring"));
    /* The remote receives on vring1 and sends on vring0. */
    if (!duet_rpmsg_vring_setup(dev, &dev->tx, ld32(v0), num, align) || !duet_rpmsg_vring_setup(dev, &dev->rx, ld32(v1), num, align) ||
        !regions_apart(dev, ld32(v0), ld32(v1), num, align))
        return duet_rpmsg_corrupt(dev, dev->why);
    return DUET_OK;
}


/* transport/vring.c - virtio split rings in shared memory: their layout, and taking and
 * handing back the buffers they carry, checking everything the other side wrote. */
#include "transport/internal.h"

size_t duet_rpmsg_vring_size(uint32_t num, uint32_t align)
{
    return vring_used_off(num, align) + 6 + 8 * (size_t)num;
}

void *duet_rpmsg_map(const duet_rpmsg *dev, uint32_t da, size_t n)
{
    /* duet_port_map in 32 bits: every address here is one. */
    const duet_port *port = dev->port;
    size_t off = da - port->shm_da;
    if (da < port->shm_da || off > port->shm_size || n > port->shm_size - off)
        return NULL;
    return port->shm + off;
}

/* ------------------------------------------------------------ indices and flags */

/* The index the other side publishes on v: the used ring's for the host, the avail ring's
 * for the remote (on both rings). */
static volatile uint8_t *peer_ring(const duet_rpmsg *dev, const duet_vring *v)
{
    return is_host(dev) ? v->used : v->avail;
}

/* The ring this side publishes on: the other one. */
static volatile uint8_t *own_ring(const duet_rpmsg *dev, const duet_vring *v)
{
    return is_host(dev) ? v->avail : v->used;
}

/*
 * How many entries the other side has published on v that we have not taken; reads the
 * shared index only when those it said last time are all taken. DUET_ERR_CORRUPT if the
 * index jumped by more than the ring.
 */
static HOT int ahead(duet_rpmsg *dev, duet_vring *v)
{
    if (v->last == v->seen) {
        uint16_t idx = ld16(peer_ring(dev, v) + 2);
        if ((uint16_t)(idx - v->last) > v->num)
            return duet_rpmsg_corrupt(dev, duet_text_pick("ring index jumped past the ring", "bad ring index"));
        if (idx == v->last)
            return 0;
        v->seen = idx;
        consume_fence();
    }
    return (uint16_t)(v->seen - v->last);
}

/* Publishes our index of v up to v->shadow; notes whether the other side asked to be rung. */
static void publish(duet_rpmsg *dev, duet_vring *v)
{
    publish_fence();
    st16(own_ring(dev, v) + 2, v->shadow);
    v->published = v->shadow;
#if DUET_RPMSG_STREAM_PATHS
    /* Asked to ring: we ring, and the ring is ordered after the index (duet_rpmsg_notify).
     * The full fence is only for a decision not to ring. Where the build is for speed: the
     * flag's load then waits for no store (x86: the payload's, still draining). */
    if (!(ld16(peer_ring(dev, v)) & RING_QUIET)) {
        dev->notify_pending = true;
        return;
    }
#endif
    full_fence();
    if (!(ld16(peer_ring(dev, v)) & RING_QUIET))
        dev->notify_pending = true;
}

bool duet_rpmsg_quiet(duet_rpmsg *dev, duet_vring *v, bool quiet)
{
    if (v->quiet == quiet)
        return false;
    v->quiet = quiet;
    st16(own_ring(dev, v), quiet ? RING_QUIET : 0);
    if (quiet)
        return false;
    full_fence();
    return ld16(peer_ring(dev, v) + 2) != v->last;
}

/* ------------------------------------------------------------ receiving */

/*
 * Hands buffer id of v to the other side (seen there once published) with n bytes in it:
 * the host in its descriptor (at addr, with flags) and an avail entry, the remote in a used
 * entry. The host rewrites a descriptor only if it differs (the remote may have scribbled
 * on it): one left alone stays in the remote's cache.
 */
static HOT void give(duet_rpmsg *dev, duet_vring *v, uint16_t id, uint32_t addr, uint32_t n, uint16_t flags)
{
    size_t slot = v->shadow++ & (v->num - 1u);
    if (is_host(dev)) {
        volatile uint8_t *d = v->desc + 16 * (size_t)id;
        if (ld32(d) != addr || ld32(d + 4) || ld32(d + 8) != n || ld16(d + 12) != flags) {
            st32(d + 0, addr);
            st32(d + 4, 0);
            st32(d + 8, n);
            st16(d + 12, flags);
        }
        st16(v->avail + 4 + 2 * slot, id);
    } else {
        st32(v->used + 4 + 8 * slot, id);
        st32(v->used + 8 + 8 * slot, n);
    }
}

/* The id in the entry the other side published at v->last: the host reads a used entry
 * (and the length in it), the remote an avail entry (length 0). */
static HOT uint32_t peer_entry(const duet_rpmsg *dev, const duet_vring *v, uint32_t *len)
{
    size_t slot = v->last & (v->num - 1u);
    *len = 0;
    if (!is_host(dev))
        return ld16(v->avail + 4 + 2 * slot);
    *len = ld32(v->used + 8 + 8 * slot);
    return ld32(v->used + 4 + 8 * slot);
}

/* Where pool buffer k starts, as a device address. */
static uint32_t pool_addr(const duet_rpmsg *dev, uint32_t k)
{
    return dev->lay.pool_da + k * dev->lay.buf_size;
}

void duet_rpmsg_rx_release(duet_rpmsg *dev, uint16_t id, uint32_t len)
{
    give(dev, &dev->rx, id, pool_addr(dev, id), is_host(dev) ? dev->lay.buf_size : len, DESC_F_WRITE);
    dev->rx_next[id] = DUET_RPMSG_ID_AWAY;
}

void duet_rpmsg_publish(duet_rpmsg *dev)
{
    for (int i = 0; i < 2; i++) {
        duet_vring *v = i ? &dev->rx : &dev->tx;
        if (v->shadow != v->published)
            publish(dev, v);
    }
}

/* Whether the other side has published nothing on v that we have not taken. */
static bool vring_idle(const duet_rpmsg *dev, const duet_vring *v)
{
    return v->last == v->seen && ld16(peer_ring(dev, v) + 2) == v->last;
}

bool duet_rpmsg_idle(const duet_rpmsg *dev)
{
    return !dev->notify_pending && dev->tx.shadow == dev->tx.published && dev->rx.shadow == dev->rx.published &&
           vring_idle(dev, &dev->rx) && (!is_host(dev) || vring_idle(dev, &dev->tx));
}

/* The remote: the buffer descriptor id of v names, checked to lie in the pool and to hold
 * min_len to a buffer's size; its length in *len. NULL (the link down) if it breaks that. */
static HOT volatile uint8_t *desc_buffer(duet_rpmsg *dev, duet_vring *v, uint16_t id, uint32_t min_len, uint32_t *len)
{
    const duet_rpmsg_pool_layout *l = &dev->lay;
    volatile const uint8_t *d = v->desc + 16 * (size_t)id;
    uint32_t addr = ld32(d), n = ld32(d + 8);
    /* The address is 64 bits wide: one with its high word set lies outside the pool too. */
    if (ld32(d + 4) || n < min_len || n > l->buf_size || addr < l->pool_da || addr - l->pool_da > l->pool_size - n) {
        duet_rpmsg_corrupt(dev, duet_text_pick("descriptor outside the pool", "bad descriptor"));
        return NULL;
    }
    *len = n;
    return dev->pool + (addr - l->pool_da);
}

HOT int duet_rpmsg_rx_map(duet_rpmsg *dev, uint16_t id, rx_buf *b)
{
    const duet_rpmsg_pool_layout *l = &dev->lay;
    b->id = id;
    b->len = l->buf_size;
    if (is_host(dev))
        b->p = dev->pool + (size_t)id * l->buf_size;
    else if (!(b->p = desc_buffer(dev, &dev->rx, id, DUET_RPMSG_HEADER_SIZE, &b->len)))
        return DUET_ERR_CORRUPT;
    /* Read once: the other core may change it, and only the checked copy is used. */
    b->msg_len = ld16(b->p + 12);
    if (b->msg_len > b->len - DUET_RPMSG_HEADER_SIZE)
        return duet_rpmsg_corrupt(dev, duet_text_pick("message longer than its buffer", "bad length"));
    return 1;
}

HOT int duet_rpmsg_rx_next(duet_rpmsg *dev, rx_buf *b, bool take)
{
    duet_vring *v = &dev->rx;
    int n = ahead(dev, v);
    if (n <= 0)
        return n;
    uint32_t len, id = peer_entry(dev, v, &len);
    if (id >= v->num || dev->rx_next[id] != DUET_RPMSG_ID_AWAY || len > dev->lay.buf_size)
        return duet_rpmsg_corrupt(dev, duet_text_pick("receive ring names a buffer not its to give", "bad buffer id"));
    n = duet_rpmsg_rx_map(dev, (uint16_t)id, b);
    /* Only link.read leaves one in the ring, where it is built (DUET_RPMSG_STREAM_PATHS). */
    if ((take || !DUET_RPMSG_STREAM_PATHS) && n > 0)
        rx_took(dev, b);
    return n;
}

/* ------------------------------------------------------------ sending */

int duet_rpmsg_tx_reclaim(duet_rpmsg *dev)
{
    duet_vring *v = &dev->tx;
    if (!role_linked(DUET_RPMSG_HOST))
        return 0; /* only the host reclaims: a program built for the remote alone never does */
    int n = ahead(dev, v);
    for (; n > 0; n--) {
        uint32_t len, id = peer_entry(dev, v, &len);
        if (id >= dev->tx_bufs || dev->tx_next[id] != DUET_RPMSG_ID_AWAY)
            return duet_rpmsg_corrupt(dev, duet_text_pick("used ring returned a buffer never sent", "bad buffer id"));
        dev->tx_next[id] = dev->tx_free;
        dev->tx_free = (duet_rpmsg_id)id;
        dev->tx_free_count++;
        v->last++;
    }
    return n;
}

/* Takes a free send buffer if there is one now. @retval 1, 0, DUET_ERR_CORRUPT */
static HOT int tx_take_now(duet_rpmsg *dev, tx_buf *b)
{
    const duet_rpmsg_pool_layout *l = &dev->lay;
    duet_vring *v = &dev->tx;
    if (is_host(dev)) {
        if (dev->tx_free == DUET_RPMSG_ID_NONE) {
            int err = duet_rpmsg_tx_reclaim(dev);
            if (err || dev->tx_free == DUET_RPMSG_ID_NONE)
                return err;
        }
        b->id = dev->tx_free;
        dev->tx_free = dev->tx_next[b->id];
        dev->tx_free_count--;
        b->p = dev->pool + (pool_addr(dev, (uint32_t)v->num + b->id) - l->pool_da);
        return 1;
    }
    int n = ahead(dev, v);
    if (n <= 0)
        return n;
    uint32_t len;
    b->id = (uint16_t)peer_entry(dev, v, &len);
    if (b->id >= v->num)
        return duet_rpmsg_corrupt(dev, duet_text_pick("avail ring names a buffer out of range", "bad buffer id"));
    v->last++;
    b->p = desc_buffer(dev, v, b->id, l->buf_size, &b->cap);
    return b->p ? 1 : DUET_ERR_CORRUPT;
}

HOT int duet_rpmsg_tx_take(duet_rpmsg *dev, tx_buf *b)
{
    int got = tx_take_now(dev, b);
    /* None free: ask to be rung when one comes back, then look once more. */
    if (got == 0 && duet_rpmsg_quiet(dev, &dev->tx, false))
        got = tx_take_now(dev, b);
    if (got == 1 && !dev->tx.quiet)
        duet_rpmsg_quiet(dev, &dev->tx, true);
    return got;
}

HOT void duet_rpmsg_tx_give(duet_rpmsg *dev, const tx_buf *b, uint16_t len)
{
    duet_vring *v = &dev->tx;
    give(dev, v, b->id, pool_addr(dev, (uint32_t)v->num + b->id), DUET_RPMSG_HEADER_SIZE + (uint32_t)len, 0);
    if (is_host(dev))
        dev->tx_next[b->id] = DUET_RPMSG_ID_AWAY;
    dev->stats.tx_msgs++;
}

#if DUET_RPMSG_STREAM_PATHS
/* Buffers a remote's run takes at once: their ids are read together, so that the other
 * core's writes to the avail ring cost one wait, not one per buffer. */
enum { RUN_BATCH = 16 };

/*
 * Copies a payload of n bytes into a send buffer (at its 16-byte aligned payload) 16 bytes
 * at a time, the rest with memcpy. A memcpy of a few hundred bytes stores in wide unaligned
 * pieces (x86: 64 bytes), each across two cache lines there, and every line the other core
 * has read must be taken back from it; these stores each stay in one line.
 */
static HOT void copy_payload(volatile uint8_t *to, const uint8_t *data, size_t n)
{
    uint8_t *p = (uint8_t *)(uintptr_t)to;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint64_t a, b;
        memcpy(&a, data + i, 8);
        memcpy(&b, data + i + 8, 8);
        memcpy(p + i, &a, 8);
        memcpy(p + i + 8, &b, 8);
    }
    if (i < n)
        memcpy(p + i, data + i, n - i);
}

/* Copies n bytes of run, from its byte at, to `to`: those of its head, then of its data. */
static HOT void copy_bytes(uint8_t *to, const tx_bytes *run, size_t at, size_t n)
{
    if (at < run->head_len) {
        size_t k = run->head_len - at < n ? run->head_len - at : n;
        memcpy(to, run->head + at, k);
        to += k;
        at += k;
        n -= k;
    }
    if (n)
        memcpy(to, run->data + (at - run->head_len), n);
}

/* The used entries of the batch that starts at used slot out: written together after the
 * payloads, so the cache line the other core reads them from changes hands once. */
static HOT void run_used(duet_vring *v, uint16_t out, const uint16_t *ids, const uint16_t *lens, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        size_t slot = (uint16_t)(out + i) & (v->num - 1u);
        st32(v->used + 4 + 8 * slot, ids[i]);
        st32(v->used + 8 + 8 * slot, DUET_RPMSG_HEADER_SIZE + (uint32_t)lens[i]);
    }
}

#if DUET_RPMSG_STAGED_RUNS
/* The most a staged run copies at once (internal.h, DUET_RPMSG_STAGED_RUNS). */
enum { STAGE_BYTES = 4096 };

/*
 * The buffers from bufs[0] that can be staged together: each adjacent to the one before in
 * the pool (so the run is one span of checked buffers) and each but the last full, at most
 * STAGE_BYTES in all. 1 when the next is not adjacent.
 */
static HOT unsigned staged_run(volatile uint8_t *const *bufs, const uint16_t *lens, unsigned n, size_t size)
{
    unsigned run = 1;
    while (run < n && (run + 1) * size <= STAGE_BYTES && bufs[run] == bufs[run - 1] + size &&
           (size_t)DUET_RPMSG_HEADER_SIZE + lens[run - 1] == size)
        run++;
    return run;
}

/* Writes the messages into the stage as they lie in the pool, then copies the stage there
 * in one piece. Returns the bytes of run it took from its byte at. */
static HOT size_t fill_staged(volatile uint8_t *to, const uint16_t *lens, unsigned count, size_t size, uint32_t src,
                              uint32_t dst, const tx_bytes *run, size_t at)
{
    _Alignas(64) uint8_t stage[STAGE_BYTES];
    size_t end = 0, took = 0;
    for (unsigned j = 0; j < count; j++) {
        put_header(stage + end, src, dst, lens[j], 0);
        copy_bytes(stage + end + DUET_RPMSG_HEADER_SIZE, run, at + took, lens[j]);
        took += lens[j];
        end += j + 1 < count ? size : (size_t)DUET_RPMSG_HEADER_SIZE + lens[j];
    }
    memcpy((uint8_t *)(uintptr_t)to, stage, end);
    return took;
}
#endif

/* Writes the messages of lens[0..n) bytes of run, from its byte at, into the checked
 * buffers bufs[0..n). */
static HOT void fill_buffers(const duet_rpmsg *dev, volatile uint8_t *const *bufs, const uint16_t *lens, unsigned n,
                             uint32_t src, uint32_t dst, const tx_bytes *run, size_t at)
{
    for (unsigned i = 0; i < n;) {
#if DUET_RPMSG_STAGED_RUNS
        unsigned count = staged_run(bufs + i, lens + i, n - i, dev->lay.buf_size);
        if (count > 1) {
            at += fill_staged(bufs[i], lens + i, count, dev->lay.buf_size, src, dst, run, at);
            i += count;
            continue;
        }
#else
        (void)dev;
#endif
        put_header(bufs[i], src, dst, lens[i], 0);
        if (at < run->head_len) /* the run's first message, partly its head's */
            copy_bytes((uint8_t *)(uintptr_t)(bufs[i] + DUET_RPMSG_HEADER_SIZE), run, at, lens[i]);
        else
            copy_payload(bufs[i] + DUET_RPMSG_HEADER_SIZE, run->data + (at - run->head_len), lens[i]);
        at += lens[i];
        i++;
    }
}

/*
 * The remote's run: up to RUN_BATCH of the buffers the host made free (those ahead of
 * v->last), filled in order with messages of piece bytes of run (len in all, *done of them
 * sent before), each buffer checked as tx_take_now checks it. Returns how many it filled
 * (fewer if one is bad: *err is then DUET_ERR_CORRUPT); *done grows by their bytes.
 */
static unsigned remote_batch(duet_rpmsg *dev, unsigned n, uint32_t src, uint32_t dst, const tx_bytes *run, size_t len,
                             size_t piece, size_t *done, int *err)
{
    duet_vring *v = &dev->tx;
    uint16_t ids[RUN_BATCH], lens[RUN_BATCH];
    volatile uint8_t *bufs[RUN_BATCH];
    size_t start = *done;
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++)
        ids[i] = ld16(v->avail + 4 + 2 * ((uint16_t)(v->last + i) & (v->num - 1u)));
    for (; k < n; k++) {
        uint32_t cap;
        bufs[k] = ids[k] < v->num ? desc_buffer(dev, v, ids[k], dev->lay.buf_size, &cap) : NULL;
        if (!bufs[k]) {
            *err = ids[k] < v->num ? DUET_ERR_CORRUPT
                                   : duet_rpmsg_corrupt(dev, duet_text_pick("avail ring names a buffer out of range", "bad buffer id"));
            break;
        }
        lens[k] = (uint16_t)(len - *done < piece ? len - *done : piece);
        *done += lens[k];
    }
    fill_buffers(dev, bufs, lens, k, src, dst, run, start);
    run_used(v, v->shadow, ids, lens, k);
    v->last = (uint16_t)(v->last + k);
    v->shadow = (uint16_t)(v->shadow + k);
    dev->stats.tx_msgs += k;
    return k;
}

/* The remote's run: batches while buffers are free and bytes are left, from byte at of run. */
static size_t remote_run(duet_rpmsg *dev, uint32_t src, uint32_t dst, const tx_bytes *run, size_t at, size_t piece,
                         int *err)
{
    size_t done = at, len = run->head_len + run->len;
    int free = ahead(dev, &dev->tx);
    *err = free < 0 ? free : DUET_OK;
    while (free > 0 && done < len && !*err) {
        size_t msgs = (len - done + piece - 1) / piece;
        unsigned n = free < RUN_BATCH ? (unsigned)free : RUN_BATCH;
        n = msgs < n ? (unsigned)msgs : n;
        free -= (int)remote_batch(dev, n, src, dst, run, len, piece, &done, err);
    }
    return done - at;
}

size_t duet_rpmsg_tx_run(duet_rpmsg *dev, uint32_t src, uint32_t dst, const tx_bytes *run, size_t at, size_t piece,
                         int *err)
{
    size_t done = 0, len = run->head_len + run->len - at;
    tx_buf b = {0, 0, NULL};
    int got = 0;
    if (!is_host(dev)) {
        done = remote_run(dev, src, dst, run, at, piece, err);
        got = *err;
    } else {
        while (done < len && (got = tx_take_now(dev, &b)) == 1) {
            size_t n = len - done < piece ? len - done : piece;
            put_header(b.p, src, dst, (uint16_t)n, 0);
            copy_bytes((uint8_t *)(uintptr_t)(b.p + DUET_RPMSG_HEADER_SIZE), run, at + done, n);
            duet_rpmsg_tx_give(dev, &b, (uint16_t)n);
            done += n;
        }
    }
    /* Buffers came back after we asked to hear of it: we need not hear of the next ones. */
    if (done && !dev->tx.quiet)
        duet_rpmsg_quiet(dev, &dev->tx, true);
    *err = got < 0 ? got : DUET_OK;
    return done;
}
#endif

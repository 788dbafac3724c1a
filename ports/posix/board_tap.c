/* board_tap.c - the emulated board's bus analyzer: when duet-board traces (--trace), each
 * core reports every RPMsg buffer it hands to the other core, read from SRAM4 the moment it
 * rings the doorbell, as an event record (DUET_EV_RPMSG). It reads the shared memory as
 * the virtio standard lays it out, as a logic analyzer on the board would; it changes
 * nothing and trusts nothing it reads. */
#include "board_tap.h"

#include <stdlib.h>
#include <string.h>

#include "duet/posix/board.h"
#include "duet/posix/events.h"
#include "board_io.h"

/* The resource table at the start of SRAM4: a header, then the offset of each entry. */
#define RSC_TABLE_DA 0x38000000u
#define RSC_HEADER 16u      /* ver, num, reserved[2] */
#define RSC_VDEV_TYPE 3u
#define VDEV_HEAD 28u       /* type, id, notifyid, dfeatures, gfeatures, config_len, status... */
#define VRING_ENTRY 20u     /* da, align, num, notifyid, reserved */
#define RPMSG_HEADER 16u    /* src, dst, reserved, len (u16), flags (u16) */

static uint32_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint16_t ld16(const volatile uint8_t *p)
{
    uint16_t v;
    __atomic_load((const uint16_t *)(const void *)p, &v, __ATOMIC_ACQUIRE);
    return v;
}

/* The bytes of n at device address da inside SRAM4, or NULL. */
static const uint8_t *at(const duet_port *port, uint64_t da, size_t n)
{
    return duet_port_map(port, da, n);
}

/* Where the outgoing vring of this core is: vring 1 for the M7 (it adds to the avail ring),
 * vring 0 for the M4 (it fills buffers and adds them to the used ring). */
static bool find_ring(const duet_port *port, uint32_t *da, uint32_t *num, uint32_t *align)
{
    const uint8_t *t = at(port, RSC_TABLE_DA, RSC_HEADER + 4);
    if (!t || ld32(t) != 1 || ld32(t + 4) < 1)
        return false;
    uint32_t off = ld32(t + RSC_HEADER);
    const uint8_t *vdev = at(port, (uint64_t)RSC_TABLE_DA + off, VDEV_HEAD + 2 * VRING_ENTRY);
    if (!vdev || ld32(vdev) != RSC_VDEV_TYPE || vdev[25] != 2)
        return false;
    const uint8_t *v = vdev + VDEV_HEAD + (port->cpu_id == DUET_CPU_M7 ? VRING_ENTRY : 0);
    *da = ld32(v);
    *align = ld32(v + 4);
    *num = ld32(v + 8);
    return *num > 0 && *num <= 1024 && (*num & (*num - 1)) == 0 && *align >= 4 && *align <= 4096 &&
           (*align & (*align - 1)) == 0;
}

void duet_posix_tap_init(duet_posix_tap *tap)
{
    memset(tap, 0, sizeof *tap);
    const char *on = getenv("DUET_BOARD_TRACE");
    tap->on = on && on[0] == '1';
}

/* Reports one buffer: its RPMsg header and payload. */
static void report(const duet_port *port, uint64_t addr, uint32_t cap)
{
    const uint8_t *h = at(port, addr, RPMSG_HEADER);
    if (!h)
        return;
    uint16_t len;
    memcpy(&len, h + 12, 2);
    if (len > cap - RPMSG_HEADER || len > DUET_POSIX_EVENT_DATA_MAX - RPMSG_HEADER)
        return;
    const uint8_t *m = at(port, addr, RPMSG_HEADER + (size_t)len);
    if (m)
        duet_posix_event_emit(DUET_EV_RPMSG, -1, 0, m, RPMSG_HEADER + (size_t)len);
}

void duet_posix_tap_scan(duet_posix_tap *tap, const duet_port *port, uint32_t reset_gen)
{
    if (!tap->on)
        return;
    uint32_t da, num, align;
    if (!find_ring(port, &da, &num, &align))
        return;
    if (tap->gen != reset_gen || tap->da != da) {
        /* A new table (the board was reset): its rings start at index 0. */
        tap->gen = reset_gen;
        tap->da = da;
        tap->seen = 0;
    }
    size_t avail_off = 16 * (size_t)num;
    size_t used_off = (avail_off + 6 + 2 * (size_t)num + align - 1) & ~((size_t)align - 1);
    const uint8_t *desc = at(port, da, 16 * (size_t)num);
    const uint8_t *avail = at(port, (uint64_t)da + avail_off, 4 + 2 * (size_t)num);
    const uint8_t *used = at(port, (uint64_t)da + used_off, 4 + 8 * (size_t)num);
    if (!desc || !avail || !used)
        return;
    bool m7 = port->cpu_id == DUET_CPU_M7;
    uint16_t idx = ld16(m7 ? avail + 2 : used + 2);
    uint16_t todo = (uint16_t)(idx - tap->seen);
    if (todo > num)
        todo = (uint16_t)num; /* more than a ring's worth since the last look: the newest */
    for (uint16_t k = (uint16_t)(idx - todo); k != idx; k++) {
        uint32_t slot = k & (num - 1), id;
        if (m7) {
            uint16_t d;
            memcpy(&d, avail + 4 + 2 * slot, 2);
            id = d;
        } else {
            id = ld32(used + 4 + 8 * slot);
        }
        if (id >= num)
            continue;
        uint64_t addr;
        uint32_t len;
        memcpy(&addr, desc + 16 * id, 8);
        memcpy(&len, desc + 16 * id + 8, 4);
        if (len >= RPMSG_HEADER)
            report(port, addr, len);
    }
    tap->seen = idx;
}

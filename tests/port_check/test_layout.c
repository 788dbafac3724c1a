/* test_layout.c - the port check's idea of where duet_begin() sets RPMsg up (PC_LAYOUT_DA and
 * PC_LAYOUT_SIZE, tools/port_check/port_check.h) is the layout's (duet_rpmsg_giga_layout):
 * its table, both vrings and its pool lie within it, and they start and end at its edges. */
#include <stdio.h>

#include "duet/rpmsg.h"
#include "port_check.h"

int main(void)
{
    const duet_rpmsg_layout *l = &duet_rpmsg_giga_layout;
    uint32_t vs = (uint32_t)duet_rpmsg_vring_size(l->vring_num, l->vring_align);
    uint32_t start[4] = {l->rsc_da, l->vring0_da, l->vring1_da, l->pool_da};
    uint32_t end[4] = {l->rsc_da + l->rsc_size, l->vring0_da + vs, l->vring1_da + vs, l->pool_da + l->pool_size};
    uint32_t lo = start[0], hi = end[0];
    for (int i = 1; i < 4; i++) {
        lo = start[i] < lo ? start[i] : lo;
        hi = end[i] > hi ? end[i] : hi;
    }
    if (lo != PC_LAYOUT_DA || hi != PC_LAYOUT_DA + PC_LAYOUT_SIZE) {
        printf("FAIL: duet_rpmsg_giga_layout spans 0x%08x..0x%08x, the port check says 0x%08x..0x%08x\n", (unsigned)lo,
               (unsigned)hi, (unsigned)PC_LAYOUT_DA, (unsigned)(PC_LAYOUT_DA + PC_LAYOUT_SIZE));
        return 1;
    }
    printf("ok: duet_rpmsg_giga_layout spans 0x%08x..0x%08x, as the port check says\n", (unsigned)lo, (unsigned)hi);
    return 0;
}

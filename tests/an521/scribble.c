/* scribble.c - the QEMU tests' hostile core (scribble.h). */
#include "scribble.h"

#include <string.h>

#include "check.h"
#include "duet/duet.h"
#include "duet/rpmsg.h"
#include "scenario.h"

/* Where a virtio split ring of num descriptors keeps its rings (the virtio specification's
 * layout, as OpenAMP and Linux place it): the descriptors (16 bytes each), then the avail
 * ring (flags, idx, num entries of 2 bytes, used_event), then, at the next multiple of
 * align, the used ring (flags, idx, num entries of 8 bytes). Each idx is 2 bytes after its
 * ring's start. */
static uint32_t avail_offset(const duet_rpmsg_layout *lay)
{
    return 16 * lay->vring_num;
}

static uint32_t used_offset(const duet_rpmsg_layout *lay)
{
    uint32_t end_of_avail = avail_offset(lay) + 6 + 2 * lay->vring_num;
    return (end_of_avail + lay->vring_align - 1) & ~(lay->vring_align - 1);
}

void scribble_ring_index(duet_port *port, scribble_ring ring, uint16_t jump)
{
    duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
    uint32_t da = ring == SCRIBBLE_HOST_AVAIL ? lay.vring1_da + avail_offset(&lay) + 2
                                              : lay.vring0_da + used_offset(&lay) + 2;
    volatile uint16_t *idx = duet_port_map(port, da, 2);
    CHECK(idx != NULL);
    *idx = (uint16_t)(*idx + jump);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    port->ring(port);
}

void scribble_expect_down(duet_port *port, const char *method)
{
    uint32_t start = port->now_ms(port);
    int n;
    while ((n = duet_poll()) >= 0) {
        CHECK(port->now_ms(port) - start < 5000);
        if (n == 0)
            port->wait(port, 10);
    }
    CHECK_EQ(n, DUET_ERR_CORRUPT);
    CHECK_EQ(duet_error(), DUET_ERR_CORRUPT);
    CHECK(strstr(duet_error_text(), GARBAGE_TEXT) != NULL);
    CHECK_EQ(duet_rpmsg_get_stats(duet_rpmsg_instance()).corrupt, 1);
    start = port->now_ms(port);
    int32_t r = 0;
    CHECK_EQ(duet_call(method, "ii:i", 2, 3, &r), DUET_ERR_CORRUPT);
    CHECK(port->now_ms(port) - start < 1000); /* at once, not after the call's 5 s */
    CHECK(strstr(duet_error_text(), method) != NULL);
    CHECK(strstr(duet_error_text(), GARBAGE_TEXT) != NULL);
}

/* scribble.c - the QEMU tests' hostile core (scribble.h). */
#include "scribble.h"

#include <string.h>

#include "check.h"
#include "duet/duet.h"
#include "duet/rpmsg.h"
#include "scenario.h"

/* Where the index of a vring's ring lies (its 2 bytes after the ring's flags): the avail ring
 * follows the num 16-byte descriptors; the used ring (flags, idx, num 8-byte entries) ends
 * the vring, whose size the transport's own layout gives (duet_rpmsg_vring_size). */
static uint32_t index_da(const duet_rpmsg_layout *lay, scribble_ring ring)
{
    uint32_t num = lay->vring_num;
    if (ring == SCRIBBLE_HOST_AVAIL)
        return lay->vring1_da + 16 * num + 2;
    uint32_t used = (uint32_t)duet_rpmsg_vring_size(num, lay->vring_align) - (6 + 8 * num);
    return lay->vring0_da + used + 2;
}

void scribble_ring_index(duet_port *port, scribble_ring ring, uint16_t jump)
{
    duet_rpmsg_layout lay = duet_rpmsg_layout_giga();
    volatile uint16_t *idx = duet_port_map(port, index_da(&lay, ring), 2);
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

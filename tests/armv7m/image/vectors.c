/* vectors.c - the vector table of the Armv7-M test images: the initial stack, the reset
 * handler of ports/cortex_m, and the shared fault report for every other exception (the
 * program takes no interrupt: duet's in-memory link needs no clock). */
#include "duet/cortex_m.h"

typedef void (*vector)(void);

extern uint32_t __stack_top__[];

/* The 16 system exceptions of Armv7-M (exception numbers 0..15). */
__attribute__((section(".vectors"), used)) const vector duet_armv7m_vectors[16] = {
    [0] = (vector)__stack_top__,
    [1] = duet_cortex_m_reset,
    [2 ... 15] = duet_cortex_m_fault,
};

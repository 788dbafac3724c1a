/* vectors.c - the AN521's vector table: 16 system exceptions and the 92 external interrupts
 * QEMU's mps2-an521 gives each core (numirq in hw/arm/mps2-tz.c). 108 words, so VTOR
 * needs it 512-byte aligned: the linker scripts put it first in each image. */
#include "duet/cortex_m.h"

typedef void (*vector)(void);

extern uint32_t __stack_top__[];
void duet_an521_mhu_isr(void);

__attribute__((section(".vectors"), used)) const vector duet_an521_vectors[16 + 92] = {
    [0] = (vector)__stack_top__,
    [1] = duet_cortex_m_reset,
    [2 ... 14] = duet_cortex_m_fault,
    [15] = duet_cortex_m_systick_isr,
    [16 ... 16 + 5] = duet_cortex_m_fault,
    [16 + 6] = duet_an521_mhu_isr, /* MHU0 */
    [16 + 7 ... 16 + 91] = duet_cortex_m_fault,
};

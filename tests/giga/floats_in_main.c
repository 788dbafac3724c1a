/* floats_in_main.c - a program whose main keeps floats in the FPU's callee-saved registers
 * across calls. Linked with link-time optimisation, main is inlined towards the reset entry:
 * before ports/cortex_m/reset.c kept the program's start out of it, giga_reset saved those
 * registers (vpush {d8-d9}) before it turned the FPU on, a HardFault at reset on the M4,
 * which starts with its FPU off. check_image.py finds any floating-point instruction there. */
#include <stdio.h>

#include "duet/duet.h"

int main(void)
{
    duet_begin();
    volatile float in = 1.5f;
    float a = in, b = in * 2.0f, c = in * 3.0f;
    for (int i = 0; i < 3; i++) {
        printf("%d\n", (int)(a + b + c));
        a += b;
        b += c;
        c += a;
    }
    for (;;)
        duet_poll();
}

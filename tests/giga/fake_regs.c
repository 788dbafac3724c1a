/* fake_regs.c - the fake register file of fake_regs.h: each address a 32-bit cell, 0 until
 * written, and a reset between tests. */
#include "fake_regs.h"

#include <stdio.h>
#include <stdlib.h>

#define FAKE_REGS 256

static struct {
    uintptr_t addr;
    uint32_t value;
} fake[FAKE_REGS];
static int fake_count;

volatile uint32_t *giga_fake_reg(uintptr_t addr)
{
    for (int i = 0; i < fake_count; i++)
        if (fake[i].addr == addr)
            return &fake[i].value;
    if (fake_count == FAKE_REGS) {
        fprintf(stderr, "fake_regs: more than %d registers\n", FAKE_REGS);
        abort();
    }
    fake[fake_count].addr = addr;
    fake[fake_count].value = 0;
    return &fake[fake_count++].value;
}

void giga_fake_reset(void)
{
    fake_count = 0;
}

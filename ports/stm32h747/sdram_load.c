/* sdram_load.c - duet/giga.h: the SDRAM for a program, and the M4's image copied there. */
#include <string.h>

#include "chip.h"
#include "duet/error.h"
#include "duet/giga.h"

int duet_giga_sdram_begin(void)
{
    return giga_sdram_init();
}

int duet_giga_m4_to_sdram(const void *image, uint32_t size)
{
    if (!image || size < 8u || size > DUET_GIGA_M4_SDRAM_SIZE)
        return DUET_ERR_ARG;
    int rc = giga_sdram_init();
    if (rc != DUET_OK)
        return rc;
    memcpy((void *)(uintptr_t)DUET_GIGA_SDRAM, image, size);
    giga_barrier(); /* in the SDRAM (uncached on the M7) before the M4 is started */
    return DUET_OK;
}

/* duet/giga.h - what the GIGA R1 port (ports/stm32h747) offers beyond duet/board.h: the
 * SDRAM, for the 100_0 flash split, where the M4 runs from it (docs/giga.md). */
#ifndef DUET_GIGA_H
#define DUET_GIGA_H

#include <stdint.h>

/* The SDRAM's first address once set up, and the M4 image's room there in the 100_0 split. */
#define DUET_GIGA_SDRAM 0x60000000u
#define DUET_GIGA_SDRAM_SIZE 0x800000u
#define DUET_GIGA_M4_SDRAM_SIZE 0x40000u

/* The M7 image's boot record, which `duet-board upload` reads from the .bin to refuse an
 * image built for another flash split: vector table entry DUET_GIGA_BOOT_RECORD_ENTRY
 * (reserved by Armv7-M, never read by the core) holds DUET_GIGA_BOOT_RECORD_MARK ("DM4B" in
 * the image's bytes), the entry after it the address the M7 boots the M4 from. */
#define DUET_GIGA_BOOT_RECORD_ENTRY 7
#define DUET_GIGA_BOOT_RECORD_MARK 0x42344D44u

/* Sets up the 8 MiB SDRAM at DUET_GIGA_SDRAM (pins, FMC, the chip's start-up, an uncached
 * MPU region); a second call does nothing. M7 only. Returns DUET_OK, or
 * DUET_ERR_NOT_SUPPORTED on the M4. */
int duet_giga_sdram_begin(void);

/* Sets up the SDRAM and copies the M4's image (the .bin of `duet-board build --target giga
 * --core m4 --split 100_0`) to its start, where duet_begin() then boots the M4. Call it
 * before duet_begin(). Returns DUET_OK, DUET_ERR_ARG for no image or one larger than
 * DUET_GIGA_M4_SDRAM_SIZE, or duet_giga_sdram_begin()'s error. */
int duet_giga_m4_to_sdram(const void *image, uint32_t size);

#endif

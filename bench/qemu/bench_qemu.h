/* bench_qemu.h - what the two programs of the QEMU benchmark agree on. */
#ifndef BENCH_QEMU_H
#define BENCH_QEMU_H

#include <stdint.h>

#include "duet/an521.h"

#define BENCH_ROUNDS 1000u   /* measured round trips of each kind */
#define BENCH_WARMUP 50u     /* round trips before measuring (caches of QEMU's translator) */

/* The bare ping-pong's two words, in shared SRAM outside duet's region. */
struct bench_words {
    volatile uint32_t ping; /* written by the M7 */
    volatile uint32_t pong; /* written by the M4 */
};

static inline struct bench_words *bench_words(void)
{
    return (struct bench_words *)(uintptr_t)DUET_AN521_SCRATCH;
}

#endif

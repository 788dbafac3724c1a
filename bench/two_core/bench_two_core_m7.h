/* bench_two_core_m7.h - the bare baselines (baseline.c) as main.c runs them. */
#ifndef DUET_BENCH_TWO_CORE_M7_H
#define DUET_BENCH_TWO_CORE_M7_H

#include <stdbool.h>
#include <stdint.h>

/* warm + n round trips of a flag between this process and a forked one (pinned to CPU 1 if
 * pin), with FUTEX_WAIT/FUTEX_WAKE or spinning; the last n times go to samples_us (one per
 * round trip, microseconds). False if a count came out wrong or the other process failed. */
bool bt_pingpong(bool spin, bool pin, unsigned warm, unsigned n, double *samples_us);

/* warm_bytes + bytes of the pattern from a forked process (pinned to CPU 1 if pin) through
 * a BT_RING-byte SPSC ring, checked here; *seconds: the time of the last `bytes`. False if a
 * byte came out wrong or the other process failed. */
bool bt_copy(bool pin, uint64_t warm_bytes, uint64_t bytes, double *seconds);
/* The same bytes through the same ring cut into BT_SLOT slots, each a BT_HEADER header and at
 * most BT_PIECE bytes (baseline.c, "Copy in pieces"). */
bool bt_copy_pieces(bool pin, uint64_t warm_bytes, uint64_t bytes, double *seconds);

#endif

/* codec/internal.h - internal: what the codec's files (token.c, reader.c, writer.c) share. */
#ifndef DUET_CODEC_INTERNAL_H
#define DUET_CODEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Keeps a rarely taken path out of line, so the common path around it stays small. */
#if defined(__GNUC__) || defined(__clang__)
#define DUET_CODEC_COLD __attribute__((noinline, cold))
#else
#define DUET_CODEC_COLD
#endif

/* Keeps a function called from several places out of line, where the compiler would copy
 * it into each (smaller code for the same work). */
#if defined(__GNUC__) || defined(__clang__)
#define DUET_CODEC_NOINLINE __attribute__((noinline))
#else
#define DUET_CODEC_NOINLINE
#endif

/* Reads an n-byte big-endian number (n = 0..8), sign-extended if is_signed. */
uint64_t duet_msgpack_load_be(const uint8_t *p, size_t n, bool is_signed);

#endif

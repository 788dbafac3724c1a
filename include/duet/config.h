/* duet/config.h - compile-time configuration: every size duet uses, with safe defaults. */
#ifndef DUET_CONFIG_H
#define DUET_CONFIG_H

/*
 * Override any of these with -D on the compiler's command line or in a header named by
 * DUET_CONFIG_FILE (included first). Every size is fixed at compile time: duet never
 * allocates memory.
 */
#ifdef DUET_CONFIG_FILE
#include DUET_CONFIG_FILE
#endif

/* Deepest nesting of arrays and maps the reader accepts when it skips or checks a value. */
#ifndef DUET_MSGPACK_MAX_DEPTH
#define DUET_MSGPACK_MAX_DEPTH 32
#endif

#if DUET_MSGPACK_MAX_DEPTH < 1 || DUET_MSGPACK_MAX_DEPTH > 255
#error "DUET_MSGPACK_MAX_DEPTH must be between 1 and 255"
#endif

#endif

/* text.h - internal: builds short messages into a fixed buffer, without stdio. */
#ifndef DUET_TEXT_H
#define DUET_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "duet/config.h"

/* A NUL-terminated text being built in buf. Text that does not fit is cut and ends in "...". */
typedef struct duet_text {
    char *buf;
    size_t cap;
    size_t len;
} duet_text;

/* Starts an empty text in buf (cap bytes: 0 holds nothing, and a text cut to fewer than 4
 * has no "..."; duet_format_vtext passes any cap). */
static inline void duet_text_init(duet_text *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
    if (cap)
        buf[0] = '\0';
}

/* A text for a person: the full sentence, or the few words of the small configuration
 * (DUET_LONG_TEXTS 0, duet/config.h); the other is left out of the program. */
static inline const char *duet_text_pick(const char *full, const char *brief)
{
    return DUET_LONG_TEXTS ? full : brief;
}

/* The length of the NUL-terminated s, and whether the n bytes at a and b are the same:
 * duet's own byte loops, so that a firmware that uses none of libc's string functions links
 * none for duet (newlib's strlen and memcmp are 316 B on a Cortex-M; duet's strings are
 * names and short texts). The loop is written so that GCC does not turn it back into a
 * call of strlen. The length is inline: the formatter, machine code on the Cortex-M ports
 * (text_add.c says why), measures with it too. */
static inline size_t duet_text_length(const char *s)
{
#if !defined(__OPTIMIZE_SIZE__)
    return strlen(s); /* the C library's, a word at a time, where built for speed */
#else
    const char *p = s; /* a firmware built for size links no strlen for duet */
    while (*p++)
        ;
    return (size_t)(p - s - 1);
#endif
}
bool duet_bytes_equal(const void *a, const void *b, size_t n);

/* Appends len bytes of s. */
void duet_text_addn(duet_text *t, const char *s, size_t len);

/* Appends a NUL-terminated string. */
void duet_text_add(duet_text *t, const char *s);

/* Appends an unsigned number in decimal. 32 bits: messages count lengths and positions, and
 * a 64-bit division would pull the compiler's division routine (1 KiB) into every firmware. */
void duet_text_add_uint(duet_text *t, uint32_t v);

/* Whether part occurs in s (both NUL-terminated; an empty part occurs everywhere). */
bool duet_text_contains(const char *s, const char *part);

/* The n-th (from 0) of the strings in list (size bytes: strings one after another, each
 * ending in NUL), or NULL if there are fewer: a table of texts without a table of pointers. */
const char *duet_text_nth(const char *list, size_t size, unsigned n);

#endif

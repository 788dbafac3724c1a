/* fuzz_check.h - what the fuzz targets share: CHECK, which ends the run when a property does
 * not hold (libFuzzer then reports a crash and keeps the input), and the input as a text. */
#ifndef DUET_FUZZ_CHECK_H
#define DUET_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                \
        }                                                                           \
    } while (0)

/* The size bytes at data and a NUL after them, in memory of their own (free() it). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *text = (char *)malloc(size + 1); /* the cast: C++ targets include it too */
    CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

#endif

/* build_cache.h - duet-board's cache of compiled libraries for the Cortex-M targets: duet's
 * Arduino layer and the GIGA R1's duet library are compiled once per set of compiler options
 * and reused by the next builds until a file they were built from changes. */
#ifndef DUET_BOARD_BUILD_CACHE_H
#define DUET_BOARD_BUILD_CACHE_H

#include <stdbool.h>

/*
 * The cache lives in $DUET_BOARD_CACHE, else $XDG_CACHE_HOME/duet-board, else
 * $HOME/.cache/duet-board. key names what was built exactly (the compiler and every option);
 * sources lists the directories (NULL-terminated) whose files it was built from: a cached
 * file older than any file in them (two levels deep) is not used.
 */

/* Copies the cached file for key to path; false if there is none that is up to date. */
bool build_cache_get(const char *key, const char *const *sources, const char *path);

/* Keeps a copy of path under key. A cache that cannot be written is no error: the next
 * build compiles again. */
void build_cache_put(const char *key, const char *path);

#endif

/* board_access.h - why a board's file could not be opened for writing, as a sentence. */
#ifndef DUET_POSIX_BOARD_ACCESS_H
#define DUET_POSIX_BOARD_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

/* When errno e from opening path (a board's file or directory) says this user may not write
 * it (EACCES, EPERM) or its file system is read-only (EROFS), writes into out (cap bytes) a
 * sentence saying which, and what to do, and returns true; false for any other e. */
bool duet_posix_access_explain(char *out, size_t cap, const char *path, int e);

#endif

/* board_paths.h - where duet-board's build verb finds duet's headers and libraries: in the
 * build tree it was built in (when it runs from there), else in the prefix it is installed
 * in (PREFIX/bin/duet-board: PREFIX/include, PREFIX/lib), found from its own location. */
#ifndef DUET_BOARD_PATHS_H
#define DUET_BOARD_PATHS_H

#include <stdbool.h>

#include "target.h"

typedef struct board_paths {
    bool installed;               /* from an install (else the build tree) */
    const char *include;          /* duet/duet.h */
    const char *posix_include;    /* duet/posix/... (NULL: in include) */
    const char *generated_include; /* duet/version.h (NULL: in include) */
    const char *arduino_include;  /* Arduino.h, RPC.h (compat/arduino) */
    const char *lib_main;         /* main() for setup()/loop() programs */
    const char *lib_posix;        /* the posix port (with the top level in an install) */
    const char *lib_top;          /* the top level (NULL: in lib_posix, as in an install) */
    const char *lib_core;         /* the core */
    const char *lib_arduino;      /* the Arduino-compatible layer */
} board_paths;

/* The paths, found on the first call. NULL after saying on stderr (through board_fail) that
 * duet's files are missing and how to get them back. */
const board_paths *board_paths_find(const board_args *a);

/* For the targets that build duet from its source tree (an521, giga): 0 if the source tree
 * duet-board was built from is there, else 1 after saying so (an installed duet-board with
 * the checkout gone builds for the posix target only). */
int board_paths_need_tree(const board_args *a);

/* Appends the -I options of duet's headers (arduino: the Arduino layer's first) to argv at n;
 * returns the new n. */
int board_paths_include_flags(const board_paths *p, bool arduino, const char **argv, int n);

/* Appends duet's libraries in link order (arduino: the Arduino layer first; then main() for
 * setup()/loop() programs, the port and the top level, which use each other, the core) to
 * argv at n; returns the new n. */
int board_paths_libraries(const board_paths *p, bool arduino, const char **argv, int n);

#endif

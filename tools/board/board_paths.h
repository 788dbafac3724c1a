/* board_paths.h - where duet-board's build verb finds duet's headers, libraries and the
 * sources it cross-compiles: in the build tree it was built in (when it runs from there),
 * else in the prefix it is installed in (PREFIX/bin/duet-board: PREFIX/include, PREFIX/lib,
 * PREFIX/share/duet), found from its own location. */
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
    /* The Cortex-M targets (an521, giga): */
    const char *arduino_sources;  /* the Arduino layer's .cpp and .c, compiled for a sketch
                                   * (NULL: an install without them) */
    const char *an521_lib;        /* the AN521 port's library (core, Cortex-M code, port);
                                   * NULL when this build or install has no AN521 port */
    const char *an521_ld;         /* the directory of its linker scripts (cpu0.ld, cpu1.ld) */
    const char *an521_include[4]; /* its header directories (NULL after the last) */
    const char *giga_root;        /* duet's sources for the GIGA R1 as an install keeps them
                                   * (the source tree's layout: src/, ports/cortex_m/,
                                   * ports/stm32h747/, the headers in include); NULL from a
                                   * build tree (the source tree's own) or an install without */
} board_paths;

/* The paths, found on the first call. NULL after saying on stderr (through board_fail) that
 * duet's files are missing and how to get them back. */
const board_paths *board_paths_find(const board_args *a);

/* A Python script as the M7's program (python_posix.c): from an install, the M7's image
 * (LIBEXECDIR/duet/duet-m7-python) and the directory of duet's Python module below the
 * prefix, found as board_paths_find finds the rest; from the build tree, the build's image. */
typedef struct board_python {
    bool installed;  /* duet-board runs from an install */
    const char *m7;  /* duet-m7-python; NULL if this build or install has none */
    const char *dir; /* the module's directory (msgpackrpc, duet_m7.py); NULL from the build tree */
} board_python;

/* The Python paths, found on the first call; says nothing (the caller says what is missing). */
const board_python *board_paths_python(void);

/* Appends the -I options of duet's headers (arduino: the Arduino layer's first) to argv at n;
 * returns the new n. */
int board_paths_include_flags(const board_paths *p, bool arduino, const char **argv, int n);

/* Appends duet's libraries in link order (arduino: the Arduino layer first; then main() for
 * setup()/loop() programs, the port and the top level, which use each other, the core) to
 * argv at n; returns the new n. */
int board_paths_libraries(const board_paths *p, bool arduino, const char **argv, int n);

#endif

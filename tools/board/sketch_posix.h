/* sketch_posix.h - duet-board build for Arduino sketches (.ino, .cpp) on the emulated board:
 * C++ over duet's Arduino layer (compat/arduino), the IDE's sketch rules (tools/sketch). */
#ifndef DUET_BOARD_SKETCH_POSIX_H
#define DUET_BOARD_SKETCH_POSIX_H

#include <stdbool.h>

#include "target.h"

/* Whether the build's sources are a sketch: a .ino file, or C++ (.cpp, .cc, .cxx). */
bool sketch_sources(const board_args *a);

/*
 * Builds the sketch into the program out for one core (m7 or not): the .ino (at most one)
 * becomes C++ with Arduino.h and the IDE's prototypes, .cpp files are compiled as C++ and
 * .c files as C, all linked with the Arduino layer, main() for setup()/loop(), the board and
 * the core. The compiler's messages reach stderr as it prints them; after a failure a line
 * names each thing the sketch uses that the layer lacks. Returns the exit status (0, or 1
 * after a sentence on stderr).
 */
int sketch_posix_build(const board_args *a, const char *out, bool m7);

/* What the other targets' sketch builds share (sketch_cross.c). */

/* ".ino" of "dir/blink.ino"; "" when the name has none. */
const char *sketch_extension(const char *path);

/* Whether path is C++ by its name (.cpp, .cc, .cxx). */
bool sketch_is_cxx(const char *path);

/* The .ino as C++ (the IDE's rules, tools/sketch) in dir/<name>.cpp, written into cpp.
 * compile (n words) is the command that will compile it without its file names (the
 * compiler and every option): its preprocessor (-E) tells which lines the build compiles,
 * and only the functions on those get prototypes (every function if compile is NULL, the
 * sketch has no #if, or the preprocessor fails: the compile then says why). Returns 0, or
 * the exit status after a sentence on stderr. */
int sketch_translate_file(const board_args *a, const char *ino, const char *dir, const char *const *compile, int n,
                          char *cpp, size_t cap);

/* Runs argv with its stderr shown as it comes and kept in *messages (NUL-terminated, the
 * caller frees). Returns the exit status, 128 + n for signal n, 127 if it could not run. */
int sketch_run_captured(char *const argv[], bool verbose, char **messages);

#endif

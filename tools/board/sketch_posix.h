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

#endif

/* sketch_cross.h - duet-board build for Arduino sketches (.ino, .cpp) on the Cortex-M targets
 * (an521, giga): the sketch and duet's Arduino layer (compat/arduino) cross-compiled with
 * arm-none-eabi-g++ and newlib's libstdc++, for the target to link with its port. */
#ifndef DUET_BOARD_SKETCH_CROSS_H
#define DUET_BOARD_SKETCH_CROSS_H

#include <limits.h>
#include <stdbool.h>

#include "target.h"

/* Most object files one sketch build makes (its sources and the layer's). */
#define SKETCH_CROSS_OBJECTS 96

/* The objects of a compiled sketch, for the target's link. */
typedef struct sketch_objects {
    char path[SKETCH_CROSS_OBJECTS][PATH_MAX];
    int count;
} sketch_objects;

/* The C++ compiler and the C compiler of the cross builds. */
#define SKETCH_CROSS_CXX "arm-none-eabi-g++"
#define SKETCH_CROSS_CC "arm-none-eabi-gcc"
#define SKETCH_CROSS_AR "arm-none-eabi-gcc-ar" /* indexes the intermediate code of -flto objects too */

/*
 * Compiles the sketch's sources (a->files: .ino tabs, joined in sketch_tabs's order, .cpp
 * and .c files) and every source of duet's Arduino layer for one core (m7 or not) into objects in dir, each with the
 * target's flags (flag_count of them: the CPU's, the include directories of its port) and
 * the user's -I/-D (the layer as one archive, kept in duet-board's cache, build_cache.h).
 * The .ino gets the IDE's rules (tools/sketch). The compiler's messages
 * reach stderr as it prints them; after a failure in the sketch a line names each thing it
 * uses that the layer lacks. Returns 0 with the objects in *out, or the exit status (after
 * a sentence on stderr).
 */
int sketch_cross_compile(const board_args *a, bool m7, const char *const *flags, int flag_count, const char *dir,
                         sketch_objects *out);

/* Runs argv, the command that links a sketch's objects, as board_run_command does (its
 * messages reach stderr as it prints them; the same status); when the link missed functions
 * and the sketch's folder holds sources that were not given, a note says so
 * (sketch_note_sources_not_given). */
int sketch_cross_link(const board_args *a, char *const argv[]);

/* The linker options every sketch image takes besides the target's: C++ without exceptions
 * and newlib-nano's libstdc++ (NULL-terminated). */
extern const char *const sketch_cross_link_flags[];

#endif

/* sketch_posix.h - duet-board build for Arduino sketches (.ino, .cpp) on the emulated board:
 * C++ over duet's Arduino layer (compat/arduino), the IDE's sketch rules (tools/sketch). */
#ifndef DUET_BOARD_SKETCH_POSIX_H
#define DUET_BOARD_SKETCH_POSIX_H

#include <stdbool.h>

#include "target.h"

/* Whether the build's sources are a sketch: a .ino file, or C++ (.cpp, .cc, .cxx). */
bool sketch_sources(const board_args *a);

/*
 * Builds the sketch into the program out for one core (m7 or not): the .ino tabs
 * (sketch_tabs) become one C++ file with Arduino.h and the IDE's prototypes, .cpp files are
 * compiled as C++ and .c files as C, all linked with the Arduino layer, main() for setup()/loop(), the board and
 * the core. The compiler's messages reach stderr as it prints them; after a failure a line
 * names each thing the sketch uses that the layer lacks. Returns the exit status (0, or 1
 * after a sentence on stderr).
 */
int sketch_posix_build(const board_args *a, const char *out, bool m7);

/* What the other targets' sketch builds share (sketch_cross.c): which files make a sketch
 * (sketch_files.c), its tabs as one C++ file (sketch_translate.c), a compiler run whose
 * messages are kept (sketch_posix.c). */

/* ".ino" of "dir/blink.ino"; "" when the name has none. */
const char *sketch_extension(const char *path);

/* Whether path is C++ by its name (.cpp, .cc, .cxx). */
bool sketch_is_cxx(const char *path);

/* Whether path is assembly the C compiler preprocesses first, by its name (.S). */
bool sketch_is_asm(const char *path);

/* Whether path is a tab of a sketch, by its name (.ino, or the deprecated .pde). */
bool sketch_is_tab(const char *path);

/* The sources of a sketch folder given to build (duet-board build --core m7 Blink/, as
 * arduino-cli takes one): its .ino tabs and its .cpp, .c and .S files, by name, then the
 * .cpp, .c and .S files anywhere under its src/ folder, by path (hidden files and folders, CVS and
 * RCS skipped; a .ino there is no tab), as paths in it, into *sources (an array that lasts
 * as long as the process), their count in *count. Returns 0, or the exit status after a
 * sentence on stderr (a folder cannot be read, or the sketch folder has no source of its
 * own). */
int sketch_folder_sources(const board_args *a, const char *folder, const char ***sources, int *count);

/* After a link of the sketch whose main tab is sketch (NULL: no .ino) failed with messages:
 * when they say it missed functions and the sketch's folder holds sources that were not
 * given (its .cpp, .c, .S files, src/), a note on stderr says so and how to build them all
 * (a sketch built as its folder has every one of them). */
void sketch_note_sources_not_given(const board_args *a, const char *sketch, const char *messages);

/* Most .ino tabs in one sketch. */
#define SKETCH_TABS_MAX 64

/* The build's .ino files, the tabs of one sketch, into tabs (SKETCH_TABS_MAX entries) in the
 * IDE's order: the main tab first (the one named after its folder, Blink/Blink.ino, else the
 * first given), then the others by name; their count in *count (0: no .ino). Tabs with the
 * same name, or from other folders than the main tab's, are refused. Returns 0, or the exit
 * status after a sentence on stderr. */
int sketch_tabs(const board_args *a, const char **tabs, int *count);

/* "-I<the folder of the main tab>" into include (cap bytes): headers next to the sketch, as
 * the IDE finds them. */
void sketch_include_here(const char *main_tab, char *include, size_t cap);

/* The source the build's output is named after: the main tab (sketch_tabs) when the first
 * source is a .ino, else the first source. */
const char *sketch_output_source(const board_args *a);

/* The .ino tabs (count of them, main first: sketch_tabs) as one C++ file (the IDE's rules,
 * tools/sketch: duet_sketch_translate_tabs) in dir/<main tab's name>.cpp, written into cpp.
 * compile (n words) is the command that will compile it without its file names (the
 * compiler and every option): its preprocessor (-E) tells which lines the build compiles,
 * and only the functions on those get prototypes (every function if compile is NULL, no
 * tab has an #if, or the preprocessor fails: the compile then says why). Returns 0, or the
 * exit status after a sentence on stderr. */
int sketch_translate_file(const board_args *a, const char *const *tabs, int count, const char *dir,
                          const char *const *compile, int n, char *cpp, size_t cap);

/* Runs argv with its stderr shown as it comes and kept in *messages (NUL-terminated, the
 * caller frees). Returns the exit status, 128 + n for signal n, 127 if it could not run. */
int sketch_run_captured(char *const argv[], bool verbose, char **messages);

#endif

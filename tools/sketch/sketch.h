/* sketch.h - an Arduino sketch (.ino) turned into the C++ a compiler takes, as the Arduino IDE
 * does it, and compiler messages about a sketch explained in terms of duet's Arduino layer. */
#ifndef DUET_SKETCH_H
#define DUET_SKETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The IDE's rules for a .ino file, the ones that matter for sketches:
 *  - it is C++ with "#include <Arduino.h>" in front;
 *  - every function defined at file scope (that the build compiles: duet_sketch_translate_kept
 *    below) gets a prototype, placed before the first function definition, so that a
 *    function may be used before it is defined (setup() calling blink() written below it);
 *  - #line directives keep the compiler's messages pointing at the sketch's own lines.
 * Prototypes leave out default arguments (the definition keeps them). Functions inside a
 * namespace, a class or extern "C" { }, member definitions (X::f) and templates get none,
 * nor does a definition with an unterminated literal, a literal over several lines, or
 * parameters whose brackets do not nest.
 *
 * duet_sketch_translate writes the C++ for the sketch text (len bytes) to out; path is how
 * messages name the sketch. Returns the number of prototypes written, or -1 if out failed.
 * The output is "#include <Arduino.h>", "#line 1", the text's lines up to the prototypes, a
 * "#line" before each prototype (its function's line) and one after them (the line the text
 * goes on at), then the rest of the text: take those lines out and the text is there byte for
 * byte (NUL bytes too), except that a last line without a newline gets one. The prototypes go
 * at the start of the latest line, no later than the first definition's, that begins between
 * declarations at file scope (not inside a comment, literal, directive, line splice,
 * brackets or a declaration; line 1 if no other), each one line ending in ';'.
 * path is quoted in the #line directives as a C string ('"' and '\' escaped, a control byte
 * as an octal escape). Lines are counted at '\n'.
 */
int duet_sketch_translate(const char *text, size_t len, const char *path, FILE *out);

/*
 * The IDE runs the compiler's preprocessor over the sketch first (with the core's -D options:
 * CORE_CM7 or CORE_CM4), so a function inside "#if 0" or inside the other core's "#ifdef"
 * gets no prototype, and the prototypes go where the compiler compiles them. The same here:
 *
 * duet_sketch_translate_kept is duet_sketch_translate knowing which lines the preprocessor
 * kept: kept[n] for line n (n < kept_lines; a later line is not kept), as
 * duet_sketch_kept_lines reads them. The lines between two conditional directives (#if,
 * #ifdef, #ifndef, #elif, #else, #endif) are compiled all or none: a stretch of them is
 * compiled when one of its lines is kept, or when it is outside every conditional. Only
 * functions defined in a compiled stretch get prototypes, and the prototypes go at the
 * start of a line that begins in one (besides the rules above, which then look at the
 * compiled stretches alone). A sketch with a #line directive of its own is translated as
 * if every line were kept (the preprocessor's numbers are then not the text's lines); so is
 * any sketch when kept is NULL. Every line kept gives what duet_sketch_translate gives.
 * (duet-board runs the compiler of the build with -E and the build's options over the
 * sketch after "#include <Arduino.h>" and `#line 1 "<sketch>"`, and when that fails uses
 * duet_sketch_translate: the compile then reports what is wrong.)
 */
int duet_sketch_translate_kept(const char *text, size_t len, const char *path, const bool *kept, size_t kept_lines,
                               FILE *out);

/*
 * A sketch of several tabs, as the IDE builds a sketch folder's .ino files: one C++ text,
 * "#include <Arduino.h>" in front, then each tab after a `#line 1 "<its path>"` (so the
 * compiler's messages name the tab and its own line), in the order given (the IDE's: the tab
 * named after the folder, then the others by name). The prototypes of the functions of all
 * the tabs (those in compiled stretches, by each tab's kept lines, as for
 * duet_sketch_translate_kept) go once, in the first tab that defines a function, where
 * duet_sketch_translate would put its own: so a tab may call a function of a later one. Each
 * prototype has a #line naming its tab and line, and a #line after them takes the tab on.
 * A prototype whose types a later tab declares does not compile, as in the IDE.
 * duet_sketch_translate_tabs writes that C++ to out: one tab gives what
 * duet_sketch_translate_kept gives. Returns the number of prototypes written, or -1 if out
 * failed or memory ran out.
 * (duet-board runs the preprocessor over the tabs joined the same way, each after
 * `#line 1 "<tab N>"`, and reads each tab's kept lines with duet_sketch_kept_lines.)
 */
typedef struct {
    const char *text; /* the tab's bytes, len of them */
    size_t len;
    const char *path;      /* how messages name the tab */
    const bool *kept;      /* which lines the preprocessor kept, or NULL: every line */
    size_t kept_lines;     /* entries of kept */
} duet_sketch_tab;

int duet_sketch_translate_tabs(const duet_sketch_tab *tabs, size_t count, FILE *out);

/*
 * Reads the preprocessor's output (len bytes: "g++ -E" of the sketch put after
 * `#line 1 "name"`) and sets kept[n] (n < kept_lines) for each line n of the sketch it
 * printed something of, by its line markers (`# N "name"`; name is compared as written, so
 * it should need no escapes: "<sketch>"), the other entries false. Returns whether a line
 * marker named name (false: the output is not of the sketch, and says nothing).
 */
bool duet_sketch_kept_lines(const char *output, size_t len, const char *name, bool *kept, size_t kept_lines);

/* The number of conditionals (#if, #ifdef, #ifndef) in the sketch text, outside comments and
 * literals, or -1 if memory ran out. Without any, every line is kept: no need to ask the
 * preprocessor. */
int duet_sketch_conditionals(const char *text, size_t len);

/*
 * After a failed build: reads the compiler's (and linker's) messages and writes one line to
 * out for each name or header the sketch uses that neither the sketch nor duet's Arduino
 * layer defines ("duet-board build: blink.ino uses WiFi, which neither the sketch nor duet's
 * Arduino layer defines (docs/arduino.md lists what the layer has)"; for a name one of the
 * layer's headers declares, RPC say, which #include to add), each name once however often it comes. Each
 * line names the file the compiler's message is about (another tab, a .cpp of the sketch),
 * or sketch_name when the message names none. Returns how many it wrote.
 */
int duet_sketch_explain(const char *messages, const char *sketch_name, FILE *out);

#ifdef __cplusplus
}
#endif
#endif

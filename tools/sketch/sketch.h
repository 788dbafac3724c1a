/* sketch.h - an Arduino sketch (.ino) turned into the C++ a compiler takes, as the Arduino IDE
 * does it, and compiler messages about a sketch explained in terms of duet's Arduino layer. */
#ifndef DUET_SKETCH_H
#define DUET_SKETCH_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The IDE's rules for a .ino file, the ones that matter for sketches:
 *  - it is C++ with "#include <Arduino.h>" in front;
 *  - every function defined at file scope gets a prototype, placed before the first function
 *    definition, so that a function may be used before it is defined (setup() calling
 *    blink() written below it);
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
 * After a failed build: reads the compiler's (and linker's) messages and writes one line to
 * out for each name or header the sketch uses that neither the sketch nor duet's Arduino
 * layer defines ("duet-board: blink.ino uses WiFi, which duet's Arduino layer does not
 * have; docs/arduino.md lists what it has"), each name once however often it comes.
 * Returns how many it wrote.
 */
int duet_sketch_explain(const char *messages, const char *sketch_name, FILE *out);

#ifdef __cplusplus
}
#endif
#endif

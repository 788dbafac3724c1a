/* sketch_cross.c - duet-board build for Arduino sketches on the Cortex-M targets. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "sketch_cross.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_paths.h"
#include "board_util.h"
#include "build_cache.h"
#include "sketch.h"
#include "sketch_posix.h"

#define ARGS_MAX 128

/* C++ as the layer is written for a small core: no exceptions, no RTTI, no locks around
 * static locals (threads switch only where they wait), destructors through atexit. A local
 * variable the sketch forgot to set starts at 0, the same on every run (as on the PC). */
static const char *const cxx_flags[] = {
    "-std=gnu++17", "-fno-exceptions", "-fno-rtti", "-fno-threadsafe-statics", "-fno-use-cxa-atexit",
    "-ftrivial-auto-var-init=zero",
};

const char *const sketch_cross_link_flags[] = {"-fno-exceptions", "-fno-rtti", NULL};

/* The Arduino layer's headers (-I...) and the directory of its sources: from the build tree
 * or the install duet-board runs from (board_paths.h), set by sketch_cross_compile. */
static char layer_include[PATH_MAX + 2];
static const char *layer_sources;

/* The options every source gets: the target's, then Arduino's definitions, then the user's. */
static int common(const board_args *a, bool m7, const char *const *flags, int flag_count, const char **argv, int n)
{
    static const char *const always[] = {
        "-g", "-Os", "-Wall", "-ffunction-sections", "-fdata-sections", "-DARDUINO=10819", "-DARDUINO_GIGA",
        "-DARDUINO_ARCH_MBED",
    };
    for (int i = 0; i < flag_count; i++)
        argv[n++] = flags[i];
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++)
        argv[n++] = always[i];
    argv[n++] = layer_include;
    argv[n++] = m7 ? "-DCORE_CM7" : "-DCORE_CM4";
    for (int i = 0; i < a->cflag_count && n < ARGS_MAX - 16; i++)
        argv[n++] = a->cflags[i];
    return n;
}

/* The languages of a sketch's sources. */
typedef enum { SOURCE_CXX, SOURCE_C, SOURCE_ASM } source_language;

static source_language language_of(const char *path)
{
    if (strcmp(sketch_extension(path), ".c") == 0)
        return SOURCE_C;
    return sketch_is_asm(path) ? SOURCE_ASM : SOURCE_CXX;
}

/* The compiler (C++'s, or C's for C and assembly) and the options that compile a source of
 * the language (include: an extra -I option, or NULL) into argv; their count. */
static int command(const board_args *a, bool m7, const char *const *flags, int flag_count, source_language lang,
                   const char *include, const char **argv)
{
    int n = 0;
    argv[n++] = lang == SOURCE_CXX ? SKETCH_CROSS_CXX : SKETCH_CROSS_CC;
    if (lang == SOURCE_CXX)
        for (size_t i = 0; i < sizeof cxx_flags / sizeof cxx_flags[0]; i++)
            argv[n++] = cxx_flags[i];
    else if (lang == SOURCE_C)
        argv[n++] = "-std=gnu11";
    n = common(a, m7, flags, flag_count, argv, n);
    if (include)
        argv[n++] = include;
    return n;
}

/* Compiles src (C++, C or assembly) into the next object of out. sketch: the sketch's own
 * file, whose failure is explained in terms of the layer. include: an extra -I option, or
 * NULL. */
static int compile(const board_args *a, bool m7, const char *const *flags, int flag_count, const char *dir,
                   const char *src, const char *include, const char *sketch, sketch_objects *out)
{
    if (out->count == SKETCH_CROSS_OBJECTS)
        return board_usage_fail(a, "at most %d source files in a sketch build", SKETCH_CROSS_OBJECTS - 20);
    const char *argv[ARGS_MAX];
    int n = command(a, m7, flags, flag_count, language_of(src), include, argv);
    char *obj = out->path[out->count];
    if (snprintf(obj, PATH_MAX, "%s/sketch%d.o", dir, out->count) >= PATH_MAX)
        return board_fail(a, "%s: the temporary path is too long", dir);
    argv[n++] = "-c";
    argv[n++] = src;
    argv[n++] = "-o";
    argv[n++] = obj;
    argv[n] = NULL;
    char *messages = NULL;
    int rc = sketch_run_captured((char *const *)argv, a->verbose, &messages);
    if (rc != 0 && rc != 127 && messages && sketch) {
        const char *base = strrchr(sketch, '/');
        duet_sketch_explain(messages, base ? base + 1 : sketch, stderr);
    }
    free(messages);
    if (rc == 127)
        return board_fail(a, "could not run %s (install the cross compiler and newlib's C++ library: apt-get install "
                             "gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib)", argv[0]);
    if (rc != 0)
        return board_fail(a, "the compiler failed on %s (its messages are above)", sketch ? sketch : src);
    out->count++;
    return 0;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The cache's key for the layer built with these options, and the directories it is built
 * from (the layer's and every -I directory). */
static void layer_key(const board_args *a, bool m7, const char *const *flags, int flag_count, char *key, size_t cap,
                      const char **sources, int max_sources)
{
    const char *argv[ARGS_MAX];
    int n = 0, k = 0;
    argv[n++] = SKETCH_CROSS_CXX;
    for (size_t i = 0; i < sizeof cxx_flags / sizeof cxx_flags[0]; i++)
        argv[n++] = cxx_flags[i];
    n = common(a, m7, flags, flag_count, argv, n);
    size_t len = 0;
    key[0] = '\0';
    for (int i = 0; i < n; i++) {
        len += (size_t)snprintf(key + len, len < cap ? cap - len : 0, "%s ", argv[i]);
        if (strncmp(argv[i], "-I", 2) == 0 && argv[i][2] && k < max_sources - 2)
            sources[k++] = argv[i] + 2;
    }
    snprintf(key + len, len < cap ? cap - len : 0, "%s", layer_sources);
    sources[k++] = layer_sources;
    sources[k] = NULL;
}

/* Most sources of the Arduino layer a build takes. */
#define LAYER_FILES_MAX 64

/* The names of the layer's .cpp and .c files, in name order, each allocated (the caller frees
 * them, on failure too). 0, or the exit status. */
static int layer_names(const board_args *a, char *names[LAYER_FILES_MAX], int *count)
{
    DIR *d = opendir(layer_sources);
    if (!d)
        return board_fail(a, "%s: %s (duet's Arduino layer)", layer_sources, strerror(errno));
    int n = 0, rc = 0;
    for (struct dirent *e; !rc && (e = readdir(d)) && n < LAYER_FILES_MAX;) {
        const char *ext = sketch_extension(e->d_name);
        if (strcmp(ext, ".cpp") != 0 && strcmp(ext, ".c") != 0)
            continue;
        if ((names[n] = strdup(e->d_name)) != NULL)
            n++;
        else
            rc = board_fail(a, "out of memory");
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    *count = n;
    return rc;
}

/* Every .cpp and .c of the layer, in name order, into dir/libduet_arduino.a: from the cache
 * when it has the layer built with the same options from the same files. */
static int compile_layer(const board_args *a, bool m7, const char *const *flags, int flag_count, const char *dir,
                         sketch_objects *out)
{
    if (out->count == SKETCH_CROSS_OBJECTS)
        return board_usage_fail(a, "at most %d source files in a sketch build", SKETCH_CROSS_OBJECTS - 20);
    char key[8192];
    const char *sources[ARGS_MAX];
    layer_key(a, m7, flags, flag_count, key, sizeof key, sources, ARGS_MAX);
    char archive[PATH_MAX];
    snprintf(archive, sizeof archive, "%s/libduet_arduino.a", dir);
    if (build_cache_get(key, sources, archive)) {
        snprintf(out->path[out->count++], PATH_MAX, "%s", archive);
        return 0;
    }
    char *names[LAYER_FILES_MAX];
    int count = 0, rc = layer_names(a, names, &count);
    /* The layer's objects go into the archive, not into the link's list. */
    sketch_objects *layer = rc ? NULL : calloc(1, sizeof *layer);
    if (!rc && !layer)
        rc = board_fail(a, "out of memory");
    if (layer)
        layer->count = out->count; /* object names after the sketch's */
    const char *ar[ARGS_MAX];
    int n = 0;
    ar[n++] = SKETCH_CROSS_AR;
    ar[n++] = "rcs";
    ar[n++] = archive;
    for (int i = 0; i < count; i++) {
        char src[PATH_MAX];
        snprintf(src, sizeof src, "%s/%s", layer_sources, names[i]);
        if (!rc && layer->count < SKETCH_CROSS_OBJECTS && n < ARGS_MAX - 1) {
            rc = compile(a, m7, flags, flag_count, dir, src, NULL, NULL, layer);
            if (!rc)
                ar[n++] = layer->path[layer->count - 1];
        }
        free(names[i]);
    }
    ar[n] = NULL;
    if (!rc) {
        rc = board_run_command((char *const *)ar, a->verbose);
        if (rc == 127)
            rc = board_fail(a, "could not run %s (install the cross compiler: apt-get install gcc-arm-none-eabi "
                               "binutils-arm-none-eabi)", SKETCH_CROSS_AR);
        else if (rc)
            rc = board_fail(a, "archiving duet's Arduino layer failed (%s's messages are above)", SKETCH_CROSS_AR);
    }
    free(layer);
    if (rc)
        return rc;
    build_cache_put(key, archive);
    snprintf(out->path[out->count++], PATH_MAX, "%s", archive);
    return 0;
}

/* Joins the sketch's .ino tabs (sketch_tabs) into one C++ file and compiles it into the next
 * object of out; *sketch gets the main tab. 0, or the exit status. */
static int compile_ino(const board_args *a, bool m7, const char *const *flags, int flag_count, const char *dir,
                       const char **sketch, sketch_objects *out)
{
    const char *tabs[SKETCH_TABS_MAX];
    int count, rc = sketch_tabs(a, tabs, &count);
    if (rc)
        return rc;
    *sketch = tabs[0];
    char here[PATH_MAX + 2], cpp[PATH_MAX];
    sketch_include_here(tabs[0], here, sizeof here);
    /* The command that will compile it, for its preprocessor. */
    const char *compile_argv[ARGS_MAX];
    int n = command(a, m7, flags, flag_count, SOURCE_CXX, here, compile_argv);
    rc = sketch_translate_file(a, tabs, count, dir, compile_argv, n, cpp, sizeof cpp);
    if (rc)
        return rc;
    return compile(a, m7, flags, flag_count, dir, cpp, here, tabs[0], out);
}

int sketch_cross_compile(const board_args *a, bool m7, const char *const *flags, int flag_count, const char *dir,
                         sketch_objects *out)
{
    out->count = 0;
    const board_paths *p = board_paths_find(a);
    if (!p)
        return 1;
    if (!p->arduino_sources)
        return board_fail(a, "this install of duet has no sources of its Arduino layer (share/duet/arduino), which "
                             "a sketch for --target %s is compiled with: install duet again (make install PREFIX=...)",
                          a->target);
    snprintf(layer_include, sizeof layer_include, "-I%s", p->arduino_include);
    layer_sources = p->arduino_sources;
    const char *sketch = NULL;
    for (int i = 0; i < a->file_count; i++) {
        const char *f = a->files[i];
        const char *e = sketch_extension(f);
        int rc;
        if (sketch_is_tab(f)) {
            if (sketch) /* every tab went in with the first */
                continue;
            rc = compile_ino(a, m7, flags, flag_count, dir, &sketch, out);
        } else if (sketch_is_cxx(f) || strcmp(e, ".c") == 0 || sketch_is_asm(f)) {
            rc = compile(a, m7, flags, flag_count, dir, f, NULL, f, out);
        } else {
            return board_usage_fail(a, "%s: a sketch is built from .ino, .cpp, .c and .S files", f);
        }
        if (rc)
            return rc;
    }
    return compile_layer(a, m7, flags, flag_count, dir, out);
}

int sketch_cross_link(const board_args *a, char *const argv[])
{
    char *messages = NULL;
    int rc = sketch_run_captured(argv, a->verbose, &messages);
    const char *tabs[SKETCH_TABS_MAX];
    int count = 0;
    if (rc > 0 && rc != 127 && messages && sketch_tabs(a, tabs, &count) == 0 && count > 0)
        sketch_note_sources_not_given(a, tabs[0], messages);
    free(messages);
    return rc;
}

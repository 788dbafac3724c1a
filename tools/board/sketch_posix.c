/* sketch_posix.c - duet-board build for Arduino sketches on the emulated board: the compiles
 * and the link with the Arduino layer, their messages explained (which files make the sketch:
 * sketch_files.c; its tabs as one C++ file: sketch_translate.c). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "sketch_posix.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "board_paths.h"
#include "board_util.h"
#include "posix_target.h"
#include "sketch.h"

/* Most bytes of compiler messages kept to explain them (all are shown as they come). */
#define MESSAGES_MAX (256 * 1024)

/* Runs argv with its stderr shown as it comes and kept in *messages (NUL-terminated, the
 * caller frees). Returns the exit status, 128 + n for signal n, 127 if it could not run. */
static int run_captured(char *const argv[], bool verbose, char **messages)
{
    if (verbose)
        board_print_command(argv);
    *messages = calloc(1, MESSAGES_MAX + 1);
    int fds[2];
    if (!*messages || pipe(fds) != 0) {
        fprintf(stderr, "duet-board: cannot start %s: %s\n", argv[0], *messages ? strerror(errno) : "out of memory");
        return BOARD_RUN_NOT_STARTED;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "duet-board: cannot start %s: %s\n", argv[0], strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return BOARD_RUN_NOT_STARTED;
    }
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t kept = 0;
    char buf[4096];
    for (;;) {
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        fwrite(buf, 1, (size_t)n, stderr);
        size_t take = (size_t)n < MESSAGES_MAX - kept ? (size_t)n : MESSAGES_MAX - kept;
        memcpy(*messages + kept, buf, take);
        kept += take;
    }
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "duet-board: cannot wait for %s: %s\n", argv[0], strerror(errno));
            return BOARD_RUN_NOT_STARTED;
        }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The compiler options every source of the sketch gets. */
static int common_flags(const board_args *a, bool m7, const char **argv, int n)
{
    argv[n++] = "-g";
    argv[n++] = "-O2";
    argv[n++] = "-Wall";
    argv[n++] = m7 ? "-DCORE_CM7" : "-DCORE_CM4";
    argv[n++] = "-DARDUINO=10819";
    argv[n++] = "-DARDUINO_GIGA";
    argv[n++] = "-DARDUINO_ARCH_MBED";
    n = board_paths_include_flags(board_paths_find(a), true, argv, n); /* found by build_in already */
    for (int i = 0; i < a->cflag_count; i++)
        argv[n++] = a->cflags[i];
    return n;
}

/* The translated sketch and the C and assembly files' objects of a build. */
static char paths[256][PATH_MAX];

/* Compiles the C or assembly (.S) file f apart, into paths[object] in dir. */
static int compile_c(const board_args *a, bool m7, const char *f, const char *dir, int object)
{
    const char *cc = board_compiler("CC", "cc");
    const char *cargv[64 + 256];
    int m = 0;
    cargv[m++] = cc;
    if (!sketch_is_asm(f))
        cargv[m++] = "-std=gnu11";
    m = common_flags(a, m7, cargv, m);
    if (snprintf(paths[object], sizeof paths[object], "%s/%d.o", dir, object) >= PATH_MAX)
        return board_fail(a, "%s: the temporary path is too long", dir);
    cargv[m++] = "-c";
    cargv[m++] = f;
    cargv[m++] = "-o";
    cargv[m++] = paths[object];
    cargv[m] = NULL;
    int rc = board_run_command((char *const *)cargv, a->verbose);
    if (rc == BOARD_RUN_NOT_STARTED)
        return 1; /* said why */
    if (rc == 127)
        return board_fail(a, "could not run the C compiler '%s' (install gcc, or set CC)", cc);
    if (rc != 0 && sketch_is_asm(f))
        return board_fail(a, "the compiler failed on %s (its messages are above): the emulated board runs the "
                             "sketch on this PC, so its assembly is this PC's; Arm assembly builds for --target "
                             "giga or an521, and a file for both keeps each under #if defined(__arm__) "
                             "(docs/arduino.md)", f);
    if (rc != 0)
        return board_fail(a, "the compiler failed on %s (its messages are above)", f);
    return 0;
}

/* Runs the C++ compiler's command argv that compiles and links the sketch; on failure the
 * compiler's messages are explained in the sketch's terms. */
static int link_sketch(const board_args *a, const char **argv, const char *sketch, const char *cxx)
{
    char *messages = NULL;
    int rc = run_captured((char *const *)argv, a->verbose, &messages);
    if (rc > 0 && rc != 127 && messages) {
        const char *name = sketch ? sketch : a->files[0];
        const char *base = strrchr(name, '/');
        duet_sketch_explain(messages, base ? base + 1 : name, stderr);
        sketch_note_sources_not_given(a, sketch, messages);
    }
    free(messages);
    if (rc == BOARD_RUN_NOT_STARTED)
        return 1; /* said why */
    if (rc == 127)
        return board_fail(a, "could not run the C++ compiler '%s' (install g++, or set CXX)", cxx);
    if (rc != 0)
        return board_fail(a, "the compiler failed (its messages are above)");
    return 0;
}

/* The sketch's .ino tabs (main first: sketch_tabs) as C++ in paths[*objects], for the
 * compiler and options argv[0..flags_end) (which its preprocessor runs with), then -I their
 * folder and the C++ added to argv at *n. 0, or the exit status. */
static int add_ino(const board_args *a, const char *const *tabs, int count, const char *dir, const char **argv,
                   int flags_end, int *n, int *objects)
{
    static char here[PATH_MAX + 2];
    sketch_include_here(tabs[0], here, sizeof here);
    const char *compile[64 + 2 * 256];
    memcpy(compile, argv, (size_t)flags_end * sizeof *argv);
    compile[flags_end] = here;
    int rc = sketch_translate_file(a, tabs, count, dir, compile, flags_end + 1, paths[*objects],
                                   sizeof paths[*objects]);
    if (rc)
        return rc;
    argv[(*n)++] = here;
    argv[(*n)++] = paths[(*objects)++];
    return 0;
}

/* Compiles, links, explains; the temporary directory dir is the caller's to remove. */
static int build_in(const board_args *a, const char *out, bool m7, const char *dir)
{
    const char *cxx = board_compiler("CXX", "c++");
    const board_paths *p = board_paths_find(a);
    if (!p)
        return 1;
    const char *argv[64 + 2 * 256];
    const char *sketch = NULL;
    int n = 0, objects = 0;
    if (a->file_count + a->cflag_count > 200)
        return board_usage_fail(a, "at most 200 source files and compiler options");
    argv[n++] = cxx;
    argv[n++] = "-std=gnu++17";
    /* No exceptions and no RTTI, as the GIGA's Arduino core compiles a sketch: a throw or a
     * dynamic_cast fails here as it would on the board. */
    argv[n++] = "-fno-exceptions";
    argv[n++] = "-fno-rtti";
    /* A local variable the sketch forgot to set starts at 0, the same on every run (the
     * guide's core identify sketch counts from an unset int). GCC has the option. */
    if (!strstr(cxx, "clang"))
        argv[n++] = "-ftrivial-auto-var-init=zero";
    n = common_flags(a, m7, argv, n);
    int flags_end = n;
    for (int i = 0; i < a->file_count; i++) {
        const char *f = a->files[i];
        const char *e = sketch_extension(f);
        if (sketch_is_tab(f)) {
            if (sketch) /* every tab went in with the first */
                continue;
            const char *tabs[SKETCH_TABS_MAX];
            int count, rc = sketch_tabs(a, tabs, &count);
            if (!rc)
                rc = add_ino(a, tabs, count, dir, argv, flags_end, &n, &objects);
            if (rc)
                return rc;
            sketch = tabs[0];
        } else if (sketch_is_cxx(f)) {
            argv[n++] = f;
        } else if (strcmp(e, ".c") == 0 || sketch_is_asm(f)) {
            int rc = compile_c(a, m7, f, dir, objects);
            if (rc)
                return rc;
            argv[n++] = paths[objects++];
        } else {
            return board_usage_fail(a, "%s: a sketch is built from .ino, .cpp, .c and .S files", f);
        }
    }
    argv[n++] = "-o";
    argv[n++] = out;
    /* The layer first (its time() takes the C library's place), then as for a C program. */
    n = board_paths_libraries(p, true, argv, n);
    argv[n++] = "-pthread";
    argv[n++] = posix_core_flag(m7);
    argv[n] = NULL;
    int rc = link_sketch(a, argv, sketch, cxx);
    if (rc)
        return rc;
    return posix_built(a, out, m7);
}

int sketch_posix_build(const board_args *a, const char *out, bool m7)
{
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/duet-sketch-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return board_fail(a, "cannot make a temporary directory in %s: %s", tmp && tmp[0] ? tmp : "/tmp",
                          strerror(errno));
    int rc = build_in(a, out, m7, dir);
    if (board_remove_tree(dir) != 0)
        fprintf(stderr, "duet-board build: its temporary directory %s could not be removed (%s): remove it by hand\n",
                dir, strerror(errno));
    return rc;
}

int sketch_run_captured(char *const argv[], bool verbose, char **messages)
{
    return run_captured(argv, verbose, messages);
}

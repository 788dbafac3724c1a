/* sketch_posix.c - duet-board build for Arduino sketches on the emulated board. */
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

static const char *extension(const char *path)
{
    const char *base = strrchr(path, '/');
    const char *dot = strrchr(base ? base : path, '.');
    return dot ? dot : "";
}

static bool is_cxx(const char *path)
{
    const char *e = extension(path);
    return strcmp(e, ".cpp") == 0 || strcmp(e, ".cc") == 0 || strcmp(e, ".cxx") == 0;
}

bool sketch_sources(const board_args *a)
{
    for (int i = 0; i < a->file_count; i++)
        if (strcmp(extension(a->files[i]), ".ino") == 0 || is_cxx(a->files[i]))
            return true;
    return false;
}

/* Runs argv with its stderr shown as it comes and kept in *messages (NUL-terminated, the
 * caller frees). Returns the exit status, 128 + n for signal n, 127 if it could not run. */
static int run_captured(char *const argv[], bool verbose, char **messages)
{
    if (verbose) {
        for (int i = 0; argv[i]; i++)
            fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
        fputc('\n', stderr);
    }
    *messages = calloc(1, MESSAGES_MAX + 1);
    int fds[2];
    if (!*messages || pipe(fds) != 0)
        return 127;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return 127;
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
        if (errno != EINTR)
            return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The bytes of the file path (the caller frees), their count in *len; NULL with errno set
 * if it cannot be read. */
static char *read_file(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    char *text = NULL;
    size_t room = 0;
    *len = 0;
    for (;;) {
        if (*len == room) {
            char *more = realloc(text, room = room ? 2 * room : 65536);
            if (!more) {
                free(text);
                fclose(in);
                errno = ENOMEM;
                return NULL;
            }
            text = more;
        }
        size_t n = fread(text + *len, 1, room - *len, in);
        if (n == 0)
            break;
        *len += n;
    }
    int failed = ferror(in) ? errno : 0;
    fclose(in);
    if (failed) {
        free(text);
        errno = failed;
        return NULL;
    }
    return text;
}

/* The name the sketch's lines carry in the preprocessor's output (no escapes needed). */
#define KEPT_NAME "<sketch>"

/* Runs the preprocessor as compile (the compiler and the options of the real compile, n of
 * them) with -E over the sketch text after its prelude, in dir/<base>.lines.cpp, its output
 * into *output (the caller frees). 0 when it ran and succeeded. */
static int preprocess(const board_args *a, const char *text, size_t len, const char *base, const char *dir,
                      const char *const *compile, int n, char **output, size_t *output_len)
{
    char src[PATH_MAX], ii[PATH_MAX];
    if (snprintf(src, sizeof src, "%s/%s.lines.cpp", dir, base) >= (int)sizeof src ||
        snprintf(ii, sizeof ii, "%s/%s.lines.ii", dir, base) >= (int)sizeof ii || n > 64 + 2 * 256)
        return -1;
    FILE *f = fopen(src, "wb");
    if (!f)
        return -1;
    fputs("#include <Arduino.h>\n#line 1 \"" KEPT_NAME "\"\n", f);
    fwrite(text, 1, len, f);
    if (fclose(f) != 0)
        return -1;
    const char *argv[64 + 2 * 256 + 5];
    memcpy(argv, compile, (size_t)n * sizeof *argv);
    argv[n++] = "-E";
    argv[n++] = src;
    argv[n++] = "-o";
    argv[n++] = ii;
    argv[n] = NULL;
    if (board_run_quiet((char *const *)argv, a->verbose) != 0)
        return -1;
    *output = read_file(ii, output_len);
    return *output ? 0 : -1;
}

/* Which lines of the sketch text the build compiles (duet_sketch_translate_kept), as the
 * compiler's preprocessor tells (preprocess): kept[n] for line n < *count. NULL, every line
 * kept as before, when the text has no #if to ask about or the preprocessor fails (a broken
 * sketch, a missing header: the real compile then says what is wrong). */
static bool *kept_lines(const board_args *a, const char *text, size_t len, const char *base, const char *dir,
                        const char *const *compile, int n, size_t *count)
{
    if (!compile || duet_sketch_conditionals(text, len) <= 0)
        return NULL;
    char *output = NULL;
    size_t output_len = 0;
    if (preprocess(a, text, len, base, dir, compile, n, &output, &output_len) != 0) {
        if (a->verbose)
            fprintf(stderr, "duet-board: the preprocessor failed on %s: every function gets a prototype\n", base);
        return NULL;
    }
    *count = 2;
    for (size_t i = 0; i < len; i++)
        *count += text[i] == '\n';
    bool *kept = calloc(*count, sizeof *kept);
    if (kept && !duet_sketch_kept_lines(output, output_len, KEPT_NAME, kept, *count)) {
        if (a->verbose)
            fprintf(stderr,
                    "duet-board: the preprocessor's output has no line of %s: every function gets a prototype\n",
                    base);
        free(kept);
        kept = NULL;
    }
    free(output);
    return kept;
}

/* The .ino as C++ in dir/<name>.cpp (path written into cpp), with prototypes for the
 * functions the compile command compile (n words; NULL: every function) compiles. 0, or the
 * exit status. */
static int translate(const board_args *a, const char *ino, const char *dir, const char *const *compile, int n,
                     char *cpp, size_t cap)
{
    size_t len;
    char *text = read_file(ino, &len);
    if (!text)
        return board_fail(a, "%s: %s", ino, strerror(errno));
    const char *slash = strrchr(ino, '/');
    const char *base = slash ? slash + 1 : ino;
    if (snprintf(cpp, cap, "%s/%s.cpp", dir, base) >= (int)cap) {
        free(text);
        return board_fail(a, "%s: the path is too long", ino);
    }
    size_t count = 0;
    bool *kept = kept_lines(a, text, len, base, dir, compile, n, &count);
    FILE *out = fopen(cpp, "w");
    int made = out ? duet_sketch_translate_kept(text, len, ino, kept, count, out) : -1;
    free(text);
    free(kept);
    if (!out || fclose(out) != 0 || made < 0)
        return board_fail(a, "cannot write %s: %s", cpp, strerror(errno));
    return 0;
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

/* Compiles, links, explains; the temporary directory dir is the caller's to remove. */
/* The translated sketch and the C files' objects of a build. */
static char paths[256][PATH_MAX];

/* Compiles the C file f as C, apart, into paths[object] in dir. */
static int compile_c(const board_args *a, bool m7, const char *f, const char *dir, int object)
{
    const char *cc = board_compiler("CC", "cc");
    const char *cargv[64 + 256];
    int m = 0;
    cargv[m++] = cc;
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
    if (rc == 127)
        return board_fail(a, "could not run the C compiler '%s' (install gcc, or set CC)", cc);
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
    if (rc != 0 && rc != 127 && messages) {
        const char *name = sketch ? sketch : a->files[0];
        const char *base = strrchr(name, '/');
        duet_sketch_explain(messages, base ? base + 1 : name, stderr);
    }
    free(messages);
    if (rc == 127)
        return board_fail(a, "could not run the C++ compiler '%s' (install g++, or set CXX)", cxx);
    if (rc != 0)
        return board_fail(a, "the compiler failed (its messages are above)");
    return 0;
}

/* The .ino f as C++ in paths[*objects], for the compiler and options argv[0..flags_end)
 * (which its preprocessor runs with), then -I its directory and the C++ added to argv at *n.
 * 0, or the exit status. */
static int add_ino(const board_args *a, const char *f, const char *dir, const char **argv, int flags_end, int *n,
                   int *objects)
{
    /* Headers next to the sketch, as the IDE finds them. */
    static char here[PATH_MAX + 2];
    const char *slash = strrchr(f, '/');
    snprintf(here, sizeof here, "-I%.*s", slash ? (int)(slash - f) : 1, slash ? f : ".");
    const char *compile[64 + 2 * 256];
    memcpy(compile, argv, (size_t)flags_end * sizeof *argv);
    compile[flags_end] = here;
    int rc = translate(a, f, dir, compile, flags_end + 1, paths[*objects], sizeof paths[*objects]);
    if (rc)
        return rc;
    argv[(*n)++] = here;
    argv[(*n)++] = paths[(*objects)++];
    return 0;
}

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
    /* A local variable the sketch forgot to set starts at 0, the same on every run (the
     * guide's core identify sketch counts from an unset int). GCC has the option. */
    if (!strstr(cxx, "clang"))
        argv[n++] = "-ftrivial-auto-var-init=zero";
    n = common_flags(a, m7, argv, n);
    int flags_end = n;
    for (int i = 0; i < a->file_count; i++) {
        const char *f = a->files[i];
        const char *e = extension(f);
        if (strcmp(e, ".ino") == 0) {
            if (sketch)
                return board_usage_fail(a, "%s and %s: build one .ino at a time (put shared code in .cpp files)",
                                        sketch, f);
            sketch = f;
            int rc = add_ino(a, f, dir, argv, flags_end, &n, &objects);
            if (rc)
                return rc;
        } else if (is_cxx(f)) {
            argv[n++] = f;
        } else if (strcmp(e, ".c") == 0) {
            int rc = compile_c(a, m7, f, dir, objects);
            if (rc)
                return rc;
            argv[n++] = paths[objects++];
        } else {
            return board_usage_fail(a, "%s: a sketch is built from .ino, .cpp and .c files", f);
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
    board_remove_tree(dir);
    return rc;
}

/* ------------------------------------------------------------ for the other targets */

const char *sketch_extension(const char *path)
{
    return extension(path);
}

bool sketch_is_cxx(const char *path)
{
    return is_cxx(path);
}

int sketch_translate_file(const board_args *a, const char *ino, const char *dir, const char *const *compile, int n,
                          char *cpp, size_t cap)
{
    return translate(a, ino, dir, compile, n, cpp, cap);
}

int sketch_run_captured(char *const argv[], bool verbose, char **messages)
{
    return run_captured(argv, verbose, messages);
}

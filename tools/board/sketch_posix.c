/* sketch_posix.c - duet-board build for Arduino sketches on the emulated board. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "sketch_posix.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* A tab of the sketch: .ino, or .pde, the extension arduino-cli still takes (deprecated). */
static bool is_tab(const char *path)
{
    const char *e = extension(path);
    return strcmp(e, ".ino") == 0 || strcmp(e, ".pde") == 0;
}

/* Assembly, which the C compiler preprocesses first (.S, as arduino-cli takes it). */
static bool is_asm(const char *path)
{
    return strcmp(extension(path), ".S") == 0;
}

bool sketch_sources(const board_args *a)
{
    for (int i = 0; i < a->file_count; i++)
        if (is_tab(a->files[i]) || is_cxx(a->files[i]))
            return true;
    return false;
}

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

/* ------------------------------------------------------------ the sketch's tabs */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The folder path is in, into dir (cap bytes): its real path, or as written when it has
 * none (a folder that does not exist: the build then says so). */
static void folder_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    char written[PATH_MAX];
    if (!slash)
        snprintf(written, sizeof written, ".");
    else
        snprintf(written, sizeof written, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    char real[PATH_MAX];
    snprintf(dir, cap, "%s", realpath(written, real) ? real : written);
}

/* Whether the tab is named after its folder (Blink/Blink.ino): the sketch's main tab. */
static bool is_namesake(const char *path)
{
    char dir[PATH_MAX];
    folder_of(path, dir, sizeof dir);
    const char *base = base_name(path), *folder = base_name(dir);
    size_t stem = strlen(base) - strlen(".ino"); /* or ".pde" */
    return strlen(folder) == stem && strncmp(base, folder, stem) == 0;
}

static int by_base_name(const void *x, const void *y)
{
    return strcmp(base_name(*(const char *const *)x), base_name(*(const char *const *)y));
}

/* The .ino files among the sources (SKETCH_TABS_MAX at most) into tabs in the IDE's order:
 * the main tab (named after its folder, else the first given), then the others by name.
 * Their count. */
static int ordered_tabs(const board_args *a, const char **tabs)
{
    int count = 0, main_tab = -1;
    for (int i = 0; i < a->file_count && count < SKETCH_TABS_MAX; i++)
        if (is_tab(a->files[i])) {
            if (main_tab < 0 && is_namesake(a->files[i]))
                main_tab = count;
            tabs[count++] = a->files[i];
        }
    if (count > 0) {
        const char *first = tabs[main_tab < 0 ? 0 : main_tab];
        tabs[main_tab < 0 ? 0 : main_tab] = tabs[0];
        tabs[0] = first;
        qsort(tabs + 1, (size_t)count - 1, sizeof *tabs, by_base_name);
    }
    return count;
}

int sketch_tabs(const board_args *a, const char **tabs, int *count)
{
    int given = 0;
    for (int i = 0; i < a->file_count; i++)
        given += is_tab(a->files[i]);
    if (given > SKETCH_TABS_MAX)
        return board_usage_fail(a, "at most %d .ino tabs in a sketch", SKETCH_TABS_MAX);
    *count = ordered_tabs(a, tabs);
    char main_dir[PATH_MAX], dir[PATH_MAX];
    if (*count > 0)
        folder_of(tabs[0], main_dir, sizeof main_dir);
    for (int i = 0; i < *count; i++) {
        for (int j = i + 1; j < *count; j++)
            if (strcmp(base_name(tabs[i]), base_name(tabs[j])) == 0)
                return board_usage_fail(a, "%s and %s: two tabs named %s (a sketch's tabs are the .ino files of "
                                           "one folder, each once)",
                                        tabs[i], tabs[j], base_name(tabs[i]));
        folder_of(tabs[i], dir, sizeof dir);
        if (strcmp(dir, main_dir) != 0)
            return board_usage_fail(a, "%s and %s: the .ino tabs of a sketch are the files of one folder", tabs[0],
                                    tabs[i]);
    }
    for (int i = 0; i < *count; i++)
        if (strcmp(extension(tabs[i]), ".pde") == 0)
            fprintf(stderr, "duet-board build: note: %s: the .pde extension is deprecated, as in arduino-cli "
                            "(built all the same); rename the tab to .ino\n",
                    tabs[i]);
    return 0;
}

void sketch_include_here(const char *main_tab, char *include, size_t cap)
{
    const char *slash = strrchr(main_tab, '/');
    snprintf(include, cap, "-I%.*s", slash ? (int)(slash - main_tab) : 1, slash ? main_tab : ".");
}

const char *sketch_output_source(const board_args *a)
{
    const char *tabs[SKETCH_TABS_MAX];
    if (!is_tab(a->files[0]) || ordered_tabs(a, tabs) == 0)
        return a->files[0];
    return tabs[0];
}

/* The tabs of a sketch read, with the lines the build compiles in each (kept[t]: NULL for
 * every line). */
typedef struct {
    duet_sketch_tab tab[SKETCH_TABS_MAX];
    char *text[SKETCH_TABS_MAX];
    bool *kept[SKETCH_TABS_MAX];
    int count;
} sketch_texts;

static void texts_free(sketch_texts *t)
{
    for (int i = 0; i < t->count; i++) {
        free(t->text[i]);
        free(t->kept[i]);
    }
    t->count = 0;
}

/* The name tab t's lines carry in the preprocessor's output (no escapes needed). */
static void kept_name(int t, char *name, size_t cap)
{
    snprintf(name, cap, "<tab %d>", t + 1);
}

/* Runs the preprocessor as compile (the compiler and the options of the real compile, n of
 * them) with -E over the tabs joined as the build joins them (each after `#line 1 "<tab N>"`,
 * kept_name), in dir/<base>.lines.cpp, its output into *output (the caller frees). 0 when it
 * ran and succeeded; 1 when it failed (the sketch's fault: the real compile says what); -1
 * when it could not be run (a file of it not written or read, no process), which is said. */
static int preprocess(const board_args *a, const sketch_texts *t, const char *base, const char *dir,
                      const char *const *compile, int n, char **output, size_t *output_len)
{
    char src[PATH_MAX], ii[PATH_MAX], name[32];
    if (snprintf(src, sizeof src, "%s/%s.lines.cpp", dir, base) >= (int)sizeof src ||
        snprintf(ii, sizeof ii, "%s/%s.lines.ii", dir, base) >= (int)sizeof ii || n > 64 + 2 * 256)
        return 1;
    FILE *f = fopen(src, "wb");
    if (!f) {
        board_fail(a, "cannot write %s: %s", src, strerror(errno));
        return -1;
    }
    fputs("#include <Arduino.h>\n", f);
    for (int i = 0; i < t->count; i++) {
        kept_name(i, name, sizeof name);
        fprintf(f, "#line 1 \"%s\"\n", name);
        fwrite(t->tab[i].text, 1, t->tab[i].len, f);
        if (t->tab[i].len && t->tab[i].text[t->tab[i].len - 1] != '\n')
            fputc('\n', f);
    }
    bool written = !ferror(f);
    int e = errno;
    if (fclose(f) != 0 || !written) {
        board_fail(a, "cannot write %s: %s", src, strerror(written ? errno : e));
        return -1;
    }
    const char *argv[64 + 2 * 256 + 5];
    memcpy(argv, compile, (size_t)n * sizeof *argv);
    argv[n++] = "-E";
    argv[n++] = src;
    argv[n++] = "-o";
    argv[n++] = ii;
    argv[n] = NULL;
    int rc = board_run_quiet((char *const *)argv, a->verbose);
    if (rc == BOARD_RUN_NOT_STARTED)
        return -1; /* said why */
    if (rc != 0)
        return 1;
    if (!(*output = read_file(ii, output_len))) {
        board_fail(a, "cannot read %s: %s", ii, strerror(errno));
        return -1;
    }
    return 0;
}

/* Sets which lines of each tab the build compiles (duet_sketch_translate_kept), as the
 * compiler's preprocessor tells (preprocess). Every line kept, as before, when no tab has
 * an #if to ask about or the preprocessor fails (a broken sketch, a missing header: the real
 * compile then says what is wrong). 0, or 1 when the preprocessor could not be run (said). */
static int kept_lines(const board_args *a, sketch_texts *t, const char *base, const char *dir,
                      const char *const *compile, int n)
{
    int conditionals = 0;
    for (int i = 0; i < t->count && compile; i++)
        conditionals += duet_sketch_conditionals(t->tab[i].text, t->tab[i].len) != 0;
    char *output = NULL;
    size_t output_len = 0;
    if (conditionals == 0)
        return 0;
    int rc = preprocess(a, t, base, dir, compile, n, &output, &output_len);
    if (rc < 0)
        return 1;
    if (rc > 0) {
        if (a->verbose)
            fprintf(stderr, "duet-board: the preprocessor failed on %s: every function gets a prototype\n", base);
        return 0;
    }
    bool seen = false, ok = true;
    for (int i = 0; i < t->count && ok; i++) {
        char name[32];
        size_t count = 2;
        for (size_t k = 0; k < t->tab[i].len; k++)
            count += t->tab[i].text[k] == '\n';
        kept_name(i, name, sizeof name);
        ok = (t->kept[i] = calloc(count, sizeof *t->kept[i])) != NULL;
        seen |= ok && duet_sketch_kept_lines(output, output_len, name, t->kept[i], count);
        t->tab[i].kept_lines = count;
    }
    free(output);
    if (a->verbose && ok && !seen)
        fprintf(stderr, "duet-board: the preprocessor's output has no line of %s: every function gets a prototype\n",
                base);
    for (int i = 0; i < t->count; i++) {
        if (!ok || !seen) {
            free(t->kept[i]);
            t->kept[i] = NULL;
        }
        t->tab[i].kept = t->kept[i];
    }
    return 0;
}

/* Reads the tabs (count of them, main first) into t. 0, or the exit status. */
static int read_tabs(const board_args *a, const char *const *tabs, int count, sketch_texts *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < count; i++) {
        size_t len;
        char *text = read_file(tabs[i], &len);
        if (!text) {
            int e = errno;
            texts_free(t);
            return board_fail(a, "%s: %s", tabs[i], strerror(e));
        }
        t->text[i] = text;
        t->tab[i] = (duet_sketch_tab){text, len, tabs[i], NULL, 0};
        t->count++;
    }
    return 0;
}

/* The .ino tabs (count of them, main first: sketch_tabs) as one C++ file in dir/<main>.cpp
 * (path written into cpp), with prototypes for the functions the compile command compile (n
 * words; NULL: every function) compiles. 0, or the exit status. */
static int translate(const board_args *a, const char *const *tabs, int count, const char *dir,
                     const char *const *compile, int n, char *cpp, size_t cap)
{
    static sketch_texts t;
    int rc = read_tabs(a, tabs, count, &t);
    if (rc)
        return rc;
    const char *base = base_name(tabs[0]);
    if (snprintf(cpp, cap, "%s/%s.cpp", dir, base) >= (int)cap) {
        texts_free(&t);
        return board_fail(a, "%s: the path is too long", tabs[0]);
    }
    if (kept_lines(a, &t, base, dir, compile, n) != 0) {
        texts_free(&t);
        return 1;
    }
    FILE *out = fopen(cpp, "w");
    int made = out ? duet_sketch_translate_tabs(t.tab, (size_t)t.count, out) : -1;
    texts_free(&t);
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

/* The translated sketch and the C and assembly files' objects of a build. */
static char paths[256][PATH_MAX];

/* Compiles the C or assembly (.S) file f apart, into paths[object] in dir. */
static int compile_c(const board_args *a, bool m7, const char *f, const char *dir, int object)
{
    const char *cc = board_compiler("CC", "cc");
    const char *cargv[64 + 256];
    int m = 0;
    cargv[m++] = cc;
    if (!is_asm(f))
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
    if (rc != 0 && is_asm(f))
        return board_fail(a, "the compiler failed on %s (its messages are above): the emulated board runs the "
                             "sketch on this PC, so its assembly is this PC's; Arm assembly builds for --target "
                             "giga or an521, and a file for both keeps each under #if defined(__arm__) "
                             "(docs/arduino.md)", f);
    if (rc != 0)
        return board_fail(a, "the compiler failed on %s (its messages are above)", f);
    return 0;
}

void sketch_note_sources_not_given(const board_args *a, const char *sketch, const char *messages)
{
    if (!sketch || !messages || !strstr(messages, "undefined reference"))
        return;
    const char *slash = strrchr(sketch, '/');
    char folder[PATH_MAX];
    snprintf(folder, sizeof folder, "%.*s", slash ? (int)(slash - sketch) : 1, slash ? sketch : ".");
    const char **all = NULL;
    int count = 0, missing = 0;
    const char *first = NULL;
    if (sketch_folder_sources(a, folder, &all, &count) != 0)
        return;
    for (int i = 0; i < count; i++) {
        bool given = false;
        for (int k = 0; k < a->file_count && !given; k++)
            given = strcmp(all[i] + (strncmp(all[i], "./", 2) == 0 ? 2 : 0), a->files[k]) == 0 ||
                    strcmp(all[i], a->files[k]) == 0;
        if (!given && missing++ == 0)
            first = all[i];
    }
    bool posix = !a->target || strcmp(a->target, "posix") == 0;
    if (missing)
        fprintf(stderr,
                "duet-board build: note: %s holds %d source%s that %s not given (%s%s): give the folder to build "
                "the sketch whole, as the IDE does (duet-board build%s%s --core %s %s)\n",
                folder, missing, missing == 1 ? "" : "s", missing == 1 ? "was" : "were", first,
                missing > 1 ? ", ..." : "", posix ? "" : " --target ", posix ? "" : a->target, a->core, folder);
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
    int rc = translate(a, tabs, count, dir, compile, flags_end + 1, paths[*objects], sizeof paths[*objects]);
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
        const char *e = extension(f);
        if (is_tab(f)) {
            if (sketch) /* every tab went in with the first */
                continue;
            const char *tabs[SKETCH_TABS_MAX];
            int count, rc = sketch_tabs(a, tabs, &count);
            if (!rc)
                rc = add_ino(a, tabs, count, dir, argv, flags_end, &n, &objects);
            if (rc)
                return rc;
            sketch = tabs[0];
        } else if (is_cxx(f)) {
            argv[n++] = f;
        } else if (strcmp(e, ".c") == 0 || is_asm(f)) {
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

/* ------------------------------------------------------------ for the other targets */

const char *sketch_extension(const char *path)
{
    return extension(path);
}

bool sketch_is_cxx(const char *path)
{
    return is_cxx(path);
}

bool sketch_is_asm(const char *path)
{
    return is_asm(path);
}

bool sketch_is_tab(const char *path)
{
    return is_tab(path);
}

int sketch_translate_file(const board_args *a, const char *const *tabs, int count, const char *dir,
                          const char *const *compile, int n, char *cpp, size_t cap)
{
    return translate(a, tabs, count, dir, compile, n, cpp, cap);
}

int sketch_run_captured(char *const argv[], bool verbose, char **messages)
{
    return run_captured(argv, verbose, messages);
}

/* Whether name, under the folder's src/, is compiled: C++, C or assembly (no .ino: those are
 * no tabs there, as in arduino-cli). */
static bool src_source(const char *name)
{
    return is_cxx(name) || strcmp(extension(name), ".c") == 0 || is_asm(name);
}

/* Whether name, in the sketch folder itself, is a source its build takes: .ino, C++, C or
 * assembly. */
static bool folder_source(const char *name)
{
    return name[0] != '.' && (is_tab(name) || src_source(name));
}

/* Whether the file or folder name under src/ is looked at: not hidden, no version
 * control's (CVS, RCS; the others' names are hidden), as arduino-cli skips them. */
static bool src_entry_seen(const char *name)
{
    return name[0] != '.' && strcmp(name, "CVS") != 0 && strcmp(name, "RCS") != 0;
}

static int by_name(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The paths of a sketch folder's sources, growing (they last as long as the process). */
typedef struct {
    const char **files;
    int count, cap;
} source_list;

/* Adds dir/name to l; the path, or NULL if memory ran out. */
static char *source_add(source_list *l, const char *dir, const char *name)
{
    if (l->count == l->cap) {
        const char **more = realloc(l->files, (size_t)(l->cap ? 2 * l->cap : 16) * sizeof *more);
        if (!more)
            return NULL;
        l->files = more;
        l->cap = l->cap ? 2 * l->cap : 16;
    }
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    if (path) {
        sprintf(path, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
        l->files[l->count++] = path;
    }
    return path;
}

/* Most folders src/ nests (a link to a folder above it would nest without end). */
#define SRC_DEPTH_MAX 16

/* The C++ and C files under dir (src/ of a sketch folder, at depth), its folders searched
 * too, into l. 0, or the exit status. */
static int add_src_folder(const board_args *a, const char *dir, int depth, source_list *l)
{
    if (depth > SRC_DEPTH_MAX)
        return board_usage_fail(a, "%s: folders nested more than %d deep under a sketch's src/", dir, SRC_DEPTH_MAX);
    DIR *d = opendir(dir);
    if (!d)
        return board_usage_fail(a, "%s: %s", dir, strerror(errno));
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
        char path[PATH_MAX];
        struct stat st;
        if (!src_entry_seen(e->d_name))
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
            rc = board_fail(a, "%s/%s: the path is too long", dir, e->d_name);
        else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            rc = add_src_folder(a, path, depth + 1, l);
        else if (src_source(e->d_name) && !source_add(l, dir, e->d_name))
            rc = board_fail(a, "%s: out of memory", dir);
    }
    if (rc == 0 && !e && errno) /* not the end: a failure, and the rest of the folder unread */
        rc = board_fail(a, "cannot read the folder %s: %s", dir, strerror(errno));
    closedir(d);
    return rc;
}

int sketch_folder_sources(const board_args *a, const char *folder, const char ***sources, int *count)
{
    DIR *d = opendir(folder);
    if (!d)
        return board_usage_fail(a, "%s: %s", folder, strerror(errno));
    source_list l = {0};
    bool out_of_memory = false;
    struct dirent *e;
    while (!out_of_memory && (errno = 0, e = readdir(d)) != NULL)
        out_of_memory = folder_source(e->d_name) && !source_add(&l, folder, e->d_name);
    int unread = out_of_memory ? 0 : errno; /* not the end: the rest of the folder unread */
    closedir(d);
    /* (on failure, what was allocated goes with the process) */
    if (out_of_memory)
        return board_fail(a, "%s: out of memory", folder);
    if (unread)
        return board_fail(a, "cannot read the folder %s: %s", folder, strerror(unread));
    if (l.count == 0)
        return board_usage_fail(a, "%s: a sketch folder holds its .ino tabs (and .cpp, .c, .S files); this one has none",
                                folder);
    int own = l.count; /* the folder's own, then src/'s */
    char src[PATH_MAX];
    struct stat st;
    snprintf(src, sizeof src, "%s%ssrc", folder, folder[strlen(folder) - 1] == '/' ? "" : "/");
    if (stat(src, &st) == 0 && S_ISDIR(st.st_mode)) {
        int rc = add_src_folder(a, src, 1, &l);
        if (rc)
            return rc;
    }
    qsort(l.files, (size_t)own, sizeof *l.files, by_name);
    qsort(l.files + own, (size_t)(l.count - own), sizeof *l.files, by_name);
    *sources = l.files;
    *count = l.count;
    return 0;
}

/* sketch_translate.c - a sketch's .ino tabs as one C++ file for duet-board build: the tabs
 * read, the lines the build compiles found with the compiler's preprocessor, the IDE's rules
 * applied (tools/sketch: duet_sketch_translate_tabs). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_util.h"
#include "sketch.h"
#include "sketch_posix.h"

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
    const char *slash = strrchr(tabs[0], '/');
    const char *base = slash ? slash + 1 : tabs[0];
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

int sketch_translate_file(const board_args *a, const char *const *tabs, int count, const char *dir,
                          const char *const *compile, int n, char *cpp, size_t cap)
{
    return translate(a, tabs, count, dir, compile, n, cpp, cap);
}

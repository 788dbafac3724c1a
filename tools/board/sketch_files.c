/* sketch_files.c - which files make an Arduino sketch for duet-board build: the kinds of
 * source by name, the .ino tabs in the IDE's order, a sketch folder's sources, and the note
 * after a link that missed functions when some of them were not given. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "board_util.h"
#include "sketch_posix.h"

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

/* ------------------------------------------------------------ the kinds, for the other files */

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

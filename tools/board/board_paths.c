/* board_paths.c - duet's headers and libraries for duet-board build, from the build tree or
 * from the install prefix duet-board runs from (see board_paths.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "board_paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board_util.h"

/* Set by CMake: the build tree's files, the directory duet-board is built in, the configured
 * prefix and the install layout below a prefix (relative directories). */
#if !defined(DUET_BOARD_BUILD_DIR) || !defined(DUET_BOARD_PREFIX) || !defined(DUET_BOARD_BINDIR) || \
    !defined(DUET_BOARD_INCLUDEDIR) || !defined(DUET_BOARD_LIBDIR) || !defined(DUET_BOARD_DATADIR) ||             \
    !defined(DUET_BOARD_LIBEXECDIR)
#error "DUET_BOARD_BUILD_DIR, DUET_BOARD_PREFIX and DUET_BOARD_BINDIR/INCLUDEDIR/LIBDIR/DATADIR/LIBEXECDIR must be defined by the build"
#endif

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether dir/name is a file. */
static bool has_file(const char *dir, const char *name)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    return n > 0 && (size_t)n < sizeof path && is_file(path);
}

/* The directory of the running executable (links resolved) into out; false if unknown. */
static bool exe_dir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    return snprintf(out, cap, "%s", exe) < (int)cap;
}

/* Whether two paths name the same directory. */
static bool same_dir(const char *x, const char *y)
{
    struct stat sx, sy;
    return stat(x, &sx) == 0 && stat(y, &sy) == 0 && sx.st_dev == sy.st_dev && sx.st_ino == sy.st_ino;
}

/* The prefix of an install whose bin directory is bin: bin with DUET_BOARD_BINDIR's
 * components taken off ("/opt/duet/bin" -> "/opt/duet"). False if bin does not end so. */
static bool prefix_of(const char *bin, char *out, size_t cap)
{
    size_t bl = strlen(bin), dl = strlen(DUET_BOARD_BINDIR);
    if (bl <= dl || strcmp(bin + bl - dl, DUET_BOARD_BINDIR) != 0 || bin[bl - dl - 1] != '/')
        return false;
    return snprintf(out, cap, "%.*s", (int)(bl - dl - 1), bin) < (int)cap;
}

/* out = dir + "/" + name; false if it does not fit. */
static bool join(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    return n > 0 && (size_t)n < cap;
}

/* Fills p from an install under prefix if duet's headers and libraries are there. */
static bool from_prefix(const char *prefix, board_paths *p)
{
    static char include[PATH_MAX], arduino[PATH_MAX], libdir[PATH_MAX], lib_main[PATH_MAX],
        lib_posix[PATH_MAX], lib_core[PATH_MAX], lib_arduino[PATH_MAX];
    char probe[PATH_MAX];
    if (!join(include, sizeof include, prefix, DUET_BOARD_INCLUDEDIR) ||
        !join(arduino, sizeof arduino, include, "duet/arduino") ||
        !join(probe, sizeof probe, include, "duet/duet.h") ||
        !join(libdir, sizeof libdir, prefix, DUET_BOARD_LIBDIR) ||
        !join(lib_main, sizeof lib_main, libdir, "libduet-posix-main.a") ||
        !join(lib_posix, sizeof lib_posix, libdir, "libduet-posix.a") ||
        !join(lib_core, sizeof lib_core, libdir, "libduet.a") ||
        !join(lib_arduino, sizeof lib_arduino, libdir, "libduet-arduino.a"))
        return false;
    if (!is_file(probe) || !is_file(lib_main) || !is_file(lib_posix) || !is_file(lib_core) ||
        !is_file(lib_arduino))
        return false;
    *p = (board_paths){.installed = true, .include = include, .arduino_include = arduino, .lib_main = lib_main,
                       .lib_posix = lib_posix, .lib_core = lib_core, .lib_arduino = lib_arduino};
    /* What the Cortex-M targets use, each where the install has it (cmake/install.cmake):
     * the Arduino layer's sources and the GIGA R1's in DATADIR/duet, the AN521 port's
     * library and linker scripts in LIBDIR/duet/an521. */
    static char data[PATH_MAX], arduino_sources[PATH_MAX], giga[PATH_MAX], an521[PATH_MAX], an521_lib[PATH_MAX];
    if (join(data, sizeof data, prefix, DUET_BOARD_DATADIR "/duet") &&
        join(arduino_sources, sizeof arduino_sources, data, "arduino") && has_file(arduino_sources, "Arduino.cpp"))
        p->arduino_sources = arduino_sources;
    if (join(giga, sizeof giga, data, "giga") && has_file(giga, "ports/stm32h747/ld/giga_m7.ld"))
        p->giga_root = giga;
    if (join(an521, sizeof an521, libdir, "duet/an521") &&
        join(an521_lib, sizeof an521_lib, an521, "libduet_an521.a") && is_file(an521_lib) &&
        has_file(an521, "cpu0.ld")) {
        p->an521_lib = an521_lib;
        p->an521_ld = an521;
        p->an521_include[0] = include; /* duet/an521.h, duet/cortex_m.h beside duet.h */
    }
    return true;
}

const board_paths *board_paths_find(const board_args *a)
{
    static board_paths paths;
    static bool found;
    if (found)
        return &paths;
    char bin[PATH_MAX], prefix[PATH_MAX];
    bool have_bin = exe_dir(bin, sizeof bin);
    if (have_bin && same_dir(bin, DUET_BOARD_BUILD_DIR)) {
        paths = (board_paths){.installed = false, .include = DUET_BOARD_INCLUDE,
                              .posix_include = DUET_BOARD_POSIX_INCLUDE,
                              .generated_include = DUET_BOARD_GENERATED_INCLUDE,
                              .arduino_include = DUET_BOARD_ARDUINO_INCLUDE, .lib_main = DUET_BOARD_LIB_MAIN,
                              .lib_posix = DUET_BOARD_LIB_POSIX, .lib_top = DUET_BOARD_LIB_TOP,
                              .lib_core = DUET_BOARD_LIB_CORE, .lib_arduino = DUET_BOARD_LIB_ARDUINO,
                              .arduino_sources = DUET_BOARD_ARDUINO_INCLUDE,
#ifdef DUET_BOARD_AN521_LIB
                              .an521_lib = DUET_BOARD_AN521_LIB, .an521_ld = DUET_BOARD_AN521_DIR,
                              .an521_include = {DUET_BOARD_INCLUDE, DUET_BOARD_AN521_GENERATED,
                                                DUET_BOARD_CORTEX_M_INCLUDE, DUET_BOARD_AN521_INCLUDE},
#endif
        };
        if (!is_file(DUET_BOARD_INCLUDE "/duet/duet.h")) {
            board_fail(a, "duet's headers are gone from the source tree (%s): duet-board runs from the build "
                          "tree %s, which needs the checkout it was built from (or install duet and run the "
                          "installed duet-board)",
                       DUET_BOARD_INCLUDE, DUET_BOARD_BUILD_DIR);
            return NULL;
        }
        found = true;
        return &paths;
    }
    /* Installed: next to this executable first (the prefix may have moved), then the
     * prefix the build was configured for. */
    if ((have_bin && prefix_of(bin, prefix, sizeof prefix) && from_prefix(prefix, &paths)) ||
        from_prefix(DUET_BOARD_PREFIX, &paths)) {
        found = true;
        return &paths;
    }
    board_fail(a, "cannot find duet's headers and libraries (%s/duet/duet.h, %s/libduet.a) beside %s or under %s: "
                  "install duet again (make install PREFIX=...) or run the duet-board of a build tree",
               DUET_BOARD_INCLUDEDIR, DUET_BOARD_LIBDIR, have_bin ? bin : "duet-board", DUET_BOARD_PREFIX);
    return NULL;
}

/* Fills py from an install under prefix if duet-m7-python is there. */
static bool python_from_prefix(const char *prefix, board_python *py)
{
#ifdef DUET_BOARD_PYTHONDIR
    static char m7[PATH_MAX], dir[PATH_MAX];
    if (!join(m7, sizeof m7, prefix, DUET_BOARD_LIBEXECDIR "/duet/duet-m7-python") || access(m7, X_OK) != 0 ||
        !join(dir, sizeof dir, prefix, DUET_BOARD_PYTHONDIR))
        return false;
    *py = (board_python){.installed = true, .m7 = m7, .dir = dir};
    return true;
#else
    (void)prefix;
    (void)py;
    return false;
#endif
}

const board_python *board_paths_python(void)
{
    static board_python py;
    static bool found;
    if (found)
        return &py;
    found = true;
    char bin[PATH_MAX], prefix[PATH_MAX];
    bool have_bin = exe_dir(bin, sizeof bin);
    if (have_bin && same_dir(bin, DUET_BOARD_BUILD_DIR)) {
#ifdef DUET_BOARD_PYTHON_M7
        py.m7 = DUET_BOARD_PYTHON_M7;
#endif
        return &py;
    }
    if (!(have_bin && prefix_of(bin, prefix, sizeof prefix) && python_from_prefix(prefix, &py)) &&
        !python_from_prefix(DUET_BOARD_PREFIX, &py))
        py = (board_python){.installed = true};
    return &py;
}

int board_paths_include_flags(const board_paths *p, bool arduino, const char **argv, int n)
{
    static char flags[4][PATH_MAX + 2];
    const char *dirs[] = {arduino ? p->arduino_include : NULL, p->include, p->posix_include, p->generated_include};
    for (int i = 0; i < 4; i++)
        if (dirs[i] && snprintf(flags[i], sizeof flags[i], "-I%s", dirs[i]) > 0)
            argv[n++] = flags[i];
    return n;
}

int board_paths_libraries(const board_paths *p, bool arduino, const char **argv, int n)
{
    if (arduino)
        argv[n++] = p->lib_arduino;
    argv[n++] = p->lib_main;
    argv[n++] = "-Wl,--start-group";
    argv[n++] = p->lib_posix;
    if (p->lib_top)
        argv[n++] = p->lib_top;
    argv[n++] = "-Wl,--end-group";
    argv[n++] = p->lib_core;
    return n;
}

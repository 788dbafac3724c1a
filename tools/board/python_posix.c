/* python_posix.c - a Python script as the M7's program on the emulated board (docs/python.md):
 * the M7's image is duet-m7-python (python/), and the script lies next to it in the board's
 * flash (flash/0x08040000.py), where that image looks for it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board_paths.h"
#include "posix_target.h"

bool posix_is_script(const char *path)
{
    size_t n = strlen(path);
    return n > 3 && strcmp(path + n - 3, ".py") == 0;
}

const char *posix_python_m7(const board_args *a)
{
    const board_python *py = board_paths_python();
    if (py->installed && py->m7)
        return py->m7;
    if (py->installed)
        board_fail(a, "this install of duet has no Python for the M7 (libexec/duet/duet-m7-python): install duet "
                      "from a build made with python3-dev (scripts/deps.sh build) to run a .py program on the M7");
    else if (py->m7 && access(py->m7, X_OK) == 0)
        return py->m7;
    else if (py->m7)
        board_fail(a, "the M7's Python program %s is not built: run make (it needs python3-dev: scripts/deps.sh build)",
                   py->m7);
    else
        board_fail(a, "this duet-board was built without Python (python3-dev was missing): install it with "
                      "scripts/deps.sh build, then make, to run a .py program on the M7");
    return NULL;
}

void posix_python_environment(void)
{
    const board_python *py = board_paths_python();
    if (py->dir)
        setenv("DUET_PYTHON_DIR", py->dir, 1);
}

void posix_script_path(const char *dir, char *out, size_t cap)
{
    snprintf(out, cap, "%s/flash/0x%08x.py", dir, (unsigned)POSIX_M7_ADDRESS);
}

int posix_store_script(const board_args *a, const char *dir, const char *script, long *bytes)
{
    char path[PATH_MAX], tmp[PATH_MAX + 32];
    posix_script_path(dir, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.%d", path, (int)getpid());
    FILE *in = fopen(script, "rb");
    if (!in)
        return board_fail(a, "%s: %s", script, strerror(errno));
    FILE *out = fopen(tmp, "wb");
    if (!out) {
        int e = errno;
        fclose(in);
        return board_fail(a, "cannot write %s: %s", tmp, strerror(e));
    }
    char buf[8192];
    size_t n;
    *bytes = 0;
    bool ok = true;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0) {
        ok = fwrite(buf, 1, n, out) == n;
        *bytes += (long)n;
    }
    ok = ok && !ferror(in);
    fclose(in);
    /* A rename, so that an M7 starting now sees the old script or the new one, never half. */
    if (fclose(out) != 0 || !ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return board_fail(a, "cannot store %s as %s: %s", script, path, strerror(e));
    }
    return 0;
}

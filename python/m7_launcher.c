/* m7_launcher.c - duet-m7-python: the M7's image for a Python program on the emulated board.
 * The board starts an image as a program; this one runs Debian's python3 with duet_m7.py
 * on the script: IMAGE.py next to the uploaded image if it is there (what duet-board uploads
 * for --m7 SCRIPT.py), else the script $DUET_M7_SCRIPT names. duet_m7.py and the module are
 * in DUET_PY_DIR (build/python, or the install's python directory), or in the directory
 * $DUET_PYTHON_DIR names (an installed duet-board sets it: the prefix may have moved). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    (void)argc;
    char script[PATH_MAX];
    int n = snprintf(script, sizeof script, "%s.py", argv[0]);
    if (n < 0 || (size_t)n >= sizeof script || access(script, R_OK) != 0) {
        const char *env = getenv("DUET_M7_SCRIPT");
        if (!env || !env[0]) {
            fprintf(stderr, "duet-m7-python: no script: upload one with duet-board (--m7 SCRIPT.py), or set "
                            "DUET_M7_SCRIPT to the Python program to run as the M7\n");
            return 127;
        }
        snprintf(script, sizeof script, "%s", env);
    }
    const char *dir = getenv("DUET_PYTHON_DIR");
    if (!dir || !dir[0])
        dir = DUET_PY_DIR;
    char runner[PATH_MAX];
    n = snprintf(runner, sizeof runner, "%s/duet_m7.py", dir);
    if (n < 0 || (size_t)n >= sizeof runner || access(runner, R_OK) != 0) {
        fprintf(stderr, "duet-m7-python: duet's Python module is not in %s (no duet_m7.py): install duet again, or "
                        "set DUET_PYTHON_DIR to the directory that holds msgpackrpc and duet_m7.py\n", dir);
        return 127;
    }
    /* The module next to duet_m7.py comes first on Python's path. */
    const char *old = getenv("PYTHONPATH");
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s%s%s", dir, old && old[0] ? ":" : "", old && old[0] ? old : "");
    setenv("PYTHONPATH", path, 1);
    execl(DUET_PY_PYTHON, DUET_PY_PYTHON, "-u", runner, script, (char *)NULL);
    fprintf(stderr, "duet-m7-python: cannot run %s: %s\n", DUET_PY_PYTHON, strerror(errno));
    return 127;
}

/* m7_launcher.c - duet-m7-python: the M7's image for a Python program on the emulated board.
 * The board starts an image as a program; this one runs Debian's python3 with duet_m7.py
 * (build/python) on the script: IMAGE.py next to the uploaded image if it is there (what
 * duet-board uploads for --m7 SCRIPT.py), else the script $DUET_M7_SCRIPT names. */
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
    /* The module next to duet_m7.py comes first on Python's path. */
    const char *old = getenv("PYTHONPATH");
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s%s%s", DUET_PY_DIR, old && old[0] ? ":" : "", old && old[0] ? old : "");
    setenv("PYTHONPATH", path, 1);
    execl(DUET_PY_PYTHON, DUET_PY_PYTHON, "-u", DUET_PY_DIR "/duet_m7.py", script, (char *)NULL);
    fprintf(stderr, "duet-m7-python: cannot run %s: %s\n", DUET_PY_PYTHON, strerror(errno));
    return 127;
}

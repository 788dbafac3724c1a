/* target_posix.c - duet-board's default target: the emulated GIGA R1 on this PC (ports/posix),
 * each core a process. build compiles with the host's C compiler against duet; upload copies
 * the image into the board directory's flash; run is in posix_run.c. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "posix_target.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board_paths.h"
#include "board_util.h"
#include "sketch_posix.h"
#include "duet/posix/board.h"

/* ------------------------------------------------------------ the board directory */

int posix_board_dir(const board_args *a, char *out, size_t cap)
{
    if (a->board_dir) {
        if (snprintf(out, cap, "%s", a->board_dir) >= (int)cap)
            return board_usage_fail(a, "--board %s: path too long", a->board_dir);
        return 0;
    }
    if (board_default_dir("posix", out, cap) != 0)
        return board_usage_fail(a, "no home directory for the default board: give --board DIR or set DUET_BOARD_HOME");
    return 0;
}

static bool board_exists(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/control", dir);
    return stat(path, &st) == 0;
}

/* Whether dir is there but no directory (a file), which no board can be. */
static bool not_a_directory(const char *dir)
{
    struct stat st;
    return stat(dir, &st) == 0 && !S_ISDIR(st.st_mode);
}

int posix_board_open(const board_args *a, const char *dir, bool create)
{
    if (not_a_directory(dir))
        return board_fail(a, "%s is not a directory: give --board a board's directory, or a path that does not "
                             "exist yet for a new board",
                          dir);
    if (board_exists(dir))
        return 0;
    if (!create)
        return board_fail(a, "no board at %s yet: upload a program first (duet-board upload --core m7 IMAGE)", dir);
    if (board_mkdirs(dir) != 0)
        return board_fail(a, "cannot make the board directory %s: %s", dir, strerror(errno));
    if (duet_posix_board_create(dir) != DUET_OK)
        return board_fail(a, "%s", duet_posix_board_error_text());
    return 0;
}

/* The board library's last failure, without its "upload: " (the function that failed) when
 * that is the verb board_fail names already: upload said "upload: upload: ...". */
static const char *library_text(const board_args *a)
{
    const char *why = duet_posix_board_error_text();
    size_t n = a->verb ? strlen(a->verb) : 0;
    if (n && strncmp(why, a->verb, n) == 0 && strncmp(why + n, ": ", 2) == 0)
        return why + n + 2;
    return why;
}

/* Fails with why the board's library refused dir, telling a person at the command line what
 * to do where it names the library's own remedy (duet_posix_board_create, for programs). */
int posix_board_fail(const board_args *a, const char *dir)
{
    const char *why = library_text(a);
    const char *remedy = strstr(why, " (duet_posix_board_create() makes one)");
    if (!remedy)
        return board_fail(a, "%s", why);
    return board_fail(a, "%.*s: remove %s and upload the programs again, or give another --board", (int)(remedy - why),
                      why, dir);
}

/* ------------------------------------------------------------ what flash holds */

static void flash_file(const char *dir, uint32_t address, const char *suffix, char *out, size_t cap)
{
    snprintf(out, cap, "%s/flash/0x%08x%s", dir, (unsigned)address, suffix);
}

/* The first line of path into out: 1; 0 when there is no such file; -1 when it cannot be read
 * (errno) or holds nothing (errno 0). */
static int read_line(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    errno = 0;
    bool ok = fgets(out, (int)cap, f) != NULL;
    int e = ferror(f) ? errno : 0;
    fclose(f);
    errno = e;
    if (!ok)
        return -1;
    out[strcspn(out, "\n")] = 0;
    return out[0] ? 1 : -1;
}

static bool write_line(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    bool ok = fprintf(f, "%s\n", text) > 0;
    return fclose(f) == 0 && ok;
}

int posix_m7_split(const char *dir, const board_split **split, char *why, size_t cap)
{
    char path[PATH_MAX + 32], name[32];
    snprintf(path, sizeof path, "%s/flash/m7.split", dir);
    *split = NULL;
    int got = read_line(path, name, sizeof name);
    if (got == 0)
        return 0;
    if (got < 0) {
        snprintf(why, cap, "%s: %s", path, errno ? strerror(errno) : "empty");
        return -1;
    }
    if (!(*split = board_split_find(name))) {
        snprintf(why, cap, "%s holds '%s', which is no split (%s)", path, name, board_split_names());
        return -1;
    }
    return 0;
}

bool posix_flash_has(const char *dir, uint32_t address)
{
    char path[PATH_MAX];
    flash_file(dir, address, "", path, sizeof path);
    return access(path, X_OK) == 0;
}

/* ------------------------------------------------------------ build */

int posix_built(const board_args *a, const char *out, bool m7)
{
    char why[PATH_MAX + 512], size[32];
    long bytes = posix_image_size(out, why, sizeof why);
    if (bytes < 0)
        return board_fail(a, "%s", why);
    board_format_size((uint64_t)bytes, size, sizeof size);
    fprintf(stderr, "duet-board build: %s for the %s (%s of code and data)\n", out, m7 ? "M7" : "M4", size);
    return 0;
}

static int posix_build(const board_args *a)
{
    bool m7 = strcmp(a->core, "m7") == 0;
    char out[PATH_MAX];
    if (a->output) {
        snprintf(out, sizeof out, "%s", a->output);
    } else {
        /* blink.c -> blink_m7, in the current directory */
        const char *source = sketch_output_source(a), *base = strrchr(source, '/');
        base = base ? base + 1 : source;
        size_t stem = strcspn(base, ".");
        snprintf(out, sizeof out, "%.*s_%s", (int)stem, base, a->core);
    }
    for (int i = 0; i < a->file_count; i++)
        if (access(a->files[i], R_OK) != 0)
            return board_fail(a, "%s: %s", a->files[i], strerror(errno));
    if (sketch_sources(a)) /* Arduino sketches: C++ over compat/arduino (sketch_posix.c) */
        return sketch_posix_build(a, out, m7);
    const board_paths *p = board_paths_find(a);
    if (!p)
        return 1;
    const char *cc = board_compiler("CC", "cc");
    const char *argv[64 + 256];
    int n = 0;
    argv[n++] = cc;
    argv[n++] = "-std=gnu11";
    argv[n++] = "-g";
    argv[n++] = "-O2";
    argv[n++] = "-Wall";
    argv[n++] = "-Wextra";
    argv[n++] = m7 ? "-DCORE_CM7" : "-DCORE_CM4";
    n = board_paths_include_flags(p, false, argv, n);
    if (a->file_count + a->cflag_count > 256)
        return board_usage_fail(a, "at most 256 source files and compiler options");
    for (int i = 0; i < a->cflag_count; i++)
        argv[n++] = a->cflags[i];
    for (int i = 0; i < a->file_count; i++)
        argv[n++] = a->files[i];
    argv[n++] = "-o";
    argv[n++] = out;
    /* main() for setup()/loop() programs first (taken only if the program has no main of
     * its own), then the port and the top level, then the core. */
    n = board_paths_libraries(p, false, argv, n);
    argv[n++] = "-pthread";
    argv[n++] = posix_core_flag(m7);
    argv[n] = NULL;
    int rc = board_run_command((char *const *)argv, a->verbose);
    if (rc == BOARD_RUN_NOT_STARTED)
        return 1; /* said why */
    if (rc == 127)
        return board_fail(a, "could not run the C compiler '%s' (install gcc, or set CC)", cc);
    if (rc != 0)
        return board_fail(a, "the compiler failed (its messages are above)");
    return posix_built(a, out, m7);
}

/* ------------------------------------------------------------ upload */

const board_split *posix_upload_split(const board_args *a, bool m7, const char *image, const board_split *board)
{
    if (a->split)
        return board_split_find(a->split);
    if (m7 && posix_is_script(image))
        return board_split_find("75_25"); /* MicroPython's split, where the guide's scripts boot the M4 */
    return board ? board : board_split_default();
}

int posix_upload_image(const board_args *a, const char *dir, bool m7, const board_split *split, const char *image,
                       bool announce)
{
    /* A Python script is the M7's program as duet-m7-python, the script next to it. */
    const char *script = NULL;
    if (posix_is_script(image)) {
        if (!m7)
            return board_fail(a, "%s: the M4 runs C programs; a Python script runs on the M7 (--core m7), as "
                                 "MicroPython does on the GIGA R1",
                              image);
        if (access(image, R_OK) != 0)
            return board_fail(a, "%s: %s", image, strerror(errno));
        script = image;
        if (!(image = posix_python_m7(a)))
            return 1;
    }
    char why[PATH_MAX + 512];
    long bytes = posix_image_size(image, why, sizeof why);
    if (bytes < 0)
        return board_fail(a, "%s", why);
    if (posix_image_core(image) == (m7 ? 4 : 7))
        return posix_other_core_fail(a, image, m7);
    uint32_t address = m7 ? POSIX_M7_ADDRESS : split->m4_address;
    uint32_t room = m7 ? split->m7_size : split->m4_size;
    char have[32], fits[32];
    board_format_size((uint64_t)bytes, have, sizeof have);
    board_format_size(room, fits, sizeof fits);
    if ((uint64_t)bytes > room)
        return board_fail(a, "%s is %s (%ld bytes) but the %s's partition of split %s (%s) holds %s (%lu bytes): "
                             "make the program smaller or choose another --split",
                          image, have, bytes, m7 ? "M7" : "M4", split->name, split->label, fits, (unsigned long)room);
    char path[PATH_MAX];
    long script_bytes = 0;
    if (script) {
        int rc = posix_store_script(a, dir, script, &script_bytes);
        if (rc)
            return rc;
    } else if (m7) {
        posix_script_path(dir, path, sizeof path); /* a C program replaces a script */
        unlink(path);
    }
    if (duet_posix_board_upload(dir, address, image) != DUET_OK)
        return posix_board_fail(a, dir);
    const char *named = script ? script : image;
    const char *base = strrchr(named, '/');
    flash_file(dir, address, ".name", path, sizeof path);
    if (!write_line(path, base ? base + 1 : named))
        return board_fail(a, "cannot write %s: %s", path, strerror(errno));
    if (m7) {
        snprintf(path, sizeof path, "%s/flash/m7.split", dir);
        if (!write_line(path, split->name))
            return board_fail(a, "cannot write %s: %s", path, strerror(errno));
    }
    if (announce && script)
        fprintf(stderr, "duet-board upload: %s (%ld bytes of Python, run by %s: %s) to the M7 at 0x%08x (split %s: "
                        "%s)\n",
                script, script_bytes, image, have, (unsigned)address, split->name, split->label);
    else if (announce)
        fprintf(stderr, "duet-board upload: %s (%s) to the %s at 0x%08x (split %s: %s)\n", image, have,
                m7 ? "M7" : "M4", (unsigned)address, split->name, split->label);
    return 0;
}

static int posix_upload(const board_args *a)
{
    /* The image first: a name mistyped makes no board. */
    if (access(a->files[0], R_OK) != 0)
        return board_fail(a, "%s: %s", a->files[0], strerror(errno));
    char dir[PATH_MAX];
    int rc = posix_board_dir(a, dir, sizeof dir);
    if (!rc)
        rc = posix_board_open(a, dir, true);
    if (rc)
        return rc;
    bool m7 = strcmp(a->core, "m7") == 0;
    const board_split *m7_split;
    char why[PATH_MAX + 128];
    /* A record of the M7's split that cannot be read: an upload for the M7 writes it anew;
     * one for the M4 would not know which partition boots. */
    if (posix_m7_split(dir, &m7_split, why, sizeof why) != 0 && !m7)
        return board_fail(a, "%s: cannot tell the split the M7's program was uploaded for: upload it again "
                             "(duet-board upload --core m7 [--split S] IMAGE)",
                          why);
    const board_split *split = posix_upload_split(a, m7, a->files[0], m7_split);
    rc = posix_upload_image(a, dir, m7, split, a->files[0], true);
    if (rc)
        return rc;
    /* The M7's program boots the M4 from its split's address, as on the board. */
    if (!m7 && m7_split && m7_split != split)
        fprintf(stderr, "duet-board upload: note: the M7's program was uploaded for split %s and boots the M4 from "
                        "0x%08x; upload it again with --split %s to boot this one\n",
                m7_split->name, (unsigned)m7_split->m4_address, split->name);
    long runner = posix_board_runner(dir);
    char who[48] = "duet-board run, starting";
    if (runner > 0)
        snprintf(who, sizeof who, "duet-board run, pid %ld", runner);
    if (runner != 0)
        fprintf(stderr, "duet-board upload: note: the board runs (%s): its cores go on with the programs they "
                        "started with; this one runs from the board's next reset (duet-board reset)\n",
                who);
    return 0;
}

/* ------------------------------------------------------------ the run lock */

static void run_lock_path(const char *dir, char *out, size_t cap)
{
    snprintf(out, cap, "%s/run.lock", dir);
}

int posix_run_lock(const char *dir)
{
    char path[PATH_MAX + 16];
    run_lock_path(dir, path, sizeof path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

long posix_board_runner(const char *dir)
{
    char path[PATH_MAX + 16];
    run_lock_path(dir, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    long pid = 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        char text[32] = {0};
        ssize_t n = pread(fd, text, sizeof text - 1, 0);
        pid = n > 0 ? strtol(text, NULL, 10) : 0;
        if (pid <= 0)
            pid = -1;
    }
    close(fd);
    return pid;
}

/* ------------------------------------------------------------ reset, status */

/* On a board a run is running, reset is its reset button (SIGUSR1 to that run, which does
 * what the page's button does): clearing the board under it stopped the M4 alone, and the
 * M7 went on with its memory gone. */
static int posix_reset(const board_args *a)
{
    char dir[PATH_MAX];
    int rc = posix_board_dir(a, dir, sizeof dir);
    if (!rc)
        rc = posix_board_open(a, dir, false);
    if (rc)
        return rc;
    long runner = posix_board_runner(dir);
    if (runner < 0)
        return board_fail(a, "%s: a duet-board run is starting on this board: reset it once it runs", dir);
    if (runner > 0) {
        if (kill((pid_t)runner, SIGUSR1) != 0)
            return board_fail(a, "%s: cannot reach the duet-board run of this board (pid %ld): %s", dir, runner,
                              strerror(errno));
        fprintf(stderr, "duet-board reset: %s: the reset button of the running board (duet-board run, pid %ld): "
                        "both cores stop and the M7 starts again from flash\n",
                dir, runner);
        return 0;
    }
    if (duet_posix_board_reset(dir) != DUET_OK)
        return posix_board_fail(a, dir);
    fprintf(stderr, "duet-board reset: %s: both cores stopped, memory cleared, flash kept\n", dir);
    return 0;
}

static void status_line(const char *dir, const char *core, uint32_t address, uint32_t room, const char *note)
{
    char path[PATH_MAX], name[256], have[32], fits[32], why[PATH_MAX + 512];
    board_format_size(room, fits, sizeof fits);
    flash_file(dir, address, "", path, sizeof path);
    if (access(path, F_OK) != 0) {
        printf("  %s  0x%08x  (empty)%*s of %s%s\n", core, (unsigned)address, 22, "", fits, note);
        return;
    }
    long bytes = posix_image_size(path, why, sizeof why);
    flash_file(dir, address, ".name", path, sizeof path);
    if (read_line(path, name, sizeof name) <= 0)
        snprintf(name, sizeof name, "?");
    if (bytes < 0)
        snprintf(have, sizeof have, "corrupt");
    else
        board_format_size((uint64_t)bytes, have, sizeof have);
    printf("  %s  0x%08x  %-20s %10s of %s%s\n", core, (unsigned)address, name, have, fits, note);
}

static int posix_status(const board_args *a)
{
    char dir[PATH_MAX];
    int rc = posix_board_dir(a, dir, sizeof dir);
    if (!rc)
        rc = posix_board_open(a, dir, false);
    if (rc)
        return rc;
    const board_split *split;
    char why[PATH_MAX + 128];
    bool split_known = posix_m7_split(dir, &split, why, sizeof why) == 0;
    printf("board %s (target posix: the GIGA R1 emulated on this PC)\n", dir);
    if (!split_known)
        printf("flash split: cannot tell (%s): upload the M7's program again\n", why);
    else if (split)
        printf("flash split %s (%s), as the M7's program was uploaded\n", split->name, split->label);
    else
        printf("flash split: none yet (no M7 program uploaded)\n");
    const board_split *shown = split ? split : board_split_default();
    status_line(dir, "M7", shown->m7_address, shown->m7_size, "");
    static const char *const names[] = {"50_50", "75_25", "100_0"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const board_split *s = board_split_find(names[i]);
        bool boots = split && s == split;
        status_line(dir, "M4", s->m4_address, s->m4_size, boots ? "  <- the M7 boots the M4 from here" : "");
    }
    pid_t m4 = duet_posix_board_m4_pid(dir);
    long runner = posix_board_runner(dir);
    if (runner > 0)
        printf("running: yes (duet-board run, pid %ld; the M4 %s)\n", runner, m4 > 0 ? "runs" : "does not run");
    else
        printf("running: %s\n", runner < 0 ? "yes (duet-board run, starting)" : m4 > 0 ? "yes (the M4 runs)" : "no");
    return 0;
}

const board_target board_target_posix = {
    "posix", "the GIGA R1 emulated on this PC, each core a process",
    posix_build, posix_upload, posix_run, posix_reset, posix_status, NULL,
};

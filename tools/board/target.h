/* target.h - duet-board's targets: what `--target NAME` selects, and the options every verb
 * receives. One file per target (target_posix.c, target_an521.c, target_giga.c). */
#ifndef DUET_BOARD_TARGET_H
#define DUET_BOARD_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The options of one duet-board command line, parsed once by main.c and handed to the
 * target's verb. A field the user did not give is NULL, 0 or false; a target ignores the
 * fields its verb does not use, and refuses (with a sentence) one it cannot honour, e.g.
 * "--analog is not supported by --target an521".
 */
typedef struct board_args {
    const char *verb;           /* build, upload, run, reset, status */
    const char *target;         /* --target (default "posix") */
    const char *board_dir;      /* --board DIR, or NULL: the target's default board */
    const char *core;           /* --core m7|m4 (build, upload) */
    const char *split;          /* --split 100_0|75_25|50_50, or NULL: the board's (or 50_50) */
    const char *output;         /* build: -o IMAGE */
    const char *const *cflags;  /* build: -I DIR, -D NAME[=VALUE] given to the compiler as they are */
    int cflag_count;
    const char *const *files;   /* build: the sources; upload: the image (files[0]) */
    int file_count;
    const char *m7_image;       /* run: --m7 IMAGE (upload first: a one-shot board) */
    const char *m4_image;       /* run: --m4 IMAGE */
    double seconds;             /* run: --seconds N (0: until the M7 program ends or Ctrl-C) */
    const char *log_file;       /* run: --log FILE (NULL: the event log goes to stderr) */
    bool quiet;                 /* run: --quiet: no event log */
    const char *vcd_file;       /* run: --vcd FILE */
    bool trace;                 /* run: --trace */
    const char *const *analog;  /* run: --analog SPEC, each "A0=512" or "A0=sine:0:1023:1Hz" */
    int analog_count;
    const char *web;            /* run: --web [HOST:]PORT (issue 17) */
    bool verbose;               /* -v: print the commands the target runs */
} board_args;

/*
 * A target: a board duet-board can build for and run on. Each verb function returns the
 * process's exit status: 0 on success; on failure it has printed one sentence on stderr
 * ("duet-board run: ...") that says what to do, and returns 1 (2 for a wrong option).
 * A verb a target lacks is NULL: main.c then says "TARGET has no VERB".
 *
 * Adding a target (e.g. tools/board/target_an521.c):
 *   1. define `const board_target board_target_an521 = { "an521", "QEMU mps2-an521 ...",
 *      an521_build, an521_upload, an521_run, an521_reset, an521_status };` in its own file
 *      (tools/board/CMakeLists.txt compiles every target_*.c);
 *   2. in targets.c, declare it (`extern const board_target board_target_an521;`) and add
 *      `&board_target_an521,` to the table.
 * Nothing else changes: main.c parses the options, finds the target by name and calls it.
 * Helpers every target may use are in board_util.h (errors, splits, running a command).
 */
typedef struct board_target {
    const char *name;        /* what --target takes */
    const char *summary;     /* one line for `duet-board --help` */
    int (*build)(const board_args *args);
    int (*upload)(const board_args *args);
    int (*run)(const board_args *args);
    int (*reset)(const board_args *args);
    int (*status)(const board_args *args);
    const char *instead; /* for a verb it lacks (NULL above): what to do instead */
} board_target;

/* The table (targets.c), ended by NULL; the first is the default. */
extern const board_target *const board_targets[];

/* The target named name, or NULL. */
const board_target *board_target_find(const char *name);

#endif

/* board_util.h - what every duet-board target uses: errors, flash splits, the default board
 * directory, running a command, removing a directory tree. */
#ifndef DUET_BOARD_UTIL_H
#define DUET_BOARD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target.h"

/* Prints "duet-board VERB: <sentence>" on stderr; returns 1 (the exit status of a failure). */
int board_fail(const board_args *args, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "duet-board VERB: <sentence>" on stderr; returns 2 (a wrong option or argument). */
int board_usage_fail(const board_args *args, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A flash split of the GIGA R1 (arduino-cli's `split` board option). */
typedef struct board_split {
    const char *name;      /* "100_0", "75_25", "50_50" */
    const char *label;     /* the IDE's menu text: "1MB M7 + 1MB M4" */
    uint32_t m7_address;   /* where the M7 program lies (after the bootloader) */
    uint32_t m7_size;      /* bytes its partition holds */
    uint32_t m4_address;   /* where the M7 boots the M4 from */
    uint32_t m4_size;      /* bytes the M4's partition holds */
} board_split;

/* The i-th split of the board (0, 1, ...), or NULL past the last. */
const board_split *board_split_nth(size_t i);

/* The split named name, or NULL. */
const board_split *board_split_find(const char *name);

/* The split whose M4 address is address, or NULL. */
const board_split *board_split_at(uint32_t m4_address);

/* The split used when none is given: 50_50 (the M4 at 0x08100000, duet's default). */
const board_split *board_split_default(void);

/* "100_0, 75_25 or 50_50", for error messages. */
const char *board_split_names(void);

/* The default board directory of a target, written into out:
 * $DUET_BOARD_HOME/<target>, else $XDG_STATE_HOME/duet-board/<target>,
 * else $HOME/.local/state/duet-board/<target>. Returns 0, or -1 (no home: set DUET_BOARD_HOME). */
int board_default_dir(const char *target, char *out, size_t cap);

/* Makes a directory and its parents. Returns 0 or -1 (errno set). */
int board_mkdirs(const char *path);

/* Removes a directory and all it holds (nothing there: 0). Returns 0, or -1 with errno set
 * when something in it could not be removed (the rest is). */
int board_remove_tree(const char *path);

/* Prints argv on stderr as a line a POSIX shell runs again: a word with characters the
 * shell reads (a space, a quote, $...) or an empty one in single quotes (--verbose). */
void board_print_command(char *const argv[]);

/* board_run_command's status when no process could be started for the command (fork failed:
 * the process limit, memory), or waited for; said on stderr. */
#define BOARD_RUN_NOT_STARTED (-1)

/* Runs argv[0] (looked up in PATH) with stdout and stderr as ours, waits for it.
 * Returns its exit status, 128 + n if signal n ended it, 127 if it could not run (not
 * found, not executable), or BOARD_RUN_NOT_STARTED. */
int board_run_command(char *const argv[], bool verbose);

/* board_run_command with the command's output and messages thrown away (--verbose still shows
 * the command). */
int board_run_quiet(char *const argv[], bool verbose);

/* The compiler the environment variable var names (CC, CXX), or fallback when it is unset
 * or empty. */
const char *board_compiler(const char *var, const char *fallback);

/* Reads text, all of it, as a decimal number: digits with an optional sign, fraction and
 * exponent ("5", "0.25", "1e-3"), into *out. False for anything else: hexadecimal ("0x10"),
 * "inf", "nan", white space, an empty string, trailing characters. */
bool board_decimal(const char *text, double *out);

/* "SIGSEGV" for 11, or "signal 42". */
const char *board_signal_name(int sig);

/* Prints a size in bytes as a person reads it ("34.1 KiB", "1 MiB") into out. */
void board_format_size(uint64_t bytes, char *out, size_t cap);

#endif

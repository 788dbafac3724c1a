/* posix_target.h - the posix target's pieces shared by its files (target_posix.c, posix_run.c). */
#ifndef DUET_BOARD_POSIX_TARGET_H
#define DUET_BOARD_POSIX_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "board_util.h"
#include "target.h"

/* Where the M7's program lies in the board's flash (after the bootloader). */
#define POSIX_M7_ADDRESS 0x08040000u

/* The board directory: --board, or the default one. 0, or the exit status after a message. */
int posix_board_dir(const board_args *a, char *out, size_t cap);

/* Makes sure a board is in dir (create: make one if not). 0, or the exit status. */
int posix_board_open(const board_args *a, const char *dir, bool create);
/* Fails (status 1) with why the board's library refused dir and what to do about it. */
int posix_board_fail(const board_args *a, const char *dir);

/* The split the M7's program was uploaded for into *split, NULL when none was: 0; or -1 with
 * why (cap bytes) when the board's record of it cannot be read or names no split. */
int posix_m7_split(const char *dir, const board_split **split, char *why, size_t cap);

/* Whether flash holds an image at address. */
bool posix_flash_has(const char *dir, uint32_t address);

/* Bytes of code and data of a host image, or -1 with the reason in why (posix_image.c). */
long posix_image_size(const char *path, char *why, size_t cap);

/* The linker option duet-board build gives a program for the M7 (m7) or the M4: it marks
 * the image with the core it is built for, which posix_image_core reads back. */
const char *posix_core_flag(bool m7);

/* The core an image was built for: 7 or 4, or 0 if it does not say (built without
 * duet-board, or stripped). */
int posix_image_core(const char *path);

/* Refuses image, built for the other core, in the M7's place (m7) or the M4's: says so
 * and what to do. Returns the exit status. */
int posix_other_core_fail(const board_args *a, const char *image, bool m7);

/* After a build: checks that out is a program for this PC and says what was built
 * ("duet-board build: blink_m7 for the M7 (18.2 KiB of code and data)"). 0 or exit status. */
int posix_built(const board_args *a, const char *out, bool m7);

/* The split an upload uses: --split, else 75_25 for a Python M7 (MicroPython's split, from
 * whose M4 address the guide's scripts boot the M4), else board's (NULL: the default). */
const board_split *posix_upload_split(const board_args *a, bool m7, const char *image, const board_split *board);

/* Checks an image's size against its partition and writes it into flash (with its name,
 * and for the M7 the split). A Python script (SCRIPT.py) for the M7 is stored next to the
 * M7's Python program, which is uploaded as the image. Says what it did on stderr when
 * announce. 0 or exit status. */
int posix_upload_image(const board_args *a, const char *dir, bool m7, const board_split *split, const char *image,
                       bool announce);

/* Whether path is a Python script (SCRIPT.py): the M7 then runs it (python_posix.c). */
bool posix_is_script(const char *path);

/* The M7's image that runs a Python script (duet-m7-python), or NULL after saying why. */
const char *posix_python_m7(const board_args *a);

/* From an install: tells the M7's Python program where duet's module is ($DUET_PYTHON_DIR,
 * for the processes started after it: the prefix may have moved since it was built). */
void posix_python_environment(void);

/* Where the M7's script lies in the board's flash: flash/0x08040000.py. */
void posix_script_path(const char *dir, char *out, size_t cap);

/* Copies script there (its size into *bytes). 0, or the exit status after a message. */
int posix_store_script(const board_args *a, const char *dir, const char *script, long *bytes);

/* The board's run lock, DIR/run.lock: a run on a board directory holds it (flock, freed
 * when that process ends however it ends) and writes its process id into it. */
/* Takes it for this process: the descriptor, or -1 with errno (EWOULDBLOCK: a run holds it,
 * whose id posix_board_runner gives). */
int posix_run_lock(const char *dir);
/* The id of the duet-board run that holds dir's board now, -1 when one holds it but has not
 * written its id yet, or 0 when no run holds it. */
long posix_board_runner(const char *dir);

/* duet-board run on the emulated board (posix_run.c). */
int posix_run(const board_args *a);

#endif

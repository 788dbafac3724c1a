/* board_access.c - the sentence for a board that this program's user may not write: the
 * board another user started (both cores write its shared memory, and its files are made
 * with the starting user's umask, 0644 as a rule), its files made read-only, or a file
 * system mounted read-only. */
#include "board_access.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

bool duet_posix_access_explain(char *out, size_t cap, const char *path, int e)
{
    unsigned me = (unsigned)geteuid();
    struct stat s;
    if (e == EROFS)
        snprintf(out, cap,
                 "%s: the board's files are on a read-only file system, and both cores write them: run the "
                 "board in a writable directory (duet-board run --board DIR)",
                 path);
    else if (e != EACCES && e != EPERM)
        return false;
    else if (stat(path, &s) != 0)
        snprintf(out, cap,
                 "%s: permission denied: this program's user (uid %u) may not enter the board's directory: run it "
                 "as the user that started the board, or start a board of your own (duet-board run)",
                 path, me);
    else if (s.st_uid != (uid_t)me)
        snprintf(out, cap,
                 "%s: permission denied: the board was started by another user (uid %u) and this program runs as "
                 "uid %u, so it may not write the board's shared memory: run it as that user, or start a board of "
                 "your own (duet-board run)",
                 path, (unsigned)s.st_uid, me);
    else
        snprintf(out, cap,
                 "%s: permission denied: the board's file is read-only (mode %03o), and both cores write it: make "
                 "it writable (chmod u+rw), or start a new board (duet-board run)",
                 path, (unsigned)(s.st_mode & 0777));
    return true;
}

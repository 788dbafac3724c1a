/* run_example - runs a two-core example on a fresh emulated board: the M4 program is
 * uploaded at the flash split's boot address, then the M7 program runs and boots it.
 *
 *   run_example M7_PROGRAM M4_PROGRAM [1MB|1.5MB|SDRAM]
 *
 * It stands in for the duet-board tool until that exists: create a board, upload, run. */
#define _XOPEN_SOURCE 700

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "duet/posix/board.h"

/* Removes one file or (emptied) folder of the board, for nftw. */
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    return remove(path);
}

/* The M4's boot address for a flash split name, or 0. */
static uint32_t split_address(const char *split)
{
    if (strcmp(split, "1MB") == 0)
        return DUET_POSIX_BOOT_1MB;
    if (strcmp(split, "1.5MB") == 0)
        return DUET_POSIX_BOOT_1_5MB;
    if (strcmp(split, "SDRAM") == 0)
        return DUET_POSIX_BOOT_SDRAM;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s M7_PROGRAM M4_PROGRAM [1MB|1.5MB|SDRAM]\n", argv[0]);
        return 2;
    }
    uint32_t address = split_address(argc == 4 ? argv[3] : "1MB");
    if (!address) {
        fprintf(stderr, "%s: unknown flash split '%s' (1MB, 1.5MB or SDRAM)\n", argv[0], argv[3]);
        return 2;
    }
    char dir[] = "/tmp/duet-board-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    if (duet_posix_board_create(dir) != DUET_OK || duet_posix_board_upload(dir, address, argv[2]) != DUET_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], duet_posix_board_error());
        return 1;
    }
    char boot[16];
    snprintf(boot, sizeof boot, "0x%08x", (unsigned)address);
    setenv("DUET_BOARD", dir, 1);
    setenv("DUET_CORE", "m7", 1);
    setenv("DUET_BOOT_ADDRESS", boot, 1);
    pid_t pid = fork();
    if (pid == 0) {
        execl(argv[1], argv[1], (char *)NULL);
        perror(argv[1]);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    duet_posix_board_reset(dir); /* stops an M4 that is still running */
    if (nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "%s: could not remove %s\n", argv[0], dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

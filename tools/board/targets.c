/* targets.c - the table of duet-board's targets (see target.h: one line per target). */
#include <string.h>

#include "target.h"

extern const board_target board_target_posix;
extern const board_target board_target_an521;
extern const board_target board_target_giga;

const board_target *const board_targets[] = {
    &board_target_posix,
    &board_target_an521,
    &board_target_giga,
    NULL,
};

const board_target *board_target_find(const char *name)
{
    for (int i = 0; board_targets[i]; i++)
        if (strcmp(board_targets[i]->name, name) == 0)
            return board_targets[i];
    return NULL;
}

/* sleep.c - POSIX's sleep() and usleep() on a Cortex-M board (newlib declares them in
 * <unistd.h> but has none for bare metal): both are delay() (board_time.c), so the core
 * sleeps until its doorbell or the end and serves the other core meanwhile, and neither
 * ends sooner than asked: usleep() rounds up to the board's whole milliseconds. */
#define _DEFAULT_SOURCE 1 /* newlib declares them only beside POSIX and BSD */
#include <unistd.h>

#include "duet/board.h"

unsigned sleep(unsigned seconds)
{
    /* In pieces whose milliseconds fit delay()'s 32 bits (a day at most). */
    while (seconds > 0) {
        unsigned piece = seconds < 86400u ? seconds : 86400u;
        delay(1000ul * piece);
        seconds -= piece;
    }
    return 0; /* no signal ends it early */
}

int usleep(useconds_t microseconds)
{
    delay((unsigned long)(microseconds / 1000u) + (microseconds % 1000u != 0));
    return 0;
}

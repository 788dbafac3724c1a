/* loop_calls.c - both cores call each other from loop() and do nothing else, as a sketch that
 * asks the other core for a result each time round does (the Arduino RPC library's
 * MD5_Checksum). The M7 counts 1000 of its calls and prints how many milliseconds they took.
 * A loop() that only rang the other core used to be followed by a sleep of up to a second:
 * its answer, and the other core's request with it, came in during its call, so both cores
 * slept, each waiting for the other's doorbell (tests/an521/loop_calls.sh). */
#include <stdio.h>
#include <stdlib.h>

#include "duet/board.h"
#include "duet/duet.h"

#define CALLS 1000

static int echo(duet_req *r)
{
    return duet_return_int(r, duet_arg_int(r, 0));
}

void setup(void)
{
    duet_bind("echo", "i:i", echo);
    if (!duet_begin()) {
        printf("loop_calls: duet_begin: %s\n", duet_error_text());
        exit(1);
    }
}

static int calls;
static unsigned long first;

void loop(void)
{
    if (calls == 0)
        first = millis(); /* once: loop() looks at nothing else */
    int32_t v = -1;
    if (duet_call("echo", "i:i", calls, &v) != DUET_OK || v != calls) {
        printf("loop_calls: call %d: %s\n", calls, duet_error_text());
        exit(1);
    }
    if (++calls == CALLS && duet_cpu_id() == DUET_CPU_M7) {
        printf("loop_calls: %d calls in %lu ms\n", CALLS, millis() - first);
        exit(0);
    }
}

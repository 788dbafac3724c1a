/* faults.h - a port with one fault put in, for the port check's own tests (faults.c). */
#ifndef PORT_CHECK_FAULTS_H
#define PORT_CHECK_FAULTS_H

#include <stdbool.h>

#include "duet/port.h"

/* The port to check: real itself when name is NULL, "" or a fault of the other core;
 * a copy of it with the fault name put in when the fault is this core's (names end in _m7
 * or _m4, faults.c lists them); NULL, said on stdout, for a name faults.c does not know. */
duet_port *pc_fault(duet_port *real, const char *name, bool m7);

#endif

/* m4_program.h - where the test's M4 program and the tests meet in SRAM4 (offsets). */
#ifndef DUET_TEST_M4_PROGRAM_H
#define DUET_TEST_M4_PROGRAM_H

#define M4_STAY 0x20    /* set by the M7 before boot: 1 = keep running until M4_QUIT */
#define M4_QUIT 0x21    /* set by the M7: 1 = end now */
#define M4_CPU 0x11     /* the M4's port->cpu_id */
#define M4_ENV 0x12     /* 1 if DUET_BOARD is an absolute path and DUET_CORE is "m4" */
#define M4_STDIN 0x13   /* 1 if stdin is /dev/null */
#define M4_HELLO 0x10   /* written last: M4_HELLO_VALUE */
#define M4_HELLO_VALUE 0xa5

#endif

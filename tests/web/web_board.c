/* web_board.c - the M7 program the web tests and benchmark run: it toggles D2 every loop
 * (a pin at about a kilohertz), blinks D13 every 200 ms, and answers each line typed into
 * its Serial Monitor: "M7 got: LINE", for "loops" how many loops it has run, for "flood N"
 * N lines of 100 characters (output faster than a page reads), for "pin" it turns D7 over
 * at once (the benchmark times how soon a page shows that), for "crash" it stops with
 * SIGSEGV (the page shows the core stopped, and why). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/board.h"

static unsigned long loops;
static char line[128];
static size_t line_len;

void setup(void)
{
    duet_serial_begin(115200);
    pinMode(2, OUTPUT);
    pinMode(13, OUTPUT);
    pinMode(7, OUTPUT);
    duet_serial_println("ready");
}

static void answer(void)
{
    line[line_len] = 0;
    if (strcmp(line, "loops") == 0)
        duet_serial_printf("loops: %lu at %lu ms\r\n", loops, millis());
    else if (strcmp(line, "pin") == 0)
        digitalWrite(7, !digitalRead(7));
    else if (strcmp(line, "crash") == 0)
        raise(SIGSEGV);
    else if (strncmp(line, "flood ", 6) == 0)
        for (long i = 0, n = atol(line + 6); i < n; i++)
            duet_serial_printf("flood %6ld %s\r\n", i,
                               "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    else
        duet_serial_printf("M7 got: %s\r\n", line);
    line_len = 0;
}

void loop(void)
{
    int c;
    while ((c = duet_serial_read()) >= 0) {
        if (c == '\n')
            answer();
        else if (c != '\r' && line_len < sizeof line - 1)
            line[line_len++] = (char)c;
    }
    loops++;
    digitalWrite(2, (int)(loops & 1));
    digitalWrite(13, (int)((millis() / 200) & 1));
    delay(1);
}

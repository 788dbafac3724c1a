/* board_error.c - duet_board_error_text() on the AN521: one sentence per core. */
#include "duet/board.h"

#include "board_error.h"

static char text[160];

/* Appends s to text at *at, keeping the NUL. */
static void add(size_t *at, const char *s)
{
    while (*s && *at + 1 < sizeof text)
        text[(*at)++] = *s++;
    text[*at] = '\0';
}

static void add_int(size_t *at, int n)
{
    char digits[12];
    unsigned v = n < 0 ? 0u - (unsigned)n : (unsigned)n;
    size_t k = sizeof digits - 1;
    digits[k] = '\0';
    do {
        digits[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (n < 0)
        digits[--k] = '-';
    add(at, digits + k);
}

void duet_an521_board_fail(const char *what, const char *fmt, int n)
{
    size_t at = 0;
    add(&at, what);
    add(&at, ": ");
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 'd') {
            add_int(&at, n);
            p++;
        } else {
            char c[2] = {*p, '\0'};
            add(&at, c);
        }
    }
}

const char *duet_board_error_text(void)
{
    return text;
}

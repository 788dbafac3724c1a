/* c_stdio.c - C's printf and scanf families as a program on a board uses them: plain C, no
 * duet header. c_library.sh builds it for the host (glibc's) and for the AN521 (the Cortex-M
 * ports': printf on duet's formatter, newlib's scanf with its float scanner), gives both the
 * same stdin and compares what each writes to stdout. */
#define _GNU_SOURCE 1 /* asprintf, beside C11's functions */

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* vprintf and vsnprintf, as a program's own logging function uses them. */
static int log_line(const char *fmt, ...)
{
    char line[24];
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int cut = vsnprintf(line, sizeof line, fmt, ap);
    int n = printf("log (%d bytes, %zu kept): [%s] ", cut, strlen(line), line);
    n += vprintf(fmt, again);
    va_end(again);
    va_end(ap);
    return n + printf("\n");
}

int main(void)
{
    int n = printf("floats: %f %.2f %e %.3E %g %G %a %.0f\n", 3.25, -0.125, 6.02214076e23, 1e-300, 0.0001,
                   1e20, 1.0, 2.5);
    printf("printf returned %d\n", n);
    printf("integers: %lld %llu %hhd %hu %zu %jd %+d % d %#x %#o %-5d| %05d\n", (long long)INT64_MIN,
           (unsigned long long)UINT64_MAX, 300, 70000, (size_t)42, (intmax_t)-7, 5, 6, 255, 8, 12, -34);
    printf("text: %s|%10s|%-10s|%.3s|%c|%%\n", "duet", "right", "left", "abcdef", 'z');
    printf("special: %f %F %e %g\n", (double)INFINITY, -(double)INFINITY, (double)NAN, -0.0);
    /* A line longer than the printf's own buffer, and what puts and putchar write between. */
    printf("long: %80.6f|%s\n", 123456.789, "end");
    puts("puts between printfs");
    putchar('c');
    fprintf(stdout, " fprintf %.17g\n", 0.1);
    char buf[16];
    const char *volatile words = "cut here please"; /* its length unknown to the compiler's check */
    n = snprintf(buf, sizeof buf, "%s-%d-%.1f", words, 12345, 9.75);
    printf("snprintf: %d [%s]\n", n, buf);
    n = snprintf(NULL, 0, "%.3e", 123.0);
    printf("snprintf of nothing: %d\n", n);
    n = sprintf(buf, "%05.1f|%x", -2.25, 0xbeefu);
    printf("sprintf: %d [%s]\n", n, buf);
    printf("pointers: [%p] [%8p] [%-8p] [%p] [%10p]\n", NULL, NULL, NULL, (void *)(uintptr_t)0x1234,
           (void *)(uintptr_t)0xbeef0);
    log_line("%s %f", "a value of", 2.0 / 3.0);
    int at = 0;
    short cut_at = 0;
    n = printf("count: %s%n|%d\n", "abc", &at, 7);
    printf("count: %d of %d\n", at, n);
    n = snprintf(buf, 4, "%s%hn", words, &cut_at);
    printf("count when cut: %d of %d [%s]\n", cut_at, n, buf);

    /* A text malloc() holds, and one written to the file descriptor under stdout (whose
     * buffer is emptied first, so the lines keep their order). */
    char *text = NULL;
    n = asprintf(&text, "%s %.4f %lld %-6x|", "asprintf", M_PI, (long long)INT64_MAX, 0xabcu);
    printf("asprintf: %d [%s]\n", n, text ? text : "(null)");
    free(text);
    fflush(stdout);
    n = dprintf(STDOUT_FILENO, "dprintf: %e %+05d %90s|\n", -1.0 / 3, 42, "right");
    printf("dprintf returned %d\n", n);

    /* scanf's conversions, floats among them, each read back with printf. */
    float f = 0;
    double d = 0;
    int i = 0;
    unsigned u = 0;
    char word[8] = "";
    n = sscanf("2.5e3 -0.1 42 ff duet", "%f %lf %d %x %7s", &f, &d, &i, &u, word);
    printf("sscanf: %d [%.9g %.17g %d %u %s]\n", n, f, d, i, u, word);
    n = sscanf("1e-310 inf x", "%lf %lf %d", &d, &d, &i);
    printf("sscanf stops at what does not match: %d [%g]\n", n, d);

    /* stdin, the console's input (c_library.sh pipes the same lines to both): a line, then
     * scanf's conversions. */
    char line[64];
    printf("fgets: [%s]\n", fgets(line, sizeof line, stdin) ? strtok(line, "\n") : "(end)");
    n = scanf("%d %lf %7s", &i, &d, word);
    printf("scanf: %d [%d %.17g %s]\n", n, i, d, word);
    return 0;
}

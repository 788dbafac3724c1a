/* vcd.c - the Value Change Dump writer: changes go to an anonymous temporary file while the
 * board runs; at the end the header declares the signals that changed, then the changes. */
#include "vcd.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

enum { SIG_PIN = 0, SIG_PWM = 103, SIG_ANALOG = 206, SIG_SERVO = 214, SIG_M7 = 215, SIG_M4 = 216 };

static int width(int sig)
{
    if (sig < SIG_PWM)
        return 1;
    if (sig < SIG_ANALOG)
        return 8;
    if (sig < SIG_SERVO)
        return 10;
    if (sig == SIG_SERVO)
        return 8;
    return 1;
}

static void name(int sig, char *buf, size_t cap)
{
    char pin[16];
    if (sig < SIG_PWM)
        snprintf(buf, cap, "%s", board_pin_name(sig, pin, sizeof pin));
    else if (sig < SIG_ANALOG)
        snprintf(buf, cap, "pwm_%s", board_pin_name(sig - SIG_PWM, pin, sizeof pin));
    else if (sig < SIG_SERVO)
        snprintf(buf, cap, "A%d", sig - SIG_ANALOG);
    else if (sig == SIG_SERVO)
        snprintf(buf, cap, "servo_angle");
    else
        snprintf(buf, cap, "%s_running", sig == SIG_M7 ? "m7" : "m4");
}

/* The signal's short identifier: printable characters 33..126, base 94. */
static const char *ident(board_vcd *v, int sig)
{
    if (!v->used[sig]) {
        v->used[sig] = true;
        int n = v->next_id++, k = 0;
        do {
            v->id[sig][k++] = (char)(33 + n % 94);
            n /= 94;
        } while (n && k < 3);
        v->id[sig][k] = 0;
    }
    return v->id[sig];
}

static void change(board_vcd *v, uint64_t time_us, int sig, int value)
{
    if (time_us < v->last_us)
        time_us = v->last_us; /* the two cores' clocks interleave: keep time non-decreasing */
    if (!v->time_written || time_us != v->last_us) {
        fprintf(v->body, "#%" PRIu64 "\n", time_us);
        v->last_us = time_us;
        v->time_written = true;
    }
    const char *id = ident(v, sig);
    int w = width(sig);
    if (w == 1) {
        fprintf(v->body, "%d%s\n", value ? 1 : 0, id);
        return;
    }
    char bits[16];
    for (int i = 0; i < w; i++)
        bits[i] = (char)('0' + ((value >> (w - 1 - i)) & 1));
    bits[w] = 0;
    /* Leading zeros may go (VCD extends a vector with 0s on the left). */
    const char *b = bits;
    while (b[0] == '0' && b[1])
        b++;
    fprintf(v->body, "b%s %s\n", b, id);
}

static void vcd_event(void *ctx, const board_event *ev)
{
    board_vcd *v = ctx;
    bool pin_ok = ev->pin >= 0 && ev->pin < 103;
    switch (ev->kind) {
    case BOARD_EV_PIN:
        if (pin_ok)
            change(v, ev->time_us, SIG_PIN + ev->pin, ev->value);
        break;
    case BOARD_EV_PWM:
        if (pin_ok)
            change(v, ev->time_us, SIG_PWM + ev->pin, ev->value & 0xff);
        break;
    case BOARD_EV_ANALOG:
        if (ev->pin >= 76 && ev->pin <= 83)
            change(v, ev->time_us, SIG_ANALOG + ev->pin - 76, ev->value & 0x3ff);
        break;
    case BOARD_EV_SERVO:
        change(v, ev->time_us, SIG_SERVO, ev->value & 0xff);
        break;
    case BOARD_EV_RUN:
    case BOARD_EV_END:
        /* m7_running/m4_running: 1 while the core's program runs (not while it boots). */
        if (ev->core == BOARD_CORE_M7 || ev->core == BOARD_CORE_M4)
            change(v, ev->time_us, ev->core == BOARD_CORE_M7 ? SIG_M7 : SIG_M4, ev->kind == BOARD_EV_RUN);
        break;
    default:
        break;
    }
}

int board_vcd_open(board_vcd *v, const char *path, board_feed *feed)
{
    memset(v, 0, sizeof *v);
    v->out = fopen(path, "w");
    if (!v->out)
        return -1;
    v->body = tmpfile();
    if (!v->body) {
        int e = errno;
        fclose(v->out);
        errno = e;
        return -1;
    }
    return board_feed_subscribe(feed, (board_sink){vcd_event, NULL, v});
}

int board_vcd_close(board_vcd *v)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&now, &tm));
    fprintf(v->out, "$date %s $end\n$version duet-board (emulated Arduino GIGA R1) $end\n$timescale 1 us $end\n",
            date);
    fprintf(v->out, "$scope module giga_r1 $end\n");
    for (int sig = 0; sig < BOARD_VCD_SIGNALS; sig++) {
        if (!v->used[sig])
            continue;
        char n[32];
        name(sig, n, sizeof n);
        fprintf(v->out, "$var wire %d %s %s $end\n", width(sig), v->id[sig], n);
    }
    fprintf(v->out, "$upscope $end\n$enddefinitions $end\n");
    /* Before the first change every signal is unknown. */
    fprintf(v->out, "#0\n$dumpvars\n");
    for (int sig = 0; sig < BOARD_VCD_SIGNALS; sig++)
        if (v->used[sig])
            fprintf(v->out, width(sig) == 1 ? "x%s\n" : "bx %s\n", v->id[sig]);
    fprintf(v->out, "$end\n");
    /* A change that could not be written to the body (its temporary file, a full /tmp) is
     * a hole in the waveform: the file is not whole. */
    int e = fflush(v->body) != 0 ? errno : ferror(v->body) ? EIO : 0;
    rewind(v->body);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, v->body)) > 0)
        if (fwrite(buf, 1, n, v->out) != n && !e)
            e = errno;
    if (ferror(v->body) && !e)
        e = EIO;
    fclose(v->body);
    if (fflush(v->out) != 0 && !e)
        e = errno;
    if (ferror(v->out) && !e)
        e = EIO;
    if (fclose(v->out) != 0 && !e)
        e = errno;
    int rc = e ? -1 : 0;
    if (rc)
        errno = e;
    return rc;
}

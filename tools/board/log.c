/* log.c - the event log: one line per change, with the time, the core and what changed. */
#include "log.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static const char *mode_name(int mode)
{
    return mode == 0 ? "INPUT" : mode == 1 ? "OUTPUT" : mode == 2 ? "INPUT_PULLUP" : "?";
}

static bool is_led(int pin)
{
    return pin >= 86 && pin <= 88;
}

/* The line's part after the core for the events about a pin; false for other events. */
static bool format_pin_event(const board_event *ev, char *p, size_t left)
{
    char pin[16];
    const char *name = board_pin_name(ev->pin, pin, sizeof pin);
    switch (ev->kind) {
    case BOARD_EV_PIN_MODE:
        snprintf(p, left, "pinMode %s %s", name, mode_name(ev->value));
        return true;
    case BOARD_EV_PIN:
        if (is_led(ev->pin))
            snprintf(p, left, "%s %s", name, ev->value ? "off" : "on");
        else
            snprintf(p, left, "%s %s", name, ev->value ? "HIGH" : "LOW");
        return true;
    case BOARD_EV_PWM:
        snprintf(p, left, "%s PWM %" PRId32 "/255", name, ev->value);
        return true;
    case BOARD_EV_ANALOG:
        snprintf(p, left, "%s = %" PRId32, name, ev->value);
        return true;
    case BOARD_EV_SERVO:
        if (ev->len)
            snprintf(p, left, "servo attached to %s (at %" PRId32 " degrees)", name, ev->value);
        else
            snprintf(p, left, "servo on %s at %" PRId32 " degrees", name, ev->value);
        return true;
    default:
        return false;
    }
}

/* The format of the events that carry a text (one %s), or NULL. */
static const char *text_event_format(board_event_kind kind)
{
    switch (kind) {
    case BOARD_EV_END: return "stopped: %s";
    case BOARD_EV_RTC: return "RTC set to %s (seconds since 1970)";
    case BOARD_EV_WARN: return "warning: %s";
    case BOARD_EV_M4_STDOUT: return "stdout: %s";
    case BOARD_EV_LINK: return "link down: %s";
    default: return NULL;
    }
}

/* An event's text (at most its first 400 bytes, up to a NUL) for one line: a core may write
 * any byte, so a control byte but tab shows as \n, \r or \xNN (as --trace shows them), and no
 * text makes a line of its own or moves the terminal's cursor. out holds 4 * 400 + 1 bytes. */
static void escape_text(const board_event *ev, char *out)
{
    size_t len = ev->data ? (ev->len > 400 ? 400 : ev->len) : 0, o = 0;
    for (size_t i = 0; i < len && ev->data[i]; i++) {
        uint8_t c = ev->data[i];
        if (c == '\n' || c == '\r')
            o += (size_t)sprintf(out + o, "\\%c", c == '\n' ? 'n' : 'r');
        else if ((c < 0x20 && c != '\t') || c == 0x7f)
            o += (size_t)sprintf(out + o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = 0;
}

bool board_log_format(const board_event *ev, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "[%8.3f s] %-5s ", (double)ev->time_us / 1e6, board_core_name(ev->core));
    if (n < 0 || (size_t)n >= cap)
        return false;
    char *p = buf + n;
    size_t left = cap - (size_t)n;
    const char *format = text_event_format(ev->kind);
    if (format) {
        char text[4 * 400 + 1];
        escape_text(ev, text);
        snprintf(p, left, format, text);
        return true;
    }
    switch (ev->kind) {
    case BOARD_EV_BOOT:
        if (ev->value)
            snprintf(p, left, "boots from 0x%08" PRIx32, (uint32_t)ev->value);
        else
            snprintf(p, left, "boots");
        return true;
    case BOARD_EV_RUN:
        snprintf(p, left, "running (its program started)");
        return true;
    case BOARD_EV_RESET:
        snprintf(p, left, "reset: both cores start again from flash");
        return true;
    default:
        return format_pin_event(ev, p, left);
    }
}

static void log_event(void *ctx, const board_event *ev)
{
    board_log *log = ctx;
    if (ev->kind == BOARD_EV_SERVO && !ev->len && ev->value == log->last_servo)
        return;
    if (ev->kind == BOARD_EV_SERVO)
        log->last_servo = ev->value;
    if (ev->kind == BOARD_EV_ANALOG && ev->pin >= 76 && ev->pin <= 83) {
        uint64_t *last = &log->analog_us[ev->pin - 76];
        if (*last && ev->time_us < *last + BOARD_LOG_ANALOG_US)
            return;
        *last = ev->time_us ? ev->time_us : 1;
    }
    char line[600];
    if (!board_log_format(ev, line, sizeof line))
        return;
    fprintf(log->out, "%s\n", line);
    if (fflush(log->out) != 0 && !log->write_errno)
        log->write_errno = errno;
}

int board_log_attach(board_log *log, FILE *out, board_feed *feed)
{
    log->out = out;
    log->last_servo = -1;
    return board_feed_subscribe(feed, (board_sink){log_event, NULL, log});
}

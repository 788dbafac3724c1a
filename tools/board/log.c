/* log.c - the event log: one line per change, with the time, the core and what changed. */
#include "log.h"

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

bool board_log_format(const board_event *ev, char *buf, size_t cap)
{
    char pin[16];
    int n = snprintf(buf, cap, "[%8.3f s] %-5s ", (double)ev->time_us / 1e6, board_core_name(ev->core));
    if (n < 0 || (size_t)n >= cap)
        return false;
    char *p = buf + n;
    size_t left = cap - (size_t)n;
    int text_len = (int)(ev->len > 400 ? 400 : ev->len);
    const char *text = (const char *)ev->data;
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
    case BOARD_EV_END:
        snprintf(p, left, "stopped: %.*s", text_len, text ? text : "");
        return true;
    case BOARD_EV_PIN_MODE:
        snprintf(p, left, "pinMode %s %s", board_pin_name(ev->pin, pin, sizeof pin), mode_name(ev->value));
        return true;
    case BOARD_EV_PIN:
        if (is_led(ev->pin))
            snprintf(p, left, "%s %s", board_pin_name(ev->pin, pin, sizeof pin), ev->value ? "off" : "on");
        else
            snprintf(p, left, "%s %s", board_pin_name(ev->pin, pin, sizeof pin), ev->value ? "HIGH" : "LOW");
        return true;
    case BOARD_EV_PWM:
        snprintf(p, left, "%s PWM %" PRId32 "/255", board_pin_name(ev->pin, pin, sizeof pin), ev->value);
        return true;
    case BOARD_EV_ANALOG:
        snprintf(p, left, "%s = %" PRId32, board_pin_name(ev->pin, pin, sizeof pin), ev->value);
        return true;
    case BOARD_EV_SERVO:
        if (ev->len)
            snprintf(p, left, "servo attached to %s (at %" PRId32 " degrees)", board_pin_name(ev->pin, pin, sizeof pin),
                     ev->value);
        else
            snprintf(p, left, "servo on %s at %" PRId32 " degrees", board_pin_name(ev->pin, pin, sizeof pin), ev->value);
        return true;
    case BOARD_EV_RTC:
        snprintf(p, left, "RTC set to %.*s (seconds since 1970)", text_len, text ? text : "");
        return true;
    case BOARD_EV_WARN:
        snprintf(p, left, "warning: %.*s", text_len, text ? text : "");
        return true;
    case BOARD_EV_M4_STDOUT:
        snprintf(p, left, "stdout: %.*s", text_len, text ? text : "");
        return true;
    case BOARD_EV_LINK:
        snprintf(p, left, "link down: %.*s", text_len, text ? text : "");
        return true;
    case BOARD_EV_RESET:
        snprintf(p, left, "reset: both cores start again from flash");
        return true;
    default:
        return false;
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
    fflush(log->out);
}

int board_log_attach(board_log *log, FILE *out, board_feed *feed)
{
    log->out = out;
    log->last_servo = -1;
    return board_feed_subscribe(feed, (board_sink){log_event, NULL, log});
}

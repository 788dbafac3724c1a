/* feed.c - the board's one event feed: keeps the board's state, hands each event to every
 * reader in order. */
#include "feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void board_feed_init(board_feed *feed)
{
    memset(feed, 0, sizeof *feed);
    board_state *s = &feed->state;
    memset(s->pin_level, -1, sizeof s->pin_level);
    memset(s->pin_mode, -1, sizeof s->pin_mode);
    for (int i = 0; i < BOARD_PINS; i++)
        s->pwm[i] = -1;
    s->servo_pin = -1;
}

int board_feed_subscribe(board_feed *feed, board_sink sink)
{
    if (feed->sink_count == BOARD_FEED_MAX_SINKS)
        return -1;
    feed->sinks[feed->sink_count++] = sink;
    return 0;
}

static void copy_why(char *out, size_t cap, const board_event *ev)
{
    size_t n = ev->len < cap - 1 ? ev->len : cap - 1;
    if (n)
        memcpy(out, ev->data, n);
    out[n] = 0;
}

static void serial_append(board_state *s, const uint8_t *data, size_t len)
{
    if (len == 0)
        return; /* data may be NULL then (feed.h) */
    if (len >= BOARD_SERIAL_TAIL) {
        data += len - BOARD_SERIAL_TAIL;
        len = BOARD_SERIAL_TAIL;
    }
    if (s->serial_len + len > BOARD_SERIAL_TAIL) {
        size_t drop = s->serial_len + len - BOARD_SERIAL_TAIL;
        memmove(s->serial_tail, s->serial_tail + drop, s->serial_len - drop);
        s->serial_len -= drop;
    }
    memcpy(s->serial_tail + s->serial_len, data, len);
    s->serial_len += len;
}

/* A core's state from its BOOT, RUN and END events. */
static void update_core(board_state *s, const board_event *ev)
{
    board_core_state *state;
    char *why;
    size_t why_size;
    if (ev->core == BOARD_CORE_M7) {
        state = &s->m7, why = s->m7_why, why_size = sizeof s->m7_why;
    } else if (ev->core == BOARD_CORE_M4) {
        state = &s->m4, why = s->m4_why, why_size = sizeof s->m4_why;
    } else {
        return;
    }
    if (ev->kind == BOARD_EV_BOOT) {
        *state = BOARD_CORE_BOOTING;
        why[0] = 0;
    } else if (ev->kind == BOARD_EV_RUN) {
        /* Only a core that booted: a stopped core's program does not start again by itself. */
        if (*state == BOARD_CORE_BOOTING)
            *state = BOARD_CORE_RUNNING;
    } else {
        *state = BOARD_CORE_STOPPED;
        copy_why(why, why_size, ev);
    }
}

/* A board reset: what the cores made goes (the emulated RTC too: it restarts with the
 * board); the Serial Monitor and the analog inputs (outside the board) stay. */
static void reset(board_state *s)
{
    s->m7 = s->m4 = BOARD_CORE_OFF;
    s->m7_why[0] = s->m4_why[0] = 0;
    memset(s->pin_level, -1, sizeof s->pin_level);
    memset(s->pin_mode, -1, sizeof s->pin_mode);
    for (int i = 0; i < BOARD_PINS; i++)
        s->pwm[i] = -1;
    s->servo_pin = -1;
    s->rtc_set = false;
    s->link_down = false;
}

static void update(board_state *s, const board_event *ev)
{
    bool pin_ok = ev->pin >= 0 && ev->pin < BOARD_PINS;
    if (ev->time_us > s->now_us)
        s->now_us = ev->time_us;
    switch (ev->kind) {
    case BOARD_EV_BOOT:
    case BOARD_EV_RUN:
    case BOARD_EV_END:
        update_core(s, ev);
        break;
    case BOARD_EV_PIN_MODE:
        if (pin_ok)
            s->pin_mode[ev->pin] = (int8_t)ev->value;
        break;
    case BOARD_EV_PIN:
        if (pin_ok) {
            s->pin_level[ev->pin] = ev->value ? 1 : 0;
            s->pin_changes[ev->pin]++;
        }
        break;
    case BOARD_EV_PWM:
        if (pin_ok)
            s->pwm[ev->pin] = (int16_t)ev->value;
        break;
    case BOARD_EV_ANALOG:
        if (ev->pin >= 76 && ev->pin <= 83)
            s->analog[ev->pin - 76] = ev->value;
        break;
    case BOARD_EV_SERVO:
        s->servo_pin = ev->pin;
        s->servo_angle = ev->value;
        break;
    case BOARD_EV_RTC: {
        char text[32];
        copy_why(text, sizeof text, ev);
        s->rtc_set = true;
        s->rtc_seconds = strtoll(text, NULL, 10);
        s->rtc_set_us = ev->time_us;
        break;
    }
    case BOARD_EV_SERIAL:
        serial_append(s, ev->data, ev->len);
        break;
    case BOARD_EV_WARN:
        s->warnings++;
        break;
    case BOARD_EV_LINK:
        s->link_down = true;
        break;
    case BOARD_EV_RESET:
        reset(s);
        break;
    default:
        break;
    }
}

void board_feed_publish(board_feed *feed, const board_event *ev)
{
    update(&feed->state, ev);
    for (int i = 0; i < feed->sink_count; i++)
        if (feed->sinks[i].on_event)
            feed->sinks[i].on_event(feed->sinks[i].ctx, ev);
}

void board_feed_close(board_feed *feed)
{
    for (int i = 0; i < feed->sink_count; i++)
        if (feed->sinks[i].on_close)
            feed->sinks[i].on_close(feed->sinks[i].ctx);
}

const board_state *board_feed_state(const board_feed *feed)
{
    return &feed->state;
}

const char *board_core_name(int core)
{
    return core == BOARD_CORE_M7 ? "M7" : core == BOARD_CORE_M4 ? "M4" : "board";
}

const char *board_pin_name(int pin, char *buf, size_t cap)
{
    if (pin >= 76 && pin <= 83)
        snprintf(buf, cap, "A%d", pin - 76);
    else if (pin == 86)
        snprintf(buf, cap, "LEDR");
    else if (pin == 87)
        snprintf(buf, cap, "LEDG");
    else if (pin == 88)
        snprintf(buf, cap, "LEDB");
    else
        snprintf(buf, cap, "D%d", pin);
    return buf;
}

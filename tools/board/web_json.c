/* web_json.c - the board as JSON for the page and GET /api/state, read from the feed's state. */
#include "web_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *core_state_name(board_core_state st)
{
    switch (st) {
    case BOARD_CORE_BOOTING:
        return "booting";
    case BOARD_CORE_RUNNING:
        return "running";
    case BOARD_CORE_STOPPED:
        return "stopped";
    default:
        return "off";
    }
}

static const char *mode_name(int mode)
{
    return mode == 0 ? "INPUT" : mode == 1 ? "OUTPUT" : mode == 2 ? "INPUT_PULLUP" : NULL;
}

/* Whether the page shows this pin: a program set its mode, drove it or wrote PWM to it; the
 * RGB LED's three pins always. */
static bool pin_shown(const board_state *s, int pin)
{
    return (pin >= 86 && pin <= 88) || s->pin_mode[pin] >= 0 || s->pin_level[pin] >= 0 || s->pwm[pin] >= 0;
}

static json_t *pin_json(const board_state *s, int pin)
{
    const char *mode = mode_name(s->pin_mode[pin]);
    return json_pack("{s:o, s:o, s:I, s:o}", "level", s->pin_level[pin] < 0 ? json_null() : json_integer(s->pin_level[pin]),
                     "mode", mode ? json_string(mode) : json_null(), "changes", (json_int_t)s->pin_changes[pin], "pwm",
                     s->pwm[pin] < 0 ? json_null() : json_integer(s->pwm[pin]));
}

size_t web_utf8_char(const uint8_t *p, size_t left, bool *partial)
{
    *partial = false;
    if (p[0] < 0x80)
        return 1;
    size_t n = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || (n == 2 && p[0] < 0xc2) || (n == 4 && p[0] > 0xf4))
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (i == left) {
            *partial = true;
            return 0;
        }
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    }
    uint32_t cp = p[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++)
        cp = cp << 6 | (p[i] & 0x3f);
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* The bytes as a JSON string: what is not UTF-8 shows as U+FFFD, as a terminal shows it. */
static json_t *text_json(const uint8_t *data, size_t len)
{
    char *out = malloc(len * 3 + 1);
    if (!out)
        return json_string("");
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        bool partial;
        size_t n = web_utf8_char(data + i, len - i, &partial);
        if (n == 0 || (n == 1 && data[i] == 0)) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
            continue;
        }
        memcpy(out + o, data + i, n);
        o += n;
        i += n;
    }
    json_t *j = json_stringn(out, o);
    free(out);
    return j ? j : json_string("");
}

/* A core's state; why (a core may have written it: any bytes, cut at 127) as text_json shows it. */
static json_t *core_json(board_core_state st, const char *why)
{
    return json_pack("{s:s, s:o}", "state", core_state_name(st), "why", text_json((const uint8_t *)why, strlen(why)));
}

uint64_t web_changes_serial_ready(const board_state *s, const web_changes *ch)
{
    uint64_t total = ch->serial_total;
    /* Hold back the start of a character whose last bytes have not come yet. */
    for (size_t back = 1; back <= 3 && back <= s->serial_len && total - back >= ch->serial_sent; back++) {
        const uint8_t *p = (const uint8_t *)s->serial_tail + s->serial_len - back;
        bool partial;
        if (*p >= 0xc0 && web_utf8_char(p, back, &partial) == 0 && partial)
            return total - back;
    }
    return total;
}

static uint64_t ring_oldest(const web_changes *ch)
{
    return ch->serial_total > WEB_SERIAL_RING ? ch->serial_total - WEB_SERIAL_RING : 0;
}

uint64_t web_changes_serial_next(const board_state *s, const web_changes *ch, uint64_t *from)
{
    uint64_t ready = web_changes_serial_ready(s, ch), oldest = ring_oldest(ch);
    *from = ch->serial_sent > oldest ? ch->serial_sent : oldest;
    if (ready <= *from)
        return *from;
    if (ready - *from <= WEB_SERIAL_FRAME)
        return ready;
    /* Cut before a character that would straddle the end (continuation bytes: 10xxxxxx). */
    uint64_t end = *from + WEB_SERIAL_FRAME;
    for (int back = 0; back < 3 && end > *from + 1 && (ch->serial_ring[end % WEB_SERIAL_RING] & 0xc0) == 0x80; back++)
        end--;
    return end;
}

/* Serial bytes [from, end) from the ring, as text. */
static json_t *ring_text(const web_changes *ch, uint64_t from, uint64_t end)
{
    size_t n = (size_t)(end - from);
    uint8_t *bytes = malloc(n ? n : 1);
    if (!bytes)
        return json_string("");
    for (size_t i = 0; i < n; i++)
        bytes[i] = ch->serial_ring[(from + i) % WEB_SERIAL_RING];
    json_t *j = text_json(bytes, n);
    free(bytes);
    return j;
}

static json_t *serial_json(const board_state *s, const web_changes *ch, bool all)
{
    uint64_t from, end;
    if (all) { /* the last bytes the frames sent: the next frame goes on from there */
        uint64_t oldest = ring_oldest(ch);
        end = ch->serial_sent > oldest ? ch->serial_sent : oldest;
        from = end - oldest > BOARD_SERIAL_TAIL ? end - BOARD_SERIAL_TAIL : oldest;
    } else {
        end = web_changes_serial_next(s, ch, &from);
    }
    return json_pack("{s:o, s:b, s:I, s:I, s:I}", "text", ring_text(ch, from, end), "reset", all, "from",
                     (json_int_t)from, "end", (json_int_t)end, "run", (json_int_t)ch->run);
}

static json_t *trace_json(const web_changes *ch, bool all)
{
    uint64_t first = all ? 0 : ch->trace_sent;
    bool reset = all || ch->trace_total - first > WEB_TRACE_LINES;
    if (ch->trace_total > WEB_TRACE_LINES && first < ch->trace_total - WEB_TRACE_LINES)
        first = ch->trace_total - WEB_TRACE_LINES;
    json_t *lines = json_array();
    for (uint64_t i = first; i < ch->trace_total; i++)
        {
        const char *line = ch->trace[i % WEB_TRACE_LINES];
        json_array_append_new(lines, text_json((const uint8_t *)line, strlen(line)));
    }
    return json_pack("{s:o, s:b}", "lines", lines, "reset", reset);
}

json_t *web_json_board(const board_state *s, const web_changes *ch, bool all, uint64_t now_us,
                       const web_pages *pages)
{
    unsigned parts = all ? WEB_PART_ALL : ch->parts;
    json_t *o = json_object();
    json_object_set_new(o, "time", json_real((double)now_us / 1e6));
    if (parts & WEB_PART_CORES) {
        json_object_set_new(o, "cores", json_pack("{s:o, s:o}", "m7", core_json(s->m7, s->m7_why), "m4",
                                                  core_json(s->m4, s->m4_why)));
        json_object_set_new(o, "link_down", json_boolean(s->link_down));
    }
    json_t *pins = json_object();
    for (int pin = 0; pin < BOARD_PINS; pin++) {
        if (all ? !pin_shown(s, pin) : !ch->pin[pin])
            continue;
        char name[16];
        json_object_set_new(pins, board_pin_name(pin, name, sizeof name), pin_json(s, pin));
    }
    if (all || json_object_size(pins))
        json_object_set_new(o, "pins", pins);
    else
        json_decref(pins);
    if (parts & WEB_PART_SERVO) {
        char name[16];
        json_object_set_new(o, "servo", s->servo_pin < 0 ? json_null()
                                                         : json_pack("{s:s, s:i}", "pin",
                                                                     board_pin_name(s->servo_pin, name, sizeof name),
                                                                     "angle", s->servo_angle));
    }
    if (parts & WEB_PART_ANALOG) {
        json_t *analog = json_object();
        for (int i = 0; i < 8; i++) {
            char name[8];
            snprintf(name, sizeof name, "A%d", i);
            json_object_set_new(analog, name, json_integer(s->analog[i]));
        }
        json_object_set_new(o, "analog", analog);
    }
    if (parts & WEB_PART_RTC)
        json_object_set_new(o, "rtc", s->rtc_set ? json_pack("{s:I, s:f}", "seconds", (json_int_t)s->rtc_seconds,
                                                             "set_at", (double)s->rtc_set_us / 1e6)
                                                 : json_null());
    if (parts & WEB_PART_WARN)
        json_object_set_new(o, "warnings", json_integer(s->warnings));
    if (all || ch->serial_total != ch->serial_sent)
        json_object_set_new(o, "serial", serial_json(s, ch, all));
    if (all || ch->trace_total != ch->trace_sent)
        json_object_set_new(o, "trace", trace_json(ch, all));
    json_object_set_new(o, "pages", json_pack("{s:i, s:I}", "open", pages->open, "resyncs", (json_int_t)pages->resyncs));
    return o;
}

void web_changes_trace(web_changes *ch, const char *line, size_t len)
{
    char *slot = ch->trace[ch->trace_total % WEB_TRACE_LINES];
    if (len >= WEB_TRACE_LINE)
        len = WEB_TRACE_LINE - 1;
    memcpy(slot, line, len);
    slot[len] = 0;
    ch->trace_total++;
}

/* Whether the event is a step in a core's life (its boot, its program's start, its end, the
 * reset): each is a line of the trace pane. */
static bool core_step(const board_event *ev)
{
    return ev->kind == BOARD_EV_BOOT || ev->kind == BOARD_EV_RUN || ev->kind == BOARD_EV_END ||
           ev->kind == BOARD_EV_RESET;
}

bool web_changes_event(web_changes *ch, const board_event *ev)
{
    switch (ev->kind) {
    case BOARD_EV_PIN_MODE:
    case BOARD_EV_PIN:
    case BOARD_EV_PWM:
        if (ev->pin >= 0 && ev->pin < BOARD_PINS)
            ch->pin[ev->pin] = 1;
        break;
    case BOARD_EV_BOOT:
    case BOARD_EV_RUN:
    case BOARD_EV_END:
    case BOARD_EV_LINK:
        ch->parts |= WEB_PART_CORES;
        break;
    case BOARD_EV_SERVO:
        ch->parts |= WEB_PART_SERVO;
        break;
    case BOARD_EV_ANALOG:
        ch->parts |= WEB_PART_ANALOG;
        break;
    case BOARD_EV_RTC:
        ch->parts |= WEB_PART_RTC;
        break;
    case BOARD_EV_SERIAL:
        for (size_t i = ev->len > WEB_SERIAL_RING ? ev->len - WEB_SERIAL_RING : 0; i < ev->len; i++)
            ch->serial_ring[(ch->serial_total + i) % WEB_SERIAL_RING] = ev->data[i];
        ch->serial_total += ev->len;
        break;
    case BOARD_EV_RESET:
        memset(ch->pin, 1, sizeof ch->pin);
        ch->parts |= WEB_PART_ALL;
        break;
    default:
        break;
    }
    /* The trace pane shows the board's warnings, boots and ends among the RPC lines. */
    if (ev->kind == BOARD_EV_WARN || ev->kind == BOARD_EV_LINK || core_step(ev)) {
        char line[600];
        if (board_log_format(ev, line, sizeof line))
            web_changes_trace(ch, line, strlen(line));
        ch->parts |= WEB_PART_WARN;
    }
    return ev->kind != BOARD_EV_STREAM && ev->kind != BOARD_EV_RPC && ev->kind != BOARD_EV_SERIAL_IN;
}

bool web_changes_sent(web_changes *ch, const board_state *s)
{
    uint64_t from;
    ch->serial_sent = web_changes_serial_next(s, ch, &from);
    ch->trace_sent = ch->trace_total;
    ch->parts = 0;
    memset(ch->pin, 0, sizeof ch->pin);
    return web_changes_serial_next(s, ch, &from) > from;
}

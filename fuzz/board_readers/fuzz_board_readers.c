/*
 * fuzz_board_readers.c - libFuzzer target for the readers of duet-board's event feed
 * (tools/board/feed.h): the event log (log.c), --vcd (vcd.c), the web page's JSON (web_json.c).
 * A core may report anything. The input is a sequence of events of every kind (and unknown
 * ones), from any core, about any pin, with any value and data (invalid UTF-8, NUL, up to
 * 16 KiB), at times that jump either way (next_event), published on a board_feed with the log
 * and the VCD writer (into memory streams) and the web server's reader (web_changes_event)
 * attached. Between events a page gets a frame as web.c makes it (web_json_board of the
 * changes, then web_changes_sent), or the state in place of one (it opens, or is too slow),
 * or the state is read alone (GET /api/state). Checked:
 *
 * log: an event adds nothing or its board_log_format line and a newline: one line, no control
 *   byte but tab (a core's text is escaped). Left out only: kinds with no line, a servo again
 *   at its angle (no attach), an analog input shown before (shown at most every 500 ms).
 * VCD: one header, every signal declared once with its own printable id, and used; #0,
 *   $dumpvars with x for each, $end; then each change names a declared id in its width (0/1,
 *   or b and at most width bits), time lines strictly increase, each followed by a change; the
 *   changes are the events' (pins, PWM, analog inputs, servo, a core's program running) in
 *   order, each the event's value in the signal's width, at the latest event time so far.
 * web: each document dumps (as web.c does) as JSON jansson reads back, with each part its
 *   changes name (all in a state); the cores' states and why (as ref_text shows bytes) and
 *   the pins it lists are the feed's (a state lists every pin in use). The page's Serial text
 *   (a state replaces it with the last BOARD_SERIAL_TAIL bytes the frames sent; a frame's is
 *   appended, at most WEB_SERIAL_FRAME bytes, all that web_changes_serial_ready counts or cut
 *   before a character's start; each says where it starts and ends, and a frame starts past
 *   the last one's end only when the ring, WEB_SERIAL_RING bytes, lost some: then the page
 *   starts over, from there) is always ref_text of the Serial bytes published from where it
 *   was replaced up to its end; web_changes_serial_ready holds back at most the start of an
 *   unfinished character; its trace pane has the lines of
 *   the warnings, link and core steps (board_log_format, cut to WEB_TRACE_LINE - 1 bytes),
 *   each once, the last WEB_TRACE_LINES of them after a state.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "log.h"
#include "vcd.h"
#include "web_json.h"

#include "fuzz_check.h"

typedef struct bytes {
    uint8_t *b;
    size_t len, cap;
} bytes;

static void put(bytes *o, const void *p, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n) * 2 + 64;
        o->b = realloc(o->b, o->cap);
        CHECK(o->b);
    }
    if (n)
        memcpy(o->b + o->len, p, n);
    o->len += n;
}

static bool same(const void *a, const void *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

/* ------------------------------------------------------------ UTF-8, from the standard */

/* The length of the well-formed UTF-8 sequence at p (Unicode's table 3-7), 0 if none. NUL
 * counts as none: the page shows it as U+FFFD too (web_json.c's text_json). */
static size_t ref_char(const uint8_t *p, size_t left)
{
    uint8_t c = p[0], lo = 0x80, hi = 0xbf;
    size_t n;
    if (c < 0x80)
        return c ? 1 : 0;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    else
        return 0;
    if (left < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

/* The bytes as the page must show them: each well-formed character, else U+FFFD per byte. */
static void ref_text(bytes *o, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t n = ref_char(p + i, len - i);
        put(o, n ? p + i : (const uint8_t *)"\xef\xbf\xbd", n ? n : 3);
        i += n ? n : 1;
    }
}

/* ------------------------------------------------------------ the run */

typedef struct vcd_change {
    char name[24];
    int width;
    int32_t value;
    uint64_t time_us;
} vcd_change;

/* What a page has: its Serial text is ref_text of the Serial bytes from serial_at on (as far
 * as they were sent); it has the trace lines before trace_next. */
typedef struct page {
    uint64_t serial_at;
    uint64_t serial_end;    /* where its Serial text ends (the last piece's "end") */
    bytes text;
    size_t trace_next;
} page;

static struct {
    board_feed feed;
    board_log log;
    char *log_buf, *vcd_buf;
    size_t log_size, log_seen, vcd_size;
    int32_t servo_angle;    /* the last servo event's angle */
    bool analog_shown[8];
    board_vcd vcd;
    bytes changes;          /* vcd_change: what the VCD must show */
    uint64_t vcd_time;      /* the latest time of an event the VCD shows */
    web_changes ch;
    web_pages pages;
    unsigned due;           /* the parts the events since the last frame changed (web_json.h) */
    bool pin_due[BOARD_PINS];
    bytes serial;           /* every Serial byte published */
    bytes trace, trace_at;  /* the trace pane's lines, each ref_text and a newline; where each
                               begins (size_t) */
    page page;
} g;

static void web_sink(void *ctx, const board_event *ev)
{
    web_changes_event(ctx, ev);
}

/* ------------------------------------------------------------ log */

static void check_log(const board_event *ev)
{
    char line[600];
    bool shown = board_log_format(ev, line, sizeof line);
    size_t added = g.log_size - g.log_seen;
    const char *out = added ? g.log_buf + g.log_seen : "";
    g.log_seen = g.log_size;
    bool analog = ev->kind == BOARD_EV_ANALOG && ev->pin >= 76 && ev->pin <= 83;
    if (!added) {
        bool repeat = ev->kind == BOARD_EV_SERVO && !ev->len && ev->value == g.servo_angle;
        CHECK(!shown || repeat || (analog && g.analog_shown[ev->pin - 76]));
    } else {
        CHECK(shown && added == strlen(line) + 1 && same(out, line, added - 1) && out[added - 1] == '\n');
        for (size_t i = 0; i + 1 < added; i++)
            CHECK((unsigned char)out[i] >= 0x20 ? out[i] != 0x7f : out[i] == '\t');
        if (analog)
            g.analog_shown[ev->pin - 76] = true;
    }
    if (ev->kind == BOARD_EV_SERVO)
        g.servo_angle = ev->value;
}

/* ------------------------------------------------------------ VCD */

/* The change the VCD must show for the event, if any (vcd.h: the signals, their widths). */
static void vcd_expect(const board_event *ev)
{
    vcd_change c = {.value = ev->value, .width = 8};
    char pin[16];
    bool pin_ok = ev->pin >= 0 && ev->pin < BOARD_PINS, core = ev->core == BOARD_CORE_M7 || ev->core == BOARD_CORE_M4;
    if (ev->kind == BOARD_EV_PIN && pin_ok)
        c.width = 1, c.value = ev->value != 0, snprintf(c.name, sizeof c.name, "%s", board_pin_name(ev->pin, pin, 16));
    else if (ev->kind == BOARD_EV_PWM && pin_ok)
        snprintf(c.name, sizeof c.name, "pwm_%s", board_pin_name(ev->pin, pin, 16));
    else if (ev->kind == BOARD_EV_ANALOG && ev->pin >= 76 && ev->pin <= 83)
        c.width = 10, snprintf(c.name, sizeof c.name, "A%d", ev->pin - 76);
    else if (ev->kind == BOARD_EV_SERVO)
        snprintf(c.name, sizeof c.name, "servo_angle");
    else if ((ev->kind == BOARD_EV_RUN || ev->kind == BOARD_EV_END) && core)
        c.width = 1, c.value = ev->kind == BOARD_EV_RUN,
        snprintf(c.name, sizeof c.name, "%s_running", ev->core == BOARD_CORE_M7 ? "m7" : "m4");
    else
        return;
    c.value &= (1 << c.width) - 1;
    g.vcd_time = ev->time_us > g.vcd_time ? ev->time_us : g.vcd_time;
    c.time_us = g.vcd_time;
    put(&g.changes, &c, sizeof c);
}

static char *next_line(char **save)
{
    char *l = strtok_r(NULL, "\n", save);
    return l ? l : "(end)";
}

static void check_vcd(void)
{
    struct { char id[8], name[32]; int width, changes; } var[BOARD_VCD_SIGNALS + 1];
    int nvar = 0;
    char *save, *l = strtok_r(g.vcd_buf, "\n", &save), id[8], bits[32], end[8];
    CHECK(l && strncmp(l, "$date ", 6) == 0);
    while (strcmp(l = next_line(&save), "$enddefinitions $end") != 0) {
        CHECK(l[0] == '$' && strncmp(l, "$date", 5) != 0 && nvar < BOARD_VCD_SIGNALS);
        int w, n = sscanf(l, "$var wire %d %7s %31s %7s", &w, var[nvar].id, var[nvar].name, end);
        if (strncmp(l, "$var", 4) != 0)
            continue;
        CHECK(n == 4 && strcmp(end, "$end") == 0 && (w == 1 || w == 8 || w == 10));
        var[nvar].width = w, var[nvar].changes = 0;
        for (const char *c = var[nvar].id; *c; c++)
            CHECK(*c >= 33 && *c <= 126);
        for (int i = 0; i < nvar; i++)
            CHECK(strcmp(var[i].id, var[nvar].id) != 0);
        nvar++;
    }
    CHECK(strcmp(next_line(&save), "#0") == 0 && strcmp(next_line(&save), "$dumpvars") == 0);
    for (int i = 0; i < nvar; i++) {
        snprintf(bits, sizeof bits, var[i].width == 1 ? "x%s" : "bx %s", var[i].id);
        CHECK(strcmp(next_line(&save), bits) == 0);
    }
    CHECK(strcmp(next_line(&save), "$end") == 0);
    const vcd_change *c = (const vcd_change *)g.changes.b, *c_end = c + g.changes.len / sizeof *c;
    bool have_time = false, need_change = false;
    unsigned long long t = 0, prev = 0;
    while ((l = strtok_r(NULL, "\n", &save))) {
        if (l[0] == '#') {
            CHECK(!need_change && sscanf(l, "#%llu%7s", &t, end) == 1 && (!have_time || t > prev));
            have_time = need_change = true, prev = t;
            continue;
        }
        int v = 0, n = l[0] == 'b' ? sscanf(l, "b%31[01] %7s%7s", bits, id, end) : sscanf(l, "%1[01]%7s%7s", bits, id, end);
        CHECK(n == 2 && have_time && c < c_end);
        while (v < nvar && strcmp(var[v].id, id) != 0)
            v++;
        CHECK(v < nvar && var[v].width == c->width && strcmp(var[v].name, c->name) == 0 && t == c->time_us);
        CHECK((l[0] == 'b') == (c->width > 1) && (int)strlen(bits) <= c->width && strtol(bits, NULL, 2) == c->value);
        var[v].changes++, c++;
        need_change = false;
    }
    CHECK(!need_change && c == c_end);
    for (int i = 0; i < nvar; i++)
        CHECK(var[i].changes > 0);
}

/* ------------------------------------------------------------ web */

static const char *str(json_t *j)
{
    return json_is_string(j) ? json_string_value(j) : "";
}

static void check_core(json_t *core, board_core_state st, const char *why)
{
    static const char *names[] = {"off", "running", "stopped", "booting"};
    CHECK(strcmp(str(json_object_get(core, "state")), names[st]) == 0);
    bytes want = {0};
    ref_text(&want, (const uint8_t *)why, strlen(why));
    json_t *j = json_object_get(core, "why");
    CHECK(json_is_string(j) && json_string_length(j) == want.len && same(json_string_value(j), want.b, want.len));
    free(want.b);
}

static void check_parts(json_t *d, const board_state *s, bool all)
{
    static const struct { unsigned part; const char *key; } keys[] = {
        {WEB_PART_CORES, "cores"}, {WEB_PART_CORES, "link_down"}, {WEB_PART_SERVO, "servo"},
        {WEB_PART_ANALOG, "analog"}, {WEB_PART_RTC, "rtc"}, {WEB_PART_WARN, "warnings"}};
    unsigned parts = all ? WEB_PART_ALL : g.ch.parts;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK(!(parts & keys[i].part) || json_object_get(d, keys[i].key));
    if (parts & WEB_PART_CORES) {
        check_core(json_object_get(json_object_get(d, "cores"), "m7"), s->m7, s->m7_why);
        check_core(json_object_get(json_object_get(d, "cores"), "m4"), s->m4, s->m4_why);
        CHECK(json_is_true(json_object_get(d, "link_down")) == s->link_down);
    }
    json_t *servo = json_object_get(d, "servo");
    CHECK(!(parts & WEB_PART_SERVO) || (s->servo_pin < 0) == json_is_null(servo));
    char name[16];
    for (int pin = 0; pin < BOARD_PINS; pin++) {
        json_t *p = json_object_get(json_object_get(d, "pins"), board_pin_name(pin, name, sizeof name));
        json_t *level = json_object_get(p, "level");
        CHECK(p || !all || (s->pin_mode[pin] < 0 && s->pin_level[pin] < 0 && s->pwm[pin] < 0));
        CHECK(!p || json_integer_value(json_object_get(p, "changes")) == s->pin_changes[pin]);
        CHECK(!p || (s->pin_level[pin] < 0 ? json_is_null(level) : json_integer_value(level) == s->pin_level[pin]));
    }
}

/* A document's Serial text onto the page pg (a state replaces its text), which is then checked. */
static void check_serial(page *pg, json_t *serial, const board_state *s, bool all)
{
    uint64_t ready = web_changes_serial_ready(s, &g.ch), held = g.ch.serial_total - ready;
    CHECK(held <= 3 && held <= s->serial_len && ready >= g.ch.serial_sent);
    if (held) { /* only the start of a character: a lead byte, then continuation bytes */
        const uint8_t *h = g.serial.b + ready;
        CHECK(h[0] >= 0xc2 && h[0] <= 0xf4 && held < (h[0] >= 0xf0 ? 4u : h[0] >= 0xe0 ? 3u : 2u));
        for (uint64_t i = 1; i < held; i++)
            CHECK(h[i] >= 0x80 && h[i] <= 0xbf);
    }
    json_t *text = json_object_get(serial, "text");
    CHECK(json_is_string(text) && json_is_boolean(json_object_get(serial, "reset")));
    json_t *from_j = json_object_get(serial, "from"), *end_j = json_object_get(serial, "end");
    CHECK(json_is_integer(from_j) && json_is_integer(end_j));
    uint64_t from = (uint64_t)json_integer_value(from_j), end = (uint64_t)json_integer_value(end_j);
    uint64_t oldest = g.ch.serial_total > WEB_SERIAL_RING ? g.ch.serial_total - WEB_SERIAL_RING : 0;
    uint64_t sent = g.ch.serial_sent > oldest ? g.ch.serial_sent : oldest;
    CHECK(from <= end && end <= ready);
    if (json_is_true(json_object_get(serial, "reset"))) {
        /* A state: the last bytes the frames sent (the next frame goes on from its end). */
        CHECK(all && end == sent && from == (end - oldest > BOARD_SERIAL_TAIL ? end - BOARD_SERIAL_TAIL : oldest));
        pg->serial_at = from, pg->text.len = 0;
    } else {
        /* A frame: on from the last one's end (or from the oldest byte the ring has: the gap
         * the page shows), all that is ready or a frame's worth less a character's start. */
        CHECK(!all && from == sent && end - from <= WEB_SERIAL_FRAME);
        CHECK(end == ready || (end + 3 >= from + WEB_SERIAL_FRAME &&
                               ((g.serial.b[end] & 0xc0) != 0x80 || end + 3 == from + WEB_SERIAL_FRAME)));
        if (from != pg->serial_end) {
            CHECK(from > pg->serial_end && from == oldest);
            pg->serial_at = from, pg->text.len = 0;
        }
    }
    pg->serial_end = end;
    put(&pg->text, json_string_value(text), json_string_length(text));
    bytes want = {0};
    ref_text(&want, g.serial.b + pg->serial_at, end - pg->serial_at);
    CHECK(want.len == pg->text.len && same(want.b, pg->text.b, want.len));
    /* Right so far: keep only the text from the last byte that is not a continuation byte on
     * (no character straddles it, whatever comes next). */
    uint64_t cut = end;
    while (cut > pg->serial_at && (g.serial.b[cut - 1] & 0xc0) == 0x80)
        cut--;
    if (cut-- > pg->serial_at) {
        want.len = 0;
        ref_text(&want, g.serial.b + pg->serial_at, cut - pg->serial_at);
        memmove(pg->text.b, pg->text.b + want.len, pg->text.len - want.len);
        pg->text.len -= want.len;
        pg->serial_at = cut;
    }
    free(want.b);
}

static void check_trace(page *pg, json_t *trace, bool all)
{
    json_t *lines = json_object_get(trace, "lines");
    size_t n = json_array_size(lines), total = g.trace_at.len / sizeof(size_t) - 1;
    const size_t *at = (const size_t *)g.trace_at.b;
    CHECK(json_is_array(lines) && json_is_boolean(json_object_get(trace, "reset")));
    if (json_is_true(json_object_get(trace, "reset")))
        pg->trace_next = total > WEB_TRACE_LINES ? total - WEB_TRACE_LINES : 0;
    else
        CHECK(!all);
    CHECK(pg->trace_next + n == total);
    for (size_t i = 0; i < n; i++, pg->trace_next++) {
        json_t *line = json_array_get(lines, i);
        size_t len = at[pg->trace_next + 1] - at[pg->trace_next] - 1;
        CHECK(json_is_string(line) && json_string_length(line) == len &&
              same(json_string_value(line), g.trace.b + at[pg->trace_next], len));
    }
}

/* One document as g.page gets it (dumped as web.c does, read back), or another page that has
 * what g.page has (elsewhere). */
static void check_doc(const board_state *s, bool all, bool elsewhere)
{
    page other = g.page, *pg = elsewhere ? &other : &g.page;
    other.text = (bytes){0};
    put(&other.text, g.page.text.b, g.page.text.len);
    json_t *j = web_json_board(s, &g.ch, all, s->now_us, &g.pages);
    char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_error_t err;
    json_t *d = text ? json_loads(text, 0, &err) : NULL;
    CHECK(d && json_is_number(json_object_get(d, "time")) && json_object_get(d, "pages"));
    check_parts(d, s, all);
    for (int pin = 0; pin < BOARD_PINS && !elsewhere && !all; pin++) { /* a state: the pins in use */
        char name[16];
        CHECK(!g.pin_due[pin] || json_object_get(json_object_get(d, "pins"), board_pin_name(pin, name, sizeof name)));
    }
    CHECK(elsewhere || (g.ch.parts & g.due) == g.due);
    json_t *serial = json_object_get(d, "serial"), *trace = json_object_get(d, "trace");
    CHECK(!serial == !(all || g.ch.serial_total != g.ch.serial_sent));
    CHECK(!trace == !(all || g.ch.trace_total != g.ch.trace_sent));
    if (serial)
        check_serial(pg, serial, s, all);
    if (trace)
        check_trace(pg, trace, all);
    json_decref(d);
    free(text);
    json_decref(j);
    free(other.text.b);
}

/* ------------------------------------------------------------ the input */

static uint8_t take(const uint8_t **p, const uint8_t *end)
{
    return *p < end ? *(*p)++ : 0;
}

/*
 * One event: a byte h (kind h & 31: 1..17 the kinds, 0 and 18..29 unknown ones; 30: no event,
 * the page gets the state in place of a frame; 31: no event, the state is read alone; core
 * h >> 5 & 3: the board, M4, M7, 2 (none); bit 7: a frame after it), a byte t (0..239 ms
 * later, 240..249 t - 240 us later, 250 10 ms earlier, 251 zero, 252 UINT64_MAX - 5, 253 1 s
 * earlier, 254 an hour later, 255 the same time), a byte pin (signed; -128 INT_MIN, 127
 * INT_MAX), two bytes value (int16 LE; INT16_MAX, INT16_MIN: INT32_MAX, INT32_MIN), a byte L
 * and the data: L < 240: L bytes; else a byte n, then n bytes repeated to (L - 239) KiB (n 0:
 * that many zero bytes). Missing bytes at the end are 0. Returns the data (heap) or NULL.
 */
static uint8_t *next_event(const uint8_t **p, const uint8_t *end, board_event *ev, int *h, uint64_t *time_us)
{
    static const int cores[] = {BOARD_CORE_NONE, BOARD_CORE_M4, BOARD_CORE_M7, 2};
    *h = take(p, end);
    uint8_t t = take(p, end);
    uint64_t now = *time_us;
    *time_us = t < 240 ? now + t * 1000ull : t < 250 ? now + (t - 240u) : t == 250 ? now - 10000 : t == 251 ? 0
             : t == 252 ? UINT64_MAX - 5 : t == 253 ? now - 1000000 : t == 254 ? now + 3600000000ull : now;
    int8_t pin = (int8_t)take(p, end);
    uint8_t v0 = take(p, end);
    int16_t v = (int16_t)(v0 | take(p, end) << 8);
    *ev = (board_event){*time_us, *h & 31, cores[*h >> 5 & 3], pin == -128 ? INT_MIN : pin == 127 ? INT_MAX : pin,
                        v == INT16_MAX ? INT32_MAX : v == INT16_MIN ? INT32_MIN : v, NULL, 0};
    size_t len = take(p, end), n = len, times = 1;
    if (len >= 240)
        n = take(p, end), times = (len - 239) * 1024 / (n ? n : 1), len = n ? n * times : (len - 239) * 1024;
    n = n < (size_t)(end - *p) ? n : (size_t)(end - *p);
    uint8_t *data = len ? calloc(len, 1) : NULL;
    CHECK(data || !len);
    for (size_t i = 0; i < times && n; i++)
        memcpy(data + i * n, *p, n);
    *p += n;
    ev->data = data, ev->len = len;
    return data;
}

/* What the next frame must hold for the event (web_json.h), and the trace pane's line for it if
 * it has one (a warning, the link going down, a core's step), as the page must show it. */
static void web_expect(const board_event *ev)
{
    int k = ev->kind;
    bool step = k == BOARD_EV_BOOT || k == BOARD_EV_RUN || k == BOARD_EV_END || k == BOARD_EV_RESET;
    if ((k == BOARD_EV_PIN_MODE || k == BOARD_EV_PIN || k == BOARD_EV_PWM) && ev->pin >= 0 && ev->pin < BOARD_PINS)
        g.pin_due[ev->pin] = true;
    g.due |= k == BOARD_EV_RESET ? WEB_PART_ALL : 0;
    g.due |= (k == BOARD_EV_BOOT || k == BOARD_EV_RUN || k == BOARD_EV_END || k == BOARD_EV_LINK) ? WEB_PART_CORES : 0;
    g.due |= k == BOARD_EV_SERVO ? WEB_PART_SERVO : k == BOARD_EV_ANALOG ? WEB_PART_ANALOG : k == BOARD_EV_RTC ? WEB_PART_RTC : 0;
    g.due |= k == BOARD_EV_WARN || k == BOARD_EV_LINK || step ? WEB_PART_WARN : 0;
    if (k == BOARD_EV_RESET)
        memset(g.pin_due, 1, sizeof g.pin_due);
    char line[600];
    if ((k != BOARD_EV_WARN && k != BOARD_EV_LINK && !step) || !board_log_format(ev, line, sizeof line))
        return;
    size_t len = strlen(line);
    ref_text(&g.trace, (const uint8_t *)line, len < WEB_TRACE_LINE ? len : WEB_TRACE_LINE - 1);
    put(&g.trace, "\n", 1);
    put(&g.trace_at, &g.trace.len, sizeof(size_t));
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    memset(&g, 0, sizeof g);
    g.servo_angle = -1;
    put(&g.serial, "", 0), put(&g.changes, "", 0);
    put(&g.trace_at, &g.trace.len, sizeof(size_t));
    board_feed_init(&g.feed);
    FILE *log = open_memstream(&g.log_buf, &g.log_size);
    CHECK(log && board_log_attach(&g.log, log, &g.feed) == 0);
    CHECK(board_vcd_open(&g.vcd, "/dev/null", &g.feed) == 0);
    fclose(g.vcd.out);
    g.vcd.out = open_memstream(&g.vcd_buf, &g.vcd_size);
    CHECK(g.vcd.out && board_feed_subscribe(&g.feed, (board_sink){web_sink, NULL, &g.ch}) == 0);
    const board_state *s = board_feed_state(&g.feed);
    const uint8_t *p = input, *end = input + size;
    uint64_t time_us = 0;
    while (p < end) {
        board_event ev;
        int h;
        uint8_t *data = next_event(&p, end, &ev, &h, &time_us);
        if (ev.kind == 30) { /* the frame's changes go to the other pages, the state to this one */
            check_doc(s, false, true);
            web_changes_sent(&g.ch, s); /* web.c's frame: sent, then a page too slow gets the state */
            g.due = 0, memset(g.pin_due, 0, sizeof g.pin_due);
            check_doc(s, true, false);
        } else if (ev.kind == 31) {
            check_doc(s, true, true);
        } else {
            board_feed_publish(&g.feed, &ev);
            check_log(&ev);
            vcd_expect(&ev);
            web_expect(&ev);
            if (ev.kind == BOARD_EV_SERIAL)
                put(&g.serial, ev.data, ev.len);
            CHECK(g.ch.serial_total == g.serial.len && g.ch.trace_total == g.trace_at.len / sizeof(size_t) - 1);
            if (h & 128) {
                check_doc(s, false, false);
                web_changes_sent(&g.ch, s);
                g.due = 0, memset(g.pin_due, 0, sizeof g.pin_due);
            }
        }
        free(data);
    }
    check_doc(s, true, true);
    board_feed_close(&g.feed);
    CHECK(board_vcd_close(&g.vcd) == 0);
    check_vcd();
    fclose(log);
    free(g.log_buf), free(g.vcd_buf), free(g.changes.b), free(g.serial.b), free(g.trace.b), free(g.trace_at.b);
    free(g.page.text.b);
    return 0;
}

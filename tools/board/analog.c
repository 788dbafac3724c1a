/* analog.c - parsing --analog and computing a waveform's value at a time. */
#include "analog.h"
#include "board_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A level from s to end: decimal digits only (no sign, no white space), 0..1023. */
static bool parse_level(const char *s, const char *end, int *out)
{
    long v = 0;
    if (s == end)
        return false;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9' || v > 1023)
            return false;
        v = v * 10 + (*s - '0');
    }
    if (v > 1023)
        return false;
    *out = (int)v;
    return true;
}

/* A frequency: a decimal number (board_decimal) with "Hz", "hz" or nothing after it. */
static bool parse_hz(const char *s, double *out)
{
    char number[64];
    size_t n = strlen(s);
    if (n >= 2 && (strcmp(s + n - 2, "Hz") == 0 || strcmp(s + n - 2, "hz") == 0))
        n -= 2;
    if (n >= sizeof number)
        return false;
    memcpy(number, s, n);
    number[n] = 0;
    return board_decimal(number, out);
}

bool board_analog_parse(const char *spec, board_analog *out, char *why, size_t cap)
{
    static const char example[] = "e.g. A0=512 or A0=sine:0:1023:1Hz (sine, ramp, triangle or square)";
    memset(out, 0, sizeof *out);
    if (spec[0] != 'A' || spec[1] < '0' || spec[1] > '7' || spec[2] != '=') {
        snprintf(why, cap, "--analog %s: start with the input A0..A7 and '=', %s", spec, example);
        return false;
    }
    out->input = spec[1] - '0';
    const char *v = spec + 3;
    const char *colon = strchr(v, ':');
    if (!colon) {
        if (!parse_level(v, v + strlen(v), &out->min)) {
            snprintf(why, cap, "--analog %s: the value must be 0..1023, %s", spec, example);
            return false;
        }
        out->max = out->min;
        out->wave = BOARD_WAVE_CONST;
        return true;
    }
    static const struct {
        const char *name;
        board_wave wave;
    } waves[] = {{"sine", BOARD_WAVE_SINE}, {"ramp", BOARD_WAVE_RAMP}, {"triangle", BOARD_WAVE_TRIANGLE},
                 {"square", BOARD_WAVE_SQUARE}};
    size_t name_len = (size_t)(colon - v);
    bool found = false;
    for (size_t i = 0; i < sizeof waves / sizeof waves[0]; i++)
        if (strlen(waves[i].name) == name_len && strncmp(v, waves[i].name, name_len) == 0) {
            out->wave = waves[i].wave;
            found = true;
        }
    if (!found) {
        snprintf(why, cap, "--analog %s: unknown waveform '%.*s', %s", spec, (int)name_len, v, example);
        return false;
    }
    const char *lo = colon + 1;
    const char *c2 = strchr(lo, ':');
    const char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
    if (!c2 || !c3 || !parse_level(lo, c2, &out->min) || !parse_level(c2 + 1, c3, &out->max)) {
        snprintf(why, cap, "--analog %s: give the waveform as NAME:MIN:MAX:FREQ with MIN and MAX in 0..1023, %s", spec,
                 example);
        return false;
    }
    if (!parse_hz(c3 + 1, &out->hz) || !(out->hz > 0) || out->hz > 1000) {
        snprintf(why, cap, "--analog %s: the frequency must be a decimal number above 0 and at most 1000, in Hz "
                           "(1Hz, 0.2Hz), %s",
                 spec, example);
        return false;
    }
    return true;
}

int board_analog_value(const board_analog *a, double t)
{
    double phase = a->hz > 0 ? fmod(t * a->hz, 1.0) : 0; /* 0..1 */
    double span = a->max - a->min, x;
    switch (a->wave) {
    case BOARD_WAVE_SINE:
        x = a->min + span * (0.5 + 0.5 * sin(2 * M_PI * phase));
        break;
    case BOARD_WAVE_RAMP:
        x = a->min + span * phase;
        break;
    case BOARD_WAVE_TRIANGLE:
        x = a->min + span * (phase < 0.5 ? 2 * phase : 2 - 2 * phase);
        break;
    case BOARD_WAVE_SQUARE:
        x = phase < 0.5 ? a->min : a->max;
        break;
    default:
        x = a->min;
        break;
    }
    long r = lround(x);
    return (int)(r < 0 ? 0 : r > 1023 ? 1023 : r);
}

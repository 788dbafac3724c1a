/* format_float.c - the formatter's floating conversions: %f %F %e %E %g %G from the value's
 * exact decimal digits, %a %A from its hexadecimal ones, each rounded to nearest with ties
 * to even and written as glibc's printf writes it. Done with 32-bit integers on the
 * double's bits (the widest step multiplies 32 bits by 32), so that a core without a
 * double-precision FPU needs none of the compiler's floating-point routines, nor its 64-bit
 * division. */
#include <stdbool.h>
#include <stdint.h>

#include "format_sink.h"

/* A finite double is m * 2^e2 with m below 2^53 and e2 from -1074 to 971: its integer part
 * has at most 309 decimal digits (INT_CHUNKS chunks of 4; as binary, 33 words) and its
 * fraction at most 1074 bits (FRAC_WORDS words). */
#define INT_CHUNKS 78
#define FRAC_WORDS 34

/* The exact digits of a finite double's magnitude in base 10 (or 16: %a's), handed out one
 * at a time from a place start_fixed or start_exp sets. */
typedef struct decimal {
    uint64_t m; /* the value is m * 2^e2 */
    int e2;
    unsigned base;
    uint16_t chunk[INT_CHUNKS]; /* the integer part in base 10000, from chunk[first] on */
    int first;
    int lead;       /* the zeros chunk[first] has in front when written as 4 digits */
    int int_digits; /* digits of the integer part: 0 when it is 0 */
    int at;         /* integer digits handed out */
    int held;       /* a digit to hand out before the others, or -1 */
    uint32_t frac[FRAC_WORDS]; /* the fraction is frac / 2^(32 nfrac), frac[0] the lowest */
    int nfrac;
    int low; /* frac's words below low are 0 */
} decimal;

/* Sets w (n words, the lowest first) to m << shift, where m is below 2^53, cut to n words:
 * the words from shift / 32 + 3 on are 0. */
static void set_shifted(uint32_t *w, int n, uint64_t m, int shift)
{
    int q = shift / 32, r = shift % 32;
    uint32_t lo = (uint32_t)m, hi = (uint32_t)(m >> 32);
    uint32_t parts[3] = {lo << r, (r ? lo >> (32 - r) : 0) | hi << r, r ? hi >> (32 - r) : 0};
    for (int i = 0; i < n; i++)
        w[i] = i >= q && i < q + 3 ? parts[i - q] : 0;
}

/* The integer w (n words, the lowest first; w is overwritten) in base 10000 into d->chunk,
 * divided by 10000 16 bits at a time, so that each division is of 32 bits. */
static void integer_to_chunks(decimal *d, uint32_t *w, int n)
{
    d->first = INT_CHUNKS;
    for (;;) {
        while (n > 0 && w[n - 1] == 0)
            n--;
        if (n == 0)
            break;
        uint32_t rest = 0;
        for (int i = n - 1; i >= 0; i--) {
            uint32_t hi = rest << 16 | w[i] >> 16;
            uint32_t lo = (hi % 10000) << 16 | (w[i] & 0xffff);
            w[i] = (hi / 10000) << 16 | lo / 10000;
            rest = lo % 10000;
        }
        d->chunk[--d->first] = (uint16_t)rest;
    }
    unsigned top = d->first < INT_CHUNKS ? d->chunk[d->first] : 0;
    d->lead = top >= 1000 ? 0 : top >= 100 ? 1 : top >= 10 ? 2 : 3;
    d->int_digits = top ? 4 * (INT_CHUNKS - d->first) - d->lead : 0;
}

/* Skips the fraction's low words that are 0 (multiplied by the base they stay 0). */
static void skip_low_zeros(decimal *d)
{
    while (d->low < d->nfrac && d->frac[d->low] == 0)
        d->low++;
}

/* Back to the first digit: the fraction set again from the value's bits below the point,
 * those of m shifted to the top of nfrac words (the integer part's bits, shifted past
 * them, are cut off). */
static void decimal_restart(decimal *d)
{
    d->at = 0;
    d->held = -1;
    d->low = 0;
    d->nfrac = d->e2 < 0 ? (31 - d->e2) / 32 : 0;
    set_shifted(d->frac, d->nfrac, d->m, 32 * d->nfrac + d->e2);
    skip_low_zeros(d);
}

/* The digits of m * 2^e2 in base (10 or 16). */
static void decimal_init(decimal *d, uint64_t m, int e2, unsigned base)
{
    d->m = m;
    d->e2 = e2;
    d->base = base;
    uint32_t w[5];
    if (e2 >= 0) { /* an integer: m << e2, in frac's room until the fraction is set */
        int n = e2 / 32 + 3;
        set_shifted(d->frac, n, m, e2);
        integer_to_chunks(d, d->frac, n);
    } else if (e2 > -53) { /* the words above the fraction's, as decimal_restart shifts m */
        int nfrac = (31 - e2) / 32;
        set_shifted(w, nfrac + 3, m, 32 * nfrac + e2);
        integer_to_chunks(d, w + nfrac, 3);
    } else {
        integer_to_chunks(d, w, 0);
    }
    decimal_restart(d);
}

/* The integer part's digit i, counted from its most significant. */
static int int_digit(const decimal *d, int i)
{
    static const uint16_t scale[4] = {1000, 100, 10, 1};
    int at = d->lead + i;
    return d->chunk[d->first + at / 4] / scale[at % 4] % 10;
}

/* The fraction's next digit: the fraction times the base, its integer part taken off. */
static int frac_digit(decimal *d)
{
    uint32_t carry = 0;
    for (int i = d->low; i < d->nfrac; i++) {
        uint64_t t = (uint64_t)d->frac[i] * d->base + carry;
        d->frac[i] = (uint32_t)t;
        carry = (uint32_t)(t >> 32);
    }
    skip_low_zeros(d);
    return (int)carry;
}

/* The next digit: the one held, else the integer part's next, else the fraction's. */
static int next_digit(decimal *d)
{
    int held = d->held;
    if (held >= 0) {
        d->held = -1;
        return held;
    }
    if (d->at < d->int_digits)
        return int_digit(d, d->at++);
    return frac_digit(d);
}

/* Whether a digit after those handed out is not 0. */
static bool rest_nonzero(const decimal *d)
{
    for (int i = d->at; i < d->int_digits; i++)
        if (int_digit(d, i))
            return true;
    return d->low < d->nfrac;
}

/* For %f: from the units digit (a 0 when the integer part is 0). */
static void start_fixed(decimal *d)
{
    decimal_restart(d);
    if (!d->int_digits)
        d->held = 0;
}

/* For %e: from the first digit that is not 0 (zero: from its 0); returns the power of ten
 * of that digit. */
static int start_exp(decimal *d)
{
    decimal_restart(d);
    if (d->int_digits)
        return d->int_digits - 1;
    if (d->low >= d->nfrac) { /* zero */
        d->held = 0;
        return 0;
    }
    int x = -1;
    while ((d->held = frac_digit(d)) == 0)
        x--;
    return x;
}

/* How count digits from the place set round to nearest, ties to even. */
typedef struct rounding {
    bool up;          /* they are rounded up */
    int last_non9;    /* the last of them below base - 1 (a 9 in decimal), or -1 */
    int last_nonzero; /* the last of them that is not 0, or -1 */
} rounding;

/* Whether rounding r carries past the first digit: all were 9s (base - 1) and round up, so
 * they are written as a 1 and zeros (9.96 to 1 decimal: 10.0). */
static bool carries(rounding r)
{
    return r.up && r.last_non9 < 0;
}

/* Reads count digits (at least 1) and the next one: how the count round. */
static rounding round_at(decimal *d, int count)
{
    rounding r = {false, -1, -1};
    int digit = 0, half = (int)d->base / 2;
    for (int i = 0; i < count; i++) {
        digit = next_digit(d);
        if (digit != half * 2 - 1)
            r.last_non9 = i;
        if (digit != 0)
            r.last_nonzero = i;
    }
    int next = next_digit(d);
    r.up = next > half || (next == half && (digit % 2 || rest_nonzero(d)));
    return r;
}

/* Bytes on their way to the sink, a few at a time. */
typedef struct out {
    duet_fmt_sink *k;
    int n;
    char buf[16];
} out;

static void out_flush(out *o)
{
    duet_fmt_put(o->k, o->buf, (size_t)o->n);
    o->n = 0;
}

static void out_char(out *o, char c)
{
    o->buf[o->n++] = c;
    if (o->n == (int)sizeof o->buf)
        out_flush(o);
}

/* Writes e with its sign and at least min digits into buf (room for 7); returns its length. */
static int exponent_text(char *buf, int e, int min)
{
    char digits[5];
    int n = 0;
    unsigned v = e < 0 ? 0u - (unsigned)e : (unsigned)e;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < min);
    int len = 0;
    buf[len++] = e < 0 ? '-' : '+';
    while (n)
        buf[len++] = digits[--n];
    return len;
}

/* What a conversion writes: ints digits, the point, decimals digits (then %e's exponent,
 * or %a's); the digits those read from the value, rounded as r says (carry: they were all
 * 9s rounded up, and are written as a 1 and zeros). */
typedef struct decimal_form {
    bool exp_form; /* %e */
    int x;         /* %e: the power of ten of the first digit */
    int ints, decimals;
    bool carry;
    rounding r;
} decimal_form;

/* Writes the digits and the point of f, read from d (placed at its first digit). */
static void write_digits(out *o, decimal *d, const decimal_form *f, bool point, bool upper)
{
    for (int i = 0; i < f->ints + f->decimals; i++) {
        if (i == f->ints)
            out_char(o, '.');
        int digit = f->carry ? i == 0 : next_digit(d);
        if (f->r.up && !f->carry)
            digit = i < f->r.last_non9 ? digit : i == f->r.last_non9 ? digit + 1 : 0;
        out_char(o, (char)(digit < 10 ? '0' + digit : (upper ? 'A' : 'a') + digit - 10));
    }
    if (point && !f->decimals)
        out_char(o, '.');
}

/* The form of %e (exp_form) or %f with prec decimals, trailing zeros of the decimals left
 * out when strip, read from d. */
static decimal_form decimal_layout(decimal *d, bool exp_form, int prec, bool strip)
{
    decimal_form f = {exp_form, 0, 1, prec, false, {false, -1, -1}};
    if (exp_form)
        f.x = start_exp(d);
    else
        start_fixed(d);
    if (!exp_form && d->int_digits)
        f.ints = d->int_digits;
    f.r = round_at(d, f.ints + prec);
    f.carry = carries(f.r);
    if (f.carry && exp_form)
        f.x++;
    else if (f.carry)
        f.ints++;
    if (strip) { /* the last digit that is not 0 once rounded decides */
        int last = f.carry ? 0 : f.r.up ? f.r.last_non9 : f.r.last_nonzero;
        int keep = last + 1 - f.ints;
        f.decimals = keep < 0 ? 0 : keep < prec ? keep : prec;
    }
    return f;
}

/* The form of %e %f %g (c, any case) with sp's precision and flags. */
static decimal_form decimal_choose(decimal *d, const duet_fmt_spec *sp, char c)
{
    char style = (char)(c | 0x20);
    int prec = sp->prec < 0 ? 6 : sp->prec;
    bool strip = style == 'g' && !(sp->flags & DUET_FMT_ALT);
    if (style == 'g') { /* %e's power of ten once rounded to prec digits decides the form */
        int p = prec ? prec : 1;
        int x = start_exp(d);
        rounding r = round_at(d, p);
        x += carries(r);
        style = p > x && x >= -4 ? 'f' : 'e';
        prec = style == 'f' ? p - 1 - x : p - 1;
    }
    return decimal_layout(d, style == 'e', prec, strip);
}

/* Writes f's text from d, prefix in front, then the exponent's text, padded to the width. */
static void write_form(duet_fmt_sink *k, const duet_fmt_spec *sp, decimal *d, const decimal_form *f,
                       const char *prefix, const char *exp, int exp_len, bool upper)
{
    bool point = f->decimals || (sp->flags & DUET_FMT_ALT);
    size_t len = (size_t)(f->ints + point + f->decimals + exp_len);
    bool zero_fill = (sp->flags & (DUET_FMT_LEFT | DUET_FMT_ZERO)) == DUET_FMT_ZERO;
    int after = duet_fmt_field_start(k, sp, prefix, len, zero_fill);
    if (f->exp_form)
        start_exp(d);
    else
        start_fixed(d);
    out o;
    o.k = k;
    o.n = 0;
    write_digits(&o, d, f, point, upper);
    out_flush(&o);
    duet_fmt_put(k, exp, (size_t)exp_len);
    duet_fmt_pad(k, ' ', after);
}

/* %e %E %f %F %g %G %a %A of the finite m * 2^e2, sign in front. %a: 0x, the leading digit
 * (1, or 0 for zero and subnormals), the hexadecimal digits of the other 52 bits (all but
 * trailing zeros, or the precision's, rounded: a carry makes the leading digit 2), p and
 * the power of two: the digits of m * 2^-52 in base 16, as %f writes them in base 10. */
static void emit_finite(duet_fmt_sink *k, const duet_fmt_spec *sp, uint64_t m, int e2, const char *sign, char c)
{
    bool hex = (c | 0x20) == 'a', upper = !(c & 0x20);
    decimal d;
    decimal_init(&d, m, hex ? -52 : e2, hex ? 16 : 10);
    decimal_form f = hex ? decimal_layout(&d, false, sp->prec < 0 ? 13 : sp->prec, sp->prec < 0)
                         : decimal_choose(&d, sp, c);
    char prefix[4], exp[8];
    int plen = 0, exp_len = 0;
    if (*sign) /* "", or one of - + and space */
        prefix[plen++] = *sign;
    if (hex) {
        prefix[plen++] = '0';
        prefix[plen++] = upper ? 'X' : 'x';
    }
    prefix[plen] = '\0';
    if (hex || f.exp_form) {
        exp[0] = hex ? (upper ? 'P' : 'p') : upper ? 'E' : 'e';
        exp_len = 1 + exponent_text(exp + 1, hex ? (m ? e2 + 52 : 0) : f.x, hex ? 1 : 2);
    }
    write_form(k, sp, &d, &f, prefix, exp, exp_len, upper);
}

void duet_fmt_float(duet_fmt_sink *k, duet_fmt_spec *sp, double v, char c)
{
    union {
        double d;
        uint64_t b;
    } u = {v};
    int biased = (int)(u.b >> 52 & 0x7ff);
    uint64_t m = u.b & ((UINT64_C(1) << 52) - 1);
    bool upper = !(c & 0x20);
    const char *sign = duet_fmt_sign(sp, u.b >> 63);
    if (biased == 0x7ff) { /* an infinity, or a NaN (a fraction) */
        const char *word = m ? (upper ? "NAN" : "nan") : upper ? "INF" : "inf";
        duet_fmt_text(k, sp, sign, word, 3);
        return;
    }
    if (biased) /* normal: the leading 1 */
        m |= UINT64_C(1) << 52;
    emit_finite(k, sp, m, (biased ? biased : 1) - 1075, sign, c); /* v = m * 2^e2 */
}

/* format.c - printf-style formatting without stdio, into a callback or a buffer
 * (duet/format.h). */
#include "duet/format.h"

#include "format_sink.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "text.h"

/* Widths and precisions are capped here: a field is never wider. */
#define MAX_FIELD 1024

/* Reads a width or precision at *fmt: '*' takes the next int argument, else decimal digits
 * (none: 0); capped at MAX_FIELD above (below, a negative argument stays). */
static int read_count(const char **fmt, va_list *ap)
{
    int v = 0;
    if (**fmt == '*') {
        (*fmt)++;
        v = va_arg(*ap, int);
    } else {
        for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++)
            if (v <= MAX_FIELD)
                v = v * 10 + (**fmt - '0');
    }
    return v > MAX_FIELD ? MAX_FIELD : v;
}

/* Where c is in set (not at its NUL), or NULL: a loop, not strchr, so that a firmware that
 * formats links none of libc's string functions for it (base/text.h). */
static const char *find(const char *set, char c)
{
    for (; *set; set++)
        if (*set == c)
            return set;
    return NULL;
}

/* The flag characters: each flag's bit (format_sink.h) is 1 << its place here. */
#define FLAGS "-0+ #"
enum {
    LEFT = DUET_FMT_LEFT,
    ZERO = DUET_FMT_ZERO,
    PLUS = DUET_FMT_PLUS,
    SPACE = DUET_FMT_SPACE,
    ALT = DUET_FMT_ALT,
};

typedef duet_fmt_spec spec;
typedef duet_fmt_sink sink;

void duet_fmt_put(sink *k, const char *s, size_t n)
{
    if (k->stopped || n == 0)
        return;
    size_t took = k->out(k->arg, s, n);
    k->total += took;
    if (took < n)
        k->stopped = true;
}

void duet_fmt_pad(sink *k, char c, int n)
{
    char buf[16];
    memset(buf, c, sizeof buf);
    while (n > 0) {
        int m = n < (int)sizeof buf ? n : (int)sizeof buf;
        duet_fmt_put(k, buf, (size_t)m);
        n -= m;
    }
}

int duet_fmt_field_start(sink *k, const spec *sp, const char *prefix, size_t body_len, bool zero_fill)
{
    size_t plen = duet_text_length(prefix);
    size_t len = plen + body_len;
    int fill = (size_t)sp->width > len ? sp->width - (int)len : 0;
    if (!(sp->flags & LEFT) && !zero_fill)
        duet_fmt_pad(k, ' ', fill);
    duet_fmt_put(k, prefix, plen);
    if (zero_fill)
        duet_fmt_pad(k, '0', fill);
    return sp->flags & LEFT ? fill : 0;
}

/* Writes sign/prefix, zero padding and the n digits, padded to the width. */
static void emit_number(sink *k, const spec *sp, const char *prefix, const char *digits, size_t n)
{
    int zeros = sp->prec > 0 && (size_t)sp->prec > n ? sp->prec - (int)n : 0;
    bool zero_fill = (sp->flags & (LEFT | ZERO)) == ZERO && sp->prec < 0;
    int after = duet_fmt_field_start(k, sp, prefix, (size_t)zeros + n, zero_fill);
    duet_fmt_pad(k, '0', zeros);
    duet_fmt_put(k, digits, n);
    duet_fmt_pad(k, ' ', after);
}

void duet_fmt_text(sink *k, spec *sp, const char *prefix, const char *text, size_t n)
{
    sp->prec = -1;
    sp->flags &= ~(unsigned)ZERO;
    emit_number(k, sp, prefix, text, n);
}

const char *duet_fmt_sign(const spec *sp, bool neg)
{
    return neg ? "-" : sp->flags & PLUS ? "+" : sp->flags & SPACE ? " " : "";
}

/* v / base, the remainder in *rest (base <= 16), in 32-bit divisions (the high word, then
 * the low one 16 bits at a time): a 32-bit core divides with its own instruction, not the
 * compiler's 64-bit division routine. */
static uint64_t divide(uint64_t v, unsigned base, unsigned *rest)
{
    uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
    uint32_t x = (hi % base) << 16 | lo >> 16;
    uint32_t y = (x % base) << 16 | (lo & 0xffff);
    *rest = y % base;
    return (uint64_t)(hi / base) << 32 | (x / base) << 16 | y / base;
}

/* Digits of v in base, before end; returns where they start. */
static char *to_digits(char *end, uint64_t v, unsigned base, bool upper)
{
    char *p = end;
    do {
        unsigned digit;
        v = divide(v, base, &digit);
        *--p = (char)(digit < 10 ? '0' + digit : (upper ? 'A' : 'a') + digit - 10);
    } while (v);
    return p;
}

/* An integer's digits after prefix; with '#', an octal one starts with a 0 (one more digit
 * unless the value is 0 or the precision's zeros give it). */
static void emit_int(sink *k, const spec *sp, uint64_t mag, const char *prefix, unsigned base, bool upper)
{
    char buf[24];
    char *end = buf + sizeof buf;
    char *p = to_digits(end, mag, base, upper);
    size_t n = sp->prec == 0 && mag == 0 ? 0 : (size_t)(end - p);
    if (base == 8 && (sp->flags & ALT) && (n == 0 || *p != '0') && sp->prec <= (int)n) {
        p = end - n - 1;
        *p = '0';
        n++;
    }
    emit_number(k, sp, prefix, p, n);
}

/* What goes before a pointer's hex digits: 0x, after the sign the flags ask for. */
static const char *pointer_prefix(const spec *sp)
{
    return sp->flags & PLUS ? "+0x" : sp->flags & SPACE ? " 0x" : "0x";
}

/* %s: at most the precision's bytes of s, which need no NUL after them (none is read). */
static void emit_str(sink *k, spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    size_t n = 0;
    while ((sp->prec < 0 || n < (size_t)sp->prec) && s[n])
        n++;
    duet_fmt_text(k, sp, "", s, n);
}

/* Reads an integer argument of the given length modifier: its value for a signed one
 * (is_signed) as the two's complement bits, sign-extended. */
static uint64_t arg_int(va_list *ap, int len, bool is_signed)
{
    uint64_t v;
    unsigned bits;
    switch (len) {
    case 'H': v = (unsigned char)va_arg(*ap, unsigned); bits = 8 * sizeof(char); break;
    case 'h': v = (unsigned short)va_arg(*ap, unsigned); bits = 8 * sizeof(short); break;
    case 'l': v = va_arg(*ap, unsigned long); bits = 8 * sizeof(long); break;
    case 'q': /* ll */
    case 'L': v = va_arg(*ap, unsigned long long); bits = 8 * sizeof(long long); break;
    case 'z': v = va_arg(*ap, size_t); bits = 8 * sizeof(size_t); break;
    case 'j': v = va_arg(*ap, uintmax_t); bits = 8 * sizeof(uintmax_t); break;
    case 't': v = (uint64_t)va_arg(*ap, ptrdiff_t); bits = 8 * sizeof(ptrdiff_t); break;
    default: v = va_arg(*ap, unsigned); bits = 8 * sizeof(unsigned); break;
    }
    if (is_signed) /* sign-extended from its width */
        v = (uint64_t)(bits == 8 ? (int8_t)v : bits == 16 ? (int16_t)v : bits == 32 ? (int32_t)v : (int64_t)v);
    return v;
}

/* Reads a conversion's flags, width, precision and length modifier (*len: 0, or H for hh,
 * h, l, q for ll, L, z, j, t) at *fmt, the '%' behind it; leaves *fmt at the conversion
 * letter. */
static spec read_spec(const char **fmt, va_list *ap, int *len)
{
    spec sp = {0, 0, -1};
    const char *f = *fmt;
    for (const char *q; *f && (q = find(FLAGS, *f)) != NULL; f++)
        sp.flags |= 1u << (q - FLAGS);
    sp.width = read_count(&f, ap);
    if (sp.width < 0) { /* a negative width from '*': left-justified */
        sp.flags |= LEFT;
        sp.width = sp.width < -MAX_FIELD ? MAX_FIELD : -sp.width;
    }
    if (*f == '.') {
        f++;
        sp.prec = read_count(&f, ap); /* negative: as if none */
    }
    *len = 0;
    if (*f == 'h' || *f == 'l') {
        *len = f[1] == f[0] ? (f[0] == 'h' ? 'H' : 'q') : f[0];
        f += f[1] == f[0] ? 2 : 1;
    } else if (*f == 'z' || *f == 'j' || *f == 't' || *f == 'L') {
        *len = *f++;
    }
    *fmt = f;
    return sp;
}

/* %n: the count of bytes written so far stored where p points, in the type the length
 * modifier names (nothing for NULL). */
static void store_count(void *p, int len, size_t n)
{
    if (!p)
        return;
    switch (len) {
    case 'H': *(signed char *)p = (signed char)n; break;
    case 'h': *(short *)p = (short)n; break;
    case 'l': *(long *)p = (long)n; break;
    case 'q': /* ll */
    case 'L': *(long long *)p = (long long)n; break;
    case 'z': *(size_t *)p = n; break;
    case 'j': *(intmax_t *)p = (intmax_t)n; break;
    case 't': *(ptrdiff_t *)p = (ptrdiff_t)n; break;
    default: *(int *)p = (int)n; break;
    }
}

/* Writes a floating conversion (duet_fmt_float), or none: the formatter without them. */
typedef void (*float_writer)(sink *k, spec *sp, double v, char c);

/* Writes one conversion c (its spec read) taking its argument from ap; pct..end is the
 * conversion as written, shown as it is when c is unknown, or floating and floats is NULL. */
static void emit_conversion(sink *k, spec *sp, char c, int len, va_list *ap, const char *pct, const char *end,
                            float_writer floats)
{
    if (c == 'c') {
        char one = (char)va_arg(*ap, int);
        duet_fmt_text(k, sp, "", &one, 1);
    } else if (c == 's') {
        emit_str(k, sp, va_arg(*ap, const char *));
    } else if (find("fFeEgGaA", c)) { /* L: a long double, as the double nearest it */
        double v = len == 'L' ? (double)va_arg(*ap, long double) : va_arg(*ap, double);
        if (floats)
            floats(k, sp, v, c);
        else
            duet_fmt_put(k, pct, (size_t)(end - pct));
    } else if (c == '%') {
        duet_fmt_put(k, "%", 1);
    } else if (c == 'n') {
        void *p = va_arg(*ap, void *);
        if (!k->stopped) /* the text was cut: the count would not be the text's */
            store_count(p, len, k->total);
    } else if (find("diuxXop", c)) {
        bool is_signed = c == 'd' || c == 'i';
        uint64_t v = c == 'p' ? (uint64_t)(uintptr_t)va_arg(*ap, void *) : arg_int(ap, len, is_signed);
        if (c == 'p' && !v) { /* glibc's NULL: a text, padded with spaces only */
            duet_fmt_text(k, sp, "", "(nil)", 5);
            return;
        }
        bool neg = is_signed && v >> 63;
        /* + and space are for signed conversions and %p (glibc's %p is %#x with them): an
         * unsigned one has no sign; '#' gives a hex one that is not 0 its 0x (%#o: emit_int) */
        const char *prefix = c == 'p' ? pointer_prefix(sp) : is_signed ? duet_fmt_sign(sp, neg) : "";
        if ((sp->flags & ALT) && v && (c == 'x' || c == 'X'))
            prefix = c == 'x' ? "0x" : "0X";
        else if (c != 'o')
            sp->flags &= ~(unsigned)ALT;
        emit_int(k, sp, neg ? 0 - v : v, prefix, c == 'o' ? 8 : is_signed || c == 'u' ? 10 : 16, c == 'X');
    } else { /* unknown conversion: shown as written */
        duet_fmt_put(k, pct, (size_t)(end - pct));
    }
}

/* duet_format_vout, with floats writing the floating conversions (or none). */
static size_t format_with(duet_format_out out, void *arg, const char *fmt, va_list ap_in, float_writer floats)
{
    sink k = {out, arg, 0, false};
    va_list ap;
    va_copy(ap, ap_in);
    while (*fmt && !k.stopped) {
        const char *pct = fmt;
        while (*pct && *pct != '%')
            pct++;
        duet_fmt_put(&k, fmt, (size_t)(pct - fmt));
        if (!*pct)
            break;
        fmt = pct + 1;
        int len;
        spec sp = read_spec(&fmt, &ap, &len);
        char c = *fmt;
        if (!c)
            break;
        fmt++;
        emit_conversion(&k, &sp, c, len, &ap, pct, fmt, floats);
    }
    va_end(ap);
    return k.total;
}

size_t duet_format_vout(duet_format_out out, void *arg, const char *fmt, va_list ap)
{
    return format_with(out, arg, fmt, ap, duet_fmt_float);
}

/* duet_format_vout's output into a duet_text (arg): cut to fit, ending in "...". Once a
 * piece is cut it takes fewer bytes than it was given, which ends the formatting: the rest
 * would not fit either. */
static size_t text_out(void *arg, const char *s, size_t n)
{
    duet_text *t = arg;
    size_t before = t->len;
    duet_text_addn(t, s, n);
    return t->len - before;
}

/* The text into buf, with floats writing the floating conversions (or none). */
static size_t text_with(char *buf, size_t cap, const char *fmt, va_list ap, float_writer floats)
{
    duet_text t;
    duet_text_init(&t, buf, cap);
    format_with(text_out, &t, fmt, ap, floats);
    return t.len;
}

size_t duet_format_vtext(char *buf, size_t cap, const char *fmt, va_list ap)
{
    return text_with(buf, cap, fmt, ap, duet_fmt_float);
}

size_t duet_format_text(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = text_with(buf, cap, fmt, ap, duet_fmt_float);
    va_end(ap);
    return n;
}

size_t duet_format_vtext_nofloat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    return text_with(buf, cap, fmt, ap, NULL);
}

size_t duet_format_text_nofloat(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = text_with(buf, cap, fmt, ap, NULL);
    va_end(ap);
    return n;
}

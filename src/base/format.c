/* format.c - internal: printf-style formatting without stdio. */
#include "format.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Widths and precisions are capped here: a field is never wider. */
#define MAX_FIELD 1024

/* Reads decimal digits at *fmt (if any) into a number starting from v, capped. */
static int read_number(const char **fmt, int v)
{
    while (**fmt >= '0' && **fmt <= '9') {
        if (v <= MAX_FIELD)
            v = v * 10 + (**fmt - '0');
        (*fmt)++;
    }
    return v;
}

/* One conversion's flags, width and precision. */
typedef struct spec {
    bool left, zero, plus, space;
    int width;
    int prec; /* -1: none */
} spec;

typedef struct sink {
    duet_format_out out;
    void *arg;
    size_t total;
    bool stopped;
} sink;

static void put(sink *k, const char *s, size_t n)
{
    if (k->stopped || n == 0)
        return;
    size_t took = k->out(k->arg, s, n);
    k->total += took;
    if (took < n)
        k->stopped = true;
}

static void pad(sink *k, char c, int n)
{
    char buf[16];
    memset(buf, c, sizeof buf);
    while (n > 0) {
        int m = n < (int)sizeof buf ? n : (int)sizeof buf;
        put(k, buf, (size_t)m);
        n -= m;
    }
}

/* Writes sign/prefix, zero padding and digits, padded to the width. */
static void emit_number(sink *k, const spec *sp, const char *prefix, const char *digits, int ndigits)
{
    int plen = (int)strlen(prefix);
    int zeros = sp->prec > ndigits ? sp->prec - ndigits : 0;
    int len = plen + zeros + ndigits;
    int fill = sp->width > len ? sp->width - len : 0;
    if (!sp->left && !(sp->zero && sp->prec < 0))
        pad(k, ' ', fill);
    put(k, prefix, (size_t)plen);
    if (!sp->left && sp->zero && sp->prec < 0)
        pad(k, '0', fill);
    pad(k, '0', zeros);
    put(k, digits, (size_t)ndigits);
    if (sp->left)
        pad(k, ' ', fill);
}

/* Digits of v in base, at the end of buf; returns where they start. */
static char *to_digits(char *end, uint64_t v, unsigned base, bool upper)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = set[v % base];
        v /= base;
    } while (v);
    return p;
}

static void emit_int(sink *k, const spec *sp, uint64_t mag, bool neg, unsigned base, bool upper)
{
    char buf[24];
    char *end = buf + sizeof buf;
    char *p = to_digits(end, mag, base, upper);
    int n = (int)(end - p);
    if (sp->prec == 0 && mag == 0)
        n = 0;
    const char *prefix = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
    emit_number(k, sp, prefix, p, n);
}

/* Fixed-point %f: integer part up to 2^64, up to 9 decimals, rounded half up. */
static void emit_float(sink *k, const spec *sp, double v)
{
    int prec = sp->prec < 0 ? 6 : sp->prec > 9 ? 9 : sp->prec;
    bool neg = v < 0;
    if (neg)
        v = -v;
    if (v != v) {
        spec s = *sp;
        s.prec = -1;
        s.zero = false;
        emit_number(k, &s, "", "nan", 3);
        return;
    }
    if (v > 1.8e19) {
        spec s = *sp;
        s.prec = -1;
        s.zero = false;
        emit_number(k, &s, neg ? "-" : "", "inf", 3);
        return;
    }
    uint64_t scale = 1;
    for (int i = 0; i < prec; i++)
        scale *= 10;
    uint64_t ip = (uint64_t)v;
    double frac = v - (double)ip;
    uint64_t fp = (uint64_t)(frac * (double)scale + 0.5);
    if (fp >= scale) {
        ip++;
        fp -= scale;
    }
    char buf[48];
    char *end = buf + sizeof buf;
    char *p = end;
    if (prec > 0) {
        for (int i = 0; i < prec; i++) {
            *--p = (char)('0' + fp % 10);
            fp /= 10;
        }
        *--p = '.';
    }
    p = to_digits(p, ip, 10, false);
    spec s = *sp;
    s.prec = -1;
    emit_number(k, &s, neg ? "-" : sp->plus ? "+" : sp->space ? " " : "", p, (int)(end - p));
}

/* n bytes at s, padded to the width. */
static void emit_bytes(sink *k, const spec *sp, const char *s, size_t n)
{
    int fill = sp->width > (int)n ? sp->width - (int)n : 0;
    if (!sp->left)
        pad(k, ' ', fill);
    put(k, s, n);
    if (sp->left)
        pad(k, ' ', fill);
}

static void emit_str(sink *k, const spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    size_t n = 0;
    while (s[n] && (sp->prec < 0 || n < (size_t)sp->prec))
        n++;
    emit_bytes(k, sp, s, n);
}

/* Reads a signed argument of the given length modifier. */
static int64_t arg_signed(va_list *ap, int len)
{
    switch (len) {
    case 'H': return (signed char)va_arg(*ap, int);
    case 'h': return (short)va_arg(*ap, int);
    case 'l': return va_arg(*ap, long);
    case 'L': return va_arg(*ap, long long);
    case 'z': return (int64_t)va_arg(*ap, size_t);
    case 'j': return va_arg(*ap, intmax_t);
    case 't': return va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, int);
    }
}

static uint64_t arg_unsigned(va_list *ap, int len)
{
    switch (len) {
    case 'H': return (unsigned char)va_arg(*ap, unsigned);
    case 'h': return (unsigned short)va_arg(*ap, unsigned);
    case 'l': return va_arg(*ap, unsigned long);
    case 'L': return va_arg(*ap, unsigned long long);
    case 'z': return va_arg(*ap, size_t);
    case 'j': return va_arg(*ap, uintmax_t);
    case 't': return (uint64_t)va_arg(*ap, ptrdiff_t);
    default: return va_arg(*ap, unsigned);
    }
}

/* Reads a conversion's flags, width, precision and length modifier (*len: 0, or H h l L
 * z j t) at *fmt, the '%' behind it; leaves *fmt at the conversion letter. */
static spec read_spec(const char **fmt, va_list *ap, int *len)
{
    spec sp = {false, false, false, false, 0, -1};
    const char *f = *fmt;
    for (;; f++) {
        if (*f == '-') sp.left = true;
        else if (*f == '0') sp.zero = true;
        else if (*f == '+') sp.plus = true;
        else if (*f == ' ') sp.space = true;
        else break;
    }
    if (*f == '*') {
        int w = va_arg(*ap, int);
        if (w < 0) {
            sp.left = true;
            w = w < -MAX_FIELD ? MAX_FIELD : -w;
        }
        sp.width = w;
        f++;
    }
    sp.width = read_number(&f, sp.width);
    if (*f == '.') {
        f++;
        sp.prec = 0;
        if (*f == '*') {
            sp.prec = va_arg(*ap, int);
            f++;
        }
        sp.prec = read_number(&f, sp.prec);
    }
    if (sp.width > MAX_FIELD)
        sp.width = MAX_FIELD;
    if (sp.prec > MAX_FIELD)
        sp.prec = MAX_FIELD;
    *len = 0;
    if (*f == 'h' || *f == 'l') {
        *len = f[1] == f[0] ? (f[0] == 'h' ? 'H' : 'L') : f[0];
        f += f[1] == f[0] ? 2 : 1;
    } else if (*f == 'z' || *f == 'j' || *f == 't') {
        *len = *f++;
    }
    *fmt = f;
    return sp;
}

/* Writes one conversion c (its spec read) taking its argument from ap; pct..end is the
 * conversion as written, shown as it is when c is unknown. */
static void emit_conversion(sink *k, spec *sp, char c, int len, va_list *ap, const char *pct, const char *end)
{
    switch (c) {
    case 'd': case 'i': {
        int64_t v = arg_signed(ap, len);
        emit_int(k, sp, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, v < 0, 10, false);
        break;
    }
    case 'u': emit_int(k, sp, arg_unsigned(ap, len), false, 10, false); break;
    case 'x': emit_int(k, sp, arg_unsigned(ap, len), false, 16, false); break;
    case 'X': emit_int(k, sp, arg_unsigned(ap, len), false, 16, true); break;
    case 'o': emit_int(k, sp, arg_unsigned(ap, len), false, 8, false); break;
    case 'p': {
        char buf[24];
        char *digits_end = buf + sizeof buf;
        char *p = to_digits(digits_end, (uint64_t)(uintptr_t)va_arg(*ap, void *), 16, false);
        sp->prec = -1;
        emit_number(k, sp, "0x", p, (int)(digits_end - p));
        break;
    }
    case 'c': {
        char one = (char)va_arg(*ap, int);
        emit_bytes(k, sp, &one, 1);
        break;
    }
    case 's': emit_str(k, sp, va_arg(*ap, const char *)); break;
    case 'f': case 'F': emit_float(k, sp, va_arg(*ap, double)); break;
    case '%': put(k, "%", 1); break;
    default: /* unknown conversion: shown as written */
        put(k, pct, (size_t)(end - pct));
        break;
    }
}

size_t duet_format(duet_format_out out, void *arg, const char *fmt, va_list ap_in)
{
    sink k = {out, arg, 0, false};
    va_list ap;
    va_copy(ap, ap_in);
    while (*fmt && !k.stopped) {
        const char *pct = strchr(fmt, '%');
        if (!pct) {
            put(&k, fmt, strlen(fmt));
            break;
        }
        put(&k, fmt, (size_t)(pct - fmt));
        fmt = pct + 1;
        int len;
        spec sp = read_spec(&fmt, &ap, &len);
        char c = *fmt;
        if (!c)
            break;
        fmt++;
        emit_conversion(&k, &sp, c, len, &ap, pct, fmt);
    }
    va_end(ap);
    return k.total;
}

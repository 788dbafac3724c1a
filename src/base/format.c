/* format.c - printf-style formatting without stdio: into a callback (internal, format.h)
 * and into a buffer (duet/format.h). */
#include "format.h"

#include "duet/format.h"

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

/* The flags of a conversion, each the bit of its character's place in FLAGS. */
#define FLAGS "-0+ #"
enum { LEFT = 1, ZERO = 2, PLUS = 4, SPACE = 8, ALT = 16 };

/* One conversion's flags, width and precision. */
typedef struct spec {
    unsigned flags; /* LEFT, ZERO, PLUS, SPACE, ALT: the flag characters "-0+ #" */
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

/* Writes sign/prefix, zero padding and the n digits, padded to the width. */
static void emit_number(sink *k, const spec *sp, const char *prefix, const char *digits, size_t n)
{
    size_t plen = duet_text_length(prefix);
    int zeros = sp->prec > 0 && (size_t)sp->prec > n ? sp->prec - (int)n : 0;
    size_t len = plen + (size_t)zeros + n;
    int fill = (size_t)sp->width > len ? sp->width - (int)len : 0;
    bool zero_fill = (sp->flags & (LEFT | ZERO)) == ZERO && sp->prec < 0;
    if (!(sp->flags & LEFT) && !zero_fill)
        pad(k, ' ', fill);
    put(k, prefix, plen);
    pad(k, '0', (zero_fill ? fill : 0) + zeros);
    put(k, digits, n);
    if (sp->flags & LEFT)
        pad(k, ' ', fill);
}

/* prefix and n bytes of text, padded to the width with spaces (sp loses its zeros and
 * precision). */
static void emit_text(sink *k, spec *sp, const char *prefix, const char *text, size_t n)
{
    sp->prec = -1;
    sp->flags &= ~(unsigned)ZERO;
    emit_number(k, sp, prefix, text, n);
}

/* What goes before a number: its sign, or what the flags ask for a non-negative one. */
static const char *sign_of(const spec *sp, bool neg)
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

/* Fixed-point %f: integer part below 2^64, up to 9 decimals, rounded half up; beyond, an
 * infinity of its sign, and a NaN without its sign (%F: INF, NAN). Done on the double's bits
 * with integers, so that a core without a double-precision FPU needs none of the compiler's
 * floating-point routines. */
static void emit_float(sink *k, spec *sp, double v, bool upper)
{
    union { double d; uint64_t b; } u = {v};
    bool neg = u.b >> 63;
    int e = (int)(u.b >> 52 & 0x7ff) - 1023; /* v = m * 2^(e - 52) */
    uint64_t m = (u.b & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52;
    if (e >= 64) { /* too large, an infinity, or a NaN (exponent all ones, a fraction) */
        bool nan = e == 1024 && m != UINT64_C(1) << 52;
        const char *word = nan ? (upper ? "NAN" : "nan") : upper ? "INF" : "inf";
        emit_text(k, sp, sign_of(sp, neg && !nan), word, 3);
        return;
    }
    int prec = sp->prec < 0 ? 6 : sp->prec > 9 ? 9 : sp->prec;
    uint32_t scale = 1;
    for (int i = 0; i < prec; i++)
        scale *= 10;
    /* The integer part and the fraction (in units of 2^-64): v = (ip + frac / 2^64) * 2^(e + 1)
     * until the point is shifted into place, one bit at a time (a few hundred cycles, and
     * smaller than shifts by any count of 64-bit numbers on a 32-bit core). */
    uint64_t ip = 0, frac = m << 11;
    for (; e >= 0; e--) {
        ip = ip << 1 | frac >> 63;
        frac <<= 1;
    }
    /* frac * scale / 2^32 in 32-bit pieces, then, for v below 1/2, the point shifted into
     * place, each rounded down: the rounding below adds a half of 2^32 to a whole number, and
     * what was dropped would not change its result. The shift after the product: frac's own
     * bits shifted out before it would. */
    uint64_t hi = (frac >> 32) * scale, lo = (frac & 0xffffffffu) * scale;
    uint64_t scaled = hi + (lo >> 32);
    for (; e < -1 && scaled; e++)
        scaled >>= 1;
    /* the decimals: scaled / 2^32, rounded half up */
    uint32_t fp = (uint32_t)((scaled + (UINT64_C(1) << 31)) >> 32);
    if (fp >= scale) {
        ip++;
        fp -= scale;
    }
    char buf[48];
    char *end = buf + sizeof buf;
    char *p = to_digits(end, (uint64_t)scale + fp, 10, false); /* "1" and prec digits */
    *p = '.';
    p = to_digits(prec > 0 || (sp->flags & ALT) ? p : end, ip, 10, false); /* '#': "1." */
    sp->prec = -1; /* the decimals are written: what is left is the width */
    emit_number(k, sp, sign_of(sp, neg), p, (size_t)(end - p));
}

/* %s: at most the precision's bytes of s, which need no NUL after them (none is read). */
static void emit_str(sink *k, spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    size_t n = 0;
    while ((sp->prec < 0 || n < (size_t)sp->prec) && s[n])
        n++;
    emit_text(k, sp, "", s, n);
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

/* Reads a conversion's flags, width, precision and length modifier (*len: 0, or H h l L
 * z j t) at *fmt, the '%' behind it; leaves *fmt at the conversion letter. */
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
    if (c == 'c') {
        char one = (char)va_arg(*ap, int);
        emit_text(k, sp, "", &one, 1);
    } else if (c == 's') {
        emit_str(k, sp, va_arg(*ap, const char *));
    } else if (c == 'f' || c == 'F') {
        emit_float(k, sp, va_arg(*ap, double), c == 'F');
    } else if (c == '%') {
        put(k, "%", 1);
    } else if (find("diuxXop", c)) {
        bool is_signed = c == 'd' || c == 'i';
        uint64_t v = c == 'p' ? (uint64_t)(uintptr_t)va_arg(*ap, void *) : arg_int(ap, len, is_signed);
        bool neg = is_signed && v >> 63;
        if (c == 'p')
            sp->prec = -1;
        /* + and space are for signed conversions: an unsigned one has no sign; '#' gives a
         * hex one that is not 0 its 0x (%#o: emit_int) */
        const char *prefix = c == 'p' ? "0x" : is_signed ? sign_of(sp, neg) : "";
        if ((sp->flags & ALT) && v && (c == 'x' || c == 'X'))
            prefix = c == 'x' ? "0x" : "0X";
        else if (c != 'o')
            sp->flags &= ~(unsigned)ALT;
        emit_int(k, sp, neg ? 0 - v : v, prefix, c == 'o' ? 8 : is_signed || c == 'u' ? 10 : 16, c == 'X');
    } else { /* unknown conversion: shown as written */
        put(k, pct, (size_t)(end - pct));
    }
}

size_t duet_format(duet_format_out out, void *arg, const char *fmt, va_list ap_in)
{
    sink k = {out, arg, 0, false};
    va_list ap;
    va_copy(ap, ap_in);
    while (*fmt && !k.stopped) {
        const char *pct = fmt;
        while (*pct && *pct != '%')
            pct++;
        put(&k, fmt, (size_t)(pct - fmt));
        if (!*pct)
            break;
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

/* duet_format's output into a duet_text (arg): cut to fit, ending in "...". Once a piece is
 * cut it takes fewer bytes than it was given, which ends the formatting: the rest would not
 * fit either. */
static size_t text_out(void *arg, const char *s, size_t n)
{
    duet_text *t = arg;
    size_t before = t->len;
    duet_text_addn(t, s, n);
    return t->len - before;
}

size_t duet_format_vtext(char *buf, size_t cap, const char *fmt, va_list ap)
{
    duet_text t;
    duet_text_init(&t, buf, cap);
    duet_format(text_out, &t, fmt, ap);
    return t.len;
}

size_t duet_format_text(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = duet_format_vtext(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

/*
 * fuzz_format.c - libFuzzer target for duet's formatter (src/base/format.c, format_float.c):
 * duet_format_text and duet_format_vtext, with and without floating conversions, and
 * the callback form duet_format_vout (include/duet/format.h), against glibc's snprintf
 * and a model of what format.h documents.
 *
 * The input is a buffer capacity, a callback's limit and a list of items (see items()):
 * literal text, documented conversions (%d %i %u %x %X %o %c %s %p %n %f %F %e %E %g %G %a
 * %A with the flags - 0 + space # in any order and repeated, a width and a precision as
 * digits, "*" or none (".", ".007", huge digit strings, any int through "*"), a length h hh
 * l ll z j t, and L on the floating ones with a long double; their doubles also at or near
 * the points where their rounding turns: decimal ties for %f %e %g, hexadecimal ones for
 * %a),
 * "%%" with flags and width, unknown conversions ("%-5.2q", "%lq", "%#k", "%w") and a
 * conversion cut by the end of fmt. Their arguments (at most MAX_ARGS) are passed with the
 * types the conversions read (dispatch()). The expected text is built item by item:
 *
 *   - a documented conversion is glibc's snprintf of one conversion with the same flags,
 *     width and precision, where these are capped at MAX_FIELD (1024, as format.c caps
 *     them), a negative "*" width is "-" and its size, a negative "*" precision is none;
 *     a %s argument longer than its precision is an array of that many bytes without a NUL
 *     (C allows it; ASan sees a byte read past it);
 *     the floating conversions as glibc writes the double (for L, the double the long double
 *     was made from), except %#g and %#G, modelled from C's rule with glibc's %e and %f
 *     (glibc writes "1.e+06" for %#g of 999999.5, without the zeros # keeps: C says the
 *     %e form with precision P - 1, "1.00000e+06"); %c and %s lose the 0 flag and %c
 *     its precision (C leaves them undefined; format.c pads with spaces); %s of NULL is
 *     "(null)"; %p as glibc writes it, flags and precision too (NULL: "(nil)");
 *     a length modifier on c s p, and one other than L on the floating ones, is ignored;
 *     # on d i u c s p is ignored (glibc is handed it only for o x X and the floating ones);
 *   - "%%" with any flags or width is "%"; an unknown conversion is written as it stands
 *     (its "*" arguments taken); a conversion cut by the end of fmt writes nothing;
 *   - %n writes nothing and stores the length of the text before it, in the type of its
 *     length modifier (flags, width and precision ignored, "*" arguments taken).
 *
 * Checked, for every input:
 *   1. duet_format_vout into a callback that takes everything: the bytes are exactly the
 *      expected text, its return is their count, it is never handed 0 bytes, and each %n
 *      stored its count in its type's bytes and no others;
 *   2. duet_format_vout into a callback that takes at most a limit the input picks (cutting a
 *      piece short): it receives the expected text's first min(limit, length) bytes, returns
 *      that count, and is not called again after it took fewer bytes than it was handed;
 *   3. duet_format_vtext and duet_format_text (each) into an exact-size heap buffer of the
 *      capacity (ASan sees a write past it): cap 0 writes nothing and returns 0; a text that fits is in buf, NUL-terminated,
 *      its length returned; one that does not is its first cap - 1 bytes with the last three
 *      "..." when cap >= 4, NUL-terminated, cap - 1 returned.
 *   4. duet_format_vtext_nofloat and duet_format_text_nofloat as in 3, against the same
 *      expected text but for each floating conversion, which is written as it stands (its
 *      argument taken).
 *   5. C's vsnprintf on the Cortex-M ports (ports/cortex_m/stdio_printf.c's
 *      __wrap_vsnprintf) into an exact-size heap buffer of the capacity (NULL for cap 0): it
 *      returns the whole expected text's length, writes its first min(length, cap - 1)
 *      bytes and a NUL, with no "...", and each %n stores as in 1, cut or not.
 *   6. C's vasprintf on the Cortex-M ports (__wrap_vasprintf): the whole expected text in a
 *      heap buffer of exactly its length and a NUL (ASan sees a write past it), its length
 *      returned, each %n stored as in 1.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "duet/format.h"

#include "fuzz_check.h"

/* duet reads l, ll, z, j and t arguments and pointers as 64 bits; the harness passes each as
 * a long long (or a pointer): the same size on this PC (LP64). */
_Static_assert(sizeof(long) == 8 && sizeof(size_t) == 8 && sizeof(intmax_t) == 8 && sizeof(ptrdiff_t) == 8,
               "an LP64 host");

#define MAX_FIELD 1024
#define MAX_ARGS 4
#define MAX_ITEMS 10

/* A growing byte buffer. */
typedef struct bytes {
    char *data;
    size_t len, cap;
} bytes;

static void add(bytes *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        CHECK(b->data);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void add_str(bytes *b, const char *s) { add(b, s, strlen(s)); }

/* The input, read from the front; past its end every byte is 0. */
typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint64_t take(reader *r, int count)
{
    uint64_t v = 0;
    for (int i = 0; i < count && r->n; i++, r->n--)
        v |= (uint64_t)*r->p++ << (8 * i);
    return v;
}

/* One argument as duet is handed it: I an int, L a long long, D a double, X a long double,
 * P a pointer. */
typedef struct arg {
    char cls;
    int i;
    long long l;
    double d;
    void *p;
    long double x;
} arg;

/* The formatting run: fmt for duet, the expected text, the arguments. */
/* Where a %n stores: room for any of its types, filled with SENTINEL before a call, and what
 * it should hold after one that writes the whole text: the expected text's length before
 * it, in the first `size` bytes (the type of its length modifier). */
enum { SENTINEL = 0xa5 };
typedef struct count_slot {
    union {
        long long ll;
        unsigned char bytes[16];
    } at;
    size_t want;
    size_t size;
} count_slot;

typedef struct run {
    bytes fmt, want;
    bytes plain; /* the expected text of the formatter without floating conversions */
    arg args[MAX_ARGS];
    int nargs;
    char strings[MAX_ITEMS][260]; /* the %s arguments */
    int nstrings;
    char *arrays[MAX_ITEMS]; /* %s arguments cut to their precision, without a NUL (heap) */
    int narrays;
    count_slot counts[MAX_ITEMS]; /* where the %n conversions store */
    int ncounts;
    int reserve; /* arguments the conversion being written still needs after its counts */
} run;

/* A conversion's spec as the input picks it, and what format.c makes of it. */
typedef struct conv {
    char c;         /* the conversion letter */
    unsigned flags; /* bits: 1 '-', 2 '0', 4 '+', 8 ' ', 16 '#' */
    int width;      /* effective: 0..MAX_FIELD */
    int prec;       /* effective: -1 none, else 0..MAX_FIELD */
    const char *len;
    uint64_t value;
    bool null_string;
    const char *string;
} conv;

enum { LEFT = 1, ZERO = 2, PLUS = 4, SPACE = 8, ALT = 16 };

static const char *const lengths[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};
static const char *const float_lengths[] = {"", "L", "", "L", "l", "ll", "h", "z"}; /* L: long double */

/* Whether c is a floating conversion. */
static bool is_float(char c) { return c && strchr("fFeEgGaA", c); }

static bool full(const run *r, int more) { return r->nargs + more + r->reserve > MAX_ARGS; }

static void push_arg(run *r, arg a)
{
    CHECK(r->nargs < MAX_ARGS);
    r->args[r->nargs++] = a;
}

/* Writes the flags the byte picks (any order, some repeated) into fmt; returns their bits. */
static unsigned write_flags(run *r, unsigned byte)
{
    static const char chars[] = "-0+ #";
    unsigned bits = (byte & 15) | (byte & 64 ? ALT : 0);
    for (int k = 0; k < 5; k++) {
        int i = byte & 16 ? 4 - k : k;
        if (bits & 1u << i) {
            add(&r->fmt, &chars[i], 1);
            if (byte & 32)
                add(&r->fmt, &chars[i], 1);
        }
    }
    return bits;
}

/* Writes a width or precision count the input picks into fmt: none (-1), digits (some
 * far beyond MAX_FIELD, some with leading zeros where a precision), or '*' and an int
 * argument. Returns the count as written (an int for '*', INT32_MAX for huge digits). */
static long long write_count(run *r, reader *in, bool is_prec, bool *star)
{
    unsigned mode = (unsigned)take(in, 1) % 5;
    *star = false;
    if (mode == 0 || (mode == 4 && full(r, 1)))
        return -1;
    char text[40];
    long long v;
    if (mode == 1 || mode == 2) { /* mostly small, up to a little past MAX_FIELD */
        v = (long long)(take(in, 2) % (mode == 1 ? 40 : 1100)) + (is_prec ? 0 : 1);
        snprintf(text, sizeof text, is_prec && v % 3 == 0 ? "%03lld" : "%lld", v);
        if (is_prec && v == 0 && mode == 2)
            text[0] = '\0'; /* "." alone: precision 0 */
    } else if (mode == 3) { /* huge: 10..29 digits */
        int n = 10 + (int)(take(in, 1) % 20);
        for (int i = 0; i < n; i++)
            text[i] = (char)('1' + (i * 7) % 9);
        text[n] = '\0';
        v = INT32_MAX;
    } else {
        int32_t x = (int32_t)(uint32_t)take(in, 4);
        v = x % 4 == 0 ? x : x % 1200; /* mostly small, any int too */
        push_arg(r, (arg){'I', (int)v, 0, 0, NULL, 0});
        snprintf(text, sizeof text, "*");
        *star = true;
    }
    add_str(&r->fmt, text);
    return v;
}

/* Reads the flags, width, precision and length of a conversion into fmt and cv. */
static void write_spec(run *r, reader *in, conv *cv, bool with_length)
{
    cv->flags = write_flags(r, (unsigned)take(in, 1));
    bool star;
    long long w = write_count(r, in, false, &star);
    if (w < 0 && star)
        cv->flags |= LEFT;
    w = w < 0 ? (star ? -w : 0) : w;
    cv->width = w > MAX_FIELD ? MAX_FIELD : (int)w;
    cv->prec = -1;
    if (take(in, 1) & 1) {
        add(&r->fmt, ".", 1);
        long long p = write_count(r, in, true, &star);
        cv->prec = p < 0 ? (star ? -1 : 0) : p > MAX_FIELD ? MAX_FIELD : (int)p;
    }
    cv->len = !with_length ? "" : is_float(cv->c) ? float_lengths[take(in, 1) % 8] : lengths[take(in, 1) % 8];
    add_str(&r->fmt, cv->len);
}

/* The reference format of cv for snprintf: its flags (less those in drop), width and
 * precision (if keep_prec) as digits, the length (if keep_len) and the letter. */
static void reference_format(char *out, size_t size, const conv *cv, unsigned drop, bool keep_prec, bool keep_len)
{
    unsigned f = cv->flags & ~drop;
    char prec[16] = "";
    if (keep_prec && cv->prec >= 0)
        snprintf(prec, sizeof prec, ".%d", cv->prec);
    if (!strchr("oxXfFeEgGaA", cv->c))
        f &= ~(unsigned)ALT;
    snprintf(out, size, "%%%s%s%s%s%s%d%s%s%c", f & LEFT ? "-" : "", f & ZERO ? "0" : "", f & PLUS ? "+" : "",
             f & SPACE ? " " : "", f & ALT ? "#" : "", cv->width, prec, keep_len ? cv->len : "", cv->c);
}

/* glibc's text of an integer conversion, the argument of the type its length reads. */
static void expect_integer(bytes *out, const conv *cv)
{
    char f[64], text[2 * MAX_FIELD + 64];
    reference_format(f, sizeof f, cv, 0, true, true);
    bool is_signed = cv->c == 'd' || cv->c == 'i';
    uint64_t v = cv->value;
    int n;
    if (!cv->len[0] || cv->len[0] == 'h')
        n = is_signed ? snprintf(text, sizeof text, f, (int)v) : snprintf(text, sizeof text, f, (unsigned)v);
    else if (!strcmp(cv->len, "l"))
        n = is_signed ? snprintf(text, sizeof text, f, (long)v) : snprintf(text, sizeof text, f, (unsigned long)v);
    else if (!strcmp(cv->len, "ll"))
        n = is_signed ? snprintf(text, sizeof text, f, (long long)v) : snprintf(text, sizeof text, f, (unsigned long long)v);
    else if (cv->len[0] == 'z')
        n = is_signed ? snprintf(text, sizeof text, f, (ssize_t)v) : snprintf(text, sizeof text, f, (size_t)v);
    else if (cv->len[0] == 'j')
        n = is_signed ? snprintf(text, sizeof text, f, (intmax_t)v) : snprintf(text, sizeof text, f, (uintmax_t)v);
    else
        n = snprintf(text, sizeof text, f, (ptrdiff_t)v);
    CHECK(n >= 0 && (size_t)n < sizeof text);
    add(out, text, (size_t)n);
}

/* A floating conversion as format.h documents it: glibc's text of the double (see the top of
 * this file). */
static void expect_float(bytes *out, const conv *cv)
{
    double v;
    memcpy(&v, &cv->value, sizeof v);
    static char e[MAX_FIELD + 64], text[MAX_FIELD + 400];
    char f[64];
    conv form = *cv;
    if ((cv->c == 'g' || cv->c == 'G') && (cv->flags & ALT) && isfinite(v)) {
        /* C's rule: X, the power of ten of %e with precision P - 1, picks %f or %e */
        int p = cv->prec < 0 ? 6 : cv->prec == 0 ? 1 : cv->prec;
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        int x = atoi(strchr(e, 'e') + 1);
        bool fixed = p > x && x >= -4;
        form.c = (char)((fixed ? 'f' : 'e') - (cv->c == 'G' ? 32 : 0));
        form.prec = fixed ? p - 1 - x : p - 1;
    }
    reference_format(f, sizeof f, &form, 0, true, false);
    int n = snprintf(text, sizeof text, f, v);
    CHECK(n >= 0 && (size_t)n < sizeof text);
    add(out, text, (size_t)n);
}

/* The expected text of a documented conversion. */
static void expect_conversion(bytes *out, conv *cv)
{
    char f[64], text[2 * MAX_FIELD + 64];
    int n = 0;
    if (cv->c == 'n') /* no text: a count stored (count_slot) */
        return;
    if (is_float(cv->c)) {
        expect_float(out, cv);
        return;
    } else if (cv->c == 'c') {
        reference_format(f, sizeof f, cv, ZERO, false, false);
        n = snprintf(text, sizeof text, f, (int)cv->value);
    } else if (cv->c == 's') {
        reference_format(f, sizeof f, cv, ZERO, true, false);
        n = snprintf(text, sizeof text, f, cv->null_string ? "(null)" : cv->string);
    } else if (cv->c == 'p') { /* NULL too: (nil) */
        reference_format(f, sizeof f, cv, 0, true, false);
        n = snprintf(text, sizeof text, f, (void *)(uintptr_t)cv->value);
    } else {
        expect_integer(out, cv);
        return;
    }
    CHECK(n >= 0 && (size_t)n < sizeof text);
    add(out, text, (size_t)n);
}

/* The double of a floating conversion: cv->value's bits (mode below 128), or one of the few
 * doubles at or around a point where the rounding turns, which random bits would seldom
 * come this close to: for %a, bits that end in a 1 and zeros (a tie of the hexadecimal
 * digits above them); for %f, (k + 1/2) / 10^decimals; for %e and %g, (k + 1/2) times a
 * power of ten (a tie where k has as many digits as are written); k from cv->value. */
static double float_of(const conv *cv, unsigned mode)
{
    double d;
    memcpy(&d, &cv->value, sizeof d);
    if (mode < 128)
        return d;
    int step = (int)(mode >> 4 & 7) - 3;
    if (cv->c == 'a' || cv->c == 'A') {
        int drop = 4 * (int)(mode % 13 + 1);
        uint64_t bits = (cv->value & ~((UINT64_C(1) << drop) - 1)) | UINT64_C(1) << (drop - 1);
        bits += (uint64_t)(int64_t)step;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    uint64_t k = (cv->value & ~(UINT64_C(1) << 63)) >> (mode & 63);
    if (cv->c == 'f' || cv->c == 'F')
        d = ((double)k + 0.5) / pow(10, cv->prec < 0 ? 6 : cv->prec > 30 ? 30 : cv->prec);
    else
        d = ((double)k + 0.5) * pow(10, (int)(cv->value >> 56 & 63) - 40);
    for (; step != 0; step += step < 0 ? 1 : -1)
        d = nextafter(d, step < 0 ? 0 : INFINITY);
    return cv->value >> 63 ? -d : d;
}

/* The bytes %n stores with the length modifier len: an int, or the type len names (L, as
 * glibc reads it, a long long). */
static size_t count_size(const char *len)
{
    if (!strcmp(len, "hh"))
        return sizeof(signed char);
    if (!strcmp(len, "h"))
        return sizeof(short);
    if (!strcmp(len, "l"))
        return sizeof(long);
    if (!strcmp(len, "ll") || !strcmp(len, "L"))
        return sizeof(long long);
    if (!strcmp(len, "z"))
        return sizeof(size_t);
    if (!strcmp(len, "j"))
        return sizeof(intmax_t);
    if (!strcmp(len, "t"))
        return sizeof(ptrdiff_t);
    return sizeof(int);
}

/* The argument duet is handed for cv, of the type its conversion reads. */
static arg argument_of(run *r, reader *in, conv *cv)
{
    cv->value = take(in, 8);
    if (is_float(cv->c)) {
        double d = float_of(cv, (unsigned)take(in, 1));
        memcpy(&cv->value, &d, sizeof d);
        if (!strcmp(cv->len, "L"))
            return (arg){'X', 0, 0, 0, NULL, (long double)d};
        return (arg){'D', 0, 0, d, NULL, 0};
    }
    if (cv->c == 'p')
        return (arg){'P', 0, 0, 0, (void *)(uintptr_t)cv->value, 0};
    if (cv->c == 'n') {
        count_slot *slot = &r->counts[r->ncounts++];
        slot->want = r->want.len;
        slot->size = count_size(cv->len);
        return (arg){'P', 0, 0, 0, slot->at.bytes, 0};
    }
    if (cv->c == 's') {
        cv->null_string = (cv->value & 0xff) == 0;
        size_t n = (size_t)(cv->value >> 8 & 0xff);
        char *s = r->strings[r->nstrings++];
        size_t i = 0;
        for (; i < n && in->n; i++) {
            s[i] = (char)take(in, 1);
            if (!s[i])
                s[i] = '\t';
        }
        s[i] = '\0';
        cv->string = s;
        if (cv->null_string)
            return (arg){'P', 0, 0, 0, NULL, 0};
        if (cv->prec < 0 || (size_t)cv->prec >= i)
            return (arg){'P', 0, 0, 0, s, 0};
        /* an array of precision bytes and no NUL, as C allows: ASan sees a byte read past it */
        char *cut = malloc(cv->prec ? (size_t)cv->prec : 1);
        CHECK(cut);
        memcpy(cut, s, (size_t)cv->prec);
        r->arrays[r->narrays++] = cut;
        return (arg){'P', 0, 0, 0, cut, 0};
    }
    if (cv->c == 'c' || !cv->len[0] || cv->len[0] == 'h')
        return (arg){'I', (int)(uint32_t)cv->value, 0, 0, NULL, 0};
    return (arg){'L', 0, (long long)cv->value, 0, NULL, 0};
}

/* One documented conversion (or "%%"), its arguments, its expected text. */
static void conversion_item(run *r, reader *in, bool percent)
{
    static const char letters[] = "diuxXocspfFeEgGaAn";
    conv cv = {0};
    size_t start = r->fmt.len;
    cv.c = percent ? '%' : letters[take(in, 1) % (sizeof letters - 1)];
    r->reserve = !percent; /* its value */
    add(&r->fmt, "%", 1);
    write_spec(r, in, &cv, !percent);
    add(&r->fmt, &cv.c, 1);
    if (percent) {
        add(&r->want, "%", 1);
        add(&r->plain, "%", 1);
        return;
    }
    r->reserve = 0;
    push_arg(r, argument_of(r, in, &cv));
    size_t before = r->want.len;
    expect_conversion(&r->want, &cv);
    if (is_float(cv.c)) /* written as it stands: from its '%' to its letter */
        add(&r->plain, r->fmt.data + start, r->fmt.len - start);
    else
        add(&r->plain, r->want.data + before, r->want.len - before);
}

/* An unknown conversion (written as it stands) or, at the end, a conversion cut short. */
static void unknown_item(run *r, reader *in, bool cut)
{
    static const char letters[] = "qwbBkmyYrRvV!{~"; /* '#' is a flag */
    size_t start = r->fmt.len;
    conv cv = {0};
    add(&r->fmt, "%", 1);
    write_spec(r, in, &cv, true);
    if (cut)
        return;
    add(&r->fmt, &letters[take(in, 1) % (sizeof letters - 1)], 1);
    add(&r->want, r->fmt.data + start, r->fmt.len - start);
    add(&r->plain, r->fmt.data + start, r->fmt.len - start);
}

/* Literal text: no '%' or NUL in it. */
static void literal_item(run *r, reader *in)
{
    size_t n = (size_t)take(in, 1) % 24;
    for (size_t i = 0; i < n && in->n; i++) {
        char c = (char)take(in, 1);
        if (c == '%' || c == '\0')
            c = '_';
        add(&r->fmt, &c, 1);
        add(&r->want, &c, 1);
        add(&r->plain, &c, 1);
    }
}

/* The items the input picks, into r. */
static void items(run *r, reader *in)
{
    for (int i = 0; i < MAX_ITEMS && in->n; i++) {
        unsigned kind = (unsigned)take(in, 1) % 8;
        if (kind < 2)
            literal_item(r, in);
        else if (kind < 6 && !full(r, 1))
            conversion_item(r, in, false);
        else if (kind < 6)
            literal_item(r, in);
        else if (kind == 6)
            conversion_item(r, in, true);
        else if (i == MAX_ITEMS - 1 || in->n < 4) {
            unknown_item(r, in, true);
            break;
        } else {
            unknown_item(r, in, false);
        }
    }
}

/* A call of duet with the format and the arguments. */
typedef size_t (*caller)(void *ctx, const char *fmt, ...);

/* The buffer duet_format_vtext and duet_format_text write: exactly cap bytes; nofloat: the
 * call is to their _nofloat forms. */
typedef struct text_buffer {
    char *buf;
    size_t cap;
    bool nofloat;
} text_buffer;

/* Calls fn (NULL: duet_format_text or duet_format_text_nofloat into the text_buffer ctx, as
 * a program calls it) with fmt
 * and the n arguments, each of its own type: one call site per list of
 * types (five types, up to four arguments), written out by the preprocessor
 * (one macro per place: a macro does not expand inside its own expansion). */
#define PICK0(next, ...)                                \
    switch (args[0].cls) {                                \
    case 'I': next(__VA_ARGS__, args[0].i); break;        \
    case 'L': next(__VA_ARGS__, args[0].l); break;        \
    case 'D': next(__VA_ARGS__, args[0].d); break;        \
    case 'X': next(__VA_ARGS__, args[0].x); break;        \
    default: next(__VA_ARGS__, args[0].p); break;         \
    }
#define PICK1(next, ...)                                \
    switch (args[1].cls) {                                \
    case 'I': next(__VA_ARGS__, args[1].i); break;        \
    case 'L': next(__VA_ARGS__, args[1].l); break;        \
    case 'D': next(__VA_ARGS__, args[1].d); break;        \
    case 'X': next(__VA_ARGS__, args[1].x); break;        \
    default: next(__VA_ARGS__, args[1].p); break;         \
    }
#define PICK2(next, ...)                                \
    switch (args[2].cls) {                                \
    case 'I': next(__VA_ARGS__, args[2].i); break;        \
    case 'L': next(__VA_ARGS__, args[2].l); break;        \
    case 'D': next(__VA_ARGS__, args[2].d); break;        \
    case 'X': next(__VA_ARGS__, args[2].x); break;        \
    default: next(__VA_ARGS__, args[2].p); break;         \
    }
#define PICK3(next, ...)                                \
    switch (args[3].cls) {                                \
    case 'I': next(__VA_ARGS__, args[3].i); break;        \
    case 'L': next(__VA_ARGS__, args[3].l); break;        \
    case 'D': next(__VA_ARGS__, args[3].d); break;        \
    case 'X': next(__VA_ARGS__, args[3].x); break;        \
    default: next(__VA_ARGS__, args[3].p); break;         \
    }
#define TEXT(ctx) ((text_buffer *)(ctx))
#define CALL(ctx, ...)                                                                   \
    result = fn                 ? fn(ctx, __VA_ARGS__)                                   \
             : TEXT(ctx)->nofloat ? duet_format_text_nofloat(TEXT(ctx)->buf, TEXT(ctx)->cap, __VA_ARGS__) \
                                  : duet_format_text(TEXT(ctx)->buf, TEXT(ctx)->cap, __VA_ARGS__)
#define ONE_OF_TWO(...) PICK1(CALL, __VA_ARGS__)
#define ONE_OF_THREE(...) PICK1(TWO_OF_THREE, __VA_ARGS__)
#define TWO_OF_THREE(...) PICK2(CALL, __VA_ARGS__)
#define ONE_OF_FOUR(...) PICK1(TWO_OF_FOUR, __VA_ARGS__)
#define TWO_OF_FOUR(...) PICK2(THREE_OF_FOUR, __VA_ARGS__)
#define THREE_OF_FOUR(...) PICK3(CALL, __VA_ARGS__)

static size_t dispatch(caller fn, void *ctx, const char *fmt, const arg *args, int n)
{
    size_t result = 0;
    switch (n) {
    case 0: CALL(ctx, fmt, 0); break; /* (an argument too many, which C allows) */
    case 1: PICK0(CALL, ctx, fmt); break;
    case 2: PICK0(ONE_OF_TWO, ctx, fmt); break;
    case 3: PICK0(ONE_OF_THREE, ctx, fmt); break;
    default: PICK0(ONE_OF_FOUR, ctx, fmt); break;
    }
    return result;
}

/* A callback that takes at most limit bytes in all, keeping them. */
typedef struct collector {
    bytes got;
    size_t limit;
    bool refused; /* it took fewer than it was handed */
} collector;

static size_t collect(void *arg, const char *s, size_t n)
{
    collector *c = arg;
    CHECK(n > 0);
    CHECK(!c->refused);
    size_t room = c->limit - c->got.len;
    size_t took = n < room ? n : room;
    add(&c->got, s, took);
    c->refused = took < n;
    return took;
}

static size_t call_format(void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = duet_format_vout(collect, ctx, fmt, ap);
    va_end(ap);
    return n;
}

/* C's vsnprintf as the Cortex-M ports link it (stdio_printf.c). */
int __wrap_vsnprintf(char *str, size_t size, const char *fmt, va_list ap);

static size_t call_vsnprintf(void *ctx, const char *fmt, ...)
{
    text_buffer *t = ctx;
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vsnprintf(t->cap ? t->buf : NULL, t->cap, fmt, ap);
    va_end(ap);
    CHECK(n >= 0);
    return (size_t)n;
}

/* C's vasprintf as the Cortex-M ports link it (stdio_printf.c): ctx receives the text. */
int __wrap_vasprintf(char **strp, const char *fmt, va_list ap);

static size_t call_vasprintf(void *ctx, const char *fmt, ...)
{
    char **text = ctx;
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vasprintf(text, fmt, ap);
    va_end(ap);
    CHECK(n >= 0 && *text != NULL);
    return (size_t)n;
}

static size_t call_vtext(void *ctx, const char *fmt, ...)
{
    text_buffer *t = ctx;
    va_list ap;
    va_start(ap, fmt);
    size_t n = (t->nofloat ? duet_format_vtext_nofloat : duet_format_vtext)(t->buf, t->cap, fmt, ap);
    va_end(ap);
    return n;
}

/* Shows fmt, the expected text and duet's on stderr (before a failed check). */
static void show(const run *r, const bytes *want, const char *got, size_t got_len)
{
    fprintf(stderr, "fmt  [%s] (%d arguments)\nwant [%.*s]\ngot  [%.*s]\n", r->fmt.data, r->nargs,
            (int)want->len, want->data, (int)got_len, got ? got : "");
}

/* Fills every %n's slot with SENTINEL, before a call whose counts are checked. */
static void reset_counts(run *r)
{
    for (int i = 0; i < r->ncounts; i++)
        memset(r->counts[i].at.bytes, SENTINEL, sizeof r->counts[i].at.bytes);
}

/* After a call that wrote the whole text: each %n stored the expected text's length before
 * it, in the bytes of its type (little-endian, the value cut to them) and no others. */
static void check_counts(const run *r)
{
    for (int i = 0; i < r->ncounts; i++) {
        const count_slot *slot = &r->counts[i];
        unsigned char want[sizeof slot->at.bytes];
        memset(want, SENTINEL, sizeof want);
        for (size_t b = 0; b < slot->size; b++)
            want[b] = (unsigned char)((uint64_t)slot->want >> (8 * (b < 8 ? b : 7)));
        if (memcmp(slot->at.bytes, want, sizeof want))
            fprintf(stderr, "fmt  [%s]: %%n number %d stored otherwise than %zu in %zu bytes\n", r->fmt.data, i + 1,
                    slot->want, slot->size);
        CHECK(memcmp(slot->at.bytes, want, sizeof want) == 0);
    }
}

/* Properties 1 and 2: the callback form, taking everything (with its %n counts) and taking
 * at most limit. */
static void check_callback(run *r, size_t limit)
{
    collector all = {{NULL, 0, 0}, SIZE_MAX, false};
    reset_counts(r);
    size_t n = dispatch(call_format, &all, r->fmt.data, r->args, r->nargs);
    check_counts(r);
    if (all.got.len != r->want.len || memcmp(all.got.data ? all.got.data : "", r->want.data, r->want.len))
        show(r, &r->want, all.got.data, all.got.len);
    CHECK(n == all.got.len);
    CHECK(all.got.len == r->want.len);
    CHECK(memcmp(all.got.data ? all.got.data : "", r->want.data, r->want.len) == 0);
    free(all.got.data);

    collector some = {{NULL, 0, 0}, limit, false};
    n = dispatch(call_format, &some, r->fmt.data, r->args, r->nargs);
    size_t want = limit < r->want.len ? limit : r->want.len;
    CHECK(n == want && some.got.len == want);
    CHECK(memcmp(some.got.data ? some.got.data : "", r->want.data, want) == 0);
    free(some.got.data);
}

/* Properties 3 and 4: into a buffer of cap bytes (fn: call_vtext, or NULL for
 * duet_format_text; nofloat: their _nofloat forms), cut with "..." when the text, want,
 * does not fit. */
static void check_text(const run *r, const bytes *want, size_t cap, caller fn, bool nofloat)
{
    text_buffer t = {malloc(cap ? cap : 1), cap, nofloat};
    CHECK(t.buf);
    t.buf[0] = 'x';
    size_t n = dispatch(fn, &t, r->fmt.data, r->args, r->nargs);
    if (cap == 0) {
        CHECK(n == 0 && t.buf[0] == 'x');
    } else if (want->len < cap) {
        if (n != want->len || memcmp(t.buf, want->data, n))
            show(r, want, t.buf, n);
        CHECK(n == want->len);
        CHECK(memcmp(t.buf, want->data, n) == 0 && t.buf[n] == '\0');
    } else {
        CHECK(n == cap - 1 && t.buf[n] == '\0');
        size_t kept = cap >= 4 ? cap - 4 : cap - 1;
        CHECK(memcmp(t.buf, want->data, kept) == 0);
        CHECK(cap < 4 || memcmp(t.buf + kept, "...", 3) == 0);
    }
    free(t.buf);
}

/* Property 5: C's vsnprintf into a buffer of cap bytes: the whole length, the text cut
 * plainly. */
static void check_snprintf(run *r, size_t cap)
{
    text_buffer t = {malloc(cap ? cap : 1), cap, false};
    CHECK(t.buf);
    t.buf[0] = 'x';
    reset_counts(r);
    size_t n = dispatch(call_vsnprintf, &t, r->fmt.data, r->args, r->nargs);
    check_counts(r); /* C's snprintf counts the whole text, cut or not */
    size_t kept = r->want.len < cap ? r->want.len : cap - 1;
    if (n != r->want.len || (cap && memcmp(t.buf, r->want.data, kept)))
        show(r, &r->want, t.buf, cap ? kept : 0);
    CHECK(n == r->want.len);
    if (cap == 0)
        CHECK(t.buf[0] == 'x');
    else
        CHECK(memcmp(t.buf, r->want.data, kept) == 0 && t.buf[kept] == '\0');
    free(t.buf);
}

/* Property 6: C's vasprintf, the whole text in memory of its size. */
static void check_asprintf(run *r)
{
    char *text = NULL;
    reset_counts(r);
    size_t n = dispatch(call_vasprintf, &text, r->fmt.data, r->args, r->nargs);
    check_counts(r);
    if (n != r->want.len || memcmp(text, r->want.data, r->want.len))
        show(r, &r->want, text, n);
    CHECK(n == r->want.len);
    CHECK(memcmp(text, r->want.data, n) == 0 && text[n] == '\0');
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader in = {data, size};
    unsigned pick = (unsigned)take(&in, 1);
    size_t cap = pick & 0x80 ? (size_t)take(&in, 2) % 6000 : pick;
    size_t limit = (size_t)take(&in, 2) % 3000;
    static run r;
    r.fmt.len = r.want.len = r.plain.len = 0;
    add(&r.fmt, "", 0);
    add(&r.want, "", 0);
    add(&r.plain, "", 0);
    r.nargs = r.nstrings = r.narrays = r.reserve = r.ncounts = 0;
    items(&r, &in);
    check_callback(&r, limit);
    check_text(&r, &r.want, cap, call_vtext, false);
    check_text(&r, &r.want, cap, NULL, false);
    check_text(&r, &r.plain, cap, call_vtext, true);
    check_text(&r, &r.plain, cap, NULL, true);
    check_snprintf(&r, cap);
    check_asprintf(&r);
    for (int i = 0; i < r.narrays; i++)
        free(r.arrays[i]);
    return 0;
}

/*
 * fuzz_sketch.c - libFuzzer target for the sketch translator (tools/sketch/sketch.c): a user
 * may write any bytes in a .ino file, and compilers print anything.
 *
 * Input: byte 0 gives the length of the path (its low 5 bits, at most what is left), the
 * path's bytes follow (a NUL among them becomes a backslash, so that a path holds any byte
 * a C string can), and the rest is the sketch's text (any bytes, NUL included).
 *
 * duet_sketch_translate writes the text into a memory stream (open_memstream). Checked:
 *
 * 1. It returns a count >= 0 (a memory stream does not fail), and writes exactly that many
 *    prototypes. (ASan and UBSan are on: no crash, no undefined behaviour, no leak.)
 * 2. The sketch's own text is there, unchanged and in order: the output is
 *      "#include <Arduino.h>\n", a #line directive, the text's lines up to a line start P,
 *      and, when it wrote prototypes, for each one a #line directive and the prototype's line, then
 *      a #line directive; then the rest of the text from P;
 *    taking out those added lines gives back the text exactly. A text that does not end in a
 *    newline gets one (sketch.h says so); NUL bytes are copied like any other byte. The
 *    decomposition is searched for (every line start P the output allows), so a text that
 *    holds lines like the added ones cannot confuse the check.
 * 3. Every #line directive is `#line N "path"` and quotes path so that reading the quoted
 *    string as C does (escapes \\ \" \n and octal ones) gives path back; N is the sketch line
 *    of the line that follows it: 1 for the text's first line, the line of P for the text
 *    after the prototypes; for a prototype, a line of the text at or after P's, not before
 *    the previous prototype's, and on which the prototype's first word appears.
 * 4. The prototypes go in at a point between top-level declarations: the start of line P is,
 *    by a scanner of this file's own (ref_scan), outside every comment, literal (raw strings
 *    included), preprocessor directive (with its continuations and comments), line splice
 *    and brace, parenthesis or bracket, and no declaration is under way there (the last
 *    token at file scope before it was a ';', a '}' closing to file scope, or there is none;
 *    directives do not count). P's line is no later than any prototype's line (so before the
 *    first function definition's line). Each prototype is one line ending in ';' with no
 *    default argument: no '=' on its own (not part of ==, <=, +=...) outside literals and
 *    deeper than the parameter list's own parentheses.
 * 5. Translating the same input again writes the same bytes and returns the same count.
 * With byte 0's bit 0x20 set, the byte after the path is a mask of kept lines (the lines the
 * preprocessor printed something of): line n is kept when bit n % 8 of it is set (with bit
 * 0x40 too, only the first half of the lines are in the set, the rest not kept), and
 * duet_sketch_translate_kept gets them. Checked besides 1.-5.:
 *
 * 7. The reference scanner splits the text into stretches at the conditional directives
 *    (#if #ifdef #ifndef #elif #else #elifdef #elifndef #endif, named by the word after '#'
 *    past white space, splices and block comments): a stretch is compiled when it is outside
 *    every conditional or a token or other directive of it starts on a kept line (every
 *    stretch, when the text has a #line or a '#' then a digit). No prototype names a line
 *    that begins in a skipped stretch, and line P begins in a compiled one; P's place between
 *    declarations (4.) is judged on the compiled stretches' tokens alone.
 * 8. Without kept lines: every line kept gives the same bytes and count as none given.
 * 9. duet_sketch_conditionals counts the #if, #ifdef and #ifndef the reference finds.
 * 10. The text as the preprocessor's output (duet_sketch_kept_lines, name "<sketch>"): no line
 *    is kept unless "\"<sketch>\"" is in it and it says it named the sketch.
 *
 * 11. Tabs (duet_sketch_translate_tabs): the text cut in two at its middle, tab A (path) and
 *    tab B ("tab2.ino"). The count is A's and B's own counts summed; when one of them has no
 *    function, the output is exactly A's own translation followed by B's without its
 *    "#include <Arduino.h>" line (the prototypes all in the one tab that has functions).
 *
 * 6. duet_sketch_explain, on the text cut at its first NUL taken as compiler messages and
 *    the path as sketch_name (a newline in the name made a space: a name on several lines is
 *    out of scope), writes exactly as many lines as it returns, each ending in a newline,
 *    each "duet-board build: FILE uses/includes ..." where FILE is sketch_name or the name of a
 *    file a message is about (FILE: and a digit, at a line's start or after a '/'), and no
 *    line twice (one line for each name).
 *
 * The lexical rules ref_scan follows (and the translator must too): line splices (a backslash
 * then \n or \r\n) join lines between tokens, in // comments, literals and directives (not
 * inside identifiers, numbers or a comment's "*" "/"); an ordinary literal ends at its quote
 * or before an unescaped newline; a raw string is R, LR, uR, UR or u8R, '"', a delimiter of
 * at most 16 printable bytes other than ( ) \ " and space, '(' ... ')' delimiter '"'
 * (otherwise the '"' opens an ordinary literal); inside a directive a quote opens an
 * ordinary literal; a number is a pp-number ('.' or a digit, then letters, digits, '_', '.',
 * e+ e- p+ p-, and ' before a letter, digit or '_'); '#' opens a directive when only
 * whitespace and comments come before it on its line; lines are counted at '\n' only.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sketch.h"

#include "fuzz_check.h"

/* ------------------------------------------------------------ the reference scanner */

/* The stretches of lines between conditional directives (#if #ifdef #ifndef #elif #else
 * #elifdef #elifndef #endif; see 7. at the top) and which the compiler compiles. */
typedef struct {
    const bool *kept;  /* kept[n]: the preprocessor printed something of line n (n < kept_lines) */
    size_t kept_lines;
    bool *live;        /* per stretch: compiled (the first pass sets it, the second reads it) */
    bool *line_live;   /* per line (1-based): begins in a compiled stretch; or NULL */
    size_t stretch;    /* the current one */
    int depth;         /* conditionals open */
    int opens;         /* #if, #ifdef, #ifndef seen */
    bool renumbered;   /* a #line or line marker: every stretch is compiled */
    bool second;       /* the second pass: tokens of a skipped stretch do not count */
} stretches;

typedef struct {
    const char *s;
    size_t len, i;
    int line;
    bool *clean;     /* per line (1-based): its start is a place for prototypes; or NULL */
    int nest;        /* open ( [ { */
    bool in_decl;    /* a declaration at file scope is under way */
    bool line_start; /* only whitespace and comments since the line began */
    stretches *st;   /* or NULL */
} scan;

/* The length of a line splice at i, or 0. */
static size_t splice_at(const scan *c, size_t i)
{
    if (i >= c->len || c->s[i] != '\\')
        return 0;
    if (i + 1 < c->len && c->s[i + 1] == '\n')
        return 2;
    if (i + 2 < c->len && c->s[i + 1] == '\r' && c->s[i + 2] == '\n')
        return 3;
    return 0;
}

/* A newline inside something (comment, literal, directive, splice): no place for prototypes. */
static void crossed(scan *c)
{
    c->line++;
    if (c->clean)
        c->clean[c->line] = false;
    if (c->st && c->st->line_live)
        c->st->line_live[c->line] = c->st->live[c->st->stretch];
}

static bool at(const scan *c, size_t i, char ch) { return i < c->len && c->s[i] == ch; }

/* From "//": up to (not including) the newline that ends it. */
static void line_comment(scan *c)
{
    c->i += 2;
    while (c->i < c->len) {
        size_t sp = splice_at(c, c->i);
        if (sp) {
            crossed(c);
            c->i += sp;
        } else if (c->s[c->i] == '\n') {
            return;
        } else {
            c->i++;
        }
    }
}

/* From the slash star: past the star slash (or to the end). */
static void block_comment(scan *c)
{
    c->i += 2;
    while (c->i < c->len) {
        if (c->s[c->i] == '*' && at(c, c->i + 1, '/')) {
            c->i += 2;
            return;
        }
        if (c->s[c->i] == '\n')
            crossed(c);
        c->i++;
    }
}

/* From a quote: past the closing quote, or up to an unescaped newline, or to the end. */
static void literal(scan *c)
{
    char q = c->s[c->i++];
    while (c->i < c->len) {
        char ch = c->s[c->i];
        if (ch == q) {
            c->i++;
            return;
        }
        if (ch == '\n')
            return;
        size_t sp = splice_at(c, c->i);
        if (sp) {
            crossed(c);
            c->i += sp;
        } else if (ch == '\\' && c->i + 1 < c->len) {
            c->i += 2;
        } else {
            c->i++;
        }
    }
}

static bool raw_prefix(const char *p, size_t n)
{
    return (n == 1 && p[0] == 'R') || (n == 2 && p[1] == 'R' && (p[0] == 'L' || p[0] == 'u' || p[0] == 'U')) ||
           (n == 3 && memcmp(p, "u8R", 3) == 0);
}

/* From the '"' after a raw prefix: a raw string, or an ordinary literal if no delimiter. */
static void raw_string(scan *c)
{
    size_t d = c->i + 1, k = d;
    while (k < c->len && k - d <= 16) {
        unsigned char ch = (unsigned char)c->s[k];
        if (ch == '(' || ch < 0x21 || ch > 0x7e || ch == ')' || ch == '\\' || ch == '"')
            break;
        k++;
    }
    if (!at(c, k, '(') || k - d > 16) {
        literal(c);
        return;
    }
    size_t dn = k - d;
    for (c->i = k + 1; c->i < c->len; c->i++) {
        if (c->s[c->i] == ')' && c->i + dn + 1 < c->len && memcmp(c->s + c->i + 1, c->s + d, dn) == 0 &&
            c->s[c->i + dn + 1] == '"') {
            c->i += dn + 2;
            return;
        }
        if (c->s[c->i] == '\n')
            crossed(c);
    }
}

/* From '#': up to the newline that ends the directive. */
static void directive(scan *c)
{
    c->i++;
    while (c->i < c->len) {
        size_t sp = splice_at(c, c->i);
        char ch = c->s[c->i];
        if (sp) {
            crossed(c);
            c->i += sp;
        } else if (ch == '\n') {
            return;
        } else if (ch == '/' && at(c, c->i + 1, '/')) {
            line_comment(c);
        } else if (ch == '/' && at(c, c->i + 1, '*')) {
            block_comment(c);
        } else if (ch == '"' || ch == '\'') {
            literal(c);
        } else {
            c->i++;
        }
    }
}

/* What the directive from '#' at start to c->i does to the stretches: 1 opens a conditional
 * (#if #ifdef #ifndef), 2 goes to its next branch (#elif #else #elifdef #elifndef), 3 closes
 * it (#endif), 4 numbers the lines anew (#line, or '#' then a digit), 0 nothing. Its name is
 * the word after '#', white space other than newlines, line splices and block comments. */
static int directive_kind(const scan *c, size_t start)
{
    size_t k = start + 1;
    while (k < c->i) {
        size_t sp = splice_at(c, k);
        if (sp) {
            k += sp;
        } else if (c->s[k] != '\n' && isspace((unsigned char)c->s[k])) {
            k++;
        } else if (c->s[k] == '/' && k + 1 < c->i && c->s[k + 1] == '*') {
            k += 2;
            while (k + 1 < c->i && !(c->s[k] == '*' && c->s[k + 1] == '/'))
                k++;
            k += 2;
        } else {
            break;
        }
    }
    if (k < c->i && isdigit((unsigned char)c->s[k]))
        return 4;
    size_t n = 0;
    while (k + n < c->i && (isalnum((unsigned char)c->s[k + n]) || c->s[k + n] == '_'))
        n++;
    static const char *const names[] = {"if", "ifdef", "ifndef", "elif", "else", "elifdef", "elifndef", "endif",
                                        "line"};
    static const int kinds[] = {1, 1, 1, 2, 2, 2, 2, 3, 4};
    for (size_t w = 0; w < sizeof names / sizeof names[0]; w++)
        if (strlen(names[w]) == n && memcmp(c->s + k, names[w], n) == 0)
            return kinds[w];
    return 0;
}

/* A directive (from '#' at start, on line) or a token (directive false) seen: the stretches
 * move on at a conditional directive; the first pass marks a stretch compiled when a token
 * or other directive of it is on a kept line. */
static void stretch_seen(scan *c, bool directive, size_t start, int line)
{
    stretches *st = c->st;
    int kind = directive ? directive_kind(c, start) : 0;
    if (kind >= 1 && kind <= 3) {
        st->depth += kind == 1 ? 1 : kind == 3 ? -1 : 0;
        st->opens += kind == 1 && !st->second;
        st->stretch++;
        if (!st->second)
            st->live[st->stretch] = st->depth <= 0;
    } else if (kind == 4) {
        st->renumbered = true;
    } else if (!st->second && (size_t)line < st->kept_lines && st->kept[line]) {
        st->live[st->stretch] = true;
    }
}

/* Does a number start at c->i? */
static bool number_at(const scan *c)
{
    return isdigit((unsigned char)c->s[c->i]) ||
           (c->s[c->i] == '.' && c->i + 1 < c->len && isdigit((unsigned char)c->s[c->i + 1]));
}

/* From a number's first byte: past it (a pp-number, with e+ and digit separators). */
static void number(scan *c)
{
    const char *s = c->s;
    c->i++;
    while (c->i < c->len) {
        char n = s[c->i];
        if ((n == '+' || n == '-') && strchr("eEpP", s[c->i - 1]))
            c->i++;
        else if (isalnum((unsigned char)n) || n == '_' || n == '.')
            c->i++;
        else if (n == '\'' && c->i + 1 < c->len && (isalnum((unsigned char)s[c->i + 1]) || s[c->i + 1] == '_'))
            c->i += 2;
        else
            break;
    }
}

/* What a token at file scope or deeper does to the nesting and the declaration under way. */
static void token_seen(scan *c, char punct)
{
    if (punct && strchr("{([", punct)) {
        if (c->nest == 0)
            c->in_decl = true;
        c->nest++;
    } else if (punct && strchr("})]", punct)) {
        if (c->nest > 0) {
            if (--c->nest == 0 && punct == '}')
                c->in_decl = false;
        } else {
            c->in_decl = true;
        }
    } else if (punct == ';') {
        if (c->nest == 0)
            c->in_decl = false;
    } else if (c->nest == 0) {
        c->in_decl = true;
    }
}

/* Scans s; clean[1..lines] (lines = newlines + 1) tell whether a line's start is a place
 * between declarations at file scope. */
static void ref_scan(const char *s, size_t len, bool *clean, stretches *st)
{
    scan c = {.s = s, .len = len, .line = 1, .clean = clean, .line_start = true, .st = st};
    clean[1] = true;
    if (st && st->line_live)
        st->line_live[1] = true;
    while (c.i < len) {
        char ch = s[c.i];
        size_t sp = splice_at(&c, c.i);
        if (ch == '\n') {
            c.line++;
            clean[c.line] = c.nest == 0 && !c.in_decl;
            if (st && st->line_live)
                st->line_live[c.line] = st->live[st->stretch];
            c.line_start = true;
            c.i++;
        } else if (sp) {
            crossed(&c);
            c.i += sp;
        } else if (isspace((unsigned char)ch)) {
            c.i++;
        } else if (ch == '/' && at(&c, c.i + 1, '/')) {
            line_comment(&c);
        } else if (ch == '/' && at(&c, c.i + 1, '*')) {
            block_comment(&c);
        } else {
            bool first = c.line_start;
            int line = c.line;
            size_t start = c.i;
            c.line_start = false;
            if (ch == '#' && first) {
                directive(&c);
                if (st)
                    stretch_seen(&c, true, start, line);
                continue;
            }
            if (st)
                stretch_seen(&c, false, start, line);
            /* A token the compiler skips is no token for the places of prototypes. */
            bool skipped = st && st->second && !st->live[st->stretch];
            char punct = 0;
            if (ch == '"' || ch == '\'') {
                literal(&c);
            } else if (isalpha((unsigned char)ch) || ch == '_') {
                while (c.i < len && (isalnum((unsigned char)s[c.i]) || s[c.i] == '_'))
                    c.i++;
                if (at(&c, c.i, '"') && raw_prefix(s + start, c.i - start))
                    raw_string(&c);
            } else if (number_at(&c)) {
                number(&c);
            } else {
                punct = ch;
                c.i++;
            }
            if (!skipped)
                token_seen(&c, punct);
        }
    }
}

/* Scans s (lines lines) with the kept lines st->kept: first the stretches and which are
 * compiled (all of them when the text numbers its lines anew), then clean[] as ref_scan
 * gives it over the compiled stretches' tokens alone, and st->line_live. */
static void ref_scan_kept(const char *s, size_t len, long lines, bool *clean, stretches *st)
{
    bool *line_live = st->line_live;
    st->line_live = NULL;
    st->live[0] = true; /* before any conditional */
    ref_scan(s, len, clean, st);
    if (st->renumbered)
        for (size_t k = 0; k <= st->stretch; k++)
            st->live[k] = true;
    memset(clean, 0, ((size_t)lines + 2) * sizeof *clean);
    *st = (stretches){st->kept, st->kept_lines, st->live, line_live, 0, 0, st->opens, st->renumbered, true};
    ref_scan(s, len, clean, st);
}

/* ------------------------------------------------------------ reading the output */

static bool starts(const char *p, const char *end, const char *with)
{
    size_t n = strlen(with);
    return (size_t)(end - p) >= n && memcmp(p, with, n) == 0;
}

/* Reads `#line N "quoted"\n` at *p: N into *n, checks the quoted string reads back as path.
 * Moves *p past it; false if it is not such a line. */
static bool line_directive(const char **p, const char *end, const char *path, long *n)
{
    const char *q = *p;
    if (!starts(q, end, "#line "))
        return false;
    q += 6;
    if (q == end || !isdigit((unsigned char)*q))
        return false;
    *n = 0;
    while (q < end && isdigit((unsigned char)*q) && *n < 100000000)
        *n = *n * 10 + (*q++ - '0');
    if (!starts(q, end, " \""))
        return false;
    q += 2;
    size_t k = 0, plen = strlen(path);
    for (;;) {
        if (q == end || *q == '\n')
            return false;
        unsigned char ch = (unsigned char)*q++;
        if (ch == '"')
            break;
        if (ch == '\\') {
            if (q == end)
                return false;
            char e = *q++;
            if (e >= '0' && e <= '7') {
                unsigned v = (unsigned)(e - '0');
                for (int d = 0; d < 2 && q < end && *q >= '0' && *q <= '7'; d++)
                    v = v * 8 + (unsigned)(*q++ - '0');
                ch = (unsigned char)v;
            } else if (e == 'n') {
                ch = '\n';
            } else if (e == '\\' || e == '"' || e == '\'' || e == '?') {
                ch = (unsigned char)e;
            } else {
                return false;
            }
        }
        if (k >= plen || (unsigned char)path[k] != ch)
            return false;
        k++;
    }
    if (k != plen || !starts(q, end, "\n"))
        return false;
    *p = q + 1;
    return true;
}

/* The prototype line at *p (one line, ending with ";\n"): its text, and *p moved past it.
 * False if there is no such line. */
static bool prototype(const char **p, const char *end, const char **text, size_t *tlen)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl || nl == *p || nl[-1] != ';')
        return false;
    *text = *p;
    *tlen = (size_t)(nl - *p);
    *p = nl + 1;
    return true;
}

/* Does the prototype hold a default argument (see 4. at the top)? */
static bool has_default_argument(const char *t, size_t n)
{
    scan c = {.s = t, .len = n, .line = 1};
    bool found = false;
    static const char op[] = "=!<>+-*/%&|^";
    while (c.i < n && !found) {
        char ch = t[c.i];
        size_t start = c.i;
        if (ch == '"' || ch == '\'') {
            literal(&c);
        } else if (isalpha((unsigned char)ch) || ch == '_') {
            while (c.i < n && (isalnum((unsigned char)t[c.i]) || t[c.i] == '_'))
                c.i++;
            if (at(&c, c.i, '"') && raw_prefix(t + start, c.i - start))
                raw_string(&c);
        } else if (number_at(&c)) {
            number(&c);
        } else {
            if (ch == '=' && c.nest <= 1 && (c.i == 0 || !strchr(op, t[c.i - 1])) &&
                (c.i + 1 == n || !strchr(op, t[c.i + 1])))
                found = true;
            if (strchr("([{", ch))
                c.nest++;
            else if (strchr(")]}", ch) && c.nest > 0)
                c.nest--;
            c.i++;
        }
    }
    return found;
}

/* The 1-based line that byte offset off of s starts on. */
static long line_of(const char *s, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

/* The offset where line (1-based) starts in s, or len if it has no such line. */
static size_t line_start_of(const char *s, size_t len, long line)
{
    size_t i = 0;
    for (long l = 1; l < line && i < len; i++)
        if (s[i] == '\n')
            l++;
    return i;
}

/* Checks the decomposition of out (after the first #line) as the text up to P, n prototypes
 * and the rest of the text. True if it holds; the failing step is printed otherwise. */
static bool decomposes(const char *in, size_t ilen, const char *r, size_t rlen, size_t P, int n, const char *path,
                       const bool *clean, const bool *line_live, bool report)
{
    const char *p = r + P, *end = r + rlen;
    long line_p = line_of(in, P), last = line_p;
    for (int f = 0; f < n; f++) {
        long at_line;
        const char *t;
        size_t tlen;
        if (!line_directive(&p, end, path, &at_line) || !prototype(&p, end, &t, &tlen)) {
            if (report)
                fprintf(stderr, "P=%zu: prototype %d is not a #line and a line ending in ';'\n", P, f);
            return false;
        }
        /* The prototype's line: at or after P's and the previous one's, and the first word
         * of the prototype is on it. */
        size_t word = 0;
        while (word < tlen && t[word] != ' ')
            word++;
        size_t from = line_start_of(in, ilen, at_line), to = line_start_of(in, ilen, at_line + 1);
        bool on_line = false;
        for (size_t k = from; k < to && !on_line; k++)
            on_line = k + word <= ilen && memcmp(in + k, t, word) == 0;
        bool skipped = at_line <= line_of(in, ilen) && !line_live[at_line];
        if (at_line < last || from >= ilen || !on_line || has_default_argument(t, tlen) || skipped) {
            if (report)
                fprintf(stderr,
                        "P=%zu (line %ld): prototype %d '%.*s' at line %ld: before the last (%ld) %d, not a line %d, "
                        "first word not there %d, default argument %d, in a skipped stretch %d\n",
                        P, line_p, f, (int)tlen, t, at_line, last, at_line < last, from >= ilen, !on_line,
                        has_default_argument(t, tlen), skipped);
            return false;
        }
        last = at_line;
    }
    long back;
    if (!line_directive(&p, end, path, &back) || back != line_p) {
        if (report)
            fprintf(stderr, "P=%zu: no #line %ld after the prototypes\n", P, line_p);
        return false;
    }
    if ((size_t)(end - p) != ilen - P || memcmp(p, in + P, ilen - P) != 0) {
        if (report)
            fprintf(stderr, "P=%zu: the rest of the text is not the text from P\n", P);
        return false;
    }
    if (!clean[line_p] || !line_live[line_p]) {
        if (report)
            fprintf(stderr,
                    "P=%zu: line %ld starts inside something or a declaration (%d), or in a skipped stretch (%d)\n",
                    P, line_p, !clean[line_p], !line_live[line_p]);
        return false;
    }
    return true;
}

/* What duet_sketch_translate wrote (duet_sketch_translate_kept with kept, if not NULL), and
 * what it returned. */
static char *translate(const char *text, size_t len, const char *path, const bool *kept, size_t kept_lines,
                       size_t *olen, int *ret)
{
    char *out = NULL;
    FILE *f = open_memstream(&out, olen);
    CHECK(f);
    *ret = kept ? duet_sketch_translate_kept(text, len, path, kept, kept_lines, f)
                : duet_sketch_translate(text, len, path, f);
    CHECK(fclose(f) == 0);
    return out;
}

/* kept: the lines the preprocessor kept (kept_lines of them), or NULL for all. */
static void check_translate(const char *text, size_t len, const char *path, const bool *kept, size_t kept_lines)
{
    size_t olen;
    int ret;
    char *out = translate(text, len, path, kept, kept_lines, &olen, &ret);
    CHECK(ret >= 0);

    /* 5. Twice the same. 8. Every line kept: the same as without kept lines. */
    size_t olen2, lines_all = 2;
    int ret2;
    char *out2 = translate(text, len, path, kept, kept_lines, &olen2, &ret2);
    CHECK(ret2 == ret && olen2 == olen && memcmp(out, out2, olen) == 0);
    free(out2);
    for (size_t i = 0; i < len; i++)
        lines_all += text[i] == '\n';
    bool *all = malloc(lines_all * sizeof *all);
    CHECK(all);
    memset(all, 1, lines_all * sizeof *all);
    if (!kept) {
        out2 = translate(text, len, path, all, lines_all, &olen2, &ret2);
        CHECK(ret2 == ret && olen2 == olen && memcmp(out, out2, olen) == 0);
        free(out2);
    }

    /* The text with the newline the translator gives a last line without one. */
    size_t ilen = len + (len && text[len - 1] != '\n');
    char *in = malloc(ilen + 1);
    CHECK(in);
    memcpy(in, text, len);
    if (ilen > len)
        in[len] = '\n';
    in[ilen] = '\0';

    const char *p = out, *end = out + olen;
    long one;
    CHECK(starts(p, end, "#include <Arduino.h>\n"));
    p += strlen("#include <Arduino.h>\n");
    CHECK(line_directive(&p, end, path, &one) && one == 1);
    const char *r = p;
    size_t rlen = (size_t)(end - p);

    long lines = line_of(in, ilen);
    bool *clean = calloc((size_t)lines + 2, sizeof *clean);
    bool *live = calloc((size_t)lines + 2, sizeof *live);
    bool *line_live = calloc((size_t)lines + 2, sizeof *line_live);
    CHECK(clean && live && line_live);
    stretches st = {kept ? kept : all, kept ? kept_lines : lines_all, live, line_live, 0, 0, 0, false, false};
    ref_scan_kept(in, ilen, lines, clean, &st);
    /* 9. The conditionals counted as the reference counts them. */
    CHECK(duet_sketch_conditionals(text, len) == st.opens);

    if (ret == 0) {
        CHECK(rlen == ilen && memcmp(r, in, ilen) == 0);
    } else {
        size_t common = 0;
        while (common < rlen && common < ilen && r[common] == in[common])
            common++;
        bool found = false;
        /* Every line start P <= common, the latest first. */
        for (size_t P = common + 1; P-- > 0 && !found;)
            if ((P == 0 || in[P - 1] == '\n') && P < ilen)
                found = decomposes(in, ilen, r, rlen, P, ret, path, clean, line_live, false);
        if (!found) {
            for (size_t P = common + 1; P-- > 0;)
                if ((P == 0 || in[P - 1] == '\n') && P < ilen)
                    decomposes(in, ilen, r, rlen, P, ret, path, clean, line_live, true);
            fprintf(stderr, "output:\n%.*s\n", (int)olen, out);
        }
        CHECK(found);
    }
    free(clean);
    free(live);
    free(line_live);
    free(all);
    free(in);
    free(out);
}

/* ------------------------------------------------------------ explain */

/* Whether text holds file (flen bytes) at the start of a line or after a '/', followed by
 * ':' and a digit: a compiler's message about that file. */
static bool message_about(const char *text, const char *file, size_t flen)
{
    for (const char *p = text; (p = strstr(p, ":")) != NULL; p++) {
        if (!isdigit((unsigned char)p[1]) || (size_t)(p - text) < flen)
            continue;
        const char *start = p - flen;
        if (memcmp(start, file, flen) == 0 && (start == text || start[-1] == '\n' || start[-1] == '/'))
            return true;
    }
    return false;
}

/* Whether file (flen bytes) is the sketch's name or a file that a message is about. */
static bool known_file(const char *file, size_t flen, const char *messages, const char *name)
{
    if (flen == strlen(name) && memcmp(file, name, flen) == 0)
        return true;
    return memchr(file, '/', flen) == NULL && message_about(messages, file, flen);
}

/* Whether an explain line ("duet-board build: FILE uses ..." or "... includes ...") names the
 * sketch or a file that a message is about. A name may hold " uses " or " includes " itself, so
 * each place either stands is tried as the end of FILE. */
static bool explained_file_is_known(const char *line, size_t n, const char *messages, const char *name)
{
    static const char lead[] = "duet-board build: ";
    static const char *const words[] = {" uses ", " includes "};
    if (n < sizeof lead - 1 || memcmp(line, lead, sizeof lead - 1) != 0)
        return false;
    const char *file = line + sizeof lead - 1;
    for (size_t w = 0; w < 2; w++) {
        size_t wlen = strlen(words[w]);
        for (const char *at = file; (at = memmem(at, (size_t)(line + n - at), words[w], wlen)) != NULL; at++)
            if (known_file(file, (size_t)(at - file), messages, name))
                return true;
    }
    return false;
}

static void check_explain(const char *messages, const char *name)
{
    char *out = NULL;
    size_t olen = 0;
    FILE *f = open_memstream(&out, &olen);
    CHECK(f);
    int count = duet_sketch_explain(messages, name, f);
    CHECK(fclose(f) == 0);
    CHECK(count >= 0);
    CHECK(olen == 0 || out[olen - 1] == '\n');
    int lines = 0;
    for (const char *line = out; line < out + olen;) {
        const char *nl = memchr(line, '\n', (size_t)(out + olen - line));
        CHECK(nl);
        size_t n = (size_t)(nl - line);
        CHECK(explained_file_is_known(line, n, messages, name));
        /* No line twice. */
        for (const char *other = out; other < line;) {
            const char *onl = memchr(other, '\n', (size_t)(line - other));
            CHECK(!((size_t)(onl - other) == n && memcmp(other, line, n) == 0));
            other = onl + 1;
        }
        lines++;
        line = nl + 1;
    }
    CHECK(lines == count);
    free(out);
}

/* 10. The text read as the preprocessor's output: a line is kept only after a line marker
 * naming the sketch, and then only if it holds more than white space. */
static void check_kept_lines(const char *text, size_t len)
{
    bool kept[24];
    int seen = duet_sketch_kept_lines(text, len, "<sketch>", kept, sizeof kept);
    CHECK(seen == 0 || seen == 1);
    bool named = false;
    for (size_t i = 0; i + 10 <= len && !named; i++)
        named = memcmp(text + i, "\"<sketch>\"", 10) == 0;
    CHECK(named || !seen);
    for (size_t n = 0; n < sizeof kept && !seen; n++)
        CHECK(!kept[n]);
}

/* 11.: the text as two tabs, cut at its middle. */
static void check_tabs(const char *text, size_t len, const char *path)
{
    static const char include[] = "#include <Arduino.h>\n";
    size_t half = len / 2, alen, blen, olen;
    int na, nb, n;
    char *a = translate(text, half, path, NULL, 0, &alen, &na);
    char *b = translate(text + half, len - half, "tab2.ino", NULL, 0, &blen, &nb);
    const duet_sketch_tab tabs[] = {{text, half, path, NULL, 0}, {text + half, len - half, "tab2.ino", NULL, 0}};
    char *out = NULL;
    FILE *f = open_memstream(&out, &olen);
    CHECK(f);
    n = duet_sketch_translate_tabs(tabs, 2, f);
    CHECK(fclose(f) == 0);
    CHECK(n == na + nb);
    CHECK(blen >= sizeof include - 1 && memcmp(b, include, sizeof include - 1) == 0);
    if (na == 0 || nb == 0) {
        size_t rest = blen - (sizeof include - 1);
        CHECK(olen == alen + rest && memcmp(out, a, alen) == 0 && memcmp(out + alen, b + sizeof include - 1, rest) == 0);
    }
    free(a);
    free(b);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t plen = data[0] & 31;
    if (plen > size - 1)
        plen = size - 1;
    char path[32];
    for (size_t k = 0; k < plen; k++)
        path[k] = data[1 + k] ? (char)data[1 + k] : '\\';
    path[plen] = '\0';
    size_t skip = 1 + plen;
    /* Kept lines: line n kept when bit n % 8 of the mask is set. */
    bool with_kept = (data[0] & 0x20) && skip < size;
    unsigned mask = with_kept ? data[skip++] : 0;
    const char *text = (const char *)data + skip;
    size_t len = size - skip;

    if (with_kept) {
        size_t kept_lines = 2;
        for (size_t i = 0; i < len; i++)
            kept_lines += text[i] == '\n';
        if (data[0] & 0x40)
            kept_lines /= 2; /* the later lines: not kept */
        bool *kept = malloc(kept_lines * sizeof *kept);
        CHECK(kept);
        for (size_t n = 0; n < kept_lines; n++)
            kept[n] = (mask >> (n % 8)) & 1;
        check_translate(text, len, path, kept, kept_lines);
        free(kept);
    } else {
        check_translate(text, len, path, NULL, 0);
    }
    check_kept_lines(text, len);
    check_tabs(text, len, path);

    char *messages = fuzz_text((const uint8_t *)text, len);
    for (size_t k = 0; k < plen; k++)
        if (path[k] == '\n')
            path[k] = ' ';
    check_explain(messages, path);
    free(messages);
    return 0;
}

/* sketch.c - a .ino sketch as C++ (prototypes, #line), and compiler messages explained. */
#include "sketch.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ tokens */

/* TOK_BROKEN: a literal without its closing quote (the compiler rejects it; it gets no
 * prototype, where it would swallow what follows it on the prototype's line). */
typedef enum { TOK_IDENT, TOK_PUNCT, TOK_OTHER, TOK_DIRECTIVE, TOK_BROKEN } tok_kind;

typedef struct {
    tok_kind kind;
    size_t start, end; /* bytes of the token in the text */
    int line;          /* 1-based line of its first byte */
} token;

typedef struct {
    token *v;
    size_t n, cap;
} token_list;

static bool push(token_list *l, tok_kind kind, size_t start, size_t end, int line)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 256;
        token *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return false;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (token){kind, start, end, line};
    return true;
}

/* Punctuation kept whole, so that a prototype rebuilt from tokens (written with spaces
 * between them) reads the same: "a == b" written "a = = b" would be two '=' (no longer C++,
 * and taken for a default argument). The longest first. */
static const char *const multi_punct[] = {"<<=", ">>=", "<=>", "->*", "...", "::", "&&", "||", "->", "<<", ">>",
                                          "==",  "!=",  "<=",  ">=",  "+=",  "-=", "*=", "/=", "%=", "&=", "|=",
                                          "^=",  "++",  "--",  ".*",  "##",  NULL};

/* The text being split into tokens, its current line, and which lines begin inside
 * something (a comment, a literal, a directive or a line splice): no place to put lines. */
typedef struct {
    const char *s;
    size_t len;
    int line;
    bool *inside; /* by line, 1-based */
    bool broken;  /* the last literal skipped had no end */
} lexer;

/* A newline inside a comment, literal, directive or splice. */
static void newline_inside(lexer *x)
{
    x->line++;
    x->inside[x->line] = true;
}

/* The length of a line splice (a backslash, then \n or \r\n: the compiler joins the two
 * lines) at i, or 0. Splices are honoured between tokens and in comments, literals and
 * directives, not in the middle of a word. */
static size_t splice_at(const lexer *x, size_t i)
{
    if (i >= x->len || x->s[i] != '\\')
        return 0;
    if (i + 1 < x->len && x->s[i + 1] == '\n')
        return 2;
    if (i + 2 < x->len && x->s[i + 1] == '\r' && x->s[i + 2] == '\n')
        return 3;
    return 0;
}

/* Skips a quoted literal starting at i (the quote); returns the index after it. An
 * unterminated one ends before the newline (as the compiler ends it), not at a quote
 * lines later. */
static size_t skip_quoted(lexer *x, size_t i)
{
    const char *s = x->s;
    char q = s[i++];
    while (i < x->len && s[i] != q && s[i] != '\n') {
        size_t sp = splice_at(x, i);
        if (sp) {
            newline_inside(x);
            i += sp;
        } else {
            i += s[i] == '\\' && i + 1 < x->len ? 2 : 1;
        }
    }
    if (i < x->len && s[i] == q)
        return i + 1;
    x->broken = true;
    return i;
}

/* Is p (n bytes) the prefix of a raw string literal? */
static bool raw_prefix(const char *p, size_t n)
{
    return (n == 1 && p[0] == 'R') || (n == 2 && p[1] == 'R' && (p[0] == 'L' || p[0] == 'u' || p[0] == 'U')) ||
           (n == 3 && memcmp(p, "u8R", 3) == 0);
}

/* Skips a raw string literal whose '"' is at i: R"delim( ... )delim", where the text may hold
 * quotes, backslashes and newlines. Without a valid delimiter (at most 16 printable bytes
 * other than ( ) \ " and space, then '(') the '"' opens an ordinary literal. */
static size_t skip_raw(lexer *x, size_t i)
{
    const char *s = x->s;
    size_t d = i + 1, k = d;
    while (k < x->len && k - d <= 16 && s[k] != '(' && (unsigned char)s[k] > 0x20 && (unsigned char)s[k] < 0x7f &&
           s[k] != ')' && s[k] != '\\' && s[k] != '"')
        k++;
    if (k >= x->len || s[k] != '(' || k - d > 16)
        return skip_quoted(x, i);
    size_t n = k - d;
    for (k++; k < x->len; k++) {
        if (s[k] == ')' && k + n + 1 < x->len && memcmp(s + k + 1, s + d, n) == 0 && s[k + n + 1] == '"')
            return k + n + 2;
        if (s[k] == '\n')
            newline_inside(x);
    }
    x->broken = true;
    return x->len;
}

/* If a comment starts at i, the index after it (a // comment: up to its newline, which a
 * splice continues); else i. */
static size_t skip_comment(lexer *x, size_t i)
{
    const char *s = x->s;
    size_t len = x->len;
    if (s[i] != '/' || i + 1 >= len)
        return i;
    if (s[i + 1] == '/') {
        while (i < len && s[i] != '\n') {
            size_t sp = splice_at(x, i);
            if (sp)
                newline_inside(x);
            i += sp ? sp : 1;
        }
        return i;
    }
    if (s[i + 1] != '*')
        return i;
    i += 2;
    while (i + 1 < len && !(s[i] == '*' && s[i + 1] == '/')) {
        if (s[i] == '\n')
            newline_inside(x);
        i++;
    }
    return i + 2 < len ? i + 2 : len;
}

/* The end of the preprocessor line whose '#' is at i: the end of the line, with its
 * continuations, and with the comments in it (a block comment's newlines do not end it) and
 * its literals (a slash star in one opens no comment). */
static size_t directive_end(lexer *x, size_t i)
{
    const char *s = x->s;
    i++;
    while (i < x->len && s[i] != '\n') {
        size_t sp = splice_at(x, i), after = skip_comment(x, i);
        if (sp) {
            newline_inside(x);
            i += sp;
        } else if (after != i) {
            i = after;
        } else if (s[i] == '"' || s[i] == '\'') {
            i = skip_quoted(x, i);
        } else {
            i++;
        }
    }
    return i;
}

/* The end of the token that starts at i (not a space or comment), and its kind. */
static size_t token_end(lexer *x, size_t i, bool line_start, tok_kind *kind)
{
    const char *s = x->s;
    size_t len = x->len, start = i;
    char c = s[i];
    *kind = TOK_OTHER;
    if (c == '#' && line_start) {
        i = directive_end(x, i);
        *kind = TOK_DIRECTIVE;
    } else if (c == '"' || c == '\'') {
        i = skip_quoted(x, i);
        *kind = x->broken ? TOK_BROKEN : TOK_OTHER;
    } else if (isalpha((unsigned char)c) || c == '_') {
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
            i++;
        *kind = TOK_IDENT;
        /* A literal with a prefix (u8"..", L'x', R"(..)"): one token with its quotes. */
        if (i < len && s[i] == '"' && raw_prefix(s + start, i - start)) {
            i = skip_raw(x, i);
            *kind = x->broken ? TOK_BROKEN : TOK_OTHER;
        } else if (i < len && (s[i] == '"' || s[i] == '\'') && i - start <= 2) {
            i = skip_quoted(x, i);
            *kind = x->broken ? TOK_BROKEN : TOK_OTHER;
        }
    } else if (isdigit((unsigned char)c)) {
        /* A number as the compiler reads one: 1e+5 and 0x1p-3 whole, a ' only between
         * digits or letters (1'000), so that 1'a' is no number swallowing a quote. */
        i++;
        while (i < len) {
            if ((s[i] == '+' || s[i] == '-') && strchr("eEpP", s[i - 1]))
                i++;
            else if (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.')
                i++;
            else if (s[i] == '\'' && i + 1 < len && (isalnum((unsigned char)s[i + 1]) || s[i + 1] == '_'))
                i += 2;
            else
                break;
        }
    } else {
        *kind = TOK_PUNCT;
        i++;
        for (const char *const *m = multi_punct; *m; m++) {
            size_t n = strlen(*m);
            if (start + n <= len && memcmp(s + start, *m, n) == 0)
                return start + n;
        }
    }
    return i;
}

/* Splits the text into tokens; comments, whitespace and line splices go, a preprocessor
 * line is one TOK_DIRECTIVE. inside (lines + 1 entries, zeroed) gets which lines begin
 * inside something. False if memory ran out. */
static bool tokenize(const char *s, size_t len, token_list *out, bool *inside)
{
    lexer x = {s, len, 1, inside, false};
    bool line_start = true; /* only whitespace and comments since the last newline */
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == '\n') {
            x.line++;
            line_start = true;
            i++;
            continue;
        }
        /* A splice outside any token joins two lines: the second continues the first. */
        size_t sp = splice_at(&x, i);
        if (sp) {
            newline_inside(&x);
            i += sp;
            continue;
        }
        size_t after = skip_comment(&x, i);
        if (isspace((unsigned char)c) || after != i) {
            i = after != i ? after : i + 1;
            continue;
        }
        int start_line = x.line;
        tok_kind kind;
        x.broken = false;
        size_t end = token_end(&x, i, line_start, &kind);
        line_start = false;
        if (!push(out, kind, i, end, start_line))
            return false;
        i = end;
    }
    return true;
}

static bool is(const char *s, const token *t, const char *word)
{
    size_t n = strlen(word);
    return t->end - t->start == n && memcmp(s + t->start, word, n) == 0;
}

/* ------------------------------------------------------------ functions at file scope */

/* Words that make the braces after a parenthesis no function body, or a declaration no
 * plain function. */
static const char *const not_a_name[] = {"if", "for", "while", "switch", "catch", "return", "sizeof",
                                         "decltype", "alignof", "alignas", "__attribute__", "defined", NULL};
static const char *const not_a_function[] = {"class", "struct", "union", "enum", "namespace", "template",
                                              "operator", "typedef", "using", "extern", NULL};

static bool in_list(const char *s, const token *t, const char *const *words)
{
    for (; *words; words++)
        if (is(s, t, *words))
            return true;
    return false;
}

/* Tokens first..last (inclusive) come before a '{' at file scope: the index of the '(' of a
 * function definition's parameter list, or 0 when they are no function definition. */
static size_t function_params(const char *s, const token *t, size_t first, size_t last)
{
    if (t[last].kind != TOK_PUNCT || !is(s, &t[last], ")"))
        return 0;
    int depth = 0;
    size_t open = last + 1;
    for (size_t k = last + 1; k-- > first;) {
        if (is(s, &t[k], ")"))
            depth++;
        else if (is(s, &t[k], "(") && --depth == 0) {
            open = k;
            break;
        }
    }
    /* A return type, a name, then the parameters. */
    if (open > last || open < first + 2)
        return 0;
    const token *name = &t[open - 1];
    if (name->kind != TOK_IDENT || in_list(s, name, not_a_name))
        return 0;
    const token *before = &t[open - 2];
    if (is(s, before, "::") || is(s, before, ".") || is(s, before, "->"))
        return 0;
    for (size_t k = first; k < open; k++)
        if (is(s, &t[k], "=") || in_list(s, &t[k], not_a_function))
            return 0;
    /* A prototype is one line: a literal over lines (a raw string, a splice) would carry its
     * lines into it, and they could read as anything (a "#line" of its own). */
    for (size_t k = first; k <= last; k++)
        if (t[k].kind == TOK_BROKEN || memchr(s + t[k].start, '\n', t[k].end - t[k].start))
            return 0;
    /* The parameters' brackets nest, the last ')' closing the first '(': a stray '}' in them
     * (f(a}b = 1)) is no parameter list, and would leave a default argument in. */
    int nest = 0;
    for (size_t k = open; k <= last; k++) {
        if (is(s, &t[k], "(") || is(s, &t[k], "[") || is(s, &t[k], "{"))
            nest++;
        else if ((is(s, &t[k], ")") || is(s, &t[k], "]") || is(s, &t[k], "}")) && --nest == 0 && k < last)
            return 0;
    }
    return nest == 0 ? open : 0;
}

static bool opens(const char *s, const token *t)
{
    return is(s, t, "(") || is(s, t, "[") || is(s, t, "{");
}

static bool closes(const char *s, const token *t)
{
    return is(s, t, ")") || is(s, t, "]") || is(s, t, "}");
}

/* Whether the '<' at t[k] (k after the parameters' '(', up to last) in a default value opens
 * a template's arguments: it follows a name, and a '>' closes it (nested ones counted, '>>'
 * as two; those inside brackets are comparisons) before a '=' or ';' or a bracket closing
 * what was open before it, none of which template arguments hold. The index of that '>' or
 * '>>'; 0 when the '<' is a comparison ("x < y, int b": the ',' ends the value). */
static size_t template_close(const char *s, const token *t, size_t k, size_t last)
{
    if (t[k - 1].kind != TOK_IDENT)
        return 0;
    int nest = 0, angle = 1;
    for (size_t j = k + 1; j <= last; j++) {
        if (opens(s, &t[j]))
            nest++;
        else if (closes(s, &t[j]) && nest-- == 0)
            return 0;
        if (nest > 0 || closes(s, &t[j]))
            continue;
        if (is(s, &t[j], "=") || is(s, &t[j], ";"))
            return 0;
        if (is(s, &t[j], "<") && t[j - 1].kind == TOK_IDENT)
            angle++;
        else if (is(s, &t[j], ">") || is(s, &t[j], ">>"))
            angle -= is(s, &t[j], ">") ? 1 : 2;
        if (angle <= 0)
            return j;
    }
    return 0;
}

/* Writes the prototype of the function whose tokens run first..last, parameters opening at
 * open, without default arguments: a default value runs from its '=' to the ',' (or the
 * last ')') outside brackets that ends it. Brackets are ( [ { and, in a default value only, a
 * template's < > (template_close: the ',' of std::map<int, int>() ends no value, that of
 * "x < y, int b" does). In parameter types '<' and '>' are not counted at all: they may be
 * comparisons (T<(1>2)>). */
static void write_prototype(FILE *out, const char *s, const token *t, size_t first, size_t open, size_t last)
{
    int depth = 0;
    bool skipping = false;
    for (size_t k = first; k <= last; k++) {
        if (k > open) {
            depth += opens(s, &t[k]) ? 1 : closes(s, &t[k]) ? -1 : 0;
            if (depth == 0 && is(s, &t[k], "=") && !skipping)
                skipping = true;
            size_t close = skipping && is(s, &t[k], "<") ? template_close(s, t, k, last) : 0;
            if (close) {
                k = close; /* the template's arguments, skipped whole */
                continue;
            }
            if (skipping && ((depth == 0 && is(s, &t[k], ",")) || k == last))
                skipping = false;
            if (skipping)
                continue;
        }
        if (k > first)
            fputc(' ', out);
        fwrite(s + t[k].start, 1, t[k].end - t[k].start, out);
    }
    fputs(";\n", out);
}

/* Writes text lines [from, to) (1-based, to exclusive; 0: to the end). */
static void write_lines(FILE *out, const char *s, size_t len, int from, int to)
{
    int line = 1;
    for (size_t i = 0; i < len; i++) {
        if (line >= from && (to == 0 || line < to))
            fputc(s[i], out);
        if (s[i] == '\n')
            line++;
    }
    if (to == 0 && len && s[len - 1] != '\n')
        fputc('\n', out);
}

/* A function definition at file scope: its first token, the '(' of its parameters and its
 * last token before the body. */
typedef struct {
    size_t first, open, last;
} definition;

/* The function definitions at file scope among the tokens, in order, into defs (one per
 * token at most); their count. */
static size_t find_definitions(const char *text, const token_list *l, definition *defs)
{
    size_t found = 0;
    int depth = 0;
    /* Parentheses and brackets open at file scope: braces in them (a default argument's {},
     * a lambda passed to a constructor) are no body, and closing them ends no declaration. */
    int paren = 0;
    size_t decl = SIZE_MAX; /* the first token of the declaration at file scope, if any */
    for (size_t k = 0; k < l->n; k++) {
        const token *t = &l->v[k];
        if (depth == 0 && t->kind == TOK_DIRECTIVE) {
            decl = SIZE_MAX;
            continue;
        }
        if (t->kind == TOK_PUNCT && is(text, t, "{")) {
            if (depth == 0 && paren == 0 && decl != SIZE_MAX && k > decl) {
                size_t open = function_params(text, l->v, decl, k - 1);
                if (open)
                    defs[found++] = (definition){decl, open, k - 1};
            }
            depth++;
        } else if (t->kind == TOK_PUNCT && is(text, t, "}")) {
            if (depth > 0 && --depth == 0 && paren == 0)
                decl = SIZE_MAX;
        } else if (depth == 0) {
            if (is(text, t, "(") || is(text, t, "["))
                paren++;
            else if ((is(text, t, ")") || is(text, t, "]")) && paren > 0)
                paren--;
            if (is(text, t, ";")) /* ends a declaration, and any parenthesis left open */
                decl = SIZE_MAX, paren = 0;
            else if (decl == SIZE_MAX)
                decl = k;
        }
    }
    return found;
}

/* The line to put the prototypes before: the latest line, no later than the first
 * definition's, whose start is a point between declarations at file scope. Not inside a
 * comment, literal, directive or splice (inside[line]), nor inside braces, parentheses or
 * brackets, nor in a declaration under way: the last token at file scope before it is a ';'
 * or a '}' closing to file scope (directives do not count). The first definition's own line
 * may not be one ("int x =\n 5; void f() {}", or a comment's second line before f), and
 * prototypes put there would land inside the declaration or the comment. Line 1 always is. */
static int insertion_line(const char *s, const token_list *l, const bool *inside, size_t first)
{
    int best = 1, nest = 0;
    bool in_decl = false;
    for (size_t k = 0; k <= first; k++) {
        /* The lines that begin after token k - 1 and up to token k. */
        for (int line = k ? l->v[k - 1].line + 1 : 2; line <= l->v[k].line; line++)
            if (nest == 0 && !in_decl && !inside[line])
                best = line;
        const token *t = &l->v[k];
        if (t->kind == TOK_DIRECTIVE)
            continue;
        if (is(s, t, "{") || is(s, t, "(") || is(s, t, "[")) {
            in_decl |= nest == 0;
            nest++;
        } else if (is(s, t, "}") || is(s, t, ")") || is(s, t, "]")) {
            if (nest > 0) {
                if (--nest == 0 && is(s, t, "}"))
                    in_decl = false;
            } else {
                in_decl = true;
            }
        } else if (is(s, t, ";")) {
            if (nest == 0)
                in_decl = false;
        } else if (nest == 0) {
            in_decl = true;
        }
    }
    return best;
}

/* Writes `#line n "path"`, path quoted so that the compiler reads it back: a '"' or '\\'
 * escaped, a control byte as an octal escape (a path may hold any of them). */
static void write_line_directive(FILE *out, int n, const char *path)
{
    fprintf(out, "#line %d \"", n);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(out, "\\%03o", *p);
        else
            fputc(*p, out);
    }
    fputs("\"\n", out);
}

/* ------------------------------------------------------------ what the preprocessor keeps */

/* The name of the directive t into name (cap bytes): the word after its '#' ("ifdef",
 * "endif"), past white space, block comments and line splices; "0" for a line marker
 * ("# 12 ..."), "" when there is no word. */
static void directive_name(const char *s, const token *t, char *name, size_t cap)
{
    size_t i = t->start + 1, n = 0;
    lexer x = {s, t->end, 0, NULL, false};
    while (i < t->end) {
        size_t sp = splice_at(&x, i);
        if (sp) {
            i += sp;
        } else if (s[i] != '\n' && isspace((unsigned char)s[i])) {
            i++;
        } else if (s[i] == '/' && i + 1 < t->end && s[i + 1] == '*') {
            for (i += 2; i + 1 < t->end && !(s[i] == '*' && s[i + 1] == '/');)
                i++;
            i += 2;
        } else {
            break;
        }
    }
    if (i < t->end && isdigit((unsigned char)s[i])) {
        snprintf(name, cap, "0");
        return;
    }
    while (i < t->end && n + 1 < cap && (isalnum((unsigned char)s[i]) || s[i] == '_'))
        name[n++] = s[i++];
    name[n] = '\0';
}

/* What the directive t does to the conditionals: COND_OPEN (#if, #ifdef, #ifndef),
 * COND_NEXT (#elif, #else, #elifdef, #elifndef: the next branch), COND_CLOSE (#endif),
 * COND_LINE (#line or a line marker: the lines are numbered anew), or COND_NONE. */
typedef enum { COND_NONE, COND_OPEN, COND_NEXT, COND_CLOSE, COND_LINE } cond_kind;

static cond_kind conditional(const char *s, const token *t)
{
    if (t->kind != TOK_DIRECTIVE)
        return COND_NONE;
    char name[16];
    directive_name(s, t, name, sizeof name);
    if (!strcmp(name, "if") || !strcmp(name, "ifdef") || !strcmp(name, "ifndef"))
        return COND_OPEN;
    if (!strcmp(name, "elif") || !strcmp(name, "else") || !strcmp(name, "elifdef") || !strcmp(name, "elifndef"))
        return COND_NEXT;
    if (!strcmp(name, "endif"))
        return COND_CLOSE;
    if (!strcmp(name, "line") || !strcmp(name, "0"))
        return COND_LINE;
    return COND_NONE;
}

/* The stretches of a sketch between its conditional directives ("#ifdef", "#else",
 * "#endif"...): the compiler compiles all of a stretch or none of it. live[k] for the k-th
 * (0: before the first directive): outside every conditional, or a line of it is kept. */
static bool *live_stretches(const char *s, const token_list *l, const bool *kept, size_t kept_lines)
{
    size_t count = 1;
    for (size_t k = 0; k < l->n; k++)
        count += conditional(s, &l->v[k]) >= COND_OPEN && conditional(s, &l->v[k]) <= COND_CLOSE;
    bool *live = calloc(count, sizeof *live);
    if (!live)
        return NULL;
    size_t stretch = 0;
    int depth = 0;
    live[0] = true;
    for (size_t k = 0; k < l->n; k++) {
        const token *t = &l->v[k];
        cond_kind c = conditional(s, t);
        if (c >= COND_OPEN && c <= COND_CLOSE) {
            depth += c == COND_OPEN ? 1 : c == COND_CLOSE ? -1 : 0;
            live[++stretch] = depth <= 0; /* a stray #endif: the compiler says so */
        } else if ((size_t)t->line < kept_lines && kept[t->line]) {
            live[stretch] = true;
        }
    }
    return live;
}

/* Takes out of l the tokens of the stretches the compiler skips (kept: see
 * duet_sketch_translate_kept), and marks in no_place the lines that begin in one: prototypes
 * there would not be compiled. Nothing changes for a sketch that numbers its lines anew
 * (#line: kept's line numbers are not the text's). False if memory ran out. */
static bool drop_skipped(const char *s, token_list *l, bool *no_place, size_t lines, const bool *kept,
                         size_t kept_lines)
{
    for (size_t k = 0; k < l->n; k++)
        if (conditional(s, &l->v[k]) == COND_LINE)
            return true;
    bool *live = live_stretches(s, l, kept, kept_lines);
    if (!live)
        return false;
    size_t stretch = 0, n = 0, k = 0;
    /* Line by line (and past the last, for the tokens on it): the tokens before the line
     * kept or dropped, then the stretch the line begins in. */
    for (size_t line = 1; line <= lines + 1; line++) {
        for (; k < l->n && (size_t)l->v[k].line < line; k++) {
            cond_kind c = conditional(s, &l->v[k]);
            if (c >= COND_OPEN && c <= COND_CLOSE)
                l->v[n++] = l->v[k], stretch++;
            else if (live[stretch])
                l->v[n++] = l->v[k];
        }
        if (line <= lines)
            no_place[line] |= !live[stretch];
    }
    l->n = n;
    free(live);
    return true;
}

/* Counts the text's lines (at '\n'; a last line without one counts). */
static size_t count_lines(const char *text, size_t len)
{
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    return lines;
}

int duet_sketch_conditionals(const char *text, size_t len)
{
    token_list l = {0};
    bool *inside = calloc(count_lines(text, len) + 1, sizeof *inside);
    int found = 0;
    if (!inside || !tokenize(text, len, &l, inside))
        found = -1;
    for (size_t k = 0; found >= 0 && k < l.n; k++)
        found += conditional(text, &l.v[k]) == COND_OPEN;
    free(inside);
    free(l.v);
    return found;
}

/* Reads the line marker (`# N "name"` or `#line N "name"`, flags after it) that p (n bytes)
 * is: *line gets N and *ours whether its name is name (as written, without escapes). False
 * if p is no line marker. */
static bool line_marker(const char *p, size_t n, const char *name, size_t *line, bool *ours)
{
    size_t i = 1, len = strlen(name);
    if (n < 2 || p[0] != '#')
        return false;
    if (n > 5 && memcmp(p + 1, "line", 4) == 0)
        i = 5;
    if (i >= n || p[i] != ' ')
        return false;
    i++;
    if (i >= n || !isdigit((unsigned char)p[i]))
        return false;
    *line = 0;
    for (; i < n && isdigit((unsigned char)p[i]); i++)
        if (*line < SIZE_MAX / 10) /* past that: a line no sketch has */
            *line = *line * 10 + (size_t)(p[i] - '0');
    if (i + 1 >= n || p[i] != ' ' || p[i + 1] != '"')
        return false;
    *ours = i + 2 + len < n && memcmp(p + i + 2, name, len) == 0 && p[i + 2 + len] == '"';
    return true;
}

bool duet_sketch_kept_lines(const char *output, size_t len, const char *name, bool *kept, size_t kept_lines)
{
    memset(kept, 0, kept_lines * sizeof *kept);
    size_t line = 0;
    bool ours = false, seen = false;
    for (size_t i = 0; i < len;) {
        const char *end = memchr(output + i, '\n', len - i);
        size_t n = end ? (size_t)(end - (output + i)) : len - i;
        size_t marked;
        bool named;
        if (line_marker(output + i, n, name, &marked, &named)) {
            line = marked;
            ours = named;
            seen |= named;
        } else {
            bool tokens = false;
            for (size_t k = i; k < i + n && !tokens; k++)
                tokens = !isspace((unsigned char)output[k]);
            if (ours && tokens && line < kept_lines)
                kept[line] = true;
            line++;
        }
        i += n + 1;
    }
    return seen;
}

int duet_sketch_translate(const char *text, size_t len, const char *path, FILE *out)
{
    return duet_sketch_translate_kept(text, len, path, NULL, 0, out);
}

int duet_sketch_translate_kept(const char *text, size_t len, const char *path, const bool *kept, size_t kept_lines,
                               FILE *out)
{
    duet_sketch_tab tab = {text, len, path, kept, kept_lines};
    return duet_sketch_translate_tabs(&tab, 1, out);
}

/* One tab read: its tokens (without the stretches the compiler skips), the lines that begin
 * inside something or in a skipped stretch (no place for prototypes), its functions. */
typedef struct {
    token_list l;
    bool *inside;
    definition *defs;
    size_t found;
} tab_reading;

/* Reads the tab into r (zeroed first; reading_free frees it). False if memory ran out. */
static bool read_tab(const duet_sketch_tab *tab, tab_reading *r)
{
    size_t lines = count_lines(tab->text, tab->len);
    memset(r, 0, sizeof *r);
    r->inside = calloc(lines + 1, sizeof *r->inside);
    if (!r->inside || !tokenize(tab->text, tab->len, &r->l, r->inside) ||
        (tab->kept && !drop_skipped(tab->text, &r->l, r->inside, lines, tab->kept, tab->kept_lines)) ||
        !(r->defs = malloc((r->l.n + 1) * sizeof *r->defs)))
        return false;
    r->found = find_definitions(tab->text, &r->l, r->defs);
    return true;
}

static void reading_free(tab_reading *r)
{
    free(r->inside);
    free(r->l.v);
    free(r->defs);
}

/* The prototypes of every tab's functions, each after a #line naming its tab and line. */
static void write_prototypes(FILE *out, const duet_sketch_tab *tabs, const tab_reading *r, size_t count)
{
    for (size_t t = 0; t < count; t++)
        for (size_t f = 0; f < r[t].found; f++) {
            const definition *d = &r[t].defs[f];
            write_line_directive(out, r[t].l.v[d->first].line, tabs[t].path);
            write_prototype(out, tabs[t].text, r[t].l.v, d->first, d->open, d->last);
        }
}

int duet_sketch_translate_tabs(const duet_sketch_tab *tabs, size_t count, FILE *out)
{
    tab_reading *r = calloc(count ? count : 1, sizeof *r);
    bool ok = r != NULL;
    size_t total = 0, first = count; /* the first tab with a function: the prototypes go there */
    for (size_t t = 0; ok && t < count; t++) {
        ok = read_tab(&tabs[t], &r[t]);
        total += r[t].found;
        if (first == count && r[t].found)
            first = t;
    }
    if (ok) {
        fputs("#include <Arduino.h>\n", out);
        for (size_t t = 0; t < count; t++) {
            const duet_sketch_tab *tab = &tabs[t];
            write_line_directive(out, 1, tab->path);
            int at = t == first ? insertion_line(tab->text, &r[t].l, r[t].inside, r[t].defs[0].first) : 0;
            write_lines(out, tab->text, tab->len, 1, at);
            if (t == first) {
                write_prototypes(out, tabs, r, count);
                write_line_directive(out, at, tab->path);
                write_lines(out, tab->text, tab->len, at, 0);
            }
        }
    }
    for (size_t t = 0; r && t < count; t++)
        reading_free(&r[t]);
    free(r);
    return !ok || ferror(out) ? -1 : (int)total;
}

/* ------------------------------------------------------------ messages explained */

/* Length of a quote character at p (', `, or the UTF-8 quotes GCC prints), or 0. */
static size_t quote_at(const char *p)
{
    if (*p == '\'' || *p == '`')
        return 1;
    if ((unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x80 &&
        ((unsigned char)p[2] == 0x98 || (unsigned char)p[2] == 0x99))
        return 3;
    return 0;
}

/* The quoted name right after the first quote at or after p, into name (cap bytes); the
 * position after its closing quote, or NULL. */
static const char *quoted(const char *p, const char *line_end, char *name, size_t cap)
{
    while (p < line_end && !quote_at(p))
        p++;
    if (p >= line_end)
        return NULL;
    p += quote_at(p);
    const char *start = p;
    while (p < line_end && !quote_at(p))
        p++;
    if (p >= line_end || (size_t)(p - start) >= cap)
        return NULL;
    memcpy(name, start, (size_t)(p - start));
    name[p - start] = '\0';
    return p + quote_at(p);
}

/* What a message line says the sketch lacks: "header" (a file not found) or "name", into
 * what; false if the line is about something else. */
static bool missing_in_line(const char *line, const char *end, char *what, size_t cap, bool *header)
{
    char a[128], b[128];
    const char *p;
    *header = false;
    if ((p = strstr(line, "fatal error: ")) && p < end) {
        const char *colon = strstr(p + 13, ": No such file or directory");
        if (colon && colon < end && (size_t)(colon - (p + 13)) < cap) {
            memcpy(what, p + 13, (size_t)(colon - (p + 13)));
            what[colon - (p + 13)] = '\0';
            *header = true;
            return true;
        }
    }
    if ((p = strstr(line, "error: ")) && p < end) {
        const char *after = quoted(p, end, a, sizeof a);
        if (!after)
            return false;
        if (strstr(after, " was not declared in this scope") == after ||
            strstr(after, " does not name a type") == after || strstr(after, " has not been declared") == after ||
            strstr(after, " is not a namespace-name") == after) {
            snprintf(what, cap, "%s", a);
            return true;
        }
        if (strstr(after, " is not a member of ") == after && quoted(after, end, b, sizeof b)) {
            snprintf(what, cap, "%s::%s", b, a);
            return true;
        }
        if (strstr(after, " has no member named ") == after && quoted(after, end, b, sizeof b)) {
            const char *cls = strncmp(a, "class ", 6) == 0 ? a + 6 : a;
            if (strncmp(cls, "arduino::", 9) == 0)
                cls += 9;
            snprintf(what, cap, "%s::%s", cls, b);
            return true;
        }
    }
    if ((p = strstr(line, "undefined reference to ")) && p < end && quoted(p, end, a, sizeof a)) {
        snprintf(what, cap, "%s", a);
        return true;
    }
    return false;
}

/* Whether the len bytes at name end in one of a source's extensions. */
static bool source_extension(const char *name, size_t len)
{
    static const char *const exts[] = {".ino", ".pde", ".cpp", ".cc", ".cxx", ".c", ".h", ".hpp"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t n = strlen(exts[i]);
        if (len > n && memcmp(name + len - n, exts[i], n) == 0)
            return true;
    }
    return false;
}

/* The file a message line is about, by its name alone ("more.ino" of
 * "/x/sketch/more.ino:4:11: error: ..." or of "more.ino:12: undefined reference ..."), into
 * name; sketch_name when the line names no source file at its start (the linker's own lines). */
static const char *message_file(const char *line, const char *end, const char *sketch_name, char *name, size_t cap)
{
    const char *colon = memchr(line, ':', (size_t)(end - line));
    if (!colon || colon == line || colon + 1 >= end || !isdigit((unsigned char)colon[1]) ||
        !source_extension(line, (size_t)(colon - line)))
        return sketch_name;
    const char *base = colon;
    while (base > line && base[-1] != '/')
        base--;
    size_t len = (size_t)(colon - base);
    /* the joined tabs' C++ (NAME.ino.cpp, in a temporary folder) is the tab NAME.ino */
    if (len > 8 && memcmp(colon - 8, ".ino.cpp", 8) == 0)
        len -= 4;
    if (len >= cap)
        return sketch_name;
    memcpy(name, base, len);
    name[len] = '\0';
    return name;
}

/* The header of duet's Arduino layer that declares name, for a name that Arduino.h (which every
 * sketch gets) leaves out, as in the IDE; NULL for any other name. */
static const char *layer_header_of(const char *name)
{
    static const char *const names[][2] = {
        {"RPC", "RPC.h"},
        {"HAL_GetCurrentCPUID", "RPC.h"},
        {"CM7_CPUID", "RPC.h"},
        {"CM4_CPUID", "RPC.h"},
        {"MSGPACK_DEFINE", "RPC.h"},
        {"MSGPACK_DEFINE_ARRAY", "RPC.h"},
        {"MSGPACK_DEFINE_MAP", "RPC.h"},
        {"SerialRPC", "SerialRPC.h"},
        {"Servo", "Servo.h"},
        {"rtos", "mbed.h"},
        {"mbed", "mbed.h"},
        {"set_time", "mbed.h"},
        {"_rtc_localtime", "mbed_mktime.h"},
        {"_rtc_maketime", "mbed_mktime.h"},
        {"_rtc_is_leap_year", "mbed_mktime.h"},
        {"RTC_4_YEAR_LEAP_YEAR_SUPPORT", "mbed_mktime.h"},
        {"RTC_FULL_LEAP_YEAR_SUPPORT", "mbed_mktime.h"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i][0]) == 0)
            return names[i][1];
    return NULL;
}

/* Writes the line that explains one missing name or header (what) in the file who. */
static void explain_one(FILE *out, const char *who, const char *what, bool header)
{
    const char *in = header ? NULL : layer_header_of(what);
    if (header)
        fprintf(out,
                "duet-board build: %s includes %s, which duet's Arduino layer does not have (it has Arduino.h, "
                "RPC.h, SerialRPC.h, Servo.h, mbed.h and mbed_mktime.h; see docs/arduino.md)\n",
                who, what);
    else if (in)
        fprintf(out,
                "duet-board build: %s uses %s, which duet's Arduino layer declares in %s: add #include <%s> to "
                "the sketch (the Arduino IDE needs it too)\n",
                who, what, in, in);
    else
        fprintf(out,
                "duet-board build: %s uses %s, which neither the sketch nor duet's Arduino layer defines "
                "(docs/arduino.md lists what the layer has)\n",
                who, what);
}

int duet_sketch_explain(const char *messages, const char *sketch_name, FILE *out)
{
    /* Every name explained so far, one after the other with their NULs: a name is explained
     * once however many messages name it (a fixed table of 16 forgot the names past the
     * 16th, and those came again). */
    char *seen = NULL;
    size_t seen_len = 0;
    int count = 0;
    for (const char *line = messages; line && *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        char what[300], file[256];
        bool header;
        if (missing_in_line(line, end, what, sizeof what, &header)) {
            const char *who = message_file(line, end, sketch_name, file, sizeof file);
            bool again = false;
            for (size_t i = 0; i < seen_len && !again; i += strlen(seen + i) + 1)
                again = strcmp(seen + i, what) == 0;
            size_t n = strlen(what) + 1;
            char *more = again ? seen : realloc(seen, seen_len + n);
            if (!more)
                break; /* out of memory: what was written is what was counted */
            if (!again) {
                seen = more;
                memcpy(seen + seen_len, what, n);
                seen_len += n;
                count++;
                explain_one(out, who, what, header);
            }
        }
        line = *end ? end + 1 : end;
    }
    free(seen);
    return count;
}

/* sketch.c - a .ino sketch as C++ (prototypes, #line), and compiler messages explained. */
#include "sketch.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ tokens */

typedef enum { TOK_IDENT, TOK_PUNCT, TOK_OTHER, TOK_DIRECTIVE } tok_kind;

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

/* Punctuation kept whole, so that a prototype rebuilt from tokens reads the same. */
static const char *const multi_punct[] = {"...", "::", "&&", "->", "<<", ">>", NULL};

/* Skips a quoted literal starting at i (the quote); returns the index after it. */
static size_t skip_quoted(const char *s, size_t len, size_t i, int *line)
{
    char q = s[i++];
    while (i < len && s[i] != q) {
        if (s[i] == '\\' && i + 1 < len)
            i++;
        if (s[i] == '\n')
            (*line)++;
        i++;
    }
    return i < len ? i + 1 : len;
}

/* If a comment starts at i, the index after it (newlines counted into *line); else i. */
static size_t skip_comment(const char *s, size_t len, size_t i, int *line)
{
    if (s[i] != '/' || i + 1 >= len)
        return i;
    if (s[i + 1] == '/') {
        while (i < len && s[i] != '\n')
            i++;
        return i;
    }
    if (s[i + 1] != '*')
        return i;
    i += 2;
    while (i + 1 < len && !(s[i] == '*' && s[i + 1] == '/')) {
        if (s[i] == '\n')
            (*line)++;
        i++;
    }
    return i + 2 < len ? i + 2 : len;
}

/* The end of the token that starts at i (not a space or comment), and its kind. */
static size_t token_end(const char *s, size_t len, size_t i, bool line_start, int *line, tok_kind *kind)
{
    size_t start = i;
    char c = s[i];
    *kind = TOK_OTHER;
    if (c == '#' && line_start) {
        /* To the end of the line, with its continuations. */
        while (i < len && s[i] != '\n') {
            if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\n') {
                (*line)++;
                i++;
            }
            i++;
        }
        *kind = TOK_DIRECTIVE;
    } else if (c == '"' || c == '\'') {
        i = skip_quoted(s, len, i, line);
    } else if (isalpha((unsigned char)c) || c == '_') {
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
            i++;
        *kind = TOK_IDENT;
        /* A literal with a prefix (u8"..", L'x'): one token with its quotes. */
        if (i < len && (s[i] == '"' || s[i] == '\'') && i - start <= 2) {
            i = skip_quoted(s, len, i, line);
            *kind = TOK_OTHER;
        }
    } else if (isdigit((unsigned char)c)) {
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '\''))
            i++;
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

/* Splits the text into tokens; comments and whitespace go, a preprocessor line is one
 * TOK_DIRECTIVE. False if memory ran out. */
static bool tokenize(const char *s, size_t len, token_list *out)
{
    int line = 1;
    bool line_start = true; /* only whitespace since the last newline */
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == '\n') {
            line++;
            line_start = true;
            i++;
            continue;
        }
        size_t after = skip_comment(s, len, i, &line);
        if (isspace((unsigned char)c) || after != i) {
            i = after != i ? after : i + 1;
            continue;
        }
        int start_line = line;
        tok_kind kind;
        size_t end = token_end(s, len, i, line_start, &line, &kind);
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
    return open;
}

/* Writes the prototype of the function whose tokens run first..last, parameters opening at
 * open, without default arguments. */
static void write_prototype(FILE *out, const char *s, const token *t, size_t first, size_t open, size_t last)
{
    int depth = 0;
    bool skipping = false;
    for (size_t k = first; k <= last; k++) {
        if (k > open) {
            if (is(s, &t[k], "(") || is(s, &t[k], "[") || is(s, &t[k], "{") || is(s, &t[k], "<"))
                depth++;
            else if (is(s, &t[k], ")") || is(s, &t[k], "]") || is(s, &t[k], "}") || is(s, &t[k], ">"))
                depth--;
            else if (is(s, &t[k], ">>"))
                depth -= 2;
            if (depth == 0 && is(s, &t[k], "="))
                skipping = true;
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
    size_t decl = SIZE_MAX; /* the first token of the declaration at file scope, if any */
    for (size_t k = 0; k < l->n; k++) {
        const token *t = &l->v[k];
        if (depth == 0 && t->kind == TOK_DIRECTIVE) {
            decl = SIZE_MAX;
            continue;
        }
        if (t->kind == TOK_PUNCT && is(text, t, "{")) {
            if (depth == 0 && decl != SIZE_MAX && k > decl) {
                size_t open = function_params(text, l->v, decl, k - 1);
                if (open)
                    defs[found++] = (definition){decl, open, k - 1};
            }
            depth++;
        } else if (t->kind == TOK_PUNCT && is(text, t, "}")) {
            if (depth > 0 && --depth == 0)
                decl = SIZE_MAX;
        } else if (depth == 0) {
            if (is(text, t, ";"))
                decl = SIZE_MAX;
            else if (decl == SIZE_MAX)
                decl = k;
        }
    }
    return found;
}

int duet_sketch_translate(const char *text, size_t len, const char *path, FILE *out)
{
    token_list l = {0};
    definition *defs = NULL;
    if (!tokenize(text, len, &l) || !(defs = malloc((l.n + 1) * sizeof *defs))) {
        free(l.v);
        return -1;
    }
    size_t found = find_definitions(text, &l, defs);
    fprintf(out, "#include <Arduino.h>\n#line 1 \"%s\"\n", path);
    if (found == 0) {
        write_lines(out, text, len, 1, 0);
    } else {
        int at = l.v[defs[0].first].line;
        write_lines(out, text, len, 1, at);
        for (size_t f = 0; f < found; f++) {
            fprintf(out, "#line %d \"%s\"\n", l.v[defs[f].first].line, path);
            write_prototype(out, text, l.v, defs[f].first, defs[f].open, defs[f].last);
        }
        fprintf(out, "#line %d \"%s\"\n", at, path);
        write_lines(out, text, len, at, 0);
    }
    free(l.v);
    free(defs);
    return ferror(out) ? -1 : (int)found;
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
            strstr(after, " does not name a type") == after || strstr(after, " has not been declared") == after) {
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

int duet_sketch_explain(const char *messages, const char *sketch_name, FILE *out)
{
    char seen[16][300];
    int count = 0;
    for (const char *line = messages; line && *line;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        char what[300];
        bool header;
        if (missing_in_line(line, end, what, sizeof what, &header)) {
            bool again = false;
            for (int i = 0; i < count && i < 16; i++)
                again |= strcmp(seen[i], what) == 0;
            if (!again) {
                if (count < 16)
                    snprintf(seen[count], sizeof seen[count], "%s", what);
                count++;
                if (header)
                    fprintf(out,
                            "duet-board: %s includes %s, which duet's Arduino layer does not have (it has Arduino.h, "
                            "RPC.h, Servo.h, mbed.h and mbed_mktime.h; see docs/arduino.md)\n",
                            sketch_name, what);
                else
                    fprintf(out,
                            "duet-board: %s uses %s, which neither the sketch nor duet's Arduino layer defines "
                            "(docs/arduino.md lists what the layer has)\n",
                            sketch_name, what);
            }
        }
        line = *end ? end + 1 : end;
    }
    return count;
}

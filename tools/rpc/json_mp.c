/* json_mp.c - JSON <-> MessagePack for duet-rpc. */
#include "json_mp.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ strbuf */

void sb_init(strbuf *b, size_t limit)
{
    b->p = NULL;
    b->len = b->cap = 0;
    b->limit = limit;
    b->truncated = false;
}

void sb_free(strbuf *b)
{
    free(b->p);
    sb_init(b, b->limit);
}

static void sb_reserve(strbuf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        fputs("duet-rpc: out of memory\n", stderr);
        exit(3);
    }
    b->p = p;
    b->cap = cap;
}

void sb_addn(strbuf *b, const char *s, size_t n)
{
    if (b->limit) {
        if (b->len >= b->limit) {
            b->truncated = b->truncated || n > 0;
            return;
        }
        if (n > b->limit - b->len) {
            n = b->limit - b->len;
            b->truncated = true;
        }
    }
    sb_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sb_add(strbuf *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_addn(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big)
        return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_addn(b, big, (size_t)n);
    free(big);
}

const char *sb_str(strbuf *b)
{
    return b->p ? b->p : "";
}

/* ------------------------------------------------------------ base64 */

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void jm_base64_encode(strbuf *out, const uint8_t *data, size_t len)
{
    char quad[4];
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        quad[0] = b64_chars[(v >> 18) & 63];
        quad[1] = b64_chars[(v >> 12) & 63];
        quad[2] = i + 1 < len ? b64_chars[(v >> 6) & 63] : '=';
        quad[3] = i + 2 < len ? b64_chars[v & 63] : '=';
        sb_addn(out, quad, 4);
    }
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

bool jm_base64_decode(const char *s, size_t n, uint8_t *out, size_t *out_len)
{
    while (n > 0 && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return false;
    size_t o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_value(s[i]);
        if (v < 0)
            return false;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (out)
                out[o] = (uint8_t)(acc >> bits);
            o++;
        }
    }
    *out_len = o;
    return true;
}

/* ------------------------------------------------------------ JSON text */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

static bool utf8_valid(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(s + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

bool jm_plain_text(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') || s[i] == 0x7f)
            return false;
    return utf8_valid(s, n);
}

void sb_add_json_string(strbuf *b, const char *s, size_t n)
{
    sb_addn(b, "\"", 1);
    size_t run = 0; /* start of the bytes copied as they are */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                snprintf(u, sizeof u, "\\u%04x", c);
                esc = u;
            }
        }
        if (esc) {
            sb_addn(b, s + run, i - run);
            sb_add(b, esc);
            run = i + 1;
        }
    }
    sb_addn(b, s + run, n - run);
    sb_addn(b, "\"", 1);
}

/* The shortest decimal that reads back as v; always looks like a float (1.0, not 1). */
static void add_double(strbuf *b, double v, bool single)
{
    if (isnan(v)) {
        sb_add(b, "{\"$float\": \"nan\"}");
        return;
    }
    if (isinf(v)) {
        sb_add(b, v > 0 ? "{\"$float\": \"inf\"}" : "{\"$float\": \"-inf\"}");
        return;
    }
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (single ? strtof(tmp, NULL) == (float)v : strtod(tmp, NULL) == v)
            break;
    }
    if (!strpbrk(tmp, ".en"))
        strcat(tmp, ".0");
    sb_add(b, tmp);
}

/* ------------------------------------------------------------ MessagePack -> JSON */

static bool is_special_key(const char *k, uint32_t n)
{
    static const char *const keys[] = {"$bin", "$str", "$map", "$uint", "$float"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i]) == n && memcmp(k, keys[i], n) == 0)
            return true;
    return false;
}

/* A map's key, for finding one that repeats. */
typedef struct key_ref {
    const char *p;
    uint32_t n;
} key_ref;

static int key_order(const void *a, const void *b)
{
    const key_ref *x = a, *y = b;
    int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Can a map of count pairs at r print as a JSON object (valid UTF-8 string keys that
 * would not read back as one of the $ forms, none twice: a JSON reader keeps one of a
 * repeated key)? r is not moved; keys has room for count keys. */
static bool keys_as_object(const duet_msgpack_reader *r, uint32_t count, key_ref *keys)
{
    duet_msgpack_reader s = *r;
    bool ext = false, data = false;
    for (uint32_t i = 0; i < count; i++) {
        const char *k;
        uint32_t n;
        if (duet_msgpack_peek_type(&s) != DUET_MSGPACK_STR || !duet_msgpack_read_str(&s, &k, &n))
            return false;
        if (!utf8_valid((const uint8_t *)k, n) || memchr(k, '\0', n))
            return false;
        if (count == 1 && is_special_key(k, n))
            return false;
        ext = ext || (n == 4 && memcmp(k, "$ext", 4) == 0);
        data = data || (n == 4 && memcmp(k, "data", 4) == 0);
        keys[i] = (key_ref){k, n};
        if (!duet_msgpack_skip(&s))
            return false;
    }
    qsort(keys, count, sizeof *keys, key_order);
    for (uint32_t i = 1; i < count; i++)
        if (key_order(&keys[i - 1], &keys[i]) == 0)
            return false;
    return !(count == 2 && ext && data);
}

static bool map_as_object(const duet_msgpack_reader *r, uint32_t count)
{
    if (count > duet_msgpack_reader_remaining(r) / 2)
        return false; /* more pairs than bytes: cut short, the map does not read anyway */
    key_ref *keys = malloc(count ? count * sizeof *keys : 1);
    bool object = keys && keys_as_object(r, count, keys);
    free(keys);
    return object;
}

/* A str, bin or ext token as JSON: a str that is valid UTF-8 as a JSON string, the others as
 * {"$str"|"$bin": base64} or {"$ext": type, "data": base64}. */
static void bytes_to_json(const duet_msgpack_token *t, strbuf *out)
{
    if (t->type == DUET_MSGPACK_STR && utf8_valid(t->v.bytes.ptr, t->v.bytes.len)) {
        sb_add_json_string(out, (const char *)t->v.bytes.ptr, t->v.bytes.len);
        return;
    }
    if (t->type == DUET_MSGPACK_EXT)
        sb_printf(out, "{\"$ext\": %d, \"data\": \"", (int)t->v.bytes.ext_type);
    else
        sb_add(out, t->type == DUET_MSGPACK_STR ? "{\"$str\": \"" : "{\"$bin\": \"");
    jm_base64_encode(out, t->v.bytes.ptr, t->v.bytes.len);
    sb_add(out, "\"}");
}

static bool read_json(duet_msgpack_reader *r, strbuf *out, unsigned depth);

/* A map of count pairs as a JSON object when its keys allow, else as {"$map": [[k, v]...]}. */
static bool map_to_json(duet_msgpack_reader *r, uint32_t count, strbuf *out, unsigned depth)
{
    bool object = map_as_object(r, count);
    sb_add(out, object ? "{" : "{\"$map\": [");
    for (uint32_t i = 0; i < count; i++) {
        if (i)
            sb_add(out, ", ");
        if (!object)
            sb_add(out, "[");
        if (!read_json(r, out, depth + 1))
            return false;
        sb_add(out, object ? ": " : ", ");
        if (!read_json(r, out, depth + 1))
            return false;
        if (!object)
            sb_add(out, "]");
    }
    sb_add(out, object ? "}" : "]}");
    return true;
}

/* One value at depth (the arrays and maps it is in): containers nest no deeper than the
 * reader's limit (duet_msgpack_skip's), so a hostile value cannot recurse without end. */
static bool read_json(duet_msgpack_reader *r, strbuf *out, unsigned depth)
{
    duet_msgpack_token t;
    if (!duet_msgpack_read_token(r, &t))
        return false;
    if ((t.type == DUET_MSGPACK_ARRAY || t.type == DUET_MSGPACK_MAP) && depth >= duet_msgpack_reader_max_depth(r)) {
        duet_msgpack_reader_fail(r, DUET_ERR_DEPTH);
        return false;
    }
    switch (t.type) {
    case DUET_MSGPACK_NIL: sb_add(out, "null"); break;
    case DUET_MSGPACK_BOOL: sb_add(out, t.v.b ? "true" : "false"); break;
    case DUET_MSGPACK_UINT: sb_printf(out, "%" PRIu64, t.v.u); break;
    case DUET_MSGPACK_INT: sb_printf(out, "%" PRId64, t.v.i); break;
    case DUET_MSGPACK_FLOAT32: add_double(out, (double)t.v.f, true); break;
    case DUET_MSGPACK_FLOAT64: add_double(out, t.v.d, false); break;
    case DUET_MSGPACK_STR:
    case DUET_MSGPACK_BIN:
    case DUET_MSGPACK_EXT:
        bytes_to_json(&t, out);
        break;
    case DUET_MSGPACK_ARRAY:
        sb_add(out, "[");
        for (uint32_t i = 0; i < t.v.count; i++) {
            if (i)
                sb_add(out, ", ");
            if (!read_json(r, out, depth + 1))
                return false;
        }
        sb_add(out, "]");
        break;
    case DUET_MSGPACK_MAP:
        return map_to_json(r, t.v.count, out, depth);
    default:
        return false;
    }
    return true;
}

bool jm_read_to_json(duet_msgpack_reader *r, strbuf *out)
{
    return read_json(r, out, 0);
}

bool jm_value_to_json(const uint8_t *data, size_t len, strbuf *out)
{
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, data, len);
    return jm_read_to_json(&r, out);
}

/* ------------------------------------------------------------ JSON -> MessagePack */

static bool fail(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return false;
}

/* Base64 text s as the body of a value whose header write_header writes for n bytes. */
static bool write_b64(duet_msgpack_writer *w, const json_t *s, const char *form, int kind, int8_t ext_type,
                      char *err, size_t err_len)
{
    if (!json_is_string(s))
        return fail(err, err_len, "%s: expected a base64 string", form);
    const char *text = json_string_value(s);
    size_t tlen = json_string_length(s);
    size_t n;
    if (!jm_base64_decode(text, tlen, NULL, &n))
        return fail(err, err_len, "%s: invalid base64", form);
    if (n > UINT32_MAX)
        return fail(err, err_len, "%s: too long", form);
    if (kind == 0)
        duet_msgpack_write_bin_header(w, n);
    else if (kind == 1)
        duet_msgpack_write_str_header(w, n);
    else
        duet_msgpack_write_ext_header(w, ext_type, n);
    uint8_t *p = duet_msgpack_writer_reserve(w, n);
    if (p)
        jm_base64_decode(text, tlen, p, &n);
    return true;
}

static bool put(duet_msgpack_writer *w, const json_t *j, unsigned depth, char *err, size_t err_len);

/* {"$uint": N or "N"}: an unsigned integer, up to 2^64-1 (past jansson's int64). */
static bool put_uint(duet_msgpack_writer *w, const json_t *v, char *err, size_t err_len)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        duet_msgpack_write_uint(w, (uint64_t)json_integer_value(v));
        return true;
    }
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    char *end;
    errno = 0;
    unsigned long long u = strtoull(s, &end, 10);
    /* Digits only: strtoull would take leading white space and a sign. */
    if (!*s || *end || *s < '0' || *s > '9' || errno)
        return fail(err, err_len, "$uint: expected a decimal string from 0 to 18446744073709551615");
    duet_msgpack_write_uint(w, (uint64_t)u);
    return true;
}

/* {"$float": number, "nan", "inf" or "-inf"}: a float64, including what JSON cannot write. */
static bool put_float(duet_msgpack_writer *w, const json_t *v, char *err, size_t err_len)
{
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    if (json_is_number(v))
        duet_msgpack_write_double(w, json_number_value(v));
    else if (strcmp(s, "nan") == 0 || strcmp(s, "NaN") == 0)
        duet_msgpack_write_double(w, NAN);
    else if (strcmp(s, "inf") == 0 || strcmp(s, "Infinity") == 0)
        duet_msgpack_write_double(w, INFINITY);
    else if (strcmp(s, "-inf") == 0 || strcmp(s, "-Infinity") == 0)
        duet_msgpack_write_double(w, -INFINITY);
    else
        return fail(err, err_len, "$float: expected \"nan\", \"inf\", \"-inf\" or a number");
    return true;
}

/* {"$map": [[key, value]...]}: a map with keys of any type. */
static bool put_map(duet_msgpack_writer *w, const json_t *v, unsigned depth, char *err, size_t err_len)
{
    if (!json_is_array(v))
        return fail(err, err_len, "$map: expected an array of [key, value] pairs");
    size_t n = json_array_size(v);
    duet_msgpack_write_map(w, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        const json_t *pair = json_array_get(v, i);
        if (!json_is_array(pair) || json_array_size(pair) != 2)
            return fail(err, err_len, "$map: entry %zu is not a [key, value] pair", i);
        if (!put(w, json_array_get(pair, 0), depth - 1, err, err_len) ||
            !put(w, json_array_get(pair, 1), depth - 1, err, err_len))
            return false;
    }
    return true;
}

/* A plain JSON object: a map with string keys. */
static bool put_object(duet_msgpack_writer *w, const json_t *j, unsigned depth, char *err, size_t err_len)
{
    duet_msgpack_write_map(w, (uint32_t)json_object_size(j));
    const char *key;
    json_t *value;
#ifdef json_object_keylen_foreach
    size_t key_len;
    json_object_keylen_foreach((json_t *)j, key, key_len, value)
    {
        duet_msgpack_write_str(w, key, key_len);
        if (!put(w, value, depth - 1, err, err_len))
            return false;
    }
#else
    json_object_foreach((json_t *)j, key, value)
    {
        duet_msgpack_write_str(w, key, strlen(key));
        if (!put(w, value, depth - 1, err, err_len))
            return false;
    }
#endif
    return true;
}

static bool put(duet_msgpack_writer *w, const json_t *j, unsigned depth, char *err, size_t err_len)
{
    switch (json_typeof(j)) {
    case JSON_NULL: duet_msgpack_write_nil(w); return true;
    case JSON_TRUE: duet_msgpack_write_bool(w, true); return true;
    case JSON_FALSE: duet_msgpack_write_bool(w, false); return true;
    case JSON_INTEGER: duet_msgpack_write_int(w, (int64_t)json_integer_value(j)); return true;
    case JSON_REAL: duet_msgpack_write_double(w, json_real_value(j)); return true;
    case JSON_STRING: duet_msgpack_write_str(w, json_string_value(j), json_string_length(j)); return true;
    case JSON_ARRAY: {
        if (depth == 0)
            return fail(err, err_len, "arrays and objects nested too deep");
        size_t n = json_array_size(j);
        duet_msgpack_write_array(w, (uint32_t)n);
        for (size_t i = 0; i < n; i++)
            if (!put(w, json_array_get(j, i), depth - 1, err, err_len))
                return false;
        return true;
    }
    case JSON_OBJECT: break;
    }
    size_t size = json_object_size(j);
    const json_t *v;
    if (size == 1 && (v = json_object_get(j, "$bin")))
        return write_b64(w, v, "$bin", 0, 0, err, err_len);
    if (size == 1 && (v = json_object_get(j, "$str")))
        return write_b64(w, v, "$str", 1, 0, err, err_len);
    if (size == 2 && (v = json_object_get(j, "$ext")) && json_object_get(j, "data")) {
        json_int_t type = json_is_integer(v) ? json_integer_value(v) : 1000;
        if (type < -128 || type > 127)
            return fail(err, err_len, "$ext: the type must be an integer from -128 to 127");
        return write_b64(w, json_object_get(j, "data"), "$ext data", 2, (int8_t)type, err, err_len);
    }
    if (size == 1 && (v = json_object_get(j, "$uint")))
        return put_uint(w, v, err, err_len);
    if (size == 1 && (v = json_object_get(j, "$float")))
        return put_float(w, v, err, err_len);
    if (depth == 0)
        return fail(err, err_len, "arrays and objects nested too deep");
    if (size == 1 && (v = json_object_get(j, "$map")))
        return put_map(w, v, depth, err, err_len);
    return put_object(w, j, depth, err, err_len);
}

bool jm_write_json(duet_msgpack_writer *w, const json_t *j, unsigned max_depth, char *err, size_t err_len)
{
    return put(w, j, max_depth, err, err_len);
}

/* Whether jansson refused the text for a number that does not fit 64 bits (an integer past
 * int64, a float past double): valid JSON all the same, which must not become a string. */
static bool number_overflow(const json_error_t *e)
{
#if JANSSON_VERSION_HEX >= 0x020b00
    return json_error_code(e) == json_error_numeric_overflow;
#else
    return strstr(e->text, "too big") || strstr(e->text, "overflow");
#endif
}

json_t *jm_parse_arg(const char *arg, bool *note, char *why, size_t why_len)
{
    json_error_t e;
    *note = false;
    json_t *j = json_loads(arg, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (j)
        return j;
    /* A bare integer past int64: an unsigned one (jansson's integers are int64). */
    const char *p = arg;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p != arg && !*p && strlen(arg) <= 20) {
        errno = 0;
        strtoull(arg, NULL, 10);
        if (!errno) {
            json_t *o = json_object();
            json_object_set_new(o, "$uint", json_string(arg));
            return o;
        }
    }
    if (number_overflow(&e)) {
        snprintf(why, why_len,
                 "a number past 64 bits (%s): integers go from -9223372036854775808 to 18446744073709551615 "
                 "(inside an array or object, past 9223372036854775807 as {\"$uint\": \"N\"}), floats to about "
                 "1.8e308; to send the text, quote it as a JSON string",
                 e.text);
        return NULL;
    }
    const char *s = arg;
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    if (*s == '[' || *s == '{' || *s == '"') {
        *note = true;
        snprintf(why, why_len, "%s", e.text);
    }
    json_t *str = json_stringn(arg, strlen(arg));
    if (str)
        return str;
    /* Not UTF-8 (jansson's strings are): the bytes as they are, a str in the $str form. */
    strbuf b64;
    sb_init(&b64, 0);
    jm_base64_encode(&b64, (const uint8_t *)arg, strlen(arg));
    json_t *o = json_object();
    json_object_set_new(o, "$str", json_string(sb_str(&b64)));
    sb_free(&b64);
    return o;
}

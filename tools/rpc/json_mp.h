/* json_mp.h - JSON <-> MessagePack for duet-rpc (see the mapping in duet-rpc --help). */
#ifndef DUET_RPC_JSON_MP_H
#define DUET_RPC_JSON_MP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "duet/msgpack.h"

/* A growing text buffer. With limit > 0, text past limit bytes is dropped and
 * truncated is set (the trace shortens long values this way). */
typedef struct strbuf {
    char *p;
    size_t len;
    size_t cap;
    size_t limit;
    bool truncated;
} strbuf;

void sb_init(strbuf *b, size_t limit);
void sb_free(strbuf *b);
void sb_addn(strbuf *b, const char *s, size_t n);
void sb_add(strbuf *b, const char *s);
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text, NUL-terminated (never NULL). */
const char *sb_str(strbuf *b);

/* Appends s (n bytes) as a JSON string literal, escaped. */
void sb_add_json_string(strbuf *b, const char *s, size_t n);

/* Whether n bytes at s print as they are: valid UTF-8 with no control characters but
 * newline and tab (no NUL to cut them short, no escape sequence for a terminal). */
bool jm_plain_text(const uint8_t *s, size_t n);

/*
 * A command-line argument as JSON: valid JSON is parsed (any value, NUL allowed in strings);
 * a bare decimal integer above INT64_MAX becomes {"$uint": "..."}; anything else is the
 * text itself as a string ({"$str": base64} when it is not UTF-8, as jansson's strings are).
 * *note is set when the text looked like JSON but did not parse (starts with [, { or "; the
 * caller may warn). Returns a new reference, or NULL with why set when the text is a number
 * (or JSON with one) that fits no 64-bit integer or float: sent as a string, it would call
 * the function with the wrong type.
 */
json_t *jm_parse_arg(const char *arg, bool *note, char *why, size_t why_len);

/* Writes one JSON value as MessagePack. Containers may nest max_depth deep.
 * @retval true; false with a one-line reason in err (bad $bin base64, ...). */
bool jm_write_json(duet_msgpack_writer *w, const json_t *j, unsigned max_depth, char *err, size_t err_len);

/* Reads one MessagePack value and appends it as JSON.
 * @retval true; false if the input is not one valid value, or nests arrays and maps deeper
 * than the reader's limit (duet_msgpack_reader_max_depth, DUET_MSGPACK_MAX_DEPTH: 32); the
 * text so far is kept. */
bool jm_read_to_json(duet_msgpack_reader *r, strbuf *out);

/* The whole of one encoded value as JSON, into out (appended). */
bool jm_value_to_json(const uint8_t *data, size_t len, strbuf *out);

/* Base64 (standard alphabet, padded). */
void jm_base64_encode(strbuf *out, const uint8_t *data, size_t len);
/* Decodes standard or URL-safe base64, padding optional. out NULL: only measures.
 * @retval true and *out_len; false if s is not base64. */
bool jm_base64_decode(const char *s, size_t n, uint8_t *out, size_t *out_len);

#endif

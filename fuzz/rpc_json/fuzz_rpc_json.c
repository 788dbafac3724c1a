/*
 * fuzz_rpc_json.c - libFuzzer target for duet-rpc's JSON <-> MessagePack mapping
 * (tools/rpc/json_mp.c; the mapping is in duet-rpc --help): what a peer answers, and what a
 * user types as an argument, may be anything.
 *
 * Every input goes through three walks:
 *
 *   A. jm_value_to_json on the input as MessagePack (a result as duet-rpc call prints it).
 *      The text holds no NUL byte (NUL in a string is escaped; callers use it as a C
 *      string). The same into a strbuf with a limit (as --trace cuts values) must give a
 *      prefix of at most the limit, truncated exactly when the whole text is longer, and the
 *      same verdict. When it succeeds, round_trip(): the text must parse with jansson
 *      (JSON_DECODE_ANY | JSON_ALLOW_NUL, as jm_parse_arg reads an argument), jm_write_json
 *      must write it back within DUET_MSGPACK_MAX_DEPTH (jm_value_to_json reads no deeper)
 *      in at most twice the input's bytes (a float32 comes back as a float64, the most it
 *      grows), and jm_value_to_json of that must print the very same text: "results print
 *      the same way" as arguments are read, so a printed result reads back as the value it
 *      shows. The text is compared, not the bytes: a float32 reads back as a float64 and an
 *      integer in its smallest encoding, and both print the same.
 *      Only for values without an unsigned integer past INT64_MAX: the mapping prints those
 *      bare ("results print it bare"), and jansson, whose integers are int64, does not read
 *      them back (an argument gives them as {"$uint": "..."}). Everything else round-trips:
 *      a float prints as the shortest decimal that reads back as it (a float32's, read as a
 *      float64, prints the same digits), nan/inf as {"$float": ...}, a str that is not
 *      UTF-8, bin and ext as base64 forms, a map whose keys are not all UTF-8 strings (or
 *      would read back as a $ form, or repeat) as {"$map": ...}.
 *   B. jm_parse_arg on the input as a C string (cut at its first NUL), as an argument of
 *      duet-rpc call: it gives a value, or refuses a number past 64 bits with a one-line
 *      reason; jm_write_json with duet-rpc's depth limit
 *      either fails with a one-line reason or writes what jm_value_to_json reads back (when
 *      the writer had room), and round_trip() holds for that too.
 *   C. jm_base64_decode on the input as text: measuring (out NULL) and decoding agree on the
 *      verdict and the length; the bytes, encoded with jm_base64_encode (4 characters per 3
 *      bytes begun) and decoded again, are the same bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duet/msgpack.h"
#include "json_mp.h"

#include "fuzz_check.h"

/* Does the value at r hold an unsigned integer past INT64_MAX? r is moved past it (or fails). */
static bool has_big_uint(duet_msgpack_reader *r, unsigned depth)
{
    duet_msgpack_token t;
    if (depth > 4096 || !duet_msgpack_read_token(r, &t))
        return false;
    if (t.type == DUET_MSGPACK_UINT)
        return t.v.u > (uint64_t)INT64_MAX;
    if (t.type != DUET_MSGPACK_ARRAY && t.type != DUET_MSGPACK_MAP)
        return false;
    uint64_t n = t.type == DUET_MSGPACK_MAP ? 2 * (uint64_t)t.v.count : t.v.count;
    bool big = false;
    for (uint64_t i = 0; i < n && !duet_msgpack_reader_error(r); i++)
        big = has_big_uint(r, depth + 1) || big;
    return big;
}

/* text (jm_value_to_json of one value) read back as JSON, written back and printed again
 * must be the same text. */
static void round_trip(const strbuf *text, size_t encoded_size)
{
    json_error_t e;
    json_t *j = json_loadb(text->p, text->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!j) {
        fprintf(stderr, "jansson cannot read %.*s: %s\n", (int)text->len, text->p, e.text);
        CHECK(j);
    }
    /* Written back, a value takes at most twice its bytes (float32 -> float64 is the most). */
    size_t cap = 2 * encoded_size + 64;
    uint8_t *buf = malloc(cap);
    CHECK(buf);
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, cap);
    char err[200] = "";
    bool ok = jm_write_json(&w, j, DUET_MSGPACK_MAX_DEPTH, err, sizeof err);
    json_decref(j);
    if (!ok)
        fprintf(stderr, "jm_write_json: %s\n", err);
    CHECK(ok);
    CHECK(duet_msgpack_writer_error(&w) == DUET_OK);
    strbuf again;
    sb_init(&again, 0);
    CHECK(jm_value_to_json(buf, duet_msgpack_writer_size(&w), &again));
    if (again.len != text->len || memcmp(again.p, text->p, text->len) != 0) {
        fprintf(stderr, "printed:       %s\nread back as:  %s\n", text->p, sb_str(&again));
        CHECK(!"the printed value reads back as another");
    }
    sb_free(&again);
    free(buf);
}

/* ------------------------------------------------------------ A: MessagePack -> JSON */

static void walk_msgpack(const uint8_t *data, size_t size)
{
    strbuf text;
    sb_init(&text, 0);
    bool ok = jm_value_to_json(data, size, &text);
    CHECK(memchr(sb_str(&text), 0, text.len) == NULL); /* NUL is escaped: the text is a C string */

    size_t limit = 1 + (size ? data[size - 1] % 97 : 0);
    strbuf cut;
    sb_init(&cut, limit);
    CHECK(jm_value_to_json(data, size, &cut) == ok);
    CHECK(cut.len <= limit && cut.len <= text.len);
    CHECK(memcmp(sb_str(&cut), sb_str(&text), cut.len) == 0);
    CHECK(cut.truncated == (text.len > limit));
    sb_free(&cut);

    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, data, size);
    if (ok && !has_big_uint(&r, 0))
        round_trip(&text, size);
    sb_free(&text);
}

/* ------------------------------------------------------------ B: an argument */

static void walk_arg(const uint8_t *data, size_t size)
{
    char *arg = fuzz_text(data, size);
    bool note;
    char why[400] = "";
    json_t *j = jm_parse_arg(arg, &note, why, sizeof why);
    free(arg);
    if (!j) { /* a number past 64 bits: refused, saying why */
        CHECK(why[0] && !strchr(why, '\n'));
        return;
    }

    static uint8_t buf[1 << 16];
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, sizeof buf);
    char err[200];
    memset(err, 0xaa, sizeof err);
    bool ok = jm_write_json(&w, j, DUET_MSGPACK_MAX_DEPTH - 2, err, sizeof err);
    json_decref(j);
    if (!ok) {
        CHECK(memchr(err, 0, sizeof err) != NULL && err[0] && !strchr(err, '\n'));
        return;
    }
    if (duet_msgpack_writer_error(&w))
        return; /* more than the buffer: duet-rpc says the arguments do not fit */
    strbuf text;
    sb_init(&text, 0);
    CHECK(jm_value_to_json(buf, duet_msgpack_writer_size(&w), &text));
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, buf, duet_msgpack_writer_size(&w));
    if (!has_big_uint(&r, 0))
        round_trip(&text, duet_msgpack_writer_size(&w));
    sb_free(&text);
}

/* ------------------------------------------------------------ C: base64 */

static void walk_base64(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t measured = 0, decoded = 0;
    bool ok = jm_base64_decode(s, size, NULL, &measured);
    uint8_t *out = malloc(size ? size : 1); /* never more bytes than characters */
    CHECK(out);
    CHECK(jm_base64_decode(s, size, out, &decoded) == ok);
    if (!ok) {
        free(out);
        return;
    }
    CHECK(decoded == measured && decoded <= size);
    strbuf text;
    sb_init(&text, 0);
    jm_base64_encode(&text, out, decoded);
    CHECK(text.len == (decoded + 2) / 3 * 4);
    uint8_t *again = malloc(decoded ? decoded : 1);
    CHECK(again);
    size_t again_len = 0;
    CHECK(jm_base64_decode(sb_str(&text), text.len, again, &again_len));
    CHECK(again_len == decoded && memcmp(again, out, decoded) == 0);
    free(again);
    free(out);
    sb_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    walk_msgpack(data, size);
    walk_arg(data, size);
    walk_base64(data, size);
    return 0;
}

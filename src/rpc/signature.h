/* rpc/signature.h - signatures ("ii:i") and how a decoded value matches their letters. */
#ifndef DUET_RPC_SIGNATURE_H
#define DUET_RPC_SIGNATURE_H

#include <stdbool.h>

#include "base/number.h"
#include "duet/msgpack.h"

#include "base/text.h"

/* Splits a signature into its parameter count and result letter (0: nil/none). */
bool duet_rpc_sig_parse(const char *sig, unsigned *nparams, char *result);

/* Appends to t what is wrong with a signature duet_rpc_sig_parse refused, and what to do. */
void duet_rpc_sig_explain(const char *sig, duet_text *t);

/* The type a letter stands for, in words ("int32", ...). */
const char *duet_rpc_letter_name(char c);

/* The checks below run for every argument and result: inline, in the files that use them. */

/* Does an integer token fit the C type of letter c? */
static inline bool int_fits(const duet_msgpack_token *t, char c)
{
    bool neg = t->type == DUET_MSGPACK_INT && t->v.i < 0;
    uint64_t mag = t->type == DUET_MSGPACK_UINT ? t->v.u : (uint64_t)t->v.i;
    switch (c) {
    case 'i': return neg ? t->v.i >= INT32_MIN : mag <= INT32_MAX;
    case 'u': return !neg && mag <= UINT32_MAX;
    case 'l': return neg || mag <= INT64_MAX;
    case 'k': return !neg;
    default: return true; /* f, d: any integer converts */
    }
}

/* Does a token match letter c? Sets *range when it is an integer that does not fit. */
static inline bool token_matches(const duet_msgpack_token *t, char c, bool *range)
{
    bool is_int = t->type == DUET_MSGPACK_UINT || t->type == DUET_MSGPACK_INT;
    *range = false;
    switch (c) {
    case 'i': case 'u': case 'l': case 'k':
        if (!is_int)
            return false;
        *range = !int_fits(t, c);
        return !*range;
    case 'f': case 'd':
        return is_int || t->type == DUET_MSGPACK_FLOAT32 || t->type == DUET_MSGPACK_FLOAT64;
    case 'b': return t->type == DUET_MSGPACK_BOOL;
    case 's': return t->type == DUET_MSGPACK_STR;
    case 'y': return t->type == DUET_MSGPACK_BIN;
    case 'n': return t->type == DUET_MSGPACK_NIL;
    default: return true;
    }
}

static inline double token_double(const duet_msgpack_token *t)
{
    switch (t->type) {
    case DUET_MSGPACK_UINT: return duet_number_from_uint64(t->v.u);
    case DUET_MSGPACK_INT: return duet_number_from_int64(t->v.i);
    case DUET_MSGPACK_FLOAT32: return duet_number_widen(t->v.f);
    case DUET_MSGPACK_FLOAT64: return t->v.d;
    default: return 0;
    }
}

#endif

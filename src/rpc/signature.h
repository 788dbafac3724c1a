/* rpc/signature.h - signatures ("ii:i") and how a decoded value matches their letters. */
#ifndef DUET_RPC_SIGNATURE_H
#define DUET_RPC_SIGNATURE_H

#include <stdbool.h>

#include "base/number.h"
#include "duet/msgpack.h"

#include "base/text.h"

/* Appends to t what a call or signature with n values (things: "arguments", "parameters")
 * over DUET_RPC_MAX_ARGS is told: their count, the limit and what to do. */
void duet_rpc_say_too_many(duet_text *t, unsigned n, const char *things);

/* Splits a signature into its parameter count and result letter (0: nil/none). */
bool duet_rpc_sig_parse(const char *sig, unsigned *nparams, char *result);

/* The parameter count of a signature duet_rpc_sig_parse accepted: every letter sorts after
 * the ':' or NUL that ends them. */
unsigned duet_rpc_sig_count(const char *sig);

/* Appends to t what is wrong with a signature duet_rpc_sig_parse refused, and what to do. */
void duet_rpc_sig_explain(const char *sig, duet_text *t);

/* The type a letter stands for, in words ("int32", ...). */
const char *duet_rpc_letter_name(char c);

/* Appends to t why tok does not match letter c: "expected int32, got str", or "expected
 * int32, got an integer out of its range" (range: what duet_rpc_token_matches said). */
void duet_rpc_mismatch_text(duet_text *t, char c, const duet_msgpack_token *tok, bool range);

/* Reads the result part of a signature at p (its ':' or its end): the result letter (0:
 * nil/none); false if it is not one letter. */
bool duet_rpc_sig_result(const char *p, char *result);

/* duet_rpc_sig_result with the commonest results, none and 'i', answered inline, except in a
 * build for size (as DUET_RPC_FOR_SIZE, rpc/internal.h). */
static inline bool sig_result(const char *p, char *result)
{
#if !defined(__OPTIMIZE_SIZE__)
    if (!p[0] || (p[1] == 'i' && !p[2])) {
        *result = p[0] ? 'i' : 0;
        return true;
    }
#endif
    return duet_rpc_sig_result(p, result);
}

/* Does a token match letter c? Sets *range when it is an integer that does not fit. A
 * small non-negative integer for 'i' (the commonest argument) is answered inline, except in
 * a build for size (as DUET_RPC_FOR_SIZE, rpc/internal.h). */
bool duet_rpc_token_matches(const duet_msgpack_token *t, char c, bool *range);
static inline bool token_matches(const duet_msgpack_token *t, char c, bool *range)
{
#if defined(__OPTIMIZE_SIZE__)
    return duet_rpc_token_matches(t, c, range);
#else
    if (t->type == DUET_MSGPACK_UINT && t->v.u <= INT32_MAX && (c == 'i' || c == 'u' || c == 'l' || c == 'k')) {
        *range = false;
        return true;
    }
    return duet_rpc_token_matches(t, c, range);
#endif
}

/* The number a numeric token holds, as a double. */
double duet_rpc_token_double(const duet_msgpack_token *t);

#endif

/* rpc/signature.c - parsing signatures, saying what is wrong with a bad one, naming letters. */
#include "rpc/signature.h"

#include "duet/rpc.h"

/* What makes a signature bad. */
typedef enum { SIG_OK, SIG_LETTER, SIG_RESULT, SIG_TOO_MANY } sig_fault;

/* Is c a letter a signature may use for a value? */
static bool sig_letter(char c)
{
    switch (c) {
    case 'i': case 'u': case 'l': case 'k': case 'b': case 'f': case 'd':
    case 's': case 'y': case 'n': case 'v':
        return true;
    default:
        return false;
    }
}

/* Reads a signature: its parameter count and result letter (0: nil/none), or what is
 * wrong with it and where (*at). */
static sig_fault sig_scan(const char *sig, unsigned *nparams, char *result, const char **at)
{
    unsigned n = 0;
    const char *p = sig;
    *result = 0;
    *nparams = 0;
    for (; *p && *p != ':'; p++, n++) {
        *at = p;
        if (!sig_letter(*p))
            return SIG_LETTER;
    }
    if (*p == ':' && p[1]) {
        *at = ++p;
        if (!sig_letter(*p))
            return SIG_LETTER;
        if (p[1])
            return SIG_RESULT;
        *result = *p == 'n' ? 0 : *p;
    }
    *nparams = n;
    return n > DUET_RPC_MAX_ARGS ? SIG_TOO_MANY : SIG_OK;
}

bool duet_rpc_sig_parse(const char *sig, unsigned *nparams, char *result)
{
    const char *at = sig;
    return sig_scan(sig, nparams, result, &at) == SIG_OK;
}

void duet_rpc_sig_explain(const char *sig, duet_text *t)
{
    unsigned n;
    char result;
    const char *at = sig;
    sig_fault fault = sig_scan(sig, &n, &result, &at);
    duet_text_add(t, "signature \"");
    duet_text_add(t, sig);
    duet_text_add(t, "\": ");
    switch (fault) {
    case SIG_LETTER:
        duet_text_add(t, "'");
        duet_text_addn(t, at, 1);
        duet_text_add(t, "' is not a type letter (use i u l k b f d s y n v, and one ':' before the result)");
        break;
    case SIG_RESULT:
        duet_text_add(t, "one result letter at most after ':' (return several values as one 'v')");
        break;
    case SIG_TOO_MANY:
        duet_text_add_uint(t, n);
        duet_text_add(t, " parameters, more than DUET_RPC_MAX_ARGS (");
        duet_text_add_uint(t, DUET_RPC_MAX_ARGS);
        duet_text_add(t, "): pass them as one array ('v') or raise DUET_RPC_MAX_ARGS");
        break;
    case SIG_OK:
        duet_text_add(t, "valid");
        break;
    }
}

const char *duet_rpc_letter_name(char c)
{
    switch (c) {
    case 'i': return "int32";
    case 'u': return "uint32";
    case 'l': return "int64";
    case 'k': return "uint64";
    case 'b': return "bool";
    case 'f': return "float";
    case 'd': return "double";
    case 's': return "str";
    case 'y': return "bin";
    case 'n': return "nil";
    default: return "any value";
    }
}

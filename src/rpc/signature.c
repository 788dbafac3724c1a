/* rpc/signature.c - parsing signatures and naming their letters. */
#include "rpc/signature.h"

#include "duet/rpc.h"

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


/* Splits a signature into its parameter count and result letter (0: nil/none). */
bool duet_rpc_sig_parse(const char *sig, unsigned *nparams, char *result)
{
    unsigned n = 0;
    const char *p = sig;
    *result = 0;
    while (*p && *p != ':') {
        if (!sig_letter(*p))
            return false;
        n++;
        p++;
    }
    if (*p == ':') {
        p++;
        if (*p) {
            if (!sig_letter(*p) || p[1])
                return false;
            *result = *p == 'n' ? 0 : *p;
        }
    }
    if (n > DUET_RPC_MAX_ARGS)
        return false;
    *nparams = n;
    return true;
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


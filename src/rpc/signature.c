/* rpc/signature.c - parsing signatures, saying what is wrong with a bad one, naming letters. */
#include "rpc/signature.h"

#include "rpc/internal.h"

/* What makes a signature bad. */
typedef enum { SIG_OK, SIG_LETTER, SIG_RESULT, SIG_TOO_MANY } sig_fault;

/* Where c is in the letters of a value ("iulkbfdsynv"): 0..10, or 11 for anything else (0:
 * no result, which is nil). The one table of the letters: their names, types and ranges
 * follow it. */
static unsigned letter_index(char c)
{
    static const char letters[] = "iulkbfdsynv";
    unsigned n = 0;
    while (letters[n] && letters[n] != c)
        n++;
    return n;
}

/* Is c a letter a signature may use for a value? */
static bool sig_letter(char c)
{
    return letter_index(c) < 11;
}

unsigned duet_rpc_sig_count(const char *sig)
{
    unsigned n = 0;
    while ((unsigned char)sig[n] > ':')
        n++;
    return n;
}

bool duet_rpc_sig_result(const char *p, char *result)
{
    char r = *p ? p[1] : 0; /* *p is ':' or NUL */
    *result = r == 'n' ? 0 : r;
    return !r || (sig_letter(r) && !p[2]);
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
    if (!duet_rpc_sig_result(p, result)) {
        *at = p + 1;
        return sig_letter(p[1]) ? SIG_RESULT : SIG_LETTER;
    }
    *nparams = n;
    return n > DUET_RPC_MAX_ARGS ? SIG_TOO_MANY : SIG_OK;
}

void duet_rpc_say_too_many(duet_text *t, unsigned n, const char *things)
{
    duet_rpc_say(t,
                 duet_text_pick("%u %s, more than DUET_RPC_MAX_ARGS (%u): pass them as one array ('v') or raise DUET_RPC_MAX_ARGS",
                                "%u %s, over %u"),
                 n, things, DUET_RPC_MAX_ARGS);
}

bool duet_rpc_sig_parse(const char *sig, unsigned *nparams, char *result)
{
    const char *at = sig;
    return sig_scan(sig, nparams, result, &at) == SIG_OK;
}

#if !DUET_RPC_EXPLAIN
void duet_rpc_sig_explain(const char *sig, duet_text *t)
{
    duet_rpc_say(t, "signature \"%s\" is not valid: duet/rpc.h lists its letters and the limit DUET_RPC_MAX_ARGS", sig);
}
#else
void duet_rpc_sig_explain(const char *sig, duet_text *t)
{
    unsigned n;
    char result;
    const char *at = sig;
    sig_fault fault = sig_scan(sig, &n, &result, &at);
    duet_rpc_say(t, "signature \"%s\": ", sig);
    if (fault == SIG_LETTER)
        duet_rpc_say(t, "'%.*s' is not a type letter (use i u l k b f d s y n v, and one ':' before the result)", 1, at);
    else if (fault == SIG_RESULT)
        duet_text_add(t, "one result letter at most after ':' (return several values as one 'v')");
    else /* SIG_TOO_MANY: it is explained only when it is bad */
        duet_rpc_say_too_many(t, n, "parameters");
}

#endif

const char *duet_rpc_letter_name(char c)
{
    /* The names in the order of the letters, then that of anything else (no result: nil). */
    static const char names[] = "int32\0uint32\0int64\0uint64\0bool\0float\0double\0str\0bin\0nil\0any value\0nil";
    return duet_text_nth(names, sizeof names, letter_index(c));
}

void duet_rpc_mismatch_text(duet_text *t, char c, const duet_msgpack_token *tok, bool range)
{
    duet_rpc_say(t, "expected %s, got %s", duet_rpc_letter_name(c),
                 range ? "an integer out of its range" : duet_msgpack_type_name(tok->type));
}

/* The types each letter accepts (in the order of letter_index), one bit per duet_msgpack_type. */
#define TYPE_BIT(t) (1u << DUET_MSGPACK_##t)
#define INTEGERS (TYPE_BIT(UINT) | TYPE_BIT(INT))

bool duet_rpc_token_matches(const duet_msgpack_token *t, char c, bool *range)
{
    static const uint16_t accepts[12] = {
        INTEGERS, INTEGERS, INTEGERS, INTEGERS, TYPE_BIT(BOOL),
        INTEGERS | TYPE_BIT(FLOAT32) | TYPE_BIT(FLOAT64), INTEGERS | TYPE_BIT(FLOAT32) | TYPE_BIT(FLOAT64),
        TYPE_BIT(STR), TYPE_BIT(BIN), TYPE_BIT(NIL), 0xffff /* v: any value */, TYPE_BIT(NIL) /* no result */
    };
    unsigned k = letter_index(c);
    *range = false;
    if (!(accepts[k] >> t->type & 1))
        return false;
    if (k >= 4) /* no range to check */
        return true;
    /* i u l k: int32 uint32 int64 uint64. A negative value fits a signed type down to
     * -max - 1, an unsigned one not at all. */
    bool is_signed = !(k & 1);
    uint64_t max = k < 2 ? UINT32_MAX : UINT64_MAX;
    if (is_signed)
        max >>= 1;
    bool neg = t->type == DUET_MSGPACK_INT && t->v.i < 0;
    *range = neg ? !is_signed || ~t->v.u > max : t->v.u > max; /* ~v: the magnitude of v less one */
    return !*range;
}

double duet_rpc_token_double(const duet_msgpack_token *t)
{
    switch (t->type) {
    case DUET_MSGPACK_UINT: return duet_number_from_uint64(t->v.u);
    case DUET_MSGPACK_INT: return duet_number_from_int64(t->v.i);
    case DUET_MSGPACK_FLOAT32: return duet_number_widen(t->v.f);
    case DUET_MSGPACK_FLOAT64: return t->v.d;
    default: return 0;
    }
}

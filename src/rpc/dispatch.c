/* rpc/dispatch.c - serving a request for a bound method: finding it, checking the arguments
 * against its signature, running the handler and checking its result; "did you mean" hints
 * for a name that is not bound. duet_rpc_bind links it in (duet_rpc.serve_bound): a program
 * that binds nothing carries none of it. */
#include "rpc/internal.h"
#include "rpc/signature.h"

#if DUET_RPC_HINTS
/* Levenshtein distance of two short names, or a large number if either is long. */
static unsigned name_distance(const char *a, size_t la, const char *b, size_t lb)
{
    unsigned row[49];
    if (la > 48 || lb > 48)
        return 1000;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Appends the bound names closest to the unknown one (" Did you mean: add?"). */
static void add_hints(duet_req *c, duet_text *t)
{
    duet_rpc *rpc = c->rpc;
    unsigned limit = c->method_len / 3 + 1;
    bool first = true;
    for (unsigned i = 0; i < rpc->method_count; i++) {
        const duet_rpc_binding *b = &rpc->methods[i];
        char full[64];
        duet_text f;
        duet_text_init(&f, full, sizeof full);
        if (b->own.name)
            duet_rpc_add_name(&f, NULL, b->own.name);
        else
            duet_rpc_add_name(&f, b->member.prefix, b->member.method->name);
        if (name_distance(c->method, c->method_len, full, f.len) > limit)
            continue;
        duet_rpc_say(t, "%s%s", first ? " Did you mean: " : ", ", full);
        first = false;
    }
    if (!first)
        duet_text_add(t, "?");
}
#else
/* The small configuration (DUET_RPC_HINTS 0) names no close matches. */
static void add_hints(duet_req *c, duet_text *t)
{
    (void)c;
    (void)t;
}
#endif

/* Appends "method: " and fmt (as duet_rpc_say): how each of the checks' errors is said.
 * Returns false, the result of a check that failed. */
static bool say_method(const duet_req *c, duet_text *t, const char *fmt, ...) DUET_RPC_FORMAT(3, 4);
static bool say_method(const duet_req *c, duet_text *t, const char *fmt, ...)
{
    va_list ap;
    duet_rpc_say(t, "%.*s: ", (int)c->method_len, c->method);
    va_start(ap, fmt);
    duet_rpc_vsay(t, fmt, ap);
    va_end(ap);
    return false;
}

/* The count of arguments does not match the signature's. */
static NOINLINE bool count_error(duet_req *c, duet_text *t)
{
    unsigned want = duet_rpc_sig_count(c->bound.signature);
    return say_method(c, t, "expected %u argument%s, got %u", want, want == 1 ? "" : "s", (unsigned)c->argc);
}

/* Checks the arguments against the method's signature (the count first, then each type)
 * and decodes them into c->args. The count is found as the letters are read: every letter
 * sorts after the ':' or NUL that ends them. */
static bool check_args(duet_req *c, duet_text *t)
{
    const char *sig = c->bound.signature;
    unsigned argc = c->argc;
    if (argc > DUET_RPC_MAX_ARGS) /* more than any signature takes, and than the tables hold */
        return count_error(c, t);
    for (unsigned i = 0; i < argc; i++) {
        char letter = sig[i];
        duet_msgpack_token *tok = &c->args[i];
        bool range;
        if ((unsigned char)letter <= ':')
            return count_error(c, t); /* fewer parameters than arguments */
        if (letter == 'v') { /* any value: keep its encoding */
            const uint8_t *end = i + 1 < argc ? c->arg_at[i + 1] : c->params_end;
            tok->type = DUET_MSGPACK_NONE;
            tok->v.bytes.ptr = c->arg_at[i];
            tok->v.bytes.len = (uint32_t)(end - c->arg_at[i]);
        } else if (!token_matches(tok, letter, &range)) {
            if (duet_rpc_sig_count(sig) != argc)
                return count_error(c, t);
            say_method(c, t, "argument %u: ", i + 1);
            duet_rpc_mismatch_text(t, letter, tok, range);
            return false;
        }
    }
    return (unsigned char)sig[argc] <= ':' || count_error(c, t);
}

/* Checks that the handler wrote exactly one value of the signature's result type. */
static bool check_result(duet_req *c, duet_text *t)
{
    duet_msgpack_writer *w = &c->out;
    int err = duet_msgpack_writer_error(w);
    if (err) {
        return say_method(c, t, "result %s",
                          err == DUET_ERR_NOSPACE ? "too large for one message" : "could not be encoded");
    }
    if (duet_msgpack_writer_size(w) == c->result_start)
        duet_msgpack_write_tag(w, 0xc0);
    duet_msgpack_token tok;
    if (!DUET_RPC_FOR_SIZE)
        tok = c->returned; /* a size build notes nothing: it reads every result back */
    if (DUET_RPC_FOR_SIZE || duet_msgpack_writer_size(w) != c->returned_end) {
        /* Written through duet_req_result() (or built for size): read back what was written. */
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, duet_msgpack_writer_data(w) + c->result_start,
                                 duet_msgpack_writer_size(w) - c->result_start);
        if (!duet_msgpack_read_value(&r, &tok, 0) || duet_msgpack_reader_remaining(&r) != 0) {
            return say_method(c, t, "%s", duet_text_pick("the handler wrote more than one result value", "several results"));
        }
    }
    if (!c->typed)
        return true;
    const char *end = c->bound.signature + c->argc; /* the arguments matched: their letters end here */
    char want = *end ? end[1] : 0; /* 0 (no result) and 'n' want nil */
    bool range;
    if (token_matches(&tok, want, &range))
        return true;
    return say_method(c, t, duet_text_pick("the handler returned %s, its signature says %s", "returned %s, not %s"),
                      duet_msgpack_type_name(tok.type), duet_rpc_letter_name(want));
}

/* Runs the handler; on failure puts the error text in t. */
static bool run_handler(duet_req *c, duet_text *t)
{
    duet_rpc *rpc = c->rpc;
    c->error[0] = '\0';
    if (!DUET_RPC_FOR_SIZE)
        c->returned_end = 0;
    rpc->depth++;
    int rc = c->bound.fn(c);
    rpc->depth--;
    if (rc >= 0)
        return check_result(c, t);
    if (!c->error[0])
        return say_method(c, t, "%s", duet_strerror(rc));
    duet_text_add(t, c->error);
    return false;
}

bool duet_rpc_serve_bound(duet_req *c, duet_text *t)
{
    const duet_rpc_method *found = duet_rpc_find_binding(c->rpc, c->method, c->method_len);
    if (!found) {
        duet_rpc_unknown_text(c, t);
        add_hints(c, t);
        return false;
    }
    c->bound = *found;
    c->typed = found->signature != NULL;
    if (c->typed && !check_args(c, t))
        return false;
    /* The response is written into a frame of the tx buffer: the handler writes its result
     * after [1, msgid, nil. */
    duet_rpc *rpc = c->rpc;
    duet_msgpack_writer *w = &c->out;
    size_t frame;
    if (!frame_push(rpc, w, &frame)) { /* nested too deep for the tx buffer */
        return say_method(c, t, "%s", duet_rpc_text_no_frame);
    }
    response_head(w, c->msgid, c->msgid_len);
    duet_msgpack_write_tag(w, 0xc0);
    c->result_start = duet_msgpack_writer_size(w);
    bool ok = run_handler(c, t);
    if (ok && !c->notification)
        duet_rpc_send_frame(rpc, w);
    frame_pop(rpc, frame);
    return ok;
}

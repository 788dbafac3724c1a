/* rpc/serve.c - serving a request: find the method, check the arguments, run the handler,
 * check and send its result or an error response. */
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
        duet_text_add(t, first ? " Did you mean: " : ", ");
        duet_text_add(t, full);
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

/* Error text for an unknown method: rpclib's sentence, then the closest bound names. */
static void unknown_method_text(duet_req *c, duet_text *t)
{
    duet_text_add(t, "rpclib: server could not find function '");
    duet_text_addn(t, c->method, c->method_len);
    duet_text_add(t, "' with argument count ");
    duet_text_add_uint(t, c->argc);
    duet_text_add(t, ".");
    add_hints(c, t);
}

/* Starts a failure's text with the method's name and what (": expected "). Out of line:
 * every failure of a found method starts so. */
static NOINLINE void say(duet_req *c, duet_text *t, const char *what)
{
    duet_text_addn(t, c->method, c->method_len);
    duet_text_add(t, what);
}

/* The count of arguments does not match the signature's. */
static NOINLINE bool count_error(duet_req *c, duet_text *t)
{
    char result;
    unsigned want = duet_rpc_sig_split(c->bound.signature, &result);
    say(c, t, ": expected ");
    duet_text_add_uint(t, want);
    duet_text_add(t, want == 1 ? " argument, got " : " arguments, got ");
    duet_text_add_uint(t, c->argc);
    return false;
}

/* Checks the arguments against the method's signature (the count first, then each type)
 * and decodes them into c->args. The count is found as the letters are read: every letter
 * sorts after the ':' or NUL that ends them. */
static bool check_args(duet_req *c, duet_text *t)
{
    const char *sig = c->bound.signature;
    unsigned argc = c->argc;
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
            char result;
            if (duet_rpc_sig_split(sig, &result) != argc)
                return count_error(c, t);
            say(c, t, ": argument ");
            duet_text_add_uint(t, i + 1);
            duet_text_add(t, ": ");
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
        say(c, t, err == DUET_ERR_NOSPACE ? ": result too large for one message" : ": result could not be encoded");
        return false;
    }
    if (duet_msgpack_writer_size(w) == c->result_start)
        duet_msgpack_write_nil(w);
    duet_msgpack_token tok = c->returned;
    if (duet_msgpack_writer_size(w) != c->returned_end) {
        /* Written through duet_req_result(): read back what the handler wrote. */
        duet_msgpack_reader r;
        duet_msgpack_reader_init(&r, duet_msgpack_writer_data(w) + c->result_start,
                                 duet_msgpack_writer_size(w) - c->result_start);
        if (!duet_msgpack_read_value(&r, &tok, 0) || duet_msgpack_reader_remaining(&r) != 0) {
            say(c, t, ": the handler wrote more than one result value");
            return false;
        }
    }
    if (!c->typed)
        return true;
    const char *end = c->bound.signature + c->argc; /* the arguments matched: their letters end here */
    char want = *end && end[1] != 'n' ? end[1] : 0;
    bool range;
    if (want == 0 ? tok.type == DUET_MSGPACK_NIL : token_matches(&tok, want, &range))
        return true;
    say(c, t, ": the handler returned ");
    duet_text_add(t, duet_msgpack_type_name(tok.type));
    duet_text_add(t, ", its signature says ");
    duet_text_add(t, want ? duet_rpc_letter_name(want) : "nil");
    return false;
}

/* Writes the head of a response, [1, msgid, then the error and result, into w: the array
 * header, the type and the msgid's bytes as they came, in one piece. */
static void write_response_head(duet_msgpack_writer *w, const uint8_t *msgid, size_t msgid_len)
{
    uint8_t *p = duet_msgpack_writer_reserve(w, 2 + msgid_len);
    if (!p)
        return;
    p[0] = 0x94; /* an array of 4 */
    p[1] = MSG_RESPONSE;
    memcpy(p + 2, msgid, msgid_len);
}

/* Encodes [1, msgid, text, nil] into buf (cap bytes) with w, the text cut to what fits. */
static void encode_error(duet_msgpack_writer *w, uint8_t *buf, size_t cap, const uint8_t *msgid, size_t msgid_len,
                         const char *text)
{
    size_t room = cap > 8 + msgid_len ? cap - 8 - msgid_len : 0; /* array, type, str head, nil */
    size_t len = strlen(text);
    duet_msgpack_writer_init(w, buf, cap);
    write_response_head(w, msgid, msgid_len);
    duet_msgpack_write_str(w, text, len < room ? len : room);
    duet_msgpack_write_nil(w);
}

void duet_rpc_reply_error(duet_rpc *rpc, const uint8_t *msgid, size_t msgid_len, const char *text)
{
    uint8_t buf[MIN_FRAME + 64];
    size_t cap = rpc->cfg.max_message < sizeof buf ? rpc->cfg.max_message : sizeof buf;
    duet_msgpack_writer w;
    encode_error(&w, buf, cap, msgid, msgid_len, text);
    rpc->stats.errors_sent++;
    duet_rpc_send_frame(rpc, &w);
}

/* Runs the handler; on failure puts the error text in t. */
static bool run_handler(duet_req *c, duet_text *t)
{
    duet_rpc *rpc = c->rpc;
    c->error[0] = '\0';
    c->returned_end = 0;
    rpc->depth++;
    int rc = c->bound.fn(c);
    rpc->depth--;
    if (rc >= 0)
        return check_result(c, t);
    if (c->error[0]) {
        duet_text_add(t, c->error);
    } else {
        say(c, t, ": ");
        duet_text_add(t, duet_strerror(rc));
    }
    return false;
}

/* A notification that failed cannot be answered: tell the report hook why. */
static void report_failed_notification(duet_rpc *rpc, const duet_req *c, const char *why)
{
    if (!rpc->cfg.report)
        return;
    char text[DUET_RPC_ERROR_TEXT + 64];
    duet_text t;
    duet_text_init(&t, text, sizeof text);
    duet_text_add(&t, "notification ");
    duet_text_addn(&t, c->method, c->method_len);
    duet_text_add(&t, " failed: ");
    duet_text_add(&t, why);
    rpc->cfg.report(rpc->cfg.report_arg, text);
}

/* Serves one request or notification whose params reader is at the first parameter. */
void duet_rpc_serve(duet_rpc *rpc, duet_req *c, const uint8_t *msgid, size_t msgid_len, const char *malformed)
{
    duet_msgpack_writer *w = &c->out;
    size_t frame;
    if (!frame_push(rpc, w, &frame)) {
        /* Nested too deep for the tx buffer: answer from the stack instead. */
        if (!c->notification)
            duet_rpc_reply_error(rpc, msgid, msgid_len, "calls nested too deep for the tx buffer (DUET_RPC tx_size)");
        return;
    }
    write_response_head(w, msgid, msgid_len);
    duet_msgpack_write_nil(w);
    c->result_start = duet_msgpack_writer_size(w);

    char text[DUET_RPC_ERROR_TEXT];
    duet_text t;
    duet_text_init(&t, text, sizeof text);
    bool ok = false;
    const duet_rpc_method *found = NULL;
    if (malformed) {
        duet_text_add(&t, malformed);
    } else if (!(found = duet_rpc_find_binding(rpc, c->method, c->method_len))) {
        unknown_method_text(c, &t);
    } else {
        c->bound = *found;
        c->typed = found->signature != NULL;
        if (!c->typed || check_args(c, &t))
            ok = run_handler(c, &t);
    }
    if (!ok) {
        encode_error(&c->out, duet_msgpack_writer_data(&c->out), frame, msgid, msgid_len, text);
        if (!c->notification)
            rpc->stats.errors_sent++;
        else
            report_failed_notification(rpc, c, text);
    }
    if (!c->notification)
        duet_rpc_send_frame(rpc, w);
    frame_pop(rpc, frame);
}

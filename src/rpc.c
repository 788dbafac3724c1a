/* rpc.c - the msgpack-RPC engine: bindings, calls and futures, dispatch of what arrives. */
#include "duet/rpc.h"

#include "text.h"

enum { MSG_REQUEST = 0, MSG_RESPONSE = 1, MSG_NOTIFY = 2 };
enum { SLOT_FREE = 0, SLOT_PENDING, SLOT_DONE };

/* Smallest frame worth encoding into: a response with a short error. */
#define MIN_FRAME 48

/* A request being served; handlers see it through the duet_arg_*, duet_return_* and duet_req_* functions. */
struct duet_req {
    duet_rpc *rpc;
    const duet_rpc_binding *binding;      /* &bound: a copy, so a handler may unbind itself */
    duet_rpc_binding bound;
    const char *method;
    uint32_t method_len;
    uint32_t argc;
    duet_msgpack_reader params;            /* at the first element of params */
    duet_msgpack_token args[DUET_RPC_MAX_ARGS]; /* decoded when the binding has a signature */
    duet_msgpack_writer out;               /* the response, result last */
    size_t result_start;                   /* where the result starts in out */
    bool notification;
    char error[DUET_RPC_ERROR_TEXT];       /* set by duet_req_fail */
};

/* ------------------------------------------------------------ small helpers */

static void lock(duet_rpc *rpc)
{
    if (rpc->cfg.lock)
        rpc->cfg.lock(rpc->cfg.lock_arg);
}

static void unlock(duet_rpc *rpc)
{
    if (rpc->cfg.unlock)
        rpc->cfg.unlock(rpc->cfg.lock_arg);
}

static uint32_t now_ms(duet_rpc *rpc)
{
    return rpc->link->now_ms ? rpc->link->now_ms(rpc->link) : 0;
}

/* Where the result (or error text) of a waiting call is kept. */
static uint8_t *slot_store(duet_rpc *rpc, const duet_rpc_slot *s)
{
    return (uint8_t *)rpc->cfg.result_buffer + (size_t)(s - rpc->slots) * rpc->slot_size;
}

/* Starts the engine's error text; the caller appends details. */
static duet_text error_begin(duet_rpc *rpc)
{
    duet_text t;
    duet_text_init(&t, rpc->error_text, sizeof rpc->error_text);
    return t;
}

static int set_error(duet_rpc *rpc, int err, const char *what, const char *detail)
{
    duet_text t = error_begin(rpc);
    if (what) {
        duet_text_add(&t, what);
        duet_text_add(&t, ": ");
    }
    duet_text_add(&t, detail ? detail : duet_strerror(err));
    return err;
}

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
static bool sig_parse(const char *sig, unsigned *nparams, char *result)
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

static const char *letter_name(char c)
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

/* Does an integer token fit the C type of letter c? */
static bool int_fits(const duet_msgpack_token *t, char c)
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
static bool token_matches(const duet_msgpack_token *t, char c, bool *range)
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

/* duet_msgpack_read_token, with the most common value (a small non-negative integer) read inline. */
static inline bool read_value_token(duet_msgpack_reader *r, duet_msgpack_token *t)
{
    if (r->pos < r->end && *r->pos <= 0x7f) {
        t->type = DUET_MSGPACK_UINT;
        t->v.u = *r->pos++;
        return true;
    }
    return duet_msgpack_read_token(r, t);
}

static double token_double(const duet_msgpack_token *t)
{
    switch (t->type) {
    case DUET_MSGPACK_UINT: return (double)t->v.u;
    case DUET_MSGPACK_INT: return (double)t->v.i;
    case DUET_MSGPACK_FLOAT32: return (double)t->v.f;
    case DUET_MSGPACK_FLOAT64: return t->v.d;
    default: return 0;
    }
}

/* ------------------------------------------------------------ set-up */

int duet_rpc_init(duet_rpc *rpc, duet_link *link, const duet_rpc_config *cfg)
{
    memset(rpc, 0, sizeof *rpc);
    if (!link || !link->send || !link->poll || !cfg || !cfg->tx_buffer || !cfg->result_buffer)
        return set_error(rpc, DUET_ERR_ARG, "duet_rpc_init", "needs a link with send and poll, a tx buffer and a result buffer");
    rpc->cfg = *cfg;
    rpc->max_message_asked = cfg->max_message;
    if (!rpc->cfg.timeout_ms)
        rpc->cfg.timeout_ms = DUET_RPC_DEFAULT_TIMEOUT_MS;
    if ((!cfg->lock) != (!cfg->unlock))
        return set_error(rpc, DUET_ERR_ARG, "duet_rpc_init", "lock and unlock hooks go together");
    rpc->slot_size = cfg->result_size / DUET_RPC_MAX_INFLIGHT;
    if (cfg->tx_size < MIN_FRAME || rpc->slot_size < 16)
        return set_error(rpc, DUET_ERR_ARG, "duet_rpc_init", "tx or result buffer too small");
    duet_rpc_set_link(rpc, link);
    return DUET_OK;
}

void duet_rpc_set_link(duet_rpc *rpc, duet_link *link)
{
    lock(rpc);
    rpc->link = link;
    rpc->link_err = DUET_OK;
    /* A frame holds one message: what the caller asked for (at most the tx buffer), else
     * the link's limit if the tx buffer holds it, else a quarter of the tx buffer, so that
     * calls can nest four deep. */
    size_t tx = rpc->cfg.tx_size;
    size_t max = rpc->max_message_asked;
    if (max)
        max = max < tx ? max : tx;
    else if (link->max_message && link->max_message <= tx)
        max = link->max_message;
    else
        max = tx / 4 > MIN_FRAME ? tx / 4 : tx;
    rpc->cfg.max_message = max;
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT; i++) {
        if (rpc->slots[i].state == SLOT_PENDING) {
            duet_text t;
            duet_text_init(&t, (char *)slot_store(rpc, &rpc->slots[i]), rpc->slot_size);
            duet_text_add(&t, "link changed while the call waited");
            rpc->slots[i].state = SLOT_DONE;
            rpc->slots[i].err = DUET_ERR_LINK_DOWN;
            rpc->slots[i].len = t.len;
        }
    }
    duet_link_attach(link, duet_rpc_receive, rpc);
    duet_link_attach_dropped(link, duet_rpc_dropped);
    unlock(rpc);
}

/* Does the binding answer to the full name (prefix "." name)? */
static bool binding_is(const duet_rpc_binding *b, const char *name, size_t len)
{
    const char *n = name;
    size_t left = len;
    if (b->prefix) {
        size_t plen = b->prefix_len;
        if (left <= plen || memcmp(n, b->prefix, plen) != 0 || n[plen] != '.')
            return false;
        n += plen + 1;
        left -= plen + 1;
    }
    return b->name_len == left && memcmp(n, b->method.name, left) == 0;
}

static duet_rpc_binding *find_binding(duet_rpc *rpc, const char *name, size_t len)
{
    for (unsigned i = 0; i < rpc->method_count; i++)
        if (binding_is(&rpc->methods[i], name, len))
            return &rpc->methods[i];
    return NULL;
}

static int check_method(duet_rpc *rpc, const char *prefix, const duet_rpc_method *m)
{
    unsigned n;
    char r;
    if (!m->name || !m->name[0] || !m->fn)
        return set_error(rpc, DUET_ERR_ARG, "bind", "a name and a function are required");
    if (strlen(m->name) > UINT16_MAX || (prefix && strlen(prefix) > UINT16_MAX))
        return set_error(rpc, DUET_ERR_ARG, "bind", "name longer than 65535 bytes");
    if (m->signature && !sig_parse(m->signature, &n, &r))
        return set_error(rpc, DUET_ERR_ARG, m->name, "bad signature");
    char full[DUET_RPC_ERROR_TEXT];
    duet_text t;
    duet_text_init(&t, full, sizeof full);
    if (prefix) {
        duet_text_add(&t, prefix);
        duet_text_add(&t, ".");
    }
    duet_text_add(&t, m->name);
    if (find_binding(rpc, full, t.len))
        return set_error(rpc, DUET_ERR_EXISTS, m->name, "already bound");
    return DUET_OK;
}

static int bind_many(duet_rpc *rpc, const char *prefix, const duet_rpc_method *table, size_t count)
{
    if (prefix && (!prefix[0] || !table))
        return set_error(rpc, DUET_ERR_ARG, "bind_group", "a prefix and a table are required");
    if (count > DUET_RPC_MAX_METHODS - rpc->method_count)
        return set_error(rpc, DUET_ERR_FULL, "bind", "method table full (DUET_RPC_MAX_METHODS)");
    for (size_t i = 0; i < count; i++) {
        int err = check_method(rpc, prefix, &table[i]);
        if (err)
            return err;
        for (size_t j = 0; j < i; j++)
            if (strcmp(table[i].name, table[j].name) == 0)
                return set_error(rpc, DUET_ERR_EXISTS, table[i].name, "listed twice in the table");
    }
    for (size_t i = 0; i < count; i++) {
        duet_rpc_binding *b = &rpc->methods[rpc->method_count++];
        unsigned n = 0;
        char result = 0;
        if (table[i].signature)
            sig_parse(table[i].signature, &n, &result); /* checked above */
        b->prefix = prefix;
        b->method = table[i];
        b->nparams = (uint8_t)n;
        b->result = result;
        b->prefix_len = (uint16_t)(prefix ? strlen(prefix) : 0);
        b->name_len = (uint16_t)strlen(table[i].name);
    }
    return DUET_OK;
}

int duet_rpc_bind(duet_rpc *rpc, const char *name, const char *signature, duet_rpc_handler fn, void *user)
{
    duet_rpc_method m = {name, signature, fn, user};
    lock(rpc);
    int err = bind_many(rpc, NULL, &m, 1);
    unlock(rpc);
    return err;
}

int duet_rpc_bind_group(duet_rpc *rpc, const char *prefix, const duet_rpc_method *table, size_t count)
{
    lock(rpc);
    int err = prefix ? bind_many(rpc, prefix, table, count)
                     : set_error(rpc, DUET_ERR_ARG, "bind_group", "a prefix is required");
    unlock(rpc);
    return err;
}

static void remove_binding(duet_rpc *rpc, unsigned i)
{
    rpc->method_count--;
    for (; i < rpc->method_count; i++)
        rpc->methods[i] = rpc->methods[i + 1];
}

int duet_rpc_unbind(duet_rpc *rpc, const char *name)
{
    lock(rpc);
    int err = DUET_ERR_NOT_FOUND;
    for (unsigned i = 0; name && i < rpc->method_count; i++) {
        if (binding_is(&rpc->methods[i], name, strlen(name))) {
            remove_binding(rpc, i);
            err = DUET_OK;
            break;
        }
    }
    unlock(rpc);
    return err;
}

int duet_rpc_unbind_group(duet_rpc *rpc, const char *prefix)
{
    lock(rpc);
    int err = DUET_ERR_NOT_FOUND;
    for (unsigned i = 0; prefix && i < rpc->method_count;) {
        const char *p = rpc->methods[i].prefix;
        if (p && strcmp(p, prefix) == 0) {
            remove_binding(rpc, i);
            err = DUET_OK;
        } else {
            i++;
        }
    }
    unlock(rpc);
    return err;
}

/* ------------------------------------------------------------ frames */

/* Claims the next frame of the tx buffer: a writer over at most max_message bytes. */
static bool frame_push(duet_rpc *rpc, duet_msgpack_writer *w, size_t *size)
{
    size_t room = rpc->cfg.tx_size - rpc->tx_used;
    size_t n = room < rpc->cfg.max_message ? room : rpc->cfg.max_message;
    if (n < MIN_FRAME)
        return false;
    duet_msgpack_writer_init(w, (uint8_t *)rpc->cfg.tx_buffer + rpc->tx_used, n);
    rpc->tx_used += n;
    *size = n;
    return true;
}

static void frame_pop(duet_rpc *rpc, size_t size)
{
    rpc->tx_used -= size;
}

static int send_frame(duet_rpc *rpc, duet_msgpack_writer *w)
{
    if (rpc->link_err)
        return rpc->link_err;
    if (duet_msgpack_writer_error(w) == DUET_ERR_NOSPACE) {
        rpc->stats.send_failures++;
        return DUET_ERR_TOO_LARGE;
    }
    if (duet_msgpack_writer_error(w))
        return duet_msgpack_writer_error(w);
    int err = rpc->link->send(rpc->link, w->buf, duet_msgpack_writer_size(w));
    if (err) {
        rpc->stats.send_failures++;
        if (err == DUET_ERR_LINK_DOWN)
            rpc->link_err = err;
        return err;
    }
    rpc->stats.msgs_out++;
    return DUET_OK;
}

/* ------------------------------------------------------------ serving */

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

/* Error text for an unknown method: rpclib's sentence, then the closest bound names. */
static void unknown_method_text(duet_req *c, duet_text *t)
{
    duet_rpc *rpc = c->rpc;
    duet_text_add(t, "rpclib: server could not find function '");
    duet_text_addn(t, c->method, c->method_len);
    duet_text_add(t, "' with argument count ");
    duet_text_add_uint(t, c->argc);
    duet_text_add(t, ".");
    unsigned limit = c->method_len / 3 + 1;
    bool first = true;
    for (unsigned i = 0; i < rpc->method_count; i++) {
        const duet_rpc_binding *b = &rpc->methods[i];
        char full[64];
        duet_text f;
        duet_text_init(&f, full, sizeof full);
        if (b->prefix) {
            duet_text_add(&f, b->prefix);
            duet_text_add(&f, ".");
        }
        duet_text_add(&f, b->method.name);
        if (name_distance(c->method, c->method_len, full, f.len) > limit)
            continue;
        duet_text_add(t, first ? " Did you mean: " : ", ");
        duet_text_add(t, full);
        first = false;
    }
    if (!first)
        duet_text_add(t, "?");
}

/* Checks the arguments against the binding's signature and decodes them into c->args. */
static bool check_args(duet_req *c, duet_text *t)
{
    const char *sig = c->binding->method.signature;
    unsigned want = c->binding->nparams;
    if (c->argc != want) {
        duet_text_addn(t, c->method, c->method_len);
        duet_text_add(t, ": expected ");
        duet_text_add_uint(t, want);
        duet_text_add(t, want == 1 ? " argument, got " : " arguments, got ");
        duet_text_add_uint(t, c->argc);
        return false;
    }
    duet_msgpack_reader r = c->params;
    for (unsigned i = 0; i < want; i++) {
        const uint8_t *start = r.pos;
        duet_msgpack_token *tok = &c->args[i];
        bool range;
        if (sig[i] == 'v') { /* any value: keep its encoding */
            duet_msgpack_skip(&r);
            tok->type = DUET_MSGPACK_NONE;
            tok->v.bytes.ptr = start;
            tok->v.bytes.len = (uint32_t)(r.pos - start);
            continue;
        }
        read_value_token(&r, tok);
        bool ok = token_matches(tok, sig[i], &range);
        if (!ok) {
            duet_text_addn(t, c->method, c->method_len);
            duet_text_add(t, ": argument ");
            duet_text_add_uint(t, i + 1);
            duet_text_add(t, ": expected ");
            duet_text_add(t, letter_name(sig[i]));
            if (range) {
                duet_text_add(t, ", got an integer out of its range");
            } else {
                duet_text_add(t, ", got ");
                duet_text_add(t, duet_msgpack_type_name(tok->type));
            }
            return false;
        }
    }
    return true;
}

/* Checks that the handler wrote exactly one value of the signature's result type. */
static bool check_result(duet_req *c, duet_text *t)
{
    duet_msgpack_writer *w = &c->out;
    if (duet_msgpack_writer_error(w)) {
        duet_text_addn(t, c->method, c->method_len);
        duet_text_add(t, w->err == DUET_ERR_NOSPACE ? ": result too large for one message" : ": result could not be encoded");
        return false;
    }
    if (duet_msgpack_writer_size(w) == c->result_start)
        duet_msgpack_write_nil(w);
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, w->buf + c->result_start, w->len - c->result_start);
    duet_msgpack_token tok;
    const uint8_t *start = r.pos;
    read_value_token(&r, &tok);
    if (tok.type == DUET_MSGPACK_ARRAY || tok.type == DUET_MSGPACK_MAP) {
        r.pos = start; /* a container: its elements are part of the one value */
        duet_msgpack_skip(&r);
    }
    bool one = duet_msgpack_reader_error(&r) == DUET_OK && duet_msgpack_reader_remaining(&r) == 0;
    if (!one) {
        duet_text_addn(t, c->method, c->method_len);
        duet_text_add(t, ": the handler wrote more than one result value");
        return false;
    }
    if (!c->binding->method.signature)
        return true;
    char want = c->binding->result;
    bool range;
    if (want == 0 ? tok.type == DUET_MSGPACK_NIL : token_matches(&tok, want, &range))
        return true;
    duet_text_addn(t, c->method, c->method_len);
    duet_text_add(t, ": the handler returned ");
    duet_text_add(t, duet_msgpack_type_name(tok.type));
    duet_text_add(t, ", its signature says ");
    duet_text_add(t, want ? letter_name(want) : "nil");
    return false;
}

/* Rewrites the response, in its whole frame of cap bytes, as an error: [1, msgid, text, nil]. */
static void write_error_response(duet_req *c, size_t cap, const uint8_t *msgid, size_t msgid_len, const char *text)
{
    duet_msgpack_writer *w = &c->out;
    duet_msgpack_writer_init(w, w->buf, cap);
    duet_msgpack_write_array(w, 4);
    duet_msgpack_write_uint(w, MSG_RESPONSE);
    duet_msgpack_write_raw(w, msgid, msgid_len);
    size_t len = strlen(text);
    size_t room = cap > 16 + msgid_len ? cap - 16 - msgid_len : 0;
    duet_msgpack_write_str(w, text, len < room ? len : room);
    duet_msgpack_write_nil(w);
}

/* Sends [1, msgid, text, nil] from a small buffer of its own (no frame needed). */
static void reply_error(duet_rpc *rpc, const uint8_t *msgid, size_t msgid_len, const char *text)
{
    uint8_t buf[MIN_FRAME + 64];
    size_t cap = rpc->cfg.max_message < sizeof buf ? rpc->cfg.max_message : sizeof buf;
    size_t room = cap > 8 + msgid_len ? cap - 8 - msgid_len : 0; /* array, type, str head, nil */
    size_t len = strlen(text);
    duet_msgpack_writer w;
    duet_msgpack_writer_init(&w, buf, cap);
    duet_msgpack_write_array(&w, 4);
    duet_msgpack_write_uint(&w, MSG_RESPONSE);
    duet_msgpack_write_raw(&w, msgid, msgid_len);
    duet_msgpack_write_str(&w, text, len < room ? len : room);
    duet_msgpack_write_nil(&w);
    rpc->stats.errors_sent++;
    send_frame(rpc, &w);
}

/* Runs the handler; on failure puts the error text in t. */
static bool run_handler(duet_req *c, duet_text *t)
{
    duet_rpc *rpc = c->rpc;
    c->error[0] = '\0';
    rpc->depth++;
    int rc = c->binding->method.fn(c);
    rpc->depth--;
    if (rc >= 0)
        return check_result(c, t);
    if (c->error[0]) {
        duet_text_add(t, c->error);
    } else {
        duet_text_addn(t, c->method, c->method_len);
        duet_text_add(t, ": ");
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
static void serve(duet_rpc *rpc, duet_req *c, const uint8_t *msgid, size_t msgid_len, const char *malformed)
{
    duet_msgpack_writer *w = &c->out;
    size_t frame;
    if (!frame_push(rpc, w, &frame)) {
        /* Nested too deep for the tx buffer: answer from the stack instead. */
        if (!c->notification)
            reply_error(rpc, msgid, msgid_len, "calls nested too deep for the tx buffer (DUET_RPC tx_size)");
        return;
    }
    duet_msgpack_write_array(w, 4);
    duet_msgpack_write_uint(w, MSG_RESPONSE);
    duet_msgpack_write_raw(w, msgid, msgid_len);
    duet_msgpack_write_nil(w);
    c->result_start = duet_msgpack_writer_size(w);

    char text[DUET_RPC_ERROR_TEXT];
    duet_text t;
    duet_text_init(&t, text, sizeof text);
    bool ok = false;
    const duet_rpc_binding *found = NULL;
    if (malformed) {
        duet_text_add(&t, malformed);
    } else if (!(found = find_binding(rpc, c->method, c->method_len))) {
        unknown_method_text(c, &t);
    } else {
        c->bound = *found;
        c->binding = &c->bound;
        if (!c->binding->method.signature || check_args(c, &t))
            ok = run_handler(c, &t);
    }
    if (!ok) {
        write_error_response(c, frame, msgid, msgid_len, text);
        if (!c->notification)
            rpc->stats.errors_sent++;
        else
            report_failed_notification(rpc, c, text);
    }
    if (!c->notification)
        send_frame(rpc, w);
    frame_pop(rpc, frame);
}

/* Skips count values that sit `inside` levels deep in a message, so that the message as a
 * whole stays within the nesting limit (what the peer's reader, and ours, accept). */
static bool skip_values(duet_msgpack_reader *r, uint32_t count, unsigned inside)
{
    unsigned limit = r->max_depth;
    duet_msgpack_reader_set_max_depth(r, limit > inside ? limit - inside : 1);
    bool ok = true;
    for (uint32_t i = 0; ok && i < count; i++)
        ok = duet_msgpack_skip(r);
    r->max_depth = (uint8_t)limit;
    return ok;
}

/* A message that is no msgpack-RPC message: skips it whole (from start, with the reader's
 * first end and no error) and counts it. False if it is not even one whole value. */
static bool skip_malformed(duet_rpc *rpc, duet_msgpack_reader *r, const uint8_t *start, const uint8_t *end)
{
    r->pos = start;
    r->end = end;
    r->err = DUET_OK;
    if (!duet_msgpack_skip(r))
        return false;
    rpc->stats.malformed++;
    return true;
}

/*
 * Reads the rest of a response ([1, already read) id, error, result) and stores it in the
 * slot that waits for its msgid. Leaves r after the message; false if it is not whole.
 */
static bool complete(duet_rpc *rpc, duet_msgpack_reader *r, const uint8_t *msg, const uint8_t *end)
{
    uint64_t id;
    if (!duet_msgpack_read_u64(r, &id))
        return skip_malformed(rpc, r, msg, end);
    /* The error: nil, a string, or (from a peer that breaks the convention) anything. */
    const char *text = NULL;
    uint32_t text_len = 0;
    duet_msgpack_type error_type = duet_msgpack_peek_type(r);
    if (error_type == DUET_MSGPACK_NIL)
        duet_msgpack_read_nil(r);
    else if (error_type == DUET_MSGPACK_STR)
        duet_msgpack_read_str(r, &text, &text_len);
    else if (!skip_values(r, 1, 1))
        return false;
    const uint8_t *result = r->pos;
    if (!skip_values(r, 1, 1))
        return false;
    size_t len = (size_t)(r->pos - result);
    rpc->stats.msgs_in++;

    duet_rpc_slot *s = NULL;
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        if (rpc->slots[i].state == SLOT_PENDING && rpc->slots[i].msgid == id) {
            s = &rpc->slots[i];
            break;
        }
    if (!s) {
        rpc->stats.late_responses++;
        return true;
    }
    uint8_t *store = slot_store(rpc, s);
    duet_text t;
    duet_text_init(&t, (char *)store, rpc->slot_size);
    s->state = SLOT_DONE;
    s->err = DUET_OK;
    if (error_type != DUET_MSGPACK_NIL) {
        s->err = DUET_ERR_REMOTE;
        if (text) {
            duet_text_addn(&t, text, text_len);
        } else {
            duet_text_add(&t, "the remote sent an error value of type ");
            duet_text_add(&t, duet_msgpack_type_name(error_type));
        }
        s->len = t.len;
    } else if (len > rpc->slot_size) {
        s->err = DUET_ERR_TOO_LARGE;
        duet_text_add(&t, "result of ");
        duet_text_add_uint(&t, len);
        duet_text_add(&t, " bytes does not fit the result slot");
        s->len = t.len;
    } else {
        memcpy(store, result, len);
        s->len = len;
    }
    return true;
}

/* Whether s[0..len) is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
static bool utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t b = s[i];
        size_t n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 9;
        if (n == 9 || len - i - 1 < n)
            return false;
        uint8_t lo = 0x80, hi = 0xbf; /* the second byte's range */
        if (b == 0xe0)
            lo = 0xa0;
        else if (b == 0xed)
            hi = 0x9f;
        else if (b == 0xf0)
            lo = 0x90;
        else if (b == 0xf4)
            hi = 0x8f;
        for (size_t k = 1; k <= n; k++, lo = 0x80, hi = 0xbf)
            if (s[i + k] < lo || s[i + k] > hi)
                return false;
        i += n + 1;
    }
    return true;
}

/* The method name: a str, or a bin holding UTF-8 (clients of the old msgpack spec send raw
 * bytes). False if it is neither, with *len 0, or a bin that is not UTF-8, with *len not 0. */
static bool read_method_name(duet_msgpack_reader *r, const char **name, uint32_t *len)
{
    const uint8_t *bytes;
    *len = 0;
    if (duet_msgpack_peek_type(r) != DUET_MSGPACK_BIN)
        return duet_msgpack_read_str(r, name, len);
    if (!duet_msgpack_read_bin(r, &bytes, len) || !utf8_valid(bytes, *len)) {
        *len = *len ? *len : 1;
        return false;
    }
    *name = (const char *)bytes;
    return true;
}

/*
 * Handles the message at r, framing it while it parses it, and leaves r after it.
 * False if it is not one whole MessagePack value (the rest of the buffer is then lost).
 */
static bool handle_message(duet_rpc *rpc, duet_msgpack_reader *r)
{
    const uint8_t *msg = r->pos, *end = r->end;
    uint32_t n, type;
    if (!duet_msgpack_read_array(r, &n) || (n != 3 && n != 4) || !duet_msgpack_read_u32(r, &type) ||
        type > MSG_NOTIFY || n != (type == MSG_NOTIFY ? 3u : 4u))
        return skip_malformed(rpc, r, msg, end);
    if (type == MSG_RESPONSE)
        return complete(rpc, r, msg, end);

    duet_req c;
    c.rpc = rpc;
    c.binding = NULL;
    c.notification = type == MSG_NOTIFY;
    const uint8_t *msgid = r->pos;
    size_t msgid_len = 0;
    if (!c.notification) {
        duet_msgpack_token id;
        if (!duet_msgpack_read_token(r, &id) || (id.type != DUET_MSGPACK_UINT && id.type != DUET_MSGPACK_INT))
            return skip_malformed(rpc, r, msg, end); /* no id to answer to */
        msgid_len = (size_t)(r->pos - msgid);
    }
    const char *malformed = NULL;
    c.method = "";
    c.method_len = 0;
    c.argc = 0;
    if (!read_method_name(r, &c.method, &c.method_len))
        malformed = c.method_len ? "malformed request: the method name is bin but not UTF-8; send it as a string"
                                 : "malformed request: the method name must be a string";
    else if (!duet_msgpack_read_array(r, &c.argc))
        malformed = "malformed request: params must be an array";
    if (malformed) {
        if (!skip_malformed(rpc, r, msg, end))
            return false;
    } else {
        /* The params run to the end of the message: their reader sees nothing after it. */
        const uint8_t *params = r->pos;
        if (!skip_values(r, c.argc, 2))
            return false;
        rpc->stats.msgs_in++;
        duet_msgpack_reader_init(&c.params, params, (size_t)(r->pos - params));
    }
    serve(rpc, &c, msgid, msgid_len, malformed);
    return true;
}

/* The msgid of the request whose first len bytes are msg; false if it is no request or its
 * msgid is not there whole. */
static bool request_msgid(const uint8_t *msg, size_t len, const uint8_t **msgid, size_t *msgid_len)
{
    duet_msgpack_reader r;
    uint32_t n, type;
    duet_msgpack_reader_init(&r, msg, len);
    if (!duet_msgpack_read_array(&r, &n) || n != 4 || !duet_msgpack_read_u32(&r, &type) || type != MSG_REQUEST)
        return false;
    duet_msgpack_type mt = duet_msgpack_peek_type(&r);
    *msgid = r.pos;
    if ((mt != DUET_MSGPACK_UINT && mt != DUET_MSGPACK_INT) || !duet_msgpack_skip(&r))
        return false;
    *msgid_len = (size_t)(r.pos - *msgid);
    return true;
}

/* Answers a request that could not be read whole, if its type and msgid can be. */
static void answer_broken(duet_rpc *rpc, const uint8_t *msg, size_t len, int err)
{
    const uint8_t *msgid;
    size_t msgid_len;
    if (!request_msgid(msg, len, &msgid, &msgid_len))
        return;
    reply_error(rpc, msgid, msgid_len,
                err == DUET_ERR_DEPTH ? "malformed request: nested deeper than DUET_MSGPACK_MAX_DEPTH"
                                      : "malformed request: not a whole MessagePack value");
}

void duet_rpc_dropped(void *up, const uint8_t *head, size_t head_len, uint64_t size, size_t limit)
{
    duet_rpc *rpc = (duet_rpc *)up;
    const uint8_t *msgid;
    size_t msgid_len;
    if (!request_msgid(head, head_len, &msgid, &msgid_len))
        return; /* nothing to answer: the link reports it */
    char text[120];
    duet_text t;
    duet_text_init(&t, text, sizeof text);
    duet_text_add(&t, "request too large: ");
    duet_text_add_uint(&t, size);
    duet_text_add(&t, " bytes or more, the limit is ");
    duet_text_add_uint(&t, limit);
    duet_text_add(&t, " bytes per message; it was skipped");
    reply_error(rpc, msgid, msgid_len, text);
}

bool duet_rpc_receive(void *up, const uint8_t *data, size_t len)
{
    duet_rpc *rpc = (duet_rpc *)up;
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, data, len);
    while (duet_msgpack_reader_remaining(&r) > 0) {
        const uint8_t *start = r.pos;
        if (!handle_message(rpc, &r)) {
            /* No way to find the next message's start: the rest of the buffer is lost.
             * A request whose head can be read still gets an answer. */
            rpc->stats.malformed++;
            answer_broken(rpc, start, (size_t)(data + len - start), duet_msgpack_reader_error(&r));
            return true;
        }
    }
    return true;
}

int duet_rpc_poll(duet_rpc *rpc)
{
    lock(rpc);
    int n = rpc->link->poll(rpc->link);
    if (n == DUET_ERR_LINK_DOWN)
        rpc->link_err = n;
    unlock(rpc);
    return n == DUET_ERR_LINK_DOWN ? n : (n < 0 ? 0 : n);
}

/* ------------------------------------------------------------ calling */

/* Writes one parameter from the va_list as letter c says. */
static void write_param(duet_msgpack_writer *w, char c, va_list *ap)
{
    switch (c) {
    case 'i': duet_msgpack_write_int(w, va_arg(*ap, int)); break;
    case 'u': duet_msgpack_write_uint(w, va_arg(*ap, unsigned)); break;
    case 'l': duet_msgpack_write_int(w, va_arg(*ap, int64_t)); break;
    case 'k': duet_msgpack_write_uint(w, va_arg(*ap, uint64_t)); break;
    case 'b': duet_msgpack_write_bool(w, va_arg(*ap, int) != 0); break;
    case 'f': duet_msgpack_write_float(w, (float)va_arg(*ap, double)); break;
    case 'd': duet_msgpack_write_double(w, va_arg(*ap, double)); break;
    case 's': {
        const char *s = va_arg(*ap, const char *);
        duet_msgpack_write_cstr(w, s ? s : "");
        break;
    }
    case 'y': {
        const void *p = va_arg(*ap, const void *);
        size_t n = va_arg(*ap, size_t);
        duet_msgpack_write_bin(w, p, n);
        break;
    }
    case 'v': {
        const void *p = va_arg(*ap, const void *);
        size_t n = va_arg(*ap, size_t);
        duet_msgpack_write_raw(w, p, n);
        break;
    }
    default: duet_msgpack_write_nil(w); break;
    }
}

static duet_rpc_slot *slot_take(duet_rpc *rpc)
{
    for (unsigned i = 0; i < DUET_RPC_MAX_INFLIGHT; i++)
        if (rpc->slots[i].state == SLOT_FREE)
            return &rpc->slots[i];
    return NULL;
}

/* Writes the head of a request (with a new msgid in *slot) or notification. */
static bool begin_message(duet_rpc *rpc, duet_msgpack_writer *w, size_t *frame, duet_rpc_slot **slot, const char *method)
{
    if (slot) {
        *slot = slot_take(rpc);
        if (!*slot) {
            set_error(rpc, DUET_ERR_FULL, method, "too many calls in flight (DUET_RPC_MAX_INFLIGHT)");
            return false;
        }
    }
    if (!frame_push(rpc, w, frame)) {
        set_error(rpc, DUET_ERR_TOO_LARGE, method, "no room left in the tx buffer (calls nested too deep)");
        return false;
    }
    duet_msgpack_write_array(w, slot ? 4 : 3);
    duet_msgpack_write_uint(w, slot ? MSG_REQUEST : MSG_NOTIFY);
    if (slot) {
        (*slot)->msgid = rpc->next_msgid++;
        duet_msgpack_write_uint(w, (*slot)->msgid);
    }
    duet_msgpack_write_cstr(w, method);
    return true;
}

/* Sends a finished message; on success the slot (if any) starts waiting. */
static int finish_message(duet_rpc *rpc, duet_msgpack_writer *w, size_t frame, duet_rpc_slot *slot, const char *method, char result)
{
    int err = send_frame(rpc, w);
    frame_pop(rpc, frame);
    if (err)
        return set_error(rpc, err, method, NULL);
    if (slot) {
        slot->state = SLOT_PENDING;
        slot->result_sig = result;
        slot->err = DUET_OK;
        slot->len = 0;
    }
    return DUET_OK;
}

/* Encodes and sends a request (slot != NULL) or notification. */
static int start_message(duet_rpc *rpc, duet_rpc_slot **slot, const char *method, const char *sig, va_list *ap)
{
    unsigned nparams;
    char result;
    if (!method || !sig || !sig_parse(sig, &nparams, &result))
        return set_error(rpc, DUET_ERR_ARG, method ? method : "call", "bad method name or signature");
    if (rpc->link_err)
        return set_error(rpc, rpc->link_err, method, NULL);
    duet_msgpack_writer w;
    size_t frame;
    if (!begin_message(rpc, &w, &frame, slot, method))
        return slot && !*slot ? DUET_ERR_FULL : DUET_ERR_TOO_LARGE;
    duet_msgpack_write_array(&w, nparams);
    for (unsigned i = 0; i < nparams; i++)
        write_param(&w, sig[i], ap);
    return finish_message(rpc, &w, frame, slot ? *slot : NULL, method, result);
}

/* Polls and waits until the slot is done or timeout_ms passed. */
static int wait_slot(duet_rpc *rpc, duet_rpc_slot *s, uint32_t timeout_ms)
{
    uint32_t start = now_ms(rpc);
    for (;;) {
        int n = rpc->link->poll(rpc->link);
        if (s->state == SLOT_DONE)
            return DUET_OK;
        if (n == DUET_ERR_LINK_DOWN || rpc->link_err) {
            rpc->link_err = DUET_ERR_LINK_DOWN;
            return DUET_ERR_LINK_DOWN;
        }
        uint32_t elapsed = now_ms(rpc) - start;
        if (elapsed >= timeout_ms)
            return DUET_ERR_TIMEOUT;
        if (n > 0)
            continue;
        if (rpc->link->wait) {
            unlock(rpc);
            rpc->link->wait(rpc->link, timeout_ms - elapsed);
            lock(rpc);
        }
    }
}

/* Decodes a finished slot's result into the va_list's pointers (as its result letter says). */
static int take_result(duet_rpc *rpc, duet_rpc_slot *s, const char *method, va_list *ap)
{
    const uint8_t *store = slot_store(rpc, s);
    if (s->err) {
        duet_text t = error_begin(rpc);
        duet_text_addn(&t, (const char *)store, s->len);
        return s->err;
    }
    duet_msgpack_reader r;
    duet_msgpack_reader_init(&r, store, s->len);
    char c = s->result_sig;
    const uint8_t *start = r.pos;
    duet_msgpack_token tok;
    read_value_token(&r, &tok);
    bool range;
    bool ok = c == 0 ? true : token_matches(&tok, c, &range);
    if (!ok) {
        duet_text t = error_begin(rpc);
        duet_text_add(&t, method ? method : "call");
        duet_text_add(&t, ": result: expected ");
        duet_text_add(&t, letter_name(c));
        duet_text_add(&t, range ? ", got an integer out of its range" : ", got ");
        if (!range)
            duet_text_add(&t, duet_msgpack_type_name(tok.type));
        return range ? DUET_ERR_RANGE : DUET_ERR_TYPE;
    }
    bool is_neg = tok.type == DUET_MSGPACK_INT;
    switch (c) {
    case 'i': { int32_t *p = va_arg(*ap, int32_t *); if (p) *p = (int32_t)(is_neg ? tok.v.i : (int64_t)tok.v.u); break; }
    case 'u': { uint32_t *p = va_arg(*ap, uint32_t *); if (p) *p = (uint32_t)(is_neg ? (uint64_t)tok.v.i : tok.v.u); break; }
    case 'l': { int64_t *p = va_arg(*ap, int64_t *); if (p) *p = is_neg ? tok.v.i : (int64_t)tok.v.u; break; }
    case 'k': { uint64_t *p = va_arg(*ap, uint64_t *); if (p) *p = is_neg ? (uint64_t)tok.v.i : tok.v.u; break; }
    case 'b': { bool *p = va_arg(*ap, bool *); if (p) *p = tok.v.b; break; }
    case 'f': { float *p = va_arg(*ap, float *); if (p) *p = (float)token_double(&tok); break; }
    case 'd': { double *p = va_arg(*ap, double *); if (p) *p = token_double(&tok); break; }
    case 's': case 'y': case 'v': {
        void *buf = va_arg(*ap, void *);
        size_t cap = va_arg(*ap, size_t);
        size_t *lenp = c == 's' ? NULL : va_arg(*ap, size_t *);
        const uint8_t *src = tok.v.bytes.ptr;
        size_t n = tok.v.bytes.len;
        if (c == 'v') {
            src = start;
            n = s->len;
        }
        size_t need = c == 's' ? n + 1 : n;
        if (buf && need > cap) {
            duet_text t = error_begin(rpc);
            duet_text_add(&t, method ? method : "call");
            duet_text_add(&t, ": result of ");
            duet_text_add_uint(&t, n);
            duet_text_add(&t, " bytes does not fit the buffer");
            return DUET_ERR_NOSPACE;
        }
        if (buf) {
            memcpy(buf, src, n);
            if (c == 's')
                ((char *)buf)[n] = '\0';
        }
        if (lenp)
            *lenp = n;
        break;
    }
    default: break;
    }
    return DUET_OK;
}

/* Waits for a slot and takes its result; frees the slot unless it timed out. */
static int join(duet_rpc *rpc, duet_rpc_slot *s, uint32_t timeout_ms, const char *method, va_list *ap)
{
    int err = wait_slot(rpc, s, timeout_ms);
    if (err) {
        set_error(rpc, err, method, NULL);
        if (err != DUET_ERR_TIMEOUT)
            s->state = SLOT_FREE;
        return err;
    }
    err = take_result(rpc, s, method, ap);
    s->state = SLOT_FREE;
    return err;
}

int duet_rpc_vcall(duet_rpc *rpc, uint32_t timeout_ms, const char *method, const char *signature, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    lock(rpc);
    duet_rpc_slot *s = NULL;
    int err = start_message(rpc, &s, method, signature, &args);
    if (!err) {
        err = join(rpc, s, timeout_ms, method, &args);
        s->state = SLOT_FREE; /* a sync call that timed out is over: its late response is counted */
    }
    unlock(rpc);
    va_end(args);
    return err;
}

int duet_rpc_call(duet_rpc *rpc, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = duet_rpc_vcall(rpc, rpc->cfg.timeout_ms, method, signature, ap);
    va_end(ap);
    return err;
}

int duet_rpc_call_timeout(duet_rpc *rpc, uint32_t timeout_ms, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = duet_rpc_vcall(rpc, timeout_ms, method, signature, ap);
    va_end(ap);
    return err;
}

int duet_rpc_vcall_async(duet_rpc *rpc, duet_future *future, const char *method, const char *signature, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    lock(rpc);
    duet_rpc_slot *s = NULL;
    int err = start_message(rpc, &s, method, signature, &args);
    if (!err) {
        future->slot = (uint8_t)(s - rpc->slots);
        future->msgid = s->msgid;
    } else {
        future->slot = 0xff;
        future->msgid = 0;
    }
    unlock(rpc);
    va_end(args);
    return err;
}

int duet_rpc_call_async(duet_rpc *rpc, duet_future *future, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = duet_rpc_vcall_async(rpc, future, method, signature, ap);
    va_end(ap);
    return err;
}

int duet_rpc_vnotify(duet_rpc *rpc, const char *method, const char *signature, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    lock(rpc);
    int err = start_message(rpc, NULL, method, signature, &args);
    unlock(rpc);
    va_end(args);
    return err;
}

int duet_rpc_notify(duet_rpc *rpc, const char *method, const char *signature, ...)
{
    va_list ap;
    va_start(ap, signature);
    int err = duet_rpc_vnotify(rpc, method, signature, ap);
    va_end(ap);
    return err;
}

/* The slot a future names, if it still waits for it. */
static duet_rpc_slot *future_slot(duet_rpc *rpc, const duet_future *f)
{
    if (!f || f->slot >= DUET_RPC_MAX_INFLIGHT)
        return NULL;
    duet_rpc_slot *s = &rpc->slots[f->slot];
    if (s->state == SLOT_FREE || s->msgid != f->msgid)
        return NULL;
    return s;
}

int duet_future_poll(duet_rpc *rpc, const duet_future *future)
{
    lock(rpc);
    int err;
    duet_rpc_slot *s = future_slot(rpc, future);
    if (!s) {
        err = set_error(rpc, DUET_ERR_ARG, "future", "not a waiting call (already taken or dropped)");
    } else {
        int n = s->state == SLOT_DONE ? 0 : rpc->link->poll(rpc->link);
        if (n == DUET_ERR_LINK_DOWN)
            rpc->link_err = n;
        if (s->state == SLOT_DONE)
            err = s->err;
        else
            err = rpc->link_err ? rpc->link_err : DUET_ERR_AGAIN;
    }
    unlock(rpc);
    return err;
}

int duet_future_wait(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, ...)
{
    va_list ap;
    va_start(ap, timeout_ms);
    lock(rpc);
    int err;
    duet_rpc_slot *s = future_slot(rpc, future);
    if (!s)
        err = set_error(rpc, DUET_ERR_ARG, "future", "not a waiting call (already taken or dropped)");
    else
        err = join(rpc, s, timeout_ms, "future", &ap);
    unlock(rpc);
    va_end(ap);
    return err;
}

int duet_future_wait_raw(duet_rpc *rpc, duet_future *future, uint32_t timeout_ms, void *buf, size_t cap, size_t *len)
{
    lock(rpc);
    int err;
    duet_rpc_slot *s = future_slot(rpc, future);
    if (!s) {
        err = set_error(rpc, DUET_ERR_ARG, "future", "not a waiting call (already taken or dropped)");
    } else {
        s->result_sig = 'v';
        err = wait_slot(rpc, s, timeout_ms);
        if (err == DUET_ERR_TIMEOUT) {
            set_error(rpc, err, "future", NULL);
        } else {
            if (!err) {
                err = s->err;
                if (err) {
                    duet_text t = error_begin(rpc);
                    duet_text_addn(&t, (const char *)slot_store(rpc, s), s->len);
                } else if (s->len > cap) {
                    err = set_error(rpc, DUET_ERR_NOSPACE, "future", "result larger than the buffer");
                } else {
                    memcpy(buf, slot_store(rpc, s), s->len);
                    if (len)
                        *len = s->len;
                }
            } else {
                set_error(rpc, err, "future", NULL);
            }
            s->state = SLOT_FREE;
        }
    }
    unlock(rpc);
    return err;
}

void duet_future_drop(duet_rpc *rpc, duet_future *future)
{
    lock(rpc);
    duet_rpc_slot *s = future_slot(rpc, future);
    if (s)
        s->state = SLOT_FREE;
    unlock(rpc);
}

/* ------------------------------------------------------------ low-level calls */

duet_msgpack_writer *duet_rpc_begin_call(duet_rpc *rpc, duet_future *future, const char *method)
{
    duet_rpc_slot *s = NULL;
    lock(rpc);
    future->slot = 0xff;
    future->msgid = 0;
    if (rpc->open_frame || !method) {
        set_error(rpc, DUET_ERR_STATE, "duet_rpc_begin_call", "another low-level message is open, or no method");
    } else if (rpc->link_err) {
        set_error(rpc, rpc->link_err, method, NULL);
    } else if (begin_message(rpc, &rpc->open_writer, &rpc->open_frame, &s, method)) {
        rpc->open_slot = (int)(s - rpc->slots);
        rpc->open_method = method;
        future->slot = (uint8_t)rpc->open_slot;
        future->msgid = s->msgid;
        s->state = SLOT_PENDING; /* reserved; finish_message starts the wait */
        unlock(rpc);
        return &rpc->open_writer;
    }
    unlock(rpc);
    return NULL;
}

duet_msgpack_writer *duet_rpc_begin_notify(duet_rpc *rpc, const char *method)
{
    lock(rpc);
    if (rpc->open_frame || !method) {
        set_error(rpc, DUET_ERR_STATE, "duet_rpc_begin_notify", "another low-level message is open, or no method");
    } else if (rpc->link_err) {
        set_error(rpc, rpc->link_err, method, NULL);
    } else if (begin_message(rpc, &rpc->open_writer, &rpc->open_frame, NULL, method)) {
        rpc->open_slot = -1;
        rpc->open_method = method;
        unlock(rpc);
        return &rpc->open_writer;
    }
    unlock(rpc);
    return NULL;
}

int duet_rpc_end(duet_rpc *rpc, duet_msgpack_writer *w)
{
    lock(rpc);
    int err;
    if (!rpc->open_frame || w != &rpc->open_writer) {
        err = set_error(rpc, DUET_ERR_STATE, "duet_rpc_end", "no low-level message is open");
    } else {
        duet_rpc_slot *s = rpc->open_slot >= 0 ? &rpc->slots[rpc->open_slot] : NULL;
        size_t frame = rpc->open_frame;
        rpc->open_frame = 0;
        if (s)
            s->state = SLOT_FREE;
        err = finish_message(rpc, w, frame, s, rpc->open_method, 'v');
    }
    unlock(rpc);
    return err;
}

/* ------------------------------------------------------------ inspection */

const char *duet_rpc_error_text(const duet_rpc *rpc)
{
    return rpc->error_text[0] ? rpc->error_text : "no error";
}

duet_rpc_stats duet_rpc_get_stats(const duet_rpc *rpc)
{
    return rpc->stats;
}

/* ------------------------------------------------------------ inside a handler */

uint32_t duet_arg_count(const duet_req *call) { return call->argc; }

/* The decoded argument n, or NULL if there is none (raw handler or n out of range). */
static const duet_msgpack_token *arg(const duet_req *c, unsigned n)
{
    if (!c->binding || !c->binding->method.signature || n >= c->argc)
        return NULL;
    return &c->args[n];
}

static int64_t arg_int64(const duet_req *c, unsigned n)
{
    const duet_msgpack_token *t = arg(c, n);
    if (!t)
        return 0;
    if (t->type == DUET_MSGPACK_INT)
        return t->v.i;
    if (t->type == DUET_MSGPACK_UINT)
        return (int64_t)t->v.u;
    return (int64_t)token_double(t);
}

int32_t duet_arg_int(const duet_req *call, unsigned n) { return (int32_t)arg_int64(call, n); }
uint32_t duet_arg_uint(const duet_req *call, unsigned n) { return (uint32_t)arg_int64(call, n); }
int64_t duet_arg_int64(const duet_req *call, unsigned n) { return arg_int64(call, n); }

uint64_t duet_arg_uint64(const duet_req *call, unsigned n)
{
    const duet_msgpack_token *t = arg(call, n);
    return t && t->type == DUET_MSGPACK_UINT ? t->v.u : (uint64_t)arg_int64(call, n);
}

bool duet_arg_bool(const duet_req *call, unsigned n)
{
    const duet_msgpack_token *t = arg(call, n);
    return t && t->type == DUET_MSGPACK_BOOL && t->v.b;
}

double duet_arg_double(const duet_req *call, unsigned n)
{
    const duet_msgpack_token *t = arg(call, n);
    return t ? token_double(t) : 0;
}

float duet_arg_float(const duet_req *call, unsigned n) { return (float)duet_arg_double(call, n); }

static const uint8_t *arg_bytes(const duet_req *c, unsigned n, duet_msgpack_type type, uint32_t *len)
{
    const duet_msgpack_token *t = arg(c, n);
    if (!t || t->type != type) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = t->v.bytes.len;
    return t->v.bytes.ptr;
}

const char *duet_arg_str(const duet_req *call, unsigned n, uint32_t *len)
{
    return (const char *)arg_bytes(call, n, DUET_MSGPACK_STR, len);
}

const uint8_t *duet_arg_bin(const duet_req *call, unsigned n, uint32_t *len)
{
    return arg_bytes(call, n, DUET_MSGPACK_BIN, len);
}

const uint8_t *duet_arg_value(const duet_req *call, unsigned n, uint32_t *len)
{
    return arg_bytes(call, n, DUET_MSGPACK_NONE, len);
}

duet_msgpack_reader *duet_req_params(duet_req *call) { return &call->params; }
duet_msgpack_writer *duet_req_result(duet_req *call) { return &call->out; }

int duet_return_int(duet_req *call, int64_t v)
{
    duet_msgpack_write_int(&call->out, v);
    return call->out.err;
}

int duet_return_uint(duet_req *call, uint64_t v)
{
    duet_msgpack_write_uint(&call->out, v);
    return call->out.err;
}

int duet_return_bool(duet_req *call, bool v)
{
    duet_msgpack_write_bool(&call->out, v);
    return call->out.err;
}

int duet_return_double(duet_req *call, double v)
{
    duet_msgpack_write_double(&call->out, v);
    return call->out.err;
}

int duet_return_str(duet_req *call, const char *s)
{
    duet_msgpack_write_cstr(&call->out, s ? s : "");
    return call->out.err;
}

int duet_req_fail(duet_req *call, int err, const char *text)
{
    duet_text t;
    duet_text_init(&t, call->error, sizeof call->error);
    duet_text_addn(&t, call->method, call->method_len);
    duet_text_add(&t, ": ");
    duet_text_add(&t, text ? text : duet_strerror(err));
    return err < 0 ? err : DUET_ERR_REMOTE;
}

const char *duet_req_method(const duet_req *call, uint32_t *len)
{
    if (len)
        *len = call->method_len;
    return call->method;
}

void *duet_req_user(const duet_req *call) { return call->binding ? call->binding->method.user : NULL; }
duet_rpc *duet_req_rpc(duet_req *call) { return call->rpc; }
bool duet_req_is_notification(const duet_req *call) { return call->notification; }

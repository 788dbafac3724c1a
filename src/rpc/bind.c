/* rpc/bind.c - the table of bound methods: bind, unbind, find. */
#include "rpc/internal.h"
#include "rpc/signature.h"

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
    return b->name_len == left && (left == 0 || n[0] == b->method.name[0]) && memcmp(n, b->method.name, left) == 0;
}

/* Whether the n bytes at a and b are the same (names are short: no call to memcmp). */
static bool same_bytes(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

duet_rpc_binding *duet_rpc_find_binding(duet_rpc *rpc, const char *name, size_t len)
{
    for (unsigned i = 0; i < rpc->method_count; i++) {
        const duet_rpc_binding *b = &rpc->methods[i];
        if (b->prefix ? binding_is(b, name, len) : b->name_len == len && same_bytes(name, b->method.name, len))
            return &rpc->methods[i];
    }
    return NULL;
}

static int check_method(duet_rpc *rpc, const char *prefix, const duet_rpc_method *m)
{
    unsigned n;
    char r;
    if (!m->name || !m->name[0] || !m->fn)
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, "bind", "a name and a function are required");
    if (strlen(m->name) > UINT16_MAX || (prefix && strlen(prefix) > UINT16_MAX))
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, "bind", "name longer than 65535 bytes");
    if (m->signature && !duet_rpc_sig_parse(m->signature, &n, &r))
        return duet_rpc_signature_error(rpc, m->name, m->signature);
    char full[DUET_RPC_ERROR_TEXT];
    duet_text t;
    duet_text_init(&t, full, sizeof full);
    if (prefix) {
        duet_text_add(&t, prefix);
        duet_text_add(&t, ".");
    }
    duet_text_add(&t, m->name);
    if (duet_rpc_find_binding(rpc, full, t.len))
        return duet_rpc_set_error(rpc, DUET_ERR_EXISTS, m->name, "already bound");
    return DUET_OK;
}

static int bind_many(duet_rpc *rpc, const char *prefix, const duet_rpc_method *table, size_t count)
{
    if (prefix && (!prefix[0] || !table))
        return duet_rpc_set_error(rpc, DUET_ERR_ARG, "bind_group", "a prefix and a table are required");
    if (count > DUET_RPC_MAX_METHODS - rpc->method_count)
        return duet_rpc_set_error(rpc, DUET_ERR_FULL, "bind", "method table full (DUET_RPC_MAX_METHODS)");
    for (size_t i = 0; i < count; i++) {
        int err = check_method(rpc, prefix, &table[i]);
        if (err)
            return err;
        for (size_t j = 0; j < i; j++)
            if (strcmp(table[i].name, table[j].name) == 0)
                return duet_rpc_set_error(rpc, DUET_ERR_EXISTS, table[i].name, "listed twice in the table");
    }
    for (size_t i = 0; i < count; i++) {
        duet_rpc_binding *b = &rpc->methods[rpc->method_count++];
        unsigned n = 0;
        char result = 0;
        if (table[i].signature)
            duet_rpc_sig_parse(table[i].signature, &n, &result); /* checked above */
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
    duet_rpc_lock(rpc);
    int err = bind_many(rpc, NULL, &m, 1);
    duet_rpc_unlock(rpc);
    return err;
}

int duet_rpc_bind_group(duet_rpc *rpc, const char *prefix, const duet_rpc_method *table, size_t count)
{
    duet_rpc_lock(rpc);
    int err = prefix ? bind_many(rpc, prefix, table, count)
                     : duet_rpc_set_error(rpc, DUET_ERR_ARG, "bind_group", "a prefix is required");
    duet_rpc_unlock(rpc);
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
    duet_rpc_lock(rpc);
    int err = DUET_ERR_NOT_FOUND;
    for (unsigned i = 0; name && i < rpc->method_count; i++) {
        if (binding_is(&rpc->methods[i], name, strlen(name))) {
            remove_binding(rpc, i);
            err = DUET_OK;
            break;
        }
    }
    duet_rpc_unlock(rpc);
    return err;
}

int duet_rpc_unbind_group(duet_rpc *rpc, const char *prefix)
{
    duet_rpc_lock(rpc);
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
    duet_rpc_unlock(rpc);
    return err;
}
